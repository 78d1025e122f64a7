#pragma once
// Interventions plug into the weekly step through one small interface (step/intervention.hpp)
// and this registry keyed by the YAML `type`. A type declares its block's fields (a Schema) and
// how to make an intervention from the block's typed values; adding one touches no core file.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "drift/interventions/schema.hpp"
#include "drift/step/intervention.hpp"

namespace drift {

struct InterventionType {
  std::string type;
  std::string description;
  iv::Schema schema;  // the fields of its block
  // Builds the intervention from the typed values of a valid block. `stream_key` keys its own
  // random streams (see intervention_stream_key); `area_names` are the scenario's areas.
  std::function<std::unique_ptr<Intervention>(const iv::Values&, std::uint32_t stream_key,
                                              const std::vector<std::string>& area_names)>
      make;
};

class InterventionRegistry {
 public:
  static void add(InterventionType type);
  static const InterventionType* find(const std::string& type);
  static std::vector<std::string> names();
};

// Registers an intervention type from a static initialiser in its own source file.
#define DRIFT_REGISTER_INTERVENTION(ident, ...)      \
  namespace {                                        \
  const bool ident##_registered = [] {               \
    ::drift::InterventionRegistry::add(__VA_ARGS__); \
    return true;                                     \
  }();                                               \
  }

// The key of an intervention's random streams: a hash of its name (24 bits), not of its position
// or strategy, so the same intervention reaches the same youths alone and inside a package
// (common random numbers), and adding another intervention never shifts its draws.
std::uint32_t intervention_stream_key(const std::string& name);

// Makes a registered intervention from the typed values of its block; throws
// std::invalid_argument for an unknown type.
std::unique_ptr<Intervention> create_intervention(const std::string& type, const std::string& name,
                                                  const iv::Values& values,
                                                  const std::vector<std::string>& area_names);

// The effect fields of a schema that name no multiplier column ("" when all do). The scenario
// reader reports them at the block that uses the type, so no effect is ever silently dropped.
std::string unknown_effect_columns(const iv::Schema& schema);

// JSON Schema of one intervention block: a oneOf over the registered types.
std::string intervention_json_schema();

}  // namespace drift
