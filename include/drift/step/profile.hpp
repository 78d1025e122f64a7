#pragma once
// Where the time of a whole run goes (`drift run --profile`, `drift_bench --sweep --profile`):
// world builds, burn-in, world copies, each process of the step, each intervention, recording,
// part files and the result file. Off by default; when on, every timed section adds its wall
// time to a counter shared by all threads, so the figures are thread-seconds (CPU time of the
// run's threads, not its wall time). A section costs one branch when the profile is off.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace drift::profile {

// The timed sections, in the order of a run; `step` sections in the order of step().
#define DRIFT_PROFILE_SECTIONS(X)                           \
  X(build, "build the world")                               \
  X(burn_in, "burn-in (whole steps)")                       \
  X(copy, "copy the burnt-in world")                        \
  X(begin_week, "step: begin_week")                         \
  X(age_and_turn_over, "step: age_and_turn_over")           \
  X(interventions, "step: interventions (all; each below)") \
  X(normalise_attitudes, "step: normalise_attitudes")       \
  X(onset_and_recovery, "step: onset_and_recovery")         \
  X(recruit, "step: recruit")                               \
  X(advance_careers, "step: advance_careers")               \
  X(enforce, "step: enforce")                               \
  X(register_offending, "step: register_offending")         \
  X(labour_market, "step: labour_market")                   \
  X(relapse, "step: relapse")                               \
  X(tally_revenue, "step: tally_revenue")                   \
  X(observe, "record: observers and weekly series")         \
  X(part_files, "write part files")                         \
  X(read_parts, "read part files")                          \
  X(result_file, "write the result file")

enum class Section : std::uint8_t {
#define DRIFT_SECTION(name, label) name,
  DRIFT_PROFILE_SECTIONS(DRIFT_SECTION)
#undef DRIFT_SECTION
      count
};

void enable(bool on);
bool enabled();
// Sets every counter to 0.
void clear();
void add(Section s, std::chrono::steady_clock::duration d);
// Youths present in a week stepped (burn-in included), for the time per youth-week.
void add_youth_weeks(std::int64_t youths);
double youth_weeks();
// Time of one intervention, by its label ("strategy / intervention (type)").
void add_intervention(const std::string& label, std::chrono::steady_clock::duration d);

// Labels of the interventions the calling thread's step() applies, in list order; set by the
// code that runs a strategy, for as long as the object lives.
class InterventionLabels {
 public:
  explicit InterventionLabels(const std::vector<std::string>* labels);
  ~InterventionLabels();
  InterventionLabels(const InterventionLabels&) = delete;
  InterventionLabels& operator=(const InterventionLabels&) = delete;

 private:
  const std::vector<std::string>* previous_;
};
// The label of the calling thread's intervention k ("intervention k" when none were set).
std::string intervention_label(std::size_t k);

// While one lives, the calling thread's sections are not timed (the steps of the burn-in are
// timed as a whole, not again by process).
class Suspend {
 public:
  Suspend();
  ~Suspend();
  Suspend(const Suspend&) = delete;
  Suspend& operator=(const Suspend&) = delete;

 private:
  bool previous_;
};
// Whether the calling thread's sections are timed now.
bool timing();

// Times its scope into a section when the profile is on.
class Scope {
 public:
  explicit Scope(Section s) : section_(s), on_(timing()) {
    if (on_) start_ = std::chrono::steady_clock::now();
  }
  ~Scope() {
    if (on_) add(section_, std::chrono::steady_clock::now() - start_);
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Section section_;
  bool on_;
  std::chrono::steady_clock::time_point start_;
};

// Parallel passes of the step (detail::for_each_chunk on more than one thread), for the serial
// share of a step on several threads (drift_bench --profile): the wall time of each pass and the
// time its threads spent running chunks. Counted apart from the sections, and only while
// switched on: a pass costs one branch when off. A thread's time in a pass beyond its busy time
// is waiting: for the team to start, for the last chunk of the pass, for the team to end.
struct ParallelPasses {
  std::int64_t passes = 0;
  double wall_seconds = 0;  // from before the team starts to after it ends
  double busy_seconds = 0;  // thread-seconds in chunks, summed over the team's threads
};
void time_parallel_passes(bool on);
bool parallel_passes_timed();
void add_parallel_pass(std::chrono::steady_clock::duration wall,
                       std::chrono::steady_clock::duration busy);
// The passes counted since the last clear_parallel_passes().
ParallelPasses parallel_passes();
void clear_parallel_passes();

struct Row {
  std::string label;
  double seconds;
  bool intervention;  // a row of one intervention (part of the "interventions" section)
};
// Every section (also those with no time), then every intervention by label.
std::vector<Row> rows();
// The rows as a table: seconds, share of the total (interventions are part of their section and
// not added again) and, when youth_weeks > 0, nanoseconds per youth-week.
std::string format(const std::vector<Row>& rows, double youth_weeks);

}  // namespace drift::profile
