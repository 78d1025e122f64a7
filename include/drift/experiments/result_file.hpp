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

// Checks that the result file at `path` is a complete Drift result file that a reader can trust:
// format and version, the root attributes, and for every strategy every dataset the layout
// promises (docs/results.md) with its shape, counts finite and not negative. Throws
// std::runtime_error with one line "PATH: dataset D: what is wrong" (or "PATH: ...") at the
// first problem.
void check_result_file(const std::string& path);

}  // namespace drift
