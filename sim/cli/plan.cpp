// drift plan: what a scenario would take to run, without running it or writing anything.
#include <iostream>

#include "commands.hpp"
#include "drift/experiments/plan.hpp"
#include "drift/scenario/scenario.hpp"

namespace drift::cli {

int run_plan_command(const std::string& scenario_file, const std::vector<std::string>& sets,
                     std::optional<int> replicates, int threads) {
  std::vector<Override> overrides;
  for (const auto& s : sets) overrides.push_back(parse_override(s));
  if (replicates) overrides.push_back({"simulation.replicates", std::to_string(*replicates)});
  const auto sc = load_scenario(scenario_file, overrides);
  std::cout << format_plan(make_plan(sc, threads));
  return 0;
}

}  // namespace drift::cli
