#include "drift/scenario/calibration_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "drift/model/parameters.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/suggest.hpp"
#include "drift/scenario/targets.hpp"
#include "sections.hpp"
#include "yaml_text.hpp"

namespace drift {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kKeys = {"parameters", "design",   "points",  "seed",
                                        "replicates", "strategy", "targets", "acceptance",
                                        "method",     "smc"};
const std::vector<std::string> kSmcKeys = {"particles", "generations", "quantile", "tolerance",
                                           "min_acceptance"};
const std::vector<std::string> kDesigns = {"latin_hypercube", "sobol"};

// Parses scenario.calibrate; with `out` null, problems throw (the scenario is known valid).
class Parser : public SectionReader {
 public:
  Parser(const Scenario& s, const YAML::Node& section, std::string file,
         std::vector<Diagnostic>& out)
      : SectionReader(std::move(file), out), s_(s), section_(section) {}

  std::optional<double> whole(const YAML::Node& n, const std::string& key, double lo, double hi) {
    const auto v = number_of(n);
    if (!v || *v != std::floor(*v) || *v < lo || *v > hi) {
      add(n, key,
          "expected a whole number in [" + format_number(lo) + ", " + format_number(hi) +
              "], got " + describe(n));
      return std::nullopt;
    }
    return v;
  }

  CalibrationSpec parse() {
    CalibrationSpec spec;
    const auto& c = section_;
    std::set<std::string> seen;
    for (auto it = c.begin(); it != c.end(); ++it) {
      const YAML::Node key = it->first;
      const auto k = key.IsScalar() ? key.Scalar() : "?";
      if (!seen.insert(k).second) add(key, "calibrate." + k, "duplicate key '" + k + "'");
      if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end()) {
        add(key, "calibrate." + k, "unknown key '" + k + "'" + did_you_mean(k, kKeys));
      }
    }
    parse_parameters(spec);
    if (const auto d = c["design"]) {
      if (!d.IsScalar() ||
          std::find(kDesigns.begin(), kDesigns.end(), d.Scalar()) == kDesigns.end()) {
        add(d, "calibrate.design", "expected latin_hypercube or sobol, got " + describe(d));
      } else {
        spec.design = d.Scalar();
      }
    }
    if (const auto n = c["points"]) {
      if (auto v = whole(n, "calibrate.points", 2, 1000000)) spec.points = static_cast<int>(*v);
    }
    if (const auto n = c["seed"]) {
      if (auto v = whole(n, "calibrate.seed", 0, 4294967295.0))
        spec.seed = static_cast<std::uint32_t>(*v);
    }
    if (const auto n = c["replicates"]) {
      if (auto v = whole(n, "calibrate.replicates", 1, 10000))
        spec.replicates = static_cast<int>(*v);
    }
    spec.strategy = s_.strategies.empty() ? "baseline" : s_.strategies.front().name;
    if (const auto n = c["strategy"]) {
      std::vector<std::string> names;
      for (const auto& st : s_.strategies) names.push_back(st.name);
      if (!n.IsScalar() || std::find(names.begin(), names.end(), n.Scalar()) == names.end()) {
        add(n, "calibrate.strategy",
            "unknown strategy " + describe(n) +
                (n.IsScalar() ? did_you_mean(n.Scalar(), names) : ""));
      } else {
        spec.strategy = n.Scalar();
      }
    }
    if (const auto n = c["targets"]) {
      if (!n.IsScalar() || n.Scalar().empty()) {
        add(n, "calibrate.targets", "expected a file name, got " + describe(n));
      } else {
        spec.targets = (fs::path(file_).parent_path() / n.Scalar()).lexically_normal().string();
        target_node_ = n;
        has_target_node_ = true;
      }
    }
    if (const auto a = c["acceptance"]) parse_acceptance(a, spec);
    if (const auto m = c["method"]) {
      if (!m.IsScalar() || (m.Scalar() != "rejection" && m.Scalar() != "smc")) {
        add(m, "calibrate.method", "expected rejection or smc, got " + describe(m));
      } else {
        spec.method = m.Scalar();
      }
    }
    if (const auto m = c["smc"]) parse_smc(m, spec);
    if (spec.method == "smc") {
      if (const auto a = c["acceptance"]) {
        add(a, "calibrate.acceptance",
            "acceptance applies to method rejection; method smc keeps smc.particles per "
            "generation (remove acceptance)");
      }
      if (spec.points < spec.smc.particles) {
        add(c["points"] ? c["points"] : c, "calibrate.points",
            "expected at least smc.particles (" + std::to_string(spec.smc.particles) +
                ") design points for generation 0, got " + std::to_string(spec.points));
      }
    } else if (const auto m = c["smc"];
               m &&
               (!c["method"] || (c["method"].IsScalar() && c["method"].Scalar() == "rejection"))) {
      // An invalid method has its own error above.
      add(m, "calibrate.smc", "smc settings apply to method smc; set method: smc");
    }
    return spec;
  }

