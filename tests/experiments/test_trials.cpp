#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "drift/experiments/experiment.hpp"
#include "drift/experiments/result_file.hpp"
#include "drift/experiments/trial.hpp"
#include "drift/interventions/registry.hpp"
#include "drift/model/world.hpp"
#include "drift/results/results.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/step/build_world.hpp"
#include "drift/step/step.hpp"
#include "support/scenario_file.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;

// Two districts, small enough for fast runs.
const char* kBase = R"(name: trials
simulation: {weeks: 104, burn_in_weeks: 104, replicates: 4, seed: 11}
networks: {count: 6, youth_places: 15}
areas:
  list:
    - {name: North, youth_12_17: 900, youth_18_26: 1200, low_income_share: 0.3, schools: 2}
    - {name: South, youth_12_17: 700, youth_18_26: 1000, low_income_share: 0.1, schools: 1}
)";

// The scenario `base` followed by `rest`, in a temporary file.
class ScenarioFile : public test::ScenarioFile {
 public:
  explicit ScenarioFile(const std::string& rest, const char* base = kBase)
      : test::ScenarioFile(std::string(base) + rest) {}
};

// A mentors trial; `effects` and `trial` lines are spliced in.
std::string mentors_trial(const std::string& effects, const std::string& trial,
                          const std::string& capacity = "workers: 40\n        caseload: 5\n") {
  return "strategies:\n  - name: baseline\n  - name: mentors\n    interventions:\n"
         "      - type: mentors\n        " +
         capacity + "        ramp_up_weeks: 0\n        effects: " + effects + "\ntrial:\n" + trial;
}

const std::string kTrial = R"(  strategy: mentors
  intervention: mentors
  design: randomised
  treatment_share: 0.5
  enrolment_weeks: 52
  follow_up_weeks: 52
  outcome: entry
)";
const std::string kUnitEffects =
    "{entry: 1, progression: 1, desistance: 1, relapse: 1, attitude: 1}";

// Runs replicate `replicate` of the trial's strategy week by week, calling
// `each(world, log, trial)` after every step.
template <class Each>
std::vector<double> simulate(const Scenario& s, int replicate, int threads, Each&& each) {
  const auto spec = trial_spec(s);
  World w = build_world(s.params, s.areas, static_cast<std::uint32_t>(replicate));
  w.threads = threads;
  while (w.week < 0) step(w);
  std::vector<std::string> areas;
  for (const auto& a : s.areas) areas.push_back(a.name);
  InterventionList ivs;
  const auto& st = s.strategies[spec->strategy_index];
  for (std::size_t k = 0; k < st.interventions.size(); ++k) {
    const auto& iv = st.interventions[k];
    ivs.push_back(create_intervention(iv.type, iv.name, iv.values, areas));
  }
  TrialRun trial(*spec, ivs, w.pop.size());
  std::vector<InterventionWeek> log;
  for (int week = 0; week < s.params.simulation.weeks; ++week) {
    step(w, ivs, &log);
    trial.observe(w);
    each(w, log, trial);
  }
  return trial.counts();
}

TEST(Trial, ControlYouthsAreNeverTakenInAndUseNoPlaces) {
  // Few places: the list is long, so any control youth taking a place would show.
  ScenarioFile f(mentors_trial("{attitude: 0.5}", kTrial, "workers: 4\n        caseload: 5\n"));
  const auto s = f.load();
  int weeks_full = 0;
  simulate(s, 0, 1,
           [&](const World& w, const std::vector<InterventionWeek>& log, const TrialRun& trial) {
             std::size_t treated_alive = 0, served = 0;
             for (std::size_t i = 0; i < w.pop.size(); ++i) {
               const bool is_served = w.mult.factor(&Multipliers::attitude, i) != 1.0f;
               const auto id = static_cast<std::uint32_t>(i);
               if (trial.arm(id) == TrialRun::control) {
                 ASSERT_FALSE(is_served)
                     << "control youth " << i << " served in week " << w.week - 1;
               }
               if (trial.arm(id) == TrialRun::treatment && w.pop.state[i] != State::vacant)
                 ++treated_alive;
               served += is_served;
             }
             ASSERT_EQ(static_cast<double>(served), log[0].served);
             ASSERT_LE(log[0].served, log[0].capacity);
             if (w.week - 1 < 52) {
               // During enrolment every eligible youth has an arm before the intervention acts, so
               // the served and the waiting are all treated youths.
               ASSERT_LE(log[0].served + log[0].waiting, static_cast<double>(treated_alive));
             }
             weeks_full += log[0].served == log[0].capacity;
           });
  EXPECT_GT(weeks_full, 20);  // places were scarce: the check above had something to check
}

