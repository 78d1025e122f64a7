#include "drift/experiments/trial.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "drift/interventions/registry.hpp"
#include "drift/interventions/youth_service.hpp"
#include "drift/model/world.hpp"
#include "drift/scenario/suggest.hpp"

namespace drift {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// The event that counts as the trial's outcome.
EventKind outcome_event(TrialOutcome outcome) {
  return outcome == TrialOutcome::entry ? EventKind::started_dealing
         : outcome == TrialOutcome::job ? EventKind::job_found
                                        : EventKind::arrested;
}
}  // namespace

// The intervention under trial, wrapped: randomises newly eligible youths, then lets it act.
class TrialGate : public Intervention {
 public:
  TrialGate(std::unique_ptr<Intervention> inner, TrialRun& run)
      : inner_(std::move(inner)),
        service_(dynamic_cast<iv::YouthService*>(inner_.get())),
        run_(run) {
    // Validation admits only types that serve youths (Schema::serves_youths).
    if (service_ == nullptr)
      throw std::logic_error("the intervention under trial serves no youths");
    service_->exclude(&run_.excluded_);
  }
  InterventionWeek apply(World& w, int week) override {
    const auto& spec = run_.spec_;
    // Departures and newcomers of this week's turnover first, so a newcomer can be enrolled.
    run_.consume_events(w, week);
    if (week < spec.enrolment_weeks) {
      const auto& p = w.pop;
      const auto n = static_cast<std::uint32_t>(p.size());
      for (std::uint32_t i = 0; i < n; ++i) {
        if (run_.arm_[i] != TrialRun::none || p.state[i] == State::vacant) continue;
        if (!service_->meets_eligibility(w, i, week)) continue;
        // A share of 1 (the paired design's default) enrols every eligible youth without a draw.
        const bool treated = spec.treatment_share >= 1 ||
                             w.rng.uniform(Stream::trial_arm, week, i) < spec.treatment_share;
        run_.enrol(i, treated ? TrialRun::treatment : TrialRun::control, week);
      }
    }
    return inner_->apply(w, week);
  }
  double fixed_cost() const override { return inner_->fixed_cost(); }

 private:
  std::unique_ptr<Intervention> inner_;
  iv::YouthService* service_;
  TrialRun& run_;
};

TrialRun::TrialRun(const TrialSpec& spec, InterventionList& interventions, std::size_t slots)
    : spec_(spec),
      arm_(slots, none),
      enrolled_week_(slots, kNever),
      counted_(slots, 0),
      excluded_(slots, 0),
      entered_week_(slots, kBeforeRecord),
      enrolment_(slots, -1) {
  auto& slot = interventions.at(spec.intervention_index);
  slot = std::make_unique<TrialGate>(std::move(slot), *this);
}

void TrialRun::enrol(std::uint32_t i, Arm arm, int week) {
  arm_[i] = arm;
  excluded_[i] = arm == control ? 1 : 0;
  enrolled_week_[i] = week;
  counted_[i] = 0;
  (arm == treatment ? treated_ : control_) += 1;
  enrolment_[i] = -1;
  if (spec_.design == TrialDesign::paired && arm == treatment) {
    enrolment_[i] = static_cast<std::int32_t>(enrolments_.size());
    enrolments_.push_back({i, week, entered_week_[i]});
  }
}

void TrialRun::consume_events(const World& w, int week) {
  if (week != events_week_) {
    events_week_ = week;
    events_seen_ = 0;
  }
  const EventKind outcome = outcome_event(spec_.outcome);
  for (; events_seen_ < w.events.size(); ++events_seen_) {
    const auto& e = w.events[events_seen_];
    if (e.kind == EventKind::left || e.kind == EventKind::entered) {
      arm_[e.agent] = none;
      excluded_[e.agent] = 0;
      enrolled_week_[e.agent] = kNever;
      counted_[e.agent] = 0;
      enrolment_[e.agent] = -1;
      if (e.kind == EventKind::entered) entered_week_[e.agent] = week;
      continue;
    }
    if (e.kind != outcome) continue;
    const auto arm = arm_[e.agent];
    if (arm == none || counted_[e.agent] ||
        week - enrolled_week_[e.agent] >= spec_.follow_up_weeks) {
      continue;
    }
    (arm == treatment ? treated_events_ : control_events_) += 1;
    counted_[e.agent] = 1;
    if (enrolment_[e.agent] >= 0) enrolments_[enrolment_[e.agent]].treated_event = 1;
  }
}

void TrialRun::observe(const World& w) {
  consume_events(w, w.week - 1);
}  // step() moved on

