#pragma once
// The exponential of the weekly hazards h = c * e^x [* m] (onset, recovery, entry), evaluated in
// single precision by one fixed sequence of float operations, so that every kernel, scalar or
// vector, on any processor, gives the same float for the same x.
//
// The clocks a hazard ticks are floats, so the hazard is a float too (docs/model.md, "Numerical
// evaluation"). hazard_exp() is Cephes' expf: x is clamped to [kMinExponent, kMaxExponent] (the
// range where e^x is a normal float; NaN stays NaN), reduced to x = n ln2 + r with |r| <= ln2/2
// (n ln2 in two parts, the first exact for every n), e^r from a polynomial of degree 7 in
// Horner's form, and 2^n put into the exponent bits. Its relative error is below 2^-22 (measured
// in tests/step). No fused multiply-add is used (the project builds with -ffp-contract=off and the
// vector form spells out every product and sum), and each step is an IEEE operation with one
// rounding, so hazard_exp16() gives the floats of hazard_exp() lane by lane.
#include <bit>
#include <cmath>
#include <cstdint>

#include "avx512.hpp"

namespace drift::detail {

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

inline constexpr float kMinExponent = -87.0f;  // e^-87 ~ 1.6e-38, above the least normal float
inline constexpr float kMaxExponent = 88.0f;   // e^88 ~ 1.65e38, below the largest float

namespace exp_constants {
inline constexpr float kLog2e = 0x1.715476p+0f;
inline constexpr float kShifter = 0x1.8p23f;  // adding it rounds to an integer in the low bits
inline constexpr std::uint32_t kShifterBits = 0x4b400000u;
inline constexpr float kLn2Hi = 0.693359375f;  // 9 significant bits: n * kLn2Hi is exact
inline constexpr float kLn2Lo = -2.12194440e-4f;
inline constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f,
                       kP3 = 4.1665795894e-2f, kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;
}  // namespace exp_constants

// e^x as a float, to a relative 2^-22, for any float x (clamped to [kMinExponent, kMaxExponent];
// NaN gives NaN).
[[gnu::always_inline]] inline float hazard_exp(float x) {
  using namespace exp_constants;
  x = pick(static_cast<unsigned>(x > kMaxExponent), kMaxExponent, x);
  x = pick(static_cast<unsigned>(x < kMinExponent), kMinExponent, x);
  const float t = x * kLog2e + kShifter;
  const float n = t - kShifter;
  float r = x - n * kLn2Hi;
  r = r - n * kLn2Lo;
  float p = kP0 * r + kP1;
  p = p * r + kP2;
  p = p * r + kP3;
  p = p * r + kP4;
  p = p * r + kP5;
  p = p * (r * r) + r + 1.0f;
  // 2^n from the integer n held in t's low bits (-126 <= n <= 127 in the clamped range).
  const float two_n =
      std::bit_cast<float>((std::bit_cast<std::uint32_t>(t) - kShifterBits + 127u) << 23);
  return p * two_n;
}

#ifdef DRIFT_AVX512_KERNELS
// hazard_exp() on sixteen floats: the same operations in the same order, lane by lane.
[[DRIFT_AVX512BW, gnu::always_inline]] inline __m512 hazard_exp16(__m512 x) {
  using namespace exp_constants;
  x = _mm512_mask_mov_ps(x, _mm512_cmp_ps_mask(x, _mm512_set1_ps(kMaxExponent), _CMP_GT_OQ),
                         _mm512_set1_ps(kMaxExponent));
  x = _mm512_mask_mov_ps(x, _mm512_cmp_ps_mask(x, _mm512_set1_ps(kMinExponent), _CMP_LT_OQ),
                         _mm512_set1_ps(kMinExponent));
  const __m512 t =
      _mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)), _mm512_set1_ps(kShifter));
  const __m512 n = _mm512_sub_ps(t, _mm512_set1_ps(kShifter));
  __m512 r = _mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(kLn2Hi)));
  r = _mm512_sub_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(kLn2Lo)));
  __m512 p = _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(kP0), r), _mm512_set1_ps(kP1));
  p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(kP2));
  p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(kP3));
  p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(kP4));
  p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(kP5));
  p = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(p, _mm512_mul_ps(r, r)), r), _mm512_set1_ps(1.0f));
  const __m512i two_n = _mm512_maskz_slli_epi32(
      0xffff,
      _mm512_add_epi32(_mm512_sub_epi32(_mm512_castps_si512(t),
                                        _mm512_set1_epi32(static_cast<int>(kShifterBits))),
                       _mm512_set1_epi32(127)),
      23);
  return _mm512_mul_ps(p, _mm512_castsi512_ps(two_n));
}
#endif

}  // namespace drift::detail
