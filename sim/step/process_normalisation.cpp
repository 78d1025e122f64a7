#include <algorithm>
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
// remembered per count triple within one pass. Same inputs, same double expression, same float.
struct Saturation {
  static constexpr int kMax = 8;  // counts 0..7 in every layer are remembered
  float value[kMax][kMax][kMax];
  std::uint8_t known[kMax][kMax][kMax] = {};
};

// "Dealers are ordinary traders": the more dealing ties, the closer the target gets to 1.
inline void normalise_exposed(const NormaliseColumns& c, std::int64_t i, Saturation& memo) {
  float target = c.baseline[i];
  const unsigned dn = c.dn[i], df = c.df[i];
  const unsigned ds = c.age[i] < c.leaving_age ? c.ds[i] : 0u;
  auto saturation = [&] {
    // World::weighted_exposure, written out so that it inlines (schoolmates count only while
    // at school; adding the +0 of a youth at school without dealing schoolmates changes nothing).
    double e = c.neighbour_weight * dn + c.friend_weight * df;
    if (c.age[i] < c.leaving_age) e += c.school_weight * c.ds[i];
    return static_cast<float>(1.0 - std::exp(-c.sensitivity * e));
  };
  float g;
  if (dn < Saturation::kMax && df < Saturation::kMax && ds < Saturation::kMax) {
    if (!memo.known[dn][df][ds]) {
      memo.value[dn][df][ds] = saturation();
      memo.known[dn][df][ds] = 1;
    }
    g = memo.value[dn][df][ds];
  } else {
    g = saturation();
  }
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
// normalise_block for a whole block of 64 slots on processors with AVX-512 BW (avx512.hpp): who
// is present and who has dealing ties come from one compare of the state bytes and two of the
// tie counts, and the attitudes move 16 at a time with the same float operations.
[[DRIFT_AVX512BW]] unsigned normalise_block_masks(const NormaliseColumns& c, std::int64_t b,
                                                  std::uint8_t* tied) {
  const __m512i state = _mm512_loadu_si512(c.state + b);
  const std::uint64_t live =
      _mm512_cmpneq_epi8_mask(state, _mm512_set1_epi8(static_cast<char>(State::vacant)));
  std::uint64_t ties = 0;
  for (int half = 0; half < 2; ++half) {
    const std::int64_t at = b + 32 * half;
    const __m512i counts = _mm512_or_si512(
        _mm512_or_si512(_mm512_loadu_si512(c.dn + at), _mm512_loadu_si512(c.ds + at)),
        _mm512_loadu_si512(c.df + at));
    ties |= static_cast<std::uint64_t>(_mm512_test_epi16_mask(counts, counts)) << (32 * half);
  }
  const std::uint64_t keep = live & ~ties;
  const __m512 rate = _mm512_set1_ps(c.rate);
  for (int q = 0; q < 4; ++q) {
    const std::int64_t at = b + 16 * q;
    __m512 target = _mm512_loadu_ps(c.baseline + at);
    if (c.mult) target = _mm512_mul_ps(target, _mm512_loadu_ps(c.mult + at));
    const __m512 attitude = _mm512_loadu_ps(c.attitude + at);
    const __m512 next =
        _mm512_add_ps(attitude, _mm512_mul_ps(rate, _mm512_sub_ps(target, attitude)));
    _mm512_storeu_ps(c.attitude + at, _mm512_mask_blend_ps(static_cast<__mmask16>(keep >> (16 * q)),
                                                           attitude, next));
  }
  const std::uint64_t exposed = live & ties;
  _mm512_storeu_si512(tied, _mm512_maskz_mov_epi8(exposed, _mm512_set1_epi8(1)));
  return exposed != 0 ? 1u : 0u;
}
#endif

// Blocks of 64 slots: first every youth without dealing ties (vectorised), then the few with
// ties, listed without branches. Each slot is updated once.
void normalise_range(const NormaliseColumns c, std::int64_t begin, std::int64_t end) {
  Saturation memo;
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
      any = normalise_block_masks(c, b, tied);
    } else
#endif
    {
      any =
          c.mult ? normalise_block<true>(c, b, len, tied) : normalise_block<false>(c, b, len, tied);
    }
    if (!any) continue;
    for (std::uint64_t m = detail::nonzero_mask(tied, len); m != 0; m &= m - 1)
      normalise_exposed(c, b + std::countr_zero(m), memo);
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
