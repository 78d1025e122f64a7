#pragma once
// Problems found in input files (scenario, areas CSV, targets, overrides), each pointing at where
// it is: "FILE:LINE:COL: key 'KEY': MESSAGE".
#include <stdexcept>
#include <string>
#include <vector>

namespace drift {

// One problem found in a scenario, areas CSV or override, pointing at where it is.
struct Diagnostic {
  std::string file;
  int line = 0;         // 1-based; 0 when unknown
  int column = 0;       // 1-based; 0 when unknown
  std::string key;      // dotted path of the offending key, e.g. "careers.progression_hazard"
  std::string message;  // what is wrong and what was expected
  // "FILE:LINE:COL: key 'KEY': MESSAGE"
  std::string format() const;
};

class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace drift
