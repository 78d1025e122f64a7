// Compressed sparse rows of undirected ties.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "drift/model/ties.hpp"

namespace drift {
namespace {

using Edges = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

std::vector<std::uint32_t> row_of(const Csr& c, std::uint32_t global) {
  const auto r = c.row(global);
  return {r.begin(), r.end()};
}

// Where each row starts, rows() + 1 of them.
std::vector<std::uint32_t> offsets_of(const Csr& c) {
  std::vector<std::uint32_t> out;
  for (std::size_t r = 0; r <= c.rows(); ++r) out.push_back(c.offset(r));
  return out;
}

TEST(CsrFromEdges, BuildsTheUndirectedRowsOfAHandDrawnGraph) {
  // Rows 10..14: 10-11, 10-13, 12-13.
  Edges e = {{10, 11}, {13, 10}, {12, 13}};
  const auto c = Csr::from_edges(10, 5, e);
  EXPECT_EQ(c.first, 10u);
  EXPECT_EQ(c.rows(), 5u);
  EXPECT_EQ(row_of(c, 10), (std::vector<std::uint32_t>{11, 13}));
  EXPECT_EQ(row_of(c, 11), (std::vector<std::uint32_t>{10}));
  EXPECT_EQ(row_of(c, 12), (std::vector<std::uint32_t>{13}));
  EXPECT_EQ(row_of(c, 13), (std::vector<std::uint32_t>{10, 12}));
  EXPECT_TRUE(row_of(c, 14).empty());
  EXPECT_EQ(offsets_of(c), (std::vector<std::uint32_t>{0, 2, 3, 4, 6, 6}));
  EXPECT_EQ(c.ends(), 6u);
}

TEST(CsrFromEdges, DropsDuplicatesInEitherDirectionAndSelfTies) {
  Edges e = {{0, 1}, {1, 0}, {0, 1}, {2, 2}, {3, 3}, {1, 2}, {2, 1}, {2, 2}};
  const auto c = Csr::from_edges(0, 4, e);
  EXPECT_EQ(row_of(c, 0), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(row_of(c, 1), (std::vector<std::uint32_t>{0, 2}));
  EXPECT_EQ(row_of(c, 2), (std::vector<std::uint32_t>{1}));
  EXPECT_TRUE(row_of(c, 3).empty());
  EXPECT_EQ(c.ends(), 4u);
}

TEST(CsrFromEdges, ConsumesTheEdgeList) {
  Edges e = {{0, 1}};
  (void)Csr::from_edges(0, 2, e);
  EXPECT_TRUE(e.empty());
}

TEST(CsrFromEdges, EmptyEdgeListGivesEmptyRows) {
  Edges e;
  const auto c = Csr::from_edges(7, 3, e);
  EXPECT_EQ(c.rows(), 3u);
  EXPECT_EQ(offsets_of(c), (std::vector<std::uint32_t>{0, 0, 0, 0}));
  EXPECT_TRUE(c.targets().empty());
  for (std::uint32_t g = 7; g < 10; ++g) EXPECT_TRUE(row_of(c, g).empty());
}

TEST(CsrFromEdges, RandomGraphIsSymmetricSortedAndFreeOfRepeats) {
  const std::uint32_t first = 100, rows = 200;
  Edges e;
  std::uint64_t x = 12345;
  auto next = [&x] {  // a fixed linear congruential sequence
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>(x >> 33);
  };
  Edges original;
  for (int k = 0; k < 3000; ++k) {
    const auto a = first + next() % rows, b = first + next() % rows;
    e.emplace_back(a, b);
    original.emplace_back(a, b);
  }
  const auto c = Csr::from_edges(first, rows, e);
  ASSERT_EQ(c.rows(), rows);
  const auto offsets = offsets_of(c);
  EXPECT_EQ(offsets.front(), 0u);
  EXPECT_EQ(offsets.back(), c.ends());
  EXPECT_TRUE(std::is_sorted(offsets.begin(), offsets.end()));
  std::size_t ends = 0;
  for (std::uint32_t g = first; g < first + rows; ++g) {
    const auto r = row_of(c, g);
    ends += r.size();
    EXPECT_TRUE(std::is_sorted(r.begin(), r.end())) << g;
    EXPECT_EQ(std::adjacent_find(r.begin(), r.end()), r.end()) << "repeated target in row " << g;
    for (auto t : r) {
      EXPECT_NE(t, g) << "self-tie";
      ASSERT_GE(t, first);
      ASSERT_LT(t, first + rows);
      const auto back = row_of(c, t);
      EXPECT_TRUE(std::binary_search(back.begin(), back.end(), g)) << g << " -> " << t;
    }
  }
  EXPECT_EQ(ends, c.ends());
  // Every non-self input edge is present; the number of distinct ties is half the ends.
  Edges distinct;
  for (auto [a, b] : original) {
    if (a == b) continue;
    const auto r = row_of(c, a);
    EXPECT_TRUE(std::binary_search(r.begin(), r.end(), b));
    distinct.emplace_back(std::min(a, b), std::max(a, b));
  }
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  EXPECT_EQ(2 * distinct.size(), c.ends());
}

// Rows start from a 32-bit start per block of 64 rows and a 16-bit offset within it: rows on
// both sides of block boundaries, and a last row that ends a block, find their own ties.
TEST(CsrFromEdges, RowsAcrossBlockBoundariesKeepTheirOwnTies) {
  const std::uint32_t rows = 3 * 64;
  Edges e;
  // Row r is tied to r + 1 and to r + 2 (a band), so every row has a known set of neighbours.
  for (std::uint32_t r = 0; r + 1 < rows; ++r) e.emplace_back(r, r + 1);
  for (std::uint32_t r = 0; r + 2 < rows; ++r) e.emplace_back(r, r + 2);
  const auto c = Csr::from_edges(0, rows, e);
  ASSERT_EQ(c.rows(), rows);
  EXPECT_EQ(c.offset(rows), c.ends());
  for (std::uint32_t r = 0; r < rows; ++r) {
    std::vector<std::uint32_t> expected;
    for (int d = -2; d <= 2; ++d) {
      const auto t = static_cast<std::int64_t>(r) + d;
      if (d != 0 && t >= 0 && t < rows) expected.push_back(static_cast<std::uint32_t>(t));
    }
    EXPECT_EQ(row_of(c, r), expected) << "row " << r;
  }
  EXPECT_EQ(c.bytes(), 4 * sizeof(std::uint32_t) + (rows + 1) * sizeof(std::uint16_t) +
                           c.ends() * sizeof(std::uint16_t));
}

TEST(CsrFromEdges, ABlockOfRowsWithMoreTieEndsThanItCanAddressIsRefused) {
  // Rows 0-63 are each tied to 1,100 others: 70,400 ends in the first block of 64 rows.
  Edges e;
  for (std::uint32_t r = 0; r < 64; ++r) {
    for (std::uint32_t t = 64; t < 64 + 1100; ++t) e.emplace_back(r, t);
  }
  EXPECT_THROW((void)Csr::from_edges(0, 64 + 1100, e), std::length_error);
}

// Targets are 16-bit distances from the first row up to kNarrowRows rows, and global ids beyond:
// at both ends of that choice the farthest pair of rows finds each other, and the bytes follow.
TEST(CsrFromEdges, TargetsAreNarrowUpTo65536RowsAndWideBeyondWithTheSameTies) {
  const std::uint32_t first = 3'000'000;
  for (const std::uint32_t rows : {static_cast<std::uint32_t>(Csr::kNarrowRows),
                                   static_cast<std::uint32_t>(Csr::kNarrowRows + 1)}) {
    const std::uint32_t last = first + rows - 1;
    Edges e = {{first, last}, {first + 1, last}, {last - 1, first + 7}};
    const auto c = Csr::from_edges(first, rows, e);
    EXPECT_EQ(c.narrow(), rows <= Csr::kNarrowRows) << rows;
    EXPECT_EQ(row_of(c, first), (std::vector<std::uint32_t>{last})) << rows;
    EXPECT_EQ(row_of(c, first + 1), (std::vector<std::uint32_t>{last})) << rows;
    EXPECT_EQ(row_of(c, first + 7), (std::vector<std::uint32_t>{last - 1})) << rows;
    EXPECT_EQ(row_of(c, last), (std::vector<std::uint32_t>{first, first + 1})) << rows;
    EXPECT_EQ(c.row(last)[1], first + 1) << rows;
    EXPECT_EQ(c.targets(),
              (std::vector<std::uint32_t>{last, last, last - 1, first + 7, first, first + 1}))
        << rows;
    const std::size_t end_bytes = c.narrow() ? sizeof(std::uint16_t) : sizeof(std::uint32_t);
    EXPECT_EQ(c.bytes(), (rows / 64 + 1) * sizeof(std::uint32_t) +
                             (rows + 1) * sizeof(std::uint16_t) + 6 * end_bytes)
        << rows;
  }
}

TEST(CsrFromEdges, LayoutDoesNotDependOnEdgeOrder) {
  Edges a = {{0, 3}, {1, 2}, {3, 1}, {2, 0}};
  Edges b = {{2, 0}, {1, 3}, {2, 1}, {3, 0}};
  const auto x = Csr::from_edges(0, 4, a);
  const auto y = Csr::from_edges(0, 4, b);
  EXPECT_EQ(offsets_of(x), offsets_of(y));
  EXPECT_EQ(x.targets(), y.targets());
}

// Runs the tasks of a pass on `threads` threads, each taking the highest task left: the last
// first, in no fixed order between threads.
Csr::ParallelFor on_threads_last_first(int threads) {
  return [threads](std::int64_t n, const std::function<void(std::int64_t)>& fn) {
    std::atomic<std::int64_t> left{n};
    std::vector<std::thread> team;
    for (int t = 0; t < threads; ++t) {
      team.emplace_back([&] {
        for (auto k = --left; k >= 0; k = --left) fn(k);
      });
    }
    for (auto& t : team) t.join();
  };
}

// The rows are sorted and copied in blocks, on several threads in any order: however the passes
// run, every row holds exactly its distinct neighbours in increasing order (checked against sets
// built edge by edge), with the same offsets and ends as on one thread, narrow and wide alike.
TEST(CsrFromEdges, RowsSortedOnSeveralThreadsInAnyOrderGiveTheLayerOfOneThread) {
  for (const std::uint32_t rows : {5'000u, 70'000u}) {
    const std::uint32_t first = 1'000;
    Edges e;
    std::vector<std::vector<std::uint32_t>> expected(rows);
    std::uint64_t x = 88172645463325252ull;  // xorshift: a fixed sequence of pairs
    auto next = [&x, rows] {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      return static_cast<std::uint32_t>(x % rows);
    };
    for (std::uint32_t k = 0; k < 6 * rows; ++k) {
      const std::uint32_t a = next(), b = k % 7 == 0 ? a : next();  // self-ties among them
      e.emplace_back(first + a, first + b);
      if (k % 5 == 0) e.emplace_back(first + b, first + a);  // and duplicates
      if (a != b) {
        expected[a].push_back(first + b);
        expected[b].push_back(first + a);
      }
    }
    for (auto& r : expected) {
      std::sort(r.begin(), r.end());
      r.erase(std::unique(r.begin(), r.end()), r.end());
    }
    Edges copy = e;
    const auto one = Csr::from_edges(first, rows, copy);
    EXPECT_TRUE(copy.empty());
    for (const int threads : {2, 3}) {
      copy = e;
      const auto many = Csr::from_edges(first, rows, copy, on_threads_last_first(threads));
      const auto what = std::to_string(rows) + " rows, " + std::to_string(threads) + " threads";
      EXPECT_EQ(many.narrow(), rows <= Csr::kNarrowRows);
      EXPECT_EQ(offsets_of(many), offsets_of(one)) << what;
      EXPECT_EQ(many.targets(), one.targets()) << what;
      for (std::uint32_t r = 0; r < rows; ++r)
        ASSERT_EQ(row_of(many, first + r), expected[r]) << "row " << r << ", " << what;
    }
  }
}

TEST(TiesTieEnds, CountsBothEndsOfEveryLayer) {
  Ties t;
  Edges n = {{0, 1}, {1, 2}};  // 2 ties -> 4 ends
  t.neighbourhood = Csr::from_edges(0, 4, n);
  Edges s0 = {{0, 1}};          // cohort 0: 1 tie
  Edges s1 = {{2, 3}, {2, 3}};  // cohort 1: 1 tie (duplicate dropped)
  t.school.push_back(Csr::from_edges(0, 2, s0));
  t.school.push_back(Csr::from_edges(2, 2, s1));
  Edges f0;                     // none
  Edges f1 = {{2, 3}, {3, 3}};  // 1 tie, self-tie dropped
  t.friendship.push_back(Csr::from_edges(0, 2, f0));
  t.friendship.push_back(Csr::from_edges(2, 2, f1));
  EXPECT_EQ(t.tie_ends(), 4u + 2u + 2u + 0u + 2u);
  EXPECT_EQ(t.bytes(), t.neighbourhood->bytes() + t.school[0]->bytes() + t.school[1]->bytes() +
                           t.friendship[0]->bytes() + t.friendship[1]->bytes());
}

TEST(TiesTieEnds, EmptyTiesHaveNoEnds) {
  const Ties t;
  EXPECT_EQ(t.tie_ends(), 0u);
}

}  // namespace
}  // namespace drift
