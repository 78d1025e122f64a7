#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <set>

#include "drift/experiments/experiment.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/experiments/sobol.hpp"
#include "drift/experiments/summary.hpp"
#include "drift/results/results.hpp"
#include "drift/scenario/sweep.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;

using drift::test::TempDir;

const char* kSmall = R"(name: small
simulation: {weeks: 40, burn_in_weeks: 30, replicates: 3, population_scale: 0.5}
networks: {count: 4}
areas:
  list:
    - {name: North, youth_12_17: 600, youth_18_26: 900, low_income_share: 0.3, schools: 1}
    - {name: South, youth_12_17: 400, youth_18_26: 700, low_income_share: 0.1, schools: 1}
strategies:
  - name: baseline
  - name: mentors
    interventions:
      - {type: mentors, workers: 5, caseload: 4}
)";

TEST(Designs, GridHasEveryCombinationInOdometerOrder) {
  const auto pts = grid_points({{1, 2}, {10, 20, 30}});
  ASSERT_EQ(pts.size(), 6u);
  EXPECT_EQ(pts[0], (std::vector<double>{1, 10}));
  EXPECT_EQ(pts[1], (std::vector<double>{1, 20}));
  EXPECT_EQ(pts[5], (std::vector<double>{2, 30}));
}

TEST(Designs, LatinHypercubeHasOnePointPerStratumOfEveryParameter) {
  const int n = 50;
  const auto pts = latin_hypercube(n, {{0, 1}, {10, 20}, {-5, 5}}, 3);
  ASSERT_EQ(pts.size(), static_cast<std::size_t>(n));
  for (std::size_t j = 0; j < 3; ++j) {
    const double lo = j == 0 ? 0 : j == 1 ? 10 : -5, hi = j == 0 ? 1 : j == 1 ? 20 : 5;
    std::set<int> strata;
    for (const auto& p : pts) {
      ASSERT_GE(p[j], lo);
      ASSERT_LT(p[j], hi);
      strata.insert(static_cast<int>((p[j] - lo) / (hi - lo) * n));
    }
    EXPECT_EQ(strata.size(), static_cast<std::size_t>(n)) << "parameter " << j;
  }
  EXPECT_EQ(latin_hypercube(n, {{0, 1}}, 3), latin_hypercube(n, {{0, 1}}, 3));
  EXPECT_NE(latin_hypercube(n, {{0, 1}}, 3), latin_hypercube(n, {{0, 1}}, 4));
}

TEST(Designs, SaltelliRowsMixAAndBOneColumnAtATime) {
  const int n = 16;
  const auto pts = saltelli_points(n, {{0, 1}, {2, 3}, {4, 8}});
  ASSERT_EQ(pts.size(), static_cast<std::size_t>(n * (3 + 2)));
  for (const auto& p : pts) {
    EXPECT_GE(p[0], 0);
    EXPECT_LE(p[0], 1);
    EXPECT_GE(p[2], 4);
    EXPECT_LE(p[2], 8);
  }
  for (int i = 0; i < 3; ++i) {
    for (int k = 0; k < n; ++k) {
      const auto& ab = pts[(2 + i) * n + k];
      for (int j = 0; j < 3; ++j) {
        EXPECT_EQ(ab[j], j == i ? pts[n + k][j] : pts[k][j]);
      }
    }
  }
}

TEST(Sensitivity, IshigamiIndicesMatchTheirAnalyticValues) {
  const int n = 8192;
  const double pi = std::numbers::pi;
  const auto pts = saltelli_points(n, {{-pi, pi}, {-pi, pi}, {-pi, pi}});
  std::vector<double> y;
  for (const auto& x : pts) {
    y.push_back(std::sin(x[0]) + 7 * std::pow(std::sin(x[1]), 2) +
                0.1 * std::pow(x[2], 4) * std::sin(x[0]));
  }
  const auto idx = sobol_indices(y, n, 3, 200, 1);
  // Analytic values (a = 7, b = 0.1): S = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
  const double first[] = {0.3139, 0.4424, 0.0}, total[] = {0.5576, 0.4424, 0.2437};
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(idx[i].first, first[i], 0.04) << i;
    EXPECT_NEAR(idx[i].total, total[i], 0.04) << i;
    EXPECT_LE(idx[i].first_lo, idx[i].first);
    EXPECT_GE(idx[i].first_hi, idx[i].first);
    // The bootstrap interval must cover the analytic value.
    EXPECT_LE(idx[i].total_lo, total[i] + 0.01) << i;
    EXPECT_GE(idx[i].total_hi, total[i] - 0.01) << i;
  }
}

