#include "drift/experiments/experiment.hpp"

#include <algorithm>
#include <exception>
#include <memory>
#include <stdexcept>

#include "drift/experiments/observers.hpp"
#include "drift/experiments/trial.hpp"
#include "drift/model/world.hpp"
#include "drift/step/build_world.hpp"
#include "drift/step/profile.hpp"
#include "drift/step/step.hpp"
#include "unit_jobs.hpp"

namespace drift {

namespace {

void record_week(const World& w, int week, const std::vector<InterventionWeek>& log,
                 RunOutput& out) {
  const auto nareas = static_cast<std::size_t>(out.areas);
  const auto weeks = static_cast<std::size_t>(out.weeks);
  const auto& am = area_metrics();
  for (std::size_t m = 0; m < am.size(); ++m) {
    double* row = out.by_area.data() + (m * weeks + static_cast<std::size_t>(week)) * nareas;
    for (std::size_t a = 0; a < nareas; ++a) row[a] = am[m].of_area(w, static_cast<int>(a));
  }
  const auto& cm = city_metrics();
  for (std::size_t m = 0; m < cm.size(); ++m) out.city[m * weeks + week] = cm[m].of_city(w);
  const auto& im = intervention_metrics();
  for (std::size_t k = 0; k < log.size(); ++k) {
    for (std::size_t m = 0; m < im.size(); ++m) {
      out.interventions[(k * im.size() + m) * weeks + week] = log[k].*(im[m].of_intervention);
    }
  }
}

InterventionList make_interventions(const StrategySpec& s,
                                    const std::vector<std::string>& area_names) {
  InterventionList list;
  for (std::size_t k = 0; k < s.interventions.size(); ++k) {
    const auto& spec = s.interventions[k];
    list.push_back(create_intervention(spec.type, spec.name, spec.values, area_names));
  }
  return list;
}

}  // namespace

namespace {
World built(const Scenario& scenario, const Parameters& p, int replicate, int threads,
            BuildCache* builds, std::shared_ptr<ClassTieCache>& classes) {
  const profile::Scope timed(profile::Section::build);
  const auto r = static_cast<std::uint32_t>(replicate);
  if (builds) return builds->world(p, scenario.areas, r, threads, classes);
  classes = std::make_shared<ClassTieCache>();
  return build_world(p, scenario.areas, r, threads);
}
}  // namespace

UnitRun::UnitRun(const Scenario& scenario, int replicate, int threads,
                 const std::atomic<bool>* cancel, BuildCache* builds)
    : scenario_(scenario),
      params_(replicate_parameters(scenario, replicate)),
      cancel_(cancel),
      burnt_(built(scenario, params_, replicate, threads, builds, class_ties_)) {
  for (const auto& a : scenario.areas) area_names_.push_back(a.name);
  burnt_.threads = threads;
  burnt_.class_ties = class_ties_.get();
  const profile::Scope timed(profile::Section::burn_in);
  const profile::Suspend by_process;
  while (burnt_.week < 0) {
    if (cancelled()) throw Cancelled();
    step(burnt_);
  }
}

bool UnitRun::cancelled() const {
  return cancel_ && cancel_->load();
}

World UnitRun::copy_of_burnt() const {
  const profile::Scope timed(profile::Section::copy);
  return burnt_;
}

RunOutput UnitRun::run_strategy(std::size_t s, int inner) const {
  using profile::Section;
  const auto& scenario = scenario_;
  const Parameters& p = params_;
  const auto& area_names = area_names_;
  const int weeks = p.simulation.weeks;
  const auto& strategy = scenario.strategies[s];
  World w = copy_of_burnt();
  w.threads = inner;
  w.class_ties = class_ties_.get();
  auto interventions = make_interventions(strategy, area_names);
  std::vector<std::string> labels;
  for (const auto& spec : strategy.interventions)
    labels.push_back(strategy.name + " / " + spec.name + " (" + spec.type + ")");
  const profile::InterventionLabels labelled(&labels);
  const auto trial = attach_trial(scenario, s, interventions, w.pop.size());
  RunOutput run;
  run.weeks = weeks;
  run.areas = static_cast<int>(scenario.areas.size());
  run.by_area.assign(area_metrics().size() * weeks * run.areas, 0.0);
  run.city.assign(city_metrics().size() * weeks, 0.0);
  run.interventions.assign(interventions.size() * intervention_metrics().size() * weeks, 0.0);
  // Fixed costs are given for the whole city; the run counts the simulated share of it.
  for (const auto& iv : interventions)
    run.fixed_cost += iv->fixed_cost() * p.simulation.population_scale;
  run.min_age = p.population.min_age;
  run.ages = p.population.max_age - p.population.min_age;
  const auto age_cells = static_cast<std::size_t>(weeks) * run.ages;
  run.present_by_age.assign(age_cells, 0.0);
  run.new_suspects.assign(age_cells, 0.0);
  run.new_drug_suspects.assign(age_cells, 0.0);
  run.new_dealing.assign(age_cells, 0.0);
  run.ledger.assign(weeks);
  SuspectCounter suspects(w, run);
  ReleaseLedgerObserver ledger(w, run);
  std::vector<InterventionWeek> log;
  for (int week = 0; week < weeks; ++week) {
    if (cancelled()) throw Cancelled();
    step(w, interventions, &log);
    const profile::Scope timed(Section::observe);
    if (trial) trial->observe(w);
    suspects.observe(w);
    ledger.observe(w);
    record_week(w, week, log, run);
  }
  ledger.finish(w);
  if (trial && trial->spec().design == TrialDesign::paired) {
    // The paired run: the same strategy from the same burnt-in world without the intervention
    // under trial. It reuses the working world, so no third world is held.
    w = copy_of_burnt();
    w.threads = inner;
    w.class_ties = class_ties_.get();
    auto paired_interventions = make_interventions(strategy, area_names);
    PairedRun paired(*trial, paired_interventions, w.pop.size());
    for (int week = 0; week < weeks; ++week) {
      if (cancelled()) throw Cancelled();
      step(w, paired_interventions, nullptr);
      const profile::Scope timed(Section::observe);
      paired.observe(w);
    }
    run.trial = paired.counts();
  } else if (trial) {
    run.trial = trial->counts();
  }
  return run;
}

std::vector<RunOutput> run_unit(const Scenario& scenario, int replicate, int threads,
                                const std::atomic<bool>* cancel,
                                const std::function<void()>& strategy_done, BuildCache* builds) {
  const UnitRun unit(scenario, replicate, threads, cancel, builds);
  std::vector<RunOutput> runs(scenario.strategies.size());
  auto run_strategy = [&](std::size_t s, int inner) {
    runs[s] = unit.run_strategy(s, inner);
    if (strategy_done) strategy_done();
  };
  // After the shared burn-in the strategies are independent: with several threads they run side
  // by side, one thread each (a working world per thread), which keeps every thread busy to the
  // end; each run is a pure function of its inputs, so the result does not depend on the split.
  const std::size_t strategies = scenario.strategies.size();
  const int side_by_side = static_cast<int>(std::min<std::size_t>(threads, strategies));
  if (side_by_side > 1) {
    const auto order = costliest_first(scenario);
    std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic) num_threads(side_by_side)
    for (std::size_t k = 0; k < strategies; ++k) {
      const std::size_t s = order[k];
      try {
        run_strategy(s, 1);
      } catch (...) {
#pragma omp critical(drift_strategy_failure)
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
  } else {
    for (std::size_t s = 0; s < strategies; ++s) run_strategy(s, threads);
  }
  return runs;
}

std::vector<std::size_t> costliest_first(const Scenario& scenario) {
  std::vector<std::size_t> order(scenario.strategies.size());
  for (std::size_t s = 0; s < order.size(); ++s) order[s] = s;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return scenario.strategies[a].interventions.size() >
           scenario.strategies[b].interventions.size();
  });
  return order;
}

