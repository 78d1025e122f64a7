#include <gtest/gtest.h>
#include <sched.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "bench/cpu_probe.hpp"

namespace drift::bench {
namespace {

TEST(CpuProbe, ASingleCycleVisitsEverySlotBeforeReturning) {
  for (std::size_t n : {2u, 3u, 64u, 1000u}) {
    const auto next = single_cycle(n, 7);
    ASSERT_EQ(next.size(), n);
    std::vector<int> seen(n, 0);
    std::uint32_t at = 0;
    for (std::size_t k = 0; k < n; ++k) {
      ++seen[at];
      at = next[at];
    }
    EXPECT_EQ(at, 0u) << n;  // back at the start after exactly n steps
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1) << "slot " << i << " of " << n;
  }
}

TEST(CpuProbe, PinnedWorkRunsOnTheCpuAskedFor) {
  const auto cpus = allowed_cpus();
  ASSERT_FALSE(cpus.empty());
  for (int cpu : cpus) {
    int ran_on = -1;
    run_pinned(cpu, [&] {
      volatile double x = 0;
      for (int k = 0; k < 100000; ++k) x = x + 1;  // long enough to be migrated if unpinned
      ran_on = ::sched_getcpu();
    });
    EXPECT_EQ(ran_on, cpu);
  }
}

TEST(CpuProbe, PinnedWorkPassesItsFailureOn) {
  EXPECT_THROW(run_pinned(allowed_cpus().front(), [] { throw std::runtime_error("x"); }),
               std::runtime_error);
  EXPECT_THROW(run_pinned(-1, [] {}), std::runtime_error);
}

TEST(CpuProbe, LoadLatencyIsAPositiveTime) {
  const double ns = load_latency_ns(1 << 16, 100000);
  EXPECT_TRUE(std::isfinite(ns));
  EXPECT_GT(ns, 0.0);
}

TEST(CpuProbe, CapacityComparesThreadsWithTheSumOfTheCpusOneThreadSpeeds) {
  // One CPU at 2 units/s, one at 1: together 3, 1.5x the fastest; threads at 2.4 are 1.2x the
  // fastest and use 80% of the machine.
  const auto c = capacity({1.0, 2.0}, 2.4);
  EXPECT_DOUBLE_EQ(c.fastest, 2.0);
  EXPECT_DOUBLE_EQ(c.together, 1.5);
  EXPECT_DOUBLE_EQ(c.speedup, 1.2);
  EXPECT_DOUBLE_EQ(c.share, 0.8);
  const auto text = describe_capacity(c, 2);
  EXPECT_NE(text.find("1.50x the fastest alone"), std::string::npos) << text;
  EXPECT_NE(text.find("2 threads: 1.20x"), std::string::npos) << text;
  EXPECT_NE(text.find("80% of what the CPUs give together"), std::string::npos) << text;
  // Equal CPUs: the share is the usual parallel efficiency.
  EXPECT_DOUBLE_EQ(capacity({1.0, 1.0}, 1.9).share, 0.95);
  EXPECT_DOUBLE_EQ(capacity({}, 1.0).together, 0.0);
}

TEST(CpuProbe, OmpProcBindBindsThreadsUnlessUnsetOrFalse) {
  EXPECT_FALSE(binds_threads(nullptr));
  EXPECT_FALSE(binds_threads("false"));
  EXPECT_FALSE(binds_threads(" FALSE\t"));
  EXPECT_FALSE(binds_threads(""));
  EXPECT_TRUE(binds_threads("true"));
  EXPECT_TRUE(binds_threads("spread"));
  EXPECT_TRUE(binds_threads("spread,close"));
  EXPECT_TRUE(binds_threads("primary"));
}

TEST(CpuProbe, ABindingInheritedFromTheStartIsNamedOnlyWhenItNarrowsTheCpus) {
  const auto problem = inherited_binding_problem("spread", 1, 2);
  EXPECT_NE(problem.find("OMP_PROC_BIND=spread"), std::string::npos) << problem;
  EXPECT_NE(problem.find("bound to 1 of the 2 online CPUs"), std::string::npos) << problem;
  EXPECT_NE(problem.find("Unset OMP_PROC_BIND or set it to false"), std::string::npos) << problem;
  // All CPUs still allowed, no binding asked for, or binding switched off: nothing to say.
  EXPECT_EQ(inherited_binding_problem("spread", 2, 2), "");
  EXPECT_EQ(inherited_binding_problem(nullptr, 1, 2), "");
  EXPECT_EQ(inherited_binding_problem("false", 1, 2), "");
  EXPECT_EQ(inherited_binding_problem("true", 1, -1), "");
}

}  // namespace
}  // namespace drift::bench
