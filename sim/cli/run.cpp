// drift run SCENARIO: run every strategy and replicate (or every point of a sweep), write the
// result file and print its summary.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "drift/experiments/calibration.hpp"
#include "drift/experiments/decision.hpp"
#include "drift/experiments/experiment.hpp"
#include "drift/experiments/refill.hpp"
#include "drift/experiments/result_file.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/experiments/summary.hpp"
#include "drift/experiments/trial.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/sweep.hpp"
#include "drift/step/profile.hpp"

namespace drift::cli {

namespace {

// The values a posterior drew for a parameter, one per replicate (empty when not drawn).
std::vector<double> drawn_values(const PosteriorDraws& post, const std::string& path) {
  std::vector<double> out;
  const auto it = std::find(post.paths.begin(), post.paths.end(), path);
  if (it == post.paths.end()) return out;
  const auto j = static_cast<std::size_t>(it - post.paths.begin());
  for (const auto& point : post.points) out.push_back(point[j]);
  return out;
}

struct RunArgs {
  std::string scenario, out, shard, posterior;
  std::optional<int> replicates, threads;
  std::optional<long long> seed;
  std::vector<std::string> sets, assumptions;
  bool quiet = false, resume = false, force = false, no_posterior = false, profile = false;
};

int run(RunArgs a, const Context& ctx) {
  std::vector<Override> overrides;
  for (const auto& s : a.sets) overrides.push_back(parse_override(s));
  if (a.replicates) overrides.push_back({"simulation.replicates", std::to_string(*a.replicates)});
  if (a.seed) overrides.push_back({"simulation.seed", std::to_string(*a.seed)});
  auto sc = load_scenario(a.scenario, overrides, a.assumptions);
  // The posterior named on the command line, else the scenario's own, unless --no-posterior.
  const auto design = sweep_design(sc);
  a.posterior = draw_run_posterior(sc, design, a.posterior, a.no_posterior);
  guard_memory(sc, threads_or_all(a.threads), a.force);
  if (a.out.empty())
    a.out = "results/" + (sc.name.empty() ? std::string("drift") : sc.name) + ".h5";
  guard_disk(sc, a.out, a.force);
  const auto parent = std::filesystem::path(a.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);

  ctx.catch_interrupts();
  profile::enable(a.profile);
  profile::clear();
  ProgressBar bar(!a.quiet);
  RunOptions options = watched_run_options(a.threads, bar);
  check_posterior_against_sweep(sc.posterior, design, a.posterior);
  std::optional<PartsLock> lock;
  if (const auto stop = run_share(sc, design, options, a.shard, a.resume, a.out, ctx, lock))
    return *stop;
  const std::string parts = a.out + ".parts";
  if (design.kind.empty()) {
    const auto output = load_point(sc, design, parts, 0);
    {
      const profile::Scope timed(profile::Section::result_file);
      write_results(a.out, sc, output, {ctx.command_line});
    }
    const auto summary = summarize(sc.params, output);
    std::cout << format_table(summary);
    std::cout << format_refill(refill_of(sc, series_of(output)), sc.params.simulation.replicates);
    auto decision = decide(summary, static_cast<std::uint32_t>(sc.params.simulation.seed));
    decision.parameter_uncertainty = !sc.posterior.empty();
    std::cout << format_decision(decision);
    if (!sc.posterior.held_fixed.empty()) {
      std::cout << "Held at the values set here, not drawn from the posterior:";
      for (const auto& p : sc.posterior.held_fixed) std::cout << " " << p;
      std::cout << "\n";
    }
    std::cout << "\n"
              << market_assumption(sc.params, drawn_values(sc.posterior, "market.replacement"));
    for (std::size_t k = 0; k < sc.assumptions.size(); ++k)
      std::cout << "Assumptions laid over the scenario: " << sc.assumptions[k] << " ("
                << sc.assumption_files[k] << ")\n";
    if (const auto trial = summarize_trial(sc, output)) std::cout << format_trial(*trial);
  } else {
    write_sweep_results(a.out, sc, design, parts, ctx.command_line);
    std::cout << "Sweep (" << design.kind << "): " << design.size() << " points x "
              << sc.params.simulation.replicates << " replicates x " << sc.strategies.size()
              << " strategies\n";
  }
  remove_parts(parts);
  if (a.profile) {
    std::cout << "\nWhere the time went (thread-seconds of every thread, " << profile::youth_weeks()
              << " youth-weeks stepped):\n"
              << profile::format(profile::rows(), profile::youth_weeks());
  }
  std::cout << "Results: " << a.out << "\n";
  return kOk;
}

}  // namespace

Command add_run(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  auto* run_app = app.add_subcommand("run",
                                     "Validate a scenario, run every strategy and replicate, "
                                     "write an HDF5 result file and print a summary");
  run_app->add_option("scenario", a->scenario, "Scenario YAML file")->required();
  run_app->add_option("--out,-o", a->out, "Result file (default: results/<scenario name>.h5)");
  run_app
      ->add_option("--replicates,-r", a->replicates,
                   "Replicates per strategy (overrides simulation.replicates)")
      ->check(CLI::Range(1, 100000));
  run_app->add_option("--seed,-s", a->seed, "Root seed (overrides simulation.seed)")
      ->check(CLI::Range(0LL, 2147483647LL));
  run_app
      ->add_option("--threads,-t", a->threads,
                   "Threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, 1024));
  add_assumptions_option(*run_app, a->assumptions);
  run_app->add_option("--set", a->sets,
                      "Override a parameter: --set path.to.key=value (repeatable)");
  run_app->add_flag("--quiet,-q", a->quiet, "No progress bar");
  run_app->add_flag("--profile", a->profile,
                    "Print where the time went: world builds, burn-in, copies, each process, "
                    "each intervention, recording, part and result files (docs/performance.md)");
  run_app->add_flag("--force", a->force,
                    "Run even when the estimated peak memory or disk exceeds what the machine has");
  run_app->add_flag("--resume", a->resume,
                    "Keep the finished units of an interrupted run (RESULTS.h5.parts/) and run "
                    "only the missing ones");
  run_app
      ->add_option("--shard", a->shard,
                   "Run only shard I of N of the units (I/N, 0-based), e.g. one per cluster job; "
                   "a final run with --resume and no --shard writes the result file")
      ->check(check_shard);
  run_app
      ->add_option("--posterior", a->posterior,
                   "Calibration file (drift calibrate): replicate r of every strategy runs with "
                   "the parameters of one posterior draw (default: the scenario's `posterior`)")
      ->check(CLI::ExistingFile);
  run_app
      ->add_flag("--no-posterior", a->no_posterior,
                 "Run at the scenario's own parameter values, ignoring its `posterior`")
      ->excludes("--posterior");
  return {run_app, [a](const Context& ctx) { return run(*a, ctx); }};
}

}  // namespace drift::cli
