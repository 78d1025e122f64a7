// Calibration: targets files, the distance, rejection ABC, the calibrate section, recovery of
// known parameters and posterior draws in runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <set>

#include "drift/experiments/calibration.hpp"
#include "drift/experiments/experiment.hpp"
#include "drift/experiments/observables.hpp"
#include "drift/experiments/result_file.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/results/results.hpp"
#include "drift/scenario/targets.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;

const std::string kSource = DRIFT_SOURCE_DIR;
constexpr double kInf = std::numeric_limits<double>::infinity();

using drift::test::TempDir;

std::vector<Diagnostic> problems_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    return e.diagnostics();
  }
  return {};
}

bool has(const std::vector<Diagnostic>& ds, const std::string& text) {
  for (const auto& d : ds) {
    if (d.format().find(text) != std::string::npos) return true;
  }
  return false;
}

std::string all(const std::vector<Diagnostic>& ds) {
  std::string s;
  for (const auto& d : ds) s += d.format() + "\n";
  return s;
}

ObservedTarget target(const std::string& stat, double value, double se, bool fit = true) {
  ObservedTarget t;
  t.name = stat;
  t.statistic = stat;
  t.value = value;
  t.standard_error = se;
  t.fit = fit;
  return t;
}

// ---------------------------------------------------------------------------------------------
// Distance and acceptance

TEST(Distance, NormalQuantileMatchesTables) {
  EXPECT_NEAR(normal_quantile(0.95), 1.6448536269514722, 1e-12);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-14);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167813, 1e-10);
}

TEST(Distance, SdFromStandardErrorOrIntervalAndLevel) {
  auto t = target("rearrest_2y", 0.5, 0.05);
  EXPECT_DOUBLE_EQ(t.sd(), 0.05);
  t.standard_error = 0;
  t.has_interval = true;
  t.interval_low = 0.4;
  t.interval_high = 0.6;
  t.level = 0.9;  // half-width 0.1 over z(0.95)
  EXPECT_NEAR(t.sd(), 0.1 / 1.6448536269514722, 1e-12);
  t.level = 0.95;
  EXPECT_NEAR(t.sd(), 0.1 / 1.959963984540054, 1e-12);
}

TEST(Distance, RootMeanSquareOfStandardisedErrorsOverFittingTargets) {
  auto b = target("rearrest_2y", 0.5, 0);
  b.has_interval = true;
  b.interval_low = 0.4;
  b.interval_high = 0.6;
  const std::vector<ObservedTarget> ts = {target("suspects_per_10k_age_16", 10, 2), b,
                                          target("work_13w_after_release", 0.2, 0.02, false)};
  // z = (12 - 10) / 2 = 1 and (0.55 - 0.5) / (0.1 / 1.64485...) = 0.822427; the validation
  // target does not count.
  const double z2 = 0.05 / (0.1 / 1.6448536269514722);
  EXPECT_NEAR(distance({12, 0.55, 999}, ts), std::sqrt((1 + z2 * z2) / 2), 1e-12);
  EXPECT_DOUBLE_EQ(distance({10, 0.5, 0.2}, ts), 0.0);
  EXPECT_EQ(distance({std::nan(""), 0.5, 0.2}, ts), kInf);
  EXPECT_TRUE(std::isfinite(distance({10, 0.5, std::nan("")}, ts)));  // validation only
}

