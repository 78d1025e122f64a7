#pragma once
// Running the drift program (or any shell command) from a test, capturing its output.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace drift::test {

inline std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

struct Result {
  int status = -1;
  std::string output;  // stdout and stderr
};

// Runs a shell command in `dir`, capturing both output streams.
inline Result run(const std::string& command, const std::string& dir) {
  // Passive OpenMP waiting keeps multi-threaded runs quick on a busy machine; results do not
  // depend on it.
  const std::string full = "cd " + quoted(dir) + " && OMP_WAIT_POLICY=passive " + command + " 2>&1";
  Result r;
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs the drift program of this build (DRIFT_BINARY) with `args` in `dir`.
inline Result drift(const std::string& args, const std::string& dir) {
  return run(quoted(DRIFT_BINARY) + " " + args, dir);
}

}  // namespace drift::test
