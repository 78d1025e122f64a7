#include <algorithm>
#include <bit>
#include <cmath>
#include <vector>

#include "avx512.hpp"
#include "drift/step/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

double relapse_hazard(const World& w, std::uint32_t i) {
  const auto& r = w.params.relapse;
  const auto& p = w.pop;
  const double base = p.state[i] == State::released ? r.released_hazard : r.desisted_hazard;
  const double job = p.job[i] == Job::status     ? r.status_job_hr
                     : p.job[i] == Job::ordinary ? r.job_hr
                                                 : 1.0;
  return base * job * std::exp(r.age_log_hr * (p.age[i] - kAdultBandAge)) *
         w.mult.factor(&Multipliers::relapse, i);
}

namespace {
#ifdef DRIFT_AVX512_KERNELS
// The relapse hazards of a block's released and desisted youths as relapse() forms them, for a
// whole block of 64 slots on processors with AVX-512 BW (avx512.hpp): who ticks and which hazard
// applies come from compares of the state, job and age bytes, the age factor from by_age, and the
// clocks tick eight at a time with the products of relapse() in its order. Sets `fired` to the
// slots whose clock ran out; returns false, touching no clock, when a released or desisted youth's
// age lies outside by_age (the caller then takes the block slot by slot).
struct RelapseTerms {
  double released, desisted, job_hr, status_job_hr;
  const double* by_age;
  int min_age, max_age;
  const float* mult;  // nullptr without multipliers
};
[[DRIFT_AVX512BW]] bool relapse_block_masks(const RelapseTerms& t, const State* state,
                                            const Job* job, const std::uint8_t* age, float* clock,
                                            std::int64_t b, std::uint64_t& fired) {
  const __m512i states = _mm512_loadu_si512(state + b);
  const std::uint64_t released =
      _mm512_cmpeq_epi8_mask(states, _mm512_set1_epi8(static_cast<char>(State::released)));
  const std::uint64_t desisted =
      _mm512_cmpeq_epi8_mask(states, _mm512_set1_epi8(static_cast<char>(State::desisted)));
  const std::uint64_t active = released | desisted;
  fired = 0;
  if (active == 0) return true;
  const __m512i ages = _mm512_loadu_si512(age + b);
  const std::uint64_t in_table =
      _mm512_cmpge_epu8_mask(ages, _mm512_set1_epi8(static_cast<char>(t.min_age))) &
      _mm512_cmple_epu8_mask(ages, _mm512_set1_epi8(static_cast<char>(t.max_age)));
  if ((active & ~in_table) != 0) return false;
  const __m512i jobs = _mm512_loadu_si512(job + b);
  const std::uint64_t status =
      _mm512_cmpeq_epi8_mask(jobs, _mm512_set1_epi8(static_cast<char>(Job::status)));
  const std::uint64_t ordinary =
      _mm512_cmpeq_epi8_mask(jobs, _mm512_set1_epi8(static_cast<char>(Job::ordinary)));
  for (int g = 0; g < 8; ++g) {
    const auto on = static_cast<__mmask8>(active >> (8 * g));
    if (on == 0) continue;
    const int at = static_cast<int>(b) + 8 * g;
    const __m512d base =
        _mm512_mask_blend_pd(static_cast<__mmask8>(released >> (8 * g)), _mm512_set1_pd(t.desisted),
                             _mm512_set1_pd(t.released));
    const __m512d work =
        _mm512_mask_blend_pd(static_cast<__mmask8>(status >> (8 * g)),
                             _mm512_mask_blend_pd(static_cast<__mmask8>(ordinary >> (8 * g)),
                                                  _mm512_set1_pd(1.0), _mm512_set1_pd(t.job_hr)),
                             _mm512_set1_pd(t.status_job_hr));
    const __m256i row = _mm256_sub_epi32(
        _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(age + at))),
        _mm256_set1_epi32(t.min_age));
    const __m512d aged = _mm512_mask_i32gather_pd(_mm512_set1_pd(1.0), on, row, t.by_age, 8);
    __m512d h = _mm512_mul_pd(_mm512_mul_pd(base, work), aged);
    if (t.mult) h = _mm512_mul_pd(h, _mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(t.mult + at)));
    fired |=
        static_cast<std::uint64_t>(detail::tick8(clock + at, _mm512_maskz_cvtpd_ps(0xff, h), on))
        << (8 * g);
  }
  return true;
}
#endif
}  // namespace

