#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "drift/experiments/experiment.hpp"
#include "drift/interventions/registry.hpp"
#include "drift/model/avx512.hpp"
#include "drift/model/world.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/step/build_world.hpp"
#include "drift/step/processes.hpp"
#include "drift/step/step.hpp"
#include "interventions/delivery.hpp"
#include "support/scenario_file.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;

// Two districts, small enough for fast runs, with networks that are not always full.
const char* kBase = R"(name: small
simulation: {weeks: 104, burn_in_weeks: 104, replicates: 4, seed: 7}
networks: {count: 6, youth_places: 15}
areas:
  list:
    - {name: North, youth_12_17: 700, youth_18_26: 1000, low_income_share: 0.3, schools: 2}
    - {name: South, youth_12_17: 500, youth_18_26: 800, low_income_share: 0.1, schools: 1}
)";

// kBase followed by `strategies`, in a temporary file (with `replicates` instead of kBase's 4).
class ScenarioFile : public test::ScenarioFile {
 public:
  explicit ScenarioFile(const std::string& strategies, int replicates = 4)
      : test::ScenarioFile(with_replicates(replicates) + strategies) {}

 private:
  static std::string with_replicates(int replicates) {
    std::string base = kBase;
    base.replace(base.find("replicates: 4"), 13, "replicates: " + std::to_string(replicates));
    return base;
  }
};

ExperimentOutput run(const std::string& strategies, int replicates = 4) {
  return run_experiment(ScenarioFile(strategies, replicates).load(), RunOptions{});
}

void expect_identical(const StrategyOutput& a, const StrategyOutput& b) {
  ASSERT_EQ(a.replicates.size(), b.replicates.size());
  for (std::size_t r = 0; r < a.replicates.size(); ++r) {
    EXPECT_TRUE(a.replicates[r].by_area == b.replicates[r].by_area) << "replicate " << r;
    EXPECT_TRUE(a.replicates[r].city == b.replicates[r].city) << "replicate " << r;
  }
}

// Sum of a metric over weeks and areas, per replicate.
std::vector<double> totals(const StrategyOutput& s, const std::string& metric) {
  const int m = area_metric_index(metric);
  std::vector<double> out;
  for (const auto& run : s.replicates) {
    double t = 0;
    for (int w = 0; w < run.weeks; ++w) t += run.total(m, w);
    out.push_back(t);
  }
  return out;
}

// Paired difference (strategy - baseline): mean and standard error over replicates.
std::pair<double, double> paired(const std::vector<double>& s, const std::vector<double>& b) {
  const double n = static_cast<double>(s.size());
  double mean = 0, ss = 0;
  for (std::size_t r = 0; r < s.size(); ++r) mean += (s[r] - b[r]) / n;
  for (std::size_t r = 0; r < s.size(); ++r) ss += std::pow(s[r] - b[r] - mean, 2);
  return {mean, std::sqrt(ss / (n - 1) / n)};
}

// A strong effect must move its outcome by more than 4 standard errors of the paired difference
// (with 4 replicates, t(3) at 0.995 is 5.8: we ask for the sign and a clear margin together;
// more replicates only make the criterion stricter).
void expect_moves(const ExperimentOutput& out, const std::string& metric, double sign) {
  const auto [mean, se] =
      paired(totals(out.strategies[1], metric), totals(out.strategies[0], metric));
  EXPECT_GT(sign * mean, 0) << metric;
  EXPECT_GT(sign * mean, 4 * se) << metric << " mean " << mean << " se " << se;
}

struct ZeroCase {
  const char* name;
  const char* block;
};

class ZeroEffectEqualsBaseline : public ::testing::TestWithParam<ZeroCase> {};

TEST_P(ZeroEffectEqualsBaseline, BitIdenticalToBaseline) {
  const auto out =
      run(std::string("strategies:\n  - name: baseline\n  - name: zero\n    interventions:\n") +
          GetParam().block);
  ASSERT_EQ(out.strategies.size(), 2u);
  expect_identical(out.strategies[0], out.strategies[1]);
}

