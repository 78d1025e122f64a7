// The drift command-line program: a thin face over scenario, experiment and results.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "drift/experiments/result_file.hpp"
#include "drift/build_info.hpp"
#include "drift/experiments/calibration.hpp"
#include "drift/experiments/experiment.hpp"
#include "drift/model/parameters.hpp"
#include "drift/results/results.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/experiments/summary.hpp"
#include "drift/scenario/targets.hpp"
#include "drift/experiments/trial.hpp"
#include "drift/scenario/sweep.hpp"

namespace {

// Exit codes (documented in README and `drift --help`).
constexpr int kOk = 0;
constexpr int kRuntimeError = 1;
constexpr int kInvalidInput = 2;
constexpr int kInterrupted = 130;

std::atomic<bool> g_cancel{false};
extern "C" void on_signal(int) { g_cancel.store(true); }

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  void update(std::size_t done, std::size_t total) {
    if (!enabled_ || total == 0) return;
    const double frac = static_cast<double>(done) / total;
    const int width = 30;
    const int filled = static_cast<int>(frac * width);
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double eta = done > 0 ? elapsed * (total - done) / done : 0.0;
    std::fprintf(stderr, "\r[%s%s] %zu/%zu runs  %.0fs elapsed, ~%.0fs left ",
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(), done,
                 total, elapsed, eta);
    if (done == total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
};

std::string joined_command_line(int argc, char** argv) {
  std::string s;
  for (int k = 0; k < argc; ++k) {
    if (k > 0) s += ' ';
    s += argv[k];
  }
  return s;
}

std::string check_shard(const std::string& v) {
  const auto slash = v.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument(v);
    const int i = std::stoi(v.substr(0, slash)), n = std::stoi(v.substr(slash + 1));
    if (n < 1 || i < 0 || i >= n) throw std::invalid_argument(v);
  } catch (...) {
    return std::string("expected I/N with 0 <= I < N, got '" + v + "'");
  }
  return std::string();
}

void parse_shard(const std::string& text, int& shard, int& shards) {
  if (text.empty()) return;
  const auto slash = text.find('/');
  shard = std::stoi(text.substr(0, slash));
  shards = std::stoi(text.substr(slash + 1));
}

int report_scenario_error(const drift::ScenarioError& e) {
  for (const auto& d : e.diagnostics()) std::cerr << d.format() << "\n";
  std::cerr << e.diagnostics().size() << " problem(s) found; nothing was run.\n";
  return kInvalidInput;
}

}  // namespace

#ifdef DRIFT_WITH_MPI
#include <mpi.h>
namespace {
// MPI lives for the whole program: each rank runs its share of the units.
struct MpiSession {
  int rank = 0, size = 1;
  MpiSession(int* argc, char*** argv) {
    MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  }
  ~MpiSession() { MPI_Finalize(); }
};
}  // namespace
#endif

namespace {
// Runs this process's share of the units of `sc` into OUT.parts: the shard given by --shard, or
// this rank's under MPI (rank 0 then checks every part). Returns the exit code when the command
// stops here (interrupted; an MPI rank other than 0; units of other shards still missing), or
// nullopt when every unit has its part. `lock` holds the lock of the parts folder from then on,
// until the result file is written and the parts removed.
std::optional<int> run_share(const drift::Scenario& sc, const drift::SweepDesign& design,
                             const drift::RunOptions& options, const std::string& shard_text,
                             bool resume, const std::string& out, [[maybe_unused]] int rank,
                             [[maybe_unused]] int ranks, std::optional<drift::PartsLock>& lock) {
  int shard = 0, shards = 1;
  parse_shard(shard_text, shard, shards);
#ifdef DRIFT_WITH_MPI
  shard = rank;
  shards = ranks;
#endif
  const std::string parts = out + ".parts";
  lock.emplace(parts, shard, shards);
  if (!resume && shards == 1) drift::remove_parts(parts);
  std::size_t missing = 0;
  try {
    missing = drift::run_units(sc, design, parts, options, shard, shards);
  } catch (const drift::Cancelled&) {
    std::cerr << "\ninterrupted: finished units are kept in " << parts
              << "/; run the same command with --resume to finish\n";
    return kInterrupted;
  }
#ifdef DRIFT_WITH_MPI
  lock.reset();  // every rank's, before rank 0 takes the lock of the whole plan
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank != 0) return kOk;
  lock.emplace(parts, 0, 1);
  missing = drift::run_units(sc, design, parts, options, 0, 1);  // verifies every part
#endif
  if (missing > 0) {
    std::cout << "shard " << shard << "/" << shards << " done; " << missing
              << " units belong to other shards. When all are done, run without --shard and "
                 "with --resume to write "
              << out << "\n";
    return kOk;
  }
  return std::nullopt;
}
}  // namespace

