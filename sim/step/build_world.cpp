#include "drift/step/build_world.hpp"

#include <algorithm>
#include <boost/random/poisson_distribution.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string_view>

#include "lifecycle.hpp"

namespace drift {
namespace {

void check_consistency(const Parameters& p, const std::vector<AreaSpec>& areas) {
  if (p.population.min_age >= kAdultBandAge || p.population.max_age < kAdultBandAge) {
    throw std::invalid_argument(
        "population.min_age must be below 18 and population.max_age at least 18: the area data "
        "give youths in the bands 12-17 and 18-26");
  }
  for (const auto& problem : consistency_problems(p)) throw std::invalid_argument(problem);
  if (areas.empty()) throw std::invalid_argument("no areas");
  if (areas.size() > 250) throw std::invalid_argument("at most 250 areas");
  // Weeks are kept in 16 bits (Population::deterrence_week); the parameter ranges ensure it.
  if (p.simulation.burn_in_weeks > std::numeric_limits<std::int16_t>::max() - 1 ||
      p.simulation.weeks > std::numeric_limits<std::int16_t>::max() - 1)
    throw std::invalid_argument(
        "simulation.weeks and simulation.burn_in_weeks must be below 32767");
}

void build_slots(World& w) {
  const auto& p = w.params.population;
  // One cohort per age, and one more: the class leaving at max_age empties its cohort during
  // the school year in which the next class fills another.
  const int cohorts = p.max_age - p.min_age + 2;
  const int nareas = static_cast<int>(w.areas.size());
  const double scale = w.params.simulation.population_scale;
  w.block_begin.assign(static_cast<std::size_t>(cohorts) * nareas + 1, 0);
  w.block_young.assign(static_cast<std::size_t>(cohorts) * nareas, 0);
  w.block_adult.assign(static_cast<std::size_t>(cohorts) * nareas, 0);
  w.cohort_begin.assign(cohorts + 1, 0);
  std::uint32_t next = 0;
  for (int c = 0; c < cohorts; ++c) {
    w.cohort_begin[c] = next;
    for (int a = 0; a < nareas; ++a) {
      const auto b = static_cast<std::size_t>(c) * nareas + a;
      // Per single year of age: the 12-17 band over six years, the 18-26 band over nine.
      const auto young =
          static_cast<std::uint32_t>(std::llround(scale * w.areas[a].youth_12_17 / 6.0));
      const auto adult =
          static_cast<std::uint32_t>(std::llround(scale * w.areas[a].youth_18_26 / 9.0));
      w.block_begin[b] = next;
      w.block_young[b] = young;
      w.block_adult[b] = adult;
      next += std::max(young, adult);
    }
  }
  w.cohort_begin[cohorts] = next;
  w.block_begin.back() = next;
  w.pop.resize(next);
  w.mult.resize(next);
  // Birthdays: uniform over the weeks of the school year, keyed by area and rank in the block,
  // so every class that occupies a position has its birthday in the same week. A week's youths
  // turning 18 (or max_age + 1) are then exactly those its newcomers replace, and every age
  // band of every area keeps its size in every week.
  const std::uint32_t positions = w.cohort_begin[1];
  w.birthday.assign(positions, 0);
  for (int a = 0; a < nareas; ++a) {
    for (auto i = w.block_begin[a]; i < w.block_begin[a + 1]; ++i) {
      const double u =
          w.rng.uniform(Stream::birthday, static_cast<std::int32_t>(a), i - w.block_begin[a]);
      w.birthday[i] = static_cast<std::uint8_t>(
          std::min(kWeeksPerYear - 1, static_cast<int>(u * kWeeksPerYear)));
    }
  }
  w.birthday_begin.assign(kWeeksPerYear + 1, 0);
  for (auto d : w.birthday) ++w.birthday_begin[d + 1];
  for (int d = 0; d < kWeeksPerYear; ++d) w.birthday_begin[d + 1] += w.birthday_begin[d];
  w.birthday_positions.assign(positions, 0);
  std::vector<std::uint32_t> fill(w.birthday_begin.begin(), w.birthday_begin.end() - 1);
  for (std::uint32_t k = 0; k < positions; ++k) w.birthday_positions[fill[w.birthday[k]]++] = k;
  for (int c = 0; c < cohorts; ++c) {
    for (int a = 0; a < nareas; ++a) {
      const auto b = static_cast<std::size_t>(c) * nareas + a;
      for (auto i = w.block_begin[b]; i < w.block_begin[b + 1]; ++i) {
        w.pop.area[i] = static_cast<std::uint8_t>(a);
        w.pop.cohort[i] = static_cast<std::uint8_t>(c);
      }
    }
  }
}

void build_schools(World& w) {
  for (std::size_t a = 0; a < w.areas.size(); ++a) {
    for (int s = 0; s < w.areas[a].schools; ++s)
      w.schools.push_back({static_cast<std::uint8_t>(a)});
  }
  if (w.schools.empty()) throw std::invalid_argument("the areas have no secondary school");
}

void build_neighbourhood_ties(World& w) {
  const int nareas = static_cast<int>(w.areas.size());
  std::vector<std::vector<std::uint32_t>> by_area(nareas);
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) by_area[w.pop.area[i]].push_back(i);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
  const double half = w.params.ties.neighbourhood_degree / 2.0;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    const auto& pool = by_area[w.pop.area[i]];
    if (pool.size() < 2 || half <= 0) continue;
    auto eng = w.rng.engine(Stream::neighbourhood_tie, 0, i);
    boost::random::poisson_distribution<int, double> count(half);
    const int k = count(eng);
    for (int t = 0; t < k; ++t) {
      const auto j = pool[static_cast<std::size_t>(Rng::to_unit(eng(), eng()) * pool.size())];
      edges.emplace_back(i, j);
    }
  }
  w.ties.neighbourhood = Csr::from_edges(0, static_cast<std::uint32_t>(w.pop.size()), edges,
                                         detail::tie_passes(detail::slot_chunks(w).threads));
}

