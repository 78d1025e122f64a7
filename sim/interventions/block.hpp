#pragma once
// The fields of an intervention block, declared once per type: validation, parsing, the JSON
// Schema and the documentation tables all come from these declarations.
#include <map>
#include <string>
#include <vector>

#include "drift/interventions.hpp"

namespace drift::iv {

struct Field {
  enum class Kind { real, integer, choice, names } kind = Kind::real;
  std::string name;
  double default_value = 0;
  double min = 0;
  double max = 0;
  std::string unit;
  std::string source;  // "assumption" when none
  std::string description;
  std::vector<std::string> choices;           // for choice (first is the default) and names
  std::vector<std::string> default_names;     // for names
};

Field real(std::string name, double def, double lo, double hi, std::string unit, std::string source,
           std::string description);
Field integer(std::string name, double def, double lo, double hi, std::string unit,
              std::string description);
Field choice(std::string name, std::vector<std::string> choices, std::string description);
// A list of names; `allowed` empty means area names (checked against the scenario).
Field names(std::string name, std::vector<std::string> defaults, std::vector<std::string> allowed,
            std::string description);

// Sections of a block: top-level fields and the nested maps.
struct Schema {
  std::string type;
  std::string description;
  std::vector<Field> top;          // besides type and name
  std::vector<Field> eligibility;  // under `eligibility:`
  std::vector<Field> effects;      // under `effects:` (multipliers)
  std::vector<Field> costs;        // under `costs:` (euro)
};

// The values of a valid block, defaults filled in. Keys are "section.field" ("" section for top).
struct Values {
  std::map<std::string, double> number;
  std::map<std::string, std::string> text;
  std::map<std::string, std::vector<std::string>> list;
  double operator()(const std::string& key) const { return number.at(key); }
};

void check(const Schema& schema, const InterventionSpec& spec,
           const std::vector<std::string>& area_names, std::vector<Diagnostic>& out);
Values parse(const Schema& schema, const InterventionSpec& spec);
std::string json_schema(const Schema& schema);

// Registers a type whose validation and schema come from `schema` and whose instances are made by
// `make(values, index, area_names)`.
using Maker = std::function<std::unique_ptr<Intervention>(const Values&, std::uint32_t,
                                                          const std::vector<std::string>&)>;
InterventionType make_type(const Schema& schema, Maker make);

}  // namespace drift::iv
