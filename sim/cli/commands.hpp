#pragma once
// Subcommands of the drift program that live in their own file of sim/cli. Each throws
// drift::ScenarioError for invalid input (main reports it and exits 2) and returns the exit code.
#include <optional>
#include <string>
#include <vector>

namespace drift::cli {

// drift plan SCENARIO [--set path=value ...] [--replicates N] [--threads N]: a dry run that
// prints the work, estimated time and memory, and the interventions' week-0 figures.
int run_plan_command(const std::string& scenario_file, const std::vector<std::string>& sets,
                     std::optional<int> replicates, int threads);

}  // namespace drift::cli
