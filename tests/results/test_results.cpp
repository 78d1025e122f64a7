// HDF5 result files: layout, provenance, atomic writing, and reading back.
#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "drift/build_info.hpp"
#include "drift/experiments/result_file.hpp"
#include "drift/experiments/summary.hpp"
#include "drift/results/compare.hpp"
#include "drift/results/results.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;

using drift::test::TempDir;

Scenario small_scenario() {
  Scenario s;
  s.name = "results_test";
  s.description = "three districts";
  s.file = "in-code";
  auto& p = s.params;
  p.simulation.weeks = 40;
  p.simulation.burn_in_weeks = 20;
  p.simulation.replicates = 3;
  p.simulation.seed = 99;
  p.networks.count = 4;
  p.networks.youth_places = 8;
  p.onset.onset_hazard = 0.02;
  p.recruitment.entry_hazard = 0.2;
  p.enforcement.runner_arrest_hazard = 0.03;
  p.labour.job_finding_hazard = 0.05;
  s.areas = {{"Oost", 120, 180, 0.2, 1}, {"West", 90, 135, 0.3, 1}, {"Zuid", 60, 90, 0.1, 1}};
  s.areas_source = "inline";
  s.strategies = {StrategySpec{"baseline", "today", {}},
                  StrategySpec{"second", "the same again", {}}};
  s.resolved_yaml = "name: results_test\nsimulation:\n  seed: 99\n";
  return s;
}

