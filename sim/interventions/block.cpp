#include "block.hpp"

#include <set>
#include <sstream>

#include "drift/suggest.hpp"

namespace drift::iv {

Field real(std::string name, double def, double lo, double hi, std::string unit, std::string source,
           std::string description) {
  Field f;
  f.kind = Field::Kind::real;
  f.name = std::move(name);
  f.default_value = def;
  f.min = lo;
  f.max = hi;
  f.unit = std::move(unit);
  f.source = std::move(source);
  f.description = std::move(description);
  return f;
}

Field integer(std::string name, double def, double lo, double hi, std::string unit,
              std::string description) {
  Field f = real(std::move(name), def, lo, hi, std::move(unit), "assumption", std::move(description));
  f.kind = Field::Kind::integer;
  return f;
}

Field choice(std::string name, std::vector<std::string> choices, std::string description) {
  Field f;
  f.kind = Field::Kind::choice;
  f.name = std::move(name);
  f.choices = std::move(choices);
  f.description = std::move(description);
  return f;
}

Field names(std::string name, std::vector<std::string> defaults, std::vector<std::string> allowed,
            std::string description) {
  Field f;
  f.kind = Field::Kind::names;
  f.name = std::move(name);
  f.default_names = std::move(defaults);
  f.choices = std::move(allowed);
  f.description = std::move(description);
  return f;
}

namespace {

const char* const kSections[] = {"eligibility", "effects", "costs"};

const std::vector<Field>& section_fields(const Schema& s, const std::string& section) {
  if (section == "eligibility") return s.eligibility;
  if (section == "effects") return s.effects;
  if (section == "costs") return s.costs;
  return s.top;
}

Diagnostic diag(const InterventionSpec& spec, const YAML::Node& node, const std::string& key,
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
                 const InterventionSpec& spec, const std::vector<std::string>& area_names,
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
        if (!seen.insert(v).second) out.push_back(diag(spec, item, ikey, "'" + v + "' listed twice"));
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
          std::string m = "unknown " + std::string(f.choices.empty() ? "district" : "value") + " '" + v + "'";
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
               const std::vector<std::string>& extra_keys, const InterventionSpec& spec,
               const std::vector<std::string>& area_names, std::vector<Diagnostic>& out) {
  std::vector<std::string> known(extra_keys);
  for (const auto& f : fields) known.push_back(f.name);
  for (auto it = map.begin(); it != map.end(); ++it) {
    const auto name = it->first.as<std::string>();
    const std::string key = prefix + name;
    if (std::find(extra_keys.begin(), extra_keys.end(), name) != extra_keys.end()) continue;
    auto f = std::find_if(fields.begin(), fields.end(), [&](const Field& x) { return x.name == name; });
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
    const YAML::Node node = (map && map.IsMap()) ? map[f.name] : YAML::Node(YAML::NodeType::Undefined);
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

std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

std::string field_schema(const Field& f) {
  std::ostringstream o;
  const std::string desc = f.description + (f.unit.empty() ? "" : " [unit: " + f.unit + "]") +
                           (f.source.empty() ? "" : " [source: " + f.source + "]");
  switch (f.kind) {
    case Field::Kind::real:
    case Field::Kind::integer:
      o << "{\"type\": \"" << (f.kind == Field::Kind::integer ? "integer" : "number")
        << "\", \"minimum\": " << f.min << ", \"maximum\": " << f.max
        << ", \"default\": " << f.default_value << ", \"description\": " << json_string(desc) << "}";
      break;
    case Field::Kind::choice: {
      o << "{\"enum\": [";
      for (std::size_t k = 0; k < f.choices.size(); ++k) o << (k ? ", " : "") << json_string(f.choices[k]);
      o << "], \"default\": " << json_string(f.choices.front())
        << ", \"description\": " << json_string(desc) << "}";
      break;
    }
    case Field::Kind::names: {
      o << "{\"type\": \"array\", \"items\": ";
      if (f.choices.empty()) {
        o << "{\"type\": \"string\"}";
      } else {
        o << "{\"enum\": [";
        for (std::size_t k = 0; k < f.choices.size(); ++k) o << (k ? ", " : "") << json_string(f.choices[k]);
        o << "]}";
      }
      o << ", \"uniqueItems\": true, \"description\": " << json_string(desc) << "}";
      break;
    }
  }
  return o.str();
}

std::string object_schema(const std::vector<Field>& fields) {
  std::ostringstream o;
  o << "{\"type\": \"object\", \"additionalProperties\": false, \"properties\": {";
  for (std::size_t k = 0; k < fields.size(); ++k) {
    o << (k ? ", " : "") << json_string(fields[k].name) << ": " << field_schema(fields[k]);
  }
  o << "}}";
  return o.str();
}

}  // namespace

void check(const Schema& schema, const InterventionSpec& spec,
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

Values parse(const Schema& schema, const InterventionSpec& spec) {
  Values v;
  fill(schema.top, spec.node, "", v);
  for (const char* s : kSections) fill(section_fields(schema, s), spec.node[s], s, v);
  return v;
}

std::string json_schema(const Schema& schema) {
  std::ostringstream o;
  o << "{\"type\": \"object\", \"description\": " << json_string(schema.description)
    << ", \"required\": [\"type\"], \"additionalProperties\": false, \"properties\": {"
    << "\"type\": {\"const\": " << json_string(schema.type) << "}, "
    << "\"name\": {\"type\": \"string\"}";
  for (const auto& f : schema.top) o << ", " << json_string(f.name) << ": " << field_schema(f);
  for (const char* s : kSections) {
    const auto& fields = section_fields(schema, s);
    if (!fields.empty()) o << ", " << json_string(s) << ": " << object_schema(fields);
  }
  o << "}}";
  return o.str();
}

InterventionType make_type(const Schema& schema, Maker make) {
  InterventionType t;
  t.type = schema.type;
  t.description = schema.description;
  t.validate = [schema](const InterventionSpec& spec, const std::vector<std::string>& areas,
                        std::vector<Diagnostic>& out) { check(schema, spec, areas, out); };
  t.create = [schema, make](const InterventionSpec& spec, std::uint32_t,
                            const std::vector<std::string>& areas) {
    // Draws are keyed by the intervention's name, not its position, so the same intervention
    // reaches the same youths alone and inside a package (common random numbers).
    std::uint32_t key = 2166136261u;
    for (unsigned char c : spec.name) key = (key ^ c) * 16777619u;
    return make(parse(schema, spec), key & 0x00FFFFFFu, areas);
  };
  t.json_schema = [schema] { return json_schema(schema); };
  return t;
}

}  // namespace drift::iv
