#pragma once
// Observers of a run: they read the world and the week's transition events (World::events) after
// each step and write the run's record, so that the model holds no observation state.
//   SuspectCounter  registered suspects by single year of age (each youth once per simulated
//                   year; any offence, and dealing), the youths present by age and the youths
//                   who dealt in the year (each once per simulated year)
//   ReleaseLedger   what became of each week's releases from detention: the first
//                   registration afterwards (or leaving first), the first registration for
//                   dealing afterwards, and the job 13 weeks later
// Both start at week 0 (the end of the burn-in): every simulated year of the record begins at or
// after it, so nothing from the burn-in would count.
#include <cstdint>
#include <vector>

#include "drift/model/world.hpp"
#include "drift/results/run_output.hpp"

namespace drift {

inline constexpr int kFollowupWeeks = 13;

class SuspectCounter {
 public:
  // `out` must have its age arrays sized (weeks x ages).
  SuspectCounter(const World& w, RunOutput& out);
  void observe(const World& w);  // after step()

 private:
  void count_present(const World& w);
  void add_present(int age, int delta);
  // Counts every youth dealing now as dealing in `year`, in row `week` of the record.
  void count_dealing(const World& w, int week, std::int16_t year);
  void count_dealer(const World& w, std::uint32_t i, int week, std::int16_t year);
  RunOutput& out_;
  std::vector<std::int16_t> last_year_, last_drug_year_;  // per slot, kNoYear before any
  std::vector<std::int16_t> last_dealing_year_;           // per slot, kNoYear before any
  std::vector<double> present_;                           // per age of the record
};

class ReleaseLedgerObserver {
 public:
  // `out` must have its ledger sized to its weeks.
  ReleaseLedgerObserver(const World& w, RunOutput& out);
  void observe(const World& w);  // after step()
  // At the end of the horizon, releases still waiting for a registration are censored.
  void finish(const World& w);

 private:
  enum class Outcome : std::uint8_t {
    released,
    reregistered,
    left,
    followed_13w,
    followed_13w_job,
    drug_reregistered,
    drug_left
  };
  void record(std::int32_t release_week, std::int32_t delay, Outcome what);
  struct Followup {
    std::int32_t release_week;
    std::uint32_t agent;
    bool present;  // false once the youth has left the model
  };
  RunOutput& out_;
  std::vector<std::int32_t> pending_;  // per slot: last release not yet followed by a registration
  std::vector<std::int32_t> pending_drug_;  // the same for a registration for dealing
  std::vector<Followup> followups_;         // in release order
};

}  // namespace drift
