#pragma once
// Reading values from YAML nodes for the diagnostics of the scenario, targets, calibration and
// trial parsers, so that all of them word their messages alike; internal to the library.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drift/scenario/suggest.hpp"

namespace drift {

// How a node reads in a message: "'abc'", "a quoted string 'abc'", "a sequence", "nothing".
std::string describe(const YAML::Node& n);

// The number a plain scalar holds; nullopt for anything else. A quoted scalar is a string even
// when it looks like a number, as in JSON and the schema.
std::optional<double> number_of(const YAML::Node& n);

}  // namespace drift