TEST(Abc, QuantileAcceptsTheSmallestShare) {
  const std::vector<double> d = {3, 1, kInf, 2, 5, 4};
  const auto r = abc_reject(d, {true, 0.3});  // round(0.3 * 6) = 2 points
  EXPECT_EQ(r.accepted, (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(r.weights, (std::vector<double>{0.5, 0.5}));
  EXPECT_DOUBLE_EQ(r.tolerance, 2);
  // Never fewer than one point.
  EXPECT_EQ(abc_reject(d, {true, 0.01}).accepted, (std::vector<std::size_t>{1}));
  // Infinite distances are never accepted, even at quantile 1.
  EXPECT_EQ(abc_reject(d, {true, 1.0}).accepted.size(), 5u);
  EXPECT_EQ(Acceptance({true, 0.3}).describe(), "quantile 0.3");
}

TEST(Abc, ToleranceAcceptsEveryPointWithin) {
  const std::vector<double> d = {3, 1, kInf, 2, 5, 4};
  const auto r = abc_reject(d, {false, 3.5});
  EXPECT_EQ(r.accepted, (std::vector<std::size_t>{0, 1, 3}));
  EXPECT_DOUBLE_EQ(r.tolerance, 3);
  EXPECT_NEAR(r.weights[0] + r.weights[1] + r.weights[2], 1.0, 1e-15);
  EXPECT_TRUE(abc_reject(d, {false, 0.5}).accepted.empty());
  EXPECT_EQ(Acceptance({false, 1.5}).describe(), "tolerance 1.5");
}

TEST(Abc, TiesWithTheCutOffAreAllAccepted) {
  const auto r = abc_reject({1, 2, 2, 3}, {true, 0.5});  // k = 2, and point 2 ties with point 1
  EXPECT_EQ(r.accepted, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_NEAR(r.weights[0], 1.0 / 3, 1e-15);
  EXPECT_TRUE(abc_reject({kInf, kInf}, {true, 0.5}).accepted.empty());
}

TEST(Abc, WeightedQuantile) {
  EXPECT_DOUBLE_EQ(weighted_quantile({3, 1, 2}, {1, 1, 1}, 0.5), 2);
  EXPECT_DOUBLE_EQ(weighted_quantile({3, 1, 2}, {1, 1, 1}, 0.05), 1);
  EXPECT_DOUBLE_EQ(weighted_quantile({3, 1, 2}, {1, 1, 1}, 0.95), 3);
  EXPECT_DOUBLE_EQ(weighted_quantile({1, 2}, {0.1, 0.9}, 0.5), 2);
  EXPECT_TRUE(std::isnan(weighted_quantile({}, {}, 0.5)));
}

// ---------------------------------------------------------------------------------------------
// Targets files

TEST(Targets, ShippedNetherlandsFileLoads) {
  const auto ts = load_targets(kSource + "/scenarios/targets/netherlands.yaml");
  ASSERT_GE(ts.size(), 10u);
  int fit = 0;
  std::set<std::string> stats;
  for (const auto& t : ts) {
    fit += t.fit;
    stats.insert(t.statistic);
    EXPECT_GE(run_statistic_index(t.statistic), 0) << t.statistic;
    EXPECT_GT(t.sd(), 0) << t.name;
    EXPECT_FALSE(t.source.empty()) << t.name;
  }
  EXPECT_EQ(fit, 11);  // ages 12-19, reoffending after youth detention, drug suspects 12-17, 18-22
  EXPECT_TRUE(stats.count("rearrest_2y"));
  EXPECT_TRUE(stats.count("suspects_per_10k_18_22"));
  EXPECT_FALSE(stats.count("drug_share_12_17"));     // a gap: no figure
  EXPECT_NEAR(ts[4].sd(), 0.1 * ts[4].value, 1e-9);  // the stated 10% model discrepancy
}

TEST(Targets, ErrorsNameFileLineColumnAndKeyAllAtOnce) {
  TempDir dir;
  const auto path = dir.file("t.yaml", R"(targets:
  - name: a
    statistic: rearrest_2y
    value: 0.5
    standard_error: 0.05
    unit: share
    source: WODC
    use: fit
  - name: b
    statistic: rearest_2y
    value: lots
    interval: [0.6, 0.4]
    unit: share
    source: WODC
    use: maybe
    colour: red
)");
  const auto ds = problems_of([&] { load_targets(path); });
  EXPECT_TRUE(has(ds, path + ":10:16: key 'targets[1].statistic': unknown statistic 'rearest_2y'; "
                             "did you mean 'rearrest_2y'?"))
      << all(ds);
  EXPECT_TRUE(has(ds, path + ":11:12: key 'targets[1].value': expected a number")) << all(ds);
  EXPECT_TRUE(has(ds, path + ":12:15: key 'targets[1].interval': expected low < high")) << all(ds);
  EXPECT_TRUE(has(ds, path + ":15:10: key 'targets[1].use': expected 'fit' or 'validate'"))
      << all(ds);
  EXPECT_TRUE(has(ds, path + ":16:5: key 'targets[1].colour': unknown key 'colour'")) << all(ds);
  EXPECT_EQ(ds.size(), 5u) << all(ds);
}

TEST(Targets, MissingKeysAndUncertainty) {
  TempDir dir;
  const auto path = dir.file("t.yaml", R"(targetz: []
)");
  auto ds = problems_of([&] { load_targets(path); });
  EXPECT_TRUE(has(ds, "unknown key 'targetz'; did you mean 'targets'?")) << all(ds);
  EXPECT_TRUE(has(ds, "missing required key 'targets'")) << all(ds);
  const auto p2 = dir.file("u.yaml", R"(targets:
  - name: a
    statistic: rearrest_2y
    value: 0.5
    standard_error: 0.05
    interval: [0.4, 0.6]
    level: 1.5
    use: validate
  - {name: b, statistic: rearrest_1y, value: 0.3, unit: share, source: x, use: fit}
)");
  ds = problems_of([&] { load_targets(p2); });
  EXPECT_TRUE(has(ds, "key 'targets[0].unit': missing required key 'unit'")) << all(ds);
  EXPECT_TRUE(has(ds, "key 'targets[0].interval': give either standard_error or interval"))
      << all(ds);
  EXPECT_TRUE(has(ds, p2 + ":7:12: key 'targets[0].level': expected a number in (0, 1)"))
      << all(ds);
  EXPECT_TRUE(has(ds, "key 'targets[1].standard_error': missing uncertainty")) << all(ds);
  EXPECT_TRUE(has(problems_of([&] { load_targets(dir.file("none.yaml")); }), "cannot open"));
}

// ---------------------------------------------------------------------------------------------
// The calibrate section

const char* kCity = R"(name: cal_city
simulation: {weeks: 260, burn_in_weeks: 52, replicates: 2, population_scale: 0.5}
networks: {count: 4}
areas:
  list:
    - {name: North, youth_12_17: 900, youth_18_26: 1400, low_income_share: 0.3, schools: 1}
    - {name: South, youth_12_17: 700, youth_18_26: 1100, low_income_share: 0.15, schools: 1}
strategies:
  - name: baseline
  - name: mentors
    interventions:
      - {type: mentors, workers: 5, caseload: 4}
)";

const char* kTargets = R"(targets:
  - {name: r2, statistic: rearrest_2y, value: 0.5, standard_error: 0.05, unit: share, source: test, use: fit}
)";

TEST(CalibrateSection, ShippedUtrechtCalibrationIsValid) {
  const auto sc = load_scenario(kSource + "/scenarios/utrecht_calibration.yaml");
  const auto spec = calibration_spec(sc);
  EXPECT_GE(spec.paths.size(), 6u);
  EXPECT_EQ(spec.strategy, "baseline");
  EXPECT_EQ(fs::path(spec.targets).filename(), "netherlands.yaml");
  EXPECT_DOUBLE_EQ(sc.params.simulation.population_scale, 0.25);
  const auto cal = calibration_scenario(sc, spec);
  ASSERT_EQ(cal.strategies.size(), 1u);
  EXPECT_EQ(calibration_design(spec).points.size(), static_cast<std::size_t>(spec.points));
}

TEST(CalibrateSection, ErrorsPointAtFileLineColumnAndKey) {
  TempDir dir;
  dir.file("t.yaml", kTargets);
  const auto path = dir.file("s.yaml", std::string(kCity) + R"(calibrate:
  parameters:
    recruitment.entry_hazzard: [0.001, 0.01]
    relapse.released_hazard: [0.02, 0.01]
    careers.desistance_hazard: [0.001, 2]
    onset.onset_hazard: 0.1
  design: grid
  points: 1.5
  strategy: basline
  targets: missing.yaml
  acceptance: {quantile: 0}
  replicate: 2
)");
  const auto ds = problems_of([&] { load_scenario(path); });
  EXPECT_TRUE(has(ds, path + ":15:5: key 'calibrate.parameters.recruitment.entry_hazzard': unknown "
                             "parameter path 'recruitment.entry_hazzard'; did you mean "
                             "'recruitment.entry_hazard'?"))
      << all(ds);
  EXPECT_TRUE(has(
      ds, path + ":16:30: key 'calibrate.parameters.relapse.released_hazard': expected low < high"))
      << all(ds);
  EXPECT_TRUE(
      has(ds, "key 'calibrate.parameters.careers.desistance_hazard': prior [0.001, 2] leaves"))
      << all(ds);
  EXPECT_TRUE(
      has(ds, path + ":18:25: key 'calibrate.parameters.onset.onset_hazard': expected [low, high]"))
      << all(ds);
  EXPECT_TRUE(has(ds, path + ":19:11: key 'calibrate.design': expected latin_hypercube or sobol"))
      << all(ds);
  EXPECT_TRUE(has(ds, path + ":20:11: key 'calibrate.points': expected a whole number")) << all(ds);
  EXPECT_TRUE(
      has(ds, "key 'calibrate.strategy': unknown strategy 'basline'; did you mean 'baseline'?"))
      << all(ds);
  EXPECT_TRUE(has(ds, "key 'calibrate.acceptance.quantile': expected a share in (0, 1]"))
      << all(ds);
  EXPECT_TRUE(has(ds, path +
                          ":24:3: key 'calibrate.replicate': unknown key 'replicate'; did you mean "
                          "'replicates'?"))
      << all(ds);
}

TEST(CalibrateSection, MissingAndBrokenTargetsFiles) {
  TempDir dir;
  const std::string block = R"(calibrate:
  parameters: {relapse.released_hazard: [0.002, 0.02]}
  targets: )";
  auto path = dir.file("s.yaml", std::string(kCity) + block + "missing.yaml\n");
  auto ds = problems_of([&] { load_scenario(path); });
  EXPECT_TRUE(has(ds, path + ":15:12: key 'calibrate.targets': cannot open targets file"))
      << all(ds);
  const auto bad = dir.file("bad.yaml",
                            "targets:\n  - {name: x, statistic: nope, value: 1, standard_error: 1, "
                            "unit: u, source: s, use: fit}\n");
  path = dir.file("s2.yaml", std::string(kCity) + block + "bad.yaml\n");
  ds = problems_of([&] { load_scenario(path); });
  EXPECT_TRUE(has(ds, bad + ":2:26: key 'targets[0].statistic': unknown statistic 'nope'"))
      << all(ds);
}

