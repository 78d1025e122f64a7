#include "delivery.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <typeinfo>

#include "drift/model/avx512.hpp"
#include "drift/model/block_mask.hpp"
#include "drift/model/vector_kernel.hpp"

namespace drift::iv {

namespace {
// A function, not a global: types register from static initialisers in other files.
const std::vector<std::string>& state_names() {
  static const std::vector<std::string> names = {"uninvolved", "at_risk",  "runner",  "dealer",
                                                 "detained",   "released", "desisted"};
  return names;
}
constexpr int kHorizonMax = 5200;

bool active_in(int week, int start, int end) {
  return week >= start && week < end;
}

// The key of an intervention's fixed rounding offset in its own stream: no youth slot and no
// week of a run uses it, and it depends only on the intervention (its name) and the replicate,
// so strategies that share the intervention share the offset.
constexpr std::int32_t kRoundingWeek = std::numeric_limits<std::int32_t>::min();
constexpr std::uint32_t kRoundingAgent = std::numeric_limits<std::uint32_t>::max();
}  // namespace

std::vector<Field> eligibility_fields(std::vector<std::string> states, int min_age, int max_age,
                                      const std::string& record, const std::string& school) {
  auto rec = choice("record", {"any", "with", "without"},
                    "Criminal record: any, with a current record, or without one");
  std::rotate(rec.choices.begin(), std::find(rec.choices.begin(), rec.choices.end(), record),
              rec.choices.end());
  auto sch = choice("school", {"any", "at_school", "not_at_school"},
                    "School attendance: any, at a secondary school, or past school age");
  std::rotate(sch.choices.begin(), std::find(sch.choices.begin(), sch.choices.end(), school),
              sch.choices.end());
  return {
      names("states", std::move(states), state_names(), "Life-course states that are eligible"),
      integer("min_age", min_age, 0, 100, "year", "Youngest eligible age"),
      integer("max_age", max_age, 0, 100, "year", "Oldest eligible age"),
      names("districts", {}, {}, "Eligible districts (empty: all)"),
      real("min_risk", -10, -10, 10, "SD", "assumption", "Lowest eligible individual risk score"),
      rec,
      sch,
  };
}

std::vector<Field> caseload_fields(double workers, int caseload, int duration_weeks,
                                   int ramp_up_weeks) {
  return {
      integer("start_week", 0, 0, kHorizonMax, "week",
              "First week of delivery (0 = start of the horizon)"),
      integer("end_week", kHorizonMax, 0, kHorizonMax, "week", "Week delivery stops (exclusive)"),
      real("workers", workers, 0, 100000, "workers (whole city)", "assumption",
           "Workers (mentors, coaches) deployed in the whole city; a run simulating a share of the "
           "city (simulation.population_scale) deploys that share of them"),
      integer("caseload", caseload, 1, 1000, "youths per worker",
              "Youths one worker serves at a time"),
      integer("duration_weeks", duration_weeks, 1, 1040, "week", "Weeks a youth is served"),
      integer("ramp_up_weeks", ramp_up_weeks, 0, 520, "week",
              "Weeks over which the workforce grows linearly to full strength"),
      choice("targeting", {"highest_risk", "first_come", "random"},
             "Order of the waiting list when places are short"),
  };
}

std::vector<Field> coverage_fields(double coverage) {
  return {
      integer("start_week", 0, 0, kHorizonMax, "week",
              "First week of delivery (0 = start of the horizon)"),
      integer("end_week", kHorizonMax, 0, kHorizonMax, "week", "Week delivery stops (exclusive)"),
      real("coverage", coverage, 0, 1, "share", "assumption",
           "Share of eligible youths (slots) reached; the same youths each week"),
  };
}

std::vector<Field> coverage_cost_fields(double per_served_week, double per_week, double fixed) {
  auto all = cost_fields(0, 0, per_served_week, per_week, fixed);
  // Coverage has no workers and no intake: those costs do not apply.
  return {all.begin() + 2, all.end()};
}

std::vector<Field> cost_fields(double per_worker_week, double per_enrolled_youth,
                               double per_served_week, double per_week, double fixed) {
  return {
      real("per_worker_week", per_worker_week, 0, 1e9, "euro per worker-week", "assumption",
           "Cost of one worker for one week"),
      real("per_enrolled_youth", per_enrolled_youth, 0, 1e9, "euro per youth", "assumption",
           "Cost of taking in one youth"),
      real("per_served_week", per_served_week, 0, 1e9, "euro per youth-week", "assumption",
           "Cost of serving one youth for one week"),
      real("per_week", per_week, 0, 1e12, "euro per week (whole city)", "assumption",
           "Running cost per week of delivery in the whole city"),
      real("fixed", fixed, 0, 1e12, "euro (whole city)", "assumption",
           "One-off set-up cost in the whole city"),
  };
}

double rounding_offset(const World& w, Stream stream) {
  return w.rng.uniform(stream, kRoundingWeek, kRoundingAgent);
}

std::size_t scaled_capacity(double places, double offset) {
  if (!(places > 0)) return 0;
  return static_cast<std::size_t>(std::floor(places + offset));
}

Eligibility::Eligibility(const Values& v, const std::vector<std::string>& area_names) {
  for (const auto& s : v.list.at("eligibility.states")) {
    const auto& all = state_names();
    const auto k = std::find(all.begin(), all.end(), s) - all.begin();
    state_mask |= 1u << k;
  }
  min_age = static_cast<int>(v("eligibility.min_age"));
  max_age = static_cast<int>(v("eligibility.max_age"));
  const auto& districts = v.list.at("eligibility.districts");
  in_area.assign(area_names.size(), districts.empty() ? 1 : 0);
  for (const auto& d : districts) {
    const auto k = std::find(area_names.begin(), area_names.end(), d) - area_names.begin();
    if (k < static_cast<long>(area_names.size())) in_area[k] = 1;
  }
  all_areas = std::all_of(in_area.begin(), in_area.end(), [](auto x) { return x != 0; });
  only_held = state_mask != 0;
  for (int k = 0; k < kStateCount; ++k) {
    if ((state_mask & (1u << k)) && !Population::held(static_cast<State>(k))) only_held = false;
  }
  min_risk = v("eligibility.min_risk");
  const auto& r = v.text.at("eligibility.record");
  record = r == "with" ? Record::with : r == "without" ? Record::without : Record::any;
  const auto& s = v.text.at("eligibility.school");
  school = s == "at_school"       ? School::at_school
           : s == "not_at_school" ? School::not_at_school
                                  : School::any;
}

namespace {
// The smallest float not below min_risk: for a float x, x < min_risk exactly when x < it.
float lowest_eligible_risk(double min_risk) {
  float lowest = static_cast<float>(min_risk);
  if (static_cast<double>(lowest) < min_risk)
    lowest = std::nextafter(lowest, std::numeric_limits<float>::infinity());
  return lowest;
}

// Eligibility::mark_block's plain kernel, for any block of a present youth: one pass per column
// width (bytes, floats, 32-bit weeks), so that each is a plain SIMD loop; a pass a rule does not
// need is skipped.
[[DRIFT_VECTOR_KERNEL]] unsigned mark_block_plain(const Eligibility& e, const World& w,
                                                  std::int64_t b, int len, std::uint8_t* mark) {
  using Record = Eligibility::Record;
  using School = Eligibility::School;
  const auto& p = w.pop;
  const auto* __restrict state = reinterpret_cast<const std::uint8_t*>(p.state.data() + b);
  const std::uint8_t* __restrict age = p.age.data() + b;
  std::uint8_t* __restrict out = mark;
  const auto lo = static_cast<std::uint8_t>(std::max(e.min_age, 0));
  const auto hi = static_cast<std::uint8_t>(std::min(e.max_age, 255));
  const auto leaving =
      static_cast<std::uint8_t>(std::clamp(w.params.population.school_leaving_age, 0, 255));
  const bool check_school = e.school != School::any;
  const std::uint8_t want_school = e.school == School::at_school;
  for (int k = 0; k < len; ++k) out[k] = 0;
  // States: one pass per run of consecutive eligible states (State::vacant is never one), with
  // (state - first) <= (last - first) in unsigned bytes: every state but vacant is one pass.
  for (int s = 0; s < kStateCount; ++s) {
    if (!(e.state_mask & (1u << s))) continue;
    int last = s;
    while (last + 1 < kStateCount && (e.state_mask & (1u << (last + 1)))) ++last;
    const auto first = static_cast<std::uint8_t>(s);
    const auto span = static_cast<std::uint8_t>(last - s);
#pragma omp simd
    for (int k = 0; k < len; ++k)
      out[k] |= static_cast<std::uint8_t>(static_cast<std::uint8_t>(state[k] - first) <= span);
    s = last;
  }
#pragma omp simd
  for (int k = 0; k < len; ++k) {
    std::uint8_t ok =
        out[k] & static_cast<std::uint8_t>(age[k] >= lo) & static_cast<std::uint8_t>(age[k] <= hi);
    if (check_school) ok &= static_cast<std::uint8_t>((age[k] < leaving) == want_school);
    out[k] = ok;
  }
  // As matches(): a youth below min_risk fails (a NaN risk does not).
  const float* __restrict risk = p.risk.data() + b;
  const float lowest_risk = lowest_eligible_risk(e.min_risk);
#pragma omp simd
  for (int k = 0; k < len; ++k) out[k] &= static_cast<std::uint8_t>(!(risk[k] < lowest_risk));
  if (e.record != Record::any) {
    // As World::has_current_record() (kNever is never current; no overflow of week - kNever).
    const std::int32_t* __restrict last_arrest = p.last_arrest_week.data() + b;
    const int week = w.week;
    const int young = w.params.enforcement.record_lookback_weeks_young;
    const int old = w.params.enforcement.record_lookback_weeks;
    const auto want_record = static_cast<std::uint8_t>(e.record == Record::with);
#pragma omp simd
    for (int k = 0; k < len; ++k) {
      const std::int32_t last = last_arrest[k];
      const std::int32_t lookback = age[k] < World::kYoungRecordAge ? young : old;
      // The difference in modular arithmetic: for kNever it is not used, and must not overflow.
      const auto since = static_cast<std::int32_t>(static_cast<std::uint32_t>(week) -
                                                   static_cast<std::uint32_t>(last));
      const auto current = static_cast<std::uint8_t>(static_cast<unsigned>(last != kNever) &
                                                     static_cast<unsigned>(since < lookback));
      out[k] &= static_cast<std::uint8_t>(current == want_record);
    }
  }
  if (!e.all_areas) {
    const std::uint8_t* __restrict area = p.area.data() + b;
    for (int k = 0; k < len; ++k) out[k] &= e.in_area[area[k]];
  }
  return detail::any_nonzero(out, len);
}

#ifdef DRIFT_AVX512_KERNELS
// The plain kernel's tests for a whole block of 64 slots on processors with AVX-512 BW
// (drift/model/avx512.hpp), each a compare of the block's column giving a mask of 64 bits: the
// states by a table lookup of their byte, ages and school by byte compares, risks and records in
// groups of sixteen. The marks are those of the plain kernel (the same integer and float
// comparisons).
[[DRIFT_AVX512BW]] std::uint64_t mark_block_masks(const Eligibility& e, const World& w,
                                                  std::int64_t b, std::uint8_t* mark) {
  using Record = Eligibility::Record;
  using School = Eligibility::School;
  const auto& p = w.pop;
  // Byte s of each 16-byte lane is all ones when state s is eligible (vacant, 7, never is).
  alignas(16) std::uint8_t eligible_state[16] = {};
  for (int s = 0; s < kStateCount; ++s) eligible_state[s] = (e.state_mask >> s) & 1u ? 0xff : 0;
  const __m512i table = _mm512_maskz_broadcast_i32x4(
      0xffff, _mm_load_si128(reinterpret_cast<const __m128i*>(eligible_state)));
  const __m512i states = _mm512_loadu_si512(p.state.data() + b);
  const __m512i ages = _mm512_loadu_si512(p.age.data() + b);
  const __m512i looked_up = _mm512_shuffle_epi8(table, states);
  std::uint64_t m = _mm512_test_epi8_mask(looked_up, looked_up);
  m &= _mm512_cmpge_epu8_mask(ages, _mm512_set1_epi8(static_cast<char>(std::max(e.min_age, 0))));
  m &= _mm512_cmple_epu8_mask(ages, _mm512_set1_epi8(static_cast<char>(std::min(e.max_age, 255))));
  if (e.school != School::any) {
    const auto leaving =
        static_cast<char>(std::clamp(w.params.population.school_leaving_age, 0, 255));
    const std::uint64_t young = _mm512_cmplt_epu8_mask(ages, _mm512_set1_epi8(leaving));
    m &= e.school == School::at_school ? young : ~young;
  }
  const __m512 lowest_risk = _mm512_set1_ps(lowest_eligible_risk(e.min_risk));
  std::uint64_t risk_ok = 0;
  for (int q = 0; q < 4; ++q) {
    const __m512 risk = _mm512_loadu_ps(p.risk.data() + b + 16 * q);
    // Not below: true for NaN as well, as in the plain kernel.
    risk_ok |= static_cast<std::uint64_t>(_mm512_cmp_ps_mask(risk, lowest_risk, _CMP_NLT_UQ))
               << (16 * q);
  }
  m &= risk_ok;
  if (e.record != Record::any && m != 0) {
    const __m512i week = _mm512_set1_epi32(w.week);
    const __m512i young = _mm512_set1_epi32(w.params.enforcement.record_lookback_weeks_young);
    const __m512i old = _mm512_set1_epi32(w.params.enforcement.record_lookback_weeks);
    std::uint64_t current = 0;
    for (int q = 0; q < 4; ++q) {
      const __m512i last = _mm512_loadu_si512(p.last_arrest_week.data() + b + 16 * q);
      const __m512i age = _mm512_maskz_cvtepu8_epi32(
          0xffff, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p.age.data() + b + 16 * q)));
      const __m512i lookback = _mm512_mask_blend_epi32(
          _mm512_cmplt_epi32_mask(age, _mm512_set1_epi32(World::kYoungRecordAge)), old, young);
      // week - last in modular arithmetic, as the plain kernel (kNever excluded apart).
      const __m512i since = _mm512_sub_epi32(week, last);
      const __mmask16 now = _mm512_cmpneq_epi32_mask(last, _mm512_set1_epi32(kNever)) &
                            _mm512_cmplt_epi32_mask(since, lookback);
      current |= static_cast<std::uint64_t>(now) << (16 * q);
    }
    m &= e.record == Record::with ? current : ~current;
  }
  if (!e.all_areas) {
    for (std::uint64_t left = m; left != 0; left &= left - 1) {
      const int k = std::countr_zero(left);
      if (!e.in_area[p.area[static_cast<std::size_t>(b + k)]]) m &= ~(std::uint64_t{1} << k);
    }
  }
  _mm512_storeu_si512(mark, _mm512_maskz_mov_epi8(m, _mm512_set1_epi8(1)));
  return m;
}
#endif
}  // namespace