int main(int argc, char** argv) {
#ifdef DRIFT_WITH_MPI
  MpiSession mpi(&argc, &argv);
  const int rank = mpi.rank, ranks = mpi.size;
#else
  const int rank = 0, ranks = 1;
#endif
  CLI::App app{"Drift: agent-based simulation of youths drifting into drug dealing, and of what "
               "interventions do about it.\nExit codes: 0 ok, 1 runtime error, 2 invalid input, "
               "130 interrupted."};
  app.set_version_flag("--version", std::string(drift::build_info::version) + " (" +
                                        drift::build_info::git_commit + ")");
  app.require_subcommand(1);

  // drift run
  auto* run = app.add_subcommand("run", "Validate a scenario, run every strategy and replicate, "
                                        "write an HDF5 result file and print a summary");
  std::string run_file, out_file;
  std::optional<int> replicates, threads_opt;
  std::optional<long long> seed;
  std::vector<std::string> sets;
  bool quiet = false, resume = false;
  std::string shard_text;
  run->add_option("scenario", run_file, "Scenario YAML file")->required();
  run->add_option("--out,-o", out_file, "Result file (default: results/<scenario name>.h5)");
  run->add_option("--replicates,-r", replicates, "Replicates per strategy (overrides simulation.replicates)")
      ->check(CLI::Range(1, 100000));
  run->add_option("--seed,-s", seed, "Root seed (overrides simulation.seed)")
      ->check(CLI::Range(0LL, 2147483647LL));
  run->add_option("--threads,-t", threads_opt, "Threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, 1024));
  run->add_option("--set", sets, "Override a parameter: --set path.to.key=value (repeatable)");
  run->add_flag("--quiet,-q", quiet, "No progress bar");
  run->add_flag("--resume", resume,
                "Keep the finished units of an interrupted run (RESULTS.h5.parts/) and run only "
                "the missing ones");
  run->add_option("--shard", shard_text,
                  "Run only shard I of N of the units (I/N, 0-based), e.g. one per cluster job; "
                  "a final run with --resume and no --shard writes the result file")
      ->check(check_shard);
  std::string posterior_file;
  run->add_option("--posterior", posterior_file,
                  "Calibration file (drift calibrate): replicate r of every strategy runs with the "
                  "parameters of one posterior draw")
      ->check(CLI::ExistingFile);

  // drift calibrate
  auto* calibrate = app.add_subcommand(
      "calibrate",
      "Fit the parameters of a scenario's calibrate section to observed targets "
      "(rejection ABC); write CAL.h5 and a calibrated scenario CAL.yaml beside it");
  std::string cal_file, cal_out, cal_targets, cal_shard_text;
  std::optional<int> cal_threads;
  bool cal_quiet = false, cal_resume = false;
  calibrate->add_option("scenario", cal_file, "Scenario YAML file with a calibrate section")
      ->required();
  calibrate->add_option("--targets", cal_targets, "Targets file (overrides calibrate.targets)")
      ->check(CLI::ExistingFile);
  calibrate->add_option("--out,-o", cal_out, "Calibration file (.h5)")->required();
  calibrate
      ->add_option("--threads,-t", cal_threads,
                   "Threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, 1024));
  calibrate->add_flag("--resume", cal_resume,
                      "Keep the finished units of an interrupted calibration (CAL.h5.parts/)");
  calibrate
      ->add_option("--shard", cal_shard_text, "Run only shard I of N of the units (I/N, 0-based)")
      ->check(check_shard);
  calibrate->add_flag("--quiet,-q", cal_quiet, "No progress bar");

  // drift validate
  auto* validate = app.add_subcommand("validate", "Check a scenario file (or a targets file); exit 0 when valid");
  std::string validate_file;
  std::vector<std::string> validate_sets;
  validate->add_option("scenario", validate_file, "Scenario YAML file")->required();
  validate->add_option("--set", validate_sets, "Override a parameter: --set path.to.key=value");

  // drift plan
  auto* plan = app.add_subcommand(
      "plan",
      "Dry run: print the runs, youth-weeks, estimated time and memory of a scenario, and what "
      "each intervention would do in week 0; writes nothing and runs no simulation week");
  std::string plan_file;
  std::vector<std::string> plan_sets;
  std::optional<int> plan_replicates, plan_threads;
  plan->add_option("scenario", plan_file, "Scenario YAML file")->required();
  plan->add_option("--set", plan_sets, "Override a parameter: --set path.to.key=value (repeatable)");
  plan->add_option("--replicates,-r", plan_replicates,
                   "Replicates per strategy (overrides simulation.replicates)")
      ->check(CLI::Range(1, 100000));
  plan->add_option("--threads,-t", plan_threads, "Threads of the run being planned (default: all cores)")
      ->check(CLI::Range(1, 1024));

  // drift schema
  auto* schema = app.add_subcommand("schema", "Print the JSON Schema of scenario files");

  // drift params
  auto* params = app.add_subcommand("params", "List every model parameter with unit, default, range and source");
  bool markdown = false;
  params->add_flag("--markdown", markdown, "As a Markdown table (the one in docs/parameters.md)");

  // drift summarize
  auto* summarize = app.add_subcommand(
      "summarize",
      "Print the summary table of a result file (or the tables of a calibration file)");
  std::string summary_file, summary_format = "table";
  summarize->add_option("results", summary_file, "Result file (.h5)")->required()->check(CLI::ExistingFile);
  summarize->add_option("--format", summary_format, "table or csv")
      ->check(CLI::IsMember({"table", "csv"}));

  // drift verify
  auto* verify = app.add_subcommand(
      "verify",
      "Re-run the scenario embedded in a result file of `drift run` (same seed and replicates) and "
      "compare the new result file with it dataset by dataset, bit for bit. Exit 0 when reproduced, "
      "1 when not (each differing dataset is listed), 2 when the file is not a result file verify "
      "can re-run (sweep, calibration and --posterior files are not supported yet)");
  drift::cli::VerifyOptions verify_options;
  verify->add_option("results", verify_options.results, "Result file (.h5) written by drift run")->required();
  verify->add_option("--threads", verify_options.threads, "Threads (default: all hardware threads)")
      ->check(CLI::PositiveNumber);
  verify->add_option("--keep", verify_options.keep,
                     "Keep the re-run's result file at PATH (default: a temporary file, removed)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version print and succeed; every other parse error is invalid input.
    const int code = app.exit(e);
    return code == 0 ? kOk : kInvalidInput;
  }

  try {
    if (*verify) {
      std::signal(SIGINT, on_signal);
      std::signal(SIGTERM, on_signal);
      verify_options.command_line = joined_command_line(argc, argv);
      verify_options.cancel = &g_cancel;
      return drift::cli::verify(verify_options);
    }
    if (*validate) {
      if (validate_sets.empty() && drift::is_targets_file(validate_file)) {
        const auto targets = drift::load_targets(validate_file);
        const auto fit = std::count_if(targets.begin(), targets.end(), [](const auto& t) { return t.fit; });
        std::cout << validate_file << ": valid targets file (" << targets.size() << " targets: " << fit
                  << " for fitting, " << targets.size() - static_cast<std::size_t>(fit) << " held out)\n";
        return kOk;
      }
      std::vector<drift::Override> overrides;
      for (const auto& s : validate_sets) overrides.push_back(drift::parse_override(s));
      const auto sc = drift::load_scenario(validate_file, overrides);
      std::cout << validate_file << ": valid (" << sc.strategies.size() << " strategies, "
                << sc.areas.size() << " areas)\n";
      return kOk;
    }
    if (*plan) {
      return drift::cli::run_plan_command(
          plan_file, plan_sets, plan_replicates,
          plan_threads.value_or(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))));
    }
    if (*schema) {
      std::cout << drift::scenario_json_schema() << "\n";
      return kOk;
    }
    if (*params) {
      std::cout << drift::parameter_listing(markdown);
      return kOk;
    }
    if (*summarize) {
      if (drift::is_calibration_file(summary_file)) {
        std::cout << drift::format_calibration_file(summary_file);
        return kOk;
      }
      if (drift::is_sweep_file(summary_file)) {
        std::cout << drift::format_sweep_file(summary_file, summary_format == "csv");
        return kOk;
      }
      const auto summary = drift::summarize_file(summary_file);
      std::cout << (summary_format == "csv" ? drift::format_csv(summary) : drift::format_table(summary));
      if (summary_format == "table" && drift::has_trial(summary_file)) {
        std::cout << drift::format_trial(drift::read_trial(summary_file));
      }
      return kOk;
    }
    if (*calibrate) {
      const auto sc = drift::load_scenario(cal_file);
      const auto spec = drift::calibration_spec(sc);
      const std::string targets_file = cal_targets.empty() ? spec.targets : cal_targets;
      if (targets_file.empty()) {
        throw drift::ScenarioError(
            {{cal_file, 0, 0, "calibrate.targets",
              "no targets file: set calibrate.targets or give --targets FILE"}});
      }
      const auto targets = drift::load_targets(targets_file);
      namespace fs = std::filesystem;
      const auto yaml_path = fs::path(cal_out).replace_extension(".yaml");
      // The calibrated scenario replaces only an earlier calibrated scenario, never another file
      // (such as the scenario itself when --out is beside it under the same name).
      if (fs::exists(yaml_path)) {
        std::ifstream existing(yaml_path);
        std::string first;
        std::getline(existing, first);
        if (!first.starts_with("# Calibrated parameters")) {
          throw drift::ScenarioError(
              {{"--out", 0, 0, "",
                "the calibrated scenario would replace " + yaml_path.string() +
                    ", which was not written by drift calibrate; choose another --out"}});
        }
      }
      const auto cal = drift::calibration_scenario(sc, spec);
      const auto design = drift::calibration_design(spec);
      const auto parent = std::filesystem::path(cal_out).parent_path();
      if (!parent.empty()) std::filesystem::create_directories(parent);

      std::signal(SIGINT, on_signal);
      std::signal(SIGTERM, on_signal);
      ProgressBar bar(!cal_quiet);
      drift::RunOptions options;
      options.threads =
          cal_threads.value_or(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
      options.cancel = &g_cancel;
      options.progress = [&bar](std::size_t done, std::size_t total) { bar.update(done, total); };
      std::optional<drift::PartsLock> lock;
      if (const auto stop = run_share(cal, design, options, cal_shard_text, cal_resume, cal_out, rank, ranks, lock)) {
        return *stop;
      }
      const std::string parts = cal_out + ".parts";
      const auto result = drift::evaluate_calibration(cal, spec, design, targets, parts);
      drift::write_calibration(cal_out, cal, spec, design, targets, result,
                               joined_command_line(argc, argv));
      drift::remove_parts(parts);
      std::cout << drift::format_calibration(spec, targets, result);
      std::cout << "Calibration: " << cal_out << "\n";
      if (result.abc.accepted.empty()) {
        std::cerr << "error: no design point was accepted (" << spec.acceptance.describe()
                  << "); no calibrated scenario was written\n";
        return kRuntimeError;
      }
      const auto out_dir = fs::absolute(yaml_path).parent_path();
      const auto rel = fs::relative(fs::absolute(cal_file), out_dir).generic_string();
      const std::string tmp = yaml_path.string() + ".tmp";
      {
        std::ofstream o(tmp, std::ios::trunc);
        o << drift::calibrated_scenario_yaml(rel, fs::path(cal_out).filename().string(), spec,
                                             result, drift::text_hash(cal.resolved_yaml));
        if (!o) throw std::runtime_error(tmp + ": cannot write");
      }
      fs::rename(tmp, yaml_path);
      std::cout << "Calibrated scenario: " << yaml_path.string() << "\n";
      return kOk;
    }
    if (*run) {
      std::vector<drift::Override> overrides;
      for (const auto& s : sets) overrides.push_back(drift::parse_override(s));
      if (replicates) overrides.push_back({"simulation.replicates", std::to_string(*replicates)});
      if (seed) overrides.push_back({"simulation.seed", std::to_string(*seed)});
      auto sc = drift::load_scenario(run_file, overrides);
      if (!posterior_file.empty()) sc.posterior = drift::draw_posterior(posterior_file, sc);
      if (out_file.empty()) out_file = "results/" + (sc.name.empty() ? std::string("drift") : sc.name) + ".h5";
      const auto parent = std::filesystem::path(out_file).parent_path();
      if (!parent.empty()) std::filesystem::create_directories(parent);

      std::signal(SIGINT, on_signal);
      std::signal(SIGTERM, on_signal);
      ProgressBar bar(!quiet);
      drift::RunOptions options;
      options.threads = threads_opt.value_or(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
      options.cancel = &g_cancel;
      options.progress = [&bar](std::size_t done, std::size_t total) { bar.update(done, total); };
      const auto design = drift::sweep_design(sc);
      for (const auto& p : sc.posterior.paths) {
        if (std::find(design.paths.begin(), design.paths.end(), p) != design.paths.end()) {
          throw drift::ScenarioError({{posterior_file, 0, 0, p,
                                       "'" + p +
                                           "' is both swept and drawn from the posterior; "
                                           "remove it from one of them"}});
        }
      }
      std::optional<drift::PartsLock> lock;
      if (const auto stop = run_share(sc, design, options, shard_text, resume, out_file, rank, ranks, lock)) {
        return *stop;
      }
      const std::string parts = out_file + ".parts";
      const auto command_line = joined_command_line(argc, argv);
      if (design.kind.empty()) {
        const auto output = drift::load_point(sc, design, parts, 0);
        drift::write_results(out_file, sc, output, {command_line});
        std::cout << drift::format_table(drift::summarize(sc.params, output));
        if (const auto trial = drift::summarize_trial(sc, output)) std::cout << drift::format_trial(*trial);
      } else {
        drift::write_sweep_results(out_file, sc, design, parts, command_line);
        std::cout << "Sweep (" << design.kind << "): " << design.size() << " points x "
                  << sc.params.simulation.replicates << " replicates x " << sc.strategies.size()
                  << " strategies\n";
      }
      drift::remove_parts(parts);
      std::cout << "Results: " << out_file << "\n";
      return kOk;
    }
  } catch (const drift::ScenarioError& e) {
    return report_scenario_error(e);
  } catch (const drift::Cancelled&) {
    std::cerr << "\ninterrupted: no result file was written\n";
    return kInterrupted;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kRuntimeError;
  }
  return kOk;
}
