#pragma once
// Commit-phase operations shared by the weekly processes. Each keeps the incremental state
// (tallies, exposure counts, network membership, clocks) consistent with the youth's state.
#include <omp.h>

#include <cstdint>

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

// Runs fn(i, buffer) for every slot in parallel over w.threads threads, then merges the
// per-thread buffers into w.decisions. The static schedule gives each thread one contiguous
// chunk in thread order, so the merged decisions are in agent order for any thread count.
template <class Fn>
const std::vector<Decision>& decide(World& w, Fn&& fn) {
  const auto n = static_cast<std::int64_t>(w.pop.size());
  const int threads = std::max(1, w.threads);
  if (static_cast<int>(w.scratch.size()) < threads) w.scratch.resize(threads);
#pragma omp parallel num_threads(threads)
  {
    auto& buffer = w.scratch[omp_get_thread_num()];
    buffer.clear();
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) fn(static_cast<std::uint32_t>(i), buffer);
  }
  w.decisions.clear();
  for (int t = 0; t < threads; ++t) {
    w.decisions.insert(w.decisions.end(), w.scratch[t].begin(), w.scratch[t].end());
  }
  return w.decisions;
}

// Probability-free firing: subtract this week's hazard from the remaining clock.
inline bool tick(float& clock, float hazard) {
  clock -= hazard;
  return clock <= 0.0f;
}

}  // namespace drift::detail
