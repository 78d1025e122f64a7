// drift validate FILE: check a scenario file (or a targets file); exit 0 when valid.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/targets.hpp"

namespace drift::cli {

namespace {

struct ValidateArgs {
  std::string file;
  std::vector<std::string> sets, assumptions;
};

int validate(const ValidateArgs& a) {
  if (a.sets.empty() && is_targets_file(a.file)) {
    const auto targets = load_targets(a.file);
    const auto fit =
        std::count_if(targets.begin(), targets.end(), [](const auto& t) { return t.fit; });
    std::cout << a.file << ": valid targets file (" << targets.size() << " targets: " << fit
              << " for fitting, " << targets.size() - static_cast<std::size_t>(fit)
              << " held out)\n";
    return kOk;
  }
  std::vector<Override> overrides;
  for (const auto& s : a.sets) overrides.push_back(parse_override(s));
  const auto sc = load_scenario(a.file, overrides, a.assumptions);
  std::cout << a.file << ": valid (" << sc.strategies.size() << " strategies, " << sc.areas.size()
            << " areas)\n";
  return kOk;
}

}  // namespace

Command add_validate(CLI::App& app) {
  auto a = std::make_shared<ValidateArgs>();
  auto* v = app.add_subcommand("validate",
                               "Check a scenario file (or a targets file); exit 0 when valid");
  v->add_option("scenario", a->file, "Scenario YAML file")->required();
  add_assumptions_option(*v, a->assumptions);
  v->add_option("--set", a->sets, "Override a parameter: --set path.to.key=value");
  return {v, [a](const Context&) { return validate(*a); }};
}

}  // namespace drift::cli