ExperimentOutput empty_output(const Scenario& scenario) {
  ExperimentOutput out;
  for (const auto& a : scenario.areas) out.area_names.push_back(a.name);
  for (const auto& s : scenario.strategies) {
    StrategyOutput so;
    so.name = s.name;
    so.description = s.description;
    for (const auto& i : s.interventions) {
      so.intervention_names.push_back(i.name);
      so.intervention_types.push_back(i.type);
    }
    out.strategies.push_back(std::move(so));
  }
  return out;
}

ExperimentOutput run_experiment(const Scenario& scenario, const RunOptions& options) {
  static_assert(static_cast<int>(Tally::employed) == kStateCount,
                "record_week assumes the stock tallies follow the states");
  ExperimentOutput out = empty_output(scenario);
  const int replicates = scenario.params.simulation.replicates;
  const std::size_t total_runs = static_cast<std::size_t>(replicates) * out.strategies.size();
  std::size_t done = 0;
  for (auto& st : out.strategies) st.replicates.resize(replicates);
  // Replicates run side by side when there are enough of them, their strategies shared among
  // the threads as the runner shares them (detail::run_unit_jobs); otherwise the threads work
  // inside each replicate. Either way every run is a pure function of its inputs, so the result
  // does not depend on the split.
  const int threads = std::max(1, options.threads);
  auto tick = [&] {
#pragma omp critical(drift_progress)
    {
      ++done;
      if (options.progress) options.progress(done, total_runs);
    }
  };
  if (replicates < threads || threads == 1) {
    for (int r = 0; r < replicates; ++r) {
      auto runs = run_unit(scenario, r, threads, options.cancel, tick);
      for (std::size_t s = 0; s < runs.size(); ++s)
        out.strategies[s].replicates[r] = std::move(runs[s]);
    }
    return out;
  }
  const auto order = costliest_first(scenario);
  std::vector<std::unique_ptr<UnitRun>> prepared(static_cast<std::size_t>(replicates));
  detail::run_unit_jobs(
      prepared.size(), order.size(), threads,
      [&](std::size_t r) {
        prepared[r] = std::make_unique<UnitRun>(scenario, static_cast<int>(r), 1, options.cancel);
      },
      [&](std::size_t r, std::size_t j) {
        out.strategies[order[j]].replicates[r] = prepared[r]->run_strategy(order[j], 1);
        tick();
      },
      [&](std::size_t r) { prepared[r].reset(); });
  return out;
}

}  // namespace drift
