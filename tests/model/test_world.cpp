// A built world: ties, networks, tallies and exposure counts, and their consistency over time.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "drift/model/world.hpp"
#include "drift/step/build_world.hpp"
#include "drift/step/processes.hpp"
#include "drift/step/step.hpp"
#include "step/lifecycle.hpp"

namespace drift {
namespace {

std::vector<AreaSpec> small_areas() {
  return {
      {"A", 100, 200, 0.10, 1},
      {"B", 151, 100, 0.30, 2},
      {"C", 33, 40.5, 0.20, 0},
      {"D", 60, 90, 0.25, 1},
  };
}

Parameters small_params(double scale = 1.0) {
  Parameters p;
  p.simulation.population_scale = scale;
  p.simulation.burn_in_weeks = 0;
  p.networks.count = 6;
  return p;
}

bool present(const World& w, std::uint32_t i) {
  return w.pop.state[i] != State::vacant;
}

int count_if_dealing(const World& w) {
  int n = 0;
  for (auto s : w.pop.state) n += is_dealing(s);
  return n;
}

// Recounts every incrementally kept quantity from the arrays and the ties.
::testing::AssertionResult consistent(const World& w) {
  const auto& p = w.pop;
  const int nareas = static_cast<int>(w.areas.size());
  std::vector<std::int64_t> stock(static_cast<std::size_t>(nareas) * kTallyCount, 0);
  auto at = [&](int a, Tally t) -> std::int64_t& {
    return stock[static_cast<std::size_t>(a) * kTallyCount + static_cast<int>(t)];
  };
  std::vector<std::uint32_t> members(w.networks.count(), 0), dealers(w.networks.count(), 0);
  for (std::uint32_t i = 0; i < p.size(); ++i) {
    if (!present(w, i)) continue;
    const int a = p.area[i];
    ++at(a, static_cast<Tally>(p.state[i]));
    if (p.job[i] != Job::none) ++at(a, Tally::employed);
    if (p.job[i] == Job::status) ++at(a, Tally::status_job);
    if (p.last_arrest_week[i] != kNever) ++at(a, Tally::record);
    if (is_dealing(p.state[i])) {
      if (p.network[i] == kNoNetwork)
        return ::testing::AssertionFailure() << "dealing youth " << i << " has no network";
      ++members[p.network[i]];
      if (p.state[i] == State::dealer) ++dealers[p.network[i]];
    } else if (p.network[i] != kNoNetwork) {
      return ::testing::AssertionFailure()
             << "youth " << i << " not dealing but in network " << p.network[i];
    }
  }
  for (int a = 0; a < nareas; ++a) {
    for (int t = 0; t < kFirstFlowTally; ++t) {
      if (w.tally(a, static_cast<Tally>(t)) != at(a, static_cast<Tally>(t))) {
        return ::testing::AssertionFailure()
               << "week " << w.week << " area " << a << " tally " << t << ": kept "
               << w.tally(a, static_cast<Tally>(t)) << ", recount " << at(a, static_cast<Tally>(t));
      }
    }
  }
  for (std::size_t n = 0; n < w.networks.count(); ++n) {
    if (w.networks.members[n] != members[n] || w.networks.dealers[n] != dealers[n]) {
      return ::testing::AssertionFailure()
             << "week " << w.week << " network " << n << ": members " << w.networks.members[n]
             << " vs " << members[n] << ", dealers " << w.networks.dealers[n] << " vs "
             << dealers[n];
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
             << "week " << w.week << " slot " << i << " exposure kept (" << p.dealing_neighbours[i]
             << "," << p.dealing_schoolmates[i] << "," << p.dealing_friends[i] << "), recount ("
             << nb << "," << sc << "," << fr << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

// --- ties ---------------------------------------------------------------------------------------

// School and friendship ties join members of one class: present youths, and members who arrive
// later in the school year (or, at 18, have left) and so are not present now.
TEST(WorldTies, SchoolTiesJoinPupilsOfOneSchoolAndClass) {
  const World w = build_world(small_params(3.0), small_areas(), 0);
  std::size_t ties = 0;
  for (int c = 0; c < w.cohorts(); ++c) {
    const Csr& csr = *w.ties.school[c];
    ASSERT_EQ(csr.first, w.cohort_begin[c]);
    ASSERT_EQ(csr.rows(), w.cohort_begin[c + 1] - w.cohort_begin[c]);
    for (auto i = w.cohort_begin[c]; i < w.cohort_begin[c + 1]; ++i) {
      for (auto j : csr.row(i)) {
        ++ties;
        if (present(w, i) && present(w, j)) {
          EXPECT_LE(std::abs(w.pop.age[i] - w.pop.age[j]), 1) << i << "-" << j;
        }
        EXPECT_EQ(w.pop.cohort[j], c);
        ASSERT_NE(w.pop.school[i], kNoSchool);
        EXPECT_EQ(w.pop.school[i], w.pop.school[j]) << i << "-" << j;
      }
    }
  }
  EXPECT_GT(ties, 0u);
}

TEST(WorldTies, FriendshipTiesJoinYouthsOfOneClass) {
  const World w = build_world(small_params(3.0), small_areas(), 0);
  std::size_t ties = 0, cross_area = 0;
  for (int c = 0; c < w.cohorts(); ++c) {
    const Csr& csr = *w.ties.friendship[c];
    ASSERT_EQ(csr.first, w.cohort_begin[c]);
    ASSERT_EQ(csr.rows(), w.cohort_begin[c + 1] - w.cohort_begin[c]);
    for (auto i = w.cohort_begin[c]; i < w.cohort_begin[c + 1]; ++i) {
      for (auto j : csr.row(i)) {
        ++ties;
        cross_area += w.pop.area[i] != w.pop.area[j];
        if (present(w, i) && present(w, j)) {
          EXPECT_LE(std::abs(w.pop.age[i] - w.pop.age[j]), 1) << i << "-" << j;
        }
        EXPECT_EQ(w.pop.cohort[i], w.pop.cohort[j]);
      }
    }
  }
  EXPECT_GT(ties, 0u);
  EXPECT_GT(cross_area, 0u);  // city-wide friendships exist
}

TEST(WorldTies, NeighbourhoodTiesStayWithinADistrict) {
  const World w = build_world(small_params(3.0), small_areas(), 0);
  ASSERT_EQ(w.ties.neighbourhood.rows(), w.pop.size());
  std::size_t cross_cohort = 0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    for (auto j : w.ties.neighbourhood.row(i)) {
      ASSERT_EQ(w.pop.area[i], w.pop.area[j]) << i << "-" << j;
      cross_cohort += w.pop.cohort[i] != w.pop.cohort[j];
    }
  }
  EXPECT_GT(cross_cohort, 0u);  // neighbours of any age
}

// Mean degree: each youth draws Poisson(degree / 2) ties, so the ends total 2 * Poisson(N d / 2),
// whose mean per youth has SD sqrt(2 d / N). Self-ties and repeats are dropped, which lowers the
// mean by at most about d (d + 1) / pool for the smallest pool a youth draws from.
void expect_mean_degree(double mean, double degree, double n, double smallest_pool,
                        const char* what) {
  const double sd = std::sqrt(2.0 * degree / n);
  EXPECT_LE(mean, degree + 4 * sd) << what;
  EXPECT_GE(mean, degree - degree * (degree + 1) / smallest_pool - 4 * sd) << what;
}

TEST(WorldTies, MeanDegreesFollowTheParameters) {
  auto p = small_params(10.0);
  p.ties.neighbourhood_degree = 8;
  p.ties.school_degree = 6;
  p.ties.friend_degree = 4;
  p.ties.friend_same_school_share = 0;  // friends from the cohort of the district or the city
  p.ties.friend_same_district_share = 0;
  const World w = build_world(p, small_areas(), 0);
  double slots = w.pop.size(), youths = 0, pupils = 0, nb = 0, sc = 0, fr = 0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    nb += w.ties.neighbourhood.row(i).size();
    if (!present(w, i)) continue;
    ++youths;
    fr += w.ties.friendship[w.pop.cohort[i]].row(i).size();
    if (w.pop.school[i] != kNoSchool) {
      ++pupils;
      sc += w.ties.school[w.pop.cohort[i]].row(i).size();
    }
  }
  // Smallest pools: district slots (C: 16 cohorts x 55), a school's cohort (~50), a city cohort.
  expect_mean_degree(nb / slots, 8, slots, 16 * 55, "neighbourhood");
  expect_mean_degree(sc / pupils, 6, pupils, 50, "school");
  expect_mean_degree(fr / youths, 4, youths, 300, "friendship");
}

TEST(WorldTies, ZeroDegreesGiveNoTies) {
  auto p = small_params();
  p.ties.neighbourhood_degree = 0;
  p.ties.school_degree = 0;
  p.ties.friend_degree = 0;
  const World w = build_world(p, small_areas(), 0);
  EXPECT_EQ(w.ties.tie_ends(), 0u);
}

TEST(WorldTies, FriendsAreCloserInRiskWithMoreCandidates) {
  // Homophily: befriending the closest of several candidates narrows the risk gap.
  struct Gap {
    double mean;
    double ties;
  };
  auto gap = [](int candidates) {
    auto p = small_params(5.0);
    p.ties.friend_risk_candidates = candidates;
    const World w = build_world(p, small_areas(), 0);
    double sum = 0, n = 0;
    for (int c = 0; c < w.cohorts(); ++c) {
      for (auto i = w.cohort_begin[c]; i < w.cohort_begin[c + 1]; ++i) {
        for (auto j : w.ties.friendship[c].row(i)) {
          sum += std::abs(w.pop.risk[i] - w.pop.risk[j]);
          ++n;
        }
      }
    }
    return Gap{sum / n, n / 2};
  };
  // With one candidate the gap of two independent N(0,1) draws has mean 2/sqrt(pi) and SD
  // sqrt(2 - 4/pi); ties sharing a youth are correlated, so count half the ties as independent.
  const auto random_gap = gap(1);
  const double sd = std::sqrt(2 - 4 / std::numbers::pi) / std::sqrt(random_gap.ties / 2);
  EXPECT_NEAR(random_gap.mean, 2 / std::sqrt(std::numbers::pi), 4 * sd);
  // The closest of five has an expected gap of about 0.37 (a third of 1.13).
  EXPECT_LT(gap(5).mean, 0.5 * random_gap.mean);
}

// --- tallies and exposure
// -------------------------------------------------------------------------

TEST(WorldTallies, EqualARecountWhenBuilt) {
  const World w = build_world(small_params(), small_areas(), 0);
  EXPECT_TRUE(consistent(w));
  for (std::size_t a = 0; a < w.areas.size(); ++a) {
    for (int t = kFirstFlowTally; t < kTallyCount; ++t)
      EXPECT_EQ(w.tally(static_cast<int>(a), static_cast<Tally>(t)), 0);
  }
}

TEST(WorldTallies, FollowStateChangesMadeThroughSetState) {
  World w = build_world(small_params(), small_areas(), 0);
  std::vector<std::uint32_t> youths;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (present(w, i)) youths.push_back(i);
  }
  const State cycle[] = {State::at_risk, State::detained, State::released, State::desisted,
                         State::uninvolved};
  for (std::size_t k = 0; k < youths.size(); k += 3) detail::set_state(w, youths[k], cycle[k % 5]);
  EXPECT_TRUE(consistent(w));
  detail::set_job(w, youths[1], Job::status);
  detail::set_job(w, youths[2], Job::ordinary);
  EXPECT_TRUE(consistent(w));
  detail::set_job(w, youths[1], Job::ordinary);
  EXPECT_TRUE(consistent(w));
}

TEST(WorldExposure, CountsFollowYouthsStartingAndStoppingDealing) {
  auto p = small_params(2.0);
  p.networks.youth_places = 1000;  // room for everyone
  World w = build_world(p, small_areas(), 0);
  EXPECT_TRUE(consistent(w));
  std::vector<std::uint32_t> dealing;
  for (std::uint32_t i = 0; i < w.pop.size(); i += 7) {
    if (!present(w, i)) continue;
    detail::set_state(w, i, State::at_risk);
    ASSERT_TRUE(detail::join_network(w, i));
    detail::set_state(w, i, State::runner);
    dealing.push_back(i);
  }
  ASSERT_GT(dealing.size(), 50u);
  ASSERT_TRUE(consistent(w));
  std::size_t exposed = 0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) exposed += w.pop.dealing_neighbours[i] > 0;
  EXPECT_GT(exposed, 0u);
  for (std::size_t k = 0; k < dealing.size(); k += 2)
    detail::set_state(w, dealing[k], State::dealer);
  ASSERT_TRUE(consistent(w));
  for (std::size_t k = 0; k < dealing.size(); k += 3)
    detail::set_state(w, dealing[k], State::detained);
  ASSERT_TRUE(consistent(w));
  for (auto i : dealing) detail::leave(w, i);
  ASSERT_TRUE(consistent(w));
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    EXPECT_EQ(w.pop.dealing_neighbours[i] + w.pop.dealing_schoolmates[i] + w.pop.dealing_friends[i],
              0)
        << i;
  }
  for (std::size_t n = 0; n < w.networks.count(); ++n) EXPECT_EQ(w.networks.members[n], 0u);
}

