#pragma once
// Everything one run (one strategy, one replicate) evolves: population, ties, networks, hazard
// multipliers and the week's tallies. Built by build_world and advanced by step (step part).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "drift/model/areas.hpp"
#include "drift/model/class_ties.hpp"
#include "drift/model/events.hpp"
#include "drift/model/parameters.hpp"
#include "drift/model/population.hpp"
#include "drift/model/rng.hpp"
#include "drift/model/ties.hpp"

namespace drift {

struct School {
  std::uint8_t area;
};

struct Networks {
  std::vector<std::uint32_t> places;           // places for youths
  std::vector<std::uint32_t> members;          // youths currently dealing for it
  std::vector<std::uint32_t> dealers;          // of whom dealers (the rest are runners)
  std::vector<float> capacity_factor;          // set by interventions; 1 = no change
  std::vector<double> capacity_offset;         // keyed uniform in (0, 1): see fixed_capacity()
  std::vector<std::uint32_t> territory_begin;  // CSR over territory_areas, size count + 1
  std::vector<std::uint8_t> territory_areas;
  std::vector<double> revenue_week;    // euro turned over this week
  std::vector<float> earnings_factor;  // set by interventions; 1 = no change
  // Of the members, those holding a place they brought (market.replacement < 1): such a place
  // is withdrawn when its holder leaves, and is not counted in `places`.
  std::vector<std::uint32_t> supply_members;
  // Places blocked by arrests of members (market.disruption_share), recovering over time.
  std::vector<float> blocked;
  // Share of `places` that stay open when vacated (market.replacement).
  float fixed_share = 1.0f;
  // Networks active in each area: CSR over area_networks, size areas + 1.
  std::vector<std::uint32_t> area_network_begin;
  std::vector<std::uint16_t> area_networks;
  std::size_t count() const { return places.size(); }
  // Places that stay open when vacated (market.replacement), after interventions and
  // disruption: places x capacity_factor x fixed_share - blocked, rounded by the network's fixed
  // offset, floor(x + offset), so that the mean over replicates is x (no bias towards fewer
  // places at a small population_scale) and the capacity never rises as the factor falls.
  float fixed_capacity(std::size_t n) const;
  // Fixed places not taken by a member (members holding a place they brought excluded).
  std::uint32_t open_places(std::size_t n) const;
};

// Counts kept per area and updated on every transition, so recording a week is O(areas).
enum class Tally : std::uint8_t {
  // stocks
  uninvolved = 0,
  at_risk,
  runner,
  dealer,
  detained,
  released,
  desisted,
  employed,
  status_job,
  record,
  // flows this week
  new_entries,
  entries,
  relapses,
  arrests,
  releases,
  desistances,
  jobs_found,
  // what this week's arrests led to (sanctions; they sum to arrests)
  dismissals,
  settlements,
  community_sanctions,
  detentions,
  // entries into dealing this week by the way the youth was reached (they sum to entries)
  entries_walk_in,
  entries_district,
  entries_neighbourhood,
  entries_school,
  entries_friendship,
  places_brought,  // entries (first, again or relapse) with a place the youth brought
  count_
};
inline constexpr int kTallyCount = static_cast<int>(Tally::count_);
inline constexpr int kFirstFlowTally = static_cast<int>(Tally::new_entries);

// A decision taken in a process's parallel phase, applied in agent order in its commit phase.
struct Decision {
  std::uint32_t agent;
  std::uint32_t what;  // process-specific
};

inline constexpr int kWeeksPerYear = 52;

// Simulated year of a week: week / 52 rounded down (negative during burn-in).
inline std::int16_t year_of_week(std::int32_t week) {
  return static_cast<std::int16_t>(week >= 0 ? week / kWeeksPerYear
                                             : -((-week + kWeeksPerYear - 1) / kWeeksPerYear));
}

// Age from which the data's adult band (youth_18_26) applies; youths arrive or leave then.
inline constexpr int kAdultBandAge = 18;

// Week of the school year (0 to 51) of a simulation week. Week 0 of the recorded horizon, and
// every 52nd week before and after it, is the first week of a school year.
inline int week_of_school_year(std::int32_t week) {
  return ((week % kWeeksPerYear) + kWeeksPerYear) % kWeeksPerYear;
}

struct World {
  Parameters params;
  std::vector<AreaSpec> areas;
  std::vector<School> schools;
  // Slot range of each cohort, size cohorts + 1. A cohort holds one school class (youths who
  // turn min_age in the same school year) at a time; there is one cohort more than there are
  // ages, so the class leaving at max_age and the class arriving at min_age never share one.
  std::vector<std::uint32_t> cohort_begin;
  // Slots of cohort c in area a: [block_begin[c * areas + a], block_begin[c * areas + a + 1]).
  std::vector<std::uint32_t> block_begin;
  std::vector<std::uint32_t> block_young;  // slots occupied while the cohort is under 18
  std::vector<std::uint32_t> block_adult;  // slots occupied from 18
  // Every cohort has the same layout, so a slot's position in its cohort (slot - cohort_begin)
  // fixes its area, its rank in the block and its birthday: the week of the school year (0-51)
  // in which its occupant has its birthday, the same for every class that occupies the slot.
  std::vector<std::uint8_t> birthday;
  // Positions of each birthday week, in increasing order: birthday_positions[birthday_begin[d] ..
  // birthday_begin[d + 1]) have their birthday in week d of the school year.
  std::vector<std::uint32_t> birthday_begin;
  std::vector<std::uint32_t> birthday_positions;
  Population pop;
  Ties ties;
  Networks networks;
  Multipliers mult;
  Rng rng;
  int threads = 1;
  // Where the strategies of one replicate share the tie layers of the classes formed in their
  // runs (class_ties.hpp); null: every class is drawn here. Not owned.
  ClassTieCache* class_ties = nullptr;
  int week = 0;  // the week being simulated; negative during burn-in
  // tallies[area * kTallyCount + tally]
  std::vector<std::int64_t> tallies;
  // This week's transition events, in commit order (events.hpp); cleared by begin_week.
  std::vector<Event> events;
  // Area recruitment demand this week: open share of the places of networks active there.
  std::vector<float> area_demand;
  // Area supply-driven entry: mean capacity factor of the networks active there (0 without any).
  std::vector<float> area_supply;
  // Recruiters living in each area (a stock, kept with the market role) and, updated weekly,
  // recruiters per 1,000 youths of the area.
  std::vector<std::int64_t> recruiters;
  std::vector<float> recruiter_density;
  std::int32_t first_week = 0;  // week at which the run started (start of burn-in)
  // Scratch for the decide/commit phases: one buffer per thread, merged in agent order.
  std::vector<std::vector<Decision>> scratch;
  std::vector<Decision> decisions;

