#pragma once
// The vectorised kernels (the step's per-block passes, the interventions' eligibility scan) are
// built three times, for processors with AVX-512, with AVX2 and for any x86-64, and the processor
// running the program picks one when it starts (function multiversioning), so one portable
// binary uses the widest vectors there are (eight doubles a vector with AVX-512, four with AVX2).
// All give the same floats: contraction is off in every build (-ffp-contract=off), and every
// lane computes what the scalar code computes. A build for one processor (DRIFT_ARCH) needs no
// clones. Use as [[DRIFT_VECTOR_KERNEL]] on a function's definition.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(DRIFT_ARCH_SET)
#define DRIFT_VECTOR_KERNEL gnu::target_clones("avx512f", "avx2", "default"), gnu::noinline
#else
#define DRIFT_VECTOR_KERNEL gnu::noinline
#endif