TEST(WorldExposure, WeightedExposureCountsSchoolmatesOnlyAtSchool) {
  const auto p = small_params();
  World w = build_world(p, small_areas(), 0);
  std::uint32_t pupil = 0, leaver = 0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (!present(w, i)) continue;
    if (w.at_school(i))
      pupil = i;
    else
      leaver = i;
  }
  for (auto i : {pupil, leaver}) {
    w.pop.dealing_neighbours[i] = 2;
    w.pop.dealing_schoolmates[i] = 3;
    w.pop.dealing_friends[i] = 5;
  }
  const auto& t = p.ties;
  EXPECT_DOUBLE_EQ(w.weighted_exposure(pupil),
                   2 * t.neighbourhood_weight + 3 * t.school_weight + 5 * t.friend_weight);
  EXPECT_DOUBLE_EQ(w.weighted_exposure(leaver), 2 * t.neighbourhood_weight + 5 * t.friend_weight);
}

TEST(WorldRecord, CountsAsCurrentForTheLookbackOfTheYouthsAge) {
  const auto p = small_params();
  World w = build_world(p, small_areas(), 0);
  w.week = 500;
  std::uint32_t young = 0, old = 0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (!present(w, i)) continue;
    if (w.pop.age[i] == 20) young = i;
    if (w.pop.age[i] == 25) old = i;
  }
  ASSERT_NE(young, 0u);
  ASSERT_NE(old, 0u);
  EXPECT_FALSE(w.has_current_record(young));
  const int short_lb = p.enforcement.record_lookback_weeks_young;  // under 23
  const int long_lb = p.enforcement.record_lookback_weeks;
  w.pop.last_arrest_week[young] = w.week - short_lb + 1;
  EXPECT_TRUE(w.has_current_record(young));
  w.pop.last_arrest_week[young] = w.week - short_lb;
  EXPECT_FALSE(w.has_current_record(young));
  w.pop.last_arrest_week[old] = w.week - short_lb;
  EXPECT_TRUE(w.has_current_record(old));
  w.pop.last_arrest_week[old] = w.week - long_lb + 1;
  EXPECT_TRUE(w.has_current_record(old));
  w.pop.last_arrest_week[old] = w.week - long_lb;
  EXPECT_FALSE(w.has_current_record(old));
}

