#include "sweep_benchmark.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "cpu_probe.hpp"
#include "drift/experiments/calibration.hpp"
#include "drift/experiments/experiment.hpp"
#include "drift/experiments/result_file.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/results/results.hpp"
#include "drift/scenario/calibration_spec.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/sweep.hpp"
#include "drift/scenario/targets.hpp"
#include "drift/step/build_world.hpp"
#include "drift/step/profile.hpp"
#include "figures.hpp"
#include "peak_memory.hpp"
#include "project_files.hpp"
#include "reference_program.hpp"

namespace drift::bench {

namespace fs = std::filesystem;

namespace {

// A fresh, empty folder under the temporary directory, removed with the object.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "drift_bench_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot create a temporary folder");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string operator/(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

bool same_runs(const ExperimentOutput& a, const ExperimentOutput& b) {
  if (a.strategies.size() != b.strategies.size()) return false;
  for (std::size_t s = 0; s < a.strategies.size(); ++s) {
    const auto &ra = a.strategies[s].replicates, &rb = b.strategies[s].replicates;
    if (ra.size() != rb.size()) return false;
    for (std::size_t r = 0; r < ra.size(); ++r) {
      if (ra[r].by_area != rb[r].by_area || ra[r].city != rb[r].city ||
          ra[r].interventions != rb[r].interventions || ra[r].fixed_cost != rb[r].fixed_cost) {
        return false;
      }
    }
  }
  return true;
}

// Every by-area and city series of every strategy equal in two result files.
bool same_files(const std::string& a, const std::string& b, const ExperimentOutput& layout) {
  ResultReader ra(a), rb(b);
  for (const auto& s : layout.strategies) {
    const std::string base = "/strategies/" + s.name;
    for (const auto& m : area_metrics()) {
      if (ra.dataset(base + "/by_area/" + m.name).values !=
          rb.dataset(base + "/by_area/" + m.name).values) {
        return false;
      }
    }
    for (const auto& m : city_metrics()) {
      if (ra.dataset(base + "/timeseries/" + m.name).values !=
          rb.dataset(base + "/timeseries/" + m.name).values) {
        return false;
      }
    }
  }
  return true;
}

// Runs argv (argv[0] looked up in PATH) with output discarded; returns the exit status.
int run_quietly(const std::vector<std::string>& args) {
  const pid_t child = ::fork();
  if (child < 0) return -1;
  if (child == 0) {
    std::FILE* null = std::fopen("/dev/null", "w");
    if (null != nullptr) {
      ::dup2(::fileno(null), STDOUT_FILENO);
      ::dup2(::fileno(null), STDERR_FILENO);
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs the program quietly and returns its peak resident set in bytes (0 when it fails). It is
// started with posix_spawn, which shares this process's memory until the exec (CLONE_VFORK): a
// forked copy would carry this process's resident set into the child's peak.
double peak_rss_of(const std::vector<std::string>& args) {
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  ::posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t child = 0;
  const int spawned = ::posix_spawnp(&child, argv[0], &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return 0;
  int status = 0;
  struct rusage usage {};
  ::wait4(child, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 0;
  return static_cast<double>(usage.ru_maxrss) * 1024.0;  // kilobytes on Linux
}

struct Row {
  std::string mode;
  int workers = 1;
  double seconds = 0;
  std::string identical;
  double youth_weeks = 0;  // stepped by the runs (burn-ins included); 0 when not counted
};

// Runs the units of `design` into `parts` on `threads` threads with the profile counting the
// youth-weeks stepped (its cost is a clock read per process and week); returns the wall time.
double timed_units(const Scenario& sc, const SweepDesign& design, const fs::path& parts,
                   int threads) {
  RunOptions options;
  options.threads = threads;
  profile::enable(true);
  profile::clear();
  const auto t0 = Clock::now();
  run_units(sc, design, parts, options);
  const double seconds = seconds_since(t0);
  profile::enable(false);
  return seconds;
}

// One thread pinned to one CPU: its measurement, and the load latency there at a working set that
// fits a large cache and one that does not.
struct CpuRow {
  int cpu = 0;
  double seconds = 0;
  double youth_weeks = 0;
  double reference = std::nan("");  // the reference step's youth-weeks/s on this CPU
  double latency_4mib = 0;
  double latency_64mib = 0;
  std::string identical;
};

void probe_latency(CpuRow& row) {
  row.latency_4mib = load_latency_ns(std::size_t{4} << 20, 2000000);
  row.latency_64mib = load_latency_ns(std::size_t{64} << 20, 2000000);
}

std::string latency_text(const CpuRow& c) {
  return "load latency " + fixed(c.latency_4mib, 0) + " ns at 4 MiB, " + fixed(c.latency_64mib, 0) +
         " ns at 64 MiB";
}

}  // namespace

int run_sweep_benchmark(const SweepBenchOptions& o) {
  const std::string path =
      o.scenario.empty() ? find_project_file("scenarios/utrecht.yaml") : o.scenario;
  if (path.empty()) throw std::runtime_error("scenarios/utrecht.yaml not found; pass --scenario");
  // First read the scenario as written, to learn its number of strategies.
  std::vector<Override> overrides;
  if (o.population_scale > 0) {
    overrides.push_back({"simulation.population_scale", format_number(o.population_scale)});
  }
  const auto plain = load_scenario(path, overrides);
  const int strategies = static_cast<int>(plain.strategies.size());
  const int replicates = (o.runs + strategies - 1) / strategies;
  overrides.push_back({"simulation.replicates", std::to_string(replicates)});
  const auto sc = load_scenario(path, overrides);
  const int runs = replicates * strategies;
  const bool table = o.format == "table";
  if (table) {
    std::cout
        << "drift_bench --sweep: " << path << ", " << strategies << " strategies x " << replicates
        << " replicates = " << runs << " runs of " << sc.params.simulation.burn_in_weeks
        << " burn-in + " << sc.params.simulation.weeks << " weeks, population_scale "
        << format_number(sc.params.simulation.population_scale) << "; load average "
        << fixed(load_average(), 2) << ", " << ::sysconf(_SC_NPROCESSORS_ONLN) << " online CPUs\n"
        << "(each replicate builds and burns in one world shared by its strategies; part files are "
           "written as by `drift run`)\n\n";
  }

  ScratchDir scratch;
  const SweepDesign none;
  // Peak memory of a whole run, at the scenario's scale, 1.5 times and twice it (three sizes show
  // whether the peaks come from the same moment of the run: peak_memory.hpp); measured first,
  // while this process is still small.
  std::vector<RunPeak> memory;
  if (o.memory) {
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    const auto drift = ec ? std::string("drift") : (exe.parent_path() / "drift").string();
    const double full = sc.params.simulation.population_scale;
    for (double scale : {full, 1.5 * full, 2 * full}) {
      auto at = overrides;
      at.back() = {"simulation.replicates", "1"};
      at.push_back({"simulation.population_scale", format_number(scale)});
      const auto scaled = load_scenario(path, at);
      const World w = build_world(scaled.params, scaled.areas, 0);
      long present = 0;
      for (auto s : w.pop.state) present += s != State::vacant;
      if (table)
        std::cerr << "  peak memory of one whole run, " << present << " youths (drift run)...\n";
      std::vector<std::string> args = {
          drift, "run", path, "-q", "-t", "1", "--no-posterior", "--out", scratch / "memory.h5"};
      for (const auto& ov : at) args.insert(args.end(), {"--set", ov.path + "=" + ov.value});
      memory.push_back({scale, present, peak_rss_of(args)});
    }
  }

  std::vector<Row> rows;
  ExperimentOutput reference;
  bool all_identical = true;
  for (std::size_t k = 0; k < o.threads.size(); ++k) {
    const int t = o.threads[k];
    if (table) std::cerr << "  " << runs << " runs on " << t << " thread(s)...\n";
    const auto parts = scratch / ("parts_t" + std::to_string(t) + "_" + std::to_string(k));
    // The profile also times the sections, for --profile.
    const double seconds = timed_units(sc, none, parts, t);
    auto output = load_point(sc, none, parts, 0);
    remove_parts(parts);
    Row row{"threads", t, seconds, "reference", profile::youth_weeks()};
    if (o.profile && table) {
      std::cout << "Where the time of the runs on " << t << " thread(s) went:\n"
                << profile::format(profile::rows(), profile::youth_weeks()) << "\n";
    }
    if (k == 0) {
      reference = std::move(output);
    } else {
      const bool same = same_runs(reference, output);
      all_identical = all_identical && same;
      row.identical = same ? "yes" : "NO";
    }
    rows.push_back(row);
  }

  long youths = 0;
  if (!o.reference.empty()) {
    const World w = build_world(sc.params, sc.areas, 0);
    for (auto s : w.pop.state) youths += s != State::vacant;
  }

  // One thread pinned to each CPU in turn: the same runs, the reference step and the latency.
  std::vector<CpuRow> per_cpu;
  if (o.per_cpu) {
    for (int cpu : allowed_cpus()) {
      if (table)
        std::cerr << "  " << runs << " runs on one thread pinned to CPU " << cpu << "...\n";
      CpuRow c;
      c.cpu = cpu;
      run_pinned(cpu, [&] {
        probe_latency(c);
        const auto parts = scratch / ("parts_cpu" + std::to_string(cpu));
        c.seconds = timed_units(sc, none, parts, 1);
        c.youth_weeks = profile::youth_weeks();
        const auto output = load_point(sc, none, parts, 0);
        remove_parts(parts);
        if (rows.empty()) {
          c.identical = "-";
        } else {
          const bool same = same_runs(reference, output);
          all_identical = all_identical && same;
          c.identical = same ? "yes" : "NO";
        }
        // The child process inherits the pin.
        if (!o.reference.empty())
          c.reference = reference_speed(o.reference, youths, o.reference_weeks, 1);
      });
      per_cpu.push_back(c);
    }
  }

  if (o.mpi_ranks > 0) {
    std::string drift_mpi = o.drift_mpi;
    if (drift_mpi.empty()) {
      std::error_code ec;
      const auto exe = fs::read_symlink("/proc/self/exe", ec);
      if (!ec) drift_mpi = (exe.parent_path() / "drift-mpi").string();
    }
    if (drift_mpi.empty() || !fs::exists(drift_mpi)) {
      std::cerr << "drift_bench: drift-mpi not found (build with DRIFT_WITH_MPI=ON, or pass "
                   "--drift-mpi); "
                   "MPI not measured\n";
      all_identical = false;
    } else {
      if (table) std::cerr << "  " << runs << " runs on " << o.mpi_ranks << " MPI ranks...\n";
      // mpirun refuses to start as root unless told that this is intended.
      if (::geteuid() == 0) {
        ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
        ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
      }
      const auto mpi_file = scratch / "mpi.h5";
      // The runs in this process take the scenario's parameters as written (no posterior draws),
      // and so must the MPI run to be compared with them.
      std::vector<std::string> args = {"mpirun",
                                       "-n",
                                       std::to_string(o.mpi_ranks),
                                       drift_mpi,
                                       "run",
                                       path,
                                       "-q",
                                       "-t",
                                       "1",
                                       "--no-posterior",
                                       "--out",
                                       mpi_file};
      for (const auto& ov : overrides) args.insert(args.end(), {"--set", ov.path + "=" + ov.value});
      const auto t0 = Clock::now();
      const int status = run_quietly(args);
      const double seconds = seconds_since(t0);
      Row row{"mpi_ranks", o.mpi_ranks, seconds, ""};
      if (status != 0 || !fs::exists(mpi_file)) {
        row.identical = "FAILED (exit " + std::to_string(status) + ")";
        all_identical = false;
      } else {
        const auto single_file = scratch / "single.h5";
        write_results(single_file, sc, reference, Provenance{"drift_bench --sweep"});
        const bool same = same_files(single_file, mpi_file, reference);
        all_identical = all_identical && same;
        row.identical = same ? "yes" : "NO";
      }
      rows.push_back(row);
    }
  }

  // The reference step on the scenario's youths, on each thread count, in the same measurement.
  std::vector<std::pair<int, double>> reference_step;
  if (!o.reference.empty()) {
    for (int t : o.threads) {
      if (table)
        std::cerr << "  reference step, " << youths << " youths, " << t << " thread(s)...\n";
      reference_step.emplace_back(t, reference_speed(o.reference, youths, o.reference_weeks, t));
    }
  }

  const bool memory_measured =
      memory.size() == 3 &&
      std::all_of(memory.begin(), memory.end(), [](const RunPeak& m) { return m.bytes > 0; });
  const double base = rows.empty() ? 0 : rows.front().seconds * rows.front().workers;
  if (table) {
    std::cout << std::left << std::setw(10) << "mode" << std::right << std::setw(8) << "workers"
              << std::setw(8) << "runs" << std::setw(10) << "wall_s" << std::setw(10) << "runs/s"
              << std::setw(10) << "speedup"
              << "  identical_to_first\n";
    for (const auto& r : rows) {
      std::cout << std::left << std::setw(10) << r.mode << std::right << std::setw(8) << r.workers
                << std::setw(8) << runs << std::setw(10) << fixed(r.seconds, 1) << std::setw(10)
                << fixed(runs / r.seconds, 2) << std::setw(9) << fixed(base / r.seconds, 2) << "x  "
                << r.identical << "\n";
    }
    std::cout
        << "\nspeedup = (wall time of the first row x its workers) / wall time; MPI wall time "
           "includes "
           "mpirun start-up and writing the result file.\n";
    // Whole runs against the reference step (design goal: at least its youth-weeks/s on one
    // thread; stretch 1e8 per core) and two threads against one (goal: at least 1.85x).
    std::cout << "\nWhole runs (build, burn-in, every strategy, part files), youth-weeks/s:\n";
    for (const auto& r : rows) {
      if (r.youth_weeks <= 0) continue;
      const double speed = r.youth_weeks / r.seconds;
      std::cout << "  " << r.workers << " thread(s): " << std::scientific << std::setprecision(2)
                << speed << " (" << speed / r.workers << " per thread)" << std::defaultfloat;
      for (const auto& [t, ref] : reference_step) {
        if (t != r.workers || !std::isfinite(ref)) continue;
        std::cout << "; reference step " << std::scientific << std::setprecision(2) << ref
                  << std::defaultfloat << " on " << youths << " youths: " << fixed(speed / ref, 2)
                  << "x (goal >= 1.00x)";
      }
      std::cout << "\n";
    }
    if (rows.size() > 1 && rows[0].workers == 1) {
      for (std::size_t k = 1; k < rows.size(); ++k) {
        if (rows[k].mode == "threads" && rows[k].workers == 2)
          std::cout << "  two threads against one: " << fixed(rows[0].seconds / rows[k].seconds, 2)
                    << "x (goal >= 1.85x)\n";
      }
    }
    if (!per_cpu.empty()) {
      std::cout << "\nOne thread pinned to each CPU (--per-cpu), whole runs, youth-weeks/s:\n";
      std::vector<double> speeds;
      for (const auto& c : per_cpu) {
        const double speed = c.youth_weeks / c.seconds;
        speeds.push_back(speed);
        std::cout << "  CPU " << c.cpu << ": " << std::scientific << std::setprecision(2) << speed
                  << std::defaultfloat;
        if (std::isfinite(c.reference)) {
          std::cout << "; reference step " << std::scientific << std::setprecision(2) << c.reference
                    << std::defaultfloat << ": " << fixed(speed / c.reference, 2)
                    << "x (goal >= 1.00x)";
        }
        std::cout << "; " << latency_text(c) << "; identical to the first row: " << c.identical
                  << "\n";
      }
      for (const auto& r : rows) {
        if (r.mode != "threads" || r.workers < 2 || r.workers != static_cast<int>(per_cpu.size()) ||
            r.youth_weeks <= 0)
          continue;
        std::cout << describe_capacity(capacity(speeds, r.youth_weeks / r.seconds), r.workers);
      }
    }
    if (o.memory && !memory_measured) {
      std::cout << "\nPeak resident set of one whole run: not measured (drift run failed or was "
                   "not found next to drift_bench)\n";
    }
    if (memory_measured) {
      std::cout << "\nPeak resident set of one whole run (drift run -r 1 -t 1 --no-posterior, "
                   "every strategy, the result file):\n"
                << describe_peaks(memory, 300);
    }
    for (const auto& [t, ref] : reference_step) {
      if (!std::isfinite(ref))
        std::cout << "  the reference step on " << t << " thread(s) failed: " << o.reference
                  << "\n";
    }
    std::cout << "Load average after the measurements: " << fixed(load_average(), 2) << "\n";
  } else {
    std::cout << "mode,workers,runs,wall_s,runs_per_s,speedup,identical\n";
    for (const auto& r : rows) {
      std::cout << r.mode << ',' << r.workers << ',' << runs << ',' << fixed(r.seconds, 3) << ','
                << fixed(runs / r.seconds, 4) << ',' << fixed(base / r.seconds, 3) << ','
                << r.identical << "\n";
    }
  }
  return all_identical && (!o.memory || memory_measured) ? 0 : 1;
}

int run_calibration_benchmark(const CalibrationBenchOptions& o) {
  const std::string path =
      o.scenario.empty() ? find_project_file("scenarios/utrecht_calibration.yaml") : o.scenario;
  if (path.empty())
    throw std::runtime_error("scenarios/utrecht_calibration.yaml not found; pass --scenario");
  const auto sc = load_scenario(path);
  auto spec = calibration_spec(sc);
  spec.method = "rejection";
  spec.points = o.points;
  spec.replicates = o.replicates;
  const auto targets = load_targets(spec.targets);
  const auto cal = calibration_scenario(sc, spec);
  const auto design = calibration_design(spec);
  const bool table = o.format == "table";
  long youths = 0;
  {
    const World w = build_world(cal.params, cal.areas, 0);
    for (auto st : w.pop.state) youths += st != State::vacant;
  }
  if (table) {
    std::cout << "drift_bench --calibration: " << path << ", " << o.points << " design points ("
              << spec.design << " over " << spec.paths.size() << " parameters) x " << o.replicates
              << " replicate(s) of strategy '" << spec.strategy << "', "
              << cal.params.simulation.burn_in_weeks << " burn-in + " << cal.params.simulation.weeks
              << " weeks, population_scale "
              << format_number(cal.params.simulation.population_scale) << " (" << youths
              << " youths); load average " << fixed(load_average(), 2) << ", "
              << ::sysconf(_SC_NPROCESSORS_ONLN) << " online CPUs\n"
              << "(the runs, their statistics and distances, as `drift calibrate` with method "
                 "rejection; no file written)\n\n";
  }
  ScratchDir scratch;
  struct CalRow {
    int threads;
    double seconds;
    double youth_weeks;
    std::string identical;
  };
  std::vector<CalRow> rows;
  CalibrationResult first;
  bool have_first = false;
  bool all_identical = true;
  // The points on `threads` threads, timed; the statistics and distances compared with the first
  // measurement's.
  auto measure = [&](int threads, const std::string& name, CalRow& row) {
    const auto parts = scratch / name;
    const auto t0 = Clock::now();
    timed_units(cal, design, parts, threads);
    auto result = evaluate_calibration(cal, spec, design, targets, parts);
    row.seconds = seconds_since(t0);
    row.youth_weeks = profile::youth_weeks();
    remove_parts(parts);
    if (!have_first) {
      first = std::move(result);
      have_first = true;
      row.identical = "reference";
      return;
    }
    const bool same = result.statistics == first.statistics && result.distances == first.distances;
    all_identical = all_identical && same;
    row.identical = same ? "yes" : "NO";
  };
  for (std::size_t k = 0; k < o.threads.size(); ++k) {
    const int t = o.threads[k];
    if (table) std::cerr << "  " << o.points << " points on " << t << " thread(s)...\n";
    CalRow row{t, 0, 0, ""};
    measure(t, "calibration_t" + std::to_string(t) + "_" + std::to_string(k), row);
    rows.push_back(row);
  }
  std::vector<CpuRow> per_cpu;
  if (o.per_cpu) {
    for (int cpu : allowed_cpus()) {
      if (table)
        std::cerr << "  " << o.points << " points on one thread pinned to CPU " << cpu << "...\n";
      CpuRow c;
      c.cpu = cpu;
      run_pinned(cpu, [&] {
        probe_latency(c);
        CalRow row{1, 0, 0, ""};
        measure(1, "calibration_cpu" + std::to_string(cpu), row);
        c.seconds = row.seconds;
        c.youth_weeks = row.youth_weeks;
        c.identical = row.identical;
      });
      per_cpu.push_back(c);
    }
  }
  if (table) {
    std::cout << std::left << std::setw(10) << "mode" << std::right << std::setw(8) << "workers"
              << std::setw(8) << "points" << std::setw(10) << "wall_s" << std::setw(10)
              << "points/s" << std::setw(16) << "points/s/core"
              << "  identical_to_first\n";
    for (const auto& r : rows) {
      std::cout << std::left << std::setw(10) << "threads" << std::right << std::setw(8)
                << r.threads << std::setw(8) << o.points << std::setw(10) << fixed(r.seconds, 1)
                << std::setw(10) << fixed(o.points / r.seconds, 2) << std::setw(16)
                << fixed(o.points / r.seconds / r.threads, 2) << "  " << r.identical << "\n";
    }
    std::cout << "\nDesign points of " << o.replicates
              << " run(s) each per second per core (goal >= 10 at a quarter of the city):\n";
    for (const auto& r : rows) {
      const double per_core = o.points / r.seconds / r.threads;
      std::cout << "  " << r.threads << " thread(s): " << fixed(per_core, 2) << " ("
                << fixed(per_core / 10.0, 2) << "x the goal); youth-weeks/s per core "
                << std::scientific << std::setprecision(2) << r.youth_weeks / r.seconds / r.threads
                << std::defaultfloat << "\n";
    }
    if (!per_cpu.empty()) {
      std::cout << "\nOne thread pinned to each CPU (--per-cpu), design points per second:\n";
      std::vector<double> speeds;
      for (const auto& c : per_cpu) {
        speeds.push_back(o.points / c.seconds);
        std::cout << "  CPU " << c.cpu << ": " << fixed(o.points / c.seconds, 2) << " ("
                  << fixed(o.points / c.seconds / 10.0, 2) << "x the goal); youth-weeks/s "
                  << std::scientific << std::setprecision(2) << c.youth_weeks / c.seconds
                  << std::defaultfloat << "; " << latency_text(c)
                  << "; identical to the first row: " << c.identical << "\n";
      }
      for (const auto& r : rows) {
        if (r.threads < 2 || r.threads != static_cast<int>(per_cpu.size())) continue;
        std::cout << describe_capacity(capacity(speeds, o.points / r.seconds), r.threads);
      }
    }
    std::cout << "Load average after the measurements: " << fixed(load_average(), 2) << "\n";
  } else {
    std::cout << "mode,workers,points,replicates,wall_s,points_per_s_per_core,identical\n";
    for (const auto& r : rows) {
      std::cout << "threads," << r.threads << ',' << o.points << ',' << o.replicates << ','
                << fixed(r.seconds, 3) << ',' << fixed(o.points / r.seconds / r.threads, 4) << ','
                << r.identical << "\n";
    }
  }
  return all_identical ? 0 : 1;
}

}  // namespace drift::bench
