// Readers fail cleanly: `drift summarize` on a truncated, foreign, newer-format or hand-edited
// result file stops with one line naming the file, the dataset and what is wrong, and exits
// non-zero; it never prints a partial summary.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "support/run_drift.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

using test::drift;
using test::Result;
using test::TempDir;

const char* kTiny = R"(name: tiny
simulation: {weeks: 12, burn_in_weeks: 10, replicates: 2, population_scale: 0.2}
areas:
  list:
    - {name: North, youth_12_17: 600, youth_18_26: 900, low_income_share: 0.2, schools: 1}
    - {name: South, youth_12_17: 450, youth_18_26: 720, low_income_share: 0.3, schools: 1}
networks: {count: 4}
recruitment: {entry_hazard: 0.2}
strategies:
  - name: baseline
  - name: mentors
    interventions:
      - {type: mentors, workers: 2}
)";

// A fresh result file in `dir`, then `edit` applied to a copy of it named damaged.h5.
void damaged(const TempDir& dir, const std::function<void(H5::H5File&)>& edit) {
  dir.write("tiny.yaml", kTiny);
  const auto run = drift("run tiny.yaml -q --out tiny.h5 --threads 1", dir.str());
  EXPECT_EQ(run.status, 0) << run.output;
  std::filesystem::copy_file(dir.path("tiny.h5"), dir.path("damaged.h5"));
  H5::H5File file(dir.path("damaged.h5"), H5F_ACC_RDWR);
  edit(file);
}

// One line naming the file (as given, with its colon) and each of `words`, exit non-zero, no
// summary.
void expect_clean_failure(const Result& r, const std::string& file,
                          const std::vector<std::string>& words) {
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_NE(r.output.find(file), std::string::npos) << r.output;
  for (const auto& w : words)
    EXPECT_NE(r.output.find(w), std::string::npos) << w << "\n" << r.output;
  EXPECT_EQ(r.output.find("Strategy:"), std::string::npos) << r.output;
}

TEST(DamagedResultFile, AMissingDatasetIsNamed) {
  TempDir dir;
  damaged(dir, [](H5::H5File& f) { f.unlink("/strategies/mentors/by_area/dealing"); });
  expect_clean_failure(drift("summarize damaged.h5", dir.str()),
                       "damaged.h5:", {"/strategies/mentors/by_area/dealing", "missing"});
}

TEST(DamagedResultFile, AWrongShapeIsNamed) {
  TempDir dir;
  damaged(dir, [](H5::H5File& f) {
    const std::string name = "/strategies/baseline/timeseries/arrests";
    f.unlink(name);
    const hsize_t dims[2] = {2, 5};
    const std::vector<double> zeros(10, 0.0);
    auto d = f.createDataSet(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(2, dims));
    d.write(zeros.data(), H5::PredType::NATIVE_DOUBLE);
  });
  expect_clean_failure(
      drift("summarize damaged.h5", dir.str()),
      "damaged.h5:", {"/strategies/baseline/timeseries/arrests", "shape [2, 5], expected [2, 12]"});
}

TEST(DamagedResultFile, NanWhereACountBelongsIsNamed) {
  TempDir dir;
  damaged(dir, [](H5::H5File& f) {
    auto d = f.openDataSet("/strategies/mentors/timeseries/new_entries");
    std::vector<double> v(24);
    d.read(v.data(), H5::PredType::NATIVE_DOUBLE);
    v[7] = std::numeric_limits<double>::quiet_NaN();
    d.write(v.data(), H5::PredType::NATIVE_DOUBLE);
  });
  expect_clean_failure(drift("summarize damaged.h5", dir.str()), "damaged.h5:",
                       {"/strategies/mentors/timeseries/new_entries", "element 7", "count"});
}

TEST(DamagedResultFile, ANewerFormatVersionIsRefused) {
  TempDir dir;
  damaged(dir, [](H5::H5File& f) {
    auto root = f.openGroup("/");
    root.removeAttr("format_version");
    const long long v = 99;
    root.createAttribute("format_version", H5::PredType::NATIVE_LLONG, H5::DataSpace())
        .write(H5::PredType::NATIVE_LLONG, &v);
  });
  expect_clean_failure(drift("summarize damaged.h5", dir.str()),
                       "damaged.h5:", {"format version 99"});
}

TEST(DamagedResultFile, ATruncatedAndAForeignFileAreRefused) {
  TempDir dir;
  damaged(dir, [](H5::H5File&) {});
  {
    std::ifstream in(dir.path("tiny.h5"), std::ios::binary);
    std::string head(2048, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    dir.write("truncated.h5", head);
  }
  expect_clean_failure(drift("summarize truncated.h5", dir.str()), "truncated.h5:", {});
  {
    H5::H5File foreign(dir.path("foreign.h5"), H5F_ACC_TRUNC);
    const hsize_t n = 3;
    foreign.createDataSet("x", H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, &n));
  }
  expect_clean_failure(drift("summarize foreign.h5", dir.str()),
                       "foreign.h5:", {"not a Drift result file"});
}

TEST(DamagedResultFile, AnIntactFileStillSummarises) {
  TempDir dir;
  damaged(dir, [](H5::H5File&) {});
  const auto r = drift("summarize damaged.h5", dir.str());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Strategy: mentors"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace drift
