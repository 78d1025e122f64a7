// drift_bench: throughput, memory and thread scaling of the weekly step (docs/performance.md).
//
// For each requested youth count the program builds a world from the default parameters on the
// ten Utrecht districts (scenarios/data/utrecht_districts.csv, or the same numbers built in when
// the file cannot be found), scaled with simulation.population_scale, runs a burn-in, and then
// times only the step() calls. Every (size, threads) pair runs in a fresh process (the program
// re-executes itself with the hidden --single option), so that the peak resident set (VmHWM,
// which never decreases within a process) belongs to that size alone.
//
// With --profile the child calls the processes of include/drift/step/processes.hpp one by one, in
// the order of sim/step/step.cpp, and times each; the final state hash must equal that of a step()
// run.
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench/cpu_probe.hpp"
#include "bench/pass_split.hpp"
#include "bench/project_files.hpp"
#include "bench/reference_program.hpp"
#include "bench/sweep_benchmark.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/model/parameters.hpp"
#include "drift/model/world.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/step/build_world.hpp"
#include "drift/step/processes.hpp"
#include "drift/step/profile.hpp"
#include "drift/step/step.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU time of the whole process (all threads), seconds.
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// ---------------------------------------------------------------------------------------------
// Areas

// The numbers of scenarios/data/utrecht_districts.csv, used when the file cannot be read.
std::vector<drift::AreaSpec> builtin_utrecht() {
  struct Row {
    const char* name;
    double y1217, y1826, low_income;
    int schools;
  };
  static constexpr Row rows[] = {
      {"West", 1575.8, 4621.0, 0.15, 1},          {"Noordwest", 2426.7, 7116.2, 0.20, 2},
      {"Overvecht", 1895.0, 5556.9, 0.32, 3},     {"Noordoost", 2199.9, 6451.1, 0.08, 3},
      {"Oost", 1779.5, 10436.3, 0.10, 3},         {"Binnenstad", 1076.5, 6313.6, 0.13, 4},
      {"Zuid", 1511.8, 4433.2, 0.14, 1},          {"Zuidwest", 2166.5, 6353.1, 0.24, 7},
      {"Leidsche Rijn", 3770.8, 5246.4, 0.08, 3}, {"Vleuten-De Meern", 4107.7, 5715.1, 0.06, 4},
  };
  std::vector<drift::AreaSpec> out;
  for (const auto& r : rows) {
    drift::AreaSpec a;
    a.name = r.name;
    a.youth_12_17 = r.y1217;
    a.youth_18_26 = r.y1826;
    a.low_income_share = r.low_income;
    a.schools = r.schools;
    out.push_back(a);
  }
  return out;
}

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

// The districts CSV: --areas when given, else found near the working directory or the program.
std::string find_areas_csv(const std::string& requested) {
  if (!requested.empty()) return requested;
  return drift::bench::find_project_file("scenarios/data/utrecht_districts.csv");
}

// Areas and where they came from.
std::pair<std::vector<drift::AreaSpec>, std::string> load_areas(const std::string& requested) {
  const auto path = find_areas_csv(requested);
  if (!path.empty()) {
    try {
      return {drift::load_areas_csv(path), path};
    } catch (const std::exception& e) {
      if (!requested.empty()) throw;
      std::cerr << "drift_bench: cannot use " << path << " (" << e.what()
                << "); using the built-in Utrecht districts\n";
    }
  }
  return {builtin_utrecht(), "built-in"};
}

