#pragma once
// Virtual trials: within the runs of one strategy, the youths who become eligible for one
// intervention are randomised to it (treatment) or kept from it (control), and an outcome is
// counted within a follow-up window from randomisation, the way a trial measures it. The
// simulated relative risk can then be set next to a published one (docs/trials.md).
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drift/experiments/summary.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/trial_spec.hpp"
#include "drift/step/step.hpp"

namespace H5 {
class H5File;
}

namespace drift {

// One run of the trial strategy: an observer of the run that owns every youth's arm. Created
// from the strategy's interventions; wraps the one under trial so that, each week before it
// acts, the youths who meet its eligibility rule for the first time in the enrolment window are
// randomised (a keyed draw, in agent order), and excludes the control arm from it. observe()
// after each step counts the outcome from the week's transition events (World::events).
// In the paired design it also keeps, for each treated youth, its slot, week of enrolment, the
// week it entered the model (its identity for the paired run) and whether it had the outcome.
class TrialRun {
 public:
  TrialRun(const TrialSpec& spec, InterventionList& interventions, std::size_t slots);
  void observe(const World& w);  // after step(): counts the outcome events of the week
  // treated, control, treated_events, control_events (the randomised design's counts; in the
  // paired design, PairedRun::counts() gives the trial's counts)
  std::vector<double> counts() const {
    return {treated_, control_, treated_events_, control_events_};
  }

  // A treated youth of the paired design.
  struct Enrolment {
    std::uint32_t slot;
    std::int32_t week;          // week of enrolment: the first week of the follow-up
    std::int32_t entered_week;  // week the youth entered the model (kBeforeRecord: before week 0)
    std::uint8_t treated_event = 0;  // outcome within the follow-up in the trial's run
    std::uint8_t paired_event = 0;   // outcome within the follow-up in the paired run
    std::uint8_t matched = 0;        // the slot held the same youth at enrolment in the paired run
  };
  static constexpr std::int32_t kBeforeRecord = std::numeric_limits<std::int32_t>::min();
  const std::vector<Enrolment>& enrolments() const { return enrolments_; }
  const TrialSpec& spec() const { return spec_; }

  enum Arm : std::uint8_t { none = 0, treatment, control };
  Arm arm(std::uint32_t i) const { return static_cast<Arm>(arm_[i]); }
  std::int32_t enrolled_week(std::uint32_t i) const { return enrolled_week_[i]; }
  // Puts youth i (who has no arm) in `arm` from `week` on; the control arm is excluded from the
  // intervention under trial.
  void enrol(std::uint32_t i, Arm arm, int week);

 private:
  friend class TrialGate;
  // Reads the week's events not seen yet: a youth who leaves, or a newcomer in its slot, has
  // no arm; an outcome event of a randomised youth within its follow-up is counted once.
  void consume_events(const World& w, int week);
  TrialSpec spec_;
  std::vector<std::uint8_t> arm_;  // per slot
  std::vector<std::int32_t> enrolled_week_;
  std::vector<std::uint8_t> counted_;       // outcome already counted
  std::vector<std::uint8_t> excluded_;      // 1 for the control arm: never taken in
  std::vector<std::int32_t> entered_week_;  // per slot: week its youth entered the model
  std::vector<std::int32_t> enrolment_;     // per slot: its youth's index in enrolments_, or -1
  std::vector<Enrolment> enrolments_;       // paired design: the treated, in order of enrolment
  int events_week_ = std::numeric_limits<int>::min();
  std::size_t events_seen_ = 0;
  double treated_ = 0, control_ = 0, treated_events_ = 0, control_events_ = 0;
};

// The paired run of the paired design: the trial strategy run again from the same burnt-in world
// (same seed and replicate, so the same keyed draws) with the intervention under trial replaced
// by a stand-in that does nothing to the world. The stand-in finds, in the week each treated
// youth was enrolled in the trial's run and at the same point of the week, the same youth in
// the same slot (same week of entry into the model), and follows it over the same window.
class PairedRun {
 public:
  // `trial`: the finished trial run; `interventions`: the strategy's interventions, of which the
  // one under trial is replaced.
  PairedRun(const TrialRun& trial, InterventionList& interventions, std::size_t slots);
  void observe(const World& w);  // after step()
  // The paired design's counts: pairs, pairs (the same youths), outcomes in the trial's run,
  // outcomes in the paired run, outcomes in both runs, treated youths without a pair.
  std::vector<double> counts() const;

 private:
  friend class PairedStandIn;
  void consume_events(const World& w, int week);
  void start_enrolments(const World& w, int week);
  TrialSpec spec_;
  std::vector<TrialRun::Enrolment> enrolments_;
  std::size_t next_ = 0;                    // first enrolment not started
  std::vector<std::int32_t> entered_week_;  // per slot, in the paired run
  std::vector<std::int32_t> enrolment_;     // per slot: index being followed, or -1
  int events_week_ = std::numeric_limits<int>::min();
  std::size_t events_seen_ = 0;
};

// A TrialRun when strategy `strategy_index` of the scenario is the trial's, else null.
std::unique_ptr<TrialRun> attach_trial(const Scenario& scenario, std::size_t strategy_index,
                                       InterventionList& interventions, std::size_t slots);

// Per replicate and across replicates. Relative risk = (treated events / treated) / (control
// events / control); with a zero cell, 0.5 is added to each event count and 1 to each arm
// (Haldane-Anscombe). Across replicates: the geometric mean relative risk and the two-sided t
// interval of the mean log relative risk, exponentiated; the mean risk difference and its t
// interval. With one replicate, that trial's own large-sample intervals: Katz's log interval and
// the Wald interval when randomised, the delta-method intervals of matched pairs when paired.
// Also the Mantel-Haenszel relative risk pooled over replicates (as strata; when paired, over
// pairs), with the Greenland-Robins interval: robust when each replicate has few events.
// In the paired design the "control" is the same youths in the paired run: `control` equals
// `treated` (the pairs), `control_events` counts their outcomes in the paired run,
// `both_events` the pairs with the outcome in both runs (the concordant pairs of the interval),
// and `unmatched` the treated youths left out because their slot held another youth in the
// paired run.
struct TrialReplicate {
  double treated = 0, control = 0, treated_events = 0, control_events = 0;
  double both_events = 0, unmatched = 0;  // paired design only
  double treated_risk = 0, control_risk = 0, relative_risk = 0, risk_difference = 0;
};
TrialReplicate trial_replicate(const std::vector<double>& counts, TrialDesign design);

struct TrialSummary {
  TrialSpec spec;
  std::vector<TrialReplicate> replicates;
  Interval relative_risk;  // mean = geometric mean
  Interval risk_difference;
  Interval pooled_relative_risk;              // Mantel-Haenszel over replicates
  double treated_risk = 0, control_risk = 0;  // means over replicates
};
TrialSummary summarize_trial(const TrialSpec& spec, const std::vector<std::vector<double>>& counts);
// From the runs of an experiment; nullopt without a trial.
std::optional<TrialSummary> summarize_trial(const Scenario& scenario,
                                            const ExperimentOutput& output);

// Result files: the /trial group (docs/results.md).
void write_trial_group(H5::H5File& file, const TrialSummary& summary);
bool has_trial(const std::string& result_path);
TrialSummary read_trial(const std::string& result_path);

// The trial section of `drift summarize` and `drift run`.
std::string format_trial(const TrialSummary& summary);

}  // namespace drift
