#pragma once
// The vectorised kernels (the step's per-block passes, the interventions' eligibility scan) are
// built twice, for processors with AVX2 and for any x86-64, and the processor running the
// program picks one when it starts (function multiversioning), so one portable binary uses the
// wider vectors where they exist. Both give the same floats: contraction is off in every build
// (-ffp-contract=off). A build for one processor (DRIFT_ARCH) needs no clones. Use as
// [[DRIFT_VECTOR_KERNEL]] on a function's definition.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(DRIFT_ARCH_SET)
#define DRIFT_VECTOR_KERNEL gnu::target_clones("avx2", "default"), gnu::noinline
#else
#define DRIFT_VECTOR_KERNEL gnu::noinline
#endif
