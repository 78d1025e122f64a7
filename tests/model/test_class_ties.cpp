#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "drift/model/class_ties.hpp"

namespace drift {
namespace {

ClassLayers layers_of(std::uint32_t first) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> school{{first, first + 1}};
  std::vector<std::pair<std::uint32_t, std::uint32_t>> friends{{first, first + 2}};
  return {Csr::from_edges(first, 3, school), Csr::from_edges(first, 3, friends)};
}

TEST(ClassTieCache, EachClassIsDrawnOnceAndEveryRequestGetsTheSameLayers) {
  ClassTieCache cache;
  std::atomic<int> draws{0};
  std::vector<const Csr*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      const auto got = cache.get(2, 40, [&] {
        ++draws;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // others ask meanwhile
        return layers_of(100);
      });
      seen[t] = &*got.school;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(draws.load(), 1);
  for (const auto* s : seen) EXPECT_EQ(s, seen[0]);
  // Another class, or the same cohort in another week, is drawn anew.
  const auto other = cache.get(2, 92, [&] {
    ++draws;
    return layers_of(100);
  });
  EXPECT_EQ(draws.load(), 2);
  EXPECT_NE(&*other.school, seen[0]);
}

TEST(ClassTieCache, AFailedDrawReachesEveryRequestOfThatClass) {
  ClassTieCache cache;
  auto failing = []() -> ClassLayers { throw std::runtime_error("draw failed"); };
  EXPECT_THROW(cache.get(1, 5, failing), std::runtime_error);
  EXPECT_THROW(cache.get(1, 5, [] { return layers_of(0); }), std::runtime_error);
}

}  // namespace
}  // namespace drift