INSTANTIATE_TEST_SUITE_P(
    EveryType, ZeroEffectEqualsBaseline,
    ::testing::Values(
        ZeroCase{"mentors_without_workers", "      - {type: mentors, workers: 0}\n"},
        ZeroCase{
            "mentors_with_unit_effects",
            "      - type: mentors\n        effects: {entry: 1, progression: 1, desistance: 1, "
            "relapse: 1, attitude: 1}\n"},
        ZeroCase{"job_coaches_without_workers", "      - {type: job_coaches, workers: 0}\n"},
        ZeroCase{"vog_relaxation_without_effect",
                 "      - type: vog_relaxation\n        effects: {vog_blocked: 1}\n"},
        ZeroCase{"area_approach_without_effect",
                 "      - {type: area_approach, network_capacity: 1, network_earnings: 1}\n"},
        ZeroCase{"enforcement_without_effect",
                 "      - type: enforcement\n        effects: {arrest: 1}\n"},
        ZeroCase{"prevention_without_coverage", "      - {type: prevention, coverage: 0}\n"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(StrongEffect, MentorsRaiseDesistance) {
  const auto out = run(R"(strategies:
  - name: baseline
  - name: strong
    interventions:
      - type: mentors
        workers: 100
        caseload: 10
        eligibility: {states: [runner, dealer], min_age: 12, max_age: 27}
        effects: {desistance: 8}
)");
  expect_moves(out, "desistances", +1);
}

TEST(StrongEffect, JobCoachesRaiseEmployment) {
  const auto out = run(R"(strategies:
  - name: baseline
  - name: strong
    interventions:
      - type: job_coaches
        workers: 100
        caseload: 10
        eligibility: {states: [detained, released, desisted], min_age: 16, max_age: 27}
        effects: {job_finding: 20}
)");
  expect_moves(out, "jobs_found", +1);
}

TEST(StrongEffect, VogRelaxationRaisesJobsFoundByYouthsWithARecord) {
  // Make the record barrier bite hard, so lifting it shows. Youths with a record are few (a
  // dismissal gives none, and half the market's places follow the supply of recruits), so the
  // paired difference needs 12 replicates to stand clear of its noise.
  const auto out =
      run(R"(labour: {vog_required_share: 0.9, vog_blocked_share: 1.0, record_job_hr: 1.0}
strategies:
  - name: baseline
  - name: strong
    interventions:
      - {type: vog_relaxation, clean_weeks: 0}
)",
          12);
  expect_moves(out, "jobs_found", +1);
}

TEST(StrongEffect, AreaApproachLowersDealing) {
  const auto out = run(R"(strategies:
  - name: baseline
  - name: strong
    interventions:
      - {type: area_approach, target_districts: [North, South], network_capacity: 0.3}
)");
  expect_moves(out, "dealing", -1);
}

TEST(StrongEffect, EnforcementRaisesArrests) {
  const auto out = run(R"(strategies:
  - name: baseline
  - name: strong
    interventions:
      - type: enforcement
        effects: {arrest: 4}
)");
  expect_moves(out, "arrests", +1);
}

TEST(StrongEffect, PreventionLowersTheNumberAtRisk) {
  const auto out = run(R"(strategies:
  - name: baseline
  - name: strong
    interventions:
      - type: prevention
        coverage: 1
        effects: {onset: 0.1, attitude: 0.5, entry: 0.5}
)");
  expect_moves(out, "at_risk", -1);
}

// A hand-built world: everyone uninvolved; we place runners by hand.
World small_world() {
  Parameters p;
  p.simulation.burn_in_weeks = 0;
  p.networks.count = 2;
  std::vector<AreaSpec> areas = {{"North", 120, 180, 0.2, 1}, {"South", 120, 180, 0.2, 1}};
  return build_world(p, areas, 0);
}

std::unique_ptr<Intervention> make(const std::string& yaml) {
  const auto spec = parse_intervention_block(yaml, "inline", {"North", "South"});
  return create_intervention(spec.type, spec.type, spec.values, {"North", "South"});
}

TEST(EnforcementTarget, RecruitersOnlyRaisesTheArrestHazardOfRecruiters) {
  World w = small_world();
  int recruiters = 0, others = 0;
  for (std::uint32_t i = 0; i < w.pop.size() && recruiters + others < 20; ++i) {
    if (w.pop.state[i] != State::uninvolved) continue;
    w.pop.state[i] = State::dealer;  // tallies are not used by this test
    if ((recruiters + others) % 2 == 0) {
      w.pop.market_role[i] = kRecruiter;
      ++recruiters;
    } else {
      ++others;
    }
  }
  w.pop.recount_present_blocks();  // the block counts set_state keeps, after writing states
  auto iv = make("{type: enforcement, target: recruiters, effects: {arrest: 3}}");
  w.mult.reset();
  iv->apply(w, 0);
  int raised = 0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (w.pop.state[i] != State::dealer) continue;
    const bool recruiter = (w.pop.market_role[i] & kRecruiter) != 0;
    EXPECT_EQ(w.mult.factor(&Multipliers::arrest, i), recruiter ? 3.0f : 1.0f) << i;
    raised += recruiter;
  }
  EXPECT_EQ(raised, recruiters);
}

TEST(EnforcementTarget, LeadersDisruptNetworksAndArrestNoYouth) {
  World w = small_world();
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (w.pop.state[i] == State::uninvolved) w.pop.state[i] = State::dealer;
  }
  w.pop.recount_present_blocks();  // the block counts set_state keeps, after writing states
  // Certain leader arrests: every network active in the districts is disrupted from week 0 for
  // 3 weeks, its places halved; then a new arrest can follow.
  auto iv = make(R"({type: enforcement, target: leaders, leader_arrest_hazard: 1,
                     leader_disruption: 0.5, leader_disruption_weeks: 3, effects: {arrest: 3}})");
  for (int week = 0; week < 3; ++week) {
    w.week = week;
    w.mult.reset();
    std::fill(w.networks.capacity_factor.begin(), w.networks.capacity_factor.end(), 1.0f);
    iv->apply(w, week);
    for (float f : w.networks.capacity_factor) EXPECT_EQ(f, 0.5f) << "week " << week;
  }
  for (std::uint32_t i = 0; i < w.pop.size(); ++i)
    EXPECT_EQ(w.mult.factor(&Multipliers::arrest, i), 1.0f) << i;
}

