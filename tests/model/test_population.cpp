// The population of a freshly built world: slots, ages, counts per area and traits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "drift/model/population.hpp"
#include "drift/model/world.hpp"
#include "drift/step/build_world.hpp"

namespace drift {
namespace {

// Three small districts. C has no school of its own; its counts sit exactly on .5 per year.
std::vector<AreaSpec> small_areas() {
  return {
      {"A", 100, 200, 0.1, 1},  // 16.67 -> 17 per young year, 22.2 -> 22 per adult year
      {"B", 151, 100, 0.3, 2},  // 25.17 -> 25, 11.1 -> 11
      {"C", 33, 40.5, 0.2, 0},  // 5.5 -> 6, 4.5 -> 5
  };
}

Parameters small_params(double scale = 1.0) {
  Parameters p;
  p.simulation.population_scale = scale;
  p.simulation.burn_in_weeks = 10;
  p.networks.count = 4;
  return p;
}

long long expected_per_year(const AreaSpec& a, int age, double scale) {
  return age < kAdultBandAge ? std::llround(scale * a.youth_12_17 / 6.0)
                             : std::llround(scale * a.youth_18_26 / 9.0);
}

bool present(const World& w, std::uint32_t i) {
  return w.pop.state[i] != State::vacant;
}

TEST(PopulationArrays, ResizeGivesVacantSlotsWithoutNetworkRecordOrSchool) {
  Population p;
  p.resize(5);
  EXPECT_EQ(p.size(), 5u);
  for (std::uint32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(p.state[i], State::vacant);
    EXPECT_EQ(p.network[i], kNoNetwork);
    EXPECT_EQ(p.last_arrest_week[i], kNever);
    EXPECT_EQ(p.school[i], kNoSchool);
    EXPECT_EQ(p.job[i], Job::none);
  }
  EXPECT_GT(p.bytes(), 5u * 30u);
}

TEST(PopulationArrays, StateNamesAndDealingStates) {
  EXPECT_EQ(state_name(State::uninvolved), "uninvolved");
  EXPECT_EQ(state_name(State::at_risk), "at_risk");
  EXPECT_EQ(state_name(State::runner), "runner");
  EXPECT_EQ(state_name(State::dealer), "dealer");
  EXPECT_EQ(state_name(State::detained), "detained");
  EXPECT_EQ(state_name(State::released), "released");
  EXPECT_EQ(state_name(State::desisted), "desisted");
  EXPECT_EQ(state_name(State::vacant), "vacant");
  for (int s = 0; s <= kStateCount; ++s) {
    const auto st = static_cast<State>(s);
    EXPECT_EQ(is_dealing(st), st == State::runner || st == State::dealer) << state_name(st);
  }
}

TEST(PopulationArrays, MultipliersAreOneAndHoldNoMemoryUntilWrittenAndResetToOne) {
  Multipliers m;
  m.resize(4);
  EXPECT_FALSE(m.any_written());
  EXPECT_EQ(m.size(), 4u);
  EXPECT_EQ(m.bytes(), 0u);
  for (const auto& c : kMultiplierColumns) {
    EXPECT_TRUE((m.*c.column).empty()) << c.name;
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(m.factor(c.column, i), 1.0f) << c.name;
  }
  EXPECT_FALSE(m.is_coached(1));
  m.write(&Multipliers::entry)[2] = 0.5f;
  m.mark_written(&Multipliers::attitude);
  m.attitude[0] = 3.0f;
  m.write_coached()[1] = 1;
  EXPECT_EQ(m.bytes(), 2 * 4 * sizeof(float) + 4);
  EXPECT_EQ(m.entry, (std::vector<float>{1.0f, 1.0f, 0.5f, 1.0f}));
  EXPECT_EQ(m.factor(&Multipliers::entry, 2), 0.5f);
  EXPECT_EQ(m.factor(&Multipliers::attitude, 0), 3.0f);
  EXPECT_TRUE(m.is_coached(1));
  EXPECT_TRUE(m.is_written(&Multipliers::entry));
  EXPECT_FALSE(m.is_written(&Multipliers::onset));
  EXPECT_EQ(m.if_written(&Multipliers::onset), nullptr);
  EXPECT_EQ(m.if_written(&Multipliers::entry), m.entry.data());
  m.reset();
  EXPECT_FALSE(m.any_written());
  EXPECT_EQ(m.factor(&Multipliers::entry, 2), 1.0f);
  EXPECT_FALSE(m.is_coached(1));
  // A column keeps its memory (all 1) for the next week's writes.
  EXPECT_EQ(m.entry[2], 1.0f);
  EXPECT_EQ(m.attitude[0], 1.0f);
  EXPECT_EQ(m.coached[1], 0);
  EXPECT_EQ(m.write(&Multipliers::entry)[2], 1.0f);
  // Resizing releases every column.
  m.resize(3);
  EXPECT_EQ(m.bytes(), 0u);
  EXPECT_FALSE(m.any_written());
}

// reset() refills the blocks of 64 slots touched through write_blocks()/touch_block(), and whole
// columns once anything was written through write(), which may write any slot.
TEST(PopulationArrays, ResetRefillsTheTouchedBlocksOrWholeColumnsAfterAPlainWrite) {
  Multipliers m;
  m.resize(200);  // four blocks, the last one short
  m.write_blocks(&Multipliers::entry)[70] = 0.5f;
  m.entry[199] = 0.25f;
  m.touch_block(64);
  m.touch_block(192);
  m.reset();
  for (float f : m.entry) ASSERT_EQ(f, 1.0f);
  m.write_blocks(&Multipliers::entry)[10] = 0.5f;
  m.write(&Multipliers::onset)[130] = 2.0f;
  m.reset();
  for (float f : m.entry) ASSERT_EQ(f, 1.0f);
  for (float f : m.onset) ASSERT_EQ(f, 1.0f);
}

TEST(PopulationArrays, EveryMultiplierColumnHasItsOwnWrittenBit) {
  Multipliers m;
  m.resize(2);
  std::uint32_t seen = 0;
  for (const auto& c : kMultiplierColumns) {
    const auto bit = multiplier_bit(c.column);
    EXPECT_NE(bit, 0u) << c.name;
    EXPECT_EQ(seen & bit, 0u) << c.name << " shares a bit";
    seen |= bit;
  }
  m.mark_all_written();
  for (const auto& c : kMultiplierColumns) EXPECT_TRUE(m.is_written(c.column)) << c.name;
}

class BuiltPopulation : public ::testing::TestWithParam<double> {};

TEST_P(BuiltPopulation, CountsPerAreaAndAgeMatchTheAreaData) {
  const double scale = GetParam();
  const auto areas = small_areas();
  const auto p = small_params(scale);
  const World w = build_world(p, areas, 0);
  std::map<std::pair<int, int>, long long> count;  // (area, age) -> youths
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (present(w, i)) ++count[{w.pop.area[i], w.pop.age[i]}];
  }
  for (int a = 0; a < static_cast<int>(areas.size()); ++a) {
    long long total = 0;
    for (int age = p.population.min_age; age <= p.population.max_age; ++age) {
      const auto want = expected_per_year(areas[a], age, scale);
      const auto it = count.find({a, age});
      EXPECT_EQ(it == count.end() ? 0 : it->second, want)
          << "area " << areas[a].name << " age " << age;
      total += want;
    }
    long long youths = 0;
    for (int s = 0; s < kStateCount; ++s) youths += w.tally(a, static_cast<Tally>(s));
    EXPECT_EQ(youths, total) << areas[a].name;
  }
}

INSTANTIATE_TEST_SUITE_P(Scales, BuiltPopulation, ::testing::Values(1.0, 0.5, 3.0));

TEST(BuiltPopulationCounts, HandComputedCountsForScaleOne) {
  // A: 17 per year at 12-17 and 22 per year at 18-27; C sits on .5 and rounds up.
  const World w = build_world(small_params(1.0), small_areas(), 0);
  auto at = [&](int area, int age) {
    int n = 0;
    for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
      n += present(w, i) && w.pop.area[i] == area && w.pop.age[i] == age;
    }
    return n;
  };
  EXPECT_EQ(at(0, 12), 17);
  EXPECT_EQ(at(0, 17), 17);
  EXPECT_EQ(at(0, 18), 22);
  EXPECT_EQ(at(0, 27), 22);
  EXPECT_EQ(at(1, 15), 25);
  EXPECT_EQ(at(1, 20), 11);
  EXPECT_EQ(at(2, 13), 6);
  EXPECT_EQ(at(2, 26), 5);
  // Slots: per cohort and area max(young, adult); one cohort per age (16) and one more.
  EXPECT_EQ(w.pop.size(), 17u * (22 + 25 + 6));
}