// --- networks -----------------------------------------------------------------------------------

TEST(WorldNetworks, CountAndTerritoriesFollowTheParameters) {
  auto p = small_params();
  p.networks.count = 25;
  p.networks.territory_districts = 3;
  const auto areas = small_areas();
  const World w = build_world(p, areas, 0);
  const auto& n = w.networks;
  ASSERT_EQ(n.count(), 25u);
  ASSERT_EQ(n.territory_begin.size(), 26u);
  for (std::size_t k = 0; k < n.count(); ++k) {
    std::set<int> seen;
    for (auto t = n.territory_begin[k]; t < n.territory_begin[k + 1]; ++t) {
      ASSERT_LT(n.territory_areas[t], areas.size());
      EXPECT_TRUE(seen.insert(n.territory_areas[t]).second)
          << "network " << k << " repeats an area";
    }
    EXPECT_EQ(seen.size(), 3u);
    EXPECT_EQ(n.members[k], 0u);
    EXPECT_EQ(n.dealers[k], 0u);
    EXPECT_EQ(n.capacity_factor[k], 1.0f);
    EXPECT_EQ(n.earnings_factor[k], 1.0f);
    // Of the places, the share market.replacement stays open when vacated (fixed places).
    EXPECT_EQ(n.fixed_capacity(k), std::floor(static_cast<float>(n.places[k]) *
                                              static_cast<float>(p.market.replacement)));
    EXPECT_EQ(n.open_places(k), static_cast<std::uint32_t>(n.fixed_capacity(k)));
  }
  // The area index lists exactly the networks whose territory holds the area.
  ASSERT_EQ(n.area_network_begin.size(), areas.size() + 1);
  for (std::size_t a = 0; a < areas.size(); ++a) {
    std::set<int> listed;
    for (auto k = n.area_network_begin[a]; k < n.area_network_begin[a + 1]; ++k)
      listed.insert(n.area_networks[k]);
    std::set<int> expected;
    for (std::size_t k = 0; k < n.count(); ++k) {
      for (auto t = n.territory_begin[k]; t < n.territory_begin[k + 1]; ++t) {
        if (n.territory_areas[t] == a) expected.insert(static_cast<int>(k));
      }
    }
    EXPECT_EQ(listed, expected) << "area " << a;
  }
}

