#include "drift/experiments/plan.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "drift/experiments/experiment.hpp"
#include "drift/experiments/trial.hpp"
#include "drift/interventions/registry.hpp"
#include "drift/model/world.hpp"
#include "drift/scenario/sweep.hpp"
#include "drift/step/build_world.hpp"
#include "drift/step/step.hpp"

namespace drift {

namespace {
// Worlds held at once, as the runner runs: when units run side by side (their strategies shared
// among the threads, detail::run_unit_jobs), at most one burnt-in world per thread (a thread
// prepares a unit only when no prepared one has a strategy left) and a working copy per thread;
// otherwise one burnt-in world and a working copy per strategy running side by side (run_unit).
// With more than one point, the runner also keeps a built world per thread for the next points
// (BuildCache).
std::size_t worlds_alive(std::size_t units, std::size_t strategies, int threads,
                         std::size_t points) {
  const auto t = static_cast<std::size_t>(std::max(1, threads));
  const std::size_t kept = points > 1 ? t : 0;
  if (units >= t && t > 1) return 2 * t + kept;
  return 1 + std::max<std::size_t>(1, std::min(t, strategies)) + kept;
}
}  // namespace

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Bytes of the record of one run (RunOutput arrays, doubles).
std::size_t run_output_bytes(const Parameters& p, std::size_t areas, std::size_t interventions) {
  const auto weeks = static_cast<std::size_t>(p.simulation.weeks);
  const auto ages =
      static_cast<std::size_t>(std::max(0, p.population.max_age - p.population.min_age));
  const std::size_t doubles = area_metrics().size() * weeks * areas +
                              city_metrics().size() * weeks +
                              interventions * intervention_metrics().size() * weeks +
                              4 * weeks * ages +  // present_by_age, the suspects, new_dealing
                              9 * weeks +         // release ledger
                              6;                  // trial counts
  return doubles * sizeof(double);
}

std::string with_commas(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  std::string digits = buf, out;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  for (std::size_t k = 0; k < digits.size(); ++k) {
    if (k > 0 && (digits.size() - k) % 3 == 0) out += ',';
    out += digits[k];
  }
  return negative ? "-" + out : out;
}

std::string duration_text(double s) {
  char buf[64];
  if (s < 120) {
    std::snprintf(buf, sizeof buf, "%.0f s", s);
  } else if (s < 7200) {
    std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  }
  return buf;
}

std::string bytes_text(double b) {
  char buf[64];
  if (b < 1024.0 * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.0f MB", b / (1024.0 * 1024));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f GB", b / (1024.0 * 1024 * 1024));
  }
  return buf;
}

}  // namespace

