#pragma once
// One week of the model: the order of events, in one place.
#include <memory>
#include <vector>

#include "drift/interventions.hpp"
#include "drift/world.hpp"

namespace drift {

using InterventionList = std::vector<std::unique_ptr<Intervention>>;

// Advances the world by one week. Interventions act first (they write multiplier columns), then
// the processes run in a fixed order. `log`, when given, receives one entry per intervention.
void step(World& w, const InterventionList& interventions = {},
          std::vector<InterventionWeek>* log = nullptr);

}  // namespace drift
