#include "drift/scenario/scenario.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>

#include "drift/interventions/registry.hpp"
#include "drift/model/parameters.hpp"
#include "drift/scenario/suggest.hpp"
#include "intervention_block.hpp"
#include "sections.hpp"
#include "yaml_text.hpp"

namespace drift {
namespace fs = std::filesystem;

std::string Diagnostic::format() const {
  std::string s = file;
  if (line > 0) {
    s += ":" + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
  }
  s += ": ";
  if (!key.empty()) s += "key '" + key + "': ";
  s += message;
  return s;
}

namespace {
std::string join(const std::vector<Diagnostic>& diagnostics) {
  std::string s;
  for (const auto& d : diagnostics) {
    if (!s.empty()) s += '\n';
    s += d.format();
  }
  return s;
}
}  // namespace

ScenarioError::ScenarioError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join(diagnostics)), diagnostics_(std::move(diagnostics)) {}

std::optional<double> parse_number(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  // from_chars rejects a leading '+', which people do write.
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) return std::nullopt;
  }
  if (text.empty()) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::string format_number(double value) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string("nan");
}

Override parse_override(const std::string& text) {
  const auto eq = text.find('=');
  std::string path = eq == std::string::npos ? text : text.substr(0, eq);
  while (!path.empty() && path.back() == ' ') path.pop_back();
  while (!path.empty() && path.front() == ' ') path.erase(path.begin());
  if (eq == std::string::npos || path.empty()) {
    throw ScenarioError({{"--set", 0, 0, text,
                          "malformed override; expected PATH=VALUE, e.g. "
                          "careers.progression_hazard=0.03"}});
  }
  return {path, text.substr(eq + 1)};
}

namespace {

constexpr std::size_t kMaxAreas = 250;
const char* const kAreaFields[] = {"name", "youth_12_17", "youth_18_26", "low_income_share",
                                   "schools"};

std::vector<std::string> top_level_keys() {
  std::vector<std::string> keys = {"name", "description", "extends"};
  for (const auto& g : parameter_groups()) keys.emplace_back(g.name);
  for (const char* k :
       {"areas", "baseline", "strategies", "sweep", "calibrate", "trial", "posterior"}) {
    keys.emplace_back(k);
  }
  return keys;
}

std::vector<std::string> parameter_names(std::string_view group) {
  std::vector<std::string> names;
  for (const auto& p : parameter_table()) {
    if (p.group == group) names.emplace_back(p.name);
  }
  return names;
}

bool is_group(std::string_view name) {
  return std::any_of(parameter_groups().begin(), parameter_groups().end(),
                     [&](const GroupInfo& g) { return g.name == name; });
}

std::string key_text(const YAML::Node& key) {
  return key.IsScalar() ? key.Scalar() : "<" + describe(key) + ">";
}

bool valid_strategy_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// "" when `value` is acceptable for `p`, else what is wrong with it.
std::string param_problem(const ParamInfo& p, std::optional<double> value,
                          const std::string& written) {
  const std::string unit(p.unit);
  if (!value) return "expected a number (unit: " + unit + "), got " + written;
  if (p.type == ParamType::integer && *value != std::floor(*value)) {
    return "expected an integer (unit: " + unit + "), got " + format_number(*value);
  }
  if (*value < p.min || *value > p.max) {
    return "value " + format_number(*value) + " out of range [" + format_number(p.min) + ", " +
           format_number(p.max) + "] (" + unit + ")";
  }
  return "";
}

bool read_text(const std::string& path, std::string& text) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

std::string canonical_key(const std::string& path) {
  std::error_code ec;
  auto p = fs::weakly_canonical(path, ec);
  return ec ? fs::absolute(path).lexically_normal().string() : p.string();
}

// The file one scenario file names (`extends`, `areas.csv`), relative to that file's directory.
std::string relative_to(const std::string& file, const std::string& name) {
  return (fs::path(file).parent_path() / name).lexically_normal().string();
}

class Loader {
 public:
  std::vector<Diagnostic> diags;
  bool incomplete = false;  // some file could not be read or parsed: skip the checks on the merge

  Parameters params;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::string baseline = "baseline";
  std::string posterior_file;  // resolved against the file that names it; "" for none
  std::optional<std::vector<AreaSpec>> areas;
  bool areas_valid = false;
  std::string areas_source;
  std::vector<StrategySpec> strategies;
  // sweep / calibrate / trial sections as written (the last file to set one wins).
  std::map<std::string, std::pair<YAML::Node, std::string>> sections;

