// The drift program, run as a user would: exit codes, messages and result files.
#include <H5Cpp.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "drift/experiments/experiment.hpp"
#include "drift/model/parameters.hpp"
#include "drift/results/compare.hpp"
#include "drift/results/results.hpp"
#include "support/run_drift.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;

const std::string kDrift = DRIFT_BINARY;
const std::string kSource = DRIFT_SOURCE_DIR;

using drift::test::TempDir;

// `text` in backquotes or double quotes (built by appending: GCC 12 warns falsely on
// "x" + std::string + "x" at -O3).
std::string enclosed(std::string_view text, char mark) {
  std::string s(1, mark);
  s.append(text);
  s.push_back(mark);
  return s;
}

using drift::test::drift;
using drift::test::quoted;
using drift::test::Result;
using drift::test::run;

// A city small enough to run in well under a second, with busy hazards.
const char* kTiny = R"(name: tiny
description: A tiny city for the command-line tests
simulation:
  weeks: 20
  burn_in_weeks: 10
  replicates: 2
  population_scale: 0.2
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
)";

// The same with a typo in a top-level key on line 2, column 1.
const char* kTypo = R"(name: bad
simulaton:
  weeks: 20
areas:
  list:
    - {name: North, youth_12_17: 600, youth_18_26: 900, low_income_share: 0.2, schools: 1}
)";

TEST(CliValidate, AcceptsTheUtrechtScenario) {
  TempDir dir;
  const auto r = drift("validate " + quoted(kSource + "/scenarios/utrecht.yaml"), dir.str());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("valid"), std::string::npos) << r.output;
}

TEST(CliValidate, RejectsATypoWithFileLineAndColumn) {
  TempDir dir;
  dir.write("bad.yaml", kTypo);
  const auto r = drift("validate bad.yaml", dir.str());
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("bad.yaml:2:1: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("simulaton"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("did you mean 'simulation'"), std::string::npos) << r.output;
}

TEST(CliValidate, AcceptsTheShippedTargetsFile) {
  TempDir dir;
  const auto r =
      drift("validate " + quoted(kSource + "/scenarios/targets/netherlands.yaml"), dir.str());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("valid targets file (15 targets: 11 for fitting, 4 held out)"),
            std::string::npos)
      << r.output;
}

TEST(CliValidate, RejectsABadTargetsFileWithFileLineColumnAndKey) {
  TempDir dir;
  dir.write("targets.yaml",
            "targets:\n  - name: x\n    statistic: suspects_per_10k_age_16\n    value: lots\n"
            "    standard_error: 1\n    unit: u\n    source: s\n    use: fit\n");
  const auto r = drift("validate targets.yaml", dir.str());
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("targets.yaml:4:12: key 'targets[0].value'"), std::string::npos)
      << r.output;
}

TEST(CliValidate, RejectsAnUnknownOverride) {
  TempDir dir;
  dir.write("tiny.yaml", kTiny);
  const auto r = drift("validate tiny.yaml --set simulation.wekks=3", dir.str());
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("simulation.wekks"), std::string::npos) << r.output;
}

TEST(CliRun, BadFileWritesNoResultFile) {
  TempDir dir;
  dir.write("bad.yaml", kTypo);
  const auto r = drift("run bad.yaml --out out.h5 -q", dir.str());
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("bad.yaml:2:1: "), std::string::npos) << r.output;
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"bad.yaml"}));
  EXPECT_FALSE(fs::exists(dir.path("results")));
}

