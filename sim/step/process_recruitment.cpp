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

// The inputs of EntryHazard::factors() for up to kEntryBatch at-risk youths, copied from their
// columns side by side, so that entry_hazards() reads them contiguously.
// The input arrays hold a block's worth (64) beyond kEntryBatch: the vector copy stores whole
// registers, of which only the youths taken count.
constexpr int kEntryBatch = 256;
constexpr int kEntryRoom = kEntryBatch + 64;
struct EntryBatch {
  std::uint32_t who[kEntryRoom];
  std::uint8_t age[kEntryRoom], job[kEntryRoom], low_income[kEntryRoom], area[kEntryRoom];
  std::uint16_t dealing_neighbours[kEntryRoom], dealing_friends[kEntryRoom],
      dealing_schoolmates[kEntryRoom];
  std::uint16_t recruiting_neighbours[kEntryRoom], recruiting_friends[kEntryRoom],
      recruiting_schoolmates[kEntryRoom];
  std::int16_t deterrence_week[kEntryRoom];
  float attitude[kEntryRoom], risk[kEntryRoom], deterrence[kEntryRoom], mult[kEntryRoom];
  float hazard[kEntryBatch];
  std::uint32_t redo[kEntryBatch];
  int n = 0;
};

// The columns entry_hazards() reads, as plain pointers (mult: nullptr when not written).
struct EntryColumns {
  const std::uint8_t *age, *job, *low_income, *area;
  const std::uint16_t *dealing_neighbours, *dealing_friends, *dealing_schoolmates;
  const std::uint16_t *recruiting_neighbours, *recruiting_friends, *recruiting_schoolmates;
  const std::int16_t* deterrence_week;
  const float *attitude, *risk, *deterrence, *mult;
};

// Appends the inputs of the slots b + list[0..found) to the batch, youth by youth.
void take_listed(const EntryColumns& c, std::int64_t b, const std::uint8_t* list, int found,
                 EntryBatch& bt) {
  for (int k = 0; k < found; ++k) {
    const auto i = static_cast<std::size_t>(b + list[k]);
    const int j = bt.n++;
    bt.who[j] = static_cast<std::uint32_t>(i);
    bt.age[j] = c.age[i];
    bt.job[j] = c.job[i];
    bt.low_income[j] = c.low_income[i];
    bt.area[j] = c.area[i];
    bt.dealing_neighbours[j] = c.dealing_neighbours[i];
    bt.dealing_friends[j] = c.dealing_friends[i];
    bt.dealing_schoolmates[j] = c.dealing_schoolmates[i];
    bt.recruiting_neighbours[j] = c.recruiting_neighbours[i];
    bt.recruiting_friends[j] = c.recruiting_friends[i];
    bt.recruiting_schoolmates[j] = c.recruiting_schoolmates[i];
    bt.deterrence_week[j] = c.deterrence_week[i];
    bt.attitude[j] = c.attitude[i];
    bt.risk[j] = c.risk[i];
    bt.deterrence[j] = c.deterrence[i];
    if (c.mult) bt.mult[j] = c.mult[i];
  }
}

#ifdef DRIFT_AVX512_KERNELS
// The marked values of 64 one-, two- and four-byte values at `from`, packed to the front of `to`
// (whole registers are stored: `to` needs room for 64 values).
[[DRIFT_AVX512VBMI2]] inline void compress_bytes(std::uint64_t mask, const void* from, void* to) {
  _mm512_storeu_si512(to, _mm512_maskz_compress_epi8(mask, _mm512_loadu_si512(from)));
}
[[DRIFT_AVX512VBMI2]] inline void compress_words(std::uint64_t mask, const void* from, void* to) {
  const auto* in = static_cast<const std::uint16_t*>(from);
  auto* out = static_cast<std::uint16_t*>(to);
  const auto low = static_cast<__mmask32>(mask), high = static_cast<__mmask32>(mask >> 32);
  _mm512_storeu_si512(out, _mm512_maskz_compress_epi16(low, _mm512_loadu_si512(in)));
  _mm512_storeu_si512(out + _mm_popcnt_u32(low),
                      _mm512_maskz_compress_epi16(high, _mm512_loadu_si512(in + 32)));
}
[[DRIFT_AVX512VBMI2]] inline void compress_dwords(std::uint64_t mask, const void* from, void* to) {
  const auto* in = static_cast<const std::uint32_t*>(from);
  auto* out = static_cast<std::uint32_t*>(to);
  for (int q = 0; q < 4; ++q) {
    const auto part = static_cast<__mmask16>(mask >> (16 * q));
    _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(part, _mm512_loadu_si512(in + 16 * q)));
    out += _mm_popcnt_u32(part);
  }
}