TEST(BuiltPopulationSlots, CohortsAreContiguousWithOneClassAndBlocksOfOneArea) {
  const auto p = small_params();
  const auto areas = small_areas();
  const World w = build_world(p, areas, 0);
  const int nareas = static_cast<int>(areas.size());
  ASSERT_EQ(w.cohorts(), p.population.max_age - p.population.min_age + 2);
  ASSERT_EQ(w.cohort_begin.front(), 0u);
  ASSERT_EQ(w.cohort_begin.back(), w.pop.size());
  for (int c = 0; c < w.cohorts(); ++c) {
    // One class: its youths were born within one school year, so their ages are A or A + 1,
    // and those of age A + 1 have had their birthday earlier in the school year.
    int youngest = 1000, oldest = -1;
    for (auto i = w.cohort_begin[c]; i < w.cohort_begin[c + 1]; ++i) {
      EXPECT_EQ(w.pop.cohort[i], c);
      if (!present(w, i)) continue;
      youngest = std::min<int>(youngest, w.pop.age[i]);
      oldest = std::max<int>(oldest, w.pop.age[i]);
    }
    if (oldest >= 0) {
      EXPECT_LE(oldest - youngest, 1) << "cohort " << c;
    }
    for (int a = 0; a < nareas; ++a) {
      const auto b = static_cast<std::size_t>(c) * nareas + a;
      ASSERT_LE(w.block_begin[b], w.block_begin[b + 1]);
      for (auto i = w.block_begin[b]; i < w.block_begin[b + 1]; ++i) {
        EXPECT_EQ(w.pop.area[i], a);
        // Present youths fill the front of their block (young below 18, adult from 18).
        if (!present(w, i)) continue;
        const auto rank = i - w.block_begin[b];
        const int age = w.pop.age[i];
        const auto size = age < kAdultBandAge ? w.block_young[b] : w.block_adult[b];
        EXPECT_LT(rank, size) << "slot " << i;
      }
    }
  }
}

