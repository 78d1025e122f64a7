#include "reference_program.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "figures.hpp"

namespace drift::bench {

double parse_reference_speed(const std::string& output) {
  const auto at = output.find(" youth-weeks/s");
  if (at == std::string::npos || at == 0) return std::nan("");
  const auto space = output.find_last_of(" \t\n", at - 1);
  const auto begin = space == std::string::npos ? 0 : space + 1;
  const std::string figure = output.substr(begin, at - begin);
  char* end = nullptr;
  const double speed = std::strtod(figure.c_str(), &end);
  if (figure.empty() || end != figure.c_str() + figure.size() || !(speed > 0)) return std::nan("");
  return speed;
}

namespace {
// `word` as one word of a POSIX shell command line, whatever characters it holds.
std::string shell_quoted(const std::string& word) {
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}
}  // namespace

double reference_speed(const std::string& program, long youths, int weeks, int threads) {
  const std::string command = "OMP_NUM_THREADS=" + std::to_string(threads) + " " +
                              shell_quoted(program) + " " + std::to_string(youths) + " " +
                              std::to_string(weeks);
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nan("");
  std::string text;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) text += buf;
  const int status = ::pclose(pipe);
  if (status != 0) return std::nan("");
  return parse_reference_speed(text);
}

double median_speed(std::vector<double> speeds) {
  speeds.erase(std::remove_if(speeds.begin(), speeds.end(), [](double v) { return std::isnan(v); }),
               speeds.end());
  if (speeds.empty()) return std::nan("");
  std::sort(speeds.begin(), speeds.end());
  return speeds[speeds.size() / 2];
}

double speedup_against(double speed, double first_speed, int first_threads) {
  return speed * first_threads / first_speed;
}

std::string describe_scaling_against_reference(double youths, int threads, double step_speedup,
                                               double step_one_thread_speed,
                                               double reference_speedup,
                                               double reference_one_thread_speed) {
  const auto microseconds_a_week = [youths](double speed) {
    return fixed(1e6 * youths / speed, 0);
  };
  std::string line =
      fixed(youths, 0) + " youths on " + std::to_string(threads) + " threads: the step " +
      fixed(step_speedup, 2) + "x one thread (goal >= 1.85x on 2), at " +
      microseconds_a_week(step_one_thread_speed) + " us a week on one thread; the reference step ";
  if (std::isnan(reference_speedup) || std::isnan(reference_one_thread_speed))
    return line + "not measured (it failed)\n";
  return line + fixed(reference_speedup, 2) + "x, at " +
         microseconds_a_week(reference_one_thread_speed) + " us a week on one thread\n";
}

}  // namespace drift::bench
