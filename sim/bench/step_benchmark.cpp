#include "step_benchmark.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpu_probe.hpp"
#include "figures.hpp"
#include "pass_split.hpp"
#include "reference_program.hpp"
#include "step_measurement.hpp"

namespace drift::bench {

namespace {

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

using Record = std::map<std::string, std::string>;

Record parse_record(const std::string& line) {
  Record r;
  std::istringstream in(line);
  std::string tok;
  in >> tok;  // drift_bench_result
  while (in >> tok) {
    const auto eq = tok.find('=');
    if (eq != std::string::npos) r[tok.substr(0, eq)] = tok.substr(eq + 1);
  }
  return r;
}

double num(const Record& r, const std::string& key) {
  const auto it = r.find(key);
  return it == r.end() ? 0.0 : std::strtod(it->second.c_str(), nullptr);
}

// Runs the program itself with `args` (pinned to `cpu` when it is not -1); returns the result
// line, or throws.
Record run_child(const std::vector<std::string>& args, int cpu = -1) {
  const auto exe = self_exe();
  if (exe.empty()) throw std::runtime_error("cannot find /proc/self/exe");
  int fd[2];
  if (pipe(fd) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (cpu >= 0 && !drift::bench::pin_this_thread(cpu)) _exit(126);
    close(fd[0]);
    dup2(fd[1], STDOUT_FILENO);
    close(fd[1]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(exe.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  close(fd[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("measurement process failed (" + std::to_string(status) + ")");
  }
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("drift_bench_result", 0) == 0) return parse_record(line);
  }
  throw std::runtime_error("measurement process printed no result");
}

std::string sci(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// A plain text table with right-aligned columns.
void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t c = 0; c < r.size(); ++c) {
      std::cout << (c ? "  " : "") << std::string(width[c] - r[c].size(), ' ') << r[c];
    }
    std::cout << "\n";
  };
  line(header);
  std::size_t total = 0;
  for (auto w : width) total += w + 2;
  std::cout << std::string(total - 2, '-') << "\n";
  for (const auto& r : rows) line(r);
}

void print_csv(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) {
  for (std::size_t c = 0; c < header.size(); ++c) std::cout << (c ? "," : "") << header[c];
  std::cout << "\n";
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) std::cout << (c ? "," : "") << r[c];
    std::cout << "\n";
  }
}

}  // namespace

