#pragma once
// Which thread runs which chunk of a parallel pass over the slots. Thread t first takes the
// chunks of its own share (the t-th contiguous run of chunks), front to back, so that from one
// process to the next the same thread meets the same slots, whose columns are still in its
// core's caches (taking chunks as threads become free sends each chunk to either core at
// random, and its columns with it). A thread whose share is done takes chunks from the back of
// the other shares, so that a slower or busier core does not hold the pass up. Every chunk runs
// exactly once, whatever the size of the team OpenMP gives; each chunk writes only its own
// output, so which thread ran it changes no result.
#include <omp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "drift/step/profile.hpp"

namespace drift::detail {

class ChunkShares {
 public:
  ChunkShares(std::int64_t chunks, int threads);
  // The next chunk for thread t (0 <= t < threads): from the front of its own share, else from
  // the back of another's; -1 when every chunk is taken.
  std::int64_t next(int t);

 private:
  // Each share is [front, back) in one word (front in the high half), so that the owner taking
  // from the front and a thread taking from the back can never both take the last chunk.
  struct alignas(64) Share {
    std::atomic<std::uint64_t> range;
  };
  std::vector<Share> shares_;
};

// Runs fn(c) for every chunk c in [0, chunks) on up to `threads` threads, as above.
template <class Fn>
void for_each_chunk(std::int64_t chunks, int threads, Fn&& fn) {
  if (threads <= 1 || chunks <= 1) {
    for (std::int64_t c = 0; c < chunks; ++c) fn(c);
    return;
  }
  ChunkShares shares(chunks, threads);
  // Timed only when the profile asks (one branch per pass and thread otherwise).
  using Clock = std::chrono::steady_clock;
  const bool timed = profile::parallel_passes_timed();
  const auto start = timed ? Clock::now() : Clock::time_point{};
  std::atomic<Clock::rep> busy{0};
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    const auto from = timed ? Clock::now() : Clock::time_point{};
    for (std::int64_t c = shares.next(t); c >= 0; c = shares.next(t)) fn(c);
    if (timed) busy.fetch_add((Clock::now() - from).count(), std::memory_order_relaxed);
  }
  if (timed) profile::add_parallel_pass(Clock::now() - start, Clock::duration(busy.load()));
}

}  // namespace drift::detail
