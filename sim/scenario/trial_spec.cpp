#include "drift/scenario/trial_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "drift/interventions/registry.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/suggest.hpp"
#include "sections.hpp"
#include "yaml_text.hpp"

namespace drift {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::vector<std::string> kKeys = {"strategy",        "intervention",    "design",
                                        "treatment_share", "enrolment_weeks", "follow_up_weeks",
                                        "outcome",         "published"};
const std::vector<std::string> kPublishedKeys = {"relative_risk", "interval", "outcome", "design",
                                                 "source"};

// Reads the section; reports to `out` when given, else throws on the first problem.
class Parser : public SectionReader {
 public:
  Parser(const Scenario& s, std::string file, std::vector<Diagnostic>& out)
      : SectionReader(std::move(file), out), s_(s) {}

  std::optional<std::string> text(const YAML::Node& key, const YAML::Node& v,
                                  const std::string& path) {
    if (v.IsScalar()) return v.Scalar();
    add(v.IsNull() ? key : v, path, "expected a string, got " + describe(v));
    return std::nullopt;
  }

  std::optional<double> number(const YAML::Node& key, const YAML::Node& v, const std::string& path,
                               double lo, double hi, bool open_lo, bool open_hi, bool whole,
                               const std::string& range) {
    const auto x = v.IsScalar() ? parse_number(v.Scalar()) : std::nullopt;
    if (!x) {
      add(v.IsNull() ? key : v, path,
          std::string("expected ") + (whole ? "a whole number" : "a number") + ", got " +
              describe(v));
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

  TrialSpec parse(const YAML::Node& root_node) {
    TrialSpec t;
    const auto& root = root_node;
    YAML::Node strategy_node, intervention_node, enrol_node, follow_node, share_node, root_key;
    bool have_strategy = false, have_intervention = false, have_outcome = false;
    bool share_read = false;  // a valid treatment_share was given
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
      } else if (k == "design") {
        if (auto s = text(key, v, path)) {
          const auto& names = trial_design_names();
          const auto at = std::find(names.begin(), names.end(), *s);
          if (at == names.end()) {
            add(v, path,
                "unknown design '" + *s + "'" + did_you_mean(*s, names) +
                    " (one of: paired, randomised)");
          } else {
            t.design = static_cast<TrialDesign>(at - names.begin());
            t.design_name = *s;
          }
        }
      } else if (k == "treatment_share") {
        if (auto x = number(key, v, path, 0, 1, true, false, false, "(0, 1] (share)")) {
          t.treatment_share = *x;
          share_node = v;
          share_read = true;
        }
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
            add(v, path,
                "unknown outcome '" + *s + "'" + did_you_mean(*s, names) +
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
    if (t.design == TrialDesign::randomised) {
      // A randomised trial needs a control arm; half and half gives the narrowest interval.
      if (!has(root, "treatment_share")) {
        t.treatment_share = 0.5;
      } else if (share_read && t.treatment_share >= 1) {
        add(share_node, "trial.treatment_share",
            "value 1 leaves the randomised design without a control arm; use a share below 1, or "
            "design: paired");
      }
    }
    if (!have_strategy && !has(root, "strategy"))
      add(anchor, "trial", "missing required key 'strategy'");
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
        check_type(st.interventions[t.intervention_index], intervention_node);
      }
    }
    const int weeks = s_.params.simulation.weeks;
    if (t.enrolment_weeks + t.follow_up_weeks > weeks) {
      const YAML::Node at = follow_node ? follow_node : enrol_node ? enrol_node : anchor;
      add(at, follow_node ? "trial.follow_up_weeks" : "trial.enrolment_weeks",
          "enrolment_weeks + follow_up_weeks = " +
              std::to_string(t.enrolment_weeks + t.follow_up_weeks) +
              " exceeds the recorded weeks of the run (simulation.weeks = " +
              std::to_string(weeks) +
              "): the last youths enrolled would not be followed up for the whole window");
    }
    return t;
  }

 private:
  const Scenario& s_;

  static bool has(const YAML::Node& map, const std::string& key) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) return true;
    }
    return false;
  }

  void check_type(const InterventionSpec& spec, const YAML::Node& at) {
    const auto* type = InterventionRegistry::find(spec.type);
    if (type == nullptr) return;  // reported with the strategy
    if (!type->schema.serves_youths) {
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
          (k == "outcome"  ? t.published_outcome
           : k == "design" ? t.published_design
                           : t.published_source) = *s;
        }
      } else {
        add(pk, path, "unknown key '" + k + "'" + did_you_mean(k, kPublishedKeys));
      }
    }
  }
};

}  // namespace

const std::vector<std::string>& trial_outcome_names() {
  static const std::vector<std::string> names = {"entry", "arrest", "job"};
  return names;
}

const std::vector<std::string>& trial_design_names() {
  static const std::vector<std::string> names = {"paired", "randomised"};
  return names;
}

std::optional<TrialSpec> check_trial(const Scenario& scenario, const YAML::Node& section,
                                     const std::string& file, std::vector<Diagnostic>& out) {
  if (!section.IsMap()) return std::nullopt;  // reported by the loader
  const std::size_t before = out.size();
  auto spec = Parser(scenario, file, out).parse(section);
  if (out.size() != before) return std::nullopt;
  return spec;
}

std::optional<TrialSpec> trial_spec(const Scenario& scenario) {
  return scenario.trial;
}

std::string trial_json_schema() {
  return R"json({
      "type": "object",
      "additionalProperties": false,
      "required": ["strategy", "intervention", "outcome"],
      "description": "Virtual trial: enrol the eligible youths of one intervention of one strategy and count an outcome within a follow-up window, against the same youths in a paired run without the intervention or against a randomised control arm (docs/trials.md)",
      "properties": {
        "strategy": {"type": "string", "description": "Strategy whose runs hold the trial"},
        "intervention": {"type": "string", "description": "Name of the intervention of that strategy under trial (it must serve individual youths)"},
        "design": {"enum": ["paired", "randomised"], "default": "paired", "description": "paired: each treated youth against itself in a paired run of the strategy without the intervention (common random numbers, no interference); randomised: against a randomised control arm in the same run (controls may take what the treated leave)"},
        "treatment_share": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "description": "Probability that an eligible youth is enrolled in the treatment arm; the others are kept from the intervention. Default 1 when paired, 0.5 when randomised (which needs a share below 1)"},
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

}  // namespace drift
