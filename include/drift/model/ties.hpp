#pragma once
// Multiplex ties stored as compressed sparse rows. Neighbourhood ties join slots of one district
// across ages and last the whole run; school and friendship ties join youths of one cohort and are
// rebuilt for a cohort when it enters, so they are stored per cohort block.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace drift {

struct Csr {
  // Row r's targets start at offset(r) = block_start[r / kRowBlock] + within[r]: a 32-bit start
  // for every block of kRowBlock rows and a 16-bit offset within the block for every row, about
  // 2.06 B a row instead of 4. A block's rows hold far fewer than 65,536 tie ends within the
  // parameter ranges (mean degrees up to 100); from_edges checks it.
  static constexpr std::size_t kRowBlock = 64;
  std::uint32_t first = 0;                 // global id of row 0
  std::vector<std::uint32_t> block_start;  // rows / kRowBlock + 1
  std::vector<std::uint16_t> within;       // rows + 1
  std::vector<std::uint32_t> targets;      // global ids
  std::size_t rows() const { return within.empty() ? 0 : within.size() - 1; }
  // Where row r (0 <= r <= rows()) starts in targets; offset(rows()) is targets.size().
  std::uint32_t offset(std::size_t r) const { return block_start[r / kRowBlock] + within[r]; }
  std::span<const std::uint32_t> row(std::uint32_t global) const {
    const std::uint32_t r = global - first;
    return {targets.data() + offset(r), targets.data() + offset(r + 1)};
  }
  std::size_t bytes() const {
    return block_start.size() * sizeof(std::uint32_t) + within.size() * sizeof(std::uint16_t) +
           targets.size() * sizeof(std::uint32_t);
  }
  // Builds an undirected CSR from edges (a, b); duplicates and self-ties are dropped.
  static Csr from_edges(std::uint32_t first, std::uint32_t rows,
                        std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges);
};

// A layer of ties shared by the copies of a world until one of them rebuilds it. Ties are
// never edited in place, only built whole (a class forming replaces its cohort's layers), so a
// world copied from the burnt-in one holds no ties of its own until a class forms in it.
class SharedCsr {
 public:
  SharedCsr() : csr_(empty()) {}
  SharedCsr(Csr csr) : csr_(std::make_shared<const Csr>(std::move(csr))) {}
  const Csr& operator*() const { return *csr_; }
  const Csr* operator->() const { return csr_.get(); }
  std::span<const std::uint32_t> row(std::uint32_t global) const { return csr_->row(global); }
  std::size_t rows() const { return csr_->rows(); }
  // Whether another copy of the world holds this layer too.
  bool shared() const { return csr_.use_count() > 1; }

 private:
  static const std::shared_ptr<const Csr>& empty() {
    static const std::shared_ptr<const Csr> none = std::make_shared<const Csr>();
    return none;
  }
  std::shared_ptr<const Csr> csr_;
};

enum class Layer : std::uint8_t { neighbourhood = 0, school, friendship };

struct Ties {
  SharedCsr neighbourhood;
  std::vector<SharedCsr> school;      // one per cohort
  std::vector<SharedCsr> friendship;  // one per cohort
  std::size_t tie_ends() const;
  // Bytes of every layer, shared or not.
  std::size_t bytes() const;
  // Bytes of the layers this world holds alone (not shared with another copy).
  std::size_t own_bytes() const;
};

}  // namespace drift
