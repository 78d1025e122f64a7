#pragma once
// Helpers for intervention types whose blocks are described by a Schema (schema.hpp).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "drift/interventions/registry.hpp"
#include "drift/interventions/schema.hpp"

namespace drift::iv {

// Registers a type whose validation and schema come from `schema` and whose instances are made by
// `make(values, stream_key, area_names)`.
using Maker = std::function<std::unique_ptr<Intervention>(const Values&, std::uint32_t,
                                                          const std::vector<std::string>&)>;
InterventionType make_type(const Schema& schema, Maker make);

}  // namespace drift::iv
