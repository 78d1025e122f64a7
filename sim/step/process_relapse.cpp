#include <algorithm>
#include <cmath>
#include <vector>

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
  // Only released and desisted youths are visited.
  detail::decide_states(w, State::released, State::desisted,
                        [&](std::uint32_t i, std::vector<Decision>& out) {
                          if (detail::tick(p.clock_a[i], hazard(i))) out.push_back({i, 0});
                        });
  // decide_states leaves the candidates in w.decisions; they are ordered there (no copy).
  auto& candidates = w.decisions;
  detail::order_by_priority(w, candidates);
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
