#pragma once
// Commit-phase operations shared by the weekly processes. Each keeps the incremental state
// (tallies, exposure counts, network membership, clocks) consistent with the youth's state.
#include <omp.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "chunk_schedule.hpp"
#include "drift/model/block_mask.hpp"
#include "drift/model/vector_kernel.hpp"
#include "drift/model/world.hpp"

namespace drift::detail {

// Where the shared bookkeeping of a youth's change of state or job goes: the area tallies and the
// week's events. WorldLedger writes them into the world, as one thread does. A ShareLedger keeps
// those of one share of the slots while several threads change youths of their own shares;
// add_to() then adds them to the world, shares in slot order, which gives the tallies and the
// event list of one thread.
struct WorldLedger {
  World& w;
  std::int64_t& tally(int area, Tally t) { return w.tally(area, t); }
  void event(std::uint32_t i, EventKind kind) { w.events.push_back({i, kind}); }
};
class ShareLedger {
 public:
  // Empties the ledger for a world of `areas` areas. A chunk changes a handful of its tallies, so
  // the ledger marks those it hands out and clears (and adds) only them: the sums of the world's
  // hundreds of tallies per chunk would be work of one thread between the passes.
  void reset(std::size_t areas) {
    const std::size_t n = areas * kTallyCount;
    if (delta_.size() != n) {
      delta_.assign(n, 0);
      touched_.assign((n + 63) / 64, 0);
    } else {
      for_each_touched([&](std::size_t k) { delta_[k] = 0; });
      std::fill(touched_.begin(), touched_.end(), 0);
    }
    events_.clear();
  }
  std::int64_t& tally(int area, Tally t) {
    const auto k = static_cast<std::size_t>(area) * kTallyCount + static_cast<std::size_t>(t);
    touched_[k / 64] |= std::uint64_t{1} << (k % 64);
    return delta_[k];
  }
  void event(std::uint32_t i, EventKind kind) { events_.push_back({i, kind}); }
  void add_to(World& w) const;

