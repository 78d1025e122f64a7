#pragma once
// Typed model parameters, generated from parameters.def, plus the metadata table that drives
// validation, --set overrides, sweeps, the JSON Schema and the documentation.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace drift {

namespace param_groups {
// Each DRIFT_GROUP closes the previous struct and opens its own; the first closes this opener.
struct opener_ {
#define DRIFT_GROUP(group, description) \
  }                                     \
  ;                                     \
  struct group {
#define DRIFT_PARAM(group, name, type, def, lo, hi, unit, source, description) type name = def;
#include "drift/model/parameters.def"
#undef DRIFT_GROUP
#undef DRIFT_PARAM
};
}  // namespace param_groups

struct Parameters {
#define DRIFT_GROUP(group, description) param_groups::group group;
#define DRIFT_PARAM(group, name, type, def, lo, hi, unit, source, description)
#include "drift/model/parameters.def"
#undef DRIFT_GROUP
#undef DRIFT_PARAM
};

enum class ParamType { real, integer };

struct ParamInfo {
  std::string_view group;
  std::string_view name;
  std::string_view path;  // "group.name", as written in scenario files and --set
  ParamType type;
  double default_value;
  double min;
  double max;
  std::string_view unit;
  std::string_view source;
  std::string_view description;
  double (*get)(const Parameters&);
  void (*set)(Parameters&, double);
};

struct GroupInfo {
  std::string_view name;
  std::string_view description;
};

std::span<const ParamInfo> parameter_table();
std::span<const GroupInfo> parameter_groups();
// nullptr when no parameter has this path.
const ParamInfo* find_parameter(std::string_view path);
// A parameter whose source starts with "assumption" has no empirical source.
bool is_assumption(const ParamInfo& p);

// Relations between parameters that their ranges alone cannot express (the sanction shares of
// an age group must leave a share of at most 1 for detention). One message per problem, naming
// the parameters; empty when the parameters are consistent.
std::vector<std::string> consistency_problems(const Parameters& p);

}  // namespace drift
