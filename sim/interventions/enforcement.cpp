// Enforcement on recruiters and dealers: "strict with criminals who deliberately go wrong".
#include <cstdint>
#include <vector>

#include "delivery.hpp"

namespace drift::iv {
namespace {

Schema enforcement_schema() {
  Schema s;
  s.type = "enforcement";
  s.serves_youths = false;
  s.description =
      "Raises the arrest hazard of dealers (and runners) in the chosen districts, of recruiters "
      "only, or arrests network leaders (disrupting their networks); optionally cuts places of "
      "networks active there";
  s.top = coverage_fields(1.0);
  s.top.push_back(real("network_capacity", 1.0, 0, 1, "ratio", "assumption",
                       "Multiplier on places of networks active in the eligible districts"));
  s.top.push_back(choice(
      "target", {"members", "recruiters", "leaders"},
      "Whom the arrests aim at: every eligible member (the arrest effect applies to all), "
      "recruiters only (the arrest effect applies to eligible youths with the recruiter role), or "
      "network leaders (who are not youths in the model: a leader arrest disrupts the network)"));
  s.top.push_back(real("leader_arrest_hazard", 0.01, 0, 1, "per week", "assumption",
                       "With target leaders: weekly hazard that the leader of a network active in "
                       "the eligible districts is arrested"));
  s.top.push_back(real("leader_disruption", 0.5, 0, 1, "share", "assumption",
                       "With target leaders: share of the network's places closed after its leader "
                       "is arrested (members stay; vacancies are not refilled)"));
  s.top.push_back(real("leader_disruption_weeks", 26, 1, 520, "week", "assumption",
                       "With target leaders: weeks the disruption lasts after a leader arrest"));
  s.eligibility = eligibility_fields({"runner", "dealer"}, 0, 100);
  s.effects = {
      real("arrest", 1.5, 0, 100, "hazard ratio",
           "assumption; focused deterrence lowers crime ~23% (Braga, Weisburd & Turchan 2018)",
           "Multiplier on the arrest hazard of an eligible youth (targets members and recruiters)"),
  };
  s.costs = coverage_cost_fields(0, 25000, 0);
  return s;
}

enum class Target { members, recruiters, leaders };

Target target_of(const std::string& text) {
  if (text == "recruiters") return Target::recruiters;
  if (text == "leaders") return Target::leaders;
  return Target::members;
}

class Enforcement : public CoverageIntervention {
 public:
  Enforcement(const Values& v, std::uint32_t index, const std::vector<std::string>& areas)
      : CoverageIntervention(v, enforcement_schema(), index, areas),
        capacity_(static_cast<float>(v("network_capacity"))),
        target_(target_of(v.text.at("target"))),
        leader_hazard_(v("leader_arrest_hazard")),
        leader_disruption_(static_cast<float>(v("leader_disruption"))),
        leader_weeks_(static_cast<int>(v("leader_disruption_weeks"))),
        leader_stream_(
            static_cast<Stream>(static_cast<std::uint32_t>(Stream::intervention) + index)) {}

  // Acts on areas and networks: randomising youths cannot measure it.

 protected:
  bool admits(const World& w, std::uint32_t i) const override {
    switch (target_) {
      case Target::members:
        return true;
      case Target::recruiters:
        return (w.pop.market_role[i] & kRecruiter) != 0;
      case Target::leaders:
        return false;  // no youth is a leader: the effect acts on networks
    }
    return true;
  }

  void act_on_networks(World& w) override {
    auto& nets = w.networks;
    const auto& in_area = eligibility().in_area;
    if (capacity_ == 1.0f && target_ != Target::leaders) return;
    if (disrupted_until_.size() != nets.count()) disrupted_until_.assign(nets.count(), kNever);
    for (std::size_t n = 0; n < nets.count(); ++n) {
      bool reached = false;
      for (auto k = nets.territory_begin[n]; k < nets.territory_begin[n + 1]; ++k) {
        reached = reached || in_area[nets.territory_areas[k]];
      }
      if (!reached) continue;
      nets.capacity_factor[n] *= capacity_;
      if (target_ != Target::leaders) continue;
      // A leader arrest: a keyed draw per network and week (agents above every youth slot, so
      // the draws never meet the coverage draws of youths).
      const auto agent = 0xFFFF0000u + static_cast<std::uint32_t>(n);
      if (w.week >= disrupted_until_[n] &&
          w.rng.uniform(leader_stream_, w.week, agent) < leader_hazard_) {
        disrupted_until_[n] = w.week + leader_weeks_;
      }
      if (w.week < disrupted_until_[n]) nets.capacity_factor[n] *= 1.0f - leader_disruption_;
    }
  }

 private:
  float capacity_;
  Target target_;
  double leader_hazard_;
  float leader_disruption_;
  int leader_weeks_;
  Stream leader_stream_;
  std::vector<std::int32_t> disrupted_until_;  // week until which each network is disrupted
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
