#pragma once
// Fuzz targets: every input Drift reads, each as a function of arbitrary bytes. A target
// returns normally when the input was read or refused with a clear error (an exception naming
// the file), and aborts (a finding) on anything else: an exception of another kind, an error
// that does not name the file, or a crash or sanitizer report.
//
// The same targets run under libFuzzer (the fuzz preset, one program per target) and through
// the replay program in every build, which feeds them the shipped files, the regression inputs
// of earlier findings and, for binary files, a fixed set of generated mutations.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace drift::fuzz {

struct Target {
  const char* name;
  const char* reads;  // what the input stands for
  void (*run)(const std::uint8_t* data, std::size_t size);
  // Shipped files (paths relative to the source directory; folders are taken whole) that seed
  // the corpus. Empty for targets whose input is a mutation program rather than a file.
  std::vector<std::string> seeds;
};

const std::vector<Target>& targets();
// The target of that name, or nullptr.
const Target* find_target(const std::string& name);

// Reports a finding on stderr and aborts (libFuzzer then saves the input).
[[noreturn]] void finding(const std::string& what);

// A folder of this process for the inputs and fixtures of the targets, made once.
const std::string& work_dir();
// Writes bytes to `name` in the work folder and returns its path.
std::string write_input(const std::string& name, const std::uint8_t* data, std::size_t size);

}  // namespace drift::fuzz
