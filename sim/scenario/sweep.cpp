#include "drift/scenario/sweep.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <numeric>
#include <set>

#include "drift/interventions/registry.hpp"
#include "drift/model/parameters.hpp"
#include "drift/model/rng.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/suggest.hpp"
#include "sections.hpp"

namespace drift {

namespace {

const std::vector<std::string> kDesigns = {"grid", "list", "latin_hypercube", "sobol"};
const std::vector<std::string> kKeys = {"design", "parameters", "points", "samples", "seed"};
constexpr std::size_t kMaxPoints = 1000000;

struct Target {
  const ParamInfo* param = nullptr;  // a model parameter, or
  std::size_t strategy = 0;          // an intervention field
  std::size_t intervention = 0;
  std::vector<std::string> field;  // e.g. {"effects", "entry"}
};

// Resolves a path; returns an error message, or "" on success.
std::string resolve(const Scenario& s, const std::string& path, Target& t) {
  if (const auto* p = find_parameter(path)) {
    t.param = p;
    return "";
  }
  if (!path.starts_with("strategies.")) {
    std::vector<std::string> all;
    for (const auto& p : parameter_table()) all.emplace_back(p.path);
    std::string m = "unknown parameter path '" + path + "'";
    const auto near = nearest_name(path, all);
    if (!near.empty()) m += "; did you mean '" + near + "'?";
    return m + " (a model parameter group.name, or strategies.STRATEGY.INTERVENTION.FIELD)";
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (parts.size() < 4)
    return "expected strategies.STRATEGY.INTERVENTION.FIELD, got '" + path + "'";
  std::vector<std::string> names;
  for (const auto& st : s.strategies) names.push_back(st.name);
  const auto sit = std::find(names.begin(), names.end(), parts[1]);
  if (sit == names.end()) {
    const auto near = nearest_name(parts[1], names);
    return "unknown strategy '" + parts[1] + "'" +
           (near.empty() ? "" : "; did you mean '" + near + "'?");
  }
  t.strategy = static_cast<std::size_t>(sit - names.begin());
  const auto& ivs = s.strategies[t.strategy].interventions;
  std::vector<std::string> inames;
  for (const auto& i : ivs) inames.push_back(i.name);
  const auto iit = std::find(inames.begin(), inames.end(), parts[2]);
  if (iit == inames.end()) {
    const auto near = nearest_name(parts[2], inames);
    return "strategy '" + parts[1] + "' has no intervention named '" + parts[2] + "'" +
           (near.empty() ? "" : "; did you mean '" + near + "'?");
  }
  t.intervention = static_cast<std::size_t>(iit - inames.begin());
  t.field.assign(parts.begin() + 3, parts.end());
  return "";
}

// Applies one value; returns a problem description or "".
std::string apply(Scenario& s, const Target& t, double value) {
  if (t.param) {
    if (t.param->type == ParamType::integer && value != std::floor(value)) {
      return "'" + std::string(t.param->path) + "' takes whole numbers, got " +
             format_number(value);
    }
    if (value < t.param->min || value > t.param->max) {
      return "value " + format_number(value) + " out of range [" + format_number(t.param->min) +
             ", " + format_number(t.param->max) + "] (" + std::string(t.param->unit) + ")";
    }
    t.param->set(s.params, value);
    return "";
  }
  auto& spec = s.strategies[t.strategy].interventions[t.intervention];
  std::string key;
  for (const auto& part : t.field) {
    if (!key.empty()) key += '.';
    key += part;
  }
  const auto problem = intervention_value_problem(spec, key, value);
  if (problem.empty()) spec.values.number[key] = value;
  return problem;
}

struct Parsed {
  SweepDesign design;
  std::vector<Target> targets;
  std::vector<YAML::Node> path_nodes;                // for error marks, one per path
  std::vector<std::vector<YAML::Node>> value_nodes;  // grid/list: per point and parameter
  std::vector<bool> round;
};

class Checker : public SectionReader {
 public:
  Checker(const Scenario& s, const YAML::Node& section, std::string file,
          std::vector<Diagnostic>& out)
      : SectionReader(std::move(file), out), s_(s), section_(section) {}

  std::optional<double> number(const YAML::Node& n, const std::string& key) {
    const auto v = n.IsScalar() ? parse_number(n.Scalar()) : std::nullopt;
    if (!v) add(n, key, "expected a number");
    return v;
  }

  Parsed parse() {
    Parsed p;
    const auto& sw = section_;
    for (auto it = sw.begin(); it != sw.end(); ++it) {
      const auto k = it->first.as<std::string>();
      if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end()) {
        const auto near = nearest_name(k, kKeys);
        add(it->first, "sweep." + k,
            "unknown key '" + k + "'" + (near.empty() ? "" : "; did you mean '" + near + "'?"));
      }
    }
    const auto design = sw["design"];
    if (!design || !design.IsScalar() ||
        std::find(kDesigns.begin(), kDesigns.end(), design.Scalar()) == kDesigns.end()) {
      add(design ? design : sw, "sweep.design",
          "expected one of: grid, list, latin_hypercube, sobol");
      return p;
    }
    p.design.kind = design.Scalar();
    if (p.design.kind == "list") {
      parse_list(p);
    } else {
      parse_parameters(p);
    }
    return p;
  }

 private:
  void add_path(Parsed& p, const YAML::Node& key_node, const std::string& key) {
    Target t;
    const auto problem = resolve(s_, key_node.as<std::string>(), t);
    if (!problem.empty()) add(key_node, key, problem);
    p.design.paths.push_back(key_node.as<std::string>());
    p.targets.push_back(t);
    p.path_nodes.push_back(key_node);
  }

  void parse_list(Parsed& p) {
    const auto points = section_["points"];
    if (!points || !points.IsSequence() || points.size() == 0) {
      add(points ? points : section_, "sweep.points",
          "expected a non-empty list of points (maps path: value)");
      return;
    }
    for (std::size_t k = 0; k < points.size(); ++k) {
      const auto pt = points[k];
      const std::string key = "sweep.points[" + std::to_string(k) + "]";
      if (!pt.IsMap()) {
        add(pt, key, "expected a map path: value");
        continue;
      }
      if (k == 0) {
        for (auto it = pt.begin(); it != pt.end(); ++it)
          add_path(p, it->first, key + "." + it->first.as<std::string>());
      }
      std::vector<double> values(p.design.paths.size(), 0.0);
      std::vector<YAML::Node> nodes(p.design.paths.size());
      std::set<std::string> seen;
      for (auto it = pt.begin(); it != pt.end(); ++it) {
        const auto path = it->first.as<std::string>();
        const auto pos = std::find(p.design.paths.begin(), p.design.paths.end(), path);
        if (pos == p.design.paths.end()) {
          add(it->first, key + "." + path, "every point must set the same paths as the first");
          continue;
        }
        seen.insert(path);
        if (auto v = number(it->second, key + "." + path)) {
          values[pos - p.design.paths.begin()] = *v;
          nodes[pos - p.design.paths.begin()] = it->second;
        }
      }
      if (seen.size() != p.design.paths.size())
        add(pt, key, "every point must set the same paths as the first");
      p.design.points.push_back(values);
      p.value_nodes.push_back(nodes);
    }
    p.round.assign(p.design.paths.size(), false);
  }

  void parse_parameters(Parsed& p) {
    const auto params = section_["parameters"];
    if (!params || !params.IsMap() || params.size() == 0) {
      add(params ? params : section_, "sweep.parameters", "expected a map of parameter paths");
      return;
    }
    const bool grid = p.design.kind == "grid";
    std::vector<std::vector<double>> values;
    std::vector<std::vector<YAML::Node>> nodes;
    std::vector<std::pair<double, double>> ranges;
    for (auto it = params.begin(); it != params.end(); ++it) {
      // Copies: the iterator's pair is a proxy that does not outlive the expression.
      const YAML::Node name = it->first;
      const YAML::Node spec = it->second;
      const auto path = name.as<std::string>();
      const std::string key = "sweep.parameters." + path;
      add_path(p, name, key);
      if (grid) {
        if (!spec.IsSequence() || spec.size() == 0) {
          add(spec, key, "expected a non-empty list of values");
          values.push_back({0.0});
          nodes.push_back({spec});
          continue;
        }
        std::vector<double> v;
        std::vector<YAML::Node> n;
        for (const auto& x : spec) {
          v.push_back(number(x, key).value_or(0.0));
          n.push_back(x);
        }
        values.push_back(v);
        nodes.push_back(n);
      } else {
        const auto r = spec;
        if (!r.IsMap() || !r["min"] || !r["max"]) {
          add(r, key, "expected {min: NUMBER, max: NUMBER}");
          ranges.emplace_back(0, 0);
          p.round.push_back(false);
          continue;
        }
        const double lo = number(r["min"], key + ".min").value_or(0);
        const double hi = number(r["max"], key + ".max").value_or(0);
        if (hi < lo) add(r, key, "max is below min");
        ranges.emplace_back(lo, hi);
        const auto& t = p.targets.back();
        p.round.push_back((t.param && t.param->type == ParamType::integer) ||
                          (r["round"] && r["round"].IsScalar() && r["round"].Scalar() == "true"));
      }
    }
    if (grid) {
      std::size_t total = 1;
      for (const auto& v : values) total *= v.size();
      if (total > kMaxPoints) {
        add(params, "sweep.parameters", "the grid has more than 1,000,000 points");
        return;
      }
      p.design.points = grid_points(values);
      // Error marks for each point's values follow the same odometer order.
      for (std::size_t k = 0; k < p.design.points.size(); ++k) {
        std::vector<YAML::Node> n(values.size());
        std::size_t rest = k;
        for (std::size_t j = values.size(); j-- > 0;) {
          n[j] = nodes[j][rest % values[j].size()];
          rest /= values[j].size();
        }
        p.value_nodes.push_back(n);
      }
      p.round.assign(values.size(), false);
      return;
    }
    const auto samples = section_["samples"];
    int n = 16;
    if (samples) {
      const auto v = number(samples, "sweep.samples");
      if (v && (*v < 1 || *v > 100000 || *v != std::floor(*v)))
        add(samples, "sweep.samples", "expected a whole number in [1, 100000]");
      else if (v)
        n = static_cast<int>(*v);  // only in range: a huge count cannot be an int
    }
    std::uint32_t seed = 1;
    if (const auto sd = section_["seed"]) {
      if (const auto v = number(sd, "sweep.seed")) seed = static_cast<std::uint32_t>(*v);
    }
    if (n < 1 || n > 100000) return;
    if (p.design.kind == "latin_hypercube") {
      p.design.points = latin_hypercube(n, ranges, seed);
    } else {
      p.design.points = saltelli_points(n, ranges);
      p.design.base_samples = n;
    }
    for (auto& pt : p.design.points) {
      for (std::size_t j = 0; j < pt.size(); ++j) {
        if (p.round[j]) pt[j] = std::round(pt[j]);
      }
    }
  }

  const Scenario& s_;
  YAML::Node section_;
};

}  // namespace

std::vector<std::vector<double>> grid_points(const std::vector<std::vector<double>>& values) {
  std::vector<std::vector<double>> out;
  std::size_t total = 1;
  for (const auto& v : values) total *= v.size();
  for (std::size_t k = 0; k < total; ++k) {
    std::vector<double> pt(values.size());
    std::size_t rest = k;
    for (std::size_t j = values.size(); j-- > 0;) {
      pt[j] = values[j][rest % values[j].size()];
      rest /= values[j].size();
    }
    out.push_back(pt);
  }
  return out;
}

std::vector<std::vector<double>> latin_hypercube(
    int samples, const std::vector<std::pair<double, double>>& ranges, std::uint32_t seed) {
  Rng rng(seed, 0);
  std::vector<std::vector<double>> out(samples, std::vector<double>(ranges.size()));
  for (std::size_t j = 0; j < ranges.size(); ++j) {
    // One point in each of `samples` equal strata, strata shuffled independently per parameter.
    std::vector<std::pair<double, int>> order;
    for (int k = 0; k < samples; ++k) {
      order.emplace_back(
          rng.uniform(Stream::design, static_cast<std::int32_t>(j), static_cast<std::uint32_t>(k)),
          k);
    }
    std::sort(order.begin(), order.end());
    for (int k = 0; k < samples; ++k) {
      const double u =
          (order[k].second + rng.uniform(Stream::design, static_cast<std::int32_t>(j + 1000000),
                                         static_cast<std::uint32_t>(k))) /
          samples;
      out[k][j] = ranges[j].first + u * (ranges[j].second - ranges[j].first);
    }
  }
  return out;
}

std::vector<std::vector<double>> saltelli_points(
    int base_samples, const std::vector<std::pair<double, double>>& ranges) {
  const std::size_t d = ranges.size();
  boost::random::sobol engine(2 * d);
  engine.discard(2 * d);  // skip the all-zero first point
  std::vector<std::vector<double>> a(base_samples, std::vector<double>(d)), b = a;
  // Scale the engine's integers to [0, 1) whatever their width.
  const double scale = 1.0 / (static_cast<double>(engine.max() - engine.min()) + 1.0);
  for (int k = 0; k < base_samples; ++k) {
    for (std::size_t j = 0; j < 2 * d; ++j) {
      const double u = static_cast<double>(engine() - engine.min()) * scale;
      const double x = ranges[j % d].first + u * (ranges[j % d].second - ranges[j % d].first);
      (j < d ? a[k][j] : b[k][j - d]) = x;
    }
  }
  std::vector<std::vector<double>> out = a;
  out.insert(out.end(), b.begin(), b.end());
  for (std::size_t i = 0; i < d; ++i) {
    for (int k = 0; k < base_samples; ++k) {
      auto row = a[k];
      row[i] = b[k][i];
      out.push_back(row);
    }
  }
  return out;
}

SweepDesign check_sweep(const Scenario& scenario, const YAML::Node& section,
                        const std::string& file, std::vector<Diagnostic>& out) {
  Checker checker(scenario, section, file, out);
  const std::size_t before = out.size();
  const auto parsed = checker.parse();
  if (out.size() != before) return {};
  // Every point must give a valid scenario: values in range, intervention values valid.
  for (std::size_t k = 0; k < parsed.design.points.size(); ++k) {
    Scenario s = scenario;
    for (std::size_t j = 0; j < parsed.targets.size(); ++j) {
      const auto problem = apply(s, parsed.targets[j], parsed.design.points[k][j]);
      if (problem.empty()) continue;
      const auto& at = k < parsed.value_nodes.size() && parsed.value_nodes[k][j]
                           ? parsed.value_nodes[k][j]
                           : parsed.path_nodes[j];
      checker.add(at, "sweep." + parsed.design.paths[j], problem);
      return {};  // one bad value is reported once, not for every point it appears in
    }
  }
  return parsed.design;
}

SweepDesign sweep_design(const Scenario& scenario) {
  return scenario.sweep;
}

Scenario scenario_at(const Scenario& base, const SweepDesign& design, std::size_t point) {
  Scenario s = base;
  if (design.points.empty()) return s;
  for (std::size_t j = 0; j < design.paths.size(); ++j) {
    Target t;
    resolve(base, design.paths[j], t);
    const auto problem = apply(s, t, design.points[point][j]);
    if (!problem.empty()) throw std::invalid_argument(design.paths[j] + ": " + problem);
  }
  return s;
}

}  // namespace drift
