#pragma once
// The processes of the weekly step, in the order step() calls them. Each reads the state as it
// was at the start of its phase, decides in parallel, and commits its decisions in agent order.
#include "drift/model/world.hpp"

namespace drift {

// Clears this week's flow tallies.
void begin_week(World& w);
// Once a year: everyone ages; the oldest cohort leaves and 12-year-olds take its slots; at 18
// youths arrive or leave so that each district matches its 18-26 band. Ties of a cohort are
// rebuilt when it enters and at 18.
void age_and_turn_over(World& w);
// Attitudes move towards a target that rises with weighted dealing ties.
void normalise_attitudes(World& w);
// uninvolved -> at_risk (onset) and at_risk -> uninvolved (recovery).
void onset_and_recovery(World& w);
// at_risk -> runner, into an open place of a network active in the youth's district.
void recruit(World& w);
// runner -> dealer (progression); runner/dealer -> desisted (desistance); network turnover.
void advance_careers(World& w);
// detained -> released (end of detention), released -> desisted (end of probation), and
// arrests of runners and dealers with their sanction: dismissal (keeps dealing, no record),
// settlement or community sanction (-> released, with a record), detention (-> detained).
void enforce(World& w);
// Registration as a suspect of a non-drug offence (observation only: no state changes).
void register_offending(World& w);
// Job finding (blocked in part by a record through the VOG) and job loss.
void labour_market(World& w);
// released/desisted -> runner, into an open network place.
void relapse(World& w);
// Network revenue of the week from its runners and dealers.
void tally_revenue(World& w);

// Weekly hazards, exposed for tests and documentation.
double onset_hazard(const World& w, std::uint32_t i);
double recovery_hazard(const World& w, std::uint32_t i);
double entry_hazard(const World& w, std::uint32_t i);
double desistance_hazard(const World& w, std::uint32_t i);
double progression_hazard(const World& w, std::uint32_t i);
double arrest_hazard(const World& w, std::uint32_t i);
double job_finding_hazard(const World& w, std::uint32_t i);
double relapse_hazard(const World& w, std::uint32_t i);
double offending_hazard(const World& w, std::uint32_t i);
// Relative registration rate at an age: 1 at offending.peak_age (logistic rise, then decline).
double offending_age_shape(const Parameters& p, int age);
// What an arrest leads to (docs/model.md, submodel "Sanctions"). Values are tallied in this
// order from Tally::dismissals on.
enum class Sanction : std::uint8_t { dismissal = 0, settlement, community, detention };
struct SanctionDraw {
  Sanction kind;
  std::uint16_t detention_weeks;  // weeks in detention (1 + geometric); 0 unless detention
};
// The sanction of youth i arrested this week, by its age (keyed: streams sanction and
// detention_length, this week, this youth).
SanctionDraw draw_sanction(const World& w, std::uint32_t i);
// Open share of network places in each area, from the networks active there.
void update_area_demand(World& w);

}  // namespace drift
