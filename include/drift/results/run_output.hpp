#pragma once
// The record of runs: what is recorded per week, area, intervention and release cohort, and the
// tables of metrics (names, units, meanings, how a week measures them), declared once: they drive
// recording, the HDF5 writer, the summaries and the report's lists.
#include <cstddef>
#include <string>
#include <vector>

#include "drift/model/world.hpp"
#include "drift/step/intervention.hpp"

namespace drift {

struct Metric {
  std::string name;
  std::string unit;
  std::string description;
  // How a recorded week measures it; the one of its table is set: per area from the world, for
  // the city from the world, or a field of an intervention's report of the week.
  double (*of_area)(const World& w, int area) = nullptr;
  double (*of_city)(const World& w) = nullptr;
  double InterventionWeek::*of_intervention = nullptr;
};

// Metrics recorded per week and area.
const std::vector<Metric>& area_metrics();
// Metrics recorded per week for the whole city (networks).
const std::vector<Metric>& city_metrics();
// Metrics recorded per week and intervention.
const std::vector<Metric>& intervention_metrics();
// Index of a metric by name in area_metrics(); -1 if absent.
int area_metric_index(const std::string& name);

// Per release week (index = week of release, 0..weeks-1), what became of the releases from
// detention of that week. A registration "within 52 weeks" falls in the release week or the 51
// weeks after it (delay < 52), and likewise for 104. Censored: the youth left the model, or the
// horizon ended, before the window was over and without a registration.
struct ReleaseLedger {
  std::vector<double> releases;
  std::vector<double> reregistered_52w, reregistered_104w;
  std::vector<double> censored_52w, censored_104w;
  std::vector<double> followed_13w;  // releases whose youth was still present 13 weeks later
  std::vector<double> job_13w;       // of which with a job at the end of that week
  // The same follow-up counting only registrations for dealing (a drug arrest): releases followed
  // by one within 104 weeks, and those censored before it (left the model or end of horizon).
  std::vector<double> drug_reregistered_104w, drug_censored_104w;
  void assign(int weeks);
  std::vector<std::vector<double>*> columns();
  std::vector<const std::vector<double>*> columns() const;
};

// The record of one run (one strategy, one replicate).
struct RunOutput {
  int weeks = 0;
  int areas = 0;
  std::vector<double> by_area;        // [metric][week][area]
  std::vector<double> city;           // [metric][week]
  std::vector<double> interventions;  // [intervention][metric][week]
  double fixed_cost = 0;              // one-off intervention costs, euro
  // Virtual trial counts (trial.hpp): treated, control, treated_events, control_events; empty
  // outside the trial's strategy.
  std::vector<double> trial;
  // Registered suspects by single year of age, ages min_age .. min_age + ages - 1 (that is
  // population.min_age .. population.max_age - 1), each [week][age]: youths of that age present
  // at the end of the week, and youths registered this week for the first time in the current
  // simulated year (week / 52), for any offence and for dealing.
  int min_age = 0;
  int ages = 0;
  std::vector<double> present_by_age, new_suspects, new_drug_suspects;
  // Youths of that age dealing (runner or dealer) for the first time in the current simulated
  // year: those dealing when the year begins, counted in its first week, and those who start
  // later in it, counted in the week they start ([week][age], like the suspects).
  std::vector<double> new_dealing;
  ReleaseLedger ledger;
  double area_value(int metric, int week, int area) const {
    return by_area[(static_cast<std::size_t>(metric) * weeks + week) * areas + area];
  }
  double total(int metric, int week) const;  // summed over areas

  // Every array of the record under a stable name, in a fixed order ("by_area", "city",
  // "interventions", "trial", "present_by_age", "new_suspects", "new_drug_suspects",
  // "ledger/<column>", "new_dealing"), and the integer dimensions ("weeks", "areas", "min_age",
  // "ages").
  // Part files and other generic readers and writers iterate over these lists, so a new array
  // of the record is declared here once.
  struct Array {
    const char* name;
    std::vector<double>* values;
  };
  struct Dimension {
    const char* name;
    int* value;
  };
  std::vector<Array> arrays();
  std::vector<Dimension> dimensions();
};

struct StrategyOutput {
  std::string name;
  std::string description;
  std::vector<std::string> intervention_names;
  std::vector<std::string> intervention_types;
  std::vector<RunOutput> replicates;
};

struct ExperimentOutput {
  std::vector<std::string> area_names;
  std::vector<StrategyOutput> strategies;
};

}  // namespace drift