std::uint64_t Eligibility::mark_block(const World& w, std::int64_t b, int len,
                                      std::uint8_t* mark) const {
  const auto& p = w.pop;
  const bool none_by_age = min_age > 255 || max_age < 0 || min_age > max_age;
  if (none_by_age || p.block_vacant(b) || (only_held && p.block_unheld(b))) {
    for (int k = 0; k < len; ++k) mark[k] = 0;
    return 0;
  }
#ifdef DRIFT_AVX512_KERNELS
  if (len == 64 && detail::has_avx512bw()) return mark_block_masks(*this, w, b, mark);
#endif
  if (!mark_block_plain(*this, w, b, len, mark)) return 0;
  return detail::nonzero_mask(mark, len);
}

std::vector<Effect> effects_of(const Values& v, const Schema& schema) {
  std::vector<Effect> out;
  for (const auto& f : schema.effects) {
    // Validation reports an effect without a column; a block that got here has none.
    const auto* column = multiplier_column(f.name);
    if (column == nullptr)
      throw std::logic_error("effect '" + f.name + "' names no multiplier column");
    const auto factor = static_cast<float>(v("effects." + f.name));
    if (factor != 1.0f) out.push_back({column->column, multiplier_bit(column->column), factor});
  }
  return out;
}

void apply_effects(World& w, std::uint32_t i, const std::vector<Effect>& effects) {
  if (effects.empty()) return;
  for (const auto& e : effects) {
    // Allocated and marked once a week, on the first youth served.
    if (!(w.mult.written & e.bit)) w.mult.write_blocks(e.column);
    (w.mult.*(e.column))[i] *= e.factor;
  }
  w.mult.touch_block(static_cast<std::int64_t>(i) / 64 * 64);
}

