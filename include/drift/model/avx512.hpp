#pragma once
// Kernels written with AVX-512 intrinsics beside the compiler-vectorised ones (the step's passes,
// the interventions' eligibility scan), where a pass mixes byte columns with float columns: one
// compare of 64 byte lanes gives the 64 slots' condition as a mask register, which GCC's
// vectorisation does not do (it widens every byte to the float lanes). Each is compiled for
// AVX-512 alone (a target attribute, not the whole build) and chosen when the program runs on a
// processor that has it, so one portable binary keeps the plain kernel for the others. Every such
// kernel performs the float operations of its plain kernel, in the same order, on the same values,
// so the results are the same bit for bit whichever runs.
#if defined(__x86_64__) && defined(__GNUC__)
#define DRIFT_AVX512_KERNELS 1
#include <immintrin.h>

// Byte and word lanes, masks of 64 bits.
#define DRIFT_AVX512BW gnu::target("avx512f,avx512bw,avx512vl")

#include <cstdlib>

namespace drift::detail {

// With DRIFT_PLAIN_KERNELS set in the environment (any value), or this flag set by a test, every
// process takes its plain kernels even on a processor with AVX-512: so that the plain kernels,
// which other processors run, are checked on this one too.
inline bool& plain_kernels_forced() {
  static bool forced = std::getenv("DRIFT_PLAIN_KERNELS") != nullptr;
  return forced;
}

inline bool has_avx512bw() {
  static const bool cpu = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vl");
  return cpu && !plain_kernels_forced();
}

}  // namespace drift::detail
#endif
