#pragma once
// Multiplex ties stored as compressed sparse rows. Neighbourhood ties join slots of one district
// across ages and last the whole run; school and friendship ties join youths of one cohort and are
// rebuilt for a cohort when it enters, so they are stored per cohort block.
#include <cstdint>
#include <span>
#include <vector>

namespace drift {

struct Csr {
  std::uint32_t first = 0;             // global id of row 0
  std::vector<std::uint32_t> offsets;  // rows + 1
  std::vector<std::uint32_t> targets;  // global ids
  std::size_t rows() const { return offsets.empty() ? 0 : offsets.size() - 1; }
  std::span<const std::uint32_t> row(std::uint32_t global) const {
    const std::uint32_t r = global - first;
    return {targets.data() + offsets[r], targets.data() + offsets[r + 1]};
  }
  std::size_t bytes() const { return (offsets.size() + targets.size()) * sizeof(std::uint32_t); }
  // Builds an undirected CSR from edges (a, b); duplicates and self-ties are dropped.
  static Csr from_edges(std::uint32_t first, std::uint32_t rows,
                        std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges);
};

enum class Layer : std::uint8_t { neighbourhood = 0, school, friendship };

struct Ties {
  Csr neighbourhood;
  std::vector<Csr> school;      // one per cohort
  std::vector<Csr> friendship;  // one per cohort
  std::size_t tie_ends() const;
  std::size_t bytes() const;
};

}  // namespace drift
