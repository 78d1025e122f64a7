// Built worlds kept for the points of a sweep or calibration.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "drift/experiments/build_cache.hpp"
#include "drift/step/build_world.hpp"
#include "drift/step/step.hpp"
#include "support/world_difference.hpp"

namespace drift {
namespace {

std::vector<AreaSpec> two_areas() {
  return {{"North", 600, 900, 0.3, 1}, {"South", 400, 700, 0.1, 1}};
}

Parameters point(double onset, double replacement) {
  Parameters p;
  p.simulation.burn_in_weeks = 20;
  p.simulation.population_scale = 0.5;
  p.onset.onset_hazard = onset;
  p.market.replacement = replacement;
  return p;
}

TEST(BuildCache, EveryWorldIsTheOneBuildWorldMakesAndEachReplicateIsDrawnOnce) {
  const auto areas = two_areas();
  BuildCache cache(2);
  const std::vector<Parameters> points = {point(0.001, 0.2), point(0.002, 0.5), point(0.003, 0.9)};
  for (std::uint32_t r = 0; r < 2; ++r) {
    for (const auto& p : points) {
      EXPECT_EQ(first_difference(cache.world(p, areas, r), build_world(p, areas, r)), "")
          << "replicate " << r << ", onset " << p.onset.onset_hazard;
    }
  }
  EXPECT_EQ(cache.builds(), 2u);
  EXPECT_EQ(cache.reuses(), 4u);
  // A parameter that shapes the build, or other areas, need a world of their own.
  Parameters denser = points[0];
  denser.ties.friend_degree = 8;
  EXPECT_EQ(first_difference(cache.world(denser, areas, 0), build_world(denser, areas, 0)), "");
  auto other_areas = areas;
  other_areas[1].low_income_share = 0.2;
  EXPECT_EQ(first_difference(cache.world(points[1], other_areas, 0),
                             build_world(points[1], other_areas, 0)),
            "");
  EXPECT_EQ(cache.builds(), 4u);
  EXPECT_EQ(cache.reuses(), 4u);
}

TEST(BuildCache, PointsOfOneBuildShareTheClassesTheirRunsFormAndRunAsIfAlone) {
  const auto areas = two_areas();
  BuildCache cache(2);
  const auto a = point(0.001, 0.2), b = point(0.003, 0.9);
  std::shared_ptr<ClassTieCache> classes_a, classes_b, classes_other;
  World wa = cache.world(a, areas, 0, 1, classes_a);
  World wb = cache.world(b, areas, 0, 1, classes_b);
  ASSERT_TRUE(classes_a);
  EXPECT_EQ(classes_a, classes_b) << "points of one build share one cache";
  Parameters denser = a;
  denser.ties.friend_degree = 8;
  (void)cache.world(denser, areas, 0, 1, classes_other);
  EXPECT_NE(classes_other, classes_a) << "another build has its own classes";
  wa.class_ties = classes_a.get();
  wb.class_ties = classes_b.get();
  World alone = build_world(b, areas, 0);  // draws every class itself
  const auto before = wb.ties.school;
  // 80 weeks from the start of the burn-in cross the start of a school year.
  for (int k = 0; k < 80; ++k) step(wa);
  for (int k = 0; k < 80; ++k) step(wb);
  for (int k = 0; k < 80; ++k) step(alone);
  int shared = 0;
  for (int c = 0; c < wb.cohorts(); ++c) {
    if (&*wb.ties.school[c] == &*before[c]) continue;  // no class formed in this cohort
    EXPECT_EQ(&*wa.ties.school[c], &*wb.ties.school[c]) << "cohort " << c;
    EXPECT_EQ(&*wa.ties.friendship[c], &*wb.ties.friendship[c]) << "cohort " << c;
    ++shared;
  }
  EXPECT_GE(shared, 1);
  wb.class_ties = nullptr;
  EXPECT_EQ(first_difference(wb, alone), "");
  EXPECT_NE(wa.pop.state, wb.pop.state) << "the two points should differ";
}

TEST(BuildCache, KeepsAtMostItsCapacityDroppingTheLeastRecentlyUsed) {
  const auto areas = two_areas();
  BuildCache cache(2);
  const auto p = point(0.001, 0.2);
  (void)cache.world(p, areas, 0);
  (void)cache.world(p, areas, 1);
  (void)cache.world(p, areas, 0);  // kept; replicate 1 is now the least recently used
  (void)cache.world(p, areas, 2);  // drops replicate 1
  (void)cache.world(p, areas, 0);
  EXPECT_EQ(cache.builds(), 3u);
  EXPECT_EQ(cache.reuses(), 2u);
  (void)cache.world(p, areas, 1);
  EXPECT_EQ(cache.builds(), 4u);
  BuildCache none(0);
  (void)none.world(p, areas, 0);
  (void)none.world(p, areas, 0);
  EXPECT_EQ(none.builds(), 2u);
  EXPECT_EQ(none.reuses(), 0u);
}

}  // namespace
}  // namespace drift
