#pragma once
// Resumable, splittable execution. The work of a scenario is a set of units, one per (sweep
// point, replicate), each running every strategy. A finished unit is written as a part file
// (results/part_file.hpp: checksummed HDF5, temporary name, then rename), so a run that is
// killed loses only the units in flight, and `--resume` runs only the missing or damaged ones.
// Units can be split over processes (--shard i/n, or MPI ranks); a unit's result does not depend on
// where it ran.
#include <cstddef>
#include <stdexcept>
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

// An exclusive lock on a parts folder, so that no two drift processes run units into it at once:
// the lock file `.lock` for the whole plan (shards == 1), `.lock.<shard>-of-<shards>` for one
// shard (--shard, MPI ranks), held with flock(2) and holding "pid N host H". The whole plan and
// its shards exclude each other; shards of one plan do not. Taking a lock this process already
// holds nests. Released (and the lock file removed, and the folder when empty) on destruction.
// Throws PartsBusy when another process holds it. On a file system that cannot lock, warns on
// stderr and goes on unprotected.
struct PartsBusy : std::runtime_error {
  using std::runtime_error::runtime_error;
};
class PartsLock {
 public:
  explicit PartsLock(const std::string& parts_dir, int shard = 0, int shards = 1);
  ~PartsLock();
  PartsLock(const PartsLock&) = delete;
  PartsLock& operator=(const PartsLock&) = delete;

 private:
  std::string path_;
};

// Keeps memory freed by the C library's allocator for reuse instead of returning it to the
// system: allocations up to 64 MiB come from the heap and up to 256 MiB of free heap is kept.
// Every unit composes its part file (tens of MB) in memory and frees it; returned to the system,
// that memory is faulted in again page by page for the next unit, which made a sweep of small
// worlds up to 40% slower on this project's machines (docs/performance.md). Called once by the
// programs at start; results do not depend on it.
void keep_freed_memory_for_reuse();

// Runs the units of shard `shard` of `shards` that have no usable part in `parts_dir` yet, under
// the shard's PartsLock. A damaged part of the shard (part_file.hpp) is reported on stderr and
// its unit run again. Returns the number of units of the whole plan still without a part
// afterwards.
std::size_t run_units(const Scenario& scenario, const SweepDesign& design,
                      const std::string& parts_dir, const RunOptions& options, int shard = 0,
                      int shards = 1);

// The runs of one point, from its parts (all must exist; throws naming the path and what is
// wrong with it otherwise).
ExperimentOutput load_point(const Scenario& base, const SweepDesign& design,
                            const std::string& parts_dir, std::size_t point);

// Removes part files and lock files no process holds (and the folder when empty).
void remove_parts(const std::string& parts_dir);

// Writes the result file of a sweep: the design, per-point outcomes and paired comparisons, and
// Sobol indices for a sobol design.
void write_sweep_results(const std::string& path, const Scenario& scenario,
                         const SweepDesign& design, const std::string& parts_dir,
                         const std::string& command_line);

}  // namespace drift
