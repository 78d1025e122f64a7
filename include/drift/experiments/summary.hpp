#pragma once
// Summaries of an experiment: per strategy the mean and 95% interval of each outcome over
// replicates, and paired differences against the baseline (replicate r of each strategy shares
// its random numbers with replicate r of the baseline).
#include <string>
#include <vector>

#include "drift/experiments/experiment.hpp"
#include "drift/model/parameters.hpp"

namespace drift {

struct Interval {
  double mean = 0;
  double lo = 0;  // NaN with fewer than two replicates
  double hi = 0;
};

// Mean and two-sided t interval of the mean at `level`.
Interval mean_interval(const std::vector<double>& values, double level = 0.95);

// Per-replicate series of one strategy, summed over areas: series[metric][replicate * weeks +
// week].
struct StrategySeries {
  std::string name;
  int replicates = 0;
  int weeks = 0;
  std::vector<std::string> metric_names;
  std::vector<std::vector<double>> series;
  std::vector<double> cost;  // total cost per replicate, euro
  const std::vector<double>& metric(const std::string& name) const;
};

struct OutcomeSummary {
  std::string name;
  std::string unit;
  std::string description;
  std::vector<double> per_replicate;
  Interval value;
  // Paired against the baseline, in the direction of the name (e.g. entries averted =
  // baseline - strategy). Empty for the baseline itself.
  bool has_difference = false;
  std::string difference_name;
  std::vector<double> difference_per_replicate;
  Interval difference;
};

struct StrategySummary {
  std::string name;
  std::vector<OutcomeSummary> outcomes;
  Interval cost_per_entry_averted;  // NaN when no entry is averted on average
};

struct Summary {
  std::string baseline;
  int replicates = 0;
  int weeks = 0;
  std::vector<StrategySummary> strategies;
};

Summary summarize(const std::vector<StrategySeries>& strategies);
std::vector<StrategySeries> series_of(const ExperimentOutput& output);
Summary summarize(const Parameters& params, const ExperimentOutput& output);
Summary summarize_file(const std::string& path);

// For a sweep result file: per point, the parameter values and each strategy's paired
// differences against the baseline (mean and 95% interval over replicates), then the Sobol
// indices when the design was `sobol`. `csv` selects CSV instead of a table.
std::string format_sweep_file(const std::string& path, bool csv);
bool is_sweep_file(const std::string& path);

std::string format_table(const Summary& s);
// The market assumption a comparison rests on, in plain words (market.replacement and what it
// means), to print beside every ranking.
// `drawn`: the values a posterior drew for market.replacement, one per replicate (empty when the
// run used the scenario's value).
std::string market_assumption(const Parameters& params, const std::vector<double>& drawn = {});
std::string format_csv(const Summary& s);

}  // namespace drift
