#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>

#include "drift/scenario/scenario.hpp"

namespace drift {
namespace {

struct Record {
  int line = 0;  // CSV line on which the record starts
  std::vector<std::string> fields;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// RFC 4180 records: fields in double quotes may hold commas, line breaks and "" for a quote.
std::vector<Record> parse_records(const std::string& text, const std::string& path,
                                  std::vector<Diagnostic>& diags) {
  std::vector<Record> records;
  std::size_t i = 0;
  int line = 1;
  // A UTF-8 byte order mark, as spreadsheet programs write, is not part of the first column name.
  if (text.starts_with("\xEF\xBB\xBF")) i = 3;
  while (i < text.size()) {
    Record rec;
    rec.line = line;
    bool end_of_record = false;
    while (!end_of_record) {
      std::string field;
      if (i < text.size() && text[i] == '"') {
        ++i;
        bool closed = false;
        while (i < text.size()) {
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        if (!closed) {
          diags.push_back({path, rec.line, static_cast<int>(rec.fields.size()) + 1, "",
                           "unterminated quoted field"});
          return records;
        }
        // Only blanks may follow the closing quote before the separator.
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
        if (i < text.size() && text[i] != ',' && text[i] != '\n') {
          diags.push_back({path, line, static_cast<int>(rec.fields.size()) + 1, "",
                           "unexpected text after a closing quote"});
          while (i < text.size() && text[i] != ',' && text[i] != '\n') ++i;
        }
      } else {
        const std::size_t start = i;
        while (i < text.size() && text[i] != ',' && text[i] != '\n') ++i;
        field = std::string(trim(std::string_view(text).substr(start, i - start)));
      }
      rec.fields.push_back(std::move(field));
      if (i < text.size() && text[i] == ',') {
        ++i;
      } else {
        if (i < text.size()) ++i;  // the '\n'
        ++line;
        end_of_record = true;
      }
    }
    const bool blank = rec.fields.size() == 1 && rec.fields[0].empty();
    if (!blank) records.push_back(std::move(rec));
  }
  return records;
}

struct Column {
  std::vector<std::string> names;  // accepted header names, the first is the canonical one
  int index = -1;                  // 0-based position in the header, -1 when absent
};

}  // namespace

std::string area_field_problem(std::string_view field, std::optional<double> value,
                               std::string_view written) {
  const bool integer = field == "schools";
  if (!value) {
    std::string msg = integer ? "expected an integer, got " : "expected a number, got ";
    if (written.empty()) {
      msg += "an empty value";
    } else {
      msg.append(1, '\'').append(written).append(1, '\'');
    }
    return msg;
  }
  const double v = *value;
  if (field == "low_income_share") {
    if (v < 0 || v > 1) return "value " + format_number(v) + " out of range [0, 1] (share)";
    return "";
  }
  if (integer && v != std::floor(v)) return "expected an integer, got " + format_number(v);
  if (v < 0) return "value " + format_number(v) + " must not be negative";
  if (integer && v > INT_MAX) return "value " + format_number(v) + " is too large";
  return "";
}

std::vector<AreaSpec> load_areas_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(path, ec)) {
    throw ScenarioError({{path, 0, 0, "", "cannot open file"}});
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  std::vector<Diagnostic> diags;
  const auto records = parse_records(text, path, diags);
  if (records.empty()) {
    diags.push_back({path, 0, 0, "", "no header row"});
    throw ScenarioError(std::move(diags));
  }

  const auto& header = records.front();
  Column name{{"district", "name"}};
  Column y1217{{"youth_12_17"}};
  Column y1826{{"youth_18_26"}};
  Column share{{"low_income_share"}};
  Column schools{{"schools", "secondary_schools"}};
  Column* columns[] = {&name, &y1217, &y1826, &share, &schools};
  for (Column* c : columns) {
    for (std::size_t f = 0; f < header.fields.size() && c->index < 0; ++f) {
      const auto h = lower(trim(header.fields[f]));
      if (std::find(c->names.begin(), c->names.end(), h) != c->names.end()) {
        c->index = static_cast<int>(f);
      }
    }
    if (c->index < 0) {
      std::string msg = "missing required column '" + c->names[0] + "'";
      if (c->names.size() > 1) msg += " (or '" + c->names[1] + "')";
      diags.push_back({path, header.line, 0, c->names[0], msg});
    }
  }
  if (!diags.empty()) throw ScenarioError(std::move(diags));

  std::vector<AreaSpec> areas;
  std::map<std::string, int> first_line;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    if (rec.fields.size() != header.fields.size()) {
      diags.push_back({path, rec.line, 0, "",
                       "expected " + std::to_string(header.fields.size()) +
                           " fields as in the header, found " + std::to_string(rec.fields.size())});
      continue;
    }
    auto where = [&](const Column& c) {
      return Diagnostic{path, rec.line, c.index + 1, std::string(trim(header.fields[c.index])), ""};
    };
    AreaSpec a;
    a.name = rec.fields[name.index];
    if (a.name.empty()) {
      auto d = where(name);
      d.message = "expected a non-empty area name";
      diags.push_back(std::move(d));
    } else if (auto [it, inserted] = first_line.emplace(a.name, rec.line); !inserted) {
      auto d = where(name);
      d.message =
          "duplicate area name '" + a.name + "' (first on line " + std::to_string(it->second) + ")";
      diags.push_back(std::move(d));
    }
    const std::pair<const Column*, std::string_view> numeric[] = {{&y1217, "youth_12_17"},
                                                                  {&y1826, "youth_18_26"},
                                                                  {&share, "low_income_share"},
                                                                  {&schools, "schools"}};
    double values[4] = {};
    for (std::size_t k = 0; k < 4; ++k) {
      const auto& cell = rec.fields[numeric[k].first->index];
      const auto v = parse_number(cell);
      const auto problem = area_field_problem(numeric[k].second, v, trim(cell));
      if (!problem.empty()) {
        auto d = where(*numeric[k].first);
        d.message = problem;
        diags.push_back(std::move(d));
      } else {
        values[k] = *v;
      }
    }
    a.youth_12_17 = values[0];
    a.youth_18_26 = values[1];
    a.low_income_share = values[2];
    a.schools = static_cast<int>(values[3]);
    areas.push_back(std::move(a));
  }
  if (!diags.empty()) throw ScenarioError(std::move(diags));
  return areas;
}

}  // namespace drift
