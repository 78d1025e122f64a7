#include "drift/step/profile.hpp"

#include <array>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <sstream>

namespace drift::profile {

namespace {

constexpr auto kSections = static_cast<std::size_t>(Section::count);

constexpr std::array<const char*, kSections> kLabels = {
#define DRIFT_SECTION(name, label) label,
    DRIFT_PROFILE_SECTIONS(DRIFT_SECTION)
#undef DRIFT_SECTION
};

std::atomic<bool> on{false};
std::array<std::atomic<std::int64_t>, kSections> nanoseconds{};
std::atomic<std::int64_t> youth_weeks_stepped{0};
std::atomic<bool> passes_on{false};
std::atomic<std::int64_t> pass_count{0};
std::atomic<std::int64_t> pass_wall_ns{0};
std::atomic<std::int64_t> pass_busy_ns{0};

std::mutex& intervention_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, std::int64_t>& intervention_nanoseconds() {
  static std::map<std::string, std::int64_t> m;
  return m;
}

thread_local const std::vector<std::string>* labels = nullptr;
thread_local bool suspended = false;

std::int64_t count(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

}  // namespace

void enable(bool value) {
  on.store(value, std::memory_order_relaxed);
}

bool enabled() {
  return on.load(std::memory_order_relaxed);
}

bool timing() {
  return !suspended && enabled();
}

Suspend::Suspend() : previous_(suspended) {
  suspended = true;
}

Suspend::~Suspend() {
  suspended = previous_;
}

void clear() {
  for (auto& n : nanoseconds) n.store(0);
  youth_weeks_stepped.store(0);
  const std::lock_guard guard(intervention_mutex());
  intervention_nanoseconds().clear();
}

void add(Section s, std::chrono::steady_clock::duration d) {
  nanoseconds[static_cast<std::size_t>(s)].fetch_add(count(d), std::memory_order_relaxed);
}

void add_youth_weeks(std::int64_t youths) {
  youth_weeks_stepped.fetch_add(youths, std::memory_order_relaxed);
}

double youth_weeks() {
  return static_cast<double>(youth_weeks_stepped.load());
}

void add_intervention(const std::string& label, std::chrono::steady_clock::duration d) {
  const std::lock_guard guard(intervention_mutex());
  intervention_nanoseconds()[label] += count(d);
}

void time_parallel_passes(bool value) {
  passes_on.store(value, std::memory_order_relaxed);
}

bool parallel_passes_timed() {
  return passes_on.load(std::memory_order_relaxed);
}

void add_parallel_pass(std::chrono::steady_clock::duration wall,
                       std::chrono::steady_clock::duration busy) {
  pass_count.fetch_add(1, std::memory_order_relaxed);
  pass_wall_ns.fetch_add(count(wall), std::memory_order_relaxed);
  pass_busy_ns.fetch_add(count(busy), std::memory_order_relaxed);
}

ParallelPasses parallel_passes() {
  return {pass_count.load(), static_cast<double>(pass_wall_ns.load()) * 1e-9,
          static_cast<double>(pass_busy_ns.load()) * 1e-9};
}

void clear_parallel_passes() {
  pass_count.store(0);
  pass_wall_ns.store(0);
  pass_busy_ns.store(0);
}

InterventionLabels::InterventionLabels(const std::vector<std::string>* l) : previous_(labels) {
  labels = l;
}

InterventionLabels::~InterventionLabels() {
  labels = previous_;
}

std::string intervention_label(std::size_t k) {
  if (labels != nullptr && k < labels->size()) return (*labels)[k];
  return "intervention " + std::to_string(k);
}

std::vector<Row> rows() {
  std::vector<Row> out;
  for (std::size_t s = 0; s < kSections; ++s)
    out.push_back({kLabels[s], static_cast<double>(nanoseconds[s].load()) * 1e-9, false});
  const std::lock_guard guard(intervention_mutex());
  for (const auto& [label, ns] : intervention_nanoseconds())
    out.push_back({label, static_cast<double>(ns) * 1e-9, true});
  return out;
}

std::string format(const std::vector<Row>& rows, double youth_weeks) {
  double total = 0;
  for (const auto& r : rows) total += r.intervention ? 0.0 : r.seconds;
  std::ostringstream o;
  char line[256];
  std::snprintf(line, sizeof line, "%-58s %10s %7s%s\n", "section", "seconds", "share",
                youth_weeks > 0 ? "  ns/youth-week" : "");
  o << line;
  for (const auto& r : rows) {
    const std::string label = r.intervention ? "  " + r.label : r.label;
    std::snprintf(line, sizeof line, "%-58s %10.3f %6.1f%%", label.c_str(), r.seconds,
                  total > 0 ? 100.0 * r.seconds / total : 0.0);
    o << line;
    if (youth_weeks > 0) {
      std::snprintf(line, sizeof line, "  %14.2f", 1e9 * r.seconds / youth_weeks);
      o << line;
    }
    o << "\n";
  }
  std::snprintf(line, sizeof line, "%-58s %10.3f %6.1f%%", "total (thread-seconds)", total, 100.0);
  o << line;
  if (youth_weeks > 0) {
    std::snprintf(line, sizeof line, "  %14.2f", 1e9 * total / youth_weeks);
    o << line;
  }
  o << "\n";
  return o.str();
}

}  // namespace drift::profile
