#pragma once
// Interventions plug into the weekly step through one small interface and a registry keyed by
// the YAML `type`. They act only by writing hazard multipliers (World::mult) and network
// capacity factors; the processes know nothing of intervention types.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "drift/scenario.hpp"

namespace drift {

struct World;

// What an intervention did in one week (recorded per strategy and replicate).
struct InterventionWeek {
  double eligible = 0;  // youths meeting the eligibility rule
  double enrolled = 0;  // youths taken in this week
  double served = 0;    // youths being served (or covered) this week
  double waiting = 0;   // eligible youths on the waiting list
  double capacity = 0;  // places available this week
  double cost = 0;      // euro spent this week
  double mean_wait = 0;  // mean weeks waited by the youths taken in this week
};

class Intervention {
 public:
  virtual ~Intervention() = default;
  // Called at the start of each recorded week, before the processes; writes multipliers.
  virtual InterventionWeek apply(World& world, int week) = 0;
  // Fixed cost charged once per run (set-up), euro.
  virtual double fixed_cost() const { return 0.0; }

  // Virtual trials (trial.hpp). Whether this type serves individual youths, so that they can
  // be randomised to it; whether youth i meets its eligibility rule (and is in reach) in `week`.
  virtual bool supports_trial() const { return false; }
  virtual bool trial_eligible(const World&, std::uint32_t, int /*week*/) const { return false; }
  // Marks this intervention as the one under trial: youths of the control arm are then never
  // taken in (they use no places and do not wait).
  void set_trial_target(bool on) { trial_target_ = on; }

 protected:
  bool trial_target_ = false;
};

struct InterventionType {
  std::string type;
  std::string description;
  // Adds a diagnostic for every problem in the block (the `type` key is already checked).
  // `area_names` are the scenario's areas (empty: district names are not checked).
  std::function<void(const InterventionSpec&, const std::vector<std::string>& area_names,
                     std::vector<Diagnostic>&)>
      validate;
  // Builds the intervention from a valid block; `index` (its position in the strategy) keys
  // its own random stream, so adding an intervention never shifts another's draws.
  std::function<std::unique_ptr<Intervention>(const InterventionSpec&, std::uint32_t index,
                                              const std::vector<std::string>& area_names)>
      create;
  // JSON Schema (an object schema) of the block, for editors.
  std::function<std::string()> json_schema;
};

class InterventionRegistry {
 public:
  static void add(InterventionType type);
  static const InterventionType* find(const std::string& type);
  static std::vector<std::string> names();
};

// Registers an intervention type from a static initialiser in its own source file.
#define DRIFT_REGISTER_INTERVENTION(ident, ...)                       \
  namespace {                                                        \
  const bool ident##_registered = [] {                               \
    ::drift::InterventionRegistry::add(__VA_ARGS__);                 \
    return true;                                                     \
  }();                                                               \
  }

// Checks `type` (with a suggestion for a typo) and then the type's own rules.
void validate_intervention_block(const InterventionSpec& spec, std::vector<Diagnostic>& out);
void validate_intervention_block(const InterventionSpec& spec,
                                 const std::vector<std::string>& area_names,
                                 std::vector<Diagnostic>& out);

// JSON Schema of one intervention block: a oneOf over the registered types.
std::string intervention_json_schema();

}  // namespace drift
