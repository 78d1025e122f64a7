// A built world given other parameters (reparametrise) is the world built with them.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "drift/step/build_world.hpp"
#include "drift/step/step.hpp"
#include "support/world_difference.hpp"

namespace drift {
namespace {

std::vector<AreaSpec> three_areas() {
  return {{"North", 500, 800, 0.3, 2}, {"South", 400, 700, 0.15, 1}, {"East", 300, 500, 0.4, 0}};
}

Parameters small_params() {
  Parameters p;
  p.simulation.seed = 77;
  p.simulation.burn_in_weeks = 40;
  p.networks.count = 5;
  p.networks.youth_places = 10;
  // Busy enough that youths pass through several states within the weeks stepped below.
  p.onset.onset_hazard = 0.02;
  p.recruitment.entry_hazard = 0.05;
  p.enforcement.runner_arrest_hazard = 0.02;
  return p;
}

// Another valid value of the parameter: half way to its maximum, else to its minimum, else
// either end; nothing when every candidate equals the present value or build_world refuses it.
bool vary(const ParamInfo& info, Parameters& p, const std::vector<AreaSpec>& areas) {
  const double v = info.get(p);
  for (double candidate : {(v + info.max) / 2, (v + info.min) / 2, info.max, info.min}) {
    if (info.type == ParamType::integer) candidate = std::round(candidate);
    if (candidate == v) continue;
    Parameters q = p;
    info.set(q, candidate);
    try {
      (void)build_world(q, areas, 0);
    } catch (const std::invalid_argument&) {
      continue;
    }
    p = q;
    return true;
  }
  return false;
}

// Every parameter of parameters.def that does not shape the build, varied one at a time: the
// world built with the base parameters and then reparametrised is the world built with the
// varied ones, right after the build and after 30 weeks stepped from both.
TEST(BuildWorld, AReparametrisedWorldIsTheOneBuiltWithItsParameters) {
  const auto areas = three_areas();
  const Parameters base = small_params();
  const World built = build_world(base, areas, 3);
  int varied = 0;
  for (const auto& info : parameter_table()) {
    if (shapes_the_build(info)) continue;
    Parameters p = base;
    if (!vary(info, p, areas)) {
      ADD_FAILURE() << info.path << ": no other valid value found";
      continue;
    }
    ++varied;
    World fresh = build_world(p, areas, 3);
    World reused = built;
    reparametrise(reused, p);
    ASSERT_EQ(first_difference(fresh, reused), "") << info.path << " = " << info.get(p);
    for (int week = 0; week < 30; ++week) {
      step(fresh);
      step(reused);
    }
    ASSERT_EQ(first_difference(fresh, reused), "")
        << info.path << " = " << info.get(p) << ", after 30 weeks";
  }
  EXPECT_GT(varied, 70);
}

// The parameters reparametrise() applies do change a freshly built world, so the test above
// would fail without them.
TEST(BuildWorld, TheParametersReparametriseAppliesChangeTheBuiltWorld) {
  const auto areas = three_areas();
  const Parameters base = small_params();
  const World built = build_world(base, areas, 3);
  for (const std::string path :
       {"market.replacement", "networks.youth_places", "normalisation.baseline_logit",
        "normalisation.risk_logit", "offending.other_rate_peak", "offending.risk_log_hr"}) {
    const auto* info = find_parameter(path);
    ASSERT_NE(info, nullptr) << path;
    Parameters p = base;
    ASSERT_TRUE(vary(*info, p, areas)) << path;
    EXPECT_NE(first_difference(build_world(p, areas, 3), built), "") << path;
  }
}

// Classes of more than 4,096 members draw their ties in shares when the build has threads.
TEST(BuildWorld, TheBuiltWorldDoesNotDependOnTheThreadCount) {
  const std::vector<AreaSpec> areas = {{"North", 10000, 12000, 0.3, 3},
                                       {"South", 9000, 11000, 0.15, 2},
                                       {"East", 8000, 9000, 0.4, 1}};
  const Parameters p = small_params();
  const World one = build_world(p, areas, 1, 1);
  const World two = build_world(p, areas, 1, 2);
  EXPECT_EQ(two.threads, 2);
  EXPECT_GT(one.ties.school[0]->rows(), 4096u);
  EXPECT_EQ(first_difference(one, two), "");
}

TEST(BuildWorld, ReparametriseRefusesAParameterThatShapesTheBuildAndASteppedWorld) {
  const auto areas = three_areas();
  const Parameters base = small_params();
  for (const std::string path :
       {"simulation.seed", "simulation.population_scale", "population.cross_district_school_share",
        "ties.friend_degree", "networks.count", "simulation.burn_in_weeks"}) {
    const auto* info = find_parameter(path);
    ASSERT_NE(info, nullptr) << path;
    EXPECT_TRUE(shapes_the_build(*info)) << path;
    Parameters p = base;
    ASSERT_TRUE(vary(*info, p, areas)) << path;
    EXPECT_FALSE(same_build(base, p)) << path;
    World w = build_world(base, areas, 0);
    EXPECT_THROW(reparametrise(w, p), std::invalid_argument) << path;
  }
  World stepped = build_world(base, areas, 0);
  step(stepped);
  Parameters p = base;
  p.onset.onset_hazard = 0.03;
  EXPECT_TRUE(same_build(base, p));
  EXPECT_THROW(reparametrise(stepped, p), std::invalid_argument);
}

}  // namespace
}  // namespace drift
