"""Decision analysis: rank probabilities, value for money, acceptability and the ranking per
setting, in drift_results and the report.

Hand-built result files (h5py) check the numbers against values worked out by hand; a small real
run checks that the /decision group drift writes agrees with the same computation from the
file's paired comparisons, and what the report shows of it.
"""

from __future__ import annotations

import math
import re
import shutil

import h5py
import numpy as np
import pytest

import drift_results as dr
from conftest import TINY_SCENARIO, run_drift, run_report


def write_hand_file(path, strategies, effects, costs, weeks=4):
    """A minimal result file: the layout drift_results needs for comparisons, with the given
    paired differences ([strategy][replicate], baseline first with zeros)."""
    reps = len(effects["entries_averted"][0])
    with h5py.File(path, "w") as f:
        f.attrs.update({"format": "drift-results", "format_version": 2, "replicates": reps,
                        "weeks": weeks, "baseline": strategies[0], "scenario_name": "hand",
                        "seed": 1})
        f.create_dataset("areas/names", data=np.array(["A"], dtype=object),
                         dtype=h5py.string_dtype())
        g = f.create_group("strategies")
        g.attrs.create("order", np.array(strategies, dtype=object), dtype=h5py.string_dtype())
        for s in strategies:
            f[f"strategies/{s}/timeseries/new_entries"] = np.zeros((reps, weeks))
            f.create_group(f"summary/{s}")
        for i, s in enumerate(strategies[1:], 1):
            for name in ("entries_averted", "dealer_years_averted"):
                f[f"comparisons/{s}/{name}"] = np.asarray(effects[name][i], dtype=float)
            f[f"comparisons/{s}/extra_cost"] = np.asarray(costs[i], dtype=float)


# The hand-worked case of tests/experiments/test_decision.cpp (RankProbabilities):
#   r0: A 5 > B 4 > base 0; r1: B 4 > A 3 > base; r2: A 2 > B 1 > base; r3: A 1 > base 0 > B -1;
#   r4: A 2 = B 2 > base (A and B share ranks 1 and 2).
# A: rank 1 3.5/5, rank 2 1.5/5; B: 1.5/5, 2.5/5, 1/5; base: 0, 1/5, 4/5.
ENTRIES = [[0] * 5, [5, 3, 2, 1, 2], [4, 4, 1, -1, 2]]
RANKS = np.array([[0, 0.2, 0.8], [0.7, 0.3, 0], [0.3, 0.5, 0.2]])


def test_rank_probabilities_hand_built():
    np.testing.assert_allclose(dr.rank_probabilities(ENTRIES), RANKS, atol=1e-12)


def test_acceptability_hand_built():
    # Baseline (0, 0); A effect [10, 2] at 1000; B effect 4 at 100. Net benefit lambda*e - c:
    #   0: base; 25: base and B tie at 0 (1/2 each); 100: B (300 against 0 and 0/-800);
    #   1000: A in r0 (9000 > 3900), B in r1 (3900 > 1000).
    effect = [[0, 0], [10, 2], [4, 4]]
    cost = [[0, 0], [1000, 1000], [100, 100]]
    got = dr.acceptability(effect, cost, [0, 25, 100, 1000])
    np.testing.assert_allclose(got, [[1, 0, 0], [0.5, 0, 0.5], [0, 0, 1], [0, 0.5, 0.5]], atol=1e-12)


def test_frontier_marks_dominated_and_extendedly_dominated():
    # As in test_decision.cpp: B dominated by A; E (ICER 300 before A's 50) and D (1500 before
    # C's 500) extendedly dominated; frontier base -> A (100 per unit) -> C (1000 per unit).
    fr = dr.frontier([0, 10, 5, 12, 11, 2], [0, 1000, 2000, 3000, 2500, 600])
    assert [f[0] for f in fr] == ["frontier", "frontier", "dominated", "frontier",
                                  "extendedly_dominated", "extendedly_dominated"]
    assert fr[1][1] == 0 and fr[1][2] == pytest.approx(100)
    assert fr[3][1] == 1 and fr[3][2] == pytest.approx(1000)


