#pragma once
// Calibration by rejection ABC (approximate Bayesian computation) against observed targets.
// Layout of CAL.h5 and the method: docs/calibration.md.
//
//   calibrate:
//     parameters:                      # parameter path -> [low, high]: a uniform prior
//       recruitment.entry_hazard: [0.001, 0.01]
//     design: latin_hypercube          # latin_hypercube | sobol
//     points: 200                      # design points drawn from the prior
//     seed: 1                          # design seed (latin_hypercube)
//     replicates: 1                    # runs per point; the statistic is their mean
//     strategy: baseline               # the one strategy that is run (default: the baseline)
//     targets: targets/netherlands.yaml  # relative to this file; drift calibrate --targets
//     overrides acceptance: {quantile: 0.1}      # or {tolerance: 1.5}
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "drift/experiment.hpp"
#include "drift/runner.hpp"
#include "drift/scenario.hpp"
#include "drift/sweep.hpp"
#include "drift/targets.hpp"

namespace drift {

struct Acceptance {
  bool by_quantile =
      true;  // accept the smallest share `value` of distances, else distance <= value
  double value = 0.1;
  std::string describe() const;  // "quantile 0.1" or "tolerance 1.5"
};

struct CalibrationSpec {
  std::vector<std::string> paths;                 // calibrated parameter paths
  std::vector<std::pair<double, double>> priors;  // [low, high] per path
  std::string design = "latin_hypercube";
  int points = 100;
  std::uint32_t seed = 1;
  int replicates = 1;
  std::string strategy;  // resolved: the baseline when not given
  std::string targets;   // path relative to the working directory; "" when not given
  Acceptance acceptance;
};

// Adds a diagnostic for every problem of scenario.calibrate (and of the targets file it names).
void check_calibrate(const Scenario& scenario, std::vector<Diagnostic>& out);

// The calibrate block of a valid scenario; throws ScenarioError when there is none.
CalibrationSpec calibration_spec(const Scenario& scenario);

// The design over the prior ranges (integer parameters rounded).
SweepDesign calibration_design(const CalibrationSpec& spec);

// The scenario that is run: only the chosen strategy, `replicates` replicates, no sweep.
Scenario calibration_scenario(const Scenario& scenario, const CalibrationSpec& spec);

// The standard deviation of each target, distance of simulated values (one per target, NaN when
// the run holds no data) from the targets: sqrt(mean over fitting targets of ((sim - obs)/sd)^2);
// infinite when a fitting target's simulated value is NaN.
double distance(const std::vector<double>& simulated, const std::vector<ObservedTarget>& targets);

struct AbcResult {
  std::vector<std::size_t> accepted;  // design point indices, in increasing order
  std::vector<double> weights;        // one per accepted point, summing to 1
  double tolerance = std::numeric_limits<double>::quiet_NaN();  // largest accepted distance
};

// Rejection ABC. By quantile q: the k = max(1, round(q n)) points with the smallest finite
// distances, and every point tied with the k-th; by tolerance t: every point with distance <= t.
// Infinite distances are never accepted. Equal weights.
AbcResult abc_reject(const std::vector<double>& distances, const Acceptance& acceptance);

// Weighted quantile (the smallest value whose cumulative weight reaches q); NaN when empty.
double weighted_quantile(std::vector<double> values, std::vector<double> weights, double q);

// Everything a calibration produced.
struct CalibrationResult {
  std::vector<std::string> statistic_names;
  int replicates = 0;
  std::vector<double> statistics;  // [point][replicate][statistic]
  std::vector<double> simulated;  // [point][target]: mean over replicates of the target's statistic
  std::vector<double> distances;  // [point]
  AbcResult abc;
  // Per target over the accepted points: median, 5% and 95% of the simulated value; and the
  // median over all points (prior predictive).
  std::vector<double> fit_median, fit_p05, fit_p95, prior_median;
  // Per parameter over the accepted points: median, 5% and 95%.
  std::vector<double> posterior_median, posterior_p05, posterior_p95;
};

// Statistics of the runs in `parts_dir` (all units must be there), distances and acceptance.
CalibrationResult evaluate_calibration(const Scenario& calibration_scenario,
                                       const CalibrationSpec& spec, const SweepDesign& design,
                                       const std::vector<ObservedTarget>& targets,
                                       const std::string& parts_dir);

// Writes CAL.h5 atomically.
void write_calibration(const std::string& path, const Scenario& calibration_scenario,
                       const CalibrationSpec& spec, const SweepDesign& design,
                       const std::vector<ObservedTarget>& targets, const CalibrationResult& result,
                       const std::string& command_line);

// The tables `drift calibrate` prints: parameters, then the fit per target.
std::string format_calibration(const CalibrationSpec& spec,
                               const std::vector<ObservedTarget>& targets,
                               const CalibrationResult& result);

// The same tables from a calibration file (drift summarize CAL.h5).
std::string format_calibration_file(const std::string& path);
bool is_calibration_file(const std::string& path);

// A scenario that extends `scenario_file` (path relative to the written file) and sets each
// calibrated parameter to its posterior median.
std::string calibrated_scenario_yaml(const std::string& scenario_file, const std::string& cal_file,
                                     const CalibrationSpec& spec, const CalibrationResult& result,
                                     const std::string& scenario_hash = "");

// Reads the posterior of CAL.h5 and draws one accepted point per replicate of `scenario`
// (keyed on the scenario's seed and the replicate, weighted by the posterior weights). Throws
// ScenarioError when a parameter of the file is not a parameter of the model.
PosteriorDraws draw_posterior(const std::string& cal_file, const Scenario& scenario);

}  // namespace drift
