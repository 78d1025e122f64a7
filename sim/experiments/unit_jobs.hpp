#pragma once
// Units of work in two stages on a team of threads: a unit is prepared once (a replicate's world
// built and burnt in), then its jobs (the strategies, each from a copy of that world) run, then it
// is finished (its part file written). A free thread runs a job of a prepared unit before it
// prepares the next unit, so every thread stays busy to the end of a run (not only to the start
// of its last unit), and at most about one prepared unit per thread is held at a time.
#include <cstddef>
#include <functional>

namespace drift::detail {

// prepare(u) runs once per unit, before any job(u, j); finish(u) runs once, after its last job.
// Units are taken for preparation in increasing order. The first exception stops the taking of new
// work; it is thrown again once every thread has stopped.
void run_unit_jobs(std::size_t units, std::size_t jobs, int threads,
                   const std::function<void(std::size_t)>& prepare,
                   const std::function<void(std::size_t, std::size_t)>& job,
                   const std::function<void(std::size_t)>& finish);

}  // namespace drift::detail