TEST(WorldNetworks, TerritoryIsCappedAtTheNumberOfAreas) {
  auto p = small_params();
  p.networks.territory_districts = 10;
  const World w = build_world(p, small_areas(), 0);
  for (std::size_t k = 0; k < w.networks.count(); ++k) {
    EXPECT_EQ(w.networks.territory_begin[k + 1] - w.networks.territory_begin[k], 4u);
  }
}

TEST(WorldNetworks, AreasWithoutDeprivationAreNotChosenWhileOthersRemain) {
  auto areas = small_areas();
  areas[1].low_income_share = 0.0;  // B carries no weight
  auto p = small_params();
  p.networks.count = 200;
  p.networks.territory_districts = 3;  // three weighted areas remain
  const World w = build_world(p, areas, 0);
  for (auto a : w.networks.territory_areas) EXPECT_NE(a, 1);
  // With four districts wanted, B comes last.
  p.networks.territory_districts = 4;
  const World w4 = build_world(p, areas, 0);
  for (std::size_t k = 0; k < w4.networks.count(); ++k) {
    EXPECT_EQ(w4.networks.territory_areas[w4.networks.territory_begin[k] + 3], 1);
  }
}

TEST(WorldNetworks, HomeDistrictIsDrawnByDeprivationTimesYouths) {
  const std::vector<AreaSpec> areas = {{"X", 600, 900, 0.1, 1}, {"Y", 600, 900, 0.3, 1}};
  auto p = small_params(0.01);
  p.networks.count = 4000;
  p.networks.territory_districts = 1;
  const World w = build_world(p, areas, 0);
  double y = 0;
  for (auto a : w.networks.territory_areas) y += a == 1;
  const double q = 0.3 / 0.4;
  EXPECT_NEAR(y / 4000, q, 4 * std::sqrt(q * (1 - q) / 4000));
}

