#include "drift/experiments/decision.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "drift/model/rng.hpp"
#include "drift/results/results.hpp"

namespace drift {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

bool replicate_complete(const PerReplicate& a, std::size_t r) {
  for (const auto& s : a) {
    if (std::isnan(s[r])) return false;
  }
  return true;
}

std::size_t replicates_of(const PerReplicate& a) {
  std::size_t n = a.empty() ? 0 : a.front().size();
  for (const auto& s : a) {
    if (s.size() != n)
      throw std::invalid_argument("decision analysis: strategies with different replicate counts");
  }
  return n;
}

// The same nearest-rank quantile as the Sobol bootstrap (sobol.cpp).
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * (v.size() - 1) + 0.5))];
}

}  // namespace

const char* ratio_status_name(RatioStatus s) {
  switch (s) {
    case RatioStatus::estimated:
      return "estimated";
    case RatioStatus::effect_includes_zero:
      return "effect_includes_zero";
    case RatioStatus::effect_below_zero:
      return "effect_below_zero";
    case RatioStatus::single_replicate:
      return "single_replicate";
    case RatioStatus::baseline:
      return "baseline";
  }
  return "";
}

const char* frontier_status_name(FrontierStatus s) {
  switch (s) {
    case FrontierStatus::frontier:
      return "frontier";
    case FrontierStatus::dominated:
      return "dominated";
    case FrontierStatus::extendedly_dominated:
      return "extendedly_dominated";
  }
  return "";
}

RankProbabilities rank_probabilities(const PerReplicate& effect) {
  const std::size_t ns = effect.size(), nr = replicates_of(effect);
  RankProbabilities out;
  out.probability.assign(ns, std::vector<double>(ns, 0.0));
  for (std::size_t r = 0; r < nr; ++r) {
    if (!replicate_complete(effect, r)) continue;
    ++out.replicates;
    for (std::size_t s = 0; s < ns; ++s) {
      std::size_t greater = 0, equal = 0;
      for (std::size_t t = 0; t < ns; ++t) {
        if (effect[t][r] > effect[s][r]) ++greater;
        if (effect[t][r] == effect[s][r]) ++equal;  // s itself included
      }
      for (std::size_t k = greater; k < greater + equal; ++k)
        out.probability[s][k] += 1.0 / static_cast<double>(equal);
    }
  }
  if (out.replicates > 0) {
    for (auto& row : out.probability) {
      for (auto& p : row) p /= out.replicates;
    }
  }
  return out;
}

IncrementalRatio incremental_ratio(const std::vector<double>& effect,
                                   const std::vector<double>& extra_cost, std::uint32_t seed,
                                   int resamples) {
  if (effect.size() != extra_cost.size())
    throw std::invalid_argument("incremental_ratio: effect and cost of different lengths");
  IncrementalRatio out;
  out.effect = mean_interval(effect);
  out.cost = mean_interval(extra_cost);
  out.ratio = out.lo = out.hi = kNaN;
  const std::size_t n = effect.size();
  if (n < 2 || std::isnan(out.effect.lo)) {
    out.status = RatioStatus::single_replicate;
    return out;
  }
  if (out.effect.hi < 0) {
    out.status = RatioStatus::effect_below_zero;
    return out;
  }
  if (!(out.effect.lo > 0)) {
    out.status = RatioStatus::effect_includes_zero;
    return out;
  }
  out.status = RatioStatus::estimated;
  out.ratio = out.cost.mean / out.effect.mean;
  const Rng rng(seed, 0);
  std::vector<double> ratios;
  ratios.reserve(static_cast<std::size_t>(resamples));
  for (int b = 0; b < resamples; ++b) {
    double e = 0, c = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const double u = rng.uniform(Stream::decision_bootstrap, b, static_cast<std::uint32_t>(k));
      const std::size_t i = std::min(n - 1, static_cast<std::size_t>(u * static_cast<double>(n)));
      e += effect[i];
      c += extra_cost[i];
    }
    ratios.push_back(e > 0 ? c / e : kInf);
  }
  out.lo = quantile(ratios, 0.025);
  out.hi = quantile(ratios, 0.975);
  return out;
}

