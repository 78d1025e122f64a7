// The weekly processes, one group each, on small hand-built worlds with hand-checkable
// expectations. A constant weekly hazard h fires with probability 1 - exp(-h) in one week;
// shares are checked within 4 binomial standard deviations.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "drift/step/build_world.hpp"
#include "drift/step/processes.hpp"
#include "drift/step/step.hpp"
#include "step/fast_exp.hpp"
#include "step/lifecycle.hpp"

namespace drift {
namespace {

// The hazards are floats from the float exponential (sim/step/fast_exp.hpp): within a relative
// 2^-22 of e^x, plus at most 2^-24 times the exponent for each float rounding of its terms (a
// handful). A relative 1e-6 covers the exponents of these tests (up to about 3) with room.
constexpr double kHazardPrecision = 1e-6;
#define EXPECT_HAZARD(got, want) EXPECT_NEAR(got, want, kHazardPrecision* std::fabs(want))

// Two districts of 100 youths per year of age (12-17) and 100 per year from 18.
std::vector<AreaSpec> two_areas(double young = 600, double adult = 900) {
  return {{"North", young, adult, 0.2, 2}, {"South", young, adult, 0.3, 1}};
}

// Every process switched off and every covariate neutral; tests switch on what they check.
Parameters quiet_params(double scale = 1.0) {
  Parameters p;
  p.simulation.population_scale = scale;
  p.simulation.burn_in_weeks = 0;
  p.onset.onset_hazard = 0;
  p.onset.attitude_log_hr = 0;
  p.onset.risk_log_hr = 0;
  p.onset.deprivation_log_hr = 0;
  p.onset.recovery_hazard = 0;
  p.onset.recovery_attitude_log_hr = 0;
  p.recruitment.entry_hazard = 0;
  p.recruitment.attitude_log_hr = 0;
  p.recruitment.exposure_log_hr = 0;
  p.recruitment.risk_log_hr = 0;
  p.recruitment.deprivation_log_hr = 0;
  p.recruitment.no_prospects_log_hr = 0;
  p.careers.progression_hazard = 0;
  p.careers.desistance_hazard = 0;
  p.careers.desistance_age_log_hr = 0;
  p.enforcement.runner_arrest_hazard = 0;
  p.enforcement.dealer_arrest_hazard = 0;
  // Every arrest a detention, so that the enforcement tests see one path; the sanction tests
  // set the shares they check.
  p.sanctions.dismissal_share_minor = p.sanctions.settlement_share_minor = 0;
  p.sanctions.community_share_minor = 0;
  p.sanctions.dismissal_share_adult = p.sanctions.settlement_share_adult = 0;
  p.sanctions.community_share_adult = 0;
  p.relapse.released_hazard = 0;
  p.relapse.desisted_hazard = 0;
  p.relapse.age_log_hr = 0;
  p.labour.job_finding_hazard = 0;
  p.labour.job_loss_hazard = 0;
  p.labour.youth_job_finding_hazard = 0;
  p.labour.youth_job_loss_hazard = 0;
  p.networks.count = 4;
  p.networks.territory_districts = 2;
  p.networks.youth_places = 12;
  // Full replacement and no contact through recruiters (every at-risk youth has contact 1): the
  // vacancy-driven entry the tests below check; the market tests switch the rest on.
  p.market.replacement = 1;
  p.recruitment.walk_in = 1;
  p.recruitment.district_recruiter_weight = 0;
  p.recruitment.neighbourhood_recruiter_weight = 0;
  p.recruitment.school_recruiter_weight = 0;
  p.recruitment.friend_recruiter_weight = 0;
  return p;
}

bool present(const World& w, std::uint32_t i) {
  return w.pop.state[i] != State::vacant;
}

std::vector<std::uint32_t> youths(const World& w) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (present(w, i)) out.push_back(i);
  }
  return out;
}

std::size_t count_state(const World& w, State s) {
  return static_cast<std::size_t>(std::count(w.pop.state.begin(), w.pop.state.end(), s));
}

std::int64_t city_tally(const World& w, Tally t) {
  std::int64_t n = 0;
  for (int a = 0; a < static_cast<int>(w.areas.size()); ++a) n += w.tally(a, t);
  return n;
}

// Puts youth i into state s as the commit phases do (tallies, network, exposure, clocks).
// Dealing youths join an open network of their district; false when none is open.
bool put(World& w, std::uint32_t i, State s) {
  if (is_dealing(s)) {
    detail::set_state(w, i, State::at_risk);
    if (!detail::join_network(w, i)) return false;
    detail::set_state(w, i, State::runner);
    w.pop.ever_dealt[i] = 1;
  }
  detail::set_state(w, i, s);
  detail::draw_state_clocks(w, i);
  return true;
}

bool in_territory(const World& w, std::uint32_t i) {
  const auto n = static_cast<std::size_t>(w.pop.network[i]);
  const auto& nets = w.networks;
  for (auto k = nets.territory_begin[n]; k < nets.territory_begin[n + 1]; ++k) {
    if (nets.territory_areas[k] == w.pop.area[i]) return true;
  }
  return false;
}