TEST(CliRun, OneAndTwoThreadsWriteIdenticalResults) {
  TempDir dir;
  dir.write("tiny.yaml", kTiny);
  const auto one = drift("run tiny.yaml --threads 1 -q --out one.h5", dir.str());
  ASSERT_EQ(one.status, 0) << one.output;
  const auto two = drift("run tiny.yaml --threads 2 -q --out two.h5", dir.str());
  ASSERT_EQ(two.status, 0) << two.output;
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"one.h5", "tiny.yaml", "two.h5"}));
  const ResultReader a(dir.path("one.h5")), b(dir.path("two.h5"));
  const auto da = a.dataset("/strategies/baseline/by_area/dealing");
  const auto db = b.dataset("/strategies/baseline/by_area/dealing");
  EXPECT_EQ(da.shape, (std::vector<std::uint64_t>{2, 20, 2}));
  EXPECT_EQ(da.shape, db.shape);
  EXPECT_EQ(da.values, db.values);
  double dealing = 0;
  for (double v : da.values) dealing += v;
  EXPECT_GT(dealing, 0) << "the tiny city should see some dealing";
  for (const auto& m : area_metrics()) {
    EXPECT_EQ(a.dataset("/strategies/baseline/by_area/" + m.name).values,
              b.dataset("/strategies/baseline/by_area/" + m.name).values)
        << m.name;
  }
  // The summary is printed and names the file.
  EXPECT_NE(one.output.find("Strategy: baseline"), std::string::npos) << one.output;
  EXPECT_NE(one.output.find("one.h5"), std::string::npos) << one.output;
}

TEST(CliRun, ProfilePrintsWhereTheTimeWentAndChangesNoResult) {
  TempDir dir;
  dir.write("tiny.yaml", kTiny);
  const auto plain = drift("run tiny.yaml -t 1 -q --out plain.h5", dir.str());
  ASSERT_EQ(plain.status, 0) << plain.output;
  const auto timed = drift("run tiny.yaml -t 1 -q --profile --out timed.h5", dir.str());
  ASSERT_EQ(timed.status, 0) << timed.output;
  EXPECT_EQ(plain.output.find("Where the time went"), std::string::npos);
  for (const char* label : {"Where the time went", "build the world", "burn-in (whole steps)",
                            "copy the burnt-in world", "step: recruit", "step: labour_market",
                            "record: observers and weekly series", "write part files",
                            "read part files", "write the result file", "ns/youth-week"}) {
    EXPECT_NE(timed.output.find(label), std::string::npos) << label << "\n" << timed.output;
  }
  const ResultReader a(dir.path("plain.h5")), b(dir.path("timed.h5"));
  for (const auto& m : area_metrics()) {
    EXPECT_EQ(a.dataset("/strategies/baseline/by_area/" + m.name).values,
              b.dataset("/strategies/baseline/by_area/" + m.name).values)
        << m.name;
  }
}

TEST(CliRun, SetOverridesTheNumberOfWeeks) {
  TempDir dir;
  dir.write("tiny.yaml", kTiny);
  const auto r = drift("run tiny.yaml -q -t 1 --set simulation.weeks=5 --out five.h5", dir.str());
  ASSERT_EQ(r.status, 0) << r.output;
  const ResultReader f(dir.path("five.h5"));
  EXPECT_EQ(f.dataset("/strategies/baseline/timeseries/dealing").shape,
            (std::vector<std::uint64_t>{2, 5}));
  EXPECT_EQ(f.numeric_attribute("/", "weeks"), 5);
}

TEST(CliRun, ReplicatesAndSeedOptionsOverrideTheFile) {
  TempDir dir;
  dir.write("tiny.yaml", kTiny);
  ASSERT_EQ(drift("run tiny.yaml -q -t 1 -r 3 --seed 7 --out a.h5", dir.str()).status, 0);
  ASSERT_EQ(drift("run tiny.yaml -q -t 1 -r 3 --seed 8 --out b.h5", dir.str()).status, 0);
  const ResultReader a(dir.path("a.h5")), b(dir.path("b.h5"));
  EXPECT_EQ(a.numeric_attribute("/", "seed"), 7);
  EXPECT_EQ(a.dataset("/strategies/baseline/timeseries/youths").shape,
            (std::vector<std::uint64_t>{3, 20}));
  EXPECT_NE(a.dataset("/strategies/baseline/by_area/at_risk").values,
            b.dataset("/strategies/baseline/by_area/at_risk").values);
}

TEST(CliRun, DefaultResultPathUsesTheScenarioName) {
  TempDir dir;
  dir.write("tiny.yaml", kTiny);
  const auto r = drift("run tiny.yaml -q -t 1", dir.str());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir.path("results/tiny.h5"))) << r.output;
}

