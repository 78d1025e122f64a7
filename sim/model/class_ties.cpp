#include "drift/model/class_ties.hpp"

#include <exception>

namespace drift {

ClassLayers ClassTieCache::get(int cohort, std::int32_t week,
                               const std::function<ClassLayers()>& draw) {
  std::promise<ClassLayers> promise;
  std::shared_future<ClassLayers> layers;
  bool drawer = false;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto [at, inserted] = classes_.try_emplace({cohort, week});
    if (inserted) {
      at->second = promise.get_future().share();
      drawer = true;
    }
    layers = at->second;
  }
  if (drawer) {
    try {
      promise.set_value(draw());
    } catch (...) {
      promise.set_exception(std::current_exception());
    }
  }
  return layers.get();
}

}  // namespace drift