// Recounts tallies, network membership and exposure counts from the arrays and ties.
::testing::AssertionResult consistent(const World& w) {
  const auto& p = w.pop;
  const int nareas = static_cast<int>(w.areas.size());
  std::vector<std::int64_t> stock(static_cast<std::size_t>(nareas) * kTallyCount, 0);
  std::vector<std::uint32_t> members(w.networks.count(), 0), dealers(w.networks.count(), 0);
  for (std::uint32_t i = 0; i < p.size(); ++i) {
    if (!present(w, i)) continue;
    auto* row = &stock[static_cast<std::size_t>(p.area[i]) * kTallyCount];
    ++row[static_cast<int>(p.state[i])];
    if (p.job[i] != Job::none) ++row[static_cast<int>(Tally::employed)];
    if (p.job[i] == Job::status) ++row[static_cast<int>(Tally::status_job)];
    if (p.last_arrest_week[i] != kNever) ++row[static_cast<int>(Tally::record)];
    if (is_dealing(p.state[i]) && p.network[i] != kNoNetwork) {
      ++members[p.network[i]];
      if (p.state[i] == State::dealer) ++dealers[p.network[i]];
    }
    if (!is_dealing(p.state[i]) && p.network[i] != kNoNetwork) {
      return ::testing::AssertionFailure() << "youth " << i << " left dealing but kept its network";
    }
  }
  for (int a = 0; a < nareas; ++a) {
    for (int t = 0; t < kFirstFlowTally; ++t) {
      const auto kept = w.tally(a, static_cast<Tally>(t));
      const auto recount = stock[static_cast<std::size_t>(a) * kTallyCount + t];
      if (kept != recount) {
        return ::testing::AssertionFailure()
               << "area " << a << " tally " << t << ": kept " << kept << ", recount " << recount;
      }
    }
  }
  for (std::size_t n = 0; n < w.networks.count(); ++n) {
    if (w.networks.members[n] != members[n] || w.networks.dealers[n] != dealers[n]) {
      return ::testing::AssertionFailure()
             << "network " << n << " members " << w.networks.members[n] << " vs " << members[n]
             << ", dealers " << w.networks.dealers[n] << " vs " << dealers[n];
    }
  }
  for (std::uint32_t i = 0; i < p.size(); ++i) {
    std::uint32_t nb = 0, sc = 0, fr = 0;
    for (auto j : w.ties.neighbourhood.row(i)) nb += is_dealing(p.state[j]);
    for (auto j : w.ties.school[p.cohort[i]].row(i)) sc += is_dealing(p.state[j]);
    for (auto j : w.ties.friendship[p.cohort[i]].row(i)) fr += is_dealing(p.state[j]);
    if (p.dealing_neighbours[i] != nb || p.dealing_schoolmates[i] != sc ||
        p.dealing_friends[i] != fr) {
      return ::testing::AssertionFailure()
             << "slot " << i << " exposure kept (" << p.dealing_neighbours[i] << ","
             << p.dealing_schoolmates[i] << "," << p.dealing_friends[i] << "), recount (" << nb
             << "," << sc << "," << fr << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

// |observed share - p| within 4 binomial SDs.
void expect_share(double hits, double n, double prob, const char* what) {
  ASSERT_GT(n, 0) << what;
  EXPECT_NEAR(hits / n, prob, 4 * std::sqrt(prob * (1 - prob) / n)) << what << " (n = " << n << ")";
}

// --- onset and recovery --------------------------------------------------------------------------

TEST(Onset, ShareBecomingAtRiskInOneWeekIsOneMinusExpOfTheHazard) {
  auto p = quiet_params(3.0);
  p.onset.onset_hazard = 0.05;
  World w = build_world(p, two_areas(), 0);
  const double n = static_cast<double>(count_state(w, State::uninvolved));
  onset_and_recovery(w);
  expect_share(count_state(w, State::at_risk), n, 1 - std::exp(-0.05), "onset");
  EXPECT_TRUE(consistent(w));
  // Those who moved drew the clocks of their new state.
  for (auto i : youths(w)) {
    if (w.pop.state[i] == State::at_risk) {
      ASSERT_GT(w.pop.clock_a[i], 0.0f);
      ASSERT_GT(w.pop.clock_b[i], 0.0f);
    }
  }
}

TEST(Onset, ClocksAccumulateSoTenWeeksGiveOneMinusExpOfTenHazards) {
  auto p = quiet_params(3.0);
  p.onset.onset_hazard = 0.05;
  World w = build_world(p, two_areas(), 0);
  const double n = static_cast<double>(count_state(w, State::uninvolved));
  for (int k = 0; k < 10; ++k) {
    onset_and_recovery(w);
    ++w.week;
  }
  expect_share(count_state(w, State::uninvolved), n, std::exp(-0.5), "still uninvolved");
}

TEST(Onset, NoHazardMeansNobodyMoves) {
  World w = build_world(quiet_params(), two_areas(), 0);
  const auto before = w.pop.state;
  for (int k = 0; k < 20; ++k) onset_and_recovery(w);
  EXPECT_EQ(w.pop.state, before);
}

TEST(Onset, HazardMultipliesAttitudeRiskDeprivationAndMultiplier) {
  auto p = quiet_params();
  p.onset.onset_hazard = 0.002;
  p.onset.attitude_log_hr = 4.0;
  p.onset.risk_log_hr = 0.5;
  p.onset.deprivation_log_hr = 0.4;
  World w = build_world(p, two_areas(), 0);
  const auto i = youths(w)[7];
  w.pop.attitude[i] = 0.25f;
  w.pop.risk[i] = -1.5f;
  w.pop.low_income[i] = 1;
  EXPECT_HAZARD(onset_hazard(w, i), 0.002 * std::exp(4.0 * 0.25 + 0.5 * -1.5 + 0.4));
  w.pop.low_income[i] = 0;
  EXPECT_HAZARD(onset_hazard(w, i), 0.002 * std::exp(4.0 * 0.25 + 0.5 * -1.5));
  w.mult.write(&Multipliers::onset)[i] = 0.5f;
  EXPECT_HAZARD(onset_hazard(w, i), 0.5 * 0.002 * std::exp(4.0 * 0.25 + 0.5 * -1.5));
}

TEST(Recovery, ShareReturningInOneWeekIsOneMinusExpOfTheHazard) {
  auto p = quiet_params(3.0);
  p.onset.recovery_hazard = 0.1;
  World w = build_world(p, two_areas(), 0);
  for (auto i : youths(w)) put(w, i, State::at_risk);
  const double n = static_cast<double>(count_state(w, State::at_risk));
  onset_and_recovery(w);
  expect_share(count_state(w, State::uninvolved), n, 1 - std::exp(-0.1), "recovery");
  EXPECT_TRUE(consistent(w));
}

TEST(Recovery, HazardFallsWithAttitude) {
  auto p = quiet_params();
  p.onset.recovery_hazard = 0.01;
  p.onset.recovery_attitude_log_hr = -2.0;
  World w = build_world(p, two_areas(), 0);
  const auto i = youths(w)[3];
  w.pop.attitude[i] = 0.5f;
  EXPECT_HAZARD(recovery_hazard(w, i), 0.01 * std::exp(-1.0));
}

// --- recruitment ---------------------------------------------------------------------------------

TEST(Recruitment, NobodyEntersWithoutNetworks) {
  auto p = quiet_params();
  p.networks.count = 0;
  p.recruitment.entry_hazard = 1.0;
  World w = build_world(p, two_areas(), 0);
  for (auto i : youths(w)) put(w, i, State::at_risk);
  for (int k = 0; k < 20; ++k) {
    begin_week(w);
    recruit(w);
    EXPECT_EQ(city_tally(w, Tally::entries), 0);
    ++w.week;
  }
  EXPECT_EQ(count_state(w, State::runner), 0u);
  for (float d : w.area_demand) EXPECT_EQ(d, 0.0f);
}

TEST(Recruitment, NobodyEntersWhenEveryPlaceIsTaken) {
  auto p = quiet_params();
  p.networks.count = 2;
  p.networks.youth_places = 3;
  p.recruitment.entry_hazard = 1.0;
  World w = build_world(p, two_areas(), 0);
  std::size_t dealing = 0;
  for (auto i : youths(w)) {
    if (put(w, i, State::runner)) {
      ++dealing;
    } else {
      put(w, i, State::at_risk);
    }
  }
  ASSERT_EQ(dealing, static_cast<std::size_t>(w.networks.places[0] + w.networks.places[1]));
  for (int k = 0; k < 20; ++k) {
    begin_week(w);
    recruit(w);
    EXPECT_EQ(city_tally(w, Tally::entries), 0);
    ++w.week;
  }
  EXPECT_EQ(count_state(w, State::runner), dealing);
  for (float d : w.area_demand) EXPECT_EQ(d, 0.0f);
}

TEST(Recruitment, RecruitsNeverExceedOpenPlacesAndJoinANetworkOfTheirDistrict) {
  auto p = quiet_params();
  p.networks.count = 3;
  p.networks.territory_districts = 1;
  p.networks.youth_places = 4;
  p.recruitment.entry_hazard = 1.0;
  World w = build_world(p, two_areas(), 0);
  // Two places of network 0 are taken already.
  auto all = youths(w);
  std::size_t k = 0;
  for (std::size_t taken = 0; taken < 2; ++k) {
    const auto i = all[k];
    if (w.pop.area[i] != w.networks.territory_areas[0]) continue;
    detail::set_state(w, i, State::at_risk);
    w.pop.network[i] = 0;
    ++w.networks.members[0];
    detail::set_state(w, i, State::runner);
    ++taken;
  }
  std::uint32_t open = 0;
  for (std::size_t n = 0; n < w.networks.count(); ++n) open += w.networks.open_places(n);
  ASSERT_GT(open, 0u);
  for (; k < all.size(); ++k) {
    if (w.pop.state[all[k]] == State::uninvolved) put(w, all[k], State::at_risk);
  }
  begin_week(w);
  recruit(w);
  // Thousands of candidates for a handful of places: every place fills, none overflows.
  EXPECT_EQ(city_tally(w, Tally::entries), static_cast<std::int64_t>(open));
  EXPECT_EQ(count_state(w, State::runner), open + 2u);
  for (std::size_t n = 0; n < w.networks.count(); ++n) {
    EXPECT_EQ(w.networks.members[n], w.networks.places[n]) << "network " << n;
    EXPECT_EQ(w.networks.open_places(n), 0u);
  }
  for (auto i : youths(w)) {
    if (w.pop.state[i] == State::runner) {
      ASSERT_NE(w.pop.network[i], kNoNetwork);
      EXPECT_TRUE(in_territory(w, i)) << "recruit " << i << " of area " << int(w.pop.area[i])
                                      << " joined network " << w.pop.network[i];
    } else {
      // Candidates left without a place wait on a fresh clock.
      EXPECT_GT(w.pop.clock_a[i], 0.0f) << i;
    }
  }
  EXPECT_TRUE(consistent(w));
}

TEST(Recruitment, ShareEnteringWithEveryPlaceOpenIsOneMinusExpOfTheHazard) {
  auto p = quiet_params(3.0);
  p.networks.youth_places = 5000;  // never short of places
  p.recruitment.entry_hazard = 0.05;
  World w = build_world(p, two_areas(), 0);
  for (auto i : youths(w)) put(w, i, State::at_risk);
  const double n = static_cast<double>(count_state(w, State::at_risk));
  begin_week(w);
  recruit(w);
  for (float d : w.area_demand) EXPECT_FLOAT_EQ(d, 1.0f);
  const double recruits = static_cast<double>(count_state(w, State::runner));
  expect_share(recruits, n, 1 - std::exp(-0.05), "entry");
  EXPECT_EQ(city_tally(w, Tally::entries), recruits);
  EXPECT_EQ(city_tally(w, Tally::new_entries), recruits);
  EXPECT_TRUE(consistent(w));
}

TEST(Recruitment, NewEntriesCountOnlyFirstEntries) {
  auto p = quiet_params();
  p.networks.youth_places = 5000;
  p.recruitment.entry_hazard = 0.5;
  World w = build_world(p, two_areas(), 0);
  const auto all = youths(w);
  std::vector<std::uint8_t> dealt_before(w.pop.size(), 0);
  for (std::size_t k = 0; k < all.size(); ++k) {
    put(w, all[k], State::at_risk);
    if (k % 2 == 0) w.pop.ever_dealt[all[k]] = dealt_before[all[k]] = 1;
  }
  begin_week(w);
  recruit(w);
  std::int64_t first = 0, again = 0;
  for (auto i : all) {
    if (w.pop.state[i] != State::runner) continue;
    EXPECT_EQ(w.pop.ever_dealt[i], 1);
    (dealt_before[i] ? again : first) += 1;
  }
  ASSERT_GT(first, 0);
  ASSERT_GT(again, 0);
  EXPECT_EQ(city_tally(w, Tally::new_entries), first);
  EXPECT_EQ(city_tally(w, Tally::entries), first + again);
  EXPECT_EQ(city_tally(w, Tally::relapses), 0);
}

TEST(Recruitment, AreaDemandIsTheOpenShareOfLocalPlaces) {
  auto p = quiet_params();
  p.networks.count = 1;
  p.networks.territory_districts = 1;
  p.networks.youth_places = 4;
  World w = build_world(p, two_areas(), 0);
  const int home = w.networks.territory_areas[0];
  update_area_demand(w);
  EXPECT_FLOAT_EQ(w.area_demand[home], 1.0f);
  EXPECT_FLOAT_EQ(w.area_demand[1 - home], 0.0f);  // no network there
  w.networks.members[0] = 1;
  update_area_demand(w);
  EXPECT_FLOAT_EQ(w.area_demand[home], 0.75f);
  w.networks.capacity_factor[0] = 0.5f;  // 2 places, 1 taken
  update_area_demand(w);
  EXPECT_FLOAT_EQ(w.area_demand[home], 0.5f);
}

TEST(Recruitment, EntryHazardFollowsDemandCovariatesAndCappedExposure) {
  auto p = quiet_params();
  auto& r = p.recruitment;
  r.entry_hazard = 0.004;
  r.attitude_log_hr = 2.0;
  r.exposure_log_hr = 0.593;
  r.exposure_cap = 2.0;
  r.risk_log_hr = 0.678;
  r.deprivation_log_hr = 0.3;
  r.no_prospects_log_hr = 0.262;
  p.ties.friend_weight = 1.0;
  p.ties.neighbourhood_weight = 0.3;
  p.ties.school_weight = 0.6;
  World w = build_world(p, two_areas(), 0);
  std::uint32_t adult = 0;
  for (auto i : youths(w)) {
    if (w.pop.age[i] == 20) adult = i;
  }
  ASSERT_NE(adult, 0u);
  const auto i = adult;
  w.area_demand[w.pop.area[i]] = 0.5f;
  w.pop.attitude[i] = 0.5f;
  w.pop.risk[i] = 1.0f;
  w.pop.low_income[i] = 1;
  w.pop.dealing_friends[i] = 1;
  w.pop.dealing_neighbours[i] = 1;   // exposure 1.3, under the cap
  w.pop.dealing_schoolmates[i] = 2;  // former schoolmates: not counted after school
  const double base = 0.004 * 0.5 * std::exp(2.0 * 0.5 + 0.678 + 0.3 + 0.262);
  EXPECT_HAZARD(entry_hazard(w, i), base * std::exp(0.593 * 1.3));
  // A pupil's schoolmates count (school_weight 0.6 each); pupils have no "no prospects" term.
  std::uint32_t pupil = 0;
  for (auto j : youths(w)) {
    if (w.pop.age[j] == 14) pupil = j;
  }
  ASSERT_NE(pupil, 0u);
  w.area_demand[w.pop.area[pupil]] = 0.5f;
  w.pop.attitude[pupil] = 0.5f;
  w.pop.risk[pupil] = 1.0f;
  w.pop.low_income[pupil] = 1;
  w.pop.dealing_neighbours[pupil] = 1;
  w.pop.dealing_schoolmates[pupil] = 1;  // exposure 0.3 + 0.6
  EXPECT_HAZARD(entry_hazard(w, pupil),
                0.004 * 0.5 * std::exp(2.0 * 0.5 + 0.678 + 0.3 + 0.593 * 0.9));
  w.pop.dealing_friends[i] = 4;  // exposure 4.3, capped at 2
  EXPECT_HAZARD(entry_hazard(w, i), base * std::exp(0.593 * 2.0));
  detail::set_job(w, i, Job::ordinary);  // prospects: no unemployment term
  EXPECT_HAZARD(entry_hazard(w, i), base / std::exp(0.262) * std::exp(0.593 * 2.0));
  w.area_demand[w.pop.area[i]] = 0.0f;
  EXPECT_EQ(entry_hazard(w, i), 0.0);
}

// --- careers -------------------------------------------------------------------------------------

TEST(Careers, ShareOfRunnersProgressingInOneWeekIsOneMinusExpOfTheHazard) {
  auto p = quiet_params(2.0);
  p.networks.youth_places = 5000;
  p.careers.progression_hazard = 1.0;
  World w = build_world(p, two_areas(), 0);
  for (auto i : youths(w)) ASSERT_TRUE(put(w, i, State::runner));
  const double n = static_cast<double>(count_state(w, State::runner));
  advance_careers(w);
  expect_share(count_state(w, State::dealer), n, 1 - std::exp(-1.0), "progression");
  EXPECT_EQ(count_state(w, State::dealer) + count_state(w, State::runner), n);
  EXPECT_TRUE(consistent(w));  // network dealer counts follow
}

TEST(Careers, DesistanceMovesToDesistedAndFreesTheNetworkPlace) {
  auto p = quiet_params(2.0);
  p.networks.youth_places = 5000;
  p.careers.desistance_hazard = 0.1;
  World w = build_world(p, two_areas(), 0);
  const auto all = youths(w);
  for (std::size_t k = 0; k < all.size(); ++k) {
    ASSERT_TRUE(put(w, all[k], k % 3 == 0 ? State::dealer : State::runner));
  }
  std::uint32_t open_before = 0;
  for (std::size_t n = 0; n < w.networks.count(); ++n) open_before += w.networks.open_places(n);
  begin_week(w);
  advance_careers(w);
  const auto desisted = count_state(w, State::desisted);
  expect_share(desisted, all.size(), 1 - std::exp(-0.1), "desistance");
  EXPECT_EQ(city_tally(w, Tally::desistances), static_cast<std::int64_t>(desisted));
  std::uint32_t open_after = 0;
  for (std::size_t n = 0; n < w.networks.count(); ++n) open_after += w.networks.open_places(n);
  EXPECT_EQ(open_after, open_before + desisted);
  for (auto i : all) {
    if (w.pop.state[i] == State::desisted) {
      EXPECT_EQ(w.pop.network[i], kNoNetwork);
      EXPECT_GT(w.pop.clock_a[i], 0.0f) << "relapse clock";
    }
  }
  EXPECT_TRUE(consistent(w));
}

TEST(Careers, DesistanceComesFirstWhenBothClocksFire) {
  auto p = quiet_params();
  p.careers.progression_hazard = 0.01;
  p.careers.desistance_hazard = 0.01;
  World w = build_world(p, two_areas(), 0);
  const auto i = youths(w)[10];
  ASSERT_TRUE(put(w, i, State::runner));
  w.pop.clock_a[i] = 0.0f;
  w.pop.clock_b[i] = 0.0f;
  advance_careers(w);
  EXPECT_EQ(w.pop.state[i], State::desisted);
  EXPECT_TRUE(consistent(w));
}

TEST(Careers, DesistanceHazardFollowsAgeAndJob) {
  auto p = quiet_params();
  p.careers.desistance_hazard = 0.004;
  p.careers.desistance_age_log_hr = 0.08;
  p.careers.job_desistance_hr = 1.5;
  p.careers.status_job_desistance_hr = 2.5;
  World w = build_world(p, two_areas(), 0);
  std::uint32_t i = 0;
  for (auto j : youths(w)) {
    if (w.pop.age[j] == 21) i = j;
  }
  ASSERT_NE(i, 0u);
  EXPECT_NEAR(desistance_hazard(w, i), 0.004 * std::exp(0.08 * 3), 1e-12);
  detail::set_job(w, i, Job::ordinary);
  EXPECT_NEAR(desistance_hazard(w, i), 1.5 * 0.004 * std::exp(0.08 * 3), 1e-12);
  detail::set_job(w, i, Job::status);
  EXPECT_NEAR(desistance_hazard(w, i), 2.5 * 0.004 * std::exp(0.08 * 3), 1e-12);
  w.pop.age[i] = 15;
  EXPECT_NEAR(desistance_hazard(w, i), 2.5 * 0.004 * std::exp(-0.08 * 3), 1e-12);
}

TEST(Careers, RevenueCountsRunnersAndDealersAtTheirEarnings) {
  auto p = quiet_params();
  p.networks.youth_places = 5000;
  p.networks.runner_earnings = 150;
  p.networks.dealer_earnings = 600;
  World w = build_world(p, two_areas(), 0);
  const auto all = youths(w);
  for (int k = 0; k < 30; ++k) ASSERT_TRUE(put(w, all[k], k < 10 ? State::dealer : State::runner));
  w.networks.earnings_factor[0] = 0.5f;
  tally_revenue(w);
  double total = 0;
  for (std::size_t n = 0; n < w.networks.count(); ++n) {
    const double runners = w.networks.members[n] - w.networks.dealers[n];
    const double want = (150 * runners + 600 * w.networks.dealers[n]) * (n == 0 ? 0.5 : 1.0);
    EXPECT_DOUBLE_EQ(w.networks.revenue_week[n], want);
    total += w.networks.members[n];
  }
  EXPECT_EQ(total, 30);
}

// --- enforcement ---------------------------------------------------------------------------------

TEST(Enforcement, ArrestDetainsWithARecordTakesTheJobAndLeavesTheNetwork) {
  auto p = quiet_params();
  p.networks.youth_places = 5000;
  // Tiny hazards: only the youths whose arrest clock is run down to 0 are arrested.
  p.enforcement.runner_arrest_hazard = 1e-9;
  p.enforcement.dealer_arrest_hazard = 1e-9;
  World w = build_world(p, two_areas(), 0);
  w.week = 37;
  const auto all = youths(w);
  std::vector<std::uint32_t> dealing, arrested;
  for (std::size_t k = 0; k < 200; ++k) {
    const auto i = all[k * 10];
    ASSERT_TRUE(put(w, i, k % 2 ? State::dealer : State::runner));
    detail::set_job(w, i, k % 4 < 2 ? Job::ordinary : Job::status);
    dealing.push_back(i);
    if (k % 5 == 0) {
      w.pop.clock_c[i] = 0.0f;
      arrested.push_back(i);
    }
  }
  ASSERT_TRUE(consistent(w));
  std::vector<std::uint32_t> members_before = w.networks.members;
  std::vector<std::int16_t> network_before = w.pop.network;
  begin_week(w);
  enforce(w);
  EXPECT_EQ(city_tally(w, Tally::arrests), static_cast<std::int64_t>(arrested.size()));
  EXPECT_EQ(city_tally(w, Tally::record), static_cast<std::int64_t>(arrested.size()));
  EXPECT_EQ(count_state(w, State::detained), arrested.size());
  for (auto i : arrested) {
    EXPECT_EQ(w.pop.state[i], State::detained);
    EXPECT_EQ(w.pop.last_arrest_week[i], 37);
    EXPECT_EQ(w.pop.job[i], Job::none);
    EXPECT_EQ(w.pop.network[i], kNoNetwork);
    EXPECT_GE(w.pop.countdown[i], 1);
    EXPECT_TRUE(w.has_current_record(i));
    --members_before[network_before[i]];
  }
  EXPECT_EQ(w.networks.members, members_before);
  EXPECT_EQ(city_tally(w, Tally::employed),
            static_cast<std::int64_t>(dealing.size() - arrested.size()));
  EXPECT_TRUE(consistent(w));
}

TEST(Enforcement, ShareOfDealersArrestedInOneWeekIsOneMinusExpOfTheHazard) {
  auto p = quiet_params(2.0);
  p.networks.youth_places = 5000;
  p.enforcement.runner_arrest_hazard = 0.01;
  p.enforcement.dealer_arrest_hazard = 0.08;
  World w = build_world(p, two_areas(), 0);
  const auto all = youths(w);
  for (std::size_t k = 0; k < all.size(); ++k)
    ASSERT_TRUE(put(w, all[k], k % 2 ? State::dealer : State::runner));
  const double dealers = static_cast<double>(count_state(w, State::dealer));
  const double runners = static_cast<double>(count_state(w, State::runner));
  enforce(w);
  double dealers_arrested = 0, runners_arrested = 0;
  for (std::size_t k = 0; k < all.size(); ++k) {
    if (w.pop.state[all[k]] == State::detained) (k % 2 ? dealers_arrested : runners_arrested) += 1;
  }
  expect_share(dealers_arrested, dealers, 1 - std::exp(-0.08), "dealer arrests");
  expect_share(runners_arrested, runners, 1 - std::exp(-0.01), "runner arrests");
}

TEST(Enforcement, DetentionLastsExactlyItsCountdownThenProbationStarts) {
  auto p = quiet_params();
  p.networks.youth_places = 5000;
  p.enforcement.runner_arrest_hazard = 1e-9;
  p.sanctions.detention_weeks_minor = 6;
  p.sanctions.detention_weeks_adult = 6;
  p.enforcement.probation_weeks = 1000;  // longer than any detention here
  World w = build_world(p, two_areas(), 0);
  const auto all = youths(w);
  std::vector<std::uint32_t> arrested;
  for (std::size_t k = 0; k < 40; ++k) {
    const auto i = all[k * 7];
    ASSERT_TRUE(put(w, i, State::runner));
    w.pop.clock_c[i] = 0.0f;
    arrested.push_back(i);
  }
  enforce(w);
  std::map<std::uint32_t, int> length;
  int longest = 0;
  for (auto i : arrested) {
    ASSERT_EQ(w.pop.state[i], State::detained);
    length[i] = w.pop.countdown[i];
    longest = std::max(longest, length[i]);
  }
  ASSERT_GT(longest, 1);
  for (int week = 1; week <= longest; ++week) {
    ++w.week;
    begin_week(w);
    enforce(w);
    int released_now = 0;
    for (auto i : arrested) {
      if (week < length[i]) {
        EXPECT_EQ(w.pop.state[i], State::detained) << "week " << week << " of " << length[i];
      } else {
        EXPECT_EQ(w.pop.state[i], State::released) << "week " << week << " of " << length[i];
      }
      if (week == length[i]) {
        ++released_now;
        EXPECT_EQ(w.pop.countdown[i], 1000) << "probation starts";
      }
    }
    EXPECT_EQ(city_tally(w, Tally::releases), released_now) << "week " << week;
  }
  EXPECT_TRUE(consistent(w));
}

TEST(Enforcement, EndOfProbationMovesReleasedToDesisted) {
  auto p = quiet_params();
  p.enforcement.probation_weeks = 5;
  World w = build_world(p, two_areas(), 0);
  const auto all = youths(w);
  std::vector<std::uint32_t> released(all.begin(), all.begin() + 50);
  for (auto i : released) {
    put(w, i, State::released);
    w.pop.countdown[i] = 5;
  }
  for (int week = 1; week <= 5; ++week) {
    enforce(w);
    ++w.week;
    for (auto i : released) {
      EXPECT_EQ(w.pop.state[i], week < 5 ? State::released : State::desisted) << "week " << week;
    }
  }
  for (auto i : released) EXPECT_GT(w.pop.clock_a[i], 0.0f) << "relapse clock of the desisted";
  EXPECT_TRUE(consistent(w));
}

TEST(Enforcement, WithoutProbationReleasedYouthsDesistAtOnce) {
  World w = build_world(quiet_params(), two_areas(), 0);
  const auto i = youths(w)[5];
  put(w, i, State::released);
  w.pop.countdown[i] = 0;
  enforce(w);
  EXPECT_EQ(w.pop.state[i], State::desisted);
}

TEST(Enforcement, DetentionLengthIsOnePlusGeometricWithTheConfiguredMean) {
  auto p = quiet_params(2.0);
  p.networks.youth_places = 5000;
  p.enforcement.runner_arrest_hazard = 1.0;
  p.sanctions.detention_weeks_minor = 12;
  p.sanctions.detention_weeks_adult = 12;
  World w = build_world(p, two_areas(), 0);
  for (auto i : youths(w)) ASSERT_TRUE(put(w, i, State::runner));
  enforce(w);
  double n = 0, sum = 0, ones = 0;
  int shortest = 1 << 20;
  for (auto i : youths(w)) {
    if (w.pop.state[i] != State::detained) continue;
    ++n;
    sum += w.pop.countdown[i];
    ones += w.pop.countdown[i] == 1;
    shortest = std::min<int>(shortest, w.pop.countdown[i]);
  }
  ASSERT_GT(n, 1000);
  EXPECT_EQ(shortest, 1);
  // 1 + Geometric(stay = 1 - 1/m): mean m, variance m (m - 1); P(length 1) = 1/m.
  EXPECT_NEAR(sum / n, 12.0, 4 * std::sqrt(12.0 * 11.0 / n));
  expect_share(ones, n, 1.0 / 12, "one-week detentions");
}

TEST(Enforcement, SecondArrestKeepsOneRecord) {
  auto p = quiet_params();
  p.networks.youth_places = 5000;
  p.enforcement.runner_arrest_hazard = 1e-9;
  World w = build_world(p, two_areas(), 0);
  const auto i = youths(w)[11];
  ASSERT_TRUE(put(w, i, State::runner));
  w.pop.clock_c[i] = 0.0f;
  enforce(w);
  ASSERT_EQ(w.pop.state[i], State::detained);
  w.week += 30;
  ASSERT_TRUE(put(w, i, State::runner));
  w.pop.clock_c[i] = 0.0f;
  enforce(w);
  EXPECT_EQ(w.pop.last_arrest_week[i], w.week);
  EXPECT_EQ(city_tally(w, Tally::record), 1);
  EXPECT_TRUE(consistent(w));
}

// --- sanctions -----------------------------------------------------------------------------------

// Shares of the four sanctions of an age group, in Sanction order (detention takes the rest).
std::array<double, 4> sanction_shares(const Parameters& p, bool minor) {
  const auto& s = p.sanctions;
  const double d = minor ? s.dismissal_share_minor : s.dismissal_share_adult;
  const double st = minor ? s.settlement_share_minor : s.settlement_share_adult;
  const double c = minor ? s.community_share_minor : s.community_share_adult;
  return {d, st, c, 1.0 - d - st - c};
}

TEST(Sanctions, SharesAndDetentionMeansByAgeAreTheDocumentedOnes) {
  // The documented defaults (docs/parameters.md), drawn for every youth over 20 weeks:
  // about 20 x 1,500 = 30,000 draws per age group. Each share is a binomial proportion with
  // SD sqrt(p (1 - p) / n) (at most 0.003 here): expect_share allows 4 SD. A detention lasts
  // 1 + Geometric(1 - 1/m) weeks, with mean m and variance m (m - 1), so the mean of k
  // detentions has SD sqrt(m (m - 1) / k); 4 SD allowed (about 0.4 weeks for k = 2,500).
  Parameters defaults;
  auto p = quiet_params(1.0);
  p.sanctions = defaults.sanctions;
  World w = build_world(p, two_areas(), 3);
  std::array<std::array<double, 4>, 2> count{};
  std::array<double, 2> n{}, weeks{}, detained{};
  for (int week = 0; week < 20; ++week) {
    w.week = week;
    for (auto i : youths(w)) {
      const int minor = w.pop.age[i] < 18 ? 1 : 0;
      const auto d = draw_sanction(w, i);
      count[minor][static_cast<int>(d.kind)] += 1;
      n[minor] += 1;
      if (d.kind == Sanction::detention) {
        ASSERT_GE(d.detention_weeks, 1);
        weeks[minor] += d.detention_weeks;
        detained[minor] += 1;
      } else {
        ASSERT_EQ(d.detention_weeks, 0);
      }
    }
  }
  const char* names[] = {"dismissal", "settlement", "community", "detention"};
  for (int minor = 0; minor < 2; ++minor) {
    ASSERT_GT(n[minor], 20000);
    const auto shares = sanction_shares(p, minor == 1);
    for (int k = 0; k < 4; ++k) {
      SCOPED_TRACE(minor ? "under 18" : "18 and over");
      expect_share(count[minor][k], n[minor], shares[k], names[k]);
    }
    const double m = minor ? p.sanctions.detention_weeks_minor : p.sanctions.detention_weeks_adult;
    EXPECT_NEAR(weeks[minor] / detained[minor], m, 4 * std::sqrt(m * (m - 1) / detained[minor]))
        << (minor ? "under 18" : "18 and over");
  }
  // The documented means differ by age, and the draws tell them apart.
  EXPECT_NE(p.sanctions.detention_weeks_minor, p.sanctions.detention_weeks_adult);
}

TEST(Sanctions, SharesInARunMatchTheAgeMixOfTheArrestedWithinBinomialError) {
  // A running model with the default shares: each arrest is tallied as one sanction, and the
  // count of each sanction over the run is a sum of independent Bernoulli draws with the
  // probability of the arrested youth's age group, so its mean is sum_i p(age_i) and its SD
  // sqrt(sum_i p(age_i) (1 - p(age_i))); 4 SD allowed.
  Parameters defaults;
  auto p = quiet_params(2.0);
  p.sanctions = defaults.sanctions;
  p.networks.youth_places = 400;
  p.onset.onset_hazard = 0.02;
  p.recruitment.entry_hazard = 0.2;
  p.careers.progression_hazard = 0.05;
  p.enforcement.runner_arrest_hazard = 0.05;
  p.enforcement.dealer_arrest_hazard = 0.08;
  p.enforcement.probation_weeks = 10;
  p.relapse.released_hazard = 0.1;
  p.sanctions.detention_weeks_minor = p.sanctions.detention_weeks_adult = 3;
  World w = build_world(p, two_areas(), 5);
  std::array<double, 4> tallied{}, mean{}, var{};
  double arrests = 0;
  for (int k = 0; k < 60; ++k) {
    step(w);
    for (const auto& e : w.events) {
      if (e.kind != EventKind::arrested) continue;
      const auto shares = sanction_shares(p, w.pop.age[e.agent] < 18);
      for (int s = 0; s < 4; ++s) {
        mean[s] += shares[s];
        var[s] += shares[s] * (1 - shares[s]);
      }
      arrests += 1;
    }
    for (int a = 0; a < static_cast<int>(w.areas.size()); ++a) {
      for (int s = 0; s < 4; ++s)
        tallied[s] += w.tally(a, static_cast<Tally>(static_cast<int>(Tally::dismissals) + s));
    }
    ASSERT_TRUE(consistent(w)) << "week " << k;
  }
  ASSERT_GT(arrests, 2000);
  EXPECT_EQ(tallied[0] + tallied[1] + tallied[2] + tallied[3], arrests);
  for (int s = 0; s < 4; ++s) {
    EXPECT_NEAR(tallied[s], mean[s], 4 * std::sqrt(var[s])) << "sanction " << s;
  }
}

// Arrests youth i (a runner with a job) this week with every arrest ending in `kind`.
World arrested_with(Sanction kind, std::uint32_t& i) {
  auto p = quiet_params();
  p.networks.youth_places = 5000;
  p.enforcement.runner_arrest_hazard = 1e-9;
  p.enforcement.probation_weeks = 40;
  auto& s = p.sanctions;
  s.dismissal_share_minor = s.dismissal_share_adult = kind == Sanction::dismissal ? 1 : 0;
  s.settlement_share_minor = s.settlement_share_adult = kind == Sanction::settlement ? 1 : 0;
  s.community_share_minor = s.community_share_adult = kind == Sanction::community ? 1 : 0;
  World w = build_world(p, two_areas(), 0);
  w.week = 12;
  i = 0;
  for (auto j : youths(w)) {
    if (w.pop.age[j] >= 18) {
      i = j;
      break;
    }
  }
  EXPECT_TRUE(put(w, i, State::runner));
  detail::set_job(w, i, Job::ordinary);
  w.pop.clock_c[i] = 0.0f;
  begin_week(w);
  w.events.clear();
  enforce(w);
  EXPECT_EQ(city_tally(w, Tally::arrests), 1);
  EXPECT_EQ(city_tally(w, static_cast<Tally>(static_cast<int>(Tally::dismissals) +
                                             static_cast<int>(kind))),
            1);
  EXPECT_TRUE(consistent(w));
  return w;
}

bool has_event(const World& w, std::uint32_t i, EventKind kind) {
  return std::any_of(w.events.begin(), w.events.end(),
                     [&](const Event& e) { return e.agent == i && e.kind == kind; });
}

TEST(Sanctions, DismissalKeepsTheYouthDealingWithoutARecord) {
  std::uint32_t i;
  World w = arrested_with(Sanction::dismissal, i);
  EXPECT_EQ(w.pop.state[i], State::runner);
  EXPECT_NE(w.pop.network[i], kNoNetwork);
  EXPECT_EQ(w.pop.last_arrest_week[i], kNever);
  EXPECT_EQ(city_tally(w, Tally::record), 0);
  EXPECT_EQ(w.pop.job[i], Job::ordinary);
  EXPECT_GT(w.pop.clock_c[i], 0.0f);  // a fresh arrest clock, not the spent one
  EXPECT_TRUE(has_event(w, i, EventKind::arrested));
  EXPECT_TRUE(has_event(w, i, EventKind::registered_drug));
}

TEST(Sanctions, SettlementAndCommunitySanctionSuperviseWithARecordWithoutDetention) {
  for (auto kind : {Sanction::settlement, Sanction::community}) {
    std::uint32_t i;
    World w = arrested_with(kind, i);
    EXPECT_EQ(w.pop.state[i], State::released);
    EXPECT_EQ(w.pop.countdown[i], 40);  // the probation window
    EXPECT_EQ(w.pop.network[i], kNoNetwork);
    EXPECT_EQ(w.pop.last_arrest_week[i], 12);
    EXPECT_TRUE(w.has_current_record(i));
    EXPECT_EQ(w.pop.job[i], Job::ordinary);  // no detention: the job is kept
    EXPECT_EQ(city_tally(w, Tally::releases), 0);
    EXPECT_FALSE(has_event(w, i, EventKind::released));  // not a release from detention
    EXPECT_EQ(count_state(w, State::detained), 0u);
  }
}

TEST(Sanctions, DetentionDetainsWithARecordAndTakesTheJob) {
  std::uint32_t i;
  World w = arrested_with(Sanction::detention, i);
  EXPECT_EQ(w.pop.state[i], State::detained);
  EXPECT_GE(w.pop.countdown[i], 1);
  EXPECT_EQ(w.pop.last_arrest_week[i], 12);
  EXPECT_EQ(w.pop.job[i], Job::none);
}

// --- labour --------------------------------------------------------------------------------------

TEST(Labour, YouthsUnderWorkingAgeNeverGetJobs) {
  auto p = quiet_params();
  p.labour.working_age = 18;
  p.labour.job_finding_hazard = 1.0;
  World w = build_world(p, two_areas(), 0);
  for (int k = 0; k < 30; ++k) {
    labour_market(w);
    ++w.week;
  }
  double adults = 0, employed_adults = 0;
  for (auto i : youths(w)) {
    if (w.pop.age[i] < 18) {
      EXPECT_EQ(w.pop.job[i], Job::none) << "age " << int(w.pop.age[i]);
    } else {
      ++adults;
      employed_adults += w.pop.job[i] != Job::none;
    }
  }
  // P(no job after 30 weeks at hazard 1) = exp(-30): everyone of working age has one.
  EXPECT_EQ(employed_adults, adults);
  EXPECT_TRUE(consistent(w));
}

TEST(Labour, DetainedYouthsDoNotFindJobs) {
  auto p = quiet_params();
  p.labour.job_finding_hazard = 1.0;
  World w = build_world(p, two_areas(), 0);
  std::vector<std::uint32_t> detained;
  for (auto i : youths(w)) {
    if (w.pop.age[i] >= 20 && detained.size() < 50) {
      put(w, i, State::detained);
      w.pop.countdown[i] = 100;
      detained.push_back(i);
    }
  }
  for (int k = 0; k < 20; ++k) labour_market(w);
  for (auto i : detained) EXPECT_EQ(w.pop.job[i], Job::none);
}

TEST(Labour, ShareFindingAJobAndShareWithStatusFollowTheParameters) {
  auto p = quiet_params(3.0);
  p.labour.job_finding_hazard = 0.1;
  p.labour.status_job_share = 0.25;
  World w = build_world(p, two_areas(), 0);
  double seekers = 0;
  for (auto i : youths(w)) seekers += w.pop.age[i] >= p.labour.working_age;
  begin_week(w);
  labour_market(w);
  const double found = static_cast<double>(city_tally(w, Tally::jobs_found));
  expect_share(found, seekers, 1 - std::exp(-0.1), "job finding");
  expect_share(static_cast<double>(city_tally(w, Tally::status_job)), found, 0.25, "status jobs");
  EXPECT_EQ(city_tally(w, Tally::employed), found);
  EXPECT_TRUE(consistent(w));
}

TEST(Labour, ShareLosingAJobInOneWeekIsOneMinusExpOfTheHazard) {
  auto p = quiet_params(3.0);
  p.labour.job_loss_hazard = 0.2;
  World w = build_world(p, two_areas(), 0);
  double employed = 0;
  for (auto i : youths(w)) {
    if (w.pop.age[i] >= p.labour.working_age) {
      detail::set_job(w, i, Job::ordinary);
      ++employed;
    }
  }
  labour_market(w);
  expect_share(employed - static_cast<double>(city_tally(w, Tally::employed)), employed,
               1 - std::exp(-0.2), "job loss");
  EXPECT_TRUE(consistent(w));
}

TEST(Labour, YouthsUnder18FindAYouthJobAtTheDocumentedRate) {
  auto p = quiet_params(3.0);
  const Parameters defaults;
  p.labour.youth_job_finding_hazard = defaults.labour.youth_job_finding_hazard;
  ASSERT_EQ(p.labour.youth_job_min_age, 15);
  ASSERT_EQ(p.labour.working_age, 18);
  World w = build_world(p, two_areas(), 0);
  double seekers = 0;
  for (auto i : youths(w)) seekers += w.pop.age[i] >= 15 && w.pop.age[i] < 18;
  begin_week(w);
  labour_market(w);
  double found = 0;
  for (auto i : youths(w)) {
    if (w.pop.job[i] == Job::none) continue;
    ++found;
    EXPECT_EQ(w.pop.job[i], Job::youth);
    EXPECT_GE(w.pop.age[i], 15) << "no job below youth_job_min_age";
    EXPECT_LT(w.pop.age[i], 18) << "adults have no finding hazard here";
  }
  expect_share(found, seekers, 1 - std::exp(-p.labour.youth_job_finding_hazard),
               "youth job finding");
  EXPECT_EQ(static_cast<double>(city_tally(w, Tally::jobs_found)), found);
  EXPECT_EQ(city_tally(w, Tally::status_job), 0);
  EXPECT_TRUE(consistent(w));
}

TEST(Labour, ShareOf15And16YearOldsWithAYouthJobIsTheDocumentedShare) {
  // The default youth-job hazards give about 59% of 15-16-year-olds a job (CBS: 56-63%). A youth
  // is a weekly two-state chain from its 15th birthday: P(n) = P(n-1) (1 - q) + (1 - P(n-1)) f,
  // with f = 1 - exp(-finding) and q = 1 - exp(-loss), P(0) = 0; birthdays are uniform, so the
  // 15-16-year-olds present are spread evenly over n = 1..104 weeks since their 15th birthday.
  auto p = quiet_params(3.0);
  const Parameters defaults;
  p.labour.youth_job_finding_hazard = defaults.labour.youth_job_finding_hazard;
  p.labour.youth_job_loss_hazard = defaults.labour.youth_job_loss_hazard;
  p.simulation.burn_in_weeks = 3 * 52;  // every 15-16-year-old has been looking since 15
  World w = build_world(p, two_areas(), 0);
  while (w.week < 0) step(w);
  const double f = 1 - std::exp(-p.labour.youth_job_finding_hazard);
  const double q = 1 - std::exp(-p.labour.youth_job_loss_hazard);
  double share = 0, chain = 0;
  for (int n = 1; n <= 104; ++n) {
    chain = chain * (1 - q) + (1 - chain) * f;
    share += chain / 104;
  }
  EXPECT_NEAR(share, 0.59, 0.01) << "the share docs/model.md gives";
  // Youths hold their jobs independently of each other: binomial error of the share.
  double n = 0, working = 0;
  for (auto i : youths(w)) {
    if (w.pop.age[i] != 15 && w.pop.age[i] != 16) continue;
    ++n;
    working += w.pop.job[i] == Job::youth;
  }
  expect_share(working, n, share, "15-16-year-olds with a youth job");
}

TEST(Labour, YouthJobsEndAtTheirOwnHazardAndBecomeOrdinaryJobsAtWorkingAge) {
  auto p = quiet_params(3.0);
  p.labour.youth_job_loss_hazard = 0.2;
  p.labour.job_loss_hazard = 0.0;
  World w = build_world(p, two_areas(), 0);
  double holders = 0;
  std::uint32_t seventeen = 0;
  for (auto i : youths(w)) {
    if (w.pop.age[i] < 15 || w.pop.age[i] >= 18) continue;
    detail::set_job(w, i, Job::youth);
    ++holders;
    if (w.pop.age[i] == 17) seventeen = i;
  }
  labour_market(w);
  expect_share(holders - static_cast<double>(city_tally(w, Tally::employed)), holders,
               1 - std::exp(-0.2), "youth job loss");
  // On the 18th birthday a youth job carries on as an ordinary job: nothing is found or lost.
  ASSERT_GT(seventeen, 0u);
  detail::set_job(w, seventeen, Job::youth);
  const auto employed = city_tally(w, Tally::employed);
  w.events.clear();
  detail::have_birthday(w, seventeen, 18);
  EXPECT_EQ(w.pop.job[seventeen], Job::ordinary);
  EXPECT_EQ(city_tally(w, Tally::employed), employed);
  for (const auto& e : w.events) {
    EXPECT_NE(e.kind, EventKind::job_found);
    EXPECT_NE(e.kind, EventKind::job_lost);
  }
  EXPECT_TRUE(consistent(w));
}

TEST(Recruitment, AYouthJobScalesEntryByItsHazardRatio) {
  auto p = quiet_params();
  p.recruitment.entry_hazard = 0.01;
  p.recruitment.attitude_log_hr = 1.0;
  p.labour.youth_job_entry_hr = 0.8;
  World w = build_world(p, two_areas(), 0);
  update_area_demand(w);
  std::uint32_t i = 0;
  while (!present(w, i) || w.pop.age[i] != 16) ++i;
  const double without = entry_hazard(w, i);
  ASSERT_GT(without, 0);
  detail::set_job(w, i, Job::youth);
  EXPECT_HAZARD(entry_hazard(w, i) / without, 0.8);
}

TEST(Labour, CurrentRecordLowersJobFindingByStigmaAndTheVogBarrier) {
  auto p = quiet_params();
  p.labour.job_finding_hazard = 0.02;
  p.labour.record_job_hr = 0.7;
  p.labour.vog_required_share = 0.3;
  p.labour.vog_blocked_share = 0.9;
  p.labour.dealing_job_hr = 0.5;
  World w = build_world(p, two_areas(), 0);
  w.week = 400;
  std::uint32_t i = 0;
  for (auto j : youths(w)) {
    if (w.pop.age[j] == 24) i = j;
  }
  ASSERT_NE(i, 0u);
  const double clean = job_finding_hazard(w, i);
  EXPECT_DOUBLE_EQ(clean, 0.02);
  w.pop.last_arrest_week[i] = w.week - 10;
  EXPECT_NEAR(job_finding_hazard(w, i) / clean, 0.7 * (1 - 0.3 * 0.9), 1e-12);
  // The record lapses after the look-back (four years from 23).
  w.pop.last_arrest_week[i] = w.week - p.enforcement.record_lookback_weeks;
  EXPECT_DOUBLE_EQ(job_finding_hazard(w, i), clean);
  // An intervention that halves the blocked share halves the VOG term; the share caps at 1.
  w.pop.last_arrest_week[i] = w.week - 10;
  w.mult.write(&Multipliers::vog_blocked)[i] = 0.5f;
  EXPECT_NEAR(job_finding_hazard(w, i) / clean, 0.7 * (1 - 0.3 * 0.45), 1e-12);
  w.mult.vog_blocked[i] = 5.0f;
  EXPECT_NEAR(job_finding_hazard(w, i) / clean, 0.7 * (1 - 0.3), 1e-12);
  w.mult.vog_blocked[i] = 1.0f;
  // Dealing lowers it further.
  ASSERT_TRUE(put(w, i, State::runner));
  EXPECT_NEAR(job_finding_hazard(w, i) / clean, 0.5 * 0.7 * (1 - 0.3 * 0.9), 1e-12);
}

// --- relapse -------------------------------------------------------------------------------------

TEST(Relapse, ReleasedYouthsReturnOnlyIntoOpenPlacesOfTheirDistrict) {
  auto p = quiet_params();
  p.networks.count = 2;
  p.networks.territory_districts = 1;
  p.networks.youth_places = 3;
  p.relapse.released_hazard = 1.0;
  World w = build_world(p, two_areas(), 0);
  for (auto i : youths(w)) {
    put(w, i, State::released);
    w.pop.countdown[i] = 50;
  }
  const std::uint32_t open = w.networks.places[0] + w.networks.places[1];
  begin_week(w);
  relapse(w);
  EXPECT_EQ(count_state(w, State::runner), open);
  EXPECT_EQ(city_tally(w, Tally::relapses), open);
  EXPECT_EQ(city_tally(w, Tally::entries), open);
  EXPECT_EQ(city_tally(w, Tally::new_entries), 0);
  for (std::size_t n = 0; n < 2; ++n) EXPECT_EQ(w.networks.members[n], w.networks.places[n]);
  for (auto i : youths(w)) {
    if (w.pop.state[i] == State::runner) {
      EXPECT_TRUE(in_territory(w, i)) << i;
    } else {
      EXPECT_EQ(w.pop.state[i], State::released);
      EXPECT_GT(w.pop.clock_a[i], 0.0f) << "fresh clock after finding no place";
    }
  }
  EXPECT_TRUE(consistent(w));
  // Full networks take nobody else.
  begin_week(w);
  relapse(w);
  EXPECT_EQ(count_state(w, State::runner), open);
}

TEST(Relapse, ShareOfDesistedReturningWithOpenPlacesIsOneMinusExpOfTheHazard) {
  auto p = quiet_params(3.0);
  p.networks.youth_places = 5000;
  p.relapse.desisted_hazard = 0.05;
  World w = build_world(p, two_areas(), 0);
  for (auto i : youths(w)) put(w, i, State::desisted);
  const double n = static_cast<double>(count_state(w, State::desisted));
  relapse(w);
  expect_share(count_state(w, State::runner), n, 1 - std::exp(-0.05), "relapse");
  EXPECT_TRUE(consistent(w));
}

TEST(Relapse, HazardFollowsStateJobAndAge) {
  auto p = quiet_params();
  p.relapse.released_hazard = 0.007;
  p.relapse.desisted_hazard = 0.001;
  p.relapse.job_hr = 0.6;
  p.relapse.status_job_hr = 0.4;
  p.relapse.age_log_hr = -0.05;
  World w = build_world(p, two_areas(), 0);
  std::uint32_t i = 0;
  for (auto j : youths(w)) {
    if (w.pop.age[j] == 22) i = j;
  }
  ASSERT_NE(i, 0u);
  put(w, i, State::released);
  EXPECT_NEAR(relapse_hazard(w, i), 0.007 * std::exp(-0.05 * 4), 1e-12);
  detail::set_job(w, i, Job::ordinary);
  EXPECT_NEAR(relapse_hazard(w, i), 0.6 * 0.007 * std::exp(-0.05 * 4), 1e-12);
  detail::set_job(w, i, Job::status);
  put(w, i, State::desisted);
  EXPECT_NEAR(relapse_hazard(w, i), 0.4 * 0.001 * std::exp(-0.05 * 4), 1e-12);
}

// --- normalisation -------------------------------------------------------------------------------

TEST(Normalisation, WithoutDealingTiesAttitudeConvergesToTheBaseline) {
  auto p = quiet_params();
  p.normalisation.adjustment_rate = 0.05;
  World w = build_world(p, two_areas(), 0);
  for (auto i : youths(w)) w.pop.attitude[i] = 0.9f;
  normalise_attitudes(w);
  for (auto i : youths(w)) {
    const float b = w.pop.baseline_attitude[i];
    EXPECT_FLOAT_EQ(w.pop.attitude[i], 0.9f + 0.05f * (b - 0.9f));
  }
  for (int k = 0; k < 400; ++k) normalise_attitudes(w);
  // The gap shrinks by 0.95 a week: 0.95^401 < 1e-8.
  for (auto i : youths(w)) EXPECT_NEAR(w.pop.attitude[i], w.pop.baseline_attitude[i], 1e-6);
}

TEST(Normalisation, DealingFriendsRaiseAttitudeTowardsTheExposureTarget) {
  auto p = quiet_params();
  p.networks.youth_places = 5000;
  p.normalisation.adjustment_rate = 0.05;
  p.normalisation.exposure_sensitivity = 0.5;
  World w = build_world(p, two_areas(), 0);
  // A youth with friends, all of whom start dealing.
  std::uint32_t i = 0;
  for (auto j : youths(w)) {
    if (w.pop.age[j] >= 18 && w.ties.friendship[w.pop.cohort[j]].row(j).size() >= 2) {
      i = j;
      break;
    }
  }
  ASSERT_NE(i, 0u);
  for (auto f : w.ties.friendship[w.pop.cohort[i]].row(i)) ASSERT_TRUE(put(w, f, State::runner));
  ASSERT_EQ(w.pop.dealing_friends[i], w.ties.friendship[w.pop.cohort[i]].row(i).size());
  const float b = w.pop.baseline_attitude[i];
  const double e = w.weighted_exposure(i);
  ASSERT_GE(e, 2 * p.ties.friend_weight);
  const float target = b + (1.0f - b) * static_cast<float>(1.0 - std::exp(-0.5 * e));
  const float before = w.pop.attitude[i];
  ASSERT_FLOAT_EQ(before, b);
  normalise_attitudes(w);
  EXPECT_FLOAT_EQ(w.pop.attitude[i], before + 0.05f * (target - before));
  EXPECT_GT(w.pop.attitude[i], before);
  for (int k = 0; k < 400; ++k) normalise_attitudes(w);
  EXPECT_NEAR(w.pop.attitude[i], target, 1e-5);
  EXPECT_GT(w.pop.attitude[i], b + 0.5f * (1.0f - b));  // two friends: 1 - exp(-1) > 0.5
}

TEST(Normalisation, AttitudeMultiplierScalesTheTarget) {
  auto p = quiet_params();
  p.normalisation.adjustment_rate = 1.0;  // jump to the target
  World w = build_world(p, two_areas(), 0);
  const auto i = youths(w)[4];
  w.mult.mark_all_written();
  w.mult.attitude[i] = 0.5f;
  normalise_attitudes(w);
  EXPECT_FLOAT_EQ(w.pop.attitude[i], 0.5f * w.pop.baseline_attitude[i]);
}

TEST(Normalisation, IncrementalExposureEqualsARecountAfterManyWeeksOfStepping) {
  auto p = quiet_params();
  p.networks.youth_places = 40;
  p.onset.onset_hazard = 0.02;
  p.recruitment.entry_hazard = 0.1;
  p.careers.progression_hazard = 0.05;
  p.careers.desistance_hazard = 0.02;
  p.enforcement.runner_arrest_hazard = 0.02;
  p.enforcement.dealer_arrest_hazard = 0.04;
  p.sanctions.detention_weeks_minor = 3;
  p.sanctions.detention_weeks_adult = 3;
  p.enforcement.probation_weeks = 10;
  p.relapse.released_hazard = 0.1;
  p.relapse.desisted_hazard = 0.05;
  World w = build_world(p, two_areas(), 0);
  std::int64_t exposed_weeks = 0;
  for (int k = 0; k < 120; ++k) {
    step(w);
    if (k % 10 == 9) {
      ASSERT_TRUE(consistent(w)) << "week " << k;
    }
    for (auto i : youths(w)) exposed_weeks += w.pop.dealing_friends[i] > 0;
  }
  EXPECT_GT(exposed_weeks, 0);
}

// --- the hazards the processes apply ------------------------------------------------------------
// Each process subtracts the weekly hazard of its public hazard function from the clock of every
// youth it visits. Checked on a world with youths in every state, jobs, records, varied attitudes
// and exposure, and active intervention multipliers, so that every term of every hazard counts.

// A multiplier column with values 0.5 .. 1.5 in a pattern of its own.
void vary(std::vector<float>& column, std::uint32_t salt) {
  for (std::uint32_t i = 0; i < column.size(); ++i)
    column[i] = 0.5f + 0.25f * static_cast<float>((i * salt + salt) % 5);
}

// `multipliers`: interventions active (varied multiplier columns) or none (the plain paths).
World mixed_world(bool multipliers) {
  Parameters p;  // default covariate effects
  p.simulation.population_scale = 1.0;
  p.simulation.burn_in_weeks = 0;
  p.networks.count = 4;
  p.networks.territory_districts = 2;
  // Enough places that the fixed share (market.replacement) never runs out in one week.
  p.networks.youth_places = 1000;
  p.onset.onset_hazard = 0.05;
  p.onset.recovery_hazard = 0.05;
  p.recruitment.entry_hazard = 0.2;
  p.careers.progression_hazard = 0.1;
  p.careers.desistance_hazard = 0.05;
  p.enforcement.runner_arrest_hazard = 0.05;
  p.enforcement.dealer_arrest_hazard = 0.1;
  p.relapse.released_hazard = 0.1;
  p.relapse.desisted_hazard = 0.05;
  p.labour.job_finding_hazard = 0.1;
  p.labour.job_loss_hazard = 0.05;
  // 101 youths per year and district: 3434 slots (17 cohorts), not a whole number of 64-slot
  // blocks. The classes of 18 and over keep school ties to their former schoolmates.
  World w = build_world(p, two_areas(606, 909), 0);
  w.week = 300;
  const auto all = youths(w);
  const State cycle[] = {State::uninvolved, State::at_risk,  State::runner,  State::dealer,
                         State::detained,   State::released, State::desisted};
  for (std::size_t k = 0; k < all.size(); ++k) {
    const auto i = all[k];
    const State s = cycle[k % 7];
    EXPECT_TRUE(put(w, i, s));
    if (s == State::detained) w.pop.countdown[i] = 10;
    if (s == State::released) w.pop.countdown[i] = 50;
    w.pop.attitude[i] = 0.05f + 0.1f * static_cast<float>(k % 9);
    if (w.pop.age[i] >= 18 && k % 3 != 2)
      detail::set_job(w, i, k % 3 == 0 ? Job::ordinary : Job::status);
    if (w.pop.age[i] >= p.labour.youth_job_min_age && w.pop.age[i] < 18 && k % 3 == 0)
      detail::set_job(w, i, Job::youth);
    if (k % 4 < 2) {
      // Current for everyone, or only from 23 (four-year look-back) for the second kind.
      w.pop.last_arrest_week[i] = w.week - (k % 4 == 0 ? 50 : 150);
      ++w.tally(w.pop.area[i], Tally::record);
    }
  }
  if (multipliers) {
    w.mult.mark_all_written();
    vary(w.mult.onset, 1);
    vary(w.mult.entry, 2);
    vary(w.mult.progression, 3);
    vary(w.mult.desistance, 4);
    vary(w.mult.arrest, 6);
    vary(w.mult.relapse, 7);
    vary(w.mult.job_finding, 8);
    vary(w.mult.vog_blocked, 9);
  }
  return w;
}

// Counts clocks that ran on (checked against the hazard) and clocks that fired.
struct Ticks {
  int ran = 0;
  int fired = 0;
};

// `kept`: the youth stayed where the clock would have moved it. A clock that ran on lost exactly
// the hazard; one that fired had at most the hazard left.
class HazardsApplied : public ::testing::TestWithParam<bool> {};

void expect_tick(float before, float after, double hazard, bool kept, Ticks& t, std::uint32_t i) {
  const float left = before - static_cast<float>(hazard);
  if (kept) {
    EXPECT_GT(left, 0.0f) << "slot " << i << ": the clock ran out but nothing happened";
    // Bit for bit: the vector kernels must subtract exactly the float of the formula.
    EXPECT_EQ(std::bit_cast<std::uint32_t>(after), std::bit_cast<std::uint32_t>(left))
        << "slot " << i << " hazard " << hazard << ": " << after << " against " << left;
    ++t.ran;
  } else {
    EXPECT_LE(left, 0.0f) << "slot " << i << ": moved before its clock ran out (hazard " << hazard
                          << ")";
    ++t.fired;
  }
}

TEST_P(HazardsApplied, OnsetAndRecoveryTickByOnsetHazardAndRecoveryHazard) {
  World w = mixed_world(GetParam());
  const auto before = w.pop;
  std::vector<double> h(w.pop.size(), 0.0);
  for (auto i : youths(w)) {
    if (before.state[i] == State::uninvolved) h[i] = onset_hazard(w, i);
    if (before.state[i] == State::at_risk) h[i] = recovery_hazard(w, i);
  }
  onset_and_recovery(w);
  Ticks onset, recovery;
  for (auto i : youths(w)) {
    if (before.state[i] == State::uninvolved) {
      expect_tick(before.clock_a[i], w.pop.clock_a[i], h[i], w.pop.state[i] == State::uninvolved,
                  onset, i);
    } else if (before.state[i] == State::at_risk) {
      expect_tick(before.clock_b[i], w.pop.clock_b[i], h[i], w.pop.state[i] == State::at_risk,
                  recovery, i);
    }
  }
  EXPECT_GT(onset.ran, 0);
  EXPECT_GT(onset.fired, 0);
  EXPECT_GT(recovery.ran, 0);
  EXPECT_GT(recovery.fired, 0);
}

// The onset kernel computes its hazards sixteen (or the compiler's width) at a time; at the edges
// of the exponential's range, where it clamps the exponent, every clock must still lose exactly
// the float of onset_hazard() and recovery_hazard(): youths are given risks (onset) and attitudes
// (recovery) whose exponents lie beyond both ends.
TEST_P(HazardsApplied, OnsetAndRecoveryClocksLoseExactlyTheFormulasFloatBeyondTheExponentsRange) {
  World w = mixed_world(GetParam());
  auto& p = w.pop;
  const auto& o = w.params.onset;
  ASSERT_NE(o.risk_log_hr, 0.0);
  ASSERT_NE(o.recovery_attitude_log_hr, 0.0);
  int k = 0, high = 0, low = 0;
  for (auto i : youths(w)) {
    if (p.state[i] != State::uninvolved && p.state[i] != State::at_risk) continue;
    const int side = ++k % 3;  // 0: unchanged, 1: beyond the top, 2: beyond the bottom
    if (side == 0) continue;
    const double want = side == 1 ? 95.0 : -95.0;
    if (p.state[i] == State::uninvolved)
      p.risk[i] = static_cast<float>(want / o.risk_log_hr);
    else
      p.attitude[i] = static_cast<float>(want / o.recovery_attitude_log_hr);
    (side == 1 ? high : low) += 1;
  }
  ASSERT_GT(high, 10);
  ASSERT_GT(low, 10);
  const auto before = p;
  std::vector<float> h(p.size(), 0.0f);
  for (auto i : youths(w)) {
    if (before.state[i] == State::uninvolved) h[i] = static_cast<float>(onset_hazard(w, i));
    if (before.state[i] == State::at_risk) h[i] = static_cast<float>(recovery_hazard(w, i));
  }
  onset_and_recovery(w);
  int ran = 0, fired = 0;
  for (auto i : youths(w)) {
    const bool onset = before.state[i] == State::uninvolved;
    if (!onset && before.state[i] != State::at_risk) continue;
    const float left = (onset ? before.clock_a[i] : before.clock_b[i]) - h[i];
    if (p.state[i] != before.state[i]) {
      EXPECT_LE(left, 0.0f) << "slot " << i;
      ++fired;
      continue;
    }
    ASSERT_EQ(std::bit_cast<std::uint32_t>(onset ? p.clock_a[i] : p.clock_b[i]),
              std::bit_cast<std::uint32_t>(left))
        << "slot " << i << " hazard " << h[i];
    ++ran;
  }
  EXPECT_GT(ran, 0);
  EXPECT_GT(fired, high / 2);  // a clamped top exponent gives a hazard near 1e38
}

TEST_P(HazardsApplied, RecruitmentTicksByEntryHazard) {
  World w = mixed_world(GetParam());
  // Among the candidates: school leavers with dealing former schoolmates, whose exposure
  // leaves those schoolmates out.
  int leavers_with_schoolmates = 0;
  for (auto i : youths(w)) {
    leavers_with_schoolmates +=
        w.pop.state[i] == State::at_risk && !w.at_school(i) && w.pop.dealing_schoolmates[i] > 0;
  }
  EXPECT_GT(leavers_with_schoolmates, 0);
  update_area_demand(w);
  const auto before = w.pop;
  std::vector<double> h(w.pop.size(), 0.0);
  for (auto i : youths(w)) {
    if (before.state[i] == State::at_risk) h[i] = entry_hazard(w, i);
  }
  recruit(w);
  Ticks t;
  for (auto i : youths(w)) {
    if (before.state[i] != State::at_risk) continue;
    expect_tick(before.clock_a[i], w.pop.clock_a[i], h[i], w.pop.state[i] == State::at_risk, t, i);
  }
  EXPECT_GT(t.ran, 0);
  EXPECT_GT(t.fired, 0);
}

// With more districts than one register holds (16), the entry kernel gathers the area terms from
// their tables instead: every clock still loses exactly the float of entry_hazard().
TEST_P(HazardsApplied, RecruitmentTicksByEntryHazardInMoreDistrictsThanARegisterHolds) {
  std::vector<AreaSpec> areas;
  for (int a = 0; a < 20; ++a)
    areas.push_back(
        {"District " + std::to_string(a), 60.0 + 3 * a, 90.0, 0.1 + 0.02 * a, 1 + a % 3});
  Parameters p;
  p.simulation.burn_in_weeks = 0;
  p.networks.count = 20;  // some in every district
  p.networks.territory_districts = 4;
  p.recruitment.entry_hazard = 0.2;
  World w = build_world(p, areas, 0);
  ASSERT_EQ(w.areas.size(), 20u);
  w.week = 300;
  if (GetParam()) {
    w.mult.mark_all_written();
    for (auto i : youths(w)) w.mult.entry[i] = 0.5f + 0.1f * static_cast<float>(i % 11);
  }
  std::uint32_t k = 0;
  for (auto i : youths(w)) {
    ++k;
    if (k % 3 != 0) continue;
    ASSERT_TRUE(put(w, i, State::at_risk));
    w.pop.attitude[i] = 0.05f * static_cast<float>(k % 19);
    w.pop.recruiting_friends[i] = static_cast<std::uint16_t>(k % 4);
    w.pop.dealing_neighbours[i] = static_cast<std::uint16_t>(k % 5);
  }
  update_area_demand(w);
  std::set<int> districts;
  const auto before = w.pop;
  std::vector<double> h(w.pop.size(), 0.0);
  for (auto i : youths(w)) {
    if (before.state[i] != State::at_risk) continue;
    h[i] = entry_hazard(w, i);
    if (h[i] > 0) districts.insert(before.area[i]);
  }
  EXPECT_GT(districts.size(), 16u);  // hazards from beyond the first 16 districts
  recruit(w);
  int ran = 0;
  for (auto i : youths(w)) {
    if (before.state[i] != State::at_risk || w.pop.state[i] != State::at_risk) continue;
    const float left = before.clock_a[i] - static_cast<float>(h[i]);
    if (left <= 0.0f) continue;  // ran out; drawn again after a failed placement
    ASSERT_EQ(std::bit_cast<std::uint32_t>(w.pop.clock_a[i]), std::bit_cast<std::uint32_t>(left))
        << "slot " << i << " hazard " << h[i];
    ++ran;
  }
  EXPECT_GT(ran, 100);
}

// The entry kernel chooses its terms by bit masks, reads the area terms from a register and the
// deterrence decay from a table; every clock must lose exactly the float of entry_hazard(): with
// deterrence raised recently and beyond the table (handed back to the plain formula), with no
// open place nearby (no contact with a recruiter gives a hazard of 0) and with exponents beyond
// both ends of the exponential's range.
TEST_P(HazardsApplied, RecruitmentClocksLoseExactlyTheFormulasFloatInEveryCase) {
  World w = mixed_world(GetParam());
  w.params.market.deterrence_log_hr = -0.4;
  w.params.market.deterrence_weeks = 24.0;
  w.params.recruitment.walk_in = 0.0;  // without a recruiting tie the contact is 0
  w.params.recruitment.district_recruiter_weight = 0.0;
  auto& p = w.pop;
  int k = 0, recent = 0, beyond = 0, closed = 0, extreme = 0;
  for (auto i : youths(w)) {
    if (p.state[i] != State::at_risk) continue;
    ++k;
    if (k % 5 == 0) {
      p.deterrence[i] = 0.7f;
      p.deterrence_week[i] = static_cast<std::int16_t>(w.week - 10);
      ++recent;
    } else if (k % 5 == 1) {
      p.deterrence[i] = 0.9f;
      p.deterrence_week[i] = static_cast<std::int16_t>(w.week - 1100);
      ++beyond;
    }
    if (k % 4 == 0) {
      p.recruiting_neighbours[i] = 0;
      p.recruiting_friends[i] = 0;
      p.recruiting_schoolmates[i] = 0;
      ++closed;
    } else {
      p.recruiting_neighbours[i] = static_cast<std::uint16_t>(1 + k % 3);
      p.recruiting_friends[i] = static_cast<std::uint16_t>(k % 2);
      p.recruiting_schoolmates[i] = static_cast<std::uint16_t>(k % 3);
    }
  }
  // Exponents beyond both ends: a risk of +-95 / risk_log_hr for every seventh youth.
  const double rlh = w.params.recruitment.risk_log_hr;
  ASSERT_NE(rlh, 0.0);
  int k7 = 0;
  for (auto i : youths(w)) {
    if (p.state[i] != State::at_risk || ++k7 % 7 != 0) continue;
    p.risk[i] = static_cast<float>((k7 % 2 ? 95.0 : -95.0) / rlh);
    ++extreme;
  }
  update_area_demand(w);
  ASSERT_GT(extreme, 10);
  ASSERT_GT(recent, 0);
  ASSERT_GT(beyond, 0);
  ASSERT_GT(closed, 0);
  const auto before = p;
  std::vector<float> h(p.size(), 0.0f);
  int zero = 0;
  for (auto i : youths(w)) {
    if (before.state[i] != State::at_risk) continue;
    h[i] = static_cast<float>(entry_hazard(w, i));
    zero += h[i] == 0.0f;
  }
  EXPECT_GT(zero, 0);
  recruit(w);
  int ran = 0;
  for (auto i : youths(w)) {
    if (before.state[i] != State::at_risk || p.state[i] != State::at_risk) continue;
    // A clock that ran out is drawn again after a failed placement.
    if (before.clock_a[i] - h[i] <= 0.0f) continue;
    // Bit for bit.
    ASSERT_EQ(std::bit_cast<std::uint32_t>(p.clock_a[i]),
              std::bit_cast<std::uint32_t>(before.clock_a[i] - h[i]))
        << "slot " << i << " hazard " << h[i];
    ++ran;
  }
  EXPECT_GT(ran, 0);
}

TEST_P(HazardsApplied, CareersTickByProgressionAndDesistanceHazard) {
  World w = mixed_world(GetParam());
  const auto before = w.pop;
  std::vector<double> progression(w.pop.size(), 0.0), desistance(w.pop.size(), 0.0);
  for (auto i : youths(w)) {
    if (!is_dealing(before.state[i])) continue;
    progression[i] = progression_hazard(w, i);
    desistance[i] = desistance_hazard(w, i);
  }
  advance_careers(w);
  Ticks prog, desist;
  for (auto i : youths(w)) {
    if (!is_dealing(before.state[i])) continue;
    const bool still_dealing = is_dealing(w.pop.state[i]);
    expect_tick(before.clock_b[i], w.pop.clock_b[i], desistance[i], still_dealing, desist, i);
    if (before.state[i] == State::runner && still_dealing) {
      expect_tick(before.clock_a[i], w.pop.clock_a[i], progression[i],
                  w.pop.state[i] == State::runner, prog, i);
    }
  }
  EXPECT_GT(prog.ran, 0);
  EXPECT_GT(prog.fired, 0);
  EXPECT_GT(desist.ran, 0);
  EXPECT_GT(desist.fired, 0);
}

TEST_P(HazardsApplied, EnforcementTicksByArrestHazard) {
  World w = mixed_world(GetParam());
  const auto before = w.pop;
  std::vector<double> h(w.pop.size(), 0.0);
  for (auto i : youths(w)) {
    if (is_dealing(before.state[i])) h[i] = arrest_hazard(w, i);
  }
  w.events.clear();
  enforce(w);
  // A fired clock is an arrest, whatever its sanction (a dismissed youth keeps dealing).
  std::vector<std::uint8_t> arrested(w.pop.size(), 0);
  for (const auto& e : w.events) arrested[e.agent] |= e.kind == EventKind::arrested;
  Ticks t;
  for (auto i : youths(w)) {
    if (!is_dealing(before.state[i])) continue;
    expect_tick(before.clock_c[i], w.pop.clock_c[i], h[i], !arrested[i], t, i);
  }
  // Every detained and released youth counts down one week, up to the last slot.
  int counted = 0;
  for (auto i : youths(w)) {
    if (before.state[i] != State::detained && before.state[i] != State::released) continue;
    EXPECT_EQ(w.pop.countdown[i], before.countdown[i] - 1) << "slot " << i;
    ++counted;
  }
  EXPECT_GT(counted, 0);
  EXPECT_EQ(before.state.back(), State::detained) << "the last slot should be checked";
  EXPECT_GT(t.ran, 0);
  EXPECT_GT(t.fired, 0);
}

// Every youth on the labour market ticks by its hazard, bit for bit, and moves exactly when its
// clock runs out.
void expect_labour_ticks(World& w) {
  const auto before = w.pop;
  const auto& l = w.params.labour;
  std::vector<double> h(w.pop.size(), 0.0);
  std::vector<std::uint8_t> seeking(w.pop.size(), 0);
  int with_record = 0;
  for (auto i : youths(w)) {
    // From youth_job_min_age: youth jobs below working_age, ordinary jobs from it.
    if (before.state[i] == State::detained || before.age[i] < l.youth_job_min_age) continue;
    seeking[i] = 1;
    const double loss = before.job[i] == Job::youth ? l.youth_job_loss_hazard : l.job_loss_hazard;
    h[i] = before.job[i] == Job::none ? job_finding_hazard(w, i) : loss;
    with_record += before.job[i] == Job::none && w.has_current_record(i);
  }
  ASSERT_GT(with_record, 0);
  labour_market(w);
  Ticks find, lose;
  for (auto i : youths(w)) {
    if (!seeking[i]) {
      EXPECT_EQ(w.pop.clock_job[i], before.clock_job[i])
          << "slot " << i << " is not on the labour market";
      continue;
    }
    const bool same = (w.pop.job[i] == Job::none) == (before.job[i] == Job::none);
    expect_tick(before.clock_job[i], w.pop.clock_job[i], h[i], same,
                before.job[i] == Job::none ? find : lose, i);
  }
  EXPECT_GT(find.ran, 0);
  EXPECT_GT(find.fired, 0);
  EXPECT_GT(lose.ran, 0);
  EXPECT_GT(lose.fired, 0);
}

TEST_P(HazardsApplied, LabourMarketTicksByJobFindingHazardAndJobLoss) {
  World w = mixed_world(GetParam());
  expect_labour_ticks(w);
}

// The VOG arrangement alone (vog_relaxation) writes only the barrier's multipliers: the hazards of
// the jobless with a record then differ from youth to youth while the others keep their plain
// values.
TEST(Labour, WithOnlyTheVogBarrierChangedEveryClockTicksByItsOwnHazard) {
  World w = mixed_world(false);
  w.mult.write(&Multipliers::vog_blocked);
  vary(w.mult.vog_blocked, 9);
  ASSERT_FALSE(w.mult.is_written(&Multipliers::job_finding));
  expect_labour_ticks(w);
}

TEST_P(HazardsApplied, RelapseTicksByRelapseHazard) {
  World w = mixed_world(GetParam());
  const auto before = w.pop;
  std::vector<double> h(w.pop.size(), 0.0);
  for (auto i : youths(w)) {
    if (before.state[i] == State::released || before.state[i] == State::desisted)
      h[i] = relapse_hazard(w, i);
  }
  relapse(w);
  Ticks t;
  for (auto i : youths(w)) {
    if (before.state[i] != State::released && before.state[i] != State::desisted) continue;
    expect_tick(before.clock_a[i], w.pop.clock_a[i], h[i], w.pop.state[i] == before.state[i], t, i);
  }
  EXPECT_GT(t.ran, 0);
  EXPECT_GT(t.fired, 0);
}

// Every attitude moves exactly (bit for bit) as the one-slot formula says: towards the baseline
// (times the multiplier) without dealing ties, towards the exposure target with them, not at all
// in a vacant slot; on whichever kernel the processor takes for full blocks of 64 slots, and on
// the plain one for the last block (3434 slots are not a whole number of blocks).
TEST_P(HazardsApplied, AttitudesMoveExactlyByTheOneSlotFormula) {
  World w = mixed_world(GetParam());
  if (GetParam()) vary(w.mult.attitude, 11);
  // Most youths of the mixed world have a dealing tie; two in three are cleared of them here (the
  // pass reads only the counts), so that both kinds fill every lane of the blocks.
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (i % 3 == 0) continue;
    w.pop.dealing_neighbours[i] = 0;
    w.pop.dealing_friends[i] = 0;
    w.pop.dealing_schoolmates[i] = 0;
  }
  const auto& np = w.params.normalisation;
  const auto& tp = w.params.ties;
  const auto before = w.pop;
  const float rate = static_cast<float>(np.adjustment_rate);
  int exposed = 0, plain = 0;
  std::vector<float> expected(w.pop.size());
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    expected[i] = before.attitude[i];
    if (before.state[i] == State::vacant) continue;
    float target = before.baseline_attitude[i];
    const bool at_school = before.age[i] < w.params.population.school_leaving_age;
    const unsigned ds = at_school ? before.dealing_schoolmates[i] : 0u;
    if (before.dealing_neighbours[i] != 0 || before.dealing_friends[i] != 0 ||
        before.dealing_schoolmates[i] != 0) {
      double e = tp.neighbourhood_weight * before.dealing_neighbours[i] +
                 tp.friend_weight * before.dealing_friends[i];
      if (at_school) e += tp.school_weight * ds;
      target += (1.0f - target) * static_cast<float>(1.0 - std::exp(-np.exposure_sensitivity * e));
      ++exposed;
    } else {
      ++plain;
    }
    if (GetParam()) target *= w.mult.attitude[i];
    expected[i] += rate * (target - expected[i]);
  }
  ASSERT_GT(exposed, 0);
  ASSERT_GT(plain, 0);
  normalise_attitudes(w);
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    ASSERT_EQ(std::bit_cast<std::uint32_t>(w.pop.attitude[i]),
              std::bit_cast<std::uint32_t>(expected[i]))
        << "slot " << i << ": " << w.pop.attitude[i] << " against " << expected[i];
  }
}

