#pragma once
// Built worlds kept for the units of a sweep or calibration: a point whose parameters agree with
// an earlier point's in everything that shapes the build (step/build_world.hpp) starts from a
// copy of that point's built world for the same replicate, given its own parameters by
// reparametrise(), instead of drawing the population and its ties again. The world is the same,
// bit for bit, as build_world() would make.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "drift/model/areas.hpp"
#include "drift/model/class_ties.hpp"
#include "drift/model/parameters.hpp"
#include "drift/model/world.hpp"

namespace drift {

class BuildCache {
 public:
  // Holds at most `capacity` built worlds (0: none, every world is built), dropping the least
  // recently used.
  explicit BuildCache(std::size_t capacity) : capacity_(capacity) {}
  // The world build_world(p, areas, replicate, threads) makes. Safe to call from several threads.
  World world(const Parameters& p, const std::vector<AreaSpec>& areas, std::uint32_t replicate,
              int threads = 1);
  // The same, with the tie layers of the classes that worlds of this build form later: classes
  // depend only on what shapes the build (its members, their traits and keyed draws), so every
  // run from the same kept world shares them (class_ties.hpp). This holds as long as every
  // parameter that class formation reads (draw_traits, build_cohort_ties) is one that shapes the
  // build (shapes_the_build), as the build itself already requires. A new cache when the world is
  // not kept (capacity 0).
  World world(const Parameters& p, const std::vector<AreaSpec>& areas, std::uint32_t replicate,
              int threads, std::shared_ptr<ClassTieCache>& classes);
  std::size_t builds() const;  // worlds drawn whole
  std::size_t reuses() const;  // worlds copied from a kept one

 private:
  struct Entry {
    std::uint32_t replicate;
    std::shared_ptr<const World> world;
    std::shared_ptr<ClassTieCache> classes;
    std::uint64_t last_use;
  };
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
  std::uint64_t clock_ = 0;
  std::size_t builds_ = 0, reuses_ = 0;
};

}  // namespace drift
