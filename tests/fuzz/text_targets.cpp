// Targets for the text inputs: scenario files, targets files, districts CSV.
#include <filesystem>
#include <string>

#include "drift/scenario/diagnostic.hpp"
#include "drift/scenario/scenario.hpp"
#include "drift/scenario/targets.hpp"
#include "targets.hpp"

namespace drift::fuzz {

namespace fs = std::filesystem;

namespace {

// The folder a fuzzed scenario is read from, laid out like the shipped scenarios so that their
// relative references resolve: beside the input a parent scenario, the districts CSV and the
// targets file; one level up utrecht.yaml (which the trials extend) with its own CSV.
const std::string& scenario_dir() {
  static const std::string dir = [] {
    const fs::path src = DRIFT_SOURCE_DIR;
    const fs::path root = fs::path(work_dir()) / "scenario";
    const fs::path here = root / "s";
    fs::create_directories(here / "data");
    fs::create_directories(here / "targets");
    fs::create_directories(root / "data");
    const auto copy = [](const fs::path& from, const fs::path& to) {
      fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    };
    copy(src / "scenarios/utrecht.yaml", root / "utrecht.yaml");
    copy(src / "scenarios/data/utrecht_districts.csv", root / "data/utrecht_districts.csv");
    copy(src / "scenarios/data/utrecht_districts.csv", here / "data/utrecht_districts.csv");
    copy(src / "scenarios/targets/netherlands.yaml", here / "targets/netherlands.yaml");
    copy(src / "tests/data/scenarios/parent.yaml", here / "parent.yaml");
    return here.string();
  }();
  return dir;
}

// Runs `read` on the input at `path`; a ScenarioError is the expected refusal of a bad input and
// must name the file at fault: the input, or a file it refers to (all lie under `folder`).
template <class Read>
void expect_clean(const std::string& path, const std::string& folder, Read&& read) {
  try {
    read(path);
  } catch (const ScenarioError& e) {
    const std::string what = e.what();
    if (what.find(folder) == std::string::npos)
      finding("error does not name the file " + path + ": " + what);
  } catch (const std::exception& e) {
    finding(std::string("not a ScenarioError: ") + e.what());
  } catch (...) {
    finding("an exception that is not a std::exception");
  }
}

}  // namespace

void fuzz_scenario(const std::uint8_t* data, std::size_t size) {
  const auto path = (fs::path(scenario_dir()) / "in.yaml").string();
  write_input("scenario/s/in.yaml", data, size);
  const auto root = fs::path(scenario_dir()).parent_path().string();
  expect_clean(path, root, [](const std::string& p) { (void)load_scenario(p); });
}

void fuzz_targets_file(const std::uint8_t* data, std::size_t size) {
  const auto path = write_input("targets.yaml", data, size);
  expect_clean(path, path, [](const std::string& p) { (void)load_targets(p); });
}

void fuzz_areas_csv(const std::uint8_t* data, std::size_t size) {
  const auto path = write_input("areas.csv", data, size);
  expect_clean(path, path, [](const std::string& p) { (void)load_areas_csv(p); });
}

}  // namespace drift::fuzz
