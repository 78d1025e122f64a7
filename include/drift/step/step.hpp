#pragma once
// One week of the model: the order of events, in one place.
#include <memory>
#include <vector>

#include "drift/step/intervention.hpp"
#include "drift/model/world.hpp"

namespace drift {

// Advances the world by one week. Interventions act first (they write multiplier columns), then
// the processes run in a fixed order. `log`, when given, receives one entry per intervention.
void step(World& w, const InterventionList& interventions = {},
          std::vector<InterventionWeek>* log = nullptr);

}  // namespace drift
