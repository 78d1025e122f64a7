// Credible messengers: ex-offenders mentoring youths "with one foot in crime" (Utrecht 2021).
#include "delivery.hpp"

namespace drift::iv {
namespace {

Schema mentors_schema() {
  Schema s;
  s.type = "mentors";
  s.description =
      "Credible-messenger mentors (ex-offenders) with a caseload each, serving youths at risk or "
      "dealing for a fixed duration";
  s.top = caseload_fields(20, 5, 52, 26);
  s.eligibility = eligibility_fields({"at_risk", "runner", "dealer", "released"}, 12, 23);
  s.effects = {
      real("entry", 0.75, 0, 10, "hazard ratio",
           "assumption; mentoring delinquency d~0.21 (Tolan et al. 2013, Campbell SR 2013:10)",
           "Multiplier on the entry hazard of a mentored youth"),
      real("progression", 0.75, 0, 10, "hazard ratio", "assumption",
           "Multiplier on the runner-to-dealer hazard"),
      real("desistance", 1.5, 0, 10, "hazard ratio", "assumption",
           "Multiplier on the desistance hazard"),
      real("relapse", 0.6, 0, 10, "hazard ratio",
           "assumption; Arches (Lynch et al. 2018): felony reconviction -57% at 24 months (QED), "
           "other reconvictions n.s.",
           "Multiplier on the relapse hazard"),
      real("attitude", 0.9, 0, 10, "ratio", "assumption",
           "Multiplier on the attitude target (dealing looks less normal)"),
  };
  s.costs = cost_fields(1500, 0, 0, 0, 0);
  return s;
}

}  // namespace
}  // namespace drift::iv

DRIFT_REGISTER_INTERVENTION(
    mentors, drift::iv::make_type(drift::iv::mentors_schema(),
                                  [](const drift::iv::Values& v, std::uint32_t index,
                                     const std::vector<std::string>& areas) {
                                    return std::make_unique<drift::iv::CaseloadIntervention>(
                                        v, drift::iv::mentors_schema(), index, areas);
                                  }))
