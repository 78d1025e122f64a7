#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

#include "avx512.hpp"
#include "drift/step/processes.hpp"
#include "fast_exp.hpp"
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
// The entry hazard's parameters, read once per week. The hazard itself is a float (fast_exp.hpp),
// h = scale * e^x [* m]: scale = market(area) * contact, x the sum of the log hazard ratios. Every
// kernel evaluates base()'s expressions in its order. The route and market part of an entry
// are drawn from the same terms in double (routes(), vacancy(), supply()).
struct EntryHazard {
  double vacancy_scale, supply_scale;
  // Contact with recruiters: walk-in, district, and per recruiting tie of each layer.
  double walk_in, district_recruiter, neighbour_recruiter, school_recruiter, friend_recruiter;
  // The same terms as floats, and the exponent's.
  float walk_in_f, neighbour_recruiter_f, school_recruiter_f, friend_recruiter_f;
  float attitude_log_hr, exposure_log_hr, exposure_cap, risk_log_hr, deprivation_log_hr,
      no_prospects_log_hr, neighbour_weight, friend_weight, school_weight, youth_job_log_hr,
      deterrence_log_hr;
  bool deterrence;  // market.deterrence_* both non-zero; off, the exponent has no such term
  detail::DeterrenceDecay decay;
  int leaving_age;
  explicit EntryHazard(const Parameters& params) : decay(params.market.deterrence_weeks) {
    const auto& r = params.recruitment;
    const auto& m = params.market;
    const auto f = [](double v) { return static_cast<float>(v); };
    // The vacancy-driven part (weight replacement) and the supply-driven part (1 - replacement).
    vacancy_scale = r.entry_hazard * m.replacement;
    supply_scale = m.supply_entry_hazard * (1.0 - m.replacement);
    walk_in = r.walk_in;
    district_recruiter = r.district_recruiter_weight;
    neighbour_recruiter = r.neighbourhood_recruiter_weight;
    school_recruiter = r.school_recruiter_weight;
    friend_recruiter = r.friend_recruiter_weight;
    walk_in_f = f(walk_in);
    neighbour_recruiter_f = f(neighbour_recruiter);
    school_recruiter_f = f(school_recruiter);
    friend_recruiter_f = f(friend_recruiter);
    deterrence = m.deterrence_log_hr != 0.0 && m.deterrence_weeks > 0.0;
    deterrence_log_hr = f(m.deterrence_log_hr);
    attitude_log_hr = f(r.attitude_log_hr);
    exposure_log_hr = f(r.exposure_log_hr);
    exposure_cap = f(r.exposure_cap);
    risk_log_hr = f(r.risk_log_hr);
    deprivation_log_hr = f(r.deprivation_log_hr);
    no_prospects_log_hr = f(r.no_prospects_log_hr);
    neighbour_weight = f(params.ties.neighbourhood_weight);
    friend_weight = f(params.ties.friend_weight);
    school_weight = f(params.ties.school_weight);
    leaving_age = params.population.school_leaving_age;
    youth_job_log_hr = f(std::log(params.labour.youth_job_entry_hr));
  }
  // Vacancy-driven and supply-driven parts of the area factor.
  double vacancy(const World& w, int a) const { return vacancy_scale * w.area_demand[a]; }
  double supply(const World& w, int a) const { return supply_scale * w.area_supply[a]; }
  double market(const World& w, int a) const { return vacancy(w, a) + supply(w, a); }
  // The area's two terms of the hazard, as floats (EntryTables holds them for every area).
  float market_term(const World& w, int a) const { return static_cast<float>(market(w, a)); }
  float district_term(const World& w, int a) const {
    return static_cast<float>(district_recruiter * static_cast<double>(w.recruiter_density[a]));
  }
  // The decay of a deterrence raised `elapsed` weeks ago, as a float (the kernels read the
  // tabulated part from a float copy of the table).
  float decay_left(std::int32_t elapsed) const { return static_cast<float>(decay(elapsed)); }
  // Contact with recruiters, by route: walk-in, district, neighbourhood, school, friendship.
  std::array<double, 5> routes(const World& w, std::uint32_t i, bool at_school) const {
    const auto& p = w.pop;
    return {walk_in, district_recruiter * w.recruiter_density[p.area[i]],
            neighbour_recruiter * p.recruiting_neighbours[i],
            at_school ? school_recruiter * p.recruiting_schoolmates[i] : 0.0,
            friend_recruiter * p.recruiting_friends[i]};
  }
  // The hazard of youth i without the multiplier.
  float base(const World& w, std::uint32_t i) const {
    const auto& p = w.pop;
    const bool at_school = p.age[i] < leaving_age;
    const bool no_prospects = !at_school && p.job[i] == Job::none;
    float e = neighbour_weight * static_cast<float>(p.dealing_neighbours[i]) +
              friend_weight * static_cast<float>(p.dealing_friends[i]);
    if (at_school) e = e + school_weight * static_cast<float>(p.dealing_schoolmates[i]);
    const float exposure = exposure_cap < e ? exposure_cap : e;
    float contact = walk_in_f +
                    neighbour_recruiter_f * static_cast<float>(p.recruiting_neighbours[i]) +
                    friend_recruiter_f * static_cast<float>(p.recruiting_friends[i]);
    if (at_school)
      contact = contact + school_recruiter_f * static_cast<float>(p.recruiting_schoolmates[i]);
    contact = contact + district_term(w, p.area[i]);
    const float scale = market_term(w, p.area[i]) * contact;
    float x = attitude_log_hr * p.attitude[i] + exposure_log_hr * exposure +
              risk_log_hr * p.risk[i] + deprivation_log_hr * static_cast<float>(p.low_income[i]) +
              (no_prospects ? no_prospects_log_hr : 0.0f) +
              (p.job[i] == Job::youth ? youth_job_log_hr : 0.0f);
    if (deterrence) {
      const float d = p.deterrence[i];
      x = x +
          deterrence_log_hr * (d != 0.0f ? d * decay_left(w.week - p.deterrence_week[i]) : 0.0f);
    }
    return scale * detail::hazard_exp(x);
  }
};
}  // namespace

