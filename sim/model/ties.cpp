#include "drift/model/ties.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace drift {

namespace {
// Rows per task of the sorting and copying passes: blocks of kRowBlock rows, grouped so that a
// task is worth handing to a thread.
constexpr std::size_t kRowsPerTask = 16 * Csr::kRowBlock;
}  // namespace

Csr Csr::from_edges(std::uint32_t first, std::uint32_t rows,
                    std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges,
                    const ParallelFor& parallel) {
  // Linear in the edges: both ends of every edge are placed in their rows by counting, then each
  // (short) row is sorted and its duplicates dropped. A row ends up with its distinct neighbours
  // in increasing order, whatever the order and multiplicity of the edges. The counting and the
  // placing stay on the calling thread (a few operations per edge; placed from several threads,
  // the ends of one row would be written from several cores); rows are independent in the sorting
  // and in the final copy, which go through `parallel`.
  const auto run = [&](std::int64_t n, const std::function<void(std::int64_t)>& fn) {
    if (parallel) {
      parallel(n, fn);
    } else {
      for (std::int64_t k = 0; k < n; ++k) fn(k);
    }
  };
  std::vector<std::uint32_t> start(static_cast<std::size_t>(rows) + 1, 0);
  for (const auto& [a, b] : edges) {
    if (a == b) continue;
    ++start[a - first + 1];
    ++start[b - first + 1];
  }
  for (std::size_t r = 0; r < rows; ++r) start[r + 1] += start[r];
  std::vector<std::uint32_t> placed(start[rows]);
  {
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (const auto& [a, b] : edges) {
      if (a == b) continue;
      placed[fill[a - first]++] = b;
      placed[fill[b - first]++] = a;
    }
  }
  const auto tasks = static_cast<std::int64_t>((rows + kRowsPerTask - 1) / kRowsPerTask);
  const auto task_rows = [rows](std::int64_t t) {
    const auto begin = static_cast<std::size_t>(t) * kRowsPerTask;
    return std::pair{begin, std::min<std::size_t>(rows, begin + kRowsPerTask)};
  };
  // Distinct neighbours of each row, sorted to the front of its range of `placed`.
  std::vector<std::uint32_t> distinct(rows);
  run(tasks, [&](std::int64_t t) {
    const auto [r_begin, r_end] = task_rows(t);
    for (auto r = r_begin; r < r_end; ++r) {
      const auto row_begin = placed.begin() + start[r];
      const auto row_end = placed.begin() + start[r + 1];
      std::sort(row_begin, row_end);
      distinct[r] = static_cast<std::uint32_t>(std::unique(row_begin, row_end) - row_begin);
    }
  });
  Csr csr;
  csr.first = first;
  csr.block_start.assign(rows / kRowBlock + 1, 0);
  csr.within.assign(static_cast<std::size_t>(rows) + 1, 0);
  std::uint32_t kept = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    kept += distinct[r];
    const std::size_t next = r + 1;
    if (next % kRowBlock == 0) csr.block_start[next / kRowBlock] = kept;
    const std::uint32_t in_block = kept - csr.block_start[next / kRowBlock];
    if (in_block > 0xffffu) {
      throw std::length_error("ties: rows " + std::to_string(next / kRowBlock * kRowBlock) +
                              " to " + std::to_string(next) + " hold " + std::to_string(in_block) +
                              " tie ends, more than a block of 64 rows can address (65,535)");
    }
    csr.within[next] = static_cast<std::uint16_t>(in_block);
  }
  if (csr.narrow()) {
    csr.narrow_targets.resize(kept);
  } else {
    csr.wide_targets.resize(kept);
  }
  run(tasks, [&](std::int64_t t) {
    const auto [r_begin, r_end] = task_rows(t);
    for (auto r = r_begin; r < r_end; ++r) {
      const std::uint32_t* from = placed.data() + start[r];
      const std::uint32_t to = csr.offset(r);
      if (csr.narrow()) {
        for (std::uint32_t k = 0; k < distinct[r]; ++k)
          csr.narrow_targets[to + k] = static_cast<std::uint16_t>(from[k] - first);
      } else {
        std::copy(from, from + distinct[r], csr.wide_targets.begin() + to);
      }
    }
  });
  edges.clear();
  return csr;
}

std::vector<std::uint32_t> Csr::targets() const {
  if (!narrow()) return wide_targets;
  std::vector<std::uint32_t> out(narrow_targets.size());
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = first + narrow_targets[k];
  return out;
}

std::size_t Ties::tie_ends() const {
  std::size_t n = neighbourhood->ends();
  for (const auto& c : school) n += c->ends();
  for (const auto& c : friendship) n += c->ends();
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
