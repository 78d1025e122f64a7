// One libFuzzer program per target (the fuzz preset): DRIFT_FUZZ_TARGET names the target.
#include <cstddef>
#include <cstdint>

#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto* target = drift::fuzz::find_target(DRIFT_FUZZ_TARGET);
  if (target == nullptr) drift::fuzz::finding("unknown fuzz target " DRIFT_FUZZ_TARGET);
  target->run(data, size);
  return 0;
}
