// What the benchmarks time and print their figures with.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "bench/figures.hpp"

namespace drift::bench {
namespace {

TEST(Figures, FixedGivesTheDecimalsAsked) {
  EXPECT_EQ(fixed(1.8549, 2), "1.85");
  EXPECT_EQ(fixed(1.855, 1), "1.9");
  EXPECT_EQ(fixed(602.4, 0), "602");
  EXPECT_EQ(fixed(std::nan(""), 2), "nan");
}

TEST(Figures, TheLoadAverageIsReadFromTheMachine) {
  // Linux always has /proc/loadavg; a load is never negative.
  EXPECT_GE(load_average(), 0.0);
}

TEST(Figures, SecondsSinceAMomentAreNotNegative) {
  const auto t0 = Clock::now();
  EXPECT_GE(seconds_since(t0), 0.0);
  EXPECT_LT(seconds_since(t0 + std::chrono::seconds(1)), 0.0);
}

}  // namespace
}  // namespace drift::bench
