// Observables that match registered figures: non-drug registrations, suspects counted once per
// year, the release ledger, the run statistics and their storage. Shares are checked within 4
// binomial standard deviations.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "drift/experiments/observables.hpp"
#include "drift/experiments/observers.hpp"
#include "drift/experiments/result_file.hpp"
#include "drift/experiments/runner.hpp"
#include "drift/results/results.hpp"
#include "drift/step/build_world.hpp"
#include "drift/step/processes.hpp"
#include "drift/step/step.hpp"
#include "step/lifecycle.hpp"
#include "support/temp_dir.hpp"

namespace drift {
namespace {

namespace fs = std::filesystem;

std::vector<AreaSpec> two_areas() {
  return {{"North", 600, 900, 0.2, 2}, {"South", 600, 900, 0.3, 1}};
}

// No transitions at all: only the registration process acts.
Parameters quiet_params() {
  Parameters p;
  p.simulation.burn_in_weeks = 0;
  p.onset.onset_hazard = 0;
  p.onset.recovery_hazard = 0;
  p.recruitment.entry_hazard = 0;
  p.careers.progression_hazard = 0;
  p.careers.desistance_hazard = 0;
  p.enforcement.runner_arrest_hazard = 0;
  p.enforcement.dealer_arrest_hazard = 0;
  p.relapse.released_hazard = 0;
  p.relapse.desisted_hazard = 0;
  p.labour.job_finding_hazard = 0;
  p.labour.job_loss_hazard = 0;
  p.networks.count = 4;
  return p;
}

std::vector<std::uint32_t> youths(const World& w) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    if (w.pop.state[i] != State::vacant) out.push_back(i);
  }
  return out;
}

std::int64_t count_events(const World& w, EventKind kind) {
  return std::count_if(w.events.begin(), w.events.end(),
                       [&](const Event& e) { return e.kind == kind; });
}

// A record sized for `weeks` weeks of this world's ages, for the observers to write into.
RunOutput record_for(const World& w, int weeks) {
  RunOutput r;
  r.weeks = weeks;
  r.areas = static_cast<int>(w.areas.size());
  r.min_age = w.params.population.min_age;
  r.ages = w.params.population.max_age - w.params.population.min_age;
  const auto cells = static_cast<std::size_t>(weeks) * r.ages;
  r.present_by_age.assign(cells, 0.0);
  r.new_suspects.assign(cells, 0.0);
  r.new_drug_suspects.assign(cells, 0.0);
  r.new_dealing.assign(cells, 0.0);
  r.ledger.assign(weeks);
  return r;
}

// Lets observers see week w.week as step() leaves it (w.week moved on by one), then goes back.
template <class... Observers>
void end_week(World& w, Observers&... observers) {
  ++w.week;
  (observers.observe(w), ...);
  --w.week;
}

// A whole step of week w.week, observed.
template <class... Observers>
void step_week(World& w, Observers&... observers) {
  step(w);
  (observers.observe(w), ...);
  --w.week;  // the caller's loop advances it
}

double suspects(const RunOutput& r, int week, int k) {
  return r.new_suspects[static_cast<std::size_t>(week) * r.ages + k];
}
double drug_suspects(const RunOutput& r, int week, int k) {
  return r.new_drug_suspects[static_cast<std::size_t>(week) * r.ages + k];
}
double dealing(const RunOutput& r, int week, int k) {
  return r.new_dealing[static_cast<std::size_t>(week) * r.ages + k];
}

// Youth i detained with `weeks` left, as an arrest leaves it (with a record).
void detain(World& w, std::uint32_t i, std::uint16_t weeks) {
  w.pop.last_arrest_week[i] = w.week;
  w.pop.countdown[i] = weeks;
  detail::set_state(w, i, State::detained);
}

// ------------------------------------------------------------------------------------- process

TEST(Offending, HazardIsRateTimesAgeCurveRiskAndRecord) {
  auto p = quiet_params();
  p.offending.other_rate_peak = 0.2;
  p.offending.risk_log_hr = 0.5;
  p.offending.record_hr = 3.0;
  World w = build_world(p, two_areas(), 1);
  const auto ids = youths(w);
  const auto i = ids[ids.size() / 2];
  const auto& o = p.offending;
  const int age = w.pop.age[i];
  auto rise = [&](double a) { return 1.0 / (1.0 + std::exp(-(a - o.rise_age) / o.rise_width)); };
  const double shape = age > o.peak_age ? std::exp(-o.decline_per_year * (age - o.peak_age))
                                        : rise(age) / rise(o.peak_age);
  EXPECT_DOUBLE_EQ(offending_age_shape(p, age), shape);
  const double expected = 0.2 / 52 * shape * std::exp(0.5 * w.pop.risk[i]);
  EXPECT_NEAR(offending_hazard(w, i), expected, 1e-15);
  w.pop.last_arrest_week[i] = 0;
  EXPECT_NEAR(offending_hazard(w, i), 3.0 * expected, 1e-15);
}

TEST(Offending, AgeCurveRisesToOneAtThePeakAndFallsAfter) {
  const Parameters p;
  const int peak = static_cast<int>(p.offending.peak_age);
  EXPECT_DOUBLE_EQ(offending_age_shape(p, peak), 1.0);
  for (int a = 12; a < peak; ++a)
    EXPECT_LT(offending_age_shape(p, a), offending_age_shape(p, a + 1)) << a;
  for (int a = peak; a < 27; ++a)
    EXPECT_GT(offending_age_shape(p, a), offending_age_shape(p, a + 1)) << a;
  EXPECT_NEAR(offending_age_shape(p, peak + 2), std::exp(-2 * p.offending.decline_per_year), 1e-12);
}

