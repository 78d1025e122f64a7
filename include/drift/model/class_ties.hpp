#pragma once
// The tie layers of the school classes formed while the strategies of one replicate run. A class's
// school and friendship ties depend only on its members (fixed by the slot layout), their traits
// and keyed draws, none of which a strategy changes, so every strategy of the replicate would draw
// the same layers: the first to form a class draws them, and the others take the same immutable
// layers. What depends on the strategy (the counts of dealing and recruiting ties) is counted by
// each world itself.
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <utility>

#include "drift/model/ties.hpp"

namespace drift {

struct ClassLayers {
  SharedCsr school;
  SharedCsr friendship;
};

class ClassTieCache {
 public:
  // The layers of the class of `cohort` formed in `week`: drawn by `draw` on the first request,
  // the same layers on every later one. Safe to call from several threads; a request made while
  // another thread draws the same class waits for its layers. When `draw` throws, the exception
  // reaches every request of that class.
  ClassLayers get(int cohort, std::int32_t week, const std::function<ClassLayers()>& draw);

 private:
  std::mutex mutex_;
  std::map<std::pair<int, std::int32_t>, std::shared_future<ClassLayers>> classes_;
};

}  // namespace drift
