#pragma once
// Sobol sensitivity indices of a sweep's outputs over a Saltelli design (scenario/sweep.hpp).
#include <cstdint>
#include <vector>

namespace drift {

struct SobolIndex {
  double first = 0, first_lo = 0, first_hi = 0;  // first-order index and 95% bootstrap interval
  double total = 0, total_lo = 0, total_hi = 0;  // total-order index and 95% bootstrap interval
};
// First-order (Saltelli 2010) and total (Jansen 1999) indices from outputs y ordered as the
// points of saltelli_points; bootstrap over the N base rows with a fixed seed.
std::vector<SobolIndex> sobol_indices(const std::vector<double>& y, int base_samples,
                                      int parameters, int bootstrap = 500, std::uint32_t seed = 1);

}  // namespace drift
