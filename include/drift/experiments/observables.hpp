#pragma once
// Run statistics that match how Dutch figures are registered, so that a run can be set against
// observed targets (calibration, validation). Each statistic is one number per run (one strategy,
// one replicate), computed from the run's record over its whole simulated years.
#include <string>
#include <vector>

#include "drift/experiments/experiment.hpp"
#include "drift/model/parameters.hpp"
#include "drift/scenario/statistics.hpp"

namespace drift {

// The values of run_statistic_definitions() for one run, in that order; NaN where the run holds
// no data for it (for example no release with full follow-up).
std::vector<double> run_statistics(const RunOutput& run, const Parameters& params);

}  // namespace drift
