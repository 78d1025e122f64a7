#include <algorithm>
#include <array>
#include <cmath>

#include "drift/step/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

void update_area_demand(World& w) {
  const auto& nets = w.networks;
  for (std::size_t a = 0; a < w.areas.size(); ++a) {
    double open = 0, places = 0, supply = 0, shares = 0;
    for (auto k = nets.area_network_begin[a]; k < nets.area_network_begin[a + 1]; ++k) {
      const auto n = nets.area_networks[k];
      const double share = 1.0 / (nets.territory_begin[n + 1] - nets.territory_begin[n]);
      open += share * nets.open_places(n);
      places += share * nets.fixed_capacity(n);
      // Supply-driven entry follows the network's capacity after interventions, less the share
      // of its places blocked by disruption.
      const double capacity = static_cast<double>(nets.places[n]) * nets.capacity_factor[n];
      const double blocked =
          capacity > 0 ? std::min(1.0, static_cast<double>(nets.blocked[n]) / capacity) : 0.0;
      supply += share * nets.capacity_factor[n] * (1.0 - blocked);
      shares += share;
    }
    w.area_demand[a] = places > 0 ? static_cast<float>(open / places) : 0.0f;
    w.area_supply[a] = shares > 0 ? static_cast<float>(supply / shares) : 0.0f;
    std::int64_t youths = 0;
    for (int s = 0; s < kStateCount; ++s)
      youths += w.tally(static_cast<int>(a), static_cast<Tally>(s));
    w.recruiter_density[a] =
        youths > 0 ? static_cast<float>(1000.0 * static_cast<double>(w.recruiters[a]) /
                                        static_cast<double>(youths))
                   : 0.0f;
  }
}

