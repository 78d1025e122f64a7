// Counter-based random numbers: every draw is a pure function of its keys.
#include <gtest/gtest.h>

#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "drift/model/rng.hpp"

namespace drift {
namespace {

constexpr std::uint32_t kSeed = 20210916;
constexpr std::uint32_t kReplicate = 3;
constexpr std::int32_t kWeek = 17;
constexpr std::uint32_t kAgent = 4242;

TEST(RngKeys, SameKeysGiveTheSameValue) {
  const Rng a(kSeed, kReplicate);
  const Rng b(kSeed, kReplicate);
  EXPECT_EQ(a.uniform(Stream::onset, kWeek, kAgent), b.uniform(Stream::onset, kWeek, kAgent));
  EXPECT_EQ(a.exponential(Stream::arrest, kWeek, kAgent),
            b.exponential(Stream::arrest, kWeek, kAgent));
  EXPECT_EQ(a.words(Stream::entry, kWeek, kAgent), b.words(Stream::entry, kWeek, kAgent));
  // A draw does not depend on the draws made before it (no hidden state).
  const double first = a.uniform(Stream::onset, kWeek, kAgent);
  for (std::uint32_t k = 0; k < 100; ++k) (void)a.uniform(Stream::onset, kWeek, k);
  EXPECT_EQ(a.uniform(Stream::onset, kWeek, kAgent), first);
}

TEST(RngKeys, ChangingAnyOneKeyChangesTheValue) {
  const double base = Rng(kSeed, kReplicate).uniform(Stream::onset, kWeek, kAgent);
  EXPECT_NE(Rng(kSeed + 1, kReplicate).uniform(Stream::onset, kWeek, kAgent), base);
  EXPECT_NE(Rng(kSeed, kReplicate + 1).uniform(Stream::onset, kWeek, kAgent), base);
  EXPECT_NE(Rng(kSeed, kReplicate).uniform(Stream::recovery, kWeek, kAgent), base);
  EXPECT_NE(Rng(kSeed, kReplicate).uniform(Stream::onset, kWeek + 1, kAgent), base);
  EXPECT_NE(Rng(kSeed, kReplicate).uniform(Stream::onset, kWeek, kAgent + 1), base);
}

TEST(RngKeys, BurnInWeeksAreDistinctFromRecordedWeeks) {
  const Rng rng(kSeed, kReplicate);
  EXPECT_NE(rng.uniform(Stream::onset, -5, kAgent), rng.uniform(Stream::onset, 5, kAgent));
  EXPECT_EQ(rng.uniform(Stream::onset, -5, kAgent), rng.uniform(Stream::onset, -5, kAgent));
}

TEST(RngKeys, SeedAndReplicateAreNotInterchangeable) {
  // (seed, replicate) = (1, 2) and (2, 1) must be different streams.
  EXPECT_NE(Rng(1, 2).uniform(Stream::onset, 0, 0), Rng(2, 1).uniform(Stream::onset, 0, 0));
  // Likewise week and agent.
  const Rng rng(kSeed, 0);
  EXPECT_NE(rng.uniform(Stream::onset, 1, 2), rng.uniform(Stream::onset, 2, 1));
}

TEST(RngKeys, NeighbouringKeysGiveDistinctValues) {
  const Rng rng(kSeed, kReplicate);
  std::set<double> seen;
  for (std::uint32_t agent = 0; agent < 1000; ++agent) {
    for (std::int32_t week = -5; week < 5; ++week)
      seen.insert(rng.uniform(Stream::entry, week, agent));
  }
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(RngUniform, LiesInTheOpenUnitIntervalWithMeanOneHalf) {
  const Rng rng(kSeed, kReplicate);
  constexpr int n = 100000;
  double sum = 0, sum_sq = 0;
  for (int k = 0; k < n; ++k) {
    const double u = rng.uniform(Stream::onset, kWeek, static_cast<std::uint32_t>(k));
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum_sq += u * u;
  }
  const double mean = sum / n;
  // Var(U) = 1/12, so the SD of the mean is sqrt(1/12/n).
  EXPECT_NEAR(mean, 0.5, 4.0 * std::sqrt(1.0 / 12.0 / n));
  // Var(U^2) = 1/5 - 1/9 = 4/45.
  EXPECT_NEAR(sum_sq / n, 1.0 / 3.0, 4.0 * std::sqrt(4.0 / 45.0 / n));
}

TEST(RngUniform, DecilesHoldATenthEach) {
  const Rng rng(kSeed, kReplicate);
  constexpr int n = 100000;
  std::vector<int> bins(10, 0);
  for (int k = 0; k < n; ++k) {
    ++bins[static_cast<int>(rng.uniform(Stream::school, 0, static_cast<std::uint32_t>(k)) * 10)];
  }
  const double sd = std::sqrt(n * 0.1 * 0.9);
  for (int b = 0; b < 10; ++b) EXPECT_NEAR(bins[b], n * 0.1, 4.0 * sd) << "decile " << b;
}

TEST(RngUniform, PairOfOneBlockIsUncorrelated) {
  const Rng rng(kSeed, kReplicate);
  constexpr int n = 100000;
  double sxy = 0;
  for (int k = 0; k < n; ++k) {
    const auto u = rng.uniform2(Stream::school, 0, static_cast<std::uint32_t>(k));
    ASSERT_GT(u[0], 0.0);
    ASSERT_LT(u[0], 1.0);
    ASSERT_GT(u[1], 0.0);
    ASSERT_LT(u[1], 1.0);
    sxy += (u[0] - 0.5) * (u[1] - 0.5);
  }
  // Under independence the product has variance (1/12)^2.
  EXPECT_NEAR(sxy / n, 0.0, 4.0 * (1.0 / 12.0) / std::sqrt(static_cast<double>(n)));
}

TEST(RngUniform, FirstOfPairEqualsSingleUniform) {
  const Rng rng(kSeed, kReplicate);
  EXPECT_EQ(rng.uniform2(Stream::school, kWeek, kAgent)[0],
            rng.uniform(Stream::school, kWeek, kAgent));
}

TEST(RngUniform, ToUnitNeverReturnsZero) {
  EXPECT_GT(Rng::to_unit(0u, 0u), 0.0);
  EXPECT_LT(Rng::to_unit(0u, 0u), 1e-15);
  EXPECT_LT(Rng::to_unit(0x7fffffffu, 0xffffffffu), 1.0);
}

TEST(RngExponential, HasMeanAndVarianceOne) {
  const Rng rng(kSeed, kReplicate);
  constexpr int n = 100000;
  double sum = 0, sum_sq = 0;
  for (int k = 0; k < n; ++k) {
    const double e = rng.exponential(Stream::arrest, kWeek, static_cast<std::uint32_t>(k));
    ASSERT_GT(e, 0.0);
    sum += e;
    sum_sq += e * e;
  }
  const double mean = sum / n;
  // Exp(1): SD 1, so the SD of the mean is 1/sqrt(n); E[X^2] = 2 with Var(X^2) = 24 - 4 = 20.
  EXPECT_NEAR(mean, 1.0, 4.0 / std::sqrt(static_cast<double>(n)));
  EXPECT_NEAR(sum_sq / n, 2.0, 4.0 * std::sqrt(20.0 / n));
}

TEST(RngExponential, IsMinusLogOfTheUniform) {
  const Rng rng(kSeed, kReplicate);
  EXPECT_DOUBLE_EQ(rng.exponential(Stream::arrest, kWeek, kAgent),
                   -std::log(rng.uniform(Stream::arrest, kWeek, kAgent)));
}

TEST(RngEngine, BoostDistributionsAreDeterministicInTheKeys) {
  const Rng rng(kSeed, kReplicate);
  auto draw = [&](std::uint32_t agent) {
    auto eng = rng.engine(Stream::traits, kWeek, agent);
    boost::random::normal_distribution<double> normal(0.0, 1.0);
    boost::random::poisson_distribution<int, double> poisson(4.0);
    boost::random::uniform_int_distribution<int> die(1, 6);
    std::vector<double> v;
    for (int k = 0; k < 5; ++k) v.push_back(normal(eng));
    for (int k = 0; k < 5; ++k) v.push_back(poisson(eng));
    for (int k = 0; k < 5; ++k) v.push_back(die(eng));
    return v;
  };
  EXPECT_EQ(draw(kAgent), draw(kAgent));
  EXPECT_NE(draw(kAgent), draw(kAgent + 1));
  // The same keys on another Rng object with the same seed and replicate give the same sequence.
  const Rng other(kSeed, kReplicate);
  auto e1 = rng.engine(Stream::traits, kWeek, kAgent);
  auto e2 = other.engine(Stream::traits, kWeek, kAgent);
  for (int k = 0; k < 20; ++k) EXPECT_EQ(e1(), e2());
}

TEST(RngEngine, StreamsOfAnotherKeyDiffer) {
  const Rng rng(kSeed, kReplicate);
  auto a = rng.engine(Stream::traits, kWeek, kAgent);
  auto b = rng.engine(Stream::school_tie, kWeek, kAgent);
  auto c = Rng(kSeed, kReplicate + 1).engine(Stream::traits, kWeek, kAgent);
  const auto a0 = a(), b0 = b(), c0 = c();
  EXPECT_NE(a0, b0);
  EXPECT_NE(a0, c0);
}

TEST(RngEngine, NormalDrawsHaveMeanZeroAndUnitVariance) {
  const Rng rng(kSeed, kReplicate);
  constexpr int n = 50000;
  double sum = 0, sum_sq = 0;
  for (int k = 0; k < n; ++k) {
    auto eng = rng.engine(Stream::traits, 0, static_cast<std::uint32_t>(k));
    boost::random::normal_distribution<double> normal(0.0, 1.0);
    const double x = normal(eng);
    sum += x;
    sum_sq += x * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 4.0 / std::sqrt(static_cast<double>(n)));
  // Var(X^2) = 2 for a standard normal.
  EXPECT_NEAR(sum_sq / n, 1.0, 4.0 * std::sqrt(2.0 / n));
}

TEST(RngPair, PairUniformIsSymmetricInTheTwoIds) {
  const Rng rng(kSeed, kReplicate);
  EXPECT_EQ(pair_uniform(rng, Stream::friend_tie, 3, 99),
            pair_uniform(rng, Stream::friend_tie, 99, 3));
  EXPECT_NE(pair_uniform(rng, Stream::friend_tie, 3, 99),
            pair_uniform(rng, Stream::friend_tie, 3, 98));
}

}  // namespace
}  // namespace drift

namespace drift {
namespace {
TEST(RngEdges, UnitConversionStaysStrictlyInsideTheOpenInterval) {
  EXPECT_LT(Rng::to_unit(0xffffffffu, 0xffffffffu), 1.0);
  EXPECT_GT(Rng::to_unit(0u, 0u), 0.0);
  EXPECT_GT(-std::log(Rng::to_unit(0xffffffffu, 0xffffffffu)), 0.0);
}
}  // namespace
}  // namespace drift
