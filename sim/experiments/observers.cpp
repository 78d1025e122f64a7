#include "drift/experiments/observers.hpp"

#include <algorithm>

namespace drift {

SuspectCounter::SuspectCounter(const World& w, RunOutput& out)
    : out_(out),
      last_year_(w.pop.size(), kNoYear),
      last_drug_year_(w.pop.size(), kNoYear),
      last_dealing_year_(w.pop.size(), kNoYear),
      present_(static_cast<std::size_t>(std::max(0, out.ages)), 0.0) {
  count_present(w);
  // Youths already dealing when the record starts deal in its first year.
  if (out_.weeks > 0) count_dealing(w, 0, year_of_week(w.week));
}

void SuspectCounter::count_dealer(const World& w, std::uint32_t i, int week, std::int16_t year) {
  if (last_dealing_year_[i] == year) return;
  last_dealing_year_[i] = year;
  const int k = w.pop.age[i] - out_.min_age;
  if (k >= 0 && k < out_.ages)
    out_.new_dealing[static_cast<std::size_t>(week) * static_cast<std::size_t>(out_.ages) + k] += 1;
}

void SuspectCounter::count_dealing(const World& w, int week, std::int16_t year) {
  const auto& p = w.pop;
  for (std::uint32_t i = 0; i < p.size(); ++i) {
    if (is_dealing(p.state[i])) count_dealer(w, i, week, year);
  }
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
        last_dealing_year_[e.agent] = kNoYear;
        add_present(w.pop.age[e.agent], +1);
        break;
      case EventKind::started_dealing:
        count_dealer(w, e.agent, week, year);
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
  // Youths dealing at the end of a year's last week deal in the next year too: they are counted
  // in its first week (a youth who stops during that week has still dealt in it).
  const int next = week + 1;
  if (next % kWeeksPerYear == 0 && next < out_.weeks) count_dealing(w, next, year_of_week(next));
}

ReleaseLedgerObserver::ReleaseLedgerObserver(const World& w, RunOutput& out)
    : out_(out), pending_(w.pop.size(), kNever), pending_drug_(w.pop.size(), kNever) {}

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
    case Outcome::drug_reregistered:
      if (delay < 2 * kWeeksPerYear) l.drug_reregistered_104w[r] += 1;
      break;
    case Outcome::drug_left:
      if (delay < 2 * kWeeksPerYear) l.drug_censored_104w[r] += 1;
      break;
  }
}

void ReleaseLedgerObserver::observe(const World& w) {
  const int week = w.week - 1;  // step() has moved on
  for (const auto& e : w.events) {
    auto& pending = pending_[e.agent];
    auto& pending_drug = pending_drug_[e.agent];
    switch (e.kind) {
      case EventKind::released:
        pending = week;
        pending_drug = week;
        record(week, 0, Outcome::released);
        followups_.push_back({week, e.agent, true});
        break;
      case EventKind::registered:
      case EventKind::registered_drug:
        if (pending != kNever) record(pending, week - pending, Outcome::reregistered);
        pending = kNever;
        if (e.kind == EventKind::registered_drug && pending_drug != kNever) {
          record(pending_drug, week - pending_drug, Outcome::drug_reregistered);
          pending_drug = kNever;
        }
        break;
      case EventKind::left:
        // A release still waiting for a registration is censored when the youth leaves.
        if (pending != kNever) record(pending, week - pending, Outcome::left);
        pending = kNever;
        if (pending_drug != kNever) record(pending_drug, week - pending_drug, Outcome::drug_left);
        pending_drug = kNever;
        for (auto& f : followups_) {
          if (f.agent == e.agent) f.present = false;
        }
        break;
      case EventKind::entered:
        pending = kNever;
        pending_drug = kNever;
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
    if (p.state[i] == State::vacant) continue;
    if (pending_[i] != kNever) record(pending_[i], w.week - pending_[i], Outcome::left);
    if (pending_drug_[i] != kNever)
      record(pending_drug_[i], w.week - pending_drug_[i], Outcome::drug_left);
  }
}

}  // namespace drift
