#include "drift/scenario/statistics.hpp"

#include "drift/model/parameters.hpp"

namespace drift {

namespace {
// Ages of the default population (the run statistics of other ages are NaN).
int first_statistic_age() {
  return Parameters{}.population.min_age;
}
int last_statistic_age() {
  return Parameters{}.population.max_age - 1;
}
}  // namespace

const std::vector<Statistic>& run_statistic_definitions() {
  static const std::vector<Statistic> defs = [] {
    std::vector<Statistic> d;
    for (int a = first_statistic_age(); a <= last_statistic_age(); ++a) {
      d.push_back(
          {"suspects_per_10k_age_" + std::to_string(a), "per 10,000 youths",
           "Youths aged " + std::to_string(a) +
               " registered as suspects of any offence in a year (each youth once per year), "
               "per 10,000 youths of that age, over the run's whole years"});
    }
    d.push_back({"suspects_per_10k_12_17", "per 10,000 youths",
                 "Registered suspects of any offence per 10,000 youths aged 12-17 per year"});
    d.push_back({"suspects_per_10k_18_22", "per 10,000 youths",
                 "Registered suspects of any offence per 10,000 youths aged 18-22 per year"});
    d.push_back({"drug_share_12_17", "share",
                 "Share of the registered suspects aged 12-17 who were registered for dealing"});
    d.push_back({"drug_share_18_26", "share",
                 "Share of the registered suspects aged 18-26 who were registered for dealing"});
    d.push_back({"rearrest_1y", "share",
                 "Share of releases from detention followed by a new registration within 52 weeks "
                 "(releases with full follow-up)"});
    d.push_back({"rearrest_2y", "share",
                 "Share of releases from detention followed by a new registration within 104 weeks "
                 "(releases with full follow-up)"});
    d.push_back({"work_13w_after_release", "share",
                 "Share of releases from detention with a job 13 weeks after release (youths still "
                 "present)"});
    d.push_back({"drug_suspects_per_10k_12_17", "per 10,000 youths",
                 "Youths aged 12-17 registered as suspects of dealing in a year (each youth once "
                 "per year), per 10,000 youths aged 12-17"});
    d.push_back({"drug_suspects_per_10k_18_22", "per 10,000 youths",
                 "Youths aged 18-22 registered as suspects of dealing in a year (each youth once "
                 "per year), per 10,000 youths aged 18-22"});
    d.push_back({"drug_registrations_per_10k", "per 10,000 youths",
                 "Registrations for dealing (arrests; every registration counts) of the modelled "
                 "youths in a year, per 10,000 modelled youths"});
    d.push_back({"dealt_share_12_17", "share",
                 "Share of youths aged 12-17 who dealt (runner or dealer) at some time in a year, "
                 "per youth-year"});
    d.push_back({"dealt_share_18_22", "share",
                 "Share of youths aged 18-22 who dealt (runner or dealer) at some time in a year, "
                 "per youth-year"});
    d.push_back({"drug_rearrest_2y", "share",
                 "Share of releases from detention followed by a registration for dealing within "
                 "104 weeks (releases with full follow-up)"});
    return d;
  }();
  return defs;
}

int run_statistic_index(const std::string& name) {
  const auto& d = run_statistic_definitions();
  for (std::size_t k = 0; k < d.size(); ++k) {
    if (d[k].name == name) return static_cast<int>(k);
  }
  return -1;
}

}  // namespace drift
