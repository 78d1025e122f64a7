#pragma once
// The two ways an intervention reaches youths: a caseload (workers with a caseload each, a
// waiting list and a targeting order) or a coverage (everyone eligible in reach, or a share).
// Both apply their effects as multipliers on the hazards of the youths they serve.
#include <cstdint>
#include <string>
#include <vector>

#include "block.hpp"
#include "drift/interventions/youth_service.hpp"
#include "drift/model/world.hpp"

namespace drift::iv {

// Fields shared by every type, to be put in its Schema.
std::vector<Field> eligibility_fields(std::vector<std::string> states, int min_age, int max_age,
                                      const std::string& record = "any",
                                      const std::string& school = "any");
std::vector<Field> caseload_fields(double workers, int caseload, int duration_weeks,
                                   int ramp_up_weeks);
std::vector<Field> coverage_fields(double coverage);
std::vector<Field> cost_fields(double per_worker_week, double per_enrolled_youth,
                               double per_served_week, double per_week, double fixed);
std::vector<Field> coverage_cost_fields(double per_served_week, double per_week, double fixed);

// A fractional number of places rounded without bias: floor(places + offset) with a fixed
// offset uniform on (0, 1), so its mean over offsets is `places`; an integral number of places
// is kept exactly. rounding_offset draws the intervention's offset, keyed by its stream (its
// name) and the replicate only.
double rounding_offset(const World& w, Stream stream);
std::size_t scaled_capacity(double places, double offset);

struct Eligibility {
  std::uint32_t state_mask = 0;
  int min_age = 0;
  int max_age = 200;
  std::vector<std::uint8_t> in_area;  // per area; all 1 when no districts are listed
  double min_risk = -1e9;
  enum class Record { any, with, without } record = Record::any;
  enum class School { any, at_school, not_at_school } school = School::any;
  bool all_areas = true;  // in_area is 1 everywhere
  // Every eligible state is one of Population::held() (runner to released): a block with none of
  // those youths (Population::block_unheld) has no eligible youth.
  bool only_held = false;
  Eligibility(const Values& v, const std::vector<std::string>& area_names);
  // Marks the slots b .. b + len - 1 (len <= 64) that match in the world's current week:
  // mark[k] = 1 for slot b + k, else 0, without a branch on the youths (the same tests as
  // matches()). Returns the marks as bits (bit k for slot b + k).
  std::uint64_t mark_block(const World& w, std::int64_t b, int len, std::uint8_t* mark) const;
  bool matches(const World& w, std::uint32_t i) const {
    const auto& p = w.pop;
    const State s = p.state[i];
    if (s == State::vacant || !(state_mask & (1u << static_cast<int>(s)))) return false;
    if (p.age[i] < min_age || p.age[i] > max_age || !in_area[p.area[i]]) return false;
    if (p.risk[i] < min_risk) return false;
    if (record != Record::any && w.has_current_record(i) != (record == Record::with)) return false;
    if (school != School::any && w.at_school(i) != (school == School::at_school)) return false;
    return true;
  }
};

// A multiplier column, its bit in Multipliers::written, and the factor applied to it.
struct Effect {
  std::vector<float> Multipliers::*column;
  std::uint32_t bit;
  float factor;
};
// Effects from the `effects` section; each effect field is named after its column. A factor of
// exactly 1 changes nothing and is left out, so its column stays unwritten (and unread).
std::vector<Effect> effects_of(const Values& v, const Schema& schema);
void apply_effects(World& w, std::uint32_t i, const std::vector<Effect>& effects);
// apply_effects() for the slots b + k (k < len) with mark[k] != 0 (0 or 1), at once.
void apply_effects_block(World& w, std::int64_t b, int len, const std::uint8_t* mark,
                         const std::vector<Effect>& effects);

struct Costs {
  double per_worker_week, per_enrolled_youth, per_served_week, per_week, fixed;
  explicit Costs(const Values& v);
};

class CaseloadIntervention : public Intervention, public YouthService {
 public:
  CaseloadIntervention(const Values& v, const Schema& schema, std::uint32_t index,
                       const std::vector<std::string>& area_names);
  InterventionWeek apply(World& w, int week) override;
  double fixed_cost() const override { return costs_.fixed; }
  bool meets_eligibility(const World& w, std::uint32_t i, int week) const override;

 protected:
  // Extra marking of served youths (job coaches mark them as coached).
  virtual void on_served(World&, std::uint32_t) {}
  // Whether a week of service to youth i counts towards duration_weeks. A week that does not
  // count still takes a place on the caseload (job coaches prepare a detained youth's release:
  // their service runs its length from release, when the youth can work).
  virtual bool week_counts(const World&, std::uint32_t) const { return true; }

 private:
  Eligibility eligibility_;
  std::vector<Effect> effects_;
  Costs costs_;
  Stream stream_;
  int start_week_, end_week_, duration_weeks_, ramp_up_weeks_;
  double workers_;
  int caseload_;
  enum class Targeting { highest_risk, first_come, random } targeting_;
  struct Case {
    std::uint32_t youth;
    std::int32_t since;
    std::uint8_t age_at_entry;
    std::int32_t weeks_counted;  // weeks served that count towards duration_weeks
  };
  std::vector<Case> cases_;
  std::vector<std::uint8_t> enrolled_;
  // Age at which a youth finished its service (0: never served); a youth is served once, and a
  // younger occupant of the slot is a newcomer.
  std::vector<std::uint8_t> completed_age_;
  std::vector<std::int32_t> waiting_since_;
  // This week's waiting list and its sort keys; members so their memory is reused.
  std::vector<std::uint32_t> waiting_;
  std::vector<std::pair<double, std::uint32_t>> keyed_;
  // The youths left waiting last week (the only ones whose waiting_since_ is set), and a byte per
  // slot marking this week's list while the two are compared.
  std::vector<std::uint32_t> left_waiting_;
  std::vector<std::uint8_t> in_list_;
};

class CoverageIntervention : public Intervention, public YouthService {
 public:
  CoverageIntervention(const Values& v, const Schema& schema, std::uint32_t index,
                       const std::vector<std::string>& area_names);
  InterventionWeek apply(World& w, int week) override;
  double fixed_cost() const override { return costs_.fixed; }
  bool meets_eligibility(const World& w, std::uint32_t i, int week) const override;

 protected:
  // Whether youth i, eligible and covered, is served this week (extra conditions).
  virtual bool admits(const World&, std::uint32_t) const { return true; }
  // Clears mark[k] of the slots b + k (k < len) that admits() turns away. A type whose condition
  // is a plain column test can do it for the block at once; the default asks admits() for each
  // marked slot.
  virtual void admit_block(const World& w, std::int64_t b, int len, std::uint8_t* mark) const;
  // Network-level action for the week, after the youths; returns nothing to log.
  virtual void act_on_networks(World&) {}
  const Eligibility& eligibility() const { return eligibility_; }

 private:
  Eligibility eligibility_;
  std::vector<Effect> effects_;
  Costs costs_;
  Stream stream_;
  int start_week_, end_week_;
  double coverage_;
  // Whether each slot is in reach (coverage < 1): a fixed property of the slot, drawn once.
  std::vector<std::uint8_t> in_reach_;
  bool in_reach(const World& w, std::uint32_t i) const;
};

}  // namespace drift::iv
