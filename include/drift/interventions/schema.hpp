#pragma once
// The fields of an intervention block, declared once per type: the scenario reader validates and
// parses blocks against them, and the JSON Schema and documentation tables come from them too.
// An intervention is created from the typed values of its block (Values), never from text.
#include <map>
#include <string>
#include <vector>

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
  std::vector<std::string> choices;        // for choice (first is the default) and names
  std::vector<std::string> default_names;  // for names
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
  // Whether it serves individual youths (so that they can be randomised to it in a virtual
  // trial), rather than acting on areas and networks.
  bool serves_youths = true;
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

// The nested sections of a block, in the order they are written.
inline constexpr const char* kSections[] = {"eligibility", "effects", "costs"};
const std::vector<Field>& section_fields(const Schema& schema, const std::string& section);

// JSON Schema (an object schema) of a block of this type, for editors.
std::string json_schema(const Schema& schema);

}  // namespace drift::iv