namespace {
// column[k] *= factor where mark[k] is 1, and *= 1 (no change) where it is 0. The factor is chosen
// by bit masks: a ternary between floats stays a branch in GCC, and the loop one slot at a time.
[[DRIFT_VECTOR_KERNEL]] void multiply_marked(float* __restrict column,
                                             const std::uint8_t* __restrict mark, float factor,
                                             int len) {
  const auto with = std::bit_cast<std::uint32_t>(factor);
  const auto without = std::bit_cast<std::uint32_t>(1.0f);
#pragma omp simd
  for (int k = 0; k < len; ++k) {
    const std::uint32_t on = 0u - static_cast<std::uint32_t>(mark[k]);
    column[k] *= std::bit_cast<float>((with & on) | (without & ~on));
  }
}
}  // namespace

void apply_effects_block(World& w, std::int64_t b, int len, const std::uint8_t* mark,
                         const std::vector<Effect>& effects) {
  if (effects.empty()) return;
  for (const auto& e : effects) {
    if (!(w.mult.written & e.bit)) w.mult.write_blocks(e.column);
    multiply_marked((w.mult.*(e.column)).data() + b, mark, e.factor, len);
  }
  w.mult.touch_block(b);
}

void CoverageIntervention::admit_block(const World& w, std::int64_t b, int len,
                                       std::uint8_t* mark) const {
  // Only a derived type can override admits(); a plain coverage type admits everyone.
  if (typeid(*this) == typeid(CoverageIntervention)) return;
  for (int k = 0; k < len; ++k) {
    if (mark[k] && !admits(w, static_cast<std::uint32_t>(b + k))) mark[k] = 0;
  }
}