TEST(Trial, ArmSharesFollowTreatmentShare) {
  auto trial = kTrial;
  trial.replace(trial.find("0.5"), 3, "0.3");
  ScenarioFile f(mentors_trial(kUnitEffects, trial));
  const auto out = run_experiment(f.load(), RunOptions{});
  double treated = 0, control = 0;
  for (const auto& r : out.strategies[1].replicates) {
    ASSERT_EQ(r.trial.size(), 4u);
    treated += r.trial[0];
    control += r.trial[1];
  }
  EXPECT_TRUE(out.strategies[0].replicates[0].trial.empty());  // only the trial's strategy
  const double n = treated + control;
  ASSERT_GT(n, 500);
  const double sd = std::sqrt(n * 0.3 * 0.7);
  EXPECT_NEAR(treated, 0.3 * n, 4 * sd) << "treated " << treated << " of " << n;
}

TEST(Trial, AYouthIsRandomisedOnce) {
  ScenarioFile f(mentors_trial(kUnitEffects, kTrial));
  const auto s = f.load();
  std::vector<std::int32_t> seen;
  double randomisations = 0;
  const auto counts = simulate(
      s, 1, 1, [&](const World& w, const std::vector<InterventionWeek>&, const TrialRun& trial) {
        if (seen.empty()) seen.assign(w.pop.size(), kNever);
        for (std::size_t i = 0; i < w.pop.size(); ++i) {
          const auto now = trial.enrolled_week(static_cast<std::uint32_t>(i));
          if (now != kNever && seen[i] != kNever) {
            ASSERT_EQ(now, seen[i]) << "youth " << i << " randomised again";
          }
          if (now != kNever && seen[i] == kNever) {
            ++randomisations;
            ASSERT_LT(now, 52);
          }
          seen[i] = now;
        }
      });
  EXPECT_EQ(counts[0] + counts[1], randomisations);
  EXPECT_GT(randomisations, 100);
}

TEST(Trial, EventsOutsideTheFollowUpWindowDoNotCount) {
  ScenarioFile f(mentors_trial(kUnitEffects, kTrial));
  const auto s = f.load();
  auto spec = *trial_spec(s);
  spec.outcome = TrialOutcome::arrest;
  World w = build_world(s.params, s.areas, 0);
  std::vector<std::string> areas;
  for (const auto& a : s.areas) areas.push_back(a.name);
  auto make_list = [&] {
    InterventionList ivs;
    const auto& iv = s.strategies[spec.strategy_index].interventions[0];
    ivs.push_back(create_intervention(iv.type, iv.name, iv.values, areas));
    return ivs;
  };
  w.week = 30;  // observe() looks at week 29, the week just simulated
  auto ivs = make_list();
  spec.follow_up_weeks = 10;
  TrialRun run(spec, ivs, w.pop.size());
  // Youth 0: randomised at week 25, arrested at 29 (inside); youth 1: randomised at 10 (outside);
  // youth 2: control, randomised at 20, arrested at 29 (boundary: 29 - 20 = 9 < 10, inside);
  // youth 3: control, randomised at 19 (29 - 19 = 10, outside); youth 4 has no arm.
  const std::int32_t rand_week[] = {25, 10, 20, 19};
  const TrialRun::Arm arm[] = {TrialRun::treatment, TrialRun::treatment, TrialRun::control,
                               TrialRun::control};
  for (std::uint32_t k = 0; k < 4; ++k) run.enrol(k, arm[k], rand_week[k]);
  w.events.clear();
  for (std::uint32_t k = 0; k < 5; ++k) w.events.push_back({k, EventKind::arrested});
  run.observe(w);
  EXPECT_EQ(run.counts(), (std::vector<double>{2, 2, 1, 1}));
  // An event is counted once, even when it is seen again.
  w.events.push_back({0, EventKind::arrested});
  w.events.push_back({2, EventKind::arrested});
  run.observe(w);
  EXPECT_EQ(run.counts(), (std::vector<double>{2, 2, 1, 1}));
  // Entries are seen through the events of the state changes; other events do not count.
  spec.outcome = TrialOutcome::entry;
  auto ivs2 = make_list();
  TrialRun entries(spec, ivs2, w.pop.size());
  for (std::uint32_t k = 0; k < 4; ++k) entries.enrol(k, arm[k], rand_week[k]);
  w.events.clear();
  for (std::uint32_t k = 0; k < 4; ++k) w.events.push_back({k, EventKind::arrested});
  entries.observe(w);
  EXPECT_EQ(entries.counts(), (std::vector<double>{2, 2, 0, 0}));
  for (std::uint32_t k = 0; k < 4; ++k) w.events.push_back({k, EventKind::started_dealing});
  entries.observe(w);
  EXPECT_EQ(entries.counts(), (std::vector<double>{2, 2, 1, 1}));
  // A youth who leaves loses its arm: its newcomer's events do not count.
  w.week = 31;
  w.events.clear();
  w.events.push_back({0, EventKind::left});
  w.events.push_back({0, EventKind::entered});
  w.events.push_back({0, EventKind::started_dealing});
  entries.observe(w);
  EXPECT_EQ(entries.arm(0), TrialRun::none);
  EXPECT_EQ(entries.counts(), (std::vector<double>{2, 2, 1, 1}));
}