TEST(SweepValidation, UnknownPathAndOutOfRangeValueNameTheLine) {
  TempDir dir;
  const auto path = dir.file("s.yaml", std::string(kSmall) + R"(sweep:
  design: grid
  parameters:
    careers.progresion_hazard: [0.1]
    strategies.mentors.mentors.workers: [1, -3]
)");
  try {
    load_scenario(path);
    FAIL() << "expected a ScenarioError";
  } catch (const ScenarioError& e) {
    const auto& d = e.diagnostics();
    ASSERT_GE(d.size(), 1u) << e.what();
    EXPECT_EQ(d[0].file, path);
    EXPECT_EQ(d[0].line, 16);
    EXPECT_EQ(d[0].key, "sweep.parameters.careers.progresion_hazard");
    EXPECT_NE(d[0].message.find("did you mean 'careers.progression_hazard'"), std::string::npos)
        << d[0].message;
  }
  const auto path2 = dir.file("t.yaml", std::string(kSmall) + R"(sweep:
  design: grid
  parameters:
    strategies.mentors.mentors.workers: [1, -3]
)");
  try {
    load_scenario(path2);
    FAIL() << "expected a ScenarioError";
  } catch (const ScenarioError& e) {
    const auto& d = e.diagnostics().front();
    EXPECT_EQ(d.line, 16);
    EXPECT_EQ(d.column, 45);
    EXPECT_EQ(d.key, "sweep.strategies.mentors.mentors.workers");
    EXPECT_NE(d.message.find("out of range"), std::string::npos) << d.message;
  }
}