TEST(Offending, ShareRegisteredInOneWeekIsOneMinusExpOfTheHazard) {
  auto p = quiet_params();
  p.offending.other_rate_peak = 52 * 0.05;  // 5% a week at the peak age
  World w = build_world(p, two_areas(), 3);
  double expected = 0, variance = 0;
  for (auto i : youths(w)) {
    const double q =
        1.0 - std::exp(-static_cast<double>(static_cast<float>(offending_hazard(w, i))));
    expected += q;
    variance += q * (1 - q);
  }
  begin_week(w);
  register_offending(w);
  const auto registered = static_cast<double>(count_events(w, EventKind::registered));
  EXPECT_GT(registered, 0);
  EXPECT_NEAR(registered, expected, 4 * std::sqrt(variance));
  EXPECT_EQ(count_events(w, EventKind::registered_drug), 0);
}

TEST(Offending, RegistrationChangesNoStateOfTheModel) {
  auto p = quiet_params();
  p.offending.other_rate_peak = 52 * 0.5;
  World w = build_world(p, two_areas(), 4);
  const auto before = w.pop;
  const auto tallies = w.tallies;
  begin_week(w);
  register_offending(w);
  ASSERT_GT(count_events(w, EventKind::registered), 0);
  EXPECT_EQ(w.pop.state, before.state);
  EXPECT_EQ(w.pop.job, before.job);
  EXPECT_EQ(w.pop.last_arrest_week, before.last_arrest_week);
  EXPECT_EQ(w.pop.countdown, before.countdown);
  EXPECT_EQ(w.pop.clock_a, before.clock_a);
  EXPECT_EQ(w.pop.clock_job, before.clock_job);
  EXPECT_EQ(w.tallies, tallies);
}

TEST(Offending, DetainedYouthsAreNotRegistered) {
  auto p = quiet_params();
  p.offending.other_rate_peak = 1e6;  // every clock fires at once
  World w = build_world(p, two_areas(), 5);
  const auto ids = youths(w);
  for (std::size_t k = 0; k < ids.size(); k += 2) detain(w, ids[k], 50);
  begin_week(w);
  register_offending(w);
  std::vector<std::uint8_t> registered(w.pop.size(), 0);
  for (const auto& e : w.events) {
    if (e.kind == EventKind::registered) registered[e.agent] = 1;
  }
  for (std::size_t k = 0; k < ids.size(); ++k) {
    EXPECT_EQ(registered[ids[k]] == 1, k % 2 == 1) << "youth " << ids[k];
  }
}

TEST(Offending, StepResultsDoNotDependOnTheRegistrationRate) {
  // The registrations use their own stream and change no state: the model's course is the same.
  auto p = quiet_params();
  p.onset.onset_hazard = 0.01;
  p.recruitment.entry_hazard = 0.05;
  p.enforcement.runner_arrest_hazard = 0.05;
  p.relapse.released_hazard = 0.02;
  p.labour.job_finding_hazard = 0.02;
  auto q = p;
  q.offending.other_rate_peak = 5.0;
  World a = build_world(p, two_areas(), 6);
  World b = build_world(q, two_areas(), 6);
  for (int t = 0; t < 60; ++t) {
    step(a);
    step(b);
  }
  EXPECT_EQ(a.pop.state, b.pop.state);
  EXPECT_EQ(a.pop.clock_a, b.pop.clock_a);
  EXPECT_EQ(a.tallies, b.tallies);
  EXPECT_EQ(a.pop.last_arrest_week, b.pop.last_arrest_week);
}

TEST(Offending, KeptHazardEqualsTheFormulaAfterBirthdaysArrestsAndTurnover) {
  auto p = quiet_params();
  p.onset.onset_hazard = 0.02;
  p.recruitment.entry_hazard = 0.1;
  p.enforcement.runner_arrest_hazard = 0.1;
  p.sanctions.detention_weeks_minor = 3;
  p.sanctions.detention_weeks_adult = 3;
  p.relapse.released_hazard = 0.05;
  World w = build_world(p, two_areas(), 12);
  for (int t = 0; t < 120; ++t) step(w);  // two birthdays, a cohort turnover, arrests
  ASSERT_GT(std::count_if(w.pop.last_arrest_week.begin(), w.pop.last_arrest_week.end(),
                          [](std::int32_t x) { return x != kNever; }),
            0);
  for (std::uint32_t i = 0; i < w.pop.size(); ++i) {
    const float expected =
        w.pop.state[i] == State::vacant ? 0.0f : static_cast<float>(offending_hazard(w, i));
    ASSERT_EQ(w.pop.offence_hazard[i], expected) << "youth " << i;
  }
}

// ------------------------------------------------------------------------------- observers