TEST(Targeting, HighestRiskTakesTheRiskiestEligibleYouthsOnly) {
  World w = small_world();
  std::vector<std::uint32_t> runners;
  int per_area[2] = {0, 0};
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (w.pop.state[i] != State::uninvolved || w.pop.age[i] < 14 || w.pop.age[i] > 23) continue;
    if (per_area[w.pop.area[i]]++ >= 8) continue;
    w.pop.state[i] = State::runner;  // tallies are not used by this test
    runners.push_back(i);
  }
  w.pop.recount_present_blocks();  // the block counts set_state keeps, after writing states
  auto iv = make(R"({type: mentors, workers: 1, caseload: 3, ramp_up_weeks: 0,
                     eligibility: {states: [runner], districts: [South]},
                     effects: {entry: 0.5}})");
  w.mult.reset();
  const auto log = iv->apply(w, 0);
  std::vector<std::uint32_t> eligible;
  for (auto i : runners) {
    if (w.pop.area[i] == 1) eligible.push_back(i);
  }
  ASSERT_GE(eligible.size(), 4u) << "the test needs more eligible than places";
  std::sort(eligible.begin(), eligible.end(),
            [&](auto a, auto b) { return w.pop.risk[a] > w.pop.risk[b]; });
  EXPECT_EQ(log.eligible, static_cast<double>(eligible.size()));
  EXPECT_EQ(log.enrolled, 3);
  EXPECT_EQ(log.served, 3);
  EXPECT_EQ(log.capacity, 3);
  EXPECT_EQ(log.waiting, static_cast<double>(eligible.size() - 3));
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    const bool chosen =
        std::find(eligible.begin(), eligible.begin() + 3, i) != eligible.begin() + 3;
    EXPECT_EQ(w.mult.factor(&Multipliers::entry, i), chosen ? 0.5f : 1.0f) << "youth " << i;
  }
}

