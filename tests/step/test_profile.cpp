// The whole-run profile (drift run --profile): which sections it times, that it counts the
// youth-weeks stepped, and that timing changes no result.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "drift/step/build_world.hpp"
#include "drift/step/profile.hpp"
#include "drift/step/step.hpp"

namespace drift {
namespace {

std::vector<AreaSpec> two_areas() {
  return {{"North", 600, 900, 0.2, 2}, {"South", 450, 720, 0.3, 1}};
}

Parameters busy_params() {
  Parameters p;
  p.simulation.population_scale = 0.5;
  p.simulation.burn_in_weeks = 0;
  p.onset.onset_hazard = 0.05;
  p.recruitment.entry_hazard = 0.2;
  return p;
}

std::int64_t present(const World& w) {
  std::int64_t n = 0;
  for (auto s : w.pop.state) n += s != State::vacant;
  return n;
}

class DoesNothing : public Intervention {
 public:
  InterventionWeek apply(World&, int) override { return {}; }
};

// Restores the profile switch and clears the counters around each test.
class Profile : public ::testing::Test {
 protected:
  void SetUp() override { profile::clear(); }
  void TearDown() override {
    profile::enable(false);
    profile::clear();
  }
  static double seconds(const std::string& label) {
    for (const auto& r : profile::rows()) {
      if (r.label == label) return r.seconds;
    }
    ADD_FAILURE() << "no row " << label;
    return -1;
  }
};

TEST_F(Profile, TimesEveryProcessOfTheStepAndCountsTheYouthWeeksStepped) {
  World w = build_world(busy_params(), two_areas(), 0);
  profile::enable(true);
  std::int64_t youth_weeks = 0;
  for (int week = 0; week < 20; ++week) {
    youth_weeks += present(w);
    step(w);
  }
  EXPECT_EQ(profile::youth_weeks(), static_cast<double>(youth_weeks));
  for (const char* label :
       {"step: begin_week", "step: age_and_turn_over", "step: interventions (all; each below)",
        "step: normalise_attitudes", "step: onset_and_recovery", "step: recruit",
        "step: advance_careers", "step: enforce", "step: register_offending", "step: labour_market",
        "step: relapse", "step: tally_revenue"}) {
    EXPECT_GT(seconds(label), 0.0) << label;
  }
  // Sections of the run around the step are not the step's.
  EXPECT_EQ(seconds("build the world"), 0.0);
  EXPECT_EQ(seconds("write the result file"), 0.0);
}

TEST_F(Profile, IsOffByDefaultAndASuspendedThreadIsNotTimed) {
  World w = build_world(busy_params(), two_areas(), 0);
  step(w);
  for (const auto& r : profile::rows()) EXPECT_EQ(r.seconds, 0.0) << r.label;
  EXPECT_EQ(profile::youth_weeks(), 0.0);
  profile::enable(true);
  {
    const profile::Suspend burn_in;
    step(w);
  }
  for (const auto& r : profile::rows()) EXPECT_EQ(r.seconds, 0.0) << r.label;
  // The youth-weeks of a suspended step still count (the burn-in's are part of the run).
  EXPECT_GT(profile::youth_weeks(), 0.0);
}

TEST_F(Profile, TimesEachInterventionUnderItsLabel) {
  World w = build_world(busy_params(), two_areas(), 0);
  InterventionList list;
  list.push_back(std::make_unique<DoesNothing>());
  list.push_back(std::make_unique<DoesNothing>());
  const std::vector<std::string> labels = {"plan / first (x)", "plan / second (x)"};
  profile::enable(true);
  {
    const profile::InterventionLabels labelled(&labels);
    step(w, list);
  }
  step(w, list);  // without labels: by position
  std::vector<std::string> seen;
  for (const auto& r : profile::rows()) {
    if (r.intervention) seen.push_back(r.label);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"intervention 0", "intervention 1", "plan / first (x)",
                                            "plan / second (x)"}));
  const auto table = profile::format(profile::rows(), profile::youth_weeks());
  EXPECT_NE(table.find("  plan / first (x)"), std::string::npos) << table;
  EXPECT_NE(table.find("ns/youth-week"), std::string::npos) << table;
}

TEST_F(Profile, TimingChangesNoResult) {
  World plain = build_world(busy_params(), two_areas(), 0);
  World timed = plain;
  for (int week = 0; week < 20; ++week) step(plain);
  profile::enable(true);
  for (int week = 0; week < 20; ++week) step(timed);
  EXPECT_EQ(plain.pop.state, timed.pop.state);
  EXPECT_EQ(plain.pop.clock_a, timed.pop.clock_a);
  EXPECT_EQ(plain.tallies, timed.tallies);
}

TEST_F(Profile, TimingTheParallelPassesChangesNoResultAndCountsThePassesOfAStepOnTwoThreads) {
  Parameters params = busy_params();
  params.simulation.population_scale = 6.0;  // enough slots for the passes to run in parallel
  World plain = build_world(params, two_areas(), 0);
  ASSERT_GE(plain.pop.size(), 8192u);
  plain.threads = 2;
  World timed = plain;
  for (int week = 0; week < 10; ++week) step(plain);
  profile::clear_parallel_passes();
  profile::time_parallel_passes(true);
  for (int week = 0; week < 10; ++week) step(timed);
  const auto passes = profile::parallel_passes();
  profile::time_parallel_passes(false);
  profile::clear_parallel_passes();
  EXPECT_EQ(plain.pop.state, timed.pop.state);
  EXPECT_EQ(plain.pop.clock_a, timed.pop.clock_a);
  EXPECT_EQ(plain.tallies, timed.tallies);
  // Every week has several passes over the slots (onset, recruitment, labour market, ...).
  EXPECT_GE(passes.passes, 10 * 4);
  EXPECT_GT(passes.busy_seconds, 0.0);
  EXPECT_LE(passes.busy_seconds, 2 * passes.wall_seconds);
}

}  // namespace
}  // namespace drift
