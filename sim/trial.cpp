#include "drift/trial.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include <boost/math/distributions/normal.hpp>

#include "drift/interventions.hpp"
#include "drift/suggest.hpp"
#include "drift/world.hpp"
#include "yaml_text.hpp"

namespace drift {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::vector<std::string> kKeys = {"strategy",        "intervention",    "treatment_share",
                                        "enrolment_weeks", "follow_up_weeks", "outcome",
                                        "published"};
const std::vector<std::string> kPublishedKeys = {"relative_risk", "interval", "outcome", "design",
                                                 "source"};

// Reads the section; reports to `out` when given, else throws on the first problem.
class Parser {
 public:
  Parser(const Scenario& s, std::vector<Diagnostic>* out) : s_(s), out_(out) {}

  void add(const YAML::Node& at, const std::string& key, const std::string& message) {
    if (!out_) throw std::invalid_argument("trial: " + key + ": " + message);
    Diagnostic d;
    d.file = s_.trial_file;
    const auto mark = at.Mark();
    d.line = mark.is_null() ? 0 : mark.line + 1;
    d.column = mark.is_null() ? 0 : mark.column + 1;
    d.key = key;
    d.message = message;
    out_->push_back(std::move(d));
  }

  std::optional<std::string> text(const YAML::Node& key, const YAML::Node& v, const std::string& path) {
    if (v.IsScalar()) return v.Scalar();
    add(v.IsNull() ? key : v, path, "expected a string, got " + describe(v));
    return std::nullopt;
  }

  std::optional<double> number(const YAML::Node& key, const YAML::Node& v, const std::string& path,
                               double lo, double hi, bool open_lo, bool open_hi, bool whole,
                               const std::string& range) {
    const auto x = v.IsScalar() ? parse_number(v.Scalar()) : std::nullopt;
    if (!x) {
      add(v.IsNull() ? key : v, path, std::string("expected ") + (whole ? "a whole number" : "a number") +
                                          ", got " + describe(v));
      return std::nullopt;
    }
    if (whole && *x != std::floor(*x)) {
      add(v, path, "expected a whole number, got " + v.Scalar());
      return std::nullopt;
    }
    if ((open_lo ? *x <= lo : *x < lo) || (open_hi ? *x >= hi : *x > hi)) {
      add(v, path, "value " + format_number(*x) + " out of range " + range);
      return std::nullopt;
    }
    return x;
  }