def test_decision_computed_from_a_hand_built_file(tmp_path):
    path = tmp_path / "hand.h5"
    years = [[0] * 5, [1, 1, 1, 1, 1], [2, 2, 2, 2, 2]]
    # Extra cost: A 100 per replicate, B 50; A's entries averted (mean 2.6, t interval above 0).
    costs = [[0] * 5, [100] * 5, [50] * 5]
    write_hand_file(path, ["base", "a", "b"],
                    {"entries_averted": ENTRIES, "dealer_years_averted": years}, costs)
    d = dr.load(path).decision()
    assert not d.stored
    np.testing.assert_allclose(d.rank_probability["entries_averted"], RANKS, atol=1e-12)
    t = d.outcomes["entries_averted"].set_index("strategy")
    assert t.loc["a", "best_probability"] == pytest.approx(0.7)
    assert t.loc["a", "ratio_status"] == "estimated"
    assert t.loc["a", "cost_per_unit"] == pytest.approx(100 / 2.6)
    # B: entries averted [4, 4, 1, -1, 2], mean 2, sd 2.12, t(4) interval about -0.6 to 4.6.
    assert t.loc["b", "ratio_status"] == "effect_includes_zero"
    assert math.isnan(t.loc["b", "cost_per_unit"])
    # Means (effect, cost): base (0, 0), b (2, 50), a (2.6, 100): ICERs 25 then 50/0.6 = 83.3.
    assert list(t["frontier_status"]) == ["frontier", "frontier", "frontier"]
    assert t.loc["a", "frontier_previous"] == "b"
    assert t.loc["a", "frontier_icer"] == pytest.approx(50 / 0.6)
    # Dealer-years: b (2) beats a (1) in every replicate.
    assert d.outcomes["dealer_years_averted"].set_index("strategy").loc["b", "best_probability"] == 1
    # Acceptability at 0: the baseline (0 against -100 and -50) in every replicate; at 1e6 per
    # entry the most effective wins: a in r0, r2, r3; b in r1 and in r4, where both avert 2 and
    # b costs 50 less.
    assert d.willingness_to_pay[0] == 0 and d.willingness_to_pay[-1] == pytest.approx(1e6)
    np.testing.assert_allclose(d.acceptability[0], [1, 0, 0])
    np.testing.assert_allclose(d.acceptability[-1], [0, 0.6, 0.4])


def test_stored_decision_with_a_wrong_shape_is_refused(tmp_path, result_file):
    bad = tmp_path / "bad.h5"
    shutil.copy(result_file, bad)
    with h5py.File(bad, "r+") as f:
        del f["decision/entries_averted/best_probability"]
        f["decision/entries_averted/best_probability"] = np.zeros(7)
    with pytest.raises(dr.DriftResultError, match=r"best_probability: shape \[7\], expected \[3\]"):
        dr.load(bad).decision()
    proc = run_report(bad, "-o", tmp_path / "bad.html")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "bad.h5" in proc.stderr


def test_written_decision_agrees_with_the_comparisons(result_file):
    """drift's /decision against the same computation in Python from /comparisons."""
    res = dr.load(result_file)
    stored = res.decision()
    assert stored.stored and not stored.parameter_uncertainty
    computed = dr.compute_decision(res.strategies,
                                   {o: res.paired(o) for o, _ in dr.DECISION_OUTCOMES},
                                   res.paired("extra_cost"))
    for outcome, _ in dr.DECISION_OUTCOMES:
        np.testing.assert_allclose(stored.rank_probability[outcome],
                                   computed.rank_probability[outcome], atol=1e-12)
        a, b = stored.outcomes[outcome], computed.outcomes[outcome]
        for col in ("ratio_status", "frontier_status", "frontier_previous"):
            assert list(a[col]) == list(b[col]), col
        np.testing.assert_allclose(a["cost_per_unit"], b["cost_per_unit"], rtol=1e-12)
        np.testing.assert_allclose(a["effect"], b["effect"], rtol=1e-12, atol=1e-9)
        est = a[a.ratio_status == "estimated"]
        assert (est.cost_per_unit_lo95 <= est.cost_per_unit).all()
        assert (est.cost_per_unit <= est.cost_per_unit_hi95).all()
    np.testing.assert_allclose(stored.willingness_to_pay, computed.willingness_to_pay, rtol=1e-12)
    np.testing.assert_allclose(stored.acceptability, computed.acceptability, atol=1e-12)


def _sentences(html_text: str) -> dict:
    return {s: float(p) for s, p in re.findall(r'<li data-ranked="([^"]+)" data-best="([^"]+)">',
                                                html_text)}


