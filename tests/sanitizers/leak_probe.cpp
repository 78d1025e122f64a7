// A program that leaks on purpose: a Drift Population, made by Drift's own code, whose last
// pointer is dropped. Built only in the asan preset; tests/sanitizers/expect_leak.sh runs it with
// the suppressions of tests/sanitizers/lsan.supp and requires LeakSanitizer to report the leak,
// which shows that the suppressions hide third-party leaks only and not Drift's.
#include <cstdio>

#include "drift/model/population.hpp"

namespace drift {

// Not inlined, so the report names it; the volatile pointer keeps the allocation from being
// optimised away and is cleared so no reference to the population survives.
[[gnu::noinline]] void leak_a_population() {
  static Population* volatile kept = nullptr;
  kept = new Population;
  kept->resize(64);
  kept = nullptr;
}

}  // namespace drift

int main() {
  drift::leak_a_population();
  std::puts("leak_probe: leaked one drift::Population");
  return 0;
}
