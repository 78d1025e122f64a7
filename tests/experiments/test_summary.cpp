#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "drift/experiments/experiment.hpp"
#include "drift/experiments/result_file.hpp"
#include "drift/experiments/summary.hpp"
#include "drift/results/results.hpp"
#include "drift/scenario/scenario.hpp"

namespace drift {
namespace {

TEST(MeanInterval, MatchesHandComputedTInterval) {
  // mean 2, sample SD 1, n 3: half width t(2, 0.975) * 1 / sqrt(3) = 4.302653 / 1.732051.
  const auto i = mean_interval({1.0, 2.0, 3.0});
  EXPECT_DOUBLE_EQ(i.mean, 2.0);
  EXPECT_NEAR(i.hi - i.mean, 4.3026527297 / std::sqrt(3.0), 1e-9);
  EXPECT_NEAR(i.mean - i.lo, 4.3026527297 / std::sqrt(3.0), 1e-9);
}

TEST(MarketAssumption, SaysTheValueOrThatItWasDrawnAndOverWhatRange) {
  Parameters p;
  p.market.replacement = 0.5;
  const auto fixed = market_assumption(p);
  EXPECT_NE(fixed.find("market.replacement = 0.5. Partial replacement: 50%"), std::string::npos)
      << fixed;
  const auto drawn = market_assumption(p, {0.9, 0.1, 0.5});
  EXPECT_NE(drawn.find("drawn for each replicate from the calibration posterior: 0.1 to 0.9 in "
                       "this run, mean 0.5"),
            std::string::npos)
      << drawn;
  EXPECT_EQ(drawn.find("= 0.5"), std::string::npos) << drawn;
}

TEST(MeanInterval, SingleValueHasNoInterval) {
  const auto i = mean_interval({5.0});
  EXPECT_EQ(i.mean, 5.0);
  EXPECT_TRUE(std::isnan(i.lo));
  EXPECT_TRUE(std::isnan(i.hi));
}

StrategySeries series(const std::string& name, std::vector<double> entries_per_replicate) {
  StrategySeries s;
  s.name = name;
  s.replicates = static_cast<int>(entries_per_replicate.size());
  s.weeks = 2;
  for (const auto& m : area_metrics()) {
    s.metric_names.push_back(m.name);
    std::vector<double> v(s.replicates * s.weeks, 1.0);
    if (m.name == "new_entries") {
      // Week 0 holds the replicate's entries, week 1 none.
      for (int r = 0; r < s.replicates; ++r) {
        v[r * s.weeks] = entries_per_replicate[r];
        v[r * s.weeks + 1] = 0;
      }
    }
    s.series.push_back(v);
  }
  s.cost.assign(s.replicates, name == "baseline" ? 0.0 : 1000.0);
  return s;
}

TEST(Summary, PairedDifferencesAreReplicateWiseDifferences) {
  const auto summary = summarize({series("baseline", {10, 20, 30}), series("b", {8, 15, 29})});
  const auto& entries = summary.strategies[1].outcomes[0];
  ASSERT_EQ(entries.name, "new_entries");
  ASSERT_TRUE(entries.has_difference);
  EXPECT_EQ(entries.difference_name, "entries_averted");
  EXPECT_EQ(entries.difference_per_replicate, (std::vector<double>{2, 5, 1}));
  const auto expected = mean_interval({2, 5, 1});
  EXPECT_DOUBLE_EQ(entries.difference.mean, expected.mean);
  EXPECT_DOUBLE_EQ(entries.difference.lo, expected.lo);
  // Cost per entry averted: 1000 euro over 8/3 entries averted.
  EXPECT_NEAR(summary.strategies[1].cost_per_entry_averted.mean, 1000.0 / (8.0 / 3.0), 1e-9);
  EXPECT_FALSE(summary.strategies[0].outcomes[0].has_difference);
}

TEST(Summary, ResultFileCarriesComparisonsEqualToTheInMemorySummary) {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("drift_summary_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "s.yaml") << R"(name: s
simulation: {weeks: 30, burn_in_weeks: 30, replicates: 3, population_scale: 0.5}
networks: {count: 4}
areas:
  list:
    - {name: A, youth_12_17: 600, youth_18_26: 900, low_income_share: 0.3, schools: 1}
strategies:
  - name: baseline
  - name: enforced
    interventions:
      - {type: enforcement, effects: {arrest: 3}}
)";
  const auto scenario = load_scenario((dir / "s.yaml").string());
  const auto output = run_experiment(scenario, RunOptions{});
  write_results((dir / "r.h5").string(), scenario, output, {"test"});
  const auto summary = summarize(scenario.params, output);
  ResultReader reader((dir / "r.h5").string());
  EXPECT_EQ(reader.attribute("/comparisons", "baseline"), "baseline");
  for (const auto& oc : summary.strategies[1].outcomes) {
    const auto path = "/comparisons/enforced/" + oc.difference_name;
    ASSERT_TRUE(reader.exists(path)) << path;
    EXPECT_EQ(reader.dataset(path).values, oc.difference_per_replicate) << path;
    EXPECT_DOUBLE_EQ(reader.numeric_attribute(path, "mean"), oc.difference.mean);
    const auto values = reader.dataset("/summary/enforced/" + oc.name).values;
    EXPECT_EQ(values, oc.per_replicate);
  }
  // The summary read back from the file equals the in-memory one.
  const auto again = summarize_file((dir / "r.h5").string());
  EXPECT_EQ(format_csv(again), format_csv(summary));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace drift
