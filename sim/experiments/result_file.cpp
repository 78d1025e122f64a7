#include "drift/experiments/result_file.hpp"

#include <H5Cpp.h>

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>

#include "drift/experiments/decision.hpp"
#include "drift/experiments/observables.hpp"
#include "drift/experiments/refill.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/experiments/sobol.hpp"
#include "drift/experiments/summary.hpp"
#include "drift/experiments/trial.hpp"
#include "drift/results/h5_write.hpp"
#include "drift/results/results.hpp"

namespace drift {

namespace {

using h5::int_attr;
using h5::number_attr;
using h5::string_attr;
using h5::write_atomically;
void write_strings(H5::Group& g, const std::string& name, const std::vector<std::string>& values) {
  h5::strings(g, name, values);
}
H5::DataSet write_array(H5::Group& g, const std::string& name, const std::vector<hsize_t>& shape,
                        const std::vector<double>& values, const std::string& unit,
                        const std::string& description, const std::string& dims) {
  return h5::array(g, name, shape, values, unit, description, dims);
}
void write_root_attributes(H5::H5File& file, const Scenario& scenario,
                           const std::string& command_line) {
  h5::root_attributes(file, scenario, command_line);
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Registered figures per replicate: suspects per 10,000 and the share registered for dealing,
// per simulated year and age; the release cohorts; and the run statistics.
void write_observed(H5::Group& g, const StrategyOutput& s, const Parameters& params) {
  const hsize_t reps = s.replicates.size();
  const int weeks = reps ? s.replicates[0].weeks : 0;
  const hsize_t years = static_cast<hsize_t>(weeks / kWeeksPerYear);
  const int ages = reps ? s.replicates[0].ages : 0;
  const int min_age = reps ? s.replicates[0].min_age : params.population.min_age;
  auto og = g.createGroup("observed");
  std::vector<double> rate(reps * years * ages, kNaN), share(reps * years * ages, kNaN);
  std::vector<double> releases(reps * years, 0.0), re1(reps * years, kNaN), re2(reps * years, kNaN);
  for (hsize_t r = 0; r < reps; ++r) {
    const auto& run = s.replicates[r];
    for (hsize_t y = 0; y < years; ++y) {
      for (int k = 0; k < ages; ++k) {
        double suspects = 0, drug = 0, present = 0;
        for (int t = static_cast<int>(y) * kWeeksPerYear;
             t < static_cast<int>(y + 1) * kWeeksPerYear; ++t) {
          const auto at = static_cast<std::size_t>(t) * run.ages + k;
          suspects += run.new_suspects[at];
          drug += run.new_drug_suspects[at];
          present += run.present_by_age[at];
        }
        const auto at = (r * years + y) * ages + k;
        if (present > 0) rate[at] = 1e4 * suspects / (present / kWeeksPerYear);
        if (suspects > 0) share[at] = drug / suspects;
      }
      // Release cohort y: releases in weeks [52y, 52y + 52); shares over releases with full
      // follow-up, not censored by the youth leaving the model.
      const auto& l = run.ledger;
      double n = 0, hit1 = 0, den1 = 0, hit2 = 0, den2 = 0;
      for (int t = static_cast<int>(y) * kWeeksPerYear; t < static_cast<int>(y + 1) * kWeeksPerYear;
           ++t) {
        n += l.releases[t];
        if (t + kWeeksPerYear <= weeks) {
          hit1 += l.reregistered_52w[t];
          den1 += l.releases[t] - l.censored_52w[t];
        }
        if (t + 2 * kWeeksPerYear <= weeks) {
          hit2 += l.reregistered_104w[t];
          den2 += l.releases[t] - l.censored_104w[t];
        }
      }
      releases[r * years + y] = n;
      if (den1 > 0) re1[r * years + y] = hit1 / den1;
      if (den2 > 0) re2[r * years + y] = hit2 / den2;
    }
  }
  write_array(
      og, "suspects_per_10k", {reps, years, static_cast<hsize_t>(ages)}, rate, "per 10,000 youths",
      "Youths registered as suspects of any offence in the simulated year (each youth once per "
      "year, at its age at the first registration of the year), per 10,000 youths of that age",
      "replicate,year,age");
  write_array(og, "drug_share", {reps, years, static_cast<hsize_t>(ages)}, share, "share",
              "Share of the year's registered suspects of that age who were registered for dealing "
              "(NaN where there were none)",
              "replicate,year,age");
  std::vector<double> age_values;
  for (int k = 0; k < ages; ++k) age_values.push_back(min_age + k);
  write_array(og, "age", {static_cast<hsize_t>(ages)}, age_values, "year", "Age of each age index",
              "age");
  auto cg = og.createGroup("release_cohorts");
  write_array(cg, "releases", {reps, years}, releases, "releases",
              "Releases from detention in each simulated year (release cohort)", "replicate,year");
  write_array(cg, "rearrest_1y", {reps, years}, re1, "share",
              "Share of the cohort's releases followed by a new registration within 52 weeks, over "
              "releases with full follow-up not censored by leaving the model (NaN without any)",
              "replicate,year");
  write_array(
      cg, "rearrest_2y", {reps, years}, re2, "share",
      "Share of the cohort's releases followed by a new registration within 104 weeks, over "
      "releases with full follow-up not censored by leaving the model (NaN without any)",
      "replicate,year");
  auto sg = g.createGroup("statistics");
  const auto& defs = run_statistic_definitions();
  std::vector<std::vector<double>> values(defs.size(), std::vector<double>(reps));
  for (hsize_t r = 0; r < reps; ++r) {
    const auto v = run_statistics(s.replicates[r], params);
    for (std::size_t k = 0; k < defs.size(); ++k) values[k][r] = v[k];
  }
  for (std::size_t k = 0; k < defs.size(); ++k) {
    write_array(sg, defs[k].name, {reps}, values[k], defs[k].unit, defs[k].description,
                "replicate");
  }
}

void write_strategy(H5::Group& root, const ExperimentOutput& out, const StrategyOutput& s,
                    const Parameters& params) {
  auto g = root.createGroup(s.name);
  string_attr(g, "description", s.description);
  const hsize_t reps = s.replicates.size();
  const hsize_t weeks = reps ? s.replicates[0].weeks : 0;
  const hsize_t areas = out.area_names.size();
  auto ts = g.createGroup("timeseries");
  auto ba = g.createGroup("by_area");
  const auto& am = area_metrics();
  for (std::size_t m = 0; m < am.size(); ++m) {
    std::vector<double> series(reps * weeks), by_area(reps * weeks * areas);
    for (hsize_t r = 0; r < reps; ++r) {
      const auto& run = s.replicates[r];
      for (hsize_t t = 0; t < weeks; ++t) {
        double sum = 0;
        for (hsize_t a = 0; a < areas; ++a) {
          const double v =
              run.area_value(static_cast<int>(m), static_cast<int>(t), static_cast<int>(a));
          by_area[(r * weeks + t) * areas + a] = v;
          sum += v;
        }
        series[r * weeks + t] = sum;
      }
    }
    write_array(ts, am[m].name, {reps, weeks}, series, am[m].unit, am[m].description,
                "replicate,week");
    write_array(ba, am[m].name, {reps, weeks, areas}, by_area, am[m].unit, am[m].description,
                "replicate,week,area");
  }
  std::vector<double> vacancy(reps * areas);
  for (hsize_t r = 0; r < reps; ++r) {
    for (hsize_t a = 0; a < areas; ++a)
      vacancy[r * areas + a] = vacancy_weeks(s.replicates[r], static_cast<int>(a));
  }
  auto market = g.createGroup("market");
  write_array(market, "vacancy_weeks", {reps, areas}, vacancy, "weeks",
              "Mean weeks a fixed place stays vacant (Little's law: mean open_places / mean "
              "entries into fixed places per week); NaN when none was filled",
              "replicate,area");
  const auto& cm = city_metrics();
  for (std::size_t m = 0; m < cm.size(); ++m) {
    std::vector<double> series(reps * weeks);
    for (hsize_t r = 0; r < reps; ++r) {
      for (hsize_t t = 0; t < weeks; ++t)
        series[r * weeks + t] = s.replicates[r].city[m * weeks + t];
    }
    write_array(ts, cm[m].name, {reps, weeks}, series, cm[m].unit, cm[m].description,
                "replicate,week");
  }
  auto ig = g.createGroup("interventions");
  const auto& im = intervention_metrics();
  for (std::size_t k = 0; k < s.intervention_names.size(); ++k) {
    auto one = ig.createGroup(s.intervention_names[k]);
    string_attr(one, "type", s.intervention_types[k]);
    for (std::size_t m = 0; m < im.size(); ++m) {
      std::vector<double> series(reps * weeks);
      for (hsize_t r = 0; r < reps; ++r) {
        for (hsize_t t = 0; t < weeks; ++t) {
          series[r * weeks + t] = s.replicates[r].interventions[(k * im.size() + m) * weeks + t];
        }
      }
      write_array(one, im[m].name, {reps, weeks}, series, im[m].unit, im[m].description,
                  "replicate,week");
    }
  }
  std::vector<double> fixed(reps);
  for (hsize_t r = 0; r < reps; ++r) fixed[r] = s.replicates[r].fixed_cost;
  write_array(ig, "fixed_cost", {reps}, fixed, "euro",
              "One-off cost of the strategy's interventions", "replicate");
  write_observed(g, s, params);
}

// Outcomes per strategy and paired differences against the baseline: the numbers of
// `drift summarize`, stored so that readers need no code of their own to get them.
void write_summary(H5::H5File& file, const Summary& summary) {
  auto outcomes = file.createGroup("summary");
  string_attr(outcomes, "description",
              "Per strategy, outcomes over the horizon per replicate; attributes mean, lo95, hi95 "
              "(t interval of the mean)");
  auto comparisons = file.createGroup("comparisons");
  string_attr(comparisons, "baseline", summary.baseline);
  string_attr(comparisons, "description",
              "Per strategy, paired differences against the baseline per replicate (replicate r of "
              "both shares its random numbers); attributes mean, lo95, hi95");
  for (const auto& st : summary.strategies) {
    auto og = outcomes.createGroup(st.name);
    std::optional<H5::Group> cg;
    if (st.name != summary.baseline) {
      cg = comparisons.createGroup(st.name);
      number_attr(*cg, "cost_per_entry_averted", st.cost_per_entry_averted.mean);
    }
    for (const auto& oc : st.outcomes) {
      const hsize_t n = oc.per_replicate.size();
      auto ds =
          write_array(og, oc.name, {n}, oc.per_replicate, oc.unit, oc.description, "replicate");
      number_attr(ds, "mean", oc.value.mean);
      number_attr(ds, "lo95", oc.value.lo);
      number_attr(ds, "hi95", oc.value.hi);
      if (!cg || !oc.has_difference) continue;
      auto dd =
          write_array(*cg, oc.difference_name, {n}, oc.difference_per_replicate, oc.unit,
                      "Paired difference against the baseline: " + oc.difference_name, "replicate");
      number_attr(dd, "mean", oc.difference.mean);
      number_attr(dd, "lo95", oc.difference.lo);
      number_attr(dd, "hi95", oc.difference.hi);
    }
  }
}

// Rank probabilities, incremental cost per unit averted, the cost-effectiveness frontier and
// the acceptability curve (decision.hpp); docs/results.md describes every dataset.
void write_decision(H5::H5File& file, const DecisionAnalysis& d) {
  auto g = file.createGroup("decision");
  string_attr(g, "description",
              "Decision analysis over replicates against the baseline: rank probabilities, "
              "incremental cost per unit averted, cost-effectiveness frontier, acceptability");
  string_attr(g, "baseline", d.strategies.empty() ? "" : d.strategies.front());
  string_attr(g, "uncertainty",
              d.parameter_uncertainty
                  ? "parameter uncertainty and Monte Carlo noise: replicate r of every "
                    "strategy ran with posterior draw r"
                  : "Monte Carlo noise only, at fixed parameters");
  string_attr(g, "interval_method",
              "percentile bootstrap over replicates (pairs of effect and cost resampled together), "
              "keyed on random stream 37 and the root attribute seed");
  int_attr(g, "bootstrap_resamples", kDecisionBootstrap);
  int_attr(g, "replicates", d.replicates);
  write_strings(g, "strategies", d.strategies);
  const hsize_t ns = d.strategies.size();
  for (const auto& od : d.outcomes) {
    auto og = g.createGroup(od.outcome);
    string_attr(og, "unit", od.unit);
    const std::string per = "euro per " + od.unit;
    std::vector<double> ranks, best, effect, effect_lo, effect_hi, cost, cost_lo, cost_hi, ratio,
        lo, hi, icer;
    std::vector<std::string> status, frontier, previous;
    for (std::size_t s = 0; s < ns; ++s) {
      ranks.insert(ranks.end(), od.ranks.probability[s].begin(), od.ranks.probability[s].end());
      best.push_back(od.ranks.best(s));
      const auto& r = od.ratios[s];
      effect.push_back(r.effect.mean);
      effect_lo.push_back(r.effect.lo);
      effect_hi.push_back(r.effect.hi);
      cost.push_back(r.cost.mean);
      cost_lo.push_back(r.cost.lo);
      cost_hi.push_back(r.cost.hi);
      ratio.push_back(r.ratio);
      lo.push_back(r.lo);
      hi.push_back(r.hi);
      status.push_back(ratio_status_name(r.status));
      const auto& f = od.frontier[s];
      frontier.push_back(frontier_status_name(f.status));
      previous.push_back(f.previous >= 0 ? d.strategies[f.previous] : "");
      icer.push_back(f.icer);
    }
    write_array(og, "rank_probability", {ns, ns}, ranks, "share",
                "Share of replicates in which the strategy has each rank by its paired effect "
                "(rank 0 = largest effect; the baseline has effect 0; ties share their ranks)",
                "strategy,rank");
    write_array(og, "best_probability", {ns}, best, "share",
                "Share of replicates in which the strategy has the largest effect (rank 0)",
                "strategy");
    const std::pair<const char*, const std::vector<double>*> effects[] = {
        {"effect", &effect}, {"effect_lo95", &effect_lo}, {"effect_hi95", &effect_hi}};
    for (const auto& [name, v] : effects) {
      write_array(og, name, {ns}, *v, od.unit,
                  "Paired effect against the baseline: mean and 95% t interval over replicates",
                  "strategy");
    }
    const std::pair<const char*, const std::vector<double>*> costs[] = {
        {"extra_cost", &cost}, {"extra_cost_lo95", &cost_lo}, {"extra_cost_hi95", &cost_hi}};
    for (const auto& [name, v] : costs) {
      write_array(og, name, {ns}, *v, "euro",
                  "Paired extra cost against the baseline: mean and 95% t interval over replicates",
                  "strategy");
    }
    write_array(og, "cost_per_unit", {ns}, ratio, per,
                "Mean extra cost / mean effect against the baseline; NaN unless ratio_status is "
                "estimated",
                "strategy");
    write_array(og, "cost_per_unit_lo95", {ns}, lo, per,
                "Lower end of the 95% percentile bootstrap interval of cost_per_unit", "strategy");
    write_array(og, "cost_per_unit_hi95", {ns}, hi, per,
                "Upper end of the 95% percentile bootstrap interval of cost_per_unit (inf when "
                "more than 2.5% of resamples average no effect)",
                "strategy");
    write_strings(og, "ratio_status", status);
    write_strings(og, "frontier_status", frontier);
    write_strings(og, "frontier_previous", previous);
    write_array(og, "frontier_icer", {ns}, icer, per,
                "Incremental cost per unit against the previous strategy on the frontier (by "
                "effect); NaN off the frontier and for its first strategy",
                "strategy");
  }
  auto ag = g.createGroup("acceptability");
  string_attr(ag, "outcome", "entries_averted");
  const hsize_t nl = d.willingness_to_pay.size();
  write_array(ag, "willingness_to_pay", {nl}, d.willingness_to_pay, "euro per youth",
              "Willingness to pay per first entry averted: 0, then 10^2 to 10^6 in steps of "
              "10^0.1",
              "willingness_to_pay");
  std::vector<double> flat;
  for (const auto& row : d.acceptability) flat.insert(flat.end(), row.begin(), row.end());
  write_array(ag, "probability", {nl, ns}, flat, "share",
              "Share of replicates in which the strategy has the highest net benefit "
              "(willingness to pay x entries averted - extra cost; baseline 0; ties split)",
              "willingness_to_pay,strategy");
}

// Refill after a one-off removal, for each pulse strategy (experiments/refill.hpp).
void write_refill(H5::H5File& file, const std::vector<StrategyRefill>& refills) {
  for (const auto& f : refills) {
    auto cg = file.openGroup("comparisons/" + f.strategy);
    int_attr(cg, "pulse_week", f.week);
    const hsize_t n = f.per_replicate.size();
    std::vector<double> removed, half, ninety;
    for (const auto& r : f.per_replicate) {
      removed.push_back(r.removed);
      half.push_back(r.weeks_to_half);
      ninety.push_back(r.weeks_to_90);
    }
    write_array(cg, "refill_removed", {n}, removed, "youths",
                "Dealing deficit against the baseline at the end of the pulse week", "replicate");
    write_array(cg, "refill_weeks_to_half", {n}, half, "weeks",
                "Weeks after the pulse week until the deficit first falls to half of "
                "refill_removed; NaN when not within the horizon",
                "replicate");
    write_array(cg, "refill_weeks_to_90", {n}, ninety, "weeks",
                "Weeks after the pulse week until the deficit first falls to a tenth of "
                "refill_removed; NaN when not within the horizon",
                "replicate");
  }
}

// The posterior draws the replicates ran with (drift run --posterior).
void write_posterior(H5::H5File& file, const Scenario& scenario) {
  const auto& post = scenario.posterior;
  if (post.empty()) return;
  auto g = file.createGroup("posterior");
  string_attr(g, "calibration_file", post.file);
  string_attr(g, "description",
              "Replicate r of every strategy ran with the parameters of posterior draw r of the "
              "calibration file");
  // Parameters of the calibration the run held at the value its scenario set (assumptions).
  std::string held;
  for (const auto& p : post.held_fixed) held += (held.empty() ? "" : ",") + p;
  string_attr(g, "held_fixed", held);
  write_strings(g, "parameter_names", post.paths);
  const hsize_t reps = post.points.size(), k = post.paths.size();
  std::vector<double> index, flat;
  for (std::size_t r = 0; r < reps; ++r) {
    index.push_back(static_cast<double>(post.draw_index[r]));
    flat.insert(flat.end(), post.points[r].begin(), post.points[r].end());
  }
  write_array(g, "draw_index", {reps}, index, "row",
              "Row of the calibration file's /posterior/points drawn for each replicate",
              "replicate");
  write_array(g, "points", {reps, k}, flat, "", "Parameter values of each replicate's draw",
              "replicate,parameter");
}

}  // namespace

void write_results(const std::string& path, const Scenario& scenario,
                   const ExperimentOutput& output, const Provenance& provenance) {
  write_atomically(path, [&](H5::H5File& file) {
    write_root_attributes(file, scenario, provenance.command_line);
    write_posterior(file, scenario);
    auto areas = file.createGroup("areas");
    write_strings(areas, "names", output.area_names);
    auto strategies = file.createGroup("strategies");
    std::vector<std::string> order;
    for (const auto& s : output.strategies) {
      write_strategy(strategies, output, s, scenario.params);
      order.push_back(s.name);
    }
    h5::strings_attr(strategies, "order", order);
    const auto series = series_of(output);
    const auto summary = summarize(series);
    write_summary(file, summary);
    auto decision = decide(summary, static_cast<std::uint32_t>(scenario.params.simulation.seed));
    decision.parameter_uncertainty = !scenario.posterior.empty();
    write_decision(file, decision);
    write_refill(file, refill_of(scenario, series));
    if (const auto trial = summarize_trial(scenario, output)) write_trial_group(file, *trial);
  });
}

void write_sweep_results(const std::string& path, const Scenario& scenario,
                         const SweepDesign& design, const std::string& parts_dir,
                         const std::string& command_line) {
  write_atomically(path, [&](H5::H5File& file) {
    const std::size_t points = design.size();
    const int reps = scenario.params.simulation.replicates;
    // outcomes[strategy][outcome] = [point][replicate], and the same for paired differences.
    std::vector<Summary> summaries;
    // Run statistics of the baseline strategy: [point][replicate][statistic].
    const std::size_t nstat = run_statistic_definitions().size();
    std::vector<double> statistics(points * static_cast<std::size_t>(reps) * nstat, kNaN);
    for (std::size_t p = 0; p < points; ++p) {
      const auto point = load_point(scenario, design, parts_dir, p);
      summaries.push_back(summarize(series_of(point)));
      if (point.strategies.empty()) continue;
      const auto params = scenario_at(scenario, design, p).params;
      const auto& runs = point.strategies.front().replicates;
      for (std::size_t r = 0; r < runs.size() && r < static_cast<std::size_t>(reps); ++r) {
        const auto v = run_statistics(runs[r], params);
        std::copy(v.begin(), v.end(),
                  statistics.begin() + static_cast<std::ptrdiff_t>((p * reps + r) * nstat));
      }
    }
    write_root_attributes(file, scenario, command_line);
    write_posterior(file, scenario);
    auto areas = file.createGroup("areas");
    std::vector<std::string> area_names;
    for (const auto& a : scenario.areas) area_names.push_back(a.name);
    write_strings(areas, "names", area_names);
    auto strategies = file.createGroup("strategies");
    std::vector<std::string> order;
    for (const auto& s : scenario.strategies) order.push_back(s.name);
    h5::strings_attr(strategies, "order", order);

    auto sweep = file.createGroup("sweep");
    string_attr(sweep, "design", design.kind);
    int_attr(sweep, "base_samples", design.base_samples);
    write_strings(sweep, "parameter_names", design.paths);
    const hsize_t d = design.paths.size();
    std::vector<double> flat;
    for (const auto& pt : design.points) flat.insert(flat.end(), pt.begin(), pt.end());
    write_array(sweep, "points", {points, d}, flat, "", "Parameter values of each sweep point",
                "point,parameter");
    std::vector<std::string> statistic_names;
    for (const auto& st : run_statistic_definitions()) statistic_names.push_back(st.name);
    write_strings(sweep, "statistic_names", statistic_names);
    auto stats = write_array(
        sweep, "statistics", {points, static_cast<hsize_t>(reps), nstat}, statistics, "",
        "Run statistics of the baseline strategy per sweep point and replicate, in "
        "the order of /sweep/statistic_names (units in /strategies/<baseline>/statistics "
        "of a single run, or docs/results.md)",
        "point,replicate,statistic");
    string_attr(stats, "strategy",
                scenario.strategies.empty() ? "" : scenario.strategies.front().name);
    auto outcomes = sweep.createGroup("outcomes");
    auto comparisons = sweep.createGroup("comparisons");
    const auto& first = summaries.front();
    for (std::size_t s = 0; s < first.strategies.size(); ++s) {
      auto og = outcomes.createGroup(first.strategies[s].name);
      std::optional<H5::Group> cg;
      if (s > 0) cg = comparisons.createGroup(first.strategies[s].name);
      for (std::size_t o = 0; o < first.strategies[s].outcomes.size(); ++o) {
        const auto& oc = first.strategies[s].outcomes[o];
        std::vector<double> values, diffs;
        for (const auto& sm : summaries) {
          const auto& x = sm.strategies[s].outcomes[o];
          values.insert(values.end(), x.per_replicate.begin(), x.per_replicate.end());
          diffs.insert(diffs.end(), x.difference_per_replicate.begin(),
                       x.difference_per_replicate.end());
        }
        write_array(og, oc.name, {points, static_cast<hsize_t>(reps)}, values, oc.unit,
                    oc.description, "point,replicate");
        if (cg && oc.has_difference) {
          write_array(*cg, oc.difference_name, {points, static_cast<hsize_t>(reps)}, diffs, oc.unit,
                      "Paired difference against the baseline: " + oc.difference_name,
                      "point,replicate");
        }
      }
    }
    if (design.kind == "sobol" && design.base_samples > 0) {
      // Indices of each outcome's replicate mean, per strategy (and of each paired difference).
      auto sens = file.createGroup("sensitivity");
      write_strings(sens, "parameter_names", design.paths);
      for (std::size_t s = 0; s < first.strategies.size(); ++s) {
        auto sg = sens.createGroup(first.strategies[s].name);
        for (std::size_t o = 0; o < first.strategies[s].outcomes.size(); ++o) {
          const auto& oc = first.strategies[s].outcomes[o];
          for (const bool diff : {false, true}) {
            if (diff && !oc.has_difference) continue;
            std::vector<double> y;
            for (const auto& sm : summaries) {
              const auto& x = sm.strategies[s].outcomes[o];
              y.push_back(diff ? x.difference.mean : x.value.mean);
            }
            const auto idx = sobol_indices(y, design.base_samples, static_cast<int>(d));
            auto g = sg.createGroup(diff ? oc.difference_name : oc.name);
            std::vector<double> cols[6];
            for (const auto& i : idx) {
              const double v[] = {i.first, i.first_lo, i.first_hi, i.total, i.total_lo, i.total_hi};
              for (int c = 0; c < 6; ++c) cols[c].push_back(v[c]);
            }
            const char* names[] = {"first_order", "first_order_lo95", "first_order_hi95",
                                   "total_order", "total_order_lo95", "total_order_hi95"};
            for (int c = 0; c < 6; ++c) {
              write_array(g, names[c], {d}, cols[c], "share of variance",
                          "Sobol index per swept parameter (bootstrap 95% interval)", "parameter");
            }
          }
        }
      }
    }
  });
}

namespace {

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

// Counts and places may not be NaN, infinite or negative.
bool is_count(const Metric& m) {
  return m.unit == "youths" || m.unit == "youths per week" || m.unit == "places";
}

void check_dataset(const ResultReader& reader, const std::string& path, const std::string& name,
                   const std::vector<std::uint64_t>& shape, bool count) {
  if (!reader.exists(name)) bad(path, "dataset " + name + ": missing");
  DatasetData d;
  try {
    d = reader.dataset(name);
  } catch (const std::exception&) {
    bad(path, "dataset " + name + ": unreadable (not numbers, or the file is damaged)");
  }
  if (d.shape != shape) {
    auto text = [](const std::vector<std::uint64_t>& v) {
      std::string t = "[";
      for (std::size_t k = 0; k < v.size(); ++k) t += (k ? ", " : "") + std::to_string(v[k]);
      return t + "]";
    };
    bad(path, "dataset " + name + ": shape " + text(d.shape) + ", expected " + text(shape));
  }
  if (!count) return;
  for (std::size_t k = 0; k < d.values.size(); ++k) {
    const double v = d.values[k];
    if (!std::isfinite(v) || v < 0) {
      bad(path, "dataset " + name + ": value " + std::to_string(v) + " at element " +
                    std::to_string(k) + " where a count belongs");
    }
  }
}

}  // namespace

void check_result_file(const std::string& path) {
  std::unique_ptr<ResultReader> opened;
  try {
    opened = std::make_unique<ResultReader>(path);
  } catch (const std::exception&) {
    bad(path, "not a readable HDF5 file (truncated, or not HDF5)");
  }
  const auto& reader = *opened;
  if (!reader.has_attribute("/", "format") || reader.attribute("/", "format") != "drift-results") {
    bad(path, "not a Drift result file (root attribute format is not 'drift-results')");
  }
  if (!reader.has_attribute("/", "format_version")) bad(path, "no root attribute format_version");
  const auto version = reader.numeric_attribute("/", "format_version");
  if (version < 1 || version > kResultFormatVersion) {
    bad(path, "format version " + format_number(version) + ", this program reads 1 to " +
                  std::to_string(kResultFormatVersion));
  }
  for (const char* a : {"replicates", "weeks"}) {
    if (!reader.has_attribute("/", a)) bad(path, std::string("no root attribute ") + a);
  }
  const auto replicates = static_cast<std::uint64_t>(reader.numeric_attribute("/", "replicates"));
  const auto weeks = static_cast<std::uint64_t>(reader.numeric_attribute("/", "weeks"));
  if (!reader.exists("/areas/names")) bad(path, "dataset /areas/names: missing");
  const auto areas = static_cast<std::uint64_t>(reader.strings("/areas/names").size());
  std::vector<std::string> order;
  if (reader.has_attribute("/strategies", "order")) {
    order = reader.strings_attribute("/strategies", "order");
  } else if (version < 2 && reader.exists("/strategies/order")) {
    order = reader.strings("/strategies/order");
  } else {
    bad(path, "group /strategies: no attribute order");
  }
  if (order.empty()) bad(path, "group /strategies: no strategy");
  for (const auto& strategy : order) {
    const std::string base = "/strategies/" + strategy;
    if (!reader.exists(base)) bad(path, "group " + base + ": missing");
    for (const auto& m : area_metrics()) {
      check_dataset(reader, path, base + "/timeseries/" + m.name, {replicates, weeks}, is_count(m));
      check_dataset(reader, path, base + "/by_area/" + m.name, {replicates, weeks, areas},
                    is_count(m));
    }
    for (const auto& m : city_metrics()) {
      check_dataset(reader, path, base + "/timeseries/" + m.name, {replicates, weeks}, is_count(m));
    }
    check_dataset(reader, path, base + "/interventions/fixed_cost", {replicates}, false);
    for (const auto& child : reader.children(base + "/interventions")) {
      if (child == "fixed_cost") continue;
      for (const auto& m : intervention_metrics()) {
        check_dataset(reader, path, base + "/interventions/" + child + "/" + m.name,
                      {replicates, weeks}, is_count(m));
      }
    }
  }
}

}  // namespace drift
