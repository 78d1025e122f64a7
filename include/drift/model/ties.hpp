#pragma once
// Multiplex ties stored as compressed sparse rows. Neighbourhood ties join slots of one district
// across ages and last the whole run; school and friendship ties join youths of one cohort and are
// rebuilt for a cohort when it enters, so they are stored per cohort block.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <vector>

namespace drift {

// The targets of one row of a Csr as global ids, whichever width they are stored in.
class TieRow {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::uint32_t;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::uint32_t;
    iterator() = default;
    iterator(const std::uint16_t* narrow, const std::uint32_t* wide, std::uint32_t base,
             std::size_t k)
        : narrow_(narrow), wide_(wide), base_(base), k_(k) {}
    std::uint32_t operator*() const { return narrow_ ? base_ + narrow_[k_] : wide_[k_]; }
    iterator& operator++() {
      ++k_;
      return *this;
    }
    iterator operator++(int) {
      iterator before = *this;
      ++k_;
      return before;
    }
    bool operator==(const iterator& o) const { return k_ == o.k_; }

   private:
    const std::uint16_t* narrow_ = nullptr;
    const std::uint32_t* wide_ = nullptr;
    std::uint32_t base_ = 0;
    std::size_t k_ = 0;
  };
  TieRow(const std::uint16_t* narrow, const std::uint32_t* wide, std::uint32_t base,
         std::uint32_t size)
      : narrow_(narrow), wide_(wide), base_(base), size_(size) {}
  iterator begin() const { return {narrow_, wide_, base_, 0}; }
  iterator end() const { return {narrow_, wide_, base_, size_}; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::uint32_t operator[](std::size_t k) const { return narrow_ ? base_ + narrow_[k] : wide_[k]; }

 private:
  const std::uint16_t* narrow_;  // nullptr when the targets are wide
  const std::uint32_t* wide_;
  std::uint32_t base_;
  std::uint32_t size_;
};

struct Csr {
  // Row r's targets start at offset(r) = block_start[r / kRowBlock] + within[r]: a 32-bit start
  // for every block of kRowBlock rows and a 16-bit offset within the block for every row, about
  // 2.06 B a row instead of 4. A block's rows hold far fewer than 65,536 tie ends within the
  // parameter ranges (mean degrees up to 100); from_edges checks it.
  static constexpr std::size_t kRowBlock = 64;
  // Every target is a row of the same Csr. With at most kNarrowRows rows (a cohort's school and
  // friendship layers at any realistic size) a target is held as its 16-bit distance from
  // `first` in narrow_targets, 2 B a tie end instead of 4; otherwise as its global id in
  // wide_targets. Exactly one of the two holds the ends.
  static constexpr std::size_t kNarrowRows = 65536;
  std::uint32_t first = 0;                    // global id of row 0
  std::vector<std::uint32_t> block_start;     // rows / kRowBlock + 1
  std::vector<std::uint16_t> within;          // rows + 1
  std::vector<std::uint16_t> narrow_targets;  // target - first, when rows() <= kNarrowRows
  std::vector<std::uint32_t> wide_targets;    // global ids, when rows() > kNarrowRows
  std::size_t rows() const { return within.empty() ? 0 : within.size() - 1; }
  bool narrow() const { return rows() <= kNarrowRows; }
  std::size_t ends() const { return narrow_targets.size() + wide_targets.size(); }
  // Where row r (0 <= r <= rows()) starts among the ends; offset(rows()) is ends().
  std::uint32_t offset(std::size_t r) const { return block_start[r / kRowBlock] + within[r]; }
  TieRow row(std::uint32_t global) const {
    const std::uint32_t r = global - first;
    const std::uint32_t begin = offset(r);
    const std::uint32_t size = offset(r + 1) - begin;
    return narrow() ? TieRow(narrow_targets.data() + begin, nullptr, first, size)
                    : TieRow(nullptr, wide_targets.data() + begin, first, size);
  }
  // Every target in row order, as global ids.
  std::vector<std::uint32_t> targets() const;
  std::size_t bytes() const {
    return block_start.size() * sizeof(std::uint32_t) + within.size() * sizeof(std::uint16_t) +
           narrow_targets.size() * sizeof(std::uint16_t) +
           wide_targets.size() * sizeof(std::uint32_t);
  }
  // Calls fn(k) once for every k in [0, n), in any order and on any threads; each k writes only
  // its own part of the result. How from_edges runs its passes: the caller's threads (the step
  // runs them as its other parallel passes). Empty: in order, on the calling thread.
  using ParallelFor =
      std::function<void(std::int64_t n, const std::function<void(std::int64_t)>& fn)>;
  // Builds an undirected CSR from edges (a, b); duplicates and self-ties are dropped; `edges` is
  // left empty. The rows are sorted and copied in blocks, each pass through `parallel`; the
  // result is the same however the passes run.
  static Csr from_edges(std::uint32_t first, std::uint32_t rows,
                        std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges,
                        const ParallelFor& parallel = {});
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
  TieRow row(std::uint32_t global) const { return csr_->row(global); }
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
