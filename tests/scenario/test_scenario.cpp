#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "drift/interventions/registry.hpp"
#include "drift/model/parameters.hpp"
#include "drift/scenario/scenario.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;

// A stand-in intervention type, so that strategies with valid interventions can be written
// without depending on the real types.
class Probe : public Intervention {
 public:
  InterventionWeek apply(World&, int) override { return {}; }
};

iv::Schema probe_schema() {
  iv::Schema s;
  s.type = "test_probe";
  s.description = "Intervention used only by the scenario tests";
  s.top = {iv::real("level", 0.5, 0, 1, "", "assumption", "A number in [0, 1]"),
           iv::names("area", {}, {}, "Districts")};
  return s;
}

DRIFT_REGISTER_INTERVENTION(
    test_probe,
    InterventionType{"test_probe", "Intervention used only by the scenario tests", probe_schema(),
                     [](const iv::Values&, std::uint32_t, const std::vector<std::string>&) {
                       return std::make_unique<Probe>();
                     }})

const std::string kData = std::string(DRIFT_SOURCE_DIR) + "/tests/data/scenarios/";
const std::string kUtrechtCsv =
    std::string(DRIFT_SOURCE_DIR) + "/scenarios/data/utrecht_districts.csv";

// Two valid areas, appended to scenarios whose point lies elsewhere.
const std::string kAreas = R"(areas:
  list:
    - {name: A, youth_12_17: 100, youth_18_26: 200, low_income_share: 0.1, schools: 1}
    - {name: B, youth_12_17: 150, youth_18_26: 250, low_income_share: 0.2, schools: 2}
)";

using drift::test::TempDir;

std::vector<Diagnostic> diagnostics_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    return e.diagnostics();
  }
  ADD_FAILURE() << "expected a ScenarioError";
  return {};
}

std::string all(const std::vector<Diagnostic>& ds) {
  std::string s;
  for (const auto& d : ds) s += d.format() + "\n";
  return s;
}

// ---------------------------------------------------------------------------------------------
// One bad scenario file each: the diagnostic must point at the exact line, column and key.

struct BadCase {
  std::string name;
  std::string yaml;
  int line;
  int column;
  std::string key;
  std::string message;  // a part of the message
};

void PrintTo(const BadCase& c, std::ostream* os) {
  *os << c.name;
}

class BadScenario : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadScenario, ReportsExactLocationAndKey) {
  const auto& c = GetParam();
  TempDir dir;
  const auto file = dir.write("bad.yaml", c.yaml);
  const auto ds = diagnostics_of([&] { load_scenario(file); });
  ASSERT_EQ(ds.size(), 1u) << all(ds);
  EXPECT_EQ(ds[0].file, file);
  EXPECT_EQ(ds[0].line, c.line) << all(ds);
  EXPECT_EQ(ds[0].column, c.column) << all(ds);
  EXPECT_EQ(ds[0].key, c.key) << all(ds);
  EXPECT_NE(ds[0].message.find(c.message), std::string::npos) << all(ds);
}

