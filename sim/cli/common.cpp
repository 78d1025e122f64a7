#include "common.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "drift/experiments/calibration.hpp"
#include "drift/experiments/plan.hpp"
#include "drift/experiments/runner.hpp"

#ifdef DRIFT_WITH_MPI
#include <mpi.h>
#endif

namespace drift::cli {

namespace {

std::atomic<bool> g_cancel{false};

}  // namespace

void parse_shard(const std::string& text, int& shard, int& shards) {
  if (text.empty()) return;
  const auto slash = text.find('/');
  shard = std::stoi(text.substr(0, slash));
  shards = std::stoi(text.substr(slash + 1));
}

std::atomic<bool>& cancel_flag() {
  return g_cancel;
}

std::string joined_command_line(int argc, char** argv) {
  std::string s;
  for (int k = 0; k < argc; ++k) {
    if (k > 0) s += ' ';
    s += argv[k];
  }
  return s;
}

int threads_or_all(std::optional<int> threads) {
  return threads.value_or(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
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

void add_assumptions_option(CLI::App& app, std::vector<std::string>& files) {
  app.add_option("--assumptions", files,
                 "Lay a named assumptions file (parameter groups only, e.g. "
                 "scenarios/assumptions/market_no_replacement.yaml) over the scenario; repeatable, "
                 "later files win, --set wins over all")
      ->check(CLI::ExistingFile);
}

RunOptions watched_run_options(std::optional<int> threads, ProgressBar& bar) {
  RunOptions options;
  options.threads = threads_or_all(threads);
  options.cancel = &cancel_flag();
  options.progress = [&bar](std::size_t done, std::size_t total) { bar.update(done, total); };
  return options;
}

int report_scenario_error(const ScenarioError& e) {
  for (const auto& d : e.diagnostics()) std::cerr << d.format() << "\n";
  std::cerr << e.diagnostics().size() << " problem(s) found; nothing was run.\n";
  return kInvalidInput;
}

void ProgressBar::update(std::size_t done, std::size_t total) {
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

std::optional<int> run_share(const Scenario& sc, const SweepDesign& design,
                             const RunOptions& options, const std::string& shard_text, bool resume,
                             const std::string& out, [[maybe_unused]] const Context& ctx,
                             std::optional<PartsLock>& lock) {
  int shard = 0, shards = 1;
  parse_shard(shard_text, shard, shards);
#ifdef DRIFT_WITH_MPI
  shard = ctx.rank;
  shards = ctx.ranks;
#endif
  const std::string parts = out + ".parts";
  lock.emplace(parts, shard, shards);
  if (!resume && shards == 1) remove_parts(parts);
  std::size_t missing = 0;
  try {
    missing = run_units(sc, design, parts, options, shard, shards);
  } catch (const Cancelled&) {
    std::cerr << "\ninterrupted: finished units are kept in " << parts
              << "/; run the same command with --resume to finish\n";
    return kInterrupted;
  }
#ifdef DRIFT_WITH_MPI
  lock.reset();  // every rank's, before rank 0 takes the lock of the whole plan
  MPI_Barrier(MPI_COMM_WORLD);
  if (ctx.rank != 0) return kOk;
  lock.emplace(parts, 0, 1);
  missing = run_units(sc, design, parts, options, 0, 1);  // verifies every part
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

void guard_memory(const Scenario& sc, int threads, bool force, std::size_t points) {
  if (force) return;
  const auto problem = memory_problem(memory_need(sc, threads, points), available_memory_bytes());
  if (!problem.empty()) throw std::runtime_error(problem);
}

void guard_disk(const Scenario& sc, const std::string& out, bool force, std::size_t points) {
  if (force) return;
  const auto problem = disk_problem(disk_need(sc, points), available_disk_bytes(out), out);
  if (!problem.empty()) throw std::runtime_error(problem);
}

std::string draw_run_posterior(Scenario& sc, const SweepDesign& design, std::string file,
                               bool none) {
  if (file.empty() && !none) file = sc.posterior_file;
  // A swept parameter is set by the sweep at each point: the posterior draws the others.
  sc.fixed_paths.insert(sc.fixed_paths.end(), design.paths.begin(), design.paths.end());
  if (!file.empty()) sc.posterior = draw_posterior(file, sc);
  return file;
}

}  // namespace drift::cli
