// drift summarize FILE.h5: print the summary of a result, sweep or calibration file.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "drift/experiments/calibration.hpp"
#include "drift/experiments/decision.hpp"
#include "drift/experiments/refill.hpp"
#include "drift/experiments/summary.hpp"
#include "drift/experiments/trial.hpp"

namespace drift::cli {

namespace {

struct SummarizeArgs {
  std::string file, format = "table";
};

int summarize_command(const SummarizeArgs& a) {
  if (is_calibration_file(a.file)) {
    std::cout << format_calibration_file(a.file);
    return kOk;
  }
  if (is_sweep_file(a.file)) {
    std::cout << format_sweep_file(a.file, a.format == "csv");
    return kOk;
  }
  const auto summary = summarize_file(a.file);
  std::cout << (a.format == "csv" ? format_csv(summary) : format_table(summary));
  if (a.format == "table") std::cout << format_refill(read_refill(a.file), summary.replicates);
  // The same numbers as the file's /decision group: the bootstrap is keyed on the run's seed.
  if (a.format == "table") std::cout << format_decision(decide_file(a.file, summary));
  if (a.format == "table" && has_trial(a.file)) std::cout << format_trial(read_trial(a.file));
  return kOk;
}

}  // namespace

Command add_summarize(CLI::App& app) {
  auto a = std::make_shared<SummarizeArgs>();
  auto* s = app.add_subcommand(
      "summarize",
      "Print the summary table of a result file (or the tables of a calibration file)");
  s->add_option("results", a->file, "Result file (.h5)")->required()->check(CLI::ExistingFile);
  s->add_option("--format", a->format, "table or csv")->check(CLI::IsMember({"table", "csv"}));
  return {s, [a](const Context&) { return summarize_command(*a); }};
}

}  // namespace drift::cli