const BadCase kBadCases[] = {
    {"UnknownTopLevelKeySuggestsNearest", "name: t\nstratgies: []\n" + kAreas, 2, 1, "stratgies",
     "unknown key 'stratgies'; did you mean 'strategies'?"},
    {"UnknownGroupSuggestsNearest", "carreers:\n  progression_hazard: 0.1\n" + kAreas, 1, 1,
     "carreers", "did you mean 'careers'?"},
    {"UnknownParameterSuggestsNearest", "careers:\n  progresion_hazard: 0.03\n" + kAreas, 2, 3,
     "careers.progresion_hazard",
     "unknown parameter 'progresion_hazard' in group 'careers'; did you mean "
     "'progression_hazard'?"},
    {"StringForNumberIsRejected", "careers:\n  progression_hazard: fast\n" + kAreas, 2, 23,
     "careers.progression_hazard", "expected a number (unit: per week), got 'fast'"},
    {"QuotedNumberIsAString", "careers:\n  progression_hazard: \"0.03\"\n" + kAreas, 2, 23,
     "careers.progression_hazard", "expected a number (unit: per week)"},
    {"BooleanForNumberIsRejected", "simulation:\n  replicates: true\n" + kAreas, 2, 15,
     "simulation.replicates", "expected a number (unit: count), got 'true'"},
    {"SequenceForNumberIsRejected", "simulation:\n  replicates: [1, 2]\n" + kAreas, 2, 15,
     "simulation.replicates", "expected a number (unit: count), got a sequence"},
    {"EmptyValueIsReportedAtItsKey", "simulation:\n  replicates:\n" + kAreas, 2, 3,
     "simulation.replicates", "expected a number (unit: count), got nothing"},
    {"NonIntegerForIntParameterIsRejected", "simulation:\n  weeks: 52.5\n" + kAreas, 2, 10,
     "simulation.weeks", "expected an integer (unit: week), got 52.5"},
    {"OutOfRangeValueIsRejected", "careers:\n  progression_hazard: 1.5\n" + kAreas, 2, 23,
     "careers.progression_hazard", "value 1.5 out of range [0, 1] (per week)"},
    {"GroupThatIsNotAMapIsRejected", "careers: 0.5\n" + kAreas, 1, 10, "careers",
     "expected a map of parameter names to numbers, got '0.5'"},
    {"DuplicateKeyIsRejected",
     "careers:\n  progression_hazard: 0.1\n  progression_hazard: 0.2\n" + kAreas, 3, 3,
     "careers.progression_hazard", "duplicate key 'progression_hazard'"},
    {"AreaShareOutOfRangeIsRejected",
     "areas:\n  list:\n    - name: A\n      youth_12_17: 100\n      youth_18_26: 200\n"
     "      low_income_share: 0.1\n      schools: 1\n    - name: B\n      youth_12_17: 100\n"
     "      youth_18_26: 200\n      low_income_share: 1.2\n      schools: 1\n",
     11, 25, "areas.list[1].low_income_share", "value 1.2 out of range [0, 1]"},
    {"AreaNegativeCountIsRejected",
     "areas:\n  list:\n    - {name: A, youth_12_17: -5, youth_18_26: 200, low_income_share: 0.1, "
     "schools: 1}\n",
     3, 30, "areas.list[0].youth_12_17", "value -5 must not be negative"},
    {"AreaFractionalSchoolsIsRejected",
     "areas:\n  list:\n    - {name: A, youth_12_17: 5, youth_18_26: 200, low_income_share: 0.1, "
     "schools: 1.5}\n",
     3, 83, "areas.list[0].schools", "expected an integer, got 1.5"},
    {"AreaMissingFieldIsRejected",
     "areas:\n  list:\n    - name: A\n      youth_12_17: 100\n      youth_18_26: 200\n"
     "      low_income_share: 0.1\n",
     3, 7, "areas.list[0].schools", "missing required key 'schools'"},
    {"AreaUnknownFieldSuggestsNearest",
     "areas:\n  list:\n    - {name: A, youth_12_17: 5, youth_18_26: 200, low_income_share: 0.1, "
     "school: 1, schools: 1}\n",
     3, 74, "areas.list[0].school", "did you mean 'schools'?"},
    {"DuplicateAreaNamesAreRejected",
     "areas:\n  list:\n"
     "    - {name: A, youth_12_17: 5, youth_18_26: 200, low_income_share: 0.1, schools: 1}\n"
     "    - {name: A, youth_12_17: 5, youth_18_26: 200, low_income_share: 0.1, schools: 1}\n",
     4, 14, "areas.list[1].name", "duplicate area name 'A' (also areas.list[0])"},
    {"EmptyAreaListIsRejected", "areas:\n  list: []\n", 2, 9, "areas.list", "no areas given"},
    {"AreasWithoutSchoolsAreRejected",
     "areas:\n  list:\n"
     "    - {name: A, youth_12_17: 5, youth_18_26: 200, low_income_share: 0.1, schools: 0}\n",
     3, 5, "areas.list", "the areas have no schools"},
    {"AreasWithBothCsvAndListAreRejected",
     "areas:\n  csv: x.csv\n  list:\n"
     "    - {name: A, youth_12_17: 5, youth_18_26: 200, low_income_share: 0.1, schools: 1}\n",
     1, 1, "areas", "give either 'csv' or 'list', not both"},
    {"MissingCsvFileIsReported", "areas:\n  csv: nowhere.csv\n", 2, 8, "areas.csv",
     "cannot open file"},
    {"DuplicateStrategyNamesAreRejected",
     kAreas + "strategies:\n  - name: police\n  - name: police\n", 7, 11, "strategies[1].name",
     "duplicate strategy name 'police' (also strategies[0])"},
    {"InvalidStrategyNameIsRejected", kAreas + "strategies:\n  - name: more police\n", 6, 11,
     "strategies[0].name", "may only contain letters, digits, '_' and '-'"},
    {"InterventionNamedLikeTheFixedCostDatasetIsRejected",
     kAreas + "strategies:\n  - name: a\n    interventions:\n      - {type: test_probe, name: "
              "fixed_cost}\n",
     8, 34, "strategies[0].interventions[0].name", "intervention name 'fixed_cost' is reserved"},
    {"StrategyWithoutNameIsRejected", kAreas + "strategies:\n  - description: x\n", 6, 5,
     "strategies[0].name", "missing required key 'name'"},
    {"UnknownStrategyKeySuggestsNearest",
     kAreas + "strategies:\n  - name: a\n    intervention: []\n", 7, 5,
     "strategies[0].intervention", "did you mean 'interventions'?"},
    {"UnknownInterventionTypeSuggestsNearest",
     kAreas + "strategies:\n  - name: a\n    interventions:\n      - type: test_prob\n", 8, 15,
     "strategies[0].interventions[0].type",
     "unknown intervention type 'test_prob'; did you mean 'test_probe'?"},
    {"MissingInterventionTypeIsRejected",
     kAreas + "strategies:\n  - name: a\n    interventions:\n      - name: x\n", 8, 9,
     "strategies[0].interventions[0].type", "missing required key 'type'"},
    {"InterventionTypeCheckErrorsGetTheFullKey",
     kAreas + "strategies:\n  - name: a\n  - name: b\n    interventions:\n"
              "      - type: test_probe\n        level: 3\n",
     10, 16, "strategies[1].interventions[0].level", "value 3 out of range [0, 1]"},
    {"InterventionBlocksSeeTheMergedAreaNames",
     "strategies:\n  - name: a\n    interventions:\n      - {type: test_probe, area: [C]}\n" +
         kAreas,
     4, 35, "strategies[0].interventions[0].area[0]", "unknown district 'C'"},
    {"DuplicateInterventionNamesAreRejected",
     kAreas + "strategies:\n  - name: a\n    interventions:\n      - type: test_probe\n"
              "      - type: test_probe\n",
     9, 15, "strategies[0].interventions[1].name", "duplicate intervention name 'test_probe'"},
    {"StrategyExtendsUnknownStrategySuggestsNearest",
     kAreas + "strategies:\n  - name: police\n  - name: more_police\n    extends: polise\n", 8, 14,
     "strategies[1].extends", "unknown strategy 'polise'; did you mean 'police'?"},
    {"StrategyExtendsCycleIsRejected",
     kAreas + "strategies:\n  - name: a\n    extends: b\n  - name: b\n    extends: a\n", 9, 14,
     "strategies[1].extends", "strategy extends cycle: a -> b -> a"},
    {"BaselineWithInvalidNameIsRejected", kAreas + "baseline: no baseline\n", 5, 11, "baseline",
     "may only contain letters"},
    {"ReservedSectionMustBeAMap", kAreas + "sweep: 3\n", 5, 8, "sweep", "expected a map"},
    {"YamlSyntaxErrorReportsLine", "careers: [0.1, 0.2\nname: x\n", 2, 5, "",
     "end of sequence flow not found"},
    {"TopLevelSequenceIsRejected", "- a\n- b\n", 1, 1, "", "expected a map of top-level keys"},
};

