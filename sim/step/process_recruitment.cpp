#include <algorithm>
#include <cmath>

#include "drift/step/processes.hpp"
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
      places += share * nets.capacity(n);
    }
    w.area_demand[a] = places > 0 ? static_cast<float>(open / places) : 0.0f;
  }
}

namespace {
// entry_hazard() with the parameters read once per week: the same expression, in the same
// order and precision.
struct EntryHazard {
  double entry, attitude_log_hr, exposure_log_hr, exposure_cap, risk_log_hr, deprivation_log_hr,
      no_prospects_log_hr, neighbour_weight, friend_weight, school_weight, youth_job_log_hr;
  int leaving_age;
  explicit EntryHazard(const Parameters& params) {
    const auto& r = params.recruitment;
    entry = r.entry_hazard;
    attitude_log_hr = r.attitude_log_hr;
    exposure_log_hr = r.exposure_log_hr;
    exposure_cap = r.exposure_cap;
    risk_log_hr = r.risk_log_hr;
    deprivation_log_hr = r.deprivation_log_hr;
    no_prospects_log_hr = r.no_prospects_log_hr;
    neighbour_weight = params.ties.neighbourhood_weight;
    friend_weight = params.ties.friend_weight;
    school_weight = params.ties.school_weight;
    leaving_age = params.population.school_leaving_age;
    youth_job_log_hr = std::log(params.labour.youth_job_entry_hr);
  }
  // The two factors of the hazard without the multiplier: scale * exp(exponent).
  void factors(const World& w, std::uint32_t i, double& scale, double& exponent) const {
    const auto& p = w.pop;
    const bool at_school = p.age[i] < leaving_age;
    const bool no_prospects = !at_school && p.job[i] == Job::none;
    // World::weighted_exposure, written out so that it inlines.
    double e = neighbour_weight * p.dealing_neighbours[i] + friend_weight * p.dealing_friends[i];
    if (at_school) e += school_weight * p.dealing_schoolmates[i];
    const double exposure = std::min(e, exposure_cap);
    scale = entry * w.area_demand[p.area[i]];
    exponent = attitude_log_hr * p.attitude[i] + exposure_log_hr * exposure +
               risk_log_hr * p.risk[i] + deprivation_log_hr * p.low_income[i] +
               (no_prospects ? no_prospects_log_hr : 0.0) +
               (p.job[i] == Job::youth ? youth_job_log_hr : 0.0);
  }
  // With no open place nearby the hazard is 0 * exp(x) = +0 for any finite exp(x): the
  // exponential need not be evaluated (x < 700 keeps exp(x) finite; NaN fails the test).
  static bool closed(double scale, double exponent) { return scale == 0.0 && exponent < 700.0; }
  // Without the multiplier (exactly 1 while no intervention is active).
  double base(const World& w, std::uint32_t i) const {
    double scale, x;
    factors(w, i, scale, x);
    if (closed(scale, x)) return scale;
    return scale * std::exp(x);
  }
};
}  // namespace

double entry_hazard(const World& w, std::uint32_t i) {
  return EntryHazard(w.params).base(w, i) * w.mult.entry[i];
}

void recruit(World& w) {
  update_area_demand(w);
  auto& p = w.pop;
  const EntryHazard hz(w.params);
  const float* entry_mult = w.mult.active ? w.mult.entry.data() : nullptr;
  const State* state = p.state.data();
  float* clock = p.clock_a.data();
  // At-risk youths are found 64 slots at a time from a bit mask of the state bytes; their
  // hazards are evaluated together by detail::float_hazards (exactly the floats of the formula,
  // with a vectorised exponential), then the clocks tick in agent order.
  detail::decide_ranges(w, [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
    std::uint8_t list[64], batch[64];
    double scale[64], x[64];
    float m[64], h[64], hb[64];
    for (std::int64_t b = begin; b < end; b += 64) {
      const int len = static_cast<int>(std::min<std::int64_t>(64, end - b));
      const int n = detail::mask_positions(
          detail::state_mask(state + b, len, State::at_risk, State::at_risk), list);
      if (n == 0) continue;
      int nb = 0;
      for (int j = 0; j < n; ++j) {
        const auto i = static_cast<std::uint32_t>(b + list[j]);
        double sc, xe;
        hz.factors(w, i, sc, xe);
        if (EntryHazard::closed(sc, xe)) {
          // (+0 * m), as the formula gives without its exponential.
          h[j] = static_cast<float>(entry_mult ? sc * entry_mult[i] : sc);
          continue;
        }
        batch[nb] = static_cast<std::uint8_t>(j);
        scale[nb] = sc;
        x[nb] = xe;
        if (entry_mult) m[nb] = entry_mult[i];
        ++nb;
      }
      detail::float_hazards(scale, 1, x, entry_mult ? m : nullptr, hb, nb);
      for (int k = 0; k < nb; ++k) h[batch[k]] = hb[k];
      for (int j = 0; j < n; ++j) {
        const auto i = static_cast<std::uint32_t>(b + list[j]);
        if (detail::tick(clock[i], h[j])) out.push_back({i, 0});
      }
    }
  });
  // decide_ranges leaves the candidates in w.decisions; they are ordered there (no copy).
  auto& candidates = w.decisions;
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
