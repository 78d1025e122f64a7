// The weekly processes, one group each, on small hand-built worlds with hand-checkable
// expectations. A constant weekly hazard h fires with probability 1 - exp(-h) in one week;
// shares are checked within 4 binomial standard deviations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "drift/step/build_world.hpp"
#include "drift/step/processes.hpp"
#include "drift/step/step.hpp"
#include "step/lifecycle.hpp"

namespace drift {
namespace {

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
  p.relapse.released_hazard = 0;
  p.relapse.desisted_hazard = 0;
  p.relapse.age_log_hr = 0;
  p.labour.job_finding_hazard = 0;
  p.labour.job_loss_hazard = 0;
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
  EXPECT_NEAR(onset_hazard(w, i), 0.002 * std::exp(4.0 * 0.25 + 0.5 * -1.5 + 0.4), 1e-12);
  w.pop.low_income[i] = 0;
  EXPECT_NEAR(onset_hazard(w, i), 0.002 * std::exp(4.0 * 0.25 + 0.5 * -1.5), 1e-12);
  w.mult.onset[i] = 0.5f;
  EXPECT_NEAR(onset_hazard(w, i), 0.5 * 0.002 * std::exp(4.0 * 0.25 + 0.5 * -1.5), 1e-12);
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
  EXPECT_NEAR(recovery_hazard(w, i), 0.01 * std::exp(-1.0), 1e-12);
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
  EXPECT_NEAR(entry_hazard(w, i), base * std::exp(0.593 * 1.3), 1e-12);
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
  EXPECT_NEAR(entry_hazard(w, pupil), 0.004 * 0.5 * std::exp(2.0 * 0.5 + 0.678 + 0.3 + 0.593 * 0.9),
              1e-12);
  w.pop.dealing_friends[i] = 4;  // exposure 4.3, capped at 2
  EXPECT_NEAR(entry_hazard(w, i), base * std::exp(0.593 * 2.0), 1e-12);
  detail::set_job(w, i, Job::ordinary);  // prospects: no unemployment term
  EXPECT_NEAR(entry_hazard(w, i), base / std::exp(0.262) * std::exp(0.593 * 2.0), 1e-12);
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
  p.enforcement.detention_weeks_mean = 6;
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
  p.enforcement.detention_weeks_mean = 12;
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
  w.mult.vog_blocked[i] = 0.5f;
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
  w.mult.active = true;
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
  p.enforcement.detention_weeks_mean = 3;
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
  // 101 youths per year and district: 3232 slots, not a whole number of 64-slot blocks.
  World w = build_world(p, two_areas(606, 909), 0);
  // A year on, the new 18-year-olds keep ties to their former schoolmates.
  w.week = w.first_week + 52;
  age_and_turn_over(w);
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
    if (k % 4 < 2) {
      // Current for everyone, or only from 23 (four-year look-back) for the second kind.
      w.pop.last_arrest_week[i] = w.week - (k % 4 == 0 ? 50 : 150);
      ++w.tally(w.pop.area[i], Tally::record);
    }
  }
  if (multipliers) {
    w.mult.active = true;
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
    EXPECT_FLOAT_EQ(after, left) << "slot " << i << " hazard " << hazard;
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
  enforce(w);
  Ticks t;
  for (auto i : youths(w)) {
    if (!is_dealing(before.state[i])) continue;
    expect_tick(before.clock_c[i], w.pop.clock_c[i], h[i], w.pop.state[i] != State::detained, t, i);
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

TEST_P(HazardsApplied, LabourMarketTicksByJobFindingHazardAndJobLoss) {
  World w = mixed_world(GetParam());
  const auto before = w.pop;
  const auto& l = w.params.labour;
  std::vector<double> h(w.pop.size(), 0.0);
  std::vector<std::uint8_t> seeking(w.pop.size(), 0);
  int with_record = 0;
  for (auto i : youths(w)) {
    if (before.state[i] == State::detained || before.age[i] < l.working_age) continue;
    seeking[i] = 1;
    h[i] = before.job[i] == Job::none ? job_finding_hazard(w, i) : l.job_loss_hazard;
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

TEST_P(HazardsApplied, MixedWorldIsConsistent) {
  const World w = mixed_world(GetParam());
  EXPECT_TRUE(consistent(w));
}

INSTANTIATE_TEST_SUITE_P(Multipliers, HazardsApplied, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Active" : "None"; });

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

TEST(Ageing, NothingAgesBeforeAYearHasPassedAndEveryoneAgesAfter) {
  World w = build_world(quiet_params(), unequal_bands(), 0);
  const auto age0 = w.pop.age;
  const auto state0 = w.pop.state;
  for (int k = 0; k < 52; ++k) step(w);
  EXPECT_EQ(w.pop.age, age0);
  step(w);  // week 52 of the run: a year has passed
  const int max_age = w.params.population.max_age;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (state0[i] == State::vacant || !present(w, i) || age0[i] == max_age) continue;
    EXPECT_EQ(w.pop.age[i], age0[i] + 1) << i;
  }
  for (int k = 0; k < 51; ++k) step(w);
  EXPECT_EQ(counts_by_area_and_age(w), expected_counts(w));
  const auto age1 = w.pop.age;
  const auto state1 = w.pop.state;
  step(w);  // the second birthday
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (state1[i] == State::vacant || !present(w, i) || age1[i] == max_age) continue;
    if (age1[i] + 1 == w.pop.age[i]) continue;
    ADD_FAILURE() << "slot " << i << " aged from " << int(age1[i]) << " to " << int(w.pop.age[i]);
  }
}

TEST(Ageing, OldestCohortIsReplacedByNewcomersAtMinAge) {
  auto p = quiet_params();
  p.networks.youth_places = 5000;
  World w = build_world(p, unequal_bands(), 0);
  const auto& pp = p.population;
  const int oldest = w.cohorts() - 1;  // aged max_age when built
  const auto first = w.cohort_begin[oldest], last = w.cohort_begin[oldest + 1];
  // Some of the leavers are dealing, with a record and a job.
  for (auto i = first; i < last; i += 3) {
    if (!present(w, i)) continue;
    ASSERT_TRUE(put(w, i, State::dealer));
    w.pop.last_arrest_week[i] = w.week;
    ++w.tally(w.pop.area[i], Tally::record);
    detail::set_job(w, i, Job::ordinary);
  }
  ASSERT_TRUE(consistent(w));
  const auto risk_before = w.pop.risk;
  w.week = w.first_week + 52;
  begin_week(w);
  age_and_turn_over(w);
  std::vector<int> newcomers(2, 0);
  int same_risk = 0;
  for (auto i = first; i < last; ++i) {
    if (!present(w, i)) continue;
    ++newcomers[w.pop.area[i]];
    EXPECT_EQ(w.pop.age[i], pp.min_age);
    EXPECT_EQ(w.pop.state[i], State::uninvolved);
    EXPECT_EQ(w.pop.job[i], Job::none);
    EXPECT_EQ(w.pop.last_arrest_week[i], kNever);
    EXPECT_EQ(w.pop.ever_dealt[i], 0);
    EXPECT_NE(w.pop.school[i], kNoSchool);
    same_risk += w.pop.risk[i] == risk_before[i];
  }
  EXPECT_EQ(newcomers[0], 100);  // the 12-17 band: 600 / 6
  EXPECT_EQ(newcomers[1], 100);
  EXPECT_EQ(same_risk, 0) << "newcomers draw their own traits";
  for (std::size_t n = 0; n < w.networks.count(); ++n) EXPECT_EQ(w.networks.members[n], 0u);
  EXPECT_EQ(city_tally(w, Tally::record), 0);
  EXPECT_EQ(city_tally(w, Tally::employed), 0);
  EXPECT_TRUE(consistent(w));
  // The newcomers' school and friendship ties were rebuilt among themselves.
  std::size_t ties = 0;
  for (auto i = first; i < last; ++i) {
    for (auto j : w.ties.school[oldest].row(i)) {
      ++ties;
      EXPECT_EQ(w.pop.school[i], w.pop.school[j]);
      EXPECT_TRUE(present(w, j));
    }
  }
  EXPECT_GT(ties, 0u);
}

TEST(Ageing, ArrivalsAndDeparturesAt18BringTheBlockToItsAdultSize) {
  auto p = quiet_params();
  World w = build_world(p, unequal_bands(), 0);
  const int nareas = 2;
  const int c17 = kAdultBandAge - 1 - p.population.min_age;  // cohort aged 17 when built
  const auto risk_before = w.pop.risk;
  const auto state_before = w.pop.state;
  w.week = w.first_week + 52;
  age_and_turn_over(w);
  for (int a = 0; a < nareas; ++a) {
    const auto b = static_cast<std::size_t>(c17) * nareas + a;
    const auto begin = w.block_begin[b], end = w.block_begin[b + 1];
    int count = 0, stayers = 0, arrivals = 0;
    for (auto i = begin; i < end; ++i) {
      if (!present(w, i)) continue;
      ++count;
      EXPECT_EQ(w.pop.age[i], kAdultBandAge);
      if (state_before[i] != State::vacant) {
        ++stayers;
        EXPECT_EQ(w.pop.risk[i], risk_before[i]) << "a stayer keeps its traits";
      } else {
        ++arrivals;
        EXPECT_EQ(w.pop.state[i], State::uninvolved);
        EXPECT_EQ(w.pop.school[i], kNoSchool) << "arrivals at 18 are past school";
      }
    }
    EXPECT_EQ(count, a == 0 ? 120 : 80) << "area " << a;
    EXPECT_EQ(stayers, a == 0 ? 100 : 80) << "area " << a;
    EXPECT_EQ(arrivals, a == 0 ? 20 : 0) << "area " << a;
  }
  EXPECT_EQ(counts_by_area_and_age(w), expected_counts(w));
  EXPECT_TRUE(consistent(w));
}

TEST(Ageing, TotalsPerAreaStayEqualToTheAreaDataOverThreeYears) {
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
  for (int k = 0; k < 3 * 52 + 1; ++k) {
    step(w);
    for (int a = 0; a < 2; ++a) {
      std::int64_t youths_in_area = 0;
      for (int s = 0; s < kStateCount; ++s) youths_in_area += w.tally(a, static_cast<Tally>(s));
      ASSERT_EQ(youths_in_area, area_total[a]) << "week " << k << " area " << a;
    }
    if (k % 52 == 0) {
      EXPECT_EQ(counts_by_area_and_age(w), want) << "week " << k;
      EXPECT_TRUE(consistent(w)) << "week " << k;
    }
  }
}

}  // namespace
}  // namespace drift