TEST(SweepPoints, InterventionPathChangesOnlyItsStrategy) {
  TempDir dir;
  const auto sc = load_scenario(dir.file("s.yaml", std::string(kSmall) + R"(sweep:
  design: list
  points:
    - {strategies.mentors.mentors.workers: 7, careers.progression_hazard: 0.05}
)"));
  const auto design = sweep_design(sc);
  ASSERT_EQ(design.size(), 1u);
  const auto at = scenario_at(sc, design, 0);
  EXPECT_EQ(at.params.careers.progression_hazard, 0.05);
  EXPECT_EQ(at.strategies[1].interventions[0].values("workers"), 7);
  // The base scenario is untouched.
  EXPECT_EQ(sc.strategies[1].interventions[0].values("workers"), 5);
}

bool same(const ExperimentOutput& a, const ExperimentOutput& b) {
  if (a.strategies.size() != b.strategies.size()) return false;
  for (std::size_t s = 0; s < a.strategies.size(); ++s) {
    const auto& x = a.strategies[s].replicates;
    const auto& y = b.strategies[s].replicates;
    if (x.size() != y.size()) return false;
    for (std::size_t r = 0; r < x.size(); ++r) {
      if (x[r].by_area != y[r].by_area || x[r].city != y[r].city ||
          x[r].interventions != y[r].interventions) {
        return false;
      }
      if (x[r].min_age != y[r].min_age || x[r].ages != y[r].ages ||
          x[r].present_by_age != y[r].present_by_age || x[r].new_suspects != y[r].new_suspects ||
          x[r].new_drug_suspects != y[r].new_drug_suspects) {
        return false;
      }
      const auto cx = x[r].ledger.columns();
      const auto cy = y[r].ledger.columns();
      for (std::size_t c = 0; c < cx.size(); ++c) {
        if (*cx[c] != *cy[c]) return false;
      }
    }
  }
  return true;
}

TEST(Runner, ShardsTogetherEqualOneProcess) {
  TempDir dir;
  const auto sc = load_scenario(dir.file("s.yaml", kSmall));
  const SweepDesign none;
  const auto parts = dir.file("parts");
  EXPECT_GT(run_units(sc, none, parts, RunOptions{}, 1, 2), 0u);
  EXPECT_EQ(run_units(sc, none, parts, RunOptions{}, 0, 2), 0u);
  EXPECT_TRUE(same(load_point(sc, none, parts, 0), run_experiment(sc, RunOptions{})));
}

// The points of a sweep share each replicate's built world where only parameters that do not
// shape the build differ (BuildCache): every point's results equal a run of that point's
// scenario alone, which builds its own worlds, on one thread and on two.
TEST(Runner, SweepPointsThatShareBuiltWorldsEqualEachPointRunAlone) {
  TempDir dir;
  const auto sc = load_scenario(dir.file("s.yaml", std::string(kSmall) + R"(sweep:
  design: list
  points:
    - {market.replacement: 0.2, normalisation.baseline_logit: -1.5, ties.friend_degree: 5}
    - {market.replacement: 0.9, normalisation.baseline_logit: -1.5, ties.friend_degree: 5}
    - {market.replacement: 0.9, normalisation.baseline_logit: -0.5, ties.friend_degree: 5}
    - {market.replacement: 0.9, normalisation.baseline_logit: -0.5, ties.friend_degree: 3}
)"));
  const auto design = sweep_design(sc);
  ASSERT_EQ(design.size(), 4u);
  for (const int threads : {1, 2}) {
    const auto parts = dir.file("parts_" + std::to_string(threads));
    RunOptions options;
    options.threads = threads;
    EXPECT_EQ(run_units(sc, design, parts, options), 0u);
    for (std::size_t p = 0; p < design.size(); ++p) {
      EXPECT_TRUE(same(load_point(sc, design, parts, p),
                       run_experiment(scenario_at(sc, design, p), RunOptions{})))
          << "point " << p << ", " << threads << " thread(s)";
    }
  }
}

TEST(Runner, InterruptedRunResumesToTheUninterruptedResult) {
  TempDir dir;
  const auto sc = load_scenario(dir.file("s.yaml", kSmall));
  const SweepDesign none;
  const auto parts = dir.file("parts");
  std::atomic<bool> cancel{false};
  RunOptions options;
  options.cancel = &cancel;
  // Stop after the first unit is done (two strategies per unit).
  options.progress = [&](std::size_t done, std::size_t) {
    if (done == 2) cancel = true;
  };
  EXPECT_THROW(run_units(sc, none, parts, options), Cancelled);
  std::size_t kept = 0;
  for (const auto& e : fs::directory_iterator(parts)) kept += e.path().extension() == ".part";
  EXPECT_GE(kept, 1u);
  EXPECT_LT(kept, 3u);
  EXPECT_EQ(run_units(sc, none, parts, RunOptions{}), 0u);
  EXPECT_TRUE(same(load_point(sc, none, parts, 0), run_experiment(sc, RunOptions{})));
}

TEST(Runner, PartsOfAnotherConfigurationAreNotReused) {
  TempDir dir;
  auto sc = load_scenario(dir.file("s.yaml", kSmall));
  const SweepDesign none;
  const auto parts = dir.file("parts");
  run_units(sc, none, parts, RunOptions{});
  auto other = load_scenario(dir.file("s.yaml", kSmall), {{"careers.progression_hazard", "0.05"}});
  EXPECT_THROW(load_point(other, none, parts, 0), std::runtime_error);
}

// Holds `path` with flock(2) as another process would (flock locks belong to the open file, so
// a second open in this process conflicts like another process).
struct ForeignLock {
  int fd;
  explicit ForeignLock(const std::string& path) : fd(::open(path.c_str(), O_RDWR | O_CREAT, 0644)) {
    const std::string text = "pid 4242 host elsewhere\n";
    EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
    EXPECT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  ~ForeignLock() { ::close(fd); }
};

TEST(Runner, APartsFolderLockedByAnotherProcessIsRefused) {
  TempDir dir;
  const auto sc = load_scenario(dir.file("s.yaml", kSmall));
  const SweepDesign none;
  const auto parts = dir.file("parts");
  fs::create_directories(parts);
  {
    ForeignLock other(parts + "/.lock");
    try {
      run_units(sc, none, parts, RunOptions{});
      ADD_FAILURE() << "ran into a locked folder";
    } catch (const PartsBusy& e) {
      const std::string what = e.what();
      EXPECT_NE(
          what.find(parts + " is being used by another drift process (pid 4242 on host elsewhere)"),
          std::string::npos)
          << what;
      EXPECT_NE(what.find("use another --out"), std::string::npos) << what;
    }
    // A shard does not run while the whole plan is being run either.
    EXPECT_THROW(run_units(sc, none, parts, RunOptions{}, 1, 2), PartsBusy);
  }
  {
    // Shards of one plan run side by side; the whole plan waits for them.
    ForeignLock shard1(parts + "/.lock.1-of-2");
    EXPECT_GT(run_units(sc, none, parts, RunOptions{}, 0, 2), 0u);
    EXPECT_THROW(run_units(sc, none, parts, RunOptions{}), PartsBusy);
  }
  EXPECT_EQ(run_units(sc, none, parts, RunOptions{}), 0u);
}

TEST(Runner, TheLockNestsAndIsRemovedWithTheParts) {
  TempDir dir;
  const auto sc = load_scenario(dir.file("s.yaml", kSmall));
  const SweepDesign none;
  const auto parts = dir.file("parts");
  {
    const PartsLock lock(parts);
    EXPECT_TRUE(fs::exists(parts + "/.lock"));
    std::ifstream in(parts + "/.lock");
    std::string word, pid;
    in >> word >> pid;
    EXPECT_EQ(word, "pid");
    EXPECT_EQ(pid, std::to_string(::getpid()));
    EXPECT_EQ(run_units(sc, none, parts, RunOptions{}), 0u);  // takes the lock this process holds
    EXPECT_TRUE(fs::exists(parts + "/.lock"));
    remove_parts(parts);  // keeps the lock held here
    EXPECT_TRUE(fs::exists(parts + "/.lock"));
  }
  EXPECT_FALSE(fs::exists(parts));  // released: lock file and empty folder gone
  // Lock files left by killed processes are removed with the parts.
  run_units(sc, none, parts, RunOptions{});
  std::ofstream(parts + "/.lock") << "pid 1 host gone\n";
  std::ofstream(parts + "/.lock.0-of-3") << "pid 2 host gone\n";
  EXPECT_EQ(run_units(sc, none, parts, RunOptions{}), 0u);  // stale locks do not stop a run
  std::ofstream(parts + "/.lock.0-of-3") << "pid 2 host gone\n";
  remove_parts(parts);
  EXPECT_FALSE(fs::exists(parts));
}

TEST(Runner, ADamagedPartIsRunAgainAndLoadPointNamesIt) {
  TempDir dir;
  const auto sc = load_scenario(dir.file("s.yaml", kSmall));
  const SweepDesign none;
  const auto parts = dir.file("parts");
  run_units(sc, none, parts, RunOptions{});
  const auto part = parts + "/unit_0_1.part";
  std::ofstream(part, std::ios::trunc) << "not a part\n";
  try {
    load_point(sc, none, parts, 0);
    ADD_FAILURE() << "read a damaged part";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), part + ": damaged part file (not an HDF5 file)");
  }
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_units(sc, none, parts, RunOptions{}), 0u);
  const auto err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, part + ": damaged part file (not an HDF5 file); the unit is run again\n");
  EXPECT_TRUE(same(load_point(sc, none, parts, 0), run_experiment(sc, RunOptions{})));
  fs::remove(part);
  try {
    load_point(sc, none, parts, 0);
    ADD_FAILURE() << "read a missing part";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), part + ": missing part file");
  }
}

