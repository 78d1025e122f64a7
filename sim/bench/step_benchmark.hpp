#pragma once
// The step benchmark of drift_bench: for each youth count and thread count, measurements of the
// weekly step in fresh processes (drift_bench --single, step_measurement.hpp) taken in turn,
// their medians, memory per youth and per tie end, the speed-up on several threads, optionally
// the time of each process and the reference step program beside them; the final state must be
// the same on every thread count.
#include <string>
#include <vector>

namespace drift::bench {

struct StepBenchOptions {
  std::vector<double> sizes{10000, 100000, 1000000};  // target youth counts
  std::vector<int> threads{1, 2};
  int weeks = 104;
  int burn_in = 52;
  int repeat = 1;                // measurements of every configuration; the median is reported
  std::string format = "table";  // or "csv"
  std::string areas;             // districts CSV; empty: the Utrecht districts
  std::string scenario;          // parameters and districts of this scenario; empty: defaults
  bool profile = false;          // also the time of each process, and its parallel passes
  bool per_cpu = false;          // also one thread pinned to each CPU in turn (cpu_probe.hpp)
  // A reference weekly step program (reference_program.hpp), run after each measurement on its
  // youths, weeks and threads; "" = none.
  std::string reference;
};

// Prints the measurements; returns the process exit code (non-zero when the final states of two
// thread counts differ, a profiled run diverges from step() or the reference program fails).
int run_step_benchmark(const StepBenchOptions& o);

}  // namespace drift::bench
