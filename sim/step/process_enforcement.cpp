#include <cmath>

#include "drift/step/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

double arrest_hazard(const World& w, std::uint32_t i) {
  const auto& e = w.params.enforcement;
  const double base =
      w.pop.state[i] == State::dealer ? e.dealer_arrest_hazard : e.runner_arrest_hazard;
  return base * w.mult.factor(&Multipliers::arrest, i);
}

SanctionDraw draw_sanction(const World& w, std::uint32_t i) {
  const auto& s = w.params.sanctions;
  const bool minor = w.pop.age[i] < kAdultBandAge;
  const double dismissal = minor ? s.dismissal_share_minor : s.dismissal_share_adult;
  const double settlement = minor ? s.settlement_share_minor : s.settlement_share_adult;
  const double community = minor ? s.community_share_minor : s.community_share_adult;
  const double u = w.rng.uniform2(Stream::sanction, w.week, i)[0];
  if (u < dismissal) return {Sanction::dismissal, 0};
  if (u < dismissal + settlement) return {Sanction::settlement, 0};
  if (u < dismissal + settlement + community) return {Sanction::community, 0};
  // 1 + geometric number of further weeks, with the age group's mean.
  const double mean = minor ? s.detention_weeks_minor : s.detention_weeks_adult;
  if (mean <= 1.0) return {Sanction::detention, 1};
  const double stay = 1.0 - 1.0 / mean;  // weekly probability of staying one more week
  const double v = w.rng.uniform(Stream::detention_length, w.week, i);
  const double extra = std::floor(std::log(v) / std::log(stay));
  return {Sanction::detention, static_cast<std::uint16_t>(std::min(1.0 + extra, 65535.0))};
}

void enforce(World& w) {
  auto& p = w.pop;
  enum : std::uint32_t { release, end_probation, arrest };
  // arrest_hazard() with the parameters read once; a multiplier that is exactly 1 is left out.
  const double dealer_arrest = w.params.enforcement.dealer_arrest_hazard;
  const double runner_arrest = w.params.enforcement.runner_arrest_hazard;
  const bool multiplied = w.mult.is_written(&Multipliers::arrest);
  auto arrest_of = [&](std::uint32_t i) {
    const double base = p.state[i] == State::dealer ? dealer_arrest : runner_arrest;
    return static_cast<float>(multiplied ? base * w.mult.factor(&Multipliers::arrest, i) : base);
  };
  // Only runners, dealers, detained and released youths (states runner..released) are visited.
  const auto& decisions = detail::decide_states(
      w, State::runner, State::released, [&](std::uint32_t i, std::vector<Decision>& out) {
        switch (p.state[i]) {
          case State::detained:
            if (--p.countdown[i] == 0) out.push_back({i, release});
            break;
          case State::released:
            if (p.countdown[i] == 0 || --p.countdown[i] == 0) out.push_back({i, end_probation});
            break;
          case State::runner:
          case State::dealer:
            if (detail::tick(p.clock_c[i], arrest_of(i))) out.push_back({i, arrest});
            break;
          default:
            break;
        }
      });
  const auto probation = static_cast<std::uint16_t>(w.params.enforcement.probation_weeks);
  // Disruption and deterrence by arrests (market.*); with either at 0 it is skipped entirely.
  const auto& market = w.params.market;
  const bool disruption = market.disruption_share > 0.0 && market.disruption_weeks > 0.0;
  const auto disruption_share = static_cast<float>(market.disruption_share);
  const bool deterrence = market.deterrence_log_hr != 0.0 && market.deterrence_weeks > 0.0;
  for (const auto& d : decisions) {
    const auto i = d.agent;
    const int a = p.area[i];
    switch (d.what) {
      case release:
        ++w.tally(a, Tally::releases);
        p.countdown[i] = probation;
        detail::set_state(w, i, State::released);
        detail::draw_state_clocks(w, i);
        // The job search starts afresh on release.
        p.clock_job[i] = static_cast<float>(w.rng.exponential(Stream::job_change, w.week, i));
        w.events.push_back({i, EventKind::released});
        break;
      case end_probation:
        detail::set_state(w, i, State::desisted);
        detail::draw_state_clocks(w, i);
        break;
      case arrest: {
        ++w.tally(a, Tally::arrests);
        w.events.push_back({i, EventKind::arrested});
        detail::register_suspect(w, i, true);  // every arrest registers a suspect for dealing
        if (disruption && p.network[i] != kNoNetwork)
          w.networks.blocked[static_cast<std::size_t>(p.network[i])] += disruption_share;
        if (deterrence) detail::deter_ties(w, i);
        const auto sanction = draw_sanction(w, i);
        ++w.tally(a, static_cast<Tally>(static_cast<int>(Tally::dismissals) +
                                        static_cast<int>(sanction.kind)));
        if (sanction.kind == Sanction::dismissal) {
          // No record, no supervision: the youth keeps its place and deals on, with a fresh
          // arrest clock (the arrest used up the old one) from the second uniform of the
          // sanction's draw, so that it differs from a clock drawn this week on entry.
          p.clock_c[i] =
              static_cast<float>(-std::log(w.rng.uniform2(Stream::sanction, w.week, i)[1]));
          break;
        }
        if (p.last_arrest_week[i] == kNever) ++w.tally(a, Tally::record);
        p.last_arrest_week[i] = w.week;
        detail::refresh_offence_hazard(w, i);  // now with a record
        if (sanction.kind == Sanction::detention) {
          if (p.job[i] != Job::none) detail::set_job(w, i, Job::none);
          p.countdown[i] = sanction.detention_weeks;
          detail::set_state(w, i, State::detained);
          break;
        }
        // Settlement or community sanction: the youth stops dealing and is under supervision
        // (released) for the probation window, without detention; it keeps its job.
        p.countdown[i] = probation;
        detail::set_state(w, i, State::released);
        detail::draw_state_clocks(w, i);
        break;
      }
    }
  }
}

}  // namespace drift