std::vector<FrontierEntry> cost_effectiveness_frontier(const std::vector<double>& mean_effect,
                                                       const std::vector<double>& mean_cost) {
  const std::size_t n = mean_effect.size();
  if (mean_cost.size() != n)
    throw std::invalid_argument(
        "cost_effectiveness_frontier: effect and cost of different lengths");
  std::vector<FrontierEntry> out(n, FrontierEntry{FrontierStatus::frontier, -1, kNaN});
  for (std::size_t s = 0; s < n; ++s) {
    const double e = mean_effect[s], c = mean_cost[s];
    if (std::isnan(e) || std::isnan(c)) {
      out[s].status = FrontierStatus::dominated;  // no estimate: never a choice on the frontier
      continue;
    }
    for (std::size_t t = 0; t < n; ++t) {
      if (t == s || std::isnan(mean_effect[t]) || std::isnan(mean_cost[t])) continue;
      const bool no_worse = mean_effect[t] >= e && mean_cost[t] <= c;
      const bool better = mean_effect[t] > e || mean_cost[t] < c;
      // Two strategies at the same point: the first in scenario order stays on the frontier.
      if (no_worse && (better || t < s)) {
        out[s].status = FrontierStatus::dominated;
        break;
      }
    }
  }
  // Not dominated, ordered by effect: costs then rise with effect. Remove the strategy whose
  // ICER exceeds that of the next one until the ICERs rise along the frontier.
  std::vector<std::size_t> front;
  for (std::size_t s = 0; s < n; ++s) {
    if (out[s].status == FrontierStatus::frontier) front.push_back(s);
  }
  std::sort(front.begin(), front.end(),
            [&](std::size_t a, std::size_t b) { return mean_effect[a] < mean_effect[b]; });
  auto icer = [&](std::size_t from, std::size_t to) {
    return (mean_cost[to] - mean_cost[from]) / (mean_effect[to] - mean_effect[from]);
  };
  for (bool removed = true; removed;) {
    removed = false;
    for (std::size_t k = 1; k + 1 < front.size(); ++k) {
      if (icer(front[k - 1], front[k]) > icer(front[k], front[k + 1])) {
        out[front[k]].status = FrontierStatus::extendedly_dominated;
        front.erase(front.begin() + static_cast<std::ptrdiff_t>(k));
        removed = true;
        break;
      }
    }
  }
  for (std::size_t k = 1; k < front.size(); ++k) {
    out[front[k]].previous = static_cast<int>(front[k - 1]);
    out[front[k]].icer = icer(front[k - 1], front[k]);
  }
  return out;
}

std::vector<double> willingness_to_pay_grid() {
  std::vector<double> grid{0.0};
  for (int k = 0; k <= 40; ++k) grid.push_back(std::pow(10.0, 2.0 + k / 10.0));
  return grid;
}

std::vector<std::vector<double>> acceptability(const PerReplicate& effect,
                                               const PerReplicate& extra_cost,
                                               const std::vector<double>& willingness_to_pay) {
  const std::size_t ns = effect.size(), nr = replicates_of(effect);
  if (extra_cost.size() != ns || replicates_of(extra_cost) != nr)
    throw std::invalid_argument("acceptability: effect and cost of different shapes");
  std::vector<std::vector<double>> out(willingness_to_pay.size(), std::vector<double>(ns, 0.0));
  std::vector<double> net(ns);
  for (std::size_t l = 0; l < willingness_to_pay.size(); ++l) {
    const double lambda = willingness_to_pay[l];
    int used = 0;
    for (std::size_t r = 0; r < nr; ++r) {
      if (!replicate_complete(effect, r) || !replicate_complete(extra_cost, r)) continue;
      ++used;
      for (std::size_t s = 0; s < ns; ++s) net[s] = lambda * effect[s][r] - extra_cost[s][r];
      const double best = *std::max_element(net.begin(), net.end());
      const auto ties = static_cast<double>(std::count(net.begin(), net.end(), best));
      for (std::size_t s = 0; s < ns; ++s) {
        if (net[s] == best) out[l][s] += 1.0 / ties;
      }
    }
    if (used > 0) {
      for (auto& p : out[l]) p /= used;
    }
  }
  return out;
}

