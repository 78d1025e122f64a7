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
class TrialRun {
 public:
  TrialRun(const TrialSpec& spec, InterventionList& interventions, std::size_t slots);
  void observe(const World& w);  // after step(): counts the outcome events of the week
  // treated, control, treated_events, control_events
  std::vector<double> counts() const {
    return {treated_, control_, treated_events_, control_events_};
  }

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
  std::vector<std::uint8_t> counted_;   // outcome already counted
  std::vector<std::uint8_t> excluded_;  // 1 for the control arm: never taken in
  int events_week_ = std::numeric_limits<int>::min();
  std::size_t events_seen_ = 0;
  double treated_ = 0, control_ = 0, treated_events_ = 0, control_events_ = 0;
};

// A TrialRun when strategy `strategy_index` of the scenario is the trial's, else null.
std::unique_ptr<TrialRun> attach_trial(const Scenario& scenario, std::size_t strategy_index,
                                       InterventionList& interventions, std::size_t slots);

// Per replicate and across replicates. Relative risk = (treated events / treated) / (control
// events / control); with a zero cell, 0.5 is added to each event count and 1 to each arm
// (Haldane-Anscombe). Across replicates: the geometric mean relative risk and the two-sided t
// interval of the mean log relative risk, exponentiated; the mean risk difference and its t
// interval. With one replicate, the Katz log interval and the Wald interval of that trial.
// Also the Mantel-Haenszel relative risk pooled over replicates (as strata), with the
// Greenland-Robins interval: robust when each replicate has few events.
struct TrialReplicate {
  double treated = 0, control = 0, treated_events = 0, control_events = 0;
  double treated_risk = 0, control_risk = 0, relative_risk = 0, risk_difference = 0;
};
TrialReplicate trial_replicate(const std::vector<double>& counts);

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
