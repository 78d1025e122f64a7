// Sequential ABC (ABC-SMC): the kernel, importance weights and effective sample size against a
// case worked by hand; the Monte Carlo variance term of the distance; the calibrate section's
// smc settings; whole calibrations that are identical for any thread count, after a resume and
// over shards; the file layout; recovery of known parameters, one of them structural.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>

#include "drift/experiments/calibration.hpp"
#include "drift/experiments/experiment.hpp"
#include "drift/experiments/observables.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/results/results.hpp"
#include "drift/scenario/targets.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;
using drift::test::TempDir;

std::vector<Diagnostic> problems_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    return e.diagnostics();
  }
  return {};
}

std::string all(const std::vector<Diagnostic>& ds) {
  std::string s;
  for (const auto& d : ds) s += d.format() + "\n";
  return s;
}

// ---------------------------------------------------------------------------------------------
// Weights and effective sample size, worked by hand.
//
// One parameter with the prior U[0, 1]. The previous generation: particles 0.4 and 0.6 with
// weights 0.25 and 0.75.
//   weighted mean      m  = 0.25 * 0.4 + 0.75 * 0.6 = 0.55
//   weighted variance  v  = 0.25 * 0.15^2 + 0.75 * 0.05^2 = 0.005625 + 0.001875 = 0.0075
//   kernel sd          s  = sqrt(2 v) = sqrt(0.015) = 0.122474
// The kernel around x is N(x, s^2) truncated to [0, 1]; its mass in the range is
//   Z(0.4) = Phi(0.6 / s) - Phi(-0.4 / s) = Phi(4.899) - Phi(-3.266) = 0.9999995 - 0.000546
//          = 0.999454, and Z(0.6) the same by symmetry.
// New particles 0.5 and 0.9:
//   K(0.5 | 0.4) = phi(0.8165) / s / Z = 0.28594 / 0.122474 / 0.999454 = 2.33527 = K(0.5 | 0.6)
//   K(0.9 | 0.4) = phi(4.0825) / s / Z = 9.5913e-5 / 0.122474 / 0.999454 = 7.8340e-4
//   K(0.9 | 0.6) = phi(2.4495) / s / Z = 0.019866 / 0.122474 / 0.999454 = 0.162262
// The mixture sum_j w_j K(y | x_j):
//   at 0.5: 0.25 * 2.33527 + 0.75 * 2.33527 = 2.33527
//   at 0.9: 0.25 * 7.8340e-4 + 0.75 * 0.162262 = 0.121893
// Weights proportional to prior / mixture = 1 / mixture: 0.428216 and 8.203904, normalised
//   0.049607 and 0.950393; ESS = 1 / (0.049607^2 + 0.950393^2) = 1 / 0.905706 = 1.104110.

TEST(SmcWeights, TwoParticlesInOneDimensionMatchTheHandComputedCase) {
  const std::vector<std::pair<double, double>> prior = {{0.0, 1.0}};
  const std::vector<std::vector<double>> previous = {{0.4}, {0.6}};
  const std::vector<double> previous_weights = {0.25, 0.75};
  const auto sd = smc_kernel_sd(previous, previous_weights, prior);
  ASSERT_EQ(sd.size(), 1u);
  EXPECT_NEAR(sd[0], 0.122474, 1e-6);
  EXPECT_NEAR(smc_kernel_density({0.5}, {0.4}, sd, prior), 2.33527, 1e-5);
  EXPECT_NEAR(smc_kernel_density({0.9}, {0.4}, sd, prior), 7.8340e-4, 1e-8);
  EXPECT_NEAR(smc_kernel_density({0.9}, {0.6}, sd, prior), 0.162262, 1e-6);
  EXPECT_EQ(smc_kernel_density({1.1}, {0.6}, sd, prior), 0.0) << "outside the prior";
  const auto w = smc_weights(previous, previous_weights, {{0.5}, {0.9}}, sd, prior);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NEAR(w[0], 0.049607, 1e-6);
  EXPECT_NEAR(w[1], 0.950393, 1e-6);
  EXPECT_NEAR(effective_sample_size(w), 1.104110, 1e-5);
}

