#include "drift/interventions/registry.hpp"

#include <map>
#include <stdexcept>

#include "drift/model/population.hpp"

namespace drift {
namespace {
std::map<std::string, InterventionType>& registry() {
  static std::map<std::string, InterventionType> r;
  return r;
}
}  // namespace

std::string unknown_effect_columns(const iv::Schema& schema) {
  std::string unknown;
  for (const auto& f : schema.effects) {
    if (multiplier_column(f.name) == nullptr) unknown += (unknown.empty() ? "" : ", ") + f.name;
  }
  return unknown;
}

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

std::uint32_t intervention_stream_key(const std::string& name) {
  std::uint32_t key = 2166136261u;  // FNV-1a
  for (unsigned char c : name) key = (key ^ c) * 16777619u;
  return key & 0x00FFFFFFu;
}

std::unique_ptr<Intervention> create_intervention(const std::string& type, const std::string& name,
                                                  const iv::Values& values,
                                                  const std::vector<std::string>& area_names) {
  const auto* t = InterventionRegistry::find(type);
  if (t == nullptr) throw std::invalid_argument("unknown intervention type " + type);
  return t->make(values, intervention_stream_key(name), area_names);
}

std::string intervention_json_schema() {
  // An empty oneOf matches nothing, which would reject every block while no type is registered.
  if (registry().empty()) return "{\"type\": \"object\", \"required\": [\"type\"]}";
  std::string s = "{\"oneOf\": [";
  bool first = true;
  for (const auto& [name, t] : registry()) {
    if (!first) s += ", ";
    first = false;
    s += iv::json_schema(t.schema);
  }
  s += "]}";
  return s;
}

}  // namespace drift