TEST(Targeting, FirstComeServesTheLongestWaitingFirst) {
  World w = small_world();
  auto iv = make(R"({type: mentors, workers: 1, caseload: 1, ramp_up_weeks: 0, duration_weeks: 1,
                     targeting: first_come, eligibility: {states: [runner]}})");
  std::vector<std::uint32_t> order;
  for (std::uint32_t i = 0; i < w.pop.size() && order.size() < 3; ++i) {
    if (w.pop.state[i] == State::uninvolved && w.pop.age[i] >= 14 && w.pop.age[i] <= 23)
      order.push_back(i);
  }
  // Youths become eligible in weeks 0, 1 and 2, in reverse slot order.
  std::vector<std::uint32_t> served;
  for (int week = 0; week < 3; ++week) {
    w.pop.state[order[2 - week]] = State::runner;
    w.pop.recount_present_blocks();  // the block counts set_state keeps, after writing states
    w.mult.reset();
    iv->apply(w, week);
    for (auto i : order) {
      if (w.mult.factor(&Multipliers::entry, i) != 1.0f) served.push_back(i);
    }
  }
  // The place frees up each week (duration 1); a youth is served once, so the one served in
  // week 0 does not queue again.
  ASSERT_EQ(served.size(), 3u);
  EXPECT_EQ(served[0], order[2]);
  EXPECT_EQ(served[1], order[1]);
  EXPECT_EQ(served[2], order[0]);
}

TEST(Targeting, RandomTakesTheYouthsWithTheLowestDrawsOfTheWeek) {
  World w = small_world();
  std::vector<std::uint32_t> runners;
  for (std::uint32_t i = 0; i < w.pop.size() && runners.size() < 30; ++i) {
    if (w.pop.state[i] != State::uninvolved || w.pop.age[i] < 14 || w.pop.age[i] > 23) continue;
    w.pop.state[i] = State::runner;  // tallies are not used by this test
    runners.push_back(i);
  }
  w.pop.recount_present_blocks();  // the block counts set_state keeps, after writing states
  auto iv = make(R"({type: mentors, workers: 1, caseload: 4, ramp_up_weeks: 0, targeting: random,
                     eligibility: {states: [runner]}, effects: {entry: 0.5}})");
  const int week = 3;
  w.mult.reset();
  const auto log = iv->apply(w, week);
  // The draw of each waiting youth in the intervention's stream (keyed by its name) this week.
  const auto stream = static_cast<Stream>(static_cast<std::uint32_t>(Stream::intervention) +
                                          intervention_stream_key("mentors"));
  auto order = runners;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) {
    return w.rng.uniform(stream, week, a) < w.rng.uniform(stream, week, b);
  });
  EXPECT_EQ(log.eligible, 30);
  EXPECT_EQ(log.enrolled, 4);
  for (std::size_t k = 0; k < order.size(); ++k)
    EXPECT_EQ(w.mult.factor(&Multipliers::entry, order[k]), k < 4 ? 0.5f : 1.0f) << "rank " << k;
}

