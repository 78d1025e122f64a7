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

// The `trial:` section, parsed.
struct TrialSpec {
  std::string strategy;
  std::string intervention;
  std::size_t strategy_index = 0;
  std::size_t intervention_index = 0;
  double treatment_share = 0.5;
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