namespace {
double optional(const Values& v, const std::string& key) {
  const auto it = v.number.find(key);
  return it == v.number.end() ? 0.0 : it->second;
}
}  // namespace

Costs::Costs(const Values& v)
    : per_worker_week(optional(v, "costs.per_worker_week")),
      per_enrolled_youth(optional(v, "costs.per_enrolled_youth")),
      per_served_week(v("costs.per_served_week")),
      per_week(v("costs.per_week")),
      fixed(v("costs.fixed")) {}

CaseloadIntervention::CaseloadIntervention(const Values& v, const Schema& schema,
                                           std::uint32_t index,
                                           const std::vector<std::string>& area_names)
    : eligibility_(v, area_names),
      effects_(effects_of(v, schema)),
      costs_(v),
      stream_(static_cast<Stream>(static_cast<std::uint32_t>(Stream::intervention) + index)),
      start_week_(static_cast<int>(v("start_week"))),
      end_week_(static_cast<int>(v("end_week"))),
      duration_weeks_(static_cast<int>(v("duration_weeks"))),
      ramp_up_weeks_(static_cast<int>(v("ramp_up_weeks"))),
      workers_(v("workers")),
      caseload_(static_cast<int>(v("caseload"))),
      targeting_(v.text.at("targeting") == "highest_risk" ? Targeting::highest_risk
                 : v.text.at("targeting") == "first_come" ? Targeting::first_come
                                                          : Targeting::random) {}

