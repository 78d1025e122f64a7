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
// with std::exp. The result is therefore the same, bit for bit, as the plain expression, and the
// same whichever approximation gave the product: the AVX-512 kernels use approximate_exp8(), a
// shorter evaluation of their own (a table of 2^(j/16) and fused multiply-adds), under the same
// test.
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
// e^x on eight doubles, for the same range and to better accuracy than approximate_exp (relative
// error below 2^-49), in fewer operations: x = (16 q + j) ln2/16 + r with |r| <= ln2/32, 2^(j/16)
// from a table of sixteen, and the Taylor polynomial of degree 6 (truncation below
// (ln2/32)^7 / 7! < 2^-50.9) with fused multiply-adds, which every processor that has these
// instructions has. Its values are not approximate_exp's bit for bit, and need not be: a product
// hazard_is_exact8() accepts rounds to the float of the product with std::exp, whichever
// approximation it came from (tests/step checks both against std::exp).
[[DRIFT_AVX512BW, gnu::always_inline]] inline __m512d approximate_exp8(__m512d x) {
  // 2^(j/16), j = 0 .. 15, each the double nearest to it.
  const __m512d low_half = _mm512_setr_pd(
      0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
      0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0);
  const __m512d high_half = _mm512_setr_pd(
      0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
      0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0);
  constexpr double kShifter = 0x1.8p52;  // adding it rounds to an integer held in the low bits
  // t holds m = 16 q + j = round(16 x / ln2) in its low bits; r = x - m ln2/16 in two parts
  // (each fused product is exact before its one rounding).
  const __m512d t =
      _mm512_fmadd_pd(x, _mm512_set1_pd(0x1.71547652b82fep+4), _mm512_set1_pd(kShifter));
  const __m512d m = _mm512_sub_pd(t, _mm512_set1_pd(kShifter));
  __m512d r = _mm512_fnmadd_pd(m, _mm512_set1_pd(0x1.62e42fefa39efp-5), x);
  r = _mm512_fnmadd_pd(m, _mm512_set1_pd(0x1.abc9e3b39803fp-60), r);
  const __m512d r2 = _mm512_mul_pd(r, r);
  const __m512d r4 = _mm512_mul_pd(r2, r2);
  // 1 + r + r^2/2 + r^3/6 and 1/24 + r/120 + r^2/720, joined by r^4.
  const __m512d a0 = _mm512_add_pd(_mm512_set1_pd(1.0), r);
  const __m512d a1 =
      _mm512_fmadd_pd(r, _mm512_set1_pd(0x1.5555555555555p-3), _mm512_set1_pd(0x1.0p-1));
  const __m512d a2 = _mm512_fmadd_pd(r, _mm512_set1_pd(0x1.1111111111111p-7),
                                     _mm512_set1_pd(0x1.5555555555555p-5));
  const __m512d b0 = _mm512_fmadd_pd(a1, r2, a0);
  const __m512d b1 = _mm512_fmadd_pd(_mm512_set1_pd(0x1.6c16c16c16c17p-10), r2, a2);
  const __m512d p = _mm512_fmadd_pd(b1, r4, b0);
  // 2^q from the integer above j (exact for |q| <= 1022, ensured by |x| <= 700), and 2^(j/16)
  // chosen by the low four bits.
  const __m512i bits = _mm512_castpd_si512(t);
  const __m512i scale = _mm512_maskz_slli_epi64(
      0xff, _mm512_add_epi64(_mm512_maskz_srli_epi64(0xff, bits, 4), _mm512_set1_epi64(1023)), 52);
  const __m512d fraction = _mm512_permutex2var_pd(low_half, bits, high_half);
  return _mm512_mul_pd(_mm512_mul_pd(p, fraction), _mm512_castsi512_pd(scale));
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
