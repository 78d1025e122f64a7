#include "drift/experiments/runner.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "drift/experiments/build_cache.hpp"
#include "drift/results/part_file.hpp"
#include "drift/results/results.hpp"
#include "drift/step/profile.hpp"
#include "unit_jobs.hpp"

namespace drift {

namespace fs = std::filesystem;

namespace {

std::string part_path(const std::string& dir, std::size_t point, int replicate) {
  return dir + "/unit_" + std::to_string(point) + "_" + std::to_string(replicate) + ".part";
}

// The hash of the resolved scenario and the point's values ties a part to exactly the
// configuration it ran.
std::string point_key(const Scenario& base, const SweepDesign& design, std::size_t point) {
  std::ostringstream text;
  text << base.resolved_yaml;
  if (!design.points.empty()) {
    for (double v : design.points[point]) text << '|' << format_number(v);
  }
  return text_hash(text.str());
}

// With a posterior, the replicate's draw is part of its configuration too.
std::string unit_key(const Scenario& base, const std::string& point_key, int replicate) {
  const auto& post = base.posterior;
  if (post.empty() || static_cast<std::size_t>(replicate) >= post.points.size()) return point_key;
  std::ostringstream text;
  text << point_key << "|posterior";
  for (const auto& p : post.paths) text << '|' << p;
  text << '#' << post.draw_index[replicate];
  for (double v : post.points[replicate]) text << '|' << format_number(v);
  return text_hash(text.str());
}

// Reads the part of a unit; a part with another number of runs than the scenario has
// strategies is damaged too.
PartRead read_unit(const std::string& path, const std::string& key, std::size_t strategies,
                   std::vector<RunOutput>& runs) {
  auto read = read_part_file(path, key, runs);
  if (read.ok() && runs.size() != strategies) {
    read.status = PartStatus::damaged;
    read.damage = PartDamage::shape;
    read.reason = damage_name(PartDamage::shape) + ": " + std::to_string(runs.size()) +
                  " runs, expected " + std::to_string(strategies);
  }
  return read;
}

}  // namespace

// ---- The lock of a parts folder -------------------------------------------------------------

namespace {

// The locks this process holds, by path: a nested PartsLock of the same file shares the first.
struct HeldLock {
  int fd = -1;  // -1: the file system cannot lock; the run goes on unprotected
  int count = 0;
};
std::mutex& held_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, HeldLock>& held_locks() {
  static std::map<std::string, HeldLock> m;
  return m;
}

std::string lock_name(int shard, int shards) {
  if (shards <= 1) return ".lock";
  return ".lock." + std::to_string(shard) + "-of-" + std::to_string(shards);
}

bool is_lock_name(const std::string& name) {
  return name == ".lock" || name.starts_with(".lock.");
}

std::string this_host() {
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return "unknown";
  return host;
}

// "pid N on host H" from a lock file's text "pid N host H".
std::string holder(int fd) {
  char buf[512] = {};
  const auto n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::istringstream in(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0));
  std::string pid_word, pid, host_word, host;
  if (!(in >> pid_word >> pid) || pid_word != "pid") return "pid unknown";
  std::string text = "pid " + pid;
  if (in >> host_word >> host && host_word == "host" && host != this_host())
    text += " on host " + host;
  return text;
}

[[noreturn]] void busy(const std::string& dir, int fd) {
  throw PartsBusy(dir + " is being used by another drift process (" + holder(fd) +
                  "); wait for it or use another --out");
}

// Whether another process holds the lock file `path` (which this process does not hold); throws
// PartsBusy naming it when it does.
void check_not_held(const std::string& dir, const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    try {
      busy(dir, fd);
    } catch (...) {
      ::close(fd);
      throw;
    }
  }
  ::close(fd);  // releases the probe's lock
}

bool held_here(const std::string& path) {
  std::lock_guard guard(held_mutex());
  return held_locks().contains(path);
}

}  // namespace