// Every present youth outside detention loses exactly (bit for bit) its kept weekly hazard of
// registration (offence_hazard), and is registered exactly when its clock runs out; a detained
// youth and a vacant slot keep their clocks; on whichever kernel the processor takes for full
// blocks and on the plain one for the last block.
TEST_P(HazardsApplied, OffenceClocksLoseExactlyTheKeptHazard) {
  World w = mixed_world(GetParam());
  // Clocks that run out in every block: a tenth of them near zero.
  for (std::uint32_t i = 0; i < w.pop.size(); i += 10) w.pop.clock_offence[i] = 1e-6f;
  const auto before = w.pop;
  begin_week(w);
  register_offending(w);
  std::vector<std::uint8_t> registered(w.pop.size(), 0);
  for (const auto& e : w.events) registered[e.agent] |= e.kind == EventKind::registered;
  int ran = 0, fired = 0, kept = 0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (before.state[i] == State::vacant || before.state[i] == State::detained) {
      ASSERT_EQ(std::bit_cast<std::uint32_t>(w.pop.clock_offence[i]),
                std::bit_cast<std::uint32_t>(before.clock_offence[i]))
          << "slot " << i;
      ASSERT_EQ(registered[i], 0) << "slot " << i;
      ++kept;
      continue;
    }
    const float left = before.clock_offence[i] - before.offence_hazard[i];
    if (left > 0.0f) {
      ASSERT_EQ(std::bit_cast<std::uint32_t>(w.pop.clock_offence[i]),
                std::bit_cast<std::uint32_t>(left))
          << "slot " << i;
      ASSERT_EQ(registered[i], 0) << "slot " << i;
      ++ran;
    } else {
      ASSERT_EQ(registered[i], 1) << "slot " << i;
      ++fired;
    }
  }
  EXPECT_GT(ran, 0);
  EXPECT_GT(fired, 0);
  EXPECT_GT(kept, 0);
}