// take_listed() for a whole block of 64 slots (b + 64 within the columns) and the set bits of
// `mask`: each column's 64 values are loaded in one to four registers and the marked ones packed
// to the front by the processor (AVX-512 VBMI2 compress), with no loop over the youths and no
// branch on them.
[[DRIFT_AVX512VBMI2]] void take_block_compressed(const EntryColumns& c, std::int64_t b,
                                                 std::uint64_t mask, EntryBatch& bt) {
  const int n = bt.n;
  std::uint32_t slots[64];
  for (int k = 0; k < 64; ++k) slots[k] = static_cast<std::uint32_t>(b + k);
  compress_dwords(mask, slots, bt.who + n);
  compress_bytes(mask, c.age + b, bt.age + n);
  compress_bytes(mask, c.job + b, bt.job + n);
  compress_bytes(mask, c.low_income + b, bt.low_income + n);
  compress_bytes(mask, c.area + b, bt.area + n);
  compress_words(mask, c.dealing_neighbours + b, bt.dealing_neighbours + n);
  compress_words(mask, c.dealing_friends + b, bt.dealing_friends + n);
  compress_words(mask, c.dealing_schoolmates + b, bt.dealing_schoolmates + n);
  compress_words(mask, c.recruiting_neighbours + b, bt.recruiting_neighbours + n);
  compress_words(mask, c.recruiting_friends + b, bt.recruiting_friends + n);
  compress_words(mask, c.recruiting_schoolmates + b, bt.recruiting_schoolmates + n);
  compress_words(mask, c.deterrence_week + b, bt.deterrence_week + n);
  compress_dwords(mask, c.attitude + b, bt.attitude + n);
  compress_dwords(mask, c.risk + b, bt.risk + n);
  compress_dwords(mask, c.deterrence + b, bt.deterrence + n);
  if (c.mult) compress_dwords(mask, c.mult + b, bt.mult + n);
  bt.n = n + static_cast<int>(_mm_popcnt_u64(mask));
}

#endif

// The area terms of the hazard, formed once per area per week (the same products as per youth);
// 256 entries, so that any area byte indexes them.
struct AreaTerms {
  std::array<double, 256> market{};    // EntryHazard::market(w, area)
  std::array<double, 256> district{};  // district_recruiter * recruiter_density[area]
};

