#include "drift/experiments/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>

#include "drift/build_info.hpp"
#include "drift/experiments/observables.hpp"
#include "drift/model/parameters.hpp"
#include "drift/model/rng.hpp"
#include "drift/results/h5_write.hpp"
#include "drift/results/results.hpp"
#include "drift/scenario/suggest.hpp"

namespace drift {

namespace fs = std::filesystem;

double distance(const std::vector<double>& simulated, const std::vector<ObservedTarget>& targets) {
  double sum = 0;
  int n = 0;
  for (std::size_t k = 0; k < targets.size(); ++k) {
    if (!targets[k].fit) continue;
    if (!std::isfinite(simulated[k])) return std::numeric_limits<double>::infinity();
    const double z = (simulated[k] - targets[k].value) / targets[k].sd();
    sum += z * z;
    ++n;
  }
  return n > 0 ? std::sqrt(sum / n) : std::numeric_limits<double>::infinity();
}

AbcResult abc_reject(const std::vector<double>& distances, const Acceptance& acceptance) {
  AbcResult r;
  std::vector<double> finite;
  for (double d : distances) {
    if (std::isfinite(d)) finite.push_back(d);
  }
  if (finite.empty()) return r;
  std::sort(finite.begin(), finite.end());
  double cut = 0;
  if (acceptance.by_quantile) {
    const auto k = std::max<std::size_t>(
        1, static_cast<std::size_t>(
               std::llround(acceptance.value * static_cast<double>(distances.size()))));
    cut = finite[std::min(k, finite.size()) - 1];
  } else {
    cut = acceptance.value;
  }
  for (std::size_t p = 0; p < distances.size(); ++p) {
    if (std::isfinite(distances[p]) && distances[p] <= cut) r.accepted.push_back(p);
  }
  if (r.accepted.empty()) return r;
  r.weights.assign(r.accepted.size(), 1.0 / static_cast<double>(r.accepted.size()));
  r.tolerance = 0;
  for (auto p : r.accepted) r.tolerance = std::max(r.tolerance, distances[p]);
  return r;
}

double weighted_quantile(std::vector<double> values, std::vector<double> weights, double q) {
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (std::isfinite(values[k])) order.push_back(k);
  }
  if (order.empty()) return std::nan("");
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return values[a] < values[b]; });
  double total = 0;
  for (auto k : order) total += weights[k];
  double cum = 0;
  for (auto k : order) {
    cum += weights[k];
    if (cum >= q * total - 1e-12 * total) return values[k];
  }
  return values[order.back()];
}

