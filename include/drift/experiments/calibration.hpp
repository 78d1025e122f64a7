#pragma once
// Calibration by rejection ABC (approximate Bayesian computation) against observed targets.
// Layout of CAL.h5 and the method: docs/calibration.md; the section: scenario/calibration_spec.hpp.
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "drift/experiments/experiment.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/scenario/calibration_spec.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/sweep.hpp"
#include "drift/scenario/targets.hpp"

namespace drift {

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

// The calibrated scenario beside CAL.h5: `cal_out` with the extension .yaml. Throws
// ScenarioError (on "--out") when that file exists and was not written by drift calibrate (its
// first line is not "# Calibrated parameters..."), so that it never replaces another file such as
// the scenario itself. Returns the path.
std::string check_calibrated_scenario_path(const std::string& cal_out);

// Writes the calibrated scenario (calibrated_scenario_yaml, extending `scenario_file` by its path
// relative to the written file) atomically beside CAL.h5 (check_calibrated_scenario_path) and
// returns the path written. `calibration_scenario` is the scenario the calibration ran.
std::string write_calibrated_scenario(const std::string& cal_out, const std::string& scenario_file,
                                      const CalibrationSpec& spec, const CalibrationResult& result,
                                      const Scenario& calibration_scenario);

// Reads the posterior of CAL.h5 and draws one accepted point per replicate of `scenario`
// (keyed on the scenario's seed and the replicate, weighted by the posterior weights). Throws
// ScenarioError when a parameter of the file is not a parameter of the model.
PosteriorDraws draw_posterior(const std::string& cal_file, const Scenario& scenario);

// Throws ScenarioError (on `posterior_file`) for each parameter that is both swept by `design` and
// drawn from the posterior: one of them would silently override the other.
void check_posterior_against_sweep(const PosteriorDraws& posterior, const SweepDesign& design,
                                   const std::string& posterior_file);

}  // namespace drift