// EntryHazard::factors() and the hazard scale * exp(x) [* m] of every youth of the batch, with the
// same operations in the same order and detail::approximate_exp; conditional terms are chosen by
// bit masks (detail::pick) rather than added as zeros, so every double is the one the formula
// gives, and the loop has no branch. redo[j] is 1 where the caller must evaluate the plain formula:
// the deterrence lies beyond the decay table, or the float of the hazard is not certain (see
// fast_exp.hpp). With no open place nearby (scale 0, x < 700) the formula gives +0 * m
// without exp(x); so does this.
template <bool kMultiplied, bool kDeterrence>
[[DRIFT_VECTOR_KERNEL]] unsigned entry_hazards(const EntryHazard& hz, const double* decay_table,
                                               const AreaTerms& areas, std::int32_t week,
                                               EntryBatch& batch) {
  const EntryBatch& b = batch;
  const double* __restrict decay = decay_table;
  const double* __restrict market = areas.market.data();
  const double* __restrict district = areas.district.data();
  float* __restrict hazard = batch.hazard;
  std::uint32_t* __restrict redo = batch.redo;
  const double nw = hz.neighbour_weight, fw = hz.friend_weight, sw = hz.school_weight;
  const double cap = hz.exposure_cap, walk_in = hz.walk_in;
  const double nr = hz.neighbour_recruiter, fr = hz.friend_recruiter, sr = hz.school_recruiter;
  const double alh = hz.attitude_log_hr, elh = hz.exposure_log_hr, rlh = hz.risk_log_hr,
               dlh = hz.deprivation_log_hr, nph = hz.no_prospects_log_hr, yjh = hz.youth_job_log_hr,
               tlh = hz.deterrence_log_hr;
  const int leaving_age = hz.leaving_age;
  constexpr auto kJobless = static_cast<std::uint8_t>(Job::none);
  constexpr auto kYouthJob = static_cast<std::uint8_t>(Job::youth);
  constexpr auto kTabulated = static_cast<std::uint32_t>(detail::DeterrenceDecay::kTabulated);
  const int n = b.n;
#pragma omp simd
  for (int j = 0; j < n; ++j) {
    const unsigned at_school = static_cast<int>(b.age[j]) < leaving_age;
    const unsigned no_prospects = (at_school ^ 1u) & static_cast<unsigned>(b.job[j] == kJobless);
    const unsigned youth_job = b.job[j] == kYouthJob;
    const double e0 = nw * b.dealing_neighbours[j] + fw * b.dealing_friends[j];
    const double e = detail::pick(at_school, e0 + sw * b.dealing_schoolmates[j], e0);
    const double exposure = detail::pick(static_cast<unsigned>(cap < e), cap, e);
    const double c0 = walk_in + nr * b.recruiting_neighbours[j] + fr * b.recruiting_friends[j];
    const double contact =
        detail::pick(at_school, c0 + sr * b.recruiting_schoolmates[j], c0) + district[b.area[j]];
    const double scale = market[b.area[j]] * contact;
    double x = alh * b.attitude[j] + elh * exposure + rlh * b.risk[j] + dlh * b.low_income[j] +
               detail::pick(no_prospects, nph, 0.0) + detail::pick(youth_job, yjh, 0.0);
    unsigned beyond_table = 0;
    if constexpr (kDeterrence) {
      const float d = b.deterrence[j];
      const std::int32_t elapsed = week - b.deterrence_week[j];
      const unsigned tabulated = static_cast<std::uint32_t>(elapsed) < kTabulated;
      const unsigned deterred = d != 0.0f;
      beyond_table = deterred & (tabulated ^ 1u);
      const double left = decay[elapsed & -static_cast<std::int32_t>(tabulated)];
      x += tlh * detail::pick(deterred, d * left, 0.0);
    }
    const unsigned closed = static_cast<unsigned>(scale == 0.0) & static_cast<unsigned>(x < 700.0);
    double h = scale * detail::approximate_exp(x);
    double shut = scale;
    if constexpr (kMultiplied) {
      h *= b.mult[j];
      shut *= b.mult[j];
    }
    const unsigned exact = closed | detail::hazard_is_exact(x, h);
    hazard[j] = static_cast<float>(detail::pick(closed, shut, h));
    redo[j] = (exact ^ 1u) | beyond_table;
  }
  return detail::any_nonzero(redo, n);
}

#ifdef DRIFT_AVX512_KERNELS
// Eight inputs of a batch column, widened to 32-bit integers.
[[DRIFT_AVX512BW, gnu::always_inline]] inline __m256i eight_bytes(const std::uint8_t* v) {
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(v)));
}
[[DRIFT_AVX512BW, gnu::always_inline]] inline __m512d eight_counts(const std::uint16_t* v) {
  return _mm512_maskz_cvtepi32_pd(
      0xff, _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v))));
}

