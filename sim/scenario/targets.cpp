#include "drift/scenario/targets.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "drift/scenario/statistics.hpp"
#include "drift/scenario/suggest.hpp"
#include "yaml_text.hpp"

namespace drift {

double normal_quantile(double p) {
  // Acklam's rational approximation, refined by one Halley step on erfc.
  if (!(p > 0 && p < 1)) return std::nan("");
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double lo = 0.02425, hi = 1 - lo;
  double x = 0;
  if (p < lo) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= hi) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

double ObservedTarget::sd() const {
  if (!has_interval) return standard_error;
  return (interval_high - interval_low) / 2.0 / normal_quantile((1.0 + level) / 2.0);
}

namespace {

const std::vector<std::string> kTopKeys = {"description", "targets"};
const std::vector<std::string> kTargetKeys = {"name",     "statistic", "value", "standard_error",
                                              "interval", "level",     "unit",  "population",
                                              "year",     "source",    "use",   "confidence"};

class TargetsParser {
 public:
  explicit TargetsParser(std::string file) : file_(std::move(file)) {}
  std::vector<Diagnostic> diags;

  void add(const YAML::Mark& m, std::string key, std::string message) {
    Diagnostic d;
    d.file = file_;
    d.line = m.is_null() ? 0 : m.line + 1;
    d.column = m.is_null() ? 0 : m.column + 1;
    d.key = std::move(key);
    d.message = std::move(message);
    diags.push_back(std::move(d));
  }
  // An empty value is marked where the next token starts; point at the key then.
  static YAML::Mark mark(const YAML::Node& key, const YAML::Node& value) {
    if (value.IsNull() && (value.Mark().is_null() || value.Mark().line != key.Mark().line))
      return key.Mark();
    return value.Mark();
  }

  std::vector<ObservedTarget> parse(const YAML::Node& root) {
    std::vector<ObservedTarget> out;
    if (!root.IsMap()) {
      add(root.Mark(), "", "expected a map with a 'targets' list, got " + describe(root));
      return out;
    }
    // yaml-cpp's default Node counts as defined, hence the flag.
    bool has_list = false;
    YAML::Node list;
    YAML::Node list_key;
    std::set<std::string> seen;
    for (const auto& kv : root) {
      const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      if (!seen.insert(k).second) {
        add(kv.first.Mark(), k, "duplicate key '" + k + "'");
        continue;
      }
      if (k == "targets") {
        list = kv.second;
        list_key = kv.first;
        has_list = true;
      } else if (k != "description") {
        add(kv.first.Mark(), k, "unknown key '" + k + "'" + did_you_mean(k, kTopKeys));
      }
    }
    if (!has_list) {
      add(root.Mark(), "targets", "missing required key 'targets' (a list of targets)");
      return out;
    }
    if (!list.IsSequence() || list.size() == 0) {
      add(mark(list_key, list), "targets",
          "expected a non-empty list of targets, got " + describe(list));
      return out;
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto item = list[i];
      const std::string prefix = "targets[" + std::to_string(i) + "]";
      if (!item.IsMap()) {
        add(item.Mark(), prefix,
            "expected a map with name, statistic, value, ..., got " + describe(item));
        continue;
      }
      out.push_back(parse_target(item, prefix, names));
    }
    bool any_fit = false;
    for (const auto& t : out) any_fit = any_fit || t.fit;
    if (diags.empty() && !any_fit) add(list_key.Mark(), "targets", "no target has 'use: fit'");
    return out;
  }

