#include <bit>
#include <cmath>

#include "avx512.hpp"
#include "drift/step/processes.hpp"
#include "fast_exp.hpp"
#include "lifecycle.hpp"

namespace drift {

namespace {
// The hazards with the parameters read once per week; the same expressions, in the same order
// and precision, as onset_hazard() and recovery_hazard().
struct OnsetHazards {
  double onset, attitude_log_hr, risk_log_hr, deprivation_log_hr, recovery,
      recovery_attitude_log_hr;
  explicit OnsetHazards(const Parameters& params) {
    const auto& o = params.onset;
    onset = o.onset_hazard;
    attitude_log_hr = o.attitude_log_hr;
    risk_log_hr = o.risk_log_hr;
    deprivation_log_hr = o.deprivation_log_hr;
    recovery = o.recovery_hazard;
    recovery_attitude_log_hr = o.recovery_attitude_log_hr;
  }
  double onset_exponent(float attitude, float risk, std::uint8_t low_income) const {
    return attitude_log_hr * attitude + risk_log_hr * risk + deprivation_log_hr * low_income;
  }
  double recovery_exponent(float attitude) const { return recovery_attitude_log_hr * attitude; }
};
}  // namespace

double onset_hazard(const World& w, std::uint32_t i) {
  const OnsetHazards hz(w.params);
  const auto& p = w.pop;
  return hz.onset * std::exp(hz.onset_exponent(p.attitude[i], p.risk[i], p.low_income[i])) *
         w.mult.factor(&Multipliers::onset, i);
}

double recovery_hazard(const World& w, std::uint32_t i) {
  const OnsetHazards hz(w.params);
  return hz.recovery * std::exp(hz.recovery_exponent(w.pop.attitude[i]));
}

namespace {
constexpr std::uint32_t kRedo = 4;

// One block of at most 64 slots: the hazard of every uninvolved youth (onset, with its
// multiplier when kMultiplied) and every at-risk youth (recovery) is computed with
// detail::approximate_exp, without listing them first (together they are nearly all the slots),
// and its clock ticks (clock_a for onset, clock_b for recovery); fired[k] is 1 for an onset, 2
// for a recovery, else 0. Where the float may differ from the plain expression's (see
// fast_exp.hpp), fired[k] is kRedo and the clock is left for the caller to tick with the
// exact hazard. One array for both keeps the test for any mark to one pass. The inputs are gathered
// in a first pass and the hazards computed and the clocks ticked in a second one on 64-bit and
// 32-bit lanes only, which GCC vectorises in full width; choices are bit masks (detail::pick),
// which it keeps free of branches.
template <bool kMultiplied>
[[DRIFT_VECTOR_KERNEL]] unsigned onset_block(
    const OnsetHazards& hz, const State* __restrict state, const float* __restrict attitude,
    const float* __restrict risk, const std::uint8_t* __restrict low_income,
    const float* __restrict onset_mult, float* __restrict clock_a, float* __restrict clock_b,
    double* __restrict x, std::uint32_t* __restrict fired, int len) {
  double c[64], m[64];
  std::uint64_t onset_here[64], recovery_here[64];
  const double onset = hz.onset, recovery = hz.recovery;
#pragma omp simd
  for (int k = 0; k < len; ++k) {
    const auto s = static_cast<std::uint8_t>(state[k]);
    const unsigned uninvolved = s == static_cast<std::uint8_t>(State::uninvolved);
    const unsigned at_risk = s == static_cast<std::uint8_t>(State::at_risk);
    onset_here[k] = uninvolved;
    recovery_here[k] = at_risk;
    x[k] = detail::pick(
        uninvolved | at_risk,
        detail::pick(uninvolved, hz.onset_exponent(attitude[k], risk[k], low_income[k]),
                     hz.recovery_exponent(attitude[k])),
        0.0);
    c[k] = detail::pick(uninvolved, onset, recovery);
    if constexpr (kMultiplied) m[k] = detail::pick(uninvolved, onset_mult[k], 1.0f);
  }
#pragma omp simd
  for (int k = 0; k < len; ++k) {
    double hk = c[k] * detail::approximate_exp(x[k]);
    if constexpr (kMultiplied) hk *= m[k];
    const auto to_onset = static_cast<unsigned>(onset_here[k]);
    const auto to_recovery = static_cast<unsigned>(recovery_here[k]);
    const unsigned again = (to_onset | to_recovery) & (detail::hazard_is_exact(x[k], hk) ^ 1u);
    const unsigned tick_a = to_onset & (again ^ 1u);
    const unsigned tick_b = to_recovery & (again ^ 1u);
    const auto h = static_cast<float>(hk);
    // Subtracting +0 leaves every float as it is (-0 and NaN included), so the clocks of the
    // other slots are written back unchanged.
    const float a = clock_a[k] - detail::pick(tick_a, h, 0.0f);
    const float b = clock_b[k] - detail::pick(tick_b, h, 0.0f);
    clock_a[k] = a;
    clock_b[k] = b;
    const unsigned f = (tick_a & static_cast<unsigned>(a <= 0.0f)) |
                       ((tick_b & static_cast<unsigned>(b <= 0.0f)) << 1);
    fired[k] = f | (again << 2);  // kRedo
  }
  return detail::any_nonzero(fired, len);
}

#ifdef DRIFT_AVX512_KERNELS
// onset_block for a whole block of 64 slots on processors with AVX-512 BW (avx512.hpp): who is
// uninvolved and who is at risk come from two compares of the 64 state bytes, and the hazards,
// the test of their floats and the clocks are computed eight slots at a time in registers, with
// the operations of onset_block in its order (the same x, hazard, clocks and marks).
[[DRIFT_AVX512BW]] std::uint64_t onset_block_masks(const OnsetHazards& hz, const State* state,
                                                   const float* attitude, const float* risk,
                                                   const std::uint8_t* low_income,
                                                   const float* onset_mult, float* clock_a,
                                                   float* clock_b, double* x_out,
                                                   std::uint32_t* fired) {
  const __m512i states = _mm512_loadu_si512(state);
  const std::uint64_t uninvolved =
      _mm512_cmpeq_epi8_mask(states, _mm512_set1_epi8(static_cast<char>(State::uninvolved)));
  const std::uint64_t at_risk =
      _mm512_cmpeq_epi8_mask(states, _mm512_set1_epi8(static_cast<char>(State::at_risk)));
  std::uint64_t any = 0;
  for (int g = 0; g < 8; ++g) {
    const auto on = static_cast<__mmask8>(uninvolved >> (8 * g));
    const auto off = static_cast<__mmask8>(at_risk >> (8 * g));
    const int at = 8 * g;
    const __m512d att = _mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(attitude + at));
    const __m512d rsk = _mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(risk + at));
    const __m512d poor = _mm512_maskz_cvtepi32_pd(
        0xff,
        _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(low_income + at))));
    const __m512d onset_x =
        _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(_mm512_set1_pd(hz.attitude_log_hr), att),
                                    _mm512_mul_pd(_mm512_set1_pd(hz.risk_log_hr), rsk)),
                      _mm512_mul_pd(_mm512_set1_pd(hz.deprivation_log_hr), poor));
    const __m512d recovery_x = _mm512_mul_pd(_mm512_set1_pd(hz.recovery_attitude_log_hr), att);
    const __m512d x = _mm512_maskz_mov_pd(static_cast<__mmask8>(on | off),
                                          _mm512_mask_blend_pd(on, recovery_x, onset_x));
    _mm512_storeu_pd(x_out + at, x);
    const __m512d scale =
        _mm512_mask_blend_pd(on, _mm512_set1_pd(hz.recovery), _mm512_set1_pd(hz.onset));
    __m512d h = _mm512_mul_pd(scale, detail::approximate_exp8(x));
    if (onset_mult) {
      const __m512d m = _mm512_mask_blend_pd(
          on, _mm512_set1_pd(1.0), _mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(onset_mult + at)));
      h = _mm512_mul_pd(h, m);
    }
    const auto again = static_cast<__mmask8>((on | off) & ~detail::hazard_is_exact8(x, h));
    const auto tick_a = static_cast<__mmask8>(on & ~again);
    const auto tick_b = static_cast<__mmask8>(off & ~again);
    const __m256 hf = _mm512_maskz_cvtpd_ps(0xff, h);
    const __m256 a = _mm256_sub_ps(_mm256_loadu_ps(clock_a + at), _mm256_maskz_mov_ps(tick_a, hf));
    const __m256 b = _mm256_sub_ps(_mm256_loadu_ps(clock_b + at), _mm256_maskz_mov_ps(tick_b, hf));
    _mm256_storeu_ps(clock_a + at, a);
    _mm256_storeu_ps(clock_b + at, b);
    const __mmask8 fa = tick_a & _mm256_cmp_ps_mask(a, _mm256_setzero_ps(), _CMP_LE_OQ);
    const __mmask8 fb = tick_b & _mm256_cmp_ps_mask(b, _mm256_setzero_ps(), _CMP_LE_OQ);
    const __m256i f =
        _mm256_or_si256(_mm256_or_si256(_mm256_maskz_mov_epi32(fa, _mm256_set1_epi32(1)),
                                        _mm256_maskz_mov_epi32(fb, _mm256_set1_epi32(2))),
                        _mm256_maskz_mov_epi32(again, _mm256_set1_epi32(static_cast<int>(kRedo))));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(fired + at), f);
    any |= static_cast<std::uint64_t>(fa | fb | again) << (8 * g);
  }
  return any;
}
#endif
}  // namespace