struct Fixture {
  Scenario scenario = small_scenario();
  ExperimentOutput output = run_experiment(scenario, RunOptions{});
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

std::string written(const TempDir& dir, const std::string& name = "out.h5") {
  const auto path = dir.path(name);
  write_results(path, fixture().scenario, fixture().output, {"drift run test"});
  return path;
}

TEST(ResultsLayout, TimeseriesAreSumsOverAreasAndEqualTheOutputsInMemory) {
  TempDir dir;
  const ResultReader r(written(dir));
  const auto& out = fixture().output;
  for (std::size_t s = 0; s < out.strategies.size(); ++s) {
    const auto& st = out.strategies[s];
    const std::string base = "/strategies/" + st.name;
    for (std::size_t m = 0; m < area_metrics().size(); ++m) {
      const auto& name = area_metrics()[m].name;
      const auto ts = r.dataset(base + "/timeseries/" + name);
      const auto ba = r.dataset(base + "/by_area/" + name);
      ASSERT_EQ(ts.shape, (std::vector<std::uint64_t>{3, 40})) << name;
      ASSERT_EQ(ba.shape, (std::vector<std::uint64_t>{3, 40, 3})) << name;
      for (std::size_t rep = 0; rep < 3; ++rep) {
        const auto& run = st.replicates[rep];
        for (int t = 0; t < 40; ++t) {
          double sum = 0;
          for (int a = 0; a < 3; ++a) {
            const double v = ba.values[(rep * 40 + t) * 3 + a];
            ASSERT_EQ(v, run.area_value(static_cast<int>(m), t, a)) << name;
            sum += v;
          }
          ASSERT_EQ(ts.values[rep * 40 + t], sum) << name << " replicate " << rep << " week " << t;
          ASSERT_EQ(ts.values[rep * 40 + t], run.total(static_cast<int>(m), t)) << name;
        }
      }
    }
    for (std::size_t m = 0; m < city_metrics().size(); ++m) {
      const auto ts = r.dataset(base + "/timeseries/" + city_metrics()[m].name);
      ASSERT_EQ(ts.shape, (std::vector<std::uint64_t>{3, 40}));
      for (std::size_t rep = 0; rep < 3; ++rep) {
        for (int t = 0; t < 40; ++t)
          ASSERT_EQ(ts.values[rep * 40 + t], st.replicates[rep].city[m * 40 + t]);
      }
    }
    const auto fixed = r.dataset(base + "/interventions/fixed_cost");
    EXPECT_EQ(fixed.shape, (std::vector<std::uint64_t>{3}));
    EXPECT_EQ(fixed.values, (std::vector<double>{0, 0, 0}));
  }
  // The series are not trivially zero.
  const auto dealing = r.dataset("/strategies/baseline/timeseries/dealing");
  double total = 0;
  for (double v : dealing.values) total += v;
  EXPECT_GT(total, 0);
}

TEST(ResultsLayout, AreaNamesAndStrategyOrderAreStored) {
  TempDir dir;
  const ResultReader r(written(dir));
  EXPECT_EQ(r.strings("/areas/names"), (std::vector<std::string>{"Oost", "West", "Zuid"}));
  EXPECT_EQ(r.strings_attribute("/strategies", "order"),
            (std::vector<std::string>{"baseline", "second"}));
  EXPECT_FALSE(r.exists("/strategies/order"));
  EXPECT_TRUE(r.exists("/strategies/second/by_area/arrests"));
  EXPECT_FALSE(r.exists("/strategies/third"));
  EXPECT_EQ(r.attribute("/strategies/second", "description"), "the same again");
  const auto children = r.children("/strategies");
  EXPECT_NE(std::find(children.begin(), children.end(), "baseline"), children.end());
  EXPECT_NE(std::find(children.begin(), children.end(), "second"), children.end());
}

TEST(ResultsLayout, AStrategyMayBeCalledOrder) {
  TempDir dir;
  auto scenario = small_scenario();
  scenario.params.simulation.replicates = 1;
  scenario.strategies = {StrategySpec{"baseline", "today", {}},
                         StrategySpec{"order", "named like the attribute", {}}};
  const auto path = dir.path("order.h5");
  write_results(path, scenario, run_experiment(scenario, RunOptions{}), {"drift run test"});
  {
    const ResultReader r(path);
    EXPECT_EQ(r.strings_attribute("/strategies", "order"),
              (std::vector<std::string>{"baseline", "order"}));
    EXPECT_TRUE(r.exists("/strategies/order/timeseries/dealing"));
    EXPECT_EQ(r.attribute("/strategies/order", "description"), "named like the attribute");
  }
  H5::H5File f(path, H5F_ACC_RDONLY);
  EXPECT_EQ(f.childObjType("/strategies/order"), H5O_TYPE_GROUP);
  const auto summary = summarize_file(path);
  ASSERT_EQ(summary.strategies.size(), 2u);
}

TEST(CompareResultFiles, IdenticalRunsAreEqualWhateverTheirCommandLine) {
  TempDir dir;
  const auto a = written(dir, "a.h5");
  const auto b = dir.path("b.h5");
  write_results(b, fixture().scenario, fixture().output, {"another command line"});
  const auto c = compare_result_files(a, b);
  EXPECT_TRUE(c.equal) << c.first_difference;
  EXPECT_TRUE(c.differing.empty());
  EXPECT_GT(c.datasets_compared, 50u);
}

TEST(CompareResultFiles, ReportsChangedValuesMissingDatasetsAndTheScenarioHash) {
  TempDir dir;
  const auto a = written(dir, "a.h5");
  const auto b = written(dir, "b.h5");
  const std::string changed = "/strategies/second/timeseries/dealing";
  {
    H5::H5File f(b, H5F_ACC_RDWR);
    auto ds = f.openDataSet(changed);
    std::vector<double> v(3 * 40);
    ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
    v[5] = std::nextafter(v[5], 1e300);  // the smallest change there is
    ds.write(v.data(), H5::PredType::NATIVE_DOUBLE);
    f.unlink("/strategies/baseline/timeseries/arrests");
    auto root = f.openGroup("/");
    root.removeAttr("scenario_hash");
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    H5::DataSpace scalar(H5S_SCALAR);
    const char* other = "0000000000000000";
    root.createAttribute("scenario_hash", type, scalar).write(type, &other);
  }
  const auto c = compare_result_files(a, b);
  EXPECT_FALSE(c.equal);
  EXPECT_EQ(c.differing,
            (std::vector<std::string>{"/ @scenario_hash", "/strategies/baseline/timeseries/arrests",
                                      changed}));
  EXPECT_NE(c.first_difference.find("/ @scenario_hash"), std::string::npos) << c.first_difference;
  const auto same = compare_result_files(a, a);
  EXPECT_TRUE(same.equal);
  EXPECT_EQ(same.datasets_compared, c.datasets_compared);
  EXPECT_THROW(compare_result_files(a, dir.path("none.h5")), std::runtime_error);
}

TEST(ResultsProvenance, RootAttributesRecordProgramSeedAndScenario) {
  TempDir dir;
  const ResultReader r(written(dir));
  const auto& s = fixture().scenario;
  EXPECT_EQ(r.attribute("/", "program_version"), build_info::version);
  EXPECT_FALSE(r.attribute("/", "program_version").empty());
  EXPECT_EQ(r.attribute("/", "git_commit"), build_info::git_commit);
  EXPECT_EQ(r.attribute("/", "format"), "drift-results");
  EXPECT_EQ(r.numeric_attribute("/", "format_version"), kResultFormatVersion);
  EXPECT_EQ(r.numeric_attribute("/", "seed"), 99);
  EXPECT_EQ(r.numeric_attribute("/", "replicates"), 3);
  EXPECT_EQ(r.numeric_attribute("/", "weeks"), 40);
  EXPECT_EQ(r.numeric_attribute("/", "burn_in_weeks"), 20);
  EXPECT_EQ(r.attribute("/", "scenario_yaml"), s.resolved_yaml);
  EXPECT_EQ(r.attribute("/", "scenario_hash"), text_hash(s.resolved_yaml));
  EXPECT_EQ(r.attribute("/", "scenario_name"), "results_test");
  EXPECT_EQ(r.attribute("/", "command_line"), "drift run test");
  EXPECT_EQ(r.attribute("/", "baseline"), "baseline");
}

TEST(ResultsProvenance, DatasetsCarryUnitsDescriptionAndDimensions) {
  TempDir dir;
  const ResultReader r(written(dir));
  for (const auto& m : area_metrics()) {
    const auto ts = "/strategies/baseline/timeseries/" + m.name;
    const auto ba = "/strategies/baseline/by_area/" + m.name;
    EXPECT_EQ(r.attribute(ts, "units"), m.unit) << m.name;
    EXPECT_EQ(r.attribute(ts, "description"), m.description) << m.name;
    EXPECT_EQ(r.attribute(ts, "dimensions"), "replicate,week");
    EXPECT_EQ(r.attribute(ba, "units"), m.unit) << m.name;
    EXPECT_EQ(r.attribute(ba, "description"), m.description) << m.name;
    EXPECT_EQ(r.attribute(ba, "dimensions"), "replicate,week,area");
  }
  for (const auto& m : city_metrics()) {
    EXPECT_EQ(r.attribute("/strategies/second/timeseries/" + m.name, "units"), m.unit);
  }
  EXPECT_EQ(r.attribute("/strategies/baseline/interventions/fixed_cost", "units"), "euro");
}

TEST(ResultsAtomicWrite, NoTemporaryFileRemainsAfterWriting) {
  TempDir dir;
  written(dir);
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"out.h5"}));
}