#ifdef DRIFT_AVX512_KERNELS
// The kernels written for AVX-512 and the plain ones step the same world to the same columns,
// tallies and events, week by week, bit for bit (the plain ones are what processors without
// AVX-512 run; DRIFT_PLAIN_KERNELS forces them on this one).
TEST_P(HazardsApplied, TheAvx512KernelsAndThePlainOnesStepTheSameWorld) {
  auto& forced = detail::plain_kernels_forced();
  const bool was = forced;
  forced = false;
  if (!detail::has_avx512bw()) {
    forced = was;
    GTEST_SKIP() << "this processor has no AVX-512 BW";
  }
  World fast = mixed_world(GetParam());
  World plain = fast;
  int events = 0;
  for (int k = 0; k < 40; ++k) {
    forced = false;
    step(fast);
    forced = true;
    step(plain);
    forced = false;
    ASSERT_EQ(fast.pop.state, plain.pop.state) << "week " << k;
    ASSERT_EQ(fast.pop.job, plain.pop.job) << "week " << k;
    for (const auto column :
         {&Population::attitude, &Population::clock_a, &Population::clock_b, &Population::clock_c,
          &Population::clock_job, &Population::clock_offence}) {
      const auto& a = fast.pop.*column;
      const auto& b = plain.pop.*column;
      ASSERT_EQ(a.size(), b.size());
      for (std::size_t i = 0; i < a.size(); ++i)
        ASSERT_EQ(std::bit_cast<std::uint32_t>(a[i]), std::bit_cast<std::uint32_t>(b[i]))
            << "week " << k << " slot " << i;
    }
    ASSERT_EQ(fast.tallies, plain.tallies) << "week " << k;
    ASSERT_EQ(fast.events.size(), plain.events.size()) << "week " << k;
    for (std::size_t e = 0; e < fast.events.size(); ++e) {
      ASSERT_EQ(fast.events[e].agent, plain.events[e].agent) << "week " << k;
      ASSERT_EQ(fast.events[e].kind, plain.events[e].kind) << "week " << k;
    }
    events += static_cast<int>(fast.events.size());
  }
  forced = was;
  EXPECT_GT(events, 100);
}
#endif

