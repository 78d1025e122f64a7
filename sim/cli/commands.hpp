#pragma once
// Subcommands of the drift program that live in their own source file; main.cpp parses the
// command line and dispatches to them.
#include <atomic>
#include <optional>
#include <string>

namespace drift::cli {

struct VerifyOptions {
  std::string results;               // the result file to reproduce
  std::optional<int> threads;        // default: every hardware thread
  std::string keep;                  // when set, the re-run's result file is kept here
  std::string command_line;          // recorded in the re-run's result file
  const std::atomic<bool>* cancel = nullptr;
};

// `drift verify`: re-runs the scenario embedded in a result file and compares the new result
// file with it dataset by dataset. Returns 0 when reproduced, 1 when not (or on a runtime
// error), 2 when the file is not a result file verify can re-run.
int verify(const VerifyOptions& options);

}  // namespace drift::cli