// entry_hazards() on processors with AVX-512 BW (avx512.hpp), eight youths of the batch at a
// time in registers: the same factors, in the same order and precision, the area terms and the
// decay gathered from their tables, detail::approximate_exp8 and detail::hazard_is_exact8; the
// same hazards and the same youths handed back (redo).
[[DRIFT_AVX512BW]] unsigned entry_hazards_masks(const EntryHazard& hz, const double* decay,
                                                const AreaTerms& areas, std::int32_t week,
                                                bool multiplied, bool deterrence, EntryBatch& bt) {
  constexpr auto kTabulated = static_cast<int>(detail::DeterrenceDecay::kTabulated);
  const int n = bt.n;
  unsigned any = 0;
  for (int j = 0; j < n; j += 8) {
    const auto live = static_cast<__mmask8>(n - j >= 8 ? 0xff : (1u << (n - j)) - 1);
    const __m256i age = eight_bytes(bt.age + j);
    const __m256i job = eight_bytes(bt.job + j);
    const __m256i area = eight_bytes(bt.area + j);
    const __mmask8 at_school = _mm256_cmplt_epi32_mask(age, _mm256_set1_epi32(hz.leaving_age));
    const __mmask8 no_prospects = static_cast<__mmask8>(
        ~at_school & _mm256_cmpeq_epi32_mask(job, _mm256_set1_epi32(static_cast<int>(
                                                      static_cast<std::uint8_t>(Job::none)))));
    const __mmask8 youth_job = _mm256_cmpeq_epi32_mask(
        job, _mm256_set1_epi32(static_cast<int>(static_cast<std::uint8_t>(Job::youth))));
    const __m512d e0 = _mm512_add_pd(
        _mm512_mul_pd(_mm512_set1_pd(hz.neighbour_weight), eight_counts(bt.dealing_neighbours + j)),
        _mm512_mul_pd(_mm512_set1_pd(hz.friend_weight), eight_counts(bt.dealing_friends + j)));
    const __m512d e = _mm512_mask_blend_pd(
        at_school, e0,
        _mm512_add_pd(e0, _mm512_mul_pd(_mm512_set1_pd(hz.school_weight),
                                        eight_counts(bt.dealing_schoolmates + j))));
    const __m512d cap = _mm512_set1_pd(hz.exposure_cap);
    const __m512d exposure = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(cap, e, _CMP_LT_OQ), e, cap);
    const __m512d c0 =
        _mm512_add_pd(_mm512_add_pd(_mm512_set1_pd(hz.walk_in),
                                    _mm512_mul_pd(_mm512_set1_pd(hz.neighbour_recruiter),
                                                  eight_counts(bt.recruiting_neighbours + j))),
                      _mm512_mul_pd(_mm512_set1_pd(hz.friend_recruiter),
                                    eight_counts(bt.recruiting_friends + j)));
    const __m512d contact = _mm512_add_pd(
        _mm512_mask_blend_pd(
            at_school, c0,
            _mm512_add_pd(c0, _mm512_mul_pd(_mm512_set1_pd(hz.school_recruiter),
                                            eight_counts(bt.recruiting_schoolmates + j)))),
        _mm512_mask_i32gather_pd(_mm512_setzero_pd(), 0xff, area, areas.district.data(), 8));
    const __m512d scale = _mm512_mul_pd(
        _mm512_mask_i32gather_pd(_mm512_setzero_pd(), 0xff, area, areas.market.data(), 8), contact);
    const __m512d attitude = _mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(bt.attitude + j));
    const __m512d risk = _mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(bt.risk + j));
    const __m512d poor = _mm512_maskz_cvtepi32_pd(0xff, eight_bytes(bt.low_income + j));
    __m512d x = _mm512_add_pd(_mm512_mul_pd(_mm512_set1_pd(hz.attitude_log_hr), attitude),
                              _mm512_mul_pd(_mm512_set1_pd(hz.exposure_log_hr), exposure));
    x = _mm512_add_pd(x, _mm512_mul_pd(_mm512_set1_pd(hz.risk_log_hr), risk));
    x = _mm512_add_pd(x, _mm512_mul_pd(_mm512_set1_pd(hz.deprivation_log_hr), poor));
    x = _mm512_add_pd(x, _mm512_maskz_mov_pd(no_prospects, _mm512_set1_pd(hz.no_prospects_log_hr)));
    x = _mm512_add_pd(x, _mm512_maskz_mov_pd(youth_job, _mm512_set1_pd(hz.youth_job_log_hr)));
    __mmask8 beyond_table = 0;
    if (deterrence) {
      const __m256 d = _mm256_loadu_ps(bt.deterrence + j);
      const __m256i elapsed = _mm256_sub_epi32(
          _mm256_set1_epi32(week), _mm256_cvtepi16_epi32(_mm_loadu_si128(
                                       reinterpret_cast<const __m128i*>(bt.deterrence_week + j))));
      const __mmask8 tabulated = _mm256_cmplt_epu32_mask(elapsed, _mm256_set1_epi32(kTabulated));
      const __mmask8 deterred = _mm256_cmp_ps_mask(d, _mm256_setzero_ps(), _CMP_NEQ_UQ);
      beyond_table = static_cast<__mmask8>(deterred & ~tabulated);
      const __m512d left = _mm512_mask_i32gather_pd(
          _mm512_setzero_pd(), 0xff, _mm256_maskz_mov_epi32(tabulated, elapsed), decay, 8);
      const __m512d term = _mm512_mul_pd(_mm512_maskz_cvtps_pd(0xff, d), left);
      x = _mm512_add_pd(x, _mm512_mul_pd(_mm512_set1_pd(hz.deterrence_log_hr),
                                         _mm512_maskz_mov_pd(deterred, term)));
    }
    const __mmask8 closed = _mm512_cmp_pd_mask(scale, _mm512_setzero_pd(), _CMP_EQ_OQ) &
                            _mm512_cmp_pd_mask(x, _mm512_set1_pd(700.0), _CMP_LT_OQ);
    __m512d h = _mm512_mul_pd(scale, detail::approximate_exp8(x));
    __m512d shut = scale;
    if (multiplied) {
      const __m512d m = _mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(bt.mult + j));
      h = _mm512_mul_pd(h, m);
      shut = _mm512_mul_pd(shut, m);
    }
    const __mmask8 exact = closed | detail::hazard_is_exact8(x, h);
    _mm256_mask_storeu_ps(bt.hazard + j, live,
                          _mm512_maskz_cvtpd_ps(0xff, _mm512_mask_blend_pd(closed, h, shut)));
    const auto redo = static_cast<__mmask8>((~exact | beyond_table) & live);
    _mm256_mask_storeu_epi32(bt.redo + j, live, _mm256_maskz_mov_epi32(redo, _mm256_set1_epi32(1)));
    any |= redo;
  }
  return any != 0 ? 1u : 0u;
}
#endif

