#include <map>

#include "drift/interventions.hpp"
#include "drift/suggest.hpp"

namespace drift {
namespace {
std::map<std::string, InterventionType>& registry() {
  static std::map<std::string, InterventionType> r;
  return r;
}
}  // namespace

void InterventionRegistry::add(InterventionType type) {
  auto name = type.type;
  registry().insert_or_assign(std::move(name), std::move(type));
}

const InterventionType* InterventionRegistry::find(const std::string& type) {
  auto it = registry().find(type);
  return it == registry().end() ? nullptr : &it->second;
}

std::vector<std::string> InterventionRegistry::names() {
  std::vector<std::string> out;
  for (const auto& [name, t] : registry()) out.push_back(name);
  return out;
}

void validate_intervention_block(const InterventionSpec& spec, std::vector<Diagnostic>& out) {
  validate_intervention_block(spec, {}, out);
}

void validate_intervention_block(const InterventionSpec& spec,
                                 const std::vector<std::string>& area_names,
                                 std::vector<Diagnostic>& out) {
  const auto* t = InterventionRegistry::find(spec.type);
  if (t == nullptr) {
    Diagnostic d;
    d.file = spec.file;
    const auto& node = spec.node["type"] ? spec.node["type"] : spec.node;
    d.line = node.Mark().line + 1;
    d.column = node.Mark().column + 1;
    d.key = "type";
    std::string known;
    for (const auto& n : InterventionRegistry::names()) known += (known.empty() ? "" : ", ") + n;
    d.message = "unknown intervention type '" + spec.type + "'";
    const auto near = nearest_name(spec.type, InterventionRegistry::names());
    if (!near.empty()) d.message += "; did you mean '" + near + "'?";
    d.message += " (expected one of: " + (known.empty() ? std::string("none registered") : known) + ")";
    out.push_back(std::move(d));
    return;
  }
  if (t->validate) t->validate(spec, area_names, out);
}

std::string intervention_json_schema() {
  // An empty oneOf matches nothing, which would reject every block while no type is registered.
  if (registry().empty()) return "{\"type\": \"object\", \"required\": [\"type\"]}";
  std::string s = "{\"oneOf\": [";
  bool first = true;
  for (const auto& [name, t] : registry()) {
    if (!first) s += ", ";
    first = false;
    s += t.json_schema ? t.json_schema() : "{\"type\": \"object\"}";
  }
  s += "]}";
  return s;
}

}  // namespace drift
