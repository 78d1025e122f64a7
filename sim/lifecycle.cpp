#include "lifecycle.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cmath>

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

void set_state(World& w, std::uint32_t i, State to) {
  auto& p = w.pop;
  const State from = p.state[i];
  if (from == to) return;
  const int a = p.area[i];
  if (from != State::vacant) --w.tally(a, static_cast<Tally>(from));
  if (to != State::vacant) ++w.tally(a, static_cast<Tally>(to));
  const bool was = is_dealing(from);
  const bool now = is_dealing(to);
  if (was != now) add_exposure(w, i, now ? +1 : -1);
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
  p.state[i] = to;
}

void set_job(World& w, std::uint32_t i, Job job) {
  auto& p = w.pop;
  const int a = p.area[i];
  if (p.job[i] != Job::none) --w.tally(a, Tally::employed);
  if (p.job[i] == Job::status) --w.tally(a, Tally::status_job);
  p.job[i] = job;
  if (job != Job::none) ++w.tally(a, Tally::employed);
  if (job == Job::status) ++w.tally(a, Tally::status_job);
  p.clock_job[i] = clock(w, job == Job::none ? Stream::job_change : Stream::job_loss, i);
}

float baseline_attitude(const World& w, std::uint32_t i) {
  const auto& n = w.params.normalisation;
  const auto& p = w.pop;
  double logit = n.baseline_logit + n.risk_logit * p.risk[i] + n.deprivation_logit * p.low_income[i];
  if (w.at_school(i)) logit += n.attachment_logit * p.attachment[i];
  return static_cast<float>(1.0 / (1.0 + std::exp(-logit)));
}

void enter_youth(World& w, std::uint32_t i, int age) {
  auto& p = w.pop;
  p.age[i] = static_cast<std::uint8_t>(age);
  auto eng = w.rng.engine(Stream::traits, w.week, i);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  p.risk[i] = static_cast<float>(normal(eng));
  p.attachment[i] = static_cast<float>(normal(eng));
  const auto u = w.rng.uniform2(Stream::school, w.week, i);
  p.low_income[i] = u[0] < w.areas[p.area[i]].low_income_share ? 1 : 0;
  p.school[i] = kNoSchool;
  if (age < w.params.population.school_leaving_age) {
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
  p.baseline_attitude[i] = baseline_attitude(w, i);
  p.attitude[i] = p.baseline_attitude[i];
  p.ever_dealt[i] = 0;
  p.network[i] = kNoNetwork;
  p.last_arrest_week[i] = kNever;
  p.countdown[i] = 0;
  p.job[i] = Job::none;
  p.clock_job[i] = clock(w, Stream::job_change, i);
  set_state(w, i, State::uninvolved);
  draw_state_clocks(w, i);
}

void leave(World& w, std::uint32_t i) {
  auto& p = w.pop;
  if (p.state[i] == State::vacant) return;
  const int a = p.area[i];
  if (p.job[i] != Job::none) --w.tally(a, Tally::employed);
  if (p.job[i] == Job::status) --w.tally(a, Tally::status_job);
  p.job[i] = Job::none;
  if (p.last_arrest_week[i] != kNever) --w.tally(a, Tally::record);
  p.last_arrest_week[i] = kNever;
  set_state(w, i, State::vacant);
  p.school[i] = kNoSchool;
}

void build_cohort_ties(World& w, int cohort) {
  const auto first = w.cohort_begin[cohort];
  const auto last = w.cohort_begin[cohort + 1];
  const auto rows = last - first;
  auto& p = w.pop;
  const auto& tp = w.params.ties;
  std::vector<std::uint32_t> members;
  std::vector<std::vector<std::uint32_t>> by_school(w.schools.size());
  std::vector<std::vector<std::uint32_t>> by_area(w.areas.size());
  for (auto i = first; i < last; ++i) {
    if (p.state[i] == State::vacant) continue;
    members.push_back(i);
    by_area[p.area[i]].push_back(i);
    if (p.school[i] != kNoSchool) by_school[p.school[i]].push_back(i);
  }
  auto pick = [](const std::vector<std::uint32_t>& pool, double u) {
    return pool[std::min(pool.size() - 1, static_cast<std::size_t>(u * pool.size()))];
  };

  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
  for (auto i : members) {
    if (p.school[i] == kNoSchool || tp.school_degree <= 0) continue;
    const auto& pool = by_school[p.school[i]];
    if (pool.size() < 2) continue;
    auto eng = w.rng.engine(Stream::school_tie, w.week, i);
    boost::random::poisson_distribution<int, double> count(tp.school_degree / 2.0);
    for (int k = count(eng); k > 0; --k) edges.emplace_back(i, pick(pool, Rng::to_unit(eng(), eng())));
  }
  w.ties.school[cohort] = Csr::from_edges(first, rows, edges);

  for (auto i : members) {
    if (tp.friend_degree <= 0 || members.size() < 2) continue;
    auto eng = w.rng.engine(Stream::friend_tie, w.week, i);
    boost::random::poisson_distribution<int, double> count(tp.friend_degree / 2.0);
    for (int k = count(eng); k > 0; --k) {
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
      edges.emplace_back(i, best);
    }
  }
  w.ties.friendship[cohort] = Csr::from_edges(first, rows, edges);

  for (auto i = first; i < last; ++i) {
    std::uint16_t s = 0, f = 0;
    for (auto j : w.ties.school[cohort].row(i)) s += is_dealing(p.state[j]) ? 1 : 0;
    for (auto j : w.ties.friendship[cohort].row(i)) f += is_dealing(p.state[j]) ? 1 : 0;
    p.dealing_schoolmates[i] = s;
    p.dealing_friends[i] = f;
  }
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