unsigned entry_hazards_for(bool multiplied, bool deterrence, const EntryHazard& hz,
                           const double* decay_table, const AreaTerms& areas, std::int32_t week,
                           EntryBatch& batch) {
#ifdef DRIFT_AVX512_KERNELS
  if (detail::has_avx512bw())
    return entry_hazards_masks(hz, decay_table, areas, week, multiplied, deterrence, batch);
#endif
  if (multiplied)
    return deterrence ? entry_hazards<true, true>(hz, decay_table, areas, week, batch)
                      : entry_hazards<true, false>(hz, decay_table, areas, week, batch);
  return deterrence ? entry_hazards<false, true>(hz, decay_table, areas, week, batch)
                    : entry_hazards<false, false>(hz, decay_table, areas, week, batch);
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
  AreaTerms terms;
  for (std::size_t a = 0; a < w.areas.size() && a < terms.market.size(); ++a) {
    terms.market[a] = hz.market(w, static_cast<int>(a));
    terms.district[a] = hz.district_recruiter * static_cast<double>(w.recruiter_density[a]);
  }
  // At-risk youths are found 64 slots at a time from a bit mask of the state bytes, and their
  // inputs copied, column by column, into a batch of up to kEntryBatch youths from several blocks
  // (a block holds a dozen or so, too few to fill the vectors); entry_hazards() evaluates the
  // batch without branches. The clocks then tick in agent order; no hazard reads a clock, so the
  // batching changes no decision.
  const EntryColumns columns{p.age.data(),
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
                             entry_mult};
#ifdef DRIFT_AVX512_KERNELS
  const bool compress = detail::has_avx512vbmi2();
#endif
  detail::decide_ranges(w, [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
    thread_local EntryBatch batch;  // 8 KiB: kept off the stack of the pool's threads
    EntryBatch& bt = batch;
    std::uint8_t list[64];
    bt.n = 0;
    const auto tick_batch = [&] {
      const unsigned any = entry_hazards_for(entry_mult != nullptr, hz.deterrence, hz,
                                             hz.decay.table(), terms, w.week, bt);
      for (int j = 0; j < bt.n; ++j) {
        const std::uint32_t i = bt.who[j];
        float h = bt.hazard[j];
        if (any && bt.redo[j]) {
          // The plain formula, as entry_hazard() evaluates it.
          double sc, xe;
          hz.factors(w, i, sc, xe);
          double hd = EntryHazard::closed(sc, xe) ? sc : sc * std::exp(xe);
          if (entry_mult) hd *= entry_mult[i];
          h = static_cast<float>(hd);
        }
        if (detail::tick(clock[i], h)) out.push_back({i, 0});
      }
      bt.n = 0;
    };
    for (std::int64_t b = begin; b < end; b += 64) {
      const int len = static_cast<int>(std::min<std::int64_t>(64, end - b));
      if (p.block_vacant(b)) continue;
      const std::uint64_t mask = detail::state_mask(state + b, len, State::at_risk, State::at_risk);
      if (mask == 0) continue;
      const int found = std::popcount(mask);
      if (bt.n + found > kEntryBatch) tick_batch();
#ifdef DRIFT_AVX512_KERNELS
      if (compress && len == 64) {
        take_block_compressed(columns, b, mask, bt);
        continue;
      }
#endif
      detail::mask_positions(mask, list);
      take_listed(columns, b, list, found, bt);
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