  YAML::Node target_node_;
  bool has_target_node_ = false;

 private:
  void parse_parameters(CalibrationSpec& spec) {
    const auto params = section_["parameters"];
    if (!params || !params.IsMap() || params.size() == 0) {
      add(params ? params : section_, "calibrate.parameters",
          "expected a map of parameter paths to [low, high] prior ranges");
      return;
    }
    std::vector<std::string> all;
    for (const auto& p : parameter_table()) all.emplace_back(p.path);
    for (auto it = params.begin(); it != params.end(); ++it) {
      const YAML::Node name = it->first;
      const YAML::Node range = it->second;
      const std::string path = name.IsScalar() ? name.Scalar() : "?";
      const std::string key = "calibrate.parameters." + path;
      const ParamInfo* info = find_parameter(path);
      if (info == nullptr) {
        add(name, key,
            "unknown parameter path '" + path + "'" + did_you_mean(path, all) +
                " (a model parameter group.name, as --set takes)");
        continue;
      }
      if (std::find(spec.paths.begin(), spec.paths.end(), path) != spec.paths.end()) {
        add(name, key, "duplicate parameter '" + path + "'");
        continue;
      }
      const auto lo = range.IsSequence() && range.size() == 2 ? number_of(range[0]) : std::nullopt;
      const auto hi = range.IsSequence() && range.size() == 2 ? number_of(range[1]) : std::nullopt;
      if (!lo || !hi) {
        add(range, key, "expected [low, high], two numbers, got " + describe(range));
        continue;
      }
      if (!(*hi > *lo)) {
        add(range, key,
            "expected low < high, got [" + format_number(*lo) + ", " + format_number(*hi) + "]");
        continue;
      }
      if (*lo < info->min || *hi > info->max) {
        add(range, key,
            "prior [" + format_number(*lo) + ", " + format_number(*hi) +
                "] leaves the parameter's range [" + format_number(info->min) + ", " +
                format_number(info->max) + "] (" + std::string(info->unit) + ")");
        continue;
      }
      spec.paths.push_back(path);
      spec.priors.emplace_back(*lo, *hi);
    }
  }

  void parse_smc(const YAML::Node& m, CalibrationSpec& spec) {
    const std::string key = "calibrate.smc";
    if (!m.IsMap()) {
      add(m, key,
          "expected a map {particles, generations, quantile, tolerance, min_acceptance}, got " +
              describe(m));
      return;
    }
    std::set<std::string> seen;
    for (auto it = m.begin(); it != m.end(); ++it) {
      const YAML::Node k = it->first;
      const auto name = k.IsScalar() ? k.Scalar() : "?";
      if (!seen.insert(name).second) add(k, key + "." + name, "duplicate key '" + name + "'");
      if (std::find(kSmcKeys.begin(), kSmcKeys.end(), name) == kSmcKeys.end()) {
        add(k, key + "." + name, "unknown key '" + name + "'" + did_you_mean(name, kSmcKeys));
      }
    }
    if (const auto n = m["particles"]) {
      if (auto v = whole(n, key + ".particles", 2, 1000000))
        spec.smc.particles = static_cast<int>(*v);
    }
    if (const auto n = m["generations"]) {
      if (auto v = whole(n, key + ".generations", 1, 1000))
        spec.smc.generations = static_cast<int>(*v);
    }
    if (const auto n = m["quantile"]) {
      const auto v = number_of(n);
      if (!v || !(*v > 0 && *v < 1)) {
        add(n, key + ".quantile", "expected a share in (0, 1), got " + describe(n));
      } else {
        spec.smc.quantile = *v;
      }
    }
    if (const auto n = m["tolerance"]) {
      const auto v = number_of(n);
      if (!v || !(*v >= 0) || !std::isfinite(*v)) {
        add(n, key + ".tolerance",
            "expected a distance of at least 0 (0: no tolerance rule), got " + describe(n));
      } else {
        spec.smc.tolerance = *v;
      }
    }
    if (const auto n = m["min_acceptance"]) {
      const auto v = number_of(n);
      if (!v || !(*v > 0 && *v <= 1)) {
        add(n, key + ".min_acceptance", "expected a share in (0, 1], got " + describe(n));
      } else {
        spec.smc.min_acceptance = *v;
      }
    }
  }

