#pragma once
// The vectorisable exponential of the kernels that evaluate a weekly hazard per slot, of the form
// h = static_cast<float>(c * std::exp(x) [* m]), and the test that makes the float they give
// exactly the one of that expression.
//
// The exponential is approximated in a loop the compiler vectorises (range reduction
// x = k ln2 + r, |r| <= ln2/2, and the Taylor polynomial of degree 10 in Estrin's scheme: relative
// error below 2^-41 (2^-41.6 the largest measured), against at most 2^-52 for std::exp). The double
// product then differs from the one with std::exp by a relative 2^-41 at most, so both
// round to the same float (round to nearest) unless the product lies within that distance of a
// float rounding boundary (a midpoint between two floats). hazard_is_exact() keeps a margin of
// 2^-39 (the product's 29 bits beyond float precision must differ from the midpoint pattern by more
// than 2^14 units): the rare products that fail it (about 3 in 100 000), and any outside the plain
// range (|x| > 700, results that are not normal floats, NaN), are evaluated again by the caller
// with std::exp. The result is therefore the same, bit for bit, as the plain expression.
#include <bit>
#include <cmath>
#include <cstdint>

#include "avx512.hpp"

namespace drift::detail {

// e^x for |x| <= 700, with a relative error below 2^-41: range reduction x = k ln2 + r,
// |r| <= ln2/2, and the Taylor polynomial of degree 10 in Estrin's scheme (short dependency
// chains). Its truncation error is below (ln2/2)^11 / 11! / e^(-ln2/2) < 2^-41.5 relative; the
// margin of hazard_is_exact() is 2^-39, so no product it accepts can round differently from the
// one with std::exp (a higher degree would buy accuracy the test does not use). Outside that
// range the value is meaningless and hazard_is_exact() says so.
[[gnu::always_inline]] inline double approximate_exp(double x) {
  constexpr double kLog2e = 0x1.71547652b82fep+0;
  constexpr double kLn2Hi = 0x1.62e42fef00000p-1;  // 32 significant bits: k * kLn2Hi is exact
  constexpr double kLn2Lo = 0x1.473de6af278edp-34;
  constexpr double kShifter = 0x1.8p52;  // adding it rounds to an integer held in the low bits
  const double t = x * kLog2e + kShifter;
  const double k = t - kShifter;
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  const double r2 = r * r;
  const double r4 = r2 * r2;
  const double r8 = r4 * r4;
  // 1/n! for n = 0 .. 10, two at a time.
  const double a0 = 1.0 + r;
  const double a1 = 0x1.0000000000000p-1 + 0x1.5555555555555p-3 * r;
  const double a2 = 0x1.5555555555555p-5 + 0x1.1111111111111p-7 * r;
  const double a3 = 0x1.6c16c16c16c17p-10 + 0x1.a01a01a01a01ap-13 * r;
  const double a4 = 0x1.a01a01a01a01ap-16 + 0x1.71de3a556c734p-19 * r;
  constexpr double a5 = 0x1.27e4fb7789f5cp-22;
  const double b0 = a0 + a1 * r2;
  const double b1 = a2 + a3 * r2;
  const double b2 = a4 + a5 * r2;
  const double d0 = b0 + b1 * r4;
  const double p = d0 + b2 * r8;
  // 2^k from the integer in the low bits of t (exact for |k| <= 1022, ensured by |x| <= 700).
  const double scale = std::bit_cast<double>((std::bit_cast<std::uint64_t>(t) + 1023u) << 52);
  return p * scale;
}

// 1 when h, a product with approximate_exp(x), rounds to the float the same product with
// std::exp(x) rounds to: |x| <= 700, h a positive normal float, and h's 29 bits beyond float
// precision more than 2^14 units away from the midpoint between two floats.
[[gnu::always_inline]] inline unsigned hazard_is_exact(double x, double h) {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(h);
  const auto high = static_cast<std::uint32_t>(bits >> 32);
  const auto low = static_cast<std::uint32_t>(bits);
  const std::uint32_t biased = high >> 20;  // sign and exponent: positive normal floats only
  const std::uint32_t tail = low & ((1u << 29) - 1);  // the bits a float drops
  return static_cast<unsigned>(std::fabs(x) <= 700.0) &
         static_cast<unsigned>(biased - (1023u - 125u) <= 251u) &
         static_cast<unsigned>(tail - ((1u << 28) - (1u << 14)) > (1u << 15));
}

// a where on is 1 and b where it is 0, by bit masks: a loop of these stays free of branches, which
// GCC otherwise keeps for selects between floats under -ftrapping-math, and vectorises.
[[gnu::always_inline]] inline float pick(unsigned on, float a, float b) {
  const std::uint32_t mask = 0u - on;
  return std::bit_cast<float>((std::bit_cast<std::uint32_t>(a) & mask) |
                              (std::bit_cast<std::uint32_t>(b) & ~mask));
}
[[gnu::always_inline]] inline double pick(unsigned on, double a, double b) {
  const std::uint64_t mask = 0ull - on;
  return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & mask) |
                               (std::bit_cast<std::uint64_t>(b) & ~mask));
}

