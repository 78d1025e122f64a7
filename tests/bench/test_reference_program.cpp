// The reference step program run beside drift_bench (--reference): its figure read from its
// output, and the comparison drift_bench prints.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "bench/reference_program.hpp"
#include "support/temp_dir.hpp"

namespace drift::bench {
namespace {

const std::string kFake = std::string(DRIFT_SOURCE_DIR) + "/tests/bench/fake_reference_step.sh";

// An executable shell script `name` with `body` in `dir`.
std::string script(const test::TempDir& dir, const std::string& name, const std::string& body) {
  const auto path = dir.write(name, "#!/bin/sh\n" + body);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

TEST(ReferenceProgram, ReadsTheYouthWeeksPerSecondOfTheReferenceStepsLine) {
  EXPECT_DOUBLE_EQ(parse_reference_speed("threads 2 n 100000 weeks 208: 7.91 ns/youth-week, "
                                         "1.26e+08 youth-weeks/s, dealing 87, transitions 5389\n"),
                   1.26e8);
  EXPECT_DOUBLE_EQ(parse_reference_speed("5.5e7 youth-weeks/s"), 5.5e7);
}

TEST(ReferenceProgram, OutputWithoutAFigureGivesNaN) {
  EXPECT_TRUE(std::isnan(parse_reference_speed("")));
  EXPECT_TRUE(std::isnan(parse_reference_speed("usage: reference_step [n] [weeks]\n")));
  EXPECT_TRUE(std::isnan(parse_reference_speed("fast youth-weeks/s")));
  EXPECT_TRUE(std::isnan(parse_reference_speed(" youth-weeks/s")));
  EXPECT_TRUE(std::isnan(parse_reference_speed("1.2e8x youth-weeks/s")));
}

TEST(ReferenceProgram, RunsTheProgramOnTheYouthsAndThreadsAsked) {
  // The fake gives 1e4 youth-weeks/s per youth on one thread and 1.9 times that on more.
  EXPECT_DOUBLE_EQ(reference_speed(kFake, 30000, 8, 1), 3e8);
  EXPECT_DOUBLE_EQ(reference_speed(kFake, 20000, 8, 2), 3.8e8);
}

TEST(ReferenceProgram, AProgramThatFailsOrIsMissingGivesNaN) {
  EXPECT_TRUE(std::isnan(reference_speed("/nonexistent/reference_step", 1000, 8, 1)));
  EXPECT_TRUE(std::isnan(reference_speed("/bin/false", 1000, 8, 1)));
  // Prints the figure but exits 1.
  const test::TempDir dir;
  const auto failing = script(dir, "failing", "echo '1e8 youth-weeks/s'\nexit 1\n");
  EXPECT_TRUE(std::isnan(reference_speed(failing, 1000, 8, 1)));
}

TEST(ReferenceProgram, APathWithBlanksAndQuotesIsRunAsOneProgram) {
  const test::TempDir dir;
  const auto odd =
      script(dir, "it's a step", "echo \"$1 $2 ${OMP_NUM_THREADS}e6 youth-weeks/s\"\n");
  EXPECT_DOUBLE_EQ(reference_speed(odd, 1000, 8, 3), 3e6);
}

TEST(ReferenceProgram, TheMedianLeavesOutFailedRuns) {
  EXPECT_DOUBLE_EQ(median_speed({3.0, std::nan(""), 1.0, 2.0}), 2.0);
  EXPECT_DOUBLE_EQ(median_speed({5.0}), 5.0);
  EXPECT_TRUE(std::isnan(median_speed({})));
  EXPECT_TRUE(std::isnan(median_speed({std::nan("")})));
}

TEST(ReferenceProgram, SpeedupIsScaledToOneThread) {
  EXPECT_DOUBLE_EQ(speedup_against(1.9e8, 1e8, 1), 1.9);
  // Against a first row of two threads: four threads at 1.8 times its speed are 3.6x one.
  EXPECT_DOUBLE_EQ(speedup_against(3.6e8, 2e8, 2), 3.6);
}

TEST(ReferenceProgram, TheScalingLineGivesBothSpeedupsAndEachStepsWeek) {
  const auto line = describe_scaling_against_reference(100000, 2, 1.74, 1.65e8, 1.90, 6.5e7);
  EXPECT_NE(line.find("100000 youths on 2 threads: the step 1.74x one thread"), std::string::npos)
      << line;
  EXPECT_NE(line.find("at 606 us a week on one thread; the reference step 1.90x, at 1538 us"),
            std::string::npos)
      << line;
  const auto failed =
      describe_scaling_against_reference(100000, 2, 1.74, 1.65e8, std::nan(""), std::nan(""));
  EXPECT_NE(failed.find("the reference step not measured (it failed)"), std::string::npos)
      << failed;
}

}  // namespace
}  // namespace drift::bench
