// Run statistics, provisional implementation: the model does not yet record suspects by age or a
// ledger of releases, so the statistics are approximated from the weekly area metrics. Every
// age gets the same suspect rate (arrests per youth-year), rearrest is relapses per release, and
// statistics that need data the run does not hold are NaN.
#include "drift/observables.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace drift {

const std::vector<Statistic>& run_statistic_definitions() {
  static const std::vector<Statistic> defs = [] {
    std::vector<Statistic> d;
    const Parameters defaults;
    for (int a = defaults.population.min_age; a < defaults.population.max_age; ++a) {
      d.push_back({"suspects_per_10k_age_" + std::to_string(a), "per 10,000 youths per year",
                   "Youths of age " + std::to_string(a) +
                       " registered as suspects in a year, per 10,000 youths of that age"});
    }
    d.push_back({"suspects_per_10k_12_17", "per 10,000 youths per year",
                 "Youths aged 12-17 registered as suspects in a year, per 10,000 of that age"});
    d.push_back({"suspects_per_10k_18_22", "per 10,000 youths per year",
                 "Youths aged 18-22 registered as suspects in a year, per 10,000 of that age"});
    d.push_back({"drug_share_12_17", "share", "Share of suspects aged 12-17 registered for dealing"});
    d.push_back({"drug_share_18_26", "share", "Share of suspects aged 18-26 registered for dealing"});
    d.push_back({"rearrest_1y", "share",
                 "Share of releases followed by a new registration within 52 weeks"});
    d.push_back({"rearrest_2y", "share",
                 "Share of releases followed by a new registration within 104 weeks"});
    d.push_back({"work_13w_after_release", "share", "Share of releases with a job 13 weeks later"});
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

std::vector<double> run_statistics(const RunOutput& run, const Parameters& /*params*/) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto& defs = run_statistic_definitions();
  std::vector<double> out(defs.size(), nan);
  const int youths = area_metric_index("youths"), arrests = area_metric_index("arrests");
  const int relapses = area_metric_index("relapses"), releases = area_metric_index("releases");
  double person_weeks = 0, arrest_count = 0, relapse_count = 0, release_count = 0;
  for (int w = 0; w < run.weeks; ++w) {
    person_weeks += run.total(youths, w);
    arrest_count += run.total(arrests, w);
    relapse_count += run.total(relapses, w);
    release_count += run.total(releases, w);
  }
  const double rate = person_weeks > 0 ? 1e4 * arrest_count / (person_weeks / 52.0) : nan;
  for (std::size_t k = 0; k < defs.size(); ++k) {
    if (defs[k].name.starts_with("suspects_per_10k_")) out[k] = rate;
  }
  if (release_count > 0) {
    out[run_statistic_index("rearrest_2y")] = std::min(1.0, relapse_count / release_count);
  }
  return out;
}

}  // namespace drift