TEST(Cli, KilledRunResumesToAnIdenticalFile) {
  TempDir dir;
  std::string text = kSmall;
  text.replace(text.find("weeks: 40"), 9, "weeks: 150");
  text.replace(text.find("replicates: 3"), 13, "replicates: 12");
  text.replace(text.find("population_scale: 0.5"), 21, "population_scale: 2");
  const auto scenario = dir.file("s.yaml", text);
  const std::string drift = DRIFT_BINARY;
  const auto full = dir.file("full.h5"), resumed = dir.file("resumed.h5");
  ASSERT_EQ(
      std::system((drift + " run " + scenario + " -q -t 1 --out " + full + " > /dev/null").c_str()),
      0);
  // SIGKILL as soon as the first unit's part file is on disk (so the kill never depends on how
  // fast this machine is), then finish with --resume.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::execl(drift.c_str(), "drift", "run", scenario.c_str(), "-q", "-t", "1", "--out",
            resumed.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto parts_dir = resumed + ".parts";
  bool exited = false;
  for (;;) {
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) {
      exited = true;
      break;
    }
    bool any_part = false;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(parts_dir, ec))
      any_part |= e.path().extension() == ".part";
    if (any_part) break;
    ::usleep(1000);
  }
  if (!exited) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
  }
  // The run was cut short: no result under the final name, finished units kept.
  ASSERT_FALSE(fs::exists(resumed)) << "the run finished before it was killed; make it longer";
  ASSERT_TRUE(fs::exists(resumed + ".parts"));
  ASSERT_EQ(std::system(
                (drift + " run " + scenario + " -q -t 1 --resume --out " + resumed + " > /dev/null")
                    .c_str()),
            0);
  ASSERT_TRUE(fs::exists(resumed));
  EXPECT_FALSE(fs::exists(resumed + ".parts"));
  ResultReader a(full), b(resumed);
  for (const auto& m : area_metrics()) {
    EXPECT_EQ(a.dataset("/strategies/mentors/by_area/" + m.name).values,
              b.dataset("/strategies/mentors/by_area/" + m.name).values)
        << m.name;
  }
}

}  // namespace
}  // namespace drift

