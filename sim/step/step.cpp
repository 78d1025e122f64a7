#include "drift/step/step.hpp"

#include <algorithm>

#include "drift/step/processes.hpp"

namespace drift {

namespace {
void apply_interventions(World& w, const InterventionList& interventions,
                         std::vector<InterventionWeek>* log) {
  // Columns are rebuilt every week from the interventions in force, so an intervention that
  // ends leaves no trace, and a strategy without interventions never touches them.
  w.mult.reset();
  std::fill(w.networks.capacity_factor.begin(), w.networks.capacity_factor.end(), 1.0f);
  std::fill(w.networks.earnings_factor.begin(), w.networks.earnings_factor.end(), 1.0f);
  if (log) log->assign(interventions.size(), InterventionWeek{});
  for (std::size_t k = 0; k < interventions.size(); ++k) {
    const auto week = interventions[k]->apply(w, w.week);
    if (log) (*log)[k] = week;
  }
}
}  // namespace

void open_week(World& w, const InterventionList& interventions,
               std::vector<InterventionWeek>* log) {
  begin_week(w);
  age_and_turn_over(w);
  apply_interventions(w, interventions, log);
}

void step(World& w, const InterventionList& interventions, std::vector<InterventionWeek>* log) {
  open_week(w, interventions, log);
  normalise_attitudes(w);
  onset_and_recovery(w);
  recruit(w);
  advance_careers(w);
  enforce(w);
  register_offending(w);
  labour_market(w);
  relapse(w);
  tally_revenue(w);
  ++w.week;
}

}  // namespace drift
