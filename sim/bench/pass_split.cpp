#include "bench/pass_split.hpp"

#include <algorithm>
#include <cstdio>

namespace drift::bench {

PassSplit& PassSplit::operator+=(const PassSplit& other) {
  seconds += other.seconds;
  pass_seconds += other.pass_seconds;
  busy_thread_seconds += other.busy_thread_seconds;
  serial_seconds += other.serial_seconds;
  waited_thread_seconds += other.waited_thread_seconds;
  passes += other.passes;
  return *this;
}

PassSplit split_passes(double seconds, double pass_seconds, double busy_thread_seconds,
                       int threads) {
  PassSplit s;
  s.threads = std::max(1, threads);
  s.seconds = seconds;
  s.pass_seconds = pass_seconds;
  s.busy_thread_seconds = busy_thread_seconds;
  s.serial_seconds = std::max(0.0, seconds - pass_seconds);
  s.waited_thread_seconds = std::max(0.0, pass_seconds * s.threads - busy_thread_seconds);
  return s;
}

std::string describe_serial_share(const PassSplit& step, double one_thread_seconds) {
  const double t = step.threads;
  const double without_waiting = step.serial_seconds + step.busy_thread_seconds / t;
  const double amdahl =
      one_thread_seconds /
      (step.serial_seconds + std::max(0.0, one_thread_seconds - step.serial_seconds) / t);
  char text[640];
  std::snprintf(text, sizeof text,
                "on %d threads the step took %.4f s, %.2fx the one-thread step (%.4f s). Of it "
                "%.4f s (%.1f%%) ran on one thread, outside the parallel passes; in the passes "
                "the threads waited %.4f thread-s (team start, last chunk, team end). Without "
                "that waiting: %.4f s, %.2fx. With the serial part as it is, no faster pass can "
                "give more than %.2fx.\n",
                step.threads, step.seconds, one_thread_seconds / step.seconds, one_thread_seconds,
                step.serial_seconds, 100.0 * step.serial_seconds / step.seconds,
                step.waited_thread_seconds, without_waiting, one_thread_seconds / without_waiting,
                amdahl);
  return text;
}

}  // namespace drift::bench
