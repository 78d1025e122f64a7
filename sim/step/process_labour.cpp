#include <algorithm>
#include <bit>

#include "avx512.hpp"
#include "drift/step/processes.hpp"
#include "fast_exp.hpp"
#include "lifecycle.hpp"

namespace drift {

double job_finding_hazard(const World& w, std::uint32_t i) {
  const auto& l = w.params.labour;
  const auto& p = w.pop;
  // Below working age (from youth_job_min_age) the job sought is a youth job.
  const bool youth = p.age[i] < l.working_age;
  double h = (youth ? l.youth_job_finding_hazard : l.job_finding_hazard) *
             w.mult.factor(&Multipliers::job_finding, i);
  if (w.has_current_record(i)) {
    // A current record closes most VOG-requiring jobs and some others (stigma).
    const double blocked =
        std::min(1.0, l.vog_blocked_share * w.mult.factor(&Multipliers::vog_blocked, i));
    h *= l.record_job_hr * (1.0 - l.vog_required_share * blocked);
  }
  if (is_dealing(p.state[i])) h *= l.dealing_job_hr;
  return h;
}

namespace {
// One block of up to 64 slots. Every eligible youth except the jobless with a record ticks its
// labour clock, in a branch-free loop the compiler vectorises: the employed with the job-loss
// hazard, the jobless with job_finding_hazard() without its record term (without multipliers one
// of two constants per age group, with them finding * multiplier [* dealing_job_hr]; exactly the
// floats the formula gives). Youths from youth_job_min_age to below working_age use the youth
// job hazards. mark[k] is 1 when the clock of slot b + k fired, 2 for a jobless youth with a
// record (left to the caller, who evaluates the full formula), else 0. Returns whether any mark
// is set.
struct LabourColumns {
  const State* state;
  const std::uint8_t* age;
  const Job* job;
  const std::int32_t* last_arrest;
  const float* finding_mult;  // w.mult.job_finding, used when kMultiplied
  float* clock;
  int working_age, youth_min_age;
  float plain, plain_dealing, loss;
  double finding, dealing_job_hr;
  float youth_plain, youth_plain_dealing, youth_loss;
  double youth_finding;
};

template <bool kMultiplied>
[[DRIFT_VECTOR_KERNEL]] unsigned labour_block(const LabourColumns& c, std::int64_t b, int len,
                                              std::uint8_t* mark) {
  const float* __restrict finding_mult = kMultiplied ? c.finding_mult + b : nullptr;
  const double finding = c.finding, dealing_job_hr = c.dealing_job_hr;
  const double youth_finding = c.youth_finding;
  const auto* __restrict state = reinterpret_cast<const std::uint8_t*>(c.state + b);
  const std::uint8_t* __restrict age = c.age + b;
  const auto* __restrict job = reinterpret_cast<const std::uint8_t*>(c.job + b);
  const std::int32_t* __restrict last_arrest = c.last_arrest + b;
  float* __restrict clock = c.clock + b;
  std::uint8_t* __restrict out = mark;
  const auto working_age = static_cast<std::uint8_t>(std::clamp(c.working_age, 0, 255));
  const int lowest = std::min(c.working_age, c.youth_min_age);
  const auto min_age = static_cast<std::uint8_t>(std::clamp(lowest, 0, 255));
  const bool nobody = lowest > 255;
  const float plain = c.plain, plain_dealing = c.plain_dealing, loss = c.loss;
  const float youth_plain = c.youth_plain, youth_plain_dealing = c.youth_plain_dealing,
              youth_loss = c.youth_loss;
  constexpr auto kVacant = static_cast<std::uint8_t>(State::vacant);
  constexpr auto kDetained = static_cast<std::uint8_t>(State::detained);
  constexpr auto kRunner = static_cast<std::uint8_t>(State::runner);
  constexpr auto kJobless = static_cast<std::uint8_t>(Job::none);
  if (nobody) {
    for (int k = 0; k < len; ++k) out[k] = 0;
    return 0;
  }
#pragma omp simd
  for (int k = 0; k < len; ++k) {
    const std::uint8_t s = state[k];
    const unsigned ok = static_cast<unsigned>(s != kVacant) &
                        static_cast<unsigned>(s != kDetained) &
                        static_cast<unsigned>(age[k] >= min_age);
    const bool adult = age[k] >= working_age;
    const unsigned jobless = job[k] == kJobless;
    const unsigned later = jobless & static_cast<unsigned>(last_arrest[k] != kNever);
    const bool dealing = static_cast<std::uint8_t>(s - kRunner) <= 1;
    const unsigned now = ok & (later ^ 1u);
    float next;
    if constexpr (kMultiplied) {
      // Selects by bit masks (detail::pick): as ternaries GCC keeps branches around the double
      // arithmetic, and the loop runs one slot at a time.
      const double base =
          detail::pick(static_cast<unsigned>(adult), finding, youth_finding) * finding_mult[k];
      const auto found = static_cast<float>(
          detail::pick(static_cast<unsigned>(dealing), base * dealing_job_hr, base));
      next = clock[k] - detail::pick(jobless, found, adult ? loss : youth_loss);
      clock[k] = detail::pick(now, next, clock[k]);
    } else {
      // Only constants are chosen here, and the ternaries give GCC's shorter vector code.
      const float adult_found = dealing ? plain_dealing : plain;
      const float youth_found = dealing ? youth_plain_dealing : youth_plain;
      const float found = adult ? adult_found : youth_found;
      next = clock[k] - (jobless ? found : (adult ? loss : youth_loss));
      clock[k] = now ? next : clock[k];
    }
    const unsigned m = (now & static_cast<unsigned>(next <= 0.0f)) | ((ok & later) << 1);
    out[k] = static_cast<std::uint8_t>(m);
  }
  return detail::any_nonzero(out, len);
}

#ifdef DRIFT_AVX512_KERNELS
// labour_block<kMultiplied> for a whole block of 64 slots, on processors with AVX-512 BW: the
// conditions of all 64 slots come from their byte columns as three 64-bit masks at once. Without
// multipliers the clocks tick 16 at a time choosing among the same float constants by mask; with
// them, eight at a time, the jobless's hazard computed in doubles with labour_block<true>'s
// operations in its order. Every clock loses exactly the float labour_block subtracts, and the
// marks are the same. GCC's vectorisation of labour_block widens each byte column to the clocks'
// 32-bit lanes instead.
template <bool kMultiplied>
[[DRIFT_AVX512BW]] unsigned labour_block_masks(const LabourColumns& c, std::int64_t b,
                                               std::uint8_t* mark) {
  const auto working_age = static_cast<std::uint8_t>(std::clamp(c.working_age, 0, 255));
  const auto min_age =
      static_cast<std::uint8_t>(std::clamp(std::min(c.working_age, c.youth_min_age), 0, 255));
  const __m512i state = _mm512_loadu_si512(c.state + b);
  const __m512i age = _mm512_loadu_si512(c.age + b);
  const __m512i job = _mm512_loadu_si512(c.job + b);
  const __mmask64 ok =
      _mm512_cmpneq_epi8_mask(state, _mm512_set1_epi8(static_cast<char>(State::vacant))) &
      _mm512_cmpneq_epi8_mask(state, _mm512_set1_epi8(static_cast<char>(State::detained))) &
      _mm512_cmpge_epu8_mask(age, _mm512_set1_epi8(static_cast<char>(min_age)));
  const __mmask64 adult =
      _mm512_cmpge_epu8_mask(age, _mm512_set1_epi8(static_cast<char>(working_age)));
  const __mmask64 jobless =
      _mm512_cmpeq_epi8_mask(job, _mm512_set1_epi8(static_cast<char>(Job::none)));
  const __mmask64 dealing = _mm512_cmple_epu8_mask(
      _mm512_sub_epi8(state, _mm512_set1_epi8(static_cast<char>(State::runner))),
      _mm512_set1_epi8(1));
  std::uint64_t record = 0;
  for (int q = 0; q < 4; ++q) {
    const __m512i last = _mm512_loadu_si512(c.last_arrest + b + 16 * q);
    record |= static_cast<std::uint64_t>(_mm512_cmpneq_epi32_mask(last, _mm512_set1_epi32(kNever)))
              << (16 * q);
  }
  const std::uint64_t later = jobless & record;
  const std::uint64_t now = ok & ~later;
  std::uint64_t fired = 0;
  if constexpr (kMultiplied) {
    for (int g = 0; g < 8; ++g) {
      const auto part = [g](std::uint64_t m) { return static_cast<__mmask8>(m >> (8 * g)); };
      const __m512d mult = _mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(c.finding_mult + b + 8 * g));
      const __m512d base =
          _mm512_mul_pd(_mm512_mask_blend_pd(part(adult), _mm512_set1_pd(c.youth_finding),
                                             _mm512_set1_pd(c.finding)),
                        mult);
      const __m256 found = _mm512_maskz_cvtpd_ps(
          0xff, _mm512_mask_blend_pd(part(dealing), base,
                                     _mm512_mul_pd(base, _mm512_set1_pd(c.dealing_job_hr))));
      const __m256 lose =
          _mm256_mask_blend_ps(part(adult), _mm256_set1_ps(c.youth_loss), _mm256_set1_ps(c.loss));
      const __m256 step = _mm256_mask_blend_ps(part(jobless), lose, found);
      fired |= static_cast<std::uint64_t>(detail::tick8(c.clock + b + 8 * g, step, part(now)))
               << (8 * g);
    }
  } else {
    for (int q = 0; q < 4; ++q) {
      const auto part = [q](std::uint64_t m) { return static_cast<__mmask16>(m >> (16 * q)); };
      const __m512 adult_found = _mm512_mask_blend_ps(part(dealing), _mm512_set1_ps(c.plain),
                                                      _mm512_set1_ps(c.plain_dealing));
      const __m512 youth_found = _mm512_mask_blend_ps(part(dealing), _mm512_set1_ps(c.youth_plain),
                                                      _mm512_set1_ps(c.youth_plain_dealing));
      const __m512 found = _mm512_mask_blend_ps(part(adult), youth_found, adult_found);
      const __m512 lose =
          _mm512_mask_blend_ps(part(adult), _mm512_set1_ps(c.youth_loss), _mm512_set1_ps(c.loss));
      const __m512 step = _mm512_mask_blend_ps(part(jobless), lose, found);
      fired |= static_cast<std::uint64_t>(detail::tick16(c.clock + b + 16 * q, step, part(now)))
               << (16 * q);
    }
  }
  const std::uint64_t waiting = ok & later;
  _mm512_storeu_si512(mark, _mm512_or_si512(_mm512_maskz_mov_epi8(fired, _mm512_set1_epi8(1)),
                                            _mm512_maskz_mov_epi8(waiting, _mm512_set1_epi8(2))));
  return (fired | waiting) != 0 ? 1u : 0u;
}

#endif
}  // namespace

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
  const bool multiplied = w.mult.is_written(&Multipliers::job_finding);
  // Without multipliers (all exactly 1) the hazard of a youth without a current record takes
  // one of two values.
  const float plain = static_cast<float>(finding);
  const float plain_dealing = static_cast<float>(finding * dealing_job_hr);
  const double youth_finding = l.youth_job_finding_hazard;
  const float youth_plain = static_cast<float>(youth_finding);
  const float youth_plain_dealing = static_cast<float>(youth_finding * dealing_job_hr);
  const State* state = p.state.data();
  const std::uint8_t* age = p.age.data();
  const Job* job = p.job.data();
  const std::int32_t* last_arrest = p.last_arrest_week.data();
  float* clock = p.clock_job.data();

  auto finding_hazard = [&](std::uint32_t i) -> float {
    const auto last = last_arrest[i];
    const bool record = last != kNever &&
                        week - last < (age[i] < World::kYoungRecordAge ? lookback_young : lookback);
    const bool youth = age[i] < working_age;
    if (!multiplied && !record) {
      if (youth) return is_dealing(state[i]) ? youth_plain_dealing : youth_plain;
      return is_dealing(state[i]) ? plain_dealing : plain;
    }
    double h = (youth ? youth_finding : finding) * w.mult.factor(&Multipliers::job_finding, i);
    if (record) {
      // A current record closes most VOG-requiring jobs and some others (stigma).
      const double blocked =
          std::min(1.0, vog_blocked_share * w.mult.factor(&Multipliers::vog_blocked, i));
      h *= record_job_hr * (1.0 - vog_required_share * blocked);
    }
    if (is_dealing(state[i])) h *= dealing_job_hr;
    return static_cast<float>(h);
  };

  const LabourColumns cols{state,
                           age,
                           job,
                           last_arrest,
                           w.mult.job_finding.data(),
                           clock,
                           working_age,
                           l.youth_job_min_age,
                           plain,
                           plain_dealing,
                           loss,
                           finding,
                           dealing_job_hr,
                           youth_plain,
                           youth_plain_dealing,
                           static_cast<float>(l.youth_job_loss_hazard),
                           youth_finding};
