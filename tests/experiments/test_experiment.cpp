// Running a scenario: conservation of youths, stock-flow identities, determinism across thread
// counts, common random numbers and the mapping of tallies to recorded metrics.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <set>
#include <vector>

#include "drift/experiments/experiment.hpp"
#include "drift/model/world.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/step/build_world.hpp"
#include "drift/step/step.hpp"
#include "step/lifecycle.hpp"

namespace drift {
namespace {

constexpr double kYoung = 300, kAdult = 450;  // 50 youths per year of age in each district

// A small city with busy hazards, so that every transition happens many times.
Scenario tiny_scenario(int weeks = 300, int burn_in = 52, int replicates = 2) {
  Scenario s;
  s.name = "tiny";
  s.description = "two districts, busy hazards";
  s.file = "inline";
  auto& p = s.params;
  p.simulation.weeks = weeks;
  p.simulation.burn_in_weeks = burn_in;
  p.simulation.replicates = replicates;
  p.simulation.seed = 4711;
  p.networks.count = 6;
  p.networks.youth_places = 10;
  p.onset.onset_hazard = 0.01;
  p.recruitment.entry_hazard = 0.1;
  p.careers.progression_hazard = 0.05;
  p.careers.desistance_hazard = 0.02;
  p.enforcement.runner_arrest_hazard = 0.02;
  p.enforcement.dealer_arrest_hazard = 0.04;
  p.sanctions.detention_weeks_minor = 5;
  p.sanctions.detention_weeks_adult = 5;
  p.enforcement.probation_weeks = 30;
  p.relapse.released_hazard = 0.05;
  p.relapse.desisted_hazard = 0.02;
  p.labour.job_finding_hazard = 0.05;
  p.labour.job_loss_hazard = 0.01;
  s.areas = {{"North", kYoung, kAdult, 0.25, 1}, {"South", kYoung, kAdult, 0.15, 1}};
  s.areas_source = "inline";
  s.strategies = {StrategySpec{"baseline", "no interventions", {}}};
  s.resolved_yaml = "name: tiny\n";
  return s;
}

RunOptions with_threads(int threads) {
  RunOptions o;
  o.threads = threads;
  return o;
}

int metric(const char* name) {
  const int m = area_metric_index(name);
  EXPECT_GE(m, 0) << name;
  return m;
}

TEST(ExperimentMetrics, NamesAreUniqueAndFindable) {
  std::set<std::string> names;
  const auto& am = area_metrics();
  for (std::size_t k = 0; k < am.size(); ++k) {
    EXPECT_TRUE(names.insert(am[k].name).second) << am[k].name;
    EXPECT_EQ(area_metric_index(am[k].name), static_cast<int>(k));
    EXPECT_FALSE(am[k].unit.empty());
    EXPECT_FALSE(am[k].description.empty());
  }
  EXPECT_EQ(area_metric_index("no_such_metric"), -1);
  // One metric per state, per other stock and per flow, plus youths and dealing, plus the
  // market's recruiters, fixed places, open places and filled share.
  EXPECT_EQ(am.size(), static_cast<std::size_t>(kTallyCount + 2 + 4));
  for (const auto& m : city_metrics()) EXPECT_FALSE(m.unit.empty());
  for (const auto& m : intervention_metrics()) EXPECT_FALSE(m.unit.empty());
}

TEST(ExperimentMetrics, EveryMetricSaysHowAWeekMeasuresItAndTheRecordFollowsTheTable) {
  for (const auto& m : area_metrics())
    EXPECT_TRUE(m.of_area && !m.of_city && !m.of_intervention) << m.name;
  for (const auto& m : city_metrics())
    EXPECT_TRUE(!m.of_area && m.of_city && !m.of_intervention) << m.name;
  for (const auto& m : intervention_metrics()) {
    EXPECT_TRUE(!m.of_area && !m.of_city && m.of_intervention) << m.name;
  }
  // A short run: each recorded value is what the table's measurement gives for that week.
  Parameters p;
  p.simulation.weeks = 3;
  p.simulation.burn_in_weeks = 10;
  p.simulation.replicates = 1;
  p.networks.count = 4;
  Scenario s;
  s.params = p;
  s.areas = {{"North", 300, 400, 0.2, 1}, {"South", 300, 400, 0.3, 1}};
  s.strategies.push_back(StrategySpec{"baseline", "", {}});
  const auto run = run_unit(s, 0, 1).front();
  World w = build_world(p, s.areas, 0);
  while (w.week < 0) step(w);
  for (int t = 0; t < 3; ++t) {
    step(w);
    const auto& am = area_metrics();
    for (std::size_t m = 0; m < am.size(); ++m) {
      for (int a = 0; a < 2; ++a) {
        ASSERT_EQ(run.area_value(static_cast<int>(m), t, a), am[m].of_area(w, a)) << am[m].name;
      }
    }
    const auto& cm = city_metrics();
    for (std::size_t m = 0; m < cm.size(); ++m)
      ASSERT_EQ(run.city[m * 3 + t], cm[m].of_city(w)) << cm[m].name;
  }
}

TEST(ExperimentShape, OneRunPerStrategyAndReplicateOfTheRightSize) {
  auto s = tiny_scenario(30, 5, 3);
  s.strategies.push_back({"again", "", {}});
  const auto out = run_experiment(s, with_threads(1));
  ASSERT_EQ(out.area_names, (std::vector<std::string>{"North", "South"}));
  ASSERT_EQ(out.strategies.size(), 2u);
  EXPECT_EQ(out.strategies[0].name, "baseline");
  EXPECT_EQ(out.strategies[0].description, "no interventions");
  EXPECT_EQ(out.strategies[1].name, "again");
  for (const auto& st : out.strategies) {
    ASSERT_EQ(st.replicates.size(), 3u);
    for (const auto& run : st.replicates) {
      EXPECT_EQ(run.weeks, 30);
      EXPECT_EQ(run.areas, 2);
      EXPECT_EQ(run.by_area.size(), area_metrics().size() * 30 * 2);
      EXPECT_EQ(run.city.size(), city_metrics().size() * 30);
      EXPECT_TRUE(run.interventions.empty());
      EXPECT_EQ(run.fixed_cost, 0.0);
    }
  }
}

TEST(ExperimentConservation, StatesAddUpToTheYouthsEveryWeekInEveryArea) {
  const auto s = tiny_scenario(300, 52, 2);
  const auto out = run_experiment(s, with_threads(1));
  const char* states[] = {"uninvolved", "at_risk",  "runner",  "dealer",
                          "detained",   "released", "desisted"};
  const char* flows[] = {"new_entries", "entries",     "relapses",  "arrests",
                         "releases",    "desistances", "jobs_found"};
  const double youths_per_area = 6 * kYoung / 6 + 10 * kAdult / 9;  // ages 12-17 and 18-27
  double total_entries = 0, total_arrests = 0, peak_dealing = 0;
  for (const auto& run : out.strategies[0].replicates) {
    for (int t = 0; t < run.weeks; ++t) {
      for (int a = 0; a < run.areas; ++a) {
        double sum = 0;
        for (const char* st : states) {
          const double v = run.area_value(metric(st), t, a);
          ASSERT_GE(v, 0) << st;
          sum += v;
        }
        const double youths = run.area_value(metric("youths"), t, a);
        ASSERT_EQ(sum, youths) << "week " << t << " area " << a;
        ASSERT_EQ(youths, youths_per_area) << "week " << t << " area " << a;
        ASSERT_EQ(run.area_value(metric("dealing"), t, a),
                  run.area_value(metric("runner"), t, a) + run.area_value(metric("dealer"), t, a));
        for (const char* f : flows)
          ASSERT_GE(run.area_value(metric(f), t, a), 0) << f << " week " << t;
        ASSERT_LE(run.area_value(metric("status_job"), t, a),
                  run.area_value(metric("employed"), t, a));
        ASSERT_LE(run.area_value(metric("employed"), t, a), youths);
        ASSERT_LE(run.area_value(metric("record"), t, a), youths);
        peak_dealing = std::max(peak_dealing, run.area_value(metric("dealing"), t, a));
      }
      total_entries += run.total(metric("entries"), t);
      total_arrests += run.total(metric("arrests"), t);
    }
  }
  // The run exercised the model.
  EXPECT_GT(total_entries, 100);
  EXPECT_GT(total_arrests, 50);
  EXPECT_GT(peak_dealing, 0);
}

TEST(ExperimentConservation, EntriesAreFirstEntriesPlusRelapses) {
  const auto out = run_experiment(tiny_scenario(200, 30, 1), with_threads(1));
  const auto& run = out.strategies[0].replicates[0];
  double relapses = 0;
  for (int t = 0; t < run.weeks; ++t) {
    for (int a = 0; a < run.areas; ++a) {
      ASSERT_EQ(
          run.area_value(metric("entries"), t, a),
          run.area_value(metric("new_entries"), t, a) + run.area_value(metric("relapses"), t, a))
          << "week " << t;
      relapses += run.area_value(metric("relapses"), t, a);
    }
  }
  EXPECT_GT(relapses, 0);
}

TEST(ExperimentConservation, StocksChangeByTheirFlowsExceptForYouthsLeavingOnBirthdays) {
  // dealing(t) - dealing(t-1) = entries - desistances - (arrests - dismissals) - (dealing youths
  // who left), and detained(t) - detained(t-1) = detentions - releases - (detained youths who
  // left); the sanctions sum to the arrests. Youths leave on their birthdays (at max_age + 1, or
  // moving away at 18), which no flow records: the stocks can only fall short of the flows, and
  // only by the few youths leaving in a week (a dealing or detained youth leaves in a given week
  // with probability about 1/16 x 1/52), so most area-weeks balance exactly.
  const int burn_in = 30;
  const auto out = run_experiment(tiny_scenario(200, burn_in, 1), with_threads(1));
  const auto& run = out.strategies[0].replicates[0];
  int checked = 0, exact = 0;
  for (int t = 1; t < run.weeks; ++t) {
    for (int a = 0; a < run.areas; ++a) {
      auto v = [&](const char* m, int week) { return run.area_value(metric(m), week, a); };
      const double dealing_gap = v("entries", t) - v("desistances", t) -
                                 (v("arrests", t) - v("dismissals", t)) -
                                 (v("dealing", t) - v("dealing", t - 1));
      const double detained_gap =
          v("detentions", t) - v("releases", t) - (v("detained", t) - v("detained", t - 1));
      ASSERT_GE(dealing_gap, 0) << "week " << t << " area " << a;
      ASSERT_GE(detained_gap, 0) << "week " << t << " area " << a;
      ASSERT_EQ(v("arrests", t), v("dismissals", t) + v("settlements", t) +
                                     v("community_sanctions", t) + v("detentions", t))
          << "week " << t << " area " << a;
      exact += dealing_gap == 0 && detained_gap == 0;
      ++checked;
    }
  }
  EXPECT_GT(checked, 300);
  EXPECT_GT(exact, checked * 3 / 4);
}

TEST(ExperimentConservation, NetworkMembersAreTheDealingYouths) {
  auto s = tiny_scenario(150, 20, 1);
  // Full replacement: places are fixed (below it, members bring and withdraw places).
  s.params.market.replacement = 1;
  const auto out = run_experiment(s, with_threads(1));
  const auto& run = out.strategies[0].replicates[0];
  const int members = 0, places = 1;
  double all_places = -1;
  for (int t = 0; t < run.weeks; ++t) {
    EXPECT_EQ(run.city[members * run.weeks + t], run.total(metric("dealing"), t)) << "week " << t;
    EXPECT_LE(run.city[members * run.weeks + t], run.city[places * run.weeks + t]);
    if (all_places < 0) all_places = run.city[places * run.weeks + t];
    EXPECT_EQ(run.city[places * run.weeks + t], all_places)
        << "places do not change without interventions";
  }
  // About 6 networks x 10 places.
  EXPECT_GE(all_places, 6 * 10 - 6);
  EXPECT_LE(all_places, 6 * 10 + 6);
}

TEST(ExperimentRecording, MetricsEqualTheTalliesOfAWorldSteppedByHand) {
  const auto s = tiny_scenario(60, 20, 2);
  const auto out = run_experiment(s, with_threads(1));
  const std::uint32_t replicate = 1;
  World w = build_world(s.params, s.areas, replicate);
  while (w.week < 0) step(w);
  const auto& run = out.strategies[0].replicates[replicate];
  const char* tally_names[] = {"uninvolved",       "at_risk",
                               "runner",           "dealer",
                               "detained",         "released",
                               "desisted",         "employed",
                               "status_job",       "record",
                               "new_entries",      "entries",
                               "relapses",         "arrests",
                               "releases",         "desistances",
                               "jobs_found",       "dismissals",
                               "settlements",      "community_sanctions",
                               "detentions",       "entries_walk_in",
                               "entries_district", "entries_neighbourhood",
                               "entries_school",   "entries_friendship",
                               "places_brought"};
  static_assert(std::size(tally_names) == kTallyCount);
  for (int t = 0; t < run.weeks; ++t) {
    step(w);
    for (int a = 0; a < run.areas; ++a) {
      for (int k = 0; k < kTallyCount; ++k) {
        ASSERT_EQ(run.area_value(metric(tally_names[k]), t, a), w.tally(a, static_cast<Tally>(k)))
            << tally_names[k] << " week " << t << " area " << a;
      }
    }
  }
}

void expect_bit_identical(const ExperimentOutput& a, const ExperimentOutput& b) {
  ASSERT_EQ(a.strategies.size(), b.strategies.size());
  for (std::size_t s = 0; s < a.strategies.size(); ++s) {
    ASSERT_EQ(a.strategies[s].replicates.size(), b.strategies[s].replicates.size());
    for (std::size_t r = 0; r < a.strategies[s].replicates.size(); ++r) {
      const auto& x = a.strategies[s].replicates[r];
      const auto& y = b.strategies[s].replicates[r];
      ASSERT_EQ(x.by_area.size(), y.by_area.size());
      for (std::size_t k = 0; k < x.by_area.size(); ++k) {
        ASSERT_EQ(x.by_area[k], y.by_area[k])
            << "strategy " << s << " replicate " << r << " value " << k;
      }
      ASSERT_EQ(x.city.size(), y.city.size());
      for (std::size_t k = 0; k < x.city.size(); ++k) ASSERT_EQ(x.city[k], y.city[k]) << k;
      ASSERT_EQ(x.interventions, y.interventions);
      ASSERT_EQ(x.fixed_cost, y.fixed_cost);
      ASSERT_EQ(x.present_by_age, y.present_by_age);
      ASSERT_EQ(x.new_suspects, y.new_suspects);
      ASSERT_EQ(x.new_drug_suspects, y.new_drug_suspects);
      const auto cx = x.ledger.columns();
      const auto cy = y.ledger.columns();
      for (std::size_t c = 0; c < cx.size(); ++c)
        ASSERT_EQ(*cx[c], *cy[c]) << "ledger column " << c;
    }
  }
}

TEST(ExperimentDeterminism, OneAndTwoThreadsGiveBitIdenticalOutputs) {
  // Two replicates on two threads: the replicates run side by side, one thread each.
  // Short (the youths age in week 42), as two threads are slow on a loaded machine.
  const auto s = tiny_scenario(70, 10, 2);
  const auto one = run_experiment(s, with_threads(1));
  const auto two = run_experiment(s, with_threads(2));
  expect_bit_identical(one, two);
}

TEST(ExperimentDeterminism, ThreadsInsideOneRunGiveBitIdenticalOutputs) {
  // One replicate on two threads: the threads share the work of each week, which they do only
  // for a world of at least kMinParallelSlots slots.
  auto s = tiny_scenario(30, 5, 1);
  s.areas = {{"North", 6 * kYoung, 6 * kAdult, 0.25, 2},
             {"South", 6 * kYoung, 6 * kAdult, 0.15, 1}};
  s.params.networks.youth_places = 60;
  ASSERT_GE(static_cast<std::int64_t>(build_world(s.params, s.areas, 0).pop.size()),
            detail::kMinParallelSlots);
  const auto one = run_experiment(s, with_threads(1));
  const auto two = run_experiment(s, with_threads(2));
  expect_bit_identical(one, two);
  double entries = 0;
  for (int t = 0; t < 30; ++t)
    entries += one.strategies[0].replicates[0].total(metric("entries"), t);
  EXPECT_GT(entries, 0);
}

TEST(ExperimentDeterminism, StrategiesOfReplicatesSharedAmongThreadsGiveBitIdenticalOutputs) {
  // Three replicates of three strategies on two threads: each replicate is burnt in by one
  // thread and its strategies are taken by whichever thread is free (detail::run_unit_jobs).
  auto s = tiny_scenario(60, 10, 3);
  const std::vector<std::string> areas = {"North", "South"};
  s.strategies.push_back(
      {"mentors", "", {parse_intervention_block("{type: mentors, workers: 2}", "inline", areas)}});
  s.strategies.push_back(
      {"enforcement", "", {parse_intervention_block("{type: enforcement}", "inline", areas)}});
  const auto one = run_experiment(s, with_threads(1));
  const auto two = run_experiment(s, with_threads(2));
  expect_bit_identical(one, two);
  EXPECT_NE(one.strategies[0].replicates[1].by_area, one.strategies[2].replicates[1].by_area)
      << "the strategies should differ";
  EXPECT_NE(one.strategies[1].replicates[0].by_area, one.strategies[1].replicates[2].by_area)
      << "the replicates should differ";
  std::atomic<bool> cancel{false};
  RunOptions o = with_threads(2);
  o.cancel = &cancel;
  o.progress = [&](std::size_t done, std::size_t) { cancel = done >= 2; };
  EXPECT_THROW(run_experiment(s, o), Cancelled);
}

TEST(ExperimentDeterminism, StrategiesSideBySideGiveBitIdenticalOutputs) {
  // One replicate of three strategies on two threads: after the shared burn-in the strategies
  // run side by side, one thread each.
  auto s = tiny_scenario(70, 10, 1);
  const std::vector<std::string> areas = {"North", "South"};
  s.strategies.push_back(
      {"mentors", "", {parse_intervention_block("{type: mentors, workers: 2}", "inline", areas)}});
  s.strategies.push_back({"prevention",
                          "",
                          {parse_intervention_block("{type: prevention}", "inline", areas),
                           parse_intervention_block("{type: enforcement}", "inline", areas)}});
  const auto one = run_experiment(s, with_threads(1));
  const auto two = run_experiment(s, with_threads(2));
  expect_bit_identical(one, two);
  EXPECT_NE(one.strategies[0].replicates[0].by_area, one.strategies[2].replicates[0].by_area)
      << "the strategies should differ";
  // A cancelled run side by side stops with Cancelled.
  std::atomic<bool> cancel{false};
  RunOptions o = with_threads(2);
  o.cancel = &cancel;
  o.progress = [&](std::size_t, std::size_t) { cancel = true; };
  EXPECT_THROW(run_experiment(s, o), Cancelled);
}

TEST(ExperimentDeterminism, RepeatedRunsAreIdenticalAndAnotherSeedDiffers) {
  auto s = tiny_scenario(120, 20, 2);
  const auto a = run_experiment(s, with_threads(1));
  const auto b = run_experiment(s, with_threads(1));
  expect_bit_identical(a, b);
  s.params.simulation.seed += 1;
  const auto c = run_experiment(s, with_threads(1));
  EXPECT_NE(a.strategies[0].replicates[0].by_area, c.strategies[0].replicates[0].by_area);
  EXPECT_NE(a.strategies[0].replicates[1].by_area, c.strategies[0].replicates[1].by_area);
}

TEST(ExperimentDeterminism, ReplicatesDifferFromEachOther) {
  const auto out = run_experiment(tiny_scenario(120, 20, 2), with_threads(1));
  EXPECT_NE(out.strategies[0].replicates[0].by_area, out.strategies[0].replicates[1].by_area);
}

TEST(ExperimentCommonRandomNumbers, StrategiesWithoutInterventionsAreIdenticalPerReplicate) {
  auto s = tiny_scenario(100, 20, 2);
  s.strategies.push_back({"copy", "the baseline again", {}});
  const auto out = run_experiment(s, with_threads(1));
  ASSERT_EQ(out.strategies.size(), 2u);
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(out.strategies[0].replicates[r].by_area, out.strategies[1].replicates[r].by_area)
        << r;
    EXPECT_EQ(out.strategies[0].replicates[r].city, out.strategies[1].replicates[r].city) << r;
  }
}

TEST(ExperimentOptions, ProgressIsReportedOncePerRun) {
  auto s = tiny_scenario(10, 2, 3);
  s.strategies.push_back({"b", "", {}});
  std::vector<std::pair<std::size_t, std::size_t>> calls;
  RunOptions o;
  o.progress = [&](std::size_t done, std::size_t total) { calls.emplace_back(done, total); };
  run_experiment(s, o);
  ASSERT_EQ(calls.size(), 6u);
  for (std::size_t k = 0; k < calls.size(); ++k) {
    EXPECT_EQ(calls[k].first, k + 1);
    EXPECT_EQ(calls[k].second, 6u);
  }
}

TEST(ExperimentOptions, CancelStopsTheRunWithCancelled) {
  std::atomic<bool> cancel{true};
  RunOptions o;
  o.cancel = &cancel;
  EXPECT_THROW(run_experiment(tiny_scenario(10, 2, 1), o), Cancelled);
  // Cancelling after the first run.
  std::atomic<bool> later{false};
  RunOptions p;
  p.cancel = &later;
  p.progress = [&](std::size_t, std::size_t) { later = true; };
  EXPECT_THROW(run_experiment(tiny_scenario(10, 2, 2), p), Cancelled);
}

TEST(ExperimentRunOutput, TotalSumsTheAreas) {
  RunOutput r;
  r.weeks = 2;
  r.areas = 3;
  r.by_area.assign(area_metrics().size() * 2 * 3, 0.0);
  // metric 1, week 1: areas hold 1, 2, 4
  for (int a = 0; a < 3; ++a) r.by_area[(1 * 2 + 1) * 3 + a] = 1 << a;
  EXPECT_EQ(r.total(1, 1), 7.0);
  EXPECT_EQ(r.area_value(1, 1, 2), 4.0);
  EXPECT_EQ(r.total(1, 0), 0.0);
}

}  // namespace
}  // namespace drift
