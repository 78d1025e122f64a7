// drift_bench: throughput, memory and thread scaling of the weekly step (docs/performance.md).
//
// Its command line: the step benchmark (step_benchmark.hpp), measuring in fresh processes of this
// program started with the hidden --single option (step_measurement.hpp); the sweep and
// calibration benchmarks (sweep_benchmark.hpp).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "bench/cpu_probe.hpp"
#include "bench/step_benchmark.hpp"
#include "bench/step_measurement.hpp"
#include "bench/sweep_benchmark.hpp"
#include "drift/experiments/runner.hpp"

int main(int argc, char** argv) {
  drift::keep_freed_memory_for_reuse();  // as the drift program does
  CLI::App app{
      "drift_bench: youth-weeks per second per core of the weekly step, memory per youth and "
      "thread scaling, on the Utrecht districts scaled to each size (docs/performance.md)"};
  std::vector<double> sizes{10000, 100000, 1000000};
  std::vector<int> threads{1, 2};
  int weeks = 104;
  int burn_in = 52;
  int repeat = 1;
  std::string format = "table";
  std::string areas;
  bool profile = false;
  double single = 0;
  app.add_option("--sizes", sizes, "Target youth counts, comma separated")
      ->delimiter(',')
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--threads", threads, "Thread counts (World::threads), comma separated")
      ->delimiter(',')
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--weeks", weeks, "Timed weeks after the burn-in")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--burn-in", burn_in, "Untimed weeks after the build")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option(
         "--repeat", repeat,
         "Runs of every configuration (fresh processes, taken in turn); the median is reported")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--format", format, "Output format")
      ->check(CLI::IsMember({"table", "csv"}))
      ->capture_default_str();
  app.add_option("--areas", areas, "Districts CSV (default: scenarios/data/utrecht_districts.csv)");
  app.add_flag(
      "--profile", profile,
      "Also time each process of the step separately (calls them one by one, as step() does); "
      "on several threads split each process's time into serial code, parallel passes and the "
      "passes' waiting, and state the speed-up the serial part allows");
  // Internal: one measurement in this process (the parent re-executes itself with it).
  app.add_option("--single", single, "")->group("");
  drift::bench::SweepBenchOptions sweep;
  bool sweep_mode = false;
  app.add_flag(
      "--sweep", sweep_mode,
      "Instead of the step: runs per second of whole runs of a scenario through the runner, on "
      "each --threads count and under MPI");
  app.add_option(
         "--scenario", sweep.scenario,
         "Scenario file. With --sweep: the runs' scenario (default scenarios/utrecht.yaml); "
         "otherwise the step runs on its parameters and districts (default: the "
         "documented defaults on the Utrecht districts)")
      ->check(CLI::ExistingFile);
  app.add_option("--runs", sweep.runs,
                 "With --sweep: at least this many runs (strategies x replicates)")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  app.add_option("--population-scale", sweep.population_scale,
                 "With --sweep: simulation.population_scale (default: the scenario's own)")
      ->check(CLI::PositiveNumber);
  app.add_option("--mpi-ranks", sweep.mpi_ranks, "With --sweep: MPI ranks to measure (0: none)")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  app.add_option("--drift-mpi", sweep.drift_mpi,
                 "With --sweep: the drift-mpi program (default: next to drift_bench)");
  app.add_option("--reference", sweep.reference,
                 "A reference weekly step program, built by you from "
                 "../shared/bench/reference_step.cpp (g++ -std=c++20 -O2 -fopenmp ...). With "
                 "--sweep it runs on the scenario's youths and each thread count, and whole runs "
                 "are compared with it; otherwise it runs after each measurement of the step, on "
                 "its youths, weeks and thread count, and the two steps' speeds and speed-ups "
                 "are printed side by side")
      ->check(CLI::ExistingFile);
  app.add_flag("--memory", sweep.memory,
               "With --sweep: also the peak resident set of one whole run (drift run -r 1 -t 1, a "
               "child process) at the scenario's population scale, 1.5 times and twice it, with "
               "the slopes between them");
  drift::bench::CalibrationBenchOptions calibration;
  bool calibration_mode = false;
  auto* calibration_flag =
      app.add_flag(
             "--calibration", calibration_mode,
             "Instead of the step: design points per second per core of a rejection calibration "
             "(--scenario: a calibration scenario, default scenarios/utrecht_calibration.yaml), "
             "on each --threads count")
          ->excludes("--sweep")
          ->excludes("--reference");
  app.add_option("--points", calibration.points,
                 "With --calibration: design points (the scenario's design over the priors)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str()
      ->needs(calibration_flag);
  app.add_option("--point-replicates", calibration.replicates,
                 "With --calibration: runs per design point")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str()
      ->needs(calibration_flag);
  bool per_cpu = false;
  app.add_flag("--per-cpu", per_cpu,
               "Also measure one thread pinned to each CPU of the affinity mask in turn (choose "
               "them with taskset), and compare the threads with what the CPUs give together (on "
               "a virtual machine the CPUs need not be equal); table format only");
  CLI11_PARSE(app, argc, argv);
  if (per_cpu && format != "table") {
    std::cerr << "drift_bench: --per-cpu: its figures are printed in the table format only; "
                 "expected --format table, got --format "
              << format << "\n";
    return 2;
  }

  // The step and sweep benchmarks measure in processes they start; the calibration benchmark and
  // --single measure in this one, where OpenMP places the team's threads itself.
  if (single == 0 && !calibration_mode) {
    const auto problem = drift::bench::inherited_binding_problem(
        std::getenv("OMP_PROC_BIND"), drift::bench::allowed_cpus().size(),
        sysconf(_SC_NPROCESSORS_ONLN));
    if (!problem.empty()) {
      std::cerr << "drift_bench: " << problem << "\n";
      return 2;
    }
  }

  try {
    if (calibration_mode) {
      calibration.scenario = sweep.scenario;
      calibration.threads = threads;
      calibration.format = format;
      calibration.per_cpu = per_cpu;
      return drift::bench::run_calibration_benchmark(calibration);
    }
    if (sweep_mode) {
      sweep.threads = threads;
      sweep.format = format;
      sweep.profile = profile;
      sweep.per_cpu = per_cpu;
      sweep.reference_weeks = weeks;
      return drift::bench::run_sweep_benchmark(sweep);
    }
    if (single > 0) {
      drift::bench::StepMeasurementOptions o;
      o.target = single;
      o.threads = threads.empty() ? 1 : threads.front();
      o.weeks = weeks;
      o.burn_in = burn_in;
      o.profile = profile;
      o.areas = areas;
      o.scenario = sweep.scenario;
      return drift::bench::run_step_measurement(o);
    }

    drift::bench::StepBenchOptions step;
    step.sizes = sizes;
    step.threads = threads;
    step.weeks = weeks;
    step.burn_in = burn_in;
    step.repeat = repeat;
    step.format = format;
    step.areas = areas;
    step.scenario = sweep.scenario;
    step.profile = profile;
    step.per_cpu = per_cpu;
    step.reference = sweep.reference;
    return drift::bench::run_step_benchmark(step);
  } catch (const std::exception& e) {
    std::cerr << "drift_bench: " << e.what() << "\n";
    return 1;
  }
}
