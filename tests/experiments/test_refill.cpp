// Refill after a one-off removal: pulse strategies and the weeks until the deficit returns.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "drift/experiments/experiment.hpp"
#include "drift/experiments/refill.hpp"
#include "drift/scenario/scenario.hpp"

namespace drift {
namespace {

InterventionSpec block(int start, int end) {
  InterventionSpec iv;
  iv.type = "enforcement";
  iv.values.number["start_week"] = start;
  iv.values.number["end_week"] = end;
  return iv;
}

TEST(PulseWeek, IsTheWeekWhenEveryInterventionActsInThatWeekOnly) {
  StrategySpec s;
  EXPECT_FALSE(pulse_week(s));  // the baseline: nothing acts
  s.interventions = {block(10, 11), block(10, 11)};
  EXPECT_EQ(pulse_week(s), 10);
  s.interventions = {block(10, 11), block(12, 13)};
  EXPECT_FALSE(pulse_week(s));  // two pulses in different weeks
  s.interventions = {block(10, 12)};
  EXPECT_FALSE(pulse_week(s));  // two weeks long
  InterventionSpec no_weeks;
  no_weeks.type = "vog_relaxation";
  s.interventions = {block(10, 11), no_weeks};
  EXPECT_FALSE(pulse_week(s));
}

TEST(RefillTimes, CountWeeksAfterThePulseUntilTheDeficitFirstFallsToHalfAndATenth) {
  // Two replicates of 8 weeks, pulse in week 2. Replicate 0: deficit 0 0 10 8 5 2 1 0 -> half
  // (5) reached in week 4 (2 weeks after), a tenth (1) in week 6 (4 weeks after). Replicate 1:
  // deficit 0 0 20 15 12 11 11 11 -> half (10) never: both censored.
  const std::vector<double> base = {100, 100, 100, 100, 100, 100, 100, 100,
                                    50,  50,  50,  50,  50,  50,  50,  50};
  const std::vector<double> strategy = {100, 100, 90, 92, 95, 98, 99, 100,
                                        50,  50,  30, 35, 38, 39, 39, 39};
  const auto r = refill_times(base, strategy, 2, 8, 2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].removed, 10);
  EXPECT_EQ(r[0].weeks_to_half, 2);
  EXPECT_EQ(r[0].weeks_to_90, 4);
  EXPECT_EQ(r[1].removed, 20);
  EXPECT_TRUE(std::isnan(r[1].weeks_to_half));
  EXPECT_TRUE(std::isnan(r[1].weeks_to_90));
}

TEST(RefillTimes, TheFirstCrossingCountsEvenWhenTheDeficitGrowsAgain) {
  const std::vector<double> base = {10, 10, 10, 10, 10};
  const std::vector<double> strategy = {4, 9, 5, 10, 10};  // deficit 6, 1, 5, 0, 0
  const auto r = refill_times(base, strategy, 1, 5, 0);
  EXPECT_EQ(r[0].weeks_to_half, 1);  // 1 <= 3 in week 1, although week 2 is back at 5
  EXPECT_EQ(r[0].weeks_to_90, 3);    // 0 <= 0.6 first in week 3
}

TEST(RefillTimes, NothingRemovedGivesNoRefillTime) {
  const std::vector<double> same = {5, 5, 5, 5};
  const auto r = refill_times(same, same, 1, 4, 1);
  EXPECT_EQ(r[0].removed, 0);
  EXPECT_TRUE(std::isnan(r[0].weeks_to_half));
  // A pulse week outside the horizon: nothing to measure.
  EXPECT_TRUE(std::isnan(refill_times(same, same, 1, 4, 9)[0].weeks_to_half));
}

TEST(VacancyWeeks, IsMeanOpenPlacesOverFixedPlacesFilledPerWeek) {
  RunOutput run;
  run.weeks = 2;
  run.areas = 2;
  run.by_area.assign(area_metrics().size() * 2 * 2, 0.0);
  auto set = [&](const char* metric, int week, int area, double v) {
    run.by_area[(static_cast<std::size_t>(area_metric_index(metric)) * 2 + week) * 2 + area] = v;
  };
  // Area 0: 4 then 6 open places (10 place-weeks); 3 + 3 entries of which 1 brought its own
  // place, so 5 fixed places filled: a place waits 10 / 5 = 2 weeks.
  set("open_places", 0, 0, 4);
  set("open_places", 1, 0, 6);
  set("entries", 0, 0, 3);
  set("entries", 1, 0, 3);
  set("places_brought", 0, 0, 1);
  EXPECT_DOUBLE_EQ(vacancy_weeks(run, 0), 2.0);
  // Area 1: open places but nothing filled: no duration.
  set("open_places", 0, 1, 3);
  EXPECT_TRUE(std::isnan(vacancy_weeks(run, 1)));
}

// The shipped one-off sweep under one market setting, at a tenth of Utrecht, with the pulse in
// week 26 of 130 recorded weeks. Replicates: the half time without replacement spreads widely
// (SD about 30 weeks in 8 replicates at a twentieth of the city, against a gap of about 30 weeks
// to full replacement), so 24 replicates put its standard error near 6 weeks and the expected gap
// about 5 standard errors above zero.
StrategyRefill sweep_under(const std::string& setting) {
  const std::string root = std::string(DRIFT_SOURCE_DIR) + "/scenarios/";
  auto s = load_scenario(root + "market_refill.yaml",
                         {{"simulation.population_scale", "0.1"},
                          {"simulation.burn_in_weeks", "156"},
                          {"simulation.weeks", "130"},
                          {"simulation.replicates", "64"}},
                         {root + "assumptions/" + setting});
  auto& sweep = s.strategies.at(1).interventions.at(0).values.number;
  sweep["start_week"] = 26;
  sweep["end_week"] = 27;
  RunOptions options;
  options.threads = 2;
  const auto refills = refill_of(s, series_of(run_experiment(s, options)));
  EXPECT_EQ(refills.size(), 1u);
  return refills.at(0);
}

// Weeks to half refilled, a censored replicate counted as the rest of the horizon (so the
// no-replacement mean is if anything too short), with the standard error of the mean.
std::pair<double, double> half_time(const StrategyRefill& f, int rest) {
  std::vector<double> t;
  for (const auto& r : f.per_replicate)
    t.push_back(std::isnan(r.weeks_to_half) ? rest : r.weeks_to_half);
  double mean = 0, ss = 0;
  for (double v : t) mean += v / t.size();
  for (double v : t) ss += (v - mean) * (v - mean);
  return {mean, std::sqrt(ss / (t.size() - 1) / t.size())};
}

TEST(MarketRefill, AFullyReplacingMarketRefillsARemovalFasterThanOneWithoutReplacement) {
  const auto full = sweep_under("market_full_replacement.yaml");
  const auto none = sweep_under("market_no_replacement.yaml");
  EXPECT_EQ(full.week, 26);
  // The sweep removes dealers in both markets.
  EXPECT_GT(full.removed.lo, 0);
  EXPECT_GT(none.removed.lo, 0);
  const auto [t_full, se_full] = half_time(full, 130 - 27);
  const auto [t_none, se_none] = half_time(none, 130 - 27);
  // Full replacement refills vacated places from the at-risk pool within weeks; without it the
  // deficit closes only as new supply and returning youths come in. One-sided test of the
  // difference at 3 standard errors (independent runs: the variances add). Replicates for power:
  // with 24 the half-times were 7.1 and 20.2 weeks with a spread (sd) of about 23 weeks without
  // replacement, so 64 replicates put the expected difference at about 4.5 standard errors.
  EXPECT_GT(t_none - t_full, 3 * std::sqrt(se_full * se_full + se_none * se_none))
      << "full " << t_full << " +- " << se_full << ", none " << t_none << " +- " << se_none;
}

}  // namespace
}  // namespace drift
