#pragma once
// The result file of `drift run`: the runs of every strategy, their observed statistics, the
// summary and paired comparisons, and the virtual trial (docs/results.md).
#include <string>

#include "drift/experiments/experiment.hpp"
#include "drift/results/results.hpp"
#include "drift/scenario/scenario.hpp"

namespace drift {

// Writes the experiment to `path` atomically (temporary file, then rename).
void write_results(const std::string& path, const Scenario& scenario,
                   const ExperimentOutput& output, const Provenance& provenance);

}  // namespace drift