TEST(ResultsAtomicWrite, FailedWriteIntoAMissingDirectoryLeavesNoFile) {
  TempDir dir;
  const auto path = dir.path("missing/out.h5");
  EXPECT_THROW(write_results(path, fixture().scenario, fixture().output, {""}), std::runtime_error);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(dir.path("missing")));
  EXPECT_TRUE(dir.files().empty());
}

TEST(ResultsAtomicWrite, FailedRenameLeavesNoTemporaryFileAndTheTargetUntouched) {
  TempDir dir;
  // The final name is taken by a non-empty directory, so the rename must fail.
  const auto path = dir.path("out.h5");
  fs::create_directories(path);
  std::ofstream(dir.path("out.h5/keep")) << "x";
  EXPECT_ANY_THROW(write_results(path, fixture().scenario, fixture().output, {""}));
  EXPECT_TRUE(fs::is_directory(path));
  EXPECT_TRUE(fs::exists(dir.path("out.h5/keep")));
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"out.h5"}));
}

TEST(ResultsAtomicWrite, RewritingReplacesAnEarlierFile) {
  TempDir dir;
  const auto path = dir.path("out.h5");
  std::ofstream(path) << "an older file";
  written(dir);
  const ResultReader r(path);
  EXPECT_EQ(r.numeric_attribute("/", "seed"), 99);
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"out.h5"}));
}

TEST(ResultsReader, RejectsAFileThatIsNotHdf5) {
  TempDir dir;
  const auto path = dir.path("not.h5");
  std::ofstream(path) << "plain text";
  EXPECT_THROW(ResultReader r(path), std::runtime_error);
  EXPECT_THROW(ResultReader r(dir.path("absent.h5")), std::runtime_error);
}

TEST(ResultsReader, MissingObjectsAreReportedAsRuntimeErrors) {
  TempDir dir;
  const ResultReader r(written(dir));
  EXPECT_THROW(r.dataset("/strategies/baseline/timeseries/no_such_metric"), std::runtime_error);
  EXPECT_THROW(r.strings("/areas/no_names"), std::runtime_error);
  EXPECT_THROW(r.attribute("/", "no_such_attribute"), std::runtime_error);
  EXPECT_THROW(r.numeric_attribute("/strategies/baseline/timeseries/dealing", "no_such"),
               std::runtime_error);
  EXPECT_THROW(r.children("/no_group"), std::runtime_error);
}

