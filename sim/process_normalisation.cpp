#include <cmath>

#include "drift/processes.hpp"

namespace drift {

void normalise_attitudes(World& w) {
  const auto& np = w.params.normalisation;
  const auto n = static_cast<std::int64_t>(w.pop.size());
  auto& p = w.pop;
  const float rate = static_cast<float>(np.adjustment_rate);
  const bool multiplied = w.mult.active;
#pragma omp parallel for schedule(static) num_threads(w.threads)
  for (std::int64_t k = 0; k < n; ++k) {
    const auto i = static_cast<std::uint32_t>(k);
    if (p.state[i] == State::vacant) continue;
    // "Dealers are ordinary traders": the more dealing ties, the closer the target gets to 1.
    float target = p.baseline_attitude[i];
    if (p.dealing_neighbours[i] | p.dealing_schoolmates[i] | p.dealing_friends[i]) {
      const double e = w.weighted_exposure(i);
      target += (1.0f - target) * static_cast<float>(1.0 - std::exp(-np.exposure_sensitivity * e));
    }
    if (multiplied) target *= w.mult.attitude[i];
    p.attitude[i] += rate * (target - p.attitude[i]);
  }
}

}  // namespace drift
