#pragma once
// Dataset-by-dataset comparison of two HDF5 files, for `drift verify`: does re-running a result
// file's scenario reproduce it bit for bit?
#include <cstddef>
#include <string>
#include <vector>

namespace drift {

struct FileComparison {
  bool equal = true;
  std::string first_difference;       // "" when equal: the first differing path and why
  std::size_t datasets_compared = 0;  // datasets of either file
  // Differing datasets (and objects holding a differing attribute, as "PATH @attribute"), in
  // the order of a depth-first walk by name; a dataset of one file only is listed too.
  std::vector<std::string> differing;
};

// Compares every dataset of both files, recursively through the groups: shape, type class and
// values bit for bit (so a NaN equals a NaN of the same bits), and every attribute of every
// object except those that legitimately differ between runs of the same scenario: command_line,
// created, timestamp, scenario_file, program_version, git_commit, compiler, compiler_flags and
// build_type. scenario_hash is compared. Throws std::runtime_error when a file cannot be read.
FileComparison compare_result_files(const std::string& expected, const std::string& actual);

}  // namespace drift
