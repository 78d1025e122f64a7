#include <iomanip>
#include <sstream>

#include "drift/model/parameters.hpp"
#include "drift/scenario/scenario.hpp"

namespace drift {

namespace {
std::string number(double v, ParamType t) {
  std::ostringstream o;
  if (t == ParamType::integer) {
    o << static_cast<long long>(v);
  } else {
    o << std::setprecision(6) << v;
  }
  return o.str();
}
}  // namespace

std::string parameter_listing(bool markdown) {
  std::ostringstream o;
  std::string_view group;
  for (const auto& p : parameter_table()) {
    if (p.group != group) {
      group = p.group;
      std::string_view description;
      for (const auto& g : parameter_groups()) {
        if (g.name == group) description = g.description;
      }
      if (markdown) {
        o << "\n### `" << group << "`: " << description << "\n\n"
          << "| parameter | unit | default | range | source | meaning |\n"
          << "|---|---|---|---|---|---|\n";
      } else {
        o << "\n" << group << ": " << description << "\n";
      }
    }
    if (markdown) {
      o << "| `" << p.path << "` | " << p.unit << " | " << number(p.default_value, p.type) << " | "
        << number(p.min, p.type) << " to " << number(p.max, p.type) << " | "
        << (is_assumption(p) ? "**" + std::string(p.source) + "**" : std::string(p.source)) << " | "
        << p.description << " |\n";
    } else {
      o << "  " << std::left << std::setw(44) << p.path << std::setw(12)
        << number(p.default_value, p.type) << p.unit << "  [" << number(p.min, p.type) << ", "
        << number(p.max, p.type) << "]  " << p.source << "\n";
    }
  }
  return o.str();
}

}  // namespace drift
