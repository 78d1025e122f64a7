// Decision analysis over replicates (decision.hpp) against hand-built inputs: every expected
// number below is worked out by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>

#include "drift/experiments/decision.hpp"

namespace drift {
namespace {

// Baseline (effect 0), A and B over five replicates:
//   r0: A 5 > B 4 > base 0      -> A rank 0, B rank 1, base rank 2
//   r1: B 4 > A 3 > base 0      -> B 0, A 1, base 2
//   r2: A 2 > B 1 > base 0      -> A 0, B 1, base 2
//   r3: A 1 > base 0 > B -1     -> A 0, base 1, B 2
//   r4: A 2 = B 2 > base 0      -> A and B each 1/2 of ranks 0 and 1, base 2
// A: rank 0 3.5/5, rank 1 1.5/5; B: 1.5/5, 2.5/5, 1/5; base: 0, 1/5, 4/5.
TEST(RankProbabilities, HandBuiltReplicatesWithATie) {
  const PerReplicate effect = {{0, 0, 0, 0, 0}, {5, 3, 2, 1, 2}, {4, 4, 1, -1, 2}};
  const auto p = rank_probabilities(effect);
  EXPECT_EQ(p.replicates, 5);
  const double expected[3][3] = {{0, 0.2, 0.8}, {0.7, 0.3, 0}, {0.3, 0.5, 0.2}};
  for (int s = 0; s < 3; ++s) {
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(p.probability[s][k], expected[s][k], 1e-12) << s << k;
  }
  EXPECT_NEAR(p.best(1), 0.7, 1e-12);
}

TEST(RankProbabilities, ReplicateWithNaNIsLeftOut) {
  // r1 has no value for B: only r0 counts, where B beats A.
  const PerReplicate effect = {{0, 0}, {1, 9}, {2, std::nan("")}};
  const auto p = rank_probabilities(effect);
  EXPECT_EQ(p.replicates, 1);
  EXPECT_EQ(p.best(2), 1.0);
  EXPECT_EQ(p.best(1), 0.0);
}

TEST(RankProbabilities, AllTiedShareEveryRankEqually) {
  const PerReplicate effect = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
  const auto p = rank_probabilities(effect);
  for (const auto& row : p.probability) {
    for (double v : row) EXPECT_NEAR(v, 0.25, 1e-12);
  }
}

// Baseline (0, 0); A effect [10, 2], cost 1000; B effect 4, cost 100 in both replicates.
// Net benefit lambda * effect - cost:
//   lambda 0:    base 0, A -1000, B -100                  -> base in both
//   lambda 25:   base 0, A -750 / -950, B 0 (tie with base) -> base 1/2, B 1/2
//   lambda 100:  base 0, A 0 / -800, B 300                -> B in both
//   lambda 1000: A 9000 / 1000, B 3900                    -> A in r0, B in r1
TEST(Acceptability, HandBuiltNetBenefitWithATie) {
  const PerReplicate effect = {{0, 0}, {10, 2}, {4, 4}};
  const PerReplicate cost = {{0, 0}, {1000, 1000}, {100, 100}};
  const auto a = acceptability(effect, cost, {0, 25, 100, 1000});
  ASSERT_EQ(a.size(), 4u);
  const double expected[4][3] = {{1, 0, 0}, {0.5, 0, 0.5}, {0, 0, 1}, {0, 0.5, 0.5}};
  for (int l = 0; l < 4; ++l) {
    for (int s = 0; s < 3; ++s) EXPECT_NEAR(a[l][s], expected[l][s], 1e-12) << l << " " << s;
  }
}

TEST(Acceptability, GridIsZeroThenLogSpacedTo1e6) {
  const auto g = willingness_to_pay_grid();
  ASSERT_EQ(g.size(), 42u);
  EXPECT_EQ(g[0], 0.0);
  EXPECT_NEAR(g[1], 100.0, 1e-9);
  EXPECT_NEAR(g[11], 1000.0, 1e-9);
  EXPECT_NEAR(g.back(), 1e6, 1e-6);
  for (std::size_t k = 1; k < g.size(); ++k) EXPECT_GT(g[k], g[k - 1]);
}

// Means (effect, cost): base (0, 0); A (10, 1000); B (5, 2000); C (12, 3000); D (11, 2500);
// E (2, 600).
//   B: A has more effect for less money -> dominated.
//   Frontier candidates by effect: base, E, A, D, C.
//   ICERs: E/base 300, A/E 400/8 = 50 -> E extendedly dominated; then A/base 100,
//   D/A 1500/1 = 1500, C/D 500/1 = 500 -> D extendedly dominated; C/A 2000/2 = 1000 > 100: keep.
TEST(Frontier, MarksDominatedAndExtendedlyDominated) {
  const std::vector<double> effect = {0, 10, 5, 12, 11, 2};
  const std::vector<double> cost = {0, 1000, 2000, 3000, 2500, 600};
  const auto f = cost_effectiveness_frontier(effect, cost);
  EXPECT_EQ(f[0].status, FrontierStatus::frontier);
  EXPECT_EQ(f[1].status, FrontierStatus::frontier);
  EXPECT_EQ(f[2].status, FrontierStatus::dominated);
  EXPECT_EQ(f[3].status, FrontierStatus::frontier);
  EXPECT_EQ(f[4].status, FrontierStatus::extendedly_dominated);
  EXPECT_EQ(f[5].status, FrontierStatus::extendedly_dominated);
  EXPECT_EQ(f[0].previous, -1);
  EXPECT_TRUE(std::isnan(f[0].icer));
  EXPECT_EQ(f[1].previous, 0);
  EXPECT_NEAR(f[1].icer, 100.0, 1e-9);
  EXPECT_EQ(f[3].previous, 1);
  EXPECT_NEAR(f[3].icer, 1000.0, 1e-9);
  EXPECT_EQ(f[2].previous, -1);
  EXPECT_TRUE(std::isnan(f[4].icer));
}

TEST(Frontier, SamePointKeepsTheFirst) {
  const auto f = cost_effectiveness_frontier({0, 3, 3}, {0, 50, 50});
  EXPECT_EQ(f[1].status, FrontierStatus::frontier);
  EXPECT_EQ(f[2].status, FrontierStatus::dominated);
  EXPECT_NEAR(f[1].icer, 50.0 / 3.0, 1e-12);
}

const std::vector<double> kEffect = {3, 5, 4, 6, 2, 4, 5, 3};
const std::vector<double> kCost = {300, 520, 390, 610, 220, 400, 480, 310};

TEST(IncrementalRatio, BootstrapIsReproducibleAndCoversTheRatioOfMeans) {
  const auto a = incremental_ratio(kEffect, kCost, 77);
  const auto b = incremental_ratio(kEffect, kCost, 77);
  EXPECT_EQ(a.status, RatioStatus::estimated);
  // Sum of costs 3230 over sum of effects 32.
  EXPECT_DOUBLE_EQ(a.ratio, 3230.0 / 32.0);
  EXPECT_EQ(a.lo, b.lo);
  EXPECT_EQ(a.hi, b.hi);
  EXPECT_LT(a.lo, a.ratio);
  EXPECT_GT(a.hi, a.ratio);
  // Each replicate's own ratio lies in [96, 110] (220/2 = 110, 480/5 = 96), and a ratio of sums
  // is a weighted mean of them: every resample, hence the interval, stays inside.
  EXPECT_GE(a.lo, 96.0);
  EXPECT_LE(a.hi, 110.0);
  // Another seed draws other resamples.
  const auto c = incremental_ratio(kEffect, kCost, 78);
  EXPECT_TRUE(c.lo != a.lo || c.hi != a.hi);
}

TEST(IncrementalRatio, PairsAreResampledTogether) {
  // Cost exactly 250 per unit in every replicate: any resample of whole pairs gives 250;
  // resampling effect and cost separately would not.
  std::vector<double> cost;
  for (double e : kEffect) cost.push_back(250.0 * e);
  const auto r = incremental_ratio(kEffect, cost, 5);
  EXPECT_DOUBLE_EQ(r.ratio, 250.0);
  EXPECT_DOUBLE_EQ(r.lo, 250.0);
  EXPECT_DOUBLE_EQ(r.hi, 250.0);
}

TEST(IncrementalRatio, NoBareRatioWhenTheEffectIsUnclear) {
  const auto zero = incremental_ratio({1, -1, 2, -2}, {10, 10, 10, 10}, 1);
  EXPECT_EQ(zero.status, RatioStatus::effect_includes_zero);
  EXPECT_TRUE(std::isnan(zero.ratio) && std::isnan(zero.lo) && std::isnan(zero.hi));
  const auto worse = incremental_ratio({-3, -4, -5}, {10, 10, 10}, 1);
  EXPECT_EQ(worse.status, RatioStatus::effect_below_zero);
  EXPECT_TRUE(std::isnan(worse.ratio));
  const auto one = incremental_ratio({3}, {10}, 1);
  EXPECT_EQ(one.status, RatioStatus::single_replicate);
  EXPECT_TRUE(std::isnan(one.ratio));
}

// A summary as summarize() builds it: the baseline without differences, then A and B.
Summary hand_summary() {
  Summary s;
  s.baseline = "base";
  s.replicates = 4;
  auto strategy = [](const std::string& name, std::vector<double> entries,
                     std::vector<double> years, std::vector<double> cost) {
    StrategySummary st;
    st.name = name;
    const std::pair<const char*, std::vector<double>> d[] = {
        {"entries_averted", entries}, {"dealer_years_averted", years}, {"extra_cost", cost}};
    for (const auto& [diff, v] : d) {
      OutcomeSummary oc;
      oc.name = diff;
      oc.has_difference = !v.empty();
      oc.difference_name = diff;
      oc.difference_per_replicate = v;
      st.outcomes.push_back(oc);
    }
    return st;
  };
  s.strategies.push_back(strategy("base", {}, {}, {}));
  s.strategies.push_back(strategy("a", {4, 6, 5, 5}, {1, 2, 1, 2}, {100, 100, 100, 100}));
  s.strategies.push_back(strategy("b", {5, 1, 2, 2}, {3, 3, 3, 3}, {50, 50, 50, 50}));
  return s;
}

TEST(Decide, UsesThePairedDifferencesOfTheSummary) {
  const auto d = decide(hand_summary(), 9);
  ASSERT_EQ(d.strategies.size(), 3u);
  ASSERT_EQ(d.outcomes.size(), 2u);
  const auto& entries = d.outcomes[0];
  EXPECT_EQ(entries.outcome, "entries_averted");
  // Entries: a beats b in r1-r3, b beats a in r0.
  EXPECT_NEAR(entries.ranks.best(1), 0.75, 1e-12);
  EXPECT_NEAR(entries.ranks.best(2), 0.25, 1e-12);
  EXPECT_NEAR(entries.ranks.probability[0][2], 1.0, 1e-12);
  EXPECT_EQ(entries.ratios[0].status, RatioStatus::baseline);
  EXPECT_DOUBLE_EQ(entries.ratios[1].ratio, 100.0 / 5.0);
  // Dealer-years: b (3 per replicate) beats a (1 or 2) in every replicate.
  EXPECT_NEAR(d.outcomes[1].ranks.best(2), 1.0, 1e-12);
  // Means: b averts 2.5 entries for 50 euro (ICER 20 from the baseline), a averts 2.5 more for
  // 50 more (ICER 20 from b): equal ICERs, so neither is extendedly dominated.
  EXPECT_EQ(entries.frontier[2].status, FrontierStatus::frontier);
  EXPECT_EQ(entries.frontier[1].previous, 2);
  EXPECT_NEAR(entries.frontier[1].icer, 20.0, 1e-12);
  // Acceptability at 0 euro: the baseline (net benefit 0 against -100 and -50).
  ASSERT_EQ(d.acceptability.size(), d.willingness_to_pay.size());
  EXPECT_NEAR(d.acceptability[0][0], 1.0, 1e-12);
  // At 1e6 euro per entry the most effective in each replicate wins: a in 3 of 4.
  EXPECT_NEAR(d.acceptability.back()[1], 0.75, 1e-12);
  EXPECT_NE(format_decision(d).find("entries_averted"), std::string::npos);
}

}  // namespace
}  // namespace drift
