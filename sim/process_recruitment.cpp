#include <algorithm>
#include <cmath>

#include "drift/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

void update_area_demand(World& w) {
  const auto& nets = w.networks;
  for (std::size_t a = 0; a < w.areas.size(); ++a) {
    double open = 0, places = 0;
    for (auto k = nets.area_network_begin[a]; k < nets.area_network_begin[a + 1]; ++k) {
      const auto n = nets.area_networks[k];
      const double share = 1.0 / (nets.territory_begin[n + 1] - nets.territory_begin[n]);
      open += share * nets.open_places(n);
      places += share * std::floor(nets.places[n] * nets.capacity_factor[n]);
    }
    w.area_demand[a] = places > 0 ? static_cast<float>(open / places) : 0.0f;
  }
}

double entry_hazard(const World& w, std::uint32_t i) {
  const auto& r = w.params.recruitment;
  const auto& p = w.pop;
  const bool no_prospects = !w.at_school(i) && p.job[i] == Job::none;
  const double exposure = std::min(w.weighted_exposure(i), r.exposure_cap);
  return r.entry_hazard * w.area_demand[p.area[i]] *
         std::exp(r.attitude_log_hr * p.attitude[i] + r.exposure_log_hr * exposure +
                  r.risk_log_hr * p.risk[i] + r.deprivation_log_hr * p.low_income[i] +
                  (no_prospects ? r.no_prospects_log_hr : 0.0)) *
         w.mult.entry[i];
}

void recruit(World& w) {
  update_area_demand(w);
  auto& p = w.pop;
  const auto& decided = detail::decide(w, [&](std::uint32_t i, std::vector<Decision>& out) {
    if (p.state[i] != State::at_risk) return;
    if (detail::tick(p.clock_a[i], static_cast<float>(entry_hazard(w, i)))) out.push_back({i, 0});
  });
  std::vector<Decision> candidates(decided.begin(), decided.end());
  detail::order_by_priority(w, candidates);
  for (const auto& d : candidates) {
    const auto i = d.agent;
    if (!detail::join_network(w, i)) {
      p.clock_a[i] = static_cast<float>(w.rng.exponential(Stream::entry_retry, w.week, i));
      continue;
    }
    const int a = p.area[i];
    if (!p.ever_dealt[i]) ++w.tally(a, Tally::new_entries);
    ++w.tally(a, Tally::entries);
    p.ever_dealt[i] = 1;
    detail::set_state(w, i, State::runner);
    detail::draw_state_clocks(w, i);
  }
}

}  // namespace drift
