#include "drift/experiments/runner.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "drift/results/results.hpp"

namespace drift {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'D', 'R', 'P', 'A', 'R', 'T', '0', '3'};

std::string part_path(const std::string& dir, std::size_t point, int replicate) {
  return dir + "/unit_" + std::to_string(point) + "_" + std::to_string(replicate) + ".part";
}

void put(std::ofstream& o, const std::vector<double>& v) {
  const std::uint64_t n = v.size();
  o.write(reinterpret_cast<const char*>(&n), sizeof n);
  o.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(n * sizeof(double)));
}

bool get(std::ifstream& in, std::vector<double>& v) {
  std::uint64_t n = 0;
  if (!in.read(reinterpret_cast<char*>(&n), sizeof n) || n > (1ull << 34)) return false;
  v.resize(n);
  return static_cast<bool>(in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(double))));
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

void write_part(const std::string& path, const std::string& key, const std::vector<RunOutput>& runs) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    o.write(kMagic, sizeof kMagic);
    o.write(key.data(), 16);
    const std::uint64_t n = runs.size();
    o.write(reinterpret_cast<const char*>(&n), sizeof n);
    for (const auto& r : runs) {
      const std::int64_t dims[2] = {r.weeks, r.areas};
      o.write(reinterpret_cast<const char*>(dims), sizeof dims);
      put(o, r.by_area);
      put(o, r.city);
      put(o, r.interventions);
      o.write(reinterpret_cast<const char*>(&r.fixed_cost), sizeof r.fixed_cost);
      put(o, r.trial);
      const std::int64_t ages[2] = {r.min_age, r.ages};
      o.write(reinterpret_cast<const char*>(ages), sizeof ages);
      put(o, r.present_by_age);
      put(o, r.new_suspects);
      put(o, r.new_drug_suspects);
      for (const auto* c : r.ledger.columns()) put(o, *c);
    }
    o.flush();
    if (!o) throw std::runtime_error(tmp + ": cannot write part file");
  }
  fs::rename(tmp, path);
}

bool read_part(const std::string& path, const std::string& key, std::vector<RunOutput>& runs) {
  std::ifstream in(path, std::ios::binary);
  char magic[8], stored[16];
  if (!in.read(magic, 8) || std::string(magic, 8) != std::string(kMagic, 8)) return false;
  if (!in.read(stored, 16) || std::string(stored, 16) != key) return false;
  std::uint64_t n = 0;
  if (!in.read(reinterpret_cast<char*>(&n), sizeof n) || n > 100000) return false;
  runs.assign(n, RunOutput{});
  for (auto& r : runs) {
    std::int64_t dims[2];
    if (!in.read(reinterpret_cast<char*>(dims), sizeof dims)) return false;
    r.weeks = static_cast<int>(dims[0]);
    r.areas = static_cast<int>(dims[1]);
    if (!get(in, r.by_area) || !get(in, r.city) || !get(in, r.interventions)) return false;
    if (!in.read(reinterpret_cast<char*>(&r.fixed_cost), sizeof r.fixed_cost)) return false;
    if (!get(in, r.trial)) return false;
    std::int64_t ages[2];
    if (!in.read(reinterpret_cast<char*>(ages), sizeof ages)) return false;
    r.min_age = static_cast<int>(ages[0]);
    r.ages = static_cast<int>(ages[1]);
    if (!get(in, r.present_by_age) || !get(in, r.new_suspects) || !get(in, r.new_drug_suspects)) return false;
    for (auto* c : r.ledger.columns()) {
      if (!get(in, *c)) return false;
    }
  }
  return true;
}

bool part_valid(const std::string& path, const std::string& key) {
  std::vector<RunOutput> runs;
  return fs::exists(path) && read_part(path, key, runs);
}

}  // namespace

std::size_t run_units(const Scenario& scenario, const SweepDesign& design,
                      const std::string& parts_dir, const RunOptions& options, int shard, int shards) {
  fs::create_directories(parts_dir);
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
      if (part_valid(part_path(parts_dir, p, r), unit_key(scenario, keys[p], r))) continue;
      if (static_cast<int>(u % shards) == shard) {
        todo.push_back({p, r});
      } else {
        ++missing_elsewhere;
      }
    }
  }
  const int threads = std::max(1, options.threads);
  const bool across = todo.size() >= static_cast<std::size_t>(threads) && threads > 1;
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
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic) num_threads(across ? threads : 1)
  for (std::size_t k = 0; k < todo.size(); ++k) {
    try {
      const auto& u = todo[k];
      const auto runs = run_unit(at[u.point], u.replicate, across ? 1 : threads, options.cancel, tick);
      write_part(part_path(parts_dir, u.point, u.replicate),
                 unit_key(scenario, keys[u.point], u.replicate), runs);
    } catch (...) {
#pragma omp critical(drift_runner_failure)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  return missing_elsewhere;
}

ExperimentOutput load_point(const Scenario& base, const SweepDesign& design,
                            const std::string& parts_dir, std::size_t point) {
  const Scenario point_scenario = scenario_at(base, design, point);
  ExperimentOutput out = empty_output(point_scenario);
  const auto key = point_key(base, design, point);
  const int replicates = point_scenario.params.simulation.replicates;
  for (int r = 0; r < replicates; ++r) {
    std::vector<RunOutput> runs;
    const auto path = part_path(parts_dir, point, r);
    if (!read_part(path, unit_key(base, key, r), runs) || runs.size() != out.strategies.size()) {
      throw std::runtime_error(path + ": missing or unreadable part file");
    }
    for (std::size_t s = 0; s < runs.size(); ++s) out.strategies[s].replicates.push_back(std::move(runs[s]));
  }
  return out;
}

void remove_parts(const std::string& parts_dir) {
  if (!fs::exists(parts_dir)) return;
  for (const auto& e : fs::directory_iterator(parts_dir)) {
    const auto name = e.path().filename().string();
    if (name.starts_with("unit_")) fs::remove(e.path());
  }
  if (fs::is_empty(parts_dir)) fs::remove(parts_dir);
}

}  // namespace drift