  // Intervention blocks of every file, checked once the merged areas are known because a block
  // may name districts.
  struct Block {
    InterventionSpec spec;
    std::string path;  // e.g. "strategies[1].interventions[0]"
    YAML::Node node;   // the block as written
  };
  std::vector<Block> blocks;

  // Loads `file` (whose text is `text`): first its ancestors, then its own settings over theirs.
  void load(const std::string& file, const std::string& text);
  // Loads an assumptions file over what is loaded: parameter groups only, plus its name and
  // description, which name the setting (Scenario::assumptions).
  void load_assumptions(const std::string& file);
  std::vector<std::string> assumption_names;
  // Parameters an assumptions file sets (while loading_assumptions), and --set.
  bool loading_assumptions = false;
  std::set<std::string> fixed_paths;

 private:
  struct Link {
    std::string canonical;
    std::string file;
  };
  std::vector<Link> chain_;  // files being loaded, the top one first: a repeat is a cycle

  void add(const std::string& file, const YAML::Mark& mark, std::string key, std::string msg) {
    Diagnostic d;
    d.file = file;
    d.line = mark.is_null() ? 0 : mark.line + 1;
    d.column = mark.is_null() ? 0 : mark.column + 1;
    d.key = std::move(key);
    d.message = std::move(msg);
    diags.push_back(std::move(d));
  }
  void add(const std::string& file, const YAML::Node& at, std::string key, std::string msg) {
    add(file, at.Mark(), std::move(key), std::move(msg));
  }
  // yaml-cpp marks an empty value (`key:` and nothing) at whatever follows it, often the next
  // line; the key is where the reader should look then.
  static YAML::Mark value_mark(const YAML::Node& key, const YAML::Node& value) {
    if (value.IsNull() && (value.Mark().is_null() || value.Mark().line != key.Mark().line)) {
      return key.Mark();
    }
    return value.Mark();
  }
  // Reports repeated keys of a map (yaml-cpp keeps both); true when `key` is new.
  bool first_time(const std::string& file, std::set<std::string>& seen, const YAML::Node& key,
                  const std::string& path) {
    if (seen.insert(key_text(key)).second) return true;
    add(file, key, path, "duplicate key '" + key_text(key) + "'");
    return false;
  }
  std::optional<std::string> string_of(const std::string& file, const YAML::Node& key,
                                       const YAML::Node& value, const std::string& path) {
    if (value.IsScalar()) return value.Scalar();
    add(file, value_mark(key, value), path, "expected a string, got " + describe(value));
    return std::nullopt;
  }

