#include "drift/model/ties.hpp"

#include <algorithm>

namespace drift {

Csr Csr::from_edges(std::uint32_t first, std::uint32_t rows,
                    std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges) {
  // Normalise to (low, high) so that a tie drawn from both ends is kept once.
  for (auto& [a, b] : edges) {
    if (a > b) std::swap(a, b);
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  Csr csr;
  csr.first = first;
  csr.offsets.assign(static_cast<std::size_t>(rows) + 1, 0);
  for (const auto& [a, b] : edges) {
    if (a == b) continue;
    ++csr.offsets[a - first + 1];
    ++csr.offsets[b - first + 1];
  }
  for (std::size_t r = 0; r < rows; ++r) csr.offsets[r + 1] += csr.offsets[r];
  csr.targets.resize(csr.offsets[rows]);
  std::vector<std::uint32_t> fill(csr.offsets.begin(), csr.offsets.end() - 1);
  // Edges are sorted, so each row's targets come out in increasing order for the low end;
  // rows are sorted afterwards to make the layout independent of insertion order.
  for (const auto& [a, b] : edges) {
    if (a == b) continue;
    csr.targets[fill[a - first]++] = b;
    csr.targets[fill[b - first]++] = a;
  }
  for (std::size_t r = 0; r < rows; ++r) {
    std::sort(csr.targets.begin() + csr.offsets[r], csr.targets.begin() + csr.offsets[r + 1]);
  }
  edges.clear();
  return csr;
}

std::size_t Ties::tie_ends() const {
  std::size_t n = neighbourhood->targets.size();
  for (const auto& c : school) n += c->targets.size();
  for (const auto& c : friendship) n += c->targets.size();
  return n;
}

std::size_t Ties::bytes() const {
  std::size_t n = neighbourhood->bytes();
  for (const auto& c : school) n += c->bytes();
  for (const auto& c : friendship) n += c->bytes();
  return n;
}

std::size_t Ties::own_bytes() const {
  auto own = [](const SharedCsr& c) { return c.shared() ? 0 : c->bytes(); };
  std::size_t n = own(neighbourhood);
  for (const auto& c : school) n += own(c);
  for (const auto& c : friendship) n += own(c);
  return n;
}

}  // namespace drift