// Places of a network: networks.youth_places times the population scale, its fraction rounded
// up with that probability by a uniform from the first two words of the network's territory
// stream (whose later words draw its territory, whatever the places).
std::uint32_t network_places(const Parameters& p, double u) {
  const double expected = p.networks.youth_places * p.simulation.population_scale;
  const double frac = expected - std::floor(expected);
  return static_cast<std::uint32_t>(std::floor(expected) + (u < frac ? 1 : 0));
}

void build_networks(World& w) {
  const auto& np = w.params.networks;
  const int nareas = static_cast<int>(w.areas.size());
  std::vector<double> weight(nareas);
  for (int a = 0; a < nareas; ++a) {
    weight[a] = w.areas[a].low_income_share * (w.areas[a].youth_12_17 + w.areas[a].youth_18_26);
  }
  auto& nets = w.networks;
  nets.fixed_share = static_cast<float>(w.params.market.replacement);
  nets.territory_begin.push_back(0);
  const int tsize = std::min(np.territory_districts, nareas);
  for (int n = 0; n < np.count; ++n) {
    auto eng = w.rng.engine(Stream::network_territory, 0, static_cast<std::uint32_t>(n));
    const auto places = network_places(w.params, Rng::to_unit(eng(), eng()));
    nets.places.push_back(places);
    nets.members.push_back(0);
    nets.dealers.push_back(0);
    nets.earnings_factor.push_back(1.0f);
    nets.capacity_factor.push_back(1.0f);
    nets.capacity_offset.push_back(
        w.rng.uniform(Stream::capacity_rounding, 0, static_cast<std::uint32_t>(n)));
    nets.revenue_week.push_back(0.0);
    nets.supply_members.push_back(0);
    nets.blocked.push_back(0.0f);
    // Territory: distinct districts drawn by deprivation x youths, home district first; once
    // the weighted districts are used up, the rest are drawn uniformly.
    std::vector<double> wt = weight;
    std::vector<double> uniform(nareas, 1.0);
    for (int t = 0; t < tsize; ++t) {
      const double u = Rng::to_unit(eng(), eng());
      int pick = detail::weighted_index(wt, u);
      if (pick < 0) pick = detail::weighted_index(uniform, u);
      nets.territory_areas.push_back(static_cast<std::uint8_t>(pick));
      wt[pick] = 0;
      uniform[pick] = 0;
    }
    nets.territory_begin.push_back(static_cast<std::uint32_t>(nets.territory_areas.size()));
  }
  nets.area_network_begin.assign(nareas + 1, 0);
  for (int a = 0; a < nareas; ++a) {
    nets.area_network_begin[a] = static_cast<std::uint32_t>(nets.area_networks.size());
    for (int n = 0; n < np.count; ++n) {
      for (auto k = nets.territory_begin[n]; k < nets.territory_begin[n + 1]; ++k) {
        if (nets.territory_areas[k] == a)
          nets.area_networks.push_back(static_cast<std::uint16_t>(n));
      }
    }
  }
  nets.area_network_begin[nareas] = static_cast<std::uint32_t>(nets.area_networks.size());
}

}  // namespace