TEST(BuiltPopulationStates, EveryPresentYouthStartsUninvolvedWithACleanRecord) {
  const World w = build_world(small_params(), small_areas(), 0);
  int present_youths = 0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (!present(w, i)) continue;
    ++present_youths;
    EXPECT_EQ(w.pop.state[i], State::uninvolved);
    EXPECT_EQ(w.pop.job[i], Job::none);
    EXPECT_EQ(w.pop.network[i], kNoNetwork);
    EXPECT_EQ(w.pop.last_arrest_week[i], kNever);
    EXPECT_EQ(w.pop.ever_dealt[i], 0);
    EXPECT_EQ(w.pop.countdown[i], 0);
    EXPECT_GT(w.pop.clock_a[i], 0.0f) << "onset clock";
    EXPECT_GT(w.pop.clock_job[i], 0.0f) << "job clock";
  }
  EXPECT_GT(present_youths, 0);
}

TEST(BuiltPopulationAges, AgesLieBetweenMinAndMaxAge) {
  auto p = small_params();
  p.population.min_age = 14;
  p.population.max_age = 22;
  const World w = build_world(p, small_areas(), 0);
  EXPECT_EQ(w.cohorts(), 10);
  std::vector<int> seen(64, 0);
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (!present(w, i)) continue;
    EXPECT_GE(w.pop.age[i], 14);
    EXPECT_LE(w.pop.age[i], 22);
    seen[w.pop.age[i]] = 1;
  }
  for (int age = 14; age <= 22; ++age) EXPECT_TRUE(seen[age]) << age;
}

TEST(BuiltPopulationAges, InconsistentAgeBoundsAreRejected) {
  auto p = small_params();
  p.population.min_age = 18;
  EXPECT_THROW(build_world(p, small_areas(), 0), std::invalid_argument);
  p = small_params();
  p.population.max_age = 17;
  EXPECT_THROW(build_world(p, small_areas(), 0), std::invalid_argument);
  EXPECT_THROW(build_world(small_params(), {}, 0), std::invalid_argument);
  EXPECT_THROW(build_world(small_params(), {{"X", 60, 90, 0.1, 0}}, 0), std::invalid_argument);
}

