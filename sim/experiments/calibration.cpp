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

double distance(const std::vector<double>& simulated, const std::vector<double>& mc_variance,
                const std::vector<ObservedTarget>& targets) {
  double sum = 0;
  int n = 0;
  for (std::size_t k = 0; k < targets.size(); ++k) {
    if (!targets[k].fit) continue;
    if (!std::isfinite(simulated[k])) return std::numeric_limits<double>::infinity();
    const double sd = targets[k].sd();
    const double var = std::isfinite(mc_variance[k]) ? mc_variance[k] : 0.0;
    const double e = simulated[k] - targets[k].value;
    sum += e * e / (sd * sd + var);
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

namespace {

CalibrationResult empty_result(const Scenario& cal, const std::string& method) {
  CalibrationResult r;
  r.method = method;
  for (const auto& d : run_statistic_definitions()) r.statistic_names.push_back(d.name);
  r.replicates = cal.params.simulation.replicates;
  return r;
}

// Appends the points of `design` (run from `latent`, as drawn) with their statistics, simulated
// means, Monte Carlo variances and distances.
void append_points(CalibrationResult& r, const Scenario& cal, const SweepDesign& design,
                   const std::vector<std::vector<double>>& latent, int generation,
                   const std::vector<ObservedTarget>& targets, const std::string& parts_dir) {
  const std::size_t ns = r.statistic_names.size(), nt = targets.size();
  const int reps = r.replicates;
  std::vector<int> stat_of(nt);
  for (std::size_t t = 0; t < nt; ++t) stat_of[t] = run_statistic_index(targets[t].statistic);
  for (std::size_t p = 0; p < design.size(); ++p) {
    const auto out = load_point(cal, design, parts_dir, p);
    const Scenario at = scenario_at(cal, design, p);
    const auto& runs = out.strategies.front().replicates;
    const std::size_t first = r.statistics.size();
    for (int rep = 0; rep < reps; ++rep) {
      const auto stats = run_statistics(runs[rep], replicate_parameters(at, rep));
      r.statistics.insert(r.statistics.end(), stats.begin(), stats.end());
    }
    std::vector<double> sim(nt), var(nt);
    for (std::size_t t = 0; t < nt; ++t) {
      double sum = 0;
      for (int rep = 0; rep < reps; ++rep) sum += r.statistics[first + rep * ns + stat_of[t]];
      sim[t] = sum / reps;  // NaN when any replicate holds no data
      double ss = 0;
      for (int rep = 0; rep < reps; ++rep) {
        const double e = r.statistics[first + rep * ns + stat_of[t]] - sim[t];
        ss += e * e;
      }
      // s^2 / R with s^2 the between-replicate variance (divisor R - 1); none for one replicate.
      var[t] = reps > 1 && std::isfinite(sim[t]) ? ss / (reps - 1) / reps : 0.0;
    }
    r.simulated.insert(r.simulated.end(), sim.begin(), sim.end());
    r.mc_variance.insert(r.mc_variance.end(), var.begin(), var.end());
    r.distances.push_back(distance(sim, var, targets));
    r.points.push_back(latent[p]);
    r.point_generation.push_back(generation);
  }
}

// The posterior (the last generation), its fit and its quantiles.
void summarise(CalibrationResult& r, std::size_t parameters, std::size_t nt) {
  if (!r.generations.empty()) {
    const auto& g = r.generations.back();
    r.abc.accepted = g.index;
    r.abc.weights = g.weights;
    r.abc.tolerance = g.tolerance;
  }
  const auto& w = r.abc.weights;
  const std::size_t n = r.distances.size();
  r.fit_median.clear();
  r.fit_p05.clear();
  r.fit_p95.clear();
  r.prior_median.clear();
  r.posterior_median.clear();
  r.posterior_p05.clear();
  r.posterior_p95.clear();
  for (std::size_t t = 0; t < nt; ++t) {
    std::vector<double> acc, prior;
    for (auto p : r.abc.accepted) acc.push_back(r.simulated[p * nt + t]);
    for (std::size_t p = 0; p < n; ++p) {
      if (r.point_generation[p] == 0) prior.push_back(r.simulated[p * nt + t]);
    }
    r.fit_median.push_back(weighted_quantile(acc, w, 0.5));
    r.fit_p05.push_back(weighted_quantile(acc, w, 0.05));
    r.fit_p95.push_back(weighted_quantile(acc, w, 0.95));
    r.prior_median.push_back(weighted_quantile(prior, std::vector<double>(prior.size(), 1.0), 0.5));
  }
  for (std::size_t j = 0; j < parameters; ++j) {
    std::vector<double> acc;
    for (auto p : r.abc.accepted) acc.push_back(r.points[p][j]);
    r.posterior_median.push_back(weighted_quantile(acc, w, 0.5));
    r.posterior_p05.push_back(weighted_quantile(acc, w, 0.05));
    r.posterior_p95.push_back(weighted_quantile(acc, w, 0.95));
  }
}

double std_normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

}  // namespace

CalibrationResult evaluate_calibration(const Scenario& cal, const CalibrationSpec& spec,
                                       const SweepDesign& design,
                                       const std::vector<ObservedTarget>& targets,
                                       const std::string& parts_dir) {
  CalibrationResult r = empty_result(cal, "rejection");
  append_points(r, cal, design, design.points, 0, targets, parts_dir);
  r.abc = abc_reject(r.distances, spec.acceptance);
  SmcGeneration g;
  g.tolerance = r.abc.tolerance;
  g.index = r.abc.accepted;
  g.weights = r.abc.weights;
  g.ess = effective_sample_size(g.weights);
  g.points_run = design.size();
  g.within_tolerance = g.index.size();
  r.generations.push_back(g);
  summarise(r, design.paths.size(), targets.size());
  return r;
}

double effective_sample_size(const std::vector<double>& weights) {
  double total = 0, squares = 0;
  for (double w : weights) total += w;
  if (!(total > 0)) return 0;
  for (double w : weights) squares += (w / total) * (w / total);
  return 1.0 / squares;
}

std::vector<double> smc_kernel_sd(const std::vector<std::vector<double>>& particles,
                                  const std::vector<double>& weights,
                                  const std::vector<std::pair<double, double>>& priors) {
  double total = 0;
  for (double w : weights) total += w;
  std::vector<double> sd(priors.size());
  for (std::size_t j = 0; j < priors.size(); ++j) {
    double mean = 0;
    for (std::size_t i = 0; i < particles.size(); ++i) mean += weights[i] * particles[i][j];
    mean /= total;
    double var = 0;
    for (std::size_t i = 0; i < particles.size(); ++i) {
      const double e = particles[i][j] - mean;
      var += weights[i] * e * e;
    }
    var /= total;
    sd[j] = std::max(std::sqrt(2 * var), 1e-6 * (priors[j].second - priors[j].first));
  }
  return sd;
}

double smc_kernel_density(const std::vector<double>& x, const std::vector<double>& centre,
                          const std::vector<double>& sd,
                          const std::vector<std::pair<double, double>>& priors) {
  constexpr double kInvSqrt2Pi = 0.3989422804014327;
  double density = 1;
  for (std::size_t j = 0; j < x.size(); ++j) {
    const auto [lo, hi] = priors[j];
    if (x[j] < lo || x[j] > hi) return 0;
    const double z = (x[j] - centre[j]) / sd[j];
    const double mass =
        std_normal_cdf((hi - centre[j]) / sd[j]) - std_normal_cdf((lo - centre[j]) / sd[j]);
    density *= kInvSqrt2Pi * std::exp(-0.5 * z * z) / sd[j] / mass;
  }
  return density;
}

std::vector<double> smc_weights(const std::vector<std::vector<double>>& previous,
                                const std::vector<double>& previous_weights,
                                const std::vector<std::vector<double>>& proposals,
                                const std::vector<double>& sd,
                                const std::vector<std::pair<double, double>>& priors) {
  double prev_total = 0;
  for (double w : previous_weights) prev_total += w;
  std::vector<double> w(proposals.size());
  double total = 0;
  for (std::size_t i = 0; i < proposals.size(); ++i) {
    double mix = 0;
    for (std::size_t j = 0; j < previous.size(); ++j) {
      mix += previous_weights[j] / prev_total *
             smc_kernel_density(proposals[i], previous[j], sd, priors);
    }
    // The uniform prior's density is the same at every proposal inside the ranges: it cancels
    // in the normalisation.
    w[i] = mix > 0 ? 1.0 / mix : 0.0;
    total += w[i];
  }
  for (auto& x : w) x = total > 0 ? x / total : 0.0;
  return w;
}

std::vector<std::vector<double>> smc_proposals(const std::vector<std::vector<double>>& previous,
                                               const std::vector<double>& previous_weights,
                                               const std::vector<double>& sd,
                                               const std::vector<std::pair<double, double>>& priors,
                                               std::uint32_t seed, int generation, int batch,
                                               int count) {
  std::vector<double> cum(previous_weights.size());
  std::partial_sum(previous_weights.begin(), previous_weights.end(), cum.begin());
  const Rng rng(seed, static_cast<std::uint32_t>(generation));
  const std::size_t k = priors.size();
  std::vector<std::vector<double>> out;
  for (int i = 0; i < count; ++i) {
    const double u = rng.uniform(Stream::smc_parent, batch, static_cast<std::uint32_t>(i));
    const auto parent = std::min<std::size_t>(
        previous.size() - 1,
        static_cast<std::size_t>(std::upper_bound(cum.begin(), cum.end(), u * cum.back()) -
                                 cum.begin()));
    std::vector<double> x(k);
    for (std::size_t j = 0; j < k; ++j) {
      const auto [lo, hi] = priors[j];
      const double c = previous[parent][j];
      const double pa = std_normal_cdf((lo - c) / sd[j]), pb = std_normal_cdf((hi - c) / sd[j]);
      const double v =
          rng.uniform(Stream::smc_perturb, batch, static_cast<std::uint32_t>(i * k + j));
      const double p = pa + v * (pb - pa);
      double value = c + sd[j] * normal_quantile(p);
      if (!std::isfinite(value)) value = p < 0.5 ? lo : hi;
      x[j] = std::clamp(value, lo, hi);
    }
    out.push_back(std::move(x));
  }
  return out;
}

std::string smc_batch_dir(const std::string& parts_dir, int generation, int batch) {
  return parts_dir + "/generation_" + std::to_string(generation) + "_batch_" +
         std::to_string(batch);
}

void remove_calibration_parts(const std::string& parts_dir) {
  if (!fs::exists(parts_dir)) return;
  std::vector<fs::path> batches;
  for (const auto& e : fs::directory_iterator(parts_dir)) {
    if (e.is_directory() && e.path().filename().string().starts_with("generation_"))
      batches.push_back(e.path());
  }
  for (const auto& b : batches) remove_parts(b.string());
  remove_parts(parts_dir);
}

SmcStatus run_smc(const Scenario& cal, const CalibrationSpec& spec,
                  const std::vector<ObservedTarget>& targets, const std::string& parts_dir,
                  const RunOptions& options, CalibrationResult& result, int shard, int shards,
                  const std::function<void()>& sync,
                  const std::function<void(int, const SmcGeneration&)>& on_generation) {
  SmcStatus status;
  CalibrationResult r = empty_result(cal, "smc");
  const std::size_t n_particles = static_cast<std::size_t>(spec.smc.particles);
  const std::size_t nt = targets.size();
  // Runs one batch (every process its share); false when other shards' units are missing.
  auto run_batch = [&](int g, int b, const std::vector<std::vector<double>>& latent) {
    const auto design = calibration_run_design(spec, latent);
    const auto dir = smc_batch_dir(parts_dir, g, b);
    auto missing = run_units(cal, design, dir, options, shard, shards);
    if (sync) {
      sync();
      missing = run_units(cal, design, dir, options, shard, shards);
    }
    if (missing > 0) {
      status.generation = g;
      status.missing = missing;
      return false;
    }
    append_points(r, cal, design, latent, g, targets, dir);
    return true;
  };
  auto finished = [&](const SmcGeneration& g) {
    r.generations.push_back(g);
    if (on_generation) on_generation(static_cast<int>(r.generations.size()) - 1, g);
  };

  // Generation 0: the closest `particles` of the prior design.
  if (!run_batch(0, 0, calibration_prior_points(spec))) return status;
  {
    std::vector<std::size_t> order;
    for (std::size_t p = 0; p < r.distances.size(); ++p) {
      if (std::isfinite(r.distances[p])) order.push_back(p);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](auto a, auto b) { return r.distances[a] < r.distances[b]; });
    if (order.size() > n_particles) order.resize(n_particles);
    SmcGeneration g;
    g.index = order;
    std::sort(g.index.begin(), g.index.end());
    g.weights.assign(g.index.size(), g.index.empty() ? 0.0 : 1.0 / g.index.size());
    g.ess = effective_sample_size(g.weights);
    g.points_run = r.distances.size();
    g.within_tolerance = g.index.size();
    g.tolerance =
        order.empty() ? std::numeric_limits<double>::quiet_NaN() : r.distances[order.back()];
    finished(g);
    if (order.empty()) r.stop_reason = "no point of generation 0 has a finite distance";
  }

  for (int t = 1; r.stop_reason.empty(); ++t) {
    const SmcGeneration& prev = r.generations.back();
    if (t >= spec.smc.generations) {
      r.stop_reason = std::to_string(spec.smc.generations) + " generations run";
      break;
    }
    if (spec.smc.tolerance > 0 && prev.tolerance <= spec.smc.tolerance) {
      r.stop_reason = "tolerance " + format_number(spec.smc.tolerance) + " reached";
      break;
    }
    if (t > 1 && prev.acceptance_rate() < spec.smc.min_acceptance) {
      r.stop_reason = "acceptance rate below " + format_number(spec.smc.min_acceptance);
      break;
    }
    std::vector<std::vector<double>> previous;
    std::vector<double> prev_distances;
    for (auto p : prev.index) {
      previous.push_back(r.points[p]);
      prev_distances.push_back(r.distances[p]);
    }
    const std::vector<double> prev_weights = prev.weights;
    // The tolerance: a quantile of the previous generation's distances (unweighted, as
    // Beaumont et al. 2009); at most the previous tolerance, so the sequence never increases.
    const double tolerance = weighted_quantile(
        prev_distances, std::vector<double>(prev_distances.size(), 1.0), spec.smc.quantile);
    const auto sd = smc_kernel_sd(previous, prev_weights, spec.priors);
    // Proposals in batches of `particles` until `particles` fall within the tolerance, or
    // until so many have been run that the acceptance rate is below min_acceptance.
    const auto cap = static_cast<std::size_t>(
        std::ceil(static_cast<double>(n_particles) / spec.smc.min_acceptance));
    SmcGeneration g;
    g.tolerance = tolerance;
    for (int b = 0; g.index.size() < n_particles; ++b) {
      if (g.points_run >= cap) break;
      const auto batch = smc_proposals(previous, prev_weights, sd, spec.priors, spec.seed, t, b,
                                       spec.smc.particles);
      const std::size_t first = r.points.size();
      if (!run_batch(t, b, batch)) return status;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (r.distances[first + i] <= tolerance) {
          ++g.within_tolerance;
          if (g.index.size() < n_particles) g.index.push_back(first + i);
        }
      }
      g.points_run += batch.size();
    }
    if (g.index.size() < n_particles) {
      r.stop_reason = "generation " + std::to_string(t) +
                      " abandoned: " + std::to_string(g.within_tolerance) + " of " +
                      std::to_string(g.points_run) + " proposals within tolerance " +
                      format_number(tolerance) + ", acceptance rate below " +
                      format_number(spec.smc.min_acceptance);
      break;
    }
    std::vector<std::vector<double>> accepted;
    for (auto p : g.index) accepted.push_back(r.points[p]);
    g.weights = smc_weights(previous, prev_weights, accepted, sd, spec.priors);
    g.ess = effective_sample_size(g.weights);
    finished(g);
  }
  summarise(r, spec.paths.size(), nt);
  status.complete = true;
  status.generation = static_cast<int>(r.generations.size()) - 1;
  result = std::move(r);
  return status;
}

