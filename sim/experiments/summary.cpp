#include "drift/experiments/summary.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "drift/experiments/result_file.hpp"
#include "drift/results/results.hpp"

namespace drift {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct OutcomeDef {
  const char* name;
  const char* unit;
  const char* description;
  const char* difference_name;  // paired difference vs baseline
  double sign;                  // +1: strategy - baseline; -1: baseline - strategy (averted)
};

const OutcomeDef kOutcomes[] = {
    {"new_entries", "youths", "First entries into dealing over the horizon", "entries_averted", -1},
    {"dealer_years", "youth-years", "Years spent dealing (runner or dealer) over the horizon",
     "dealer_years_averted", -1},
    {"detentions", "detentions", "Arrests leading to detention over the horizon",
     "detentions_averted", -1},
    {"dealing_end", "youths", "Youths dealing in the last week", "dealing_end_change", +1},
    {"employed_mean", "youths", "Youths employed, mean over the horizon", "employed_gained", +1},
    {"cost", "euro", "Cost of the strategy's interventions over the horizon", "extra_cost", +1},
};

std::vector<double> outcome_values(const StrategySeries& s, const std::string& name) {
  std::vector<double> out(s.replicates, 0.0);
  auto sum_of = [&](const std::string& metric, double factor) {
    const auto& v = s.metric(metric);
    for (int r = 0; r < s.replicates; ++r) {
      for (int t = 0; t < s.weeks; ++t)
        out[r] += factor * v[static_cast<std::size_t>(r) * s.weeks + t];
    }
  };
  if (name == "new_entries")
    sum_of("new_entries", 1.0);
  else if (name == "dealer_years")
    sum_of("dealing", 1.0 / 52.0);
  else if (name == "detentions")
    sum_of("detentions", 1.0);
  else if (name == "employed_mean")
    sum_of("employed", 1.0 / s.weeks);
  else if (name == "dealing_end") {
    const auto& v = s.metric("dealing");
    for (int r = 0; r < s.replicates; ++r)
      out[r] = v[static_cast<std::size_t>(r) * s.weeks + s.weeks - 1];
  } else if (name == "cost") {
    out = s.cost;
  }
  return out;
}

std::string fmt(double v, int precision = 1) {
  if (std::isnan(v)) return "-";
  std::ostringstream o;
  o << std::fixed << std::setprecision(precision) << v;
  return o.str();
}

std::string fmt_interval(const Interval& i) {
  if (std::isnan(i.lo)) return fmt(i.mean);
  return fmt(i.mean) + " [" + fmt(i.lo) + ", " + fmt(i.hi) + "]";
}

}  // namespace

const std::vector<double>& StrategySeries::metric(const std::string& name) const {
  for (std::size_t k = 0; k < metric_names.size(); ++k) {
    if (metric_names[k] == name) return series[k];
  }
  throw std::invalid_argument("no metric " + name + " for strategy " + this->name);
}

Interval mean_interval(const std::vector<double>& values, double level) {
  Interval r;
  const auto n = values.size();
  if (n == 0) return {kNaN, kNaN, kNaN};
  double sum = 0;
  for (double v : values) sum += v;
  r.mean = sum / n;
  if (n < 2) {
    r.lo = r.hi = kNaN;
    return r;
  }
  double ss = 0;
  for (double v : values) ss += (v - r.mean) * (v - r.mean);
  const double se = std::sqrt(ss / (n - 1) / n);
  boost::math::students_t t(static_cast<double>(n - 1));
  const double q = boost::math::quantile(t, 0.5 + level / 2.0);
  r.lo = r.mean - q * se;
  r.hi = r.mean + q * se;
  return r;
}

