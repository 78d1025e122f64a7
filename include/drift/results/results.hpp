#pragma once
// Result files in HDF5: self-describing (scenario text, provenance, units as attributes) and
// written under a temporary name that is renamed only when complete, so an interrupted run
// never leaves a corrupt file under the requested name. Layout: docs/results.md. This header
// holds the format's constants and the reader; the experiments part composes the files
// (experiments/result_file.hpp) with the writers of results/h5_write.hpp.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "drift/results/run_output.hpp"
#include "drift/scenario/scenario.hpp"

namespace drift {

inline constexpr int kResultFormatVersion = 2;

struct Provenance {
  std::string command_line;
};

// Stable 64-bit FNV-1a hash of a text, as 16 hex digits (recorded for the resolved scenario).
std::string text_hash(const std::string& text);

// Minimal reading interface used by tests and `drift summarize`.
struct DatasetData {
  std::vector<std::uint64_t> shape;
  std::vector<double> values;
};
class ResultReader {
 public:
  explicit ResultReader(const std::string& path);
  ~ResultReader();
  ResultReader(const ResultReader&) = delete;
  ResultReader& operator=(const ResultReader&) = delete;
  DatasetData dataset(const std::string& path) const;
  // The dataset, which must exist, hold numbers and have `shape` (kAnyLength: any length in that
  // dimension); throws std::runtime_error "FILE: dataset PATH: what is wrong" otherwise, so that
  // a damaged or hand-edited file is refused rather than read past its end.
  static constexpr std::uint64_t kAnyLength = ~std::uint64_t{0};
  DatasetData dataset(const std::string& path, const std::vector<std::uint64_t>& shape) const;
  std::vector<std::string> strings(const std::string& path) const;
  std::string attribute(const std::string& object, const std::string& name) const;
  double numeric_attribute(const std::string& object, const std::string& name) const;
  // A one-dimensional string attribute, e.g. the strategy order ("/strategies" @order).
  std::vector<std::string> strings_attribute(const std::string& object,
                                             const std::string& name) const;
  bool has_attribute(const std::string& object, const std::string& name) const;
  std::vector<std::string> children(const std::string& group) const;
  bool exists(const std::string& path) const;

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace drift