TEST_P(HazardsApplied, MixedWorldIsConsistent) {
  const World w = mixed_world(GetParam());
  EXPECT_TRUE(consistent(w));
}

INSTANTIATE_TEST_SUITE_P(Multipliers, HazardsApplied, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Active" : "None"; });

// Marks every multiplier column written each week without changing a value (all stay 1), so the
// processes take their multiplied paths.
class MarksEveryColumnWritten : public Intervention {
 public:
  InterventionWeek apply(World& w, int) override {
    w.mult.mark_all_written();
    return {};
  }
};

// A process skips a column no intervention wrote; that is exact only if reading an all-1 column
// gives the same floats as not reading it. Every process, 30 whole weeks, from the mixed world.
TEST(Multipliers, ReadingAnAllOneColumnGivesExactlyTheResultOfSkippingIt) {
  World skipped = mixed_world(false);
  World read = mixed_world(false);
  InterventionList marks;
  marks.push_back(std::make_unique<MarksEveryColumnWritten>());
  const Tally flows[] = {Tally::entries, Tally::relapses, Tally::arrests, Tally::desistances,
                         Tally::jobs_found};
  std::map<int, std::int64_t> seen;
  for (int week = 0; week < 30; ++week) {
    step(skipped);
    step(read, marks);
    EXPECT_NE(read.mult.written, 0u);
    for (auto t : flows) seen[static_cast<int>(t)] += city_tally(skipped, t);
  }
  EXPECT_EQ(skipped.pop.state, read.pop.state);
  EXPECT_EQ(skipped.pop.job, read.pop.job);
  EXPECT_EQ(skipped.pop.clock_a, read.pop.clock_a);
  EXPECT_EQ(skipped.pop.clock_b, read.pop.clock_b);
  EXPECT_EQ(skipped.pop.clock_job, read.pop.clock_job);
  EXPECT_EQ(skipped.pop.attitude, read.pop.attitude);
  EXPECT_EQ(skipped.tallies, read.tallies);
  // The weeks saw every kind of transition the multipliers act on.
  for (auto t : flows) EXPECT_GT(seen[static_cast<int>(t)], 0) << static_cast<int>(t);
}

// --- ageing and turnover -------------------------------------------------------------------------

std::map<std::pair<int, int>, int> counts_by_area_and_age(const World& w) {
  std::map<std::pair<int, int>, int> c;
  for (auto i : youths(w)) ++c[{w.pop.area[i], w.pop.age[i]}];
  return c;
}

std::map<std::pair<int, int>, int> expected_counts(const World& w) {
  std::map<std::pair<int, int>, int> c;
  const auto& pp = w.params.population;
  const double s = w.params.simulation.population_scale;
  for (int a = 0; a < static_cast<int>(w.areas.size()); ++a) {
    for (int age = pp.min_age; age <= pp.max_age; ++age) {
      c[{a, age}] =
          static_cast<int>(age < kAdultBandAge ? std::llround(s * w.areas[a].youth_12_17 / 6)
                                               : std::llround(s * w.areas[a].youth_18_26 / 9));
    }
  }
  return c;
}

// North gains 20 youths at 18 (100 -> 120 per year), South loses 20 (100 -> 80).
std::vector<AreaSpec> unequal_bands() {
  return {{"North", 600, 1080, 0.2, 2}, {"South", 600, 720, 0.3, 1}};
}

TEST(Ageing, EachYouthAgesOnItsOwnBirthdayAndOnNoOtherWeek) {
  World w = build_world(quiet_params(), unequal_bands(), 0);
  step(w);  // the world is built as it stands after the birthdays of its first week
  int birthdays = 0;
  for (int k = 0; k < 60; ++k) {
    const auto age0 = w.pop.age;
    const auto state0 = w.pop.state;
    step(w);
    const int day = week_of_school_year(w.week - 1);
    for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
      if (state0[i] == State::vacant || !present(w, i)) continue;
      const int grew = w.pop.age[i] - age0[i];
      ASSERT_EQ(grew, w.birthday_of(i) == day ? 1 : 0) << "slot " << i << " week " << w.week - 1;
      birthdays += grew;
    }
  }
  // Over 60 weeks everyone who stays has one birthday, some (weeks 52-59 again) two.
  EXPECT_GT(birthdays, static_cast<int>(youths(w).size()) * 9 / 10);
}

