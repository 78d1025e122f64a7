// The split of a step's time on several threads (drift_bench --profile) and the bounds it gives.
#include <gtest/gtest.h>

#include <string>

#include "bench/pass_split.hpp"

namespace drift::bench {
namespace {

TEST(PassSplit, SerialTimeIsTheTimeOutsideThePassesAndWaitingIsThePassesIdleThreadSeconds) {
  // 10 s in all, 8 s of it in passes on 2 threads, whose threads were busy 14 thread-s of 16.
  const auto s = split_passes(10.0, 8.0, 14.0, 2);
  EXPECT_DOUBLE_EQ(s.serial_seconds, 2.0);
  EXPECT_DOUBLE_EQ(s.waited_thread_seconds, 2.0);
  // Clock differences that would make a part negative count as nothing.
  const auto t = split_passes(1.0, 1.0000001, 2.0000004, 2);
  EXPECT_EQ(t.serial_seconds, 0.0);
  EXPECT_EQ(t.waited_thread_seconds, 0.0);
}

TEST(PassSplit, TheProcessesOfAStepAddUp) {
  PassSplit step;
  step.threads = 2;
  auto first = split_passes(3.0, 2.0, 3.5, 2);
  first.passes = 3;
  auto second = split_passes(1.0, 0.5, 0.75, 2);
  second.passes = 2;
  step += first;
  step += second;
  EXPECT_EQ(step.passes, 5);
  EXPECT_DOUBLE_EQ(step.seconds, 4.0);
  EXPECT_DOUBLE_EQ(step.serial_seconds, 1.5);
  EXPECT_DOUBLE_EQ(step.busy_thread_seconds, 4.25);
  EXPECT_DOUBLE_EQ(step.waited_thread_seconds, 0.75);
}

TEST(PassSplit, TheBoundsFollowAmdahlsLawFromTheSerialTime) {
  // One thread: 16 s. Two threads: 10 s, of which 2 s serial and 8 s in passes whose threads
  // were busy 14 thread-s. Without waiting: 2 + 14 / 2 = 9 s, 16 / 9 = 1.78x. With the serial
  // 2 s as they are: 16 / (2 + 14 / 2) = 1.78x as well, since the busy time equals the
  // one-thread parallel work here.
  auto step = split_passes(10.0, 8.0, 14.0, 2);
  const std::string text = describe_serial_share(step, 16.0);
  EXPECT_NE(text.find("on 2 threads the step took 10.0000 s, 1.60x"), std::string::npos) << text;
  EXPECT_NE(text.find("2.0000 s (20.0%) ran on one thread"), std::string::npos) << text;
  EXPECT_NE(text.find("waited 2.0000 thread-s"), std::string::npos) << text;
  EXPECT_NE(text.find("Without that waiting: 9.0000 s, 1.78x"), std::string::npos) << text;
  EXPECT_NE(text.find("no faster pass can give more than 1.78x"), std::string::npos) << text;
  // A serial tenth of the one-thread step caps two threads at 1 / (0.1 + 0.9 / 2) = 1.82x.
  step = split_passes(6.0, 4.4, 8.8, 2);
  const std::string capped = describe_serial_share(step, 16.0);
  EXPECT_NE(capped.find("no faster pass can give more than 1.82x"), std::string::npos) << capped;
}

}  // namespace
}  // namespace drift::bench