  void parse_acceptance(const YAML::Node& a, CalibrationSpec& spec) {
    const std::string key = "calibrate.acceptance";
    if (!a.IsMap() || a.size() != 1) {
      add(a, key, "expected {quantile: Q} or {tolerance: T}, got " + describe(a));
      return;
    }
    const YAML::Node k = a.begin()->first;
    const YAML::Node v = a.begin()->second;
    const std::string name = k.IsScalar() ? k.Scalar() : "?";
    const auto x = number_of(v);
    if (name == "quantile") {
      if (!x || !(*x > 0 && *x <= 1)) {
        add(v, key + ".quantile", "expected a share in (0, 1], got " + describe(v));
        return;
      }
      spec.acceptance = {true, *x};
    } else if (name == "tolerance") {
      if (!x || !(*x > 0)) {
        add(v, key + ".tolerance", "expected a positive distance, got " + describe(v));
        return;
      }
      spec.acceptance = {false, *x};
    } else {
      add(k, key + "." + name,
          "unknown key '" + name + "'" + did_you_mean(name, {"quantile", "tolerance"}) +
              " (expected quantile or tolerance)");
    }
  }

  const Scenario& s_;
  YAML::Node section_;
};

}  // namespace

std::string Acceptance::describe() const {
  return (by_quantile ? "quantile " : "tolerance ") + format_number(value);
}

std::optional<CalibrationSpec> check_calibrate(const Scenario& scenario, const YAML::Node& section,
                                               const std::string& file,
                                               std::vector<Diagnostic>& out) {
  Parser parser(scenario, section, file, out);
  const std::size_t before = out.size();
  const auto spec = parser.parse();
  if (out.size() != before) return std::nullopt;
  if (spec.targets.empty()) return spec;
  try {
    load_targets(spec.targets);
  } catch (const ScenarioError& e) {
    const auto& d = e.diagnostics();
    if (d.size() == 1 && d.front().line == 0) {
      // The file itself is missing: point at the key that names it.
      parser.add(parser.target_node_, "calibrate.targets",
                 d.front().message + " '" + spec.targets + "'");
    } else {
      out.insert(out.end(), d.begin(), d.end());
    }
  }
  if (out.size() != before) return std::nullopt;
  return spec;
}

CalibrationSpec calibration_spec(const Scenario& scenario) {
  if (!scenario.calibrate) {
    throw ScenarioError({{scenario.file, 0, 0, "calibrate",
                          "the scenario has no calibrate section (see docs/calibration.md)"}});
  }
  return *scenario.calibrate;
}

std::vector<std::vector<double>> calibration_prior_points(const CalibrationSpec& spec) {
  if (spec.design == "sobol") {
    // The first block of Saltelli's scheme is the Sobol sequence itself.
    auto pts = saltelli_points(spec.points, spec.priors);
    pts.resize(spec.points);
    return pts;
  }
  return latin_hypercube(spec.points, spec.priors, spec.seed);
}

SweepDesign calibration_design(const CalibrationSpec& spec) {
  return calibration_run_design(spec, calibration_prior_points(spec));
}

SweepDesign calibration_run_design(const CalibrationSpec& spec,
                                   std::vector<std::vector<double>> points) {
  SweepDesign d;
  d.kind = spec.design;
  d.paths = spec.paths;
  d.points = std::move(points);
  for (auto& pt : d.points) {
    for (std::size_t j = 0; j < pt.size(); ++j) {
      const auto* info = find_parameter(spec.paths[j]);
      if (info && info->type == ParamType::integer) pt[j] = std::round(pt[j]);
    }
  }
  return d;
}

Scenario calibration_scenario(const Scenario& scenario, const CalibrationSpec& spec) {
  Scenario s = scenario;
  std::vector<StrategySpec> kept;
  for (const auto& st : scenario.strategies) {
    if (st.name == spec.strategy) kept.push_back(st);
  }
  if (kept.empty()) throw std::invalid_argument("unknown strategy " + spec.strategy);
  s.strategies = kept;
  s.params.simulation.replicates = spec.replicates;
  s.sweep = {};
  s.sweep_yaml.clear();
  s.posterior = {};
  s.resolved_yaml = emit_resolved_yaml(s);
  return s;
}

}  // namespace drift
