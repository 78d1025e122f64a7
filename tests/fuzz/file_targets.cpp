// Targets for the binary inputs: result, trial and sweep files (summarize, the result check and
// verify's comparison), calibration files (summarize and posterior draws) and part files.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "drift/experiments/calibration.hpp"
#include "drift/experiments/decision.hpp"
#include "drift/experiments/refill.hpp"
#include "drift/experiments/result_file.hpp"
#include "drift/experiments/summary.hpp"
#include "drift/experiments/trial.hpp"
#include "drift/results/compare.hpp"
#include "drift/results/part_file.hpp"
#include "drift/results/results.hpp"
#include "drift/scenario/scenario.hpp"
#include "h5_mutation.hpp"
#include "targets.hpp"

namespace drift::fuzz {

namespace fs = std::filesystem;

namespace {

// The unmutated files, written once per process by the drift program of this build from the
// scenarios in tests/fuzz/fixtures.
struct Fixtures {
  std::string result, sweep, calibration, part, part_key;
  Scenario scenario;
};

void drift_command(const std::string& args, const std::string& dir) {
  const std::string command = "cd '" + dir + "' && OMP_WAIT_POLICY=passive '" + DRIFT_BINARY +
                              "' " + args + " -q -t 1 > fixture.log 2>&1";
  if (std::system(command.c_str()) != 0) finding("fixture command failed: drift " + args);
}

const Fixtures& fixtures() {
  static const Fixtures f = [] {
    const fs::path dir = fs::path(work_dir()) / "fixtures";
    fs::create_directories(dir);
    for (const auto& e : fs::directory_iterator(fs::path(DRIFT_SOURCE_DIR) / "tests/fuzz/fixtures"))
      fs::copy_file(e.path(), dir / e.path().filename(), fs::copy_options::overwrite_existing);
    const auto d = dir.string();
    drift_command("run fixture.yaml --out result.h5", d);
    drift_command("run sweep.yaml --out sweep.h5", d);
    drift_command("calibrate calibration.yaml --out cal.h5", d);
    // Shard 0 of 2 leaves its part files and writes no result file.
    drift_command("run fixture.yaml --out shard.h5 --shard 0/2", d);
    Fixtures out;
    out.result = (dir / "result.h5").string();
    out.sweep = (dir / "sweep.h5").string();
    out.calibration = (dir / "cal.h5").string();
    for (const auto& e : fs::directory_iterator(dir / "shard.h5.parts")) {
      if (e.path().extension() == ".part") out.part = e.path().string();
    }
    if (out.part.empty()) finding("the fixture run left no part file");
    out.part_key = ResultReader(out.part).attribute("/", "key");
    out.scenario = load_scenario((dir / "fixture.yaml").string());
    return out;
  }();
  return f;
}

// Runs `read`; a std::exception naming one of the files is a clean refusal, anything else a
// finding.
template <class Read>
void expect_clean(const std::string& edits, const std::vector<std::string>& files, Read&& read) {
  try {
    read();
  } catch (const std::exception& e) {
    const std::string what = e.what();
    for (const auto& f : files) {
      if (what.find(fs::path(f).filename().string()) != std::string::npos) return;
    }
    finding("error does not name the file (" + edits + "): " + what);
  } catch (...) {
    finding("an exception that is not a std::exception (" + edits + ")");
  }
}

// What `drift summarize` does with a file.
void summarize(const std::string& path) {
  std::string text;
  if (is_calibration_file(path)) {
    text = format_calibration_file(path);
  } else if (is_sweep_file(path)) {
    text = format_sweep_file(path, false) + format_sweep_file(path, true);
  } else {
    const auto summary = summarize_file(path);
    text = format_table(summary) + format_csv(summary);
    text += format_decision(decide_file(path, summary));
    text += format_refill(read_refill(path), summary.replicates);
    if (has_trial(path)) text += format_trial(read_trial(path));
  }
  if (text.empty()) finding("summarize printed nothing for " + path);
}

}  // namespace

void fuzz_result_file(const std::uint8_t* data, std::size_t size) {
  const auto& fx = fixtures();
  if (size == 0) return;
  const auto& base = data[0] % 2 == 0 ? fx.result : fx.sweep;
  const auto path = (fs::path(work_dir()) / "mutated.h5").string();
  const auto edits = mutate_h5(base, path, data + 1, size - 1);
  expect_clean(edits, {path}, [&] { summarize(path); });
  expect_clean(edits, {path}, [&] { check_result_file(path); });
  expect_clean(edits, {base, path}, [&] { (void)compare_result_files(base, path); });
}

void fuzz_calibration_file(const std::uint8_t* data, std::size_t size) {
  const auto& fx = fixtures();
  const auto path = (fs::path(work_dir()) / "mutated_calibration.h5").string();
  const auto edits = mutate_h5(fx.calibration, path, data, size);
  expect_clean(edits, {path}, [&] { summarize(path); });
  expect_clean(edits, {path}, [&] { (void)draw_posterior(path, fx.scenario); });
}

void fuzz_part_file(const std::uint8_t* data, std::size_t size) {
  const auto& fx = fixtures();
  const auto path = (fs::path(work_dir()) / "mutated_part.h5").string();
  const auto edits = mutate_h5(fx.part, path, data, size);
  // The part reader never throws: it says why a file cannot be used.
  std::vector<RunOutput> runs;
  PartRead read;
  try {
    read = read_part_file(path, fx.part_key, runs);
  } catch (const std::exception& e) {
    finding("read_part_file threw (" + edits + "): " + e.what());
  } catch (...) {
    finding("read_part_file threw a non-std exception (" + edits + ")");
  }
  if (!read.ok() && read.reason.empty()) finding("a damaged part without a reason (" + edits + ")");
}

}  // namespace drift::fuzz
