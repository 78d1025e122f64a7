// Resources guarded: a run whose estimated peak memory exceeds what the machine has stops before
// it writes anything, with one line saying what it needs and how to proceed, unless --force.
#include <gtest/gtest.h>

#include <string>

#include "drift/experiments/plan.hpp"
#include "drift/model/world.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/step/build_world.hpp"
#include "support/run_drift.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

using test::drift;
using test::quoted;
using test::TempDir;

const std::string kUtrecht = std::string(DRIFT_SOURCE_DIR) + "/scenarios/utrecht.yaml";

TEST(MemoryGuard, ARunScaledPastTheMachineStopsBeforeWritingAnything) {
  TempDir dir;
  // 100 times Utrecht on 512 threads with 4,000 replicates: terabytes, past any machine.
  const auto r = drift("run " + quoted(kUtrecht) +
                           " --set simulation.population_scale=100 -r 4000 -t 512 -q --out x.h5",
                       dir.str());
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("needs about"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("GB available"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--force"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_TRUE(dir.files().empty()) << "nothing may be written";
}

TEST(MemoryGuard, TheMessageAppearsOnlyWhenTheNeedExceedsWhatIsAvailable) {
  MemoryNeed need;
  need.world_bytes = 1'000'000'000;
  need.worlds_alive = 4;
  need.output_bytes = 500'000'000;
  EXPECT_EQ(need.peak_bytes(), 4'500'000'000u);
  EXPECT_EQ(memory_problem(need, 0), "");  // unknown: no guard
  EXPECT_EQ(memory_problem(need, 4'500'000'000), "");
  const auto m = memory_problem(need, 4'499'999'999);
  EXPECT_NE(m.find("4.5 GB"), std::string::npos) << m;
  EXPECT_NE(m.find("4 worlds of 1.0 GB"), std::string::npos) << m;
  EXPECT_GT(available_memory_bytes(), 0u);  // Linux: MemAvailable is known
}

TEST(MemoryGuard, TheWorldEstimateFromASmallWorldMatchesTheBuiltWorld) {
  auto sc = load_scenario(kUtrecht, {{"simulation.population_scale", "0.5"}});
  const auto need = memory_need(sc, 1);
  const World w = build_world(sc.params, sc.areas, 0);
  const double actual = static_cast<double>(w.bytes());
  EXPECT_NEAR(static_cast<double>(need.world_bytes), actual, 0.05 * actual);
  EXPECT_EQ(need.worlds_alive, 2);  // one thread: the burnt-in world and a working copy
}

}  // namespace
}  // namespace drift
