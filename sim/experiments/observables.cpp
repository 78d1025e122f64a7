#include "drift/experiments/observables.hpp"

#include <cmath>
#include <limits>

#include "drift/model/world.hpp"
#include "drift/results/run_output.hpp"

namespace drift {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Ages with a statistic of their own: those of the default population (min_age .. max_age - 1).
int first_statistic_age() {
  return Parameters{}.population.min_age;
}
int last_statistic_age() {
  return Parameters{}.population.max_age - 1;
}

double ratio(double num, double den, double scale = 1.0) {
  return den > 0 ? scale * num / den : kNaN;
}

// Sums over the run's whole years of suspects, drug suspects, youths who dealt and person-years
// of ages [lo, hi].
struct AgeSums {
  double suspects = 0, drug_suspects = 0, dealt = 0, person_years = 0;
};
AgeSums age_sums(const RunOutput& run, int lo, int hi) {
  AgeSums s;
  const int weeks = run.weeks / kWeeksPerYear * kWeeksPerYear;  // whole years only
  for (int a = lo; a <= hi; ++a) {
    const int k = a - run.min_age;
    if (k < 0 || k >= run.ages) continue;
    for (int t = 0; t < weeks; ++t) {
      const auto at = static_cast<std::size_t>(t) * run.ages + k;
      s.suspects += run.new_suspects[at];
      s.drug_suspects += run.new_drug_suspects[at];
      if (run.new_dealing.size() == run.present_by_age.size()) s.dealt += run.new_dealing[at];
      s.person_years += run.present_by_age[at];  // youth-weeks until the end
    }
  }
  s.person_years /= kWeeksPerYear;
  return s;
}

}  // namespace

std::vector<double> run_statistics(const RunOutput& run, const Parameters& params) {
  (void)params;  // the run's record carries its ages and horizon
  std::vector<double> out;
  out.reserve(run_statistic_definitions().size());
  for (int a = first_statistic_age(); a <= last_statistic_age(); ++a) {
    const auto s = age_sums(run, a, a);
    out.push_back(ratio(s.suspects, s.person_years, 1e4));
  }
  const auto young = age_sums(run, 12, 17);
  const auto peak = age_sums(run, 18, 22);
  const auto adult = age_sums(run, 18, 26);
  out.push_back(ratio(young.suspects, young.person_years, 1e4));
  out.push_back(ratio(peak.suspects, peak.person_years, 1e4));
  out.push_back(ratio(young.drug_suspects, young.suspects));
  out.push_back(ratio(adult.drug_suspects, adult.suspects));
  // Releases with full follow-up: released at least the window before the end of the horizon;
  // releases censored by the youth leaving the model are left out of the denominator.
  const auto& l = run.ledger;
  for (const int window : {kWeeksPerYear, 2 * kWeeksPerYear}) {
    const auto& hit = window == kWeeksPerYear ? l.reregistered_52w : l.reregistered_104w;
    const auto& censored = window == kWeeksPerYear ? l.censored_52w : l.censored_104w;
    double num = 0, den = 0;
    for (int r = 0; r + window <= run.weeks && r < static_cast<int>(l.releases.size()); ++r) {
      num += hit[r];
      den += l.releases[r] - censored[r];
    }
    out.push_back(ratio(num, den));
  }
  double job = 0, followed = 0;
  for (std::size_t r = 0; r < l.followed_13w.size(); ++r) {
    job += l.job_13w[r];
    followed += l.followed_13w[r];
  }
  out.push_back(ratio(job, followed));

  // Dealing. Registrations for dealing are the city's arrests (area metric "arrests"), over the
  // run's whole years and the person-years of every modelled age.
  out.push_back(ratio(young.drug_suspects, young.person_years, 1e4));
  out.push_back(ratio(peak.drug_suspects, peak.person_years, 1e4));
  const auto all = age_sums(run, run.min_age, run.min_age + run.ages - 1);
  const int arrests = area_metric_index("arrests");
  const int whole_weeks = run.weeks / kWeeksPerYear * kWeeksPerYear;
  double registrations = 0;
  const bool recorded = run.by_area.size() >= area_metrics().size() *
                                                  static_cast<std::size_t>(run.weeks) *
                                                  static_cast<std::size_t>(run.areas);
  for (int t = 0; recorded && t < whole_weeks; ++t) registrations += run.total(arrests, t);
  out.push_back(recorded ? ratio(registrations, all.person_years, 1e4) : kNaN);
  // A record without the dealing arrays (written before they existed) has no data for them.
  const bool dealing_recorded = run.new_dealing.size() == run.present_by_age.size();
  out.push_back(dealing_recorded ? ratio(young.dealt, young.person_years) : kNaN);
  out.push_back(dealing_recorded ? ratio(peak.dealt, peak.person_years) : kNaN);
  // As rearrest_2y, with registrations for dealing only and their own censoring.
  if (l.drug_reregistered_104w.size() != l.releases.size() ||
      l.drug_censored_104w.size() != l.releases.size()) {
    out.push_back(kNaN);
  } else {
    const int window = 2 * kWeeksPerYear;
    double num = 0, den = 0;
    for (int r = 0; r + window <= run.weeks && r < static_cast<int>(l.releases.size()); ++r) {
      num += l.drug_reregistered_104w[r];
      den += l.releases[r] - l.drug_censored_104w[r];
    }
    out.push_back(ratio(num, den));
  }
  return out;
}

}  // namespace drift
