// Crash consistency: a run killed at random moments (while running units, writing part files or
// writing the result file), again and again, always ends with --resume in a file equal to an
// uninterrupted run, and no kill ever leaves a damaged file under the result's name.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>

#include "drift/experiments/result_file.hpp"
#include "drift/results/compare.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

const char* kScenario = R"(name: crash
simulation: {weeks: 60, burn_in_weeks: 30, replicates: 8, population_scale: 1}
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

// Starts `drift run SCENARIO -q -t 1 --resume --out OUT`; returns its pid.
pid_t start_run(const std::string& scenario, const std::string& out) {
  const std::string drift = DRIFT_BINARY;
  const pid_t child = ::fork();
  if (child == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::execl(drift.c_str(), "drift", "run", scenario.c_str(), "-q", "-t", "1", "--resume", "--out",
            out.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return child;
}

// Waits for the run; returns its exit code, or -1 when it had to be killed after `limit`.
int wait_run(pid_t child, std::chrono::microseconds limit) {
  const auto stop = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child)
      return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
    if (std::chrono::steady_clock::now() >= stop) {
      ::kill(child, SIGKILL);
      ::waitpid(child, nullptr, 0);
      return -1;
    }
    ::usleep(200);
  }
}

std::size_t parts_on_disk(const std::string& parts_dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(parts_dir, ec)) n += e.path().extension() == ".part";
  return n;
}

// Waits until `parts` part files exist (or the run ends), then kills the run after `delay`.
// Returns the exit code, or -1 when it was killed. Counting parts rather than time makes the
// moments independent of how fast or busy the machine is.
int kill_after_parts(pid_t child, const std::string& parts_dir, std::size_t parts,
                     std::chrono::microseconds delay) {
  for (;;) {
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child)
      return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
    if (parts_on_disk(parts_dir) >= parts) break;
    ::usleep(200);
  }
  return wait_run(child, delay);
}

// Kills `kills` runs at seeded random moments: after a random number of the units still missing
// have their parts, plus a random delay of up to one unit's time (so kills also land while a part
// or the result file is being written). Each run resumes what the last one left; then a last run
// finishes with --resume and the file is compared with an uninterrupted run.
void kill_and_resume(int kills, unsigned seed) {
  TempDir dir;
  const auto scenario = dir.write("s.yaml", kScenario);
  const auto full = dir.path("full.h5"), resumed = dir.path("resumed.h5");
  const auto parts_dir = resumed + ".parts";
  const std::size_t units = 8;  // replicates of the scenario
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(wait_run(start_run(scenario, full), std::chrono::minutes(5)), 0);
  const auto per_unit =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0) /
      units;
  std::mt19937 rng(seed);
  int killed = 0;
  for (int k = 0; k < kills; ++k) {
    const auto done = parts_on_disk(parts_dir);
    std::uniform_int_distribution<std::size_t> more(0, units - std::min(units, done));
    std::uniform_int_distribution<long long> delay(0, per_unit.count());
    const auto target = done + more(rng);
    const auto code = kill_after_parts(start_run(scenario, resumed), parts_dir, target,
                                       std::chrono::microseconds(delay(rng)));
    if (code == -1) ++killed;
    // Whatever the moment, a file under the result's name is a complete one.
    if (fs::exists(resumed)) {
      EXPECT_NO_THROW(check_result_file(resumed)) << "after kill " << k;
    }
  }
  EXPECT_GT(killed, 0) << "no run was cut short: nothing was tested";
  ASSERT_EQ(wait_run(start_run(scenario, resumed), std::chrono::minutes(5)), 0);
  const auto cmp = compare_result_files(full, resumed);
  EXPECT_TRUE(cmp.equal) << cmp.first_difference;
  EXPECT_GT(cmp.datasets_compared, 100u);
  EXPECT_FALSE(fs::exists(parts_dir));
  for (const auto& name : dir.files()) {
    EXPECT_EQ(name.find(".tmp."), std::string::npos) << "a temporary file is left: " << name;
  }
}

TEST(CrashConsistency, RunsKilledAtRandomMomentsResumeToAnIdenticalFile) {
  kill_and_resume(6, 1);
}

// The longer version, under the nightly label.
TEST(CrashConsistency, Nightly_ManyRandomKillsResumeToAnIdenticalFile) {
  kill_and_resume(200, 2);
}

}  // namespace
}  // namespace drift