// Found by fuzzing (tests/fuzz): an array where one value belongs, or a two-dimensional list
// of texts, was read past its end.
TEST(ResultsReader, AnArrayWhereOneValueBelongsIsRefusedNamingTheFile) {
  TempDir dir;
  const auto path = written(dir);
  {
    H5::H5File f(path, H5F_ACC_RDWR);
    const hsize_t three = 3;
    H5::DataSpace space(1, &three);
    const double values[3] = {1, 2, 3};
    f.openGroup("/")
        .createAttribute("triple", H5::PredType::NATIVE_DOUBLE, space)
        .write(H5::PredType::NATIVE_DOUBLE, values);
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    const char* texts[3] = {"a", "b", "c"};
    f.openGroup("/").createAttribute("texts", type, space).write(type, texts);
    const hsize_t two_by_two[2] = {2, 2};
    H5::DataSpace square(2, two_by_two);
    const char* four[4] = {"a", "b", "c", "d"};
    f.createDataSet("/square_texts", type, square).write(four, type);
  }
  const ResultReader r(path);
  auto message = [](auto&& fn) {
    try {
      fn();
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const auto numeric = message([&] { (void)r.numeric_attribute("/", "triple"); });
  EXPECT_NE(numeric.find(path), std::string::npos) << numeric;
  EXPECT_NE(numeric.find("expected a single value, found 3"), std::string::npos) << numeric;
  const auto text = message([&] { (void)r.attribute("/", "texts"); });
  EXPECT_NE(text.find("expected a single value, found 3"), std::string::npos) << text;
  const auto list = message([&] { (void)r.strings("/square_texts"); });
  EXPECT_NE(list.find(path), std::string::npos) << list;
  EXPECT_NE(list.find("2 dimensions"), std::string::npos) << list;
  const auto missing = message([&] { (void)r.dataset("/no_such", {1}); });
  EXPECT_EQ(missing, path + ": dataset /no_such: missing");
  const auto shape = message([&] {
    (void)r.dataset("/strategies/baseline/timeseries/dealing", {ResultReader::kAnyLength, 7});
  });
  EXPECT_NE(shape.find(", expected [any, 7]"), std::string::npos) << shape;
}

void expect_same(const Interval& a, const Interval& b, const std::string& what) {
  auto same = [](double x, double y) { return (std::isnan(x) && std::isnan(y)) || x == y; };
  EXPECT_TRUE(same(a.mean, b.mean)) << what << " mean " << a.mean << " vs " << b.mean;
  EXPECT_TRUE(same(a.lo, b.lo)) << what << " lo";
  EXPECT_TRUE(same(a.hi, b.hi)) << what << " hi";
}

TEST(ResultsSummary, SummaryOfTheFileEqualsTheSummaryInMemory) {
  TempDir dir;
  const auto from_file = summarize_file(written(dir));
  const auto in_memory = summarize(fixture().scenario.params, fixture().output);
  EXPECT_EQ(from_file.baseline, "baseline");
  EXPECT_EQ(from_file.baseline, in_memory.baseline);
  EXPECT_EQ(from_file.replicates, 3);
  EXPECT_EQ(from_file.replicates, in_memory.replicates);
  EXPECT_EQ(from_file.weeks, in_memory.weeks);
  ASSERT_EQ(from_file.strategies.size(), in_memory.strategies.size());
  for (std::size_t s = 0; s < in_memory.strategies.size(); ++s) {
    const auto& f = from_file.strategies[s];
    const auto& m = in_memory.strategies[s];
    EXPECT_EQ(f.name, m.name);
    ASSERT_EQ(f.outcomes.size(), m.outcomes.size());
    for (std::size_t o = 0; o < m.outcomes.size(); ++o) {
      EXPECT_EQ(f.outcomes[o].name, m.outcomes[o].name);
      EXPECT_EQ(f.outcomes[o].per_replicate, m.outcomes[o].per_replicate) << m.outcomes[o].name;
      expect_same(f.outcomes[o].value, m.outcomes[o].value, m.outcomes[o].name);
      EXPECT_EQ(f.outcomes[o].has_difference, m.outcomes[o].has_difference);
      expect_same(f.outcomes[o].difference, m.outcomes[o].difference, m.outcomes[o].name);
    }
    expect_same(f.cost_per_entry_averted, m.cost_per_entry_averted, "cost per entry averted");
  }
  EXPECT_EQ(format_table(from_file), format_table(in_memory));
  EXPECT_EQ(format_csv(from_file), format_csv(in_memory));
}

TEST(ResultsSummary, SummarizingAnHdf5FileWithoutResultsFails) {
  TempDir dir;
  const auto path = dir.path("empty.h5");
  H5::H5File(path, H5F_ACC_TRUNC).close();
  try {
    summarize_file(path);
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a Drift result file"), std::string::npos) << e.what();
  }
}

TEST(TextHash, IsTheSixtyFourBitFnv1aInHex) {
  EXPECT_EQ(text_hash(""), "cbf29ce484222325");
  EXPECT_EQ(text_hash("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(text_hash("foobar"), "85944171f73967e8");
  EXPECT_NE(text_hash("seed: 1\n"), text_hash("seed: 2\n"));
}

}  // namespace
}  // namespace drift
