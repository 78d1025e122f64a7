#include <algorithm>

#include "drift/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

double job_finding_hazard(const World& w, std::uint32_t i) {
  const auto& l = w.params.labour;
  const auto& p = w.pop;
  double h = l.job_finding_hazard * w.mult.job_finding[i];
  if (w.has_current_record(i)) {
    // A current record closes most VOG-requiring jobs and some others (stigma).
    const double blocked = std::min(1.0, l.vog_blocked_share * w.mult.vog_blocked[i]);
    h *= l.record_job_hr * (1.0 - l.vog_required_share * blocked);
  }
  if (is_dealing(p.state[i])) h *= l.dealing_job_hr;
  return h;
}

void labour_market(World& w) {
  auto& p = w.pop;
  const auto& l = w.params.labour;
  enum : std::uint32_t { find, lose };
  const auto& decisions = detail::decide(w, [&](std::uint32_t i, std::vector<Decision>& out) {
    const State s = p.state[i];
    if (s == State::vacant || s == State::detained || p.age[i] < l.working_age) return;
    if (p.job[i] == Job::none) {
      if (detail::tick(p.clock_job[i], static_cast<float>(job_finding_hazard(w, i)))) out.push_back({i, find});
    } else {
      if (detail::tick(p.clock_job[i], static_cast<float>(l.job_loss_hazard))) out.push_back({i, lose});
    }
  });
  for (const auto& d : decisions) {
    const auto i = d.agent;
    if (d.what == find) {
      ++w.tally(p.area[i], Tally::jobs_found);
      const double status_share = std::min(1.0, l.status_job_share * w.mult.status_job[i]);
      const bool status = w.rng.uniform(Stream::job_quality, w.week, i) < status_share;
      detail::set_job(w, i, status ? Job::status : Job::ordinary);
    } else {
      detail::set_job(w, i, Job::none);
    }
  }
}

}  // namespace drift
