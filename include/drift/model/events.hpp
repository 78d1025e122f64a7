#pragma once
// Transition events: what happened to whom this week, in commit order. The step emits them
// (World::events, cleared at the start of each week); observers in the experiments part (the
// release ledger, suspect counts, virtual trials) read them after the week, so no observation
// state lives in the model.
#include <cstdint>

namespace drift {

enum class EventKind : std::uint8_t {
  entered,          // a youth enters the model (a 12-year-old, or an arrival at 18)
  left,             // a youth leaves the model (at 27, or a departure at 18)
  started_dealing,  // becomes a runner from a state that does not deal (entry or relapse)
  desisted,         // stops dealing (desistance, or the end of probation)
  arrested,         // a runner or dealer is arrested
  released,         // released from detention
  job_found,        // finds a job (ordinary or with status) while having none
  job_lost,         // loses its job
  registered,       // registered as a suspect of a non-drug offence
  registered_drug,  // registered as a suspect of dealing (an arrest)
  aged,             // no longer emitted (birthdays are spread over the year); kept so values stay
  birthday,         // a present youth became a year older (its age is the new age)
};

struct Event {
  std::uint32_t agent;
  EventKind kind;
};

}  // namespace drift