TEST(WorldNetworks, PlacesScaleWithPopulationAndRoundRandomly) {
  auto p = small_params(0.25);
  p.networks.count = 2000;
  p.networks.youth_places = 12.0;  // 3 places exactly
  const World w3 = build_world(p, small_areas(), 0);
  for (auto x : w3.networks.places) EXPECT_EQ(x, 3u);
  p.simulation.population_scale = 0.1;  // 1.2 places: 1 or 2, mean 1.2
  const World w = build_world(p, small_areas(), 0);
  double sum = 0;
  for (auto x : w.networks.places) {
    EXPECT_TRUE(x == 1 || x == 2) << x;
    sum += x;
  }
  EXPECT_NEAR(sum / 2000, 1.2, 4 * std::sqrt(0.2 * 0.8 / 2000));
}

TEST(WorldNetworks, NoNetworksGivesEmptyIndex) {
  auto p = small_params();
  p.networks.count = 0;
  const World w = build_world(p, small_areas(), 0);
  EXPECT_EQ(w.networks.count(), 0u);
  EXPECT_TRUE(w.networks.area_networks.empty());
  EXPECT_EQ(w.networks.area_network_begin, std::vector<std::uint32_t>(5, 0));
}

// --- determinism --------------------------------------------------------------------------------

void expect_identical(const World& a, const World& b) {
  ASSERT_EQ(a.pop.size(), b.pop.size());
  EXPECT_EQ(a.pop.area, b.pop.area);
  EXPECT_EQ(a.pop.age, b.pop.age);
  EXPECT_EQ(a.pop.school, b.pop.school);
  EXPECT_EQ(a.pop.low_income, b.pop.low_income);
  EXPECT_EQ(a.pop.risk, b.pop.risk);
  EXPECT_EQ(a.pop.attachment, b.pop.attachment);
  EXPECT_EQ(a.pop.attitude, b.pop.attitude);
  EXPECT_EQ(a.pop.state, b.pop.state);
  EXPECT_EQ(a.pop.clock_a, b.pop.clock_a);
  EXPECT_EQ(a.pop.clock_job, b.pop.clock_job);
  EXPECT_EQ(a.ties.neighbourhood->targets(), b.ties.neighbourhood->targets());
  EXPECT_EQ(a.ties.neighbourhood->block_start, b.ties.neighbourhood->block_start);
  EXPECT_EQ(a.ties.neighbourhood->within, b.ties.neighbourhood->within);
  for (int c = 0; c < a.cohorts(); ++c) {
    EXPECT_EQ(a.ties.school[c]->targets(), b.ties.school[c]->targets());
    EXPECT_EQ(a.ties.friendship[c]->targets(), b.ties.friendship[c]->targets());
  }
  EXPECT_EQ(a.networks.places, b.networks.places);
  EXPECT_EQ(a.networks.territory_areas, b.networks.territory_areas);
  EXPECT_EQ(a.tallies, b.tallies);
}

