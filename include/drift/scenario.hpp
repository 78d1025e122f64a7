#pragma once
// Scenario files: YAML -> a validated, immutable configuration. Nothing runs on an invalid file.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "drift/parameters.hpp"

namespace drift {

// One problem found in a scenario, areas CSV or override, pointing at where it is.
struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string key;  // dotted path of the offending key, e.g. "careers.progression_hazard"
  std::string message;  // what is wrong and what was expected
  // "FILE:LINE:COL: key 'KEY': MESSAGE"
  std::string format() const;
};

class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// One district (wijk) or other area of the modelled city.
struct AreaSpec {
  std::string name;
  double youth_12_17 = 0;       // residents aged 12-17
  double youth_18_26 = 0;       // residents aged 18-26
  double low_income_share = 0;  // share of households at or below 125% of the social minimum
  int schools = 0;              // secondary school locations
};

// An intervention block as written in a strategy; interpreted by the intervention registry.
struct InterventionSpec {
  std::string type;
  std::string name;  // defaults to the type
  YAML::Node node;   // the block itself, with marks for error messages
  std::string file;  // the file it came from
};

struct StrategySpec {
  std::string name;
  std::string description;
  std::vector<InterventionSpec> interventions;  // after resolving the strategy's `extends`
};

// Parameter values drawn from a calibration's posterior, one draw per replicate (calibration.hpp).
struct PosteriorDraws {
  std::string file;                         // the CAL.h5 they came from; "" for none
  std::vector<std::string> paths;           // model parameter paths
  std::vector<std::size_t> draw_index;      // per replicate: row of the file's /posterior/points
  std::vector<std::vector<double>> points;  // per replicate: values of `paths`
  bool empty() const { return paths.empty(); }
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;  // path of the top-level file
  Parameters params;
  std::vector<AreaSpec> areas;
  std::string areas_source;  // CSV path, or "inline"
  std::vector<StrategySpec> strategies;  // the baseline first
  std::string resolved_yaml;  // the merged document with every default filled in
  YAML::Node sweep;           // the `sweep:` section, if any (see sweep.hpp)
  std::string sweep_file;     // the file it came from
  YAML::Node trial;           // the `trial:` section, if any (see trial.hpp)
  std::string trial_file;     // the file it came from
  YAML::Node calibrate;       // the `calibrate:` section, if any (see calibration.hpp)
  std::string calibrate_file;  // the file it came from
  PosteriorDraws posterior;    // set by `drift run --posterior`: replicate r runs with draw r
};

// The parameters replicate `replicate` runs with: scenario.params, with the posterior draw of
// that replicate applied when there is one.
Parameters replicate_parameters(const Scenario& scenario, int replicate);

// The merged document of a scenario with every default filled in (Scenario::resolved_yaml).
std::string emit_resolved_yaml(const Scenario& scenario);

// A `--set path.to.key=value` override.
struct Override {
  std::string path;
  std::string value;
};

// Loads, merges (`extends`), applies overrides and validates. Throws ScenarioError listing every
// problem found.
Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides = {});

// Areas from a CSV with a header row; see docs/scenario.md for the columns.
std::vector<AreaSpec> load_areas_csv(const std::string& path);

// Checks one numeric field of an area ("youth_12_17", "youth_18_26", "low_income_share" or
// "schools"), given its value (nullopt when it is not a number) and the text it was written as.
// Returns "" when acceptable, else what is wrong; shared by the CSV and inline area lists so both
// say the same thing.
std::string area_field_problem(std::string_view field, std::optional<double> value,
                               std::string_view written);

// The JSON Schema (draft 2020-12) of scenario files, generated from the parameter table and the
// intervention registry.
std::string scenario_json_schema();

// Parses "path=value"; throws ScenarioError on a malformed override.
Override parse_override(const std::string& text);

// A whole, finite decimal number such as "3", "-0.5", "+2" or "1e-3" (surrounding blanks
// allowed); nullopt for anything else, e.g. "", "1.5x", "0x10", "nan", "inf".
std::optional<double> parse_number(std::string_view text);

// The shortest decimal text that parses back to exactly `value` ("0.02", "520", "1e-05").
std::string format_number(double value);

}  // namespace drift