Summary summarize(const std::vector<StrategySeries>& strategies) {
  Summary s;
  if (strategies.empty()) return s;
  s.baseline = strategies[0].name;
  s.replicates = strategies[0].replicates;
  s.weeks = strategies[0].weeks;
  std::vector<std::vector<double>> base;
  for (const auto& def : kOutcomes) base.push_back(outcome_values(strategies[0], def.name));
  for (std::size_t k = 0; k < strategies.size(); ++k) {
    StrategySummary ss;
    ss.name = strategies[k].name;
    std::vector<double> averted, cost;
    for (std::size_t o = 0; o < std::size(kOutcomes); ++o) {
      const auto& def = kOutcomes[o];
      OutcomeSummary os;
      os.name = def.name;
      os.unit = def.unit;
      os.description = def.description;
      os.per_replicate = outcome_values(strategies[k], def.name);
      os.value = mean_interval(os.per_replicate);
      if (k > 0) {
        std::vector<double> diff(os.per_replicate.size());
        for (std::size_t r = 0; r < diff.size(); ++r) {
          diff[r] =
              def.sign > 0 ? os.per_replicate[r] - base[o][r] : base[o][r] - os.per_replicate[r];
        }
        os.has_difference = true;
        os.difference_name = def.difference_name;
        os.difference = mean_interval(diff);
        os.difference_per_replicate = diff;
        if (os.name == "new_entries") averted = diff;
        if (os.name == "cost") cost = diff;
      }
      ss.outcomes.push_back(std::move(os));
    }
    ss.cost_per_entry_averted = {kNaN, kNaN, kNaN};
    if (k > 0) {
      const auto a = mean_interval(averted), c = mean_interval(cost);
      // Ratio of means; its interval needs the sweep machinery (bootstrap), not reported here.
      if (a.mean > 0) ss.cost_per_entry_averted = {c.mean / a.mean, kNaN, kNaN};
    }
    s.strategies.push_back(std::move(ss));
  }
  return s;
}

std::vector<StrategySeries> series_of(const ExperimentOutput& output) {
  std::vector<StrategySeries> out;
  const auto& am = area_metrics();
  const auto& im = intervention_metrics();
  for (const auto& st : output.strategies) {
    StrategySeries s;
    s.name = st.name;
    s.replicates = static_cast<int>(st.replicates.size());
    s.weeks = s.replicates ? st.replicates[0].weeks : 0;
    for (std::size_t m = 0; m < am.size(); ++m) {
      s.metric_names.push_back(am[m].name);
      std::vector<double> v(static_cast<std::size_t>(s.replicates) * s.weeks);
      for (int r = 0; r < s.replicates; ++r) {
        for (int t = 0; t < s.weeks; ++t)
          v[static_cast<std::size_t>(r) * s.weeks + t] =
              st.replicates[r].total(static_cast<int>(m), t);
      }
      s.series.push_back(std::move(v));
    }
    for (int r = 0; r < s.replicates; ++r) {
      const auto& run = st.replicates[r];
      double c = run.fixed_cost;
      const std::size_t ni = st.intervention_names.size();
      std::size_t cost_metric = 0;
      while (im[cost_metric].name != "cost") ++cost_metric;
      for (std::size_t k = 0; k < ni; ++k) {
        for (int t = 0; t < s.weeks; ++t)
          c += run.interventions[(k * im.size() + cost_metric) * s.weeks + t];
      }
      s.cost.push_back(c);
    }
    out.push_back(std::move(s));
  }
  return out;
}

Summary summarize(const Parameters&, const ExperimentOutput& output) {
  return summarize(series_of(output));
}

namespace {
// The strategies in scenario order: the attribute `order` of /strategies (format version 2),
// or the dataset /strategies/order of files of format version 1.
std::vector<std::string> strategy_order(const ResultReader& reader, const std::string& path) {
  if (reader.has_attribute("/strategies", "order"))
    return reader.strings_attribute("/strategies", "order");
  if (reader.exists("/strategies/order")) return reader.strings("/strategies/order");
  throw std::runtime_error(path +
                           ": not a Drift result file (no attribute 'order' of /strategies)");
}
}  // namespace