INSTANTIATE_TEST_SUITE_P(ScenarioFile, BadScenario, ::testing::ValuesIn(kBadCases),
                         [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------

TEST(ScenarioFile, MinimalFixtureLoads) {
  const auto s = load_scenario(kData + "minimal.yaml");
  EXPECT_EQ(s.name, "minimal");
  EXPECT_EQ(s.description, "Two areas, defaults elsewhere");
  EXPECT_EQ(s.file, kData + "minimal.yaml");
  EXPECT_EQ(s.areas_source, "inline");
  ASSERT_EQ(s.areas.size(), 2u);
  EXPECT_EQ(s.areas[0].name, "North");
  EXPECT_DOUBLE_EQ(s.areas[0].youth_18_26, 2500.5);
  EXPECT_EQ(s.areas[0].schools, 2);
  EXPECT_DOUBLE_EQ(s.params.careers.progression_hazard, 0.03);
  EXPECT_EQ(s.params.simulation.weeks, 52);
  EXPECT_EQ(s.params.simulation.replicates, 2);
}

TEST(ScenarioFile, DefaultsAreFilledIn) {
  const auto s = load_scenario(kData + "minimal.yaml");
  for (const auto& p : parameter_table()) {
    if (p.path == "careers.progression_hazard" || p.path == "simulation.weeks" ||
        p.path == "simulation.replicates") {
      continue;
    }
    EXPECT_EQ(p.get(s.params), p.default_value) << p.path;
  }
}

TEST(ScenarioFile, IntegralValueWrittenWithDecimalPointIsAcceptedForIntParameter) {
  TempDir dir;
  const auto s = load_scenario(dir.write("s.yaml", "simulation:\n  weeks: 104.0\n" + kAreas));
  EXPECT_EQ(s.params.simulation.weeks, 104);
}

TEST(ScenarioFile, ProblemsOfTheSweepTrialAndCalibrateSectionsAreReportedTogether) {
  TempDir dir;
  const auto file = dir.write(
      "s.yaml", kAreas +
                    "strategies:\n  - name: baseline\n  - name: police\n"
                    "sweep: {design: grid, parameters: {careers.progression_hazrd: [0.01, 0.02]}}\n"
                    "trial: {strategy: polise, intervention: x, outcome: entry}\n"
                    "calibrate: {parameters: {careers.progression_hazrd: [0.01, 0.02]}}\n");
  const auto ds = diagnostics_of([&] { load_scenario(file); });
  std::set<std::string> keys;
  for (const auto& d : ds) keys.insert(d.key.substr(0, d.key.find('.')));
  EXPECT_EQ(keys, (std::set<std::string>{"sweep", "trial", "calibrate"})) << all(ds);
}

TEST(ScenarioFile, MissingAreasIsReportedAgainstTopFile) {
  TempDir dir;
  const auto file = dir.write("s.yaml", "name: t\n");
  const auto ds = diagnostics_of([&] { load_scenario(file); });
  ASSERT_EQ(ds.size(), 1u) << all(ds);
  EXPECT_EQ(ds[0].file, file);
  EXPECT_EQ(ds[0].line, 0);
  EXPECT_EQ(ds[0].key, "areas");
  EXPECT_NE(ds[0].message.find("missing required key 'areas'"), std::string::npos);
  EXPECT_EQ(ds[0].format(), file + ": key 'areas': " + ds[0].message);
}

TEST(ScenarioFile, SanctionSharesOfAnAgeGroupAboveOneAreRefusedNamingTheKeys) {
  TempDir dir;
  const auto file = dir.write("s.yaml", kAreas +
                                            "sanctions: {dismissal_share_adult: 0.5, "
                                            "settlement_share_adult: 0.4, "
                                            "community_share_adult: 0.2}\n");
  const auto ds = diagnostics_of([&] { load_scenario(file); });
  ASSERT_EQ(ds.size(), 1u) << all(ds);
  EXPECT_EQ(ds[0].file, file);
  EXPECT_EQ(ds[0].key, "sanctions");
  EXPECT_NE(ds[0].message.find("sanctions.dismissal_share_adult"), std::string::npos) << all(ds);
  EXPECT_NE(ds[0].message.find("at most 1"), std::string::npos) << all(ds);
  // The same shares summing to exactly 1 (no detention) are accepted.
  const auto ok = dir.write("ok.yaml", kAreas +
                                           "sanctions: {dismissal_share_adult: 0.5, "
                                           "settlement_share_adult: 0.3, "
                                           "community_share_adult: 0.2}\n");
  EXPECT_NO_THROW(load_scenario(ok));
}

TEST(ScenarioFile, MissingTopFileIsReportedWithoutLine) {
  const std::string file = kData + "does_not_exist.yaml";
  const auto ds = diagnostics_of([&] { load_scenario(file); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].file, file);
  EXPECT_EQ(ds[0].line, 0);
  EXPECT_EQ(ds[0].format(), file + ": cannot open file");
}

TEST(ScenarioFile, EveryProblemInAFileIsReported) {
  TempDir dir;
  const auto file = dir.write("s.yaml",
                              "careers:\n  progression_hazard: 2\n  desistance_hazard: x\n"
                              "simulaton: {}\n");
  const auto ds = diagnostics_of([&] { load_scenario(file); });
  ASSERT_EQ(ds.size(), 4u) << all(ds);
  EXPECT_EQ(ds[0].key, "careers.progression_hazard");
  EXPECT_EQ(ds[1].key, "careers.desistance_hazard");
  EXPECT_EQ(ds[2].key, "simulaton");
  EXPECT_EQ(ds[3].key, "areas");
}

TEST(ScenarioFile, ErrorTextListsFormattedDiagnostics) {
  TempDir dir;
  const auto file = dir.write("s.yaml", "careers:\n  progression_hazard: 2\n" + kAreas);
  try {
    load_scenario(file);
    FAIL() << "expected a ScenarioError";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()),
              file +
                  ":2:23: key 'careers.progression_hazard': value 2 out of range [0, 1] "
                  "(per week)");
  }
}

