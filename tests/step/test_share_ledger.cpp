// The ledgers of the parallel commits: what a chunk hands out is added to the world once, and a
// ledger used again starts empty, whichever tallies it held before.
#include <gtest/gtest.h>

#include <vector>

#include "step/lifecycle.hpp"

namespace drift::detail {
namespace {

World world_of(std::size_t areas) {
  std::vector<AreaSpec> specs;
  for (std::size_t a = 0; a < areas; ++a) specs.push_back({"area", 600, 900, 0.2, 1});
  World w(Parameters{}, specs, 0);
  w.tallies.assign(areas * kTallyCount, 0);
  w.events.clear();
  return w;
}

TEST(ShareLedger, AddsWhatItHandedOutAndItsEventsInOrder) {
  World w = world_of(3);
  ShareLedger ledger;
  ledger.reset(3);
  ++ledger.tally(2, Tally::entries);
  ledger.tally(0, Tally::arrests) += 5;
  --ledger.tally(1, Tally::desistances);
  ledger.event(7, EventKind::arrested);
  ledger.event(3, EventKind::released);
  ledger.add_to(w);
  std::vector<std::int64_t> expected(3 * kTallyCount, 0);
  expected[2 * kTallyCount + static_cast<int>(Tally::entries)] = 1;
  expected[static_cast<int>(Tally::arrests)] = 5;
  expected[kTallyCount + static_cast<int>(Tally::desistances)] = -1;
  EXPECT_EQ(w.tallies, expected);
  ASSERT_EQ(w.events.size(), 2u);
  EXPECT_EQ(w.events[0].agent, 7u);
  EXPECT_EQ(w.events[1].agent, 3u);
}

TEST(ShareLedger, AResetLedgerHoldsNothingOfItsLastPass) {
  World w = world_of(2);
  ShareLedger ledger;
  ledger.reset(2);
  ledger.tally(1, Tally::entries) += 4;
  ledger.tally(0, static_cast<Tally>(kTallyCount - 1)) += 2;  // the last tally of the first area
  ledger.event(1, EventKind::arrested);
  ledger.reset(2);
  ++ledger.tally(0, Tally::arrests);
  ++ledger.tally(1, Tally::entries);  // held 4 in the last pass
  ledger.add_to(w);
  ledger.add_to(w);  // added twice: twice what this pass handed out, nothing of the last
  std::vector<std::int64_t> expected(2 * kTallyCount, 0);
  expected[static_cast<int>(Tally::arrests)] = 2;
  expected[kTallyCount + static_cast<int>(Tally::entries)] = 2;
  EXPECT_EQ(w.tallies, expected);
  EXPECT_TRUE(w.events.empty());
  // For a world of another size the ledger starts over as well.
  World bigger = world_of(5);
  ledger.reset(5);
  ++ledger.tally(4, Tally::entries);
  ledger.add_to(bigger);
  std::vector<std::int64_t> five(5 * kTallyCount, 0);
  five[4 * kTallyCount + static_cast<int>(Tally::entries)] = 1;
  EXPECT_EQ(bigger.tallies, five);
}

}  // namespace
}  // namespace drift::detail
