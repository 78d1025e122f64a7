#include "drift/results/run_output.hpp"

#include <algorithm>

namespace drift {

const std::vector<Metric>& area_metrics() {
  static const std::vector<Metric> m = {
      {"youths", "youths", "Youths living in the area (all states)"},
      {"dealing", "youths", "Youths currently dealing (runner or dealer)"},
      {"uninvolved", "youths", "Youths not involved in dealing and not at risk"},
      {"at_risk", "youths", "Youths at risk of entering dealing"},
      {"runner", "youths", "Youths running for a network"},
      {"dealer", "youths", "Youths dealing for a network"},
      {"detained", "youths", "Youths in detention"},
      {"released", "youths", "Youths released from detention, within the probation window"},
      {"desisted", "youths", "Youths who stopped dealing"},
      {"employed", "youths", "Youths with a job (ordinary or with status)"},
      {"status_job", "youths", "Youths with a job with status"},
      {"record", "youths", "Youths with a criminal record"},
      {"new_entries", "youths per week", "First entries into dealing this week"},
      {"entries", "youths per week", "Entries into dealing this week (first entries and relapses)"},
      {"relapses", "youths per week", "Returns to dealing after release or desistance this week"},
      {"arrests", "youths per week", "Arrests of runners and dealers this week"},
      {"releases", "youths per week", "Releases from detention this week"},
      {"desistances", "youths per week", "Runners and dealers who stopped dealing this week"},
      {"jobs_found", "youths per week", "Jobs found this week"},
  };
  return m;
}

const std::vector<Metric>& city_metrics() {
  static const std::vector<Metric> m = {
      {"network_members", "youths", "Youths dealing for a criminal network"},
      {"network_places", "places", "Places for youths in criminal networks (after interventions)"},
      {"network_revenue", "euro per week", "Turnover brought in by youths dealing for networks"},
  };
  return m;
}

const std::vector<Metric>& intervention_metrics() {
  static const std::vector<Metric> m = {
      {"eligible", "youths", "Youths meeting the eligibility rule this week"},
      {"enrolled", "youths per week", "Youths taken in this week"},
      {"served", "youths", "Youths served or covered this week"},
      {"waiting", "youths", "Eligible youths on the waiting list this week"},
      {"capacity", "places", "Places available this week"},
      {"cost", "euro per week", "Cost this week"},
      {"mean_wait", "weeks", "Mean weeks waited by the youths taken in this week"},
  };
  return m;
}

int area_metric_index(const std::string& name) {
  const auto& m = area_metrics();
  for (std::size_t k = 0; k < m.size(); ++k) {
    if (m[k].name == name) return static_cast<int>(k);
  }
  return -1;
}

void ReleaseLedger::assign(int weeks) {
  for (auto* c : columns()) c->assign(static_cast<std::size_t>(std::max(0, weeks)), 0.0);
}

std::vector<std::vector<double>*> ReleaseLedger::columns() {
  return {&releases, &reregistered_52w, &reregistered_104w, &censored_52w, &censored_104w,
          &followed_13w, &job_13w};
}

std::vector<const std::vector<double>*> ReleaseLedger::columns() const {
  return {&releases, &reregistered_52w, &reregistered_104w, &censored_52w, &censored_104w,
          &followed_13w, &job_13w};
}

std::vector<RunOutput::Array> RunOutput::arrays() {
  return {{"by_area", &by_area},
          {"city", &city},
          {"interventions", &interventions},
          {"trial", &trial},
          {"present_by_age", &present_by_age},
          {"new_suspects", &new_suspects},
          {"new_drug_suspects", &new_drug_suspects},
          {"ledger/releases", &ledger.releases},
          {"ledger/reregistered_52w", &ledger.reregistered_52w},
          {"ledger/reregistered_104w", &ledger.reregistered_104w},
          {"ledger/censored_52w", &ledger.censored_52w},
          {"ledger/censored_104w", &ledger.censored_104w},
          {"ledger/followed_13w", &ledger.followed_13w},
          {"ledger/job_13w", &ledger.job_13w}};
}

std::vector<RunOutput::Dimension> RunOutput::dimensions() {
  return {{"weeks", &weeks}, {"areas", &areas}, {"min_age", &min_age}, {"ages", &ages}};
}

double RunOutput::total(int metric, int week) const {
  double s = 0;
  for (int a = 0; a < areas; ++a) s += area_value(metric, week, a);
  return s;
}

}  // namespace drift