 private:
  template <class Fn>
  void for_each_touched(Fn&& fn) const {
    for (std::size_t word = 0; word < touched_.size(); ++word) {
      for (std::uint64_t bits = touched_[word]; bits != 0; bits &= bits - 1)
        fn(word * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
    }
  }
  std::vector<std::int64_t> delta_;
  std::vector<std::uint64_t> touched_;  // bit k: tally k was handed out since the reset
  std::vector<Event> events_;
};
// Tallies into the world, events dropped: for a change whose events are already recorded.
struct TallyLedger {
  World& w;
  std::int64_t& tally(int area, Tally t) { return w.tally(area, t); }
  void event(std::uint32_t, EventKind) {}
};

// Fresh competing clocks for the youth's current state (keyed by this week).
void draw_state_clocks(World& w, std::uint32_t i);

// Moves youth i to state `to`, updating tallies, ties' exposure and network membership.
// Does not draw clocks (callers decide which to keep). The form with a ledger writes the tallies
// and events there; with a ShareLedger only a change that starts or ends no dealing may be made
// (the others change other youths' counts and the networks').
void set_state(World& w, std::uint32_t i, State to);
template <class Ledger>
void set_state(World& w, Ledger& ledger, std::uint32_t i, State to);

// Draws the traits of the next occupant of slot i (risk, attachment, low income and, when
// `entry_age` is of school age, a school), keyed by `week`, the week its class forms. The slot
// may still be vacant: its occupant arrives on its birthday, but belongs to the class (and its
// ties) from the week the class forms.
void draw_traits(World& w, std::uint32_t i, std::int32_t week, int entry_age);

// The youth whose traits are in vacant slot i enters at age `age` (state, clocks, attitude).
void enter_youth(World& w, std::uint32_t i, int age);
template <class Ledger>
void enter_youth(World& w, Ledger& ledger, std::uint32_t i, int age);

// Where slot i's schedule puts its occupant in `week`: the age it has (or would have) and whether
// it is present. A class's occupant of a slot turns min_age on the slot's birthday in the class's
// first school year; below 18 only the first block_young slots of a block are occupied, from 18
// the first block_adult; it leaves on turning max_age + 1.
struct Occupancy {
  int age;
  bool present;
};
Occupancy scheduled(const World& w, std::uint32_t i, std::int32_t week);

// The class of `cohort` forms in `week`, a first week of a school year: when `adult` is false the
// new class of min_age (all still to arrive on their birthdays) draws its traits and its school
// and friendship ties; when true (the school year in which it turns 18) the youths who will
// arrive at 18 draw their traits, and the ties of the whole class are drawn again.
void form_class(World& w, int cohort, std::int32_t week, bool adult);
// Slots that belong to the class of `cohort` when its ties are drawn (see form_class).
std::vector<std::uint32_t> class_members(const World& w, int cohort, bool adult);

// Present youth i turns `age`: its baseline attitude (school attachment ends at
// school_leaving_age) and registration hazard follow; a youth job becomes an ordinary job at
// labour.working_age.
void have_birthday(World& w, std::uint32_t i, int age);
template <class Ledger>
void have_birthday(World& w, Ledger& ledger, std::uint32_t i, int age);

// Youth i leaves the city (ageing out or moving away); the slot becomes vacant.
void leave(World& w, std::uint32_t i);
template <class Ledger>
void leave(World& w, Ledger& ledger, std::uint32_t i);

// Registration of youth i as a suspect this week (for dealing when `drug`, at an arrest; else
// for a non-drug offence). Counts the youth once per simulated year and age among the week's new
// suspects, and ends the follow-up of a pending release. Changes no state.
void register_suspect(World& w, std::uint32_t i, bool drug);
// The same through a ledger: its event, kept with the ledger's other events (a ShareLedger's, in
// slot order, when the registrations of a pass are committed chunk by chunk).
template <class Ledger>
void register_suspect(Ledger& ledger, std::uint32_t i, bool drug) {
  ledger.event(i, drug ? EventKind::registered_drug : EventKind::registered);
}

// Clock of the next non-drug registration (stream offending): on entry, or after a registration.
float offence_clock(const World& w, std::uint32_t i, bool after_registration);

// Recomputes youth i's weekly registration hazard (after its age or record changed).
void refresh_offence_hazard(World& w, std::uint32_t i);

// Job status change with its tallies and a fresh labour clock.
void set_job(World& w, std::uint32_t i, Job job);
template <class Ledger>
void set_job(World& w, Ledger& ledger, std::uint32_t i, Job job);

// Attitude without dealing ties, from traits; depends on age through school attendance.
float baseline_attitude(const World& w, std::uint32_t i);

// (Re)builds the school and friendship ties of one cohort among `members` (drawn keyed by
// `week`) and recounts the exposure of every slot of the cohort in those layers. Ties join only
// slots of the cohort, so no other cohort's counts change.
void build_cohort_ties(World& w, int cohort, const std::vector<std::uint32_t>& members,
                       std::int32_t week);

// Joins youth i (entering dealing) to an open network of its territory; false when none is open.
bool join_network(World& w, std::uint32_t i);

// Joins youth i to an open fixed place: of network `preferred` (its recruiter's) when it has
// one, else as join_network. False when none is open.
bool join_fixed_place(World& w, std::uint32_t i, int preferred);

// Youth i enters with a place it brings (supply-driven entry, market.replacement < 1): in
// network `preferred`, or (-1) a network active in its district drawn by places. False only
// when no network is active there.
bool bring_place(World& w, std::uint32_t i, int preferred);

// An arrest of youth i raises the deterrence of each of its ties by one (market.deterrence_*).
void deter_ties(World& w, std::uint32_t i);

// exp(-elapsed / weeks), the share of deterrence left after `elapsed` weeks. It is read for
// every deterred youth at risk every week, with few distinct arguments, so 0-1023 weeks are
// read from a table per thread of the same expression, filled again when the decay time
// changes; an object holds the thread's table, so that a loop over youths looks it up once.
// Threads of a parallel pass may read the table of the thread that made the object: nothing
// writes it until that thread makes another object, which no parallel pass does.
class DeterrenceDecay {
 public:
  static constexpr std::int32_t kTabulated = 1024;
  explicit DeterrenceDecay(double weeks);
  double operator()(std::int32_t elapsed) const {
    if (elapsed < 0 || elapsed >= kTabulated) return std::exp(-elapsed / weeks_);
    return table_[elapsed];
  }
  // Deterrence of youth i in `week` (decayed since it was last raised); 0 when never raised.
  double current(const Population& p, std::uint32_t i, std::int32_t week) const {
    const float d = p.deterrence[i];
    if (d == 0.0f) return 0.0;
    return d * (*this)(week - p.deterrence_week[i]);
  }
  // exp(-k / weeks) for k in [0, kTabulated).
  const double* table() const { return table_; }