// Stands in the paired run for the intervention under trial: acts on nothing, but at the point of
// the week where the trial's run enrols youths it looks up the same youths.
class PairedStandIn : public Intervention {
 public:
  explicit PairedStandIn(PairedRun& run) : run_(run) {}
  InterventionWeek apply(World& w, int week) override {
    run_.consume_events(w, week);
    run_.start_enrolments(w, week);
    return {};
  }

 private:
  PairedRun& run_;
};

PairedRun::PairedRun(const TrialRun& trial, InterventionList& interventions, std::size_t slots)
    : spec_(trial.spec()),
      enrolments_(trial.enrolments()),
      entered_week_(slots, TrialRun::kBeforeRecord),
      enrolment_(slots, -1) {
  interventions.at(spec_.intervention_index) = std::make_unique<PairedStandIn>(*this);
  for (auto& e : enrolments_) e.paired_event = e.matched = 0;
}

void PairedRun::start_enrolments(const World& w, int week) {
  // Enrolments are in order of week, as the trial's run made them.
  for (; next_ < enrolments_.size() && enrolments_[next_].week <= week; ++next_) {
    auto& e = enrolments_[next_];
    // Both runs start from the same world, so a slot holds the same youth in both unless its
    // turnover differed; the week of entry tells.
    if (w.pop.state[e.slot] == State::vacant || entered_week_[e.slot] != e.entered_week) continue;
    e.matched = 1;
    enrolment_[e.slot] = static_cast<std::int32_t>(next_);
  }
}

void PairedRun::consume_events(const World& w, int week) {
  if (week != events_week_) {
    events_week_ = week;
    events_seen_ = 0;
  }
  const EventKind outcome = outcome_event(spec_.outcome);
  for (; events_seen_ < w.events.size(); ++events_seen_) {
    const auto& ev = w.events[events_seen_];
    if (ev.kind == EventKind::left || ev.kind == EventKind::entered) {
      enrolment_[ev.agent] = -1;
      if (ev.kind == EventKind::entered) entered_week_[ev.agent] = week;
      continue;
    }
    if (ev.kind != outcome || enrolment_[ev.agent] < 0) continue;
    auto& e = enrolments_[enrolment_[ev.agent]];
    if (week - e.week < spec_.follow_up_weeks) e.paired_event = 1;
  }
}

void PairedRun::observe(const World& w) {
  consume_events(w, w.week - 1);
}

std::vector<double> PairedRun::counts() const {
  double pairs = 0, treated_events = 0, paired_events = 0, both = 0, unmatched = 0;
  for (const auto& e : enrolments_) {
    if (!e.matched) {
      ++unmatched;
      continue;
    }
    ++pairs;
    treated_events += e.treated_event;
    paired_events += e.paired_event;
    both += e.treated_event && e.paired_event ? 1 : 0;
  }
  return {pairs, pairs, treated_events, paired_events, both, unmatched};
}

std::unique_ptr<TrialRun> attach_trial(const Scenario& scenario, std::size_t strategy_index,
                                       InterventionList& interventions, std::size_t slots) {
  const auto spec = trial_spec(scenario);
  if (!spec || spec->strategy_index != strategy_index) return nullptr;
  return std::make_unique<TrialRun>(*spec, interventions, slots);
}

namespace {

// Haldane-Anscombe: 0.5 added to each event count (and 1 to each arm) when a cell is zero or full.
bool zero_or_full(const TrialReplicate& r) {
  return r.treated_events == 0 || r.control_events == 0 || r.treated_events == r.treated ||
         r.control_events == r.control;
}

}  // namespace

TrialReplicate trial_replicate(const std::vector<double>& c, TrialDesign design) {
  TrialReplicate r;
  const bool paired = design == TrialDesign::paired;
  if (c.size() < (paired ? 6u : 4u)) {
    r.treated_risk = r.control_risk = r.relative_risk = r.risk_difference = kNaN;
    return r;
  }
  r.treated = c[0];
  r.control = c[1];
  r.treated_events = c[2];
  r.control_events = c[3];
  if (paired) {
    r.both_events = c[4];
    r.unmatched = c[5];
  }
  if (r.treated <= 0 || r.control <= 0) {
    r.treated_risk = r.treated > 0 ? r.treated_events / r.treated : kNaN;
    r.control_risk = r.control > 0 ? r.control_events / r.control : kNaN;
    r.relative_risk = r.risk_difference = kNaN;
    return r;
  }
  r.treated_risk = r.treated_events / r.treated;
  r.control_risk = r.control_events / r.control;
  r.risk_difference = r.treated_risk - r.control_risk;
  const double h = zero_or_full(r) ? 0.5 : 0.0;
  r.relative_risk = ((r.treated_events + h) / (r.treated + 2 * h)) /
                    ((r.control_events + h) / (r.control + 2 * h));
  return r;
}