Plan make_plan(const Scenario& base, int threads) {
  Plan plan;
  threads = std::max(1, threads);
  const auto design = sweep_design(base);
  // Sweep point 0 stands for every point: the per-strategy figures and the world's size are
  // those of the first point.
  const Scenario sc = design.kind.empty() ? base : scenario_at(base, design, 0);
  const Parameters p = replicate_parameters(sc, 0);
  plan.scenario = sc.name;
  plan.strategies = sc.strategies.size();
  plan.replicates = sc.params.simulation.replicates;
  plan.points = design.size();
  plan.sweep_kind = design.kind;
  plan.threads = threads;
  plan.weeks = p.simulation.weeks;
  plan.burn_in_weeks = p.simulation.burn_in_weeks;
  plan.population_scale = p.simulation.population_scale;
  const std::size_t units = plan.points * static_cast<std::size_t>(plan.replicates);
  // A paired trial runs its strategy a second time, without the intervention under trial.
  const auto trial = trial_spec(sc);
  const bool paired_trial = trial && trial->design == TrialDesign::paired;
  plan.runs = units * (plan.strategies + (paired_trial ? 1 : 0));

  auto t0 = std::chrono::steady_clock::now();
  World burnt = build_world(p, sc.areas, 0);
  plan.build_seconds = seconds_since(t0);
  for (auto s : burnt.pop.state) {
    if (s != State::vacant) ++plan.youths;
  }
  plan.world_bytes = burnt.bytes();

  // The work and its estimates.
  const double youths = static_cast<double>(plan.youths);
  plan.youth_weeks = static_cast<double>(plan.runs) * youths * plan.weeks +
                     static_cast<double>(units) * youths * plan.burn_in_weeks;
  // Units run in parallel, one thread each, when there are at least as many as threads (as the
  // runner does); otherwise the strategies of each unit run side by side. Either way the
  // estimate assumes the throughput per thread adds up over threads.
  // The runner shares each replicate's built world between consecutive points that agree in
  // every parameter that shapes the build (BuildCache, run_units).
  std::size_t groups = 1;
  Parameters previous = p;  // point 0's
  for (std::size_t k = 1; k < plan.points; ++k) {
    Parameters next = replicate_parameters(scenario_at(base, design, k), 0);
    if (!same_build(previous, next)) ++groups;
    previous = std::move(next);
  }
  plan.builds = plan.points > 1 ? groups * static_cast<std::size_t>(plan.replicates) : units;
  plan.estimated_seconds = plan.youth_weeks / (kPlanYouthWeeksPerSecond * threads) +
                           plan.build_seconds * static_cast<double>(plan.builds) / threads;
  plan.worlds_alive =
      static_cast<int>(worlds_alive(units, sc.strategies.size(), threads, plan.points));
  std::size_t all_interventions = 0;
  for (const auto& s : sc.strategies) all_interventions += s.interventions.size();
  // The records of one point's runs are held together while the result file is written.
  plan.output_bytes = static_cast<std::size_t>(plan.replicates) *
                      (plan.strategies * run_output_bytes(p, sc.areas.size(), 0) +
                       all_interventions * intervention_metrics().size() *
                           static_cast<std::size_t>(plan.weeks) * sizeof(double));
  const auto disk = disk_need(base);
  plan.disk_part_bytes = disk.part_bytes;
  plan.disk_result_bytes = disk.result_bytes;
  plan.file_bytes = disk.result_bytes;

  // Burn-in, as run_unit does it; set-up, not the simulation being planned. On one thread: the
  // world does not depend on the thread count, and two threads on a shared machine can be many
  // times slower than one (docs/performance.md, "Machine").
  t0 = std::chrono::steady_clock::now();
  burnt.threads = 1;
  while (burnt.week < 0) step(burnt);
  plan.burn_in_seconds = seconds_since(t0);

  // Week 0 of each strategy: its interventions open the week on a copy of the burnt-in world.
  std::vector<std::string> area_names;
  for (const auto& a : sc.areas) area_names.push_back(a.name);
  for (std::size_t k = 0; k < sc.strategies.size(); ++k) {
    const auto& strategy = sc.strategies[k];
    InterventionList list;
    for (const auto& spec : strategy.interventions) {
      list.push_back(create_intervention(spec.type, spec.name, spec.values, area_names));
    }
    const auto trial = attach_trial(sc, k, list, burnt.pop.size());
    PlanStrategy ps;
    ps.name = strategy.name;
    if (!list.empty()) {
      World w = burnt;
      std::vector<InterventionWeek> log;
      open_week(w, list, &log);
      for (std::size_t i = 0; i < list.size(); ++i) {
        PlanIntervention pi;
        pi.type = strategy.interventions[i].type;
        pi.name = strategy.interventions[i].name;
        pi.eligible = log[i].eligible;
        pi.capacity = log[i].capacity;
        pi.enrolled = log[i].enrolled;
        pi.served = log[i].served;
        pi.waiting = log[i].waiting;
        pi.weekly_cost = log[i].cost;
        pi.fixed_cost = list[i]->fixed_cost() * p.simulation.population_scale;
        ps.interventions.push_back(std::move(pi));
      }
    }
    plan.strategy_plans.push_back(std::move(ps));
  }
  return plan;
}