 private:
  double weeks_;
  const double* table_;
};
double deterrence_decay(std::int32_t elapsed, double weeks);

// Deterrence of youth i this week (decayed since it was last raised); 0 when never raised.
double current_deterrence(const World& w, std::uint32_t i);

// Orders candidates for scarce network places by a keyed random priority, so that no youth is
// favoured by its slot number.
void order_by_priority(const World& w, std::vector<Decision>& candidates);

// Index drawn with probability proportional to weights (all >= 0), or -1 when they sum to 0.
int weighted_index(const std::vector<double>& weights, double u);

// Bit k of the result is set when state[k] lies in [lo, hi], for k < len <= 64.
inline std::uint64_t state_mask(const State* state, int len, State lo, State hi) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(state);
  const auto first = static_cast<std::uint8_t>(lo);
  const auto span = static_cast<std::uint8_t>(static_cast<std::uint8_t>(hi) - first);
#if defined(__SSE2__)
  if (len == 64) {
    // (s - first) <= span, byte-wise: subtract, then saturating-subtract span; zero means inside.
    const __m128i base = _mm_set1_epi8(static_cast<char>(first));
    const __m128i width = _mm_set1_epi8(static_cast<char>(span));
    const __m128i zero = _mm_setzero_si128();
    std::uint64_t mask = 0;
    for (int q = 0; q < 4; ++q) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 16 * q));
      const __m128i outside = _mm_subs_epu8(_mm_sub_epi8(v, base), width);
      const auto bits =
          static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(outside, zero)));
      mask |= static_cast<std::uint64_t>(bits) << (16 * q);
    }
    return mask;
  }
#endif
  std::uint64_t mask = 0;
  for (int k = 0; k < len; ++k) {
    mask |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(s[k] - first) <= span) << k;
  }
  return mask;
}

// Writes the positions of the set bits of mask, in increasing order, to list; returns how many.
inline int mask_positions(std::uint64_t mask, std::uint8_t* list) {
  int n = 0;
  while (mask) {
    list[n++] = static_cast<std::uint8_t>(std::countr_zero(mask));
    mask &= mask - 1;
  }
  return n;
}

// Slots below which decide() runs on the calling thread alone: a parallel region costs more
// than it saves on so little work. Results never depend on it (decisions are merged in order).
inline constexpr std::int64_t kMinParallelSlots = 8192;

// Slots per chunk when n slots are shared among threads: about eight chunks per thread (so
// that threads taking chunks as they become free end together), at least 1024 slots, and a
// multiple of 64 (the block size of the processes).
static_assert(Population::kBlockSlots == 64, "the processes' blocks are Population's blocks");
inline std::int64_t parallel_chunk(std::int64_t n, int threads) {
  constexpr std::int64_t kChunksPerThread = 8;
  const std::int64_t per = (n + threads * kChunksPerThread - 1) / (threads * kChunksPerThread);
  return std::max<std::int64_t>(1024, (per + 63) / 64 * 64);
}

// How a pass over the world's slots is cut: on one thread (threads 1, one chunk of all slots)
// when w.threads is 1 or the world is small, else into `chunks` chunks of `size` slots. Every
// pass over the slots cuts them this way, so that the same chunks stay with the same threads from
// pass to pass, and commit_own_slots finds the chunks decide_ranges filled.
struct SlotChunks {
  std::int64_t slots;
  int threads;
  std::int64_t size;
  std::int64_t chunks;
  std::int64_t begin(std::int64_t c) const { return c * size; }
  std::int64_t end(std::int64_t c) const { return std::min(slots, (c + 1) * size); }
};
inline SlotChunks slot_chunks(const World& w) {
  const auto n = static_cast<std::int64_t>(w.pop.size());
  const int threads = std::max(1, w.threads);
  if (threads == 1 || n < kMinParallelSlots) return {n, 1, n, 1};
  const std::int64_t size = parallel_chunk(n, threads);
  return {n, threads, size, (n + size - 1) / size};
}

// The passes of Csr::from_edges on `threads` threads, as the step's other parallel passes
// (for_each_chunk): timed with them when the profile asks.
inline Csr::ParallelFor tie_passes(int threads) {
  if (threads <= 1) return {};
  return [threads](std::int64_t n, const std::function<void(std::int64_t)>& fn) {
    for_each_chunk(n, threads, fn);
  };
}