TrialSummary summarize_trial(const TrialSpec& spec,
                             const std::vector<std::vector<double>>& counts) {
  TrialSummary s;
  s.spec = spec;
  const bool paired = spec.design == TrialDesign::paired;
  std::vector<double> log_rr, rd, rt, rc;
  for (const auto& c : counts) {
    s.replicates.push_back(trial_replicate(c, spec.design));
    const auto& r = s.replicates.back();
    if (std::isfinite(r.relative_risk) && r.relative_risk > 0)
      log_rr.push_back(std::log(r.relative_risk));
    if (std::isfinite(r.risk_difference)) {
      rd.push_back(r.risk_difference);
      rt.push_back(r.treated_risk);
      rc.push_back(r.control_risk);
    }
  }
  auto mean = [](const std::vector<double>& v) {
    double m = 0;
    for (double x : v) m += x / static_cast<double>(v.size());
    return v.empty() ? kNaN : m;
  };
  s.treated_risk = mean(rt);
  s.control_risk = mean(rc);
  const auto lr = mean_interval(log_rr);
  s.relative_risk = {std::exp(lr.mean), std::exp(lr.lo), std::exp(lr.hi)};
  s.risk_difference = mean_interval(rd);
  const double z = boost::math::quantile(boost::math::normal(), 0.975);
  if (paired) {
    // Every pair a stratum: the Mantel-Haenszel relative risk of matched pairs is the ratio of
    // the event totals, and the Greenland-Robins variance of its log reduces to
    // (discordant pairs) / (treated events x paired events), the delta-method variance of the
    // log ratio of two paired proportions.
    double a = 0, b = 0, discordant = 0;
    for (const auto& r : s.replicates) {
      if (r.treated <= 0) continue;
      a += r.treated_events;
      b += r.control_events;
      discordant += r.treated_events + r.control_events - 2 * r.both_events;
    }
    if (a > 0 && b > 0) {
      const double rr = a / b, se = std::sqrt(discordant / (a * b));
      s.pooled_relative_risk = {rr, rr * std::exp(-z * se), rr * std::exp(z * se)};
    } else {
      s.pooled_relative_risk = {kNaN, kNaN, kNaN};
    }
  } else {
    // Mantel-Haenszel over replicates, Greenland-Robins variance of the log.
    double num = 0, den = 0, var = 0;
    for (const auto& r : s.replicates) {
      const double total = r.treated + r.control;
      if (r.treated <= 0 || r.control <= 0) continue;
      num += r.treated_events * r.control / total;
      den += r.control_events * r.treated / total;
      var += (r.treated * r.control * (r.treated_events + r.control_events) -
              r.treated_events * r.control_events * total) /
             (total * total);
    }
    if (num > 0 && den > 0) {
      const double rr = num / den, se = std::sqrt(var / (num * den));
      s.pooled_relative_risk = {rr, rr * std::exp(-z * se), rr * std::exp(z * se)};
    } else {
      s.pooled_relative_risk = {kNaN, kNaN, kNaN};
    }
  }
  if (log_rr.size() == 1 && rd.size() == 1) {
    // One trial: its own large-sample intervals.
    const auto& r =
        *std::find_if(s.replicates.begin(), s.replicates.end(),
                      [](const TrialReplicate& x) { return std::isfinite(x.relative_risk); });
    const double h = zero_or_full(r) ? 0.5 : 0.0;
    const double a = r.treated_events + h, n1 = r.treated + 2 * h;
    const double c = r.control_events + h, n0 = r.control + 2 * h;
    double se = 0, se_rd = 0;
    if (paired) {
      // Delta method for matched pairs: var log RR = (n10 + n01) / (a c); var RD =
      // ((n10 + n01) - (n10 - n01)^2 / n) / n^2, with n10, n01 the discordant pairs.
      const double n10 = r.treated_events - r.both_events, n01 = r.control_events - r.both_events;
      se = std::sqrt((n10 + n01) / (a * c));
      se_rd =
          std::sqrt(std::max(0.0, (n10 + n01) - (n10 - n01) * (n10 - n01) / r.treated)) / r.treated;
    } else {
      se = std::sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0);
      se_rd = std::sqrt(r.treated_risk * (1 - r.treated_risk) / r.treated +
                        r.control_risk * (1 - r.control_risk) / r.control);
    }
    s.relative_risk.lo = r.relative_risk * std::exp(-z * se);
    s.relative_risk.hi = r.relative_risk * std::exp(z * se);
    s.risk_difference.lo = r.risk_difference - z * se_rd;
    s.risk_difference.hi = r.risk_difference + z * se_rd;
  }
  return s;
}