def test_report_ranking_section(result_file, tmp_path):
    out = tmp_path / "r.html"
    proc = run_report(result_file, "-o", out)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    d = dr.load(result_file).decision()
    t = d.outcomes["entries_averted"].set_index("strategy")
    shown = _sentences(text)
    assert shown, "no 'most effective in' sentence"
    for s, p in shown.items():
        assert p == pytest.approx(t.loc[s, "best_probability"])
        runs = p * d.replicates
        assert re.search(rf"most effective in (about )?{runs:.0f} of {d.replicates} runs", text)
    assert sum(shown.values()) == pytest.approx(1.0)
    # The assumptions box beside the ranking: market assumption and what intervals include.
    box = text[text.index('<aside class="assumptions">'):]
    box = box[:box.index("</aside>")]
    assert "market.replacement" in box and "Only chance" in box
    for s in d.strategies:
        status = t.loc[s, "frontier_status"]
        assert f'data-strategy="{s}" data-frontier="{status}"' in text
    assert 'alt="Acceptability curve"' in text


def _copy_with(tmp_path, source, name, **attrs):
    path = tmp_path / name
    shutil.copy(source, path)
    with h5py.File(path, "r+") as f:
        for k, v in attrs.items():
            f.attrs[k] = v
    return path


def _report_with_no_replacement_setting(tmp_path, result_file, main):
    """The report of `main` with a copy of `result_file` as the no-replacement setting: the
    setting's file and the report's text."""
    other = _copy_with(tmp_path, result_file, "other.h5", assumptions="market_no_replacement")
    out = tmp_path / "with_setting.html"
    proc = run_report(main, "--setting", other, "-o", out)
    assert proc.returncode == 0, proc.stderr
    return other, out.read_text(encoding="utf-8")


def test_report_ranking_per_setting(result_file, tmp_path):
    main = _copy_with(tmp_path, result_file, "main.h5", assumptions="")
    other, text = _report_with_no_replacement_setting(tmp_path, result_file, main)
    # No overlay: the setting is named after the scenario.
    assert '<tr data-setting="tiny_test">' in text
    assert '<tr data-setting="market_no_replacement">' in text
    row = text[text.index('<tr data-setting="market_no_replacement">'):]
    row = row[:row.index("</tr>")]
    t = dr.load(other).decision().outcomes["entries_averted"].set_index("strategy")
    values = [float(v) for v in re.findall(r'data-key="entries_averted" data-value="([^"]+)"', row)]
    assert values == pytest.approx([t.loc["mentors", "effect"], t.loc["area_approach", "effect"]])
    bests = [float(v) for v in re.findall(r'data-best="([^"]+)"', row)]
    assert bests == pytest.approx([t.loc["mentors", "best_probability"],
                                   t.loc["area_approach", "best_probability"]])


def test_each_setting_shows_its_own_replicate_count(result_file, tmp_path):
    # make demo MARKET_END_REPLICATES=2 runs the ends with fewer replicates than the main
    # comparison: the row of each setting says how many, so that wider intervals are read as such.
    main = _copy_with(tmp_path, result_file, "main.h5", assumptions="")
    fewer = run_drift(tmp_path, "two_replicates",
                      TINY_SCENARIO.replace("replicates: 3", "replicates: 2"))
    with h5py.File(fewer, "r+") as f:
        f.attrs["assumptions"] = "market_no_replacement"
    out = tmp_path / "with_fewer.html"
    proc = run_report(main, "--setting", fewer, "-o", out)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    rows = {name: text[text.index(f'<tr data-setting="{name}">'):]
            for name in ("tiny_test", "market_no_replacement")}
    rows = {name: row[:row.index("</tr>")] for name, row in rows.items()}
    assert dr.load(main).replicates == 3 and dr.load(fewer).replicates == 2
    assert '<div class="desc">3 replicates</div>' in rows["tiny_test"]
    assert '<div class="desc">2 replicates</div>' in rows["market_no_replacement"]
    assert "3 replicates" not in rows["market_no_replacement"]


def test_setting_of_another_scenario_or_other_strategies_is_refused(result_file, tmp_path):
    main = _copy_with(tmp_path, result_file, "main.h5", assumptions="")
    other = _copy_with(tmp_path, result_file, "elsewhere.h5", assumptions="x",
                       scenario_name="elsewhere")
    proc = run_report(main, "--setting", other, "-o", tmp_path / "x.html")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "elsewhere.h5" in lines[0] and "another scenario" in lines[0]
    fewer = _copy_with(tmp_path, result_file, "fewer.h5")
    with h5py.File(fewer, "r+") as f:
        f["strategies"].attrs.create("order", np.array(["baseline", "mentors"], dtype=object),
                                     dtype=h5py.string_dtype())
    proc = run_report(main, "--setting", fewer, "-o", tmp_path / "y.html")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "fewer.h5" in lines[0] and "other strategies" in lines[0]
    assert not (tmp_path / "y.html").exists()