TEST(CliSummarize, PrintsTheSummaryOfAResultFile) {
  TempDir dir;
  dir.write("tiny.yaml", kTiny);
  ASSERT_EQ(drift("run tiny.yaml -q -t 1 --out tiny.h5", dir.str()).status, 0);
  const auto table = drift("summarize tiny.h5", dir.str());
  EXPECT_EQ(table.status, 0) << table.output;
  EXPECT_NE(table.output.find("Strategy: baseline"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("new_entries"), std::string::npos) << table.output;
  const auto csv = drift("summarize tiny.h5 --format csv", dir.str());
  EXPECT_EQ(csv.status, 0) << csv.output;
  EXPECT_EQ(csv.output.rfind("strategy,outcome,unit,", 0), 0u) << csv.output;
  const auto missing = drift("summarize nothing.h5", dir.str());
  EXPECT_NE(missing.status, 0);
}

TEST(CliParams, MarkdownListsEveryParameterPath) {
  TempDir dir;
  const auto r = drift("params --markdown", dir.str());
  ASSERT_EQ(r.status, 0) << r.output;
  for (const auto& p : parameter_table()) {
    EXPECT_NE(r.output.find(enclosed(p.path, '`')), std::string::npos) << p.path;
  }
  const auto plain = drift("params", dir.str());
  ASSERT_EQ(plain.status, 0);
  for (const auto& p : parameter_table())
    EXPECT_NE(plain.output.find(std::string(p.path)), std::string::npos) << p.path;
}

TEST(CliSchema, IsValidJson) {
  TempDir dir;
  const auto r =
      run(quoted(kDrift) + " schema | /usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)'",
          dir.str());
  EXPECT_EQ(r.status, 0) << r.output;
  // And the pipe's check itself rejects what is not JSON.
  EXPECT_NE(run("echo '{\"a\": ' | /usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)'",
                dir.str())
                .status,
            0);
}

TEST(CliSchema, NamesEveryParameterGroup) {
  TempDir dir;
  const auto r = drift("schema", dir.str());
  ASSERT_EQ(r.status, 0);
  for (const auto& g : parameter_groups()) {
    EXPECT_NE(r.output.find(enclosed(g.name, '"')), std::string::npos) << g.name;
  }
}

TEST(CliUsage, MissingSubcommandFailsAndVersionSucceeds) {
  TempDir dir;
  EXPECT_NE(drift("", dir.str()).status, 0);
  EXPECT_NE(drift("frobnicate", dir.str()).status, 0);
  const auto v = drift("--version", dir.str());
  EXPECT_EQ(v.status, 0) << v.output;
  EXPECT_FALSE(v.output.empty());
}

// --- drift calibrate and drift run --posterior ---

const char* kCalibrate = R"(calibrate:
  parameters:
    recruitment.entry_hazard: [0.05, 0.4]
    enforcement.runner_arrest_hazard: [0.002, 0.05]
  design: latin_hypercube
  points: 8
  targets: targets.yaml
  acceptance: {quantile: 0.5}
)";

const char* kCliTargets = R"(targets:
  - name: suspects_minors
    statistic: suspects_per_10k_12_17
    value: 150
    standard_error: 50
    unit: per 10,000 per year
    source: test
    use: fit
  - name: peak
    statistic: suspects_per_10k_18_22
    value: 178
    interval: [150, 200]
    unit: per 10,000 per year
    source: test
    use: validate
)";

