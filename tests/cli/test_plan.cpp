// drift plan, run as a user would: a dry run that writes nothing, and whose week-0 figures are
// those a real run records for replicate 0.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "drift/results/results.hpp"
#include "support/run_drift.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;

const std::string kDrift = DRIFT_BINARY;

using drift::test::TempDir;

using drift::test::drift;
using drift::test::quoted;
using drift::test::Result;

// A tiny city with two strategies of interventions that have places.
const char* kTinyWithInterventions = R"(name: tiny
simulation:
  weeks: 6
  burn_in_weeks: 52
  replicates: 2
  population_scale: 0.5
areas:
  list:
    - {name: North, youth_12_17: 600, youth_18_26: 900, low_income_share: 0.2, schools: 1}
    - {name: South, youth_12_17: 450, youth_18_26: 720, low_income_share: 0.3, schools: 1}
networks:
  count: 4
onset:
  onset_hazard: 0.05
recruitment:
  entry_hazard: 0.2
strategies:
  - name: baseline
  - name: help
    interventions:
      - type: mentors
        workers: 2
        caseload: 5
        ramp_up_weeks: 0
      - type: job_coaches
        workers: 1
        caseload: 12
  - name: prevention
    interventions:
      - type: prevention
        coverage: 0.5
)";

// The row of the week-0 table for (strategy, intervention): eligible, capacity, reach.
std::vector<double> plan_row(const std::string& output, const std::string& strategy,
                             const std::string& intervention) {
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string s, type, name;
    double eligible = 0, capacity = 0, reach = 0;
    if (words >> s >> type >> name >> eligible >> capacity >> reach && s == strategy &&
        name == intervention) {
      return {eligible, capacity, reach};
    }
  }
  return {};
}

TEST(CliPlan, WritesNothingAndMatchesWeekZeroOfARun) {
  TempDir dir;
  dir.write("tiny.yaml", kTinyWithInterventions);
  const auto before = dir.tree();
  const auto plan = drift("plan tiny.yaml --threads 2", dir.str());
  ASSERT_EQ(plan.status, 0) << plan.output;
  EXPECT_EQ(dir.tree(), before) << "drift plan must write no file";
  EXPECT_FALSE(fs::exists(dir.path("results")));
  EXPECT_NE(plan.output.find("runs                6 (points x replicates x strategies)"),
            std::string::npos)
      << plan.output;
  EXPECT_NE(plan.output.find("estimate"), std::string::npos) << plan.output;

  const auto run = drift("run tiny.yaml --threads 2 -q --out run.h5", dir.str());
  ASSERT_EQ(run.status, 0) << run.output;
  const ResultReader file(dir.path("run.h5"));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"help", "mentors"}, {"help", "job_coaches"}, {"prevention", "prevention"}};
  for (const auto& [strategy, intervention] : cases) {
    const auto row = plan_row(plan.output, strategy, intervention);
    ASSERT_EQ(row.size(), 3u) << strategy << "/" << intervention << "\n" << plan.output;
    const std::string group = "/strategies/" + strategy + "/interventions/" + intervention + "/";
    // [replicate, week]: replicate 0, week 0 is the first value.
    const auto eligible = file.dataset(group + "eligible");
    const auto capacity = file.dataset(group + "capacity");
    const auto enrolled = file.dataset(group + "enrolled");
    ASSERT_EQ(capacity.shape, (std::vector<std::uint64_t>{2, 6}));
    EXPECT_EQ(row[0], eligible.values[0]) << group;
    EXPECT_EQ(row[1], capacity.values[0]) << group;
    EXPECT_EQ(row[2], enrolled.values[0]) << group;
  }
  // The city is busy enough that the comparison means something.
  EXPECT_GT(plan_row(plan.output, "help", "mentors")[1], 0) << plan.output;
  EXPECT_GT(plan_row(plan.output, "help", "mentors")[0], 0) << plan.output;
}

