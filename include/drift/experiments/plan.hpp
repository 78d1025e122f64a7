#pragma once
// `drift plan`: what a scenario would cost to run, and what its interventions would do in their
// first week, without running it. No simulation week is run and nothing is written: one world is
// built (replicate 0, first sweep point) and burnt in, and each strategy's interventions open
// week 0 on a copy of it (step/step.hpp open_week: the week's counters, ageing, the
// interventions; none of the processes). The wall time is an estimate from a measured throughput
// (kPlanYouthWeeksPerSecond), not a measurement of this scenario.
#include <cstddef>
#include <string>
#include <vector>

#include "drift/scenario/scenario.hpp"

namespace drift {

// Youth-weeks per second per thread of whole runs through the runner (recording included), as
// measured by `drift_bench --sweep` on the default Utrecht comparison (docs/performance.md,
// "Whole runs": 200 runs of about 81,000 youths, 520 weeks each plus 25 burn-ins of 260 weeks,
// that is 8.95e9 youth-weeks in 580.8 s on one thread).
inline constexpr double kPlanYouthWeeksPerSecond = 1.54e7;

struct PlanIntervention {
  std::string type;
  std::string name;
  double eligible = 0;     // youths meeting the eligibility rule at week 0
  double capacity = 0;     // places at week 0
  double enrolled = 0;     // youths taken in at week 0 (expected reach in the first week)
  double served = 0;       // youths served or covered at week 0
  double waiting = 0;      // eligible youths on the waiting list at week 0
  double weekly_cost = 0;  // euro at week 0
  double fixed_cost = 0;   // one-off, euro per run
  double yearly_cost() const { return 52.0 * weekly_cost; }  // at week-0 rates
};

struct PlanStrategy {
  std::string name;
  std::vector<PlanIntervention> interventions;
};

struct Plan {
  std::string scenario;  // name
  std::size_t strategies = 0;
  int replicates = 0;
  std::size_t points = 1;  // sweep points
  std::string sweep_kind;  // "" without a sweep
  int threads = 1;
  int weeks = 0;
  int burn_in_weeks = 0;
  double population_scale = 1.0;
  std::size_t runs = 0;        // points x replicates x strategies
  std::size_t youths = 0;      // youths present in the replicate-0 world
  double youth_weeks = 0;      // recorded weeks of every run plus one burn-in per unit
  std::size_t builds = 0;      // worlds drawn whole: one per replicate and run of points that
                               // agree in the parameters that shape the build (BuildCache)
  double build_seconds = 0;    // build_world of the replicate-0 world, timed here
  double burn_in_seconds = 0;  // its burn-in, timed here
  double estimated_seconds = 0;
  std::size_t world_bytes = 0;        // World::bytes() of the built world
  int worlds_alive = 0;               // worlds held at once while running
  std::size_t output_bytes = 0;       // records of the runs held at once (one point)
  std::size_t file_bytes = 0;         // the result file, composed in memory before it is written
  std::size_t disk_part_bytes = 0;    // part files of every unit (disk_need)
  std::size_t disk_result_bytes = 0;  // the result file, written while the parts exist
  std::size_t peak_bytes() const {
    return world_bytes * static_cast<std::size_t>(worlds_alive) + output_bytes + file_bytes;
  }
  std::vector<PlanStrategy> strategy_plans;
};

// Plans a valid scenario for a run on `threads` threads (plan itself burns in on one thread).
Plan make_plan(const Scenario& scenario, int threads);

// The plan as text for the terminal.
std::string format_plan(const Plan& plan);

// Peak memory of running `sc` on `threads` threads, estimated without building the world at full
// size: a world of about 20,000 youths is built and its bytes scaled to the scenario's
// population, times the worlds held at once, plus the records of one point's runs.
struct MemoryNeed {
  std::size_t world_bytes = 0;
  int worlds_alive = 0;
  std::size_t output_bytes = 0;
  // Files are composed in memory and written to disk from that memory (results/h5_write.hpp):
  // the result file once.
  std::size_t file_bytes = 0;
  std::size_t peak_bytes() const {
    return world_bytes * static_cast<std::size_t>(worlds_alive) + output_bytes + file_bytes;
  }
};
// `points`: the design points run (a calibration's); 0 for those of sc.sweep.
MemoryNeed memory_need(const Scenario& sc, int threads, std::size_t points = 0);

// Memory the system can still give (MemAvailable of /proc/meminfo), bytes; 0 when unknown.
std::size_t available_memory_bytes();

// "" when the run fits in the available memory (or that is unknown), else one line saying what it
// needs, what the machine has, and how to make it fit or force it.
std::string memory_problem(const MemoryNeed& need, std::size_t available);

// Disk a run of `sc` writes at its peak: every unit's part file, and the result file written
// while the parts still exist (they are removed after it). Part files hold the records of their
// runs uncompressed plus HDF5's own structure, estimated as kDiskOverhead times the records plus
// kDiskFileBytes per file.
inline constexpr double kDiskOverhead = 1.25;
inline constexpr std::size_t kDiskFileBytes = 64 * 1024;
struct DiskNeed {
  std::size_t part_bytes = 0;    // all part files
  std::size_t result_bytes = 0;  // the result file
  std::size_t peak_bytes() const { return part_bytes + result_bytes; }
};
// `points`: the units' points (0: those of the scenario's sweep; a calibration passes its design).
DiskNeed disk_need(const Scenario& sc, std::size_t points = 0);

// Bytes an unprivileged process can still write on the file system holding `path` (its nearest
// existing parent folder), from statvfs; 0 when unknown.
std::size_t available_disk_bytes(const std::string& path);

// "" when the run fits on the disk (or the free space is unknown), else one line saying what it
// needs, where, what is free, and how to make it fit or force it.
std::string disk_problem(const DiskNeed& need, std::size_t available, const std::string& where);

}  // namespace drift