// Runs body(begin, end, buffer) over contiguous slot ranges covering [0, n), in parallel over
// w.threads threads, and leaves the decisions in w.decisions in agent order. The slots are cut
// into a few chunks per thread (boundaries multiples of 64), each with its own buffer; each thread
// takes the chunks of its own share first and then helps with the others' (for_each_chunk: the
// same slots stay with the same core from process to process, and neither the age mix of the
// cohorts nor a busy core holds the others up), and the buffers are merged in chunk order, so
// the result is the same for any thread count and any schedule.
template <class Body>
const std::vector<Decision>& decide_ranges(World& w, Body&& body) {
  const SlotChunks cut = slot_chunks(w);
  if (cut.threads == 1) {
    w.decisions.clear();
    body(std::int64_t{0}, cut.slots, w.decisions);
    return w.decisions;
  }
  if (static_cast<std::int64_t>(w.scratch.size()) < cut.chunks) w.scratch.resize(cut.chunks);
  for_each_chunk(cut.chunks, cut.threads, [&](std::int64_t c) {
    auto& buffer = w.scratch[c];
    buffer.clear();
    body(cut.begin(c), cut.end(c), buffer);
  });
  w.decisions.clear();
  for (std::int64_t c = 0; c < cut.chunks; ++c) {
    w.decisions.insert(w.decisions.end(), w.scratch[c].begin(), w.scratch[c].end());
  }
  return w.decisions;
}

// At least `chunks` ShareLedgers, kept by the calling thread from pass to pass (no allocation
// per week); each chunk's task resets its own (ShareLedger::reset) on the thread that runs it.
// A pass's threads must use the caller's vector through the reference returned: a thread_local
// named inside the pass would be each thread's own.
std::vector<ShareLedger>& chunk_ledgers(std::int64_t chunks);

// Applies fn(decision, ledger) to the decisions the last decide_ranges left, for commits that
// change nothing but the decided youth's own slot, the tallies and the events (a change of state
// that neither starts nor ends dealing, a change of job, keyed clock draws). When decide_ranges
// ran on several threads, each chunk's decisions are applied on the threads of the same chunk
// schedule, with the chunk's ShareLedger, and the ledgers are added to the world in chunk order:
// the world, tallies and event list that applying w.decisions in order with a WorldLedger gives,
// which is what one thread does. fn takes the ledger as `auto&`.
template <class Fn>
void commit_own_slots(World& w, Fn&& fn) {
  const SlotChunks cut = slot_chunks(w);
  if (cut.threads == 1) {
    WorldLedger ledger{w};
    for (const auto& d : w.decisions) fn(d, ledger);
    return;
  }
  auto& ledgers = chunk_ledgers(cut.chunks);
  for_each_chunk(cut.chunks, cut.threads, [&](std::int64_t c) {
    auto& ledger = ledgers[static_cast<std::size_t>(c)];
    ledger.reset(w.areas.size());
    for (const auto& d : w.scratch[static_cast<std::size_t>(c)]) fn(d, ledger);
  });
  for (std::int64_t c = 0; c < cut.chunks; ++c) ledgers[static_cast<std::size_t>(c)].add_to(w);
}

// A prefetch the compiler keeps: a loop of nothing but __builtin_prefetch over a range it can see
// the end of has no effect in the language's terms, and GCC drops the whole loop.
inline void prefetch(const void* address) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(address)));
#else
  __builtin_prefetch(address);
#endif
}

// Asks the processor for the exposure counts of the ties of every youth about to enter dealing,
// before the commit that runs in order on one thread changes them (set_state). The youths' ties
// lie anywhere in the world; asked for together, the loads overlap instead of stalling the commit
// one youth at a time (recruitment: its serial part about a fifth shorter). Changes nothing.
inline void prefetch_exposure_counts(const World& w, const std::vector<Decision>& entering) {
  const auto& p = w.pop;
  for (const auto& d : entering) {
    const auto i = d.agent;
    for (auto j : w.ties.neighbourhood.row(i)) prefetch(&p.dealing_neighbours[j]);
    const int c = p.cohort[i];
    for (auto j : w.ties.school[c].row(i)) prefetch(&p.dealing_schoolmates[j]);
    for (auto j : w.ties.friendship[c].row(i)) prefetch(&p.dealing_friends[j]);
  }
}