InterventionWeek CaseloadIntervention::apply(World& w, int week) {
  InterventionWeek log;
  const auto n = w.pop.size();
  if (enrolled_.size() != n) {
    enrolled_.assign(n, 0);
    completed_age_.assign(n, 0);
    waiting_since_.assign(n, kNever);
    in_list_.assign(n, 0);
    left_waiting_.clear();
  }
  const bool active = active_in(week, start_week_, end_week_);
  // Cases end when their time is up, when delivery stops, or when the youth has left the city
  // (its slot is vacant or taken by a newcomer, who is younger than the youth taken in).
  std::erase_if(cases_, [&](const Case& c) {
    const bool ends = !active || c.weeks_counted >= duration_weeks_ ||
                      w.pop.state[c.youth] == State::vacant || w.pop.age[c.youth] < c.age_at_entry;
    if (ends) {
      enrolled_[c.youth] = 0;
      completed_age_[c.youth] = std::max<std::uint8_t>(1, w.pop.age[c.youth]);
    }
    return ends;
  });
  // Workers of the simulated share of the city, and the places they offer rounded by a fixed
  // offset (scaled_capacity): the mean over replicates is workers x caseload at any scale.
  const double scale = w.params.simulation.population_scale;
  double workers = 0;
  if (active) {
    const double ramp =
        ramp_up_weeks_ > 0 ? std::min(1.0, (week - start_week_ + 1.0) / ramp_up_weeks_) : 1.0;
    workers = workers_ * ramp * scale;
  }
  const auto capacity = scaled_capacity(workers * caseload_, rounding_offset(w, stream_));
  auto& waiting = waiting_;
  waiting.clear();
  double eligible = 0;
  const auto slots = static_cast<std::int64_t>(n);
  std::uint8_t mark[64];
  for (std::int64_t b = 0; active && b < slots; b += 64) {
    const int len = static_cast<int>(std::min<std::int64_t>(64, slots - b));
    // The marked slots in order, from a bit mask: testing each byte mispredicts a branch for
    // every few slots.
    for (std::uint64_t m = eligibility_.mark_block(w, b, len, mark); m != 0; m &= m - 1) {
      const auto i = static_cast<std::uint32_t>(b + std::countr_zero(m));
      if (completed_age_[i] != 0 && w.pop.age[i] >= completed_age_[i]) continue;  // served
      eligible += 1;
      // A youth of a trial's control arm is never taken in: no place, no waiting.
      if (excluded(i)) {
        waiting_since_[i] = kNever;
        continue;
      }
      if (enrolled_[i]) continue;
      if (waiting_since_[i] == kNever) waiting_since_[i] = week;
      waiting.push_back(i);
    }
  }
  // A youth who waited last week and is no longer eligible leaves the list.
  for (const auto i : waiting) in_list_[i] = 1;
  for (const auto i : left_waiting_) {
    if (!in_list_[i]) waiting_since_[i] = kNever;
  }
  for (const auto i : waiting) in_list_[i] = 0;
  const std::size_t free = capacity > cases_.size() ? capacity - cases_.size() : 0;
  const std::size_t take = std::min(free, waiting.size());
  if (take > 0 && take < waiting.size()) {
    // The first `take` in the order (key, slot): each key computed once, and only the places
    // filled are sorted (the order is total, so the selection is unique).
    keyed_.clear();
    for (const auto i : waiting) {
      const double key = targeting_ == Targeting::highest_risk ? -w.pop.risk[i]
                         : targeting_ == Targeting::first_come ? waiting_since_[i]
                                                               : w.rng.uniform(stream_, week, i);
      keyed_.emplace_back(key, i);
    }
    std::partial_sort(keyed_.begin(), keyed_.begin() + static_cast<std::ptrdiff_t>(take),
                      keyed_.end());
    for (std::size_t k = 0; k < waiting.size(); ++k) waiting[k] = keyed_[k].second;
  }
  double waited = 0;
  for (std::size_t k = 0; k < take; ++k) {
    const auto i = waiting[k];
    waited += week - waiting_since_[i];
    waiting_since_[i] = kNever;
    enrolled_[i] = 1;
    cases_.push_back({i, week, w.pop.age[i], 0});
  }
  left_waiting_.assign(waiting.begin() + static_cast<std::ptrdiff_t>(take), waiting.end());
  for (auto& c : cases_) {
    apply_effects(w, c.youth, effects_);
    on_served(w, c.youth);
    if (week_counts(w, c.youth)) ++c.weeks_counted;
  }
  log.eligible = eligible;
  log.enrolled = static_cast<double>(take);
  log.served = static_cast<double>(cases_.size());
  log.waiting = static_cast<double>(waiting.size() - take);
  log.capacity = static_cast<double>(capacity);
  log.mean_wait = take > 0 ? waited / take : 0.0;
  // Costs of the simulated share of the city, like every count of the run.
  log.cost = workers * costs_.per_worker_week + take * costs_.per_enrolled_youth +
             log.served * costs_.per_served_week + (active ? costs_.per_week * scale : 0.0);
  return log;
}

