#include <bit>
#include <cmath>

#include "avx512.hpp"
#include "drift/step/processes.hpp"
#include "fast_exp.hpp"
#include "lifecycle.hpp"

namespace drift {

namespace {
// The hazards with the parameters read once per week, as floats (fast_exp.hpp): onset
// c * e^x * m with x = attitude, risk and deprivation terms, recovery c * e^x with the attitude
// term. Every kernel evaluates these expressions in this order.
struct OnsetHazards {
  float onset, attitude_log_hr, risk_log_hr, deprivation_log_hr, recovery, recovery_attitude_log_hr;
  explicit OnsetHazards(const Parameters& params) {
    const auto& o = params.onset;
    onset = static_cast<float>(o.onset_hazard);
    attitude_log_hr = static_cast<float>(o.attitude_log_hr);
    risk_log_hr = static_cast<float>(o.risk_log_hr);
    deprivation_log_hr = static_cast<float>(o.deprivation_log_hr);
    recovery = static_cast<float>(o.recovery_hazard);
    recovery_attitude_log_hr = static_cast<float>(o.recovery_attitude_log_hr);
  }
  float onset_exponent(float attitude, float risk, std::uint8_t low_income) const {
    return attitude_log_hr * attitude + risk_log_hr * risk +
           deprivation_log_hr * static_cast<float>(low_income);
  }
  float recovery_exponent(float attitude) const { return recovery_attitude_log_hr * attitude; }
};
}  // namespace

double onset_hazard(const World& w, std::uint32_t i) {
  const OnsetHazards hz(w.params);
  const auto& p = w.pop;
  float h =
      hz.onset * detail::hazard_exp(hz.onset_exponent(p.attitude[i], p.risk[i], p.low_income[i]));
  if (const float* m = w.mult.if_written(&Multipliers::onset)) h *= m[i];
  return h;
}

double recovery_hazard(const World& w, std::uint32_t i) {
  const OnsetHazards hz(w.params);
  return hz.recovery * detail::hazard_exp(hz.recovery_exponent(w.pop.attitude[i]));
}

namespace {
// One block of at most 64 slots: the hazard of every uninvolved youth (onset, with its
// multiplier when kMultiplied) and every at-risk youth (recovery), without listing them first
// (together they are nearly all the slots), and its clock ticks (clock_a for onset, clock_b for
// recovery). Bit k of `onsets` (`recoveries`) is set where slot k's clock ran out. Choices are bit
// masks (detail::pick), which GCC keeps free of branches and vectorises in full width.
template <bool kMultiplied>
[[DRIFT_VECTOR_KERNEL]] void onset_block(
    const OnsetHazards& hz, const State* __restrict state, const float* __restrict attitude,
    const float* __restrict risk, const std::uint8_t* __restrict low_income,
    const float* __restrict onset_mult, float* __restrict clock_a, float* __restrict clock_b,
    int len, std::uint64_t& onsets, std::uint64_t& recoveries) {
  std::uint8_t fired[64];
#pragma omp simd
  for (int k = 0; k < len; ++k) {
    const auto s = static_cast<std::uint8_t>(state[k]);
    const unsigned uninvolved = s == static_cast<std::uint8_t>(State::uninvolved);
    const unsigned at_risk = s == static_cast<std::uint8_t>(State::at_risk);
    const float x = detail::pick(uninvolved, hz.onset_exponent(attitude[k], risk[k], low_income[k]),
                                 hz.recovery_exponent(attitude[k]));
    float h = detail::pick(uninvolved, hz.onset, hz.recovery) * detail::hazard_exp(x);
    if constexpr (kMultiplied) h = detail::pick(uninvolved, h * onset_mult[k], h);
    // Subtracting +0 leaves every float as it is (-0 and NaN included), so the clocks of the
    // other slots are written back unchanged.
    const float a = clock_a[k] - detail::pick(uninvolved, h, 0.0f);
    const float b = clock_b[k] - detail::pick(at_risk, h, 0.0f);
    clock_a[k] = a;
    clock_b[k] = b;
    fired[k] = static_cast<std::uint8_t>((uninvolved & static_cast<unsigned>(a <= 0.0f)) |
                                         ((at_risk & static_cast<unsigned>(b <= 0.0f)) << 1));
  }
  onsets = recoveries = 0;
  if (!detail::any_nonzero(fired, len)) return;
  for (int k = 0; k < len; ++k) {
    onsets |= static_cast<std::uint64_t>(fired[k] & 1u) << k;
    recoveries |= static_cast<std::uint64_t>(fired[k] >> 1) << k;
  }
}

#ifdef DRIFT_AVX512_KERNELS
// onset_block for a whole block of 64 slots on processors with AVX-512 BW (avx512.hpp): who is
// uninvolved and who is at risk come from two compares of the 64 state bytes, and the hazards
// and the clocks are computed sixteen slots at a time in registers, with the operations of
// onset_block in its order (the same hazards, clocks and marks).
[[DRIFT_AVX512BW]] void onset_block_masks(const OnsetHazards& hz, const State* state,
                                          const float* attitude, const float* risk,
                                          const std::uint8_t* low_income, const float* onset_mult,
                                          float* clock_a, float* clock_b, std::uint64_t& onsets,
                                          std::uint64_t& recoveries) {
  const __m512i states = _mm512_loadu_si512(state);
  const std::uint64_t uninvolved =
      _mm512_cmpeq_epi8_mask(states, _mm512_set1_epi8(static_cast<char>(State::uninvolved)));
  const std::uint64_t at_risk =
      _mm512_cmpeq_epi8_mask(states, _mm512_set1_epi8(static_cast<char>(State::at_risk)));
  std::uint64_t on_fired = 0, off_fired = 0;
  for (int q = 0; q < 4; ++q) {
    const int at = 16 * q;
    const auto on = static_cast<__mmask16>(uninvolved >> at);
    const auto off = static_cast<__mmask16>(at_risk >> at);
    const __m512 att = _mm512_loadu_ps(attitude + at);
    const __m512 poor = _mm512_maskz_cvtepi32_ps(
        0xffff, _mm512_maskz_cvtepu8_epi32(
                    0xffff, _mm_loadu_si128(reinterpret_cast<const __m128i*>(low_income + at))));
    const __m512 onset_x = _mm512_add_ps(
        _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(hz.attitude_log_hr), att),
                      _mm512_mul_ps(_mm512_set1_ps(hz.risk_log_hr), _mm512_loadu_ps(risk + at))),
        _mm512_mul_ps(_mm512_set1_ps(hz.deprivation_log_hr), poor));
    const __m512 recovery_x = _mm512_mul_ps(_mm512_set1_ps(hz.recovery_attitude_log_hr), att);
    const __m512 x = _mm512_mask_blend_ps(on, recovery_x, onset_x);
    const __m512 scale =
        _mm512_mask_blend_ps(on, _mm512_set1_ps(hz.recovery), _mm512_set1_ps(hz.onset));
    __m512 h = _mm512_mul_ps(scale, detail::hazard_exp16(x));
    if (onset_mult) h = _mm512_mask_mul_ps(h, on, h, _mm512_loadu_ps(onset_mult + at));
    on_fired |= static_cast<std::uint64_t>(detail::tick16(clock_a + at, h, on)) << at;
    off_fired |= static_cast<std::uint64_t>(detail::tick16(clock_b + at, h, off)) << at;
  }
  onsets = on_fired;
  recoveries = off_fired;
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
  // computed together, the clocks tick, and the decisions are emitted in agent order. An
  // inactive multiplier is exactly 1 and x * 1.0f == x, so it is left out.
#ifdef DRIFT_AVX512_KERNELS
  const bool masks = detail::has_avx512bw();
#endif
  // Decided and committed chunk by chunk: a decision reads only the youth's own slot.
  detail::decide_and_commit_own_slots(
      w,
      [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
        detail::for_each_present_block(p, begin, end, [&](std::int64_t b, int len) {
          std::uint64_t onsets, recoveries;
#ifdef DRIFT_AVX512_KERNELS
          if (len == 64 && masks) {
            onset_block_masks(hz, state + b, attitude + b, risk + b, low_income + b,
                              onset_mult ? onset_mult + b : nullptr, clock_a + b, clock_b + b,
                              onsets, recoveries);
          } else
#endif
          {
            if (onset_mult)
              onset_block<true>(hz, state + b, attitude + b, risk + b, low_income + b,
                                onset_mult + b, clock_a + b, clock_b + b, len, onsets, recoveries);
            else
              onset_block<false>(hz, state + b, attitude + b, risk + b, low_income + b, nullptr,
                                 clock_a + b, clock_b + b, len, onsets, recoveries);
          }
          for (std::uint64_t marked = onsets | recoveries; marked != 0; marked &= marked - 1) {
            const int k = std::countr_zero(marked);
            out.push_back({static_cast<std::uint32_t>(b + k),
                           (onsets >> k & 1u) ? to_at_risk : to_uninvolved});
          }
        });
      },
      // Between uninvolved and at risk: the youth's own slot, its tallies and no event.
      [&](const Decision& d, auto& ledger) {
        detail::set_state(w, ledger, d.agent,
                          d.what == to_at_risk ? State::at_risk : State::uninvolved);
        detail::draw_state_clocks(w, d.agent);
      });
}

}  // namespace drift