double entry_hazard(const World& w, std::uint32_t i) {
  float h = EntryHazard(w.params).base(w, i);
  if (const float* m = w.mult.if_written(&Multipliers::entry)) h *= m[i];
  return h;
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

// The columns the entry kernels read, as plain pointers (mult: nullptr when not written), and the
// area terms and the decay, tabulated as floats once per week.
struct EntryColumns {
  const State* state;
  const std::uint8_t *age, *job, *low_income, *area;
  const std::uint16_t *dealing_neighbours, *dealing_friends, *dealing_schoolmates;
  const std::uint16_t *recruiting_neighbours, *recruiting_friends, *recruiting_schoolmates;
  const std::int16_t* deterrence_week;
  const float *attitude, *risk, *deterrence, *mult;
  float* clock;
};
struct EntryTables {
  // EntryHazard::market_term and district_term for every area byte (256 entries).
  alignas(64) std::array<float, 256> market{};
  alignas(64) std::array<float, 256> district{};
  // EntryHazard::decay_left for elapsed weeks below DeterrenceDecay::kTabulated.
  alignas(64) std::array<float, detail::DeterrenceDecay::kTabulated> decay{};
  bool few_areas = false;  // at most 16 areas: the area terms fit one register
};

// One block of at most 64 slots: EntryHazard::base() [* m] of every at-risk youth, computed for
// every slot without listing them first (a third of the slots are at risk), and its clock ticks.
// Returns the slots whose clock ran out; `redo` marks the at-risk youths whose deterrence lies
// beyond the table, left to the caller. Conditional terms are chosen by bit masks (detail::pick),
// so that the loop has no branch and the compiler vectorises it.
template <bool kMultiplied, bool kDeterrence>
[[DRIFT_VECTOR_KERNEL]] std::uint64_t entry_block(const EntryHazard& hz, const EntryTables& t,
                                                  const EntryColumns& c, std::int64_t b, int len,
                                                  std::int32_t week, std::uint64_t& redo) {
  const auto* __restrict state = reinterpret_cast<const std::uint8_t*>(c.state + b);
  const std::uint8_t* __restrict age = c.age + b;
  const std::uint8_t* __restrict job = c.job + b;
  const std::uint8_t* __restrict area = c.area + b;
  const std::uint8_t* __restrict low_income = c.low_income + b;
  const std::uint16_t* __restrict dn = c.dealing_neighbours + b;
  const std::uint16_t* __restrict df = c.dealing_friends + b;
  const std::uint16_t* __restrict ds = c.dealing_schoolmates + b;
  const std::uint16_t* __restrict rn = c.recruiting_neighbours + b;
  const std::uint16_t* __restrict rf = c.recruiting_friends + b;
  const std::uint16_t* __restrict rs = c.recruiting_schoolmates + b;
  const std::int16_t* __restrict deterrence_week = c.deterrence_week + b;
  const float* __restrict attitude = c.attitude + b;
  const float* __restrict risk = c.risk + b;
  const float* __restrict deterrence = c.deterrence + b;
  const float* __restrict mult = kMultiplied ? c.mult + b : nullptr;
  float* __restrict clock = c.clock + b;
  constexpr auto kAtRisk = static_cast<std::uint8_t>(State::at_risk);
  constexpr auto kJobless = static_cast<std::uint8_t>(Job::none);
  constexpr auto kYouthJob = static_cast<std::uint8_t>(Job::youth);
  constexpr auto kTabulated = static_cast<std::uint32_t>(detail::DeterrenceDecay::kTabulated);
  std::uint8_t fired[64], beyond[64];
#pragma omp simd
  for (int k = 0; k < len; ++k) {
    const unsigned at_risk = state[k] == kAtRisk;
    const unsigned at_school = static_cast<int>(age[k]) < hz.leaving_age;
    const unsigned no_prospects = (at_school ^ 1u) & static_cast<unsigned>(job[k] == kJobless);
    const unsigned youth_job = job[k] == kYouthJob;
    const float e0 = hz.neighbour_weight * static_cast<float>(dn[k]) +
                     hz.friend_weight * static_cast<float>(df[k]);
    const float e = detail::pick(at_school, e0 + hz.school_weight * static_cast<float>(ds[k]), e0);
    const float exposure =
        detail::pick(static_cast<unsigned>(hz.exposure_cap < e), hz.exposure_cap, e);
    const float c0 = hz.walk_in_f + hz.neighbour_recruiter_f * static_cast<float>(rn[k]) +
                     hz.friend_recruiter_f * static_cast<float>(rf[k]);
    const float contact =
        detail::pick(at_school, c0 + hz.school_recruiter_f * static_cast<float>(rs[k]), c0) +
        t.district[area[k]];
    const float scale = t.market[area[k]] * contact;
    float x = hz.attitude_log_hr * attitude[k] + hz.exposure_log_hr * exposure +
              hz.risk_log_hr * risk[k] + hz.deprivation_log_hr * static_cast<float>(low_income[k]) +
              detail::pick(no_prospects, hz.no_prospects_log_hr, 0.0f) +
              detail::pick(youth_job, hz.youth_job_log_hr, 0.0f);
    unsigned beyond_table = 0;
    if constexpr (kDeterrence) {
      const float d = deterrence[k];
      const std::int32_t elapsed = week - deterrence_week[k];
      const unsigned tabulated = static_cast<std::uint32_t>(elapsed) < kTabulated;
      const unsigned deterred = d != 0.0f;
      beyond_table = at_risk & deterred & (tabulated ^ 1u);
      const float left = t.decay[static_cast<std::uint32_t>(elapsed) & (kTabulated - 1)];
      x = x + hz.deterrence_log_hr * detail::pick(deterred, d * left, 0.0f);
    }
    float h = scale * detail::hazard_exp(x);
    if constexpr (kMultiplied) h = h * mult[k];
    const unsigned ticks = at_risk & (beyond_table ^ 1u);
    const float next = clock[k] - detail::pick(ticks, h, 0.0f);
    clock[k] = next;
    fired[k] = static_cast<std::uint8_t>(ticks & static_cast<unsigned>(next <= 0.0f));
    beyond[k] = static_cast<std::uint8_t>(beyond_table);
  }
  redo = kDeterrence && detail::any_nonzero(beyond, len) ? detail::nonzero_mask(beyond, len) : 0;
  return detail::any_nonzero(fired, len) ? detail::nonzero_mask(fired, len) : 0;
}

#ifdef DRIFT_AVX512_KERNELS
// Sixteen one- or two-byte inputs of a column as floats or 32-bit integers.
[[DRIFT_AVX512BW, gnu::always_inline]] inline __m512i sixteen_bytes(const std::uint8_t* v) {
  return _mm512_maskz_cvtepu8_epi32(0xffff, _mm_loadu_si128(reinterpret_cast<const __m128i*>(v)));
}
[[DRIFT_AVX512BW, gnu::always_inline]] inline __m512 sixteen_counts(const std::uint16_t* v) {
  return _mm512_maskz_cvtepi32_ps(
      0xffff,
      _mm512_maskz_cvtepu16_epi32(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v))));
}

