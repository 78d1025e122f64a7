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

namespace {
// Slot i's occupant turns a year older in this week: it leaves, arrives or has its birthday, as
// `now` (detail::scheduled) says.
template <class Ledger>
void turn_year(World& w, Ledger& ledger, std::uint32_t i, detail::Occupancy now) {
  const bool here = w.pop.state[i] != State::vacant;
  if (!now.present) {
    // Turning max_age + 1, or moving away at 18.
    if (here) detail::leave(w, ledger, i);
  } else if (!here) {
    // A newcomer at min_age, or an arrival at 18, whose traits were drawn with its class.
    detail::enter_youth(w, ledger, i, now.age);
  } else {
    detail::have_birthday(w, ledger, i, now.age);
  }
}

// A youth who leaves while dealing, or holding a place or role in a network, changes the
// counts of its ties and its network's: not a change of its own slot only.
bool leaves_with_ties_to_update(const World& w, std::uint32_t i) {
  const auto& p = w.pop;
  return is_dealing(p.state[i]) || p.market_role[i] != 0 || p.network[i] != kNoNetwork;
}

// This week's birthdays, in slot order: cohorts in order, positions in order within each. With
// several threads each takes the birthdays of its chunks of slots (detail::for_each_chunk, the
// chunks of the other processes, whose columns its core holds) and changes only their slots,
// with their tallies and events kept per chunk and added in slot order afterwards; a youth who
// leaves with ties to update (rare) leaves after that, its event kept in its place. A birthday
// reads only its own slot and nothing another birthday writes, so this is the world, the
// tallies and the event list of the one-thread loop.
void birthdays(World& w, int day) {
  const auto first = w.birthday_begin[day];
  const auto last = w.birthday_begin[day + 1];
  const detail::SlotChunks cut = detail::slot_chunks(w);
  if (cut.threads == 1) {
    detail::WorldLedger ledger{w};
    for (int c = 0; c < w.cohorts(); ++c) {
      const auto base = w.cohort_begin[c];
      for (auto k = first; k < last; ++k) {
        const auto i = base + w.birthday_positions[k];
        turn_year(w, ledger, i, detail::scheduled(w, i, w.week));
      }
    }
    return;
  }
  const std::int64_t chunks = cut.chunks;
  auto& ledgers = detail::chunk_ledgers(chunks);
  // Departures left for after the pass, per chunk; kept as the ledgers are.
  static thread_local std::vector<std::vector<std::uint32_t>> kept_later;
  auto& later = kept_later;
  if (static_cast<std::int64_t>(later.size()) < chunks)
    later.resize(static_cast<std::size_t>(chunks));
  const auto* positions = w.birthday_positions.data();
  detail::for_each_chunk(chunks, cut.threads, [&](std::int64_t ch) {
    auto& ledger = ledgers[static_cast<std::size_t>(ch)];
    ledger.reset(w.areas.size());
    auto& deferred = later[static_cast<std::size_t>(ch)];
    deferred.clear();
    const auto lo = static_cast<std::uint32_t>(cut.begin(ch));
    const auto hi = static_cast<std::uint32_t>(cut.end(ch));
    for (int c = 0; c < w.cohorts(); ++c) {
      const auto base = w.cohort_begin[c];
      if (w.cohort_begin[c + 1] <= lo || base >= hi) continue;
      // The day's positions are in increasing order: those in [lo, hi) are one run of them.
      auto k = static_cast<std::uint32_t>(
          std::lower_bound(positions + first, positions + last, lo > base ? lo - base : 0) -
          positions);
      for (; k < last && base + positions[k] < hi; ++k) {
        const auto i = base + positions[k];
        const auto now = detail::scheduled(w, i, w.week);
        if (!now.present && w.pop.state[i] != State::vacant && leaves_with_ties_to_update(w, i)) {
          ledger.event(i, EventKind::left);
          deferred.push_back(i);
          continue;
        }
        turn_year(w, ledger, i, now);
      }
    }
  });
  detail::TallyLedger tallies{w};
  for (std::int64_t ch = 0; ch < chunks; ++ch) ledgers[static_cast<std::size_t>(ch)].add_to(w);
  for (std::int64_t ch = 0; ch < chunks; ++ch) {
    for (const auto i : later[static_cast<std::size_t>(ch)]) detail::leave(w, tallies, i);
  }
}
}  // namespace

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
  birthdays(w, day);
}

}  // namespace drift
