#pragma once
// The subcommands of the drift program, one source file each (sim/cli/<name>.cpp). add_<name>
// adds the subcommand and its options to the app and returns a Command; once the command line
// is parsed, main runs the chosen one. A command returns the exit code (common.hpp), throws
// drift::ScenarioError for invalid input (main reports it and exits 2) and drift::Cancelled when
// interrupted (main exits 130).
#include <functional>

#include "common.hpp"

namespace CLI {
class App;
}

namespace drift::cli {

struct Command {
  CLI::App* app = nullptr;                 // the subcommand; true once chosen
  std::function<int(const Context&)> run;  // runs it with the parsed options
};

Command add_run(CLI::App& app);        // run.cpp
Command add_calibrate(CLI::App& app);  // calibrate.cpp
Command add_validate(CLI::App& app);   // validate.cpp
Command add_plan(CLI::App& app);       // plan.cpp
Command add_schema(CLI::App& app);     // schema.cpp
Command add_params(CLI::App& app);     // params.cpp
Command add_summarize(CLI::App& app);  // summarize.cpp
Command add_verify(CLI::App& app);     // verify.cpp

}  // namespace drift::cli