void onset_and_recovery(World& w) {
  auto& p = w.pop;
  enum : std::uint32_t { to_at_risk, to_uninvolved };
  const OnsetHazards hz(w.params);
  const float* onset_mult = w.mult.if_written(&Multipliers::onset);
  const State* state = p.state.data();
  const float* attitude = p.attitude.data();
  const float* risk = p.risk.data();
  const std::uint8_t* low_income = p.low_income.data();
  float* clock_a = p.clock_a.data();
  float* clock_b = p.clock_b.data();

  // Slots are taken 64 at a time: the hazards of the block's uninvolved and at-risk youths are
  // computed together (exactly the floats of onset_hazard()/recovery_hazard(); the rare ones the
  // fast exponential cannot round with certainty are evaluated again with std::exp), the clocks
  // tick, and the decisions are emitted in agent order. An inactive multiplier is exactly 1 and
  // x * 1.0 == x, so it is left out.
#ifdef DRIFT_AVX512_KERNELS
  const bool masks = detail::has_avx512bw();
#endif
  // Decided and committed chunk by chunk: a decision reads only the youth's own slot.
  detail::decide_and_commit_own_slots(
      w,
      [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
        double x[64];
        std::uint32_t fired[64];
        for (std::int64_t b = begin; b < end; b += 64) {
          const int len = static_cast<int>(std::min<std::int64_t>(64, end - b));
          if (p.block_vacant(b)) continue;
          // The slots with a mark, as bits.
          std::uint64_t marked;
#ifdef DRIFT_AVX512_KERNELS
          if (len == 64 && masks) {
            marked = onset_block_masks(hz, state + b, attitude + b, risk + b, low_income + b,
                                       onset_mult ? onset_mult + b : nullptr, clock_a + b,
                                       clock_b + b, x, fired);
          } else
#endif
          {
            const unsigned any =
                onset_mult
                    ? onset_block<true>(hz, state + b, attitude + b, risk + b, low_income + b,
                                        onset_mult + b, clock_a + b, clock_b + b, x, fired, len)
                    : onset_block<false>(hz, state + b, attitude + b, risk + b, low_income + b,
                                         nullptr, clock_a + b, clock_b + b, x, fired, len);
            marked = 0;
            if (any) {
              for (int k = 0; k < len; ++k)
                marked |= static_cast<std::uint64_t>(fired[k] != 0) << k;
            }
          }
          for (; marked != 0; marked &= marked - 1) {
            const int k = std::countr_zero(marked);
            const auto i = static_cast<std::uint32_t>(b + k);
            std::uint32_t f = fired[k];
            if (f == kRedo) {
              if (state[i] == State::uninvolved) {
                double h = hz.onset * std::exp(x[k]);
                if (onset_mult) h *= onset_mult[i];
                f = detail::tick(clock_a[i], static_cast<float>(h)) ? 1 : 0;
              } else {
                const double h = hz.recovery * std::exp(x[k]);
                f = detail::tick(clock_b[i], static_cast<float>(h)) ? 2 : 0;
              }
            }
            if (f) out.push_back({i, f == 1 ? to_at_risk : to_uninvolved});
          }
        }
      },
      // Between uninvolved and at risk: the youth's own slot, its tallies and no event.
      [&](const Decision& d, auto& ledger) {
        detail::set_state(w, ledger, d.agent,
                          d.what == to_at_risk ? State::at_risk : State::uninvolved);
        detail::draw_state_clocks(w, d.agent);
      });
}

}  // namespace drift
