// Part files: exact round trip, and every kind of damage reported instead of read as data.
#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "drift/results/h5_write.hpp"
#include "drift/results/part_file.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;

using drift::test::TempDir;

const std::string kKey = "0123456789abcdef";

// Runs with every array filled with distinct values (a NaN and an infinity among them), one
// array left empty as outside a trial.
std::vector<RunOutput> sample_runs() {
  std::vector<RunOutput> runs(3);
  for (std::size_t k = 0; k < runs.size(); ++k) {
    auto& r = runs[k];
    r.weeks = 5 + static_cast<int>(k);
    r.areas = 3;
    r.min_age = 12;
    r.ages = 15;
    r.fixed_cost = 1234.5 * static_cast<double>(k + 1);
    double x = 0.1 * static_cast<double>(k + 1);
    for (const auto& a : r.arrays()) {
      if (k != 1 && std::string(a.name) == "trial") continue;
      const std::size_t n = 7 + std::strlen(a.name) + k;
      for (std::size_t i = 0; i < n; ++i) a.values->push_back(x += 1.0 / 3.0);
    }
    r.by_area[2] = std::numeric_limits<double>::quiet_NaN();
    r.city[1] = -std::numeric_limits<double>::infinity();
  }
  return runs;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// Changes one element of the dataset at `dataset` of a part file, with HDF5.
void change_value(const std::string& path, const std::string& dataset, std::size_t index) {
  H5::H5File file(path, H5F_ACC_RDWR);
  auto ds = file.openDataSet(dataset);
  std::vector<double> v(static_cast<std::size_t>(ds.getSpace().getSimpleExtentNpoints()));
  ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
  std::uint64_t bits;
  std::memcpy(&bits, &v.at(index), sizeof bits);
  bits ^= 1;  // the last bit of the mantissa
  std::memcpy(&v[index], &bits, sizeof bits);
  ds.write(v.data(), H5::PredType::NATIVE_DOUBLE);
}

TEST(PartFile, RoundTripEqualsTheRunsExactly) {
  TempDir dir;
  auto runs = sample_runs();
  const auto path = dir.path("unit_0_0.part");
  write_part_file(path, kKey, runs);
  EXPECT_FALSE(fs::exists(path + ".tmp." + std::to_string(::getpid())));
  std::vector<RunOutput> back;
  const auto read = read_part_file(path, kKey, back);
  ASSERT_TRUE(read.ok()) << read.reason;
  ASSERT_EQ(back.size(), runs.size());
  for (std::size_t k = 0; k < runs.size(); ++k) {
    const auto a = runs[k].arrays();
    const auto b = back[k].arrays();
    for (std::size_t i = 0; i < a.size(); ++i)
      EXPECT_TRUE(same_bits(*a[i].values, *b[i].values)) << a[i].name;
    const auto da = runs[k].dimensions();
    const auto db = back[k].dimensions();
    for (std::size_t i = 0; i < da.size(); ++i) EXPECT_EQ(*da[i].value, *db[i].value) << da[i].name;
    EXPECT_EQ(runs[k].fixed_cost, back[k].fixed_cost);
  }
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(PartFile, WritingRunsNotNeededAfterwardsFreesTheirArraysAndWritesTheSameFile) {
  TempDir dir;
  auto kept = sample_runs();
  const auto path = dir.path("kept.part");
  write_part_file(path, kKey, kept);
  const auto consumed_path = dir.path("consumed.part");
  auto consumed = sample_runs();
  write_part_file(consumed_path, kKey, std::move(consumed));
  for (auto& run : consumed) {
    for (const auto& a : run.arrays()) {
      EXPECT_TRUE(a.values->empty()) << a.name;
      EXPECT_EQ(a.values->capacity(), 0u) << a.name;
    }
  }
  // Byte for byte the file of the runs that were kept (the same runs, the same layout).
  EXPECT_EQ(file_bytes(consumed_path), file_bytes(path));
  std::vector<RunOutput> back;
  ASSERT_TRUE(read_part_file(consumed_path, kKey, back).ok());
  for (std::size_t k = 0; k < kept.size(); ++k) {
    const auto a = kept[k].arrays();
    const auto b = back[k].arrays();
    for (std::size_t i = 0; i < a.size(); ++i)
      EXPECT_TRUE(same_bits(*a[i].values, *b[i].values)) << a[i].name;
  }
}

// The in-memory file grows by reallocation, a mebibyte at a time: a file of many mebibytes is
// written from the memory the file last had, whole and exactly.
TEST(ResultArrays, AFileOfManyMebibytesIsWrittenWholeFromItsMemory) {
  TempDir dir;
  const auto path = dir.path("large.h5");
  std::vector<double> values(5'000'000);
  for (std::size_t k = 0; k < values.size(); ++k) values[k] = static_cast<double>(k) * 1.000001;
  h5::write_atomically(path, [&](H5::H5File& f) {
    const hsize_t n = values.size();
    H5::DataSpace space(1, &n);
    f.createDataSet("values", H5::PredType::NATIVE_DOUBLE, space)
        .write(values.data(), H5::PredType::NATIVE_DOUBLE);
  });
  EXPECT_GT(fs::file_size(path), values.size() * sizeof(double));
  H5::H5File file(path, H5F_ACC_RDONLY);
  std::vector<double> back(values.size());
  file.openDataSet("values").read(back.data(), H5::PredType::NATIVE_DOUBLE);
  EXPECT_TRUE(same_bits(back, values));
}

TEST(PartFile, LayoutHasTheFormatAttributesAndTheNamedArrays) {
  TempDir dir;
  auto runs = sample_runs();
  const auto path = dir.path("unit_0_0.part");
  write_part_file(path, kKey, runs);
  H5::H5File file(path, H5F_ACC_RDONLY);
  const auto root = file.openGroup("/");
  std::string format;
  auto attr = root.openAttribute("format");
  attr.read(attr.getStrType(), format);
  EXPECT_EQ(format, "drift-part");
  EXPECT_TRUE(file.nameExists("runs/2"));
  EXPECT_TRUE(file.openGroup("runs/2").nameExists("ledger"));
  EXPECT_EQ(file.openDataSet("runs/2/ledger/releases").getSpace().getSimpleExtentNpoints(),
            static_cast<hssize_t>(runs[2].ledger.releases.size()));
  EXPECT_TRUE(file.openGroup("runs/0").attrExists("checksum"));
  EXPECT_TRUE(file.openGroup("runs/0").attrExists("fixed_cost"));
}

TEST(PartFile, AMissingFileIsMissing) {
  TempDir dir;
  std::vector<RunOutput> runs;
  const auto read = read_part_file(dir.path("nothing.part"), kKey, runs);
  EXPECT_EQ(read.status, PartStatus::missing);
}

TEST(PartFile, AChangedValueIsAChecksumMismatch) {
  TempDir dir;
  auto runs = sample_runs();
  const auto path = dir.path("unit_0_0.part");
  for (const std::string dataset :
       {"runs/1/by_area", "runs/2/ledger/job_13w", "runs/0/new_drug_suspects"}) {
    write_part_file(path, kKey, runs);
    change_value(path, dataset, 3);
    std::vector<RunOutput> back;
    const auto read = read_part_file(path, kKey, back);
    EXPECT_EQ(read.status, PartStatus::damaged) << dataset;
    EXPECT_EQ(read.damage, PartDamage::checksum_mismatch) << dataset << ": " << read.reason;
  }
}

TEST(PartFile, AChangedDimensionOrCostIsAChecksumMismatch) {
  TempDir dir;
  auto runs = sample_runs();
  const auto path = dir.path("unit_0_0.part");
  for (const std::string name : {"weeks", "fixed_cost"}) {
    write_part_file(path, kKey, runs);
    {
      H5::H5File file(path, H5F_ACC_RDWR);
      auto g = file.openGroup("runs/1");
      g.removeAttr(name);
      if (name == "fixed_cost") {
        h5::number_attr(g, name, 1.0);
      } else {
        h5::int_attr(g, name, 99);
      }
    }
    std::vector<RunOutput> back;
    EXPECT_EQ(read_part_file(path, kKey, back).damage, PartDamage::checksum_mismatch) << name;
  }
}

TEST(PartFile, AnotherKeyIsAStaleConfiguration) {
  TempDir dir;
  auto runs = sample_runs();
  const auto path = dir.path("unit_0_0.part");
  write_part_file(path, kKey, runs);
  std::vector<RunOutput> back;
  const auto read = read_part_file(path, "fedcba9876543210", back);
  EXPECT_EQ(read.damage, PartDamage::key_mismatch);
  EXPECT_NE(read.reason.find("stale configuration"), std::string::npos) << read.reason;
}

TEST(PartFile, ATextFileAndATruncatedFileAreDamaged) {
  TempDir dir;
  const auto text = dir.path("text.part");
  std::ofstream(text) << "DRPART03 not a part file of this format\n";
  std::vector<RunOutput> back;
  EXPECT_EQ(read_part_file(text, kKey, back).damage, PartDamage::not_hdf5);

  auto runs = sample_runs();
  const auto cut = dir.path("cut.part");
  write_part_file(cut, kKey, runs);
  fs::resize_file(cut, fs::file_size(cut) / 2);
  const auto read = read_part_file(cut, kKey, back);
  EXPECT_EQ(read.status, PartStatus::damaged);
  EXPECT_TRUE(read.damage == PartDamage::unreadable || read.damage == PartDamage::not_hdf5)
      << read.reason;

  fs::resize_file(cut, 0);
  EXPECT_EQ(read_part_file(cut, kKey, back).status, PartStatus::damaged);
}

// A result array of more than 4,096 values is stored one replicate per chunk, shuffled and
// deflated at level 1 (docs/results.md), and reads back exactly; a small one is stored whole.
TEST(ResultArrays, LargeArraysAreChunkedShuffledAndDeflatedAndReadBackExactly) {
  TempDir dir;
  const auto path = dir.path("arrays.h5");
  std::vector<double> series(3 * 2000), small(12);
  for (std::size_t k = 0; k < series.size(); ++k)
    series[k] = 1000.0 + std::floor(50.0 * std::sin(0.01 * static_cast<double>(k)));
  for (std::size_t k = 0; k < small.size(); ++k) small[k] = 0.5 * static_cast<double>(k);
  h5::write_atomically(path, [&](H5::H5File& f) {
    auto root = f.openGroup("/");
    h5::array(root, "series", {3, 2000}, series, "youths", "a series", "replicate,week");
    h5::array(root, "small", {3, 4}, small, "", "a small array", "replicate,k");
  });
  H5::H5File file(path, H5F_ACC_RDONLY);
  const auto ds = file.openDataSet("series");
  const auto props = ds.getCreatePlist();
  ASSERT_EQ(props.getLayout(), H5D_CHUNKED);
  hsize_t chunk[2] = {0, 0};
  props.getChunk(2, chunk);
  EXPECT_EQ(chunk[0], 1u);
  EXPECT_EQ(chunk[1], 2000u);
  ASSERT_EQ(props.getNfilters(), 2);
  unsigned flags = 0, level = 0;
  std::size_t values = 1;
  char name[32];
  unsigned config = 0;
  EXPECT_EQ(props.getFilter(0, flags, values, &level, sizeof name, name, config),
            H5Z_FILTER_SHUFFLE);
  values = 1;
  EXPECT_EQ(props.getFilter(1, flags, values, &level, sizeof name, name, config),
            H5Z_FILTER_DEFLATE);
  EXPECT_EQ(level, 1u);
  std::vector<double> back(series.size());
  ds.read(back.data(), H5::PredType::NATIVE_DOUBLE);
  EXPECT_EQ(back, series);
  // Compressed to well under the raw size (a smooth series of whole numbers).
  EXPECT_LT(ds.getStorageSize(), series.size() * sizeof(double) / 4);
  EXPECT_EQ(file.openDataSet("small").getCreatePlist().getLayout(), H5D_CONTIGUOUS);
}

TEST(PartFile, AnotherFormatOrVersionIsDamaged) {
  TempDir dir;
  const auto foreign = dir.path("foreign.part");
  h5::write_atomically(foreign, [](H5::H5File& f) {
    auto root = f.openGroup("/");
    h5::string_attr(root, "format", "drift-results");
  });
  std::vector<RunOutput> back;
  const auto read = read_part_file(foreign, kKey, back);
  EXPECT_EQ(read.damage, PartDamage::foreign_format);
  EXPECT_NE(read.reason.find("drift-results"), std::string::npos) << read.reason;

  auto runs = sample_runs();
  const auto later = dir.path("later.part");
  write_part_file(later, kKey, runs);
  {
    H5::H5File file(later, H5F_ACC_RDWR);
    auto root = file.openGroup("/");
    root.removeAttr("format_version");
    h5::int_attr(root, "format_version", kPartFormatVersion + 1);
  }
  EXPECT_EQ(read_part_file(later, kKey, back).damage, PartDamage::format_version);
}

TEST(PartFile, AMissingArrayOrRunIsAShapeError) {
  TempDir dir;
  auto runs = sample_runs();
  const auto path = dir.path("unit_0_0.part");
  for (const std::string link : {"runs/1/ledger/censored_52w", "runs/2", "runs/0/ledger"}) {
    write_part_file(path, kKey, runs);
    {
      H5::H5File file(path, H5F_ACC_RDWR);
      file.unlink(link);
    }
    std::vector<RunOutput> back;
    const auto read = read_part_file(path, kKey, back);
    EXPECT_EQ(read.damage, PartDamage::shape) << link << ": " << read.reason;
  }
}

TEST(PartFile, OneChangedValueChangesTheChecksum) {
  auto runs = sample_runs();
  const auto before = run_checksum(runs[0]);
  for (auto& a : runs[0].arrays()) {
    for (std::size_t i = 0; i < a.values->size(); ++i) {
      const double kept = (*a.values)[i];
      if (!std::isfinite(kept)) continue;  // NaN + 1 has the same bits
      (*a.values)[i] = kept + 1;
      EXPECT_NE(run_checksum(runs[0]), before) << a.name << "[" << i << "]";
      (*a.values)[i] = kept;
    }
  }
  EXPECT_EQ(run_checksum(runs[0]), before);
  // A value moved from the end of one array to the start of the next is a change too.
  runs[0].trial.insert(runs[0].trial.begin(), runs[0].interventions.back());
  runs[0].interventions.pop_back();
  EXPECT_NE(run_checksum(runs[0]), before);
}

}  // namespace
}  // namespace drift
