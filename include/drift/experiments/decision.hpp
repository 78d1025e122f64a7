#pragma once
// Decision analysis over replicates: which strategy is best and how sure that is, what an
// outcome averted costs, which strategies are worth their money (cost-effectiveness frontier),
// and how the best buy depends on what the city is willing to pay (acceptability curve).
//
// Every function takes per-replicate arrays indexed [strategy][replicate], the baseline first
// with effect 0 and extra cost 0 in every replicate. Replicate r of every strategy shares its
// random numbers (and, with --posterior, its posterior draw) with replicate r of the baseline,
// so the arrays are paired by replicate and a ranking is made replicate by replicate.
#include <cstdint>
#include <string>
#include <vector>

#include "drift/experiments/summary.hpp"

namespace drift {

using PerReplicate = std::vector<std::vector<double>>;  // [strategy][replicate]

// probability[s][k]: share of replicates in which strategy s has rank k by effect (rank 0 = the
// largest effect). Strategies with equal effect in a replicate share the ranks they occupy
// equally (two tied for first: each gets 1/2 of rank 0 and 1/2 of rank 1). Each row and each
// column sums to 1. Replicates where any effect is NaN are left out; `replicates` counts the rest.
struct RankProbabilities {
  std::vector<std::vector<double>> probability;  // [strategy][rank]
  int replicates = 0;
  double best(std::size_t s) const { return probability[s][0]; }
};
RankProbabilities rank_probabilities(const PerReplicate& effect);

// Incremental cost per unit of effect (e.g. per first entry averted) of one strategy against the
// baseline: the ratio of the mean extra cost to the mean effect, with a percentile bootstrap
// interval over replicates (pairs (effect, cost) of a replicate are resampled together).
enum class RatioStatus {
  estimated,             // the effect's 95% interval lies above 0: ratio and interval given
  effect_includes_zero,  // the effect's 95% interval includes 0: no ratio (NaN)
  effect_below_zero,     // the strategy does worse than the baseline: no ratio (NaN)
  single_replicate,      // one replicate: no interval for the effect, no ratio (NaN)
  baseline,              // the baseline against itself
};
const char* ratio_status_name(RatioStatus s);

struct IncrementalRatio {
  RatioStatus status = RatioStatus::baseline;
  Interval effect;                   // mean and 95% t interval of the paired effect
  Interval cost;                     // mean and 95% t interval of the paired extra cost
  double ratio = 0, lo = 0, hi = 0;  // euro per unit; NaN unless status is estimated
};

// Bootstrap resamples of the replicates: resample b draws replicate
// floor(u * n) for position k, u = Rng(seed, 0).uniform(Stream::decision_bootstrap, b, k); so the
// interval is a pure function of the inputs and the seed, and every strategy and outcome of one
// file uses the same resamples. A resample whose mean effect is not above 0 has no finite ratio
// and counts as +infinity (an effect that vanishes makes each unit infinitely dear).
constexpr int kDecisionBootstrap = 2000;
IncrementalRatio incremental_ratio(const std::vector<double>& effect,
                                   const std::vector<double>& extra_cost, std::uint32_t seed,
                                   int resamples = kDecisionBootstrap);

// The cost-effectiveness frontier over the mean effect and mean extra cost of every strategy
// (the baseline included, at 0, 0). Strictly dominated: another strategy has at least the effect
// at no more cost, one of them strictly. Extendedly dominated: a mix of two other strategies
// would give at least its effect for less money, i.e. its ICER against the previous frontier
// strategy exceeds the ICER of the next frontier strategy against it.
enum class FrontierStatus { frontier, dominated, extendedly_dominated };
const char* frontier_status_name(FrontierStatus s);

struct FrontierEntry {
  FrontierStatus status = FrontierStatus::frontier;
  int previous = -1;  // index of the frontier strategy before it (by effect); -1 for the first
  double icer = 0;    // (cost - cost of previous) / (effect - effect of previous); NaN if none
};
std::vector<FrontierEntry> cost_effectiveness_frontier(const std::vector<double>& mean_effect,
                                                       const std::vector<double>& mean_cost);

// Willingness to pay per unit of effect: 0, then 10^2 to 10^6 euro in 40 steps of a tenth of a
// decade (41 values): 42 values.
std::vector<double> willingness_to_pay_grid();

// probability[l][s]: share of replicates in which strategy s has the highest net benefit
// lambda_l * effect - extra cost (the baseline's is 0); ties split evenly.
std::vector<std::vector<double>> acceptability(const PerReplicate& effect,
                                               const PerReplicate& extra_cost,
                                               const std::vector<double>& willingness_to_pay);

// Everything above for one outcome (first entries averted or dealer-years averted).
struct OutcomeDecision {
  std::string outcome;  // the paired difference, e.g. entries_averted
  std::string unit;     // of the effect, e.g. youths
  RankProbabilities ranks;
  std::vector<IncrementalRatio> ratios;  // [strategy]
  std::vector<FrontierEntry> frontier;   // [strategy]
};

struct DecisionAnalysis {
  std::vector<std::string> strategies;  // baseline first
  int replicates = 0;
  std::uint32_t seed = 0;
  // Whether replicates drew their parameters from a calibration posterior (--posterior): the
  // intervals then hold parameter uncertainty, otherwise Monte Carlo noise only.
  bool parameter_uncertainty = false;
  std::vector<OutcomeDecision> outcomes;  // entries_averted, dealer_years_averted
  std::vector<double> willingness_to_pay;
  std::vector<std::vector<double>> acceptability;  // [wtp][strategy], per first entry averted
};

// The decision analysis of a summary's paired differences; `seed` keys the bootstrap
// (simulation.seed of the run).
DecisionAnalysis decide(const Summary& summary, std::uint32_t seed);

// The decision analysis `drift summarize` prints for the result file at `path`, whose summary is
// `summary`: keyed on the file's root attribute `seed` (so the numbers equal its /decision
// group), with parameter uncertainty when the file has /posterior. Throws std::runtime_error
// naming the file when the seed is missing or not a whole number from 0 to 2^32 - 1.
DecisionAnalysis decide_file(const std::string& path, const Summary& summary);

// Short text for `drift run` / `drift summarize`: per outcome the rank probabilities, the cost
// per unit averted with its interval and the frontier, then the best buy at a few
// willingness-to-pay values.
std::string format_decision(const DecisionAnalysis& d);

}  // namespace drift
