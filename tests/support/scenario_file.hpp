#pragma once
// A scenario written to a temporary file for one test, removed afterwards.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "drift/scenario/scenario.hpp"

namespace drift::test {

class ScenarioFile {
 public:
  explicit ScenarioFile(std::string text) : text_(std::move(text)) {
    static std::atomic<int> counter{0};
    path_ =
        std::filesystem::temp_directory_path() / ("drift_scenario_" + std::to_string(::getpid()) +
                                                  "_" + std::to_string(counter++) + ".yaml");
    std::ofstream(path_) << text_;
  }
  ~ScenarioFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  ScenarioFile(const ScenarioFile&) = delete;
  ScenarioFile& operator=(const ScenarioFile&) = delete;

  Scenario load() const { return load_scenario(path_.string()); }
  std::string path() const { return path_.string(); }
  // 1-based line of the first line containing `needle`, and 1-based column where it starts.
  std::pair<int, int> where(const std::string& needle) const {
    std::istringstream in(text_);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      const auto c = line.find(needle);
      if (c != std::string::npos) return {n, static_cast<int>(c) + 1};
    }
    return {0, 0};
  }

 private:
  std::string text_;
  std::filesystem::path path_;
};

}  // namespace drift::test
