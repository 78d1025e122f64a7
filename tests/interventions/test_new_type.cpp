// Adding an intervention type touches no core file: this test binary registers its own type,
// writes it in a scenario and runs it through the same loader and runner as `drift run`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "drift/experiments/experiment.hpp"
#include "drift/interventions/registry.hpp"
#include "drift/model/world.hpp"
#include "drift/scenario/scenario.hpp"

namespace drift {
namespace {

// Blocks every entry into dealing of the youths it covers, in every area.
class EntryBlock : public Intervention {
 public:
  explicit EntryBlock(double factor) : factor_(static_cast<float>(factor)) {}
  InterventionWeek apply(World& w, int) override {
    InterventionWeek log;
    auto& entry = w.mult.write(&Multipliers::entry);
    for (std::size_t i = 0; i < w.pop.size(); ++i) {
      if (w.pop.state[i] == State::vacant) continue;
      entry[i] *= factor_;
      log.served += 1;
    }
    log.capacity = log.served;
    return log;
  }

 private:
  float factor_;
};

iv::Schema entry_block_schema() {
  iv::Schema s;
  s.type = "test_entry_block";
  s.description = "Test type: scales the entry hazard of every youth";
  s.effects = {iv::real("entry", 0.0, 0, 10, "hazard ratio", "assumption", "Entry multiplier")};
  return s;
}

DRIFT_REGISTER_INTERVENTION(
    test_entry_block,
    InterventionType{"test_entry_block", "Test type", entry_block_schema(),
                     [](const iv::Values& v, std::uint32_t, const std::vector<std::string>&) {
                       return std::make_unique<EntryBlock>(v("effects.entry"));
                     }})

// A type whose effect names no multiplier column: the scenario reader must say so at the block.
iv::Schema misnamed_schema() {
  iv::Schema s;
  s.type = "test_misnamed_effect";
  s.description = "Test type with an effect that is no column";
  s.effects = {iv::real("entry_hazard", 0.5, 0, 10, "hazard ratio", "assumption", "Misnamed")};
  return s;
}

DRIFT_REGISTER_INTERVENTION(
    test_misnamed_effect,
    InterventionType{"test_misnamed_effect", "Test type", misnamed_schema(),
                     [](const iv::Values& v, std::uint32_t, const std::vector<std::string>&) {
                       return std::make_unique<EntryBlock>(v("effects.entry_hazard"));
                     }})

std::string write_scenario(const std::string& name, const std::string& strategies) {
  const auto path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream out(path, std::ios::trunc);
  out << "name: new_type\n"
         "simulation: {weeks: 52, replicates: 2, burn_in_weeks: 52}\n"
         "areas:\n  list:\n"
         "    - {name: North, youth_12_17: 1200, youth_18_26: 2500, low_income_share: 0.3, "
         "schools: 2}\n"
         "    - {name: South, youth_12_17: 800, youth_18_26: 1500, low_income_share: 0.1, "
         "schools: 1}\n"
      << strategies;
  return path;
}

TEST(NewInterventionType, RegisteredFromATestBinaryRunsThroughTheLoaderAndRunner) {
  const auto path = write_scenario("drift_new_type.yaml",
                                   "strategies:\n"
                                   "  - name: baseline\n"
                                   "  - name: blocked\n"
                                   "    interventions:\n"
                                   "      - {type: test_entry_block, effects: {entry: 0}}\n");
  const auto scenario = load_scenario(path);
  ASSERT_EQ(scenario.strategies.size(), 2u);
  EXPECT_DOUBLE_EQ(scenario.strategies[1].interventions[0].values("effects.entry"), 0.0);
  const auto out = run_experiment(scenario, RunOptions{});
  const int entries = area_metric_index("entries");
  ASSERT_GE(entries, 0);
  double baseline_entries = 0, blocked_entries = 0, served = 0;
  for (int r = 0; r < 2; ++r) {
    const auto& base = out.strategies[0].replicates[r];
    const auto& blocked = out.strategies[1].replicates[r];
    for (int t = 0; t < base.weeks; ++t) {
      baseline_entries += base.total(entries, t);
      blocked_entries += blocked.total(entries, t);
    }
    served += blocked.interventions[2 * blocked.weeks];  // metric "served", week 0
  }
  // The baseline has entries; with the entry hazard at zero only relapses (not entries of the
  // at-risk) remain, so the new type visibly acted through the multiplier column.
  EXPECT_GT(baseline_entries, 0);
  EXPECT_LT(blocked_entries, baseline_entries);
  EXPECT_GT(served, 0);
  std::filesystem::remove(path);
}

TEST(NewInterventionType, AnEffectThatNamesNoColumnIsAnErrorAtTheBlock) {
  const auto path = write_scenario("drift_misnamed_effect.yaml",
                                   "strategies:\n"
                                   "  - name: baseline\n"
                                   "  - name: misnamed\n"
                                   "    interventions:\n"
                                   "      - type: test_misnamed_effect\n"
                                   "        effects: {entry_hazard: 0.5}\n");
  try {
    load_scenario(path);
    FAIL() << "a misnamed effect was accepted";
  } catch (const ScenarioError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u) << e.what();
    const auto& d = e.diagnostics()[0];
    EXPECT_EQ(d.file, path);
    EXPECT_EQ(d.line, 12);
    EXPECT_EQ(d.column, 18);
    EXPECT_EQ(d.key, "strategies[1].interventions[0].effects");
    EXPECT_NE(d.message.find("entry_hazard"), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("no hazard multiplier column"), std::string::npos) << d.message;
  }
  std::filesystem::remove(path);
}

TEST(InterventionStreams, AreKeyedByNameSoAnotherInterventionBeforeItShiftsNoDraw) {
  // Random targeting with scarce places: which youths mentors take in depends on their stream.
  const std::string mentors =
      "{type: mentors, name: %s, targeting: random, workers: 20, caseload: 3, "
      "eligibility: {states: [uninvolved, at_risk]}}";
  auto block = [&](const std::string& name) {
    std::string b = mentors;
    b.replace(b.find("%s"), 2, name);
    return b;
  };
  const auto path = write_scenario("drift_streams.yaml",
                                   "strategies:\n"
                                   "  - name: baseline\n"
                                   "  - name: alone\n"
                                   "    interventions:\n"
                                   "      - " +
                                       block("mentors") +
                                       "\n"
                                       "  - name: behind_another\n"
                                       "    interventions:\n"
                                       "      - {type: mentors, name: never, start_week: 5000}\n"
                                       "      - " +
                                       block("mentors") +
                                       "\n"
                                       "  - name: renamed\n"
                                       "    interventions:\n"
                                       "      - " +
                                       block("mentors_b") + "\n");
  const auto out = run_experiment(load_scenario(path), RunOptions{});
  const auto& alone = out.strategies[1].replicates[0];
  const auto& behind = out.strategies[2].replicates[0];
  const auto metrics = intervention_metrics().size();
  const auto weeks = static_cast<std::size_t>(alone.weeks);
  // The same intervention, first or second in its strategy: the same youths, week by week.
  const std::vector<double> alone_series(alone.interventions.begin(),
                                         alone.interventions.begin() + metrics * weeks);
  const std::vector<double> behind_series(behind.interventions.begin() + metrics * weeks,
                                          behind.interventions.begin() + 2 * metrics * weeks);
  EXPECT_EQ(alone_series, behind_series);
  EXPECT_EQ(alone.by_area, behind.by_area);
  // Another name is another stream: with random targeting other youths are served, and the
  // course differs in some replicate (a few served youths need not change a short run's counts).
  bool differs = false;
  for (std::size_t r = 0; r < out.strategies[1].replicates.size(); ++r) {
    differs = differs ||
              out.strategies[1].replicates[r].by_area != out.strategies[3].replicates[r].by_area;
  }
  EXPECT_TRUE(differs);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace drift
