#pragma once
// The `trial:` section of a scenario (virtual trials, docs/trials.md), as typed values.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace drift {

// Outcomes a trial can count (at most once per youth, the first within the window).
enum class TrialOutcome : std::uint8_t {
  entry,   // starts dealing: becomes a runner, first time or again after desistance or release
  arrest,  // is arrested
  job,     // finds a job (ordinary or with status)
};
const std::vector<std::string>& trial_outcome_names();

// How the treated youths are compared (docs/trials.md, "Designs").
enum class TrialDesign : std::uint8_t {
  paired,      // each treated youth against itself in a paired run of the strategy without the
               // intervention under trial (same seed and replicate: common random numbers)
  randomised,  // treated youths against a randomised control arm kept from the intervention in
               // the same run (exposed to interference: controls take what the treated leave)
};
const std::vector<std::string>& trial_design_names();

// The `trial:` section, parsed.
struct TrialSpec {
  std::string strategy;
  std::string intervention;
  std::size_t strategy_index = 0;
  std::size_t intervention_index = 0;
  TrialDesign design = TrialDesign::paired;
  std::string design_name = "paired";
  // Probability that an eligible youth is enrolled in the treatment arm; the others are kept from
  // the intervention (the control arm of the randomised design). Default 1 when paired, 0.5 when
  // randomised.
  double treatment_share = 1.0;
  int enrolment_weeks = 52;
  int follow_up_weeks = 52;
  TrialOutcome outcome = TrialOutcome::arrest;
  std::string outcome_name = "arrest";
  // The published figure it is compared with (NaN / empty when not given).
  double published_relative_risk = std::numeric_limits<double>::quiet_NaN();
  double published_low = std::numeric_limits<double>::quiet_NaN();
  double published_high = std::numeric_limits<double>::quiet_NaN();
  std::string published_outcome, published_design, published_source;
};

struct Scenario;
// The parsed section of a valid scenario; nullopt when it has none.
std::optional<TrialSpec> trial_spec(const Scenario& scenario);
// JSON Schema of the section.
std::string trial_json_schema();

}  // namespace drift
