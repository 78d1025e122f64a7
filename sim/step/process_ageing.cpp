#include <algorithm>

#include "drift/step/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

void begin_week(World& w) {
  for (std::size_t a = 0; a < w.areas.size(); ++a) {
    for (int t = kFirstFlowTally; t < kTallyCount; ++t)
      w.tally(static_cast<int>(a), static_cast<Tally>(t)) = 0;
  }
  w.events.clear();
}

void age_and_turn_over(World& w) {
  const int elapsed = w.week - w.first_week;
  if (elapsed == 0 || elapsed % 52 != 0) return;
  const auto& pp = w.params.population;
  const int nareas = static_cast<int>(w.areas.size());
  struct PlainCohort {
    std::uint32_t first, last;
    int age;
  };
  std::vector<PlainCohort> plain_cohorts;
  for (int c = 0; c < w.cohorts(); ++c) {
    // Every slot of a cohort has the same age; find it from any block of the cohort.
    const int years = elapsed / 52;
    const int age = pp.min_age + (c + years) % w.cohorts();
    bool rebuild = false;
    bool plain = false;
    for (int a = 0; a < nareas; ++a) {
      const auto b = static_cast<std::size_t>(c) * nareas + a;
      const auto begin = w.block_begin[b];
      const auto end = w.block_begin[b + 1];
      if (age == pp.min_age) {
        // The oldest cohort leaves; a new cohort of 12-year-olds takes its slots.
        for (auto i = begin; i < end; ++i) detail::leave(w, i);
        for (auto i = begin; i < begin + w.block_young[b]; ++i) detail::enter_youth(w, i, age);
        rebuild = true;
      } else if (age == kAdultBandAge) {
        // Arrivals and departures at 18 bring the district to its 18-26 band.
        for (auto i = begin; i < end; ++i) {
          const auto rank = i - begin;
          if (rank >= w.block_adult[b]) {
            detail::leave(w, i);
          } else if (w.pop.state[i] == State::vacant) {
            detail::enter_youth(w, i, age);
          } else {
            w.pop.age[i] = static_cast<std::uint8_t>(age);
            w.pop.baseline_attitude[i] = detail::baseline_attitude(w, i);
            detail::refresh_offence_hazard(w, i);
          }
        }
        rebuild = true;
      } else {
        // Plain birthdays are done below, in parallel, for all such cohorts at once.
        plain = true;
      }
    }
    if (plain) plain_cohorts.push_back({w.cohort_begin[c], w.cohort_begin[c + 1], age});
    if (rebuild) detail::build_cohort_ties(w, c);
  }
  // A plain birthday touches only the youth's own age, baseline attitude and registration
  // hazard (which depend on its own traits), so the slots are independent of each other and of the
  // cohorts above.
  const int threads = std::max(1, w.threads);
  for (const auto& pc : plain_cohorts) {
    const auto first = static_cast<std::int64_t>(pc.first);
    const auto last = static_cast<std::int64_t>(pc.last);
    const auto age = static_cast<std::uint8_t>(pc.age);
#pragma omp parallel for schedule(static) \
    num_threads(threads) if (threads > 1 && last - first >= 4096)
    for (std::int64_t k = first; k < last; ++k) {
      const auto i = static_cast<std::uint32_t>(k);
      if (w.pop.state[i] == State::vacant) continue;
      w.pop.age[i] = age;
      w.pop.baseline_attitude[i] = detail::baseline_attitude(w, i);
      detail::refresh_offence_hazard(w, i);
    }
  }
  w.events.push_back({0, EventKind::aged});
}

}  // namespace drift