World build_world(const Parameters& p, const std::vector<AreaSpec>& areas, std::uint32_t replicate,
                  int threads) {
  check_consistency(p, areas);
  World w(p, areas, replicate);
  w.threads = threads;
  w.week = -p.simulation.burn_in_weeks;
  w.first_week = w.week;
  w.tallies.assign(areas.size() * kTallyCount, 0);
  w.area_demand.assign(areas.size(), 0.0f);
  w.area_supply.assign(areas.size(), 0.0f);
  w.recruiters.assign(areas.size(), 0);
  w.recruiter_density.assign(areas.size(), 0.0f);
  build_slots(w);
  build_schools(w);
  build_networks(w);
  const int cohorts = w.cohorts();
  w.ties.school.resize(cohorts);
  w.ties.friendship.resize(cohorts);
  // Every class as the weekly ageing would have left it: traits drawn when its class formed (and,
  // from its 18th school year, those of its arrivals at 18), ties drawn at the last forming.
  const std::int32_t adult_after = (kAdultBandAge - p.population.min_age) * kWeeksPerYear;
  for (int c = 0; c < cohorts; ++c) {
    const auto start = w.class_start(c, w.week);
    const bool adult = start + adult_after <= w.week;
    for (auto i : detail::class_members(w, c, false))
      detail::draw_traits(w, i, start, p.population.min_age);
    if (adult) {
      const auto nareas = areas.size();
      for (std::size_t a = 0; a < nareas; ++a) {
        const auto b = static_cast<std::size_t>(c) * nareas + a;
        for (auto i = w.block_begin[b] + w.block_young[b]; i < w.block_begin[b] + w.block_adult[b];
             ++i)
          detail::draw_traits(w, i, start + adult_after, kAdultBandAge);
      }
    }
    detail::build_cohort_ties(w, c, detail::class_members(w, c, adult),
                              adult ? start + adult_after : start);
  }
  build_neighbourhood_ties(w);
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    const auto now = detail::scheduled(w, i, w.week);
    if (now.present) detail::enter_youth(w, i, now.age);
  }
  w.events.clear();  // building is not a week: its arrivals are no transitions
  return w;
}

namespace {
// Parameters (or whole groups, ending in '.') read by build_world() other than those
// reparametrise() applies again. The test of reparametrise() varies every other parameter of
// parameters.def, so one missing here makes it fail.
constexpr std::string_view kShapesTheBuild[] = {"simulation.seed",
                                                "simulation.burn_in_weeks",
                                                "simulation.population_scale",
                                                "population.",
                                                "ties.neighbourhood_degree",
                                                "ties.school_degree",
                                                "ties.friend_degree",
                                                "ties.friend_same_school_share",
                                                "ties.friend_same_district_share",
                                                "ties.friend_risk_candidates",
                                                "networks.count",
                                                "networks.territory_districts"};
}  // namespace

bool shapes_the_build(const ParamInfo& parameter) {
  for (const auto entry : kShapesTheBuild) {
    if (entry.back() == '.' ? parameter.path.starts_with(entry) : parameter.path == entry)
      return true;
  }
  return false;
}

bool same_build(const Parameters& a, const Parameters& b) {
  for (const auto& info : parameter_table()) {
    if (shapes_the_build(info) && info.get(a) != info.get(b)) return false;
  }
  return true;
}

void reparametrise(World& w, const Parameters& p) {
  if (w.week != w.first_week)
    throw std::invalid_argument("reparametrise: the world has already been stepped");
  if (!same_build(w.params, p))
    throw std::invalid_argument(
        "reparametrise: the parameters differ in one that shapes the build (shapes_the_build)");
  check_consistency(p, w.areas);
  w.params = p;
  w.networks.fixed_share = static_cast<float>(p.market.replacement);
  for (std::size_t n = 0; n < w.networks.count(); ++n) {
    auto eng = w.rng.engine(Stream::network_territory, 0, static_cast<std::uint32_t>(n));
    w.networks.places[n] = network_places(p, Rng::to_unit(eng(), eng()));
  }
  auto& pop = w.pop;
  for (std::uint32_t i = 0; i < pop.size(); ++i) {
    if (pop.state[i] == State::vacant) continue;
    // As enter_youth() left them: nothing else of a youth depends on these parameters yet.
    pop.baseline_attitude[i] = detail::baseline_attitude(w, i);
    pop.attitude[i] = pop.baseline_attitude[i];
    detail::refresh_offence_hazard(w, i);
  }
}

}  // namespace drift