// The block scan of the interventions gives exactly the per-slot rule, for every kind of rule
// and a world with records, school leavers, vacant slots, every state, and blocks with no youth
// in the market or detention (which rules of those states only skip), on both kernels.
TEST(Eligibility, TheBlockScanMarksExactlyTheSlotsThatMatch) {
  World w = small_world();
  w.week = 300;
  const State states[] = {State::uninvolved, State::at_risk,  State::runner,  State::dealer,
                          State::detained,   State::released, State::desisted};
  const State unheld[] = {State::uninvolved, State::at_risk, State::desisted};
  ASSERT_GE(w.pop.size(), 256u);
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (w.pop.state[i] == State::vacant) continue;
    // Slots 64 to 191: two whole blocks without a runner, dealer, detained or released youth.
    w.pop.state[i] = i >= 64 && i < 192 ? unheld[i % 3] : states[i % 7];  // no tallies used
    if (i % 5 == 0) w.pop.last_arrest_week[i] = w.week - 60;              // current at any age
    if (i % 5 == 1) w.pop.last_arrest_week[i] = w.week - 150;             // current from 23 only
    if (i % 5 == 2) w.pop.last_arrest_week[i] = w.week - 500;             // spent
    if (i % 5 == 3) {
      // Spent this very week: the lookback of its age group has just passed.
      w.pop.last_arrest_week[i] =
          w.week - (w.pop.age[i] < 23 ? w.params.enforcement.record_lookback_weeks_young
                                      : w.params.enforcement.record_lookback_weeks);
    }
    // Risks at the float next to min_risk 0.1 (not a float) on either side.
    if (i % 11 == 0) w.pop.risk[i] = 0.1f;                                     // just above 0.1
    if (i % 11 == 1) w.pop.risk[i] = std::nextafter(0.1f, 0.0f);               // just below
    if (i % 13 == 2) w.pop.risk[i] = std::numeric_limits<float>::quiet_NaN();  // never below
  }
  w.pop.recount_present_blocks();  // the block counts set_state keeps, after writing states
  const char* rules[] = {
      "{type: mentors}",
      "{type: mentors, eligibility: {states: [runner, dealer], min_age: 15, max_age: 19}}",
      // Three runs of states with gaps between them, one of them at each end of the states.
      "{type: mentors, eligibility: {states: [uninvolved, dealer, detained, desisted]}}",
      "{type: mentors, eligibility: {districts: [South], min_risk: 0.5}}",
      "{type: mentors, eligibility: {min_risk: 0.1}}",
      "{type: job_coaches, eligibility: {record: with}}",
      "{type: job_coaches, eligibility: {record: without, school: not_at_school}}",
      "{type: prevention, eligibility: {school: at_school, districts: [North, South]}}",
      "{type: area_approach}",
      "{type: enforcement}",
  };
  for (const bool plain : {false, true}) {
#ifdef DRIFT_AVX512_KERNELS
    detail::plain_kernels_forced() = plain;
#endif
    const std::string kernels = plain ? " (plain kernels)" : " (the processor's kernels)";
    for (const char* rule : rules) {
      const auto spec = parse_intervention_block(rule, "inline", {"North", "South"});
      const iv::Eligibility e(spec.values, {"North", "South"});
      int matched = 0;
      for (std::int64_t b = 0; b < static_cast<std::int64_t>(w.pop.size()); b += 64) {
        const int len = static_cast<int>(std::min<std::int64_t>(64, w.pop.size() - b));
        std::uint8_t mark[64];
        const std::uint64_t bits = e.mark_block(w, b, len, mark);
        std::uint64_t expected_bits = 0;
        for (int k = 0; k < len; ++k) {
          const bool expected = e.matches(w, static_cast<std::uint32_t>(b + k));
          ASSERT_EQ(mark[k], expected ? 1 : 0) << rule << " slot " << b + k << kernels;
          expected_bits |= static_cast<std::uint64_t>(expected) << k;
          matched += expected;
        }
        EXPECT_EQ(bits, expected_bits) << rule << " block " << b << kernels;
      }
      EXPECT_GT(matched, 0) << rule;
    }
  }
#ifdef DRIFT_AVX512_KERNELS
  detail::plain_kernels_forced() = std::getenv("DRIFT_PLAIN_KERNELS") != nullptr;
#endif
}

TEST(Effects, OnlyTheColumnsAnInterventionChangesAreWritten) {
  World w = small_world();
  w.mult.reset();
  // The area approach has no effect on youths: no column written, so no process reads one.
  make("{type: area_approach, target_districts: [North]}")->apply(w, 0);
  EXPECT_EQ(w.mult.written, 0u);
  // A factor of exactly 1 changes nothing and writes nothing.
  make("{type: prevention, effects: {attitude: 1, onset: 0.8, entry: 1}}")->apply(w, 0);
  EXPECT_EQ(w.mult.written, multiplier_bit(&Multipliers::onset));
  bool lowered = false;
  for (float m : w.mult.onset) lowered = lowered || m == 0.8f;
  EXPECT_TRUE(lowered);
  // The columns it leaves alone hold no memory.
  EXPECT_TRUE(w.mult.entry.empty());
  EXPECT_EQ(w.mult.bytes(), w.pop.size() * sizeof(float));
  w.mult.reset();
  for (float m : w.mult.onset) ASSERT_EQ(m, 1.0f);
}

// Effects applied youth by youth (a caseload) and block by block (coverage) are undone by the
// next week's reset, which refills only the blocks they touched: no factor outlives its week.
TEST(Effects, TheWeeklyResetUndoesEveryFactorACaseloadOrACoverageWrote) {
  World w = small_world();
  w.mult.reset();
  const auto mentors = make(
      "{type: mentors, workers: 1000, caseload: 10, ramp_up_weeks: 0, "
      "eligibility: {states: [uninvolved, at_risk]}, effects: {entry: 0.5}}");
  const auto prevention = make(
      "{type: prevention, coverage: 1, eligibility: {states: [uninvolved, at_risk]}, "
      "effects: {entry: 0.25}}");
  for (const auto* intervention : {&mentors, &prevention}) {
    (*intervention)->apply(w, 0);
    ASSERT_TRUE(w.mult.is_written(&Multipliers::entry));
    int changed = 0;
    for (float m : w.mult.entry) changed += m != 1.0f;
    EXPECT_GT(changed, 0);
    w.mult.reset();
    for (std::size_t i = 0; i < w.mult.entry.size(); ++i)
      ASSERT_EQ(w.mult.entry[i], 1.0f) << "slot " << i;
  }
}