TEST(Ageing, EveryBaselineAttitudeIsTheFormulaForTheYouthsAgeAfterEveryWeek) {
  // A birthday recomputes the baseline only on leaving school; after a year of weeks every
  // youth's baseline must still be exactly what the formula gives for its present age.
  World w = build_world(quiet_params(), unequal_bands(), 0);
  int leavers = 0;
  for (int k = 0; k < 60; ++k) {
    const auto age0 = w.pop.age;
    step(w);
    for (auto i : youths(w)) {
      ASSERT_EQ(w.pop.baseline_attitude[i], detail::baseline_attitude(w, i))
          << "slot " << i << " aged " << int(w.pop.age[i]) << " week " << w.week - 1;
      leavers += age0[i] + 1 == w.params.population.school_leaving_age &&
                 w.pop.age[i] == w.params.population.school_leaving_age;
    }
  }
  EXPECT_GT(leavers, 0) << "some youths left school in these weeks";
}

TEST(Ageing, BirthdaysAreUniformOverTheSchoolYear) {
  // 2,000 positions: about 38 per week of the school year.
  World w = build_world(quiet_params(10.0), two_areas(), 0);
  std::vector<double> count(kWeeksPerYear, 0);
  for (auto d : w.birthday) ++count[d];
  const double n = static_cast<double>(w.birthday.size());
  double chi2 = 0;
  for (double c : count) chi2 += (c - n / 52) * (c - n / 52) / (n / 52);
  // Pearson's statistic with 51 degrees of freedom has mean 51 and SD sqrt(102) = 10.1: a
  // uniform draw stays below mean + 5 SD; a birthday stuck on some weeks exceeds it by far.
  EXPECT_LT(chi2, 51 + 5 * std::sqrt(102.0)) << "chi2 over " << n << " positions";
  // Within a cohort ages are spread over the year: at week d of the school year the share of a
  // full class (turning 15 in this school year) that has had its birthday is (d + 1) / 52.
  for (int k = 0; k < 20; ++k) step(w);
  const int day = week_of_school_year(w.week - 1);
  for (int c = 0; c < w.cohorts(); ++c) {
    const int years = (w.week - 1 - w.class_start(c, w.week - 1)) / kWeeksPerYear;
    if (years != 15 - 12) continue;  // the class turning 15 in this school year
    double older = 0, all = 0;
    for (auto i = w.cohort_begin[c]; i < w.cohort_begin[c + 1]; ++i) {
      if (!present(w, i)) continue;
      ++all;
      older += w.pop.age[i] == 15;
      EXPECT_TRUE(w.pop.age[i] == 14 || w.pop.age[i] == 15);
    }
    expect_share(older, all, (day + 1) / 52.0, "share of the class past its birthday");
  }
}

