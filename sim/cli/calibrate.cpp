// drift calibrate SCENARIO --out CAL.h5: fit the parameters of the calibrate section to observed
// targets (rejection ABC or sequential ABC); write CAL.h5 and the calibrated scenario CAL.yaml
// beside it.
#include <CLI/CLI.hpp>
#ifdef DRIFT_WITH_MPI
#include <mpi.h>
#endif
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

// Sequential ABC: the generations one after another, each batch of proposals a design whose
// parts are kept under CAL.h5.parts/generation_G_batch_B/.
int calibrate_smc(const CalibrateArgs& a, const Context& ctx, const Scenario& sc,
                  const CalibrationSpec& spec, const std::vector<ObservedTarget>& targets) {
  const auto cal = calibration_scenario(sc, spec);
  guard_memory(cal, threads_or_all(a.threads), a.force, static_cast<std::size_t>(spec.points));
  // Disk: generation 0 and, at a guess, as many points again in the later generations.
  guard_disk(cal, a.out, a.force, 2 * static_cast<std::size_t>(spec.points));
  const auto parent = std::filesystem::path(a.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  int shard = 0, shards = 1;
  parse_shard(a.shard, shard, shards);
  std::function<void()> sync;
  bool mpi = false;  // ranks wait for each other after every batch; rank 0 writes the file
#ifdef DRIFT_WITH_MPI
  mpi = true;
  shard = ctx.rank;
  shards = ctx.ranks;
  sync = [] { MPI_Barrier(MPI_COMM_WORLD); };
#endif
  const std::string parts = a.out + ".parts";
  std::optional<PartsLock> lock;
  lock.emplace(parts, shard, shards);
  if (!a.resume && shards == 1) remove_calibration_parts(parts);

  ctx.catch_interrupts();
  ProgressBar bar(!a.quiet);
  RunOptions options = watched_run_options(a.threads, bar);
  const bool talk = !a.quiet && ctx.rank == 0;
  CalibrationResult result;
  SmcStatus status;
  try {
    status = run_smc(cal, spec, targets, parts, options, result, shard, shards, sync,
                     [&](int g, const SmcGeneration& gen) {
                       if (!talk) return;
                       std::cerr << "generation " << g << ": " << gen.index.size()
                                 << " particles, tolerance " << format_number(gen.tolerance) << ", "
                                 << gen.within_tolerance << " of " << gen.points_run
                                 << " points within it, ESS " << format_number(gen.ess) << "\n";
                     });
  } catch (const Cancelled&) {
    std::cerr << "\ninterrupted: finished units are kept in " << parts
              << "/; run the same command with --resume to go on\n";
    return kInterrupted;
  }
  if (!status.complete) {
    std::cout << "shard " << shard << "/" << shards << ": generation " << status.generation
              << " done here; " << status.missing
              << " of its units belong to other shards. When every shard has finished it, run "
                 "each shard again with --resume to go on to the next generation\n";
    return kOk;
  }
  if (ctx.rank != 0) return kOk;
  if (shards > 1 && !mpi) {
    std::cout << "shard " << shard << "/" << shards
              << ": every generation is done; run without --shard and with --resume to write "
              << a.out << "\n";
    return kOk;
  }
  write_calibration(a.out, cal, spec, calibration_run_design(spec, result.points), targets, result,
                    ctx.command_line);
  lock.reset();
  remove_calibration_parts(parts);
  std::cout << format_calibration(spec, targets, result);
  std::cout << "Calibration: " << a.out << "\n";
  if (result.abc.accepted.empty()) {
    std::cerr << "error: no particle was accepted; no calibrated scenario was written\n";
    return kRuntimeError;
  }
  const auto yaml_path = write_calibrated_scenario(a.out, a.scenario, spec, result, cal);
  std::cout << "Calibrated scenario: " << yaml_path << "\n";
  return kOk;
}

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
  guard_memory(cal, threads_or_all(a.threads), a.force, design.size());
  guard_disk(cal, a.out, a.force, design.size());
  const auto parent = std::filesystem::path(a.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);

  if (spec.method == "smc") return calibrate_smc(a, ctx, sc, spec, targets);

  ctx.catch_interrupts();
  ProgressBar bar(!a.quiet);
  RunOptions options = watched_run_options(a.threads, bar);
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
      "(rejection ABC or sequential ABC); write CAL.h5 and a calibrated scenario CAL.yaml beside "
      "it");
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
