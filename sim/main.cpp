// The drift command-line program: a thin face over scenario, experiment and results.
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "drift/build_info.hpp"
#include "drift/experiment.hpp"
#include "drift/parameters.hpp"
#include "drift/results.hpp"
#include "drift/scenario.hpp"
#include "drift/summary.hpp"

namespace {

// Exit codes (documented in README and `drift --help`).
constexpr int kOk = 0;
constexpr int kRuntimeError = 1;
constexpr int kInvalidInput = 2;  // CLI11 also uses 2-ish codes for bad arguments
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
  for (int k = 0; k < argc; ++k) s += (k ? " " : "") + std::string(argv[k]);
  return s;
}

int report_scenario_error(const drift::ScenarioError& e) {
  for (const auto& d : e.diagnostics()) std::cerr << d.format() << "\n";
  std::cerr << e.diagnostics().size() << " problem(s) found; nothing was run.\n";
  return kInvalidInput;
}

}  // namespace

int main(int argc, char** argv) {
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
  bool quiet = false;
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

  // drift validate
  auto* validate = app.add_subcommand("validate", "Check a scenario file; exit 0 when valid");
  std::string validate_file;
  std::vector<std::string> validate_sets;
  validate->add_option("scenario", validate_file, "Scenario YAML file")->required();
  validate->add_option("--set", validate_sets, "Override a parameter: --set path.to.key=value");

  // drift schema
  auto* schema = app.add_subcommand("schema", "Print the JSON Schema of scenario files");

  // drift params
  auto* params = app.add_subcommand("params", "List every model parameter with unit, default, range and source");
  bool markdown = false;
  params->add_flag("--markdown", markdown, "As a Markdown table (the one in docs/parameters.md)");

  // drift summarize
  auto* summarize = app.add_subcommand("summarize", "Print the summary table of a result file");
  std::string summary_file, summary_format = "table";
  summarize->add_option("results", summary_file, "Result file (.h5)")->required()->check(CLI::ExistingFile);
  summarize->add_option("--format", summary_format, "table or csv")
      ->check(CLI::IsMember({"table", "csv"}));

  CLI11_PARSE(app, argc, argv);

  try {
    if (*validate) {
      std::vector<drift::Override> overrides;
      for (const auto& s : validate_sets) overrides.push_back(drift::parse_override(s));
      const auto sc = drift::load_scenario(validate_file, overrides);
      std::cout << validate_file << ": valid (" << sc.strategies.size() << " strategies, "
                << sc.areas.size() << " areas)\n";
      return kOk;
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
      const auto summary = drift::summarize_file(summary_file);
      std::cout << (summary_format == "csv" ? drift::format_csv(summary) : drift::format_table(summary));
      return kOk;
    }
    if (*run) {
      std::vector<drift::Override> overrides;
      for (const auto& s : sets) overrides.push_back(drift::parse_override(s));
      if (replicates) overrides.push_back({"simulation.replicates", std::to_string(*replicates)});
      if (seed) overrides.push_back({"simulation.seed", std::to_string(*seed)});
      const auto sc = drift::load_scenario(run_file, overrides);
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
      const auto output = drift::run_experiment(sc, options);
      drift::write_results(out_file, sc, output, {joined_command_line(argc, argv)});
      std::cout << drift::format_table(drift::summarize(sc.params, output));
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