#ifdef DRIFT_AVX512_KERNELS
  const bool masks = detail::has_avx512bw();
  const bool nobody = std::min(l.working_age, l.youth_job_min_age) > 255;
#endif
  // Decided and committed chunk by chunk: a decision reads only the youth's own slot.
  detail::decide_and_commit_own_slots(
      w,
      [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
        detail::for_each_present_block(p, begin, end, [&](std::int64_t b, int len) {
          std::uint8_t mark[64];
          unsigned any;
#ifdef DRIFT_AVX512_KERNELS
          if (len == 64 && masks && !nobody) {
            any = multiplied ? labour_block_masks<true>(cols, b, mark)
                             : labour_block_masks<false>(cols, b, mark);
          } else
#endif
          {
            any = multiplied ? labour_block<true>(cols, b, len, mark)
                             : labour_block<false>(cols, b, len, mark);
          }
          if (!any) return;
          for (std::uint64_t m = detail::nonzero_mask(mark, len); m != 0; m &= m - 1) {
            const int k = std::countr_zero(m);
            const auto i = static_cast<std::uint32_t>(b + k);
            if (mark[k] == 1) {
              out.push_back({i, job[i] == Job::none ? find : lose});
            } else if (detail::tick(clock[i], finding_hazard(i))) {
              out.push_back({i, find});
            }
          }
        });
      },
      // A change of job: the youth's own slot, its tallies and its event.
      [&](const Decision& d, auto& ledger) {
        const auto i = d.agent;
        if (d.what == find) {
          ++ledger.tally(p.area[i], Tally::jobs_found);
          if (p.age[i] < working_age) {
            detail::set_job(w, ledger, i, Job::youth);
            return;
          }
          const double status_share =
              std::min(1.0, l.status_job_share * w.mult.factor(&Multipliers::status_job, i));
          const bool status = w.rng.uniform(Stream::job_quality, w.week, i) < status_share;
          detail::set_job(w, ledger, i, status ? Job::status : Job::ordinary);
        } else {
          detail::set_job(w, ledger, i, Job::none);
        }
      });
}

}  // namespace drift