// entry_block for a whole block of 64 slots on processors with AVX-512 BW (avx512.hpp), sixteen
// slots at a time in registers: the same expressions in the same order, the area terms taken from
// one register (at most 16 areas) or gathered, the decay gathered where a youth is deterred; the
// same hazards, clocks, marks and youths handed back.
[[DRIFT_AVX512BW]] std::uint64_t entry_block_masks(const EntryHazard& hz, const EntryTables& t,
                                                   const EntryColumns& c, std::int64_t b,
                                                   std::int32_t week, bool multiplied,
                                                   std::uint64_t at_risk_slots,
                                                   std::uint64_t& redo) {
  constexpr auto kTabulated = static_cast<int>(detail::DeterrenceDecay::kTabulated);
  const __m512 market16 = _mm512_load_ps(t.market.data());
  const __m512 district16 = _mm512_load_ps(t.district.data());
  std::uint64_t fired = 0, beyond = 0;
  for (int q = 0; q < 4; ++q) {
    const int at = 16 * q;
    const auto at_risk = static_cast<__mmask16>(at_risk_slots >> at);
    if (at_risk == 0) continue;
    const std::int64_t i = b + at;
    const __m512i age = sixteen_bytes(c.age + i);
    const __m512i job = sixteen_bytes(c.job + i);
    const __m512i area = sixteen_bytes(c.area + i);
    const __mmask16 at_school = _mm512_cmplt_epi32_mask(age, _mm512_set1_epi32(hz.leaving_age));
    const __mmask16 no_prospects = static_cast<__mmask16>(
        ~at_school & _mm512_cmpeq_epi32_mask(job, _mm512_set1_epi32(static_cast<int>(
                                                      static_cast<std::uint8_t>(Job::none)))));
    const __mmask16 youth_job = _mm512_cmpeq_epi32_mask(
        job, _mm512_set1_epi32(static_cast<int>(static_cast<std::uint8_t>(Job::youth))));
    const __m512 e0 = _mm512_add_ps(
        _mm512_mul_ps(_mm512_set1_ps(hz.neighbour_weight),
                      sixteen_counts(c.dealing_neighbours + i)),
        _mm512_mul_ps(_mm512_set1_ps(hz.friend_weight), sixteen_counts(c.dealing_friends + i)));
    const __m512 e = _mm512_mask_add_ps(
        e0, at_school, e0,
        _mm512_mul_ps(_mm512_set1_ps(hz.school_weight), sixteen_counts(c.dealing_schoolmates + i)));
    const __m512 cap = _mm512_set1_ps(hz.exposure_cap);
    const __m512 exposure = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(cap, e, _CMP_LT_OQ), e, cap);
    const __m512 c0 =
        _mm512_add_ps(_mm512_add_ps(_mm512_set1_ps(hz.walk_in_f),
                                    _mm512_mul_ps(_mm512_set1_ps(hz.neighbour_recruiter_f),
                                                  sixteen_counts(c.recruiting_neighbours + i))),
                      _mm512_mul_ps(_mm512_set1_ps(hz.friend_recruiter_f),
                                    sixteen_counts(c.recruiting_friends + i)));
    const __m512 with_school =
        _mm512_mask_add_ps(c0, at_school, c0,
                           _mm512_mul_ps(_mm512_set1_ps(hz.school_recruiter_f),
                                         sixteen_counts(c.recruiting_schoolmates + i)));
    __m512 district, market;
    if (t.few_areas) {
      district = _mm512_maskz_permutexvar_ps(0xffff, area, district16);
      market = _mm512_maskz_permutexvar_ps(0xffff, area, market16);
    } else {
      district = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xffff, area, t.district.data(), 4);
      market = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xffff, area, t.market.data(), 4);
    }
    const __m512 scale = _mm512_mul_ps(market, _mm512_add_ps(with_school, district));
    const __m512 poor = _mm512_maskz_cvtepi32_ps(0xffff, sixteen_bytes(c.low_income + i));
    __m512 x = _mm512_add_ps(
        _mm512_mul_ps(_mm512_set1_ps(hz.attitude_log_hr), _mm512_loadu_ps(c.attitude + i)),
        _mm512_mul_ps(_mm512_set1_ps(hz.exposure_log_hr), exposure));
    x = _mm512_add_ps(x,
                      _mm512_mul_ps(_mm512_set1_ps(hz.risk_log_hr), _mm512_loadu_ps(c.risk + i)));
    x = _mm512_add_ps(x, _mm512_mul_ps(_mm512_set1_ps(hz.deprivation_log_hr), poor));
    x = _mm512_add_ps(x, _mm512_maskz_mov_ps(no_prospects, _mm512_set1_ps(hz.no_prospects_log_hr)));
    x = _mm512_add_ps(x, _mm512_maskz_mov_ps(youth_job, _mm512_set1_ps(hz.youth_job_log_hr)));
    __mmask16 beyond_table = 0;
    if (hz.deterrence) {
      const __m512 d = _mm512_loadu_ps(c.deterrence + i);
      const __mmask16 deterred = _mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_NEQ_UQ);
      __m512 term = _mm512_setzero_ps();
      if (deterred != 0) {
        const __m512i elapsed = _mm512_sub_epi32(
            _mm512_set1_epi32(week),
            _mm512_maskz_cvtepi16_epi32(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(
                                                    c.deterrence_week + i))));
        const __mmask16 tabulated = _mm512_cmplt_epu32_mask(elapsed, _mm512_set1_epi32(kTabulated));
        beyond_table = static_cast<__mmask16>(at_risk & deterred & ~tabulated);
        const __m512 left = _mm512_mask_i32gather_ps(
            _mm512_setzero_ps(), 0xffff,
            _mm512_and_si512(elapsed, _mm512_set1_epi32(kTabulated - 1)), t.decay.data(), 4);
        term = _mm512_maskz_mul_ps(deterred, d, left);
      }
      x = _mm512_add_ps(x, _mm512_mul_ps(_mm512_set1_ps(hz.deterrence_log_hr), term));
    }
    __m512 h = _mm512_mul_ps(scale, detail::hazard_exp16(x));
    if (multiplied) h = _mm512_mul_ps(h, _mm512_loadu_ps(c.mult + i));
    const auto ticks = static_cast<__mmask16>(at_risk & ~beyond_table);
    fired |= static_cast<std::uint64_t>(detail::tick16(c.clock + i, h, ticks)) << at;
    beyond |= static_cast<std::uint64_t>(beyond_table) << at;
  }
  redo = beyond;
  return fired;
}
#endif
}  // namespace