 private:
  ObservedTarget parse_target(const YAML::Node& item, const std::string& prefix,
                              std::set<std::string>& names) {
    ObservedTarget t;
    std::set<std::string> seen;
    std::optional<YAML::Node> se_key, interval_key, level_key;
    for (const auto& kv : item) {
      const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      const std::string key = prefix + "." + k;
      const YAML::Node& v = kv.second;
      const auto at = mark(kv.first, v);
      if (!seen.insert(k).second) {
        add(kv.first.Mark(), key, "duplicate key '" + k + "'");
        continue;
      }
      auto text = [&]() -> std::optional<std::string> {
        if (v.IsScalar() && !v.Scalar().empty()) return v.Scalar();
        add(at, key, "expected a non-empty string, got " + describe(v));
        return std::nullopt;
      };
      auto number = [&](const char* what) -> std::optional<double> {
        const auto x = number_of(v);
        if (!x) add(at, key, std::string("expected ") + what + ", got " + describe(v));
        return x;
      };
      if (k == "name") {
        if (auto s = text()) {
          t.name = *s;
          if (!names.insert(*s).second) add(at, key, "duplicate target name '" + *s + "'");
        }
      } else if (k == "statistic") {
        if (auto s = text()) {
          t.statistic = *s;
          if (run_statistic_index(*s) < 0) {
            std::vector<std::string> all;
            for (const auto& d : run_statistic_definitions()) all.push_back(d.name);
            add(at, key,
                "unknown statistic '" + *s + "'" + did_you_mean(*s, all) +
                    " (see docs/calibration.md for the statistics)");
          }
        }
      } else if (k == "value") {
        if (auto x = number("a number")) t.value = *x;
      } else if (k == "standard_error") {
        se_key = kv.first;
        if (auto x = number("a positive number")) {
          if (*x <= 0) add(at, key, "expected a positive number, got " + format_number(*x));
          t.standard_error = *x;
        }
      } else if (k == "interval") {
        interval_key = kv.first;
        t.has_interval = true;
        const bool pair = v.IsSequence() && v.size() == 2;
        const double lo = pair ? number_of(v[0]).value_or(std::nan("")) : std::nan("");
        const double hi = pair ? number_of(v[1]).value_or(std::nan("")) : std::nan("");
        if (std::isnan(lo) || std::isnan(hi)) {
          add(at, key, "expected [low, high], two numbers, got " + describe(v));
        } else if (!(hi > lo)) {
          add(at, key,
              "expected low < high, got [" + format_number(lo) + ", " + format_number(hi) + "]");
        } else {
          t.interval_low = lo;
          t.interval_high = hi;
        }
      } else if (k == "level") {
        level_key = kv.first;
        if (auto x = number("a number in (0, 1)")) {
          if (!(*x > 0 && *x < 1))
            add(at, key, "expected a number in (0, 1), got " + format_number(*x));
          t.level = *x;
        }
      } else if (k == "unit") {
        if (auto s = text()) t.unit = *s;
      } else if (k == "population") {
        if (auto s = text()) t.population = *s;
      } else if (k == "source") {
        if (auto s = text()) t.source = *s;
      } else if (k == "confidence") {
        if (auto s = text()) t.confidence = *s;
      } else if (k == "year") {
        if (auto x = number("a year")) {
          if (*x != std::floor(*x) || *x < 1900 || *x > 2100) {
            add(at, key, "expected a whole year between 1900 and 2100, got " + format_number(*x));
          } else {
            t.year = static_cast<int>(*x);  // only in range: a huge year cannot be an int
          }
        }
      } else if (k == "use") {
        if (v.IsScalar() && (v.Scalar() == "fit" || v.Scalar() == "validate")) {
          t.fit = v.Scalar() == "fit";
        } else {
          add(at, key, "expected 'fit' or 'validate', got " + describe(v));
        }
      } else {
        add(kv.first.Mark(), key, "unknown key '" + k + "'" + did_you_mean(k, kTargetKeys));
      }
    }
    for (const char* required : {"name", "statistic", "value", "unit", "source", "use"}) {
      if (!seen.count(required)) {
        add(item.Mark(), prefix + "." + required,
            std::string("missing required key '") + required + "'");
      }
    }
    if (se_key && interval_key) {
      add(interval_key->Mark(), prefix + ".interval",
          "give either standard_error or interval, not both");
    } else if (!se_key && !interval_key) {
      add(item.Mark(), prefix + ".standard_error",
          "missing uncertainty: give standard_error, or interval: [low, high] (with level)");
    }
    if (level_key && !interval_key) {
      add(level_key->Mark(), prefix + ".level", "level belongs to an interval; there is none");
    }
    return t;
  }

  std::string file_;
};

}  // namespace

std::vector<ObservedTarget> load_targets(const std::string& path) {
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path, ec)) {
    throw ScenarioError({{path, 0, 0, "", "cannot open targets file"}});
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ScenarioError({{path, e.mark.line + 1, e.mark.column + 1, "", e.msg}});
  }
  TargetsParser parser(path);
  auto targets = parser.parse(root);
  if (!parser.diags.empty()) throw ScenarioError(std::move(parser.diags));
  return targets;
}

bool is_targets_file(const std::string& path) {
  try {
    const YAML::Node doc = YAML::LoadFile(path);
    if (!doc.IsMap() || !doc["targets"]) return false;
    return !doc["areas"] && !doc["strategies"] && !doc["extends"];
  } catch (const YAML::Exception&) {
    return false;
  }
}

}  // namespace drift
