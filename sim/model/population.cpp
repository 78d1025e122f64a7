#include "drift/model/population.hpp"

#include <algorithm>
#include <bit>

namespace drift {

std::string_view state_name(State s) {
  switch (s) {
    case State::uninvolved:
      return "uninvolved";
    case State::at_risk:
      return "at_risk";
    case State::runner:
      return "runner";
    case State::dealer:
      return "dealer";
    case State::detained:
      return "detained";
    case State::released:
      return "released";
    case State::desisted:
      return "desisted";
    case State::vacant:
      return "vacant";
  }
  return "?";
}

void Population::resize(std::size_t n) {
  area.resize(n);
  cohort.resize(n);
  age.resize(n);
  school.resize(n, kNoSchool);
  low_income.resize(n);
  risk.resize(n);
  attachment.resize(n);
  baseline_attitude.resize(n);
  attitude.resize(n);
  state.resize(n, State::vacant);
  job.resize(n, Job::none);
  ever_dealt.resize(n);
  network.resize(n, kNoNetwork);
  last_arrest_week.resize(n, kNever);
  countdown.resize(n);
  clock_a.resize(n);
  clock_b.resize(n);
  clock_c.resize(n);
  clock_job.resize(n);
  clock_offence.resize(n);
  offence_hazard.resize(n);
  dealing_neighbours.resize(n);
  dealing_schoolmates.resize(n);
  dealing_friends.resize(n);
  recruiting_neighbours.resize(n);
  recruiting_schoolmates.resize(n);
  recruiting_friends.resize(n);
  market_role.resize(n);
  deterrence.resize(n);
  deterrence_week.resize(n, kNeverDeterred);
  recount_present_blocks();
}

void Population::recount_present_blocks() {
  const auto blocks = static_cast<std::size_t>((size() + kBlockSlots - 1) / kBlockSlots);
  present_in_block.assign(blocks, 0);
  held_in_block.assign(blocks, 0);
  for (std::size_t i = 0; i < size(); ++i) {
    if (state[i] != State::vacant) ++present_in_block[i / kBlockSlots];
    if (held(state[i])) ++held_in_block[i / kBlockSlots];
  }
}

std::size_t Population::bytes() const {
  const std::size_t per_youth =
      sizeof(area[0]) + sizeof(cohort[0]) + sizeof(age[0]) + sizeof(school[0]) +
      sizeof(low_income[0]) + sizeof(risk[0]) + sizeof(attachment[0]) +
      sizeof(baseline_attitude[0]) + sizeof(attitude[0]) + sizeof(state[0]) + sizeof(job[0]) +
      sizeof(ever_dealt[0]) + sizeof(network[0]) + sizeof(last_arrest_week[0]) +
      sizeof(countdown[0]) + 4 * sizeof(clock_a[0]) + 3 * sizeof(dealing_neighbours[0]) +
      sizeof(clock_offence[0]) + sizeof(offence_hazard[0]) + 3 * sizeof(recruiting_neighbours[0]) +
      sizeof(market_role[0]) + sizeof(deterrence[0]) + sizeof(deterrence_week[0]);
  return per_youth * size() + present_in_block.size() + held_in_block.size();
}

void Multipliers::resize(std::size_t n) {
  for (const auto& c : kMultiplierColumns) std::vector<float>().swap(this->*c.column);
  std::vector<std::uint8_t>().swap(coached);
  slots_ = n;
  written = 0;
  coached_written = false;
  touched_.assign((n + 64 * 64 - 1) / (64 * 64), 0);
  whole_ = false;
}

std::vector<float>& Multipliers::write_blocks(std::vector<float> Multipliers::*column) {
  auto& c = this->*column;
  if (c.size() != slots_) c.assign(slots_, 1.0f);
  written |= multiplier_bit(column);
  return c;
}

std::vector<float>& Multipliers::write(std::vector<float> Multipliers::*column) {
  whole_ = true;
  return write_blocks(column);
}

std::vector<std::uint8_t>& Multipliers::write_coached() {
  if (coached.size() != slots_) coached.assign(slots_, 0);
  coached_written = true;
  return coached;
}

void Multipliers::reset() {
  for (std::size_t k = 0; k < kMultiplierColumnCount; ++k) {
    if (!(written & (1u << k))) continue;
    auto& column = this->*kMultiplierColumns[k].column;
    if (whole_) {
      std::fill(column.begin(), column.end(), 1.0f);
      continue;
    }
    for (std::size_t word = 0; word < touched_.size(); ++word) {
      for (auto bits = touched_[word]; bits != 0; bits &= bits - 1) {
        const std::size_t first =
            (64 * word + static_cast<std::size_t>(std::countr_zero(bits))) * 64;
        const std::size_t last = std::min(column.size(), first + 64);
        std::fill(column.begin() + static_cast<std::ptrdiff_t>(first),
                  column.begin() + static_cast<std::ptrdiff_t>(last), 1.0f);
      }
    }
  }
  if (coached_written) std::fill(coached.begin(), coached.end(), 0);
  written = 0;
  coached_written = false;
  std::fill(touched_.begin(), touched_.end(), 0);
  whole_ = false;
}

void Multipliers::mark_all_written() {
  for (const auto& c : kMultiplierColumns) write(c.column);
  write_coached();
}

std::size_t Multipliers::bytes() const {
  std::size_t n = coached.size() * sizeof(coached[0]);
  for (const auto& c : kMultiplierColumns) n += (this->*c.column).size() * sizeof(float);
  return n;
}

const MultiplierColumn* multiplier_column(std::string_view name) {
  for (const auto& c : kMultiplierColumns) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

}  // namespace drift