namespace {

// Per strategy and replicate, the paired difference `name` of the summary (0 for the baseline).
PerReplicate paired(const Summary& summary, const std::string& name) {
  PerReplicate out;
  for (const auto& st : summary.strategies) {
    std::vector<double> v(static_cast<std::size_t>(summary.replicates), 0.0);
    for (const auto& oc : st.outcomes) {
      if (oc.has_difference && oc.difference_name == name) v = oc.difference_per_replicate;
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<double> means(const PerReplicate& a) {
  std::vector<double> out;
  for (const auto& s : a) out.push_back(mean_interval(s).mean);
  return out;
}

}  // namespace

DecisionAnalysis decide(const Summary& summary, std::uint32_t seed) {
  DecisionAnalysis d;
  d.seed = seed;
  d.replicates = summary.replicates;
  for (const auto& st : summary.strategies) d.strategies.push_back(st.name);
  const auto cost = paired(summary, "extra_cost");
  const std::pair<const char*, const char*> outcomes[] = {{"entries_averted", "youths"},
                                                          {"dealer_years_averted", "youth-years"}};
  for (const auto& [name, unit] : outcomes) {
    OutcomeDecision od;
    od.outcome = name;
    od.unit = unit;
    const auto effect = paired(summary, name);
    od.ranks = rank_probabilities(effect);
    for (std::size_t s = 0; s < effect.size(); ++s) {
      if (s == 0) {
        IncrementalRatio base;
        base.effect = base.cost = {0, 0, 0};
        base.ratio = base.lo = base.hi = kNaN;
        od.ratios.push_back(base);
      } else {
        od.ratios.push_back(incremental_ratio(effect[s], cost[s], seed));
      }
    }
    od.frontier = cost_effectiveness_frontier(means(effect), means(cost));
    if (od.outcome == "entries_averted") {
      d.willingness_to_pay = willingness_to_pay_grid();
      d.acceptability = acceptability(effect, cost, d.willingness_to_pay);
    }
    d.outcomes.push_back(std::move(od));
  }
  return d;
}

DecisionAnalysis decide_file(const std::string& path, const Summary& summary) {
  const ResultReader reader(path);
  double seed = -1;
  try {
    if (reader.has_attribute("/", "seed")) seed = reader.numeric_attribute("/", "seed");
  } catch (const std::exception&) {
    seed = -1;
  }
  if (!(seed >= 0 && seed <= 4294967295.0 && seed == std::floor(seed)))
    throw std::runtime_error(path +
                             ": root attribute seed: missing or not a whole number from 0 to "
                             "4294967295 (it keys the bootstrap of the decision analysis)");
  auto d = decide(summary, static_cast<std::uint32_t>(seed));
  d.parameter_uncertainty = reader.exists("/posterior");
  return d;
}

namespace {

std::string euro(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream o;
  o << std::fixed << std::setprecision(0) << v;
  return o.str();
}

std::string probability(double p) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(2) << p;
  return o.str();
}

std::string ratio_text(const IncrementalRatio& r, const std::string& per) {
  switch (r.status) {
    case RatioStatus::estimated:
      return euro(r.ratio) + " [" + euro(r.lo) + ", " + euro(r.hi) + "] euro per " + per;
    case RatioStatus::effect_includes_zero:
      return "no ratio: the effect's interval includes 0";
    case RatioStatus::effect_below_zero:
      return "no ratio: worse than the baseline";
    case RatioStatus::single_replicate:
      return "no ratio: one replicate";
    case RatioStatus::baseline:
      return "-";
  }
  return "";
}

}  // namespace

std::string format_decision(const DecisionAnalysis& d) {
  std::ostringstream o;
  if (d.strategies.empty()) return "";
  const std::size_t ns = d.strategies.size();
  std::size_t width = 10;
  for (const auto& s : d.strategies) width = std::max(width, s.size() + 2);
  o << "Ranking and value for money over " << d.replicates << " replicates against '"
    << d.strategies.front()
    << "'\n(the baseline ranks as a strategy with no effect; ties share their ranks; intervals of "
       "the cost\nper unit averted: percentile bootstrap over replicates, "
    << kDecisionBootstrap << " resamples; dominated: another does more for less)\n"
    << (d.parameter_uncertainty
            ? "Intervals include parameter uncertainty: runs draw parameters from the calibration "
              "posterior.\n"
            : "Intervals hold Monte Carlo noise only, at fixed parameters (no --posterior).\n");
  for (const auto& od : d.outcomes) {
    const std::string per =
        od.outcome == "entries_averted" ? "entry averted" : "dealer-year averted";
    o << "\n" << od.outcome << ": probability of rank 1 (most effective) to " << ns << "\n";
    o << "  " << std::left << std::setw(static_cast<int>(width)) << "strategy";
    for (std::size_t k = 0; k < ns; ++k) o << std::right << std::setw(6) << (k + 1);
    o << "   cost per " << per << " [95%]; frontier\n";
    for (std::size_t s = 0; s < ns; ++s) {
      o << "  " << std::left << std::setw(static_cast<int>(width)) << d.strategies[s];
      for (std::size_t k = 0; k < ns; ++k)
        o << std::right << std::setw(6) << probability(od.ranks.probability[s][k]);
      o << "   " << ratio_text(od.ratios[s], per) << "; "
        << frontier_status_name(od.frontier[s].status);
      if (od.frontier[s].previous >= 0) {
        o << " (" << euro(od.frontier[s].icer) << " euro per " << per << " beyond '"
          << d.strategies[od.frontier[s].previous] << "')";
      }
      o << "\n";
    }
  }
  if (!d.acceptability.empty()) {
    o << "\nBest buy by willingness to pay per first entry averted (probability of the highest "
         "net benefit):\n";
    for (const double lambda : {0.0, 1e4, 1e5, 1e6}) {
      std::size_t l = 0;
      while (l + 1 < d.willingness_to_pay.size() && d.willingness_to_pay[l] < lambda * 0.999) ++l;
      const auto& row = d.acceptability[l];
      const auto best =
          static_cast<std::size_t>(std::max_element(row.begin(), row.end()) - row.begin());
      o << "  " << std::right << std::setw(9) << euro(d.willingness_to_pay[l])
        << " euro: " << d.strategies[best] << " (" << probability(row[best]) << ")\n";
    }
  }
  return o.str();
}

}  // namespace drift