// Youths present at population_scale 1: the 12-17 band over six single-year cohorts and the
// 18-26 band (per year of age) over the ten cohorts from 18 to max_age (see build_slots).
double youths_at_scale_one(const drift::Parameters& p, const std::vector<drift::AreaSpec>& areas) {
  const int young_cohorts = drift::kAdultBandAge - p.population.min_age;
  const int adult_cohorts = p.population.max_age - drift::kAdultBandAge + 1;
  double n = 0;
  for (const auto& a : areas)
    n += a.youth_12_17 / 6.0 * young_cohorts + a.youth_18_26 / 9.0 * adult_cohorts;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Measurements inside one process

long status_kib(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t len = std::strlen(key);
  while (std::getline(in, line)) {
    if (line.compare(0, len, key) == 0 && line.size() > len && line[len] == ':') {
      return std::strtol(line.c_str() + len + 1, nullptr, 10);
    }
  }
  return -1;
}

std::size_t youths_now(const drift::World& w) {
  std::int64_t n = 0;
  for (std::size_t a = 0; a < w.areas.size(); ++a) {
    for (int s = 0; s < drift::kStateCount; ++s)
      n += w.tally(static_cast<int>(a), static_cast<drift::Tally>(s));
  }
  return static_cast<std::size_t>(n);
}

// FNV-1a over the evolving state: equal hashes across thread counts show invariance.
struct Hash {
  std::uint64_t h = 1469598103934665603ull;
  template <class T>
  void add(const std::vector<T>& v) {
    const auto* b = reinterpret_cast<const unsigned char*>(v.data());
    for (std::size_t k = 0; k < v.size() * sizeof(T); ++k) h = (h ^ b[k]) * 1099511628211ull;
  }
};

std::uint64_t state_hash(const drift::World& w) {
  Hash h;
  const auto& p = w.pop;
  h.add(p.age);
  h.add(p.state);
  h.add(p.job);
  h.add(p.ever_dealt);
  h.add(p.network);
  h.add(p.last_arrest_week);
  h.add(p.countdown);
  h.add(p.attitude);
  h.add(p.baseline_attitude);
  h.add(p.clock_a);
  h.add(p.clock_b);
  h.add(p.clock_c);
  h.add(p.clock_job);
  h.add(p.clock_offence);
  h.add(p.dealing_neighbours);
  h.add(p.dealing_schoolmates);
  h.add(p.dealing_friends);
  h.add(w.tallies);
  h.add(w.networks.members);
  h.add(w.networks.dealers);
  h.add(w.networks.revenue_week);
  return h.h;
}

// The processes of step(), in its order, so that --profile can time each.
constexpr std::array<const char*, 12> kProcesses = {
    "begin_week",         "age_and_turn_over", "interventions",   "normalise_attitudes",
    "onset_and_recovery", "recruit",           "advance_careers", "enforce",
    "register_offending", "labour_market",     "relapse",         "tally_revenue"};

// Per process: its wall time, and the wall and thread-busy time of its parallel passes
// (drift::profile::ParallelPasses).
struct ProcessTimes {
  double seconds = 0, pass_seconds = 0, busy_seconds = 0;
  std::int64_t passes = 0;
};

void profiled_step(drift::World& w, std::array<ProcessTimes, kProcesses.size()>& t) {
  auto timed = [&](int k, auto&& fn) {
    const auto passes = drift::profile::parallel_passes();
    const auto t0 = Clock::now();
    fn();
    t[k].seconds += seconds_since(t0);
    const auto after = drift::profile::parallel_passes();
    t[k].pass_seconds += after.wall_seconds - passes.wall_seconds;
    t[k].busy_seconds += after.busy_seconds - passes.busy_seconds;
    t[k].passes += after.passes - passes.passes;
  };
  timed(0, [&] { drift::begin_week(w); });
  timed(1, [&] { drift::age_and_turn_over(w); });
  timed(2, [&] {
    // What step() does for an empty intervention list.
    w.mult.reset();
    std::fill(w.networks.capacity_factor.begin(), w.networks.capacity_factor.end(), 1.0f);
    std::fill(w.networks.earnings_factor.begin(), w.networks.earnings_factor.end(), 1.0f);
  });
  timed(3, [&] { drift::normalise_attitudes(w); });
  timed(4, [&] { drift::onset_and_recovery(w); });
  timed(5, [&] { drift::recruit(w); });
  timed(6, [&] { drift::advance_careers(w); });
  timed(7, [&] { drift::enforce(w); });
  timed(8, [&] { drift::register_offending(w); });
  timed(9, [&] { drift::labour_market(w); });
  timed(10, [&] { drift::relapse(w); });
  timed(11, [&] { drift::tally_revenue(w); });
  ++w.week;
}

struct SingleOptions {
  double target = 0;
  int threads = 1;
  int weeks = 104;
  int burn_in = 52;
  bool profile = false;
  std::string areas;
  std::string scenario;  // parameters and districts of this scenario; empty: documented defaults
};

// Runs one (size, threads) measurement and prints one line of key=value pairs.
int run_single(const SingleOptions& o) {
  const long rss_start = status_kib("VmHWM");
  auto [areas, source] = load_areas(o.areas);
  drift::Parameters params;  // the documented defaults, or the scenario's (its districts too)
  if (!o.scenario.empty()) {
    const auto sc = drift::load_scenario(o.scenario);
    params = sc.params;
    if (o.areas.empty()) areas = sc.areas, source = sc.file;
  }
  params.simulation.population_scale = o.target / youths_at_scale_one(params, areas);

  const auto t_build = Clock::now();
  drift::World w = drift::build_world(params, areas, 0);
  const double build_s = seconds_since(t_build);
  w.threads = o.threads;
  const long hwm_build = status_kib("VmHWM");

  std::array<ProcessTimes, kProcesses.size()> proc{};
  drift::profile::time_parallel_passes(o.profile);
  for (int k = 0; k < o.burn_in; ++k) {
    if (o.profile) {
      profiled_step(w, proc);
    } else {
      drift::step(w);
    }
  }
  proc.fill({});

  double youth_weeks = 0;
  std::vector<double> week_s;
  week_s.reserve(o.weeks);
  double step_s = 0;
  const double cpu0 = process_cpu_seconds();
  for (int k = 0; k < o.weeks; ++k) {
    youth_weeks += static_cast<double>(youths_now(w));  // youths at the start of the week
    const auto t0 = Clock::now();
    if (o.profile) {
      profiled_step(w, proc);
    } else {
      drift::step(w);
    }
    const double s = seconds_since(t0);
    step_s += s;
    week_s.push_back(s);
  }
  const double step_cpu_s = process_cpu_seconds() - cpu0;
  std::sort(week_s.begin(), week_s.end());
  const double median_week = week_s.empty() ? 0 : week_s[week_s.size() / 2];

  const std::size_t youths = youths_now(w);
  const std::size_t tie_ends = w.ties.tie_ends();
  std::ostringstream out;
  out.precision(9);
  out << "drift_bench_result"
      << " target=" << o.target << " threads=" << o.threads << " youths=" << youths
      << " slots=" << w.pop.size() << " tie_ends=" << tie_ends
      << " scale=" << params.simulation.population_scale << " build_s=" << build_s
      << " step_s=" << step_s << " step_cpu_s=" << step_cpu_s << " weeks=" << o.weeks
      << " burn_in=" << o.burn_in << " youth_weeks=" << youth_weeks
      << " median_week_s=" << median_week << " hwm_start_kib=" << rss_start
      << " hwm_build_kib=" << hwm_build << " hwm_kib=" << status_kib("VmHWM")
      << " rss_kib=" << status_kib("VmRSS") << " world_bytes=" << w.bytes()
      << " pop_bytes=" << w.pop.bytes() << " mult_bytes=" << w.mult.bytes()
      << " ties_bytes=" << w.ties.bytes() << " hash=" << std::hex << state_hash(w) << std::dec
      << " profile=" << (o.profile ? 1 : 0);
  if (o.profile) {
    for (std::size_t k = 0; k < kProcesses.size(); ++k) {
      out << " p." << kProcesses[k] << "=" << proc[k].seconds << " pass." << kProcesses[k] << "="
          << proc[k].pass_seconds << " busy." << kProcesses[k] << "=" << proc[k].busy_seconds
          << " passes." << kProcesses[k] << "=" << proc[k].passes;
    }
  }
  out << " areas="
      << (source == "built-in" ? source : std::filesystem::path(source).filename().string());
  std::cout << out.str() << std::endl;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Parent: one child process per measurement

using Record = std::map<std::string, std::string>;

Record parse_record(const std::string& line) {
  Record r;
  std::istringstream in(line);
  std::string tok;
  in >> tok;  // drift_bench_result
  while (in >> tok) {
    const auto eq = tok.find('=');
    if (eq != std::string::npos) r[tok.substr(0, eq)] = tok.substr(eq + 1);
  }
  return r;
}

double num(const Record& r, const std::string& key) {
  const auto it = r.find(key);
  return it == r.end() ? 0.0 : std::strtod(it->second.c_str(), nullptr);
}

// Runs the program itself with `args` (pinned to `cpu` when it is not -1); returns the result
// line, or throws.
Record run_child(const std::vector<std::string>& args, int cpu = -1) {
  const auto exe = self_exe();
  if (exe.empty()) throw std::runtime_error("cannot find /proc/self/exe");
  int fd[2];
  if (pipe(fd) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (cpu >= 0 && !drift::bench::pin_this_thread(cpu)) _exit(126);
    close(fd[0]);
    dup2(fd[1], STDOUT_FILENO);
    close(fd[1]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(exe.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  close(fd[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("measurement process failed (" + std::to_string(status) + ")");
  }
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("drift_bench_result", 0) == 0) return parse_record(line);
  }
  throw std::runtime_error("measurement process printed no result");
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string sci(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// A plain text table with right-aligned columns.
void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t c = 0; c < r.size(); ++c) {
      std::cout << (c ? "  " : "") << std::string(width[c] - r[c].size(), ' ') << r[c];
    }
    std::cout << "\n";
  };
  line(header);
  std::size_t total = 0;
  for (auto w : width) total += w + 2;
  std::cout << std::string(total - 2, '-') << "\n";
  for (const auto& r : rows) line(r);
}

void print_csv(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) {
  for (std::size_t c = 0; c < header.size(); ++c) std::cout << (c ? "," : "") << header[c];
  std::cout << "\n";
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) std::cout << (c ? "," : "") << r[c];
    std::cout << "\n";
  }
}

double load_average() {
  std::ifstream in("/proc/loadavg");
  double l = -1;
  in >> l;
  return l;
}

}  // namespace

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
               "child process) at the scenario's population scale and at twice it");
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
      SingleOptions o;
      o.target = single;
      o.threads = threads.empty() ? 1 : threads.front();
      o.weeks = weeks;
      o.burn_in = burn_in;
      o.profile = profile;
      o.areas = areas;
      o.scenario = sweep.scenario;
      return run_single(o);
    }

    auto common = [&](double size, int t, bool prof) {
      std::vector<std::string> args = {
          "--single", fixed(size, 0),        "--threads", std::to_string(t),
          "--weeks",  std::to_string(weeks), "--burn-in", std::to_string(burn_in)};
      if (!areas.empty()) args.insert(args.end(), {"--areas", areas});
      if (!sweep.scenario.empty()) args.insert(args.end(), {"--scenario", sweep.scenario});
      if (prof) args.push_back("--profile");
      return args;
    };

    const bool table = format == "table";
    if (table) {
      std::cout << "drift_bench: "
                << (sweep.scenario.empty() ? std::string("default parameters, Utrecht districts")
                                           : "parameters and districts of " + sweep.scenario)
                << ", " << burn_in << " burn-in weeks, " << weeks << " timed weeks; load average "
                << fixed(load_average(), 2) << ", " << sysconf(_SC_NPROCESSORS_ONLN)
                << " online CPUs\n"
                << "(each row a fresh process; youth-weeks/s per core = youths x weeks / step time "
                   "/ threads)\n\n";
    }

    // runs[size][threads]: one record per repetition. Repetitions go round all configurations
    // in turn, so that a noisy spell on a shared machine hits every configuration alike; each
    // configuration is then represented by its run with the median step time.
    std::vector<std::vector<std::vector<Record>>> runs(
        sizes.size(), std::vector<std::vector<Record>>(threads.size()));
    // reference_runs[size][threads]: the reference step's youth-weeks/s, one per repetition.
    std::vector<std::vector<std::vector<double>>> reference_runs(
        sizes.size(), std::vector<std::vector<double>>(threads.size()));
    for (int rep = 0; rep < repeat; ++rep) {
      for (std::size_t k = 0; k < sizes.size(); ++k) {
        for (std::size_t j = 0; j < threads.size(); ++j) {
          if (table) {
            std::cerr << "  measuring " << fixed(sizes[k], 0) << " youths on " << threads[j]
                      << " thread(s)";
            if (repeat > 1) std::cerr << ", run " << rep + 1 << " of " << repeat;
            std::cerr << "...\n";
          }
          runs[k][j].push_back(run_child(common(sizes[k], threads[j], false)));
          if (!sweep.reference.empty()) {
            // Right after the step's run, on its youths, weeks and threads, so that both meet
            // the same spell of the machine.
            const auto youths = static_cast<long>(num(runs[k][j].back(), "youths"));
            reference_runs[k][j].push_back(
                drift::bench::reference_speed(sweep.reference, youths, weeks, threads[j]));
          }
        }
      }
    }
    // Every run of one size, on any number of threads, must end in the same state.
    bool invariant = true;
    for (const auto& by_threads : runs) {
      for (const auto& reps : by_threads) {
        for (const auto& r : reps)
          invariant = invariant && r.at("hash") == by_threads.front().front().at("hash");
      }
    }
    // One thread pinned to each CPU, per size (median of the repetitions, as above).
    const auto cpus = per_cpu ? drift::bench::allowed_cpus() : std::vector<int>{};
    std::vector<std::vector<Record>> pinned(sizes.size());  // [size][cpu]
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      for (int cpu : cpus) {
        if (table)
          std::cerr << "  measuring " << fixed(sizes[k], 0)
                    << " youths on one thread pinned to CPU " << cpu << "...\n";
        std::vector<Record> reps;
        for (int rep = 0; rep < repeat; ++rep)
          reps.push_back(run_child(common(sizes[k], 1, false), cpu));
        std::sort(reps.begin(), reps.end(), [](const Record& a, const Record& b) {
          return num(a, "step_s") < num(b, "step_s");
        });
        for (const auto& r : reps)
          invariant = invariant && r.at("hash") == runs[k][0][0].at("hash");
        pinned[k].push_back(reps[reps.size() / 2]);
      }
    }
    std::vector<std::vector<Record>> results;  // [size][threads]: the median run
    for (auto& by_threads : runs) {
      std::vector<Record> row;
      for (auto& reps : by_threads) {
        std::sort(reps.begin(), reps.end(), [](const Record& a, const Record& b) {
          return num(a, "step_s") < num(b, "step_s");
        });
        Record median = reps[reps.size() / 2];
        const double yw = num(median, "youth_weeks") / num(median, "threads");
        median["range"] =
            sci(yw / num(reps.back(), "step_s")) + "-" + sci(yw / num(reps.front(), "step_s"));
        median["runs"] = std::to_string(reps.size());
        row.push_back(std::move(median));
      }
      results.push_back(std::move(row));
    }

    // Speed.
    std::vector<std::string> sh = {"target",   "youths",         "threads",
                                   "build_s",  "step_s",         "youth_weeks/s",
                                   "per_core", "per_core_range", "per_core_median_week",
                                   "speedup",  "efficiency",     "state_hash"};
    std::vector<std::vector<std::string>> srows;
    for (const auto& row : results) {
      const double base_s = num(row.front(), "step_s") * num(row.front(), "threads");
      for (const auto& r : row) {
        const double t = num(r, "threads");
        const double rate = num(r, "youth_weeks") / num(r, "step_s");
        const double median_rate =
            num(r, "youth_weeks") / num(r, "weeks") / num(r, "median_week_s");
        // Speed-up relative to the first thread count, scaled to one thread when that is not 1.
        const double speedup = base_s / num(r, "step_s");
        srows.push_back({fixed(num(r, "target"), 0), fixed(num(r, "youths"), 0), fixed(t, 0),
                         fixed(num(r, "build_s"), 3), fixed(num(r, "step_s"), 3), sci(rate),
                         sci(rate / t), r.at("range"), sci(median_rate / t),
                         fixed(speedup, 2) + "x", fixed(100 * speedup / t, 0) + "%", r.at("hash")});
      }
    }

    // Against the reference step, measured after each of the step's runs (--reference).
    std::vector<std::string> rh = {"target",    "youths",       "threads", "youth_weeks/s",
                                   "reference", "vs_reference", "speedup", "ref_speedup",
                                   "us/week",   "ref_us/week"};
    std::vector<std::vector<std::string>> rrows;
    std::vector<std::string> scaling_lines;
    bool reference_failed = false;
    if (!sweep.reference.empty()) {
      for (std::size_t k = 0; k < sizes.size(); ++k) {
        const auto& row = results[k];
        const double youths = num(row.front(), "youths");
        const int first_threads = threads.front();
        const double first_speed = num(row.front(), "youth_weeks") / num(row.front(), "step_s");
        const double first_reference = drift::bench::median_speed(reference_runs[k].front());
        for (std::size_t j = 0; j < threads.size(); ++j) {
          const double speed = num(row[j], "youth_weeks") / num(row[j], "step_s");
          const double reference = drift::bench::median_speed(reference_runs[k][j]);
          reference_failed = reference_failed || std::isnan(reference);
          const double speedup = drift::bench::speedup_against(speed, first_speed, first_threads);
          const double reference_speedup =
              drift::bench::speedup_against(reference, first_reference, first_threads);
          rrows.push_back({fixed(num(row[j], "target"), 0), fixed(youths, 0),
                           std::to_string(threads[j]), sci(speed), sci(reference),
                           fixed(speed / reference, 2) + "x", fixed(speedup, 2) + "x",
                           fixed(reference_speedup, 2) + "x", fixed(1e6 * youths / speed, 0),
                           fixed(1e6 * youths / reference, 0)});
          if (threads[j] > 1 && first_threads == 1)
            scaling_lines.push_back(drift::bench::describe_scaling_against_reference(
                youths, threads[j], speedup, first_speed, reference_speedup, first_reference));
        }
      }
    }

    // Memory (from the first thread count's process of each size).
    std::vector<std::string> mh = {
        "target",        "youths",        "slots",           "tie_ends",
        "peak_MiB",      "peak_B/youth",  "end_rss_B/youth", "build_peak_B/youth",
        "world_B/youth", "model_B/youth", "pop_B/youth",     "mult_B/youth",
        "tie_B/end",     "budget_B",      "peak/budget"};
    std::vector<std::vector<std::string>> mrows;
    for (const auto& row : results) {
      const auto& r = row.front();
      const double y = num(r, "youths");
      const double ends = num(r, "tie_ends");
      const double peak = num(r, "hwm_kib") * 1024.0;
      const double budget = 100.0 * y + 4.0 * ends;  // design target: 100 B/youth + 4 B/tie end
      mrows.push_back(
          {fixed(num(r, "target"), 0), fixed(y, 0), fixed(num(r, "slots"), 0), fixed(ends, 0),
           fixed(peak / 1048576.0, 1), fixed(peak / y, 0), fixed(num(r, "rss_kib") * 1024.0 / y, 0),
           fixed((num(r, "hwm_build_kib") - num(r, "hwm_start_kib")) * 1024.0 / y, 0),
           fixed(num(r, "world_bytes") / y, 1),
           fixed((num(r, "pop_bytes") + num(r, "mult_bytes")) / y, 1),
           fixed(num(r, "pop_bytes") / y, 1), fixed(num(r, "mult_bytes") / y, 1),
           fixed(num(r, "ties_bytes") / ends, 2), fixed(budget, 0), fixed(peak / budget, 2)});
    }

    if (table) {
      std::cout << "Speed (step() only, after build and burn-in)\n";
      print_table(sh, srows);
      if (!rrows.empty()) {
        std::cout << "\nAgainst the reference step (" << sweep.reference
                  << "), run after each measurement above on its youths, weeks and threads;\n"
                     "median of the runs; speedup against the first thread count, us/week = "
                     "microseconds for one week of all youths\n";
        print_table(rh, rrows);
        for (const auto& line : scaling_lines) std::cout << line;
      }
      std::cout
          << "\nMemory (peak = VmHWM of the process, including the build and the program itself;\n"
             "end_rss = VmRSS after the timed weeks; build_peak = VmHWM growth during "
             "build_world;\n"
             "model = Population + Multipliers; budget = 100 B/youth + 4 B/tie end)\n";
      print_table(mh, mrows);
      std::cout << "\nTargets: >= 1e8 youth-weeks/s per core; <= 100 B/youth + 4 B/tie end; >= "
                   "1.85x on 2 threads\n";
      std::cout
          << "Load average after the measurements: " << fixed(load_average(), 2)
          << " (other work on the machine slows the runs, most of all the multi-thread ones)\n";
      if (!cpus.empty()) {
        std::cout << "\nOne thread pinned to each CPU (--per-cpu), step() youth-weeks/s:\n";
        for (std::size_t k = 0; k < sizes.size(); ++k) {
          std::vector<double> speeds;
          std::cout << "  " << fixed(sizes[k], 0) << " youths:";
          for (std::size_t c = 0; c < cpus.size(); ++c) {
            const auto& r = pinned[k][c];
            speeds.push_back(num(r, "youth_weeks") / num(r, "step_s"));
            std::cout << (c ? ", " : " ") << "CPU " << cpus[c] << " " << sci(speeds.back());
          }
          std::cout << "\n";
          for (std::size_t j = 0; j < threads.size(); ++j) {
            if (threads[j] < 2 || threads[j] != static_cast<int>(cpus.size())) continue;
            const auto& r = results[k][j];
            std::cout << drift::bench::describe_capacity(
                drift::bench::capacity(speeds, num(r, "youth_weeks") / num(r, "step_s")),
                threads[j]);
          }
        }
      }
      std::cout << "State hash identical across thread counts" << (cpus.empty() ? "" : " and CPUs")
                << ": " << (invariant ? "yes" : "NO") << "\n";
    } else {
      print_csv(sh, srows);
      std::cout << "\n";
      print_csv(mh, mrows);
      if (!rrows.empty()) {
        std::cout << "\n";
        print_csv(rh, rrows);
      }
    }

    if (profile) {
      std::vector<std::string> ph = {"target",   "threads",       "process",  "seconds",
                                     "share",    "ns/youth-week", "serial_s", "passes_s",
                                     "waited_s", "passes/week"};
      std::vector<std::vector<std::string>> prows;
      std::vector<std::string> serial_lines;  // the serial share of each multi-thread step
      std::map<double, double> one_thread_total;
      for (double size : sizes) {
        for (int t : threads) {
          if (table)
            std::cerr << "  profiling " << fixed(size, 0) << " youths on " << t
                      << " thread(s)...\n";
          auto profile_total = [](const Record& rec) {
            double sum = 0;
            for (const auto* name : kProcesses) sum += num(rec, std::string("p.") + name);
            return sum;
          };
          std::vector<Record> reps;
          for (int rep = 0; rep < repeat; ++rep) reps.push_back(run_child(common(size, t, true)));
          std::sort(reps.begin(), reps.end(), [&](const Record& a, const Record& b) {
            return profile_total(a) < profile_total(b);
          });
          const Record r = reps[reps.size() / 2];
          const double total = profile_total(r);
          // On one thread no pass runs in parallel: the split says nothing there.
          auto split = [&](const drift::bench::PassSplit& p) -> std::vector<std::string> {
            if (t == 1) return {"-", "-", "-", "-"};
            return {fixed(p.serial_seconds, 4), fixed(p.pass_seconds, 4),
                    fixed(p.waited_thread_seconds, 4), fixed(p.passes / num(r, "weeks"), 1)};
          };
          drift::bench::PassSplit step_split;
          step_split.threads = t;
          for (const auto* name : kProcesses) {
            const double s = num(r, std::string("p.") + name);
            auto p = drift::bench::split_passes(s, num(r, std::string("pass.") + name),
                                                num(r, std::string("busy.") + name), t);
            p.passes = num(r, std::string("passes.") + name);
            step_split += p;
            auto row = std::vector<std::string>{fixed(size, 0),
                                                std::to_string(t),
                                                name,
                                                fixed(s, 4),
                                                fixed(100 * s / total, 1) + "%",
                                                fixed(1e9 * s / num(r, "youth_weeks"), 2)};
            for (auto& cell : split(p)) row.push_back(std::move(cell));
            prows.push_back(std::move(row));
          }
          auto row = std::vector<std::string>{
              fixed(size, 0),  std::to_string(t), "total",
              fixed(total, 4), "100.0%",          fixed(1e9 * total / num(r, "youth_weeks"), 2)};
          for (auto& cell : split(step_split)) row.push_back(std::move(cell));
          prows.push_back(std::move(row));
          if (t == 1) one_thread_total[size] = total;
          if (t > 1 && one_thread_total.count(size) != 0)
            serial_lines.push_back(
                fixed(size, 0) + " youths: " +
                drift::bench::describe_serial_share(step_split, one_thread_total[size]));
          // The profiled run must end in the same state as step().
          std::string expected;
          for (std::size_t k = 0; k < sizes.size(); ++k) {
            if (sizes[k] == size) {
              for (std::size_t j = 0; j < threads.size(); ++j) {
                if (threads[j] == t) expected = results[k][j].at("hash");
              }
            }
          }
          if (r.at("hash") != expected) {
            std::cerr << "drift_bench: profiled run diverged from step() (hash " << r.at("hash")
                      << " vs " << expected
                      << "): update profiled_step to follow sim/step/step.cpp\n";
            invariant = false;
          }
        }
      }
      if (table) {
        std::cout << "\nTime per process (processes called one by one; on several threads "
                     "serial_s = outside the\nparallel passes, passes_s = in them, waited_s = "
                     "thread-seconds of the passes' threads not in a chunk, passes/week = parallel "
                     "passes a "
                     "week)\n";
        print_table(ph, prows);
        for (const auto& line : serial_lines) std::cout << line;
      } else {
        std::cout << "\n";
        print_csv(ph, prows);
      }
    }
    if (reference_failed)
      std::cerr << "drift_bench: the reference step program failed or printed no youth-weeks/s: "
                << sweep.reference << "\n";
    return invariant && !reference_failed ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "drift_bench: " << e.what() << "\n";
    return 1;
  }
}
