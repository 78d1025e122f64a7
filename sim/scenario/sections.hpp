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

// What every section reader shares: problems are collected, never thrown, each with the file, the
// line and column of the node it is about (0 when the node has no mark) and the dotted key.
class SectionReader {
 public:
  SectionReader(std::string file, std::vector<Diagnostic>& out)
      : file_(std::move(file)), out_(out) {}
  void add(const YAML::Node& at, const std::string& key, const std::string& message) {
    const auto mark = at.Mark();
    out_.push_back({file_, mark.is_null() ? 0 : mark.line + 1, mark.is_null() ? 0 : mark.column + 1,
                    key, message});
  }

 protected:
  std::string file_;
  std::vector<Diagnostic>& out_;
};

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
