// Relaxing the certificate-of-conduct (VOG) barrier "under certain conditions" (Utrecht 2021).
#include "delivery.hpp"

namespace drift::iv {
namespace {

Schema vog_schema() {
  Schema s;
  s.type = "vog_relaxation";
  s.description =
      "From its start week, a current record no longer closes part of the VOG-requiring jobs to "
      "youths who meet the conditions";
  s.top = coverage_fields(1.0);
  s.top.push_back(integer("clean_weeks", 26, 0, 1040, "week",
                          "Condition: no arrest in at least this many weeks"));
  s.top.push_back(choice("requires_coaching", {"no", "yes"},
                         "Condition: only youths served by a job coach this week (list the "
                         "job_coaches intervention before this one)"));
  s.eligibility = eligibility_fields(
      {"uninvolved", "at_risk", "runner", "dealer", "released", "desisted"}, 16, 27, "with");
  s.effects = {
      real("vog_blocked", 0.0, 0, 1, "ratio", "assumption",
           "Multiplier on the share of VOG-requiring jobs closed by a record (0: none closed)"),
  };
  s.costs = coverage_cost_fields(0, 2000, 0);
  return s;
}

class VogRelaxation : public CoverageIntervention {
 public:
  VogRelaxation(const Values& v, std::uint32_t index, const std::vector<std::string>& areas)
      : CoverageIntervention(v, vog_schema(), index, areas),
        clean_weeks_(static_cast<int>(v("clean_weeks"))),
        requires_coaching_(v.text.at("requires_coaching") == "yes") {}

 protected:
  bool admits(const World& w, std::uint32_t i) const override {
    const auto last = w.pop.last_arrest_week[i];
    if (last != kNever && w.week - last < clean_weeks_) return false;
    return !requires_coaching_ || w.mult.is_coached(i);
  }

 private:
  int clean_weeks_;
  bool requires_coaching_;
};

}  // namespace
}  // namespace drift::iv

DRIFT_REGISTER_INTERVENTION(
    vog_relaxation, drift::iv::make_type(drift::iv::vog_schema(),
                                         [](const drift::iv::Values& v, std::uint32_t index,
                                            const std::vector<std::string>& areas) {
                                           return std::make_unique<drift::iv::VogRelaxation>(
                                               v, index, areas);
                                         }))
