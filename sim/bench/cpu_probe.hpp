#pragma once
// What each CPU of the machine gives one thread: the CPUs this process may run on, work pinned to
// one of them, and the latency of a dependent load from a working set of a given size. On a
// virtual machine the CPUs need not be equal (a host's other guests share their caches), and a
// one-thread figure then depends on where the thread happened to run; drift_bench --per-cpu
// measures on each CPU in turn and compares two threads with what the CPUs give together.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace drift::bench {

// The CPUs in this process's affinity mask, in increasing order.
std::vector<int> allowed_cpus();

// Whether OMP_PROC_BIND with this value (nullptr: unset) binds OpenMP threads to places: any
// value but "false" (in any case, with blanks around it) does.
bool binds_threads(const char* proc_bind);

// With OMP_PROC_BIND binding threads, the OpenMP runtime binds a program's first thread to one
// place when it starts, and every process the program starts inherits that mask: a measurement
// of two threads started from it runs them on one CPU. A message saying so when `proc_bind` binds
// threads and this process may use fewer CPUs (`allowed`) than are online; "" otherwise.
std::string inherited_binding_problem(const char* proc_bind, std::size_t allowed, long online);

// Restricts the calling thread to `cpu`; false when the system refuses. Threads and processes it
// starts afterwards inherit the restriction.
bool pin_this_thread(int cpu);

// Runs `work` on a new thread pinned to `cpu` and returns when it has finished (an exception
// thrown by `work` is thrown again here). Only for one-thread work: OpenMP teams it starts would
// share the one CPU.
void run_pinned(int cpu, const std::function<void()>& work);

// next[i] of one random cycle through all n slots (Sattolo's shuffle), so that following it from
// any slot visits every slot before returning.
std::vector<std::uint32_t> single_cycle(std::size_t n, std::uint64_t seed);

// Nanoseconds per load of `loads` dependent loads following single_cycle over `bytes` of memory:
// the latency of the cache level (or main memory) that holds a working set of that size.
double load_latency_ns(std::size_t bytes, long loads);

// Two threads against what the CPUs give one thread each. With equal CPUs `together` is their
// number and `share` the usual parallel efficiency; with unequal ones a speed-up against one
// thread depends on which CPU that thread ran on, and only `share` says how much of the machine
// the threads used.
struct Capacity {
  double fastest = 0;   // the fastest CPU's one-thread speed
  double together = 0;  // the sum of the CPUs' one-thread speeds, over the fastest's
  double speedup = 0;   // the threads' speed over the fastest CPU's one-thread speed
  double share = 0;     // the threads' speed over the sum of the CPUs' one-thread speeds
};
// `one_thread`: the speed of one thread on each CPU the threads may use (work per second, any
// unit); `threads`: the speed of all of them at once, in the same unit.
Capacity capacity(const std::vector<double>& one_thread, double threads);

// "  CPUs together: ...; N threads: ..." lines for the benchmark's tables.
std::string describe_capacity(const Capacity& c, int threads);

}  // namespace drift::bench
