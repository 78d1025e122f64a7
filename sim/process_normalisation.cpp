#include <algorithm>
#include <cmath>

#include "drift/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

void normalise_attitudes(World& w) {
  const auto& np = w.params.normalisation;
  const auto& tp = w.params.ties;
  const auto n = static_cast<std::int64_t>(w.pop.size());
  auto& p = w.pop;
  const float rate = static_cast<float>(np.adjustment_rate);
  const bool multiplied = w.mult.active;
  const double sensitivity = np.exposure_sensitivity;
  const double neighbour_weight = tp.neighbourhood_weight;
  const double friend_weight = tp.friend_weight;
  const double school_weight = tp.school_weight;
  const int leaving_age = w.params.population.school_leaving_age;
  const State* state = p.state.data();
  const std::uint16_t* dn = p.dealing_neighbours.data();
  const std::uint16_t* ds = p.dealing_schoolmates.data();
  const std::uint16_t* df = p.dealing_friends.data();
  const float* baseline = p.baseline_attitude.data();
  const float* mult = w.mult.attitude.data();
  float* attitude = p.attitude.data();

  // Youths with dealing ties: the target rises with their weighted exposure
  // (World::weighted_exposure, written out so that it inlines).
  auto exposed = [&](std::int64_t i) {
    // "Dealers are ordinary traders": the more dealing ties, the closer the target gets to 1.
    float target = baseline[i];
    double e = neighbour_weight * dn[i] + friend_weight * df[i];
    if (p.age[i] < leaving_age) e += school_weight * ds[i];
    target += (1.0f - target) * static_cast<float>(1.0 - std::exp(-sensitivity * e));
    if (multiplied) target *= mult[i];
    attitude[i] += rate * (target - attitude[i]);
  };

  // Blocks of 64 slots: first every youth without dealing ties (target = baseline, a branch-free
  // loop the compiler vectorises), then the few with ties. Each slot is updated once, with the
  // same float operations as the one-slot-at-a-time formula.
  const std::int64_t blocks = (n + 63) / 64;
  const int threads = n < detail::kMinParallelSlots ? 1 : std::max(1, w.threads);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::int64_t begin = b * 64;
    const std::int64_t end = std::min(n, begin + 64);
    unsigned with_ties = 0;
    if (multiplied) {
      for (std::int64_t i = begin; i < end; ++i) {
        const bool ties = (dn[i] | ds[i] | df[i]) != 0;
        const bool plain = state[i] != State::vacant && !ties;
        with_ties |= (state[i] != State::vacant && ties) ? 1u : 0u;
        const float target = baseline[i] * mult[i];
        const float next = attitude[i] + rate * (target - attitude[i]);
        attitude[i] = plain ? next : attitude[i];
      }
    } else {
      for (std::int64_t i = begin; i < end; ++i) {
        const bool ties = (dn[i] | ds[i] | df[i]) != 0;
        const bool plain = state[i] != State::vacant && !ties;
        with_ties |= (state[i] != State::vacant && ties) ? 1u : 0u;
        const float next = attitude[i] + rate * (baseline[i] - attitude[i]);
        attitude[i] = plain ? next : attitude[i];
      }
    }
    if (!with_ties) continue;
    for (std::int64_t i = begin; i < end; ++i) {
      if (state[i] != State::vacant && (dn[i] | ds[i] | df[i]) != 0) exposed(i);
    }
  }
}

}  // namespace drift