TEST(Suspects, AYouthRegisteredTwiceInAYearCountsOnceAndAgainTheNextYear) {
  World w = build_world(quiet_params(), two_areas(), 7);
  auto r = record_for(w, 60);
  SuspectCounter counter(w, r);
  const auto i = youths(w).front();
  const int k = w.pop.age[i] - w.params.population.min_age;
  begin_week(w);
  detail::register_suspect(w, i, false);
  detail::register_suspect(w, i, false);
  end_week(w, counter);
  EXPECT_EQ(suspects(r, 0, k), 1);
  w.week = 30;
  begin_week(w);
  detail::register_suspect(w, i, true);  // for dealing: a new drug suspect, not a new suspect
  end_week(w, counter);
  EXPECT_EQ(suspects(r, 30, k), 0);
  EXPECT_EQ(drug_suspects(r, 30, k), 1);
  w.week = 51;
  begin_week(w);
  detail::register_suspect(w, i, true);
  end_week(w, counter);
  EXPECT_EQ(suspects(r, 51, k) + drug_suspects(r, 51, k), 0);
  w.week = 52;
  begin_week(w);
  detail::register_suspect(w, i, false);
  end_week(w, counter);
  EXPECT_EQ(suspects(r, 52, k), 1);
  EXPECT_EQ(drug_suspects(r, 52, k), 0);
}

TEST(Suspects, ANewcomerInASlotIsCountedAfreshInTheSameYear) {
  World w = build_world(quiet_params(), two_areas(), 7);
  auto r = record_for(w, 60);
  SuspectCounter counter(w, r);
  const auto i = youths(w).front();
  const int k = w.pop.age[i] - w.params.population.min_age;
  begin_week(w);
  detail::register_suspect(w, i, false);
  end_week(w, counter);
  w.week = 5;
  begin_week(w);
  detail::leave(w, i);
  detail::enter_youth(w, i, k + w.params.population.min_age);
  detail::register_suspect(w, i, false);
  end_week(w, counter);
  EXPECT_EQ(suspects(r, 5, k), 1);
}

TEST(Suspects, PresentYouthsAreCountedByAgeAndRecountedAfterBirthdays) {
  World w = build_world(quiet_params(), two_areas(), 7);
  auto r = record_for(w, 60);
  SuspectCounter counter(w, r);
  std::vector<double> by_age(static_cast<std::size_t>(r.ages), 0.0);
  for (auto i : youths(w)) {
    const int k = w.pop.age[i] - r.min_age;
    if (k >= 0 && k < r.ages) by_age[k] += 1;
  }
  begin_week(w);
  end_week(w, counter);
  for (int k = 0; k < r.ages; ++k) EXPECT_EQ(r.present_by_age[k], by_age[k]) << k;
  for (w.week = 1; w.week <= 52; ++w.week) step_week(w, counter);
  // Week 52 holds the birthdays: everyone moved up a year (the oldest left, 12-year-olds came).
  const auto row = static_cast<std::size_t>(52) * r.ages;
  for (int k = 1; k < r.ages; ++k) {
    if (r.min_age + k == kAdultBandAge) continue;  // arrivals and departures at 18 change it
    EXPECT_EQ(r.present_by_age[row + k], by_age[k - 1]) << k;
  }
}

TEST(Suspects, YearsCountFromWeekZeroAndRoundDownInTheBurnIn) {
  EXPECT_EQ(year_of_week(0), 0);
  EXPECT_EQ(year_of_week(51), 0);
  EXPECT_EQ(year_of_week(52), 1);
  EXPECT_EQ(year_of_week(-1), -1);
  EXPECT_EQ(year_of_week(-52), -1);
  EXPECT_EQ(year_of_week(-53), -2);
}

TEST(Suspects, ADrugArrestRegistersASuspectForDealing) {
  auto p = quiet_params();
  p.enforcement.runner_arrest_hazard = 1e3;
  World w = build_world(p, two_areas(), 8);
  auto r = record_for(w, 10);
  SuspectCounter counter(w, r);
  const auto i = youths(w).front();
  detail::set_state(w, i, State::at_risk);
  ASSERT_TRUE(detail::join_network(w, i));
  detail::set_state(w, i, State::runner);
  detail::draw_state_clocks(w, i);
  begin_week(w);
  enforce(w);
  // Whatever the sanction (a dismissal included), the arrest registers the youth.
  ASSERT_EQ(count_events(w, EventKind::arrested), 1);
  end_week(w, counter);
  const int k = w.pop.age[i] - r.min_age;
  EXPECT_EQ(suspects(r, 0, k), 1);
  EXPECT_EQ(drug_suspects(r, 0, k), 1);
}

// A youth who deals is counted once per simulated year: in the first week if dealing when the
// record (or the year) begins, else in the week it starts; stopping and starting again in the
// same year does not count again.
TEST(Dealing, AYouthWhoDealsIsCountedOncePerYearAtItsStartOrWhenItStarts) {
  World w = build_world(quiet_params(), two_areas(), 7);
  const auto ids = youths(w);
  const auto a = ids[0], b = ids[1];
  detail::set_state(w, a, State::at_risk);
  ASSERT_TRUE(detail::join_network(w, a));
  detail::set_state(w, a, State::runner);  // dealing before the record starts
  auto r = record_for(w, 120);
  SuspectCounter counter(w, r);
  const int ka = w.pop.age[a] - r.min_age;
  const int kb = w.pop.age[b] - r.min_age;
  double total = 0;
  for (double x : r.new_dealing) total += x;
  EXPECT_EQ(total, 1);
  EXPECT_EQ(dealing(r, 0, ka), 1);  // a: counted in the first week of year 0
  begin_week(w);
  end_week(w, counter);
  w.week = 10;  // b starts in week 10, stops in week 11 and starts again in week 20
  begin_week(w);
  detail::set_state(w, b, State::at_risk);
  ASSERT_TRUE(detail::join_network(w, b));
  detail::set_state(w, b, State::runner);
  ASSERT_EQ(count_events(w, EventKind::started_dealing), 1);
  end_week(w, counter);
  EXPECT_EQ(dealing(r, 10, kb), 1);
  w.week = 11;
  begin_week(w);
  detail::set_state(w, b, State::desisted);
  end_week(w, counter);
  w.week = 20;
  begin_week(w);
  detail::set_state(w, b, State::runner);
  ASSERT_EQ(count_events(w, EventKind::started_dealing), 1);
  end_week(w, counter);
  EXPECT_EQ(dealing(r, 20, kb), 0);
  // End of week 51: a still deals and is counted in week 52, the first of year 1; b does not.
  w.week = 30;
  begin_week(w);
  detail::set_state(w, b, State::desisted);
  end_week(w, counter);
  w.week = 51;
  begin_week(w);
  end_week(w, counter);
  const int ka52 = w.pop.age[a] - r.min_age;
  EXPECT_EQ(dealing(r, 52, ka52), 1);
  total = 0;
  for (double x : r.new_dealing) total += x;
  EXPECT_EQ(total, 3);  // a in years 0 and 1, b in year 0
}

