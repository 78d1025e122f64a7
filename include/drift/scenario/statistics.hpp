#pragma once
// The run statistics a targets file may name: their names, units and meanings, declared once.
// Their values are computed by the experiments part (experiments/observables.hpp).
#include <string>
#include <vector>

namespace drift {

struct Statistic {
  std::string name;  // stable: targets files refer to it
  std::string unit;
  std::string description;
};

// Every statistic, in a fixed order. Names:
//   suspects_per_10k_age_<A>   A = min_age..max_age-1 of the default population (12..26): youths
//                              of age A registered as suspects of any offence in a year (each
//                              youth once per year), per 10,000 youths of that age (person-years),
//                              over the run's whole years; NaN for an age the run does not model
//   suspects_per_10k_12_17, suspects_per_10k_18_22: the same over an age band
//   drug_share_12_17, drug_share_18_26: share of those suspects registered for dealing
//   rearrest_1y, rearrest_2y:  share of releases from detention followed by a new registration
//                              within 52 / 104 weeks, over releases with full follow-up
//   work_13w_after_release:    share of releases with a job 13 weeks after release
// Statistics of dealing (docs/calibration.md, "Targets that identify dealing"); every one is a
// rate per head or a share, so it does not depend on simulation.population_scale:
//   drug_suspects_per_10k_12_17, drug_suspects_per_10k_18_22: youths of the band registered for
//                              dealing in a year (each youth once per year) per 10,000 youths
//   drug_registrations_per_10k: registrations for dealing (every arrest counts) of youths of all
//                              modelled ages per 10,000 youths per year
//   dealt_share_12_17, dealt_share_18_22: share of youths of the band who dealt (runner or
//                              dealer) at some time in a year, per youth-year (as a survey asks
//                              "in the past twelve months")
//   drug_rearrest_2y:          share of releases from detention followed by a registration for
//                              dealing within 104 weeks, over releases with full follow-up
const std::vector<Statistic>& run_statistic_definitions();

// Index of a statistic by name in run_statistic_definitions(); -1 if absent.
int run_statistic_index(const std::string& name);

}  // namespace drift
