#include <cmath>

#include "drift/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

namespace {
// The hazards with the parameters read once per week; the same expressions, in the same order
// and precision, as onset_hazard() and recovery_hazard().
struct OnsetHazards {
  double onset, attitude_log_hr, risk_log_hr, deprivation_log_hr, recovery, recovery_attitude_log_hr;
  explicit OnsetHazards(const Parameters& params) {
    const auto& o = params.onset;
    onset = o.onset_hazard;
    attitude_log_hr = o.attitude_log_hr;
    risk_log_hr = o.risk_log_hr;
    deprivation_log_hr = o.deprivation_log_hr;
    recovery = o.recovery_hazard;
    recovery_attitude_log_hr = o.recovery_attitude_log_hr;
  }
  // Without the multiplier (which is exactly 1 while no intervention is active).
  double onset_base(const Population& p, std::uint32_t i) const {
    return onset * std::exp(attitude_log_hr * p.attitude[i] + risk_log_hr * p.risk[i] +
                            deprivation_log_hr * p.low_income[i]);
  }
  double recovery_of(const Population& p, std::uint32_t i) const {
    return recovery * std::exp(recovery_attitude_log_hr * p.attitude[i]);
  }
};
}  // namespace

double onset_hazard(const World& w, std::uint32_t i) {
  return OnsetHazards(w.params).onset_base(w.pop, i) * w.mult.onset[i];
}

double recovery_hazard(const World& w, std::uint32_t i) {
  return OnsetHazards(w.params).recovery_of(w.pop, i);
}

void onset_and_recovery(World& w) {
  auto& p = w.pop;
  enum : std::uint32_t { to_at_risk, to_uninvolved };
  const OnsetHazards hz(w.params);
  const float* onset_mult = w.mult.active ? w.mult.onset.data() : nullptr;
  const auto& decisions = detail::decide_states(
      w, State::uninvolved, State::at_risk, [&](std::uint32_t i, std::vector<Decision>& out) {
        if (p.state[i] == State::uninvolved) {
          // x * 1.0 == x exactly, so skipping an inactive multiplier changes no bit.
          double h = hz.onset_base(p, i);
          if (onset_mult) h *= onset_mult[i];
          if (detail::tick(p.clock_a[i], static_cast<float>(h))) out.push_back({i, to_at_risk});
        } else {
          if (detail::tick(p.clock_b[i], static_cast<float>(hz.recovery_of(p, i)))) out.push_back({i, to_uninvolved});
        }
      });
  for (const auto& d : decisions) {
    detail::set_state(w, d.agent, d.what == to_at_risk ? State::at_risk : State::uninvolved);
    detail::draw_state_clocks(w, d.agent);
  }
}

}  // namespace drift
