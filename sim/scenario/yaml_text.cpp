#include "yaml_text.hpp"

#include "drift/scenario/scenario.hpp"
#include "drift/scenario/suggest.hpp"

namespace drift {

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return (n.Tag() == "!" ? "a quoted string '" : "'") + n.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "an undefined value";
  }
}

std::optional<double> number_of(const YAML::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  const auto& tag = n.Tag();
  if (tag != "?" && tag != "tag:yaml.org,2002:int" && tag != "tag:yaml.org,2002:float") {
    return std::nullopt;
  }
  return parse_number(n.Scalar());
}

}  // namespace drift