CalibrationResult evaluate_calibration(const Scenario& cal, const CalibrationSpec& spec,
                                       const SweepDesign& design,
                                       const std::vector<ObservedTarget>& targets,
                                       const std::string& parts_dir) {
  CalibrationResult r;
  for (const auto& d : run_statistic_definitions()) r.statistic_names.push_back(d.name);
  const std::size_t n = design.size(), ns = r.statistic_names.size(), nt = targets.size();
  r.replicates = cal.params.simulation.replicates;
  r.statistics.assign(n * r.replicates * ns, std::nan(""));
  r.simulated.assign(n * nt, std::nan(""));
  r.distances.assign(n, std::numeric_limits<double>::infinity());
  std::vector<int> stat_of(nt);
  for (std::size_t t = 0; t < nt; ++t) stat_of[t] = run_statistic_index(targets[t].statistic);
  for (std::size_t p = 0; p < n; ++p) {
    const auto out = load_point(cal, design, parts_dir, p);
    const Scenario at = scenario_at(cal, design, p);
    const auto& runs = out.strategies.front().replicates;
    for (int rep = 0; rep < r.replicates; ++rep) {
      const auto stats = run_statistics(runs[rep], replicate_parameters(at, rep));
      std::copy(stats.begin(), stats.end(), r.statistics.begin() + (p * r.replicates + rep) * ns);
    }
    std::vector<double> sim(nt);
    for (std::size_t t = 0; t < nt; ++t) {
      double sum = 0;
      for (int rep = 0; rep < r.replicates; ++rep)
        sum += r.statistics[(p * r.replicates + rep) * ns + stat_of[t]];
      sim[t] = sum / r.replicates;  // NaN when any replicate holds no data
      r.simulated[p * nt + t] = sim[t];
    }
    r.distances[p] = distance(sim, targets);
  }
  r.abc = abc_reject(r.distances, spec.acceptance);
  const auto& w = r.abc.weights;
  for (std::size_t t = 0; t < nt; ++t) {
    std::vector<double> acc, all;
    for (auto p : r.abc.accepted) acc.push_back(r.simulated[p * nt + t]);
    for (std::size_t p = 0; p < n; ++p) all.push_back(r.simulated[p * nt + t]);
    r.fit_median.push_back(weighted_quantile(acc, w, 0.5));
    r.fit_p05.push_back(weighted_quantile(acc, w, 0.05));
    r.fit_p95.push_back(weighted_quantile(acc, w, 0.95));
    r.prior_median.push_back(weighted_quantile(all, std::vector<double>(all.size(), 1.0), 0.5));
  }
  for (std::size_t j = 0; j < design.paths.size(); ++j) {
    std::vector<double> acc;
    for (auto p : r.abc.accepted) acc.push_back(design.points[p][j]);
    r.posterior_median.push_back(weighted_quantile(acc, w, 0.5));
    r.posterior_p05.push_back(weighted_quantile(acc, w, 0.05));
    r.posterior_p95.push_back(weighted_quantile(acc, w, 0.95));
  }
  return r;
}

