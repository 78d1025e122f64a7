#include "targets.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace drift::fuzz {

// Defined in text_targets.cpp and file_targets.cpp.
void fuzz_scenario(const std::uint8_t* data, std::size_t size);
void fuzz_targets_file(const std::uint8_t* data, std::size_t size);
void fuzz_areas_csv(const std::uint8_t* data, std::size_t size);
void fuzz_result_file(const std::uint8_t* data, std::size_t size);
void fuzz_calibration_file(const std::uint8_t* data, std::size_t size);
void fuzz_part_file(const std::uint8_t* data, std::size_t size);

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"scenario",
       "a scenario file (beside it: a parent scenario, a targets file, an areas CSV)",
       fuzz_scenario,
       {"scenarios", "scenarios/trials", "tests/data/scenarios", "tests/fuzz/fixtures"}},
      {"targets", "a targets file of observed figures", fuzz_targets_file, {"scenarios/targets"}},
      {"areas_csv", "a districts CSV", fuzz_areas_csv, {"scenarios/data", "tests/data/scenarios"}},
      {"result_file",
       "a mutation program applied to a result, trial or sweep file, then summarize, the result "
       "check and verify's comparison",
       fuzz_result_file,
       {}},
      {"calibration_file",
       "a mutation program applied to a calibration file, then summarize and posterior draws",
       fuzz_calibration_file,
       {}},
      {"part_file",
       "a mutation program applied to a part file, then the part reader",
       fuzz_part_file,
       {}},
  };
  return all;
}

const Target* find_target(const std::string& name) {
  for (const auto& t : targets()) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

void finding(const std::string& what) {
  std::cerr << "drift fuzz finding: " << what << std::endl;
  std::abort();
}

const std::string& work_dir() {
  static const std::string dir = [] {
    const auto p =
        std::filesystem::temp_directory_path() / ("drift_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    // Removed at exit; a crash leaves it for the post-mortem.
    static const std::string kept = p.string();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(kept, ec);
    });
    return p.string();
  }();
  return dir;
}

std::string write_input(const std::string& name, const std::uint8_t* data, std::size_t size) {
  const auto path = (std::filesystem::path(work_dir()) / name).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) finding("cannot write the input file " + path);
  return path;
}

}  // namespace drift::fuzz
