#include <cstdio>
#include <string>
#include <string_view>

#include "drift/interventions/registry.hpp"
#include "drift/model/parameters.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/trial_spec.hpp"

namespace drift {
namespace {

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string number_json(const ParamInfo& p, double v) {
  return p.type == ParamType::integer ? std::to_string(static_cast<long long>(v))
                                      : format_number(v);
}

std::string parameter_schema(const ParamInfo& p) {
  const std::string description = std::string(p.description) + " [unit: " + std::string(p.unit) +
                                  "; source: " + std::string(p.source) + "]";
  return "{\"type\": " + quote(p.type == ParamType::integer ? "integer" : "number") +
         ", \"minimum\": " + number_json(p, p.min) + ", \"maximum\": " + number_json(p, p.max) +
         ", \"default\": " + number_json(p, p.default_value) +
         ", \"description\": " + quote(description) + "}";
}

std::string group_schema(const GroupInfo& g) {
  std::string s = "{\"type\": \"object\", \"description\": " + quote(g.description) +
                  ", \"additionalProperties\": false, \"properties\": {";
  bool first = true;
  for (const auto& p : parameter_table()) {
    if (p.group != g.name) continue;
    if (!first) s += ", ";
    first = false;
    s += quote(p.name) + ": " + parameter_schema(p);
  }
  return s + "}}";
}

constexpr std::string_view kArea = R"json({
      "type": "object",
      "additionalProperties": false,
      "required": ["name", "youth_12_17", "youth_18_26", "low_income_share", "schools"],
      "properties": {
        "name": {"type": "string", "minLength": 1, "description": "Area name, unique"},
        "youth_12_17": {"type": "number", "minimum": 0, "description": "Residents aged 12-17"},
        "youth_18_26": {"type": "number", "minimum": 0, "description": "Residents aged 18-26"},
        "low_income_share": {"type": "number", "minimum": 0, "maximum": 1,
          "description": "Share of households at or below 125% of the social minimum"},
        "schools": {"type": "integer", "minimum": 0,
          "description": "Secondary school locations"}
      }
    })json";

constexpr std::string_view kAreas = R"json({
      "description": "The modelled areas: a CSV file (relative to this file) or an inline list. Required in the file or in one it extends.",
      "oneOf": [
        {"type": "object", "additionalProperties": false, "required": ["csv"],
         "properties": {"csv": {"type": "string", "minLength": 1,
           "description": "CSV with columns district (or name), youth_12_17, youth_18_26, low_income_share, schools (or secondary_schools)"}}},
        {"type": "object", "additionalProperties": false, "required": ["list"],
         "properties": {"list": {"type": "array", "minItems": 1, "maxItems": 250,
           "items": {"$ref": "#/$defs/area"}}}}
      ]
    })json";

// The calibrate section (calibration.hpp, docs/calibration.md).
std::string calibrate_schema() {
  std::string paths;
  for (const auto& p : parameter_table()) {
    if (!paths.empty()) paths += ", ";
    paths += quote(p.path);
  }
  return R"json({"type": "object", "additionalProperties": false,
      "description": "Calibration by rejection or sequential ABC against observed targets (drift calibrate)",
      "required": ["parameters"],
      "properties": {
        "parameters": {"type": "object", "minProperties": 1,
          "description": "Parameter path -> [low, high]: a uniform prior range",
          "propertyNames": {"enum": [)json" +
         paths + R"json(]},
          "additionalProperties": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}},
        "design": {"enum": ["latin_hypercube", "sobol"], "default": "latin_hypercube"},
        "points": {"type": "integer", "minimum": 2, "maximum": 1000000, "default": 100,
          "description": "Design points drawn from the prior"},
        "seed": {"type": "integer", "minimum": 0, "default": 1, "description": "Design seed (latin_hypercube)"},
        "replicates": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1,
          "description": "Runs per point; the simulated statistic is their mean"},
        "strategy": {"type": "string", "description": "The strategy that is run (default: the baseline)"},
        "targets": {"type": "string", "minLength": 1,
          "description": "Targets file, relative to this file (drift calibrate --targets overrides)"},
        "acceptance": {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": false,
          "properties": {
            "quantile": {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
              "description": "Accept this share of the points, those with the smallest distances"},
            "tolerance": {"type": "number", "exclusiveMinimum": 0,
              "description": "Accept every point with a distance at most this"}}},
        "method": {"enum": ["rejection", "smc"], "default": "rejection",
          "description": "rejection: rejection ABC over the design; smc: sequential ABC (population Monte Carlo)"},
        "smc": {"type": "object", "additionalProperties": false,
          "description": "Settings of method smc",
          "properties": {
            "particles": {"type": "integer", "minimum": 2, "maximum": 1000000, "default": 200,
              "description": "Particles per generation"},
            "generations": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 5,
              "description": "Generations at most, counting generation 0"},
            "quantile": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.5,
              "description": "Tolerance of a generation: this quantile of the previous generation's distances"},
            "tolerance": {"type": "number", "minimum": 0, "default": 0,
              "description": "Stop once a generation's tolerance is at most this (0: no such rule)"},
            "min_acceptance": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.02,
              "description": "Stop when a generation's acceptance rate falls below this"}}}
      }
    })json";
}

}  // namespace

std::string scenario_json_schema() {
  std::string s = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://drift.example/scenario.schema.json",
  "title": "Drift scenario",
  "description": "A Drift scenario file: parameters, areas and the strategies to compare.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "name": {"type": "string", "description": "Scenario name (defaults to the file name)"},
    "description": {"type": "string"},
    "extends": {"type": "string",
      "description": "Parent scenario file, relative to this file; this file's keys override it"},
)json";
  for (const auto& g : parameter_groups()) {
    s += "    " + quote(g.name) + ": " + group_schema(g) + ",\n";
  }
  s += "    \"areas\": " + std::string(kAreas) + ",\n";
  s +=
      R"json(    "baseline": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "default": "baseline",
      "description": "Name of the baseline strategy; an empty one is added if no strategy has it"},
    "strategies": {"type": "array", "items": {"$ref": "#/$defs/strategy"}},
    "posterior": {"type": "string",
      "description": "Calibration file (drift calibrate) relative to this file: replicate r of every strategy runs with posterior draw r; \"\" for none"},
    "sweep": {"type": "object"},
    "calibrate": )json";
  s += calibrate_schema();
  s += R"json(,
    "trial": )json" +
       trial_json_schema() + R"json(
  },
  "$defs": {
    "area": )json";
  s += std::string(kArea);
  s += R"json(,
    "strategy": {
      "type": "object",
      "additionalProperties": false,
      "required": ["name"],
      "properties": {
        "name": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
        "description": {"type": "string"},
        "extends": {"type": "string",
          "description": "Another strategy of this file whose interventions come first"},
        "interventions": {"type": "array", "items": {"$ref": "#/$defs/intervention"}}
      }
    },
    "intervention": )json";
  s += intervention_json_schema();
  s += "\n  }\n}\n";
  return s;
}

}  // namespace drift
