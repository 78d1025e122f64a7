#pragma once
// Runs a scenario: every strategy for every replicate, with common random numbers (replicate r
// of every strategy starts from the same burnt-in world and uses the same keyed draws).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "drift/experiments/build_cache.hpp"
#include "drift/interventions/registry.hpp"
#include "drift/model/world.hpp"
#include "drift/results/run_output.hpp"
#include "drift/scenario/scenario.hpp"

namespace drift {

struct RunOptions {
  int threads = 1;
  // Called after each finished run with (runs done, runs in total); may be empty.
  std::function<void(std::size_t, std::size_t)> progress;
  // When set and true, the experiment stops early and throws Cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled") {}
};

ExperimentOutput run_experiment(const Scenario& scenario, const RunOptions& options);

// One replicate of every strategy (the unit of work of sweeps and resumable runs): the runs of
// the strategies in scenario order. `strategy_done` is called after each strategy. With
// `builds`, the replicate's world comes from it (the same world, possibly not drawn again).
std::vector<RunOutput> run_unit(const Scenario& scenario, int replicate, int threads,
                                const std::atomic<bool>* cancel = nullptr,
                                const std::function<void()>& strategy_done = {},
                                BuildCache* builds = nullptr);

// One replicate of every strategy in two parts, so that its strategies can run on different
// threads: the constructor builds the replicate's world and burns it in (on `threads` threads),
// and run_strategy runs one strategy from a copy of it (`inner` threads inside its steps). Calls
// of run_strategy may overlap; each is a pure function of the burnt-in world and the strategy.
class UnitRun {
 public:
  UnitRun(const Scenario& scenario, int replicate, int threads,
          const std::atomic<bool>* cancel = nullptr, BuildCache* builds = nullptr);
  RunOutput run_strategy(std::size_t strategy, int inner) const;

 private:
  bool cancelled() const;
  World copy_of_burnt() const;
  const Scenario& scenario_;
  Parameters params_;
  const std::atomic<bool>* cancel_;
  std::vector<std::string> area_names_;
  // The classes formed in the burn-in and the strategies' runs, drawn once for all of them (and
  // for every unit from the same kept build, BuildCache).
  std::shared_ptr<ClassTieCache> class_ties_;
  World burnt_;
};

// The strategies' indices, the costliest first (the most interventions; ties in scenario order):
// the order in which threads take them, so that no thread is left with a long strategy at the
// end while the others wait (longest processing time first).
std::vector<std::size_t> costliest_first(const Scenario& scenario);

// Names of areas, strategies and interventions, with no runs yet.
ExperimentOutput empty_output(const Scenario& scenario);

}  // namespace drift