void recruit(World& w) {
  recover_disruption(w);
  update_area_demand(w);
  auto& p = w.pop;
  const EntryHazard hz(w.params);
  const float* entry_mult = w.mult.if_written(&Multipliers::entry);
  EntryTables tables;
  const std::size_t areas = std::min(w.areas.size(), tables.market.size());
  for (std::size_t a = 0; a < areas; ++a) {
    tables.market[a] = hz.market_term(w, static_cast<int>(a));
    tables.district[a] = hz.district_term(w, static_cast<int>(a));
  }
  tables.few_areas = areas <= 16;
  static_assert(std::has_single_bit(static_cast<unsigned>(detail::DeterrenceDecay::kTabulated)));
  if (hz.deterrence) {
    for (std::int32_t k = 0; k < detail::DeterrenceDecay::kTabulated; ++k)
      tables.decay[static_cast<std::size_t>(k)] = static_cast<float>(hz.decay.table()[k]);
  }
  const EntryColumns columns{p.state.data(),
                             p.age.data(),
                             reinterpret_cast<const std::uint8_t*>(p.job.data()),
                             p.low_income.data(),
                             p.area.data(),
                             p.dealing_neighbours.data(),
                             p.dealing_friends.data(),
                             p.dealing_schoolmates.data(),
                             p.recruiting_neighbours.data(),
                             p.recruiting_friends.data(),
                             p.recruiting_schoolmates.data(),
                             p.deterrence_week.data(),
                             p.attitude.data(),
                             p.risk.data(),
                             p.deterrence.data(),
                             entry_mult,
                             p.clock_a.data()};
  // Blocks of 64 slots with at least one at-risk youth: the hazards and clocks of the block's
  // at-risk youths in one pass, the few whose deterrence lies beyond the table by
  // EntryHazard::base(), and the candidates in agent order. No hazard reads a clock or another
  // youth's slot.
#ifdef DRIFT_AVX512_KERNELS
  const bool masks = detail::has_avx512bw();
#endif
  const auto block = [&](std::int64_t b, int len, std::uint64_t& redo) -> std::uint64_t {
    const std::int32_t week = w.week;
#ifdef DRIFT_AVX512_KERNELS
    if (masks && len == 64) {
      const std::uint64_t at_risk =
          detail::state_mask(p.state.data() + b, len, State::at_risk, State::at_risk);
      if (at_risk == 0) return redo = 0;
      return entry_block_masks(hz, tables, columns, b, week, entry_mult != nullptr, at_risk, redo);
    }
#endif
    if (entry_mult)
      return hz.deterrence ? entry_block<true, true>(hz, tables, columns, b, len, week, redo)
                           : entry_block<true, false>(hz, tables, columns, b, len, week, redo);
    return hz.deterrence ? entry_block<false, true>(hz, tables, columns, b, len, week, redo)
                         : entry_block<false, false>(hz, tables, columns, b, len, week, redo);
  };
  detail::decide_ranges(w, [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
    detail::for_each_present_block(p, begin, end, [&](std::int64_t b, int len) {
      std::uint64_t redo = 0;
      const std::uint64_t fired = block(b, len, redo);
      for (std::uint64_t marked = fired | redo; marked != 0; marked &= marked - 1) {
        const int k = std::countr_zero(marked);
        const auto i = static_cast<std::uint32_t>(b + k);
        if ((redo >> k & 1u) != 0) {
          float h = hz.base(w, i);
          if (entry_mult) h *= entry_mult[i];
          if (!detail::tick(p.clock_a[i], h)) continue;
        }
        out.push_back({i, 0});
      }
    });
  });
  // decide_ranges leaves the candidates in w.decisions; they are ordered there (no copy).
  auto& candidates = w.decisions;
  detail::order_by_priority(w, candidates);
  detail::prefetch_exposure_counts(w, candidates);
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