PartsLock::PartsLock(const std::string& parts_dir, int shard, int shards)
    : path_(parts_dir + "/" + lock_name(shard, shards)) {
  std::lock_guard guard(held_mutex());
  auto& held = held_locks();
  if (auto it = held.find(path_); it != held.end()) {
    ++it->second.count;
    return;
  }
  int fd = -1;
  for (int attempt = 0;; ++attempt) {
    fs::create_directories(parts_dir);
    fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      if (errno == ENOENT && attempt < 10) continue;  // the folder was just removed
      throw std::runtime_error(path_ + ": cannot create the lock file: " + std::strerror(errno));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      if (error == EWOULDBLOCK) {
        try {
          busy(parts_dir, fd);
        } catch (...) {
          ::close(fd);
          throw;
        }
      }
      // Some cluster file systems cannot lock: say so and go on.
      ::close(fd);
      std::cerr << path_ << ": cannot lock (" << std::strerror(error)
                << "); not protected against a second drift process in " << parts_dir << "\n";
      held[path_] = {-1, 1};
      return;
    }
    // The previous holder removes its lock file when done: if it did so after we opened it, we
    // hold a lock on a file nobody else will see; take the new one.
    struct stat mine {
    }, named{};
    if (::fstat(fd, &mine) == 0 && ::stat(path_.c_str(), &named) == 0 &&
        mine.st_dev == named.st_dev && mine.st_ino == named.st_ino) {
      break;
    }
    ::close(fd);
    if (attempt >= 10) throw std::runtime_error(path_ + ": cannot take the lock");
  }
  const std::string text = "pid " + std::to_string(::getpid()) + " host " + this_host() + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) < 0) {
    // The lock holds without the text; a second process then reports "pid unknown".
  }
  held[path_] = {fd, 1};
  // The whole plan and its shards exclude each other: the unsharded run checks that no shard is
  // running, a shard that no unsharded run is.
  try {
    std::vector<std::string> others;
    if (shards <= 1) {
      for (const auto& e : fs::directory_iterator(parts_dir)) {
        const auto name = e.path().filename().string();
        if (name.starts_with(".lock.")) others.push_back(e.path().string());
      }
    } else {
      others.push_back(parts_dir + "/.lock");
    }
    for (const auto& other : others) {
      if (!held.contains(other)) check_not_held(parts_dir, other);
    }
  } catch (...) {
    held.erase(path_);
    ::unlink(path_.c_str());
    ::close(fd);
    throw;
  }
}

PartsLock::~PartsLock() {
  std::lock_guard guard(held_mutex());
  auto& held = held_locks();
  auto it = held.find(path_);
  if (it == held.end() || --it->second.count > 0) return;
  if (it->second.fd >= 0) {
    ::unlink(path_.c_str());  // while still holding it (see the constructor)
    ::close(it->second.fd);
  }
  held.erase(it);
  std::error_code ec;
  const auto dir = fs::path(path_).parent_path();
  if (fs::is_empty(dir, ec) && !ec) fs::remove(dir, ec);
}

