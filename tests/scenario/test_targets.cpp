// The targets that identify dealing in the shipped targets file: which statistic each names, how
// it is used, its stated uncertainty and the optional `confidence` key of the targets reader.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "drift/scenario/statistics.hpp"
#include "drift/scenario/targets.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

const std::string kSource = DRIFT_SOURCE_DIR;

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

TEST(DealingTargets, ShippedFileMapsEachOntoItsStatisticWithItsUse) {
  const auto ts = load_targets(kSource + "/scenarios/targets/netherlands.yaml");
  std::map<std::string, const ObservedTarget*> by_name;
  for (const auto& t : ts) by_name[t.name] = &t;
  struct Expected {
    const char* name;
    const char* statistic;
    bool fit;
  };
  // National registrations are fitted; the Utrecht count and re-registration after release,
  // whose mappings rest on assumptions, are held out.
  const Expected expected[] = {
      {"drug_suspects_12_17", "drug_suspects_per_10k_12_17", true},
      {"drug_suspects_18_22", "drug_suspects_per_10k_18_22", true},
      {"drug_registrations_utrecht", "drug_registrations_per_10k", false},
      {"drug_reregistration_2y", "drug_rearrest_2y", false},
  };
  for (const auto& e : expected) {
    ASSERT_TRUE(by_name.count(e.name)) << e.name;
    const auto& t = *by_name[e.name];
    EXPECT_EQ(t.statistic, e.statistic) << e.name;
    EXPECT_GE(run_statistic_index(t.statistic), 0) << e.name;
    EXPECT_EQ(t.fit, e.fit) << e.name;
    EXPECT_FALSE(t.confidence.empty()) << e.name;
    EXPECT_FALSE(t.population.empty()) << e.name;
    EXPECT_GT(t.year, 0) << e.name;
    EXPECT_GT(t.value, 0) << e.name;
  }
  // Shaky figures carry a 50% discrepancy, not the 10% of the register counts.
  EXPECT_NEAR(by_name["drug_suspects_12_17"]->sd(), 0.5 * 13.8, 1e-9);
  EXPECT_NEAR(by_name["drug_suspects_18_22"]->sd(), 0.5 * 17.6, 1e-9);
  EXPECT_NEAR(by_name["drug_reregistration_2y"]->sd(), 0.05, 1e-12);
  // The Utrecht interval [1.0, 8.2] at level 0.9: half-width 3.6 over z(0.95) = 1.6449.
  EXPECT_NEAR(by_name["drug_registrations_utrecht"]->sd(), 3.6 / 1.6448536, 1e-6);
  // Not found, so no target: the drug share of youth suspects and self-reported dealing.
  for (const auto& t : ts) {
    EXPECT_NE(t.statistic, "drug_share_12_17");
    EXPECT_NE(t.statistic, "drug_share_18_26");
    EXPECT_NE(t.statistic, "dealt_share_12_17");
    EXPECT_NE(t.statistic, "dealt_share_18_22");
  }
}

TEST(DealingTargets, ConfidenceIsOptionalTextAndABadOneIsReportedAtItsLine) {
  test::TempDir dir;
  const auto good = dir.file("good.yaml", R"(targets:
  - name: a
    statistic: drug_rearrest_2y
    value: 0.1
    standard_error: 0.05
    unit: share
    source: NDM
    confidence: confirmed (read)
    use: fit
  - name: b
    statistic: dealt_share_12_17
    value: 0.02
    standard_error: 0.01
    unit: share
    source: survey
    use: validate
)");
  const auto ts = load_targets(good);
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_EQ(ts[0].confidence, "confirmed (read)");
  EXPECT_EQ(ts[1].confidence, "");
  const auto bad = dir.file("bad.yaml", R"(targets:
  - name: a
    statistic: drug_rearest_2y
    value: 0.1
    standard_error: 0.05
    unit: share
    source: NDM
    confidence: [high]
    use: fit
)");
  const auto ds = problems_of([&] { load_targets(bad); });
  ASSERT_EQ(ds.size(), 2u) << all(ds);
  EXPECT_NE(all(ds).find(bad + ":3:16: key 'targets[0].statistic': unknown statistic "
                               "'drug_rearest_2y'; did you mean 'drug_rearrest_2y'?"),
            std::string::npos)
      << all(ds);
  EXPECT_NE(all(ds).find(bad + ":8:17: key 'targets[0].confidence': expected a non-empty string"),
            std::string::npos)
      << all(ds);
}

}  // namespace
}  // namespace drift