  World(const Parameters& p, std::vector<AreaSpec> area_specs, std::uint32_t replicate);
  std::int64_t& tally(int area, Tally t) {
    return tallies[static_cast<std::size_t>(area) * kTallyCount + static_cast<int>(t)];
  }
  std::int64_t tally(int area, Tally t) const {
    return tallies[static_cast<std::size_t>(area) * kTallyCount + static_cast<int>(t)];
  }
  int cohorts() const { return static_cast<int>(cohort_begin.size()) - 1; }
  // First week of the school year in which the class now in `cohort` turned (or turns)
  // min_age: its occupant of position k turns min_age + n in week class_start + birthday[k] + 52 n.
  std::int32_t class_start(int cohort, std::int32_t week) const;
  std::uint8_t birthday_of(std::uint32_t i) const {
    return birthday[i - cohort_begin[pop.cohort[i]]];
  }
  bool at_school(std::uint32_t i) const {
    return pop.age[i] < params.population.school_leaving_age;
  }
  // A record counts as current for enforcement.record_lookback_weeks_young weeks below
  // kYoungRecordAge, for enforcement.record_lookback_weeks from it (Justis' VOG screening).
  static constexpr int kYoungRecordAge = 23;
  bool has_current_record(std::uint32_t i) const;
  double weighted_exposure(std::uint32_t i) const;
  std::size_t bytes() const;
};

}  // namespace drift