// Coverage types serve block by block; the youths served must be exactly those a youth-by-youth
// reading of the rules gives: eligible, in reach, and (area approach) in a target district.
TEST(CoverageDelivery, ServesExactlyTheEligibleYouthsInReachItsTypeAdmits) {
  World w = small_world();
  w.mult.reset();
  auto area = make("{type: area_approach, target_districts: [South]}");
  const auto log = area->apply(w, 0);
  const auto& service = dynamic_cast<const iv::YouthService&>(*area);
  double eligible = 0, in_south = 0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (!service.meets_eligibility(w, i, 0)) continue;
    eligible += 1;
    in_south += w.pop.area[i] == 1;
  }
  EXPECT_GT(in_south, 0);
  EXPECT_LT(in_south, eligible);
  EXPECT_EQ(log.eligible, eligible);
  EXPECT_EQ(log.served, in_south);

  w.mult.reset();
  auto prevention = make("{type: prevention, coverage: 0.5, effects: {attitude: 1, onset: 0.8}}");
  const auto reached = prevention->apply(w, 0);
  const auto& covered = dynamic_cast<const iv::YouthService&>(*prevention);
  double served = 0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    const bool in = covered.meets_eligibility(w, i, 0);
    served += in;
    ASSERT_EQ(w.mult.factor(&Multipliers::onset, i), in ? 0.8f : 1.0f) << "slot " << i;
  }
  EXPECT_GT(served, 0);
  EXPECT_EQ(reached.served, served);
}

TEST(JobCoaches, ADetainedYouthsCoachingTakesEffectFromReleaseForItsFullLength) {
  World w = small_world();
  // A hazard too small to find a job in these weeks, large enough to move the clock.
  w.params.labour.job_finding_hazard = 1e-4;
  std::uint32_t youth = 0;
  while (w.pop.state[youth] != State::uninvolved || w.pop.age[youth] < 20) ++youth;
  // Detained for 5 more weeks (tallies are not used by this test; the per-block counts that
  // enforcement reads to find the detained are, and are counted again after the direct write).
  w.pop.state[youth] = State::detained;
  w.pop.recount_present_blocks();
  w.pop.countdown[youth] = 5;
  auto iv = make(R"({type: job_coaches, workers: 1, caseload: 1, ramp_up_weeks: 0,
                     duration_weeks: 3, eligibility: {states: [detained, released]},
                     effects: {job_finding: 2}})");
  std::vector<int> coached, ticked;
  for (int week = 0; week < 12; ++week) {
    w.week = week;
    w.mult.reset();
    iv->apply(w, week);
    coached.push_back(w.mult.is_coached(youth));
    const float clock = w.pop.clock_job[youth];
    enforce(w);  // releases the youth at the end of its detention
    const bool out_before = w.pop.state[youth] != State::detained;
    const float after_release = w.pop.clock_job[youth];
    labour_market(w);
    ticked.push_back(w.pop.clock_job[youth] != after_release);
    if (!out_before) {
      EXPECT_EQ(w.pop.clock_job[youth], clock) << "week " << week;
    }
    ASSERT_EQ(w.pop.job[youth], Job::none);
  }
  // Weeks 0-4 detained (countdown 5 -> 0; released in the enforcement of week 4): the job clock
  // does not tick, and those weeks do not count towards the three weeks of coaching.
  for (int week = 0; week < 4; ++week) {
    EXPECT_EQ(coached[week], 1) << "served while detained, week " << week;
    EXPECT_EQ(ticked[week], 0) << "no job search in detention, week " << week;
  }
  // Released by the enforcement of week 4: its clock ticks from that week on. Week 4 began in
  // detention, so the three weeks of coaching that count are weeks 5, 6 and 7; none after.
  EXPECT_EQ(ticked[4], 1);
  EXPECT_EQ(coached[4], 1);
  EXPECT_EQ(coached[5], 1);
  EXPECT_EQ(coached[6], 1);
  EXPECT_EQ(coached[7], 1);
  for (int week = 8; week < 12; ++week) EXPECT_EQ(coached[week], 0) << "week " << week;
}

