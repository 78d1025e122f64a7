#pragma once
// Resumable, splittable execution. The work of a scenario is a set of units, one per (sweep
// point, replicate), each running every strategy. A finished unit is written as a part file
// (temporary name, then rename), so a run that is killed loses only the units in flight, and
// `--resume` runs only the missing ones. Units can be split over processes (--shard i/n, or MPI
// ranks); a unit's result does not depend on where it ran.
#include <cstddef>
#include <string>
#include <vector>

#include "drift/experiments/experiment.hpp"
#include "drift/scenario/sweep.hpp"

namespace drift {

struct UnitPlan {
  std::size_t points = 1;
  int replicates = 1;
  std::size_t units() const { return points * static_cast<std::size_t>(replicates); }
};

// Runs the units of shard `shard` of `shards` that have no part in `parts_dir` yet.
// Returns the number of units of the whole plan still without a part afterwards.
std::size_t run_units(const Scenario& scenario, const SweepDesign& design,
                      const std::string& parts_dir, const RunOptions& options, int shard = 0,
                      int shards = 1);

// The runs of one point, from its parts (all must exist).
ExperimentOutput load_point(const Scenario& base, const SweepDesign& design,
                            const std::string& parts_dir, std::size_t point);

// Removes part files (and the folder when empty).
void remove_parts(const std::string& parts_dir);

// Writes the result file of a sweep: the design, per-point outcomes and paired comparisons, and
// Sobol indices for a sobol design.
void write_sweep_results(const std::string& path, const Scenario& scenario, const SweepDesign& design,
                         const std::string& parts_dir, const std::string& command_line);

}  // namespace drift
