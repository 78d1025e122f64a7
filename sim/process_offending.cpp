#include <algorithm>
#include <cmath>
#include <vector>

#include "drift/processes.hpp"
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
// Weekly hazard without its risk factor: rate / 52 x age shape x [record] record_hr. The same
// double expression in offending_hazard() and in the weekly pass.
double offending_base(const Parameters& params, int age, bool record) {
  const auto& o = params.offending;
  return o.other_rate_peak / kWeeksPerYear * offending_age_shape(params, age) * (record ? o.record_hr : 1.0);
}
}  // namespace

double offending_hazard(const World& w, std::uint32_t i) {
  const auto& p = w.pop;
  return offending_base(w.params, p.age[i], p.last_arrest_week[i] != kNever) *
         std::exp(w.params.offending.risk_log_hr * p.risk[i]);
}

void register_offending(World& w) {
  auto& p = w.pop;
  const int min_age = w.params.population.min_age;
  const int ages = std::max(0, w.params.population.max_age - min_age + 1);
  // Base hazard per (age, record), computed once per week: index 2 * (age - min_age) + record.
  std::vector<double> base(static_cast<std::size_t>(2 * ages));
  for (int k = 0; k < ages; ++k) {
    base[2 * k] = offending_base(w.params, min_age + k, false);
    base[2 * k + 1] = offending_base(w.params, min_age + k, true);
  }
  const double risk_log_hr = w.params.offending.risk_log_hr;
  const State* state = p.state.data();
  const std::uint8_t* age = p.age.data();
  const float* risk = p.risk.data();
  const std::int32_t* last_arrest = p.last_arrest_week.data();
  float* clock = p.clock_offence.data();

  // Every present youth outside detention ticks one clock. Slots are taken 64 at a time: the
  // youths of the block are listed from bit masks of the state bytes, their hazards evaluated
  // together by detail::float_hazards (the floats offending_hazard() gives), and the clocks tick.
  detail::decide_ranges(w, [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
    std::uint8_t list[64];
    double c[64], x[64];
    float h[64];
    for (std::int64_t b = begin; b < end; b += 64) {
      const int len = static_cast<int>(std::min<std::int64_t>(64, end - b));
      const std::uint64_t present =
          detail::state_mask(state + b, len, State::uninvolved, State::desisted) &
          ~detail::state_mask(state + b, len, State::detained, State::detained);
      const int n = detail::mask_positions(present, list);
      for (int j = 0; j < n; ++j) {
        const auto i = b + list[j];
        const int k = std::clamp(age[i] - min_age, 0, std::max(0, ages - 1));
        c[j] = base[2 * k + (last_arrest[i] != kNever ? 1 : 0)];
        x[j] = risk_log_hr * risk[i];
      }
      detail::float_hazards(c, 1, x, nullptr, h, n);
      for (int j = 0; j < n; ++j) {
        const auto i = static_cast<std::uint32_t>(b + list[j]);
        if (detail::tick(clock[i], h[j])) out.push_back({i, 0});
      }
    }
  });
  for (const auto& d : w.decisions) {
    detail::register_suspect(w, d.agent, false);
    clock[d.agent] = detail::offence_clock(w, d.agent, true);
  }
}

void follow_releases(World& w) {
  std::size_t done = 0;
  for (const auto& f : w.followups) {
    if (f.release_week + kFollowupWeeks > w.week) break;  // in release order
    ++done;
    if (!f.present) continue;
    const bool job = w.pop.job[f.agent] != Job::none;
    w.release_events.push_back({f.release_week, w.week - f.release_week,
                                job ? ReleaseEvent::followed_13w_job : ReleaseEvent::followed_13w});
  }
  w.followups.erase(w.followups.begin(), w.followups.begin() + static_cast<std::ptrdiff_t>(done));
}

}  // namespace drift
