#include "cpu_probe.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <iomanip>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace drift::bench {

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

bool binds_threads(const char* proc_bind) {
  if (proc_bind == nullptr) return false;
  std::string value(proc_bind);
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string::npos) return false;
  value = value.substr(first, value.find_last_not_of(" \t") - first + 1);
  for (auto& ch : value) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return value != "false";
}

std::string inherited_binding_problem(const char* proc_bind, std::size_t allowed, long online) {
  if (!binds_threads(proc_bind) || online <= 0 || allowed >= static_cast<std::size_t>(online))
    return "";
  return std::string("OMP_PROC_BIND=") + proc_bind + " binds OpenMP threads, so this process was " +
         "bound to " + std::to_string(allowed) + " of the " + std::to_string(online) +
         " online CPUs when it started, and every measurement it starts would inherit that (two " +
         "threads on one CPU). Unset OMP_PROC_BIND or set it to false; to measure on chosen " +
         "CPUs, use taskset or --per-cpu";
}

bool pin_this_thread(int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return ::pthread_setaffinity_np(::pthread_self(), sizeof set, &set) == 0;
}

void run_pinned(int cpu, const std::function<void()>& work) {
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      if (!pin_this_thread(cpu))
        throw std::runtime_error("cannot run on CPU " + std::to_string(cpu));
      work();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
}

std::vector<std::uint32_t> single_cycle(std::size_t n, std::uint64_t seed) {
  std::vector<std::uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
  // Sattolo: swapping each slot only with an earlier one gives a permutation of one cycle.
  std::mt19937_64 engine(seed);
  for (std::size_t i = n; i-- > 1;) {
    std::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(order[i], order[pick(engine)]);
  }
  std::vector<std::uint32_t> next(n);
  for (std::size_t i = 0; i < n; ++i) next[order[i]] = order[(i + 1) % n];
  return next;
}

double load_latency_ns(std::size_t bytes, long loads) {
  const std::size_t n = std::max<std::size_t>(2, bytes / sizeof(std::uint32_t));
  const auto next = single_cycle(n, 20261130);
  std::uint32_t at = 0;
  // Warm the caches and the page tables, with at most a million loads.
  for (std::size_t k = 0; k < std::min<std::size_t>(n, 1u << 20); ++k) at = next[at];
  const auto t0 = std::chrono::steady_clock::now();
  for (long k = 0; k < loads; ++k) at = next[at];
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // The final slot is used, so the chain of loads cannot be left out.
  volatile std::uint32_t sink = at;
  (void)sink;
  return 1e9 * seconds / static_cast<double>(loads);
}

Capacity capacity(const std::vector<double>& one_thread, double threads) {
  Capacity c;
  double sum = 0;
  for (double v : one_thread) {
    c.fastest = std::max(c.fastest, v);
    sum += v;
  }
  if (c.fastest <= 0) return c;
  c.together = sum / c.fastest;
  c.speedup = threads / c.fastest;
  c.share = threads / sum;
  return c;
}

std::string describe_capacity(const Capacity& c, int threads) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2)
    << "  the CPUs together (sum of their one-thread speeds): " << c.together
    << "x the fastest alone\n  " << threads << " threads: " << c.speedup
    << "x the fastest CPU's one thread, " << std::setprecision(0) << 100 * c.share
    << "% of what the CPUs give together\n";
  return s.str();
}

}  // namespace drift::bench
