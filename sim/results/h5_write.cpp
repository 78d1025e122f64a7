#include "drift/results/h5_write.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "drift/build_info.hpp"
#include "drift/results/results.hpp"

namespace drift {

namespace {

void string_attr(H5::H5Object& obj, const std::string& name, const std::string& value) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  H5::DataSpace scalar(H5S_SCALAR);
  auto attr = obj.createAttribute(name, type, scalar);
  const char* c = value.c_str();
  attr.write(type, &c);
}

void number_attr(H5::H5Object& obj, const std::string& name, double value) {
  H5::DataSpace scalar(H5S_SCALAR);
  auto attr = obj.createAttribute(name, H5::PredType::NATIVE_DOUBLE, scalar);
  attr.write(H5::PredType::NATIVE_DOUBLE, &value);
}

void int_attr(H5::H5Object& obj, const std::string& name, long long value) {
  H5::DataSpace scalar(H5S_SCALAR);
  auto attr = obj.createAttribute(name, H5::PredType::NATIVE_LLONG, scalar);
  attr.write(H5::PredType::NATIVE_LLONG, &value);
}

void write_strings(H5::Group& g, const std::string& name, const std::vector<std::string>& values) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  hsize_t n = values.size();
  H5::DataSpace space(1, &n);
  auto ds = g.createDataSet(name, type, space);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n > 0) ds.write(ptrs.data(), type);
}

H5::DataSet write_array(H5::Group& g, const std::string& name, const std::vector<hsize_t>& shape,
                        const std::vector<double>& values, const std::string& unit,
                        const std::string& description, const std::string& dims) {
  H5::DataSpace space(static_cast<int>(shape.size()), shape.data());
  H5::DSetCreatPropList props;
  std::size_t count = 1;
  for (auto s : shape) count *= s;
  if (count > 4096) {
    // Chunked and compressed: series are long and mostly smooth. The shuffle filter groups the
    // doubles' bytes by significance, so the fastest deflate level compresses them better than
    // level 4 does without it (the demo's comparison: 14.1 MB written in 0.59 s against 14.8 MB
    // in 0.88 s; docs/performance.md).
    std::vector<hsize_t> chunk(shape);
    chunk[0] = 1;
    props.setChunk(static_cast<int>(chunk.size()), chunk.data());
    props.setShuffle();
    props.setDeflate(1);
  }
  auto ds = g.createDataSet(name, H5::PredType::NATIVE_DOUBLE, space, props);
  if (count > 0) ds.write(values.data(), H5::PredType::NATIVE_DOUBLE);
  string_attr(ds, "units", unit);
  string_attr(ds, "description", description);
  string_attr(ds, "dimensions", dims);
  return ds;
}

void write_root_attributes_impl(H5::H5File& file, const Scenario& scenario,
                                const std::string& command_line) {
  auto root = file.openGroup("/");
  string_attr(root, "format", "drift-results");
  int_attr(root, "format_version", kResultFormatVersion);
  string_attr(root, "program_version", build_info::version);
  string_attr(root, "git_commit", build_info::git_commit);
  string_attr(root, "compiler", build_info::compiler);
  string_attr(root, "build_type", build_info::build_type);
  string_attr(root, "compiler_flags", build_info::cxx_flags);
  string_attr(root, "command_line", command_line);
  string_attr(root, "scenario_name", scenario.name);
  string_attr(root, "scenario_file", scenario.file);
  string_attr(root, "scenario_yaml", scenario.resolved_yaml);
  string_attr(root, "scenario_hash", text_hash(scenario.resolved_yaml));
  std::string assumptions, assumption_files;
  for (std::size_t k = 0; k < scenario.assumptions.size(); ++k) {
    assumptions += (k > 0 ? " + " : "") + scenario.assumptions[k];
    assumption_files += (k > 0 ? "; " : "") + scenario.assumption_files[k];
  }
  string_attr(root, "assumptions", assumptions);
  string_attr(root, "assumption_files", assumption_files);
  int_attr(root, "seed", scenario.params.simulation.seed);
  int_attr(root, "replicates", scenario.params.simulation.replicates);
  int_attr(root, "weeks", scenario.params.simulation.weeks);
  int_attr(root, "burn_in_weeks", scenario.params.simulation.burn_in_weeks);
  number_attr(root, "population_scale", scenario.params.simulation.population_scale);
  string_attr(root, "baseline", scenario.strategies.empty() ? "" : scenario.strategies[0].name);
}

