#pragma once
// A fresh folder per test, removed afterwards: shared by the tests of every part.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace drift::test {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::string name = "drift_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
      name += std::string("_") + info->test_suite_name() + "_" + info->name();
    }
    std::replace(name.begin(), name.end(), '/', '_');  // parameterised test names
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The path of `name` in the folder.
  std::string path(const std::string& name) const { return (path_ / name).string(); }
  std::string str() const { return path_.string(); }
  // Writes `content` to `name` and returns its path.
  std::string write(const std::string& name, const std::string& content) const {
    const auto p = path(name);
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  // The path of `name`, written with `text` unless that is empty.
  std::string file(const std::string& name, const std::string& text = "") const {
    return text.empty() ? path(name) : write(name, text);
  }
  // The names in the folder, sorted.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_))
      out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  // Every file and folder below it, recursively, as relative paths, sorted.
  std::vector<std::string> tree() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(path_)) {
      out.push_back(std::filesystem::relative(e.path(), path_).string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace drift::test