TEST(ScenarioFile, SectionsAreKeptAndTheReservedTrialIsAccepted) {
  TempDir dir;
  const auto s = load_scenario(dir.write(
      "s.yaml",
      kAreas + "sweep: {design: grid, parameters: {careers.progression_hazard: [0.01, 0.02]}}\n"
               "calibrate: {parameters: {careers.progression_hazard: [0.01, 0.02]}}\n"));
  EXPECT_EQ(s.sweep.kind, "grid");
  EXPECT_EQ(s.sweep.paths, std::vector<std::string>{"careers.progression_hazard"});
  ASSERT_TRUE(s.calibrate.has_value());
  EXPECT_EQ(s.calibrate->paths, std::vector<std::string>{"careers.progression_hazard"});
}

// --- extends between files ---

TEST(ScenarioFile, ChildOverridesParentValue) {
  const auto s = load_scenario(kData + "child.yaml");
  EXPECT_EQ(s.name, "child");
  EXPECT_EQ(s.description, "Utrecht districts");                // from the parent
  EXPECT_DOUBLE_EQ(s.params.careers.progression_hazard, 0.05);  // child wins
  EXPECT_DOUBLE_EQ(s.params.careers.desistance_hazard, 0.005);  // parent only
  EXPECT_EQ(s.params.simulation.replicates, 4);
  EXPECT_EQ(s.areas.size(), 10u);
  EXPECT_EQ(s.areas_source,
            (fs::path(kData) / "../../../scenarios/data/utrecht_districts.csv").lexically_normal());
  ASSERT_EQ(s.strategies.size(), 2u);
  EXPECT_EQ(s.strategies[0].name, "baseline");
  EXPECT_EQ(s.strategies[1].name, "alternative");
}

TEST(ScenarioFile, ErrorInParentFileIsReportedWithParentFileName) {
  const auto ds = diagnostics_of([&] { load_scenario(kData + "child_of_bad_parent.yaml"); });
  ASSERT_EQ(ds.size(), 1u) << all(ds);
  EXPECT_EQ(ds[0].file, kData + "bad_parent.yaml");
  EXPECT_EQ(ds[0].line, 3);
  EXPECT_EQ(ds[0].column, 23);
  EXPECT_EQ(ds[0].key, "careers.progression_hazard");
  EXPECT_NE(ds[0].message.find("out of range"), std::string::npos);
}

TEST(ScenarioFile, ExtendsCycleBetweenFilesIsReported) {
  const auto ds = diagnostics_of([&] { load_scenario(kData + "cycle_a.yaml"); });
  ASSERT_EQ(ds.size(), 1u) << all(ds);
  EXPECT_EQ(ds[0].file, kData + "cycle_b.yaml");
  EXPECT_EQ(ds[0].line, 2);
  EXPECT_EQ(ds[0].column, 10);
  EXPECT_EQ(ds[0].key, "extends");
  EXPECT_EQ(ds[0].message, "extends cycle: " + kData + "cycle_a.yaml -> " + kData +
                               "cycle_b.yaml -> " + kData + "cycle_a.yaml");
}

TEST(ScenarioFile, MissingParentFileIsReportedAtExtends) {
  TempDir dir;
  const auto file = dir.write("s.yaml", "name: x\nextends: nowhere.yaml\n");
  const auto ds = diagnostics_of([&] { load_scenario(file); });
  ASSERT_EQ(ds.size(), 1u) << all(ds);
  EXPECT_EQ(ds[0].file, file);
  EXPECT_EQ(ds[0].line, 2);
  EXPECT_EQ(ds[0].column, 10);
  EXPECT_EQ(ds[0].key, "extends");
  EXPECT_EQ(ds[0].message, "cannot open file '" + dir.path("nowhere.yaml") + "'");
}

TEST(ScenarioFile, ChildAreasReplaceParentAreasWhole) {
  TempDir dir;
  dir.write("parent.yaml", "areas:\n  csv: " + kUtrechtCsv + "\n");
  const auto s = load_scenario(dir.write("child.yaml", "extends: parent.yaml\n" + kAreas));
  EXPECT_EQ(s.areas.size(), 2u);
  EXPECT_EQ(s.areas_source, "inline");
}

TEST(ScenarioFile, ChildStrategiesReplaceParentStrategiesWhole) {
  TempDir dir;
  dir.write("parent.yaml", kAreas + "strategies:\n  - name: a\n  - name: b\n");
  const auto s =
      load_scenario(dir.write("child.yaml", "extends: parent.yaml\nstrategies:\n  - name: c\n"));
  ASSERT_EQ(s.strategies.size(), 2u);
  EXPECT_EQ(s.strategies[0].name, "baseline");
  EXPECT_EQ(s.strategies[1].name, "c");
}

// --- strategies ---

TEST(ScenarioFile, ImplicitBaselineComesFirst) {
  TempDir dir;
  const auto s = load_scenario(dir.write("s.yaml", kAreas + "strategies:\n  - name: a\n"));
  ASSERT_EQ(s.strategies.size(), 2u);
  EXPECT_EQ(s.strategies[0].name, "baseline");
  EXPECT_TRUE(s.strategies[0].interventions.empty());
  EXPECT_EQ(s.strategies[1].name, "a");
}