TEST(WorldDeterminism, SameReplicateGivesAnIdenticalWorld) {
  const auto p = small_params(2.0);
  const World a = build_world(p, small_areas(), 5);
  const World b = build_world(p, small_areas(), 5);
  expect_identical(a, b);
}

TEST(WorldDeterminism, DifferentReplicateOrSeedGivesDifferentTraitsAndTies) {
  auto p = small_params(2.0);
  const World a = build_world(p, small_areas(), 5);
  const World b = build_world(p, small_areas(), 6);
  EXPECT_NE(a.pop.risk, b.pop.risk);
  EXPECT_NE(a.pop.attachment, b.pop.attachment);
  EXPECT_NE(a.ties.neighbourhood->targets(), b.ties.neighbourhood->targets());
  // Same composition, though: birthdays differ, but every age of every area has its size.
  EXPECT_EQ(a.pop.area, b.pop.area);
  auto by_area_and_age = [](const World& w) {
    std::map<std::pair<int, int>, int> n;
    for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
      if (w.pop.state[i] != State::vacant) ++n[{w.pop.area[i], w.pop.age[i]}];
    }
    return n;
  };
  EXPECT_EQ(by_area_and_age(a), by_area_and_age(b));
  EXPECT_NE(a.birthday, b.birthday);
  p.simulation.seed += 1;
  const World c = build_world(p, small_areas(), 5);
  EXPECT_NE(a.pop.risk, c.pop.risk);
}

