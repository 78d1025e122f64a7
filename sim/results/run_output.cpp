#include "drift/results/run_output.hpp"

#include <algorithm>
#include <cmath>

namespace drift {

namespace {

// How a recorded week measures each metric: from the world's tallies and networks, or from an
// intervention's report of the week.
template <Tally t>
double tally_of(const World& w, int area) {
  return static_cast<double>(w.tally(area, t));
}
double youths_in(const World& w, int area) {
  double youths = 0;
  for (int s = 0; s < kStateCount; ++s)
    youths += static_cast<double>(w.tally(area, static_cast<Tally>(s)));
  return youths;
}
double dealing_in(const World& w, int area) {
  return static_cast<double>(w.tally(area, Tally::runner)) +
         static_cast<double>(w.tally(area, Tally::dealer));
}
double network_members(const World& w) {
  double members = 0;
  for (std::size_t n = 0; n < w.networks.count(); ++n) members += w.networks.members[n];
  return members;
}
double network_places(const World& w) {
  double places = 0;
  const auto& nets = w.networks;
  for (std::size_t n = 0; n < nets.count(); ++n)
    places += nets.fixed_capacity(n) + static_cast<double>(nets.supply_members[n]);
  return places;
}
// Fixed places of the networks active in an area and those open, each network counted with the
// area's share of its territory (as the recruitment demand counts them).
std::pair<double, double> area_places(const World& w, int area) {
  const auto& nets = w.networks;
  double open = 0, places = 0;
  for (auto k = nets.area_network_begin[area]; k < nets.area_network_begin[area + 1]; ++k) {
    const auto n = nets.area_networks[k];
    const double share = 1.0 / (nets.territory_begin[n + 1] - nets.territory_begin[n]);
    open += share * nets.open_places(n);
    places += share * nets.fixed_capacity(n);
  }
  return {places, open};
}
double open_places_in(const World& w, int area) {
  return area_places(w, area).second;
}
double fixed_places_in(const World& w, int area) {
  return area_places(w, area).first;
}
double filled_share_in(const World& w, int area) {
  const auto [places, open] = area_places(w, area);
  return places > 0 ? (places - open) / places : 1.0;
}
double recruiters_in(const World& w, int area) {
  return static_cast<double>(w.recruiters[area]);
}
double network_revenue(const World& w) {
  double revenue = 0;
  for (std::size_t n = 0; n < w.networks.count(); ++n) revenue += w.networks.revenue_week[n];
  return revenue;
}

}  // namespace

const std::vector<Metric>& area_metrics() {
  static const std::vector<Metric> m = {
      {"youths", "youths", "Youths living in the area (all states)", youths_in},
      {"dealing", "youths", "Youths currently dealing (runner or dealer)", dealing_in},
      {"uninvolved", "youths", "Youths not involved in dealing and not at risk",
       &tally_of<Tally::uninvolved>},
      {"at_risk", "youths", "Youths at risk of entering dealing", &tally_of<Tally::at_risk>},
      {"runner", "youths", "Youths running for a network", &tally_of<Tally::runner>},
      {"dealer", "youths", "Youths dealing for a network", &tally_of<Tally::dealer>},
      {"detained", "youths", "Youths in detention", &tally_of<Tally::detained>},
      {"released", "youths",
       "Youths under supervision after detention, a community sanction or a settlement, within "
       "the probation window",
       &tally_of<Tally::released>},
      {"desisted", "youths", "Youths who stopped dealing", &tally_of<Tally::desisted>},
      {"employed", "youths",
       "Youths with a job (ordinary, with status, or a youth job below labour.working_age)",
       &tally_of<Tally::employed>},
      {"status_job", "youths", "Youths with a job with status", &tally_of<Tally::status_job>},
      {"record", "youths", "Youths with a criminal record", &tally_of<Tally::record>},
      {"new_entries", "youths per week", "First entries into dealing this week",
       &tally_of<Tally::new_entries>},
      {"entries", "youths per week", "Entries into dealing this week (first entries and relapses)",
       &tally_of<Tally::entries>},
      {"relapses", "youths per week", "Returns to dealing after release or desistance this week",
       &tally_of<Tally::relapses>},
      {"arrests", "youths per week", "Arrests of runners and dealers this week",
       &tally_of<Tally::arrests>},
      {"releases", "youths per week", "Releases from detention this week",
       &tally_of<Tally::releases>},
      {"desistances", "youths per week", "Runners and dealers who stopped dealing this week",
       &tally_of<Tally::desistances>},
      {"jobs_found", "youths per week", "Jobs found this week", &tally_of<Tally::jobs_found>},
      {"dismissals", "youths per week",
       "Arrests this week that ended without a sanction (sepot, acquittal)",
       &tally_of<Tally::dismissals>},
      {"settlements", "youths per week",
       "Arrests this week settled out of court (HALT, transactie, strafbeschikking) or fined",
       &tally_of<Tally::settlements>},
      {"community_sanctions", "youths per week",
       "Arrests this week that led to a community sanction (taakstraf, werkstraf)",
       &tally_of<Tally::community_sanctions>},
      {"detentions", "youths per week", "Arrests this week that led to detention",
       &tally_of<Tally::detentions>},
      {"recruiters", "youths", "Dealers with the recruiter role living in the area", recruiters_in},
      {"entries_walk_in", "youths per week",
       "Recruitment entries this week through walk-in contact (no recruiter involved)",
       &tally_of<Tally::entries_walk_in>},
      {"entries_district", "youths per week",
       "Recruitment entries this week through recruiters in the district",
       &tally_of<Tally::entries_district>},
      {"entries_neighbourhood", "youths per week",
       "Recruitment entries this week through a recruiting neighbour",
       &tally_of<Tally::entries_neighbourhood>},
      {"entries_school", "youths per week",
       "Recruitment entries this week through a recruiting schoolmate",
       &tally_of<Tally::entries_school>},
      {"entries_friendship", "youths per week",
       "Recruitment entries this week through a recruiting friend",
       &tally_of<Tally::entries_friendship>},
      {"places_brought", "youths per week",
       "Entries this week with a place the youth brought (supply-driven; withdrawn when it leaves)",
       &tally_of<Tally::places_brought>},
      {"fixed_places", "places",
       "Fixed places (refilled when vacated) of the networks active in the area, by territory "
       "share",
       fixed_places_in},
      {"open_places", "places", "Of the fixed places, those open at the end of the week",
       open_places_in},
      {"filled_share", "share",
       "Share of the fixed places that are filled at the end of the week (1 when there are none)",
       filled_share_in},
  };
  return m;
}

const std::vector<Metric>& city_metrics() {
  static const std::vector<Metric> m = {
      {"network_members", "youths", "Youths dealing for a criminal network", nullptr,
       network_members},
      {"network_places", "places",
       "Places for youths in criminal networks (fixed places after interventions and disruption, "
       "and places brought by members)",
       nullptr, network_places},
      {"network_revenue", "euro per week", "Turnover brought in by youths dealing for networks",
       nullptr, network_revenue},
  };
  return m;
}

const std::vector<Metric>& intervention_metrics() {
  static const std::vector<Metric> m = {
      {"eligible", "youths", "Youths meeting the eligibility rule this week", nullptr, nullptr,
       &InterventionWeek::eligible},
      {"enrolled", "youths per week", "Youths taken in this week", nullptr, nullptr,
       &InterventionWeek::enrolled},
      {"served", "youths", "Youths served or covered this week", nullptr, nullptr,
       &InterventionWeek::served},
      {"waiting", "youths", "Eligible youths on the waiting list this week", nullptr, nullptr,
       &InterventionWeek::waiting},
      {"capacity", "places", "Places available this week", nullptr, nullptr,
       &InterventionWeek::capacity},
      {"cost", "euro per week", "Cost this week", nullptr, nullptr, &InterventionWeek::cost},
      {"mean_wait", "weeks", "Mean weeks waited by the youths taken in this week", nullptr, nullptr,
       &InterventionWeek::mean_wait},
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
  return {&releases,     &reregistered_52w,       &reregistered_104w,
          &censored_52w, &censored_104w,          &followed_13w,
          &job_13w,      &drug_reregistered_104w, &drug_censored_104w};
}

std::vector<const std::vector<double>*> ReleaseLedger::columns() const {
  return {&releases,     &reregistered_52w,       &reregistered_104w,
          &censored_52w, &censored_104w,          &followed_13w,
          &job_13w,      &drug_reregistered_104w, &drug_censored_104w};
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
          {"ledger/job_13w", &ledger.job_13w},
          {"ledger/drug_reregistered_104w", &ledger.drug_reregistered_104w},
          {"ledger/drug_censored_104w", &ledger.drug_censored_104w},
          {"new_dealing", &new_dealing}};
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
