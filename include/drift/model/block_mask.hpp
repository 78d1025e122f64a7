#pragma once
// Bit masks of the marks a block kernel leaves for the (at most 64) slots of a block, for the
// passes of the step and the interventions that then visit only the marked slots, and whether
// a block has any mark at all.
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstdint>

namespace drift::detail {

// Bit k of the result is set when bytes[k] != 0, for k < len <= 64: the slots a block kernel
// marked, to be visited with std::countr_zero (a loop that lists them byte by byte carries a
// dependency through its count from one slot to the next).
inline std::uint64_t nonzero_mask(const std::uint8_t* bytes, int len) {
#if defined(__SSE2__)
  if (len == 64) {
    const __m128i zero = _mm_setzero_si128();
    std::uint64_t mask = 0;
    for (int q = 0; q < 4; ++q) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + 16 * q));
      const auto zeros = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)));
      mask |= static_cast<std::uint64_t>(~zeros & 0xffffu) << (16 * q);
    }
    return mask;
  }
#endif
  std::uint64_t mask = 0;
  for (int k = 0; k < len; ++k) mask |= static_cast<std::uint64_t>(bytes[k] != 0) << k;
  return mask;
}

// Whether any of v[0..len) is non-zero. The block kernels return this from their output array
// after their main loop instead of OR-ing each lane into a reduction variable inside it: GCC
// keeps an `omp simd` reduction in memory, and the store and reload in every vector iteration
// took up to half of a short kernel's time.
template <class T>
[[gnu::always_inline]] inline unsigned any_nonzero(const T* __restrict v, int len) {
  T acc = 0;
  for (int k = 0; k < len; ++k) acc |= v[k];
  return acc != 0;
}

}  // namespace drift::detail
