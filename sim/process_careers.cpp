#include <cmath>

#include "drift/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

double desistance_hazard(const World& w, std::uint32_t i) {
  const auto& c = w.params.careers;
  const auto& p = w.pop;
  const double job = p.job[i] == Job::status     ? c.status_job_desistance_hr
                     : p.job[i] == Job::ordinary ? c.job_desistance_hr
                                                 : 1.0;
  return c.desistance_hazard * std::exp(c.desistance_age_log_hr * (p.age[i] - kAdultBandAge)) *
         job * w.mult.desistance[i];
}

double progression_hazard(const World& w, std::uint32_t i) {
  return w.params.careers.progression_hazard * w.mult.progression[i];
}

void advance_careers(World& w) {
  auto& p = w.pop;
  enum : std::uint32_t { desist, progress };
  // Only runners and dealers (a few per thousand youths) are visited.
  const auto& decisions = detail::decide_states(
      w, State::runner, State::dealer, [&](std::uint32_t i, std::vector<Decision>& out) {
        const State s = p.state[i];
        // Both clocks run; when both fire in one week, leaving dealing comes first.
        const bool desists = detail::tick(p.clock_b[i], static_cast<float>(desistance_hazard(w, i)));
        const bool progresses =
            s == State::runner && detail::tick(p.clock_a[i], static_cast<float>(progression_hazard(w, i)));
        if (desists) {
          out.push_back({i, desist});
        } else if (progresses) {
          out.push_back({i, progress});
        }
      });
  for (const auto& d : decisions) {
    if (d.what == desist) {
      ++w.tally(p.area[d.agent], Tally::desistances);
      detail::set_state(w, d.agent, State::desisted);
      detail::draw_state_clocks(w, d.agent);
    } else {
      // Desistance and arrest clocks run on: the hazards are memoryless.
      detail::set_state(w, d.agent, State::dealer);
    }
  }
}

void tally_revenue(World& w) {
  auto& nets = w.networks;
  const auto& np = w.params.networks;
  for (std::size_t n = 0; n < nets.count(); ++n) {
    const double runners = nets.members[n] - nets.dealers[n];
    nets.revenue_week[n] =
        (runners * np.runner_earnings + nets.dealers[n] * np.dealer_earnings) * nets.earnings_factor[n];
  }
}

}  // namespace drift