std::string format_plan(const Plan& plan) {
  std::ostringstream o;
  char buf[256];
  o << "Plan: " << (plan.scenario.empty() ? std::string("(unnamed)") : plan.scenario)
    << " (dry run: nothing is written, no simulation week is run)\n\n";
  o << "Work\n";
  o << "  strategies          " << plan.strategies << "\n";
  o << "  replicates          " << plan.replicates << "\n";
  o << "  sweep points        " << plan.points
    << (plan.sweep_kind.empty() ? std::string(" (no sweep)") : " (" + plan.sweep_kind + ")")
    << "\n";
  o << "  runs                " << with_commas(static_cast<double>(plan.runs))
    << " (points x replicates x strategies"
    << (plan.runs > plan.points * static_cast<std::size_t>(plan.replicates) * plan.strategies
            ? ", plus the paired runs of the trial)\n"
            : ")\n");
  std::snprintf(buf, sizeof buf, "%g", plan.population_scale);
  o << "  youths per world    " << with_commas(static_cast<double>(plan.youths))
    << " (population_scale " << buf << ")\n";
  std::snprintf(buf, sizeof buf, "%.3g", plan.youth_weeks);
  o << "  youth-weeks         " << buf << " (runs x youths x " << plan.weeks << " weeks, plus "
    << plan.burn_in_weeks << " burn-in weeks once per replicate and point)\n";
  std::snprintf(buf, sizeof buf, "%.3g youth-weeks/s per thread", kPlanYouthWeeksPerSecond);
  o << "  estimated wall time " << duration_text(plan.estimated_seconds) << " on " << plan.threads
    << (plan.threads == 1 ? " thread" : " threads") << " (estimate: " << buf
    << " measured by drift_bench --sweep, docs/performance.md, times the threads, plus "
    << with_commas(static_cast<double>(plan.builds)) << " world builds of ";
  std::snprintf(buf, sizeof buf, "%.2f s", plan.build_seconds);
  o << buf << " timed here)\n";
  o << "  estimated peak mem  " << bytes_text(static_cast<double>(plan.peak_bytes())) << " ("
    << plan.worlds_alive << " worlds of " << bytes_text(static_cast<double>(plan.world_bytes))
    << " + " << bytes_text(static_cast<double>(plan.output_bytes)) << " of recorded outputs"
    << (plan.sweep_kind.empty() ? "" : " per point") << " + "
    << bytes_text(static_cast<double>(plan.file_bytes))
    << " for the result file composed in memory)\n";
  o << "  estimated peak disk "
    << bytes_text(static_cast<double>(plan.disk_part_bytes + plan.disk_result_bytes)) << " ("
    << bytes_text(static_cast<double>(plan.disk_part_bytes)) << " of part files, removed after "
    << bytes_text(static_cast<double>(plan.disk_result_bytes)) << " of result file is written)\n";
  std::snprintf(buf, sizeof buf, "%.2f s + %.2f s", plan.build_seconds, plan.burn_in_seconds);
  o << "  set-up here         built and burnt in the replicate-0 world (" << plan.burn_in_weeks
    << " weeks) in " << buf << "\n";
  if (plan.burn_in_seconds > 3) {
    o << "  note                the burn-in (simulation.burn_in_weeks) makes this plan slow; it is "
         "set-up for the week-0 figures, not a simulated week\n";
  }
  o << "\nInterventions at week 0 (replicate 0"
    << (plan.sweep_kind.empty() ? "" : ", sweep point 0")
    << ", after burn-in; yearly cost at week-0 rates = 52 x week 0)\n";
  std::snprintf(buf, sizeof buf, "  %-20s %-20s %-20s %9s %9s %9s %15s %13s\n", "strategy", "type",
                "name", "eligible", "capacity", "reach", "yearly cost", "fixed cost");
  o << buf;
  for (const auto& s : plan.strategy_plans) {
    if (s.interventions.empty()) {
      std::snprintf(buf, sizeof buf, "  %-20s (no interventions)\n", s.name.c_str());
      o << buf;
      continue;
    }
    for (const auto& i : s.interventions) {
      std::snprintf(buf, sizeof buf, "  %-20s %-20s %-20s %9.0f %9.0f %9.0f %15s %13s\n",
                    s.name.c_str(), i.type.c_str(), i.name.c_str(), i.eligible, i.capacity,
                    i.enrolled, ("EUR " + with_commas(i.yearly_cost())).c_str(),
                    ("EUR " + with_commas(i.fixed_cost)).c_str());
      o << buf;
    }
  }
  o << "  (reach: youths taken in at week 0)\n";
  return o.str();
}