TEST(CliCalibrate, WritesTheCalibrationFileAndACalibratedScenarioThatValidates) {
  TempDir dir;
  // Over a year of weeks, so that yearly rates have data.
  dir.write("tiny.yaml", kTiny);
  dir.write("cal.yaml", std::string("extends: tiny.yaml\nsimulation: {weeks: 60}\n") + kCalibrate);
  dir.write("targets.yaml", kCliTargets);
  const auto r = drift("calibrate cal.yaml --out out/cal.h5 -t 2 -q", dir.str());
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* text : {"recruitment.entry_hazard", "posterior median", "90% interval",
                           "suspects_minors", "validate", "quantile 0.5", " accepted, tolerance"}) {
    EXPECT_NE(r.output.find(text), std::string::npos) << text << "\n" << r.output;
  }
  ASSERT_TRUE(fs::exists(dir.path("out/cal.h5")));
  EXPECT_FALSE(fs::exists(dir.path("out/cal.h5.parts")));
  ResultReader f(dir.path("out/cal.h5"));
  EXPECT_EQ(f.attribute("/", "format"), "drift-calibration");
  EXPECT_EQ(f.attribute("/", "acceptance"), "quantile 0.5");
  // At least half the points (more when distances tie with the cut-off).
  const auto accepted = static_cast<std::uint64_t>(f.numeric_attribute("/", "accepted"));
  EXPECT_GE(accepted, 4u);
  EXPECT_EQ(f.dataset("/design/points").shape, (std::vector<std::uint64_t>{8, 2}));
  EXPECT_EQ(f.dataset("/distance").shape, (std::vector<std::uint64_t>{8}));
  EXPECT_EQ(f.dataset("/posterior/points").shape, (std::vector<std::uint64_t>{accepted, 2}));
  EXPECT_EQ(f.strings("/targets/use"), (std::vector<std::string>{"fit", "validate"}));
  EXPECT_EQ(f.dataset("/fit/simulated_median").shape, (std::vector<std::uint64_t>{2}));

  // drift summarize prints the same tables from the file.
  const auto sum = drift("summarize out/cal.h5", dir.str());
  EXPECT_EQ(sum.status, 0) << sum.output;
  const auto table_start = r.output.find("Calibration:");
  const auto table_end = r.output.find("Calibration: out/cal.h5");
  EXPECT_EQ(sum.output, r.output.substr(table_start, table_end - table_start));

  // The calibrated scenario extends the original by a relative path and is valid.
  ASSERT_TRUE(fs::exists(dir.path("out/cal.yaml")));
  std::ifstream in(dir.path("out/cal.yaml"));
  const std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(yaml.find("extends: ../cal.yaml"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("entry_hazard: "), std::string::npos) << yaml;
  const auto v = drift("validate out/cal.yaml", dir.str());
  EXPECT_EQ(v.status, 0) << v.output << yaml;

  // Runs with posterior draws record them.
  const auto p = drift("run cal.yaml -q -t 2 -r 3 --posterior out/cal.h5 --out post.h5", dir.str());
  ASSERT_EQ(p.status, 0) << p.output;
  ResultReader post(dir.path("post.h5"));
  EXPECT_EQ(post.dataset("/posterior/draw_index").shape, (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(post.dataset("/posterior/points").shape, (std::vector<std::uint64_t>{3, 2}));
}

TEST(CliCalibrate, ReportsProblemsWithExitCodeTwo) {
  TempDir dir;
  dir.write("cal.yaml", std::string(kTiny) + kCalibrate);
  dir.write("targets.yaml", kCliTargets);
  dir.write("bad_targets.yaml",
            "targets:\n  - {name: a, statistic: rearest_2y, value: 1, standard_error: 1, "
            "unit: u, source: s, use: fit}\n");
  const auto r = drift("calibrate cal.yaml --targets bad_targets.yaml --out cal.h5 -q", dir.str());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("bad_targets.yaml:2:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("did you mean 'rearrest_2y'"), std::string::npos) << r.output;
  dir.write("plain.yaml", kTiny);
  const auto none = drift("calibrate plain.yaml --out cal.h5 -q", dir.str());
  EXPECT_EQ(none.status, 2) << none.output;
  EXPECT_NE(none.output.find("no calibrate section"), std::string::npos) << none.output;
  EXPECT_FALSE(fs::exists(dir.path("cal.h5")));
}

// drift verify: re-running the embedded scenario reproduces the file bit for bit.
TEST(CliVerify, AFreshResultFileIsReproduced) {
  TempDir dir;
  dir.write("tiny.yaml", kTiny);
  ASSERT_EQ(drift("run tiny.yaml --threads 1 -q --out tiny.h5", dir.str()).status, 0);
  const auto r = drift("verify tiny.h5 --threads 2", dir.str());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("reproduced: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" datasets identical"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("NOT"), std::string::npos) << r.output;
  // Nothing is left behind beside the file.
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"tiny.h5", "tiny.yaml"}));
}

TEST(CliVerify, AChangedValueIsNotReproducedAndNamesTheDataset) {
  TempDir dir;
  dir.write("tiny.yaml", kTiny);
  ASSERT_EQ(drift("run tiny.yaml --threads 1 -q --out tiny.h5", dir.str()).status, 0);
  fs::copy_file(dir.path("tiny.h5"), dir.path("changed.h5"));
  const std::string changed = "/strategies/baseline/timeseries/dealing";
  {
    H5::H5File f(dir.path("changed.h5"), H5F_ACC_RDWR);
    auto ds = f.openDataSet(changed);
    hsize_t dims[2] = {0, 0};
    ASSERT_EQ(ds.getSpace().getSimpleExtentNdims(), 2);
    ds.getSpace().getSimpleExtentDims(dims);
    std::vector<double> v(dims[0] * dims[1]);
    ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
    v[0] += 1;
    ds.write(v.data(), H5::PredType::NATIVE_DOUBLE);
  }
  const auto r = drift("verify changed.h5 --threads 2 --keep again.h5", dir.str());
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("NOT reproduced: 1 of "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("differs: " + changed), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("first: " + changed), std::string::npos) << r.output;
  // --keep keeps the re-run's file, which reproduces the original.
  ASSERT_TRUE(fs::exists(dir.path("again.h5")));
  const ResultReader a(dir.path("tiny.h5")), b(dir.path("again.h5"));
  EXPECT_EQ(a.dataset(changed).values, b.dataset(changed).values);
}

TEST(CliVerify, FilesThatAreNotDriftResultFilesExitWithTwo) {
  TempDir dir;
  dir.write("text.h5", "hello, not HDF5\n");
  const auto text = drift("verify text.h5", dir.str());
  EXPECT_EQ(text.status, 2) << text.output;
  EXPECT_NE(text.output.find("text.h5: not a Drift result file (not HDF5)"), std::string::npos)
      << text.output;
  {
    H5::H5File f(dir.path("plain.h5"), H5F_ACC_TRUNC);
    const hsize_t n = 3;
    H5::DataSpace space(1, &n);
    const double v[3] = {1, 2, 3};
    f.createDataSet("x", H5::PredType::NATIVE_DOUBLE, space).write(v, H5::PredType::NATIVE_DOUBLE);
  }
  const auto plain = drift("verify plain.h5", dir.str());
  EXPECT_EQ(plain.status, 2) << plain.output;
  EXPECT_NE(
      plain.output.find("plain.h5: not a Drift result file (no root attribute format_version)"),
      std::string::npos)
      << plain.output;
  const auto missing = drift("verify missing.h5", dir.str());
  EXPECT_EQ(missing.status, 2) << missing.output;
}

TEST(CliVerify, ARunWithPosteriorDrawsIsReproducedFromTheDrawsItStored) {
  TempDir dir;
  dir.write("tiny.yaml", kTiny);
  dir.write("cal.yaml", std::string("extends: tiny.yaml\nsimulation: {weeks: 60}\n") + kCalibrate);
  dir.write("targets.yaml", kCliTargets);
  ASSERT_EQ(drift("calibrate cal.yaml --out out/cal.h5 -t 2 -q", dir.str()).status, 0);
  ASSERT_EQ(
      drift("run tiny.yaml -q -t 2 -r 3 --posterior out/cal.h5 --out post.h5", dir.str()).status,
      0);
  // The scenario key `posterior` draws the same by default; --no-posterior runs without draws.
  dir.write("with_posterior.yaml", "extends: tiny.yaml\nposterior: out/cal.h5\n");
  ASSERT_EQ(drift("run with_posterior.yaml -q -t 1 -r 3 --out by_key.h5", dir.str()).status, 0);
  ASSERT_EQ(
      drift("run with_posterior.yaml -q -t 1 -r 3 --no-posterior --out none.h5", dir.str()).status,
      0);
  {
    const ResultReader by_flag(dir.path("post.h5")), by_key(dir.path("by_key.h5")),
        none(dir.path("none.h5"));
    EXPECT_EQ(by_key.dataset("/posterior/points").values,
              by_flag.dataset("/posterior/points").values);
    EXPECT_FALSE(none.exists("/posterior"));
  }
  // A parameter an assumptions file sets, or a sweep varies, is held; the others are drawn.
  dir.write("fast_arrests.yaml", "name: fast arrests\nenforcement: {runner_arrest_hazard: 0.03}\n");
  const auto held = drift(
      "run with_posterior.yaml -t 1 -r 3 --assumptions fast_arrests.yaml --out held.h5", dir.str());
  ASSERT_EQ(held.status, 0) << held.output;
  EXPECT_NE(held.output.find("not drawn from the posterior: enforcement.runner_arrest_hazard"),
            std::string::npos)
      << held.output;
  dir.write("swept.yaml", R"(extends: with_posterior.yaml
sweep:
  design: grid
  parameters:
    enforcement.runner_arrest_hazard: [0.01, 0.02]
)");
  ASSERT_EQ(drift("run swept.yaml -q -t 1 -r 2 --out swept.h5", dir.str()).status, 0);
  {
    const ResultReader h(dir.path("held.h5")), sw(dir.path("swept.h5"));
    EXPECT_EQ(h.strings("/posterior/parameter_names"),
              (std::vector<std::string>{"recruitment.entry_hazard"}));
    EXPECT_EQ(h.attribute("/posterior", "held_fixed"), "enforcement.runner_arrest_hazard");
    EXPECT_EQ(sw.strings("/posterior/parameter_names"),
              (std::vector<std::string>{"recruitment.entry_hazard"}));
  }
  // The draws are in the result file: the calibration file is not needed to reproduce it.
  fs::remove(dir.path("out/cal.h5"));
  const auto r = drift("verify post.h5 --threads 1 --keep again.h5", dir.str());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("reproduced: "), std::string::npos) << r.output;
  const ResultReader a(dir.path("post.h5")), b(dir.path("again.h5"));
  EXPECT_EQ(a.dataset("/posterior/points").values, b.dataset("/posterior/points").values);
  // The re-run used the stored draws: without them it runs the scenario's own values and differs.
  fs::copy_file(dir.path("post.h5"), dir.path("no_draws.h5"));
  H5::H5File(dir.path("no_draws.h5"), H5F_ACC_RDWR).unlink("posterior");
  const auto without = drift("verify no_draws.h5 --threads 1", dir.str());
  EXPECT_EQ(without.status, 1) << without.output;
  EXPECT_NE(without.output.find("differs: /strategies/"), std::string::npos) << without.output;
}

