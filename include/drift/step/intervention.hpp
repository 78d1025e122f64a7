#pragma once
// The one interface through which interventions act on the weekly step: each week, before the
// processes, an intervention writes hazard multipliers (World::mult) and network factors. The
// processes read those columns and know nothing of intervention types.
#include <cstdint>
#include <memory>
#include <vector>

#include "drift/model/world.hpp"

namespace drift {

// What an intervention did in one week (recorded per strategy and replicate).
struct InterventionWeek {
  double eligible = 0;   // youths meeting the eligibility rule
  double enrolled = 0;   // youths taken in this week
  double served = 0;     // youths being served (or covered) this week
  double waiting = 0;    // eligible youths on the waiting list
  double capacity = 0;   // places available this week
  double cost = 0;       // euro spent this week
  double mean_wait = 0;  // mean weeks waited by the youths taken in this week
};

class Intervention {
 public:
  virtual ~Intervention() = default;
  // Called at the start of each recorded week, before the processes; writes multipliers.
  virtual InterventionWeek apply(World& world, int week) = 0;
  // Fixed cost charged once per run (set-up), euro.
  virtual double fixed_cost() const { return 0.0; }
};

using InterventionList = std::vector<std::unique_ptr<Intervention>>;

}  // namespace drift
