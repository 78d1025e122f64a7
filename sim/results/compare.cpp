#include "drift/results/compare.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <map>
#include <set>
#include <stdexcept>
#include <string_view>

namespace drift {

namespace {

// Provenance that differs between two runs of the same scenario.
const std::set<std::string>& ignored_attributes() {
  static const std::set<std::string> names = {"command_line", "created", "timestamp",
                                              "scenario_file", "program_version", "git_commit",
                                              "compiler", "compiler_flags", "build_type",
                                              // labels of the settings; their values are in
                                              // scenario_yaml, which is compared
                                              "assumptions", "assumption_files"};
  return names;
}

// The contents of a dataset or attribute in a comparable form: its shape, type class and either
// its bytes (fixed-size types) or its strings (variable-length strings).
struct Contents {
  std::vector<hsize_t> shape;
  H5T_class_t type_class = H5T_NO_CLASS;
  std::size_t type_size = 0;
  std::vector<unsigned char> bytes;
  std::vector<std::string> strings;
  bool operator==(const Contents&) const = default;
};

// Joins texts by appending (GCC 12 warns falsely on "x" + std::string + "x" at -O3).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (const auto p : parts) s.append(p);
  return s;
}

std::vector<hsize_t> shape_of(const H5::DataSpace& space) {
  const int rank = space.getSimpleExtentNdims();
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) space.getSimpleExtentDims(dims.data());
  return dims;
}

template <class Object, class Read>
Contents contents(const Object& obj, Read&& read) {
  Contents c;
  const auto space = obj.getSpace();
  c.shape = shape_of(space);
  const auto type = obj.getDataType();
  c.type_class = type.getClass();
  const auto n = static_cast<std::size_t>(std::max<hssize_t>(space.getSimpleExtentNpoints(), 0));
  if (c.type_class == H5T_STRING && H5Tis_variable_str(type.getId()) > 0) {
    H5::StrType st(H5::PredType::C_S1, H5T_VARIABLE);
    st.setCset(H5::StrType(type.getId()).getCset());
    std::vector<char*> ptrs(n, nullptr);
    if (n > 0) read(ptrs.data(), st);
    for (auto* p : ptrs) c.strings.emplace_back(p ? p : "");
    if (n > 0) H5Dvlen_reclaim(st.getId(), space.getId(), H5P_DEFAULT, ptrs.data());
    return c;
  }
  c.type_size = type.getSize();
  c.bytes.resize(n * c.type_size);
  if (!c.bytes.empty()) read(c.bytes.data(), type);
  return c;
}

Contents dataset_contents(const H5::DataSet& ds) {
  return contents(ds, [&](void* buf, const H5::DataType& t) { ds.read(buf, t); });
}

Contents attribute_contents(const H5::Attribute& a) {
  return contents(a, [&](void* buf, const H5::DataType& t) { a.read(t, buf); });
}

std::string shape_text(const std::vector<hsize_t>& s) {
  std::string t = "[";
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (k > 0) t.push_back(',');
    t.append(std::to_string(s[k]));
  }
  t.push_back(']');
  return t;
}

std::string why(const Contents& a, const Contents& b) {
  if (a.shape != b.shape) return cat({"shape ", shape_text(a.shape), " vs ", shape_text(b.shape)});
  if (a.type_class != b.type_class || a.type_size != b.type_size) return "type differs";
  if (a.strings != b.strings) return "strings differ";
  const std::size_t size = std::max<std::size_t>(a.type_size, 1);
  for (std::size_t k = 0; k < a.bytes.size() && k < b.bytes.size(); k += size) {
    if (std::memcmp(a.bytes.data() + k, b.bytes.data() + k, size) != 0) {
      return cat({"values differ (first at element ", std::to_string(k / size), ")"});
    }
  }
  return "values differ";
}

