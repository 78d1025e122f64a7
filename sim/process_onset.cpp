#include <cmath>

#include "drift/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

double onset_hazard(const World& w, std::uint32_t i) {
  const auto& o = w.params.onset;
  const auto& p = w.pop;
  return o.onset_hazard *
         std::exp(o.attitude_log_hr * p.attitude[i] + o.risk_log_hr * p.risk[i] +
                  o.deprivation_log_hr * p.low_income[i]) *
         w.mult.onset[i];
}

double recovery_hazard(const World& w, std::uint32_t i) {
  const auto& o = w.params.onset;
  return o.recovery_hazard * std::exp(o.recovery_attitude_log_hr * w.pop.attitude[i]);
}

void onset_and_recovery(World& w) {
  auto& p = w.pop;
  enum : std::uint32_t { to_at_risk, to_uninvolved };
  const auto& decisions = detail::decide(w, [&](std::uint32_t i, std::vector<Decision>& out) {
    if (p.state[i] == State::uninvolved) {
      if (detail::tick(p.clock_a[i], static_cast<float>(onset_hazard(w, i)))) out.push_back({i, to_at_risk});
    } else if (p.state[i] == State::at_risk) {
      if (detail::tick(p.clock_b[i], static_cast<float>(recovery_hazard(w, i)))) out.push_back({i, to_uninvolved});
    }
  });
  for (const auto& d : decisions) {
    detail::set_state(w, d.agent, d.what == to_at_risk ? State::at_risk : State::uninvolved);
    detail::draw_state_clocks(w, d.agent);
  }
}

}  // namespace drift
