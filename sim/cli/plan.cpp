// drift plan SCENARIO [--set path=value ...] [--replicates N] [--threads N]: what a scenario
// would take to run (runs, youth-weeks, estimated time and memory, the interventions' week-0
// figures), without running it or writing anything.
#include "drift/experiments/plan.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "common.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/sweep.hpp"

namespace drift::cli {

namespace {

struct PlanArgs {
  std::string scenario, posterior;
  std::vector<std::string> sets, assumptions;
  std::optional<int> replicates, threads;
  bool no_posterior = false;
};

int plan(const PlanArgs& a) {
  std::vector<Override> overrides;
  for (const auto& s : a.sets) overrides.push_back(parse_override(s));
  if (a.replicates) overrides.push_back({"simulation.replicates", std::to_string(*a.replicates)});
  auto sc = load_scenario(a.scenario, overrides, a.assumptions);
  // Replicate 0 as drift run would run it: with its posterior draw.
  draw_run_posterior(sc, sweep_design(sc), a.posterior, a.no_posterior);
  std::cout << format_plan(make_plan(sc, threads_or_all(a.threads)));
  return kOk;
}

}  // namespace

Command add_plan(CLI::App& app) {
  auto a = std::make_shared<PlanArgs>();
  auto* p = app.add_subcommand(
      "plan",
      "Dry run: print the runs, youth-weeks, estimated time and memory of a scenario, and what "
      "each intervention would do in week 0; writes nothing and runs no simulation week");
  p->add_option("scenario", a->scenario, "Scenario YAML file")->required();
  add_assumptions_option(*p, a->assumptions);
  p->add_option("--set", a->sets, "Override a parameter: --set path.to.key=value (repeatable)");
  p->add_option("--replicates,-r", a->replicates,
                "Replicates per strategy (overrides simulation.replicates)")
      ->check(CLI::Range(1, 100000));
  p->add_option("--threads,-t", a->threads, "Threads of the run being planned (default: all cores)")
      ->check(CLI::Range(1, 1024));
  p->add_option("--posterior", a->posterior,
                "Calibration file the run draws its parameters from (default: the scenario's "
                "`posterior`); week 0 is shown for replicate 0's draw")
      ->check(CLI::ExistingFile);
  p->add_flag("--no-posterior", a->no_posterior, "Plan the run at the scenario's own values")
      ->excludes("--posterior");
  return {p, [a](const Context&) { return plan(*a); }};
}

}  // namespace drift::cli