Summary summarize_file(const std::string& path) {
  check_result_file(path);
  ResultReader reader(path);
  std::vector<StrategySeries> out;
  for (const auto& name : strategy_order(reader, path)) {
    StrategySeries s;
    s.name = name;
    const std::string base = "/strategies/" + name;
    for (const auto& m : area_metrics()) {
      auto d = reader.dataset(base + "/timeseries/" + m.name);
      s.replicates = static_cast<int>(d.shape[0]);
      s.weeks = static_cast<int>(d.shape[1]);
      s.metric_names.push_back(m.name);
      s.series.push_back(std::move(d.values));
    }
    s.cost = reader.dataset(base + "/interventions/fixed_cost").values;
    for (const auto& child : reader.children(base + "/interventions")) {
      if (child == "fixed_cost") continue;
      const auto c = reader.dataset(base + "/interventions/" + child + "/cost");
      for (int r = 0; r < s.replicates; ++r) {
        for (int t = 0; t < s.weeks; ++t)
          s.cost[r] += c.values[static_cast<std::size_t>(r) * s.weeks + t];
      }
    }
    out.push_back(std::move(s));
  }
  return summarize(out);
}

std::string market_assumption(const Parameters& params, const std::vector<double>& drawn) {
  const double r = params.market.replacement;
  std::ostringstream o;
  if (!drawn.empty()) {
    const auto [lo, hi] = std::minmax_element(drawn.begin(), drawn.end());
    double mean = 0;
    for (double v : drawn) mean += v / static_cast<double>(drawn.size());
    // Two significant digits: a share read by people, not a value to reuse.
    auto share = [](double v) {
      std::ostringstream s;
      s << std::setprecision(2) << v;
      return s.str();
    };
    o << "Market assumption: market.replacement (the share of the places a dealer leaves that "
         "other willing youths refill) was drawn for each replicate from the calibration "
         "posterior: "
      << share(*lo) << " to " << share(*hi) << " in this run, mean " << share(mean)
      << ". The register figures do not narrow it, so the ranking averages over an open question; "
         "scenarios/assumptions/ holds both ends (docs/model.md 7.5a).\n";
    return o.str();
  }
  o << "Market assumption: market.replacement = " << r << ". ";
  if (r >= 1.0) {
    o << "Full replacement: every place a dealer leaves is refilled from other willing youths, so "
         "measures aimed at individual youths change who deals, not how many.";
  } else if (r <= 0.0) {
    o << "No replacement: the places follow the supply of willing recruits, so every youth kept "
         "out of dealing is one dealer fewer.";
  } else {
    o << "Partial replacement: " << std::lround(100.0 * r)
      << "% of the places a dealer leaves are refilled from other willing youths; the rest "
         "disappear with the dealer, so measures aimed at individual youths act on that rest "
         "only.";
  }
  o << " The ranking rests on this value; the literature leaves it open (docs/model.md 7.5a; "
       "scenarios/assumptions/ holds both ends).\n";
  return o.str();
}

std::string format_table(const Summary& s) {
  std::ostringstream o;
  o << "Summary over " << s.replicates << " replicates and " << s.weeks
    << " weeks (mean [95% interval]); differences are paired with the baseline '" << s.baseline
    << "'\n\n";
  for (const auto& st : s.strategies) {
    o << "Strategy: " << st.name << (st.name == s.baseline ? " (baseline)" : "") << "\n";
    for (const auto& oc : st.outcomes) {
      // The space keeps the unit apart from an interval wider than its column (costs in euro).
      o << "  " << std::left << std::setw(16) << oc.name << std::setw(34) << fmt_interval(oc.value)
        << ' ' << oc.unit;
      if (oc.has_difference)
        o << "   " << oc.difference_name << ": " << fmt_interval(oc.difference);
      o << "\n";
    }
    if (!std::isnan(st.cost_per_entry_averted.mean)) {
      o << "  cost per entry averted: " << fmt(st.cost_per_entry_averted.mean, 0) << " euro\n";
    }
    o << "\n";
  }
  return o.str();
}