bool CaseloadIntervention::meets_eligibility(const World& w, std::uint32_t i, int week) const {
  if (!active_in(week, start_week_, end_week_)) return false;
  if (!completed_age_.empty() && completed_age_[i] != 0 && w.pop.age[i] >= completed_age_[i]) {
    return false;
  }
  return eligibility_.matches(w, i);
}

CoverageIntervention::CoverageIntervention(const Values& v, const Schema& schema,
                                           std::uint32_t index,
                                           const std::vector<std::string>& area_names)
    : eligibility_(v, area_names),
      effects_(effects_of(v, schema)),
      costs_(v),
      stream_(static_cast<Stream>(static_cast<std::uint32_t>(Stream::intervention) + index)),
      start_week_(static_cast<int>(v("start_week"))),
      end_week_(static_cast<int>(v("end_week"))),
      coverage_(v("coverage")) {}

// Reach is a property of the slot (its household, school class, street), fixed over time: one
// draw per slot (keyed by week 0), the same in every week and for every strategy.
bool CoverageIntervention::in_reach(const World& w, std::uint32_t i) const {
  if (coverage_ >= 1.0) return true;
  if (i < in_reach_.size()) return in_reach_[i] != 0;
  return w.rng.uniform(stream_, 0, i) < coverage_;
}