namespace {
// The acceptance rule in words, as stored in CAL.h5.
std::string acceptance_text(const CalibrationSpec& spec) {
  if (spec.method != "smc") return spec.acceptance.describe();
  return "smc " + std::to_string(spec.smc.particles) + " particles, quantile " +
         format_number(spec.smc.quantile);
}
}  // namespace

void write_calibration(const std::string& path, const Scenario& cal, const CalibrationSpec& spec,
                       const SweepDesign& design, const std::vector<ObservedTarget>& targets,
                       const CalibrationResult& r, const std::string& command_line) {
  h5::write_atomically(path, [&](H5::H5File& file) {
    h5::root_attributes(file, cal, command_line);
    auto root = file.openGroup("/");
    root.removeAttr("format");
    h5::string_attr(root, "format", "drift-calibration");
    h5::string_attr(root, "strategy", spec.strategy);
    h5::string_attr(root, "method", r.method);
    // A result built by hand may leave the points to the design and the rest empty.
    const auto& points = r.points.empty() ? design.points : r.points;
    const hsize_t n = points.size(), k = design.paths.size(), reps = r.replicates,
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
    for (const auto& pt : points) flat.insert(flat.end(), pt.begin(), pt.end());
    h5::array(d, "prior_low", {k}, lo, "", "Lower end of each parameter's uniform prior",
              "parameter");
    h5::array(d, "prior_high", {k}, hi, "", "Upper end of each parameter's uniform prior",
              "parameter");
    h5::array(d, "points", {n, k}, flat, "",
              "Parameter values of each point run, as drawn (integer parameters run rounded)",
              "point,parameter");
    std::vector<double> point_generation(r.point_generation.begin(), r.point_generation.end());
    point_generation.resize(n, 0.0);
    h5::array(d, "generation", {n}, point_generation, "",
              "Generation of each point (0: the prior design)", "point");

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
    auto mc_variance = r.mc_variance;
    mc_variance.resize(n * nt, 0.0);
    h5::array(tg, "mc_variance", {n, nt}, mc_variance, "",
              "Monte Carlo variance of that mean: between-replicate variance / replicates (0 for "
              "one replicate)",
              "point,target");

    auto ds = h5::array(root, "distance", {n}, r.distances, "",
                        "sqrt(mean over fitting targets of (simulated - observed)^2 / (sd^2 + "
                        "mc_variance)); inf when a fitting statistic is missing",
                        "point");
    (void)ds;

    auto post = file.createGroup("posterior");
    h5::string_attr(post, "acceptance", spec.acceptance.describe());
    h5::string_attr(post, "method", r.method == "smc" ? "sequential ABC" : "rejection ABC");
    h5::number_attr(post, "tolerance", r.abc.tolerance);
    h5::int_attr(post, "accepted", static_cast<long long>(m));
    h5::strings(post, "parameter_names", design.paths);
    std::vector<double> index, pts;
    for (auto p : r.abc.accepted) {
      index.push_back(static_cast<double>(p));
      pts.insert(pts.end(), points[p].begin(), points[p].end());
    }
    h5::array(post, "index", {m}, index, "point", "Row of /design/points of each accepted draw",
              "draw");
    h5::array(post, "points", {m, k}, pts, "", "Parameter values of each accepted draw",
              "draw,parameter");
    h5::array(post, "weights", {m}, r.abc.weights, "", "Weight of each accepted draw (sum 1)",
              "draw");
    h5::array(post, "median", {k}, r.posterior_median, "", "Posterior median", "parameter");
    h5::array(post, "p05", {k}, r.posterior_p05, "", "Posterior 5% quantile", "parameter");
    h5::array(post, "p95", {k}, r.posterior_p95, "", "Posterior 95% quantile", "parameter");
    h5::string_attr(root, "acceptance", acceptance_text(spec));
    h5::number_attr(root, "tolerance", r.abc.tolerance);
    h5::int_attr(root, "accepted", static_cast<long long>(m));

    // Every generation (rejection ABC: one): a table per generation and its particles.
    auto gen = file.createGroup("generations");
    h5::string_attr(gen, "stop_reason", r.stop_reason);
    const hsize_t ng = r.generations.size();
    std::vector<double> g_tol, g_ess, g_rate, g_run, g_within, g_particles;
    std::vector<double> p_gen, p_index, p_weight, p_distance, p_points;
    for (std::size_t g = 0; g < r.generations.size(); ++g) {
      const auto& x = r.generations[g];
      g_tol.push_back(x.tolerance);
      g_ess.push_back(x.ess);
      g_rate.push_back(x.acceptance_rate());
      g_run.push_back(static_cast<double>(x.points_run));
      g_within.push_back(static_cast<double>(x.within_tolerance));
      g_particles.push_back(static_cast<double>(x.index.size()));
      for (std::size_t i = 0; i < x.index.size(); ++i) {
        p_gen.push_back(static_cast<double>(g));
        p_index.push_back(static_cast<double>(x.index[i]));
        p_weight.push_back(x.weights[i]);
        p_distance.push_back(r.distances[x.index[i]]);
        p_points.insert(p_points.end(), points[x.index[i]].begin(), points[x.index[i]].end());
      }
    }
    h5::array(gen, "tolerance", {ng}, g_tol, "", "Tolerance of each generation", "generation");
    h5::array(gen, "ess", {ng}, g_ess, "", "Effective sample size 1 / sum of squared weights",
              "generation");
    h5::array(gen, "acceptance_rate", {ng}, g_rate, "",
              "Share of the generation's points within its tolerance", "generation");
    h5::array(gen, "points_run", {ng}, g_run, "point", "Points run in the generation",
              "generation");
    h5::array(gen, "within_tolerance", {ng}, g_within, "point",
              "Points of the generation within its tolerance", "generation");
    h5::array(gen, "particles", {ng}, g_particles, "particle", "Particles kept", "generation");
    const hsize_t np = p_gen.size();
    h5::array(gen, "particle_generation", {np}, p_gen, "", "Generation of each particle",
              "particle");
    h5::array(gen, "particle_index", {np}, p_index, "point",
              "Row of /design/points of each particle", "particle");
    h5::array(gen, "particle_weights", {np}, p_weight, "",
              "Weight of each particle (sum 1 in each generation)", "particle");
    h5::array(gen, "particle_distances", {np}, p_distance, "", "Distance of each particle",
              "particle");
    h5::array(gen, "particle_points", {np, k}, p_points, "", "Parameter values of each particle",
              "particle,parameter");

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

std::string format_generations(const std::vector<SmcGeneration>& generations) {
  std::ostringstream o;
  o << "generation  points run  within tolerance  acceptance  tolerance   particles  ESS\n";
  for (std::size_t g = 0; g < generations.size(); ++g) {
    const auto& x = generations[g];
    o << pad(std::to_string(g), 10) << "  " << pad(std::to_string(x.points_run), 10) << "  "
      << pad(std::to_string(x.within_tolerance), 16) << "  " << pad(fmt(x.acceptance_rate()), 10)
      << "  " << pad(fmt(x.tolerance), 10) << "  " << pad(std::to_string(x.index.size()), 9) << "  "
      << fmt(x.ess) << "\n";
  }
  return o.str();
}

std::string format_calibration(const CalibrationSpec& spec,
                               const std::vector<ObservedTarget>& targets,
                               const CalibrationResult& r) {
  std::ostringstream o;
  const std::size_t n = r.distances.size();
  if (r.method == "smc") {
    o << "Calibration: sequential ABC, " << n << " points x " << r.replicates << " replicates in "
      << r.generations.size() << " generations (" << spec.design
      << " generation 0): " << r.abc.accepted.size() << " particles, tolerance "
      << fmt(r.abc.tolerance) << ", ESS "
      << fmt(r.generations.empty() ? std::nan("") : r.generations.back().ess) << "\n";
    if (!r.stop_reason.empty()) o << "Stopped: " << r.stop_reason << "\n";
    o << "\n" << format_generations(r.generations) << "\n";
  } else {
    o << "Calibration: " << n << " points x " << r.replicates << " replicates (" << spec.design
      << "), acceptance " << spec.acceptance.describe() << ": " << r.abc.accepted.size()
      << " accepted, tolerance " << fmt(r.abc.tolerance) << "\n\n";
  }
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
  if (f.has_attribute("/", "method")) r.method = f.attribute("/", "method");
  if (f.exists("/generations/tolerance")) {
    const auto tol = f.dataset("/generations/tolerance", {any}).values;
    const std::size_t ng = tol.size();
    const auto ess = f.dataset("/generations/ess", {ng}).values;
    const auto run = f.dataset("/generations/points_run", {ng}).values;
    const auto within = f.dataset("/generations/within_tolerance", {ng}).values;
    const auto particles = f.dataset("/generations/particles", {ng}).values;
    const std::size_t np = f.dataset("/generations/particle_index", {any}).shape[0];
    std::size_t listed = 0;
    // Counts as read (the table prints them; the particles themselves are not needed here).
    auto count = [&](double v, const char* name) {
      if (!(v >= 0 && v <= 1e15))
        throw std::runtime_error(path + ": dataset /generations/" + name + ": " +
                                 std::to_string(v) + " is not a count");
      return static_cast<std::size_t>(v);
    };
    for (std::size_t g = 0; g < ng; ++g) {
      SmcGeneration x;
      x.tolerance = tol[g];
      x.ess = ess[g];
      x.points_run = count(run[g], "points_run");
      x.within_tolerance = count(within[g], "within_tolerance");
      const auto kept = count(particles[g], "particles");
      if (kept > np - listed)
        throw std::runtime_error(
            path + ": dataset /generations/particles: " + std::to_string(listed + kept) +
            " particles, but " + std::to_string(np) + " in /generations/particle_index");
      listed += kept;
      x.index.resize(kept);
      r.generations.push_back(x);
    }
    if (f.has_attribute("/generations", "stop_reason"))
      r.stop_reason = f.attribute("/generations", "stop_reason");
  }
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
    << (r.method == "smc"
            ? "# sequential ABC, generation " + std::to_string(r.generations.size() - 1) + ": " +
                  std::to_string(r.abc.accepted.size()) + " weighted particles, " +
                  std::to_string(r.distances.size()) + " points run).\n"
            : "# rejection ABC, acceptance " + spec.acceptance.describe() + ", " +
                  std::to_string(r.abc.accepted.size()) + " of " +
                  std::to_string(r.distances.size()) + " points accepted).\n")
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
  // A parameter the scenario fixes (an assumptions file, --set) keeps the value set: the draws
  // give the others, and the comparison holds under that setting.
  std::vector<std::size_t> drawn;
  std::vector<std::string> drawn_paths;
  for (std::size_t j = 0; j < k; ++j) {
    const auto& fixed = scenario.fixed_paths;
    if (std::find(fixed.begin(), fixed.end(), d.paths[j]) != fixed.end()) {
      d.held_fixed.push_back(d.paths[j]);
    } else {
      drawn.push_back(j);
      drawn_paths.push_back(d.paths[j]);
    }
  }
  d.paths = drawn_paths;
  for (int r = 0; r < scenario.params.simulation.replicates; ++r) {
    const double u = rng.uniform(Stream::posterior, 0, static_cast<std::uint32_t>(r)) * cum.back();
    const auto row = std::min<std::size_t>(
        m - 1, static_cast<std::size_t>(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin()));
    d.draw_index.push_back(row);
    std::vector<double> values;
    for (auto j : drawn) values.push_back(pts.values[row * k + j]);
    d.points.push_back(std::move(values));
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
