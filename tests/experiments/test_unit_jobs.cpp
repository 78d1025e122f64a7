#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "experiments/unit_jobs.hpp"

namespace drift::detail {
namespace {

struct Log {
  std::mutex mutex;
  std::vector<std::size_t> prepared;         // in the order of preparation
  std::vector<std::vector<int>> job_runs;    // [unit][job]: times run
  std::vector<std::vector<int>> job_thread;  // [unit][job]: the thread that ran it
  std::vector<int> finished;                 // [unit]: times finished
  std::vector<bool> ready;                   // [unit]: prepared
  int alive = 0, most_alive = 0;             // prepared and not yet finished
  bool job_before_prepare = false, finish_before_jobs = false;
  Log(std::size_t units, std::size_t jobs)
      : job_runs(units, std::vector<int>(jobs, 0)),
        job_thread(units, std::vector<int>(jobs, -1)),
        finished(units, 0),
        ready(units, false) {}
};

void run_logged(Log& log, std::size_t units, std::size_t jobs, int threads,
                std::chrono::milliseconds job_time) {
  run_unit_jobs(
      units, jobs, threads,
      [&](std::size_t u) {
        std::lock_guard<std::mutex> lock(log.mutex);
        log.prepared.push_back(u);
        log.ready[u] = true;
        log.most_alive = std::max(log.most_alive, ++log.alive);
      },
      [&](std::size_t u, std::size_t j) {
        std::this_thread::sleep_for(job_time);
        std::lock_guard<std::mutex> lock(log.mutex);
        if (!log.ready[u]) log.job_before_prepare = true;
        ++log.job_runs[u][j];
        log.job_thread[u][j] = omp_get_thread_num();
      },
      [&](std::size_t u) {
        std::lock_guard<std::mutex> lock(log.mutex);
        for (int n : log.job_runs[u])
          if (n != 1) log.finish_before_jobs = true;
        ++log.finished[u];
        --log.alive;
      });
}

TEST(UnitJobs, EveryJobRunsOnceBetweenItsUnitsPreparationAndFinish) {
  for (int threads : {1, 2, 3}) {
    for (std::size_t units : {1u, 2u, 5u}) {
      for (std::size_t jobs : {1u, 3u, 8u}) {
        Log log(units, jobs);
        run_logged(log, units, jobs, threads, std::chrono::milliseconds(0));
        EXPECT_FALSE(log.job_before_prepare);
        EXPECT_FALSE(log.finish_before_jobs);
        ASSERT_EQ(log.prepared.size(), units);
        std::sort(log.prepared.begin(), log.prepared.end());
        for (std::size_t u = 0; u < units; ++u) {
          EXPECT_EQ(log.prepared[u], u) << "every unit is prepared once";
          EXPECT_EQ(log.finished[u], 1);
          for (std::size_t j = 0; j < jobs; ++j) EXPECT_EQ(log.job_runs[u][j], 1);
        }
        // A thread prepares a unit only when no prepared unit has a job left to take.
        EXPECT_LE(log.most_alive, threads) << units << " units of " << jobs << " jobs";
      }
    }
  }
}

TEST(UnitJobs, BothThreadsWorkOnTheLastUnit) {
  // Three units of eight jobs on two threads: with whole units per thread one thread would run
  // the last unit alone; here the other takes some of its jobs.
  Log log(3, 8);
  run_logged(log, 3, 8, 2, std::chrono::milliseconds(5));
  if (omp_get_max_threads() < 2) GTEST_SKIP() << "one thread only";
  std::vector<int> seen(2, 0);
  for (int t : log.job_thread[2]) ++seen.at(static_cast<std::size_t>(t));
  EXPECT_GT(seen[0], 0);
  EXPECT_GT(seen[1], 0);
}

// On one thread the order is fixed: unit 0 is prepared, run and finished, unit 1 prepared, and
// its first job fails; nothing is prepared or finished after it. On two threads how far the other
// thread has got when the failure is seen depends on the scheduler (a thread preempted inside a
// preparation lets the other run many units), so only what holds for every interleaving is
// checked: the failure is thrown again and the failed unit is never finished.
TEST(UnitJobs, AFailingJobStopsTheWorkAndIsThrownAgain) {
  for (const int threads : {1, 2}) {
    std::atomic<int> prepared{0};
    std::mutex finished_mutex;
    std::vector<std::size_t> finished;
    EXPECT_THROW(run_unit_jobs(
                     50, 2, threads, [&](std::size_t) { ++prepared; },
                     [&](std::size_t u, std::size_t) {
                       if (u == 1) throw std::runtime_error("job failed");
                     },
                     [&](std::size_t u) {
                       const std::lock_guard<std::mutex> hold(finished_mutex);
                       finished.push_back(u);
                     }),
                 std::runtime_error)
        << threads << " thread(s)";
    EXPECT_EQ(std::count(finished.begin(), finished.end(), std::size_t{1}), 0)
        << threads << " thread(s): the failed unit was finished";
    if (threads == 1) {
      EXPECT_EQ(prepared.load(), 2) << "units prepared after the failure";
      EXPECT_EQ(finished, std::vector<std::size_t>{0});
    }
  }
  EXPECT_THROW(run_unit_jobs(
                   3, 2, 2,
                   [](std::size_t u) {
                     if (u == 0) throw std::invalid_argument("prepare failed");
                   },
                   [](std::size_t, std::size_t) {}, [](std::size_t) {}),
               std::invalid_argument);
}

}  // namespace
}  // namespace drift::detail