void write_calibration(const std::string& path, const Scenario& cal, const CalibrationSpec& spec,
                       const SweepDesign& design, const std::vector<ObservedTarget>& targets,
                       const CalibrationResult& r, const std::string& command_line) {
  h5::write_atomically(path, [&](H5::H5File& file) {
    h5::root_attributes(file, cal, command_line);
    auto root = file.openGroup("/");
    root.removeAttr("format");
    h5::string_attr(root, "format", "drift-calibration");
    h5::string_attr(root, "strategy", spec.strategy);
    const hsize_t n = design.size(), k = design.paths.size(), reps = r.replicates,
                  ns = r.statistic_names.size(), nt = targets.size(), m = r.abc.accepted.size();

    auto d = file.createGroup("design");
    h5::string_attr(d, "kind", spec.design);
    h5::int_attr(d, "seed", spec.seed);
    h5::strings(d, "parameter_names", design.paths);
    std::vector<double> lo, hi, flat;
    for (const auto& pr : spec.priors) {
      lo.push_back(pr.first);
      hi.push_back(pr.second);
    }
    for (const auto& pt : design.points) flat.insert(flat.end(), pt.begin(), pt.end());
    h5::array(d, "prior_low", {k}, lo, "", "Lower end of each parameter's uniform prior",
              "parameter");
    h5::array(d, "prior_high", {k}, hi, "", "Upper end of each parameter's uniform prior",
              "parameter");
    h5::array(d, "points", {n, k}, flat, "", "Parameter values of each design point",
              "point,parameter");

    auto st = file.createGroup("statistics");
    h5::strings(st, "names", r.statistic_names);
    std::vector<std::string> units;
    for (const auto& s : run_statistic_definitions()) units.push_back(s.unit);
    h5::strings(st, "units", units);
    h5::array(st, "values", {n, reps, ns}, r.statistics, "",
              "Run statistics of each point and replicate", "point,replicate,statistic");

    auto tg = file.createGroup("targets");
    std::vector<std::string> name, stat, use, unit, source, population;
    std::vector<double> value, sd, year;
    for (const auto& t : targets) {
      name.push_back(t.name);
      stat.push_back(t.statistic);
      use.push_back(t.fit ? "fit" : "validate");
      unit.push_back(t.unit);
      source.push_back(t.source);
      population.push_back(t.population);
      value.push_back(t.value);
      sd.push_back(t.sd());
      year.push_back(t.year);
    }
    h5::strings(tg, "name", name);
    h5::strings(tg, "statistic", stat);
    h5::strings(tg, "use", use);
    h5::strings(tg, "unit", unit);
    h5::strings(tg, "source", source);
    h5::strings(tg, "population", population);
    h5::array(tg, "value", {nt}, value, "", "Observed value", "target");
    h5::array(tg, "sd", {nt}, sd, "", "Standard deviation the distance divides by", "target");
    h5::array(tg, "year", {nt}, year, "year", "Year of the figure (0: not given)", "target");
    h5::array(tg, "simulated", {n, nt}, r.simulated, "",
              "Mean over the point's replicates of each target's statistic", "point,target");

    auto ds =
        h5::array(root, "distance", {n}, r.distances, "",
                  "sqrt(mean over fitting targets of ((simulated - observed) / sd)^2); inf when a "
                  "fitting statistic is missing",
                  "point");
    (void)ds;

    auto post = file.createGroup("posterior");
    h5::string_attr(post, "acceptance", spec.acceptance.describe());
    h5::string_attr(post, "method", "rejection ABC");
    h5::number_attr(post, "tolerance", r.abc.tolerance);
    h5::int_attr(post, "accepted", static_cast<long long>(m));
    h5::strings(post, "parameter_names", design.paths);
    std::vector<double> index, pts;
    for (auto p : r.abc.accepted) {
      index.push_back(static_cast<double>(p));
      pts.insert(pts.end(), design.points[p].begin(), design.points[p].end());
    }
    h5::array(post, "index", {m}, index, "point", "Design point of each accepted draw", "draw");
    h5::array(post, "points", {m, k}, pts, "", "Parameter values of each accepted draw",
              "draw,parameter");
    h5::array(post, "weights", {m}, r.abc.weights, "", "Weight of each accepted draw (sum 1)",
              "draw");
    h5::array(post, "median", {k}, r.posterior_median, "", "Posterior median", "parameter");
    h5::array(post, "p05", {k}, r.posterior_p05, "", "Posterior 5% quantile", "parameter");
    h5::array(post, "p95", {k}, r.posterior_p95, "", "Posterior 95% quantile", "parameter");
    h5::string_attr(root, "acceptance", spec.acceptance.describe());
    h5::number_attr(root, "tolerance", r.abc.tolerance);
    h5::int_attr(root, "accepted", static_cast<long long>(m));

    auto fit = file.createGroup("fit");
    h5::strings(fit, "names", name);
    h5::strings(fit, "use", use);
    h5::array(fit, "observed", {nt}, value, "", "Observed value", "target");
    h5::array(fit, "sd", {nt}, sd, "", "Standard deviation of the target", "target");
    h5::array(fit, "simulated_median", {nt}, r.fit_median, "", "Median over accepted draws",
              "target");
    h5::array(fit, "simulated_p05", {nt}, r.fit_p05, "", "5% quantile over accepted draws",
              "target");
    h5::array(fit, "simulated_p95", {nt}, r.fit_p95, "", "95% quantile over accepted draws",
              "target");
    h5::array(fit, "prior_median", {nt}, r.prior_median, "",
              "Median over all design points (prior predictive)", "target");
  });
}

