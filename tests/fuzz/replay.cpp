// fuzz_replay TARGET [--generated N] [PATH...]: runs a fuzz target on files (folders are taken
// whole, not recursively) and on N generated inputs, without libFuzzer. Every build runs it on
// the shipped files, the regression inputs of earlier findings and a fixed set of generated
// mutation programs (tests/fuzz/CMakeLists.txt), so a finding stays fixed in every build.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "targets.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: fuzz_replay TARGET [--generated N] [PATH...]\ntargets:";
    for (const auto& t : drift::fuzz::targets()) std::cerr << " " << t.name;
    std::cerr << "\n";
    return 2;
  }
  const auto* target = drift::fuzz::find_target(argv[1]);
  if (target == nullptr) {
    std::cerr << "fuzz_replay: unknown target " << argv[1] << "\n";
    return 2;
  }
  std::size_t generated = 0;
  std::vector<fs::path> files;
  for (int k = 2; k < argc; ++k) {
    const std::string arg = argv[k];
    if (arg == "--generated" && k + 1 < argc) {
      generated = std::stoul(argv[++k]);
    } else if (fs::is_directory(arg)) {
      std::vector<fs::path> in_dir;
      for (const auto& e : fs::directory_iterator(arg)) {
        if (e.is_regular_file()) in_dir.push_back(e.path());
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (fs::is_regular_file(arg)) {
      files.emplace_back(arg);
    } else {
      std::cerr << "fuzz_replay: no such file or folder: " << arg << "\n";
      return 2;
    }
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    std::cerr << "fuzz_replay " << target->name << ": " << f.string() << "\n";
    target->run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  // Generated inputs: random bytes of random length from a fixed seed, so every build replays
  // the same ones.
  std::mt19937_64 gen(20210916);
  for (std::size_t k = 0; k < generated; ++k) {
    std::vector<std::uint8_t> bytes(1 + gen() % 64);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(gen());
    // Each input is shown before it runs, so that the one that fails can be saved as a
    // regression input (tests/fuzz/regressions/TARGET/) from the log.
    std::cerr << "fuzz_replay " << target->name << ": generated input " << k << ":";
    for (auto b : bytes) std::cerr << ' ' << static_cast<int>(b);
    std::cerr << "\n";
    target->run(bytes.data(), bytes.size());
  }
  std::cout << "fuzz_replay " << target->name << ": " << files.size() << " file(s) and "
            << generated << " generated input(s), no finding\n";
  return 0;
}