TEST(Trial, SameArmsForAnyThreadCount) {
  // Large enough (over 8192 slots) that the processes really split their work.
  const char* big = R"(name: trials_big
simulation: {weeks: 60, burn_in_weeks: 26, replicates: 1, seed: 5}
networks: {count: 10, youth_places: 20}
areas:
  list:
    - {name: North, youth_12_17: 4000, youth_18_26: 5000, low_income_share: 0.3, schools: 3}
    - {name: South, youth_12_17: 3000, youth_18_26: 4000, low_income_share: 0.1, schools: 2}
)";
  auto trial = kTrial;
  trial.replace(trial.find("follow_up_weeks: 52"), 19, "follow_up_weeks: 8");
  ScenarioFile f(mentors_trial("{entry: 0.5, relapse: 0.5}", trial), big);
  const auto s = f.load();
  std::vector<std::uint8_t> arms[2];
  std::vector<std::int32_t> weeks[2];
  std::vector<double> counts[2];
  const int threads[2] = {1, 3};
  for (int k = 0; k < 2; ++k) {
    counts[k] =
        simulate(s, 0, threads[k],
                 [&](const World& w, const std::vector<InterventionWeek>&, const TrialRun& t) {
                   arms[k].assign(w.pop.size(), 0);
                   weeks[k].assign(w.pop.size(), kNever);
                   for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
                     arms[k][i] = t.arm(i);
                     weeks[k][i] = t.enrolled_week(i);
                   }
                 });
  }
  EXPECT_TRUE(arms[0] == arms[1]);
  EXPECT_TRUE(weeks[0] == weeks[1]);
  EXPECT_EQ(counts[0], counts[1]);
  // And through the experiment runner, with replicates inside or across threads.
  RunOptions one, three;
  three.threads = 3;
  EXPECT_EQ(run_experiment(s, one).strategies[1].replicates[0].trial,
            run_experiment(s, three).strategies[1].replicates[0].trial);
}

TEST(Trial, NoEffectGivesAnIntervalAroundOne) {
  std::string base = kBase;
  base.replace(base.find("replicates: 4"), 13, "replicates: 16, population_scale: 3");
  ScenarioFile f(mentors_trial(kUnitEffects, kTrial), base.c_str());
  const auto s = f.load();
  RunOptions o;
  o.threads = 2;
  const auto summary = summarize_trial(s, run_experiment(s, o));
  ASSERT_TRUE(summary.has_value());
  double events = 0;
  for (const auto& r : summary->replicates) events += r.treated_events + r.control_events;
  ASSERT_GT(events, 1000) << "too few events for an informative interval";
  std::cout << "no effect: " << format_trial(*summary);
  EXPECT_LT(summary->relative_risk.lo, 1.0);
  EXPECT_GT(summary->relative_risk.hi, 1.0);
  EXPECT_LT(summary->pooled_relative_risk.lo, 1.0);
  EXPECT_GT(summary->pooled_relative_risk.hi, 1.0);
  // Informative: the interval excludes effects of a fifth either way.
  EXPECT_GT(summary->relative_risk.lo, 0.8);
  EXPECT_LT(summary->relative_risk.hi, 1.25);
}

TEST(Trial, StrongEffectGivesARelativeRiskClearlyBelowOne) {
  // Eight replicates: with half the market's places supply-driven, entries are fewer than with
  // every place fixed, and four replicates leave the interval of the mean log relative risk wide.
  std::string base = kBase;
  base.replace(base.find("replicates: 4"), 13, "replicates: 8");
  ScenarioFile f(mentors_trial("{entry: 0.1, relapse: 0.1, attitude: 1}", kTrial), base.c_str());
  const auto s = f.load();
  const auto summary = summarize_trial(s, run_experiment(s, RunOptions{}));
  ASSERT_TRUE(summary.has_value());
  std::cout << "strong effect: " << format_trial(*summary);
  EXPECT_LT(summary->relative_risk.hi, 0.7) << summary->relative_risk.mean;
  EXPECT_LT(summary->risk_difference.hi, 0.0);
}