// --resume and damaged part files: each is reported by path and reason, its unit run again, and
// the result equals an uninterrupted run's. Shard 0 of 2 leaves the parts of units 0 and 2.
void expect_damaged_part_rerun(const std::function<void(TempDir&, const std::string&)>& damage,
                               const std::string& reason) {
  TempDir dir;
  dir.write("tiny.yaml", kTiny);
  const std::string run = "run tiny.yaml -q -t 1 --replicates 4 ";
  ASSERT_EQ(drift(run + "--out full.h5", dir.str()).status, 0);
  ASSERT_EQ(drift(run + "--shard 0/2 --out resumed.h5", dir.str()).status, 0);
  const std::string part = "resumed.h5.parts/unit_0_0.part";
  ASSERT_TRUE(fs::exists(dir.path(part)));
  damage(dir, part);
  const auto r = drift(run + "--resume --out resumed.h5", dir.str());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find(part + ": damaged part file (" + reason), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("); the unit is run again"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("unit_0_2.part"), std::string::npos) << r.output;  // intact: kept
  const auto same = compare_result_files(dir.path("full.h5"), dir.path("resumed.h5"));
  EXPECT_TRUE(same.equal) << same.first_difference;
  EXPECT_FALSE(fs::exists(dir.path("resumed.h5.parts")));
}