TEST(ScenarioFile, NamedBaselineIsMovedFirst) {
  const auto s = load_scenario(kData + "minimal.yaml");
  ASSERT_EQ(s.strategies.size(), 2u);
  EXPECT_EQ(s.strategies[0].name, "baseline");
  EXPECT_EQ(s.strategies[1].name, "later_baseline");
}

TEST(ScenarioFile, BaselineKeyNamesTheBaselineStrategy) {
  TempDir dir;
  const auto s = load_scenario(dir.write(
      "s.yaml", kAreas + "baseline: status_quo\nstrategies:\n  - name: a\n  - name: status_quo\n"
                         "    description: current policy\n"));
  ASSERT_EQ(s.strategies.size(), 2u);
  EXPECT_EQ(s.strategies[0].name, "status_quo");
  EXPECT_EQ(s.strategies[0].description, "current policy");
  EXPECT_EQ(s.strategies[1].name, "a");
}

TEST(ScenarioFile, StrategyExtendsPutsParentInterventionsFirst) {
  TempDir dir;
  const auto file = dir.write("s.yaml", kAreas +
                                            "strategies:\n"
                                            "  - name: full\n"
                                            "    extends: light\n"
                                            "    interventions:\n"
                                            "      - {type: test_probe, name: extra, level: 0.9}\n"
                                            "  - name: light\n"
                                            "    interventions:\n"
                                            "      - {type: test_probe, level: 0.5}\n");
  const auto s = load_scenario(file);
  ASSERT_EQ(s.strategies.size(), 3u);
  const auto& full = s.strategies[1];
  EXPECT_EQ(full.name, "full");
  ASSERT_EQ(full.interventions.size(), 2u);
  EXPECT_EQ(full.interventions[0].name, "test_probe");  // the type, by default
  EXPECT_EQ(full.interventions[1].name, "extra");
  EXPECT_EQ(full.interventions[1].type, "test_probe");
  EXPECT_EQ(full.interventions[1].file, file);
  EXPECT_DOUBLE_EQ(full.interventions[1].values("level"), 0.9);
  EXPECT_DOUBLE_EQ(full.interventions[0].values("level"), 0.5);  // the schema's default
  EXPECT_EQ(full.interventions[1].line, 9);
  EXPECT_EQ(s.strategies[2].interventions.size(), 1u);
}

// --- --set overrides ---

TEST(ScenarioFile, ParseOverrideSplitsAtFirstEquals) {
  const auto o = parse_override("careers.progression_hazard=0.03");
  EXPECT_EQ(o.path, "careers.progression_hazard");
  EXPECT_EQ(o.value, "0.03");
  EXPECT_EQ(parse_override("a.b=x=y").value, "x=y");
}

TEST(ScenarioFile, MalformedOverrideIsRejected) {
  for (const std::string text : {"careers.progression_hazard", "=0.03", ""}) {
    const auto ds = diagnostics_of([&] { parse_override(text); });
    ASSERT_EQ(ds.size(), 1u) << text;
    EXPECT_EQ(ds[0].file, "--set");
    EXPECT_NE(ds[0].message.find("expected PATH=VALUE"), std::string::npos);
  }
}

TEST(ScenarioFile, SetOverrideIsApplied) {
  const auto s = load_scenario(
      kData + "child.yaml",
      {parse_override("careers.progression_hazard=0.07"), parse_override("simulation.seed=42")});
  EXPECT_DOUBLE_EQ(s.params.careers.progression_hazard, 0.07);
  EXPECT_EQ(s.params.simulation.seed, 42);
  EXPECT_NE(s.resolved_yaml.find("progression_hazard: 0.07"), std::string::npos);
}

TEST(ScenarioFile, OutOfRangeSetIsRejected) {
  const auto ds = diagnostics_of([&] {
    load_scenario(kData + "minimal.yaml", {parse_override("careers.progression_hazard=3")});
  });
  ASSERT_EQ(ds.size(), 1u) << all(ds);
  EXPECT_EQ(ds[0].file, "--set");
  EXPECT_EQ(ds[0].line, 0);
  EXPECT_EQ(ds[0].key, "careers.progression_hazard");
  EXPECT_EQ(ds[0].message, "value 3 out of range [0, 1] (per week)");
}

TEST(ScenarioFile, NonNumericAndNonIntegerSetAreRejected) {
  const auto ds = diagnostics_of([&] {
    load_scenario(kData + "minimal.yaml", {parse_override("careers.progression_hazard=fast"),
                                           parse_override("simulation.weeks=10.5")});
  });
  ASSERT_EQ(ds.size(), 2u) << all(ds);
  EXPECT_EQ(ds[0].message, "expected a number (unit: per week), got 'fast'");
  EXPECT_EQ(ds[1].message, "expected an integer (unit: week), got 10.5");
}

TEST(ScenarioFile, UnknownSetPathSuggestsNearest) {
  const auto ds = diagnostics_of([&] {
    load_scenario(kData + "minimal.yaml", {parse_override("careers.progresion_hazard=0.1")});
  });
  ASSERT_EQ(ds.size(), 1u) << all(ds);
  EXPECT_EQ(ds[0].file, "--set");
  EXPECT_EQ(ds[0].line, 0);
  EXPECT_EQ(ds[0].key, "careers.progresion_hazard");
  EXPECT_EQ(ds[0].message,
            "unknown parameter 'careers.progresion_hazard'; did you mean "
            "'careers.progression_hazard'?");
  EXPECT_EQ(ds[0].format(), "--set: key 'careers.progresion_hazard': " + ds[0].message);
}

// --- resolved YAML ---