// The same world twice, to be stepped on one thread (first) and on two (second).
std::pair<World, World> on_one_and_two_threads(const Parameters& p, std::uint32_t replicate) {
  std::pair<World, World> worlds{build_world(p, small_areas(), replicate),
                                 build_world(p, small_areas(), replicate)};
  // Smaller worlds are stepped on one thread whatever w.threads says.
  EXPECT_GE(static_cast<std::int64_t>(worlds.first.pop.size()), detail::kMinParallelSlots);
  worlds.first.threads = 1;
  worlds.second.threads = 2;
  return worlds;
}

TEST(WorldDeterminism, ThreadCountDoesNotChangeTheWeeks) {
  auto p = small_params(10.0);
  p.onset.onset_hazard = 0.05;
  p.recruitment.entry_hazard = 0.2;
  p.enforcement.runner_arrest_hazard = 0.05;
  p.labour.job_finding_hazard = 0.05;
  auto [a, b] = on_one_and_two_threads(p, 1);
  // Few weeks: two threads are slow on a loaded machine.
  for (int k = 0; k < 30; ++k) {
    step(a);
    step(b);
  }
  EXPECT_EQ(a.pop.state, b.pop.state);
  EXPECT_EQ(a.pop.attitude, b.pop.attitude);
  EXPECT_EQ(a.pop.clock_a, b.pop.clock_a);
  EXPECT_EQ(a.pop.clock_job, b.pop.clock_job);
  EXPECT_EQ(a.pop.network, b.pop.network);
  EXPECT_EQ(a.tallies, b.tallies);
  EXPECT_GT(count_if_dealing(a), 0);
}

// With several threads each takes the birthdays of its own slots, and the commits of onset and of
// the labour market of its own chunks' decisions, with tallies and events put together
// afterwards; youths who leave while dealing leave after the others. A year of weeks (every
// birthday once), compared week by week with one thread: the same events in the same order, the
// same tallies, and in the end the same columns and network counts.
TEST(WorldDeterminism, TwoThreadsGiveTheEventsTalliesAndColumnsOfOneWeekByWeek) {
  auto p = small_params(10.0);
  p.onset.onset_hazard = 0.05;
  p.recruitment.entry_hazard = 0.5;
  p.careers.desistance_hazard = 0.0;
  p.labour.job_finding_hazard = 0.05;
  auto [a, b] = on_one_and_two_threads(p, 3);
  int dealing_leavers = 0, leavers = 0, arrivals = 0, jobs_found = 0, jobs_lost = 0;
  for (int k = 0; k < 53; ++k) {
    const auto before = a.pop.state;
    step(a);
    step(b);
    ASSERT_EQ(a.events.size(), b.events.size()) << "week " << k;
    for (std::size_t e = 0; e < a.events.size(); ++e) {
      ASSERT_EQ(a.events[e].agent, b.events[e].agent) << "week " << k << " event " << e;
      ASSERT_EQ(a.events[e].kind, b.events[e].kind) << "week " << k << " event " << e;
      if (a.events[e].kind == EventKind::left) {
        ++leavers;
        dealing_leavers += is_dealing(before[a.events[e].agent]);
      }
      arrivals += a.events[e].kind == EventKind::entered;
      jobs_found += a.events[e].kind == EventKind::job_found;
      jobs_lost += a.events[e].kind == EventKind::job_lost;
    }
    ASSERT_EQ(a.tallies, b.tallies) << "week " << k;
  }
  EXPECT_EQ(a.pop.state, b.pop.state);
  EXPECT_EQ(a.pop.age, b.pop.age);
  EXPECT_EQ(a.pop.job, b.pop.job);
  EXPECT_EQ(a.pop.baseline_attitude, b.pop.baseline_attitude);
  EXPECT_EQ(a.pop.offence_hazard, b.pop.offence_hazard);
  EXPECT_EQ(a.pop.clock_a, b.pop.clock_a);
  EXPECT_EQ(a.pop.clock_job, b.pop.clock_job);
  EXPECT_EQ(a.pop.network, b.pop.network);
  EXPECT_EQ(a.pop.dealing_neighbours, b.pop.dealing_neighbours);
  EXPECT_EQ(a.pop.dealing_friends, b.pop.dealing_friends);
  EXPECT_EQ(a.pop.present_in_block, b.pop.present_in_block);
  EXPECT_EQ(a.networks.members, b.networks.members);
  // The classes formed in the year (on the threads: traits, tie draws, rows, counts).
  for (int c = 0; c < a.cohorts(); ++c) {
    EXPECT_EQ(a.ties.school[c]->targets(), b.ties.school[c]->targets()) << "cohort " << c;
    EXPECT_EQ(a.ties.friendship[c]->targets(), b.ties.friendship[c]->targets()) << "cohort " << c;
    EXPECT_EQ(a.ties.friendship[c]->within, b.ties.friendship[c]->within) << "cohort " << c;
  }
  EXPECT_EQ(a.pop.risk, b.pop.risk);
  EXPECT_EQ(a.pop.school, b.pop.school);
  EXPECT_EQ(a.pop.dealing_schoolmates, b.pop.dealing_schoolmates);
  EXPECT_EQ(a.pop.recruiting_friends, b.pop.recruiting_friends);
  EXPECT_TRUE(consistent(b));
  // The year held what the comparison is about.
  EXPECT_GT(arrivals, 0);
  EXPECT_GT(leavers, 0);
  EXPECT_GT(dealing_leavers, 0);
  EXPECT_GT(jobs_found, 0);
  EXPECT_GT(jobs_lost, 0);
}