// ---------------------------------------------------------------------------------------------
// Recovery: statistics simulated at known parameter values are the targets; the posterior's 90%
// interval must contain the known values.

struct Recovery {
  double arrest = 0, released = 0;     // known values
  std::vector<double> lo, hi, median;  // posterior per parameter
};

Recovery recover(int points, int replicates_for_truth, double scale) {
  TempDir dir;
  // Two parameters that clearly move the statistics: the arrest hazard (suspects) and the
  // relapse hazard after release (rearrest). Every arrest is a detention of 12 weeks on average,
  // so that each arrest adds a release to the rearrest statistic, as the test's design assumes.
  const double arrest = 0.015, released = 0.01;
  const std::string city = R"(name: recovery
simulation: {weeks: 260, burn_in_weeks: 52, replicates: 1, population_scale: )" +
                           format_number(scale) + R"(}
networks: {count: 4}
onset: {onset_hazard: 0.01}
sanctions: {dismissal_share_minor: 0, settlement_share_minor: 0, community_share_minor: 0,
            dismissal_share_adult: 0, settlement_share_adult: 0, community_share_adult: 0,
            detention_weeks_minor: 12, detention_weeks_adult: 12}
# Full replacement: the dealing stock is set by the places, so the statistics inform the two
# fitted hazards (rearrests and arrests per dealer) rather than an untuned supply of recruits.
market: {replacement: 1}
areas:
  list:
    - {name: North, youth_12_17: 900, youth_18_26: 1400, low_income_share: 0.3, schools: 1}
    - {name: South, youth_12_17: 700, youth_18_26: 1100, low_income_share: 0.15, schools: 1}
)";
  // The truth: the mean statistics of several replicates at the known values.
  auto truth = load_scenario(dir.file("truth.yaml", city),
                             {{"enforcement.runner_arrest_hazard", format_number(arrest)},
                              {"relapse.released_hazard", format_number(released)},
                              {"simulation.replicates", std::to_string(replicates_for_truth)}});
  RunOptions options;
  options.threads = 2;
  const auto out = run_experiment(truth, options);
  const auto& defs = run_statistic_definitions();
  std::vector<double> mean(defs.size(), 0.0);
  for (const auto& run : out.strategies.front().replicates) {
    const auto s = run_statistics(run, truth.params);
    for (std::size_t k = 0; k < s.size(); ++k) mean[k] += s[k] / replicates_for_truth;
  }
  std::string targets = "targets:\n";
  int fitted = 0;
  for (std::size_t k = 0; k < defs.size(); ++k) {
    if (!std::isfinite(mean[k]) || mean[k] <= 0) continue;
    ++fitted;
    targets += "  - {name: t" + std::to_string(k) + ", statistic: " + defs[k].name +
               ", value: " + format_number(mean[k]) +
               ", standard_error: " + format_number(0.1 * mean[k]) +
               ", unit: u, source: simulated, use: fit}\n";
  }
  EXPECT_GE(fitted, 2) << "the statistics should hold data at the known values";
  dir.file("targets.yaml", targets);
  const auto sc = load_scenario(dir.file("cal.yaml", city + R"(calibrate:
  parameters:
    enforcement.runner_arrest_hazard: [0.002, 0.04]
    relapse.released_hazard: [0.002, 0.04]
  design: latin_hypercube
  points: )" + std::to_string(points) + R"(
  seed: 3
  targets: targets.yaml
  acceptance: {quantile: 0.1}
)"));
  const auto spec = calibration_spec(sc);
  const auto cal = calibration_scenario(sc, spec);
  const auto design = calibration_design(spec);
  const auto parts = dir.file("cal.h5.parts");
  EXPECT_EQ(run_units(cal, design, parts, options), 0u);
  const auto tg = load_targets(spec.targets);
  const auto result = evaluate_calibration(cal, spec, design, tg, parts);
  EXPECT_GE(result.abc.accepted.size(), static_cast<std::size_t>(std::lround(0.1 * points)));
  write_calibration(dir.file("cal.h5"), cal, spec, design, tg, result, "test");
  ResultReader reader(dir.file("cal.h5"));
  EXPECT_EQ(reader.dataset("/posterior/points").shape,
            (std::vector<std::uint64_t>{result.abc.accepted.size(), 2}));
  EXPECT_EQ(reader.dataset("/statistics/values").shape,
            (std::vector<std::uint64_t>{static_cast<std::uint64_t>(points), 1, defs.size()}));
  EXPECT_EQ(reader.attribute("/", "acceptance"), "quantile 0.1");
  return {arrest, released, result.posterior_p05, result.posterior_p95, result.posterior_median};
}

