#pragma once
// Calibration and validation targets: observed figures, each mapped onto a run statistic
// (observables.hpp), with its uncertainty and source. Format: docs/calibration.md.
//
//   targets:
//     - name: suspects_age_16
//       statistic: suspects_per_10k_age_16
//       value: 199
//       standard_error: 19.9          # or interval: [low, high] with level (default 0.9)
//       unit: per 10,000 residents aged 16 per year
//       population: Netherlands, residents aged 16
//       year: 2022
//       source: CBS StatLine 81997NED
//       confidence: confirmed (read)  # optional: how sure the figure and its mapping are
//       use: fit                      # fit | validate
#include <string>
#include <vector>

#include "drift/scenario/scenario.hpp"

namespace drift {

struct ObservedTarget {
  std::string name;
  std::string statistic;  // a name of run_statistic_definitions()
  double value = 0;
  // Exactly one of: a standard error, or an interval with its coverage level.
  double standard_error = 0;  // 0 when an interval is given
  bool has_interval = false;
  double interval_low = 0, interval_high = 0;
  double level = 0.9;
  std::string unit;
  std::string population;
  int year = 0;  // 0 when not given
  std::string source;
  std::string confidence;  // optional free text; empty when not given
  bool fit = true;         // use: fit (true) or validate (false)

  // The standard deviation the distance divides by: the standard error, or the interval's
  // half-width over the standard normal quantile z((1 + level) / 2).
  double sd() const;
};

// Loads and checks a targets file; throws ScenarioError listing every problem
// ("FILE:LINE:COL: key 'targets[3].value': ...").
std::vector<ObservedTarget> load_targets(const std::string& path);

// Whether a file reads as a targets file rather than a scenario: a YAML map with a `targets`
// key and none of the scenario's `areas`, `strategies` or `extends`. False when it does not parse
// (the scenario loader then reports the syntax error).
bool is_targets_file(const std::string& path);

// The standard normal quantile (inverse of the distribution function), for p in (0, 1).
double normal_quantile(double p);

}  // namespace drift
