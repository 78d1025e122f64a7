#include "drift/experiments/observers.hpp"

#include <algorithm>

namespace drift {

SuspectCounter::SuspectCounter(const World& w, RunOutput& out)
    : out_(out),
      last_year_(w.pop.size(), kNoYear),
      last_drug_year_(w.pop.size(), kNoYear),
      present_(static_cast<std::size_t>(std::max(0, out.ages)), 0.0) {
  count_present(w);
}

void SuspectCounter::count_present(const World& w) {
  std::fill(present_.begin(), present_.end(), 0.0);
  const auto& p = w.pop;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p.state[i] != State::vacant) add_present(p.age[i], +1);
  }
}

void SuspectCounter::add_present(int age, int delta) {
  const int k = age - out_.min_age;
  if (k >= 0 && k < out_.ages) present_[k] += delta;
}

void SuspectCounter::observe(const World& w) {
  const int week = w.week - 1;  // step() has moved on
  const std::int16_t year = year_of_week(week);
  const auto row = static_cast<std::size_t>(week) * static_cast<std::size_t>(out_.ages);
  for (const auto& e : w.events) {
    switch (e.kind) {
      // Ages present are kept up to date from the week's arrivals, departures and birthdays:
      // a slot's age is the youth's age at the event (nobody has two of them in one week).
      case EventKind::entered:
        last_year_[e.agent] = kNoYear;
        last_drug_year_[e.agent] = kNoYear;
        add_present(w.pop.age[e.agent], +1);
        break;
      case EventKind::left:
        add_present(w.pop.age[e.agent], -1);
        break;
      case EventKind::birthday:
        add_present(w.pop.age[e.agent] - 1, -1);
        add_present(w.pop.age[e.agent], +1);
        break;
      case EventKind::registered:
      case EventKind::registered_drug: {
        const int k = w.pop.age[e.agent] - out_.min_age;
        const bool counted = k >= 0 && k < out_.ages;
        if (last_year_[e.agent] != year) {
          last_year_[e.agent] = year;
          if (counted) out_.new_suspects[row + k] += 1;
        }
        if (e.kind == EventKind::registered_drug && last_drug_year_[e.agent] != year) {
          last_drug_year_[e.agent] = year;
          if (counted) out_.new_drug_suspects[row + k] += 1;
        }
        break;
      }
      default:
        break;
    }
  }
  std::copy(present_.begin(), present_.end(),
            out_.present_by_age.begin() + static_cast<std::ptrdiff_t>(row));
}

ReleaseLedgerObserver::ReleaseLedgerObserver(const World& w, RunOutput& out)
    : out_(out), pending_(w.pop.size(), kNever) {}

void ReleaseLedgerObserver::record(std::int32_t release_week, std::int32_t delay, Outcome what) {
  if (release_week < 0 || release_week >= out_.weeks) return;
  auto& l = out_.ledger;
  const auto r = static_cast<std::size_t>(release_week);
  switch (what) {
    case Outcome::released:
      l.releases[r] += 1;
      break;
    case Outcome::reregistered:
      if (delay < kWeeksPerYear) l.reregistered_52w[r] += 1;
      if (delay < 2 * kWeeksPerYear) l.reregistered_104w[r] += 1;
      break;
    case Outcome::left:
      if (delay < kWeeksPerYear) l.censored_52w[r] += 1;
      if (delay < 2 * kWeeksPerYear) l.censored_104w[r] += 1;
      break;
    case Outcome::followed_13w_job:
      l.job_13w[r] += 1;
      [[fallthrough]];
    case Outcome::followed_13w:
      l.followed_13w[r] += 1;
      break;
  }
}

void ReleaseLedgerObserver::observe(const World& w) {
  const int week = w.week - 1;  // step() has moved on
  for (const auto& e : w.events) {
    auto& pending = pending_[e.agent];
    switch (e.kind) {
      case EventKind::released:
        pending = week;
        record(week, 0, Outcome::released);
        followups_.push_back({week, e.agent, true});
        break;
      case EventKind::registered:
      case EventKind::registered_drug:
        if (pending != kNever) record(pending, week - pending, Outcome::reregistered);
        pending = kNever;
        break;
      case EventKind::left:
        // A release still waiting for a registration is censored when the youth leaves.
        if (pending != kNever) record(pending, week - pending, Outcome::left);
        pending = kNever;
        for (auto& f : followups_) {
          if (f.agent == e.agent) f.present = false;
        }
        break;
      case EventKind::entered:
        pending = kNever;
        break;
      default:
        break;
    }
  }
  // The job of youths released 13 weeks ago, at the end of this week.
  std::size_t done = 0;
  for (const auto& f : followups_) {
    if (f.release_week + kFollowupWeeks > week) break;  // in release order
    ++done;
    if (!f.present) continue;
    const bool job = w.pop.job[f.agent] != Job::none;
    record(f.release_week, week - f.release_week,
           job ? Outcome::followed_13w_job : Outcome::followed_13w);
  }
  followups_.erase(followups_.begin(), followups_.begin() + static_cast<std::ptrdiff_t>(done));
}

void ReleaseLedgerObserver::finish(const World& w) {
  const auto& p = w.pop;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto r = pending_[i];
    if (r == kNever || p.state[i] == State::vacant) continue;
    record(r, w.week - r, Outcome::left);
  }
}

}  // namespace drift