  TrialSpec parse() {
    TrialSpec t;
    const auto& root = s_.trial;
    YAML::Node strategy_node, intervention_node, enrol_node, follow_node, root_key;
    bool have_strategy = false, have_intervention = false, have_outcome = false;
    for (auto it = root.begin(); it != root.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node v = it->second;
      const std::string k = key.IsScalar() ? key.Scalar() : "";
      const std::string path = "trial." + k;
      if (k == "strategy") {
        if (auto s = text(key, v, path)) t.strategy = *s, have_strategy = true, strategy_node = v;
      } else if (k == "intervention") {
        if (auto s = text(key, v, path)) {
          t.intervention = *s, have_intervention = true, intervention_node = v;
        }
      } else if (k == "treatment_share") {
        if (auto x = number(key, v, path, 0, 1, true, true, false, "(0, 1) (share)")) t.treatment_share = *x;
      } else if (k == "enrolment_weeks") {
        if (auto x = number(key, v, path, 1, 5200, false, false, true, "[1, 5200] (week)")) {
          t.enrolment_weeks = static_cast<int>(*x);
          enrol_node = v;
        }
      } else if (k == "follow_up_weeks") {
        if (auto x = number(key, v, path, 1, 5200, false, false, true, "[1, 5200] (week)")) {
          t.follow_up_weeks = static_cast<int>(*x);
          follow_node = v;
        }
      } else if (k == "outcome") {
        if (auto s = text(key, v, path)) {
          const auto& names = trial_outcome_names();
          const auto at = std::find(names.begin(), names.end(), *s);
          if (at == names.end()) {
            add(v, path, "unknown outcome '" + *s + "'" + did_you_mean(*s, names) +
                             " (one of: entry, arrest, job)");
          } else {
            t.outcome = static_cast<TrialOutcome>(at - names.begin());
            t.outcome_name = *s;
            have_outcome = true;
          }
        }
      } else if (k == "published") {
        parse_published(key, v, t);
      } else {
        add(key, path, "unknown key '" + k + "'" + did_you_mean(k, kKeys));
      }
    }
    const YAML::Node anchor = root;
    if (!have_strategy && !has(root, "strategy")) add(anchor, "trial", "missing required key 'strategy'");
    if (!have_intervention && !has(root, "intervention")) {
      add(anchor, "trial", "missing required key 'intervention'");
    }
    if (!have_outcome && !has(root, "outcome")) {
      add(anchor, "trial", "missing required key 'outcome' (one of: entry, arrest, job)");
    }
    if (have_strategy) {
      std::vector<std::string> names;
      for (const auto& st : s_.strategies) names.push_back(st.name);
      const auto at = std::find(names.begin(), names.end(), t.strategy);
      if (at == names.end()) {
        add(strategy_node, "trial.strategy",
            "unknown strategy '" + t.strategy + "'" + did_you_mean(t.strategy, names));
        have_intervention = false;  // nothing to look it up in
      } else {
        t.strategy_index = static_cast<std::size_t>(at - names.begin());
      }
    }
    if (have_strategy && have_intervention) {
      const auto& st = s_.strategies[t.strategy_index];
      std::vector<std::string> names;
      for (const auto& i : st.interventions) names.push_back(i.name);
      const auto at = std::find(names.begin(), names.end(), t.intervention);
      if (at == names.end()) {
        add(intervention_node, "trial.intervention",
            "strategy '" + t.strategy + "' has no intervention named '" + t.intervention + "'" +
                did_you_mean(t.intervention, names));
      } else {
        t.intervention_index = static_cast<std::size_t>(at - names.begin());
        if (out_) check_type(st.interventions[t.intervention_index], intervention_node);
      }
    }
    const int weeks = s_.params.simulation.weeks;
    if (t.enrolment_weeks + t.follow_up_weeks > weeks) {
      const YAML::Node at = follow_node ? follow_node : enrol_node ? enrol_node : anchor;
      add(at, follow_node ? "trial.follow_up_weeks" : "trial.enrolment_weeks",
          "enrolment_weeks + follow_up_weeks = " + std::to_string(t.enrolment_weeks + t.follow_up_weeks) +
              " exceeds the recorded weeks of the run (simulation.weeks = " + std::to_string(weeks) +
              "): the last youths enrolled would not be followed up for the whole window");
    }
    return t;
  }

 private:
  const Scenario& s_;
  std::vector<Diagnostic>* out_;

  static bool has(const YAML::Node& map, const std::string& key) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) return true;
    }
    return false;
  }

  void check_type(const InterventionSpec& spec, const YAML::Node& at) {
    const auto* type = InterventionRegistry::find(spec.type);
    if (type == nullptr) return;  // reported with the strategy
    std::vector<std::string> areas;
    for (const auto& a : s_.areas) areas.push_back(a.name);
    const auto iv = type->create(spec, 0, areas);
    if (!iv->supports_trial()) {
      add(at, "trial.intervention",
          "intervention '" + spec.name + "' is of type '" + spec.type +
              "', which acts on areas and networks, not on individual youths; only interventions "
              "that serve youths can be randomised");
    }
  }

  void parse_published(const YAML::Node& key, const YAML::Node& v, TrialSpec& t) {
    if (!v.IsMap()) {
      add(v.IsNull() ? key : v, "trial.published", "expected a map, got " + describe(v));
      return;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      const YAML::Node pk = it->first;
      const YAML::Node pv = it->second;
      const std::string k = pk.IsScalar() ? pk.Scalar() : "";
      const std::string path = "trial.published." + k;
      if (k == "relative_risk") {
        if (auto x = number(pk, pv, path, 0, 1e6, true, false, false, "(0, 1e6] (ratio)")) {
          t.published_relative_risk = *x;
        }
      } else if (k == "interval") {
        if (!pv.IsSequence() || pv.size() != 2) {
          add(pv.IsNull() ? pk : pv, path, "expected [low, high], got " + describe(pv));
          continue;
        }
        const auto lo = number(pk, pv[0], path, 0, 1e6, true, false, false, "(0, 1e6] (ratio)");
        const auto hi = number(pk, pv[1], path, 0, 1e6, true, false, false, "(0, 1e6] (ratio)");
        if (lo && hi) {
          if (*lo > *hi) {
            add(pv, path, "low " + format_number(*lo) + " is above high " + format_number(*hi));
          } else {
            t.published_low = *lo;
            t.published_high = *hi;
          }
        }
      } else if (k == "outcome" || k == "design" || k == "source") {
        if (auto s = text(pk, pv, path)) {
          (k == "outcome" ? t.published_outcome : k == "design" ? t.published_design : t.published_source) = *s;
        }
      } else {
        add(pk, path, "unknown key '" + k + "'" + did_you_mean(k, kPublishedKeys));
      }
    }
  }
};

