// School and youth-work prevention: youths roll into crime "in their own neighbourhood or via
// school" (Utrecht 2021; e.g. "Kapot Sterk" lessons).
#include "delivery.hpp"

namespace drift::iv {
namespace {

Schema prevention_schema() {
  Schema s;
  s.type = "prevention";
  s.description =
      "School and youth-work programmes lowering the attitude towards dealing and the onset and "
      "entry hazards of school-age youths reached";
  s.top = coverage_fields(0.5);
  s.eligibility = eligibility_fields({"uninvolved", "at_risk"}, 12, 17, "any", "at_school");
  s.effects = {
      real("attitude", 0.9, 0, 10, "ratio",
           "assumption; Good Behavior Game (Kellam et al. 2008): fewer drug disorders by 19-21, no "
           "effect size seen",
           "Multiplier on the attitude target of a reached youth"),
      real("onset", 0.85, 0, 10, "hazard ratio", "assumption", "Multiplier on the onset hazard"),
      real("entry", 0.9, 0, 10, "hazard ratio", "assumption", "Multiplier on the entry hazard"),
  };
  s.costs = coverage_cost_fields(2, 0, 0);
  return s;
}

}  // namespace
}  // namespace drift::iv

DRIFT_REGISTER_INTERVENTION(
    prevention, drift::iv::make_type(drift::iv::prevention_schema(),
                                     [](const drift::iv::Values& v, std::uint32_t index,
                                        const std::vector<std::string>& areas) {
                                       return std::make_unique<drift::iv::CoverageIntervention>(
                                           v, drift::iv::prevention_schema(), index, areas);
                                     }))
