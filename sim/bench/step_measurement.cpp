#include "step_measurement.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/figures.hpp"
#include "bench/project_files.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/model/parameters.hpp"
#include "drift/model/world.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/step/build_world.hpp"
#include "drift/step/processes.hpp"
#include "drift/step/profile.hpp"
#include "drift/step/step.hpp"

namespace drift::bench {

namespace {

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

// Per process: its wall time, and the wall and thread-busy time of its parallel passes
// (drift::profile::ParallelPasses).
struct ProcessTimes {
  double seconds = 0, pass_seconds = 0, busy_seconds = 0;
  std::int64_t passes = 0;
};

void profiled_step(drift::World& w, std::array<ProcessTimes, kStepProcesses.size()>& t) {
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
}  // namespace

int run_step_measurement(const StepMeasurementOptions& o) {
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

  std::array<ProcessTimes, kStepProcesses.size()> proc{};
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
    for (std::size_t k = 0; k < kStepProcesses.size(); ++k) {
      out << " p." << kStepProcesses[k] << "=" << proc[k].seconds << " pass." << kStepProcesses[k]
          << "=" << proc[k].pass_seconds << " busy." << kStepProcesses[k] << "="
          << proc[k].busy_seconds << " passes." << kStepProcesses[k] << "=" << proc[k].passes;
    }
  }
  out << " areas="
      << (source == "built-in" ? source : std::filesystem::path(source).filename().string());
  std::cout << out.str() << std::endl;
  return 0;
}

}  // namespace drift::bench
