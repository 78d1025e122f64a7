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
  // Parameters read once; job_finding_hazard() and World::has_current_record() written out
  // below with the same operations in the same order, so that they inline.
  const int working_age = l.working_age;
  const int week = w.week;
  const int lookback_young = w.params.enforcement.record_lookback_weeks_young;
  const int lookback = w.params.enforcement.record_lookback_weeks;
  const double finding = l.job_finding_hazard;
  const double vog_blocked_share = l.vog_blocked_share;
  const double record_job_hr = l.record_job_hr;
  const double vog_required_share = l.vog_required_share;
  const double dealing_job_hr = l.dealing_job_hr;
  const float loss = static_cast<float>(l.job_loss_hazard);
  const bool multiplied = w.mult.active;
  // Without multipliers (all exactly 1) the hazard of a youth without a current record takes
  // one of two values.
  const float plain = static_cast<float>(finding);
  const float plain_dealing = static_cast<float>(finding * dealing_job_hr);
  const State* state = p.state.data();
  const std::uint8_t* age = p.age.data();
  const Job* job = p.job.data();
  const std::int32_t* last_arrest = p.last_arrest_week.data();
  float* clock = p.clock_job.data();

  auto finding_hazard = [&](std::uint32_t i) -> float {
    const auto last = last_arrest[i];
    const bool record = last != kNever && week - last < (age[i] < 23 ? lookback_young : lookback);
    if (!multiplied && !record) return is_dealing(state[i]) ? plain_dealing : plain;
    double h = finding * w.mult.job_finding[i];
    if (record) {
      // A current record closes most VOG-requiring jobs and some others (stigma).
      const double blocked = std::min(1.0, vog_blocked_share * w.mult.vog_blocked[i]);
      h *= record_job_hr * (1.0 - vog_required_share * blocked);
    }
    if (is_dealing(state[i])) h *= dealing_job_hr;
    return static_cast<float>(h);
  };

  const auto& decisions = detail::decide_ranges(w, [&](std::int64_t begin, std::int64_t end,
                                                       std::vector<Decision>& out) {
    for (std::int64_t k = begin; k < end; ++k) {
      const auto i = static_cast<std::uint32_t>(k);
      const State s = state[i];
      if (s == State::vacant || s == State::detained || age[i] < working_age) continue;
      if (job[i] == Job::none) {
        if (detail::tick(clock[i], finding_hazard(i))) out.push_back({i, find});
      } else {
        if (detail::tick(clock[i], loss)) out.push_back({i, lose});
      }
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