namespace drift {
namespace {

TEST(SweepResults, FileHoldsTheDesignAndPerPointComparisons) {
  TempDir dir;
  const auto sc = load_scenario(dir.file("s.yaml", std::string(kSmall) + R"(sweep:
  design: grid
  parameters:
    strategies.mentors.mentors.workers: [0, 10]
)"));
  const auto design = sweep_design(sc);
  const auto parts = dir.file("parts"), out = dir.file("sweep.h5");
  ASSERT_EQ(run_units(sc, design, parts, RunOptions{}), 0u);
  write_sweep_results(out, sc, design, parts, "test");
  ResultReader reader(out);
  const auto points = reader.dataset("/sweep/points");
  EXPECT_EQ(points.shape, (std::vector<std::uint64_t>{2, 1}));
  EXPECT_EQ(points.values, (std::vector<double>{0, 10}));
  const auto diff = reader.dataset("/sweep/comparisons/mentors/entries_averted");
  EXPECT_EQ(diff.shape, (std::vector<std::uint64_t>{2, 3}));
  // With no mentors the strategy is the baseline: every paired difference is exactly zero.
  for (int r = 0; r < 3; ++r) EXPECT_EQ(diff.values[r], 0.0);
  // Point 1 equals an ordinary run of the scenario at that point.
  const auto direct =
      summarize(series_of(run_experiment(scenario_at(sc, design, 1), RunOptions{})));
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(diff.values[3 + r], direct.strategies[1].outcomes[0].difference_per_replicate[r]);
  }
  const auto text = format_sweep_file(out, false);
  EXPECT_NE(text.find("point 1: strategies.mentors.mentors.workers=10"), std::string::npos) << text;
  EXPECT_TRUE(is_sweep_file(out));
}

}  // namespace
}  // namespace drift
