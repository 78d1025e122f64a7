#pragma once
// Sweeps: a design of points over parameter paths of the scenario, crossed with strategies and
// replicates. A path is a model parameter ("careers.progression_hazard") or a field of an
// intervention ("strategies.<strategy>.<intervention>.<field>", "...effects.entry").
//
//   sweep:
//     design: grid            # grid | list | latin_hypercube | sobol
//     parameters:             # grid: path -> [values]; latin_hypercube, sobol: path -> {min, max}
//       strategies.mentors.mentors.workers: [0, 50, 100, 150, 200]
//     points:                 # list: one map path -> value per point
//     samples: 64             # latin_hypercube: points; sobol: base samples N (N (d + 2) points)
//     seed: 1                 # latin_hypercube: design seed
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "drift/scenario/diagnostic.hpp"

namespace drift {

struct SweepDesign {
  std::string kind;                         // "" when the scenario has no sweep
  std::vector<std::string> paths;           // one per swept parameter
  std::vector<std::vector<double>> points;  // [point][parameter]
  int base_samples = 0;                     // sobol: N (rows of A and B)
  std::size_t size() const { return points.empty() ? 1 : points.size(); }
};

struct Scenario;

// The design of a valid scenario (kind "" and no points without a sweep section).
SweepDesign sweep_design(const Scenario& scenario);

// The scenario at one point of the design.
Scenario scenario_at(const Scenario& base, const SweepDesign& design, std::size_t point);

// Design generators, exposed for tests. Ranges are [min, max] per parameter.
std::vector<std::vector<double>> grid_points(const std::vector<std::vector<double>>& values);
std::vector<std::vector<double>> latin_hypercube(
    int samples, const std::vector<std::pair<double, double>>& ranges, std::uint32_t seed);
// Saltelli's scheme on a Sobol sequence: rows A (N), B (N), then for each parameter i the
// matrix A with column i taken from B (N each).
std::vector<std::vector<double>> saltelli_points(
    int base_samples, const std::vector<std::pair<double, double>>& ranges);

}  // namespace drift