TEST(SmcWeights, EffectiveSampleSizeOfEqualAndOfUnnormalisedWeights) {
  EXPECT_DOUBLE_EQ(effective_sample_size({0.25, 0.25, 0.25, 0.25}), 4.0);
  // Normalised first: weights 1 and 3 are 0.25 and 0.75, ESS 1 / (0.0625 + 0.5625) = 1.6.
  EXPECT_DOUBLE_EQ(effective_sample_size({1.0, 3.0}), 1.6);
  EXPECT_EQ(effective_sample_size({}), 0.0);
}

TEST(SmcWeights, ACollapsedParameterKeepsAKernelWidth) {
  const auto sd = smc_kernel_sd({{0.3}, {0.3}}, {0.5, 0.5}, {{0.0, 2.0}});
  EXPECT_DOUBLE_EQ(sd[0], 2e-6);
}

// The proposals are the truncated normal kernel: inside the prior, keyed (the same for the same
// key, different for another batch), with the truncated normal's mean. Around 0.1 with s = 0.2
// on [0, 1]: alpha = -0.5, beta = 4.5, Z = Phi(4.5) - Phi(-0.5) = 0.691459; mean = 0.1 +
// 0.2 (phi(-0.5) - phi(4.5)) / Z = 0.1 + 0.2 * 0.352065 / 0.691459 = 0.201833. The sd of the
// truncated normal is below s = 0.2, so the mean of 4,000 proposals has a standard error below
// 0.2 / sqrt(4000) = 0.00316; the test allows 4 standard errors (0.0127).
TEST(SmcProposals, AreKeyedAndFollowTheTruncatedKernel) {
  const std::vector<std::pair<double, double>> prior = {{0.0, 1.0}, {10.0, 20.0}};
  const std::vector<std::vector<double>> previous = {{0.1, 15.0}};
  const std::vector<double> sd = {0.2, 1.0};
  const auto a = smc_proposals(previous, {1.0}, sd, prior, 7, 1, 0, 4000);
  const auto b = smc_proposals(previous, {1.0}, sd, prior, 7, 1, 0, 4000);
  const auto c = smc_proposals(previous, {1.0}, sd, prior, 7, 1, 1, 4000);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  double mean = 0;
  for (const auto& x : a) {
    EXPECT_GE(x[0], 0.0);
    EXPECT_LE(x[0], 1.0);
    EXPECT_GE(x[1], 10.0);
    EXPECT_LE(x[1], 20.0);
    mean += x[0] / static_cast<double>(a.size());
  }
  EXPECT_NEAR(mean, 0.201833, 4 * 0.2 / std::sqrt(4000.0));
}

// Parents are drawn by weight: with weights 0.9 and 0.1 and particles far apart (0.1 and 0.9,
// kernel sd 0.01), the share of proposals near 0.1 is binomial with p = 0.9 over 2,000
// proposals: sd sqrt(0.9 * 0.1 / 2000) = 0.0067; 4 sd allowed.
TEST(SmcProposals, ParentsAreDrawnByWeight) {
  const auto x = smc_proposals({{0.1}, {0.9}}, {0.9, 0.1}, {0.01}, {{0.0, 1.0}}, 3, 2, 0, 2000);
  double near_first = 0;
  for (const auto& p : x) near_first += p[0] < 0.5 ? 1.0 / 2000 : 0.0;
  EXPECT_NEAR(near_first, 0.9, 4 * std::sqrt(0.9 * 0.1 / 2000));
}

// ---------------------------------------------------------------------------------------------
// The Monte Carlo variance of the simulated mean in the distance.

TEST(Distance, MonteCarloVarianceOfTheMeanWidensTheTargetsSd) {
  ObservedTarget t;
  t.name = t.statistic = "x";
  t.value = 10;
  t.standard_error = 1;
  t.fit = true;
  // (12 - 10)^2 / (1^2 + 3) = 1: a difference of two sd of the target alone is one sd of the
  // target plus the noise of the mean.
  EXPECT_DOUBLE_EQ(distance({12.0}, {3.0}, {t}), 1.0);
  EXPECT_DOUBLE_EQ(distance({12.0}, {0.0}, {t}), 2.0);
  EXPECT_DOUBLE_EQ(distance({12.0}, {0.0}, {t}), distance({12.0}, {t}));
}

// ---------------------------------------------------------------------------------------------
// The calibrate section

const char* kCity = R"(name: smc_city
simulation: {weeks: 156, burn_in_weeks: 52, replicates: 1, population_scale: 0.2}
networks: {count: 4}
onset: {onset_hazard: 0.01}
sanctions: {dismissal_share_minor: 0, settlement_share_minor: 0, community_share_minor: 0,
            dismissal_share_adult: 0, settlement_share_adult: 0, community_share_adult: 0,
            detention_weeks_minor: 12, detention_weeks_adult: 12}