// The intervention under trial, wrapped: randomises newly eligible youths, then lets it act.
}  // namespace

class TrialGate : public Intervention {
 public:
  TrialGate(std::unique_ptr<Intervention> inner, TrialRun& run) : inner_(std::move(inner)), run_(run) {
    inner_->set_trial_target(true);
  }
  InterventionWeek apply(World& w, int week) override {
    const auto& spec = run_.spec_;
    if (week < spec.enrolment_weeks) {
      auto& p = w.pop;
      const auto n = static_cast<std::uint32_t>(p.size());
      for (std::uint32_t i = 0; i < n; ++i) {
        if (p.trial_arm[i] != kTrialNone || p.state[i] == State::vacant) continue;
        if (!inner_->trial_eligible(w, i, week)) continue;
        const bool treated = w.rng.uniform(Stream::trial_arm, week, i) < spec.treatment_share;
        p.trial_arm[i] = treated ? kTrialTreatment : kTrialControl;
        p.trial_week[i] = week;
        p.trial_events[i] = 0;
        (treated ? run_.treated_ : run_.control_) += 1;
      }
    }
    return inner_->apply(w, week);
  }
  double fixed_cost() const override { return inner_->fixed_cost(); }
  bool supports_trial() const override { return inner_->supports_trial(); }
  bool trial_eligible(const World& w, std::uint32_t i, int week) const override {
    return inner_->trial_eligible(w, i, week);
  }

 private:
  std::unique_ptr<Intervention> inner_;
  TrialRun& run_;
};

const std::vector<std::string>& trial_outcome_names() {
  static const std::vector<std::string> names = {"entry", "arrest", "job"};
  return names;
}

void check_trial(const Scenario& scenario, std::vector<Diagnostic>& out) {
  if (!scenario.trial) return;
  if (!scenario.trial.IsMap()) return;  // reported by the loader
  Parser(scenario, &out).parse();
}

std::optional<TrialSpec> trial_spec(const Scenario& scenario) {
  if (!scenario.trial || !scenario.trial.IsMap()) return std::nullopt;
  return Parser(scenario, nullptr).parse();
}

std::string trial_json_schema() {
  return R"json({
      "type": "object",
      "additionalProperties": false,
      "required": ["strategy", "intervention", "outcome"],
      "description": "Virtual trial: randomise the eligible youths of one intervention of one strategy to treatment or control and count an outcome within a follow-up window (docs/trials.md)",
      "properties": {
        "strategy": {"type": "string", "description": "Strategy whose runs hold the trial"},
        "intervention": {"type": "string", "description": "Name of the intervention of that strategy under trial (it must serve individual youths)"},
        "treatment_share": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.5, "description": "Probability of the treatment arm"},
        "enrolment_weeks": {"type": "integer", "minimum": 1, "maximum": 5200, "default": 52, "description": "Youths are randomised when they first meet the eligibility rule in the first N recorded weeks"},
        "follow_up_weeks": {"type": "integer", "minimum": 1, "maximum": 5200, "default": 52, "description": "Outcome window from randomisation; enrolment_weeks + follow_up_weeks must not exceed simulation.weeks"},
        "outcome": {"enum": ["entry", "arrest", "job"], "description": "entry: starts dealing (first time or again); arrest: is arrested; job: finds a job"},
        "published": {
          "type": "object",
          "additionalProperties": false,
          "description": "The published figure set next to the simulated one",
          "properties": {
            "relative_risk": {"type": "number", "exclusiveMinimum": 0},
            "interval": {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}, "minItems": 2, "maxItems": 2},
            "outcome": {"type": "string"},
            "design": {"type": "string"},
            "source": {"type": "string"}
          }
        }
      }
    })json";
}

