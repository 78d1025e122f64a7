#include <gtest/gtest.h>
#include <omp.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "drift/step/profile.hpp"
#include "step/chunk_schedule.hpp"

namespace drift::detail {
namespace {

TEST(ChunkSchedule, AThreadTakesItsOwnShareFrontToBackThenTheOthersFromTheBack) {
  // 10 chunks, 3 threads: shares [0,3), [3,6), [6,10).
  ChunkShares shares(10, 3);
  std::vector<std::int64_t> order;
  for (auto c = shares.next(1); c >= 0; c = shares.next(1)) order.push_back(c);
  const std::vector<std::int64_t> expected{3, 4, 5, 9, 8, 7, 6, 2, 1, 0};
  EXPECT_EQ(order, expected);
  EXPECT_EQ(shares.next(0), -1);
  EXPECT_EQ(shares.next(2), -1);
}

TEST(ChunkSchedule, EveryChunkIsTakenOnceWhateverTheInterleaving) {
  for (std::int64_t chunks : {1, 2, 7, 16, 65}) {
    for (int threads : {1, 2, 3, 8}) {
      ChunkShares shares(chunks, threads);
      std::vector<int> taken(chunks, 0);
      // Threads ask in turn, some more often than others, until all are told there is none.
      int done = 0;
      std::vector<bool> finished(threads, false);
      for (int round = 0; done < threads; ++round) {
        for (int t = 0; t < threads; ++t) {
          if (finished[t] || (t % 2 == 1 && round % 3 != 0)) continue;
          const auto c = shares.next(t);
          if (c < 0) {
            finished[t] = true;
            ++done;
          } else {
            ASSERT_LT(c, chunks);
            ++taken[c];
          }
        }
      }
      for (std::int64_t c = 0; c < chunks; ++c)
        EXPECT_EQ(taken[c], 1) << "chunk " << c << " of " << chunks << ", " << threads
                               << " threads";
    }
  }
}

TEST(ChunkSchedule, AFreeThreadTakesOverTheChunksOfABusyOne) {
  constexpr std::int64_t kChunks = 16;  // shares [0, 8) and [8, 16)
  std::vector<std::atomic<int>> runs(kChunks);
  std::vector<int> ran_by(kChunks, -1);
  std::atomic<int> team{1};
  bool held = false;
  for_each_chunk(kChunks, 2, [&](std::int64_t c) {
    const int t = omp_get_thread_num();
    team = omp_get_num_threads();
    // Thread 0 is held up on its first chunk until the last chunk of its share has been run
    // (by thread 1, unless that first chunk is the last one).
    if (t == 0 && !held && team == 2) {
      held = true;
      for (int k = 0; k < 5000 && c != kChunks / 2 - 1 && runs[kChunks / 2 - 1].load() == 0; ++k)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ++runs[c];
    ran_by[c] = t;
  });
  for (std::int64_t c = 0; c < kChunks; ++c) EXPECT_EQ(runs[c].load(), 1) << "chunk " << c;
  if (team == 2) {
    bool helped = false;
    for (std::int64_t c = 0; c < kChunks / 2; ++c) helped = helped || ran_by[c] == 1;
    EXPECT_TRUE(helped) << "thread 1 ran none of thread 0's share";
  }
}

TEST(ChunkSchedule, OneThreadRunsTheChunksInOrder) {
  std::vector<std::int64_t> order;
  for_each_chunk(5, 1, [&](std::int64_t c) { order.push_back(c); });
  EXPECT_EQ(order, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
}

TEST(ChunkSchedule, APassOnSeveralThreadsIsTimedOnlyWhenSwitchedOn) {
  using namespace std::chrono_literals;
  const auto chunk = [](std::int64_t) { std::this_thread::sleep_for(1ms); };
  profile::clear_parallel_passes();
  for_each_chunk(16, 2, chunk);  // off: not counted
  EXPECT_EQ(profile::parallel_passes().passes, 0);
  profile::time_parallel_passes(true);
  for_each_chunk(16, 1, chunk);  // one thread: no pass runs in parallel
  EXPECT_EQ(profile::parallel_passes().passes, 0);
  for_each_chunk(16, 2, chunk);
  const auto timed = profile::parallel_passes();
  profile::time_parallel_passes(false);
  profile::clear_parallel_passes();
  EXPECT_EQ(timed.passes, 1);
  // 16 chunks of at least 1 ms: at least 16 thread-ms busy, and no thread busy longer than the
  // pass lasted.
  EXPECT_GE(timed.busy_seconds, 0.016);
  EXPECT_GE(timed.wall_seconds, 0.008);
  EXPECT_LE(timed.busy_seconds, 2 * timed.wall_seconds);
}

}  // namespace
}  // namespace drift::detail