TEST(Ageing, LeaversGoOnTheirBirthdayAndNewcomersArriveOnTheirsInAnotherCohort) {
  auto p = quiet_params();
  p.networks.youth_places = 5000;
  World w = build_world(p, unequal_bands(), 0);
  const auto& pp = p.population;
  // The class that turns max_age + 1 in the next school year, and the cohort its successors fill.
  // The first school-year start after the week the world was built in.
  const std::int32_t start = w.week + kWeeksPerYear - week_of_school_year(w.week);
  int leaving = -1, filling = -1;
  for (int c = 0; c < w.cohorts(); ++c) {
    const auto since = start - w.class_start(c, start);
    if (since == 0) filling = c;
    if (since == 52 * (pp.max_age + 1 - pp.min_age)) leaving = c;
  }
  ASSERT_GE(leaving, 0);
  ASSERT_GE(filling, 0);
  ASSERT_NE(leaving, filling);
  // Some of the leavers deal, with a record and a job.
  for (auto i = w.cohort_begin[leaving]; i < w.cohort_begin[leaving + 1]; i += 3) {
    if (!present(w, i)) continue;
    ASSERT_TRUE(put(w, i, State::dealer));
    w.pop.last_arrest_week[i] = w.week;
    ++w.tally(w.pop.area[i], Tally::record);
    detail::set_job(w, i, Job::ordinary);
  }
  while (w.week < start) step(w);
  for (auto i = w.cohort_begin[filling]; i < w.cohort_begin[filling + 1]; ++i)
    ASSERT_FALSE(present(w, i)) << "the cohort to fill is empty when the school year starts";
  for (int k = 0; k < 52; ++k) {
    const auto state0 = w.pop.state;
    step(w);
    const int day = week_of_school_year(w.week - 1);
    for (auto i = w.cohort_begin[leaving]; i < w.cohort_begin[leaving + 1]; ++i) {
      const bool left = state0[i] != State::vacant && !present(w, i);
      ASSERT_EQ(left, state0[i] != State::vacant && w.birthday_of(i) == day) << i;
    }
    for (auto i = w.cohort_begin[filling]; i < w.cohort_begin[filling + 1]; ++i) {
      const bool arrived = state0[i] == State::vacant && present(w, i);
      if (!arrived) continue;
      ASSERT_EQ(w.birthday_of(i), day);
      EXPECT_EQ(w.pop.age[i], pp.min_age);
      EXPECT_EQ(w.pop.state[i], State::uninvolved);
      EXPECT_EQ(w.pop.job[i], Job::none);
      EXPECT_EQ(w.pop.last_arrest_week[i], kNever);
      EXPECT_NE(w.pop.school[i], kNoSchool);
    }
    ASSERT_EQ(counts_by_area_and_age(w), expected_counts(w)) << "week " << w.week - 1;
  }
  for (auto i = w.cohort_begin[leaving]; i < w.cohort_begin[leaving + 1]; ++i)
    EXPECT_FALSE(present(w, i)) << "the whole class has left after a school year";
  std::vector<int> newcomers(2, 0);
  for (auto i = w.cohort_begin[filling]; i < w.cohort_begin[filling + 1]; ++i)
    newcomers[w.pop.area[i]] += present(w, i);
  EXPECT_EQ(newcomers[0], 100);  // the 12-17 band: 600 / 6
  EXPECT_EQ(newcomers[1], 100);
  for (std::size_t n = 0; n < w.networks.count(); ++n) EXPECT_EQ(w.networks.members[n], 0u);
  EXPECT_EQ(city_tally(w, Tally::record), 0);
  EXPECT_EQ(city_tally(w, Tally::employed), 0);
  EXPECT_TRUE(consistent(w));
  // The newcomers' school ties join schoolmates of their own class only.
  std::size_t ties = 0;
  for (auto i = w.cohort_begin[filling]; i < w.cohort_begin[filling + 1]; ++i) {
    for (auto j : w.ties.school[filling].row(i)) {
      ++ties;
      EXPECT_EQ(w.pop.school[i], w.pop.school[j]);
      EXPECT_EQ(w.pop.age[j], pp.min_age);
    }
  }
  EXPECT_GT(ties, 0u);
}

TEST(Ageing, ArrivalsAndDeparturesAt18HappenOnBirthdays) {
  World w = build_world(quiet_params(), unequal_bands(), 0);
  const int nareas = 2;
  // Step to the next school-year start and find the class turning 18 in it.
  while (week_of_school_year(w.week) != 0 || w.week == w.first_week) step(w);
  int c18 = -1;
  for (int c = 0; c < w.cohorts(); ++c) {
    if (w.week - w.class_start(c, w.week) == 52 * (kAdultBandAge - 12)) c18 = c;
  }
  ASSERT_GE(c18, 0);
  int arrivals = 0, departures = 0;
  for (int k = 0; k < 52; ++k) {
    const auto state0 = w.pop.state;
    const auto risk0 = w.pop.risk;
    step(w);
    const int day = week_of_school_year(w.week - 1);
    for (int a = 0; a < nareas; ++a) {
      const auto b = static_cast<std::size_t>(c18) * nareas + a;
      for (auto i = w.block_begin[b]; i < w.block_begin[b + 1]; ++i) {
        const auto rank = i - w.block_begin[b];
        if (w.birthday_of(i) != day) {
          ASSERT_EQ(w.pop.state[i], state0[i]) << "nothing happens off the birthday";
          continue;
        }
        if (rank >= w.block_adult[b]) {
          ASSERT_FALSE(present(w, i)) << "moves away at 18";
          ++departures;
        } else if (state0[i] == State::vacant) {
          ASSERT_TRUE(present(w, i));
          EXPECT_EQ(w.pop.age[i], kAdultBandAge);
          EXPECT_EQ(w.pop.school[i], kNoSchool) << "arrivals at 18 are past school";
          ++arrivals;
        } else {
          EXPECT_EQ(w.pop.age[i], kAdultBandAge);
          EXPECT_EQ(w.pop.risk[i], risk0[i]) << "a stayer keeps its traits";
        }
      }
    }
  }
  EXPECT_EQ(arrivals, 20);    // North: 100 -> 120
  EXPECT_EQ(departures, 20);  // South: 100 -> 80
  EXPECT_EQ(counts_by_area_and_age(w), expected_counts(w));
  EXPECT_TRUE(consistent(w));
}

TEST(Ageing, ACopyOfTheWorldSharesItsTiesUntilAClassFormsInItAndLeavesTheOriginalAlone) {
  World original = build_world(quiet_params(), unequal_bands(), 0);
  // Just before a school-year start (a class forms in its first week).
  while (week_of_school_year(original.week + 1) != 0 || original.week == original.first_week)
    step(original);
  World copy = original;
  EXPECT_EQ(copy.ties.own_bytes(), 0u) << "a fresh copy holds no ties of its own";
  EXPECT_EQ(copy.ties.bytes(), original.ties.bytes());
  auto layers = [](const World& w) {
    std::vector<std::vector<std::uint32_t>> out{w.ties.neighbourhood->targets()};
    for (const auto& c : w.ties.school) out.push_back(c->targets());
    for (const auto& c : w.ties.friendship) out.push_back(c->targets());
    return out;
  };
  const auto before = layers(original);
  step(copy);  // the school year starts: classes form in the copy
  step(copy);
  EXPECT_GT(copy.ties.own_bytes(), 0u) << "the formed classes' layers are the copy's own";
  EXPECT_EQ(layers(original), before) << "the original's ties are untouched";
  EXPECT_NE(layers(copy), before) << "the copy's formed classes have new ties";
  EXPECT_LT(copy.ties.own_bytes(), copy.ties.bytes()) << "the other layers are still shared";
  // The original, stepped the same weeks, forms the same classes: copies change no result.
  step(original);
  step(original);
  EXPECT_EQ(layers(original), layers(copy));
  EXPECT_EQ(original.pop.state, copy.pop.state);
}

