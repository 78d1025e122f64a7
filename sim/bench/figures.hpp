#pragma once
// What every benchmark of drift_bench needs to time its runs and print its figures.
#include <chrono>
#include <string>

namespace drift::bench {

using Clock = std::chrono::steady_clock;

// Seconds from t0 to now.
double seconds_since(Clock::time_point t0);

// `v` with `decimals` digits after the point ("nan" for NaN).
std::string fixed(double v, int decimals);

// The one-minute load average of the machine (/proc/loadavg); -1 when it cannot be read.
double load_average();

}  // namespace drift::bench
