#include "drift/experiments/sobol.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "drift/model/rng.hpp"

namespace drift {

std::vector<SobolIndex> sobol_indices(const std::vector<double>& y, int n, int d, int bootstrap,
                                      std::uint32_t seed) {
  auto estimate = [&](const std::vector<int>& rows, std::vector<double>& first,
                      std::vector<double>& total) {
    double mean = 0, var = 0;
    for (int k : rows) mean += y[k] + y[n + k];
    mean /= 2.0 * rows.size();
    for (int k : rows) var += (y[k] - mean) * (y[k] - mean) + (y[n + k] - mean) * (y[n + k] - mean);
    var /= 2.0 * rows.size() - 1;
    first.assign(d, 0);
    total.assign(d, 0);
    for (int i = 0; i < d; ++i) {
      double s = 0, t = 0;
      for (int k : rows) {
        const double fa = y[k], fb = y[n + k], fab = y[static_cast<std::size_t>(2 + i) * n + k];
        s += fb * (fab - fa);
        t += (fa - fab) * (fa - fab);
      }
      first[i] = var > 0 ? s / rows.size() / var : 0.0;
      total[i] = var > 0 ? 0.5 * t / rows.size() / var : 0.0;
    }
  };
  std::vector<int> all(n);
  std::iota(all.begin(), all.end(), 0);
  std::vector<double> first, total;
  estimate(all, first, total);
  std::vector<std::vector<double>> bf(d), bt(d);
  Rng rng(seed, 0);
  std::vector<int> rows(n);
  for (int b = 0; b < bootstrap; ++b) {
    for (int k = 0; k < n; ++k) {
      rows[k] = std::min(
          n - 1,
          static_cast<int>(rng.uniform(Stream::bootstrap, b, static_cast<std::uint32_t>(k)) * n));
    }
    std::vector<double> f, t;
    estimate(rows, f, t);
    for (int i = 0; i < d; ++i) {
      bf[i].push_back(f[i]);
      bt[i].push_back(t[i]);
    }
  }
  auto quantile = [](std::vector<double> v, double q) {
    if (v.empty()) return std::nan("");
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * (v.size() - 1) + 0.5))];
  };
  std::vector<SobolIndex> out(d);
  for (int i = 0; i < d; ++i) {
    out[i] = {first[i], quantile(bf[i], 0.025), quantile(bf[i], 0.975),
              total[i], quantile(bt[i], 0.025), quantile(bt[i], 0.975)};
  }
  return out;
}

}  // namespace drift