std::string format_csv(const Summary& s) {
  std::ostringstream o;
  o << std::setprecision(10);
  o << "strategy,outcome,unit,mean,lo95,hi95,difference,diff_mean,diff_lo95,diff_hi95\n";
  for (const auto& st : s.strategies) {
    for (const auto& oc : st.outcomes) {
      o << st.name << "," << oc.name << "," << oc.unit << "," << oc.value.mean << "," << oc.value.lo
        << "," << oc.value.hi << ",";
      if (oc.has_difference) {
        o << oc.difference_name << "," << oc.difference.mean << "," << oc.difference.lo << ","
          << oc.difference.hi;
      } else {
        o << ",,,";
      }
      o << "\n";
    }
  }
  return o.str();
}

}  // namespace drift

namespace drift {

bool is_sweep_file(const std::string& path) {
  ResultReader reader(path);
  return reader.exists("/sweep/points");
}

std::string format_sweep_file(const std::string& path, bool csv) {
  ResultReader reader(path);
  const auto names = reader.strings("/sweep/parameter_names");
  const std::size_t d = names.size();
  const auto points = reader.dataset("/sweep/points", {ResultReader::kAnyLength, d});
  const auto order = strategy_order(reader, path);
  if (order.empty()) throw std::runtime_error(path + ": /strategies: the file lists no strategy");
  const std::size_t np = points.shape[0];
  std::ostringstream o;
  o << std::setprecision(10);
  if (csv)
    o << "point,parameter_values,strategy,difference,mean,lo95,hi95\n";
  else
    o << "Sweep (" << reader.attribute("/sweep", "design") << "), " << np
      << " points; paired differences against '" << order.front()
      << "' (mean [95% interval] over replicates)\n";
  for (std::size_t p = 0; p < np; ++p) {
    std::string values;
    for (std::size_t j = 0; j < d; ++j) {
      values += (j ? (csv ? ";" : ", ") : "") + names[j] + "=" + fmt(points.values[p * d + j], 4);
    }
    if (!csv) o << "\npoint " << p << ": " << values << "\n";
    for (std::size_t s = 1; s < order.size(); ++s) {
      const std::string group = "/sweep/comparisons/" + order[s];
      for (const auto& diff : reader.children(group)) {
        const auto data = reader.dataset(group + "/" + diff, {np, ResultReader::kAnyLength});
        const std::size_t reps = data.shape[1];
        const std::vector<double> row(data.values.begin() + p * reps,
                                      data.values.begin() + (p + 1) * reps);
        const auto i = mean_interval(row);
        if (csv) {
          o << p << "," << values << "," << order[s] << "," << diff << "," << i.mean << "," << i.lo
            << "," << i.hi << "\n";
        } else {
          o << "  " << std::left << std::setw(20) << order[s] << std::setw(24) << diff
            << fmt_interval(i) << "\n";
        }
      }
    }
  }
  if (reader.exists("/sensitivity") && !csv) {
    o << "\nSobol indices (first order / total, 95% bootstrap interval)\n";
    for (std::size_t s = 0; s < order.size(); ++s) {
      const std::string group = "/sensitivity/" + order[s];
      if (!reader.exists(group)) continue;
      for (const auto& outcome : reader.children(group)) {
        const std::string g = group + "/" + outcome;
        const auto f = reader.dataset(g + "/first_order", {d}),
                   t = reader.dataset(g + "/total_order", {d});
        const auto flo = reader.dataset(g + "/first_order_lo95", {d}),
                   fhi = reader.dataset(g + "/first_order_hi95", {d});
        const auto tlo = reader.dataset(g + "/total_order_lo95", {d}),
                   thi = reader.dataset(g + "/total_order_hi95", {d});
        o << "  " << order[s] << " / " << outcome << "\n";
        for (std::size_t j = 0; j < d; ++j) {
          o << "    " << std::left << std::setw(44) << names[j] << fmt(f.values[j], 3) << " ["
            << fmt(flo.values[j], 3) << ", " << fmt(fhi.values[j], 3) << "]  /  "
            << fmt(t.values[j], 3) << " [" << fmt(tlo.values[j], 3) << ", " << fmt(thi.values[j], 3)
            << "]\n";
        }
      }
    }
  }
  return o.str();
}

}  // namespace drift