// Every object under `group`, by path: true for datasets, false for groups.
void walk(const H5::Group& group, const std::string& prefix, std::map<std::string, bool>& out) {
  for (hsize_t k = 0; k < group.getNumObjs(); ++k) {
    const std::string name = group.getObjnameByIdx(k);
    const std::string path = cat({prefix, "/", name});
    const auto type = group.childObjType(name);
    if (type == H5O_TYPE_GROUP) {
      out[path] = false;
      walk(group.openGroup(name), path, out);
    } else if (type == H5O_TYPE_DATASET) {
      out[path] = true;
    }
  }
}

std::map<std::string, Contents> attributes(const H5::H5Object& obj) {
  std::map<std::string, Contents> out;
  const int n = obj.getNumAttrs();
  for (int k = 0; k < n; ++k) {
    const auto a = obj.openAttribute(static_cast<unsigned>(k));
    const std::string name = a.getName();
    if (ignored_attributes().count(name)) continue;
    out[name] = attribute_contents(a);
  }
  return out;
}

struct Comparer {
  FileComparison result;
  void differ(const std::string& path, const std::string& reason) {
    if (result.equal) result.first_difference = cat({path, ": ", reason});
    result.equal = false;
    result.differing.push_back(path);
  }
  void compare_attributes(const H5::H5Object& a, const H5::H5Object& b, const std::string& path) {
    const auto x = attributes(a), y = attributes(b);
    std::set<std::string> names;
    for (const auto& kv : x) names.insert(kv.first);
    for (const auto& kv : y) names.insert(kv.first);
    for (const auto& name : names) {
      const auto i = x.find(name), j = y.find(name);
      const std::string where = cat({path, " @", name});
      if (i == x.end()) {
        differ(where, "only in the actual file");
      } else if (j == y.end()) {
        differ(where, "only in the expected file");
      } else if (!(i->second == j->second)) {
        differ(where, why(i->second, j->second));
      }
    }
  }
};

H5::H5File open(const std::string& path) {
  try {
    return H5::H5File(path, H5F_ACC_RDONLY);
  } catch (const H5::Exception&) {
    throw std::runtime_error(cat({path, ": not a readable HDF5 file"}));
  }
}

}  // namespace

FileComparison compare_result_files(const std::string& expected, const std::string& actual) {
  H5::Exception::dontPrint();
  auto fa = open(expected);
  auto fb = open(actual);
  Comparer c;
  try {
    std::map<std::string, bool> xa, xb;
    walk(fa.openGroup("/"), "", xa);
    walk(fb.openGroup("/"), "", xb);
    c.compare_attributes(fa.openGroup("/"), fb.openGroup("/"), "/");
    std::set<std::string> paths;
    for (const auto& kv : xa) paths.insert(kv.first);
    for (const auto& kv : xb) paths.insert(kv.first);
    for (const auto& path : paths) {
      const auto i = xa.find(path), j = xb.find(path);
      const bool dataset = (i != xa.end() && i->second) || (j != xb.end() && j->second);
      if (dataset) ++c.result.datasets_compared;
      if (i == xa.end()) {
        c.differ(path, "only in the actual file");
        continue;
      }
      if (j == xb.end()) {
        c.differ(path, "only in the expected file");
        continue;
      }
      if (i->second != j->second) {
        c.differ(path, "a dataset in one file, a group in the other");
        continue;
      }
      if (dataset) {
        const auto da = fa.openDataSet(path), db = fb.openDataSet(path);
        const auto x = dataset_contents(da), y = dataset_contents(db);
        if (!(x == y)) {
          c.differ(path, why(x, y));
        } else {
          c.compare_attributes(da, db, path);
        }
      } else {
        c.compare_attributes(fa.openGroup(path), fb.openGroup(path), path);
      }
    }
  } catch (const H5::Exception& e) {
    throw std::runtime_error(
        cat({"cannot compare ", expected, " with ", actual, " (", e.getDetailMsg(), ")"}));
  }
  return c.result;
}

}  // namespace drift
