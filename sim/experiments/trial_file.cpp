// The /trial group of result files (layout: docs/results.md).
#include <H5Cpp.h>

#include <cmath>

#include "drift/experiments/trial.hpp"
#include "drift/results/h5_write.hpp"
#include "drift/results/results.hpp"

namespace drift {

namespace {

void column(H5::Group& g, const std::string& name, const std::vector<double>& values,
            const std::string& unit, const std::string& description) {
  h5::array(g, name, {values.size()}, values, unit, description, "replicate");
}

}  // namespace

void write_trial_group(H5::H5File& file, const TrialSummary& s) {
  const auto& t = s.spec;
  auto g = file.createGroup("trial");
  const bool paired = t.design == TrialDesign::paired;
  h5::string_attr(
      g, "description",
      paired ? "Virtual trial, paired design: eligible youths enrolled in the intervention, each "
               "against itself in a paired run of the strategy without the intervention (same "
               "seed and replicate); relative risk per replicate and, across replicates, the "
               "geometric mean with the t interval of the mean log relative risk"
             : "Virtual trial, randomised design: eligible youths randomised to the intervention "
               "or kept from it; relative risk per replicate and, across replicates, the "
               "geometric mean with the t interval of the mean log relative risk");
  h5::string_attr(g, "design", t.design_name);
  h5::string_attr(g, "strategy", t.strategy);
  h5::string_attr(g, "intervention", t.intervention);
  h5::string_attr(g, "outcome", t.outcome_name);
  h5::number_attr(g, "follow_up_weeks", t.follow_up_weeks);
  h5::number_attr(g, "enrolment_weeks", t.enrolment_weeks);
  h5::number_attr(g, "treatment_share", t.treatment_share);
  h5::number_attr(g, "published_relative_risk", t.published_relative_risk);
  h5::number_attr(g, "published_low", t.published_low);
  h5::number_attr(g, "published_high", t.published_high);
  h5::string_attr(g, "published_outcome", t.published_outcome);
  h5::string_attr(g, "published_design", t.published_design);
  h5::string_attr(g, "published_source", t.published_source);
  h5::number_attr(g, "rr_mean", s.relative_risk.mean);
  h5::number_attr(g, "rr_low", s.relative_risk.lo);
  h5::number_attr(g, "rr_high", s.relative_risk.hi);
  h5::number_attr(g, "rr_pooled", s.pooled_relative_risk.mean);
  h5::number_attr(g, "rr_pooled_low", s.pooled_relative_risk.lo);
  h5::number_attr(g, "rr_pooled_high", s.pooled_relative_risk.hi);
  h5::number_attr(g, "rd_mean", s.risk_difference.mean);
  h5::number_attr(g, "rd_low", s.risk_difference.lo);
  h5::number_attr(g, "rd_high", s.risk_difference.hi);
  std::vector<double> treated, control, te, ce, both, unmatched, rr, rd;
  for (const auto& r : s.replicates) {
    treated.push_back(r.treated);
    control.push_back(r.control);
    te.push_back(r.treated_events);
    ce.push_back(r.control_events);
    both.push_back(r.both_events);
    unmatched.push_back(r.unmatched);
    rr.push_back(r.relative_risk);
    rd.push_back(r.risk_difference);
  }
  if (paired) {
    column(g, "treated", treated, "youths",
           "Treated youths with a pair (the same youth in the paired run)");
    column(g, "control", control, "youths",
           "The same youths in the paired run without the intervention (equal to treated)");
    column(g, "treated_events", te, "youths",
           "Treated youths with the outcome within the follow-up window");
    column(g, "control_events", ce, "youths",
           "The same youths with the outcome within the same window in the paired run");
    column(g, "both_events", both, "youths",
           "Treated youths with the outcome within the window in both runs");
    column(g, "unmatched", unmatched, "youths",
           "Treated youths left out: their slot held another youth in the paired run");
  } else {
    column(g, "treated", treated, "youths", "Youths randomised to the treatment arm");
    column(g, "control", control, "youths", "Youths randomised to the control arm");
    column(g, "treated_events", te, "youths",
           "Treated youths with the outcome within the follow-up window");
    column(g, "control_events", ce, "youths",
           "Control youths with the outcome within the follow-up window");
  }
  column(g, "relative_risk", rr, "ratio",
         "Risk of the treated over risk of the controls (paired: of the same youths in the paired "
         "run); 0.5 added to each event count with a zero or full cell; NaN when an arm is empty");
  column(g, "risk_difference", rd, "share",
         "Risk of the treated minus risk of the controls (paired: of the same youths in the "
         "paired run)");
}

bool has_trial(const std::string& result_path) {
  ResultReader reader(result_path);
  return reader.exists("/trial");
}

TrialSummary read_trial(const std::string& result_path) {
  ResultReader reader(result_path);
  TrialSummary s;
  auto& t = s.spec;
  const std::string g = "/trial";
  t.strategy = reader.attribute(g, "strategy");
  t.intervention = reader.attribute(g, "intervention");
  t.outcome_name = reader.attribute(g, "outcome");
  // Files written before the paired design have no `design`: they are randomised trials.
  t.design_name =
      reader.has_attribute(g, "design") ? reader.attribute(g, "design") : std::string("randomised");
  const auto& designs = trial_design_names();
  for (std::size_t k = 0; k < designs.size(); ++k) {
    if (designs[k] == t.design_name) t.design = static_cast<TrialDesign>(k);
  }
  const auto& names = trial_outcome_names();
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (names[k] == t.outcome_name) t.outcome = static_cast<TrialOutcome>(k);
  }
  t.follow_up_weeks = static_cast<int>(reader.numeric_attribute(g, "follow_up_weeks"));
  t.enrolment_weeks = static_cast<int>(reader.numeric_attribute(g, "enrolment_weeks"));
  t.treatment_share = reader.numeric_attribute(g, "treatment_share");
  t.published_relative_risk = reader.numeric_attribute(g, "published_relative_risk");
  t.published_low = reader.numeric_attribute(g, "published_low");
  t.published_high = reader.numeric_attribute(g, "published_high");
  t.published_outcome = reader.attribute(g, "published_outcome");
  t.published_design = reader.attribute(g, "published_design");
  t.published_source = reader.attribute(g, "published_source");
  const auto treated = reader.dataset(g + "/treated").values;
  const auto control = reader.dataset(g + "/control").values;
  const auto te = reader.dataset(g + "/treated_events").values;
  const auto ce = reader.dataset(g + "/control_events").values;
  std::vector<std::vector<double>> counts;
  if (t.design == TrialDesign::paired) {
    const auto both = reader.dataset(g + "/both_events").values;
    const auto unmatched = reader.dataset(g + "/unmatched").values;
    for (std::size_t r = 0; r < treated.size(); ++r)
      counts.push_back({treated[r], control[r], te[r], ce[r], both[r], unmatched[r]});
  } else {
    for (std::size_t r = 0; r < treated.size(); ++r)
      counts.push_back({treated[r], control[r], te[r], ce[r]});
  }
  auto recomputed = summarize_trial(t, counts);
  // The stored summary is what the file says; recomputing it must agree.
  recomputed.relative_risk = {reader.numeric_attribute(g, "rr_mean"),
                              reader.numeric_attribute(g, "rr_low"),
                              reader.numeric_attribute(g, "rr_high")};
  recomputed.risk_difference = {reader.numeric_attribute(g, "rd_mean"),
                                reader.numeric_attribute(g, "rd_low"),
                                reader.numeric_attribute(g, "rd_high")};
  recomputed.pooled_relative_risk = {reader.numeric_attribute(g, "rr_pooled"),
                                     reader.numeric_attribute(g, "rr_pooled_low"),
                                     reader.numeric_attribute(g, "rr_pooled_high")};
  return recomputed;
}

}  // namespace drift
