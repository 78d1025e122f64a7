#pragma once
// What the subcommands of sim/cli share: the exit codes, the context main hands the chosen
// command, the cancel flag, the progress bar, --shard, and running a process's share of the units.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "drift/experiments/experiment.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/scenario/diagnostic.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/sweep.hpp"

namespace CLI {
class App;
}

namespace drift::cli {

// Exit codes (documented in README and `drift --help`).
constexpr int kOk = 0;
constexpr int kRuntimeError = 1;
constexpr int kInvalidInput = 2;
constexpr int kInterrupted = 130;

// What main hands the chosen command.
struct Context {
  std::string command_line;                // the whole command line, recorded in files written
  int rank = 0, ranks = 1;                 // MPI rank and number of ranks (0 and 1 without MPI)
  std::function<void()> catch_interrupts;  // from then on, SIGINT and SIGTERM set cancel_flag()
};

// Set by SIGINT and SIGTERM (once Context::catch_interrupts was called); the runner polls it.
std::atomic<bool>& cancel_flag();

// `argv` joined by spaces.
std::string joined_command_line(int argc, char** argv);

// --threads, or else every hardware thread (at least 1).
int threads_or_all(std::optional<int> threads);

// The CLI11 check of --shard I/N: "" when valid, else the message.
std::string check_shard(const std::string& text);

// Adds the repeatable `--assumptions FILE` option (an existing file) to `app`.
void add_assumptions_option(CLI::App& app, std::vector<std::string>& files);

// Prints the diagnostics of `e` to stderr and returns kInvalidInput.
int report_scenario_error(const ScenarioError& e);

// The progress of the runs on stderr: a bar, runs done, time elapsed and left.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled)
      : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  void update(std::size_t done, std::size_t total);

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
};

// The options of a run the user watches: `threads` (default: all), the cancel flag, and progress
// shown on `bar`, which must outlive the run.
RunOptions watched_run_options(std::optional<int> threads, ProgressBar& bar);

// Draws the posterior a run of `sc` uses, as `drift run` and `drift plan` do: `file` when given,
// else the scenario's `posterior`, none with `none`. A parameter the sweep varies is held like
// one an assumptions file sets. Returns the calibration file used ("" for none).
std::string draw_run_posterior(Scenario& sc, const SweepDesign& design, std::string file,
                               bool none);

// Stops (std::runtime_error, exit 1) before anything is written when the run's estimated peak
// memory (experiments/plan.hpp memory_need) exceeds what the machine has available, unless
// `force`. `points`: the design points run (a calibration's); 0 for those of sc.sweep.
void guard_memory(const Scenario& sc, int threads, bool force, std::size_t points = 0);
// Stops (std::runtime_error) before anything is written when the part and result files of a run
// writing `out` would not fit on its file system, unless `force` (`points` as for disk_need).
void guard_disk(const Scenario& sc, const std::string& out, bool force, std::size_t points = 0);

// The shard I and count N of a checked --shard I/N (0 and 1 when empty).
void parse_shard(const std::string& text, int& shard, int& shards);

// Runs this process's share of the units of `sc` into OUT.parts: the shard given by --shard, or
// this rank's under MPI (rank 0 then checks every part). Returns the exit code when the command
// stops here (interrupted; an MPI rank other than 0; units of other shards still missing), or
// nullopt when every unit has its part. `lock` holds the lock of the parts folder from then on,
// until the result file is written and the parts removed.
std::optional<int> run_share(const Scenario& sc, const SweepDesign& design,
                             const RunOptions& options, const std::string& shard_text, bool resume,
                             const std::string& out, const Context& ctx,
                             std::optional<PartsLock>& lock);

}  // namespace drift::cli