TEST(Delivery, CapacityIsNeverExceededAndCostsFollowTheFormula) {
  const auto out = run(R"(strategies:
  - name: baseline
  - name: mentored
    interventions:
      - type: mentors
        workers: 3
        caseload: 4
        ramp_up_weeks: 10
        start_week: 5
        end_week: 80
        eligibility: {states: [at_risk, runner, dealer, released], min_age: 12, max_age: 27}
        costs: {per_worker_week: 1000, per_enrolled_youth: 50, per_served_week: 7, per_week: 100, fixed: 5000}
)");
  const auto& s = out.strategies[1];
  const auto& metrics = intervention_metrics();
  auto idx = [&](const std::string& name) {
    for (std::size_t k = 0; k < metrics.size(); ++k) {
      if (metrics[k].name == name) return k;
    }
    return metrics.size();
  };
  double enrolled_total = 0;
  for (const auto& r : s.replicates) {
    EXPECT_EQ(r.fixed_cost, 5000);
    for (int week = 0; week < r.weeks; ++week) {
      auto get = [&](const std::string& m) { return r.interventions[idx(m) * r.weeks + week]; };
      const bool active = week >= 5 && week < 80;
      const double workers = active ? 3.0 * std::min(1.0, (week - 5 + 1) / 10.0) : 0.0;
      // floor(workers x caseload + o) with one offset o in (0, 1) for the whole run: the places
      // lie between floor and ceiling of workers x caseload, and never fall during the ramp-up.
      const double places = workers * 4;
      EXPECT_GE(get("capacity"), std::floor(places)) << "week " << week;
      EXPECT_LE(get("capacity"), std::ceil(places)) << "week " << week;
      if (active && week > 5) {
        EXPECT_GE(get("capacity"), r.interventions[idx("capacity") * r.weeks + week - 1])
            << "week " << week;
      }
      EXPECT_LE(get("served"), get("capacity")) << "week " << week;
      const double cost =
          workers * 1000 + get("enrolled") * 50 + get("served") * 7 + (active ? 100 : 0);
      EXPECT_NEAR(get("cost"), cost, 1e-9 * (1 + cost)) << "week " << week;
      if (!active) {
        EXPECT_EQ(get("served"), 0) << "week " << week;
      }
      enrolled_total += get("enrolled");
    }
  }
  EXPECT_GT(enrolled_total, 0);
}

TEST(Validation, BadInterventionBlocksNameLineAndKey) {
  ScenarioFile file(R"(strategies:
  - name: bad
    interventions:
      - type: mentors
        wrokers: 3
        effects: {entry: -1}
        eligibility: {districts: [Nort]}
)");
  try {
    file.load();
    FAIL() << "expected a ScenarioError";
  } catch (const ScenarioError& e) {
    const auto& d = e.diagnostics();
    auto find = [&](const std::string& key) -> const Diagnostic* {
      for (const auto& x : d) {
        if (x.key.ends_with(key)) return &x;
      }
      return nullptr;
    };
    const auto* typo = find("wrokers");
    ASSERT_NE(typo, nullptr) << e.what();
    EXPECT_EQ(typo->line, 12);
    EXPECT_NE(typo->message.find("did you mean 'workers'"), std::string::npos) << typo->message;
    const auto* range = find("effects.entry");
    ASSERT_NE(range, nullptr) << e.what();
    EXPECT_EQ(range->line, 13);
    EXPECT_NE(range->message.find("out of range"), std::string::npos);
    const auto* district = find("eligibility.districts[0]");
    ASSERT_NE(district, nullptr) << e.what();
    EXPECT_EQ(district->line, 14);
    EXPECT_NE(district->message.find("did you mean 'North'"), std::string::npos)
        << district->message;
  }
}

TEST(Registry, EveryTypeOfThe2021PlanIsRegisteredWithASchema) {
  for (const char* t :
       {"mentors", "job_coaches", "vog_relaxation", "area_approach", "enforcement", "prevention"}) {
    const auto* type = InterventionRegistry::find(t);
    ASSERT_NE(type, nullptr) << t;
    EXPECT_NE(iv::json_schema(type->schema).find(std::string("\"const\": \"") + t + "\""),
              std::string::npos);
  }
}

}  // namespace
}  // namespace drift
