#pragma once
// Calibration by rejection ABC or sequential ABC (ABC-SMC, population Monte Carlo) against
// observed targets.
// Layout of CAL.h5 and the method: docs/calibration.md; the section: scenario/calibration_spec.hpp.
#include <cstdint>
#include <functional>
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

// The same with the Monte Carlo variance of each simulated mean (mc_variance[t] = s_t^2 / R, s_t^2
// the variance of the target's statistic between the point's R replicates):
// sqrt(mean over fitting targets of (sim - obs)^2 / (sd^2 + mc_variance)).
double distance(const std::vector<double>& simulated, const std::vector<double>& mc_variance,
                const std::vector<ObservedTarget>& targets);

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

// ---------------------------------------------------------------------------------------------
// Sequential ABC (Beaumont et al. 2009, Toni et al. 2009; docs/calibration.md).

// 1 / sum of squared normalised weights.
double effective_sample_size(const std::vector<double>& weights);

// The perturbation kernel's standard deviation per parameter: sqrt(2 x the weighted variance of
// the particles), the variance with the weights as probabilities (Beaumont et al. 2009); at least
// 1e-6 of the prior's width, so that a collapsed parameter can still move.
std::vector<double> smc_kernel_sd(const std::vector<std::vector<double>>& particles,
                                  const std::vector<double>& weights,
                                  const std::vector<std::pair<double, double>>& priors);

// Density at x of the kernel centred on `centre`: independent normals with standard deviations
// `sd`, each truncated to its prior range (0 outside the ranges).
double smc_kernel_density(const std::vector<double>& x, const std::vector<double>& centre,
                          const std::vector<double>& sd,
                          const std::vector<std::pair<double, double>>& priors);

// Normalised importance weights of the new particles: w_i proportional to
// prior(x_i) / sum_j w_j K(x_i | x_j) over the previous particles x_j (uniform priors).
std::vector<double> smc_weights(const std::vector<std::vector<double>>& previous,
                                const std::vector<double>& previous_weights,
                                const std::vector<std::vector<double>>& proposals,
                                const std::vector<double>& sd,
                                const std::vector<std::pair<double, double>>& priors);

// `count` proposals of batch `batch` of generation `generation`: a previous particle drawn by its
// weight (stream smc_parent), perturbed by the kernel (stream smc_perturb, by inverting the
// truncated normal's distribution function). Keyed on (seed, generation, batch, proposal), so
// the same for any thread count and after a resume.
std::vector<std::vector<double>> smc_proposals(const std::vector<std::vector<double>>& previous,
                                               const std::vector<double>& previous_weights,
                                               const std::vector<double>& sd,
                                               const std::vector<std::pair<double, double>>& priors,
                                               std::uint32_t seed, int generation, int batch,
                                               int count);

// One generation: its tolerance, its particles (rows of CalibrationResult::points) and weights.
struct SmcGeneration {
  double tolerance = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::size_t> index;
  std::vector<double> weights;  // sum 1
  double ess = 0;
  std::size_t points_run = 0;        // proposals run in this generation
  std::size_t within_tolerance = 0;  // of them, those with a distance of at most the tolerance
  double acceptance_rate() const {
    return points_run > 0 ? static_cast<double>(within_tolerance) / points_run : 0.0;
  }
};

// Everything a calibration produced.
struct CalibrationResult {
  std::string method = "rejection";         // rejection | smc
  std::vector<std::vector<double>> points;  // [point][parameter]: every point run, as drawn
  std::vector<int> point_generation;        // generation of each point (rejection: 0)
  std::vector<double> mc_variance;          // [point][target]: s^2 / R of the simulated mean
  std::vector<SmcGeneration> generations;   // every finished generation; the last is the posterior
  std::string stop_reason;                  // why a sequential calibration stopped
  std::vector<std::string> statistic_names;
  int replicates = 0;
  std::vector<double> statistics;  // [point][replicate][statistic]
  std::vector<double> simulated;  // [point][target]: mean over replicates of the target's statistic
  std::vector<double> distances;  // [point]
  AbcResult abc;                  // the posterior: the last generation
  // Per target over the accepted points: median, 5% and 95% of the simulated value; and the
  // median over all points (prior predictive).
  std::vector<double> fit_median, fit_p05, fit_p95, prior_median;
  // Per parameter over the accepted points: median, 5% and 95%.
  std::vector<double> posterior_median, posterior_p05, posterior_p95;
};

// Rejection ABC: statistics of the runs in `parts_dir` (all units must be there), distances and
// acceptance.
CalibrationResult evaluate_calibration(const Scenario& calibration_scenario,
                                       const CalibrationSpec& spec, const SweepDesign& design,
                                       const std::vector<ObservedTarget>& targets,
                                       const std::string& parts_dir);

// State of a sequential calibration after run_smc.
struct SmcStatus {
  bool complete = false;
  int generation = 0;       // incomplete: the generation whose units other shards still run
  std::size_t missing = 0;  // units of that generation belonging to other shards
};

// Runs or continues (from the parts already in `parts_dir`) a sequential calibration: generation
// g's batch b is a design whose units are saved in smc_batch_dir(parts_dir, g, b). Proposals
// depend only on the finished generations, so a resumed or sharded calibration makes the same
// ones. With `shards` > 1 it runs this shard's units of the first unfinished batch and returns
// incomplete when other shards' units of it are missing; `sync` (when given: MPI) is called after
// every batch, once every process has run its share, before the parts are read. `on_generation`
// is called after each finished generation. On completion fills `result`.
SmcStatus run_smc(const Scenario& calibration_scenario, const CalibrationSpec& spec,
                  const std::vector<ObservedTarget>& targets, const std::string& parts_dir,
                  const RunOptions& options, CalibrationResult& result, int shard = 0,
                  int shards = 1, const std::function<void()>& sync = {},
                  const std::function<void(int, const SmcGeneration&)>& on_generation = {});

// The parts folder of batch b of generation g of a sequential calibration.
std::string smc_batch_dir(const std::string& parts_dir, int generation, int batch);

// Removes the part files of a calibration, with those of every generation (remove_parts).
void remove_calibration_parts(const std::string& parts_dir);

// Writes CAL.h5 atomically.
void write_calibration(const std::string& path, const Scenario& calibration_scenario,
                       const CalibrationSpec& spec, const SweepDesign& design,
                       const std::vector<ObservedTarget>& targets, const CalibrationResult& result,
                       const std::string& command_line);

// The table of generations: points run, within tolerance, acceptance rate, tolerance, particles
// and effective sample size.
std::string format_generations(const std::vector<SmcGeneration>& generations);

// The tables `drift calibrate` prints: generations, parameters, then the fit per target.
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