TEST(CliPlan, DefaultUtrechtScenarioWritesNothingAndMatchesWeekZeroOfARun) {
  // The shipped scenario itself, with one replicate of one week so that the run stays short
  // (week 0 does not depend on the horizon).
  TempDir dir;
  const std::string scenario = quoted(std::string(DRIFT_SOURCE_DIR) + "/scenarios/utrecht.yaml");
  const std::string short_run = " --replicates 1 --set simulation.weeks=1 --threads 2";
  const auto before = dir.tree();
  const auto plan = drift("plan " + scenario + short_run, dir.str());
  ASSERT_EQ(plan.status, 0) << plan.output;
  EXPECT_EQ(dir.tree(), before) << "drift plan must write no file";
  const auto run = drift("run " + scenario + short_run + " -q --out run.h5", dir.str());
  ASSERT_EQ(run.status, 0) << run.output;
  const ResultReader file(dir.path("run.h5"));
  int compared = 0;
  for (const auto& strategy : file.strings_attribute("/strategies", "order")) {
    const std::string base = "/strategies/" + strategy + "/interventions";
    if (!file.exists(base)) continue;
    for (const auto& intervention : file.children(base)) {
      if (intervention == "fixed_cost") continue;  // a dataset beside the intervention groups
      const auto row = plan_row(plan.output, strategy, intervention);
      ASSERT_EQ(row.size(), 3u) << strategy << "/" << intervention << "\n" << plan.output;
      const std::string group = base + "/" + intervention + "/";
      EXPECT_EQ(row[0], file.dataset(group + "eligible").values[0]) << group;
      EXPECT_EQ(row[1], file.dataset(group + "capacity").values[0]) << group;
      EXPECT_EQ(row[2], file.dataset(group + "enrolled").values[0]) << group;
      ++compared;
    }
  }
  EXPECT_GE(compared, 12);  // six single interventions and the full package
}

TEST(CliPlan, InvalidScenarioGivesFileLineColumnAndExitsTwo) {
  TempDir dir;
  dir.write("bad.yaml",
            "name: bad\nsimulaton:\n  weeks: 20\nareas:\n  list:\n"
            "    - {name: North, youth_12_17: 600, youth_18_26: 900, "
            "low_income_share: 0.2, schools: 1}\n");
  const auto r = drift("plan bad.yaml", dir.str());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("bad.yaml:2:1: "), std::string::npos) << r.output;
  EXPECT_EQ(dir.tree(), (std::vector<std::string>{"bad.yaml"}));
}

TEST(CliPlan, OverridesAndReplicatesChangeTheWork) {
  TempDir dir;
  dir.write("tiny.yaml", kTinyWithInterventions);
  const auto r =
      drift("plan tiny.yaml --replicates 5 --set simulation.weeks=10 --threads 1", dir.str());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("runs                15 "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("x 10 weeks"), std::string::npos) << r.output;
}

// Points that differ only in parameters that do not shape the build share each replicate's
// built world; a swept parameter that shapes it needs a world per point and replicate.
TEST(CliPlan, WorldBuildsCountOnlyThePointsThatShapeTheBuildDifferently) {
  TempDir dir;
  dir.write("market.yaml", std::string(kTinyWithInterventions) + R"(sweep:
  design: grid
  parameters:
    market.replacement: [0.2, 0.5, 0.8]
)");
  dir.write("ties.yaml", std::string(kTinyWithInterventions) + R"(sweep:
  design: grid
  parameters:
    ties.friend_degree: [3, 5, 7]
)");
  const auto market = drift("plan market.yaml --threads 1", dir.str());
  ASSERT_EQ(market.status, 0) << market.output;
  EXPECT_NE(market.output.find(" 2 world builds of "), std::string::npos) << market.output;
  const auto ties = drift("plan ties.yaml --threads 1", dir.str());
  ASSERT_EQ(ties.status, 0) << ties.output;
  EXPECT_NE(ties.output.find(" 6 world builds of "), std::string::npos) << ties.output;
}

}  // namespace
}  // namespace drift
