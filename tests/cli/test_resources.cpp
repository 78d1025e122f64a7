// Resources guarded: a run whose estimated peak memory or disk exceeds what the machine has stops
// before it writes anything, with one line saying what it needs and how to proceed, unless
// --force; a disk that fills while writing leaves the complete parts, no temporary file and a
// clear error, and --resume then completes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "drift/experiments/plan.hpp"
#include "drift/model/world.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/step/build_world.hpp"
#include "support/run_drift.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;
using test::drift;
using test::quoted;
using test::run;
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
  // Two threads on one replicate: its 8 strategies run side by side, a working copy each.
  auto one = load_scenario(
      kUtrecht, {{"simulation.population_scale", "0.5"}, {"simulation.replicates", "1"}});
  EXPECT_EQ(memory_need(one, 2).worlds_alive, 3);
  // Two threads on two replicates: the units run side by side, a burnt-in world and a copy each.
  auto two = load_scenario(
      kUtrecht, {{"simulation.population_scale", "0.5"}, {"simulation.replicates", "2"}});
  EXPECT_EQ(memory_need(two, 2).worlds_alive, 4);
  // Over several points (a sweep's or a calibration's) the runner keeps a built world per
  // thread as well (BuildCache).
  EXPECT_EQ(memory_need(two, 2, 24).worlds_alive, 6);
  EXPECT_EQ(memory_need(one, 1, 3).worlds_alive, 3);
}

// Two districts, two strategies with an intervention, a short horizon: files of a few hundred KB.
const char* kSmall = R"(name: small
description: disk tests
simulation: {weeks: 60, burn_in_weeks: 26, replicates: 2, population_scale: 0.5}
areas:
  list:
    - {name: North, youth_12_17: 1200, youth_18_26: 2500, low_income_share: 0.25, schools: 2}
    - {name: South, youth_12_17: 800, youth_18_26: 1500, low_income_share: 0.1, schools: 1}
strategies:
  - name: baseline
  - name: mentors
    interventions:
      - {type: mentors, workers: 4, caseload: 5}
)";

std::uintmax_t size_of_folder(const fs::path& dir) {
  std::uintmax_t total = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) total += e.file_size();
  return total;
}

TEST(DiskGuard, TheEstimateCoversThePartsAndTheResultFile) {
  TempDir dir;
  dir.write("small.yaml", kSmall);
  // Shard 0 of 2 leaves the part of its one unit (every unit's part has the same layout, so the
  // two parts of a whole run take twice its size); a whole run writes the result file.
  ASSERT_EQ(drift("run small.yaml --out probe.h5 -q -t 1 --shard 0/2", dir.str()).status, 0);
  const auto parts = 2 * size_of_folder(dir.path("probe.h5.parts"));
  ASSERT_EQ(drift("run small.yaml --out r.h5 -q -t 1", dir.str()).status, 0);
  const auto result = fs::file_size(dir.path("r.h5"));
  const auto need = disk_need(load_scenario(dir.path("small.yaml")));
  // The guard must never let through a run that does not fit: the estimate bounds both files.
  EXPECT_GE(need.part_bytes, parts);
  EXPECT_GE(need.result_bytes, result);
  // ... without refusing runs that fit many times over (the fixed per-file allowance dominates
  // at this size).
  EXPECT_LE(need.peak_bytes(), 8 * (parts + result));
}

