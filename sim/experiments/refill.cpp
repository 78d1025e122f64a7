#include "drift/experiments/refill.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "drift/results/results.hpp"

namespace drift {

std::optional<int> pulse_week(const StrategySpec& strategy) {
  if (strategy.interventions.empty()) return std::nullopt;
  std::optional<int> week;
  for (const auto& iv : strategy.interventions) {
    const auto start = iv.values.number.find("start_week");
    const auto end = iv.values.number.find("end_week");
    if (start == iv.values.number.end() || end == iv.values.number.end()) return std::nullopt;
    if (end->second != start->second + 1) return std::nullopt;
    const int w = static_cast<int>(start->second);
    if (week && *week != w) return std::nullopt;
    week = w;
  }
  return week;
}

std::vector<Refill> refill_times(const std::vector<double>& baseline,
                                 const std::vector<double>& strategy, int replicates, int weeks,
                                 int week) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<Refill> out(static_cast<std::size_t>(replicates), Refill{0, kNaN, kNaN});
  if (week < 0 || week >= weeks) return out;
  for (int r = 0; r < replicates; ++r) {
    const std::size_t row = static_cast<std::size_t>(r) * weeks;
    auto deficit = [&](int t) { return baseline[row + t] - strategy[row + t]; };
    Refill& f = out[static_cast<std::size_t>(r)];
    f.removed = deficit(week);
    if (!(f.removed > 0)) continue;
    // The first crossing: the paired runs drift apart after the pulse, so later weeks may cross
    // back; the first week the deficit is down to the threshold is when the market got there.
    for (int t = week + 1; t < weeks; ++t) {
      const double d = deficit(t);
      if (std::isnan(f.weeks_to_half) && d <= 0.5 * f.removed) f.weeks_to_half = t - week;
      if (d <= 0.1 * f.removed) {
        f.weeks_to_90 = t - week;
        break;
      }
    }
  }
  return out;
}

namespace {

StrategyRefill summarize_refill(std::string strategy, int week, std::vector<Refill> per_replicate) {
  StrategyRefill f;
  f.strategy = std::move(strategy);
  f.week = week;
  f.per_replicate = std::move(per_replicate);
  std::vector<double> removed, half, ninety;
  for (const auto& r : f.per_replicate) {
    removed.push_back(r.removed);
    if (std::isnan(r.weeks_to_half)) {
      ++f.censored_half;
    } else {
      half.push_back(r.weeks_to_half);
    }
    if (std::isnan(r.weeks_to_90)) {
      ++f.censored_90;
    } else {
      ninety.push_back(r.weeks_to_90);
    }
  }
  f.removed = mean_interval(removed);
  f.weeks_to_half = mean_interval(half);
  f.weeks_to_90 = mean_interval(ninety);
  return f;
}

}  // namespace

std::vector<StrategyRefill> refill_of(const Scenario& scenario,
                                      const std::vector<StrategySeries>& series) {
  std::vector<StrategyRefill> out;
  if (series.empty()) return out;
  const auto& base = series[0];
  for (std::size_t k = 1; k < series.size() && k < scenario.strategies.size(); ++k) {
    const auto week = pulse_week(scenario.strategies[k]);
    if (!week) continue;
    out.push_back(summarize_refill(series[k].name, *week,
                                   refill_times(base.metric("dealing"), series[k].metric("dealing"),
                                                base.replicates, base.weeks, *week)));
  }
  return out;
}

std::vector<StrategyRefill> read_refill(const std::string& path) {
  ResultReader reader(path);
  std::vector<StrategyRefill> out;
  if (!reader.exists("/comparisons")) return out;
  const auto reps = static_cast<std::uint64_t>(reader.numeric_attribute("/", "replicates"));
  for (const auto& name : reader.strings_attribute("/strategies", "order")) {
    const std::string g = "/comparisons/" + name;
    if (!reader.exists(g + "/refill_removed")) continue;
    const auto removed = reader.dataset(g + "/refill_removed", {reps}).values;
    const auto half = reader.dataset(g + "/refill_weeks_to_half", {reps}).values;
    const auto ninety = reader.dataset(g + "/refill_weeks_to_90", {reps}).values;
    std::vector<Refill> per_replicate;
    for (std::uint64_t r = 0; r < reps; ++r)
      per_replicate.push_back({removed[r], half[r], ninety[r]});
    const double week = reader.numeric_attribute(g, "pulse_week");
    if (!(week >= 0 && week <= 1e6))
      throw std::runtime_error(path + ": " + g + " @pulse_week: expected a week, got " +
                               std::to_string(week));
    out.push_back(summarize_refill(name, static_cast<int>(week), std::move(per_replicate)));
  }
  return out;
}

double vacancy_weeks(const RunOutput& run, int area) {
  static const int open = area_metric_index("open_places");
  static const int entries = area_metric_index("entries");
  static const int brought = area_metric_index("places_brought");
  double open_sum = 0, filled = 0;
  for (int t = 0; t < run.weeks; ++t) {
    open_sum += run.area_value(open, t, area);
    filled += run.area_value(entries, t, area) - run.area_value(brought, t, area);
  }
  return filled > 0 ? open_sum / filled : std::numeric_limits<double>::quiet_NaN();
}

std::string format_refill(const std::vector<StrategyRefill>& refills, int replicates) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(1);
  auto interval = [&](const Interval& i) {
    std::ostringstream t;
    t.setf(std::ios::fixed);
    t.precision(1);
    t << i.mean;
    if (!std::isnan(i.lo)) t << " [" << i.lo << ", " << i.hi << "]";
    return t.str();
  };
  auto censored = [&](int n) {
    return n == 0 ? std::string()
                  : " (" + std::to_string(n) + " of " + std::to_string(replicates) +
                        " replicates never got there)";
  };
  for (const auto& f : refills) {
    o << "Refill after the one-off removal of '" << f.strategy << "' in week " << f.week << ": "
      << interval(f.removed) << " fewer dealing at the end of that week; half refilled after "
      << interval(f.weeks_to_half) << " weeks" << censored(f.censored_half) << ", 90% after "
      << interval(f.weeks_to_90) << " weeks" << censored(f.censored_90) << "\n";
  }
  return o.str();
}

}  // namespace drift
