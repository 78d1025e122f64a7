#pragma once
// The youths of one run, as a structure of arrays. A youth occupies a slot; when its cohort
// leaves at max_age a new 12-year-old takes the slot (same district), so arrays never grow.
#include <cassert>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string_view>
#include <vector>

namespace drift {

enum class State : std::uint8_t {
  uninvolved = 0,
  at_risk,
  runner,
  dealer,
  detained,
  released,
  desisted,
  vacant,  // slot not occupied this year (cohort bands differ in size); not a youth
};
inline constexpr int kStateCount = 7;  // states a youth can be in (vacant excluded)
std::string_view state_name(State s);
inline bool is_dealing(State s) {
  return s == State::runner || s == State::dealer;
}

// youth: a part-time or holiday job (bijbaan) of a youth under labour.working_age.
enum class Job : std::uint8_t { none = 0, ordinary, status, youth };

inline constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::min();
inline constexpr std::int16_t kNoNetwork = -1;
inline constexpr std::uint16_t kNoSchool = std::numeric_limits<std::uint16_t>::max();
inline constexpr std::int16_t kNoYear = std::numeric_limits<std::int16_t>::min();
inline constexpr std::int16_t kNeverDeterred = std::numeric_limits<std::int16_t>::min();
// Bits of Population::market_role.
inline constexpr std::uint8_t kRecruiter = 1;  // recruits others through ties and in its district
inline constexpr std::uint8_t kSupplyPlace =
    2;  // holds a place it brought (withdrawn when it leaves)

struct Population {
  // Fixed per slot.
  std::vector<std::uint8_t> area;    // district index
  std::vector<std::uint8_t> cohort;  // slot cohort; slots of one cohort are contiguous
  // Per youth, redrawn when a newcomer takes the slot.
  std::vector<std::uint8_t> age;         // years
  std::vector<std::uint16_t> school;     // secondary school attended while of school age
  std::vector<std::uint8_t> low_income;  // household at or below 125% of the social minimum
  std::vector<float> risk;               // individual risk (low self-control), SD units
  std::vector<float> attachment;         // school attachment, SD units
  std::vector<float> baseline_attitude;  // attitude with no dealing ties, 0..1
  std::vector<float> attitude;           // current attitude towards dealing, 0..1
  std::vector<State> state;
  std::vector<Job> job;
  std::vector<std::uint8_t> ever_dealt;
  std::vector<std::int16_t> network;           // network dealt for, or kNoNetwork
  std::vector<std::int32_t> last_arrest_week;  // kNever without a record
  std::vector<std::uint16_t> countdown;        // weeks left in detention or on probation
  // Remaining integrated hazard of each competing clock of the current state (see docs/model.md).
  std::vector<float> clock_a, clock_b, clock_c, clock_job;
  // Registration as a suspect of a non-drug offence (no process reads a registration to change
  // a state; observers count them from the week's events).
  std::vector<float> clock_offence;   // remaining integrated hazard of a non-drug registration
  std::vector<float> offence_hazard;  // its weekly hazard, kept current (0 for a vacant slot)
  // Ties currently dealing, per layer; updated incrementally when a tie changes state.
  std::vector<std::uint16_t> dealing_neighbours, dealing_schoolmates, dealing_friends;
  // Ties currently recruiting (dealers with the recruiter role), per layer; updated incrementally
  // when a tie gains or loses the role.
  std::vector<std::uint16_t> recruiting_neighbours, recruiting_schoolmates, recruiting_friends;
  // Market role while dealing (bits kRecruiter, kSupplyPlace); 0 when not dealing.
  std::vector<std::uint8_t> market_role;
  // Deterrence by arrests among the youth's ties: its value at deterrence_week; it decays with
  // market.deterrence_weeks and is brought up to date only when read or raised.
  std::vector<float> deterrence;
  // Weeks fit in 16 bits: simulation.weeks and burn_in_weeks are at most 5,200 each.
  std::vector<std::int16_t> deterrence_week;

  // Present (not vacant) youths in each block of kBlockSlots slots (block k holds slots
  // k * kBlockSlots ..), kept by detail::set_state. The weekly passes take slots a block at a
  // time and skip a block where it is 0: about a seventh of the blocks are slots held for a
  // cohort's arrivals at 18, or left by its leavers.
  static constexpr std::int64_t kBlockSlots = 64;
  std::vector<std::uint8_t> present_in_block;
  // Whether the block starting at first_slot (a multiple of kBlockSlots) holds no present youth.
  bool block_vacant(std::int64_t first_slot) const {
    assert(first_slot % kBlockSlots == 0);
    return present_in_block[static_cast<std::size_t>(first_slot / kBlockSlots)] == 0;
  }
  // Youths in the states of the market and the justice system (runner, dealer, detained,
  // released) in each block, kept by detail::set_state as present_in_block is: careers and
  // enforcement skip a block where it is 0 (two blocks in three, with a few youths per thousand
  // dealing).
  std::vector<std::uint8_t> held_in_block;
  static bool held(State s) {
    return static_cast<std::uint8_t>(static_cast<std::uint8_t>(s) -
                                     static_cast<std::uint8_t>(State::runner)) <=
           static_cast<std::uint8_t>(State::released) - static_cast<std::uint8_t>(State::runner);
  }
  // Whether the block starting at first_slot holds no youth in those states.
  bool block_unheld(std::int64_t first_slot) const {
    assert(first_slot % kBlockSlots == 0);
    return held_in_block[static_cast<std::size_t>(first_slot / kBlockSlots)] == 0;
  }
  // Counts present_in_block and held_in_block again from the states.
  void recount_present_blocks();

