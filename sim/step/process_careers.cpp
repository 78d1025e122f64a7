#include <algorithm>
#include <cmath>
#include <vector>

#include "drift/step/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

double desistance_hazard(const World& w, std::uint32_t i) {
  const auto& c = w.params.careers;
  const auto& p = w.pop;
  const double job = p.job[i] == Job::status     ? c.status_job_desistance_hr
                     : p.job[i] == Job::ordinary ? c.job_desistance_hr
                                                 : 1.0;
  return c.desistance_hazard * std::exp(c.desistance_age_log_hr * (p.age[i] - kAdultBandAge)) *
         job * w.mult.factor(&Multipliers::desistance, i);
}

double progression_hazard(const World& w, std::uint32_t i) {
  return w.params.careers.progression_hazard * w.mult.factor(&Multipliers::progression, i);
}

void advance_careers(World& w) {
  auto& p = w.pop;
  enum : std::uint32_t { desist, progress };
  // desistance_hazard() and progression_hazard() with the parameters read once: the factor
  // desistance_hazard * exp(age term) depends on the age only and is computed once per age
  // (the same double expression); a multiplier that is exactly 1 is left out (x * 1.0 == x).
  const auto& c = w.params.careers;
  const int min_age = w.params.population.min_age;
  const int max_age = w.params.population.max_age;
  std::vector<double> by_age(static_cast<std::size_t>(std::max(0, max_age - min_age + 1)));
  for (int a = min_age; a <= max_age; ++a) {
    by_age[a - min_age] =
        c.desistance_hazard * std::exp(c.desistance_age_log_hr * (a - kAdultBandAge));
  }
  const bool desistance_multiplied = w.mult.is_written(&Multipliers::desistance);
  const bool progression_multiplied = w.mult.is_written(&Multipliers::progression);
  auto desistance = [&](std::uint32_t i) {
    const int a = p.age[i];
    const double aged =
        a >= min_age && a <= max_age
            ? by_age[a - min_age]
            : c.desistance_hazard * std::exp(c.desistance_age_log_hr * (a - kAdultBandAge));
    const double job = p.job[i] == Job::status     ? c.status_job_desistance_hr
                       : p.job[i] == Job::ordinary ? c.job_desistance_hr
                                                   : 1.0;
    double h = aged * job;
    if (desistance_multiplied) h *= w.mult.factor(&Multipliers::desistance, i);
    return static_cast<float>(h);
  };
  const double progression = c.progression_hazard;
  auto progression_of = [&](std::uint32_t i) {
    return static_cast<float>(progression_multiplied
                                  ? progression * w.mult.factor(&Multipliers::progression, i)
                                  : progression);
  };
  // Only runners and dealers (a few per thousand youths) are visited.
  const auto& decisions = detail::decide_states(
      w, State::runner, State::dealer, [&](std::uint32_t i, std::vector<Decision>& out) {
        const State s = p.state[i];
        // Both clocks run; when both fire in one week, leaving dealing comes first.
        const bool desists = detail::tick(p.clock_b[i], desistance(i));
        const bool progresses = s == State::runner && detail::tick(p.clock_a[i], progression_of(i));
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
    nets.revenue_week[n] = (runners * np.runner_earnings + nets.dealers[n] * np.dealer_earnings) *
                           nets.earnings_factor[n];
  }
}

}  // namespace drift
