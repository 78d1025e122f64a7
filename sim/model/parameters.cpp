#include "drift/model/parameters.hpp"

#include <array>
#include <type_traits>

namespace drift {
namespace {

template <class T>
constexpr ParamType type_of() {
  return std::is_integral_v<T> ? ParamType::integer : ParamType::real;
}

constexpr ParamInfo kParams[] = {
#define DRIFT_GROUP(group, description)
#define DRIFT_PARAM(group, name, type, def, lo, hi, unit, source, description)     \
  ParamInfo{#group,                                                                \
            #name,                                                                 \
            #group "." #name,                                                      \
            type_of<type>(),                                                       \
            static_cast<double>(def),                                              \
            static_cast<double>(lo),                                               \
            static_cast<double>(hi),                                               \
            unit,                                                                  \
            source,                                                                \
            description,                                                           \
            [](const Parameters& p) { return static_cast<double>(p.group.name); }, \
            [](Parameters& p, double v) { p.group.name = static_cast<type>(v); }},
#include "drift/model/parameters.def"
#undef DRIFT_GROUP
#undef DRIFT_PARAM
};

constexpr GroupInfo kGroups[] = {
#define DRIFT_GROUP(group, description) GroupInfo{#group, description},
#define DRIFT_PARAM(group, name, type, def, lo, hi, unit, source, description)
#include "drift/model/parameters.def"
#undef DRIFT_GROUP
#undef DRIFT_PARAM
};

// Defaults must lie in their own ranges; checked when the table is compiled.
constexpr bool defaults_in_range() {
  for (const auto& p : kParams) {
    if (p.default_value < p.min || p.default_value > p.max) return false;
  }
  return true;
}
static_assert(defaults_in_range(), "a default in parameters.def lies outside its range");

}  // namespace

std::span<const ParamInfo> parameter_table() {
  return kParams;
}
std::span<const GroupInfo> parameter_groups() {
  return kGroups;
}

const ParamInfo* find_parameter(std::string_view path) {
  for (const auto& p : kParams) {
    if (p.path == path) return &p;
  }
  return nullptr;
}

bool is_assumption(const ParamInfo& p) {
  return p.source.starts_with("assumption");
}

std::vector<std::string> consistency_problems(const Parameters& p) {
  std::vector<std::string> out;
  const auto& s = p.sanctions;
  auto check = [&](double dismissal, double settlement, double community, const char* age) {
    const double sum = dismissal + settlement + community;
    if (sum > 1.0 + 1e-12) {
      out.push_back(std::string("sanctions.dismissal_share_") + age + " + settlement_share_" + age +
                    " + community_share_" + age + " is " + std::to_string(sum) +
                    ": the three shares must sum to at most 1 (detention takes the rest)");
    }
  };
  check(s.dismissal_share_minor, s.settlement_share_minor, s.community_share_minor, "minor");
  check(s.dismissal_share_adult, s.settlement_share_adult, s.community_share_adult, "adult");
  return out;
}

}  // namespace drift
