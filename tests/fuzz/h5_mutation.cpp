#include "h5_mutation.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string_view>
#include <vector>

#include "targets.hpp"

namespace drift::fuzz {

namespace {

// The input, read a byte at a time; zeros once it is used up.
class Program {
 public:
  Program(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::size_t pick(std::size_t n) {
    const std::size_t v = static_cast<std::size_t>(byte()) << 8 | byte();
    return n == 0 ? 0 : v % n;
  }
  std::string text() {
    const std::size_t n = byte() % 24;
    std::string s;
    for (std::size_t k = 0; k < n; ++k) s.push_back(static_cast<char>(byte()));
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

struct Objects {
  std::vector<std::string> datasets, groups, all;  // all: every object, root first
};

herr_t visit(hid_t, const char* name, const H5O_info_t* info, void* out) {
  auto& o = *static_cast<Objects*>(out);
  std::string path = "/";
  if (std::string_view(name) != ".") path.append(name);
  o.all.push_back(path);
  if (info->type == H5O_TYPE_DATASET) o.datasets.push_back(path);
  if (info->type == H5O_TYPE_GROUP && path != "/") o.groups.push_back(path);
  return 0;
}

Objects list_objects(hid_t file) {
  Objects o;
  H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, visit, &o, H5O_INFO_BASIC);
  return o;
}

std::vector<std::string> attribute_names(hid_t obj) {
  std::vector<std::string> names;
  H5O_info_t info;
  if (H5Oget_info2(obj, &info, H5O_INFO_NUM_ATTRS) < 0) return names;
  for (hsize_t k = 0; k < info.num_attrs; ++k) {
    std::array<char, 256> buf{};
    if (H5Aget_name_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, k, buf.data(), buf.size(),
                           H5P_DEFAULT) >= 0)
      names.emplace_back(buf.data());
  }
  return names;
}

// Attribute names Drift's readers look for, so that edits hit what matters.
constexpr const char* kKnownAttributes[] = {
    "format",   "format_version", "baseline",   "key",      "scenario_yaml",
    "order",    "replicates",     "weeks",      "checksum", "fixed_cost",
    "strategy", "intervention",   "acceptance", "tolerance"};

double special_value(std::uint8_t kind) {
  switch (kind % 7) {
    case 0:
      return std::numeric_limits<double>::quiet_NaN();
    case 1:
      return -1.0;
    case 2:
      return std::numeric_limits<double>::infinity();
    case 3:
      return 1e300;
    case 4:
      return 0.0;
    case 5:
      return 4294967296.0;
    default:
      return -std::numeric_limits<double>::infinity();
  }
}

void write_attribute(hid_t obj, const std::string& name, Program& p, std::ostringstream& log) {
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  const auto kind = p.byte() % 4;
  hid_t space = -1, type = -1;
  if (kind == 0 || kind == 1) {
    space = H5Screate(H5S_SCALAR);
    type = H5Tcopy(kind == 0 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE);
    const hid_t a = H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (kind == 0) {
      const std::int64_t v = static_cast<std::int8_t>(p.byte());
      H5Awrite(a, type, &v);
      log << " attr " << name << "=" << v;
    } else {
      const double v = special_value(p.byte());
      H5Awrite(a, type, &v);
      log << " attr " << name << "=" << v;
    }
    H5Aclose(a);
  } else {
    // A string, or a one-dimensional array of strings (like the strategy order).
    const hsize_t n = kind == 2 ? 1 : p.byte() % 4;
    space = kind == 2 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr);
    type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    std::vector<std::string> texts;
    for (hsize_t k = 0; k < n; ++k) texts.push_back(p.text());
    std::vector<const char*> ptrs;
    for (const auto& t : texts) ptrs.push_back(t.c_str());
    const hid_t a = H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (!ptrs.empty()) H5Awrite(a, type, ptrs.data());
    H5Aclose(a);
    log << " attr " << name << "=" << n << " string(s)";
  }
  H5Tclose(type);
  H5Sclose(space);
}

void apply(hid_t file, Program& p, std::ostringstream& log, double& truncate_at) {
  const auto objects = list_objects(file);
  const auto op = p.byte() % 8;
  switch (op) {
    case 0: {  // remove a dataset
      if (objects.datasets.empty()) return;
      const auto& d = objects.datasets[p.pick(objects.datasets.size())];
      H5Ldelete(file, d.c_str(), H5P_DEFAULT);
      log << " remove " << d;
      return;
    }
    case 1: {  // remove an attribute
      const auto& o = objects.all[p.pick(objects.all.size())];
      const hid_t obj = H5Oopen(file, o.c_str(), H5P_DEFAULT);
      const auto names = attribute_names(obj);
      if (!names.empty()) {
        const auto& n = names[p.pick(names.size())];
        H5Adelete(obj, n.c_str());
        log << " remove " << o << "@" << n;
      }
      H5Oclose(obj);
      return;
    }
    case 2:    // another shape (numbers)
    case 5: {  // another type (strings)
      if (objects.datasets.empty()) return;
      const auto& d = objects.datasets[p.pick(objects.datasets.size())];
      H5Ldelete(file, d.c_str(), H5P_DEFAULT);
      const int rank = 1 + p.byte() % 3;
      std::array<hsize_t, 3> dims{};
      hsize_t total = 1;
      for (int k = 0; k < rank; ++k) total *= (dims[k] = p.byte() % 6);
      const hid_t space = H5Screate_simple(rank, dims.data(), nullptr);
      if (op == 2) {
        std::vector<double> values(total);
        for (auto& v : values) v = static_cast<double>(p.byte());
        const hid_t ds = H5Dcreate2(file, d.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT,
                                    H5P_DEFAULT, H5P_DEFAULT);
        if (total > 0)
          H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
        H5Dclose(ds);
      } else {
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, H5T_VARIABLE);
        std::vector<std::string> texts(total);
        for (auto& t : texts) t = p.text();
        std::vector<const char*> ptrs;
        for (const auto& t : texts) ptrs.push_back(t.c_str());
        const hid_t ds =
            H5Dcreate2(file, d.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (total > 0) H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data());
        H5Dclose(ds);
        H5Tclose(type);
      }
      H5Sclose(space);
      log << " " << (op == 2 ? "reshape " : "strings ") << d << " rank " << rank;
      return;
    }
    case 3: {  // a special value in a numeric dataset
      if (objects.datasets.empty()) return;
      const auto& d = objects.datasets[p.pick(objects.datasets.size())];
      const hid_t ds = H5Dopen2(file, d.c_str(), H5P_DEFAULT);
      const hid_t type = H5Dget_type(ds);
      const auto cls = H5Tget_class(type);
      const hid_t space = H5Dget_space(ds);
      const auto n = H5Sget_simple_extent_npoints(space);
      if ((cls == H5T_FLOAT || cls == H5T_INTEGER) && n > 0) {
        std::vector<double> values(static_cast<std::size_t>(n));
        if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0) {
          const auto at = p.pick(values.size());
          values[at] = special_value(p.byte());
          H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
          log << " poke " << d << "[" << at << "]=" << values[at];
        }
      }
      H5Sclose(space);
      H5Tclose(type);
      H5Dclose(ds);
      return;
    }
    case 4: {  // an attribute set to another type or value
      const auto& o = objects.all[p.pick(objects.all.size())];
      const hid_t obj = H5Oopen(file, o.c_str(), H5P_DEFAULT);
      auto names = attribute_names(obj);
      for (const char* k : kKnownAttributes) names.emplace_back(k);
      const auto name = names[p.pick(names.size())];
      log << " " << o;
      write_attribute(obj, name, p, log);
      H5Oclose(obj);
      return;
    }
    case 6: {  // remove a group
      if (objects.groups.empty()) return;
      const auto& g = objects.groups[p.pick(objects.groups.size())];
      H5Ldelete(file, g.c_str(), H5P_DEFAULT);
      log << " remove group " << g;
      return;
    }
    default: {  // truncate (after the file is closed)
      truncate_at = p.byte() / 256.0;
      log << " truncate to " << truncate_at;
      return;
    }
  }
}

}  // namespace

std::string mutate_h5(const std::string& base, const std::string& out, const std::uint8_t* data,
                      std::size_t size) {
  namespace fs = std::filesystem;
  fs::copy_file(base, out, fs::copy_options::overwrite_existing);
  // The edits may fail on purpose-damaged structure; the HDF5 library must not print its error
  // stack for them.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Program p(data, size);
  std::ostringstream log;
  log << fs::path(base).filename().string() << ":";
  double truncate_at = -1;
  const hid_t file = H5Fopen(out.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (file < 0) finding("cannot open the copy of the fixture " + out);
  for (int k = 0; k < 4 && !p.done(); ++k) apply(file, p, log, truncate_at);
  H5Fclose(file);
  if (truncate_at >= 0) {
    const auto bytes = fs::file_size(out);
    fs::resize_file(out, static_cast<std::uintmax_t>(truncate_at * static_cast<double>(bytes)));
  }
  return log.str();
}

}  // namespace drift::fuzz