MemoryNeed memory_need(const Scenario& sc, int threads, std::size_t points) {
  const auto& p = sc.params;
  double full_youths = 0;
  for (const auto& a : sc.areas) full_youths += (a.youth_12_17 + a.youth_18_26);
  full_youths *= p.simulation.population_scale;
  // A small world of the same city gives the bytes per youth; the world grows linearly with it.
  const double shrink = std::min(1.0, 20000.0 / std::max(1.0, full_youths));
  Parameters small = p;
  small.simulation.population_scale = p.simulation.population_scale * shrink;
  const World w = build_world(small, sc.areas, 0);
  MemoryNeed need;
  need.world_bytes = static_cast<std::size_t>(static_cast<double>(w.bytes()) / shrink);
  if (points == 0) points = sc.sweep.size();
  const std::size_t units = points * static_cast<std::size_t>(p.simulation.replicates);
  threads = std::max(1, threads);
  need.worlds_alive = static_cast<int>(worlds_alive(units, sc.strategies.size(), threads, points));
  std::size_t all_interventions = 0;
  for (const auto& s : sc.strategies) all_interventions += s.interventions.size();
  need.output_bytes = static_cast<std::size_t>(p.simulation.replicates) *
                      (sc.strategies.size() * run_output_bytes(p, sc.areas.size(), 0) +
                       all_interventions * intervention_metrics().size() *
                           static_cast<std::size_t>(p.simulation.weeks) * sizeof(double));
  need.file_bytes = disk_need(sc).result_bytes;
  return need;
}

std::size_t available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::size_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemAvailable:") return kb * 1024;
  }
  return 0;
}

std::string memory_problem(const MemoryNeed& need, std::size_t available) {
  if (available == 0 || need.peak_bytes() <= available) return "";
  auto gb = [](double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GB", bytes / 1e9);
    return std::string(buf);
  };
  return "this run needs about " + gb(static_cast<double>(need.peak_bytes())) +
         " of memory at its peak (" + std::to_string(need.worlds_alive) + " worlds of " +
         gb(static_cast<double>(need.world_bytes)) + " and " +
         gb(static_cast<double>(need.output_bytes)) + " of records and " +
         gb(static_cast<double>(need.file_bytes)) +
         " for the result file composed in memory), but the machine has " +
         gb(static_cast<double>(available)) +
         " available; lower simulation.population_scale, --threads or --replicates, or add "
         "--force to run anyway";
}

DiskNeed disk_need(const Scenario& sc, std::size_t points) {
  const auto& p = sc.params;
  std::size_t all_interventions = 0;
  for (const auto& s : sc.strategies) all_interventions += s.interventions.size();
  // The records of one unit: every strategy's run, with its interventions' weekly metrics.
  const double unit_records =
      static_cast<double>(sc.strategies.size() * run_output_bytes(p, sc.areas.size(), 0) +
                          all_interventions * intervention_metrics().size() *
                              static_cast<std::size_t>(p.simulation.weeks) * sizeof(double));
  const auto replicates = static_cast<std::size_t>(p.simulation.replicates);
  const std::size_t units = (points == 0 ? sc.sweep.size() : points) * replicates;
  DiskNeed need;
  need.part_bytes = static_cast<std::size_t>(static_cast<double>(units) *
                                             (kDiskOverhead * unit_records + kDiskFileBytes));
  // A result file holds every run of its point; a sweep's holds far less (outcomes per point), so
  // one point's runs bound it too.
  need.result_bytes = static_cast<std::size_t>(
      static_cast<double>(replicates) * kDiskOverhead * unit_records + 16.0 * kDiskFileBytes);
  return need;
}

std::size_t available_disk_bytes(const std::string& path) {
  std::error_code ec;
  auto dir = std::filesystem::absolute(path, ec);
  while (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  struct statvfs fs {};
  if (dir.empty() || ::statvfs(dir.c_str(), &fs) != 0) return 0;
  return static_cast<std::size_t>(fs.f_bavail) * fs.f_frsize;
}

std::string disk_problem(const DiskNeed& need, std::size_t available, const std::string& where) {
  if (available == 0 || need.peak_bytes() <= available) return "";
  return "this run writes about " + bytes_text(static_cast<double>(need.peak_bytes())) +
         " at its peak (" + bytes_text(static_cast<double>(need.part_bytes)) +
         " of part files and " + bytes_text(static_cast<double>(need.result_bytes)) +
         " of result file) next to " + where + ", but that file system has " +
         bytes_text(static_cast<double>(available)) +
         " free; free some space, choose another --out, lower --replicates or the horizon, or add "
         "--force to run anyway";
}

}  // namespace drift
