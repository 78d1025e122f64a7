#pragma once
// Intervention blocks as written in YAML: checked against the type's Schema and parsed into the
// typed values (iv::Values) an intervention is created from. Private to the scenario part.
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "drift/interventions/schema.hpp"
#include "drift/scenario/diagnostic.hpp"

namespace drift::iv {

// A block and where it came from.
struct BlockSource {
  std::string type;
  std::string file;
  YAML::Node node;
};

// Adds a diagnostic (file, line, column, key relative to the block) for every problem of the
// block; `area_names` empty leaves district names unchecked.
void check_block(const Schema& schema, const BlockSource& block,
                 const std::vector<std::string>& area_names, std::vector<Diagnostic>& out);
// The values of a valid block, every default filled in.
Values parse_block(const Schema& schema, const BlockSource& block);
// Writes a block from its typed values, in the schema's order (the resolved document).
void emit_block(YAML::Emitter& out, const std::string& type, const std::string& name,
                const Values& values);

}  // namespace drift::iv