// The paired design (the default): no design or treatment_share given.
const std::string kPairedTrial = R"(  strategy: mentors
  intervention: mentors
  enrolment_weeks: 52
  follow_up_weeks: 52
  outcome: entry
)";

TEST(PairedTrial, NoEffectGivesARelativeRiskIntervalContainingOne) {
  // Not a statistical test, so nothing to tune: with every effect multiplier 1 the intervention
  // changes no hazard, and every draw is keyed by (seed, replicate, stream, week, youth), so the
  // trial's run and the paired run are the same run. Each treated youth then has the outcome in
  // both or in neither: no discordant pair, relative risk exactly 1 in every replicate, and
  // an interval of zero width at 1. Any interference between the runs (a draw that depends on
  // the other youths' treatment, a youth followed in the wrong slot) breaks the equalities.
  ScenarioFile f(mentors_trial(kUnitEffects, kPairedTrial));
  const auto s = f.load();
  ASSERT_EQ(trial_spec(s)->design, TrialDesign::paired);
  ASSERT_EQ(trial_spec(s)->treatment_share, 1.0);
  const auto out = run_experiment(s, RunOptions{});
  double pairs = 0, events = 0;
  for (const auto& r : out.strategies[1].replicates) {
    ASSERT_EQ(r.trial.size(), 6u);
    EXPECT_EQ(r.trial[0], r.trial[1]);  // the same youths
    EXPECT_EQ(r.trial[2], r.trial[3]) << "outcomes differ without any effect";
    EXPECT_EQ(r.trial[4], r.trial[2]) << "a youth had the outcome in one run only";
    EXPECT_EQ(r.trial[5], 0) << "a treated youth was not found in the paired run";
    pairs += r.trial[0];
    events += r.trial[2];
  }
  ASSERT_GT(pairs, 500);  // the equalities above had something to compare
  ASSERT_GT(events, 20);
  const auto summary = *summarize_trial(s, out);
  std::cout << "no effect, paired: " << format_trial(summary);
  EXPECT_LE(summary.relative_risk.lo, 1.0);
  EXPECT_GE(summary.relative_risk.hi, 1.0);
  EXPECT_LE(summary.pooled_relative_risk.lo, 1.0);
  EXPECT_GE(summary.pooled_relative_risk.hi, 1.0);
}

TEST(PairedTrial, StrongEffectGivesAnIntervalBelowOne) {
  // Entry hazard cut to a tenth while served: served youths who would have entered mostly do
  // not, so the treated must have fewer entries than themselves without mentors.
  ScenarioFile f(mentors_trial("{entry: 0.1, relapse: 0.1, attitude: 1}", kPairedTrial));
  const auto s = f.load();
  const auto summary = *summarize_trial(s, run_experiment(s, RunOptions{}));
  std::cout << "strong effect, paired: " << format_trial(summary);
  EXPECT_LT(summary.relative_risk.hi, 1.0) << summary.relative_risk.mean;
  EXPECT_LT(summary.pooled_relative_risk.hi, 1.0);
  EXPECT_LT(summary.risk_difference.hi, 0.0);
  for (const auto& r : summary.replicates) EXPECT_EQ(r.unmatched, 0);
}

TEST(PairedTrial, TheTrialStrategyRunsAsWithoutATrial) {
  // With every eligible youth treated, nobody is kept from the intervention: the strategy's
  // record is the record of the same scenario without the trial section.
  ScenarioFile with_trial(mentors_trial("{entry: 0.5, relapse: 0.5}", kPairedTrial));
  auto text = mentors_trial("{entry: 0.5, relapse: 0.5}", kPairedTrial);
  ScenarioFile without(text.substr(0, text.find("trial:\n")));
  const auto a = run_experiment(with_trial.load(), RunOptions{});
  const auto b = run_experiment(without.load(), RunOptions{});
  for (std::size_t r = 0; r < a.strategies[1].replicates.size(); ++r) {
    EXPECT_TRUE(a.strategies[1].replicates[r].city == b.strategies[1].replicates[r].city);
    EXPECT_TRUE(a.strategies[1].replicates[r].interventions ==
                b.strategies[1].replicates[r].interventions);
  }
}

