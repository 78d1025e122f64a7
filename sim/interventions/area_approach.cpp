// Area-oriented approach against criminal money flows (Nieuw Overvecht business park and the
// Amsterdamsestraatweg, Utrecht 2021): networks active there lose revenue and recruiting room.
#include <array>

#include "delivery.hpp"
#include "drift/model/avx512.hpp"

namespace drift::iv {
namespace {

#ifdef DRIFT_AVX512_KERNELS
// mark[k] &= target[area[k]] for a whole block of 64 slots, by one table lookup of the 64 area
// bytes (at most 16 districts: each area byte is below 16).
[[DRIFT_AVX512BW]] void admit_targeted(const std::uint8_t* target16, const std::uint8_t* area,
                                       std::uint8_t* mark) {
  const __m512i table = _mm512_maskz_broadcast_i32x4(
      0xffff, _mm_loadu_si128(reinterpret_cast<const __m128i*>(target16)));
  const __m512i targeted = _mm512_shuffle_epi8(table, _mm512_loadu_si512(area));
  _mm512_storeu_si512(mark, _mm512_and_si512(_mm512_loadu_si512(mark), targeted));
}
#endif

Schema area_schema() {
  Schema s;
  s.type = "area_approach";
  s.serves_youths = false;
  s.description =
      "Disrupts money flows in target districts: networks active there lose turnover and places "
      "for youths, in proportion to the share of their territory targeted";
  s.top = coverage_fields(1.0);
  s.top.push_back(names("target_districts", {"Overvecht", "Noordwest", "West"}, {},
                        "Districts of the approach (Nieuw Overvecht lies in Overvecht; the "
                        "Amsterdamsestraatweg runs through Noordwest and West)"));
  s.top.push_back(real("network_capacity", 0.8, 0, 1, "ratio",
                       "assumption; no effect evaluation found (EVIDENCE: gap)",
                       "Multiplier on places of a network wholly inside the target districts"));
  s.top.push_back(real("network_earnings", 0.7, 0, 1, "ratio", "assumption",
                       "Multiplier on turnover of a network wholly inside the target districts"));
  s.eligibility = eligibility_fields(
      {"uninvolved", "at_risk", "runner", "dealer", "detained", "released", "desisted"}, 0, 100);
  s.costs = coverage_cost_fields(0, 20000, 0);
  return s;
}

class AreaApproach : public CoverageIntervention {
 public:
  AreaApproach(const Values& v, std::uint32_t index, const std::vector<std::string>& areas)
      : CoverageIntervention(v, area_schema(), index, areas),
        capacity_(v("network_capacity")),
        earnings_(v("network_earnings")) {
    target_.assign(areas.size(), 0);
    for (const auto& d : v.list.at("target_districts")) {
      for (std::size_t a = 0; a < areas.size(); ++a) {
        if (areas[a] == d) target_[a] = 1;
      }
    }
    for (std::size_t a = 0; a < areas.size() && a < 16; ++a) target16_[a] = target_[a];
  }

  // Acts on areas and networks: randomising youths cannot measure it.

 protected:
  bool admits(const World& w, std::uint32_t i) const override { return target_[w.pop.area[i]]; }
  void admit_block(const World& w, std::int64_t b, int len, std::uint8_t* mark) const override {
    const std::uint8_t* area = w.pop.area.data() + b;
#ifdef DRIFT_AVX512_KERNELS
    if (len == 64 && target_.size() <= 16 && detail::has_avx512bw()) {
      admit_targeted(target16_.data(), area, mark);
      return;
    }
#endif
    for (int k = 0; k < len; ++k) mark[k] &= target_[area[k]];
  }
  void act_on_networks(World& w) override {
    auto& nets = w.networks;
    for (std::size_t n = 0; n < nets.count(); ++n) {
      const auto b = nets.territory_begin[n], e = nets.territory_begin[n + 1];
      double targeted = 0;
      for (auto k = b; k < e; ++k) targeted += target_[nets.territory_areas[k]];
      const double share = targeted / (e - b);
      nets.capacity_factor[n] *= static_cast<float>(1.0 - share * (1.0 - capacity_));
      nets.earnings_factor[n] *= static_cast<float>(1.0 - share * (1.0 - earnings_));
    }
  }

 private:
  std::vector<std::uint8_t> target_;
  std::array<std::uint8_t, 16> target16_{};  // target_ for the table lookup (at most 16 districts)
  double capacity_, earnings_;
};

}  // namespace
}  // namespace drift::iv

DRIFT_REGISTER_INTERVENTION(area_approach,
                            drift::iv::make_type(drift::iv::area_schema(),
                                                 [](const drift::iv::Values& v, std::uint32_t index,
                                                    const std::vector<std::string>& areas) {
                                                   return std::make_unique<drift::iv::AreaApproach>(
                                                       v, index, areas);
                                                 }))
