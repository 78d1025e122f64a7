#include "chunk_schedule.hpp"

namespace drift::detail {

namespace {
constexpr std::uint64_t pack(std::uint64_t front, std::uint64_t back) {
  return front << 32 | back;
}
constexpr std::uint64_t front_of(std::uint64_t v) {
  return v >> 32;
}
constexpr std::uint64_t back_of(std::uint64_t v) {
  return v & 0xffffffffu;
}
}  // namespace

ChunkShares::ChunkShares(std::int64_t chunks, int threads) : shares_(threads) {
  for (int t = 0; t < threads; ++t) {
    const auto front = static_cast<std::uint64_t>(chunks * t / threads);
    const auto back = static_cast<std::uint64_t>(chunks * (t + 1) / threads);
    shares_[t].range.store(pack(front, back), std::memory_order_relaxed);
  }
}

std::int64_t ChunkShares::next(int t) {
  auto& own = shares_[t].range;
  for (auto v = own.load(std::memory_order_relaxed); front_of(v) < back_of(v);) {
    if (own.compare_exchange_weak(v, pack(front_of(v) + 1, back_of(v)), std::memory_order_relaxed))
      return static_cast<std::int64_t>(front_of(v));
  }
  const int n = static_cast<int>(shares_.size());
  for (int k = 1; k < n; ++k) {
    auto& other = shares_[(t + k) % n].range;
    for (auto v = other.load(std::memory_order_relaxed); front_of(v) < back_of(v);) {
      if (other.compare_exchange_weak(v, pack(front_of(v), back_of(v) - 1),
                                      std::memory_order_relaxed))
        return static_cast<std::int64_t>(back_of(v) - 1);
    }
  }
  return -1;
}

}  // namespace drift::detail
