#include "drift/interventions/schema.hpp"

#include <sstream>

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
  Field f =
      real(std::move(name), def, lo, hi, std::move(unit), "assumption", std::move(description));
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

const std::vector<Field>& section_fields(const Schema& s, const std::string& section) {
  if (section == "eligibility") return s.eligibility;
  if (section == "effects") return s.effects;
  if (section == "costs") return s.costs;
  return s.top;
}

namespace {

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
        << ", \"default\": " << f.default_value << ", \"description\": " << json_string(desc)
        << "}";
      break;
    case Field::Kind::choice: {
      o << "{\"enum\": [";
      for (std::size_t k = 0; k < f.choices.size(); ++k)
        o << (k ? ", " : "") << json_string(f.choices[k]);
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
        for (std::size_t k = 0; k < f.choices.size(); ++k)
          o << (k ? ", " : "") << json_string(f.choices[k]);
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

}  // namespace drift::iv