void expect_same(const Scenario& a, const Scenario& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  for (const auto& p : parameter_table()) EXPECT_EQ(p.get(a.params), p.get(b.params)) << p.path;
  ASSERT_EQ(a.areas.size(), b.areas.size());
  for (std::size_t i = 0; i < a.areas.size(); ++i) {
    EXPECT_EQ(a.areas[i].name, b.areas[i].name);
    EXPECT_EQ(a.areas[i].youth_12_17, b.areas[i].youth_12_17);
    EXPECT_EQ(a.areas[i].youth_18_26, b.areas[i].youth_18_26);
    EXPECT_EQ(a.areas[i].low_income_share, b.areas[i].low_income_share);
    EXPECT_EQ(a.areas[i].schools, b.areas[i].schools);
  }
  ASSERT_EQ(a.strategies.size(), b.strategies.size());
  for (std::size_t i = 0; i < a.strategies.size(); ++i) {
    EXPECT_EQ(a.strategies[i].name, b.strategies[i].name);
    EXPECT_EQ(a.strategies[i].description, b.strategies[i].description);
    ASSERT_EQ(a.strategies[i].interventions.size(), b.strategies[i].interventions.size());
    for (std::size_t j = 0; j < a.strategies[i].interventions.size(); ++j) {
      const auto& x = a.strategies[i].interventions[j];
      const auto& y = b.strategies[i].interventions[j];
      EXPECT_EQ(x.type, y.type);
      EXPECT_EQ(x.name, y.name);
      EXPECT_EQ(x.values.number, y.values.number);
      EXPECT_EQ(x.values.text, y.values.text);
      EXPECT_EQ(x.values.list, y.values.list);
    }
  }
}

TEST(ScenarioFile, ResolvedYamlRoundTrips) {
  TempDir dir;
  dir.write("parent.yaml", "description: \"quotes \\\" and: colons\"\nareas:\n  csv: " +
                               kUtrechtCsv + "\nonset:\n  onset_hazard: 0.00123456789\n");
  const auto first = load_scenario(
      dir.write("child.yaml",
                "extends: parent.yaml\n"
                "name: round trip\n"
                "relapse:\n  age_log_hr: -0.1\n"
                "strategies:\n"
                "  - name: b\n"
                "    extends: a\n"
                "    description: |\n      two lines\n      of text\n"
                "    interventions:\n"
                "      - type: test_probe\n        name: second\n        level: 0.25\n"
                "  - name: a\n"
                "    interventions: [{type: test_probe, level: 1e-3}]\n"),
      {parse_override("simulation.population_scale=0.1")});
  const auto again = load_scenario(dir.write("resolved.yaml", first.resolved_yaml));
  expect_same(first, again);
  EXPECT_EQ(again.areas_source, "inline");
  EXPECT_EQ(again.resolved_yaml, first.resolved_yaml);
}

TEST(ScenarioFile, ResolvedYamlListsEveryParameter) {
  const auto s = load_scenario(kData + "minimal.yaml");
  const auto doc = YAML::Load(s.resolved_yaml);
  for (const auto& p : parameter_table()) {
    const auto v = doc[std::string(p.group)][std::string(p.name)];
    ASSERT_TRUE(v.IsScalar()) << p.path;
    EXPECT_EQ(v.as<double>(), p.get(s.params)) << p.path;
  }
  EXPECT_FALSE(doc["extends"]);
  EXPECT_EQ(doc["areas"]["list"].size(), 2u);
  EXPECT_EQ(doc["baseline"].as<std::string>(), "baseline");
}

TEST(ScenarioFile, ResolvedYamlIsDeterministic) {
  const auto a = load_scenario(kData + "child.yaml");
  const auto b = load_scenario(kData + "child.yaml");
  EXPECT_EQ(a.resolved_yaml, b.resolved_yaml);
}

// --- areas CSV ---

TEST(AreasCsv, ShippedUtrechtDistrictsLoad) {
  const auto areas = load_areas_csv(kUtrechtCsv);
  ASSERT_EQ(areas.size(), 10u);
  double y1217 = 0, y1826 = 0;
  int schools = 0;
  for (const auto& a : areas) {
    y1217 += a.youth_12_17;
    y1826 += a.youth_18_26;
    schools += a.schools;
  }
  EXPECT_NEAR(y1217, 22510.2, 0.01);
  EXPECT_NEAR(y1826, 62242.9, 0.01);
  EXPECT_EQ(schools, 31);
  EXPECT_EQ(areas[2].name, "Overvecht");
  EXPECT_DOUBLE_EQ(areas[2].low_income_share, 0.32);
  EXPECT_EQ(areas[9].name, "Vleuten-De Meern");
}

TEST(AreasCsv, NonNumericCellReportsLineAndColumn) {
  const auto ds = diagnostics_of([&] { load_scenario(kData + "bad_cell.yaml"); });
  ASSERT_EQ(ds.size(), 1u) << all(ds);
  EXPECT_EQ(ds[0].file, kData + "bad_cell.csv");
  EXPECT_EQ(ds[0].line, 3);
  EXPECT_EQ(ds[0].column, 3);
  EXPECT_EQ(ds[0].key, "youth_18_26");
  EXPECT_EQ(ds[0].message, "expected a number, got 'many'");
  EXPECT_EQ(ds[0].format(), kData + "bad_cell.csv:3:3: key 'youth_18_26': " + ds[0].message);
}

TEST(AreasCsv, ColumnsMatchByNameInAnyOrderAndCase) {
  TempDir dir;
  const auto areas = load_areas_csv(
      dir.write("a.csv",
                "Schools,notes,LOW_INCOME_SHARE,Name,youth_18_26,year,youth_12_17\r\n"
                "2,\"quoted, with \"\"comma\"\"\",0.5,\"Old Town, East\",300,2023,100\r\n"
                "\r\n"
                "1,,0.25,West,200,2023,50\r\n"));
  ASSERT_EQ(areas.size(), 2u);
  EXPECT_EQ(areas[0].name, "Old Town, East");
  EXPECT_DOUBLE_EQ(areas[0].youth_12_17, 100);
  EXPECT_DOUBLE_EQ(areas[0].youth_18_26, 300);
  EXPECT_DOUBLE_EQ(areas[0].low_income_share, 0.5);
  EXPECT_EQ(areas[0].schools, 2);
  EXPECT_EQ(areas[1].name, "West");
}

