#pragma once
// One measurement of the weekly step in this process (drift_bench --single): a world of the
// Utrecht districts scaled to the target youth count, built, burnt in and stepped, with its time,
// memory and final state hash printed as one line for the process that started it
// (step_benchmark.hpp). Every (size, threads) pair runs in a fresh process, so that the peak
// resident set (VmHWM, which never decreases within a process) belongs to that size alone.
//
// With `profile` the processes of include/drift/step/processes.hpp are called one by one, in the
// order of sim/step/step.cpp, and each is timed; the final state hash must equal that of a step()
// run.
#include <array>
#include <string>

namespace drift::bench {

// The processes of step(), in its order: each is timed under `profile`, and reported under these
// names.
inline constexpr std::array<const char*, 12> kStepProcesses = {
    "begin_week",         "age_and_turn_over", "interventions",   "normalise_attitudes",
    "onset_and_recovery", "recruit",           "advance_careers", "enforce",
    "register_offending", "labour_market",     "relapse",         "tally_revenue"};

struct StepMeasurementOptions {
  double target = 0;  // youths
  int threads = 1;
  int weeks = 104;
  int burn_in = 52;
  bool profile = false;
  std::string areas;     // districts CSV; empty: scenarios/data/utrecht_districts.csv or built in
  std::string scenario;  // parameters and districts of this scenario; empty: documented defaults
};

// Runs one (size, threads) measurement and prints one line "drift_bench_result key=value ...".
int run_step_measurement(const StepMeasurementOptions& o);

}  // namespace drift::bench