// Only a registration for dealing ends the drug follow-up of a release; a non-drug registration
// ends the any-offence follow-up only.
TEST(ReleaseLedger, DrugReregistrationCountsOnlyRegistrationsForDealing) {
  World w = build_world(quiet_params(), two_areas(), 9);
  auto r = record_for(w, 200);
  ReleaseLedgerObserver ledger(w, r);
  const auto ids = youths(w);
  const auto i = ids[0], j = ids[1];
  w.week = 9;
  detain(w, i, 1);
  detain(w, j, 1);
  w.week = 10;
  begin_week(w);
  enforce(w);
  end_week(w, ledger);
  ASSERT_EQ(r.ledger.releases[10], 2);
  w.week = 20;  // i: a non-drug registration 10 weeks after release
  begin_week(w);
  detail::register_suspect(w, i, false);
  end_week(w, ledger);
  EXPECT_EQ(r.ledger.reregistered_52w[10], 1);
  EXPECT_EQ(r.ledger.drug_reregistered_104w[10], 0);
  w.week = 100;  // i: for dealing 90 weeks after release (within 104)
  begin_week(w);
  detail::register_suspect(w, i, true);
  end_week(w, ledger);
  EXPECT_EQ(r.ledger.drug_reregistered_104w[10], 1);
  EXPECT_EQ(r.ledger.reregistered_104w[10], 1);  // the first registration only
  w.week = 110;  // j leaves 100 weeks after release without one: censored for both
  begin_week(w);
  detail::leave(w, j);
  end_week(w, ledger);
  EXPECT_EQ(r.ledger.drug_censored_104w[10], 1);
  EXPECT_EQ(r.ledger.censored_104w[10], 1);
  ledger.finish(w);
  EXPECT_EQ(r.ledger.drug_censored_104w[10], 1);  // nothing left pending
}

TEST(ReleaseLedger, DrugReregistrationAfterTwoYearsAndPendingAtTheHorizonAreNotHits) {
  World w = build_world(quiet_params(), two_areas(), 9);
  auto r = record_for(w, 200);
  ReleaseLedgerObserver ledger(w, r);
  const auto ids = youths(w);
  const auto i = ids[0], j = ids[1];
  w.week = 9;
  detain(w, i, 1);
  w.week = 10;
  begin_week(w);
  enforce(w);
  end_week(w, ledger);
  w.week = 114;  // delay 104: outside the window
  begin_week(w);
  detail::register_suspect(w, i, true);
  end_week(w, ledger);
  EXPECT_EQ(r.ledger.drug_reregistered_104w[10], 0);
  EXPECT_EQ(r.ledger.drug_censored_104w[10], 0);
  w.week = 149;
  detain(w, j, 1);
  w.week = 150;
  begin_week(w);
  enforce(w);
  end_week(w, ledger);
  w.week = 200;
  ledger.finish(w);  // 50 weeks of follow-up when the horizon ends
  EXPECT_EQ(r.ledger.drug_censored_104w[150], 1);
}

TEST(ReleaseLedger, ReleaseAtWeekTenAndRegistrationAtWeekSeventyGiveADelayOfSixty) {
  World w = build_world(quiet_params(), two_areas(), 9);
  auto r = record_for(w, 120);
  ReleaseLedgerObserver ledger(w, r);
  const auto i = youths(w).front();
  w.week = 9;
  detain(w, i, 1);
  w.week = 10;
  begin_week(w);
  enforce(w);
  ASSERT_EQ(w.pop.state[i], State::released);
  end_week(w, ledger);
  EXPECT_EQ(r.ledger.releases[10], 1);
  w.week = 70;
  begin_week(w);
  detail::register_suspect(w, i, false);
  end_week(w, ledger);
  EXPECT_EQ(r.ledger.reregistered_52w[10], 0);  // 60 weeks later: not within 52
  EXPECT_EQ(r.ledger.reregistered_104w[10], 1);
  // Only the first registration after a release counts.
  begin_week(w);
  detail::register_suspect(w, i, false);
  end_week(w, ledger);
  EXPECT_EQ(r.ledger.reregistered_104w[10], 1);
}

