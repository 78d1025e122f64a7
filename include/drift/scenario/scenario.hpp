#pragma once
// Scenario files: YAML -> a validated, immutable configuration. Nothing runs on an invalid file.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "drift/interventions/schema.hpp"
#include "drift/model/areas.hpp"
#include "drift/model/parameters.hpp"
#include "drift/scenario/calibration_spec.hpp"
#include "drift/scenario/diagnostic.hpp"
#include "drift/scenario/sweep.hpp"
#include "drift/scenario/trial_spec.hpp"

namespace drift {

// An intervention block of a strategy, as typed values: the registry creates the intervention
// from `values` (create_intervention).
struct InterventionSpec {
  std::string type;
  std::string name;   // defaults to the type
  iv::Values values;  // every field of the type's schema, defaults filled in
  std::string file;   // the file it came from
  int line = 0;       // where the block starts (1-based)
  int column = 0;
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
  // Parameters of the file not drawn, because the scenario fixes them (Scenario::fixed_paths).
  std::vector<std::string> held_fixed;
  bool empty() const { return paths.empty(); }
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;  // path of the top-level file
  Parameters params;
  // Parameters set by an assumptions file or --set: a posterior does not draw them (they are
  // held at the value set, the setting under which the comparison is made).
  std::vector<std::string> fixed_paths;
  std::vector<AreaSpec> areas;
  std::string areas_source;              // CSV path, or "inline"
  std::vector<StrategySpec> strategies;  // the baseline first
  std::string resolved_yaml;             // the merged document with every default filled in
  SweepDesign sweep;               // the `sweep:` section (kind "" without one; see sweep.hpp)
  std::optional<TrialSpec> trial;  // the `trial:` section (trial_spec.hpp)
  std::optional<CalibrationSpec> calibrate;  // the `calibrate:` section (calibration_spec.hpp)
  // The three sections as written, for the resolved document.
  std::string sweep_yaml, trial_yaml, calibrate_yaml;
  PosteriorDraws posterior;  // set by `drift run --posterior`: replicate r runs with draw r
  // The calibration file the scenario draws its replicates' parameters from by default (top-level
  // key `posterior`, resolved against the file naming it); "" for none. Not in resolved_yaml:
  // the draws themselves go into the result file.
  std::string posterior_file;
  // Named settings laid over the scenario (`--assumptions FILE`), in order: their names and
  // files. Their values are in `params` and `resolved_yaml`; the names only label the run.
  std::vector<std::string> assumptions, assumption_files;
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

// Loads, merges (`extends`), lays the assumptions files over the result (parameter groups, name
// and description only; docs/scenario.md), applies overrides and validates. Throws ScenarioError
// listing every problem found.
Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides = {},
                       const std::vector<std::string>& assumption_files = {});

// The same from scenario text held in memory, e.g. the resolved scenario of a result file
// (`scenario_yaml`). `name_for_messages` names the text in diagnostics (and gives the scenario's
// name when the text sets none).
// Relative paths in the text (`extends`, `areas: {csv: ...}`, `calibrate.targets`) resolve
// against the directory part of `name_for_messages`: the current directory when it has none.
Scenario load_scenario_text(const std::string& text, const std::string& name_for_messages);

// One intervention block from YAML text (as it would stand in a strategy), checked against its
// type's schema with `area_names` as the districts; throws ScenarioError listing every problem.
InterventionSpec parse_intervention_block(const std::string& yaml_text, const std::string& file,
                                          const std::vector<std::string>& area_names);

// Areas from a CSV with a header row; see docs/scenario.md for the columns.
std::vector<AreaSpec> load_areas_csv(const std::string& path);

// Checks one numeric field of an area ("youth_12_17", "youth_18_26", "low_income_share" or
// "schools"), given its value (nullopt when it is not a number) and the text it was written as.
// Returns "" when acceptable, else what is wrong; shared by the CSV and inline area lists so both
// say the same thing.
std::string area_field_problem(std::string_view field, std::optional<double> value,
                               std::string_view written);

// Every model parameter with unit, default, range and source (plain text, or the Markdown table
// of docs/parameters.md).
std::string parameter_listing(bool markdown);

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
