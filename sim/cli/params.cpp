// drift params [--markdown]: list every model parameter (parameters.def).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "drift/scenario/scenario.hpp"

namespace drift::cli {

Command add_params(CLI::App& app) {
  auto markdown = std::make_shared<bool>(false);
  auto* p = app.add_subcommand("params",
                               "List every model parameter with unit, default, range and source");
  p->add_flag("--markdown", *markdown, "As a Markdown table (the one in docs/parameters.md)");
  return {p, [markdown](const Context&) {
            std::cout << parameter_listing(*markdown);
            return kOk;
          }};
}

}  // namespace drift::cli
