#include "drift/experiments/build_cache.hpp"

#include <algorithm>

#include "drift/step/build_world.hpp"

namespace drift {

World BuildCache::world(const Parameters& p, const std::vector<AreaSpec>& areas,
                        std::uint32_t replicate, int threads) {
  std::shared_ptr<ClassTieCache> classes;
  return world(p, areas, replicate, threads, classes);
}

World BuildCache::world(const Parameters& p, const std::vector<AreaSpec>& areas,
                        std::uint32_t replicate, int threads,
                        std::shared_ptr<ClassTieCache>& classes) {
  std::shared_ptr<const World> kept;
  {
    const std::lock_guard lock(mutex_);
    for (auto& e : entries_) {
      if (e.replicate == replicate && same_build(e.world->params, p) && e.world->areas == areas) {
        e.last_use = ++clock_;
        kept = e.world;
        classes = e.classes;
        ++reuses_;
        break;
      }
    }
  }
  if (kept) {
    World w = *kept;
    w.threads = threads;
    reparametrise(w, p);
    return w;
  }
  World w = build_world(p, areas, replicate, threads);
  classes = std::make_shared<ClassTieCache>();
  if (capacity_ == 0) {
    const std::lock_guard lock(mutex_);
    ++builds_;
    return w;
  }
  auto copy = std::make_shared<const World>(w);
  const std::lock_guard lock(mutex_);
  ++builds_;
  if (entries_.size() >= capacity_) {
    const auto oldest =
        std::min_element(entries_.begin(), entries_.end(),
                         [](const auto& a, const auto& b) { return a.last_use < b.last_use; });
    entries_.erase(oldest);
  }
  entries_.push_back({replicate, std::move(copy), classes, ++clock_});
  return w;
}

std::size_t BuildCache::builds() const {
  const std::lock_guard lock(mutex_);
  return builds_;
}

std::size_t BuildCache::reuses() const {
  const std::lock_guard lock(mutex_);
  return reuses_;
}

}  // namespace drift