namespace {
std::string fmt(double v) {
  if (!std::isfinite(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}
// "[a, b]" (built by appending: GCC 12 warns falsely on "x" + std::string at -O3).
std::string range_text(double a, double b) {
  std::string s("[");
  s.append(fmt(a));
  s.append(", ");
  s.append(fmt(b));
  s.push_back(']');
  return s;
}
std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}
}  // namespace

std::string format_calibration(const CalibrationSpec& spec,
                               const std::vector<ObservedTarget>& targets,
                               const CalibrationResult& r) {
  std::ostringstream o;
  const std::size_t n = r.distances.size();
  o << "Calibration: " << n << " points x " << r.replicates << " replicates (" << spec.design
    << "), acceptance " << spec.acceptance.describe() << ": " << r.abc.accepted.size()
    << " accepted, tolerance " << fmt(r.abc.tolerance) << "\n\n";
  std::size_t w = 10;
  for (const auto& p : spec.paths) w = std::max(w, p.size());
  o << pad("parameter", w) << "  " << pad("prior", 22) << "  " << pad("posterior median", 16)
    << "  90% interval\n";
  for (std::size_t j = 0; j < spec.paths.size(); ++j) {
    o << pad(spec.paths[j], w) << "  "
      << pad(range_text(spec.priors[j].first, spec.priors[j].second), 22) << "  "
      << pad(fmt(r.posterior_median[j]), 16) << "  "
      << range_text(r.posterior_p05[j], r.posterior_p95[j]) << "\n";
  }
  o << "\n";
  std::size_t tw = 6;
  for (const auto& t : targets) tw = std::max(tw, t.name.size());
  o << pad("target", tw) << "  " << pad("observed", 10) << "  " << pad("simulated", 10) << "  "
    << pad("90% interval", 22) << "  " << pad("within", 6) << "  use\n";
  for (std::size_t t = 0; t < targets.size(); ++t) {
    const double obs = targets[t].value;
    const bool within = std::isfinite(r.fit_p05[t]) && obs >= r.fit_p05[t] && obs <= r.fit_p95[t];
    o << pad(targets[t].name, tw) << "  " << pad(fmt(obs), 10) << "  "
      << pad(fmt(r.fit_median[t]), 10) << "  " << pad(range_text(r.fit_p05[t], r.fit_p95[t]), 22)
      << "  " << pad(std::isfinite(r.fit_median[t]) ? (within ? "yes" : "no") : "-", 6) << "  "
      << (targets[t].fit ? "fit" : "validate") << "\n";
  }
  return o.str();
}

bool is_calibration_file(const std::string& path) {
  try {
    ResultReader reader(path);
    return reader.exists("/posterior/points") && reader.exists("/design/points") &&
           reader.attribute("/", "format") == "drift-calibration";
  } catch (const std::exception&) {
    return false;
  }
}

std::string format_calibration_file(const std::string& path) {
  ResultReader f(path);
  constexpr auto any = ResultReader::kAnyLength;
  CalibrationSpec spec;
  spec.paths = f.strings("/design/parameter_names");
  spec.design = f.attribute("/design", "kind");
  const std::size_t k = spec.paths.size();
  const auto lo = f.dataset("/design/prior_low", {k}).values,
             hi = f.dataset("/design/prior_high", {k}).values;
  for (std::size_t j = 0; j < k; ++j) spec.priors.emplace_back(lo[j], hi[j]);
  const auto acceptance = f.attribute("/", "acceptance");
  spec.acceptance.by_quantile = acceptance.starts_with("quantile");
  spec.acceptance.value =
      parse_number(acceptance.substr(acceptance.find(' ') + 1)).value_or(std::nan(""));
  std::vector<ObservedTarget> targets;
  const auto names = f.strings("/fit/names"), use = f.strings("/fit/use");
  const std::size_t nt = names.size();
  if (use.size() != nt) {
    throw std::runtime_error(path + ": dataset /fit/use: " + std::to_string(use.size()) +
                             " entries, expected one per target (" + std::to_string(nt) + ")");
  }
  const auto observed = f.dataset("/fit/observed", {nt}).values;
  for (std::size_t t = 0; t < nt; ++t) {
    ObservedTarget x;
    x.name = names[t];
    x.value = observed[t];
    x.fit = use[t] == "fit";
    targets.push_back(x);
  }
  CalibrationResult r;
  r.distances = f.dataset("/distance", {any}).values;
  const std::size_t n = r.distances.size();
  r.replicates = static_cast<int>(f.dataset("/statistics/values", {n, any, any}).shape[1]);
  const auto index = f.dataset("/posterior/index", {any}).values;
  for (double p : index) {
    if (!(p >= 0 && p < static_cast<double>(n)))
      throw std::runtime_error(path + ": dataset /posterior/index: " + std::to_string(p) +
                               " is not a design point (0 to " + std::to_string(n) + ")");
    r.abc.accepted.push_back(static_cast<std::size_t>(p));
  }
  r.abc.weights = f.dataset("/posterior/weights", {index.size()}).values;
  r.abc.tolerance = f.numeric_attribute("/", "tolerance");
  r.posterior_median = f.dataset("/posterior/median", {k}).values;
  r.posterior_p05 = f.dataset("/posterior/p05", {k}).values;
  r.posterior_p95 = f.dataset("/posterior/p95", {k}).values;
  r.fit_median = f.dataset("/fit/simulated_median", {nt}).values;
  r.fit_p05 = f.dataset("/fit/simulated_p05", {nt}).values;
  r.fit_p95 = f.dataset("/fit/simulated_p95", {nt}).values;
  r.prior_median = f.dataset("/fit/prior_median", {nt}).values;
  return format_calibration(spec, targets, r);
}

std::string calibrated_scenario_yaml(const std::string& scenario_file, const std::string& cal_file,
                                     const CalibrationSpec& spec, const CalibrationResult& r,
                                     const std::string& scenario_hash) {
  std::ostringstream o;
  o << "# Calibrated parameters: the posterior medians of " << cal_file << " (drift calibrate,\n"
    << "# rejection ABC, acceptance " << spec.acceptance.describe() << ", " << r.abc.accepted.size()
    << " of " << r.distances.size() << " points accepted).\n"
    << "# drift " << build_info::version << " (" << build_info::git_commit << ")"
    << (scenario_hash.empty() ? std::string() : ", calibrated scenario hash " + scenario_hash)
    << ".\n"
    << "# For runs with parameter uncertainty, run a scenario with --posterior " << cal_file
    << " instead.\n"
    << "extends: " << scenario_file << "\n";
  // Group the parameters as scenario files do.
  std::vector<std::string> groups;
  for (const auto& p : spec.paths) {
    const auto g = p.substr(0, p.find('.'));
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
  }
  for (const auto& g : groups) {
    o << g << ":\n";
    for (std::size_t j = 0; j < spec.paths.size(); ++j) {
      if (spec.paths[j].substr(0, spec.paths[j].find('.')) != g) continue;
      const auto* info = find_parameter(spec.paths[j]);
      double v = r.posterior_median[j];
      if (info->type == ParamType::integer) v = std::round(v);
      o << "  " << spec.paths[j].substr(g.size() + 1) << ": " << format_number(v) << "\n";
    }
  }
  return o.str();
}

std::string check_calibrated_scenario_path(const std::string& cal_out) {
  const auto yaml_path = fs::path(cal_out).replace_extension(".yaml");
  if (fs::exists(yaml_path)) {
    std::ifstream existing(yaml_path);
    std::string first;
    std::getline(existing, first);
    if (!first.starts_with("# Calibrated parameters")) {
      throw ScenarioError(
          {{"--out", 0, 0, "",
            "the calibrated scenario would replace " + yaml_path.string() +
                ", which was not written by drift calibrate; choose another --out"}});
    }
  }
  return yaml_path.string();
}

std::string write_calibrated_scenario(const std::string& cal_out, const std::string& scenario_file,
                                      const CalibrationSpec& spec, const CalibrationResult& result,
                                      const Scenario& calibration_scenario) {
  const fs::path yaml_path = check_calibrated_scenario_path(cal_out);
  const auto out_dir = fs::absolute(yaml_path).parent_path();
  const auto rel = fs::relative(fs::absolute(scenario_file), out_dir).generic_string();
  const std::string tmp = yaml_path.string() + ".tmp";
  {
    std::ofstream o(tmp, std::ios::trunc);
    o << calibrated_scenario_yaml(rel, fs::path(cal_out).filename().string(), spec, result,
                                  text_hash(calibration_scenario.resolved_yaml));
    if (!o) throw std::runtime_error(tmp + ": cannot write");
  }
  fs::rename(tmp, yaml_path);
  return yaml_path.string();
}

PosteriorDraws draw_posterior(const std::string& cal_file, const Scenario& scenario) {
  ResultReader reader(cal_file);
  if (!reader.exists("/posterior/points") || !reader.exists("/posterior/parameter_names")) {
    throw ScenarioError(
        {{cal_file, 0, 0, "",
          "not a calibration file (no /posterior); make one with drift calibrate"}});
  }
  PosteriorDraws d;
  d.file = cal_file;
  d.paths = reader.strings("/posterior/parameter_names");
  std::vector<Diagnostic> problems;
  std::vector<std::string> all;
  for (const auto& p : parameter_table()) all.emplace_back(p.path);
  for (const auto& p : d.paths) {
    if (find_parameter(p) == nullptr) {
      problems.push_back({cal_file, 0, 0, p,
                          "'" + p +
                              "' in /posterior/parameter_names is not a parameter of the model" +
                              did_you_mean(p, all)});
    }
  }
  const std::size_t k = d.paths.size();
  const auto pts = reader.dataset("/posterior/points", {ResultReader::kAnyLength, k});
  const std::size_t m = pts.shape[0];
  const auto weights = reader.dataset("/posterior/weights", {m});
  if (m == 0) problems.push_back({cal_file, 0, 0, "", "the posterior holds no accepted draw"});
  double total = 0;
  for (double w : weights.values) {
    if (!(std::isfinite(w) && w >= 0)) {
      problems.push_back({cal_file, 0, 0, "",
                          "dataset /posterior/weights: weight " + std::to_string(w) +
                              " is not a finite number of at least 0"});
      break;
    }
    total += w;
  }
  if (m > 0 && problems.empty() && !(total > 0))
    problems.push_back({cal_file, 0, 0, "", "dataset /posterior/weights: the weights sum to 0"});
  for (double v : pts.values) {
    if (!std::isfinite(v)) {
      problems.push_back({cal_file, 0, 0, "",
                          "dataset /posterior/points: a parameter value is not a finite number"});
      break;
    }
  }
  if (!problems.empty()) throw ScenarioError(std::move(problems));
  std::vector<double> cum(m);
  std::partial_sum(weights.values.begin(), weights.values.end(), cum.begin());
  const Rng rng(static_cast<std::uint32_t>(scenario.params.simulation.seed), 0);
  for (int r = 0; r < scenario.params.simulation.replicates; ++r) {
    const double u = rng.uniform(Stream::posterior, 0, static_cast<std::uint32_t>(r)) * cum.back();
    const auto row = std::min<std::size_t>(
        m - 1, static_cast<std::size_t>(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin()));
    d.draw_index.push_back(row);
    d.points.emplace_back(pts.values.begin() + row * k, pts.values.begin() + (row + 1) * k);
  }
  return d;
}

void check_posterior_against_sweep(const PosteriorDraws& posterior, const SweepDesign& design,
                                   const std::string& posterior_file) {
  for (const auto& p : posterior.paths) {
    if (std::find(design.paths.begin(), design.paths.end(), p) != design.paths.end()) {
      throw ScenarioError({{posterior_file, 0, 0, p,
                            "'" + p +
                                "' is both swept and drawn from the posterior; "
                                "remove it from one of them"}});
    }
  }
}

}  // namespace drift
