#pragma once
// The AVX-512 kernels' shared pieces of the step (the target attributes and the processor checks
// are in drift/model/avx512.hpp).
#include "drift/model/avx512.hpp"

#ifdef DRIFT_AVX512_KERNELS
namespace drift::detail {

// detail::tick for 16 (8) clocks at once: the lanes in `on` lose `step`, the others keep their
// clocks; the lanes whose clock ran out.
[[DRIFT_AVX512BW, gnu::always_inline]] inline __mmask16 tick16(float* clock, __m512 step,
                                                               __mmask16 on) {
  const __m512 before = _mm512_loadu_ps(clock);
  const __m512 next = _mm512_sub_ps(before, step);
  _mm512_storeu_ps(clock, _mm512_mask_blend_ps(on, before, next));
  return _mm512_mask_cmp_ps_mask(on, next, _mm512_setzero_ps(), _CMP_LE_OQ);
}
[[DRIFT_AVX512BW, gnu::always_inline]] inline __mmask8 tick8(float* clock, __m256 step,
                                                             __mmask8 on) {
  const __m256 before = _mm256_loadu_ps(clock);
  const __m256 next = _mm256_sub_ps(before, step);
  _mm256_storeu_ps(clock, _mm256_mask_blend_ps(on, before, next));
  return _mm256_mask_cmp_ps_mask(on, next, _mm256_setzero_ps(), _CMP_LE_OQ);
}

}  // namespace drift::detail
#endif
