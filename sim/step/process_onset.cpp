#include <cmath>

#include "drift/step/processes.hpp"
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

  // Slots are taken 64 at a time: the uninvolved and the at-risk youths of the block are listed
  // from bit masks of the state bytes, their exponents computed, and their hazards evaluated
  // together by detail::float_hazards (the same floats as onset_hazard()/recovery_hazard() give,
  // with a vectorised exponential); then the clocks tick and the decisions are emitted in agent
  // order. An inactive multiplier is exactly 1 and x * 1.0 == x, so it is left out.
  detail::decide_ranges(w, [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
    std::uint8_t onset_list[64], recovery_list[64];
    double x[64];
    float m[64], h[64];
    std::uint8_t fired[64];
    for (std::int64_t b = begin; b < end; b += 64) {
      const int len = static_cast<int>(std::min<std::int64_t>(64, end - b));
      const int nu = detail::mask_positions(
          detail::state_mask(state + b, len, State::uninvolved, State::uninvolved), onset_list);
      const int nr = detail::mask_positions(
          detail::state_mask(state + b, len, State::at_risk, State::at_risk), recovery_list);
      for (int k = 0; k < len; ++k) fired[k] = 0;
      for (int j = 0; j < nu; ++j) {
        const auto i = b + onset_list[j];
        x[j] = hz.onset_exponent(attitude[i], risk[i], low_income[i]);
      }
      if (onset_mult) {
        for (int j = 0; j < nu; ++j) m[j] = onset_mult[b + onset_list[j]];
      }
      detail::float_hazards(&hz.onset, 0, x, onset_mult ? m : nullptr, h, nu);
      unsigned any = 0;
      for (int j = 0; j < nu; ++j) {
        const auto k = onset_list[j];
        const bool f = detail::tick(clock_a[b + k], h[j]);
        fired[k] = f ? 1 : 0;
        any |= f;
      }
      for (int j = 0; j < nr; ++j) x[j] = hz.recovery_exponent(attitude[b + recovery_list[j]]);
      detail::float_hazards(&hz.recovery, 0, x, nullptr, h, nr);
      for (int j = 0; j < nr; ++j) {
        const auto k = recovery_list[j];
        const bool f = detail::tick(clock_b[b + k], h[j]);
        fired[k] = f ? 2 : 0;
        any |= f;
      }
      if (!any) continue;
      for (int k = 0; k < len; ++k) {
        if (fired[k])
          out.push_back(
              {static_cast<std::uint32_t>(b + k), fired[k] == 1 ? to_at_risk : to_uninvolved});
      }
    }
  });
  for (const auto& d : w.decisions) {
    detail::set_state(w, d.agent, d.what == to_at_risk ? State::at_risk : State::uninvolved);
    detail::draw_state_clocks(w, d.agent);
  }
}

}  // namespace drift
