#pragma once
// Counter-based random numbers: every draw is a pure function of
// (seed, replicate, stream, week, agent), so results do not depend on the number of threads, on
// the order of execution, or on what other youths do. Strategies that differ only in
// interventions therefore share their random numbers (common random numbers).
// philox.h sets up the feature macros MicroURNG.hpp relies on.
// clang-format off
#include <Random123/philox.h>
#include <Random123/MicroURNG.hpp>
// clang-format on

#include <array>
#include <cmath>
#include <cstdint>

namespace drift {

// One named stream per random decision. Values are part of the result format: never renumber.
enum class Stream : std::uint32_t {
  // population and ties (week = trait index or tie index)
  traits = 1,
  school = 2,
  neighbourhood_tie = 3,
  school_tie = 4,
  friend_tie = 5,
  network_territory = 6,
  // weekly processes (week = simulation week, negative during burn-in)
  onset = 10,
  recovery = 11,
  entry = 12,
  recruit_priority = 13,
  network_choice = 14,
  progression = 15,
  desistance = 16,
  arrest = 17,
  detention_length = 18,
  relapse = 19,
  job_change = 20,
  job_quality = 21,
  newcomer = 22,
  entry_retry = 23,    // entry clock redrawn after a recruit found no open place
  relapse_retry = 24,  // relapse clock redrawn after a returner found no open place
  job_loss = 25,
  offending = 26,  // non-drug registrations: words 0-1 on entry, words 2-3 after a registration
  // experiment designs (agent = parameter index, week = 0) and bootstraps
  design = 30,
  bootstrap = 31,
  // virtual trials: a youth's arm (agent = youth, week = week of randomisation)
  trial_arm = 40,
  posterior = 32,  // posterior draw of a replicate (agent = replicate)
  // sequential ABC proposals (replicate = generation, week = batch; agent = proposal, or
  // proposal * parameters + parameter)
  smc_parent = 33,   // the previous generation's particle a proposal perturbs
  smc_perturb = 34,  // the perturbation of each parameter
  // recruiters and the drug market
  recruiter = 50,       // whether a new dealer takes the recruiter role
  entry_route = 51,     // how an entry came about: word 0-1 the layer, words 2-3 the market
  entry_tie = 52,       // which recruiting tie of the layer reached the recruit
  relapse_place = 53,   // whether a returner finding no open place brings its own
  supply_network = 54,  // network of a recruit bringing its own place
  // sanctions and scale-free rounding
  sanction = 60,           // the sanction an arrest leads to (week, agent)
  capacity_rounding = 61,  // a network's fixed rounding offset of its capacity (agent = network)
  // continuous ageing: the birthday of a position in a cohort (week = area, agent = rank)
  birthday = 70,
  // decision analysis over replicates (week = bootstrap resample, agent = replicate drawn)
  decision_bootstrap = 37,
  // interventions start at 100; each intervention instance adds its index
  intervention = 100,
};

class Rng {
 public:
  using Philox = r123::Philox4x32;
  using Engine = r123::MicroURNG<Philox>;

  Rng(std::uint32_t seed, std::uint32_t replicate) : key_{{seed, replicate}} {}

  // Four independent uniform 32-bit words.
  std::array<std::uint32_t, 4> words(Stream s, std::int32_t week, std::uint32_t agent) const {
    Philox::ctr_type c{
        {agent, static_cast<std::uint32_t>(week), static_cast<std::uint32_t>(s), 0u}};
    const auto r = Philox{}(c, key_);
    return {r.v[0], r.v[1], r.v[2], r.v[3]};
  }

  // Uniform on the open interval (0, 1) with 52 random bits.
  double uniform(Stream s, std::int32_t week, std::uint32_t agent) const {
    const auto w = words(s, week, agent);
    return to_unit(w[0], w[1]);
  }

  // Two independent uniforms from one block.
  std::array<double, 2> uniform2(Stream s, std::int32_t week, std::uint32_t agent) const {
    const auto w = words(s, week, agent);
    return {to_unit(w[0], w[1]), to_unit(w[2], w[3])};
  }

  // Unit-rate exponential: the integrated hazard at which a competing clock fires.
  double exponential(Stream s, std::int32_t week, std::uint32_t agent) const {
    return -std::log(uniform(s, week, agent));
  }

  // A Boost.Random / <random> compatible engine for distributions that need several words.
  Engine engine(Stream s, std::int32_t week, std::uint32_t agent) const {
    Philox::ctr_type c{
        {agent, static_cast<std::uint32_t>(week), static_cast<std::uint32_t>(s), 0u}};
    return Engine(c, key_);
  }

  // Strictly inside (0, 1): 52 random bits plus one half, so neither 0 nor 1 can come out
  // (with 53 bits, 2^53 - 0.5 would round up to exactly 1).
  static double to_unit(std::uint32_t hi, std::uint32_t lo) {
    const std::uint64_t bits =
        ((static_cast<std::uint64_t>(hi) << 20) ^ (lo >> 12)) & ((1ull << 52) - 1);
    return (static_cast<double>(bits) + 0.5) * 0x1.0p-52;
  }

 private:
  Philox::key_type key_;
};

// A pair of youths forming a tie draws with the two ids in a fixed order.
inline double pair_uniform(const Rng& rng, Stream s, std::uint32_t a, std::uint32_t b) {
  return a < b ? rng.uniform(s, static_cast<std::int32_t>(a), b)
               : rng.uniform(s, static_cast<std::int32_t>(b), a);
}

}  // namespace drift