int run_step_benchmark(const StepBenchOptions& o) {
  const auto& sizes = o.sizes;
  const auto& threads = o.threads;
  const int weeks = o.weeks;
  const int burn_in = o.burn_in;
  const int repeat = o.repeat;
  const auto& format = o.format;
  const auto& areas = o.areas;
  const bool profile = o.profile;
  const bool per_cpu = o.per_cpu;
  auto common = [&](double size, int t, bool prof) {
    std::vector<std::string> args = {
        "--single", fixed(size, 0),        "--threads", std::to_string(t),
        "--weeks",  std::to_string(weeks), "--burn-in", std::to_string(burn_in)};
    if (!areas.empty()) args.insert(args.end(), {"--areas", areas});
    if (!o.scenario.empty()) args.insert(args.end(), {"--scenario", o.scenario});
    if (prof) args.push_back("--profile");
    return args;
  };

  const bool table = format == "table";
  if (table) {
    std::cout << "drift_bench: "
              << (o.scenario.empty() ? std::string("default parameters, Utrecht districts")
                                     : "parameters and districts of " + o.scenario)
              << ", " << burn_in << " burn-in weeks, " << weeks << " timed weeks; load average "
              << fixed(load_average(), 2) << ", " << sysconf(_SC_NPROCESSORS_ONLN)
              << " online CPUs\n"
              << "(each row a fresh process; youth-weeks/s per core = youths x weeks / step time "
                 "/ threads)\n\n";
  }

  // runs[size][threads]: one record per repetition. Repetitions go round all configurations
  // in turn, so that a noisy spell on a shared machine hits every configuration alike; each
  // configuration is then represented by its run with the median step time.
  std::vector<std::vector<std::vector<Record>>> runs(
      sizes.size(), std::vector<std::vector<Record>>(threads.size()));
  // reference_runs[size][threads]: the reference step's youth-weeks/s, one per repetition.
  std::vector<std::vector<std::vector<double>>> reference_runs(
      sizes.size(), std::vector<std::vector<double>>(threads.size()));
  for (int rep = 0; rep < repeat; ++rep) {
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      for (std::size_t j = 0; j < threads.size(); ++j) {
        if (table) {
          std::cerr << "  measuring " << fixed(sizes[k], 0) << " youths on " << threads[j]
                    << " thread(s)";
          if (repeat > 1) std::cerr << ", run " << rep + 1 << " of " << repeat;
          std::cerr << "...\n";
        }
        runs[k][j].push_back(run_child(common(sizes[k], threads[j], false)));
        if (!o.reference.empty()) {
          // Right after the step's run, on its youths, weeks and threads, so that both meet
          // the same spell of the machine.
          const auto youths = static_cast<long>(num(runs[k][j].back(), "youths"));
          reference_runs[k][j].push_back(reference_speed(o.reference, youths, weeks, threads[j]));
        }
      }
    }
  }
  // Every run of one size, on any number of threads, must end in the same state.
  bool invariant = true;
  for (const auto& by_threads : runs) {
    for (const auto& reps : by_threads) {
      for (const auto& r : reps)
        invariant = invariant && r.at("hash") == by_threads.front().front().at("hash");
    }
  }
  // One thread pinned to each CPU, per size (median of the repetitions, as above).
  const auto cpus = per_cpu ? allowed_cpus() : std::vector<int>{};
  std::vector<std::vector<Record>> pinned(sizes.size());  // [size][cpu]
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    for (int cpu : cpus) {
      if (table)
        std::cerr << "  measuring " << fixed(sizes[k], 0) << " youths on one thread pinned to CPU "
                  << cpu << "...\n";
      std::vector<Record> reps;
      for (int rep = 0; rep < repeat; ++rep)
        reps.push_back(run_child(common(sizes[k], 1, false), cpu));
      std::sort(reps.begin(), reps.end(), [](const Record& a, const Record& b) {
        return num(a, "step_s") < num(b, "step_s");
      });
      for (const auto& r : reps) invariant = invariant && r.at("hash") == runs[k][0][0].at("hash");
      pinned[k].push_back(reps[reps.size() / 2]);
    }
  }
  std::vector<std::vector<Record>> results;  // [size][threads]: the median run
  for (auto& by_threads : runs) {
    std::vector<Record> row;
    for (auto& reps : by_threads) {
      std::sort(reps.begin(), reps.end(), [](const Record& a, const Record& b) {
        return num(a, "step_s") < num(b, "step_s");
      });
      Record median = reps[reps.size() / 2];
      const double yw = num(median, "youth_weeks") / num(median, "threads");
      median["range"] =
          sci(yw / num(reps.back(), "step_s")) + "-" + sci(yw / num(reps.front(), "step_s"));
      median["runs"] = std::to_string(reps.size());
      row.push_back(std::move(median));
    }
    results.push_back(std::move(row));
  }

  // Speed.
  std::vector<std::string> sh = {"target",   "youths",         "threads",
                                 "build_s",  "step_s",         "youth_weeks/s",
                                 "per_core", "per_core_range", "per_core_median_week",
                                 "speedup",  "efficiency",     "state_hash"};
  std::vector<std::vector<std::string>> srows;
  for (const auto& row : results) {
    const double base_s = num(row.front(), "step_s") * num(row.front(), "threads");
    for (const auto& r : row) {
      const double t = num(r, "threads");
      const double rate = num(r, "youth_weeks") / num(r, "step_s");
      const double median_rate = num(r, "youth_weeks") / num(r, "weeks") / num(r, "median_week_s");
      // Speed-up relative to the first thread count, scaled to one thread when that is not 1.
      const double speedup = base_s / num(r, "step_s");
      srows.push_back({fixed(num(r, "target"), 0), fixed(num(r, "youths"), 0), fixed(t, 0),
                       fixed(num(r, "build_s"), 3), fixed(num(r, "step_s"), 3), sci(rate),
                       sci(rate / t), r.at("range"), sci(median_rate / t), fixed(speedup, 2) + "x",
                       fixed(100 * speedup / t, 0) + "%", r.at("hash")});
    }
  }

  // Against the reference step, measured after each of the step's runs (--reference).
  std::vector<std::string> rh = {"target",    "youths",       "threads", "youth_weeks/s",
                                 "reference", "vs_reference", "speedup", "ref_speedup",
                                 "us/week",   "ref_us/week"};
  std::vector<std::vector<std::string>> rrows;
  std::vector<std::string> scaling_lines;
  bool reference_failed = false;
  if (!o.reference.empty()) {
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      const auto& row = results[k];
      const double youths = num(row.front(), "youths");
      const int first_threads = threads.front();
      const double first_speed = num(row.front(), "youth_weeks") / num(row.front(), "step_s");
      const double first_reference = median_speed(reference_runs[k].front());
      for (std::size_t j = 0; j < threads.size(); ++j) {
        const double speed = num(row[j], "youth_weeks") / num(row[j], "step_s");
        const double reference = median_speed(reference_runs[k][j]);
        reference_failed = reference_failed || std::isnan(reference);
        const double speedup = speedup_against(speed, first_speed, first_threads);
        const double reference_speedup = speedup_against(reference, first_reference, first_threads);
        rrows.push_back({fixed(num(row[j], "target"), 0), fixed(youths, 0),
                         std::to_string(threads[j]), sci(speed), sci(reference),
                         fixed(speed / reference, 2) + "x", fixed(speedup, 2) + "x",
                         fixed(reference_speedup, 2) + "x", fixed(1e6 * youths / speed, 0),
                         fixed(1e6 * youths / reference, 0)});
        if (threads[j] > 1 && first_threads == 1)
          scaling_lines.push_back(describe_scaling_against_reference(
              youths, threads[j], speedup, first_speed, reference_speedup, first_reference));
      }
    }
  }

  // Memory (from the first thread count's process of each size).
  std::vector<std::string> mh = {
      "target",        "youths",        "slots",           "tie_ends",
      "peak_MiB",      "peak_B/youth",  "end_rss_B/youth", "build_peak_B/youth",
      "world_B/youth", "model_B/youth", "pop_B/youth",     "mult_B/youth",
      "tie_B/end",     "budget_B",      "peak/budget"};
  std::vector<std::vector<std::string>> mrows;
  for (const auto& row : results) {
    const auto& r = row.front();
    const double y = num(r, "youths");
    const double ends = num(r, "tie_ends");
    const double peak = num(r, "hwm_kib") * 1024.0;
    const double budget = 100.0 * y + 4.0 * ends;  // design target: 100 B/youth + 4 B/tie end
    mrows.push_back(
        {fixed(num(r, "target"), 0), fixed(y, 0), fixed(num(r, "slots"), 0), fixed(ends, 0),
         fixed(peak / 1048576.0, 1), fixed(peak / y, 0), fixed(num(r, "rss_kib") * 1024.0 / y, 0),
         fixed((num(r, "hwm_build_kib") - num(r, "hwm_start_kib")) * 1024.0 / y, 0),
         fixed(num(r, "world_bytes") / y, 1),
         fixed((num(r, "pop_bytes") + num(r, "mult_bytes")) / y, 1),
         fixed(num(r, "pop_bytes") / y, 1), fixed(num(r, "mult_bytes") / y, 1),
         fixed(num(r, "ties_bytes") / ends, 2), fixed(budget, 0), fixed(peak / budget, 2)});
  }

  if (table) {
    std::cout << "Speed (step() only, after build and burn-in)\n";
    print_table(sh, srows);
    if (!rrows.empty()) {
      std::cout << "\nAgainst the reference step (" << o.reference
                << "), run after each measurement above on its youths, weeks and threads;\n"
                   "median of the runs; speedup against the first thread count, us/week = "
                   "microseconds for one week of all youths\n";
      print_table(rh, rrows);
      for (const auto& line : scaling_lines) std::cout << line;
    }
    std::cout
        << "\nMemory (peak = VmHWM of the process, including the build and the program itself;\n"
           "end_rss = VmRSS after the timed weeks; build_peak = VmHWM growth during "
           "build_world;\n"
           "model = Population + Multipliers; budget = 100 B/youth + 4 B/tie end)\n";
    print_table(mh, mrows);
    std::cout << "\nTargets: >= 1e8 youth-weeks/s per core; <= 100 B/youth + 4 B/tie end; >= "
                 "1.85x on 2 threads\n";
    std::cout << "Load average after the measurements: " << fixed(load_average(), 2)
              << " (other work on the machine slows the runs, most of all the multi-thread ones)\n";
    if (!cpus.empty()) {
      std::cout << "\nOne thread pinned to each CPU (--per-cpu), step() youth-weeks/s:\n";
      for (std::size_t k = 0; k < sizes.size(); ++k) {
        std::vector<double> speeds;
        std::cout << "  " << fixed(sizes[k], 0) << " youths:";
        for (std::size_t c = 0; c < cpus.size(); ++c) {
          const auto& r = pinned[k][c];
          speeds.push_back(num(r, "youth_weeks") / num(r, "step_s"));
          std::cout << (c ? ", " : " ") << "CPU " << cpus[c] << " " << sci(speeds.back());
        }
        std::cout << "\n";
        for (std::size_t j = 0; j < threads.size(); ++j) {
          if (threads[j] < 2 || threads[j] != static_cast<int>(cpus.size())) continue;
          const auto& r = results[k][j];
          std::cout << describe_capacity(capacity(speeds, num(r, "youth_weeks") / num(r, "step_s")),
                                         threads[j]);
        }
      }
    }
    std::cout << "State hash identical across thread counts" << (cpus.empty() ? "" : " and CPUs")
              << ": " << (invariant ? "yes" : "NO") << "\n";
  } else {
    print_csv(sh, srows);
    std::cout << "\n";
    print_csv(mh, mrows);
    if (!rrows.empty()) {
      std::cout << "\n";
      print_csv(rh, rrows);
    }
  }

  if (profile) {
    std::vector<std::string> ph = {"target",   "threads",       "process",  "seconds",
                                   "share",    "ns/youth-week", "serial_s", "passes_s",
                                   "waited_s", "passes/week"};
    std::vector<std::vector<std::string>> prows;
    std::vector<std::string> serial_lines;  // the serial share of each multi-thread step
    std::map<double, double> one_thread_total;
    for (double size : sizes) {
      for (int t : threads) {
        if (table)
          std::cerr << "  profiling " << fixed(size, 0) << " youths on " << t << " thread(s)...\n";
        auto profile_total = [](const Record& rec) {
          double sum = 0;
          for (const auto* name : kStepProcesses) sum += num(rec, std::string("p.") + name);
          return sum;
        };
        std::vector<Record> reps;
        for (int rep = 0; rep < repeat; ++rep) reps.push_back(run_child(common(size, t, true)));
        std::sort(reps.begin(), reps.end(), [&](const Record& a, const Record& b) {
          return profile_total(a) < profile_total(b);
        });
        const Record r = reps[reps.size() / 2];
        const double total = profile_total(r);
        // On one thread no pass runs in parallel: the split says nothing there.
        auto split = [&](const PassSplit& p) -> std::vector<std::string> {
          if (t == 1) return {"-", "-", "-", "-"};
          return {fixed(p.serial_seconds, 4), fixed(p.pass_seconds, 4),
                  fixed(p.waited_thread_seconds, 4), fixed(p.passes / num(r, "weeks"), 1)};
        };
        PassSplit step_split;
        step_split.threads = t;
        for (const auto* name : kStepProcesses) {
          const double s = num(r, std::string("p.") + name);
          auto p = split_passes(s, num(r, std::string("pass.") + name),
                                num(r, std::string("busy.") + name), t);
          p.passes = num(r, std::string("passes.") + name);
          step_split += p;
          auto row = std::vector<std::string>{fixed(size, 0),
                                              std::to_string(t),
                                              name,
                                              fixed(s, 4),
                                              fixed(100 * s / total, 1) + "%",
                                              fixed(1e9 * s / num(r, "youth_weeks"), 2)};
          for (auto& cell : split(p)) row.push_back(std::move(cell));
          prows.push_back(std::move(row));
        }
        auto row = std::vector<std::string>{
            fixed(size, 0),  std::to_string(t), "total",
            fixed(total, 4), "100.0%",          fixed(1e9 * total / num(r, "youth_weeks"), 2)};
        for (auto& cell : split(step_split)) row.push_back(std::move(cell));
        prows.push_back(std::move(row));
        if (t == 1) one_thread_total[size] = total;
        if (t > 1 && one_thread_total.count(size) != 0)
          serial_lines.push_back(fixed(size, 0) + " youths: " +
                                 describe_serial_share(step_split, one_thread_total[size]));
        // The profiled run must end in the same state as step().
        std::string expected;
        for (std::size_t k = 0; k < sizes.size(); ++k) {
          if (sizes[k] == size) {
            for (std::size_t j = 0; j < threads.size(); ++j) {
              if (threads[j] == t) expected = results[k][j].at("hash");
            }
          }
        }
        if (r.at("hash") != expected) {
          std::cerr << "drift_bench: profiled run diverged from step() (hash " << r.at("hash")
                    << " vs " << expected
                    << "): update profiled_step to follow sim/step/step.cpp\n";
          invariant = false;
        }
      }
    }
    if (table) {
      std::cout << "\nTime per process (processes called one by one; on several threads "
                   "serial_s = outside the\nparallel passes, passes_s = in them, waited_s = "
                   "thread-seconds of the passes' threads not in a chunk, passes/week = parallel "
                   "passes a "
                   "week)\n";
      print_table(ph, prows);
      for (const auto& line : serial_lines) std::cout << line;
    } else {
      std::cout << "\n";
      print_csv(ph, prows);
    }
  }
  if (reference_failed)
    std::cerr << "drift_bench: the reference step program failed or printed no youth-weeks/s: "
              << o.reference << "\n";
  return invariant && !reference_failed ? 0 : 1;
}

}  // namespace drift::bench
