#include <H5Cpp.h>

#include <stdexcept>

#include "drift/results/results.hpp"

namespace drift {

struct ResultReader::Impl {
  H5::H5File file;
  std::string path;
};

ResultReader::ResultReader(const std::string& path) : impl_(nullptr) {
  H5::Exception::dontPrint();
  try {
    impl_ = new Impl{H5::H5File(path, H5F_ACC_RDONLY), path};
  } catch (const H5::Exception& e) {
    throw std::runtime_error(path + ": not a readable HDF5 file");
  }
}

ResultReader::~ResultReader() {
  delete impl_;
}

namespace {
// The reading interface throws std::runtime_error (what callers catch), never H5::Exception,
// naming the file and the object: "FILE: /object: cannot read ...".
template <class Fn>
auto reading(const std::string& file, const std::string& what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const H5::Exception& e) {
    throw std::runtime_error(file + ": " + what + ": cannot read from the result file (" +
                             e.getDetailMsg() + ")");
  }
}

// A damaged or foreign file may hold an array where one value belongs: reading it into one value
// would write past it.
void expect_single_value(const std::string& file, const std::string& what, hssize_t points) {
  if (points != 1)
    throw std::runtime_error(file + ": " + what + ": expected a single value, found " +
                             std::to_string(points));
}
}  // namespace

DatasetData ResultReader::dataset(const std::string& path) const {
  return reading(impl_->path, path, [&] {
    auto ds = impl_->file.openDataSet(path);
    auto space = ds.getSpace();
    const int rank = space.getSimpleExtentNdims();
    std::vector<hsize_t> dims(rank);
    space.getSimpleExtentDims(dims.data());
    DatasetData d;
    std::size_t n = 1;
    for (auto x : dims) {
      d.shape.push_back(x);
      n *= x;
    }
    d.values.resize(n);
    if (n > 0) ds.read(d.values.data(), H5::PredType::NATIVE_DOUBLE);
    return d;
  });
}

DatasetData ResultReader::dataset(const std::string& path,
                                  const std::vector<std::uint64_t>& shape) const {
  const auto& file = impl_->path;
  if (!exists(path)) throw std::runtime_error(file + ": dataset " + path + ": missing");
  DatasetData d;
  try {
    d = dataset(path);
  } catch (const std::exception&) {
    throw std::runtime_error(file + ": dataset " + path +
                             ": unreadable (not numbers, or the file is damaged)");
  }
  bool fits = d.shape.size() == shape.size();
  for (std::size_t k = 0; fits && k < shape.size(); ++k)
    fits = shape[k] == kAnyLength || d.shape[k] == shape[k];
  if (!fits) {
    auto text = [](const std::vector<std::uint64_t>& v) {
      std::string t = "[";
      for (std::size_t k = 0; k < v.size(); ++k)
        t += (k ? ", " : "") + (v[k] == kAnyLength ? std::string("any") : std::to_string(v[k]));
      return t + "]";
    };
    throw std::runtime_error(file + ": dataset " + path + ": shape " + text(d.shape) +
                             ", expected " + text(shape));
  }
  return d;
}

std::vector<std::string> ResultReader::strings(const std::string& path) const {
  return reading(impl_->path, path, [&] {
    auto ds = impl_->file.openDataSet(path);
    auto space = ds.getSpace();
    if (space.getSimpleExtentNdims() != 1)
      throw std::runtime_error(impl_->path + ": " + path + ": expected a list of texts, found " +
                               std::to_string(space.getSimpleExtentNdims()) + " dimensions");
    hsize_t n = 0;
    space.getSimpleExtentDims(&n);
    std::vector<char*> ptrs(n);
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    // HDF5 converts no character sets: read in the one written (UTF-8 by write_strings).
    type.setCset(ds.getStrType().getCset());
    if (n > 0) ds.read(ptrs.data(), type);
    std::vector<std::string> out(ptrs.begin(), ptrs.end());
    if (n > 0) H5Dvlen_reclaim(type.getId(), space.getId(), H5P_DEFAULT, ptrs.data());
    return out;
  });
}

namespace {
H5::Attribute open_attr(H5::H5File& f, const std::string& object, const std::string& name) {
  if (object != "/" && f.childObjType(object) == H5O_TYPE_DATASET)
    return f.openDataSet(object).openAttribute(name);
  return f.openGroup(object).openAttribute(name);
}
}  // namespace

std::string ResultReader::attribute(const std::string& object, const std::string& name) const {
  return reading(impl_->path, object + " @" + name, [&] {
    auto attr = open_attr(impl_->file, object, name);
    expect_single_value(impl_->path, object + " @" + name,
                        attr.getSpace().getSimpleExtentNpoints());
    std::string value;
    attr.read(attr.getStrType(), value);
    return value;
  });
}

std::vector<std::string> ResultReader::strings_attribute(const std::string& object,
                                                         const std::string& name) const {
  return reading(impl_->path, object + " @" + name, [&] {
    auto attr = open_attr(impl_->file, object, name);
    auto space = attr.getSpace();
    const hssize_t count = space.getSimpleExtentNpoints();
    const auto n = static_cast<std::size_t>(count < 0 ? 0 : count);
    std::vector<char*> ptrs(n);
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    type.setCset(attr.getStrType().getCset());
    if (n > 0) attr.read(type, ptrs.data());
    std::vector<std::string> out;
    for (auto* c : ptrs) out.emplace_back(c ? c : "");
    if (n > 0) H5Dvlen_reclaim(type.getId(), space.getId(), H5P_DEFAULT, ptrs.data());
    return out;
  });
}

bool ResultReader::has_attribute(const std::string& object, const std::string& name) const {
  try {
    if (!exists(object) && object != "/") return false;
    if (object != "/" && impl_->file.childObjType(object) == H5O_TYPE_DATASET) {
      return impl_->file.openDataSet(object).attrExists(name);
    }
    return impl_->file.openGroup(object).attrExists(name);
  } catch (const H5::Exception&) {
    return false;
  }
}

double ResultReader::numeric_attribute(const std::string& object, const std::string& name) const {
  return reading(impl_->path, object + " @" + name, [&] {
    auto attr = open_attr(impl_->file, object, name);
    expect_single_value(impl_->path, object + " @" + name,
                        attr.getSpace().getSimpleExtentNpoints());
    double v = 0;
    attr.read(H5::PredType::NATIVE_DOUBLE, &v);
    return v;
  });
}

std::vector<std::string> ResultReader::children(const std::string& group) const {
  return reading(impl_->path, group, [&] {
    auto g = impl_->file.openGroup(group);
    std::vector<std::string> out;
    for (hsize_t k = 0; k < g.getNumObjs(); ++k) out.push_back(g.getObjnameByIdx(k));
    return out;
  });
}

bool ResultReader::exists(const std::string& path) const {
  return H5Lexists(impl_->file.getId(), path.c_str(), H5P_DEFAULT) > 0;
}

}  // namespace drift