// --- invariants over time
// -------------------------------------------------------------------------

TEST(WorldInvariants, TalliesNetworksAndExposureEqualARecountEveryWeekOverThreeYears) {
  // Busy hazards so that every transition, the ageing and the turnover happen often.
  auto p = small_params(2.0);
  p.networks.count = 5;
  p.networks.youth_places = 10;
  p.onset.onset_hazard = 0.02;
  p.recruitment.entry_hazard = 0.2;
  p.careers.progression_hazard = 0.05;
  p.careers.desistance_hazard = 0.02;
  p.enforcement.runner_arrest_hazard = 0.03;
  p.enforcement.dealer_arrest_hazard = 0.05;
  p.sanctions.detention_weeks_minor = 4;
  p.sanctions.detention_weeks_adult = 4;
  p.enforcement.probation_weeks = 20;
  p.relapse.released_hazard = 0.1;
  p.relapse.desisted_hazard = 0.05;
  p.labour.job_finding_hazard = 0.05;
  p.labour.job_loss_hazard = 0.02;
  World w = build_world(p, small_areas(), 2);
  w.threads = 2;
  std::int64_t entries = 0, arrests = 0, releases = 0, relapses = 0, desistances = 0, jobs = 0;
  for (int k = 0; k < 3 * 52 + 5; ++k) {
    step(w);
    ASSERT_TRUE(consistent(w)) << "after step " << k;
    for (int a = 0; a < static_cast<int>(w.areas.size()); ++a) {
      entries += w.tally(a, Tally::entries);
      arrests += w.tally(a, Tally::arrests);
      releases += w.tally(a, Tally::releases);
      relapses += w.tally(a, Tally::relapses);
      desistances += w.tally(a, Tally::desistances);
      jobs += w.tally(a, Tally::jobs_found);
    }
  }
  // The run exercised what it claims to check.
  EXPECT_GT(entries, 0);
  EXPECT_GT(arrests, 0);
  EXPECT_GT(releases, 0);
  EXPECT_GT(relapses, 0);
  EXPECT_GT(desistances, 0);
  EXPECT_GT(jobs, 0);
}

}  // namespace
}  // namespace drift
