#pragma once
// The reference weekly step program, built by the user from ../shared/bench/reference_step.cpp
// and never part of the project, run beside the benchmark so that the model's figures stand next
// to it in the same measurement. It takes the youth count and the weeks as its two arguments and
// its thread count from OMP_NUM_THREADS, and prints one line with "<x> youth-weeks/s".
#include <string>
#include <vector>

namespace drift::bench {

// The youth-weeks per second of the program's output; NaN when no such figure is in it.
double parse_reference_speed(const std::string& output);

// Runs `program` on `youths` youths for `weeks` weeks on `threads` threads; its youth-weeks per
// second, or NaN when it cannot be started, fails or prints no such figure.
double reference_speed(const std::string& program, long youths, int weeks, int threads);

// The median of the figures that are not NaN (a failed run of the program); NaN when none is.
double median_speed(std::vector<double> speeds);

// Speed-up of `threads` threads running `speed` youth-weeks/s, against `first_threads` threads
// running `first_speed` and scaled to one thread (as drift_bench's speedup column: 2 threads at
// twice the speed of one give 2.0).
double speedup_against(double speed, double first_speed, int first_threads);

// One line for the step's speed-up on several threads against the reference step's, measured in
// the same run: each with its time for a week of `youths` youths on one thread, for a step that
// does less work a week leaves less to share among the threads.
std::string describe_scaling_against_reference(double youths, int threads, double step_speedup,
                                               double step_one_thread_speed,
                                               double reference_speedup,
                                               double reference_one_thread_speed);

}  // namespace drift::bench