namespace {
// entry_hazard() with the parameters read once per week: the same expression, in the same
// order and precision.
struct EntryHazard {
  double vacancy_scale, supply_scale, attitude_log_hr, exposure_log_hr, exposure_cap, risk_log_hr,
      deprivation_log_hr, no_prospects_log_hr, neighbour_weight, friend_weight, school_weight,
      youth_job_log_hr;
  // Contact with recruiters: walk-in, district, and per recruiting tie of each layer.
  double walk_in, district_recruiter, neighbour_recruiter, school_recruiter, friend_recruiter;
  double deterrence_log_hr;
  bool deterrence;  // market.deterrence_* both non-zero; off, the exponent has no such term
  detail::DeterrenceDecay decay;
  int leaving_age;
  explicit EntryHazard(const Parameters& params) : decay(params.market.deterrence_weeks) {
    const auto& r = params.recruitment;
    const auto& m = params.market;
    // The vacancy-driven part (weight replacement) and the supply-driven part (1 - replacement).
    vacancy_scale = r.entry_hazard * m.replacement;
    supply_scale = m.supply_entry_hazard * (1.0 - m.replacement);
    walk_in = r.walk_in;
    district_recruiter = r.district_recruiter_weight;
    neighbour_recruiter = r.neighbourhood_recruiter_weight;
    school_recruiter = r.school_recruiter_weight;
    friend_recruiter = r.friend_recruiter_weight;
    deterrence = m.deterrence_log_hr != 0.0 && m.deterrence_weeks > 0.0;
    deterrence_log_hr = m.deterrence_log_hr;
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
    scale = market(w, p.area[i]) * contact(w, i, at_school);
    exponent = attitude_log_hr * p.attitude[i] + exposure_log_hr * exposure +
               risk_log_hr * p.risk[i] + deprivation_log_hr * p.low_income[i] +
               (no_prospects ? no_prospects_log_hr : 0.0) +
               (p.job[i] == Job::youth ? youth_job_log_hr : 0.0);
    if (deterrence) exponent += deterrence_log_hr * decay.current(p, i, w.week);
  }
  // Vacancy-driven and supply-driven parts of the area factor.
  double vacancy(const World& w, int a) const { return vacancy_scale * w.area_demand[a]; }
  double supply(const World& w, int a) const { return supply_scale * w.area_supply[a]; }
  double market(const World& w, int a) const { return vacancy(w, a) + supply(w, a); }
  // Contact with recruiters, by route: walk-in, district, neighbourhood, school, friendship.
  std::array<double, 5> routes(const World& w, std::uint32_t i, bool at_school) const {
    const auto& p = w.pop;
    return {walk_in, district_recruiter * w.recruiter_density[p.area[i]],
            neighbour_recruiter * p.recruiting_neighbours[i],
            at_school ? school_recruiter * p.recruiting_schoolmates[i] : 0.0,
            friend_recruiter * p.recruiting_friends[i]};
  }
  double contact(const World& w, std::uint32_t i, bool at_school) const {
    const auto& p = w.pop;
    double c = walk_in + neighbour_recruiter * p.recruiting_neighbours[i] +
               friend_recruiter * p.recruiting_friends[i];
    if (at_school) c += school_recruiter * p.recruiting_schoolmates[i];
    return c + district_recruiter * w.recruiter_density[p.area[i]];
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
  return EntryHazard(w.params).base(w, i) * w.mult.factor(&Multipliers::entry, i);
}

namespace {
// Network of a recruiting tie of youth i in the layer of `route` (2 neighbourhood, 3 school,
// 4 friendship), the k-th of them with k drawn uniformly; -1 when there is none.
int recruiter_network(const World& w, std::uint32_t i, int route) {
  const auto& p = w.pop;
  const int c = p.cohort[i];
  const Csr& layer = route == 2   ? *w.ties.neighbourhood
                     : route == 3 ? *w.ties.school[c]
                                  : *w.ties.friendship[c];
  const int count = route == 2   ? p.recruiting_neighbours[i]
                    : route == 3 ? p.recruiting_schoolmates[i]
                                 : p.recruiting_friends[i];
  if (count == 0) return -1;
  const double u = w.rng.uniform(Stream::entry_tie, w.week, i);
  int k = std::min(count - 1, static_cast<int>(u * count));
  for (auto j : layer.row(i)) {
    if ((p.market_role[j] & kRecruiter) == 0) continue;
    if (k-- == 0) return p.network[j];
  }
  return -1;
}

// Decays the places blocked by disruption by one week (mean recovery market.disruption_weeks).
void recover_disruption(World& w) {
  const auto& m = w.params.market;
  if (m.disruption_share <= 0.0 || m.disruption_weeks <= 0.0) return;
  const float keep = static_cast<float>(std::exp(-1.0 / m.disruption_weeks));
  for (auto& b : w.networks.blocked) b *= keep;
}
}  // namespace

void recruit(World& w) {
  recover_disruption(w);
  update_area_demand(w);
  auto& p = w.pop;
  const EntryHazard hz(w.params);
  const float* entry_mult = w.mult.if_written(&Multipliers::entry);
  const State* state = p.state.data();
  float* clock = p.clock_a.data();
  // At-risk youths are found 64 slots at a time from a bit mask of the state bytes. Their hazards
  // are evaluated in batches of up to kBatch youths from several blocks by detail::float_hazards
  // (exactly the floats of the formula, with a vectorised exponential): a block holds a dozen or
  // so youths at risk, too few to fill the vectors without a scalar remainder. The clocks then
  // tick in agent order; no hazard reads a clock, so the batching changes no decision.
  detail::decide_ranges(w, [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
    constexpr int kBatch = 256;
    std::uint8_t list[64];
    std::uint32_t who[kBatch];
    std::uint16_t open_at[kBatch];  // position in `who` of each hazard that needs its exponential
    double scale[kBatch], x[kBatch];
    float m[kBatch], h[kBatch], hb[kBatch];
    int n = 0, nb = 0;
    const auto tick_batch = [&] {
      if (nb > 0) detail::float_hazards(scale, 1, x, entry_mult ? m : nullptr, hb, nb);
      for (int k = 0; k < nb; ++k) h[open_at[k]] = hb[k];
      for (int j = 0; j < n; ++j)
        if (detail::tick(clock[who[j]], h[j])) out.push_back({who[j], 0});
      n = nb = 0;
    };
    for (std::int64_t b = begin; b < end; b += 64) {
      const int len = static_cast<int>(std::min<std::int64_t>(64, end - b));
      if (p.block_vacant(b)) continue;
      const int found = detail::mask_positions(
          detail::state_mask(state + b, len, State::at_risk, State::at_risk), list);
      if (n + found > kBatch) tick_batch();
      for (int j = 0; j < found; ++j) {
        const auto i = static_cast<std::uint32_t>(b + list[j]);
        double sc, xe;
        hz.factors(w, i, sc, xe);
        who[n] = i;
        if (EntryHazard::closed(sc, xe)) {
          // (+0 * m), as the formula gives without its exponential.
          h[n] = static_cast<float>(entry_mult ? sc * entry_mult[i] : sc);
        } else {
          open_at[nb] = static_cast<std::uint16_t>(n);
          scale[nb] = sc;
          x[nb] = xe;
          if (entry_mult) m[nb] = entry_mult[i];
          ++nb;
        }
        ++n;
      }
    }
    tick_batch();
  });
  // decide_ranges leaves the candidates in w.decisions; they are ordered there (no copy).
  auto& candidates = w.decisions;
  detail::order_by_priority(w, candidates);
  for (const auto& d : candidates) {
    const auto i = d.agent;
    const int a = p.area[i];
    // How the entry came about: the route of contact (drawn in proportion to its part of the
    // contact) and the market part (vacancy-driven or supply-driven, in proportion to theirs).
    const auto routes = hz.routes(w, i, w.at_school(i));
    const auto words = w.rng.words(Stream::entry_route, w.week, i);
    int route = 0;
    {
      double total = 0;
      for (double r : routes) total += r;
      double target = Rng::to_unit(words[0], words[1]) * total;
      for (int k = 0; k < 5; ++k) {
        if (routes[k] <= 0) continue;
        route = k;
        if (target < routes[k]) break;
        target -= routes[k];
      }
    }
    const double vacancy = hz.vacancy(w, a);
    const double supply = hz.supply(w, a);
    const bool brings_place =
        supply > 0 &&
        (vacancy <= 0 || Rng::to_unit(words[2], words[3]) * (vacancy + supply) >= vacancy);
    const int preferred = route >= 2 ? recruiter_network(w, i, route) : -1;
    const bool placed = brings_place ? detail::bring_place(w, i, preferred)
                                     : detail::join_fixed_place(w, i, preferred);
    if (!placed) {
      p.clock_a[i] = static_cast<float>(w.rng.exponential(Stream::entry_retry, w.week, i));
      continue;
    }
    ++w.tally(a, static_cast<Tally>(static_cast<int>(Tally::entries_walk_in) + route));
    if (!p.ever_dealt[i]) ++w.tally(a, Tally::new_entries);
    ++w.tally(a, Tally::entries);
    p.ever_dealt[i] = 1;
    detail::set_state(w, i, State::runner);
    detail::draw_state_clocks(w, i);
  }
}

}  // namespace drift
