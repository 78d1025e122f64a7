#pragma once
// What the peaks of whole runs at several population sizes say about the memory a youth costs.
// A peak is the most a run held at any moment, and which moment that is can change with the size
// (the strategies running, or a file being written): a slope between two peaks reached at
// different moments is not a cost per youth. Three sizes show whether the slopes agree.
#include <string>
#include <vector>

namespace drift::bench {

struct RunPeak {
  double scale;  // simulation.population_scale of the run
  long youths;   // youths present in its world
  double bytes;  // peak resident set of the whole run
};

struct PeakSlopes {
  std::vector<double> per_youth_added;  // bytes per youth between consecutive sizes
  double fixed_bytes = 0;               // the line through the first and last, at no youths
  bool agree = false;                   // every slope within `tolerance` of the largest
};

// The slopes between consecutive peaks (sorted by youths, at least two, distinct youths), the
// fixed part of the line through the smallest and largest, and whether the slopes agree: each
// within `tolerance` (a share) of the largest. With two peaks there is one slope, and agree is
// true.
PeakSlopes peak_slopes(std::vector<RunPeak> peaks, double tolerance = 0.25);

// The lines drift_bench prints: each peak per youth against the goal, the slopes and the fixed
// part, and, when the slopes disagree, that the peaks come from different moments of the run.
std::string describe_peaks(const std::vector<RunPeak>& peaks, double goal_bytes_per_youth);

}  // namespace drift::bench
