#pragma once
// The readers of a scenario's optional sections and of intervention values, shared by the loader
// (scenario.cpp) and the section files. Private to the scenario part: the rest of Drift sees only
// the typed results.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "drift/scenario/scenario.hpp"

namespace drift {

// Each reads its section of a scenario whose other parts are valid, adds a diagnostic (file,
// line, column, key) for every problem, and returns the typed section when it has none.
SweepDesign check_sweep(const Scenario& scenario, const YAML::Node& section,
                        const std::string& file, std::vector<Diagnostic>& out);
std::optional<TrialSpec> check_trial(const Scenario& scenario, const YAML::Node& section,
                                     const std::string& file, std::vector<Diagnostic>& out);
std::optional<CalibrationSpec> check_calibrate(const Scenario& scenario, const YAML::Node& section,
                                               const std::string& file,
                                               std::vector<Diagnostic>& out);

// Why `value` cannot be the numeric field `key` ("section.field" or a top-level field) of the
// intervention; "" when it can.
std::string intervention_value_problem(const InterventionSpec& spec, const std::string& key,
                                       double value);

}  // namespace drift