TEST(PairedTrial, ReproducibleForAnyThreadCount) {
  // Large enough (over 8192 slots) that the processes really split their work.
  const char* big = R"(name: trials_big
simulation: {weeks: 28, burn_in_weeks: 26, replicates: 2, seed: 5}
networks: {count: 10, youth_places: 20}
areas:
  list:
    - {name: North, youth_12_17: 4000, youth_18_26: 5000, low_income_share: 0.3, schools: 3}
    - {name: South, youth_12_17: 3000, youth_18_26: 4000, low_income_share: 0.1, schools: 2}
)";
  auto trial = kPairedTrial;
  trial.replace(trial.find("enrolment_weeks: 52"), 19, "enrolment_weeks: 20");
  trial.replace(trial.find("follow_up_weeks: 52"), 19, "follow_up_weeks: 8");
  ScenarioFile f(mentors_trial("{entry: 0.5, relapse: 0.5}", trial), big);
  const auto s = f.load();
  // One thread; three threads inside each run (2 replicates < 3 threads); two threads across
  // the replicates.
  RunOptions one, two, three;
  two.threads = 2;
  three.threads = 3;
  const auto first = run_experiment(s, one);
  double pairs = 0, events = 0;
  for (const auto& r : first.strategies[1].replicates) {
    pairs += r.trial.at(0);
    events += r.trial.at(2) + r.trial.at(3);
  }
  ASSERT_GT(pairs, 100);
  ASSERT_GT(events, 0);
  for (const auto* o : {&three, &two}) {
    const auto again = run_experiment(s, *o);
    for (std::size_t r = 0; r < 2; ++r) {
      EXPECT_EQ(again.strategies[1].replicates[r].trial, first.strategies[1].replicates[r].trial)
          << "threads " << o->threads << ", replicate " << r;
    }
  }
}

TEST(PairedTrial, FollowsTheSameYouthOverTheSameWindow) {
  ScenarioFile f(mentors_trial(kUnitEffects, kPairedTrial));
  const auto s = f.load();
  auto spec = *trial_spec(s);
  spec.outcome = TrialOutcome::arrest;
  spec.follow_up_weeks = 10;
  World w = build_world(s.params, s.areas, 0);
  std::vector<std::string> areas;
  for (const auto& a : s.areas) areas.push_back(a.name);
  auto make_list = [&] {
    InterventionList ivs;
    const auto& iv = s.strategies[spec.strategy_index].interventions[0];
    ivs.push_back(create_intervention(iv.type, iv.name, iv.values, areas));
    return ivs;
  };
  std::vector<std::uint32_t> y;  // three occupied slots
  for (std::uint32_t i = 0; y.size() < 3; ++i) {
    if (w.pop.state[i] != State::vacant) y.push_back(i);
  }
  // The trial's run: the three enrolled at week 5; youths 0 and 1 arrested at week 7.
  auto trial_list = make_list();
  TrialRun trial(spec, trial_list, w.pop.size());
  for (auto i : y) trial.enrol(i, TrialRun::treatment, 5);
  ASSERT_EQ(trial.enrolments().size(), 3u);
  w.week = 8;
  w.events = {{y[0], EventKind::arrested}, {y[1], EventKind::arrested}};
  trial.observe(w);
  // The paired run: youth 1's slot got a newcomer at week 3, so youth 1 has no pair.
  auto paired_list = make_list();
  PairedRun paired(trial, paired_list, w.pop.size());
  w.week = 4;
  w.events = {{y[1], EventKind::left}, {y[1], EventKind::entered}};
  paired.observe(w);
  w.events.clear();
  const auto none = paired_list[0]->apply(w, 5);  // the stand-in: starts the week's enrolments
  EXPECT_EQ(none.served, 0);
  EXPECT_EQ(none.capacity, 0);
  // Week 5: youth 0 arrested (inside its window), youth 1 too (not followed: another youth).
  w.week = 6;
  w.events = {{y[0], EventKind::arrested}, {y[1], EventKind::arrested}};
  paired.observe(w);
  // Week 15 = 5 + 10: youth 2's arrest falls outside the window.
  w.week = 16;
  w.events = {{y[2], EventKind::arrested}};
  paired.observe(w);
  // pairs, pairs, treated events, paired events, both, unmatched
  EXPECT_EQ(paired.counts(), (std::vector<double>{2, 2, 1, 1, 1, 1}));
}

