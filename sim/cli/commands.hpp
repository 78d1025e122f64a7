#pragma once
// Subcommands of the drift program that live in their own source file of sim/cli; main.cpp
// parses the command line and dispatches to them. Each throws drift::ScenarioError for invalid
// input (main reports it and exits 2) and returns the exit code.
#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace drift::cli {

struct VerifyOptions {
  std::string results;               // the result file to reproduce
  std::optional<int> threads;        // default: every hardware thread
  std::string keep;                  // when set, the re-run's result file is kept here
  std::string command_line;          // recorded in the re-run's result file
  const std::atomic<bool>* cancel = nullptr;
};

// `drift verify`: re-runs the scenario embedded in a result file and compares the new result
// file with it dataset by dataset. Returns 0 when reproduced, 1 when not (or on a runtime
// error), 2 when the file is not a result file verify can re-run.
int verify(const VerifyOptions& options);

// drift plan SCENARIO [--set path=value ...] [--replicates N] [--threads N]: a dry run that
// prints the work, estimated time and memory, and the interventions' week-0 figures.
int run_plan_command(const std::string& scenario_file, const std::vector<std::string>& sets,
                     std::optional<int> replicates, int threads);

}  // namespace drift::cli
