#include "peak_memory.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "figures.hpp"

namespace drift::bench {

PeakSlopes peak_slopes(std::vector<RunPeak> peaks, double tolerance) {
  if (peaks.size() < 2) throw std::invalid_argument("peak_slopes: at least two peaks");
  std::sort(peaks.begin(), peaks.end(),
            [](const RunPeak& a, const RunPeak& b) { return a.youths < b.youths; });
  PeakSlopes out;
  for (std::size_t k = 1; k < peaks.size(); ++k) {
    const long added = peaks[k].youths - peaks[k - 1].youths;
    if (added <= 0) throw std::invalid_argument("peak_slopes: two peaks of the same youths");
    out.per_youth_added.push_back((peaks[k].bytes - peaks[k - 1].bytes) /
                                  static_cast<double>(added));
  }
  const auto& first = peaks.front();
  const auto& last = peaks.back();
  const double overall =
      (last.bytes - first.bytes) / static_cast<double>(last.youths - first.youths);
  out.fixed_bytes = last.bytes - overall * static_cast<double>(last.youths);
  const double largest = *std::max_element(out.per_youth_added.begin(), out.per_youth_added.end());
  out.agree = std::all_of(out.per_youth_added.begin(), out.per_youth_added.end(), [&](double s) {
    return std::abs(s - largest) <= tolerance * std::abs(largest);
  });
  return out;
}

std::string describe_peaks(const std::vector<RunPeak>& peaks, double goal_bytes_per_youth) {
  std::ostringstream out;
  const std::string goal = " B/youth (goal <= " + fixed(goal_bytes_per_youth, 0) + ")";
  for (const auto& p : peaks) {
    out << "  population_scale " << fixed(p.scale, 2) << ", " << p.youths
        << " youths: " << fixed(p.bytes / 1048576.0, 1) << " MiB, "
        << fixed(p.bytes / static_cast<double>(p.youths), 0) << goal << "\n";
  }
  const auto slopes = peak_slopes(peaks);
  out << "  per youth added:";
  for (std::size_t k = 0; k < slopes.per_youth_added.size(); ++k)
    out << (k ? "," : "") << " " << fixed(slopes.per_youth_added[k], 0);
  out << goal << "; fixed part (program, libraries, result series): "
      << fixed(slopes.fixed_bytes / 1048576.0, 1) << " MiB\n";
  if (!slopes.agree) {
    out << "  the slopes disagree: the peaks were reached at different moments of the run (the "
           "strategies running, a file being written), so none of them is a cost per youth\n";
  }
  return out.str();
}

}  // namespace drift::bench
