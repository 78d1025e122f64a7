// drift schema: print the JSON Schema of scenario files.
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"
#include "drift/scenario/scenario.hpp"

namespace drift::cli {

Command add_schema(CLI::App& app) {
  auto* s = app.add_subcommand("schema", "Print the JSON Schema of scenario files");
  return {s, [](const Context&) {
            std::cout << scenario_json_schema() << "\n";
            return kOk;
          }};
}

}  // namespace drift::cli
