// Job coaches towards "a job with status", during or after detention (Utrecht 2021).
#include "delivery.hpp"

namespace drift::iv {
namespace {

Schema job_coaches_schema() {
  Schema s;
  s.type = "job_coaches";
  s.description =
      "Job coaches with a caseload each, serving detained and released youths towards a job "
      "and a job with status; a detained youth is prepared for release and its duration_weeks "
      "of coaching count from release";
  s.top = caseload_fields(10, 12, 52, 13);
  s.eligibility = eligibility_fields({"detained", "released"}, 16, 27);
  s.effects = {
      real("job_finding", 2.3, 0, 100, "hazard ratio",
           "WODC/Panteia 2021, Werk na detentie (N=119): 3.5 vs 1.5 months of paid work in two "
           "years",
           "Multiplier on the job-finding hazard of a coached youth"),
      real("status_job", 2.0, 0, 100, "ratio", "assumption",
           "Multiplier on the share of found jobs that are a job with status"),
  };
  s.costs = cost_fields(1500, 0, 0, 0, 0);
  return s;
}

class JobCoaches : public CaseloadIntervention {
 public:
  using CaseloadIntervention::CaseloadIntervention;

 protected:
  void on_served(World& w, std::uint32_t i) override { w.mult.write_coached()[i] = 1; }
  // A detained youth cannot look for work (its job clock does not tick): coaching takes effect
  // from release, so only weeks out of detention count towards the length of the service.
  bool week_counts(const World& w, std::uint32_t i) const override {
    return w.pop.state[i] != State::detained;
  }
};

}  // namespace
}  // namespace drift::iv

DRIFT_REGISTER_INTERVENTION(job_coaches,
                            drift::iv::make_type(drift::iv::job_coaches_schema(),
                                                 [](const drift::iv::Values& v, std::uint32_t index,
                                                    const std::vector<std::string>& areas) {
                                                   return std::make_unique<drift::iv::JobCoaches>(
                                                       v, drift::iv::job_coaches_schema(), index,
                                                       areas);
                                                 }))