TEST(PairedTrialResults, RoundTripThroughHdf5) {
  ScenarioFile f(mentors_trial("{entry: 0.5, relapse: 0.5}", kPairedTrial));
  const auto s = f.load();
  const auto out = run_experiment(s, RunOptions{});
  const auto path =
      (fs::temp_directory_path() / ("drift_paired_" + std::to_string(::getpid()) + ".h5")).string();
  write_results(path, s, out, {"test"});
  const auto back = read_trial(path);
  const auto expect = *summarize_trial(s, out);
  EXPECT_EQ(back.spec.design, TrialDesign::paired);
  EXPECT_EQ(back.spec.design_name, "paired");
  EXPECT_EQ(back.spec.treatment_share, 1.0);
  ASSERT_EQ(back.replicates.size(), 4u);
  for (std::size_t r = 0; r < 4; ++r) {
    EXPECT_EQ(back.replicates[r].treated, expect.replicates[r].treated);
    EXPECT_EQ(back.replicates[r].control_events, expect.replicates[r].control_events);
    EXPECT_EQ(back.replicates[r].both_events, expect.replicates[r].both_events);
    EXPECT_EQ(back.replicates[r].unmatched, expect.replicates[r].unmatched);
    EXPECT_EQ(back.replicates[r].relative_risk, expect.replicates[r].relative_risk);
  }
  EXPECT_EQ(back.relative_risk.lo, expect.relative_risk.lo);
  EXPECT_EQ(back.pooled_relative_risk.hi, expect.pooled_relative_risk.hi);
  ResultReader reader(path);
  EXPECT_EQ(reader.attribute("/trial", "design"), "paired");
  for (const char* d : {"both_events", "unmatched"}) {
    EXPECT_EQ(reader.dataset(std::string("/trial/") + d).shape, (std::vector<std::uint64_t>{4}));
  }
  EXPECT_NE(format_trial(back).find("design: paired"), std::string::npos);
  fs::remove(path);
}

struct BadTrial {
  const char* name;
  std::string trial;  // the trial section
  std::string at;     // text whose position the diagnostic must point at
  std::string key;
  std::string message;  // part of the message
};

class TrialValidation : public ::testing::TestWithParam<BadTrial> {};

TEST_P(TrialValidation, NamesFileLineColumnAndKey) {
  const auto& c = GetParam();
  ScenarioFile f(mentors_trial(kUnitEffects, c.trial));
  try {
    f.load();
    FAIL() << "expected a ScenarioError";
  } catch (const ScenarioError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u) << e.what();
    const auto& d = e.diagnostics()[0];
    const auto [line, column] = f.where(c.at);
    EXPECT_EQ(d.file, f.path());
    EXPECT_EQ(d.line, line) << d.format();
    EXPECT_EQ(d.column, column) << d.format();
    EXPECT_EQ(d.key, c.key) << d.format();
    EXPECT_NE(d.message.find(c.message), std::string::npos) << d.format();
    EXPECT_EQ(d.format().rfind(f.path() + ":" + std::to_string(line) + ":" +
                                   std::to_string(column) + ": key '" + c.key + "': ",
                               0),
              0u)
        << d.format();
  }
}

