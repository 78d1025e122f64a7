// Enforcement on recruiters and dealers: "strict with criminals who deliberately go wrong".
#include "delivery.hpp"

namespace drift::iv {
namespace {

Schema enforcement_schema() {
  Schema s;
  s.type = "enforcement";
  s.serves_youths = false;
  s.description =
      "Raises the arrest hazard of dealers (and runners) in the chosen districts, and optionally "
      "cuts places of networks active there";
  s.top = coverage_fields(1.0);
  s.top.push_back(real("network_capacity", 1.0, 0, 1, "ratio", "assumption",
                       "Multiplier on places of networks active in the eligible districts"));
  s.eligibility = eligibility_fields({"runner", "dealer"}, 0, 100);
  s.effects = {
      real("arrest", 1.5, 0, 100, "hazard ratio",
           "assumption; focused deterrence lowers crime ~23% (Braga, Weisburd & Turchan 2018)",
           "Multiplier on the arrest hazard of an eligible youth"),
  };
  s.costs = coverage_cost_fields(0, 25000, 0);
  return s;
}

class Enforcement : public CoverageIntervention {
 public:
  Enforcement(const Values& v, std::uint32_t index, const std::vector<std::string>& areas)
      : CoverageIntervention(v, enforcement_schema(), index, areas),
        capacity_(static_cast<float>(v("network_capacity"))) {}

  // Acts on areas and networks: randomising youths cannot measure it.

 protected:
  void act_on_networks(World& w) override {
    if (capacity_ == 1.0f) return;
    auto& nets = w.networks;
    const auto& in_area = eligibility().in_area;
    for (std::size_t n = 0; n < nets.count(); ++n) {
      bool reached = false;
      for (auto k = nets.territory_begin[n]; k < nets.territory_begin[n + 1]; ++k) {
        reached = reached || in_area[nets.territory_areas[k]];
      }
      if (reached) nets.capacity_factor[n] *= capacity_;
    }
  }

 private:
  float capacity_;
};

}  // namespace
}  // namespace drift::iv

DRIFT_REGISTER_INTERVENTION(enforcement,
                            drift::iv::make_type(drift::iv::enforcement_schema(),
                                                 [](const drift::iv::Values& v, std::uint32_t index,
                                                    const std::vector<std::string>& areas) {
                                                   return std::make_unique<drift::iv::Enforcement>(
                                                       v, index, areas);
                                                 }))