void keep_freed_memory_for_reuse() {
#ifdef __GLIBC__
  // Setting either threshold also turns off glibc's own adjustment of both.
  ::mallopt(M_MMAP_THRESHOLD, 64 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

std::size_t run_units(const Scenario& scenario, const SweepDesign& design,
                      const std::string& parts_dir, const RunOptions& options, int shard,
                      int shards) {
  const PartsLock lock(parts_dir, shard, shards);
  const int replicates = scenario.params.simulation.replicates;
  const std::size_t points = design.size();
  std::vector<Scenario> at;
  std::vector<std::string> keys;
  for (std::size_t p = 0; p < points; ++p) {
    at.push_back(scenario_at(scenario, design, p));
    keys.push_back(point_key(scenario, design, p));
  }
  struct Unit {
    std::size_t point;
    int replicate;
  };
  std::vector<Unit> todo;
  std::size_t missing_elsewhere = 0;
  for (std::size_t p = 0; p < points; ++p) {
    for (int r = 0; r < replicates; ++r) {
      const std::size_t u = p * replicates + r;
      const auto path = part_path(parts_dir, p, r);
      std::vector<RunOutput> runs;
      const auto read =
          read_unit(path, unit_key(scenario, keys[p], r), scenario.strategies.size(), runs);
      if (read.ok()) continue;
      if (static_cast<int>(u % shards) == shard) {
        if (read.status == PartStatus::damaged) {
          std::cerr << path << ": damaged part file (" << read.reason
                    << "); the unit is run again\n";
        }
        todo.push_back({p, r});
      } else {
        ++missing_elsewhere;
      }
    }
  }
  const int threads = std::max(1, options.threads);
  const bool across = todo.size() >= static_cast<std::size_t>(threads) && threads > 1;
  // Points that differ only in parameters that do not shape the build (a calibration's, most
  // sweeps') share each replicate's built world (BuildCache). Taken replicate by replicate, the
  // units running at once need one kept world per thread. The order of the units changes no
  // result: each writes its own part file.
  BuildCache builds(points > 1 ? static_cast<std::size_t>(threads) : 0);
  if (points > 1) {
    std::stable_sort(todo.begin(), todo.end(),
                     [](const Unit& a, const Unit& b) { return a.replicate < b.replicate; });
  }
  const std::size_t strategies = scenario.strategies.size();
  const std::size_t total = todo.size() * strategies;
  std::size_t done = 0;
  auto tick = [&] {
#pragma omp critical(drift_runner_progress)
    {
      ++done;
      if (options.progress) options.progress(done, total);
    }
  };
  auto write_part = [&](std::size_t k, std::vector<RunOutput> runs) {
    const auto& u = todo[k];
    const profile::Scope timed(profile::Section::part_files);
    write_part_file(part_path(parts_dir, u.point, u.replicate),
                    unit_key(scenario, keys[u.point], u.replicate), std::move(runs));
  };
  if (!across) {
    // One unit at a time, the threads inside it (its burn-in, then its strategies side by side).
    for (std::size_t k = 0; k < todo.size(); ++k)
      write_part(k, run_unit(at[todo[k].point], todo[k].replicate, threads, options.cancel, tick,
                             &builds));
    return missing_elsewhere;
  }
  // Units side by side, one thread each: a unit's strategies are jobs that any free thread takes
  // from its burnt-in world (detail::run_unit_jobs), so no thread idles while another finishes
  // the strategies of its last unit alone. Each run is a pure function of its unit and strategy.
  const auto order = costliest_first(scenario);
  std::vector<std::unique_ptr<UnitRun>> prepared(todo.size());
  std::vector<std::vector<RunOutput>> runs(todo.size());
  detail::run_unit_jobs(
      todo.size(), strategies, threads,
      [&](std::size_t k) {
        prepared[k] = std::make_unique<UnitRun>(at[todo[k].point], todo[k].replicate, 1,
                                                options.cancel, &builds);
        runs[k].resize(strategies);
      },
      [&](std::size_t k, std::size_t j) {
        runs[k][order[j]] = prepared[k]->run_strategy(order[j], 1);
        tick();
      },
      [&](std::size_t k) {
        prepared[k].reset();
        write_part(k, std::move(runs[k]));
      });
  return missing_elsewhere;
}

ExperimentOutput load_point(const Scenario& base, const SweepDesign& design,
                            const std::string& parts_dir, std::size_t point) {
  const profile::Scope timed(profile::Section::read_parts);
  const Scenario point_scenario = scenario_at(base, design, point);
  ExperimentOutput out = empty_output(point_scenario);
  const auto key = point_key(base, design, point);
  const int replicates = point_scenario.params.simulation.replicates;
  for (int r = 0; r < replicates; ++r) {
    std::vector<RunOutput> runs;
    const auto path = part_path(parts_dir, point, r);
    const auto read = read_unit(path, unit_key(base, key, r), out.strategies.size(), runs);
    if (read.status == PartStatus::missing) throw std::runtime_error(path + ": missing part file");
    if (!read.ok()) throw std::runtime_error(path + ": damaged part file (" + read.reason + ")");
    for (std::size_t s = 0; s < runs.size(); ++s)
      out.strategies[s].replicates.push_back(std::move(runs[s]));
  }
  return out;
}

void remove_parts(const std::string& parts_dir) {
  if (!fs::exists(parts_dir)) return;
  for (const auto& e : fs::directory_iterator(parts_dir)) {
    const auto name = e.path().filename().string();
    if (name.starts_with("unit_")) {
      fs::remove(e.path());
    } else if (is_lock_name(name)) {
      // A lock file left by a process that ended without removing it (killed); a lock held
      // here is removed when released, and one held elsewhere stays.
      const auto path = e.path().string();
      if (held_here(path)) continue;
      const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
      if (fd < 0) continue;
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0) ::unlink(path.c_str());
      ::close(fd);
    }
  }
  if (fs::is_empty(parts_dir)) fs::remove(parts_dir);
}

}  // namespace drift