TEST(DiskGuard, ASweepPastTheDiskStopsBeforeWritingAnything) {
  TempDir dir;
  // 1,000 points of 20,000 replicates: terabytes of part files, while one point's records (what
  // the memory guard counts) stay within the machine.
  dir.write("sweep.yaml", std::string(kSmall) + R"(sweep:
  design: grid
  parameters:
    careers.progression_hazard: [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1]
    careers.desistance_hazard: [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01]
    enforcement.runner_arrest_hazard: [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01]
)");
  const auto r = drift("run sweep.yaml -r 20000 -t 1 -q --out out/x.h5", dir.str());
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("of part files"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("free"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--force"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_FALSE(fs::exists(dir.path("out"))) << "nothing may be written";
}

TEST(DiskGuard, TheMessageAppearsOnlyWhenTheNeedExceedsWhatIsFree) {
  DiskNeed need;
  need.part_bytes = 3'000'000'000;
  need.result_bytes = 1'000'000'000;
  EXPECT_EQ(disk_problem(need, 0, "x.h5"), "");  // unknown: no guard
  EXPECT_EQ(disk_problem(need, 4'000'000'000, "x.h5"), "");
  const auto m = disk_problem(need, 3'999'999'999, "x.h5");
  EXPECT_NE(m.find("next to x.h5"), std::string::npos) << m;
  EXPECT_GT(available_disk_bytes("."), 0u);
  EXPECT_GT(available_disk_bytes("no/such/folder/x.h5"), 0u);  // its nearest existing parent
}

// A full disk, stood in for by a file size limit (RLIMIT_FSIZE, with SIGXFSZ ignored: a write
// past it fails with EFBIG as one past a full disk fails with ENOSPC, through the same code).
test::Result drift_with_file_limit(const std::string& args, const std::string& dir,
                                   std::uintmax_t bytes) {
  const auto blocks = std::to_string(bytes / 1024);
  return run("bash -c " + quoted("trap \"\" XFSZ; ulimit -f " + blocks + "; exec " +
                                 quoted(DRIFT_BINARY) + " " + args),
             dir);
}

TEST(DiskFull, WhileWritingTheResultKeepsTheCompletePartsAndResumeCompletes) {
  TempDir dir;
  dir.write("small.yaml", kSmall);
  ASSERT_EQ(drift("run small.yaml --out reference.h5 -q -t 1", dir.str()).status, 0);
  ASSERT_EQ(drift("run small.yaml --out probe.h5 -q -t 1 --shard 0/2", dir.str()).status, 0);
  std::uintmax_t part = 0;
  for (const auto& e : fs::directory_iterator(dir.path("probe.h5.parts")))
    if (e.path().extension() == ".part") part = std::max(part, e.file_size());
  const auto result = fs::file_size(dir.path("reference.h5"));
  ASSERT_LT(part + 8192, result) << "the limit must fall between a part and the result file";

  const auto r =
      drift_with_file_limit("run small.yaml --out r.h5 -q -t 1", dir.str(), (part + result) / 2);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("r.h5: cannot write"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("free on that file system"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.path("r.h5")));
  for (const auto& name : dir.files()) EXPECT_EQ(name.find(".tmp."), std::string::npos) << name;
  int parts = 0;
  for (const auto& e : fs::directory_iterator(dir.path("r.h5.parts"))) {
    EXPECT_EQ(e.path().extension(), ".part") << e.path() << ": no temporary or lock file remains";
    ++parts;
  }
  EXPECT_EQ(parts, 2);

  const auto resumed = drift("run small.yaml --out r.h5 -q -t 1 --resume", dir.str());
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  const auto same = drift("verify r.h5", dir.str());
  EXPECT_EQ(same.status, 0) << same.output;
  EXPECT_FALSE(fs::exists(dir.path("r.h5.parts")));
}

TEST(DiskFull, WhileWritingPartsLeavesNoTemporaryFileAndResumeCompletes) {
  TempDir dir;
  dir.write("small.yaml", kSmall);
  const auto r = drift_with_file_limit("run small.yaml --out r.h5 -q -t 1", dir.str(), 16 * 1024);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find(".part: cannot write"), std::string::npos) << r.output;
  if (fs::exists(dir.path("r.h5.parts"))) {
    for (const auto& e : fs::directory_iterator(dir.path("r.h5.parts")))
      ADD_FAILURE() << e.path() << " remains after a failed part";
  }
  EXPECT_FALSE(fs::exists(dir.path("r.h5")));
  const auto resumed = drift("run small.yaml --out r.h5 -q -t 1 --resume", dir.str());
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_EQ(drift("verify r.h5", dir.str()).status, 0);
}

}  // namespace
}  // namespace drift
