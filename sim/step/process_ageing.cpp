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
  // The world is built as it stands after the birthdays of its first week.
  if (w.week == w.first_week) return;
  const int day = week_of_school_year(w.week);
  if (day == 0) {
    // A school year starts: the class that turns min_age in it forms, and the class that turns
    // 18 in it forms again with the youths who will arrive at 18.
    const std::int32_t adult_after = (kAdultBandAge - w.params.population.min_age) * kWeeksPerYear;
    for (int c = 0; c < w.cohorts(); ++c) {
      const auto start = w.class_start(c, w.week);
      if (start == w.week) detail::form_class(w, c, w.week, false);
      if (start + adult_after == w.week) detail::form_class(w, c, w.week, true);
    }
  }
  // This week's birthdays, in slot order: cohorts in order, positions in order within each.
  const auto first = w.birthday_begin[day];
  const auto last = w.birthday_begin[day + 1];
  for (int c = 0; c < w.cohorts(); ++c) {
    const auto base = w.cohort_begin[c];
    for (auto k = first; k < last; ++k) {
      const auto i = base + w.birthday_positions[k];
      const auto now = detail::scheduled(w, i, w.week);
      const bool here = w.pop.state[i] != State::vacant;
      if (!now.present) {
        // Turning max_age + 1, or moving away at 18.
        if (here) detail::leave(w, i);
      } else if (!here) {
        // A newcomer at min_age, or an arrival at 18, whose traits were drawn with its class.
        detail::enter_youth(w, i, now.age);
      } else {
        detail::have_birthday(w, i, now.age);
      }
    }
  }
}

}  // namespace drift
