#include "lifecycle.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cmath>
#include <limits>

#include "drift/step/processes.hpp"
#include "fast_exp.hpp"

namespace drift::detail {

namespace {

float clock(const World& w, Stream s, std::uint32_t i) {
  return static_cast<float>(w.rng.exponential(s, w.week, i));
}

void add_exposure(World& w, std::uint32_t i, int delta) {
  auto bump = [delta](std::uint16_t& c) { c = static_cast<std::uint16_t>(c + delta); };
  for (auto j : w.ties.neighbourhood.row(i)) bump(w.pop.dealing_neighbours[j]);
  const int c = w.pop.cohort[i];
  for (auto j : w.ties.school[c].row(i)) bump(w.pop.dealing_schoolmates[j]);
  for (auto j : w.ties.friendship[c].row(i)) bump(w.pop.dealing_friends[j]);
}

void add_recruiting(World& w, std::uint32_t i, int delta) {
  auto bump = [delta](std::uint16_t& c) { c = static_cast<std::uint16_t>(c + delta); };
  for (auto j : w.ties.neighbourhood.row(i)) bump(w.pop.recruiting_neighbours[j]);
  const int c = w.pop.cohort[i];
  for (auto j : w.ties.school[c].row(i)) bump(w.pop.recruiting_schoolmates[j]);
  for (auto j : w.ties.friendship[c].row(i)) bump(w.pop.recruiting_friends[j]);
}

}  // namespace

int weighted_index(const std::vector<double>& weights, double u) {
  double total = 0;
  for (double x : weights) total += x;
  if (total <= 0) return -1;
  double target = u * total;
  int last_positive = -1;
  for (std::size_t k = 0; k < weights.size(); ++k) {
    if (weights[k] <= 0) continue;
    last_positive = static_cast<int>(k);
    if (target < weights[k]) return last_positive;
    target -= weights[k];
  }
  return last_positive;  // rounding left u * total at the very end
}

void draw_state_clocks(World& w, std::uint32_t i) {
  auto& p = w.pop;
  switch (p.state[i]) {
    case State::uninvolved:
      p.clock_a[i] = clock(w, Stream::onset, i);
      break;
    case State::at_risk:
      p.clock_a[i] = clock(w, Stream::entry, i);
      p.clock_b[i] = clock(w, Stream::recovery, i);
      break;
    case State::runner:
      p.clock_a[i] = clock(w, Stream::progression, i);
      p.clock_b[i] = clock(w, Stream::desistance, i);
      p.clock_c[i] = clock(w, Stream::arrest, i);
      break;
    case State::dealer:
      p.clock_b[i] = clock(w, Stream::desistance, i);
      p.clock_c[i] = clock(w, Stream::arrest, i);
      break;
    case State::released:
    case State::desisted:
      p.clock_a[i] = clock(w, Stream::relapse, i);
      break;
    case State::detained:
    case State::vacant:
      break;
  }
}

template <class Ledger>
void set_state(World& w, Ledger& ledger, std::uint32_t i, State to) {
  auto& p = w.pop;
  const State from = p.state[i];
  if (from == to) return;
  const int a = p.area[i];
  if (from != State::vacant) --ledger.tally(a, static_cast<Tally>(from));
  if (to != State::vacant) ++ledger.tally(a, static_cast<Tally>(to));
  const bool was = is_dealing(from);
  const bool now = is_dealing(to);
  if (was != now) add_exposure(w, i, now ? +1 : -1);
  if (to == State::dealer) {
    // The recruiter role is drawn once, on becoming a dealer, and kept while dealing.
    const double share = w.params.recruitment.recruiter_share;
    if (share > 0 && (p.market_role[i] & kRecruiter) == 0 &&
        w.rng.uniform(Stream::recruiter, w.week, i) < share) {
      p.market_role[i] |= kRecruiter;
      add_recruiting(w, i, +1);
      ++w.recruiters[a];
    }
  }
  if (was && !now && p.market_role[i] != 0) {
    if (p.market_role[i] & kRecruiter) {
      add_recruiting(w, i, -1);
      --w.recruiters[a];
    }
    // A place the youth brought is withdrawn with it; a fixed place stays open.
    if ((p.market_role[i] & kSupplyPlace) && p.network[i] != kNoNetwork)
      --w.networks.supply_members[static_cast<std::size_t>(p.network[i])];
    p.market_role[i] = 0;
  }
  if (now && !was) ledger.event(i, EventKind::started_dealing);
  if (to == State::desisted) ledger.event(i, EventKind::desisted);
  if (was && p.network[i] != kNoNetwork) {
    const auto n = static_cast<std::size_t>(p.network[i]);
    if (!now) {
      --w.networks.members[n];
      if (from == State::dealer) --w.networks.dealers[n];
      p.network[i] = kNoNetwork;
    } else if (from == State::runner && to == State::dealer) {
      ++w.networks.dealers[n];
    }
  }
  if (from == State::vacant) ++p.present_in_block[i / Population::kBlockSlots];
  if (to == State::vacant) --p.present_in_block[i / Population::kBlockSlots];
  if (Population::held(from)) --p.held_in_block[i / Population::kBlockSlots];
  if (Population::held(to)) ++p.held_in_block[i / Population::kBlockSlots];
  p.state[i] = to;
}

template <class Ledger>
void set_job(World& w, Ledger& ledger, std::uint32_t i, Job job) {
  auto& p = w.pop;
  const int a = p.area[i];
  if (p.job[i] != Job::none) --ledger.tally(a, Tally::employed);
  if (p.job[i] == Job::status) --ledger.tally(a, Tally::status_job);
  if (p.job[i] == Job::none && job != Job::none) ledger.event(i, EventKind::job_found);
  if (p.job[i] != Job::none && job == Job::none) ledger.event(i, EventKind::job_lost);
  p.job[i] = job;
  if (job != Job::none) ++ledger.tally(a, Tally::employed);
  if (job == Job::status) ++ledger.tally(a, Tally::status_job);
  p.clock_job[i] = clock(w, job == Job::none ? Stream::job_change : Stream::job_loss, i);
}

void register_suspect(World& w, std::uint32_t i, bool drug) {
  WorldLedger ledger{w};
  register_suspect(ledger, i, drug);
}

float offence_clock(const World& w, std::uint32_t i, bool after_registration) {
  const auto words = w.rng.words(Stream::offending, w.week, i);
  const double u =
      after_registration ? Rng::to_unit(words[2], words[3]) : Rng::to_unit(words[0], words[1]);
  return static_cast<float>(-std::log(u));
}

void refresh_offence_hazard(World& w, std::uint32_t i) {
  w.pop.offence_hazard[i] = static_cast<float>(offending_hazard(w, i));
}

float baseline_attitude(const World& w, std::uint32_t i) {
  const auto& n = w.params.normalisation;
  const auto& p = w.pop;
  double logit =
      n.baseline_logit + n.risk_logit * p.risk[i] + n.deprivation_logit * p.low_income[i];
  if (w.at_school(i)) logit += n.attachment_logit * p.attachment[i];
  return static_cast<float>(1.0 / (1.0 + std::exp(-logit)));
}

void draw_traits(World& w, std::uint32_t i, std::int32_t week, int entry_age) {
  auto& p = w.pop;
  auto eng = w.rng.engine(Stream::traits, week, i);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  p.risk[i] = static_cast<float>(normal(eng));
  p.attachment[i] = static_cast<float>(normal(eng));
  const auto u = w.rng.uniform2(Stream::school, week, i);
  p.low_income[i] = u[0] < w.areas[p.area[i]].low_income_share ? 1 : 0;
  p.school[i] = kNoSchool;
  if (entry_age < w.params.population.school_leaving_age) {
    // Own district's schools, or (cross_district_school_share, or none at home) any school.
    // A buffer kept per thread: newcomers arrive by the thousand each year.
    static thread_local std::vector<double> weight;
    weight.assign(w.schools.size(), 0.0);
    bool home = false;
    for (std::size_t s = 0; s < w.schools.size(); ++s) {
      if (w.schools[s].area == p.area[i]) weight[s] = 1.0, home = true;
    }
    const double cross = w.params.population.cross_district_school_share;
    const double v = u[1];
    if (!home || v < cross) {
      std::fill(weight.begin(), weight.end(), 1.0);
      p.school[i] = static_cast<std::uint16_t>(weighted_index(weight, home ? v / cross : v));
    } else {
      p.school[i] = static_cast<std::uint16_t>(weighted_index(weight, (v - cross) / (1.0 - cross)));
    }
  }
}

template <class Ledger>
void enter_youth(World& w, Ledger& ledger, std::uint32_t i, int age) {
  auto& p = w.pop;
  p.age[i] = static_cast<std::uint8_t>(age);
  p.baseline_attitude[i] = baseline_attitude(w, i);
  p.attitude[i] = p.baseline_attitude[i];
  p.ever_dealt[i] = 0;
  p.network[i] = kNoNetwork;
  p.market_role[i] = 0;
  p.deterrence[i] = 0.0f;
  p.deterrence_week[i] = kNeverDeterred;
  p.last_arrest_week[i] = kNever;
  p.countdown[i] = 0;
  p.job[i] = Job::none;
  p.clock_job[i] = clock(w, Stream::job_change, i);
  p.clock_offence[i] = offence_clock(w, i, false);
  refresh_offence_hazard(w, i);
  ledger.event(i, EventKind::entered);
  set_state(w, ledger, i, State::uninvolved);
  draw_state_clocks(w, i);
}

template <class Ledger>
void have_birthday(World& w, Ledger& ledger, std::uint32_t i, int age) {
  auto& p = w.pop;
  const bool was_at_school = w.at_school(i);
  p.age[i] = static_cast<std::uint8_t>(age);
  // The baseline depends on age only through being at school: the same inputs give the same
  // float, so it is computed again only on leaving school.
  if (w.at_school(i) != was_at_school) p.baseline_attitude[i] = baseline_attitude(w, i);
  refresh_offence_hazard(w, i);
  // The youth keeps working for the same employer, now in an adult job; no job is found or lost.
  if (p.job[i] == Job::youth && age >= w.params.labour.working_age)
    set_job(w, ledger, i, Job::ordinary);
  ledger.event(i, EventKind::birthday);
}

template <class Ledger>
void leave(World& w, Ledger& ledger, std::uint32_t i) {
  auto& p = w.pop;
  if (p.state[i] == State::vacant) return;
  const int a = p.area[i];
  if (p.job[i] != Job::none) --ledger.tally(a, Tally::employed);
  if (p.job[i] == Job::status) --ledger.tally(a, Tally::status_job);
  p.job[i] = Job::none;
  if (p.last_arrest_week[i] != kNever) --ledger.tally(a, Tally::record);
  p.last_arrest_week[i] = kNever;
  p.offence_hazard[i] = 0.0f;
  set_state(w, ledger, i, State::vacant);
  p.school[i] = kNoSchool;
  ledger.event(i, EventKind::left);
}

// The forms that write into the world, and the instances the parallel birthdays use.
void set_state(World& w, std::uint32_t i, State to) {
  WorldLedger ledger{w};
  set_state(w, ledger, i, to);
}
void set_job(World& w, std::uint32_t i, Job job) {
  WorldLedger ledger{w};
  set_job(w, ledger, i, job);
}
void enter_youth(World& w, std::uint32_t i, int age) {
  WorldLedger ledger{w};
  enter_youth(w, ledger, i, age);
}
void have_birthday(World& w, std::uint32_t i, int age) {
  WorldLedger ledger{w};
  have_birthday(w, ledger, i, age);
}
void leave(World& w, std::uint32_t i) {
  WorldLedger ledger{w};
  leave(w, ledger, i);
}
template void enter_youth(World&, WorldLedger&, std::uint32_t, int);
template void have_birthday(World&, WorldLedger&, std::uint32_t, int);
template void leave(World&, WorldLedger&, std::uint32_t);
template void enter_youth(World&, ShareLedger&, std::uint32_t, int);
template void have_birthday(World&, ShareLedger&, std::uint32_t, int);
template void leave(World&, ShareLedger&, std::uint32_t);
template void leave(World&, TallyLedger&, std::uint32_t);
template void set_state(World&, ShareLedger&, std::uint32_t, State);
template void set_job(World&, ShareLedger&, std::uint32_t, Job);

std::vector<ShareLedger>& chunk_ledgers(std::int64_t chunks) {
  static thread_local std::vector<ShareLedger> kept;
  if (static_cast<std::int64_t>(kept.size()) < chunks)
    kept.resize(static_cast<std::size_t>(chunks));
  return kept;
}

void ShareLedger::add_to(World& w) const {
  for_each_touched([&](std::size_t k) { w.tallies[k] += delta_[k]; });
  w.events.insert(w.events.end(), events_.begin(), events_.end());
}

Occupancy scheduled(const World& w, std::uint32_t i, std::int32_t week) {
  const auto& pp = w.params.population;
  const int c = w.pop.cohort[i];
  const std::int32_t since = week - w.class_start(c, week) - w.birthday_of(i);
  if (since < 0) return {pp.min_age - 1, false};  // turns min_age later this school year
  const int age = pp.min_age + since / kWeeksPerYear;
  if (age > pp.max_age) return {age, false};
  const auto b = static_cast<std::size_t>(c) * w.areas.size() + w.pop.area[i];
  const auto rank = i - w.block_begin[b];
  return {age, rank < (age < kAdultBandAge ? w.block_young[b] : w.block_adult[b])};
}

std::vector<std::uint32_t> class_members(const World& w, int cohort, bool adult) {
  std::vector<std::uint32_t> members;
  const std::size_t nareas = w.areas.size();
  for (std::size_t a = 0; a < nareas; ++a) {
    const auto b = static_cast<std::size_t>(cohort) * nareas + a;
    // From 18 every slot of the block: the stayers, those who will leave at 18 (until they do)
    // and those who will arrive at 18 (from when they do).
    const auto end = adult ? w.block_begin[b + 1] : w.block_begin[b] + w.block_young[b];
    for (auto i = w.block_begin[b]; i < end; ++i) members.push_back(i);
  }
  return members;
}

void form_class(World& w, int cohort, std::int32_t week, bool adult) {
  const std::size_t nareas = w.areas.size();
  // Each newcomer's traits come from its own keyed draws into its own slot, so the slots can be
  // taken by the threads in any order: in pieces of at most kPiece slots of a district's block
  // (districts differ much in size).
  constexpr std::uint32_t kPiece = 512;
  // Kept from class to class; the pass's threads reach the caller's through this reference (a
  // thread_local named inside the pass would be each thread's own).
  static thread_local std::vector<std::pair<std::uint32_t, std::uint32_t>> kept_pieces;
  auto& pieces = kept_pieces;
  pieces.clear();
  for (std::size_t a = 0; a < nareas; ++a) {
    const auto b = static_cast<std::size_t>(cohort) * nareas + a;
    const auto begin = w.block_begin[b] + (adult ? w.block_young[b] : 0);
    const auto end = w.block_begin[b] + (adult ? w.block_adult[b] : w.block_young[b]);
    for (auto from = begin; from < end; from += std::min(kPiece, end - from))
      pieces.emplace_back(from, std::min(end, from + kPiece));
  }
  const int entry_age = adult ? kAdultBandAge : w.params.population.min_age;
  for_each_chunk(static_cast<std::int64_t>(pieces.size()), slot_chunks(w).threads,
                 [&](std::int64_t k) {
                   const auto [from, to] = pieces[static_cast<std::size_t>(k)];
                   for (auto i = from; i < to; ++i) draw_traits(w, i, week, entry_age);
                 });
  build_cohort_ties(w, cohort, class_members(w, cohort, adult), week);
}

void build_cohort_ties(World& w, int cohort, const std::vector<std::uint32_t>& members,
                       std::int32_t week) {
  const auto first = w.cohort_begin[cohort];
  const auto last = w.cohort_begin[cohort + 1];
  const auto rows = last - first;
  auto& p = w.pop;
  const auto& tp = w.params.ties;
  std::vector<std::vector<std::uint32_t>> by_school(w.schools.size());
  std::vector<std::vector<std::uint32_t>> by_area(w.areas.size());
  for (auto i : members) {
    by_area[p.area[i]].push_back(i);
    if (p.school[i] != kNoSchool) by_school[p.school[i]].push_back(i);
  }
  auto pick = [](const std::vector<std::uint32_t>& pool, double u) {
    return pool[std::min(pool.size() - 1, static_cast<std::size_t>(u * pool.size()))];
  };

  using Edge = std::pair<std::uint32_t, std::uint32_t>;
  // The distributions hold no state between draws (operator() is const), so one object serves
  // every member.
  const boost::random::poisson_distribution<int, double> school_count(
      tp.school_degree > 0 ? tp.school_degree / 2.0 : 1.0);
  const boost::random::poisson_distribution<int, double> friend_count(
      tp.friend_degree > 0 ? tp.friend_degree / 2.0 : 1.0);
  auto school_edges = [&](std::uint32_t i, std::vector<Edge>& out) {
    if (p.school[i] == kNoSchool || tp.school_degree <= 0) return;
    const auto& pool = by_school[p.school[i]];
    if (pool.size() < 2) return;
    auto eng = w.rng.engine(Stream::school_tie, week, i);
    for (int k = school_count(eng); k > 0; --k)
      out.emplace_back(i, pick(pool, Rng::to_unit(eng(), eng())));
  };
  auto friend_edges = [&](std::uint32_t i, std::vector<Edge>& out) {
    if (tp.friend_degree <= 0 || members.size() < 2) return;
    auto eng = w.rng.engine(Stream::friend_tie, week, i);
    for (int k = friend_count(eng); k > 0; --k) {
      const double u = Rng::to_unit(eng(), eng());
      const std::vector<std::uint32_t>* pool = &members;
      if (u < tp.friend_same_school_share && p.school[i] != kNoSchool) {
        pool = &by_school[p.school[i]];
      } else if (u < tp.friend_same_school_share + tp.friend_same_district_share) {
        pool = &by_area[p.area[i]];
      }
      if (pool->size() < 2) pool = &members;
      // Homophily: of a few candidates, befriend the one closest in individual risk.
      std::uint32_t best = pick(*pool, Rng::to_unit(eng(), eng()));
      for (int c = 1; c < tp.friend_risk_candidates; ++c) {
        const auto j = pick(*pool, Rng::to_unit(eng(), eng()));
        if (std::abs(p.risk[j] - p.risk[i]) < std::abs(p.risk[best] - p.risk[i])) best = j;
      }
      out.emplace_back(i, best);
    }
  };

  // Every member draws its ties from its own keyed stream, so members can be handled in any
  // order: with several threads each takes a share of the members and the shares are joined in
  // member order, giving exactly the edge list of the one-thread loop. A world small enough to
  // step on one thread forms its classes on one thread as well.
  const int threads = slot_chunks(w).threads;
  const bool parallel = threads > 1 && members.size() >= 2;
  std::vector<Edge> edges;
  std::vector<std::vector<Edge>> shares(parallel ? static_cast<std::size_t>(threads) * 4 : 0);
  auto draw = [&](auto&& edges_of) {
    edges.clear();
    if (!parallel) {
      for (auto i : members) edges_of(i, edges);
      return;
    }
    const auto nshares = static_cast<std::int64_t>(shares.size());
    const auto nmembers = static_cast<std::int64_t>(members.size());
    for_each_chunk(nshares, threads, [&](std::int64_t sh) {
      auto& out = shares[sh];
      out.clear();
      for (std::int64_t k = nmembers * sh / nshares; k < nmembers * (sh + 1) / nshares; ++k)
        edges_of(members[k], out);
    });
    for (const auto& out : shares) edges.insert(edges.end(), out.begin(), out.end());
  };

  auto draw_layers = [&] {
    ClassLayers drawn;
    draw(school_edges);
    drawn.school = Csr::from_edges(first, rows, edges, tie_passes(threads));
    draw(friend_edges);
    drawn.friendship = Csr::from_edges(first, rows, edges, tie_passes(threads));
    return drawn;
  };
  // The layers depend on the members' traits and keyed draws only, which no strategy changes:
  // the strategies of a replicate share them (World::class_ties).
  const ClassLayers layers =
      w.class_ties ? w.class_ties->get(cohort, week, draw_layers) : draw_layers();
  w.ties.school[cohort] = layers.school;
  w.ties.friendship[cohort] = layers.friendship;

  // Each row's counts are its own: rows in blocks of 1024 on the threads.
  constexpr std::uint32_t kCountRows = 1024;
  const auto count_blocks = static_cast<std::int64_t>((rows + kCountRows - 1) / kCountRows);
  for_each_chunk(count_blocks, threads, [&](std::int64_t blk) {
    const auto from = first + static_cast<std::uint32_t>(blk) * kCountRows;
    const auto to = std::min(last, from + kCountRows);
    for (auto i = from; i < to; ++i) {
      std::uint16_t s = 0, f = 0, rs = 0, rf = 0;
      for (auto j : w.ties.school[cohort].row(i)) {
        s += is_dealing(p.state[j]) ? 1 : 0;
        rs += p.market_role[j] & kRecruiter;
      }
      for (auto j : w.ties.friendship[cohort].row(i)) {
        f += is_dealing(p.state[j]) ? 1 : 0;
        rf += p.market_role[j] & kRecruiter;
      }
      p.dealing_schoolmates[i] = s;
      p.dealing_friends[i] = f;
      p.recruiting_schoolmates[i] = rs;
      p.recruiting_friends[i] = rf;
    }
  });
}

bool join_network(World& w, std::uint32_t i) {
  const int a = w.pop.area[i];
  const auto& nets = w.networks;
  const auto begin = nets.area_network_begin[a];
  const auto end = nets.area_network_begin[a + 1];
  static thread_local std::vector<double> open;  // reused: no allocation per recruit
  open.assign(end - begin, 0.0);
  for (auto k = begin; k < end; ++k) open[k - begin] = nets.open_places(nets.area_networks[k]);
  const int pick = weighted_index(open, w.rng.uniform(Stream::network_choice, w.week, i));
  if (pick < 0) return false;
  const auto n = nets.area_networks[begin + pick];
  w.pop.network[i] = static_cast<std::int16_t>(n);
  ++w.networks.members[n];
  return true;
}

bool join_fixed_place(World& w, std::uint32_t i, int preferred) {
  if (preferred >= 0 && w.networks.open_places(static_cast<std::size_t>(preferred)) > 0) {
    w.pop.network[i] = static_cast<std::int16_t>(preferred);
    ++w.networks.members[static_cast<std::size_t>(preferred)];
    return true;
  }
  return join_network(w, i);
}

bool bring_place(World& w, std::uint32_t i, int preferred) {
  auto& nets = w.networks;
  int n = preferred;
  if (n < 0) {
    // A network active in the youth's district, in proportion to its places after interventions.
    const int a = w.pop.area[i];
    const auto begin = nets.area_network_begin[a];
    const auto end = nets.area_network_begin[a + 1];
    static thread_local std::vector<double> weight;  // reused: no allocation per recruit
    weight.assign(end - begin, 0.0);
    for (auto k = begin; k < end; ++k) {
      const auto m = nets.area_networks[k];
      weight[k - begin] = static_cast<double>(nets.places[m]) * nets.capacity_factor[m];
    }
    const int pick = weighted_index(weight, w.rng.uniform(Stream::supply_network, w.week, i));
    if (pick < 0) return false;
    n = nets.area_networks[begin + pick];
  }
  w.pop.network[i] = static_cast<std::int16_t>(n);
  w.pop.market_role[i] |= kSupplyPlace;
  ++w.tally(w.pop.area[i], Tally::places_brought);
  ++nets.members[static_cast<std::size_t>(n)];
  ++nets.supply_members[static_cast<std::size_t>(n)];
  return true;
}

void deter_ties(World& w, std::uint32_t i) {
  auto& p = w.pop;
  auto raise = [&](std::uint32_t j) {
    p.deterrence[j] = static_cast<float>(current_deterrence(w, j) + 1.0);
    p.deterrence_week[j] = static_cast<std::int16_t>(w.week);
  };
  for (auto j : w.ties.neighbourhood.row(i)) raise(j);
  const int c = p.cohort[i];
  for (auto j : w.ties.school[c].row(i)) raise(j);
  for (auto j : w.ties.friendship[c].row(i)) raise(j);
}

DeterrenceDecay::DeterrenceDecay(double weeks) : weeks_(weeks) {
  thread_local double table_weeks = std::numeric_limits<double>::quiet_NaN();
  thread_local std::array<double, kTabulated> table;
  if (!(table_weeks == weeks)) {
    for (std::int32_t k = 0; k < kTabulated; ++k) table[k] = std::exp(-k / weeks);
    table_weeks = weeks;
  }
  table_ = table.data();
}

double deterrence_decay(std::int32_t elapsed, double weeks) {
  return DeterrenceDecay(weeks)(elapsed);
}

double current_deterrence(const World& w, std::uint32_t i) {
  return DeterrenceDecay(w.params.market.deterrence_weeks).current(w.pop, i, w.week);
}

void order_by_priority(const World& w, std::vector<Decision>& candidates) {
  static thread_local std::vector<std::pair<double, Decision>> keyed;  // reused every week
  keyed.clear();
  keyed.reserve(candidates.size());
  for (const auto& d : candidates) {
    keyed.emplace_back(w.rng.uniform(Stream::recruit_priority, w.week, d.agent), d);
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first < y.first : x.second.agent < y.second.agent;
  });
  for (std::size_t k = 0; k < keyed.size(); ++k) candidates[k] = keyed[k].second;
}

}  // namespace drift::detail
