// The drift command-line program: a thin face over scenario, experiment and results. Each
// subcommand is one file of sim/cli (commands.hpp); main builds the app from them, parses the
// command line and runs the chosen one. It holds only what every command shares: the MPI
// session, signal handling, and turning errors into exit codes (common.hpp).
#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "common.hpp"
#include "drift/build_info.hpp"
#include "drift/experiments/experiment.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/scenario/diagnostic.hpp"

#ifdef DRIFT_WITH_MPI
#include <mpi.h>
namespace {
// MPI lives for the whole program: each rank runs its share of the units.
struct MpiSession {
  int rank = 0, size = 1;
  MpiSession(int* argc, char*** argv) {
    MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  }
  ~MpiSession() { MPI_Finalize(); }
};
}  // namespace
#endif

namespace {
extern "C" void on_signal(int) {
  drift::cli::cancel_flag().store(true);
}
}  // namespace

int main(int argc, char** argv) {
  using namespace drift::cli;
  drift::keep_freed_memory_for_reuse();
  Context ctx;
#ifdef DRIFT_WITH_MPI
  MpiSession mpi(&argc, &argv);
  ctx.rank = mpi.rank;
  ctx.ranks = mpi.size;
#endif
  ctx.command_line = joined_command_line(argc, argv);
  ctx.catch_interrupts = [] {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
  };

  CLI::App app{
      "Drift: agent-based simulation of youths drifting into drug dealing, and of what "
      "interventions do about it.\nExit codes: 0 ok, 1 runtime error, 2 invalid input, "
      "130 interrupted."};
  app.set_version_flag("--version", std::string(drift::build_info::version) + " (" +
                                        drift::build_info::git_commit + ")");
  app.require_subcommand(1);
  // In the order `drift --help` lists them.
  const std::vector<Command> commands{add_run(app),       add_calibrate(app), add_validate(app),
                                      add_plan(app),      add_schema(app),    add_params(app),
                                      add_summarize(app), add_verify(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version print and succeed; every other parse error is invalid input.
    const int code = app.exit(e);
    return code == 0 ? kOk : kInvalidInput;
  }

  try {
    for (const auto& command : commands) {
      if (*command.app) return command.run(ctx);
    }
  } catch (const drift::ScenarioError& e) {
    return report_scenario_error(e);
  } catch (const drift::Cancelled&) {
    std::cerr << "\ninterrupted: no result file was written\n";
    return kInterrupted;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kRuntimeError;
  }
  return kOk;
}
