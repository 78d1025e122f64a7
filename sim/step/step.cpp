#include "drift/step/step.hpp"

#include <algorithm>
#include <chrono>

#include "drift/step/processes.hpp"
#include "drift/step/profile.hpp"

namespace drift {

namespace {

using profile::Section;

std::int64_t youths_present(const World& w) {
  std::int64_t n = 0;
  for (std::size_t a = 0; a < w.areas.size(); ++a) {
    for (int s = 0; s < kStateCount; ++s) n += w.tally(static_cast<int>(a), static_cast<Tally>(s));
  }
  return n;
}

// Runs one process, timed into its section when the profile is on.
void run(Section section, void (*process)(World&), World& w) {
  const profile::Scope timed(section);
  process(w);
}

void apply_interventions(World& w, const InterventionList& interventions,
                         std::vector<InterventionWeek>* log) {
  const profile::Scope timed(Section::interventions);
  // Columns are rebuilt every week from the interventions in force, so an intervention that
  // ends leaves no trace, and a strategy without interventions never touches them.
  w.mult.reset();
  std::fill(w.networks.capacity_factor.begin(), w.networks.capacity_factor.end(), 1.0f);
  std::fill(w.networks.earnings_factor.begin(), w.networks.earnings_factor.end(), 1.0f);
  if (log) log->assign(interventions.size(), InterventionWeek{});
  const bool profiled = profile::timing();
  for (std::size_t k = 0; k < interventions.size(); ++k) {
    const auto start =
        profiled ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    const auto week = interventions[k]->apply(w, w.week);
    if (profiled)
      profile::add_intervention(profile::intervention_label(k),
                                std::chrono::steady_clock::now() - start);
    if (log) (*log)[k] = week;
  }
}

}  // namespace

void open_week(World& w, const InterventionList& interventions,
               std::vector<InterventionWeek>* log) {
  run(Section::begin_week, begin_week, w);
  run(Section::age_and_turn_over, age_and_turn_over, w);
  apply_interventions(w, interventions, log);
}

void step(World& w, const InterventionList& interventions, std::vector<InterventionWeek>* log) {
  if (profile::enabled()) profile::add_youth_weeks(youths_present(w));
  open_week(w, interventions, log);
  run(Section::normalise_attitudes, normalise_attitudes, w);
  run(Section::onset_and_recovery, onset_and_recovery, w);
  run(Section::recruit, recruit, w);
  run(Section::advance_careers, advance_careers, w);
  run(Section::enforce, enforce, w);
  run(Section::register_offending, register_offending, w);
  run(Section::labour_market, labour_market, w);
  run(Section::relapse, relapse, w);
  run(Section::tally_revenue, tally_revenue, w);
  ++w.week;
}

}  // namespace drift
