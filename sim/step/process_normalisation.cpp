#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

#include "avx512.hpp"
#include "drift/step/processes.hpp"
#include "lifecycle.hpp"

namespace drift {

namespace {
// Everything one pass needs, read once (passed by value so that it lives in registers).
struct NormaliseColumns {
  const State* state;
  const std::uint8_t* age;
  const std::uint16_t *dn, *ds, *df;
  const float* baseline;
  const float* mult;  // nullptr while no intervention is active (every multiplier is 1)
  float* attitude;
  float rate;
  double sensitivity, neighbour_weight, friend_weight, school_weight;
  int leaving_age;
  const std::uint8_t* present_in_block;  // Population::present_in_block
};

// The saturation term 1 - exp(-sensitivity * e) (as a float) depends only on the youth's counts
// of dealing ties (and on whether its schoolmates count), which take few distinct values: it is
// tabulated for every count below kMax in each layer, once per thread and set of parameters.
// Same inputs, same double expression, same float: schoolmates count only while at school, and
// the entry of a youth whose schoolmates do not count is the one with none (adding the +0 of the
// school term to a sum of non-negative weights changes nothing).
struct Saturation {
  static constexpr int kMax = 8;
  std::array<double, 4> key{};
  bool filled = false;
  alignas(64) float value[kMax * kMax * kMax];  // at (dn * kMax + df) * kMax + ds
  static int at(unsigned dn, unsigned df, unsigned ds) {
    return static_cast<int>((dn * kMax + df) * kMax + ds);
  }
};

// World::weighted_exposure's saturation for the counts, written out so that it inlines.
float saturation(const NormaliseColumns& c, unsigned dn, unsigned df, unsigned ds) {
  double e = c.neighbour_weight * dn + c.friend_weight * df;
  if (ds != 0) e += c.school_weight * ds;
  return static_cast<float>(1.0 - std::exp(-c.sensitivity * e));
}

const Saturation& saturation_table(const NormaliseColumns& c) {
  thread_local Saturation table;
  const std::array<double, 4> key{c.sensitivity, c.neighbour_weight, c.friend_weight,
                                  c.school_weight};
  if (!table.filled || table.key != key) {
    for (unsigned dn = 0; dn < Saturation::kMax; ++dn)
      for (unsigned df = 0; df < Saturation::kMax; ++df)
        for (unsigned ds = 0; ds < Saturation::kMax; ++ds)
          table.value[Saturation::at(dn, df, ds)] = saturation(c, dn, df, ds);
    table.key = key;
    table.filled = true;
  }
  return table;
}

// "Dealers are ordinary traders": the more dealing ties, the closer the target gets to 1.
inline void normalise_exposed(const NormaliseColumns& c, std::int64_t i, const Saturation& table) {
  float target = c.baseline[i];
  const unsigned dn = c.dn[i], df = c.df[i];
  const unsigned ds = c.age[i] < c.leaving_age ? c.ds[i] : 0u;
  const float g = dn < Saturation::kMax && df < Saturation::kMax && ds < Saturation::kMax
                      ? table.value[Saturation::at(dn, df, ds)]
                      : saturation(c, dn, df, ds);
  target += (1.0f - target) * g;
  if (c.mult) target *= c.mult[i];
  c.attitude[i] += c.rate * (target - c.attitude[i]);
}

// One block of up to 64 slots from `b`: every youth without dealing ties moves towards its
// baseline (times the multiplier when one is given), in a branch-free loop the compiler
// vectorises; tied[k] marks the youths with dealing ties, left to the caller. Returns whether
// any is marked. The float operations are those of the one-slot-at-a-time formula.
template <bool kMultiplied>
[[DRIFT_VECTOR_KERNEL]] unsigned normalise_block(const NormaliseColumns& c, std::int64_t b, int len,
                                                 std::uint8_t* tied_out) {
  const auto* __restrict state = reinterpret_cast<const std::uint8_t*>(c.state + b);
  const std::uint16_t* __restrict dn = c.dn + b;
  const std::uint16_t* __restrict ds = c.ds + b;
  const std::uint16_t* __restrict df = c.df + b;
  const float* __restrict baseline = c.baseline + b;
  const float* __restrict mult = kMultiplied ? c.mult + b : nullptr;
  float* __restrict attitude = c.attitude + b;
  std::uint8_t* __restrict tied = tied_out;
  const float rate = c.rate;
  constexpr auto kVacant = static_cast<std::uint8_t>(State::vacant);
#pragma omp simd
  for (int k = 0; k < len; ++k) {
    const unsigned live = state[k] != kVacant;
    const unsigned ties = (dn[k] | ds[k] | df[k]) != 0;
    float target = baseline[k];
    if constexpr (kMultiplied) target *= mult[k];
    const float next = attitude[k] + rate * (target - attitude[k]);
    // Bitwise select (keeps the store unconditional, so the loop stays vectorised).
    const std::uint32_t keep = (live & (ties ^ 1u)) ? 0xffffffffu : 0u;
    attitude[k] = std::bit_cast<float>((std::bit_cast<std::uint32_t>(next) & keep) |
                                       (std::bit_cast<std::uint32_t>(attitude[k]) & ~keep));
    const unsigned t = live & ties;
    tied[k] = static_cast<std::uint8_t>(t);
  }
  return detail::any_nonzero(tied, len);
}

#ifdef DRIFT_AVX512_KERNELS
// normalise_block and normalise_exposed for a whole block of 64 slots on processors with
// AVX-512 BW (avx512.hpp): who is present, who has dealing ties, who is at school and whose counts
// the saturation table covers come from compares of the 64 state and age bytes and of the counts
// (32 lanes each), and the attitudes move 16 at a time with the float operations of the two, in
// their order, the saturation gathered from the table. Marks (tied_out) the youths left to
// normalise_exposed: those with a count beyond the table.
[[DRIFT_AVX512BW]] unsigned normalise_block_masks(const NormaliseColumns& c,
                                                  const Saturation& table, std::int64_t b,
                                                  std::uint8_t* tied_out) {
  const __m512i state = _mm512_loadu_si512(c.state + b);
  const std::uint64_t live =
      _mm512_cmpneq_epi8_mask(state, _mm512_set1_epi8(static_cast<char>(State::vacant)));
  const std::uint64_t at_school = _mm512_cmplt_epu8_mask(
      _mm512_loadu_si512(c.age + b),
      _mm512_set1_epi8(static_cast<char>(std::clamp(c.leaving_age, 0, 255))));
  const bool school_all = c.leaving_age > 255;
  std::uint64_t ties = 0, covered = 0;
  __m512i dn[2], df[2], ds[2];
  for (int half = 0; half < 2; ++half) {
    const std::int64_t at = b + 32 * half;
    dn[half] = _mm512_loadu_si512(c.dn + at);
    df[half] = _mm512_loadu_si512(c.df + at);
    const __m512i school_count = _mm512_loadu_si512(c.ds + at);
    const auto counted = static_cast<__mmask32>(school_all ? ~0ull : at_school >> (32 * half));
    ds[half] = _mm512_maskz_mov_epi16(counted, school_count);
    const __m512i any = _mm512_or_si512(_mm512_or_si512(dn[half], df[half]), school_count);
    ties |= static_cast<std::uint64_t>(_mm512_test_epi16_mask(any, any)) << (32 * half);
    const __m512i kmax = _mm512_set1_epi16(Saturation::kMax);
    covered |= static_cast<std::uint64_t>(_mm512_cmplt_epu16_mask(dn[half], kmax) &
                                          _mm512_cmplt_epu16_mask(df[half], kmax) &
                                          _mm512_cmplt_epu16_mask(ds[half], kmax))
               << (32 * half);
  }
  const std::uint64_t plain = live & ~ties;
  const std::uint64_t exposed = live & ties & covered;
  const __m512 rate = _mm512_set1_ps(c.rate);
  const __m512 one = _mm512_set1_ps(1.0f);
  for (int q = 0; q < 4; ++q) {
    const std::int64_t at = b + 16 * q;
    const auto part = [q](std::uint64_t m) { return static_cast<__mmask16>(m >> (16 * q)); };
    const int half = q / 2;
    __m512 target = _mm512_loadu_ps(c.baseline + at);
    if (part(exposed) != 0) {
      const __m256i n256 = (q % 2 == 0) ? _mm512_maskz_extracti64x4_epi64(0xf, dn[half], 0)
                                        : _mm512_maskz_extracti64x4_epi64(0xf, dn[half], 1);
      const __m256i f256 = (q % 2 == 0) ? _mm512_maskz_extracti64x4_epi64(0xf, df[half], 0)
                                        : _mm512_maskz_extracti64x4_epi64(0xf, df[half], 1);
      const __m256i s256 = (q % 2 == 0) ? _mm512_maskz_extracti64x4_epi64(0xf, ds[half], 0)
                                        : _mm512_maskz_extracti64x4_epi64(0xf, ds[half], 1);
      const __m512i k = _mm512_set1_epi32(Saturation::kMax);
      const __m512i index = _mm512_add_epi32(
          _mm512_mullo_epi32(
              _mm512_add_epi32(_mm512_mullo_epi32(_mm512_maskz_cvtepu16_epi32(0xffff, n256), k),
                               _mm512_maskz_cvtepu16_epi32(0xffff, f256)),
              k),
          _mm512_maskz_cvtepu16_epi32(0xffff, s256));
      const __m512 g =
          _mm512_mask_i32gather_ps(_mm512_setzero_ps(), part(exposed), index, table.value, 4);
      target = _mm512_mask_add_ps(target, part(exposed), target,
                                  _mm512_mul_ps(_mm512_sub_ps(one, target), g));
    }
    if (c.mult) target = _mm512_mul_ps(target, _mm512_loadu_ps(c.mult + at));
    const __m512 attitude = _mm512_loadu_ps(c.attitude + at);
    const __m512 next =
        _mm512_add_ps(attitude, _mm512_mul_ps(rate, _mm512_sub_ps(target, attitude)));
    _mm512_storeu_ps(c.attitude + at, _mm512_mask_blend_ps(part(plain | exposed), attitude, next));
  }
  const std::uint64_t left = live & ties & ~covered;
  _mm512_storeu_si512(tied_out, _mm512_maskz_mov_epi8(left, _mm512_set1_epi8(1)));
  return left != 0 ? 1u : 0u;
}
#endif

// Blocks of 64 slots: first every youth without dealing ties (vectorised), then the few with
// ties, listed without branches. Each slot is updated once.
void normalise_range(const NormaliseColumns c, std::int64_t begin, std::int64_t end) {
  const Saturation& table = saturation_table(c);
#ifdef DRIFT_AVX512_KERNELS
  const bool masks = detail::has_avx512bw();
#endif
  for (std::int64_t b = begin; b < end; b += 64) {
    const int len = static_cast<int>(std::min<std::int64_t>(64, end - b));
    if (c.present_in_block[b / 64] == 0) continue;
    std::uint8_t tied[64];
    unsigned any;
#ifdef DRIFT_AVX512_KERNELS
    if (len == 64 && masks) {
      any = normalise_block_masks(c, table, b, tied);
    } else
#endif
    {
      any =
          c.mult ? normalise_block<true>(c, b, len, tied) : normalise_block<false>(c, b, len, tied);
    }
    if (!any) continue;
    for (std::uint64_t m = detail::nonzero_mask(tied, len); m != 0; m &= m - 1)
      normalise_exposed(c, b + std::countr_zero(m), table);
  }
}
}  // namespace

void normalise_attitudes(World& w) {
  const auto& np = w.params.normalisation;
  const auto& tp = w.params.ties;
  auto& p = w.pop;
  const NormaliseColumns c{p.state.data(),
                           p.age.data(),
                           p.dealing_neighbours.data(),
                           p.dealing_schoolmates.data(),
                           p.dealing_friends.data(),
                           p.baseline_attitude.data(),
                           w.mult.if_written(&Multipliers::attitude),
                           p.attitude.data(),
                           static_cast<float>(np.adjustment_rate),
                           np.exposure_sensitivity,
                           tp.neighbourhood_weight,
                           tp.friend_weight,
                           tp.school_weight,
                           w.params.population.school_leaving_age,
                           p.present_in_block.data()};
  const detail::SlotChunks cut = detail::slot_chunks(w);
  if (cut.threads == 1) {
    normalise_range(c, 0, cut.slots);
    return;
  }
  // Every slot is independent of the others.
  detail::for_each_chunk(cut.chunks, cut.threads,
                         [&](std::int64_t k) { normalise_range(c, cut.begin(k), cut.end(k)); });
}

}  // namespace drift