#ifdef DRIFT_AVX512_KERNELS
// a + b * r on eight doubles.
[[DRIFT_AVX512BW, gnu::always_inline]] inline __m512d line(double a, double b, __m512d r) {
  return _mm512_add_pd(_mm512_set1_pd(a), _mm512_mul_pd(_mm512_set1_pd(b), r));
}

// approximate_exp on eight doubles: the same operations in the same order, so the same values
// lane by lane (tests/step checks it); change the two together.
[[DRIFT_AVX512BW, gnu::always_inline]] inline __m512d approximate_exp8(__m512d x) {
  const __m512d t = _mm512_add_pd(_mm512_mul_pd(x, _mm512_set1_pd(0x1.71547652b82fep+0)),
                                  _mm512_set1_pd(0x1.8p52));
  const __m512d k = _mm512_sub_pd(t, _mm512_set1_pd(0x1.8p52));
  const __m512d r =
      _mm512_sub_pd(_mm512_sub_pd(x, _mm512_mul_pd(k, _mm512_set1_pd(0x1.62e42fef00000p-1))),
                    _mm512_mul_pd(k, _mm512_set1_pd(0x1.473de6af278edp-34)));
  const __m512d r2 = _mm512_mul_pd(r, r);
  const __m512d r4 = _mm512_mul_pd(r2, r2);
  const __m512d r8 = _mm512_mul_pd(r4, r4);
  const __m512d a0 = _mm512_add_pd(_mm512_set1_pd(1.0), r);
  const __m512d a1 = line(0x1.0000000000000p-1, 0x1.5555555555555p-3, r);
  const __m512d a2 = line(0x1.5555555555555p-5, 0x1.1111111111111p-7, r);
  const __m512d a3 = line(0x1.6c16c16c16c17p-10, 0x1.a01a01a01a01ap-13, r);
  const __m512d a4 = line(0x1.a01a01a01a01ap-16, 0x1.71de3a556c734p-19, r);
  const __m512d a5 = _mm512_set1_pd(0x1.27e4fb7789f5cp-22);
  const __m512d b0 = _mm512_add_pd(a0, _mm512_mul_pd(a1, r2));
  const __m512d b1 = _mm512_add_pd(a2, _mm512_mul_pd(a3, r2));
  const __m512d b2 = _mm512_add_pd(a4, _mm512_mul_pd(a5, r2));
  const __m512d d0 = _mm512_add_pd(b0, _mm512_mul_pd(b1, r4));
  const __m512d p = _mm512_add_pd(d0, _mm512_mul_pd(b2, r8));
  const __m512i scale = _mm512_maskz_slli_epi64(
      0xff, _mm512_add_epi64(_mm512_castpd_si512(t), _mm512_set1_epi64(1023)), 52);
  return _mm512_mul_pd(p, _mm512_castsi512_pd(scale));
}

// hazard_is_exact on eight lanes, as a mask.
[[DRIFT_AVX512BW, gnu::always_inline]] inline __mmask8 hazard_is_exact8(__m512d x, __m512d h) {
  const __m512i bits = _mm512_castpd_si512(h);
  const __m512i biased = _mm512_maskz_srli_epi64(0xff, bits, 52);  // sign and exponent
  const __m512i tail = _mm512_and_si512(bits, _mm512_set1_epi64((1ll << 29) - 1));
  const __m512d size = _mm512_castsi512_pd(
      _mm512_and_si512(_mm512_castpd_si512(x), _mm512_set1_epi64(0x7fffffffffffffffll)));
  return _mm512_cmp_pd_mask(size, _mm512_set1_pd(700.0), _CMP_LE_OQ) &
         _mm512_cmple_epu64_mask(_mm512_sub_epi64(biased, _mm512_set1_epi64(1023 - 125)),
                                 _mm512_set1_epi64(251)) &
         _mm512_cmpgt_epu64_mask(_mm512_sub_epi64(tail, _mm512_set1_epi64((1 << 28) - (1 << 14))),
                                 _mm512_set1_epi64(1 << 15));
}
#endif

}  // namespace drift::detail
