#include "drift/model/world.hpp"

#include <algorithm>
#include <cmath>

namespace drift {

float Networks::fixed_capacity(std::size_t n) const {
  // Untouched (factor 1, every place fixed, nothing blocked): the places as they are, whatever
  // the offset.
  if (capacity_factor[n] == 1.0f && fixed_share == 1.0f && blocked[n] == 0.0f)
    return static_cast<float>(places[n]);
  const double x = static_cast<double>(places[n]) * capacity_factor[n] * fixed_share - blocked[n];
  return static_cast<float>(std::max(0.0, std::floor(x + capacity_offset[n])));
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

std::int32_t World::class_start(int cohort, std::int32_t week) const {
  // Cohort c holds the class whose first school year y satisfies y = c (mod cohorts).
  const std::int32_t year = (week - week_of_school_year(week)) / kWeeksPerYear;
  const int n = cohorts();
  const int back = (((year - cohort) % n) + n) % n;
  return (year - back) * kWeeksPerYear;
}

bool World::has_current_record(std::uint32_t i) const {
  const auto last = pop.last_arrest_week[i];
  if (last == kNever) return false;
  const int lookback = pop.age[i] < kYoungRecordAge ? params.enforcement.record_lookback_weeks_young
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