TEST(CliResume, APartWithOneChangedValueIsRunAgain) {
  expect_damaged_part_rerun(
      [](TempDir& dir, const std::string& part) {
        H5::H5File f(dir.path(part), H5F_ACC_RDWR);
        auto ds = f.openDataSet("runs/0/by_area");
        std::vector<double> v(static_cast<std::size_t>(ds.getSpace().getSimpleExtentNpoints()));
        ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
        unsigned char bytes[sizeof(double)];
        std::memcpy(bytes, &v[v.size() / 2], sizeof bytes);
        bytes[0] ^= 0x01;  // one byte of one value
        std::memcpy(&v[v.size() / 2], bytes, sizeof bytes);
        ds.write(v.data(), H5::PredType::NATIVE_DOUBLE);
      },
      "checksum mismatch");
}

TEST(CliResume, ATruncatedPartIsRunAgain) {
  expect_damaged_part_rerun(
      [](TempDir& dir, const std::string& part) {
        fs::resize_file(dir.path(part), fs::file_size(dir.path(part)) / 2);
      },
      "");
}

TEST(CliResume, ANonHdf5FileNamedLikeAPartIsRunAgain) {
  expect_damaged_part_rerun(
      [](TempDir& dir, const std::string& part) { dir.write(part, "DRPART03 old\n"); },
      "not an HDF5 file");
}

