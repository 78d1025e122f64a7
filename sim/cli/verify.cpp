// drift verify RESULTS.h5: does re-running the embedded scenario reproduce the file?
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "commands.hpp"
#include "drift/experiments/calibration.hpp"
#include "drift/experiments/result_file.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/results/compare.hpp"
#include "drift/results/results.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/sweep.hpp"

namespace drift::cli {

namespace {

namespace fs = std::filesystem;

constexpr int kReproduced = 0;
constexpr int kNotReproduced = 1;
constexpr int kNotSupported = 2;
constexpr std::size_t kMaxListed = 10;

struct VerifyOptions {
  std::string results;         // the result file to reproduce
  std::optional<int> threads;  // default: every hardware thread
  std::string keep;            // when set, the re-run's result file is kept here
  std::string command_line;    // recorded in the re-run's result file
  const std::atomic<bool>* cancel = nullptr;
};

// Why `path` is not a result file verify can re-run, or "" when it is one.
std::string unsupported(const std::string& path, std::string& scenario_yaml) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return "no such file";
  try {
    const ResultReader reader(path);
    if (is_calibration_file(path)) return "a calibration file; verify does not support those yet";
    if (reader.exists("/sweep")) return "a sweep result file; verify does not support those yet";
    if (!reader.has_attribute("/", "format_version")) return "no root attribute format_version";
    if (!reader.has_attribute("/", "scenario_yaml")) return "no root attribute scenario_yaml";
    if (reader.attribute("/", "format") != "drift-results")
      return "root attribute format is not drift-results";
    scenario_yaml = reader.attribute("/", "scenario_yaml");
  } catch (const std::exception&) {
    return "not HDF5";
  }
  return "";
}

// The posterior draws a result file's replicates ran with (`/posterior`, written by drift run with
// a posterior): verify re-runs with exactly these values rather than drawing again, so neither
// the calibration file nor its place on disk is needed.
PosteriorDraws posterior_of(const std::string& path, int replicates) {
  PosteriorDraws post;
  const ResultReader reader(path);
  if (!reader.exists("/posterior")) return post;
  post.file = reader.attribute("/posterior", "calibration_file");
  post.paths = reader.strings("/posterior/parameter_names");
  const auto reps = static_cast<std::uint64_t>(replicates);
  const auto index = reader.dataset("/posterior/draw_index", {reps}).values;
  const auto points = reader.dataset("/posterior/points", {reps, post.paths.size()}).values;
  for (std::uint64_t r = 0; r < reps; ++r) {
    if (!(index[r] >= 0 && index[r] < 1e15))
      throw std::runtime_error(path + ": /posterior/draw_index: expected a row number, got " +
                               std::to_string(index[r]));
    post.draw_index.push_back(static_cast<std::size_t>(index[r]));
    post.points.emplace_back(
        points.begin() + static_cast<std::ptrdiff_t>(r * post.paths.size()),
        points.begin() + static_cast<std::ptrdiff_t>((r + 1) * post.paths.size()));
  }
  return post;
}

// A fresh folder for the re-run, removed when done.
class TempFolder {
 public:
  TempFolder() {
    path_ = fs::temp_directory_path() / ("drift_verify_" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// Re-runs the scenario embedded in a result file and compares the new result file with it
// dataset by dataset. Returns 0 when reproduced, 1 when not (or on a runtime error), 2 when the
// file is not a result file verify can re-run.
int verify(const VerifyOptions& options) {
  const std::string& file = options.results;
  std::string yaml;
  if (const auto why = unsupported(file, yaml); !why.empty()) {
    std::cout << file << ": not a Drift result file (" << why << ")\n";
    return kNotSupported;
  }
  Scenario sc;
  try {
    sc = load_scenario_text(yaml, "scenario_yaml");
  } catch (const ScenarioError& e) {
    const auto& d = e.diagnostics();
    std::cout << file << ": not a Drift result file (its scenario_yaml does not load: "
              << (d.empty() ? std::string("invalid") : d.front().format()) << ")\n";
    return kNotSupported;
  }
  sc.posterior = posterior_of(file, sc.params.simulation.replicates);
  const auto design = sweep_design(sc);
  if (!design.kind.empty()) {
    std::cout << file << ": not a Drift result file (a sweep; verify does not support those yet)\n";
    return kNotSupported;
  }

  TempFolder tmp;
  const std::string out = options.keep.empty() ? tmp.path("reproduced.h5") : options.keep;
  const std::string parts = tmp.path("reproduced.h5.parts");
  RunOptions run;
  run.threads = threads_or_all(options.threads);
  run.cancel = options.cancel;
  // Exactly as `drift run` does it: the units into part files, then the result file from them.
  run_units(sc, design, parts, run, 0, 1);
  const auto output = load_point(sc, design, parts, 0);
  write_results(out, sc, output, {options.command_line});
  remove_parts(parts);

  const auto cmp = compare_result_files(file, out);
  if (cmp.equal) {
    std::cout << "reproduced: " << cmp.datasets_compared << " datasets identical\n";
    return kReproduced;
  }
  for (std::size_t k = 0; k < cmp.differing.size() && k < kMaxListed; ++k) {
    std::cout << "differs: " << cmp.differing[k] << "\n";
  }
  if (cmp.differing.size() > kMaxListed) {
    std::cout << "... and " << cmp.differing.size() - kMaxListed << " more\n";
  }
  const auto differing_datasets = static_cast<std::size_t>(
      std::count_if(cmp.differing.begin(), cmp.differing.end(),
                    [](const std::string& p) { return p.find(" @") == std::string::npos; }));
  std::cout << "NOT reproduced: " << differing_datasets << " of " << cmp.datasets_compared
            << " datasets differ";
  if (differing_datasets < cmp.differing.size()) {
    std::cout << " (and " << cmp.differing.size() - differing_datasets << " attributes)";
  }
  std::cout << "; first: " << cmp.first_difference << "\n";
  return kNotReproduced;
}

}  // namespace

Command add_verify(CLI::App& app) {
  auto options = std::make_shared<VerifyOptions>();
  auto* v = app.add_subcommand(
      "verify",
      "Re-run the scenario embedded in a result file of `drift run` (same seed and replicates) and "
      "compare the new result file with it dataset by dataset, bit for bit. Exit 0 when "
      "reproduced, "
      "1 when not (each differing dataset is listed), 2 when the file is not a result file verify "
      "can re-run (sweep and calibration files are not supported yet); a run with posterior draws "
      "is "
      "re-run with the draws stored in the file");
  v->add_option("results", options->results, "Result file (.h5) written by drift run")->required();
  v->add_option("--threads", options->threads, "Threads (default: all hardware threads)")
      ->check(CLI::PositiveNumber);
  v->add_option("--keep", options->keep,
                "Keep the re-run's result file at PATH (default: a temporary file, removed)");
  return {v, [options](const Context& ctx) {
            ctx.catch_interrupts();
            VerifyOptions o = *options;
            o.command_line = ctx.command_line;
            o.cancel = &cancel_flag();
            return verify(o);
          }};
}

}  // namespace drift::cli