TEST(ReleaseLedger, AYouthLeavingWithAPendingReleaseIsCensoredThen) {
  World w = build_world(quiet_params(), two_areas(), 10);
  auto r = record_for(w, 60);
  ReleaseLedgerObserver ledger(w, r);
  const auto i = youths(w).front();
  w.week = 4;
  detain(w, i, 1);
  w.week = 5;
  begin_week(w);
  enforce(w);
  end_week(w, ledger);
  w.week = 30;
  begin_week(w);
  detail::leave(w, i);
  end_week(w, ledger);
  EXPECT_EQ(r.ledger.censored_52w[5], 1);  // left 25 weeks after release
  EXPECT_EQ(r.ledger.censored_104w[5], 1);
  EXPECT_EQ(r.ledger.reregistered_104w[5], 0);
}

TEST(ReleaseLedger, ReleasesStillPendingAtTheHorizonAreCensored) {
  World w = build_world(quiet_params(), two_areas(), 10);
  auto r = record_for(w, 60);
  ReleaseLedgerObserver ledger(w, r);
  const auto i = youths(w).front();
  w.week = 39;
  detain(w, i, 1);
  w.week = 40;
  begin_week(w);
  enforce(w);
  end_week(w, ledger);
  w.week = 60;
  ledger.finish(w);
  EXPECT_EQ(r.ledger.censored_52w[40], 1);
}

TEST(ReleaseLedger, JobIsCheckedThirteenWeeksAfterReleaseForYouthsStillPresent) {
  World w = build_world(quiet_params(), two_areas(), 11);
  auto r = record_for(w, 30);
  ReleaseLedgerObserver ledger(w, r);
  const auto ids = youths(w);
  const auto a = ids[0], b = ids[1], c = ids[2];
  w.week = 3;
  for (auto i : {a, b, c}) detain(w, i, 1);
  w.week = 4;
  begin_week(w);
  enforce(w);
  detail::set_job(w, a, Job::ordinary);
  end_week(w, ledger);
  EXPECT_EQ(r.ledger.releases[4], 3);
  for (w.week = 5; w.week < 17; ++w.week) {
    begin_week(w);
    end_week(w, ledger);
    EXPECT_EQ(r.ledger.followed_13w[4], 0) << w.week;
  }
  begin_week(w);  // week 17 = release week + 13
  detail::leave(w, c);
  end_week(w, ledger);
  EXPECT_EQ(r.ledger.followed_13w[4], 2);
  EXPECT_EQ(r.ledger.job_13w[4], 1);
}

// ------------------------------------------------------------------------------- statistics

RunOutput hand_run(int weeks) {
  const Parameters p;
  RunOutput r;
  r.weeks = weeks;
  r.areas = 1;
  r.min_age = p.population.min_age;
  r.ages = p.population.max_age - p.population.min_age;
  const auto cells = static_cast<std::size_t>(weeks) * r.ages;
  r.present_by_age.assign(cells, 0.0);
  r.new_suspects.assign(cells, 0.0);
  r.new_drug_suspects.assign(cells, 0.0);
  r.new_dealing.assign(cells, 0.0);
  r.ledger.assign(weeks);
  return r;
}

double stat(const std::vector<double>& v, const std::string& name) {
  const int k = run_statistic_index(name);
  EXPECT_GE(k, 0) << name;
  return k >= 0 ? v[k] : std::nan("");
}

TEST(RunStatistics, NamesAreStableAndUnique) {
  const auto& d = run_statistic_definitions();
  EXPECT_EQ(d.front().name, "suspects_per_10k_age_12");
  EXPECT_GE(run_statistic_index("suspects_per_10k_age_26"), 0);
  EXPECT_EQ(run_statistic_index("suspects_per_10k_age_27"), -1);
  for (const char* n :
       {"suspects_per_10k_12_17", "suspects_per_10k_18_22", "drug_share_12_17", "drug_share_18_26",
        "rearrest_1y", "rearrest_2y", "work_13w_after_release", "drug_suspects_per_10k_12_17",
        "drug_suspects_per_10k_18_22", "drug_registrations_per_10k", "dealt_share_12_17",
        "dealt_share_18_22", "drug_rearrest_2y"}) {
    EXPECT_GE(run_statistic_index(n), 0) << n;
  }
  for (std::size_t k = 0; k < d.size(); ++k)
    EXPECT_EQ(run_statistic_index(d[k].name), static_cast<int>(k));
}

