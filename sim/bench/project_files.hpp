#pragma once
// Finding the project's own files (scenarios, district data) from a benchmark binary that may be
// run from the source folder or from anywhere else.
#include <filesystem>
#include <string>
#include <vector>

namespace drift::bench {

// `relative` (e.g. "scenarios/utrecht.yaml") in the working directory, else in the folders above
// the executable (build/<preset>/drift_bench -> ../../scenarios/...); "" when not found.
inline std::string find_project_file(const std::string& relative) {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates = {relative};
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto dir = exe.parent_path();
    for (int up = 0; up < 4 && !dir.empty(); ++up) {
      candidates.push_back(dir / relative);
      dir = dir.parent_path();
    }
  }
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c, ec)) return c.string();
  }
  return "";
}

}  // namespace drift::bench
