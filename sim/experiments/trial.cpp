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
        const bool treated = w.rng.uniform(Stream::trial_arm, week, i) < spec.treatment_share;
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
      excluded_(slots, 0) {
  auto& slot = interventions.at(spec.intervention_index);
  slot = std::make_unique<TrialGate>(std::move(slot), *this);
}

void TrialRun::enrol(std::uint32_t i, Arm arm, int week) {
  arm_[i] = arm;
  excluded_[i] = arm == control ? 1 : 0;
  enrolled_week_[i] = week;
  counted_[i] = 0;
  (arm == treatment ? treated_ : control_) += 1;
}

void TrialRun::consume_events(const World& w, int week) {
  if (week != events_week_) {
    events_week_ = week;
    events_seen_ = 0;
  }
  const EventKind outcome = spec_.outcome == TrialOutcome::entry ? EventKind::started_dealing
                            : spec_.outcome == TrialOutcome::job ? EventKind::job_found
                                                                 : EventKind::arrested;
  for (; events_seen_ < w.events.size(); ++events_seen_) {
    const auto& e = w.events[events_seen_];
    if (e.kind == EventKind::left || e.kind == EventKind::entered) {
      arm_[e.agent] = none;
      excluded_[e.agent] = 0;
      enrolled_week_[e.agent] = kNever;
      counted_[e.agent] = 0;
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
  }
}

void TrialRun::observe(const World& w) {
  consume_events(w, w.week - 1);
}  // step() moved on

std::unique_ptr<TrialRun> attach_trial(const Scenario& scenario, std::size_t strategy_index,
                                       InterventionList& interventions, std::size_t slots) {
  const auto spec = trial_spec(scenario);
  if (!spec || spec->strategy_index != strategy_index) return nullptr;
  return std::make_unique<TrialRun>(*spec, interventions, slots);
}

TrialReplicate trial_replicate(const std::vector<double>& c) {
  TrialReplicate r;
  if (c.size() < 4) {
    r.treated_risk = r.control_risk = r.relative_risk = r.risk_difference = kNaN;
    return r;
  }
  r.treated = c[0];
  r.control = c[1];
  r.treated_events = c[2];
  r.control_events = c[3];
  if (r.treated <= 0 || r.control <= 0) {
    r.treated_risk = r.treated > 0 ? r.treated_events / r.treated : kNaN;
    r.control_risk = r.control > 0 ? r.control_events / r.control : kNaN;
    r.relative_risk = r.risk_difference = kNaN;
    return r;
  }
  r.treated_risk = r.treated_events / r.treated;
  r.control_risk = r.control_events / r.control;
  r.risk_difference = r.treated_risk - r.control_risk;
  const bool zero = r.treated_events == 0 || r.control_events == 0 ||
                    r.treated_events == r.treated || r.control_events == r.control;
  const double h = zero ? 0.5 : 0.0;
  r.relative_risk = ((r.treated_events + h) / (r.treated + 2 * h)) /
                    ((r.control_events + h) / (r.control + 2 * h));
  return r;
}

TrialSummary summarize_trial(const TrialSpec& spec,
                             const std::vector<std::vector<double>>& counts) {
  TrialSummary s;
  s.spec = spec;
  std::vector<double> log_rr, rd, rt, rc;
  for (const auto& c : counts) {
    s.replicates.push_back(trial_replicate(c));
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
  {
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
      const double z = boost::math::quantile(boost::math::normal(), 0.975);
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
    const double z = boost::math::quantile(boost::math::normal(), 0.975);
    const bool zero = r.treated_events == 0 || r.control_events == 0 ||
                      r.treated_events == r.treated || r.control_events == r.control;
    const double h = zero ? 0.5 : 0.0;
    const double a = r.treated_events + h, n1 = r.treated + 2 * h;
    const double c = r.control_events + h, n0 = r.control + 2 * h;
    const double se = std::sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0);
    s.relative_risk.lo = r.relative_risk * std::exp(-z * se);
    s.relative_risk.hi = r.relative_risk * std::exp(z * se);
    const double se_rd = std::sqrt(r.treated_risk * (1 - r.treated_risk) / r.treated +
                                   r.control_risk * (1 - r.control_risk) / r.control);
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
  o << "Virtual trial: intervention '" << t.intervention << "' in strategy '" << t.strategy
    << "'\n";
  o << "  outcome " << t.outcome_name << " within " << t.follow_up_weeks
    << " weeks of randomisation; enrolment in the first " << t.enrolment_weeks
    << " weeks; treatment share " << fmt(t.treatment_share, 2) << "\n";
  o << "  per replicate: " << fmt(treated / reps, 1) << " treated, " << fmt(control / reps, 1)
    << " control (mean of " << s.replicates.size() << " replicates, " << valid
    << " with a relative risk)\n";
  o << "  risk: treated " << fmt(s.treated_risk, 3) << ", control " << fmt(s.control_risk, 3)
    << "\n";
  o << "  simulated relative risk  " << fmt(s.relative_risk.mean, 2) << " ["
    << fmt(s.relative_risk.lo, 2) << ", " << fmt(s.relative_risk.hi, 2) << "]   risk difference "
    << fmt(s.risk_difference.mean, 3) << " [" << fmt(s.risk_difference.lo, 3) << ", "
    << fmt(s.risk_difference.hi, 3) << "]\n";
  o << "  pooled relative risk     " << fmt(s.pooled_relative_risk.mean, 2) << " ["
    << fmt(s.pooled_relative_risk.lo, 2) << ", " << fmt(s.pooled_relative_risk.hi, 2)
    << "]   (Mantel-Haenszel over replicates)\n";
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