TEST(BuiltPopulationSchools, PupilsAttendASchoolAndSchoolLeaversDoNot) {
  const auto p = small_params();
  const World w = build_world(p, small_areas(), 0);
  ASSERT_EQ(w.schools.size(), 3u);  // A has 1, B 2, C none
  EXPECT_EQ(w.schools[0].area, 0);
  EXPECT_EQ(w.schools[1].area, 1);
  EXPECT_EQ(w.schools[2].area, 1);
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (!present(w, i)) continue;
    if (w.pop.age[i] < p.population.school_leaving_age) {
      ASSERT_NE(w.pop.school[i], kNoSchool) << "pupil " << i;
      EXPECT_LT(w.pop.school[i], w.schools.size());
      EXPECT_TRUE(w.at_school(i));
    } else {
      // Past school age: a youth who arrived at 18 never had a school; one who was in the city
      // from 12 keeps the school it attended.
      const auto b = static_cast<std::size_t>(w.pop.cohort[i]) * w.areas.size() + w.pop.area[i];
      const bool arrived_at_18 = i - w.block_begin[b] >= w.block_young[b];
      EXPECT_EQ(w.pop.school[i] == kNoSchool, arrived_at_18) << "school leaver " << i;
      EXPECT_FALSE(w.at_school(i));
    }
  }
}

TEST(BuiltPopulationSchools, ShareAtHomeDistrictSchoolFollowsCrossDistrictShare) {
  // Larger population: A has one of three schools, B two, C none.
  auto p = small_params(20.0);
  p.population.cross_district_school_share = 0.3;
  const auto areas = small_areas();
  const World w = build_world(p, areas, 0);
  std::vector<double> pupils(3, 0), home(3, 0);
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (!present(w, i) || w.pop.school[i] == kNoSchool) continue;
    const int a = w.pop.area[i];
    ++pupils[a];
    home[a] += w.schools[w.pop.school[i]].area == a;
  }
  // With own schools: stay home with 1 - cross, or pick any of the 3 schools uniformly.
  const double cross = p.population.cross_district_school_share;
  const double expected[] = {(1 - cross) + cross / 3.0, (1 - cross) + cross * 2.0 / 3.0, 0.0};
  for (int a = 0; a < 2; ++a) {
    const double share = home[a] / pupils[a];
    const double sd = std::sqrt(expected[a] * (1 - expected[a]) / pupils[a]);
    EXPECT_NEAR(share, expected[a], 4 * sd) << areas[a].name;
  }
  EXPECT_EQ(home[2], 0.0);  // C has no school: every pupil travels
  EXPECT_GT(pupils[2], 0.0);
}

TEST(BuiltPopulationTraits, LowIncomeShareFollowsTheAreaData) {
  const auto areas = small_areas();
  const World w = build_world(small_params(20.0), areas, 0);
  std::vector<double> n(3, 0), low(3, 0);
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (!present(w, i)) continue;
    ++n[w.pop.area[i]];
    low[w.pop.area[i]] += w.pop.low_income[i];
  }
  for (int a = 0; a < 3; ++a) {
    const double q = areas[a].low_income_share;
    EXPECT_NEAR(low[a] / n[a], q, 4 * std::sqrt(q * (1 - q) / n[a])) << areas[a].name;
  }
}

TEST(BuiltPopulationTraits, RiskAndAttachmentAreStandardNormal) {
  const World w = build_world(small_params(20.0), small_areas(), 0);
  double n = 0, r = 0, r2 = 0, s = 0, rs = 0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (!present(w, i)) continue;
    ++n;
    r += w.pop.risk[i];
    r2 += w.pop.risk[i] * w.pop.risk[i];
    s += w.pop.attachment[i];
    rs += w.pop.risk[i] * w.pop.attachment[i];
  }
  EXPECT_NEAR(r / n, 0.0, 4 / std::sqrt(n));
  EXPECT_NEAR(s / n, 0.0, 4 / std::sqrt(n));
  EXPECT_NEAR(r2 / n, 1.0, 4 * std::sqrt(2.0 / n));
  EXPECT_NEAR(rs / n, 0.0, 4 / std::sqrt(n));  // independent traits
}

TEST(BuiltPopulationTraits, AttitudeStartsAtTheLogisticBaseline) {
  const auto p = small_params();
  const World w = build_world(p, small_areas(), 0);
  const auto& n = p.normalisation;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (!present(w, i)) continue;
    double logit =
        n.baseline_logit + n.risk_logit * w.pop.risk[i] + n.deprivation_logit * w.pop.low_income[i];
    if (w.pop.age[i] < p.population.school_leaving_age)
      logit += n.attachment_logit * w.pop.attachment[i];
    const float want = static_cast<float>(1.0 / (1.0 + std::exp(-logit)));
    EXPECT_FLOAT_EQ(w.pop.baseline_attitude[i], want) << i;
    EXPECT_EQ(w.pop.attitude[i], w.pop.baseline_attitude[i]) << i;
    EXPECT_GT(w.pop.attitude[i], 0.0f);
    EXPECT_LT(w.pop.attitude[i], 1.0f);
  }
}

}  // namespace
}  // namespace drift
