#pragma once
// The sweep benchmark of drift_bench: whole runs of a scenario per second through the resumable
// runner (the path of `drift run` for sweeps), on each thread count, and under MPI; and the
// calibration benchmark: design points of a calibration per second per core.
#include <string>
#include <vector>

namespace drift::bench {

struct SweepBenchOptions {
  std::string scenario;         // scenario file; "" = scenarios/utrecht.yaml found near the program
  int runs = 200;               // at least this many runs (strategy x replicate)
  double population_scale = 0;  // 0 = the scenario's own
  std::vector<int> threads{1, 2};
  int mpi_ranks = 2;             // 0 = no MPI measurement
  std::string drift_mpi;         // "" = drift-mpi next to drift_bench
  std::string format = "table";  // or "csv"
  bool profile = false;          // print where the time of the runs went (drift run --profile)
  // A reference weekly step program (built by the user from ../shared/bench/reference_step.cpp,
  // never part of the project), run in the same measurement on the scenario's youths: its
  // youth-weeks/s are printed next to the whole runs'. "" = none.
  std::string reference;
  int reference_weeks = 104;
  // Peak resident set of one whole `drift run -r 1 -t 1` (a child process) at the scenario's
  // population scale and at twice it: per youth, and per youth added (the slope).
  bool memory = false;
  // Also one thread pinned to each CPU in turn (whole runs, the reference step, load latency), and
  // two threads against the CPUs' one-thread speeds together (cpu_probe.hpp).
  bool per_cpu = false;
};

// Prints the measurements; returns the process exit code (non-zero when the results of two
// thread counts differ or a measurement fails).
int run_sweep_benchmark(const SweepBenchOptions& options);

struct CalibrationBenchOptions {
  std::string scenario;  // calibration scenario; "" = scenarios/utrecht_calibration.yaml
  int points = 48;       // design points of a rejection calibration (Latin hypercube)
  // Runs per point. One by default: a point of one run is what the goal of 10 points per second
  // per core was set against (the one-replicate calibration of docs/performance.md).
  int replicates = 1;
  std::vector<int> threads{1, 2};
  std::string format = "table";  // or "csv"
  bool per_cpu = false;          // as SweepBenchOptions::per_cpu
};

// Runs the calibration's design points (its runs, their statistics and distances, as `drift
// calibrate` with method rejection does, without writing the file) on each thread count; prints
// design points per second per core next to the goal. Returns non-zero when the statistics of
// two thread counts differ.
int run_calibration_benchmark(const CalibrationBenchOptions& options);

}  // namespace drift::bench