TEST(AreasCsv, QuotedFieldMayHoldALineBreak) {
  TempDir dir;
  const auto file = dir.write("a.csv",
                              "district,youth_12_17,youth_18_26,low_income_share,schools,notes\n"
                              "A,1,2,0.1,1,\"first\nsecond\"\n"
                              "B,1,2,x,1,\n");
  const auto ds = diagnostics_of([&] { load_areas_csv(file); });
  ASSERT_EQ(ds.size(), 1u) << all(ds);
  EXPECT_EQ(ds[0].line, 4);
  EXPECT_EQ(ds[0].column, 4);
  EXPECT_EQ(ds[0].key, "low_income_share");
}

TEST(AreasCsv, MissingColumnIsReported) {
  TempDir dir;
  const auto file = dir.write("a.csv", "district,youth_12_17,low_income_share\nA,1,0.1\n");
  const auto ds = diagnostics_of([&] { load_areas_csv(file); });
  ASSERT_EQ(ds.size(), 2u) << all(ds);
  EXPECT_EQ(ds[0].line, 1);
  EXPECT_EQ(ds[0].key, "youth_18_26");
  EXPECT_EQ(ds[0].message, "missing required column 'youth_18_26'");
  EXPECT_EQ(ds[1].key, "schools");
  EXPECT_EQ(ds[1].message, "missing required column 'schools' (or 'secondary_schools')");
}

TEST(AreasCsv, BadRowsAreAllReported) {
  TempDir dir;
  const auto file = dir.write("a.csv",
                              "district,youth_12_17,youth_18_26,low_income_share,schools\n"
                              "A,1,2,1.5,1\n"
                              "B,-1,2,0.1,1\n"
                              "C,1,2,0.1\n"
                              ",1,2,0.1,1\n"
                              "A,1,2,0.1,\n");
  const auto ds = diagnostics_of([&] { load_areas_csv(file); });
  ASSERT_EQ(ds.size(), 6u) << all(ds);
  EXPECT_EQ(ds[0].format(),
            file + ":2:4: key 'low_income_share': value 1.5 out of range [0, 1] (share)");
  EXPECT_EQ(ds[1].format(), file + ":3:2: key 'youth_12_17': value -1 must not be negative");
  EXPECT_EQ(ds[2].format(), file + ":4: expected 5 fields as in the header, found 4");
  EXPECT_EQ(ds[3].format(), file + ":5:1: key 'district': expected a non-empty area name");
  EXPECT_EQ(ds[4].format(),
            file + ":6:1: key 'district': duplicate area name 'A' (first on line 2)");
  EXPECT_EQ(ds[5].format(), file + ":6:5: key 'schools': expected an integer, got an empty value");
}

TEST(AreasCsv, MissingFileIsReported) {
  const std::string file = kData + "nowhere.csv";
  const auto ds = diagnostics_of([&] { load_areas_csv(file); });
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].format(), file + ": cannot open file");
}

TEST(AreasCsv, CsvPathIsRelativeToTheFileThatNamesIt) {
  TempDir dir;
  fs::create_directories(dir.path("sub/data"));
  std::ifstream in(kUtrechtCsv);
  std::ofstream(dir.path("sub/data/d.csv")) << in.rdbuf();
  dir.write("sub/parent.yaml", "areas:\n  csv: data/d.csv\n");
  const auto s = load_scenario(dir.write("child.yaml", "extends: sub/parent.yaml\n"));
  EXPECT_EQ(s.areas.size(), 10u);
  EXPECT_EQ(s.areas_source, dir.path("sub/data/d.csv"));
}

// --- numbers ---

TEST(Numbers, ParseNumberAcceptsWholeDecimalsOnly) {
  EXPECT_EQ(parse_number("3"), 3.0);
  EXPECT_EQ(parse_number(" -0.5 "), -0.5);
  EXPECT_EQ(parse_number("+2"), 2.0);
  EXPECT_EQ(parse_number("1e-3"), 0.001);
  for (const char* bad : {"", " ", "1.5x", "0x10", "nan", "inf", "+-1", "1e999", "true"}) {
    EXPECT_FALSE(parse_number(bad).has_value()) << bad;
  }
}

TEST(Numbers, FormatNumberRoundTrips) {
  for (const double v : {0.02, 520.0, 1e-5, 0.1 + 0.2, -2.5, 2147483647.0}) {
    EXPECT_EQ(parse_number(format_number(v)), v);
  }
  EXPECT_EQ(format_number(0.02), "0.02");
  EXPECT_EQ(format_number(520), "520");
}

// --- JSON Schema ---

TEST(JsonSchema, ParsesAndCarriesTheParameterTable) {
  const auto text = scenario_json_schema();
  YAML::Node schema;
  ASSERT_NO_THROW(schema = YAML::Load(text)) << text;
  EXPECT_EQ(schema["$schema"].as<std::string>(), "https://json-schema.org/draft/2020-12/schema");
  EXPECT_FALSE(schema["additionalProperties"].as<bool>());
  const auto props = schema["properties"];
  for (const auto& g : parameter_groups()) {
    const auto group = props[std::string(g.name)];
    ASSERT_TRUE(group.IsMap()) << g.name;
    EXPECT_FALSE(group["additionalProperties"].as<bool>()) << g.name;
  }
  for (const auto& p : parameter_table()) {
    const auto node = props[std::string(p.group)]["properties"][std::string(p.name)];
    ASSERT_TRUE(node.IsMap()) << p.path;
    EXPECT_EQ(node["type"].as<std::string>(), p.type == ParamType::integer ? "integer" : "number");
    EXPECT_EQ(node["minimum"].as<double>(), p.min) << p.path;
    EXPECT_EQ(node["maximum"].as<double>(), p.max) << p.path;
    EXPECT_EQ(node["default"].as<double>(), p.default_value) << p.path;
    const auto description = node["description"].as<std::string>();
    EXPECT_NE(description.find("[unit: " + std::string(p.unit) +
                               "; source: " + std::string(p.source) + "]"),
              std::string::npos)
        << p.path;
  }
  const auto hazard = props["careers"]["properties"]["progression_hazard"];
  EXPECT_EQ(hazard["maximum"].as<double>(), 1.0);
  EXPECT_EQ(props["areas"]["oneOf"].size(), 2u);
  for (const char* k : {"name", "description", "extends", "baseline", "strategies", "sweep",
                        "calibrate", "trial"}) {
    EXPECT_TRUE(props[k].IsMap()) << k;
  }
  EXPECT_EQ(
      schema["$defs"]["strategy"]["properties"]["interventions"]["items"]["$ref"].as<std::string>(),
      "#/$defs/intervention");
  EXPECT_TRUE(schema["$defs"]["intervention"].IsMap());
}