void relapse(World& w) {
  auto& p = w.pop;
  // relapse_hazard() with the parameters read once and its age factor exp(age term) computed
  // once per age (the same double expression); a multiplier that is exactly 1 is left out.
  const auto& r = w.params.relapse;
  const int min_age = w.params.population.min_age;
  const int max_age = w.params.population.max_age;
  std::vector<double> by_age(static_cast<std::size_t>(std::max(0, max_age - min_age + 1)));
  for (int a = min_age; a <= max_age; ++a)
    by_age[a - min_age] = std::exp(r.age_log_hr * (a - kAdultBandAge));
  const bool multiplied = w.mult.is_written(&Multipliers::relapse);
  auto hazard = [&](std::uint32_t i) {
    const double base = p.state[i] == State::released ? r.released_hazard : r.desisted_hazard;
    const double job = p.job[i] == Job::status     ? r.status_job_hr
                       : p.job[i] == Job::ordinary ? r.job_hr
                                                   : 1.0;
    const int a = p.age[i];
    const double aged = a >= min_age && a <= max_age ? by_age[a - min_age]
                                                     : std::exp(r.age_log_hr * (a - kAdultBandAge));
    double h = base * job * aged;
    if (multiplied) h *= w.mult.factor(&Multipliers::relapse, i);
    return static_cast<float>(h);
  };
  // Only released and desisted youths are visited: found 64 slots at a time from the state
  // bytes, and on processors with AVX-512 BW a full block is ticked by relapse_block_masks.
  const State* state = p.state.data();
#ifdef DRIFT_AVX512_KERNELS
  const bool masks = detail::has_avx512bw() && min_age >= 0 && max_age <= 255 && min_age <= max_age;
  const RelapseTerms terms{
      r.released_hazard, r.desisted_hazard, r.job_hr, r.status_job_hr,
      by_age.data(),     min_age,           max_age,  multiplied ? w.mult.relapse.data() : nullptr};
#endif
  detail::decide_ranges(w, [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
    std::uint8_t list[64];
    for (std::int64_t b = begin; b < end; b += 64) {
      const int len = static_cast<int>(std::min<std::int64_t>(64, end - b));
#ifdef DRIFT_AVX512_KERNELS
      if (len == 64 && masks) {
        std::uint64_t fired;
        if (relapse_block_masks(terms, state, p.job.data(), p.age.data(), p.clock_a.data(), b,
                                fired)) {
          for (std::uint64_t m = fired; m != 0; m &= m - 1)
            out.push_back({static_cast<std::uint32_t>(b + std::countr_zero(m)), 0});
          continue;
        }
      }
#endif
      const int m = detail::mask_positions(
          detail::state_mask(state + b, len, State::released, State::desisted), list);
      for (int j = 0; j < m; ++j) {
        const auto i = static_cast<std::uint32_t>(b + list[j]);
        if (detail::tick(p.clock_a[i], hazard(i))) out.push_back({i, 0});
      }
    }
  });
  // decide_ranges leaves the candidates in w.decisions; they are ordered there (no copy).
  auto& candidates = w.decisions;
  detail::order_by_priority(w, candidates);
  detail::prefetch_exposure_counts(w, candidates);
  const double replacement = w.params.market.replacement;
  for (const auto& d : candidates) {
    const auto i = d.agent;
    // With no open place, a returner brings its own with probability 1 - market.replacement
    // (as a supply-driven recruit does; at replacement 1 it waits for a vacancy).
    if (!detail::join_network(w, i) &&
        !(replacement < 1.0 && w.rng.uniform(Stream::relapse_place, w.week, i) >= replacement &&
          detail::bring_place(w, i, -1))) {
      p.clock_a[i] = static_cast<float>(w.rng.exponential(Stream::relapse_retry, w.week, i));
      continue;
    }
    const int a = p.area[i];
    ++w.tally(a, Tally::relapses);
    ++w.tally(a, Tally::entries);
    detail::set_state(w, i, State::runner);
    detail::draw_state_clocks(w, i);
  }
}

}  // namespace drift