  std::size_t size() const { return state.size(); }
  void resize(std::size_t n);
  std::size_t bytes() const;
};

// Per-youth hazard multipliers. The weekly processes read hazards through these columns and
// know nothing of interventions; interventions write them.
// The hazard multiplier columns, declared once: X(name) for each. Interventions' effects name
// them (an effect `entry: 0.75` scales the column `entry`), and the processes read them.
// clang-format off
#define DRIFT_MULTIPLIER_COLUMNS(X) \
  X(onset) X(entry) X(progression) X(desistance) X(arrest) X(relapse) X(job_finding) \
  X(status_job) X(vog_blocked) X(attitude)
// clang-format on

// A column holds no memory until an intervention first writes it (write(), mark_written()):
// the burnt-in world and a strategy without interventions carry none, and a strategy carries
// only the columns its interventions change. Read a youth's factor with factor(), or a whole
// column with if_written().
struct Multipliers {
#define DRIFT_COLUMN(name) std::vector<float> name;
  DRIFT_MULTIPLIER_COLUMNS(DRIFT_COLUMN)
#undef DRIFT_COLUMN
  // Youths served this week by a job coach (a condition some VOG arrangements set); empty until
  // first written (write_coached()).
  std::vector<std::uint8_t> coached;
  // The columns written since the last reset (bit k: kMultiplierColumns[k]). A column not
  // written is 1 for every youth, so a process reads it only when written; that reading of an
  // all-1 column gives exactly the same floats is what tests/step check.
  std::uint32_t written = 0;
  bool coached_written = false;
  // Sets the number of slots and releases every column (all factors 1 again).
  void resize(std::size_t n);
  std::size_t size() const {
    return slots_;
  }
  // The written columns back to 1 (and coached to 0); the others are 1 already. A column once
  // allocated keeps its memory.
  void reset();
  // The column, allocated (all 1) if it holds no memory yet, and marked written this week. The
  // caller may write any slot of it, so reset() refills the whole column.
  std::vector<float>& write(std::vector<float> Multipliers::*column);
  // As write(), for a caller that then writes only the slots of the blocks it passes to
  // touch_block(): reset() refills only the blocks touched this week (unless write() was also
  // called), which saves refilling whole columns for the few youths a caseload serves.
  std::vector<float>& write_blocks(std::vector<float> Multipliers::*column);
  // Slots first_slot .. first_slot + 63 (first_slot a multiple of 64) may hold factors other
  // than 1 until the next reset().
  void touch_block(std::int64_t first_slot) {
    const auto block = static_cast<std::size_t>(first_slot / 64);
    if (block / 64 < touched_.size())
      touched_[block / 64] |= std::uint64_t{1} << (block % 64);
    else
      whole_ = true;  // columns sized without resize(): refill them whole
  }
  std::vector<std::uint8_t>& write_coached();
  // Marks a column written (allocating it): for code that writes it directly after.
  void mark_written(std::vector<float> Multipliers::*column) {
    write(column);
  }
  void mark_all_written();
  bool is_written(std::vector<float> Multipliers::*column) const;
  bool any_written() const {
    return written != 0;
  }
  // The column if written, else nullptr (the process takes its plain path).
  const float* if_written(std::vector<float> Multipliers::*column) const {
    return is_written(column) ? (this->*column).data() : nullptr;
  }
  // Youth i's factor: 1 unless the column was written this week.
  float factor(std::vector<float> Multipliers::*column, std::size_t i) const {
    return is_written(column) ? (this->*column)[i] : 1.0f;
  }
  bool is_coached(std::size_t i) const {
    return coached_written && coached[i] != 0;
  }
  // Bytes the columns hold now.
  std::size_t bytes() const;

 private:
  std::size_t slots_ = 0;
  // Bit b: block b (slots 64 b ..) touched since the last reset; whole_: a column was written
  // through write(), anywhere.
  std::vector<std::uint64_t> touched_;
  bool whole_ = false;
};

struct MultiplierColumn {
  const char* name;
  std::vector<float> Multipliers::*column;
};
// Every column, in declaration order.
inline constexpr MultiplierColumn kMultiplierColumns[] = {
#define DRIFT_COLUMN(name) {#name, &Multipliers::name},
    DRIFT_MULTIPLIER_COLUMNS(DRIFT_COLUMN)
#undef DRIFT_COLUMN
};
inline constexpr std::size_t kMultiplierColumnCount = std::size(kMultiplierColumns);
static_assert(kMultiplierColumnCount <= 32, "Multipliers::written has one bit per column");
// The bit of a column in Multipliers::written.
inline std::uint32_t multiplier_bit(std::vector<float> Multipliers::*column) {
  for (std::size_t k = 0; k < kMultiplierColumnCount; ++k) {
    if (kMultiplierColumns[k].column == column) return 1u << k;
  }
  return 0;
}
inline bool Multipliers::is_written(std::vector<float> Multipliers::*column) const {
  return (written & multiplier_bit(column)) != 0;
}
// The column of that name; nullptr when there is none.
const MultiplierColumn* multiplier_column(std::string_view name);

}  // namespace drift
