#include "drift/results/part_file.hpp"

#include <H5Cpp.h>

#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "drift/results/h5_write.hpp"

namespace drift {

namespace {

constexpr const char* kFormat = "drift-part";

// The runner writes parts from several threads; the HDF5 C++ layer is not thread-safe, so every
// call into it from here goes through one lock.
std::mutex& hdf5_mutex() {
  static std::mutex m;
  return m;
}

struct Fnv {
  std::uint64_t h = 14695981039346656037ull;
  void word(std::uint64_t w) {
    h ^= w;
    h *= 1099511628211ull;
  }
  void number(double v) {
    std::uint64_t w;
    std::memcpy(&w, &v, sizeof w);
    word(w);
  }
};

PartRead damaged(PartDamage d, const std::string& detail = "") {
  PartRead r;
  r.status = PartStatus::damaged;
  r.damage = d;
  r.reason = damage_name(d);
  if (!detail.empty()) r.reason += ": " + detail;
  return r;
}

// Whether `path` (possibly with '/') names an object below `g`, checking each link in turn.
bool exists(const H5::Group& g, const std::string& path) {
  std::size_t from = 0;
  for (;;) {
    const auto slash = path.find('/', from);
    if (!g.nameExists(path.substr(0, slash))) return false;
    if (slash == std::string::npos) return true;
    from = slash + 1;
  }
}

std::string string_attribute(const H5::H5Object& obj, const std::string& name) {
  auto attr = obj.openAttribute(name);
  // An array of texts (or none) where one belongs would be read past its end.
  if (attr.getTypeClass() != H5T_STRING || attr.getSpace().getSimpleExtentNpoints() != 1) return "";
  std::string value;
  attr.read(attr.getStrType(), value);
  return value;
}

bool integer_attribute(const H5::H5Object& obj, const std::string& name, long long& value) {
  if (!obj.attrExists(name)) return false;
  auto attr = obj.openAttribute(name);
  if (attr.getTypeClass() != H5T_INTEGER || attr.getSpace().getSimpleExtentNpoints() != 1)
    return false;
  attr.read(H5::PredType::NATIVE_LLONG, &value);
  return true;
}

}  // namespace

std::string damage_name(PartDamage damage) {
  switch (damage) {
    case PartDamage::none:
      return "not damaged";
    case PartDamage::not_hdf5:
      return "not an HDF5 file";
    case PartDamage::unreadable:
      return "unreadable HDF5 file";
    case PartDamage::foreign_format:
      return "foreign format";
    case PartDamage::format_version:
      return "format version";
    case PartDamage::key_mismatch:
      return "stale configuration";
    case PartDamage::checksum_mismatch:
      return "checksum mismatch";
    case PartDamage::shape:
      return "shape";
  }
  return "damaged";
}

std::uint64_t run_checksum(RunOutput& run) {
  Fnv f;
  for (const auto& a : run.arrays()) {
    f.word(a.values->size());
    // Four interleaved lanes (element i goes to lane i % 4), then the lanes in order: four
    // times as fast as one chain of multiplications, and still any changed value changes it.
    Fnv lane[4];
    const auto& v = *a.values;
    const std::size_t n = v.size(), whole = n - n % 4;
    for (std::size_t i = 0; i < whole; i += 4) {
      lane[0].number(v[i]);
      lane[1].number(v[i + 1]);
      lane[2].number(v[i + 2]);
      lane[3].number(v[i + 3]);
    }
    for (std::size_t i = whole; i < n; ++i) lane[i % 4].number(v[i]);
    for (const auto& l : lane) f.word(l.h);
  }
  for (const auto& d : run.dimensions())
    f.word(static_cast<std::uint64_t>(static_cast<std::int64_t>(*d.value)));
  f.number(run.fixed_cost);
  return f.h;
}

namespace {
// Writes the runs; with `release`, each run's arrays are freed once they and the run's checksum
// are in the file's image.
void write_runs(const std::string& path, const std::string& key, std::vector<RunOutput>& runs,
                bool release) {
  std::lock_guard lock(hdf5_mutex());
  h5::write_atomically(path, [&](H5::H5File& file) {
    auto root = file.openGroup("/");
    h5::string_attr(root, "format", kFormat);
    h5::int_attr(root, "format_version", kPartFormatVersion);
    h5::string_attr(root, "key", key);
    h5::int_attr(root, "runs", static_cast<long long>(runs.size()));
    H5::LinkCreatPropList intermediate;
    H5Pset_create_intermediate_group(intermediate.getId(), 1);
    auto all = file.createGroup("runs");
    for (std::size_t k = 0; k < runs.size(); ++k) {
      auto& run = runs[k];
      auto g = all.createGroup(std::to_string(k));
      for (const auto& a : run.arrays()) {
        const hsize_t n = a.values->size();
        H5::DataSpace space(1, &n);
        auto ds = g.createDataSet(a.name, H5::PredType::NATIVE_DOUBLE, space,
                                  H5::DSetCreatPropList::DEFAULT, H5::DSetAccPropList::DEFAULT,
                                  intermediate);
        if (n > 0) ds.write(a.values->data(), H5::PredType::NATIVE_DOUBLE);
      }
      for (const auto& d : run.dimensions()) h5::int_attr(g, d.name, *d.value);
      h5::number_attr(g, "fixed_cost", run.fixed_cost);
      const std::uint64_t sum = run_checksum(run);
      H5::DataSpace scalar(H5S_SCALAR);
      g.createAttribute("checksum", H5::PredType::STD_U64LE, scalar)
          .write(H5::PredType::NATIVE_UINT64, &sum);
      if (release) {
        for (const auto& a : run.arrays()) std::vector<double>().swap(*a.values);
      }
    }
  });
}
}  // namespace

void write_part_file(const std::string& path, const std::string& key,
                     std::vector<RunOutput>& runs) {
  write_runs(path, key, runs, false);
}

void write_part_file(const std::string& path, const std::string& key,
                     std::vector<RunOutput>&& runs) {
  write_runs(path, key, runs, true);
}

PartRead read_part_file(const std::string& path, const std::string& key,
                        std::vector<RunOutput>& runs) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  std::lock_guard lock(hdf5_mutex());
  H5::Exception::dontPrint();
  try {
    if (!H5::H5File::isHdf5(path)) return damaged(PartDamage::not_hdf5);
  } catch (const H5::Exception&) {
    return damaged(PartDamage::not_hdf5);
  }
  try {
    // The core driver reads the whole file with one read(2) and serves the datasets from memory:
    // several times faster than a read per dataset.
    H5::FileAccPropList access;
    access.setCore(1 << 20, false);
    H5::H5File file(path, H5F_ACC_RDONLY, H5::FileCreatPropList::DEFAULT, access);
    const auto root = file.openGroup("/");
    const std::string format = root.attrExists("format") ? string_attribute(root, "format") : "";
    if (format != kFormat) {
      return damaged(PartDamage::foreign_format,
                     format.empty() ? "no format attribute" : "format '" + format + "'");
    }
    long long version = 0;
    if (!integer_attribute(root, "format_version", version) || version != kPartFormatVersion) {
      return damaged(PartDamage::format_version, "version " + std::to_string(version) +
                                                     ", expected " +
                                                     std::to_string(kPartFormatVersion));
    }
    const std::string stored = root.attrExists("key") ? string_attribute(root, "key") : "";
    if (stored != key) {
      return damaged(PartDamage::key_mismatch, "key " + stored + ", expected " + key);
    }
    long long count = 0;
    if (!integer_attribute(root, "runs", count) || count < 0 || count > 100000 ||
        !file.nameExists("runs")) {
      return damaged(PartDamage::shape, "no runs");
    }
    runs.assign(static_cast<std::size_t>(count), RunOutput{});
    const auto all = file.openGroup("runs");
    for (std::size_t k = 0; k < runs.size(); ++k) {
      const std::string run_name = std::to_string(k);
      if (!all.nameExists(run_name))
        return damaged(PartDamage::shape, "run " + run_name + " missing");
      const auto g = all.openGroup(run_name);
      auto& run = runs[k];
      for (const auto& a : run.arrays()) {
        if (!exists(g, a.name))
          return damaged(PartDamage::shape, "run " + run_name + ": " + a.name + " missing");
        auto ds = g.openDataSet(a.name);
        const auto space = ds.getSpace();
        if (ds.getTypeClass() != H5T_FLOAT || space.getSimpleExtentNdims() != 1) {
          return damaged(PartDamage::shape,
                         "run " + run_name + ": " + a.name + " is not a list of numbers");
        }
        a.values->resize(static_cast<std::size_t>(space.getSimpleExtentNpoints()));
        if (!a.values->empty()) ds.read(a.values->data(), H5::PredType::NATIVE_DOUBLE);
      }
      for (const auto& d : run.dimensions()) {
        long long v = 0;
        if (!integer_attribute(g, d.name, v)) {
          return damaged(PartDamage::shape,
                         "run " + run_name + ": dimension " + d.name + " missing");
        }
        *d.value = static_cast<int>(v);
      }
      if (!g.attrExists("fixed_cost") || !g.attrExists("checksum") ||
          g.openAttribute("checksum").getTypeClass() != H5T_INTEGER) {
        return damaged(PartDamage::shape, "run " + run_name + ": fixed_cost or checksum missing");
      }
      g.openAttribute("fixed_cost").read(H5::PredType::NATIVE_DOUBLE, &run.fixed_cost);
      std::uint64_t stored_sum = 0;
      g.openAttribute("checksum").read(H5::PredType::NATIVE_UINT64, &stored_sum);
      if (stored_sum != run_checksum(run))
        return damaged(PartDamage::checksum_mismatch, "run " + run_name);
    }
  } catch (const H5::Exception& e) {
    return damaged(PartDamage::unreadable, e.getDetailMsg());
  }
  PartRead ok;
  ok.status = PartStatus::ok;
  return ok;
}

}  // namespace drift
