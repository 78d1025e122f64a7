#pragma once
// Two worlds compared column by column, bit for bit, for tests that must show two ways of making
// a world give the same one.
#include <cstring>
#include <string>
#include <vector>

#include "drift/model/world.hpp"

namespace drift {

template <class T>
inline bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// Every column and table of two worlds, bit for bit; the first difference found, or "".
inline std::string first_difference(const World& a, const World& b) {
#define DRIFT_SAME(member) \
  if (!same_bytes(a.member, b.member)) return #member;
  DRIFT_SAME(pop.area)
  DRIFT_SAME(pop.cohort)
  DRIFT_SAME(pop.age)
  DRIFT_SAME(pop.school)
  DRIFT_SAME(pop.low_income)
  DRIFT_SAME(pop.risk)
  DRIFT_SAME(pop.attachment)
  DRIFT_SAME(pop.baseline_attitude)
  DRIFT_SAME(pop.attitude)
  DRIFT_SAME(pop.state)
  DRIFT_SAME(pop.job)
  DRIFT_SAME(pop.ever_dealt)
  DRIFT_SAME(pop.network)
  DRIFT_SAME(pop.last_arrest_week)
  DRIFT_SAME(pop.countdown)
  DRIFT_SAME(pop.clock_a)
  DRIFT_SAME(pop.clock_b)
  DRIFT_SAME(pop.clock_c)
  DRIFT_SAME(pop.clock_job)
  DRIFT_SAME(pop.clock_offence)
  DRIFT_SAME(pop.offence_hazard)
  DRIFT_SAME(pop.dealing_neighbours)
  DRIFT_SAME(pop.dealing_schoolmates)
  DRIFT_SAME(pop.dealing_friends)
  DRIFT_SAME(pop.recruiting_neighbours)
  DRIFT_SAME(pop.recruiting_schoolmates)
  DRIFT_SAME(pop.recruiting_friends)
  DRIFT_SAME(pop.market_role)
  DRIFT_SAME(pop.deterrence)
  DRIFT_SAME(pop.deterrence_week)
  DRIFT_SAME(pop.present_in_block)
  DRIFT_SAME(cohort_begin)
  DRIFT_SAME(block_begin)
  DRIFT_SAME(block_young)
  DRIFT_SAME(block_adult)
  DRIFT_SAME(birthday)
  DRIFT_SAME(birthday_begin)
  DRIFT_SAME(birthday_positions)
  DRIFT_SAME(networks.places)
  DRIFT_SAME(networks.members)
  DRIFT_SAME(networks.dealers)
  DRIFT_SAME(networks.capacity_factor)
  DRIFT_SAME(networks.capacity_offset)
  DRIFT_SAME(networks.territory_begin)
  DRIFT_SAME(networks.territory_areas)
  DRIFT_SAME(networks.revenue_week)
  DRIFT_SAME(networks.earnings_factor)
  DRIFT_SAME(networks.supply_members)
  DRIFT_SAME(networks.blocked)
  DRIFT_SAME(networks.area_network_begin)
  DRIFT_SAME(networks.area_networks)
  DRIFT_SAME(tallies)
  DRIFT_SAME(area_demand)
  DRIFT_SAME(area_supply)
  DRIFT_SAME(recruiters)
  DRIFT_SAME(recruiter_density)
#undef DRIFT_SAME
  if (a.networks.fixed_share != b.networks.fixed_share) return "networks.fixed_share";
  if (a.week != b.week || a.first_week != b.first_week) return "week";
  if (a.events.size() != b.events.size()) return "events";
  if (a.schools.size() != b.schools.size()) return "schools";
  auto same_layer = [](const SharedCsr& x, const SharedCsr& y) {
    return same_bytes(x->block_start, y->block_start) && same_bytes(x->within, y->within) &&
           same_bytes(x->narrow_targets, y->narrow_targets) &&
           same_bytes(x->wide_targets, y->wide_targets);
  };
  if (!same_layer(a.ties.neighbourhood, b.ties.neighbourhood)) return "ties.neighbourhood";
  if (a.ties.school.size() != b.ties.school.size()) return "ties.school";
  for (std::size_t c = 0; c < a.ties.school.size(); ++c) {
    if (!same_layer(a.ties.school[c], b.ties.school[c])) return "ties.school";
    if (!same_layer(a.ties.friendship[c], b.ties.friendship[c])) return "ties.friendship";
  }
  return "";
}

}  // namespace drift