areas:
  list:
    - {name: North, youth_12_17: 900, youth_18_26: 1400, low_income_share: 0.3, schools: 1}
    - {name: South, youth_12_17: 700, youth_18_26: 1100, low_income_share: 0.15, schools: 1}
)";

TEST(SmcSection, SettingsAreReadAndBadValuesNameFileLineAndKey) {
  TempDir dir;
  dir.file("t.yaml", R"(targets:
  - {name: r2, statistic: rearrest_2y, value: 0.5, standard_error: 0.05, unit: share, source: test, use: fit}
)");
  const auto good = load_scenario(dir.file("good.yaml", std::string(kCity) + R"(calibrate:
  parameters: {relapse.released_hazard: [0.002, 0.04]}
  method: smc
  points: 50
  smc: {particles: 20, generations: 4, quantile: 0.4, tolerance: 0.5, min_acceptance: 0.1}
  targets: t.yaml
)"));
  const auto spec = calibration_spec(good);
  EXPECT_EQ(spec.method, "smc");
  EXPECT_EQ(spec.smc.particles, 20);
  EXPECT_EQ(spec.smc.generations, 4);
  EXPECT_DOUBLE_EQ(spec.smc.quantile, 0.4);
  EXPECT_DOUBLE_EQ(spec.smc.tolerance, 0.5);
  EXPECT_DOUBLE_EQ(spec.smc.min_acceptance, 0.1);

  const auto path = dir.file("bad.yaml", std::string(kCity) + R"(calibrate:
  parameters: {relapse.released_hazard: [0.002, 0.04]}
  method: smcc
  points: 10
  smc: {particles: 20, generation: 4, quantile: 1.5, min_acceptance: 0}
  targets: t.yaml
)");
  const auto ds = problems_of([&] { load_scenario(path); });
  const auto text = all(ds);
  EXPECT_NE(text.find("bad.yaml:14:11: key 'calibrate.method': expected rejection or smc, got "
                      "'smcc'"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("key 'calibrate.smc.generation': unknown key 'generation'; did you mean "
                      "'generations'?"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("bad.yaml:16:49: key 'calibrate.smc.quantile': expected a share in (0, 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("key 'calibrate.smc.min_acceptance': expected a share in (0, 1]"),
            std::string::npos)
      << text;

  const auto few = dir.file("few.yaml", std::string(kCity) + R"(calibrate:
  parameters: {relapse.released_hazard: [0.002, 0.04]}
  method: smc
  points: 10
  smc: {particles: 20}
  acceptance: {quantile: 0.1}
  targets: t.yaml
)");
  const auto text2 = all(problems_of([&] { load_scenario(few); }));
  EXPECT_NE(text2.find("few.yaml:15:11: key 'calibrate.points': expected at least smc.particles "
                       "(20) design points for generation 0, got 10"),
            std::string::npos)
      << text2;
  EXPECT_NE(text2.find("key 'calibrate.acceptance': acceptance applies to method rejection"),
            std::string::npos)
      << text2;
  const auto stray = dir.file("stray.yaml", std::string(kCity) + R"(calibrate:
  parameters: {relapse.released_hazard: [0.002, 0.04]}
  smc: {particles: 20}
  targets: t.yaml
)");
  EXPECT_NE(all(problems_of([&] {
              load_scenario(stray);
            })).find("key 'calibrate.smc': smc settings apply to method smc"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Whole sequential calibrations of a small city.

// Targets: the statistics of the city at known values, the mean over `replicates` runs.
std::string simulated_targets(const Scenario& truth, int replicates) {
  RunOptions options;
  options.threads = 2;
  auto sc = truth;
  sc.params.simulation.replicates = replicates;
  const auto out = run_experiment(sc, options);
  const auto& defs = run_statistic_definitions();
  std::vector<double> mean(defs.size(), 0.0);
  for (const auto& run : out.strategies.front().replicates) {
    const auto s = run_statistics(run, sc.params);
    for (std::size_t k = 0; k < s.size(); ++k) mean[k] += s[k] / replicates;
  }
  std::string targets = "targets:\n";
  for (std::size_t k = 0; k < defs.size(); ++k) {
    if (!std::isfinite(mean[k]) || mean[k] <= 0) continue;
    targets += "  - {name: t" + std::to_string(k) + ", statistic: " + defs[k].name +
               ", value: " + format_number(mean[k]) +
               ", standard_error: " + format_number(0.1 * mean[k]) +
               ", unit: u, source: simulated, use: fit}\n";
  }
  return targets;
}

struct SmcCase {
  Scenario cal;
  CalibrationSpec spec;
  std::vector<ObservedTarget> targets;
};

SmcCase smc_case(TempDir& dir, const std::string& city, const std::string& block) {
  const auto sc = load_scenario(dir.file("cal.yaml", city + block));
  SmcCase c;
  c.spec = calibration_spec(sc);
  c.cal = calibration_scenario(sc, c.spec);
  c.targets = load_targets(c.spec.targets);
  return c;
}

CalibrationResult run_all(const SmcCase& c, const std::string& parts, int threads) {
  RunOptions options;
  options.threads = threads;
  CalibrationResult r;
  const auto status = run_smc(c.cal, c.spec, c.targets, parts, options, r);
  EXPECT_TRUE(status.complete);
  return r;
}

void expect_identical(const CalibrationResult& a, const CalibrationResult& b) {
  ASSERT_EQ(a.points.size(), b.points.size());
  EXPECT_EQ(a.points, b.points);
  EXPECT_EQ(a.statistics.size(), b.statistics.size());
  for (std::size_t i = 0; i < a.statistics.size() && i < b.statistics.size(); ++i) {
    const bool both_nan = std::isnan(a.statistics[i]) && std::isnan(b.statistics[i]);
    if (!both_nan) {
      ASSERT_EQ(a.statistics[i], b.statistics[i]) << "statistic " << i;
    }
  }
  EXPECT_EQ(a.distances, b.distances);
  ASSERT_EQ(a.generations.size(), b.generations.size());
  for (std::size_t g = 0; g < a.generations.size(); ++g) {
    EXPECT_EQ(a.generations[g].index, b.generations[g].index);
    EXPECT_EQ(a.generations[g].weights, b.generations[g].weights);
    EXPECT_EQ(a.generations[g].tolerance, b.generations[g].tolerance);
  }
}

const char* kSmcBlock = R"(calibrate:
  parameters:
    enforcement.runner_arrest_hazard: [0.002, 0.04]
    relapse.released_hazard: [0.002, 0.04]
  method: smc
  points: 16
  seed: 5
  replicates: 2
  smc: {particles: 8, generations: 3, quantile: 0.5}
  targets: targets.yaml
)";

TEST(SmcCalibration, TolerancesDecreaseWeightsSumToOneAndTheFileHoldsEveryGeneration) {
  TempDir dir;
  const auto truth = load_scenario(
      dir.file("truth.yaml", kCity),
      {{"enforcement.runner_arrest_hazard", "0.015"}, {"relapse.released_hazard", "0.01"}});
  dir.file("targets.yaml", simulated_targets(truth, 2));
  const auto c = smc_case(dir, kCity, kSmcBlock);
  const auto r = run_all(c, dir.file("cal.h5.parts"), 2);
  ASSERT_EQ(r.generations.size(), 3u) << r.stop_reason;
  EXPECT_EQ(r.stop_reason, "3 generations run");
  for (std::size_t g = 0; g < r.generations.size(); ++g) {
    const auto& x = r.generations[g];
    EXPECT_EQ(x.index.size(), 8u);
    double total = 0;
    for (double w : x.weights) total += w;
    EXPECT_NEAR(total, 1.0, 1e-12);
    EXPECT_GE(x.ess, 1.0);
    EXPECT_LE(x.ess, 8.0 + 1e-9);
    EXPECT_NEAR(x.ess, effective_sample_size(x.weights), 1e-12);
    for (auto p : x.index) {
      EXPECT_EQ(r.point_generation[p], static_cast<int>(g));
      EXPECT_LE(r.distances[p], x.tolerance);
    }
    if (g > 0) {
      // The tolerance is the median of the previous particles' distances, all of which are
      // within the previous tolerance; with 8 distinct distances the median lies below the
      // largest.
      EXPECT_LT(x.tolerance, r.generations[g - 1].tolerance);
      EXPECT_EQ(x.points_run % 8, 0u) << "proposals run in whole batches";
      EXPECT_GE(x.within_tolerance, 8u);
    }
  }
  EXPECT_EQ(r.generations[0].points_run, 16u);
  // The posterior is the last generation.
  EXPECT_EQ(r.abc.accepted, r.generations.back().index);
  EXPECT_EQ(r.abc.weights, r.generations.back().weights);

  // The Monte Carlo variance of each simulated mean is s^2 / R of its two replicates:
  // ((a - b)^2 / 2) / 2 for R = 2.
  const std::size_t ns = r.statistic_names.size(), nt = c.targets.size();
  const int stat = run_statistic_index(c.targets[0].statistic);
  for (std::size_t p = 0; p < 5; ++p) {
    const double a = r.statistics[(p * 2) * ns + stat], b = r.statistics[(p * 2 + 1) * ns + stat];
    EXPECT_DOUBLE_EQ(r.simulated[p * nt], (a + b) / 2);
    EXPECT_DOUBLE_EQ(r.mc_variance[p * nt], (a - b) * (a - b) / 2 / 2);
  }
  std::vector<double> sim(r.simulated.begin(), r.simulated.begin() + nt),
      var(r.mc_variance.begin(), r.mc_variance.begin() + nt);
  EXPECT_DOUBLE_EQ(r.distances[0], distance(sim, var, c.targets));

  // The file: every generation, the posterior, and the table drift summarize prints.
  const auto cal_file = dir.file("cal.h5");
  write_calibration(cal_file, c.cal, c.spec, calibration_run_design(c.spec, r.points), c.targets, r,
                    "test");
  ResultReader f(cal_file);
  EXPECT_EQ(f.attribute("/", "method"), "smc");
  EXPECT_EQ(f.dataset("/generations/tolerance").values.size(), 3u);
  EXPECT_EQ(f.dataset("/generations/particle_weights").values.size(), 24u);
  EXPECT_EQ(f.dataset("/design/points").shape, (std::vector<std::uint64_t>{r.points.size(), 2}));
  EXPECT_EQ(f.dataset("/posterior/weights").values, r.generations.back().weights);
  EXPECT_EQ(f.dataset("/targets/mc_variance").values, r.mc_variance);
  const auto text = format_calibration_file(cal_file);
  EXPECT_NE(text.find("generation  points run"), std::string::npos) << text;
  EXPECT_NE(text.find("sequential ABC"), std::string::npos) << text;
  EXPECT_EQ(text, format_calibration(c.spec, c.targets, r));
  // Runs draw from the last generation.
  auto sc = load_scenario(dir.file("truth.yaml"), {{"simulation.replicates", "4"}});
  const auto draws = draw_posterior(cal_file, sc);
  ASSERT_EQ(draws.points.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(draws.points[i], r.points[r.abc.accepted[draws.draw_index[i]]]);
}

TEST(SmcCalibration, IdenticalOnTwoThreadsAfterAnInterruptionAsOnOneThread) {
  TempDir dir;
  const auto truth = load_scenario(
      dir.file("truth.yaml", kCity),
      {{"enforcement.runner_arrest_hazard", "0.015"}, {"relapse.released_hazard", "0.01"}});
  dir.file("targets.yaml", simulated_targets(truth, 2));
  const auto c = smc_case(dir, kCity, kSmcBlock);
  const auto one = run_all(c, dir.file("one.parts"), 1);

  // On two threads, interrupted in generation 1 (after 40 runs: generation 0 has 16 points x 2
  // replicates), then resumed from the parts.
  {
    std::atomic<bool> cancel{false};
    std::size_t runs = 0;
    RunOptions options;
    options.threads = 2;
    options.cancel = &cancel;
    options.progress = [&](std::size_t, std::size_t) {
      if (++runs >= 40) cancel = true;
    };
    CalibrationResult r;
    EXPECT_THROW(run_smc(c.cal, c.spec, c.targets, dir.file("resumed.parts"), options, r),
                 Cancelled);
    EXPECT_TRUE(fs::exists(smc_batch_dir(dir.file("resumed.parts"), 1, 0)));
  }
  const auto resumed = run_all(c, dir.file("resumed.parts"), 2);
  expect_identical(one, resumed);
}

TEST(SmcCalibration, IdenticalOverTwoShardsAsInOneProcess) {
  TempDir dir;
  const auto truth = load_scenario(
      dir.file("truth.yaml", kCity),
      {{"enforcement.runner_arrest_hazard", "0.015"}, {"relapse.released_hazard", "0.01"}});
  dir.file("targets.yaml", simulated_targets(truth, 2));
  const auto c = smc_case(dir, kCity, kSmcBlock);
  const auto one = run_all(c, dir.file("one.parts"), 2);

  // Two shards on one thread each, run in turn until both report every generation done.
  const auto parts = dir.file("sharded.parts");
  RunOptions options;
  options.threads = 1;
  CalibrationResult r0, r1;
  // Each round completes at least one batch (both shards run their share of it), so at most one
  // round per batch of the calibration, and one more in which both report completion.
  std::size_t batches = 1;
  for (std::size_t g = 1; g < one.generations.size(); ++g)
    batches += one.generations[g].points_run / 8;
  std::size_t rounds = 0;
  for (bool done = false; !done && rounds < 100; ++rounds) {
    const auto s0 = run_smc(c.cal, c.spec, c.targets, parts, options, r0, 0, 2);
    const auto s1 = run_smc(c.cal, c.spec, c.targets, parts, options, r1, 1, 2);
    done = s0.complete && s1.complete;
  }
  EXPECT_LE(rounds, batches + 1);
  expect_identical(one, r1);
  expect_identical(one, r0);
  remove_calibration_parts(parts);
  EXPECT_FALSE(fs::exists(parts));
}

// ---------------------------------------------------------------------------------------------
// Recovery: statistics simulated at known values, one of them the structural market
// replacement, are the targets; the posterior's 90% interval must hold the known values.

struct Recovery {
  std::vector<double> truth, lo, hi;
  std::vector<SmcGeneration> generations;
};

Recovery recover(const std::string& scale, int particles, int points, int generations,
                 int truth_replicates) {
  TempDir dir;
  std::string city = kCity;
  city.replace(city.find("population_scale: 0.2"), 21, "population_scale: " + scale);
  const std::vector<double> truth_values = {0.015, 0.3};
  const auto truth =
      load_scenario(dir.file("truth.yaml", city),
                    {{"enforcement.runner_arrest_hazard", "0.015"}, {"market.replacement", "0.3"}});
  dir.file("targets.yaml", simulated_targets(truth, truth_replicates));
  const auto c = smc_case(dir, city,
                          R"(calibrate:
  parameters:
    enforcement.runner_arrest_hazard: [0.002, 0.04]
    market.replacement: [0, 1]
  method: smc
  points: )" + std::to_string(points) +
                              R"(
  seed: 11
  replicates: 2
  smc: {particles: )" + std::to_string(particles) +
                              ", generations: " + std::to_string(generations) + R"(}
  targets: targets.yaml
)");
  const auto r = run_all(c, dir.file("cal.h5.parts"), 2);
  return {truth_values, r.posterior_p05, r.posterior_p95, r.generations};
}

// The known values must lie inside the 90% intervals, and the parameter `narrowed` must be
// learnt: its 90% interval narrower than `max_width_share` of its prior range (a posterior equal
// to the prior would contain the truth trivially).
void expect_recovered(const Recovery& r, std::size_t narrowed, double max_width_share) {
  const double prior_width[] = {0.04 - 0.002, 1.0};
  for (std::size_t j = 0; j < 2; ++j) {
    std::cout << "parameter " << j << ": truth " << r.truth[j] << ", 90% [" << r.lo[j] << ", "
              << r.hi[j] << "]\n";
    EXPECT_LE(r.lo[j], r.truth[j]);
    EXPECT_GE(r.hi[j], r.truth[j]);
  }
  EXPECT_LT(r.hi[narrowed] - r.lo[narrowed], max_width_share * prior_width[narrowed]);
  std::cout << format_generations(r.generations);
}

// Small: the arrest hazard is learnt (90% interval 0.68 of the prior at this seed).
TEST(SmcRecovery, KnownValuesIncludingTheMarketReplacementFallInsideThe90Interval) {
  expect_recovered(recover("0.3", 30, 60, 3, 4), 0, 0.8);
}

// Larger: with more particles the market replacement is learnt. The arrest hazard's interval
// stays wide here (0.86 of the prior at this seed: with the replacement free, the two trade off
// in these statistics), so only the replacement is checked for narrowing.
TEST(SmcRecoveryNightly, KnownValuesIncludingTheMarketReplacementWithMoreParticles) {
  expect_recovered(recover("0.5", 100, 200, 4, 10), 1, 0.6);
}

}  // namespace
}  // namespace drift