std::string with(const std::string& from, const std::string& to) {
  auto t = kTrial;
  t.replace(t.find(from), from.size(), to);
  return t;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, TrialValidation,
    ::testing::Values(BadTrial{"unknown_key", kTrial + "  folow_up_weeks: 3\n", "folow_up_weeks",
                               "trial.folow_up_weeks", "did you mean 'follow_up_weeks'?"},
                      BadTrial{"wrong_type", with("treatment_share: 0.5", "treatment_share: half"),
                               "half", "trial.treatment_share", "expected a number"},
                      BadTrial{"out_of_range", with("treatment_share: 0.5", "treatment_share: 1.5"),
                               "1.5", "trial.treatment_share", "out of range"},
                      BadTrial{"not_whole", with("enrolment_weeks: 52", "enrolment_weeks: 5.5"),
                               "5.5", "trial.enrolment_weeks", "whole number"},
                      BadTrial{"unknown_strategy", with("strategy: mentors", "strategy: mentorz"),
                               "mentorz", "trial.strategy", "did you mean 'mentors'?"},
                      BadTrial{"unknown_intervention",
                               with("intervention: mentors", "intervention: mentrs"), "mentrs",
                               "trial.intervention", "has no intervention named 'mentrs'"},
                      BadTrial{"unknown_outcome", with("outcome: entry", "outcome: arest"), "arest",
                               "trial.outcome", "did you mean 'arrest'?"},
                      BadTrial{"window_too_long",
                               with("follow_up_weeks: 52", "follow_up_weeks: 60"), "60",
                               "trial.follow_up_weeks", "exceeds the recorded weeks"},
                      BadTrial{"bad_interval",
                               kTrial + "  published: {relative_risk: 0.3, interval: [0.5, 0.2]}\n",
                               "[0.5", "trial.published.interval", "above high"},
                      BadTrial{"unknown_design", with("design: randomised", "design: pairs"),
                               "pairs", "trial.design", "did you mean 'paired'?"},
                      BadTrial{"randomised_without_controls",
                               with("treatment_share: 0.5", "treatment_share: 1.0"), "1.0",
                               "trial.treatment_share", "without a control arm"},
                      BadTrial{"published_unknown_key",
                               kTrial + "  published:\n    relative_risc: 0.3\n", "relative_risc",
                               "trial.published.relative_risc", "did you mean 'relative_risk'?"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(TrialValidation, RejectsAnInterventionThatActsOnNetworks) {
  ScenarioFile f(R"(strategies:
  - name: enforcement
    interventions:
      - type: enforcement
trial: {strategy: enforcement, intervention: enforcement, outcome: arrest}
)");
  try {
    f.load();
    FAIL() << "expected a ScenarioError";
  } catch (const ScenarioError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u) << e.what();
    EXPECT_EQ(e.diagnostics()[0].key, "trial.intervention");
    EXPECT_NE(e.diagnostics()[0].message.find("individual youths"), std::string::npos);
  }
}

TEST(TrialValidation, ReportsMissingKeys) {
  ScenarioFile f(mentors_trial(kUnitEffects, "  strategy: mentors\n"));
  try {
    f.load();
    FAIL() << "expected a ScenarioError";
  } catch (const ScenarioError& e) {
    ASSERT_EQ(e.diagnostics().size(), 2u) << e.what();
    EXPECT_NE(e.diagnostics()[0].message.find("'intervention'"), std::string::npos);
    EXPECT_NE(e.diagnostics()[1].message.find("'outcome'"), std::string::npos);
  }
}

TEST(TrialSchema, DescribesTheSection) {
  const auto schema = scenario_json_schema();
  EXPECT_NE(schema.find("\"follow_up_weeks\""), std::string::npos);
  EXPECT_NE(schema.find("\"enum\": [\"entry\", \"arrest\", \"job\"]"), std::string::npos);
}

TEST(TrialResults, RoundTripThroughHdf5) {
  ScenarioFile f(mentors_trial("{entry: 0.5, relapse: 0.5}",
                               kTrial +
                                   "  published:\n    relative_risk: 0.31\n    outcome: felony "
                                   "reconviction\n    source: Lynch et al. 2018\n"));
  const auto s = f.load();
  const auto out = run_experiment(s, RunOptions{});
  const auto path =
      (fs::temp_directory_path() / ("drift_trial_" + std::to_string(::getpid()) + ".h5")).string();
  write_results(path, s, out, {"test"});
  ASSERT_TRUE(has_trial(path));
  const auto back = read_trial(path);
  const auto expect = *summarize_trial(s, out);
  EXPECT_EQ(back.spec.strategy, "mentors");
  EXPECT_EQ(back.spec.intervention, "mentors");
  EXPECT_EQ(back.spec.outcome_name, "entry");
  EXPECT_EQ(back.spec.follow_up_weeks, 52);
  EXPECT_EQ(back.spec.enrolment_weeks, 52);
  EXPECT_EQ(back.spec.treatment_share, 0.5);
  EXPECT_EQ(back.spec.design, TrialDesign::randomised);
  EXPECT_EQ(back.spec.design_name, "randomised");
  EXPECT_EQ(back.spec.published_relative_risk, 0.31);
  EXPECT_TRUE(std::isnan(back.spec.published_low));
  EXPECT_TRUE(std::isnan(back.spec.published_high));
  EXPECT_EQ(back.spec.published_outcome, "felony reconviction");
  EXPECT_EQ(back.spec.published_design, "");
  EXPECT_EQ(back.spec.published_source, "Lynch et al. 2018");
  ASSERT_EQ(back.replicates.size(), 4u);
  for (std::size_t r = 0; r < 4; ++r) {
    EXPECT_EQ(back.replicates[r].treated, expect.replicates[r].treated);
    EXPECT_EQ(back.replicates[r].control_events, expect.replicates[r].control_events);
    EXPECT_EQ(back.replicates[r].relative_risk, expect.replicates[r].relative_risk);
  }
  EXPECT_EQ(back.relative_risk.mean, expect.relative_risk.mean);
  EXPECT_EQ(back.relative_risk.lo, expect.relative_risk.lo);
  EXPECT_EQ(back.risk_difference.hi, expect.risk_difference.hi);
  EXPECT_EQ(back.pooled_relative_risk.lo, expect.pooled_relative_risk.lo);
  ResultReader reader(path);
  for (const char* d : {"treated", "control", "treated_events", "control_events", "relative_risk",
                        "risk_difference"}) {
    EXPECT_EQ(reader.dataset(std::string("/trial/") + d).shape, (std::vector<std::uint64_t>{4}));
  }
  const auto text = format_trial(back);
  EXPECT_NE(text.find("published relative risk  0.31"), std::string::npos) << text;
  fs::remove(path);
  // A file without a trial has no /trial group.
  ScenarioFile plain("");
  const auto ps = plain.load();
  write_results(path, ps, run_experiment(ps, RunOptions{}), {"test"});
  EXPECT_FALSE(has_trial(path));
  fs::remove(path);
}

TEST(TrialStatistics, RelativeRiskAndIntervals) {
  const auto r = trial_replicate({100, 100, 20, 40}, TrialDesign::randomised);
  EXPECT_DOUBLE_EQ(r.relative_risk, 0.5);
  EXPECT_DOUBLE_EQ(r.risk_difference, -0.2);
  // A zero cell: 0.5 added to events, 1 to each arm.
  const auto z = trial_replicate({100, 100, 0, 10}, TrialDesign::randomised);
  EXPECT_DOUBLE_EQ(z.relative_risk, (0.5 / 101) / (10.5 / 101));
  TrialSpec randomised;
  randomised.design = TrialDesign::randomised;
  // One replicate: the Katz interval.
  const auto one = summarize_trial(randomised, {{100, 100, 20, 40}});
  const double se = std::sqrt(1.0 / 20 - 1.0 / 100 + 1.0 / 40 - 1.0 / 100);
  EXPECT_NEAR(one.relative_risk.lo, 0.5 * std::exp(-1.959963985 * se), 1e-9);
  // Several: geometric mean.
  const auto two = summarize_trial(randomised, {{100, 100, 20, 40}, {100, 100, 40, 20}});
  EXPECT_NEAR(two.relative_risk.mean, 1.0, 1e-12);
  // Mantel-Haenszel: equal strata give the stratum's relative risk.
  const auto same = summarize_trial(randomised, {{100, 100, 20, 40}, {100, 100, 20, 40}});
  EXPECT_NEAR(same.pooled_relative_risk.mean, 0.5, 1e-12);
  EXPECT_LT(same.pooled_relative_risk.lo, 0.5);
  EXPECT_GT(same.pooled_relative_risk.hi, 0.5);
}

TEST(TrialStatistics, PairedRelativeRiskAndIntervals) {
  // 100 pairs; 20 events with the intervention, 40 without, 15 in both: 5 + 25 discordant pairs.
  const std::vector<double> c = {100, 100, 20, 40, 15, 3};
  const auto r = trial_replicate(c, TrialDesign::paired);
  EXPECT_DOUBLE_EQ(r.relative_risk, 0.5);
  EXPECT_DOUBLE_EQ(r.risk_difference, -0.2);
  EXPECT_EQ(r.both_events, 15);
  EXPECT_EQ(r.unmatched, 3);
  // The randomised design's counts are not a paired trial's.
  EXPECT_TRUE(std::isnan(trial_replicate({100, 100, 20, 40}, TrialDesign::paired).relative_risk));
  TrialSpec paired;  // the default design
  ASSERT_EQ(paired.design, TrialDesign::paired);
  // One replicate: var log RR = (n10 + n01) / (a b) = 30 / 800; var RD = (30 - 20^2 / 100) / 100^2.
  const auto one = summarize_trial(paired, {c});
  const double z = 1.959963985;
  EXPECT_NEAR(one.relative_risk.lo, 0.5 * std::exp(-z * std::sqrt(30.0 / 800)), 1e-9);
  EXPECT_NEAR(one.relative_risk.hi, 0.5 * std::exp(z * std::sqrt(30.0 / 800)), 1e-9);
  EXPECT_NEAR(one.risk_difference.lo, -0.2 - z * std::sqrt(26.0) / 100, 1e-9);
  // Narrower than the randomised interval of the same margins: concordant pairs carry no noise.
  TrialSpec randomised;
  randomised.design = TrialDesign::randomised;
  const auto unpaired = summarize_trial(randomised, {{100, 100, 20, 40}});
  EXPECT_GT(one.relative_risk.lo, unpaired.relative_risk.lo);
  // Pooled over pairs: the ratio of the totals, with the discordant pairs of all replicates.
  const auto two = summarize_trial(paired, {c, {50, 50, 10, 10, 10, 0}});
  EXPECT_NEAR(two.pooled_relative_risk.mean, 30.0 / 50, 1e-12);
  EXPECT_NEAR(two.pooled_relative_risk.lo, 0.6 * std::exp(-z * std::sqrt(30.0 / 1500)), 1e-9);
  // Identical runs (no discordant pair in any replicate): the interval is the point 1.
  const auto same = summarize_trial(paired, {{80, 80, 9, 9, 9, 0}, {70, 70, 12, 12, 12, 0}});
  EXPECT_EQ(same.relative_risk.mean, 1.0);
  EXPECT_EQ(same.relative_risk.lo, 1.0);
  EXPECT_EQ(same.relative_risk.hi, 1.0);
  EXPECT_EQ(same.pooled_relative_risk.lo, 1.0);
}

}  // namespace
}  // namespace drift