TEST(Ageing, TheStrategiesOfAReplicateDrawEachClassOnceAndGetTheLayersTheyWouldHaveDrawn) {
  World original = build_world(quiet_params(), unequal_bands(), 0);
  while (week_of_school_year(original.week + 1) != 0 || original.week == original.first_week)
    step(original);
  // A second strategy whose youths differ: some uninvolved youths deal from now on.
  auto perturbed = [&] {
    World w = original;
    int moved = 0;
    for (std::uint32_t i = 0; i < w.pop.size() && moved < 40; i += 7) {
      if (w.pop.state[i] != State::uninvolved) continue;
      detail::set_state(w, i, State::dealer);
      ++moved;
    }
    return w;
  };
  ClassTieCache cache;
  World first = original;
  World second = perturbed();
  World alone = perturbed();  // draws its own classes
  first.class_ties = &cache;
  second.class_ties = &cache;
  for (int k = 0; k < 2; ++k) step(first);  // the school year starts: classes form
  for (int k = 0; k < 2; ++k) step(second);
  for (int k = 0; k < 2; ++k) step(alone);
  int formed = 0;
  for (int c = 0; c < first.cohorts(); ++c) {
    if (&*original.ties.school[c] == &*first.ties.school[c]) continue;  // not formed now
    ++formed;
    EXPECT_EQ(&*first.ties.school[c], &*second.ties.school[c]) << "cohort " << c << " drawn twice";
    EXPECT_EQ(&*first.ties.friendship[c], &*second.ties.friendship[c]) << "cohort " << c;
    EXPECT_EQ(second.ties.school[c]->targets(), alone.ties.school[c]->targets()) << c;
    EXPECT_EQ(second.ties.friendship[c]->targets(), alone.ties.friendship[c]->targets()) << c;
  }
  EXPECT_GE(formed, 1);
  // Everything else the second strategy computes is its own: the same as drawn alone.
  EXPECT_EQ(second.pop.state, alone.pop.state);
  EXPECT_EQ(second.pop.dealing_friends, alone.pop.dealing_friends);
  EXPECT_EQ(second.pop.dealing_schoolmates, alone.pop.dealing_schoolmates);
  EXPECT_NE(first.pop.state, second.pop.state) << "the two strategies should differ";
}

// The passes over the slots skip blocks of 64 without a present youth, so every block's count
// must follow each arrival and departure. Many more arrive at 18 than are 12 here, so the slots
// kept for the arrivals leave whole blocks empty while a class is under 18. Careers and
// enforcement skip blocks without a runner, dealer, detained or released youth: that count must
// follow every change of state (youths drift into dealing, are arrested and released here).
TEST(Ageing, EveryBlocksCountOfPresentYouthsFollowsArrivalsAndDepartures) {
  auto p = quiet_params();
  p.onset.onset_hazard = 0.05;
  p.recruitment.entry_hazard = 0.5;
  p.enforcement.runner_arrest_hazard = 0.05;
  p.networks.youth_places = 200;
  World w = build_world(p, {{"North", 600, 3600, 0.2, 2}, {"South", 300, 1800, 0.3, 1}}, 0);
  int weeks_with_empty_blocks = 0, changed = 0, held_youths = 0;
  auto counts = w.pop.present_in_block;
  for (int k = 0; k < 60; ++k) {
    step(w);
    std::vector<std::uint8_t> recount(counts.size(), 0), held(counts.size(), 0);
    for (std::size_t i = 0; i < w.pop.size(); ++i) {
      recount[i / Population::kBlockSlots] += w.pop.state[i] != State::vacant;
      held[i / Population::kBlockSlots] +=
          w.pop.state[i] >= State::runner && w.pop.state[i] <= State::released;
    }
    ASSERT_EQ(w.pop.present_in_block, recount) << "week " << w.week;
    ASSERT_EQ(w.pop.held_in_block, held) << "week " << w.week;
    held_youths += std::accumulate(held.begin(), held.end(), 0);
    weeks_with_empty_blocks += std::count(recount.begin(), recount.end(), 0) > 0;
    changed += recount != counts;
    counts = recount;
    for (std::int64_t b = 0; b < static_cast<std::int64_t>(w.pop.size()); b += 64)
      ASSERT_EQ(w.pop.block_vacant(b), recount[b / 64] == 0);
  }
  EXPECT_EQ(weeks_with_empty_blocks, 60);
  EXPECT_GT(changed, 10) << "arrivals and departures change the counts from week to week";
  EXPECT_GT(held_youths, 0) << "youths in the market or detention should be counted";
}

TEST(Ageing, SchoolAndFriendshipTiesJoinOnlyYouthsOfOneClass) {
  auto p = quiet_params();
  World w = build_world(p, unequal_bands(), 0);
  for (int k = 0; k < 2 * 52 + 7; ++k) step(w);
  std::size_t ties = 0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (!present(w, i)) continue;
    const int c = w.pop.cohort[i];
    for (const auto* csr : {&w.ties.school[c], &w.ties.friendship[c]}) {
      for (auto j : csr->row(i)) {
        if (!present(w, j)) continue;
        ++ties;
        // Same cohort, and born in the same school year: at most one year apart, and the older
        // has had its birthday this school year while the younger has not.
        ASSERT_EQ(w.pop.cohort[j], c);
        ASSERT_LE(std::abs(w.pop.age[i] - w.pop.age[j]), 1) << i << " - " << j;
        if (w.pop.age[i] != w.pop.age[j]) {
          const auto older = w.pop.age[i] > w.pop.age[j] ? i : j;
          const auto younger = older == i ? j : i;
          EXPECT_LT(w.birthday_of(older), w.birthday_of(younger));
        }
      }
    }
  }
  EXPECT_GT(ties, 1000u);
}

// Employment changes only through the week's job flows, which are nearly independent Poisson
// counts (finding, loss, and employed youths leaving the city): the change of the city-wide
// employed stock from one week to the next is their sum with signs, with variance about the
// mean number of these events per week. Over 156 weeks at 5 SD the chance of a false alarm is
// 156 x 5.7e-7, about 1e-4. Under yearly ageing, the whole employed class of 27-year-olds
// (about 160 here: 200 youths of whom about 80% work) would leave in one week, against a bound
// of about 30.
TEST(Ageing, NoWeekToWeekJumpInTheEmployedStockBeyondItsNoise) {
  Parameters p = quiet_params();
  p.labour = Parameters{}.labour;    // default labour market, youth jobs included
  p.simulation.burn_in_weeks = 260;  // employment reaches its level (time scale 40 weeks)
  World w = build_world(p, two_areas(), 0);
  while (w.week < 0) step(w);
  std::vector<double> change, events;
  auto employed = city_tally(w, Tally::employed);
  for (int k = 0; k < 156; ++k) {
    const auto jobs = w.pop.job;
    step(w);
    double n = 0;
    for (const auto& e : w.events) {
      n += e.kind == EventKind::job_found || e.kind == EventKind::job_lost ||
           (e.kind == EventKind::left && jobs[e.agent] != Job::none);
    }
    const auto now = city_tally(w, Tally::employed);
    change.push_back(static_cast<double>(now - employed));
    events.push_back(n);
    employed = now;
  }
  double mean_change = 0, mean_events = 0;
  for (std::size_t k = 0; k < change.size(); ++k) {
    mean_change += change[k] / change.size();
    mean_events += events[k] / events.size();
  }
  ASSERT_GT(mean_events, 10) << "a labour market with flows every week";
  const double bound = 5 * std::sqrt(mean_events);
  for (std::size_t k = 0; k < change.size(); ++k) {
    EXPECT_LE(std::abs(change[k] - mean_change), bound)
        << "week " << k << ": employed changed by " << change[k] << " (mean " << mean_change
        << ", bound " << bound << ")";
  }
}

TEST(Ageing, EveryAgeOfEveryAreaKeepsItsDataSizeInEveryWeek) {
  auto p = quiet_params();
  p.onset.onset_hazard = 0.05;
  p.networks.youth_places = 50;
  p.recruitment.entry_hazard = 0.1;
  p.careers.desistance_hazard = 0.02;
  p.enforcement.runner_arrest_hazard = 0.02;
  World w = build_world(p, unequal_bands(), 0);
  const auto want = expected_counts(w);
  std::vector<std::int64_t> area_total(2, 0);
  for (const auto& [key, n] : want) area_total[key.first] += n;
  EXPECT_EQ(area_total[0], 6 * 100 + 10 * 120);
  EXPECT_EQ(area_total[1], 6 * 100 + 10 * 80);
  // Birthdays are shared by the classes that hold a position, so every single year of age of
  // every area keeps its size in every week, not only on average.
  for (int k = 0; k < 3 * 52 + 1; ++k) {
    step(w);
    for (int a = 0; a < 2; ++a) {
      std::int64_t youths_in_area = 0;
      for (int s = 0; s < kStateCount; ++s) youths_in_area += w.tally(a, static_cast<Tally>(s));
      ASSERT_EQ(youths_in_area, area_total[a]) << "week " << k << " area " << a;
    }
    ASSERT_EQ(counts_by_area_and_age(w), want) << "week " << k;
    // Exposure counts, kept incrementally through turnover and the yearly re-forming of the
    // class turning 18, equal a recount (every week around a school-year start).
    const int day = week_of_school_year(w.week - 1);
    if (k % 13 == 0 || day <= 1 || day == 51) {
      EXPECT_TRUE(consistent(w)) << "week " << k;
    }
  }
}

}  // namespace
}  // namespace drift

namespace drift {
namespace {

// Exponents for the tests of the hazards' exponential: random floats over its range and beyond,
// and the edge cases (the clamps' ends and their neighbours, zeros, infinities, NaN, subnormals).
std::vector<float> exponents_to_test(std::uint64_t seed, int n) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<float> in_range(detail::kMinExponent, detail::kMaxExponent),
      near_zero(-1.0f, 1.0f), beyond(-200.0f, 200.0f);
  std::vector<float> x;
  for (float edge : {detail::kMinExponent, detail::kMaxExponent, 0.0f, -0.0f, 1.0f, -1.0f}) {
    x.push_back(edge);
    x.push_back(std::nextafter(edge, 1000.0f));
    x.push_back(std::nextafter(edge, -1000.0f));
  }
  for (float edge :
       {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
        std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::denorm_min(),
        std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest()})
    x.push_back(edge);
  while (static_cast<int>(x.size()) < n) {
    const auto k = x.size();
    x.push_back(k % 10 == 0 ? beyond(gen) : k % 3 == 0 ? near_zero(gen) : in_range(gen));
  }
  return x;
}

// hazard_exp() is e^x to a relative 2^-22 over its range (the float std::exp gives is within
// 2^-24), clamps the exponent beyond it (no infinity, no zero: the clocks keep finite values) and
// keeps NaN.
TEST(VectorKernels, TheHazardExponentialIsWithinTwoToTheMinus22OfTheExponentialAndClampsBeyond) {
  const auto x = exponents_to_test(20261201, 2'000'000);
  double worst = 0.0;
  for (float v : x) {
    const float e = detail::hazard_exp(v);
    if (std::isnan(v)) {
      ASSERT_TRUE(std::isnan(e));
      continue;
    }
    const float clamped = std::clamp(v, detail::kMinExponent, detail::kMaxExponent);
    const double want = std::exp(static_cast<double>(clamped));
    ASSERT_TRUE(std::isnormal(e)) << "x " << v;
    worst = std::max(worst, std::fabs(e / want - 1.0));
    ASSERT_LT(std::fabs(e / want - 1.0), std::ldexp(1.0, -22)) << "x " << v;
    if (v != clamped) {
      ASSERT_EQ(e, detail::hazard_exp(clamped)) << "x " << v;
    }
  }
  EXPECT_EQ(detail::hazard_exp(0.0f), 1.0f);
  EXPECT_EQ(detail::hazard_exp(-0.0f), 1.0f);
  EXPECT_GT(worst, 0.0);  // it is an approximation: the test would see an error if there were one
}

#ifdef DRIFT_AVX512_KERNELS
[[DRIFT_AVX512BW]] void exp16_lanes(const float* x, float* e, int n) {
  for (int k = 0; k + 16 <= n; k += 16)
    _mm512_storeu_ps(e + k, detail::hazard_exp16(_mm512_loadu_ps(x + k)));
}

// hazard_exp16() gives hazard_exp()'s float in every lane, bit for bit, edge cases included:
// the AVX-512 kernels and the plain ones give the same hazards.
TEST(VectorKernels, TheSixteenLaneExponentialGivesTheScalarFloatsLaneByLane) {
  if (!detail::has_avx512bw()) GTEST_SKIP() << "the AVX-512 kernels are not taken here";
  const auto x = exponents_to_test(20261202, 4'000'000);
  std::vector<float> e(x.size());
  exp16_lanes(x.data(), e.data(), static_cast<int>(x.size()));
  for (std::size_t k = 0; k + 16 <= x.size(); ++k) {
    const float want = detail::hazard_exp(x[k]);
    if (std::isnan(want)) {
      ASSERT_TRUE(std::isnan(e[k])) << "x " << x[k];
      continue;
    }
    ASSERT_EQ(std::bit_cast<std::uint32_t>(e[k]), std::bit_cast<std::uint32_t>(want))
        << "x " << x[k] << ": " << e[k] << " against " << want;
  }
}
#endif

}  // namespace
}  // namespace drift

namespace drift {
namespace {

// The bit masks through which the processes visit the slots a block kernel marked (64 slots with
// SSE2, a shorter last block without): bit k set exactly when byte k is not 0.
TEST(BlockMasks, NonzeroMaskSetsTheBitOfEveryNonzeroByteInFullAndShortBlocks) {
  std::mt19937_64 gen(7);
  for (int len : {64, 63, 17, 1}) {
    for (int rep = 0; rep < 200; ++rep) {
      std::uint8_t bytes[64] = {};
      std::uint64_t expected = 0;
      for (int k = 0; k < len; ++k) {
        // Mostly zero, and every nonzero value from 1 to 255 possible (128 and up included).
        bytes[k] = gen() % 4 == 0 ? static_cast<std::uint8_t>(1 + gen() % 255) : 0;
        if (bytes[k] != 0) expected |= std::uint64_t{1} << k;
      }
      ASSERT_EQ(detail::nonzero_mask(bytes, len), expected) << "length " << len;
      ASSERT_EQ(detail::mask_positions(expected, bytes), std::popcount(expected));
    }
  }
}

}  // namespace
}  // namespace drift
