#include "unit_jobs.hpp"

#include <omp.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <list>
#include <mutex>

namespace drift::detail {

void run_unit_jobs(std::size_t units, std::size_t jobs, int threads,
                   const std::function<void(std::size_t)>& prepare,
                   const std::function<void(std::size_t, std::size_t)>& job,
                   const std::function<void(std::size_t)>& finish) {
  struct Open {
    std::size_t unit;
    std::size_t next_job;
    std::size_t unfinished;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::list<Open> open;  // prepared units whose jobs are not all finished (stable positions)
  std::size_t next_unit = 0;
  int preparing = 0;
  std::exception_ptr failure;
  // Runs f with the lock released; false (and the failure kept) when it throws.
  auto attempt = [&](std::unique_lock<std::mutex>& lock, auto&& f) {
    lock.unlock();
    std::exception_ptr thrown;
    try {
      f();
    } catch (...) {
      thrown = std::current_exception();
    }
    lock.lock();
    if (thrown && !failure) failure = thrown;
    return !thrown;
  };
#pragma omp parallel num_threads(std::max(1, threads))
  {
    std::unique_lock<std::mutex> lock(mutex);
    while (!failure) {
      const auto pending =
          std::find_if(open.begin(), open.end(), [&](const Open& o) { return o.next_job < jobs; });
      if (pending != open.end()) {
        const std::size_t u = pending->unit;
        const std::size_t j = pending->next_job++;
        if (!attempt(lock, [&] { job(u, j); })) break;
        // Only the thread that finishes a unit's last job removes it.
        if (--pending->unfinished == 0) {
          open.erase(pending);
          if (!attempt(lock, [&] { finish(u); })) break;
        }
        continue;
      }
      if (next_unit < units) {
        const std::size_t u = next_unit++;
        ++preparing;
        const bool ok = attempt(lock, [&] { prepare(u); });
        --preparing;
        changed.notify_all();
        if (!ok) break;
        if (jobs > 0) {
          open.push_back({u, 0, jobs});
        } else if (!attempt(lock, [&] { finish(u); })) {
          break;
        }
        continue;
      }
      // Nothing to take: wait while another thread prepares a unit whose jobs may be shared.
      if (preparing == 0) break;
      changed.wait(lock);
    }
    changed.notify_all();
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace drift::detail
