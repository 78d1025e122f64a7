// drift calibrate SCENARIO --out CAL.h5: fit the parameters of the calibrate section to observed
// targets (rejection ABC); write CAL.h5 and the calibrated scenario CAL.yaml beside it.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "drift/experiments/calibration.hpp"
#include "drift/experiments/experiment.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/scenario/calibration_spec.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/targets.hpp"

namespace drift::cli {

namespace {

struct CalibrateArgs {
  std::string scenario, out, targets, shard;
  std::optional<int> threads;
  bool quiet = false, resume = false, force = false;
};

int calibrate(const CalibrateArgs& a, const Context& ctx) {
  const auto sc = load_scenario(a.scenario);
  const auto spec = calibration_spec(sc);
  const std::string targets_file = a.targets.empty() ? spec.targets : a.targets;
  if (targets_file.empty()) {
    throw ScenarioError({{a.scenario, 0, 0, "calibrate.targets",
                          "no targets file: set calibrate.targets or give --targets FILE"}});
  }
  const auto targets = load_targets(targets_file);
  // The calibrated scenario replaces only an earlier calibrated scenario, never another file
  // (such as the scenario itself when --out is beside it under the same name).
  check_calibrated_scenario_path(a.out);
  const auto cal = calibration_scenario(sc, spec);
  const auto design = calibration_design(spec);
  guard_memory(cal, threads_or_all(a.threads), a.force);
  guard_disk(cal, a.out, a.force, design.size());
  const auto parent = std::filesystem::path(a.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);

  ctx.catch_interrupts();
  ProgressBar bar(!a.quiet);
  RunOptions options;
  options.threads = threads_or_all(a.threads);
  options.cancel = &cancel_flag();
  options.progress = [&bar](std::size_t done, std::size_t total) { bar.update(done, total); };
  std::optional<PartsLock> lock;
  if (const auto stop = run_share(cal, design, options, a.shard, a.resume, a.out, ctx, lock))
    return *stop;
  const std::string parts = a.out + ".parts";
  const auto result = evaluate_calibration(cal, spec, design, targets, parts);
  write_calibration(a.out, cal, spec, design, targets, result, ctx.command_line);
  remove_parts(parts);
  std::cout << format_calibration(spec, targets, result);
  std::cout << "Calibration: " << a.out << "\n";
  if (result.abc.accepted.empty()) {
    std::cerr << "error: no design point was accepted (" << spec.acceptance.describe()
              << "); no calibrated scenario was written\n";
    return kRuntimeError;
  }
  const auto yaml_path = write_calibrated_scenario(a.out, a.scenario, spec, result, cal);
  std::cout << "Calibrated scenario: " << yaml_path << "\n";
  return kOk;
}

}  // namespace

Command add_calibrate(CLI::App& app) {
  auto a = std::make_shared<CalibrateArgs>();
  auto* cal = app.add_subcommand(
      "calibrate",
      "Fit the parameters of a scenario's calibrate section to observed targets "
      "(rejection ABC); write CAL.h5 and a calibrated scenario CAL.yaml beside it");
  cal->add_option("scenario", a->scenario, "Scenario YAML file with a calibrate section")
      ->required();
  cal->add_option("--targets", a->targets, "Targets file (overrides calibrate.targets)")
      ->check(CLI::ExistingFile);
  cal->add_option("--out,-o", a->out, "Calibration file (.h5)")->required();
  cal->add_option("--threads,-t", a->threads,
                  "Threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, 1024));
  cal->add_flag("--resume", a->resume,
                "Keep the finished units of an interrupted calibration (CAL.h5.parts/)");
  cal->add_option("--shard", a->shard, "Run only shard I of N of the units (I/N, 0-based)")
      ->check(check_shard);
  cal->add_flag("--quiet,-q", a->quiet, "No progress bar");
  cal->add_flag("--force", a->force,
                "Run even when the estimated peak memory or disk exceeds what the machine has");
  return {cal, [a](const Context& ctx) { return calibrate(*a, ctx); }};
}

}  // namespace drift::cli
