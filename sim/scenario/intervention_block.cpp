#include "intervention_block.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>
#include <sstream>

#include "drift/interventions/registry.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/suggest.hpp"
#include "sections.hpp"
#include "yaml_text.hpp"

namespace drift::iv {

namespace {

Diagnostic diag(const BlockSource& spec, const YAML::Node& node, const std::string& key,
                std::string message) {
  Diagnostic d;
  d.file = spec.file;
  d.line = node.Mark().line + 1;
  d.column = node.Mark().column + 1;
  d.key = key;
  d.message = std::move(message);
  return d;
}

std::string range_text(const Field& f) {
  std::ostringstream o;
  o << "[" << f.min << ", " << f.max << "]" << (f.unit.empty() ? "" : " (" + f.unit + ")");
  return o.str();
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

void check_value(const Field& f, const YAML::Node& value, const std::string& key,
                 const BlockSource& spec, const std::vector<std::string>& area_names,
                 std::vector<Diagnostic>& out) {
  switch (f.kind) {
    case Field::Kind::real:
    case Field::Kind::integer: {
      double v = 0;
      if (!value.IsScalar() || !YAML::convert<double>::decode(value, v)) {
        out.push_back(diag(spec, value, key, "expected a number " + range_text(f)));
        return;
      }
      if (f.kind == Field::Kind::integer && v != static_cast<double>(static_cast<long long>(v))) {
        out.push_back(diag(spec, value, key, "expected a whole number " + range_text(f)));
        return;
      }
      if (v < f.min || v > f.max) {
        std::ostringstream o;
        o << "value " << value.Scalar() << " out of range " << range_text(f);
        out.push_back(diag(spec, value, key, o.str()));
      }
      return;
    }
    case Field::Kind::choice: {
      if (!value.IsScalar()) {
        out.push_back(diag(spec, value, key, "expected one of: " + joined(f.choices)));
        return;
      }
      const auto& v = value.Scalar();
      if (std::find(f.choices.begin(), f.choices.end(), v) == f.choices.end()) {
        std::string m = "unknown value '" + v + "'";
        const auto near = nearest_name(v, f.choices);
        if (!near.empty()) m += "; did you mean '" + near + "'?";
        out.push_back(diag(spec, value, key, m + " (expected one of: " + joined(f.choices) + ")"));
      }
      return;
    }
    case Field::Kind::names: {
      if (!value.IsSequence()) {
        out.push_back(diag(spec, value, key, "expected a list of names"));
        return;
      }
      const auto& allowed = f.choices.empty() ? area_names : f.choices;
      std::set<std::string> seen;
      for (std::size_t k = 0; k < value.size(); ++k) {
        const auto item = value[k];
        const std::string ikey = key + "[" + std::to_string(k) + "]";
        if (!item.IsScalar()) {
          out.push_back(diag(spec, item, ikey, "expected a name"));
          continue;
        }
        const auto& v = item.Scalar();
        if (!seen.insert(v).second)
          out.push_back(diag(spec, item, ikey, "'" + v + "' listed twice"));
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
          std::string m =
              "unknown " + std::string(f.choices.empty() ? "district" : "value") + " '" + v + "'";
          const auto near = nearest_name(v, allowed);
          if (!near.empty()) m += "; did you mean '" + near + "'?";
          out.push_back(diag(spec, item, ikey, m + " (expected one of: " + joined(allowed) + ")"));
        }
      }
      return;
    }
  }
}

void check_map(const std::vector<Field>& fields, const YAML::Node& map, const std::string& prefix,
               const std::vector<std::string>& extra_keys, const BlockSource& spec,
               const std::vector<std::string>& area_names, std::vector<Diagnostic>& out) {
  std::vector<std::string> known(extra_keys);
  for (const auto& f : fields) known.push_back(f.name);
  for (auto it = map.begin(); it != map.end(); ++it) {
    const auto name = it->first.as<std::string>();
    const std::string key = prefix + name;
    if (std::find(extra_keys.begin(), extra_keys.end(), name) != extra_keys.end()) continue;
    auto f =
        std::find_if(fields.begin(), fields.end(), [&](const Field& x) { return x.name == name; });
    if (f == fields.end()) {
      std::string m = "unknown key '" + name + "' for a '" + spec.type + "' intervention";
      const auto near = nearest_name(name, known);
      if (!near.empty()) m += "; did you mean '" + near + "'?";
      m += " (expected one of: " + joined(known) + ")";
      out.push_back(diag(spec, it->first, key, m));
      continue;
    }
    check_value(*f, it->second, key, spec, area_names, out);
  }
}

void fill(const std::vector<Field>& fields, const YAML::Node& map, const std::string& section,
          Values& v) {
  for (const auto& f : fields) {
    const std::string key = section.empty() ? f.name : section + "." + f.name;
    const YAML::Node node =
        (map && map.IsMap()) ? map[f.name] : YAML::Node(YAML::NodeType::Undefined);
    switch (f.kind) {
      case Field::Kind::real:
      case Field::Kind::integer:
        v.number[key] = node ? node.as<double>() : f.default_value;
        break;
      case Field::Kind::choice:
        v.text[key] = node ? node.as<std::string>() : f.choices.front();
        break;
      case Field::Kind::names:
        v.list[key] = node ? node.as<std::vector<std::string>>() : f.default_names;
        break;
    }
  }
}

}  // namespace

void check_block(const Schema& schema, const BlockSource& spec,
                 const std::vector<std::string>& area_names, std::vector<Diagnostic>& out) {
  if (!spec.node.IsMap()) {
    out.push_back(diag(spec, spec.node, "", "expected a map of intervention settings"));
    return;
  }
  std::vector<std::string> extra = {"type", "name"};
  for (const char* s : kSections) extra.push_back(s);
  check_map(schema.top, spec.node, "", extra, spec, area_names, out);
  for (const char* s : kSections) {
    const auto node = spec.node[s];
    if (!node) continue;
    if (!node.IsMap()) {
      out.push_back(diag(spec, node, s, "expected a map"));
      continue;
    }
    check_map(section_fields(schema, s), node, std::string(s) + ".", {}, spec, area_names, out);
  }
}

Values parse_block(const Schema& schema, const BlockSource& spec) {
  Values v;
  fill(schema.top, spec.node, "", v);
  for (const char* s : kSections) fill(section_fields(schema, s), spec.node[s], s, v);
  return v;
}

void emit_block(YAML::Emitter& out, const std::string& type, const std::string& name,
                const Values& values) {
  const auto* t = InterventionRegistry::find(type);
  out << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << type;
  out << YAML::Key << "name" << YAML::Value << name;
  auto emit_fields = [&](const std::vector<Field>& fields, const std::string& section) {
    for (const auto& f : fields) {
      const std::string key = section.empty() ? f.name : section + "." + f.name;
      out << YAML::Key << f.name << YAML::Value;
      switch (f.kind) {
        case Field::Kind::real:
        case Field::Kind::integer:
          out << format_number(values.number.at(key));
          break;
        case Field::Kind::choice:
          out << values.text.at(key);
          break;
        case Field::Kind::names:
          out << YAML::Flow << values.list.at(key);
          break;
      }
    }
  };
  if (t != nullptr) {
    emit_fields(t->schema.top, "");
    for (const char* s : kSections) {
      const auto& fields = section_fields(t->schema, s);
      if (fields.empty()) continue;
      out << YAML::Key << s << YAML::Value << YAML::BeginMap;
      emit_fields(fields, s);
      out << YAML::EndMap;
    }
  }
  out << YAML::EndMap;
}

}  // namespace drift::iv