// Writes through `fill` into a temporary file renamed to `path` only when complete, so no
// half-written file ever carries the final name.
// Temporary files PATH.tmp.PID of processes that no longer run (killed while writing) are
// removed, so repeated crashes leave nothing behind; a live process's file is left alone.
void remove_stale_temporaries(const std::string& path) {
  const std::filesystem::path target(path);
  const auto dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  const std::string prefix = target.filename().string() + ".tmp.";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = e.path().filename().string();
    if (!name.starts_with(prefix)) continue;
    const auto pid_text = name.substr(prefix.size());
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid == ::getpid()) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // running, or not ours to judge
    std::filesystem::remove(e.path(), ec);
  }
}

std::string megabytes(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1e6);
  return buf;
}

// Writes the `size` bytes at `image` to `tmp` with checked writes and an fsync, so that a full
// disk (or a file size limit) is reported as such. On failure `tmp` is removed.
void write_image(const std::string& path, const std::string& tmp, const char* image,
                 std::size_t size) {
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  auto fail = [&](int error) {
    if (fd >= 0) ::close(fd);
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    std::string what = path + ": cannot write " + megabytes(static_cast<double>(size)) + ": " +
                       std::strerror(error);
    const auto dir = std::filesystem::path(tmp).parent_path();
    struct statvfs fs {};
    if (::statvfs(dir.empty() ? "." : dir.c_str(), &fs) == 0) {
      what += " (" + megabytes(static_cast<double>(fs.f_bavail) * fs.f_frsize) +
              " free on that file system)";
    }
    throw std::runtime_error(what);
  };
  if (fd < 0) fail(errno);
  std::size_t done = 0;
  while (done < size) {
    const auto n = ::write(fd, image + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(n < 0 ? errno : ENOSPC);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail(errno);
  if (::close(fd) != 0) {
    const int error = errno;
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error(path + ": cannot write: " + std::strerror(error));
  }
}

// The memory of an in-memory HDF5 file, allocated through HDF5's file image callbacks so that it
// stays with this object when the file is closed: the image is written to disk from it as it is.
// Taking a copy instead (H5Fget_file_image) held the whole file twice at the peak of a run.
class OwnedImage {
 public:
  OwnedImage() = default;
  OwnedImage(const OwnedImage&) = delete;
  OwnedImage& operator=(const OwnedImage&) = delete;
  ~OwnedImage() { std::free(memory_); }
  const char* data() const { return static_cast<const char*>(memory_); }
  std::size_t capacity() const { return capacity_; }
  // Makes the core driver of `access` allocate through this object.
  void attach(H5::FileAccPropList& access) {
    H5FD_file_image_callbacks_t callbacks{&OwnedImage::allocate,
                                          &OwnedImage::copy,
                                          &OwnedImage::reallocate,
                                          &OwnedImage::release,
                                          &OwnedImage::same_udata,
                                          &OwnedImage::no_udata_to_free,
                                          this};
    if (H5Pset_file_image_callbacks(access.getId(), &callbacks) < 0)
      throw std::runtime_error("cannot set up the memory of an in-memory HDF5 file");
  }

 private:
  static void* allocate(std::size_t size, H5FD_file_image_op_t, void* self) {
    return static_cast<OwnedImage*>(self)->hold(std::malloc(size), size);
  }
  static void* copy(void* to, const void* from, std::size_t size, H5FD_file_image_op_t, void*) {
    return std::memcpy(to, from, size);
  }
  static void* reallocate(void* memory, std::size_t size, H5FD_file_image_op_t, void* self) {
    return static_cast<OwnedImage*>(self)->hold(std::realloc(memory, size), size);
  }
  // The driver lets go of its memory when the file closes: this object keeps it then.
  static herr_t release(void* memory, H5FD_file_image_op_t op, void* self) {
    auto* image = static_cast<OwnedImage*>(self);
    if (op == H5FD_FILE_IMAGE_OP_FILE_CLOSE && memory == image->memory_) return 0;
    if (memory == image->memory_) image->memory_ = nullptr, image->capacity_ = 0;
    std::free(memory);
    return 0;
  }
  // The property list copies its user data pointer with it; this object outlives every copy.
  static void* same_udata(void* self) { return self; }
  static herr_t no_udata_to_free(void*) { return 0; }
  // The core driver has one block of memory at a time: the one last allocated or moved.
  void* hold(void* memory, std::size_t size) {
    if (memory) memory_ = memory, capacity_ = size;
    return memory;
  }
  void* memory_ = nullptr;
  std::size_t capacity_ = 0;
};

// The file is composed in memory (HDF5's core driver, no backing store) and then written with
// checked writes: the HDF5 library never meets a failing write (after one it can crash while
// closing the file), so a full disk ends in a clear error, no temporary file and no change to
// `path`.
template <class Fill>
void write_atomically_impl(const std::string& path, Fill&& fill) {
  remove_stale_temporaries(path);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  OwnedImage image;
  std::size_t size = 0;
  try {
    H5::Exception::dontPrint();
    H5::FileAccPropList in_memory;
    if (H5Pset_fapl_core(in_memory.getId(), 1 << 20, 0) < 0)
      throw std::runtime_error(path + ": cannot set up an in-memory HDF5 file");
    image.attach(in_memory);
    H5::H5File file(tmp, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, in_memory);
    fill(file);
    file.flush(H5F_SCOPE_GLOBAL);
    const auto end = H5Fget_file_image(file.getId(), nullptr, 0);
    if (end < 0) throw std::runtime_error(path + ": cannot take the image of the HDF5 file");
    size = static_cast<std::size_t>(end);
    file.close();
  } catch (const H5::Exception& e) {
    throw std::runtime_error(path + ": cannot write result file: " + e.getDetailMsg());
  }
  if (size > image.capacity())
    throw std::runtime_error(path + ": the in-memory HDF5 file is shorter than its end");
  write_image(path, tmp, image.data(), size);
  try {
    std::filesystem::rename(tmp, path);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
}

}  // namespace

std::string text_hash(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a 64-bit offset basis
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace h5 {
void strings_attr(H5::H5Object& obj, const std::string& name,
                  const std::vector<std::string>& values) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  hsize_t n = values.size();
  H5::DataSpace space(1, &n);
  auto attr = obj.createAttribute(name, type, space);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n > 0) attr.write(type, ptrs.data());
}
void string_attr(H5::H5Object& obj, const std::string& name, const std::string& value) {
  drift::string_attr(obj, name, value);
}
void number_attr(H5::H5Object& obj, const std::string& name, double value) {
  drift::number_attr(obj, name, value);
}
void int_attr(H5::H5Object& obj, const std::string& name, long long value) {
  drift::int_attr(obj, name, value);
}
void strings(H5::Group& g, const std::string& name, const std::vector<std::string>& values) {
  write_strings(g, name, values);
}
H5::DataSet array(H5::Group& g, const std::string& name, const std::vector<hsize_t>& shape,
                  const std::vector<double>& values, const std::string& unit,
                  const std::string& description, const std::string& dims) {
  return write_array(g, name, shape, values, unit, description, dims);
}
void root_attributes(H5::H5File& file, const Scenario& scenario, const std::string& command_line) {
  write_root_attributes_impl(file, scenario, command_line);
}
void write_atomically(const std::string& path, const std::function<void(H5::H5File&)>& fill) {
  write_atomically_impl(path, fill);
}
}  // namespace h5

}  // namespace drift