TEST(CliResume, APartOfAnotherConfigurationIsRunAgain) {
  expect_damaged_part_rerun(
      [](TempDir& dir, const std::string& part) {
        // The same unit run with another parameter value: a stale part.
        ASSERT_EQ(
            drift("run tiny.yaml -q -t 1 --replicates 4 --set careers.progression_hazard=0.05 "
                  "--shard 0/2 --out stale.h5",
                  dir.str())
                .status,
            0);
        fs::copy_file(dir.path("stale.h5.parts/unit_0_0.part"), dir.path(part),
                      fs::copy_options::overwrite_existing);
      },
      "stale configuration");
}

// A second drift process into the parts folder of a running one stops at once and names the
// folder and the running process; the first finishes undisturbed.
TEST(CliResume, ASecondProcessOnTheSamePartsFolderIsRefused) {
  TempDir dir;
  std::string text = kTiny;
  text.replace(text.find("weeks: 20"), 9, "weeks: 400");
  text.replace(text.find("replicates: 2"), 13, "replicates: 16");
  text.replace(text.find("population_scale: 0.2"), 21, "population_scale: 2");
  dir.write("big.yaml", text);
  const auto out = dir.path("big.h5");
  const auto parts = out + ".parts";
  const auto scenario = dir.path("big.yaml");
  const pid_t first = ::fork();
  ASSERT_GE(first, 0);
  if (first == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::execl(kDrift.c_str(), "drift", "run", scenario.c_str(), "-q", "-t", "1", "--out", out.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  bool exited = false;
  int status = 0;
  while (!fs::exists(parts + "/.lock")) {
    if (::waitpid(first, &status, WNOHANG) == first) {
      exited = true;
      break;
    }
    ::usleep(1000);
  }
  ASSERT_FALSE(exited) << "the first run ended before taking its lock";
  const std::string expected =
      "big.h5.parts is being used by another drift process (pid " + std::to_string(first) + ")";
  for (const std::string flags : {"--resume", ""}) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto second = drift("run big.yaml -q -t 1 " + flags + " --out big.h5", dir.str());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_NE(second.status, 0) << second.output;
    EXPECT_NE(second.output.find(expected), std::string::npos) << second.output;
    EXPECT_NE(second.output.find("wait for it or use another --out"), std::string::npos)
        << second.output;
    EXPECT_LT(seconds, 5.0);
    ASSERT_EQ(::waitpid(first, &status, WNOHANG), 0)
        << "the first run finished before the second was refused; make it longer";
  }
  ASSERT_EQ(::waitpid(first, &status, 0), first);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(parts));
  const ResultReader reader(out);
  EXPECT_FALSE(reader.dataset("/strategies/baseline/by_area/dealing").values.empty());
}

}  // namespace
}  // namespace drift