TrialRun::TrialRun(const TrialSpec& spec, InterventionList& interventions) : spec_(spec) {
  auto& slot = interventions.at(spec.intervention_index);
  slot = std::make_unique<TrialGate>(std::move(slot), *this);
}

void TrialRun::observe(World& w) {
  const int week = w.week - 1;  // step() has moved on
  auto& p = w.pop;
  const auto n = p.size();
  const std::uint8_t bit = spec_.outcome == TrialOutcome::entry ? kTrialEventEntry
                           : spec_.outcome == TrialOutcome::job ? kTrialEventJob
                                                                : 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto arm = p.trial_arm[i];
    if (arm == kTrialNone) continue;
    auto& ev = p.trial_events[i];
    const bool happened = bit != 0 ? (ev & bit) != 0 : p.last_arrest_week[i] == week;
    if (happened && !(ev & kTrialEventCounted) && week - p.trial_week[i] < spec_.follow_up_weeks) {
      (arm == kTrialTreatment ? treated_events_ : control_events_) += 1;
      ev |= kTrialEventCounted;
    }
    ev &= kTrialEventCounted;  // this week's events are seen
  }
}

std::unique_ptr<TrialRun> attach_trial(const Scenario& scenario, std::size_t strategy_index,
                                       InterventionList& interventions) {
  const auto spec = trial_spec(scenario);
  if (!spec || spec->strategy_index != strategy_index) return nullptr;
  return std::make_unique<TrialRun>(*spec, interventions);
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

TrialSummary summarize_trial(const TrialSpec& spec, const std::vector<std::vector<double>>& counts) {
  TrialSummary s;
  s.spec = spec;
  std::vector<double> log_rr, rd, rt, rc;
  for (const auto& c : counts) {
    s.replicates.push_back(trial_replicate(c));
    const auto& r = s.replicates.back();
    if (std::isfinite(r.relative_risk) && r.relative_risk > 0) log_rr.push_back(std::log(r.relative_risk));
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
    const auto& r = *std::find_if(s.replicates.begin(), s.replicates.end(),
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

std::optional<TrialSummary> summarize_trial(const Scenario& scenario, const ExperimentOutput& output) {
  const auto spec = trial_spec(scenario);
  if (!spec || spec->strategy_index >= output.strategies.size()) return std::nullopt;
  std::vector<std::vector<double>> counts;
  for (const auto& run : output.strategies[spec->strategy_index].replicates) counts.push_back(run.trial);
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
  o << "Virtual trial: intervention '" << t.intervention << "' in strategy '" << t.strategy << "'\n";
  o << "  outcome " << t.outcome_name << " within " << t.follow_up_weeks
    << " weeks of randomisation; enrolment in the first " << t.enrolment_weeks
    << " weeks; treatment share " << fmt(t.treatment_share, 2) << "\n";
  o << "  per replicate: " << fmt(treated / reps, 1) << " treated, " << fmt(control / reps, 1)
    << " control (mean of " << s.replicates.size() << " replicates, " << valid << " with a relative risk)\n";
  o << "  risk: treated " << fmt(s.treated_risk, 3) << ", control " << fmt(s.control_risk, 3) << "\n";
  o << "  simulated relative risk  " << fmt(s.relative_risk.mean, 2) << " [" << fmt(s.relative_risk.lo, 2)
    << ", " << fmt(s.relative_risk.hi, 2) << "]   risk difference " << fmt(s.risk_difference.mean, 3)
    << " [" << fmt(s.risk_difference.lo, 3) << ", " << fmt(s.risk_difference.hi, 3) << "]\n";
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
  o << "  (relative risk: geometric mean over replicates, t interval of the mean log relative risk;\n"
       "   with few events per replicate, prefer the pooled one)\n";
  return o.str();
}

}  // namespace drift
