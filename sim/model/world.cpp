#include "drift/model/world.hpp"

#include <algorithm>
#include <cmath>

namespace drift {

float Networks::fixed_capacity(std::size_t n) const {
  // With fixed_share 1 and nothing blocked this is floor(places * capacity_factor) in float, as
  // before the market had these terms (x * 1.0f and x - 0.0f are exact).
  const float cap =
      std::floor(static_cast<float>(places[n]) * capacity_factor[n] * fixed_share - blocked[n]);
  return std::max(cap, 0.0f);
}

std::uint32_t Networks::open_places(std::size_t n) const {
  const auto cap = static_cast<std::uint32_t>(fixed_capacity(n));
  const auto fixed_members = members[n] - supply_members[n];
  return cap > fixed_members ? cap - fixed_members : 0;
}

World::World(const Parameters& p, std::vector<AreaSpec> area_specs, std::uint32_t replicate)
    : params(p),
      areas(std::move(area_specs)),
      rng(static_cast<std::uint32_t>(p.simulation.seed), replicate) {}

bool World::has_current_record(std::uint32_t i) const {
  const auto last = pop.last_arrest_week[i];
  if (last == kNever) return false;
  const int lookback = pop.age[i] < 23 ? params.enforcement.record_lookback_weeks_young
                                       : params.enforcement.record_lookback_weeks;
  return week - last < lookback;
}

double World::weighted_exposure(std::uint32_t i) const {
  double e = params.ties.neighbourhood_weight * pop.dealing_neighbours[i] +
             params.ties.friend_weight * pop.dealing_friends[i];
  if (at_school(i)) e += params.ties.school_weight * pop.dealing_schoolmates[i];
  return e;
}

std::size_t World::bytes() const {
  return pop.bytes() + mult.bytes() + ties.bytes() +
         networks.count() * (4 * sizeof(std::uint32_t) + 2 * sizeof(float) + sizeof(double) + 8);
}

}  // namespace drift