TEST(CalibrationRecovery, KnownValuesFallInsideThePosterior90Interval) {
  const auto r = recover(120, 4, 0.5);
  std::cout << "posterior 90%: arrest [" << r.lo[0] << ", " << r.hi[0] << "], released [" << r.lo[1]
            << ", " << r.hi[1] << "]\n";
  EXPECT_LE(r.lo[0], r.arrest);
  EXPECT_GE(r.hi[0], r.arrest);
  EXPECT_LE(r.lo[1], r.released);
  EXPECT_GE(r.hi[1], r.released);
  // And the posterior is narrower than the prior.
  EXPECT_LT(r.hi[0] - r.lo[0], 0.8 * (0.04 - 0.002));
  EXPECT_LT(r.hi[1] - r.lo[1], 0.8 * (0.04 - 0.002));
}

TEST(CalibrationRecoveryNightly, KnownValuesFallInsideThePosterior90IntervalWithMorePoints) {
  const auto r = recover(600, 10, 1.0);
  EXPECT_LE(r.lo[0], r.arrest);
  EXPECT_GE(r.hi[0], r.arrest);
  EXPECT_LE(r.lo[1], r.released);
  EXPECT_GE(r.hi[1], r.released);
  EXPECT_LT(r.hi[0] - r.lo[0], 0.6 * (0.04 - 0.002));
}

