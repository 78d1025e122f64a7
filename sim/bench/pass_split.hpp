#pragma once
// How a step's time on several threads splits between the code that runs on one thread and the
// parallel passes (drift::profile::ParallelPasses), and what that split allows: a step can get no
// faster on T threads than its serial part plus its parallel work shared among the T threads
// (Amdahl's law). drift_bench --profile prints it beside the time per process.
#include <string>

namespace drift::bench {

struct PassSplit {
  int threads = 1;
  double seconds = 0;                // wall time
  double pass_seconds = 0;           // wall time in parallel passes
  double busy_thread_seconds = 0;    // thread-seconds the passes' threads spent in chunks
  double serial_seconds = 0;         // seconds - pass_seconds: on the calling thread alone
  double waited_thread_seconds = 0;  // pass_seconds * threads - busy_thread_seconds
  double passes = 0;                 // parallel passes
  // Sums two splits of the same thread count (processes of one step).
  PassSplit& operator+=(const PassSplit& other);
};

// The split of one process or step; differences below the clock's resolution that would make a
// part negative count as 0.
PassSplit split_passes(double seconds, double pass_seconds, double busy_thread_seconds,
                       int threads);

// The step on `step.threads` threads against the same step on one thread (one_thread_seconds):
// its speed-up, its serial share, the time the passes' threads waited, the speed-up it would
// have without that waiting (serial + busy / threads) and the most any faster pass could give
// while the serial part stays as it is (one_thread_seconds / (serial + (one_thread_seconds -
// serial) / threads)). One paragraph, ending in a newline.
std::string describe_serial_share(const PassSplit& step, double one_thread_seconds);

}  // namespace drift::bench
