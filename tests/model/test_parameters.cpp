// The parameter table generated from parameters.def.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "drift/model/parameters.hpp"

namespace drift {
namespace {

TEST(ParameterTable, IsNotEmptyAndCoversEveryGroup) {
  ASSERT_FALSE(parameter_table().empty());
  ASSERT_FALSE(parameter_groups().empty());
  std::set<std::string_view> groups_with_parameters;
  for (const auto& p : parameter_table()) groups_with_parameters.insert(p.group);
  std::set<std::string_view> groups;
  for (const auto& g : parameter_groups()) {
    EXPECT_TRUE(groups.insert(g.name).second) << "duplicate group " << g.name;
    EXPECT_FALSE(g.description.empty()) << g.name;
    EXPECT_TRUE(groups_with_parameters.count(g.name)) << "group without parameters: " << g.name;
  }
  for (const auto& g : groups_with_parameters)
    EXPECT_TRUE(groups.count(g)) << "undeclared group " << g;
}

TEST(ParameterTable, EveryDefaultLiesInItsRange) {
  for (const auto& p : parameter_table()) {
    EXPECT_LE(p.min, p.max) << p.path;
    EXPECT_GE(p.default_value, p.min) << p.path;
    EXPECT_LE(p.default_value, p.max) << p.path;
  }
}

TEST(ParameterTable, IntegerParametersHaveIntegerDefaultsAndBounds) {
  for (const auto& p : parameter_table()) {
    if (p.type != ParamType::integer) continue;
    EXPECT_EQ(p.default_value, std::floor(p.default_value)) << p.path;
    EXPECT_EQ(p.min, std::floor(p.min)) << p.path;
    EXPECT_EQ(p.max, std::floor(p.max)) << p.path;
  }
}

TEST(ParameterTable, PathsAreUniqueAndEqualGroupDotName) {
  std::set<std::string_view> paths;
  for (const auto& p : parameter_table()) {
    EXPECT_TRUE(paths.insert(p.path).second) << "duplicate path " << p.path;
    EXPECT_EQ(std::string(p.path), std::string(p.group) + "." + std::string(p.name));
    EXPECT_FALSE(p.group.empty());
    EXPECT_FALSE(p.name.empty());
  }
}

TEST(ParameterTable, ParametersOfAGroupAreContiguous) {
  // Listings print one heading per group and rely on this order.
  std::set<std::string_view> closed;
  std::string_view current;
  for (const auto& p : parameter_table()) {
    if (p.group != current) {
      EXPECT_FALSE(closed.count(p.group)) << p.group << " appears in two places";
      if (!current.empty()) closed.insert(current);
      current = p.group;
    }
  }
}

TEST(ParameterTable, EveryParameterHasUnitSourceAndDescription) {
  for (const auto& p : parameter_table()) {
    EXPECT_FALSE(p.unit.empty()) << p.path;
    EXPECT_FALSE(p.source.empty()) << p.path;
    EXPECT_FALSE(p.description.empty()) << p.path;
  }
}

TEST(FindParameter, FindsEveryPathInTheTable) {
  for (const auto& p : parameter_table()) {
    const auto* found = find_parameter(p.path);
    ASSERT_NE(found, nullptr) << p.path;
    EXPECT_EQ(found, &p) << p.path;
  }
  const auto* hazard = find_parameter("careers.progression_hazard");
  ASSERT_NE(hazard, nullptr);
  EXPECT_EQ(hazard->group, "careers");
  EXPECT_EQ(hazard->name, "progression_hazard");
  EXPECT_EQ(hazard->type, ParamType::real);
  EXPECT_EQ(find_parameter("simulation.weeks")->type, ParamType::integer);
}

TEST(FindParameter, ReturnsNullForUnknownPaths) {
  EXPECT_EQ(find_parameter(""), nullptr);
  EXPECT_EQ(find_parameter("careers"), nullptr);
  EXPECT_EQ(find_parameter("progression_hazard"), nullptr);
  EXPECT_EQ(find_parameter("careers.progresion_hazard"), nullptr);
  EXPECT_EQ(find_parameter("careers.progression_hazard.x"), nullptr);
  EXPECT_EQ(find_parameter("Careers.progression_hazard"), nullptr);
}

TEST(ParameterAccess, GetReadsTheDefaultsOfTheTypedStruct) {
  const Parameters defaults;
  for (const auto& p : parameter_table()) EXPECT_EQ(p.get(defaults), p.default_value) << p.path;
}

TEST(ParameterAccess, SetChangesExactlyItsOwnFieldOfTheTypedStruct) {
  const Parameters defaults;
  for (const auto& p : parameter_table()) {
    // A value in range that differs from the default (integral for integer parameters).
    double v = p.default_value == p.max ? p.min : p.max;
    if (p.type == ParamType::real) v = (p.default_value + v) / 2.0;
    Parameters changed;
    p.set(changed, v);
    EXPECT_EQ(p.get(changed), v) << p.path;
    EXPECT_NE(p.get(changed), p.get(defaults)) << p.path;
    for (const auto& q : parameter_table()) {
      if (&q == &p) continue;
      EXPECT_EQ(q.get(changed), q.get(defaults)) << "setting " << p.path << " changed " << q.path;
    }
  }
}

TEST(ParameterAccess, SetWritesTheNamedTypedMember) {
  Parameters p;
  find_parameter("careers.progression_hazard")->set(p, 0.25);
  EXPECT_EQ(p.careers.progression_hazard, 0.25);
  find_parameter("simulation.weeks")->set(p, 7);
  EXPECT_EQ(p.simulation.weeks, 7);
  find_parameter("networks.count")->set(p, 3);
  EXPECT_EQ(p.networks.count, 3);
  find_parameter("labour.vog_blocked_share")->set(p, 0.125);
  EXPECT_EQ(p.labour.vog_blocked_share, 0.125);
  // And get reads them back through the table.
  p.onset.onset_hazard = 0.5;
  EXPECT_EQ(find_parameter("onset.onset_hazard")->get(p), 0.5);
  p.enforcement.probation_weeks = 33;
  EXPECT_EQ(find_parameter("enforcement.probation_weeks")->get(p), 33.0);
}

TEST(ParameterAccess, SameNameInTwoGroupsIsTwoParameters) {
  // attitude_log_hr exists in onset and recruitment; each path writes its own group.
  Parameters p;
  find_parameter("onset.attitude_log_hr")->set(p, 1.25);
  EXPECT_EQ(p.onset.attitude_log_hr, 1.25);
  EXPECT_EQ(p.recruitment.attitude_log_hr, Parameters{}.recruitment.attitude_log_hr);
}

TEST(ParameterSources, AssumptionIsRecognisedByItsPrefix) {
  const auto* seed = find_parameter("simulation.seed");
  ASSERT_NE(seed, nullptr);
  EXPECT_TRUE(is_assumption(*seed));
  const auto* count = find_parameter("networks.count");
  ASSERT_NE(count, nullptr);
  EXPECT_FALSE(is_assumption(*count));
  // "assumption; ..." with a note still counts as an assumption.
  EXPECT_TRUE(is_assumption(*find_parameter("careers.job_desistance_hr")));
}

}  // namespace
}  // namespace drift
