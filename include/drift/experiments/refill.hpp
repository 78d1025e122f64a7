#pragma once
// How fast the market refills after a one-off removal of dealers (docs/results.md, "Refill after
// a one-off removal"): a strategy whose interventions all act in one and the same week is a
// pulse; its dealing deficit against the paired baseline run is followed week by week.
#include <optional>
#include <string>
#include <vector>

#include "drift/experiments/summary.hpp"
#include "drift/results/run_output.hpp"
#include "drift/scenario/scenario.hpp"

namespace drift {

// The week in which every intervention of `strategy` acts (start_week, with end_week =
// start_week + 1), or nothing when the strategy has no interventions or they are not one pulse.
std::optional<int> pulse_week(const StrategySpec& strategy);

// One replicate's refill after a pulse in week `week`. The deficit in week t is baseline dealing
// minus strategy dealing (youths dealing at the end of week t, paired runs); `removed` is the
// deficit at the end of the pulse week. `weeks_to_half` and `weeks_to_90` count the weeks after
// the pulse week until the deficit first falls to half and to a tenth of `removed`; NaN when it
// does not happen before the horizon ends (censored) or nothing was removed.
struct Refill {
  double removed = 0;
  double weeks_to_half = 0;
  double weeks_to_90 = 0;
};

// `baseline` and `strategy` hold the weekly dealing stock as [replicate * weeks + week].
std::vector<Refill> refill_times(const std::vector<double>& baseline,
                                 const std::vector<double>& strategy, int replicates, int weeks,
                                 int week);

// The refill of every pulse strategy of a run (scenario order), with means over the replicates
// that reached each threshold and how many did not (censored).
struct StrategyRefill {
  std::string strategy;
  int week = 0;
  std::vector<Refill> per_replicate;
  Interval removed, weeks_to_half, weeks_to_90;  // over uncensored replicates
  int censored_half = 0, censored_90 = 0;
};
std::vector<StrategyRefill> refill_of(const Scenario& scenario,
                                      const std::vector<StrategySeries>& series);

// The same from a result file's `/comparisons/<strategy>/refill_*` (empty when it has none).
std::vector<StrategyRefill> read_refill(const std::string& path);

// Mean weeks a fixed place of `area` stays vacant over the run, by Little's law: the mean number
// of open fixed places divided by the mean number filled per week (entries minus the entries
// that brought their own place); NaN when no fixed place was filled.
double vacancy_weeks(const RunOutput& run, int area);

// Lines for `drift run`: one per pulse strategy; "" when there is none.
std::string format_refill(const std::vector<StrategyRefill>& refills, int replicates);

}  // namespace drift
