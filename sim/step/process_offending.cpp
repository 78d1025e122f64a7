#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <vector>

#include "avx512.hpp"
#include "drift/step/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

double offending_age_shape(const Parameters& params, int age) {
  const auto& o = params.offending;
  const double a = age;
  if (a > o.peak_age) return std::exp(-o.decline_per_year * (a - o.peak_age));
  auto rise = [&](double x) { return 1.0 / (1.0 + std::exp(-(x - o.rise_age) / o.rise_width)); };
  return rise(a) / rise(o.peak_age);
}

namespace {
// Weekly hazard without its risk factor: rate / 52 x age shape x [record] record_hr.
double offending_base_formula(const Parameters& params, int age, bool record) {
  const auto& o = params.offending;
  return o.other_rate_peak / kWeeksPerYear * offending_age_shape(params, age) *
         (record ? o.record_hr : 1.0);
}

// offending_base_formula(), read for every birthday and record: tabulated by age and record per
// thread, filled again when a parameter it uses changes (the same doubles).
double offending_base(const Parameters& params, int age, bool record) {
  struct Table {
    std::array<double, 6> key{};
    bool filled = false;
    std::array<double, 2 * 256> value{};
  };
  thread_local Table memo;
  const auto& o = params.offending;
  const std::array<double, 6> key{o.other_rate_peak, o.peak_age,   o.decline_per_year,
                                  o.rise_age,        o.rise_width, o.record_hr};
  if (age < 0 || age > 255) return offending_base_formula(params, age, record);
  if (!memo.filled || memo.key != key) {
    for (int a = 0; a < 256; ++a) {
      memo.value[2 * a] = offending_base_formula(params, a, false);
      memo.value[2 * a + 1] = offending_base_formula(params, a, true);
    }
    memo.key = key;
    memo.filled = true;
  }
  return memo.value[2 * age + (record ? 1 : 0)];
}
}  // namespace

double offending_hazard(const World& w, std::uint32_t i) {
  const auto& p = w.pop;
  return offending_base(w.params, p.age[i], p.last_arrest_week[i] != kNever) *
         std::exp(w.params.offending.risk_log_hr * p.risk[i]);
}

namespace {
// One block of up to 64 slots: every present youth outside detention ticks its clock by its
// weekly hazard (kept current in offence_hazard), in a branch-free loop the compiler
// vectorises. fired[k] is 1 when the clock of slot b + k fired. Returns whether any did.
[[DRIFT_VECTOR_KERNEL]] unsigned offending_block(const State* __restrict state_in,
                                                 const float* __restrict hazard,
                                                 float* __restrict clock, int len,
                                                 std::uint8_t* __restrict fired) {
  const auto* __restrict state = reinterpret_cast<const std::uint8_t*>(state_in);
  constexpr auto kVacant = static_cast<std::uint8_t>(State::vacant);
  constexpr auto kDetained = static_cast<std::uint8_t>(State::detained);
#pragma omp simd
  for (int k = 0; k < len; ++k) {
    const unsigned ok =
        static_cast<unsigned>(state[k] != kVacant) & static_cast<unsigned>(state[k] != kDetained);
    const float next = clock[k] - hazard[k];
    clock[k] = ok ? next : clock[k];
    const unsigned f = ok & static_cast<unsigned>(next <= 0.0f);
    fired[k] = static_cast<std::uint8_t>(f);
  }
  return detail::any_nonzero(fired, len);
}

#ifdef DRIFT_AVX512_KERNELS
// offending_block for a whole block of 64 slots on processors with AVX-512 BW (avx512.hpp): who
// ticks comes from two compares of the 64 state bytes, the clocks tick 16 at a time with the
// same subtraction; returns the 64 slots' marks as one mask.
[[DRIFT_AVX512BW]] std::uint64_t offending_block_masks(const State* state, const float* hazard,
                                                       float* clock) {
  const __m512i states = _mm512_loadu_si512(state);
  const std::uint64_t ok =
      _mm512_cmpneq_epi8_mask(states, _mm512_set1_epi8(static_cast<char>(State::vacant))) &
      _mm512_cmpneq_epi8_mask(states, _mm512_set1_epi8(static_cast<char>(State::detained)));
  std::uint64_t fired = 0;
  for (int q = 0; q < 4; ++q) {
    const auto on = static_cast<__mmask16>(ok >> (16 * q));
    fired |= static_cast<std::uint64_t>(
                 detail::tick16(clock + 16 * q, _mm512_loadu_ps(hazard + 16 * q), on))
             << (16 * q);
  }
  return fired;
}
#endif
}  // namespace

void register_offending(World& w) {
  auto& p = w.pop;
  const State* state = p.state.data();
  const float* hazard = p.offence_hazard.data();
  float* clock = p.clock_offence.data();
  // The hazard of a youth changes only with its age (birthdays), its record (arrests) and its
  // entry or departure, where offence_hazard is recomputed as offending_hazard() gives it.
#ifdef DRIFT_AVX512_KERNELS
  const bool masks = detail::has_avx512bw();
#endif
  // A registration changes the youth's own slot (its clock) and adds its event: decided and
  // committed chunk by chunk.
  detail::decide_and_commit_own_slots(
      w,
      [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
        std::uint8_t fired[64];
        detail::for_each_present_block(p, begin, end, [&](std::int64_t b, int len) {
          std::uint64_t marked;
#ifdef DRIFT_AVX512_KERNELS
          if (len == 64 && masks) {
            marked = offending_block_masks(state + b, hazard + b, clock + b);
          } else
#endif
          {
            if (!offending_block(state + b, hazard + b, clock + b, len, fired)) return;
            marked = detail::nonzero_mask(fired, len);
          }
          for (std::uint64_t m = marked; m != 0; m &= m - 1)
            out.push_back({static_cast<std::uint32_t>(b + std::countr_zero(m)), 0});
        });
      },
      [&](const Decision& d, auto& ledger) {
        detail::register_suspect(ledger, d.agent, false);
        clock[d.agent] = detail::offence_clock(w, d.agent, true);
      });
}

}  // namespace drift