// Calls fn(b, len) for every block of 64 slots (the last one shorter) in [begin, end) that holds
// a present youth; begin is a multiple of 64.
template <class Fn>
void for_each_present_block(const Population& p, std::int64_t begin, std::int64_t end, Fn&& fn) {
  for (std::int64_t b = begin; b < end; b += Population::kBlockSlots) {
    if (p.block_vacant(b)) continue;
    fn(b, static_cast<int>(std::min<std::int64_t>(Population::kBlockSlots, end - b)));
  }
}

// decide_ranges(w, body) and then commit_own_slots(w, fn), for a process whose decisions read
// only the decided youth's own slot, as commit_own_slots' commits write only it: each chunk's
// decisions are then applied right after the chunk is decided, on the same thread, within one
// parallel pass (with one chunk, on one thread, all decisions first). Another chunk's commits
// change nothing a chunk's decisions read, so the decisions, world, tallies and events are those
// of deciding everything first. Leaves w.decisions as decide_ranges does.
template <class Body, class Fn>
void decide_and_commit_own_slots(World& w, Body&& body, Fn&& fn) {
  const SlotChunks cut = slot_chunks(w);
  if (cut.threads == 1) {
    decide_ranges(w, body);
    commit_own_slots(w, fn);
    return;
  }
  if (static_cast<std::int64_t>(w.scratch.size()) < cut.chunks) w.scratch.resize(cut.chunks);
  auto& ledgers = chunk_ledgers(cut.chunks);
  for_each_chunk(cut.chunks, cut.threads, [&](std::int64_t c) {
    auto& buffer = w.scratch[static_cast<std::size_t>(c)];
    buffer.clear();
    body(cut.begin(c), cut.end(c), buffer);
    auto& ledger = ledgers[static_cast<std::size_t>(c)];
    ledger.reset(w.areas.size());
    for (const auto& d : buffer) fn(d, ledger);
  });
  w.decisions.clear();
  for (std::int64_t c = 0; c < cut.chunks; ++c) {
    const auto& buffer = w.scratch[static_cast<std::size_t>(c)];
    w.decisions.insert(w.decisions.end(), buffer.begin(), buffer.end());
    ledgers[static_cast<std::size_t>(c)].add_to(w);
  }
}

// Runs fn(i, buffer) for every slot in parallel over w.threads threads and leaves the
// decisions in w.decisions in agent order, for any thread count (see decide_ranges).
template <class Fn>
const std::vector<Decision>& decide(World& w, Fn&& fn) {
  return decide_ranges(w, [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
    for (std::int64_t i = begin; i < end; ++i) fn(static_cast<std::uint32_t>(i), out);
  });
}

// The state ranges the processes pass to decide_states rely on this order.
static_assert(static_cast<int>(State::uninvolved) + 1 == static_cast<int>(State::at_risk) &&
                  static_cast<int>(State::at_risk) + 1 == static_cast<int>(State::runner) &&
                  static_cast<int>(State::runner) + 1 == static_cast<int>(State::dealer) &&
                  static_cast<int>(State::dealer) + 1 == static_cast<int>(State::detained) &&
                  static_cast<int>(State::detained) + 1 == static_cast<int>(State::released) &&
                  static_cast<int>(State::released) + 1 == static_cast<int>(State::desisted),
              "decide_states ranges assume the declaration order of State");

// As decide(), but fn is called (in agent order) only for slots whose state lies in [lo, hi],
// found 64 at a time from a bit mask of the state bytes. For processes that act on rare states
// (dealing, detention, relapse) this avoids touching other columns.
template <class Fn>
const std::vector<Decision>& decide_states(World& w, State lo, State hi, Fn&& fn) {
  const State* state = w.pop.state.data();
  // A range within runner..released finds nobody in a block without such a youth.
  const bool held_only = Population::held(lo) && Population::held(hi);
  return decide_ranges(w, [&](std::int64_t begin, std::int64_t end, std::vector<Decision>& out) {
    std::uint8_t list[64];
    for (std::int64_t b = begin; b < end; b += 64) {
      if (held_only && w.pop.block_unheld(b)) continue;
      const int len = static_cast<int>(std::min<std::int64_t>(64, end - b));
      const int m = mask_positions(state_mask(state + b, len, lo, hi), list);
      for (int j = 0; j < m; ++j) fn(static_cast<std::uint32_t>(b + list[j]), out);
    }
  });
}

// Probability-free firing: subtract this week's hazard from the remaining clock.
inline bool tick(float& clock, float hazard) {
  clock -= hazard;
  return clock <= 0.0f;
}

}  // namespace drift::detail