TEST(JsonSchema, EscapesQuotesInDescriptions) {
  const auto text = scenario_json_schema();
  // JSON allows no raw control characters inside strings.
  for (const char c : text) {
    if (c != '\n') {
      EXPECT_GE(static_cast<unsigned char>(c), 0x20);
    }
  }
  EXPECT_NO_THROW(YAML::Load(text));
}

// --- assumptions files (--assumptions) ---

TEST(AssumptionsFile, SetsItsParametersOverTheScenarioAndUnderSet) {
  TempDir dir;
  const auto scenario =
      dir.write("s.yaml", kAreas + "market:\n  replacement: 0.5\n  supply_entry_hazard: 0.0003\n");
  const auto setting = dir.write("no_replacement.yaml", "market:\n  replacement: 0\n");
  const auto s = load_scenario(scenario, {}, {setting});
  EXPECT_EQ(s.params.market.replacement, 0.0);
  EXPECT_EQ(s.params.market.supply_entry_hazard, 0.0003);  // not in the setting: the scenario's
  ASSERT_EQ(s.assumptions.size(), 1u);
  EXPECT_EQ(s.assumptions[0], "no_replacement");  // no name given: the file name
  EXPECT_EQ(s.assumption_files[0], setting);
  // --set goes over the setting.
  const auto t = load_scenario(scenario, {{"market.replacement", "0.25"}}, {setting});
  EXPECT_EQ(t.params.market.replacement, 0.25);
  // The values reach the resolved document, which is what a re-run from the file loads.
  const auto again = load_scenario_text(s.resolved_yaml, dir.path("resolved.yaml"));
  EXPECT_EQ(again.params.market.replacement, 0.0);
  EXPECT_TRUE(again.assumptions.empty());
}

TEST(AssumptionsFile, LaterFilesWinAndTheirNamesAreKeptInOrder) {
  TempDir dir;
  const auto scenario = dir.write("s.yaml", kAreas);
  const auto a = dir.write("a.yaml", "name: first\nmarket: {replacement: 0.2}\n");
  const auto b = dir.write("b.yaml", "name: second\nmarket: {replacement: 0.7}\n");
  const auto s = load_scenario(scenario, {}, {a, b});
  EXPECT_EQ(s.params.market.replacement, 0.7);
  EXPECT_EQ(s.assumptions, (std::vector<std::string>{"first", "second"}));
}

TEST(AssumptionsFile, ScenarioKeysAreRefusedAtTheirLineNamingTheFile) {
  TempDir dir;
  const auto scenario = dir.write("s.yaml", kAreas);
  const auto setting = dir.write("bad.yaml",
                                 "name: bad\n"
                                 "extends: s.yaml\n"
                                 "market:\n"
                                 "  replacment: 0\n"
                                 "  replacement: 2\n");
  const auto ds = diagnostics_of([&] { load_scenario(scenario, {}, {setting}); });
  ASSERT_EQ(ds.size(), 3u) << all(ds);
  for (const auto& d : ds) EXPECT_EQ(d.file, setting) << all(ds);
  EXPECT_EQ(ds[0].line, 2);
  EXPECT_EQ(ds[0].key, "extends");
  EXPECT_NE(ds[0].message.find("an assumptions file sets only parameter groups"), std::string::npos)
      << ds[0].message;
  EXPECT_EQ(ds[1].line, 4);
  EXPECT_EQ(ds[1].key, "market.replacment");
  EXPECT_NE(ds[1].message.find("did you mean 'replacement'"), std::string::npos) << ds[1].message;
  EXPECT_EQ(ds[2].line, 5);
  EXPECT_EQ(ds[2].key, "market.replacement");
}

TEST(AssumptionsFile, AMissingFileIsReportedAndNothingLoads) {
  TempDir dir;
  const auto scenario = dir.write("s.yaml", kAreas);
  const auto ds = diagnostics_of([&] { load_scenario(scenario, {}, {dir.path("none.yaml")}); });
  ASSERT_EQ(ds.size(), 1u) << all(ds);
  EXPECT_EQ(ds[0].file, dir.path("none.yaml"));
  EXPECT_EQ(ds[0].message, "cannot open assumptions file");
}

TEST(AssumptionsFile, ShippedMarketSettingsLoadOverUtrecht) {
  const std::string root = std::string(DRIFT_SOURCE_DIR) + "/scenarios/";
  for (const auto& [file, replacement] :
       std::vector<std::pair<std::string, double>>{{"market_full_replacement.yaml", 1.0},
                                                   {"market_default.yaml", 0.5},
                                                   {"market_no_replacement.yaml", 0.0}}) {
    const auto s = load_scenario(root + "utrecht.yaml", {}, {root + "assumptions/" + file});
    EXPECT_EQ(s.params.market.replacement, replacement) << file;
    EXPECT_EQ(s.name, "utrecht") << file;
    EXPECT_EQ(s.assumptions[0] + ".yaml", file);
  }
}

}  // namespace
}  // namespace drift
