#pragma once
// One week of the model: the order of events, in one place.
#include <memory>
#include <vector>

#include "drift/model/world.hpp"
#include "drift/step/intervention.hpp"

namespace drift {

// Advances the world by one week. Interventions act first (they write multiplier columns), then
// the processes run in a fixed order. `log`, when given, receives one entry per intervention.
void step(World& w, const InterventionList& interventions = {},
          std::vector<InterventionWeek>* log = nullptr);

// The opening of a week, as step() does it before the processes: the week's counters are reset,
// youths age and turn over, and the interventions act (multipliers and their log). step() is
// open_week() followed by the processes; `drift plan` calls it alone to see what the
// interventions would do in a week without simulating it. Does not advance w.week.
void open_week(World& w, const InterventionList& interventions = {},
               std::vector<InterventionWeek>* log = nullptr);

}  // namespace drift
