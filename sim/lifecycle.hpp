#pragma once
// Commit-phase operations shared by the weekly processes. Each keeps the incremental state
// (tallies, exposure counts, network membership, clocks) consistent with the youth's state.
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "drift/world.hpp"

namespace drift::detail {

// Fresh competing clocks for the youth's current state (keyed by this week).
void draw_state_clocks(World& w, std::uint32_t i);

// Moves youth i to state `to`, updating tallies, ties' exposure and network membership.
// Does not draw clocks (callers decide which to keep).
void set_state(World& w, std::uint32_t i, State to);

// A new youth of age `age` takes vacant slot i.
void enter_youth(World& w, std::uint32_t i, int age);

// Youth i leaves the city (ageing out or moving away); the slot becomes vacant.
void leave(World& w, std::uint32_t i);

// Job status change with its tallies and a fresh labour clock.
void set_job(World& w, std::uint32_t i, Job job);

// Attitude without dealing ties, from traits; depends on age through school attendance.
float baseline_attitude(const World& w, std::uint32_t i);

// (Re)builds the school and friendship ties of one cohort among its present youths and
// recounts their exposure in those layers.
void build_cohort_ties(World& w, int cohort);

// Joins youth i (entering dealing) to an open network of its territory; false when none is open.
bool join_network(World& w, std::uint32_t i);

// Orders candidates for scarce network places by a keyed random priority, so that no youth is
// favoured by its slot number.
void order_by_priority(const World& w, std::vector<Decision>& candidates);

// Index drawn with probability proportional to weights (all >= 0), or -1 when they sum to 0.
int weighted_index(const std::vector<double>& weights, double u);

// Slots below which decide() runs on the calling thread alone: a parallel region costs more
// than it saves on so little work. Results never depend on it (decisions are merged in order).
inline constexpr std::int64_t kMinParallelSlots = 8192;

// Runs body(begin, end, buffer) over contiguous slot ranges covering [0, n), in parallel over
// w.threads threads, and leaves the decisions in w.decisions in agent order. The slots are cut
// into a few chunks per thread (boundaries multiples of 64), each with its own buffer; threads
// take chunks as they become free (so that neither the age mix of the cohorts nor a busy core
// holds the others up) and the buffers are merged in chunk order, so the result is the same for
// any thread count and any schedule.
template <class Body>
const std::vector<Decision>& decide_ranges(World& w, Body&& body) {
  const auto n = static_cast<std::int64_t>(w.pop.size());
  const int threads = std::max(1, w.threads);
  if (threads == 1 || n < kMinParallelSlots) {
    w.decisions.clear();
    body(std::int64_t{0}, n, w.decisions);
    return w.decisions;
  }
  constexpr std::int64_t kChunksPerThread = 8;
  const std::int64_t chunk = std::max<std::int64_t>(
      4096, ((n + threads * kChunksPerThread - 1) / (threads * kChunksPerThread) + 63) / 64 * 64);
  const std::int64_t chunks = (n + chunk - 1) / chunk;
  if (static_cast<std::int64_t>(w.scratch.size()) < chunks) w.scratch.resize(chunks);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::int64_t c = 0; c < chunks; ++c) {
    auto& buffer = w.scratch[c];
    buffer.clear();
    body(c * chunk, std::min(n, (c + 1) * chunk), buffer);
  }
  w.decisions.clear();
  for (std::int64_t c = 0; c < chunks; ++c) {
    w.decisions.insert(w.decisions.end(), w.scratch[c].begin(), w.scratch[c].end());
  }
  return w.decisions;
}

// Runs fn(i, buffer) for every slot in parallel over w.threads threads, then merges the
// per-thread buffers into w.decisions in agent order, for any thread count.
template <class Fn>
const std::vector<Decision>& decide(World& w, Fn&& fn) {
  return decide_ranges(w, [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
    for (std::int64_t i = begin; i < end; ++i) fn(static_cast<std::uint32_t>(i), out);
  });
}

// As decide(), but fn is called (in agent order) only for slots whose state lies in [lo, hi]:
// blocks of 64 slots holding no such state are skipped with a vectorised scan of the state
// bytes, and the matching slots of the others are listed without branches. For processes that
// act on rare states (dealing, detention, relapse) this avoids touching other columns.
// The state ranges the processes pass to decide_states rely on this order.
static_assert(static_cast<int>(State::uninvolved) + 1 == static_cast<int>(State::at_risk) &&
                  static_cast<int>(State::at_risk) + 1 == static_cast<int>(State::runner) &&
                  static_cast<int>(State::runner) + 1 == static_cast<int>(State::dealer) &&
                  static_cast<int>(State::dealer) + 1 == static_cast<int>(State::detained) &&
                  static_cast<int>(State::detained) + 1 == static_cast<int>(State::released) &&
                  static_cast<int>(State::released) + 1 == static_cast<int>(State::desisted),
              "decide_states ranges assume the declaration order of State");
template <class Fn>
const std::vector<Decision>& decide_states(World& w, State lo, State hi, Fn&& fn) {
  const auto* state = reinterpret_cast<const std::uint8_t*>(w.pop.state.data());
  const auto first = static_cast<std::uint8_t>(lo);
  const auto span = static_cast<std::uint8_t>(static_cast<std::uint8_t>(hi) - first);
  return decide_ranges(w, [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
    std::int64_t i = begin;
    for (; i + 64 <= end; i += 64) {
      unsigned any = 0;
      for (int k = 0; k < 64; ++k) {
        any |= static_cast<std::uint8_t>(state[i + k] - first) <= span ? 1u : 0u;
      }
      if (!any) continue;
      // List the block's matching slots without branches, then visit them in order.
      std::uint8_t list[64];
      int m = 0;
      for (int k = 0; k < 64; ++k) {
        list[m] = static_cast<std::uint8_t>(k);
        m += static_cast<std::uint8_t>(state[i + k] - first) <= span ? 1 : 0;
      }
      for (int j = 0; j < m; ++j) fn(static_cast<std::uint32_t>(i + list[j]), out);
    }
    for (; i < end; ++i) {
      if (static_cast<std::uint8_t>(state[i] - first) <= span) fn(static_cast<std::uint32_t>(i), out);
    }
  });
}

// Probability-free firing: subtract this week's hazard from the remaining clock.
inline bool tick(float& clock, float hazard) {
  clock -= hazard;
  return clock <= 0.0f;
}

}  // namespace drift::detail