namespace drift {

std::string intervention_value_problem(const InterventionSpec& spec, const std::string& key,
                                       double value) {
  const auto* t = InterventionRegistry::find(spec.type);
  if (t == nullptr) return "unknown intervention type '" + spec.type + "'";
  const auto dot = key.find('.');
  const std::string section = dot == std::string::npos ? "" : key.substr(0, dot);
  const std::string name = dot == std::string::npos ? key : key.substr(dot + 1);
  const auto& fields = iv::section_fields(t->schema, section);
  const bool known_section =
      section.empty() || std::find(std::begin(iv::kSections), std::end(iv::kSections), section) !=
                             std::end(iv::kSections);
  const auto f = std::find_if(fields.begin(), fields.end(),
                              [&](const iv::Field& x) { return x.name == name; });
  if (!known_section || f == fields.end()) {
    std::vector<std::string> all;
    for (const auto& x : t->schema.top) all.push_back(x.name);
    for (const char* sec : iv::kSections) {
      for (const auto& x : iv::section_fields(t->schema, sec))
        all.push_back(std::string(sec) + "." + x.name);
    }
    return "unknown key '" + key + "' for a '" + spec.type + "' intervention" +
           did_you_mean(key, all);
  }
  if (f->kind != iv::Field::Kind::real && f->kind != iv::Field::Kind::integer) {
    return "'" + key + "' is not a number and cannot be swept";
  }
  if (f->kind == iv::Field::Kind::integer && value != std::floor(value)) {
    return "expected a whole number " + iv::range_text(*f) + ", got " + format_number(value);
  }
  if (value < f->min || value > f->max) {
    return "value " + format_number(value) + " out of range " + iv::range_text(*f);
  }
  return "";
}

InterventionSpec parse_intervention_block(const std::string& yaml_text, const std::string& file,
                                          const std::vector<std::string>& area_names) {
  YAML::Node node;
  try {
    node = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ScenarioError({{file, e.mark.line + 1, e.mark.column + 1, "", e.msg}});
  }
  InterventionSpec spec;
  spec.file = file;
  spec.line = node.Mark().line + 1;
  spec.column = node.Mark().column + 1;
  const auto type = node.IsMap() ? node["type"] : YAML::Node();
  if (!type || !type.IsScalar()) {
    throw ScenarioError({{file, spec.line, spec.column, "type", "missing required key 'type'"}});
  }
  spec.type = type.Scalar();
  const auto name = node["name"];
  spec.name = name && name.IsScalar() ? name.Scalar() : spec.type;
  const auto* t = InterventionRegistry::find(spec.type);
  if (t == nullptr) {
    throw ScenarioError({{file, type.Mark().line + 1, type.Mark().column + 1, "type",
                          "unknown intervention type '" + spec.type + "'" +
                              did_you_mean(spec.type, InterventionRegistry::names())}});
  }
  std::vector<Diagnostic> problems;
  if (const auto bad = unknown_effect_columns(t->schema); !bad.empty()) {
    problems.push_back({file, spec.line, spec.column, "effects",
                        "intervention type '" + spec.type + "' declares effect(s) " + bad +
                            " that name no hazard multiplier column"});
  }
  const iv::BlockSource source{spec.type, file, node};
  iv::check_block(t->schema, source, area_names, problems);
  if (!problems.empty()) throw ScenarioError(std::move(problems));
  spec.values = iv::parse_block(t->schema, source);
  return spec;
}

}  // namespace drift