def test_report_names_the_assumption_that_decides_the_advice(sobol_sweep_file, tmp_path):
    out = tmp_path / "sobol.html"
    proc = run_report(sobol_sweep_file, "-o", out)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    sens = dr.load(sobol_sweep_file).sensitivity()
    x = sens[(sens.strategy == "mentors") & (sens.outcome == "entries_averted")]
    named = re.search(r'<li data-decided="mentors" data-parameter="([^"]*)">', text)
    assert named, "no sentence for mentors in 'Which assumption decides the advice'"
    if x.total_order.max() > 0:
        assert named.group(1) == x.loc[x.total_order.idxmax(), "parameter"]
    else:
        assert named.group(1) == ""


def test_shipped_sobol_sweep_of_the_advice_is_valid():
    """scenarios/what_decides_the_advice.yaml: a Sobol design over the structural assumptions."""
    import subprocess
    from conftest import REPO, drift_binary
    path = REPO / "scenarios" / "what_decides_the_advice.yaml"
    proc = subprocess.run([str(drift_binary()), "plan", str(path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    # 16 samples x (5 parameters + 2) points.
    assert re.search(r"sweep points\s+112 \(sobol\)", proc.stdout)


def test_drift_summarize_prints_the_stored_decision(result_file):
    """`drift summarize` recomputes the analysis with the file's seed: the rank probabilities it
    prints are the stored ones (to the 2 decimals printed)."""
    import subprocess
    from conftest import drift_binary
    proc = subprocess.run([str(drift_binary()), "summarize", str(result_file)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    block = proc.stdout[proc.stdout.index("entries_averted: probability of rank"):]
    block = block[:block.index("\n\n")]
    d = dr.load(result_file).decision()
    ranks = d.rank_probability["entries_averted"]
    for i, s in enumerate(d.strategies):
        line = next(x for x in block.splitlines() if x.split()[:1] == [s])
        shown = [float(v) for v in line.split()[1:1 + len(d.strategies)]]
        assert shown == pytest.approx(np.round(ranks[i], 2), abs=1e-9)
        status = d.outcomes["entries_averted"].ratio_status[i]
        if status == "estimated":
            t = d.outcomes["entries_averted"].iloc[i]
            assert (f"{t.cost_per_unit:.0f} [{t.cost_per_unit_lo95:.0f}, "
                    f"{t.cost_per_unit_hi95:.0f}]") in line
        elif status == "effect_includes_zero":
            assert "interval includes 0" in line


def test_assumptions_box_says_when_intervals_include_parameter_uncertainty(result_file, tmp_path):
    path = _copy_with(tmp_path, result_file, "posterior.h5")
    with h5py.File(path, "r+") as f:
        f.create_group("posterior")
    out = tmp_path / "p.html"
    proc = run_report(path, "-o", out)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    box = text[text.index('<aside class="assumptions">'):]
    box = box[:box.index("</aside>")]
    assert "draw their parameters from the calibration posterior" in box
    assert "Only chance" not in box


def test_a_replacement_drawn_from_the_posterior_is_reported_as_drawn(result_file, tmp_path):
    main = _copy_with(tmp_path, result_file, "main.h5", assumptions="")
    reps = int(h5py.File(main, "r").attrs["replicates"])
    drawn = np.linspace(0.1, 0.9, reps)
    with h5py.File(main, "r+") as f:
        f.create_dataset("posterior/parameter_names",
                         data=np.array(["recruitment.entry_hazard", "market.replacement"],
                                       dtype=object), dtype=h5py.string_dtype())
        f["posterior/points"] = np.column_stack([np.full(reps, 0.01), drawn])
    assert dr.load(main).drawn_parameter("market.replacement") == pytest.approx(drawn)
    assert dr.load(result_file).drawn_parameter("market.replacement") is None
    _, text = _report_with_no_replacement_setting(tmp_path, result_file, main)
    assert "was drawn for each run from the calibration posterior: from 0.10 to 0.90" in text
    assert "market.replacement drawn from the posterior (0.10-0.90)" in text