  // The YAML document of `file`, or nothing (reported) when it does not parse.
  std::optional<YAML::Node> parse(const std::string& file, const std::string& text) {
    try {
      return YAML::Load(text);
    } catch (const YAML::ParserException& e) {
      add(file, e.mark, "", e.msg);
      incomplete = true;
      return std::nullopt;
    }
  }
  void load_extends(const std::string& file, const YAML::Node& key, const YAML::Node& value);
  void load_group(const std::string& file, const std::string& group, const YAML::Node& key,
                  const YAML::Node& value);
  void load_areas(const std::string& file, const YAML::Node& key, const YAML::Node& value);
  std::vector<AreaSpec> load_area_list(const std::string& file, const YAML::Node& key,
                                       const YAML::Node& value);
  void load_strategies(const std::string& file, const YAML::Node& key, const YAML::Node& value);
};

void Loader::load(const std::string& file, const std::string& text) {
  const auto parsed = parse(file, text);
  if (!parsed) return;
  const YAML::Node& root = *parsed;
  if (root.IsNull()) return;  // an empty file sets nothing
  if (!root.IsMap()) {
    add(file, root, "", "expected a map of top-level keys, got " + describe(root));
    incomplete = true;
    return;
  }
  chain_.push_back({canonical_key(file), file});

  // The parent goes first so that this file's settings override it.
  for (const auto& kv : root) {
    if (kv.first.IsScalar() && kv.first.Scalar() == "extends") {
      load_extends(file, kv.first, kv.second);
      break;
    }
  }

  const auto keys = top_level_keys();
  std::set<std::string> seen;
  for (const auto& kv : root) {
    const std::string k = key_text(kv.first);
    if (!first_time(file, seen, kv.first, k)) continue;
    const YAML::Node& v = kv.second;
    if (k == "name") {
      if (auto s = string_of(file, kv.first, v, k)) name = *s;
    } else if (k == "description") {
      if (auto s = string_of(file, kv.first, v, k)) description = *s;
    } else if (k == "extends") {
      // loaded above
    } else if (k == "baseline") {
      if (auto s = string_of(file, kv.first, v, k)) {
        if (valid_strategy_name(*s)) {
          baseline = *s;
        } else {
          add(file, value_mark(kv.first, v), k,
              "strategy name '" + *s + "' may only contain letters, digits, '_' and '-'");
        }
      }
    } else if (k == "posterior") {
      if (auto s = string_of(file, kv.first, v, k)) {
        posterior_file = s->empty() ? std::string() : relative_to(file, *s);
        std::error_code ec;
        if (!posterior_file.empty() && !fs::is_regular_file(posterior_file, ec))
          add(file, value_mark(kv.first, v), k,
              "cannot open calibration file '" + posterior_file +
                  "' (expected a CAL.h5 written "
                  "by drift calibrate, relative to this file; \"\" for none)");
      }
    } else if (is_group(k)) {
      load_group(file, k, kv.first, v);
    } else if (k == "areas") {
      load_areas(file, kv.first, v);
    } else if (k == "strategies") {
      load_strategies(file, kv.first, v);
    } else if (k == "sweep" || k == "calibrate" || k == "trial") {
      // Reserved for features that will interpret them; only the shape is checked now.
      if (!v.IsMap()) {
        add(file, value_mark(kv.first, v), k, "expected a map, got " + describe(v));
      } else {
        sections[k] = {v, file};
      }
    } else {
      add(file, kv.first, k, "unknown key '" + k + "'" + did_you_mean(k, keys));
    }
  }
  chain_.pop_back();
}

void Loader::load_assumptions(const std::string& file) {
  std::string text;
  if (!read_text(file, text)) {
    diags.push_back({file, 0, 0, "", "cannot open assumptions file"});
    incomplete = true;
    return;
  }
  const auto parsed = parse(file, text);
  if (!parsed) return;
  const YAML::Node& root = *parsed;
  if (!root.IsMap()) {
    add(file, root, "",
        "expected a map of parameter groups (an assumptions file), got " + describe(root));
    incomplete = true;
    return;
  }
  std::string setting = fs::path(file).stem().string();
  std::set<std::string> seen;
  for (const auto& kv : root) {
    const std::string k = key_text(kv.first);
    if (!first_time(file, seen, kv.first, k)) continue;
    if (k == "name") {
      if (auto s = string_of(file, kv.first, kv.second, k)) setting = *s;
    } else if (k == "description") {
      string_of(file, kv.first, kv.second, k);
    } else if (is_group(k)) {
      load_group(file, k, kv.first, kv.second);
    } else {
      std::vector<std::string> keys = {"name", "description"};
      for (const auto& g : parameter_groups()) keys.emplace_back(g.name);
      add(file, kv.first, k,
          "an assumptions file sets only parameter groups (market, recruitment, ...), name and "
          "description; '" +
              k + "' belongs in a scenario" + did_you_mean(k, keys));
    }
  }
  assumption_names.push_back(setting);
}

void Loader::load_extends(const std::string& file, const YAML::Node& key, const YAML::Node& value) {
  const auto name = string_of(file, key, value, "extends");
  if (!name) return;
  const std::string parent = relative_to(file, *name);
  const std::string canonical = canonical_key(parent);
  const auto loop = std::find_if(chain_.begin(), chain_.end(),
                                 [&](const Link& l) { return l.canonical == canonical; });
  if (loop != chain_.end()) {
    std::string cycle;
    for (auto it = loop; it != chain_.end(); ++it) cycle += it->file + " -> ";
    add(file, value, "extends", "extends cycle: " + cycle + parent);
    incomplete = true;
    return;
  }
  std::string text;
  if (!read_text(parent, text)) {
    add(file, value, "extends", "cannot open file '" + parent + "'");
    incomplete = true;
    return;
  }
  load(parent, text);
}

void Loader::load_group(const std::string& file, const std::string& group, const YAML::Node& key,
                        const YAML::Node& value) {
  if (!value.IsMap()) {
    add(file, value_mark(key, value), group,
        "expected a map of parameter names to numbers, got " + describe(value));
    return;
  }
  const auto names = parameter_names(group);
  std::set<std::string> seen;
  for (const auto& kv : value) {
    const std::string pname = key_text(kv.first);
    const std::string path = group + "." + pname;
    if (!first_time(file, seen, kv.first, path)) continue;
    const ParamInfo* info = find_parameter(path);
    if (info == nullptr) {
      add(file, kv.first, path,
          "unknown parameter '" + pname + "' in group '" + group + "'" +
              did_you_mean(pname, names));
      continue;
    }
    const auto v = number_of(kv.second);
    const auto problem = param_problem(*info, v, describe(kv.second));
    if (!problem.empty()) {
      add(file, value_mark(kv.first, kv.second), path, problem);
    } else {
      info->set(params, *v);
      if (loading_assumptions) fixed_paths.insert(path);
    }
  }
}

void Loader::load_areas(const std::string& file, const YAML::Node& key, const YAML::Node& value) {
  if (!value.IsMap()) {
    add(file, value_mark(key, value), "areas",
        "expected a map with 'csv: PATH' or 'list: [...]', got " + describe(value));
    areas.emplace();
    return;
  }
  const std::size_t before = diags.size();
  const std::vector<std::string> keys = {"csv", "list"};
  std::set<std::string> seen;
  // yaml-cpp's default Node counts as defined, hence the separate flags.
  bool has_csv = false;
  bool has_list = false;
  YAML::Node csv_key, csv, list_key, list;
  for (const auto& kv : value) {
    const std::string k = key_text(kv.first);
    if (!first_time(file, seen, kv.first, "areas." + k)) continue;
    if (k == "csv") {
      has_csv = true;
      csv_key = kv.first;
      csv = kv.second;
    } else if (k == "list") {
      has_list = true;
      list_key = kv.first;
      list = kv.second;
    } else {
      add(file, kv.first, "areas." + k, "unknown key '" + k + "'" + did_you_mean(k, keys));
    }
  }
  // An `areas` map replaces a parent's whole: merging `csv` from one file with `list` from
  // another would never be meant.
  std::vector<AreaSpec> result;
  std::string source;
  YAML::Mark where = key.Mark();
  std::string where_key = "areas";
  if (has_csv && has_list) {
    add(file, key, "areas", "give either 'csv' or 'list', not both");
  } else if (has_csv) {
    where = value_mark(csv_key, csv);
    where_key = "areas.csv";
    if (const auto name = string_of(file, csv_key, csv, "areas.csv")) {
      source = relative_to(file, *name);
      std::string text;
      if (!read_text(source, text)) {
        add(file, csv, "areas.csv", "cannot open file '" + source + "'");
      } else {
        try {
          result = load_areas_csv(source);
        } catch (const ScenarioError& e) {
          diags.insert(diags.end(), e.diagnostics().begin(), e.diagnostics().end());
        }
      }
    }
  } else if (has_list) {
    where = value_mark(list_key, list);
    where_key = "areas.list";
    source = "inline";
    result = load_area_list(file, list_key, list);
  } else {
    add(file, key, "areas", "expected 'csv: PATH' or 'list: [...]'");
  }

  if (diags.size() == before) {
    int schools = 0;
    for (const auto& a : result) schools += a.schools;
    if (result.empty()) {
      add(file, where, where_key, "no areas given; at least one is needed");
    } else if (result.size() > kMaxAreas) {
      add(file, where, where_key,
          std::to_string(result.size()) + " areas given; at most " + std::to_string(kMaxAreas) +
              " are supported");
    } else if (schools < 1) {
      add(file, where, where_key, "the areas have no schools; at least one is needed");
    }
  }
  areas = std::move(result);
  areas_valid = diags.size() == before;
  areas_source = source;
}

std::vector<AreaSpec> Loader::load_area_list(const std::string& file, const YAML::Node& key,
                                             const YAML::Node& value) {
  std::vector<AreaSpec> out;
  if (!value.IsSequence()) {
    add(file, value_mark(key, value), "areas.list",
        "expected a sequence of areas, got " + describe(value));
    return out;
  }
  const std::vector<std::string> fields(std::begin(kAreaFields), std::end(kAreaFields));
  std::map<std::string, int> first_index;
  int i = 0;
  for (const auto& item : value) {
    const std::string prefix = "areas.list[" + std::to_string(i) + "]";
    if (!item.IsMap()) {
      add(file, item, prefix,
          "expected a map with name, youth_12_17, youth_18_26, low_income_share and schools, got " +
              describe(item));
      ++i;
      continue;
    }
    AreaSpec a;
    std::set<std::string> seen;
    for (const auto& kv : item) {
      const std::string k = key_text(kv.first);
      const std::string path = prefix + "." + k;
      if (!first_time(file, seen, kv.first, path)) continue;
      if (k == "name") {
        if (kv.second.IsScalar() && !kv.second.Scalar().empty()) {
          a.name = kv.second.Scalar();
          if (auto [it, inserted] = first_index.emplace(a.name, i); !inserted) {
            add(file, kv.second, path,
                "duplicate area name '" + a.name + "' (also areas.list[" +
                    std::to_string(it->second) + "])");
          }
        } else {
          add(file, value_mark(kv.first, kv.second), path,
              "expected a non-empty area name, got " + describe(kv.second));
        }
      } else if (std::find(fields.begin(), fields.end(), k) != fields.end()) {
        const auto v = number_of(kv.second);
        const std::string problem =
            v ? area_field_problem(k, v, "")
              : std::string(k == "schools" ? "expected an integer" : "expected a number") +
                    ", got " + describe(kv.second);
        if (!problem.empty()) {
          add(file, value_mark(kv.first, kv.second), path, problem);
        } else if (k == "youth_12_17") {
          a.youth_12_17 = *v;
        } else if (k == "youth_18_26") {
          a.youth_18_26 = *v;
        } else if (k == "low_income_share") {
          a.low_income_share = *v;
        } else {
          a.schools = static_cast<int>(*v);
        }
      } else {
        add(file, kv.first, path, "unknown key '" + k + "'" + did_you_mean(k, fields));
      }
    }
    for (const auto& f : fields) {
      if (seen.count(f) == 0) {
        add(file, item, prefix + "." + f, "missing required key '" + f + "'");
      }
    }
    out.push_back(std::move(a));
    ++i;
  }
  return out;
}

void Loader::load_strategies(const std::string& file, const YAML::Node& key,
                             const YAML::Node& value) {
  if (!value.IsSequence()) {
    add(file, value_mark(key, value), "strategies",
        "expected a sequence of strategies, got " + describe(value));
    return;
  }
  struct Own {
    InterventionSpec spec;
    YAML::Node name_node;  // where a clash of names is reported
    std::string key;
  };
  struct Raw {
    std::string name;
    std::string description;
    std::string prefix;
    std::optional<YAML::Node> extends;  // the value node
    std::vector<Own> own;
  };
  std::vector<Raw> raws;
  std::map<std::string, std::size_t> by_name;
  const std::vector<std::string> strategy_keys = {"name", "description", "extends",
                                                  "interventions"};
  int i = 0;
  for (const auto& item : value) {
    Raw raw;
    raw.prefix = "strategies[" + std::to_string(i++) + "]";
    if (!item.IsMap()) {
      add(file, item, raw.prefix, "expected a map with a name, got " + describe(item));
      continue;
    }
    std::set<std::string> seen;
    for (const auto& kv : item) {
      const std::string k = key_text(kv.first);
      const std::string path = raw.prefix + "." + k;
      if (!first_time(file, seen, kv.first, path)) continue;
      if (k == "name") {
        const auto s = string_of(file, kv.first, kv.second, path);
        if (!s) continue;
        if (!valid_strategy_name(*s)) {
          add(file, kv.second, path,
              "strategy name '" + *s + "' may only contain letters, digits, '_' and '-'");
        }
        raw.name = *s;
        if (auto [it, inserted] = by_name.emplace(*s, raws.size()); !inserted) {
          add(file, kv.second, path,
              "duplicate strategy name '" + *s + "' (also " + raws[it->second].prefix + ")");
        }
      } else if (k == "description") {
        if (const auto s = string_of(file, kv.first, kv.second, path)) raw.description = *s;
      } else if (k == "extends") {
        if (string_of(file, kv.first, kv.second, path)) raw.extends = kv.second;
      } else if (k == "interventions") {
        if (!kv.second.IsSequence()) {
          add(file, value_mark(kv.first, kv.second), path,
              "expected a sequence of interventions, got " + describe(kv.second));
          continue;
        }
        int j = 0;
        for (const auto& block : kv.second) {
          const std::string ipath = path + "[" + std::to_string(j++) + "]";
          if (!block.IsMap()) {
            add(file, block, ipath, "expected a map with a type, got " + describe(block));
            continue;
          }
          Own own;
          own.key = ipath + ".name";
          std::set<std::string> block_keys;
          std::optional<YAML::Node> type_node;
          for (const auto& b : block) {
            const std::string bk = key_text(b.first);
            if (!first_time(file, block_keys, b.first, ipath + "." + bk)) continue;
            if (bk == "type") {
              type_node = b.second;
              if (const auto t = string_of(file, b.first, b.second, ipath + ".type")) {
                own.spec.type = *t;
                if (t->empty()) add(file, b.second, ipath + ".type", "expected a non-empty type");
              }
            } else if (bk == "name") {
              if (const auto n = string_of(file, b.first, b.second, ipath + ".name")) {
                own.spec.name = *n;
                own.name_node = b.second;
              }
            }
          }
          if (!type_node) {
            add(file, block, ipath + ".type", "missing required key 'type'");
            continue;
          }
          if (own.spec.type.empty()) continue;  // reported above
          if (own.spec.name.empty()) {
            own.spec.name = own.spec.type;
            own.name_node = *type_node;
          }
          own.spec.file = file;
          own.spec.line = block.Mark().line + 1;
          own.spec.column = block.Mark().column + 1;
          // Values are read now, while the block is at hand; the full check (district names
          // need the merged areas) runs in load_scenario and stops the load on any problem.
          if (const auto* t = InterventionRegistry::find(own.spec.type)) {
            const iv::BlockSource source{own.spec.type, file, block};
            std::vector<Diagnostic> problems;
            iv::check_block(t->schema, source, {}, problems);
            if (problems.empty()) own.spec.values = iv::parse_block(t->schema, source);
          }
          blocks.push_back({own.spec, ipath, block});
          raw.own.push_back(std::move(own));
        }
      } else {
        add(file, kv.first, path, "unknown key '" + k + "'" + did_you_mean(k, strategy_keys));
      }
    }
    if (seen.count("name") == 0) {
      add(file, item, raw.prefix + ".name", "missing required key 'name'");
    }
    raws.push_back(std::move(raw));
  }

  // Resolve `extends` depth first; a strategy met again while its own chain is open is a cycle.
  enum class State { fresh, open, done };
  std::vector<State> state(raws.size(), State::fresh);
  std::vector<std::vector<const Own*>> resolved(raws.size());
  std::vector<std::string> names;
  for (const auto& r : raws) {
    if (!r.name.empty()) names.push_back(r.name);
  }
  std::vector<std::size_t> open;
  std::function<void(std::size_t)> resolve = [&](std::size_t s) {
    if (state[s] != State::fresh) return;
    state[s] = State::open;
    open.push_back(s);
    const Raw& r = raws[s];
    if (r.extends) {
      const std::string parent = r.extends->Scalar();
      const auto it = by_name.find(parent);
      if (it == by_name.end()) {
        add(file, *r.extends, r.prefix + ".extends",
            "unknown strategy '" + parent + "'" + did_you_mean(parent, names));
      } else if (state[it->second] == State::open) {
        std::string cycle;
        const auto from = std::find(open.begin(), open.end(), it->second);
        for (auto o = from; o != open.end(); ++o) cycle += raws[*o].name + " -> ";
        add(file, *r.extends, r.prefix + ".extends", "strategy extends cycle: " + cycle + parent);
      } else {
        resolve(it->second);
        resolved[s] = resolved[it->second];
      }
    }
    const std::size_t inherited = resolved[s].size();
    for (const auto& o : r.own) resolved[s].push_back(&o);
    // Names must tell the interventions of one strategy apart in results; a clash inherited
    // from the parent is reported there, not again in every child.
    std::set<std::string> taken;
    for (std::size_t k = 0; k < resolved[s].size(); ++k) {
      const Own* o = resolved[s][k];
      if (k >= inherited &&
          (o->spec.name == "fixed_cost" || o->spec.name.find('/') != std::string::npos)) {
        // Interventions are groups beside /strategies/<s>/interventions/fixed_cost in results.
        add(file, o->name_node, o->key,
            "intervention name '" + o->spec.name +
                "' is reserved or contains '/'; choose another 'name'");
      }
      if (!taken.insert(o->spec.name).second && k >= inherited) {
        add(file, o->name_node, o->key,
            "duplicate intervention name '" + o->spec.name + "' in strategy '" + r.name +
                "'; give each a distinct 'name'");
      }
    }
    open.pop_back();
    state[s] = State::done;
  };
  strategies.clear();
  for (std::size_t s = 0; s < raws.size(); ++s) {
    resolve(s);
    if (raws[s].name.empty()) continue;
    StrategySpec spec;
    spec.name = raws[s].name;
    spec.description = raws[s].description;
    for (const Own* o : resolved[s]) spec.interventions.push_back(o->spec);
    strategies.push_back(std::move(spec));
  }
}

// Numbers are written as the shortest text that reads back exactly, so the resolved document
// reproduces the run bit for bit.
std::string number_text(const ParamInfo& p, double v) {
  return p.type == ParamType::integer ? std::to_string(static_cast<long long>(v))
                                      : format_number(v);
}

std::string multiplier_column_names() {
  std::string names;
  for (const auto& c : kMultiplierColumns)
    names += (names.empty() ? "" : ", ") + std::string(c.name);
  return names;
}

// Checks an intervention block: its type (with a suggestion for a typo), then the fields of its
// type's schema.
void validate_block(const InterventionSpec& spec, const YAML::Node& node,
                    const std::vector<std::string>& area_names, std::vector<Diagnostic>& out) {
  const auto* t = InterventionRegistry::find(spec.type);
  if (t == nullptr) {
    Diagnostic d;
    d.file = spec.file;
    const auto& at = node["type"] ? node["type"] : node;
    d.line = at.Mark().line + 1;
    d.column = at.Mark().column + 1;
    d.key = "type";
    std::string known;
    for (const auto& n : InterventionRegistry::names()) known += (known.empty() ? "" : ", ") + n;
    d.message = "unknown intervention type '" + spec.type + "'";
    const auto near = nearest_name(spec.type, InterventionRegistry::names());
    if (!near.empty()) d.message += "; did you mean '" + near + "'?";
    d.message +=
        " (expected one of: " + (known.empty() ? std::string("none registered") : known) + ")";
    out.push_back(std::move(d));
    return;
  }
  if (const auto bad = unknown_effect_columns(t->schema); !bad.empty()) {
    const auto& at = node["effects"] ? node["effects"] : node;
    out.push_back({spec.file, at.Mark().line + 1, at.Mark().column + 1, "effects",
                   "intervention type '" + spec.type + "' declares effect(s) " + bad +
                       " that name no hazard multiplier column (expected among: " +
                       multiplier_column_names() + ")"});
  }
  iv::check_block(t->schema, {spec.type, spec.file, node}, area_names, out);
}

std::string emit_resolved(const Scenario& s) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << s.name;
  out << YAML::Key << "description" << YAML::Value << s.description;
  for (const auto& g : parameter_groups()) {
    out << YAML::Key << std::string(g.name) << YAML::Value << YAML::BeginMap;
    for (const auto& p : parameter_table()) {
      if (p.group != g.name) continue;
      out << YAML::Key << std::string(p.name) << YAML::Value << number_text(p, p.get(s.params));
    }
    out << YAML::EndMap;
  }
  out << YAML::Key << "areas" << YAML::Value << YAML::BeginMap << YAML::Key << "list" << YAML::Value
      << YAML::BeginSeq;
  for (const auto& a : s.areas) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << a.name;
    out << YAML::Key << "youth_12_17" << YAML::Value << format_number(a.youth_12_17);
    out << YAML::Key << "youth_18_26" << YAML::Value << format_number(a.youth_18_26);
    out << YAML::Key << "low_income_share" << YAML::Value << format_number(a.low_income_share);
    out << YAML::Key << "schools" << YAML::Value << std::to_string(a.schools);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  out << YAML::Key << "baseline" << YAML::Value << s.strategies.front().name;
  out << YAML::Key << "strategies" << YAML::Value << YAML::BeginSeq;
  for (const auto& st : s.strategies) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << st.name;
    out << YAML::Key << "description" << YAML::Value << st.description;
    out << YAML::Key << "interventions" << YAML::Value << YAML::BeginSeq;
    for (const auto& i : st.interventions) iv::emit_block(out, i.type, i.name, i.values);
    out << YAML::EndSeq;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  const std::pair<const char*, const std::string*> sections[] = {
      {"sweep", &s.sweep_yaml}, {"trial", &s.trial_yaml}, {"calibrate", &s.calibrate_yaml}};
  for (const auto& [key, text] : sections) {
    if (!text->empty()) out << YAML::Key << key << YAML::Value << YAML::Load(*text);
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace

namespace {
Scenario load_from_text(const std::string& path, const std::string& text,
                        const std::vector<Override>& overrides,
                        const std::vector<std::string>& assumption_files);
}  // namespace

Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides,
                       const std::vector<std::string>& assumption_files) {
  std::string text;
  if (!read_text(path, text)) throw ScenarioError({{path, 0, 0, "", "cannot open file"}});
  return load_from_text(path, text, overrides, assumption_files);
}

Scenario load_scenario_text(const std::string& text, const std::string& name_for_messages) {
  return load_from_text(name_for_messages, text, {}, {});
}

namespace {
// `path` names the text in diagnostics; files the text names resolve against its directory.
Scenario load_from_text(const std::string& path, const std::string& text,
                        const std::vector<Override>& overrides,
                        const std::vector<std::string>& assumption_files) {
  Loader loader;
  loader.load(path, text);
  // Assumptions go over the scenario and under --set, so a sweep or a --set can still vary them.
  loader.loading_assumptions = true;
  for (const auto& file : assumption_files) loader.load_assumptions(file);
  loader.loading_assumptions = false;

  if (!loader.incomplete && !loader.areas) {
    loader.diags.push_back({path, 0, 0, "areas",
                            "missing required key 'areas' (areas: {csv: PATH} or "
                            "areas: {list: [...]}), here or in a file it extends"});
  }

  // With broken areas, district names are left unchecked rather than reported as unknown.
  std::vector<std::string> area_names;
  if (loader.areas_valid) {
    for (const auto& a : *loader.areas) area_names.push_back(a.name);
  }
  for (const auto& block : loader.blocks) {
    const std::size_t before = loader.diags.size();
    validate_block(block.spec, block.node, area_names, loader.diags);
    // The registry reports keys within the block; the reader needs the path from the top.
    for (std::size_t d = before; d < loader.diags.size(); ++d) {
      auto& diag = loader.diags[d];
      if (diag.file.empty()) diag.file = block.spec.file;
      if (diag.key.empty()) {
        diag.key = block.path;
      } else if (!diag.key.starts_with(block.path)) {
        diag.key = block.path + "." + diag.key;
      }
    }
  }

  std::vector<std::string> all_paths;
  for (const auto& p : parameter_table()) all_paths.emplace_back(p.path);
  for (const auto& o : overrides) {
    const ParamInfo* info = find_parameter(o.path);
    if (info == nullptr) {
      loader.diags.push_back(
          {"--set", 0, 0, o.path,
           "unknown parameter '" + o.path + "'" + did_you_mean(o.path, all_paths)});
      continue;
    }
    const auto v = parse_number(o.value);
    const auto problem = param_problem(*info, v, "'" + o.value + "'");
    if (!problem.empty()) {
      loader.diags.push_back({"--set", 0, 0, o.path, problem});
    } else {
      info->set(loader.params, *v);
      loader.fixed_paths.insert(o.path);
    }
  }
  for (const auto& problem : consistency_problems(loader.params))
    loader.diags.push_back({path, 0, 0, "sanctions", problem});
  if (!loader.diags.empty()) throw ScenarioError(std::move(loader.diags));

  Scenario s;
  s.file = path;
  s.name = loader.name.value_or(fs::path(path).stem().string());
  s.description = loader.description.value_or("");
  s.assumptions = loader.assumption_names;
  s.posterior_file = loader.posterior_file;
  s.assumption_files = assumption_files;
  s.fixed_paths.assign(loader.fixed_paths.begin(), loader.fixed_paths.end());
  s.params = loader.params;
  s.areas = std::move(*loader.areas);
  s.areas_source = loader.areas_source;
  s.strategies = std::move(loader.strategies);
  const auto base =
      std::find_if(s.strategies.begin(), s.strategies.end(),
                   [&](const StrategySpec& st) { return st.name == loader.baseline; });
  if (base == s.strategies.end()) {
    StrategySpec implicit;
    implicit.name = loader.baseline;
    s.strategies.insert(s.strategies.begin(), std::move(implicit));
  } else {
    std::rotate(s.strategies.begin(), base, base + 1);
  }
  // The sections are checked against the valid rest of the file and independently of each
  // other, so that all their problems are reported at once.
  std::vector<Diagnostic> problems;
  // Each section as written goes into the resolved document (YAML::Dump keeps it loadable).
  if (auto it = loader.sections.find("sweep"); it != loader.sections.end()) {
    s.sweep = check_sweep(s, it->second.first, it->second.second, problems);
    s.sweep_yaml = YAML::Dump(it->second.first);
  }
  if (auto it = loader.sections.find("trial"); it != loader.sections.end()) {
    s.trial = check_trial(s, it->second.first, it->second.second, problems);
    s.trial_yaml = YAML::Dump(it->second.first);
  }
  if (auto it = loader.sections.find("calibrate"); it != loader.sections.end()) {
    s.calibrate = check_calibrate(s, it->second.first, it->second.second, problems);
    s.calibrate_yaml = YAML::Dump(it->second.first);
  }
  if (!problems.empty()) throw ScenarioError(std::move(problems));
  s.resolved_yaml = emit_resolved(s);
  return s;
}
}  // namespace

std::string emit_resolved_yaml(const Scenario& scenario) {
  return emit_resolved(scenario);
}

Parameters replicate_parameters(const Scenario& scenario, int replicate) {
  Parameters p = scenario.params;
  const auto& post = scenario.posterior;
  if (post.empty()) return p;
  if (replicate < 0 || static_cast<std::size_t>(replicate) >= post.points.size()) {
    throw std::invalid_argument("no posterior draw for replicate " + std::to_string(replicate));
  }
  for (std::size_t j = 0; j < post.paths.size(); ++j) {
    const ParamInfo* info = find_parameter(post.paths[j]);
    if (info == nullptr) throw std::invalid_argument("unknown parameter " + post.paths[j]);
    double v = post.points[replicate][j];
    if (info->type == ParamType::integer) v = std::round(v);
    info->set(p, std::clamp(v, info->min, info->max));
  }
  return p;
}

}  // namespace drift