TEST(RunStatistics, HandBuiltRunGivesHandComputedValues) {
  auto r = hand_run(2 * 52 + 20);  // two whole years and a partial one (left out)
  auto at = [&](int week, int age) {
    return static_cast<std::size_t>(week) * r.ages + (age - r.min_age);
  };
  for (int t = 0; t < r.weeks; ++t) {
    for (int a = 12; a <= 25; ++a) r.present_by_age[at(t, a)] = 200;  // age 26: nobody
  }
  // Age 12: 3 suspects in year 0, 1 in year 1 (of whom 1 for dealing); 50 in the partial year.
  r.new_suspects[at(0, 12)] = 2;
  r.new_suspects[at(40, 12)] = 1;
  r.new_suspects[at(60, 12)] = 1;
  r.new_drug_suspects[at(60, 12)] = 1;
  r.new_suspects[at(110, 12)] = 50;
  // Age 18: 4 suspects in year 0; age 20: 2 in year 1, both for dealing; age 24: 6, 3 for dealing.
  r.new_suspects[at(10, 18)] = 4;
  r.new_suspects[at(70, 20)] = 2;
  r.new_drug_suspects[at(70, 20)] = 2;
  r.new_suspects[at(5, 24)] = 6;
  r.new_drug_suspects[at(5, 24)] = 3;
  // Releases: week 10 (re-registered after 60 weeks), week 20 (3 releases: one re-registered at
  // 10 weeks, one left the model after 30 weeks, one never re-registered), week 100 (no full
  // follow-up for one year: left out).
  auto& l = r.ledger;
  l.releases[10] = 1;
  l.reregistered_104w[10] = 1;
  l.releases[20] = 3;
  l.reregistered_52w[20] = 1;
  l.reregistered_104w[20] = 1;
  l.censored_52w[20] = 1;
  l.censored_104w[20] = 1;
  l.releases[100] = 2;
  l.reregistered_52w[100] = 2;
  l.reregistered_104w[100] = 2;
  l.followed_13w[10] = 1;
  l.followed_13w[20] = 3;
  l.job_13w[20] = 1;

  const auto v = run_statistics(r, Parameters{});
  ASSERT_EQ(v.size(), run_statistic_definitions().size());
  // Person-years per age: 200 youths x 2 years = 400.
  EXPECT_DOUBLE_EQ(stat(v, "suspects_per_10k_age_12"), 1e4 * 4 / 400);
  EXPECT_DOUBLE_EQ(stat(v, "suspects_per_10k_age_13"), 0.0);
  EXPECT_DOUBLE_EQ(stat(v, "suspects_per_10k_age_18"), 1e4 * 4 / 400);
  EXPECT_TRUE(std::isnan(stat(v, "suspects_per_10k_age_26")));
  EXPECT_DOUBLE_EQ(stat(v, "suspects_per_10k_12_17"), 1e4 * 4 / 2400);
  EXPECT_DOUBLE_EQ(stat(v, "suspects_per_10k_18_22"), 1e4 * 6 / 2000);
  EXPECT_DOUBLE_EQ(stat(v, "drug_share_12_17"), 1.0 / 4);
  EXPECT_DOUBLE_EQ(stat(v, "drug_share_18_26"), 5.0 / 12);
  // One year: releases of weeks 10 and 20 (4, of whom 1 censored), 1 re-registered.
  EXPECT_DOUBLE_EQ(stat(v, "rearrest_1y"), 1.0 / 3);
  // Two years: only releases of weeks 0..20 qualify (weeks = 124): 2 of 3.
  EXPECT_DOUBLE_EQ(stat(v, "rearrest_2y"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(stat(v, "work_13w_after_release"), 1.0 / 4);
}

TEST(RunStatistics, DealingStatisticsOfAHandBuiltRun) {
  auto r = hand_run(3 * 52 + 10);  // three whole years and a partial one (left out)
  r.areas = 2;
  r.by_area.assign(area_metrics().size() * r.weeks * r.areas, 0.0);
  auto at = [&](int week, int age) {
    return static_cast<std::size_t>(week) * r.ages + (age - r.min_age);
  };
  // 100 youths of every age 12..26 in every week: 1,500 youths, 4,500 person-years; bands 12-17
  // and 18-22: 1,800 and 1,500 person-years.
  for (int t = 0; t < r.weeks; ++t) {
    for (int a = 12; a <= 26; ++a) r.present_by_age[at(t, a)] = 100;
  }
  // Suspects for dealing: 3 aged 15 (years 0, 1), 5 aged 20 (year 2), 7 aged 25; 9 in the
  // partial year (left out).
  r.new_drug_suspects[at(3, 15)] = 2;
  r.new_drug_suspects[at(60, 15)] = 1;
  r.new_drug_suspects[at(150, 20)] = 5;
  r.new_drug_suspects[at(30, 25)] = 7;
  r.new_drug_suspects[at(160, 16)] = 9;
  // Arrests (registrations for dealing) in the two areas: 20 + 25 over the whole years, 100 in
  // the partial year.
  const int arrests = area_metric_index("arrests");
  auto arrest = [&](int week, int area, double n) {
    r.by_area[(static_cast<std::size_t>(arrests) * r.weeks + week) * r.areas + area] = n;
  };
  arrest(5, 0, 20);
  arrest(100, 1, 25);
  arrest(157, 0, 100);
  // Youths who dealt: 18 aged 12-17 and 30 aged 18-22 over the whole years, 6 aged 24; 50 aged
  // 14 in the partial year.
  r.new_dealing[at(0, 13)] = 10;
  r.new_dealing[at(52, 17)] = 8;
  r.new_dealing[at(104, 18)] = 30;
  r.new_dealing[at(20, 24)] = 6;
  r.new_dealing[at(158, 14)] = 50;
  // Releases: week 0 (4: 1 re-registered for dealing, 1 censored), week 40 (2: both re-registered
  // for dealing), week 60 (no two-year follow-up within 166 weeks: left out).
  auto& l = r.ledger;
  l.releases[0] = 4;
  l.drug_reregistered_104w[0] = 1;
  l.drug_censored_104w[0] = 1;
  l.releases[40] = 2;
  l.drug_reregistered_104w[40] = 2;
  l.releases[63] = 5;
  l.drug_reregistered_104w[63] = 5;

  const auto v = run_statistics(r, Parameters{});
  EXPECT_DOUBLE_EQ(stat(v, "drug_suspects_per_10k_12_17"), 1e4 * 3 / 1800);
  EXPECT_DOUBLE_EQ(stat(v, "drug_suspects_per_10k_18_22"), 1e4 * 5 / 1500);
  EXPECT_DOUBLE_EQ(stat(v, "drug_registrations_per_10k"), 1e4 * 45 / 4500);
  EXPECT_DOUBLE_EQ(stat(v, "dealt_share_12_17"), 18.0 / 1800);
  EXPECT_DOUBLE_EQ(stat(v, "dealt_share_18_22"), 30.0 / 1500);
  EXPECT_DOUBLE_EQ(stat(v, "drug_rearrest_2y"), 3.0 / 5);
}

TEST(RunStatistics, DealingStatisticsWithoutTheirRecordAreNaN) {
  auto r = hand_run(300);  // no area record, and the dealing arrays dropped (an older record)
  for (auto& x : r.present_by_age) x = 100;
  r.new_dealing.clear();
  r.ledger.drug_reregistered_104w.clear();
  r.ledger.drug_censored_104w.clear();
  r.ledger.releases[0] = 3;
  const auto v = run_statistics(r, Parameters{});
  EXPECT_DOUBLE_EQ(stat(v, "drug_suspects_per_10k_12_17"), 0.0);
  EXPECT_TRUE(std::isnan(stat(v, "drug_registrations_per_10k")));
  EXPECT_TRUE(std::isnan(stat(v, "dealt_share_12_17")));
  EXPECT_TRUE(std::isnan(stat(v, "dealt_share_18_22")));
  EXPECT_TRUE(std::isnan(stat(v, "drug_rearrest_2y")));
}

TEST(RunStatistics, ReleaseAtWeekTenReregisteredAtWeekSeventyCountsForTwoYearsNotOne) {
  auto r = hand_run(300);
  r.ledger.releases[10] = 1;
  r.ledger.reregistered_104w[10] = 1;  // delay 60
  const auto v = run_statistics(r, Parameters{});
  EXPECT_DOUBLE_EQ(stat(v, "rearrest_1y"), 0.0);
  EXPECT_DOUBLE_EQ(stat(v, "rearrest_2y"), 1.0);
}

TEST(RunStatistics, CensoredReleasesLeaveTheDenominatorAndNoDataGivesNaN) {
  auto r = hand_run(300);
  r.ledger.releases[0] = 2;
  r.ledger.censored_52w[0] = 2;
  r.ledger.censored_104w[0] = 2;
  const auto v = run_statistics(r, Parameters{});
  EXPECT_TRUE(std::isnan(stat(v, "rearrest_1y")));
  EXPECT_TRUE(std::isnan(stat(v, "rearrest_2y")));
  EXPECT_TRUE(std::isnan(stat(v, "work_13w_after_release")));
  EXPECT_TRUE(std::isnan(stat(v, "suspects_per_10k_age_12")));
  EXPECT_TRUE(std::isnan(stat(v, "drug_share_12_17")));
  // Too short for a whole year: no suspects statistic either.
  auto short_run = hand_run(40);
  for (auto& x : short_run.present_by_age) x = 100;
  EXPECT_TRUE(std::isnan(stat(run_statistics(short_run, Parameters{}), "suspects_per_10k_age_15")));
}

// ---------------------------------------------------------------------- runs, files, parts

const char* kSmall = R"(name: observed
simulation: {weeks: 120, burn_in_weeks: 30, replicates: 2, population_scale: 0.5, seed: 11}
networks: {count: 4}
enforcement: {runner_arrest_hazard: 0.05, dealer_arrest_hazard: 0.05}
sanctions: {detention_weeks_minor: 4, detention_weeks_adult: 4}
recruitment: {entry_hazard: 0.05}
areas:
  list:
    - {name: North, youth_12_17: 600, youth_18_26: 900, low_income_share: 0.3, schools: 1}
    - {name: South, youth_12_17: 400, youth_18_26: 700, low_income_share: 0.1, schools: 1}
strategies:
  - name: baseline
)";

using drift::test::TempDir;

TEST(ObservedRun, RunRecordsSuspectsAndReleasesConsistently) {
  TempDir dir;
  const auto sc = load_scenario(dir.file("s.yaml", kSmall));
  const auto runs = run_unit(sc, 0, 1);
  const auto& r = runs.at(0);
  ASSERT_EQ(r.ages, 15);
  ASSERT_EQ(r.present_by_age.size(), static_cast<std::size_t>(r.weeks) * r.ages);
  double suspects = 0, drug = 0, releases = 0, arrests = 0;
  for (std::size_t k = 0; k < r.new_suspects.size(); ++k) {
    suspects += r.new_suspects[k];
    drug += r.new_drug_suspects[k];
  }
  for (int t = 0; t < r.weeks; ++t) {
    releases += r.total(area_metric_index("releases"), t);
    arrests += r.total(area_metric_index("arrests"), t);
    double present = 0;
    for (int k = 0; k < r.ages; ++k)
      present += r.present_by_age[static_cast<std::size_t>(t) * r.ages + k];
    EXPECT_LE(present, r.total(area_metric_index("youths"), t));
  }
  EXPECT_GT(suspects, 0);
  EXPECT_GT(drug, 0);
  EXPECT_LE(drug, arrests);
  double ledger_releases = 0;
  for (int t = 0; t < r.weeks; ++t) {
    const auto& l = r.ledger;
    ledger_releases += l.releases[t];
    EXPECT_LE(l.reregistered_52w[t], l.reregistered_104w[t]);
    EXPECT_LE(l.censored_52w[t], l.censored_104w[t]);
    EXPECT_LE(l.reregistered_104w[t] + l.censored_104w[t], l.releases[t]);
    EXPECT_LE(l.job_13w[t], l.followed_13w[t]);
    EXPECT_LE(l.followed_13w[t], l.releases[t]);
    // The first registration comes no later than the first one for dealing.
    EXPECT_LE(l.drug_reregistered_104w[t], l.reregistered_104w[t]);
    EXPECT_LE(l.drug_reregistered_104w[t] + l.drug_censored_104w[t], l.releases[t]);
    // Releases without a full window are censored at the end of the horizon unless registered.
    if (t + 52 > r.weeks) {
      EXPECT_EQ(l.reregistered_52w[t] + l.censored_52w[t], l.releases[t]) << t;
    }
  }
  EXPECT_EQ(ledger_releases, releases);
  // Every youth registered for dealing in a year dealt in that year.
  for (int y = 0; y < r.weeks / 52; ++y) {
    double dealt = 0, drug_suspects_of_year = 0;
    for (std::size_t k = static_cast<std::size_t>(y) * 52 * r.ages;
         k < static_cast<std::size_t>(y + 1) * 52 * r.ages; ++k) {
      dealt += r.new_dealing[k];
      drug_suspects_of_year += r.new_drug_suspects[k];
    }
    EXPECT_GE(dealt, drug_suspects_of_year) << y;
    EXPECT_GT(dealt, 0) << y;
  }
  const auto v = run_statistics(r, sc.params);
  EXPECT_GT(stat(v, "suspects_per_10k_age_17"), 0);
  EXPECT_GE(stat(v, "rearrest_1y"), 0);
  EXPECT_LE(stat(v, "rearrest_1y"), 1);
}

TEST(ObservedRun, PartFilesKeepTheObservedRecord) {
  TempDir dir;
  const auto sc = load_scenario(dir.file("s.yaml", kSmall));
  const SweepDesign none;
  const auto parts = dir.file("parts");
  ASSERT_EQ(run_units(sc, none, parts, RunOptions{}), 0u);
  const auto loaded = load_point(sc, none, parts, 0);
  const auto direct = run_unit(sc, 1, 1);
  const auto& a = loaded.strategies.at(0).replicates.at(1);
  const auto& b = direct.at(0);
  EXPECT_EQ(a.min_age, b.min_age);
  EXPECT_EQ(a.ages, b.ages);
  EXPECT_EQ(a.present_by_age, b.present_by_age);
  EXPECT_EQ(a.new_suspects, b.new_suspects);
  EXPECT_EQ(a.new_drug_suspects, b.new_drug_suspects);
  const auto ca = a.ledger.columns();
  const auto cb = b.ledger.columns();
  for (std::size_t c = 0; c < ca.size(); ++c) EXPECT_EQ(*ca[c], *cb[c]) << c;
  EXPECT_GT(b.ledger.columns().size(), 0u);
}

TEST(ObservedRun, ResultFileHoldsObservedDatasetsAndStatistics) {
  TempDir dir;
  const auto sc = load_scenario(dir.file("s.yaml", kSmall));
  const auto out = run_experiment(sc, RunOptions{});
  const auto path = dir.file("out.h5");
  write_results(path, sc, out, Provenance{"test"});
  ResultReader f(path);
  const std::string g = "/strategies/baseline/observed/";
  const auto rate = f.dataset(g + "suspects_per_10k");
  ASSERT_EQ(rate.shape, (std::vector<std::uint64_t>{2, 2, 15}));
  const auto share = f.dataset(g + "drug_share");
  ASSERT_EQ(share.shape, rate.shape);
  EXPECT_EQ(f.dataset(g + "age").values.front(), 12);
  EXPECT_EQ(f.dataset(g + "age").values.back(), 26);
  EXPECT_EQ(f.attribute(g + "suspects_per_10k", "units"), "per 10,000 youths");
  EXPECT_FALSE(f.attribute(g + "drug_share", "description").empty());
  // Year 1, age 17 of replicate 0, from the run's record.
  const auto& r = out.strategies[0].replicates[0];
  double suspects = 0, present = 0;
  for (int t = 52; t < 104; ++t) {
    suspects += r.new_suspects[static_cast<std::size_t>(t) * r.ages + 5];
    present += r.present_by_age[static_cast<std::size_t>(t) * r.ages + 5];
  }
  EXPECT_DOUBLE_EQ(rate.values[(0 * 2 + 1) * 15 + 5], 1e4 * suspects / (present / 52));
  for (const char* name : {"releases", "rearrest_1y", "rearrest_2y"}) {
    EXPECT_EQ(f.dataset(g + "release_cohorts/" + name).shape, (std::vector<std::uint64_t>{2, 2}))
        << name;
  }
  // Two-year shares need 104 weeks of follow-up: none for the second year's cohort of 120 weeks.
  const auto two_years = f.dataset(g + "release_cohorts/rearrest_2y");
  EXPECT_TRUE(std::isnan(two_years.values[1]));
  EXPECT_TRUE(std::isnan(two_years.values[3]));
  for (std::size_t k = 0; k < run_statistic_definitions().size(); ++k) {
    const auto& def = run_statistic_definitions()[k];
    const auto d = f.dataset("/strategies/baseline/statistics/" + def.name);
    ASSERT_EQ(d.shape, (std::vector<std::uint64_t>{2})) << def.name;
    for (int rep = 0; rep < 2; ++rep) {
      const double expected = run_statistics(out.strategies[0].replicates[rep], sc.params)[k];
      if (std::isnan(expected)) {
        EXPECT_TRUE(std::isnan(d.values[rep])) << def.name;
      } else {
        EXPECT_EQ(d.values[rep], expected) << def.name;
      }
    }
    EXPECT_EQ(f.attribute("/strategies/baseline/statistics/" + def.name, "units"), def.unit);
  }
}

}  // namespace
}  // namespace drift
