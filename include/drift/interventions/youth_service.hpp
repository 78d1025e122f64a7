#pragma once
// Interventions that serve individual youths (caseloads and coverages) also offer this small
// interface, so that a virtual trial (experiments part) can randomise the youths who meet the
// eligibility rule and keep its control arm out, without trial state in the model or trial
// methods on the step's Intervention interface.
#include <cstdint>
#include <vector>

#include "drift/model/world.hpp"

namespace drift::iv {

class YouthService {
 public:
  virtual ~YouthService() = default;
  // Whether youth i meets the eligibility rule (and is in reach) in `week`.
  virtual bool meets_eligibility(const World& w, std::uint32_t i, int week) const = 0;
  // Youths whose byte in `excluded` is nonzero are never taken in: they use no places and do
  // not wait. The vector (one byte per slot) is owned by the caller and outlives the runs.
  void exclude(const std::vector<std::uint8_t>* excluded) { excluded_ = excluded; }

 protected:
  bool excluded(std::uint32_t i) const { return excluded_ != nullptr && (*excluded_)[i] != 0; }
  // The byte per slot of exclude(), or null when no youth is excluded.
  const std::uint8_t* excluded_slots() const {
    return excluded_ != nullptr ? excluded_->data() : nullptr;
  }

 private:
  const std::vector<std::uint8_t>* excluded_ = nullptr;
};

}  // namespace drift::iv