InterventionWeek CoverageIntervention::apply(World& w, int week) {
  InterventionWeek log;
  if (!active_in(week, start_week_, end_week_)) return log;
  if (coverage_ < 1.0 && in_reach_.size() != w.pop.size()) {
    in_reach_.resize(w.pop.size());
    for (std::uint32_t i = 0; i < w.pop.size(); ++i)
      in_reach_[i] = w.rng.uniform(stream_, 0, i) < coverage_;
  }
  // Block by block: the eligible slots are marked, those out of reach, excluded or not
  // admitted are unmarked, and each effect multiplies its column by the factor where marked and
  // by exactly 1 elsewhere (x * 1.0f == x), the same floats as one youth at a time.
  double eligible = 0, served = 0;
  const auto slots = static_cast<std::int64_t>(w.pop.size());
  const std::uint8_t* reach = coverage_ < 1.0 ? in_reach_.data() : nullptr;
  const std::uint8_t* excluded = excluded_slots();
  std::uint8_t mark[64];
  for (std::int64_t b = 0; b < slots; b += 64) {
    const int len = static_cast<int>(std::min<std::int64_t>(64, slots - b));
    const std::uint64_t marked = eligibility_.mark_block(w, b, len, mark);
    if (marked == 0) continue;
    eligible += std::popcount(marked);
    if (reach) {
      for (int k = 0; k < len; ++k) mark[k] &= reach[b + k];
    }
    if (excluded) {
      for (int k = 0; k < len; ++k) mark[k] &= static_cast<std::uint8_t>(excluded[b + k] == 0);
    }
    admit_block(w, b, len, mark);
    int taken = 0;
    for (int k = 0; k < len; ++k) taken += mark[k];
    if (taken == 0) continue;
    served += taken;
    apply_effects_block(w, b, len, mark, effects_);
  }
  act_on_networks(w);
  log.eligible = eligible;
  log.served = served;
  // Costs of the simulated share of the city, like every count of the run.
  log.cost =
      costs_.per_week * w.params.simulation.population_scale + served * costs_.per_served_week;
  return log;
}

bool CoverageIntervention::meets_eligibility(const World& w, std::uint32_t i, int week) const {
  if (!active_in(week, start_week_, end_week_) || !eligibility_.matches(w, i)) return false;
  return in_reach(w, i);
}

}  // namespace drift::iv