std::optional<TrialSummary> summarize_trial(const Scenario& scenario,
                                            const ExperimentOutput& output) {
  const auto spec = trial_spec(scenario);
  if (!spec || spec->strategy_index >= output.strategies.size()) return std::nullopt;
  std::vector<std::vector<double>> counts;
  for (const auto& run : output.strategies[spec->strategy_index].replicates)
    counts.push_back(run.trial);
  return summarize_trial(*spec, counts);
}

namespace {
std::string fmt(double v, int digits) {
  if (std::isnan(v)) return "n/a";
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}
}  // namespace

std::string format_trial(const TrialSummary& s) {
  const auto& t = s.spec;
  std::ostringstream o;
  std::size_t valid = 0;
  double treated = 0, control = 0;
  for (const auto& r : s.replicates) {
    treated += r.treated;
    control += r.control;
    valid += std::isfinite(r.relative_risk) ? 1 : 0;
  }
  const double reps = s.replicates.empty() ? 1.0 : static_cast<double>(s.replicates.size());
  const bool paired = t.design == TrialDesign::paired;
  double unmatched = 0;
  for (const auto& r : s.replicates) unmatched += r.unmatched;
  o << "Virtual trial: intervention '" << t.intervention << "' in strategy '" << t.strategy
    << "'\n";
  o << "  outcome " << t.outcome_name << " within " << t.follow_up_weeks
    << " weeks of enrolment; enrolment in the first " << t.enrolment_weeks << " weeks\n";
  if (paired) {
    o << "  design: paired (each treated youth against itself in a run of the strategy without the "
         "intervention; treatment share "
      << fmt(t.treatment_share, 2) << ")\n";
    o << "  per replicate: " << fmt(treated / reps, 1) << " treated youths with a pair, "
      << fmt(unmatched / reps, 1) << " without (mean of " << s.replicates.size() << " replicates, "
      << valid << " with a relative risk)\n";
    o << "  risk: treated " << fmt(s.treated_risk, 3) << ", same youths without the intervention "
      << fmt(s.control_risk, 3) << "\n";
  } else {
    o << "  design: randomised (treatment share " << fmt(t.treatment_share, 2)
      << "; the control arm may take what the treated leave)\n";
    o << "  per replicate: " << fmt(treated / reps, 1) << " treated, " << fmt(control / reps, 1)
      << " control (mean of " << s.replicates.size() << " replicates, " << valid
      << " with a relative risk)\n";
    o << "  risk: treated " << fmt(s.treated_risk, 3) << ", control " << fmt(s.control_risk, 3)
      << "\n";
  }
  o << "  simulated relative risk  " << fmt(s.relative_risk.mean, 2) << " ["
    << fmt(s.relative_risk.lo, 2) << ", " << fmt(s.relative_risk.hi, 2) << "]   risk difference "
    << fmt(s.risk_difference.mean, 3) << " [" << fmt(s.risk_difference.lo, 3) << ", "
    << fmt(s.risk_difference.hi, 3) << "]\n";
  o << "  pooled relative risk     " << fmt(s.pooled_relative_risk.mean, 2) << " ["
    << fmt(s.pooled_relative_risk.lo, 2) << ", " << fmt(s.pooled_relative_risk.hi, 2)
    << "]   (Mantel-Haenszel over " << (paired ? "pairs" : "replicates") << ")\n";
  if (!std::isnan(t.published_relative_risk)) {
    o << "  published relative risk  " << fmt(t.published_relative_risk, 2);
    if (!std::isnan(t.published_low)) {
      o << " [" << fmt(t.published_low, 2) << ", " << fmt(t.published_high, 2) << "]";
    }
    o << "\n";
    if (!t.published_outcome.empty()) o << "    outcome: " << t.published_outcome << "\n";
    if (!t.published_design.empty()) o << "    design: " << t.published_design << "\n";
    if (!t.published_source.empty()) o << "    source: " << t.published_source << "\n";
    if (!std::isnan(s.relative_risk.lo)) {
      const double p = t.published_relative_risk;
      const bool inside = p >= s.relative_risk.lo && p <= s.relative_risk.hi;
      o << "  the published relative risk lies " << (inside ? "inside" : "outside")
        << " the simulated 95% interval\n";
    }
  }
  o << "  (relative risk: geometric mean over replicates, t interval of the mean log relative "
       "risk;\n"
       "   with few events per replicate, prefer the pooled one)\n";
  return o.str();
}

}  // namespace drift
