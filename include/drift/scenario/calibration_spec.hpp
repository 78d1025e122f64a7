#pragma once
// The `calibrate:` section of a scenario, as typed values (docs/calibration.md).
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
//     method: rejection                # rejection | smc (sequential ABC, population Monte Carlo)
//     smc: {particles: 200, generations: 5, quantile: 0.5, tolerance: 0, min_acceptance: 0.02}
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "drift/scenario/sweep.hpp"

namespace drift {

struct Scenario;

struct Acceptance {
  bool by_quantile =
      true;  // accept the smallest share `value` of distances, else distance <= value
  double value = 0.1;
  std::string describe() const;  // "quantile 0.1" or "tolerance 1.5"
};

// Sequential ABC (ABC-SMC): generation 0 keeps the `particles` closest of the `points` prior
// design points; each later generation perturbs the previous one's weighted particles until
// `particles` proposals fall within its tolerance (the `quantile` of the previous generation's
// distances). It stops after `generations` generations (counting generation 0), once a
// generation's tolerance is at most `tolerance` (0: no such rule), or when a generation's
// acceptance rate falls below `min_acceptance`.
struct SmcSettings {
  int particles = 200;
  int generations = 5;
  double quantile = 0.5;
  double tolerance = 0;
  double min_acceptance = 0.02;
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
  std::string method = "rejection";  // rejection | smc
  SmcSettings smc;
};

// The calibrate block of a valid scenario; throws ScenarioError when there is none.
CalibrationSpec calibration_spec(const Scenario& scenario);

// The design over the prior ranges (integer parameters rounded).
SweepDesign calibration_design(const CalibrationSpec& spec);

// The design points over the prior ranges as drawn (integer parameters not rounded).
std::vector<std::vector<double>> calibration_prior_points(const CalibrationSpec& spec);

// The design that runs `points` (integer parameters rounded).
SweepDesign calibration_run_design(const CalibrationSpec& spec,
                                   std::vector<std::vector<double>> points);

// The scenario that is run: only the chosen strategy, `replicates` replicates, no sweep.
Scenario calibration_scenario(const Scenario& scenario, const CalibrationSpec& spec);

}  // namespace drift