// ---------------------------------------------------------------------------------------------
// Runs with posterior draws

// A calibration file written by hand in `dir` (beside the scenario s.yaml it calibrates): two
// parameters, 40 design points, the 20 even ones accepted with equal weights.
struct HandPosterior {
  SweepDesign design;
  CalibrationResult res;
  std::string cal_file;
};
HandPosterior write_hand_posterior(const TempDir& dir) {
  dir.file("t.yaml", kTargets);
  const auto sc0 = load_scenario(dir.file("s.yaml", std::string(kCity) + R"(calibrate:
  parameters:
    recruitment.entry_hazard: [0.001, 0.05]
    relapse.released_hazard: [0.002, 0.04]
  points: 40
  targets: t.yaml
  acceptance: {quantile: 0.5}
)"));
  const auto spec = calibration_spec(sc0);
  HandPosterior h{calibration_design(spec), {}, dir.file("cal.h5")};
  auto& res = h.res;
  res.replicates = 1;
  res.distances.assign(h.design.size(), 1.0);
  for (std::size_t p = 0; p < h.design.size(); p += 2) res.distances[p] = 0.5;
  res.abc = abc_reject(res.distances, spec.acceptance);
  res.posterior_median = res.posterior_p05 = res.posterior_p95 = {0, 0};
  write_calibration(h.cal_file, calibration_scenario(sc0, spec), spec, h.design, {}, res, "test");
  return h;
}

TEST(Posterior, EveryStrategyOfAReplicateGetsTheSameDrawAndReplicatesDiffer) {
  TempDir dir;
  const auto [design, res, cal_file] = write_hand_posterior(dir);
  ASSERT_EQ(res.abc.accepted.size(), 20u);

  auto sc = load_scenario(dir.file("s.yaml"), {{"simulation.replicates", "6"}});
  sc.posterior = draw_posterior(cal_file, sc);
  ASSERT_EQ(sc.posterior.points.size(), 6u);
  std::set<std::size_t> rows(sc.posterior.draw_index.begin(), sc.posterior.draw_index.end());
  EXPECT_GE(rows.size(), 3u) << "draws should differ across replicates";
  // The draws are a function of (seed, replicate) only.
  EXPECT_EQ(draw_posterior(cal_file, sc).draw_index, sc.posterior.draw_index);
  auto other = sc;
  other.params.simulation.seed += 1;
  EXPECT_NE(draw_posterior(cal_file, other).draw_index, sc.posterior.draw_index);
  for (int r = 0; r < 6; ++r) {
    const auto p = replicate_parameters(sc, r);
    EXPECT_DOUBLE_EQ(p.recruitment.entry_hazard, sc.posterior.points[r][0]);
    EXPECT_DOUBLE_EQ(p.relapse.released_hazard, sc.posterior.points[r][1]);
    EXPECT_EQ(sc.posterior.points[r], design.points[res.abc.accepted[sc.posterior.draw_index[r]]]);
  }

  // Through the runner: parts keyed by the draw, and the result file records it.
  sc.params.simulation.weeks = 8;
  sc.params.simulation.burn_in_weeks = 4;
  sc.params.simulation.replicates = 2;
  sc.posterior.points.resize(2);
  sc.posterior.draw_index.resize(2);
  RunOptions options;
  options.threads = 2;
  const SweepDesign none;
  const auto parts = dir.file("run.h5.parts");
  EXPECT_EQ(run_units(sc, none, parts, options), 0u);
  const auto out = load_point(sc, none, parts, 0);
  // Every strategy of replicate r ran with draw r: the same runs as a scenario that sets the
  // draw's values directly.
  for (int r = 0; r < 2; ++r) {
    auto fixed = sc;
    fixed.posterior = {};
    fixed.params.recruitment.entry_hazard = sc.posterior.points[r][0];
    fixed.params.relapse.released_hazard = sc.posterior.points[r][1];
    const auto direct = run_unit(fixed, r, 1);
    ASSERT_EQ(direct.size(), out.strategies.size());
    for (std::size_t s = 0; s < direct.size(); ++s) {
      EXPECT_EQ(out.strategies[s].replicates[r].by_area, direct[s].by_area)
          << "strategy " << s << " replicate " << r;
    }
  }
  // A different draw is a different unit: the stored part does not match it.
  auto redrawn = sc;
  redrawn.posterior.points[0][0] *= 1.5;
  EXPECT_THROW(load_point(redrawn, none, parts, 0), std::runtime_error);
  write_results(dir.file("run.h5"), sc, out, {"test"});
  ResultReader reader(dir.file("run.h5"));
  EXPECT_EQ(reader.strings("/posterior/parameter_names"),
            (std::vector<std::string>{"recruitment.entry_hazard", "relapse.released_hazard"}));
  const auto idx = reader.dataset("/posterior/draw_index");
  ASSERT_EQ(idx.values.size(), 2u);
  EXPECT_EQ(idx.values[0], static_cast<double>(sc.posterior.draw_index[0]));
  EXPECT_EQ(reader.dataset("/posterior/points").shape, (std::vector<std::uint64_t>{2, 2}));
}

TEST(Posterior, AParameterTheScenarioFixesIsHeldAtItsValueAndTheOthersAreDrawn) {
  TempDir dir;
  const auto cal_file = write_hand_posterior(dir).cal_file;
  const auto all = load_scenario(dir.file("s.yaml"), {{"simulation.replicates", "4"}});
  const auto drawn_all = draw_posterior(cal_file, all);
  // An assumptions file fixes the released hazard; --set would too.
  dir.file("a.yaml", "name: fixed release\nrelapse: {released_hazard: 0.0123}\n");
  for (const auto& sc :
       {load_scenario(dir.file("s.yaml"), {{"simulation.replicates", "4"}}, {dir.file("a.yaml")}),
        load_scenario(dir.file("s.yaml"),
                      {{"simulation.replicates", "4"}, {"relapse.released_hazard", "0.0123"}})}) {
    auto run = sc;
    run.posterior = draw_posterior(cal_file, run);
    EXPECT_EQ(run.posterior.paths, (std::vector<std::string>{"recruitment.entry_hazard"}));
    EXPECT_EQ(run.posterior.held_fixed, (std::vector<std::string>{"relapse.released_hazard"}));
    // The same rows as without the fixing: only the fixed column is left out.
    EXPECT_EQ(run.posterior.draw_index, drawn_all.draw_index);
    for (int r = 0; r < 4; ++r) {
      const auto p = replicate_parameters(run, r);
      EXPECT_EQ(p.relapse.released_hazard, 0.0123);
      EXPECT_EQ(p.recruitment.entry_hazard, drawn_all.points[r][0]);
    }
  }
}

TEST(Posterior, UnknownParameterNamesAreReported) {
  TempDir dir;
  dir.file("t.yaml", kTargets);
  const auto sc = load_scenario(dir.file("s.yaml", std::string(kCity) + R"(calibrate:
  parameters: {relapse.released_hazard: [0.002, 0.04]}
  points: 4
  targets: t.yaml
)"));
  auto spec = calibration_spec(sc);
  auto design = calibration_design(spec);
  CalibrationResult res;
  res.replicates = 1;
  res.distances.assign(design.size(), 1.0);
  res.abc = abc_reject(res.distances, spec.acceptance);
  res.posterior_median = res.posterior_p05 = res.posterior_p95 = {0};
  design.paths = {"relapse.released_hazzard"};
  const auto cal_file = dir.file("cal.h5");
  write_calibration(cal_file, calibration_scenario(sc, spec), spec, design, {}, res, "test");
  const auto ds = problems_of([&] { draw_posterior(cal_file, sc); });
  EXPECT_TRUE(
      has(ds,
          "'relapse.released_hazzard' in /posterior/parameter_names is not a parameter of the "
          "model; did you mean 'relapse.released_hazard'?"))
      << all(ds);
}

TEST(Posterior, AParameterBothSweptAndDrawnIsReported) {
  PosteriorDraws posterior;
  posterior.paths = {"recruitment.entry_hazard", "relapse.released_hazard"};
  SweepDesign design;
  design.kind = "grid";
  design.paths = {"relapse.released_hazard"};
  const auto ds = problems_of([&] { check_posterior_against_sweep(posterior, design, "cal.h5"); });
  ASSERT_EQ(ds.size(), 1u) << all(ds);
  EXPECT_EQ(ds[0].file, "cal.h5");
  EXPECT_TRUE(has(ds,
                  "'relapse.released_hazard' is both swept and drawn from the posterior; "
                  "remove it from one of them"))
      << all(ds);
  design.paths = {"recruitment.exit_hazard"};
  EXPECT_NO_THROW(check_posterior_against_sweep(posterior, design, "cal.h5"));
  EXPECT_NO_THROW(check_posterior_against_sweep(PosteriorDraws{}, SweepDesign{}, ""));
}

TEST(CalibratedScenario, IsWrittenBesideTheCalibrationFileAndReplacesNoOtherFile) {
  TempDir dir;
  dir.file("t.yaml", kTargets);
  const auto scenario_file = dir.file("s.yaml", std::string(kCity) + R"(calibrate:
  parameters: {relapse.released_hazard: [0.002, 0.04]}
  points: 4
  targets: t.yaml
)");
  const auto sc = load_scenario(scenario_file);
  const auto spec = calibration_spec(sc);
  CalibrationResult res;
  res.distances.assign(4, 1.0);
  res.abc = abc_reject(res.distances, spec.acceptance);
  res.posterior_median = res.posterior_p05 = res.posterior_p95 = {0.01};
  const auto cal = calibration_scenario(sc, spec);

  const auto written = write_calibrated_scenario(dir.file("cal.h5"), scenario_file, spec, res, cal);
  EXPECT_EQ(written, dir.file("cal.yaml"));
  std::ifstream in(written);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(text.starts_with("# Calibrated parameters")) << text;
  EXPECT_NE(text.find("extends: s.yaml\n"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(written + ".tmp"));
  EXPECT_EQ(load_scenario(written).params.relapse.released_hazard, 0.01);
  // An earlier calibrated scenario is replaced.
  EXPECT_EQ(write_calibrated_scenario(dir.file("cal.h5"), scenario_file, spec, res, cal), written);

  // Any other file is not, and is left as it was.
  const auto other = dir.file("other.yaml", "name: mine\n");
  EXPECT_EQ(check_calibrated_scenario_path(dir.file("cal.h5")), written);
  const auto ds = problems_of(
      [&] { write_calibrated_scenario(dir.file("other.h5"), scenario_file, spec, res, cal); });
  EXPECT_TRUE(has(ds, "the calibrated scenario would replace " + other +
                          ", which was not written by drift calibrate; choose another --out"))
      << all(ds);
  EXPECT_FALSE(problems_of([&] { check_calibrated_scenario_path(dir.file("other.h5")); }).empty());
  std::ifstream again(other);
  std::string first;
  std::getline(again, first);
  EXPECT_EQ(first, "name: mine");
}

}  // namespace
}  // namespace drift
