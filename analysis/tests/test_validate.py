"""Tests of analysis/validate.py and the calibration and trial readers of drift_results.py.

The calibration and trial files are written here with h5py, following the layouts in
docs/validation.md, so these tests need no drift program.
"""

from __future__ import annotations

import base64
import html
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import drift_results as dr
from conftest import ANALYSIS
from test_report import parse, shown_number

VALIDATE = ANALYSIS / "validate.py"

HEADINGS = [
    "Does the model reproduce what is observed?",
    "The age curve: suspects by age",
    "What the calibration learnt about each parameter",
    "How close the parameter sets came: distances and threshold",
    "Virtual trials against the published trials",
    "How these results were produced",
]

AGES = list(range(12, 24))
OBSERVED_AGE = {12: 34, 13: 91, 14: 153, 15: 184, 16: 199, 17: 200, 18: 206, 19: 218}
SCENARIO = "name: cal_test\ndescription: calibration of two parameters\ncalibrate:\n  points: 80\n"


# ------------------------------------------------------------------------------ file writers

def write_calibration(path: Path, n: int = 80, replicates: int = 3, accepted: int = 16,
                      seed: int = 5, fixed_strings: bool = False) -> None:
    """A calibration file as `drift calibrate` writes it (docs/validation.md)."""
    rng = np.random.default_rng(seed)
    names = ["recruitment.entry_hazard", "careers.progression_hazard"]
    low, high = np.array([0.001, 0.01]), np.array([0.01, 0.05])
    points = low + rng.random((n, 2)) * (high - low)
    scale = (points[:, 0] - low[0]) / (high[0] - low[0]) * 1.2 + 0.4    # 0.4 .. 1.6
    stats = [f"suspects_per_10k_age_{a}" for a in AGES] + [
        "suspects_per_10k_12_17", "suspects_per_10k_18_22", "drug_share_12_17",
        "drug_share_18_26", "rearrest_1y", "rearrest_2y", "work_13w_after_release"]
    base = [OBSERVED_AGE.get(a, 220.0) for a in AGES] + [140.0, 178.0, 0.08, 0.12, 0.35, 0.53, 0.2]
    values = np.empty((n, replicates, len(stats)))
    for j, b in enumerate(base):
        values[:, :, j] = b * scale[:, None] * (1 + 0.05 * rng.standard_normal((n, replicates)))
    values[3, replicates - 1, stats.index("rearrest_2y")] = np.nan     # a replicate without full follow-up
    targets = [(f"Suspects aged {a}", f"suspects_per_10k_age_{a}", "suspects per 10,000 youths",
                "CBS StatLine 81997NED", "validate" if a == 19 else "fit", float(v), 0.08 * v)
               for a, v in OBSERVED_AGE.items()]
    targets += [("Suspects aged 18 to 22", "suspects_per_10k_18_22", "suspects per 10,000 youths",
                 "CBS news 12-03-2024", "validate", 178.0, 12.0),
                ("Reoffending within 2 years after detention", "rearrest_2y", "share of releases",
                 "WODC Recidivemonitor", "validate", 0.53, 0.02),
                ("Work 13 weeks after release", "work_13w_after_release", "share of releases",
                 "CBS news 2015/27", "fit", 0.20, 0.03)]
    sim = np.nanmean(values, axis=1)
    fit = [t for t in targets if t[4] == "fit"]
    distance = np.sqrt(sum(((sim[:, stats.index(t[1])] - t[5]) / t[6]) ** 2 for t in fit))
    distance[7] = np.inf
    index = np.sort(np.argsort(distance)[:accepted])
    tol = float(np.sort(distance)[accepted - 1])

    def strings(values, width=24):
        if fixed_strings:
            return np.array([v.encode() for v in values], dtype=f"S{width + 40}")
        return np.array(values, dtype=h5py.string_dtype())

    with h5py.File(path, "w") as f:
        f.attrs["format"] = "drift-calibration"
        f.attrs["program_version"] = "0.9.0-test"
        f.attrs["git_commit"] = "0123456789abcdef"
        f.attrs["seed"] = np.int64(20260101)
        f.attrs["scenario_yaml"] = SCENARIO
        f.attrs["command_line"] = "drift calibrate cal_test.yaml --out cal.h5"
        f.attrs["scenario_name"] = "cal_test"
        f["design/parameter_names"] = strings(names)
        f["design/prior_low"] = low
        f["design/prior_high"] = high
        f["design/points"] = points
        f["statistics/names"] = strings(stats)
        f["statistics/values"] = values
        for c, col in (("name", 0), ("statistic", 1), ("unit", 2), ("source", 3), ("use", 4)):
            f[f"targets/{c}"] = strings([t[col] for t in targets])
        f["targets/value"] = np.array([t[5] for t in targets])
        f["targets/sd"] = np.array([t[6] for t in targets])
        f["distance"] = distance
        f["posterior/index"] = index.astype(np.int64)
        f["posterior/points"] = points[index]
        f["posterior/weights"] = np.full(len(index), 1.0 / len(index))
        f["posterior"].attrs["acceptance"] = "rejection: the 16 closest parameter sets"
        f["posterior"].attrs["tolerance"] = tol
        f["posterior"].attrs["accepted"] = np.int64(accepted)


def write_trial(path: Path, rr: float, published=(0.57, 0.40, 0.80), replicates: int = 4,
                seed: int = 9, published_present: bool = True) -> None:
    """A result file of a virtual trial: the /trial group as `drift run` writes it."""
    rng = np.random.default_rng(seed)
    treated = rng.integers(180, 220, replicates).astype(float)
    control = rng.integers(180, 220, replicates).astype(float)
    p_c = 0.4
    control_events = np.round(control * p_c)
    treated_events = np.round(treated * p_c * rr * (1 + 0.05 * rng.standard_normal(replicates)))
    rrs = (treated_events / treated) / (control_events / control)
    rds = treated_events / treated - control_events / control
    m, lo, hi = dr.mean_interval(rrs)
    dm, dlo, dhi = dr.mean_interval(rds)
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "drift-results"
        f.attrs["format_version"] = np.int64(2)
        f.attrs["program_version"] = "0.9.0-test"
        f.attrs["git_commit"] = "fedcba9876543210"
        f.attrs["seed"] = np.int64(31)
        g = f.create_group("trial")
        g.attrs["strategy"] = "messengers"
        g.attrs["intervention"] = "credible_messengers"
        g.attrs["outcome"] = "reconviction within 52 weeks"
        g.attrs["follow_up_weeks"] = 52.0
        g.attrs["enrolment_weeks"] = 26.0
        g.attrs["treatment_share"] = 0.5
        pub = published if published_present else (math.nan, math.nan, math.nan)
        g.attrs["published_relative_risk"] = pub[0]
        g.attrs["published_low"] = pub[1]
        g.attrs["published_high"] = pub[2]
        g.attrs["published_outcome"] = "felony reconviction at 12 months"
        g.attrs["published_design"] = "matched comparison group (QED)"
        g.attrs["published_source"] = "Lynch et al. 2018, Urban Institute"
        for k, v in (("rr_mean", m), ("rr_low", lo), ("rr_high", hi), ("rd_mean", dm),
                     ("rd_low", dlo), ("rd_high", dhi)):
            g.attrs[k] = v
        for k, v in (("treated", treated), ("control", control), ("treated_events", treated_events),
                     ("control_events", control_events), ("relative_risk", rrs),
                     ("risk_difference", rds)):
            g[k] = v


def run_validate(*args, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run validate.py as its own process, as a user would."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, str(VALIDATE), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env)


def call_validate(capsys, *args) -> subprocess.CompletedProcess:
    """Run validate.main in this process (faster; for the variants and further error cases)."""
    import validate
    capsys.readouterr()
    code = validate.main(["validate.py", *map(str, args)])
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out.out, out.err)


# -------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("validate")
    cal = d / "cal.h5"
    write_calibration(cal)
    t1, t2 = d / "trial_match.h5", d / "trial_off.h5"
    write_trial(t1, rr=0.6, published=(0.60, 0.45, 0.80))
    write_trial(t2, rr=1.0, published=(0.43, 0.30, 0.62), seed=10)
    return d, cal, [t1, t2]


@pytest.fixture(scope="module")
def validation(files):
    d, cal, trials = files
    out = d / "validation.html"
    proc = run_validate(cal, "--trials", *trials, "-o", out)
    return proc, out.read_text(encoding="utf-8") if out.exists() else ""


def rows_of(parsed, table_cls):
    return [r for r in parsed.rows if r["table"] == table_cls]


def keyed(row):
    return {c["attrs"]["data-key"]: c for c in row["cells"] if "data-key" in c["attrs"]}


# ----------------------------------------------------------------------------------- report

def test_report_written_with_every_section(validation):
    proc, text = validation
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    parsed = parse(text)
    assert parsed.h2 == HEADINGS
    for sid in ("targets", "age-curve", "parameters", "distance", "trials", "reproducibility"):
        assert f'<section id="{sid}">' in text


def test_target_numbers_equal_the_datasets(validation, files):
    _, cal, _ = files
    text = validation[1]
    with h5py.File(cal, "r") as f:
        names = [x.decode() if isinstance(x, bytes) else x for x in f["targets/name"][()]]
        stats = [x.decode() if isinstance(x, bytes) else x for x in f["statistics/names"][()]]
        tstat = [x.decode() if isinstance(x, bytes) else x for x in f["targets/statistic"][()]]
        use = [x.decode() if isinstance(x, bytes) else x for x in f["targets/use"][()]]
        value, sd = f["targets/value"][()], f["targets/sd"][()]
        sim = np.nanmean(f["statistics/values"][()], axis=1)
        index = f["posterior/index"][()]
    rows = rows_of(parse(text), "targets")
    assert [r["attrs"]["data-target"] for r in rows] == names
    for i, r in enumerate(rows):
        c = keyed(r)
        assert float(c["observed"]["attrs"]["data-value"]) == pytest.approx(value[i], rel=1e-12)
        assert float(c["observed"]["attrs"]["data-lo"]) == pytest.approx(value[i] - 1.96 * sd[i])
        assert float(c["observed"]["attrs"]["data-hi"]) == pytest.approx(value[i] + 1.96 * sd[i])
        col = sim[index, stats.index(tstat[i])]
        med = np.median(col)
        assert float(c["posterior"]["attrs"]["data-value"]) == pytest.approx(med, rel=1e-12)
        assert float(c["posterior"]["attrs"]["data-lo"]) == pytest.approx(np.percentile(col, 5))
        assert float(c["posterior"]["attrs"]["data-hi"]) == pytest.approx(np.percentile(col, 95))
        prior = sim[:, stats.index(tstat[i])]
        assert float(c["prior"]["attrs"]["data-value"]) == pytest.approx(np.median(prior))
        # The printed numbers are the same numbers, rounded.
        shown, dec = shown_number(c["observed"]["main"])
        assert shown == pytest.approx(value[i], abs=0.5 * 10 ** -dec + 1e-12)
        shown, dec = shown_number(c["posterior"]["main"])
        assert shown == pytest.approx(med, abs=0.5 * 10 ** -dec + 1e-12)
        # Verdict: the posterior median against the observed interval.
        inside = value[i] - 1.96 * sd[i] <= med <= value[i] + 1.96 * sd[i]
        verdict = r["cells"][6]
        assert verdict["main"].startswith("inside" if inside else "outside")
        assert r["attrs"]["data-use"] == use[i]


def test_held_out_targets_marked(validation):
    text = validation[1]
    rows = rows_of(parse(text), "targets")
    held = [r["attrs"]["data-target"] for r in rows if r["attrs"].get("class") == "heldout"]
    assert held == ["Suspects aged 19", "Suspects aged 18 to 22",
                    "Reoffending within 2 years after detention"]
    for r in rows:
        assert ("held out" in r["cells"][1]["main"]) == (r["attrs"]["data-use"] == "validate")
    assert "Of the 3 held-out targets" in text


def test_images_embedded_as_data_uris(validation):
    text = validation[1]
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == 5   # targets, age curve, parameters, distances, trials
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<script" not in text and "<link" not in text
    assert not re.search(r'src="(?!data:)', text)
    for section in ("age-curve", "parameters", "distance", "trials"):
        part = text[text.index(f'<section id="{section}">'):]
        part = part[:part.index("</section>")]
        assert "data:image/png;base64," in part, section


def test_parameter_table(validation, files):
    _, cal, _ = files
    with h5py.File(cal, "r") as f:
        pts = f["posterior/points"][()]
        low, high = f["design/prior_low"][()], f["design/prior_high"][()]
    rows = rows_of(parse(validation[1]), "parameters")
    assert [r["attrs"]["data-parameter"] for r in rows] == ["recruitment.entry_hazard",
                                                            "careers.progression_hazard"]
    for j, r in enumerate(rows):
        c = keyed(r)
        assert float(c["prior_range"]["attrs"]["data-lo"]) == low[j]
        assert float(c["prior_range"]["attrs"]["data-hi"]) == high[j]
        assert float(c["posterior"]["attrs"]["data-value"]) == pytest.approx(np.median(pts[:, j]))
        assert float(c["posterior"]["attrs"]["data-lo"]) == pytest.approx(np.percentile(pts[:, j], 5))


def test_distance_section(validation, files):
    _, cal, _ = files
    with h5py.File(cal, "r") as f:
        tol = f["posterior"].attrs["tolerance"]
    text = validation[1]
    part = text[text.index('<section id="distance">'):]
    part = part[:part.index("</section>")]
    assert "16 of 80 parameter sets" in part
    assert "1 parameter set gave no distance" in part
    d = dr.calibration(cal)
    assert d["attrs"]["tolerance"] == pytest.approx(tol)
    assert f"threshold of {rp_num(tol)}" in part


def rp_num(x):
    import report
    import validate
    return report.num(x, validate.decimals_for(x))


def test_trials_show_simulated_and_published_rr(validation, files):
    _, _, trials = files
    rows = rows_of(parse(validation[1]), "trials")
    assert len(rows) == 2
    verdicts = []
    for r, path in zip(rows, trials):
        with h5py.File(path, "r") as f:
            a = dict(f["trial"].attrs)
        c = keyed(r)
        assert float(c["simulated_rr"]["attrs"]["data-value"]) == pytest.approx(a["rr_mean"])
        assert float(c["simulated_rr"]["attrs"]["data-lo"]) == pytest.approx(a["rr_low"])
        assert float(c["simulated_rr"]["attrs"]["data-hi"]) == pytest.approx(a["rr_high"])
        assert float(c["published_rr"]["attrs"]["data-value"]) == a["published_relative_risk"]
        assert float(c["published_rr"]["attrs"]["data-lo"]) == a["published_low"]
        assert float(c["published_rr"]["attrs"]["data-hi"]) == a["published_high"]
        shown, dec = shown_number(c["published_rr"]["main"])
        assert shown == pytest.approx(a["published_relative_risk"])
        texts = " ".join(x["main"] for x in r["cells"])
        assert "matched comparison group (QED)" in texts
        assert "Lynch et al. 2018, Urban Institute" in texts
        assert "reconviction within 52 weeks" in texts
        verdicts.append(r["cells"][6]["main"])
    assert verdicts[0].startswith("matches")
    assert verdicts[1].startswith("differs")


def test_reproducibility(validation, files):
    _, cal, _ = files
    text = validation[1]
    part = text[text.index('<section id="reproducibility">'):]
    for s in ("0.9.0-test", "0123456789abcdef", "20260101",
              "drift calibrate cal_test.yaml --out cal.h5", "fedcba9876543210"):
        assert html.escape(s) in part, s
    assert html.escape(SCENARIO) in part


def test_without_trials_and_with_fixed_strings(tmp_path, capsys):
    cal = tmp_path / "cal.h5"
    write_calibration(cal, fixed_strings=True)
    with h5py.File(cal, "a") as f:   # absent provenance is shown as unknown
        for k in ("git_commit", "scenario_yaml", "command_line"):
            del f.attrs[k]
    out = tmp_path / "v.html"
    proc = call_validate(capsys, cal, "-o", out)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    parsed = parse(text)
    assert parsed.h2 == [h for h in HEADINGS if not h.startswith("Virtual trials")]
    assert [r["attrs"]["data-target"] for r in rows_of(parsed, "targets")][0] == "Suspects aged 12"
    assert "holds no scenario text" in text


def test_trial_without_published_effect(tmp_path, files, capsys):
    _, cal, _ = files
    t = tmp_path / "t.h5"
    write_trial(t, rr=0.8, published_present=False)
    out = tmp_path / "v.html"
    proc = call_validate(capsys, cal, "--trials", t, "-o", out)
    assert proc.returncode == 0, proc.stderr
    rows = rows_of(parse(out.read_text(encoding="utf-8")), "trials")
    assert rows[0]["cells"][6]["main"] == "no published effect to compare with"
    assert keyed(rows[0])["published_rr"]["main"].strip() == "\u2013"


# ----------------------------------------------------------------------------------- errors

def assert_one_line_error(proc, fragment):
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("validate.py: error: ")
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in proc.stderr


def test_error_missing_file(tmp_path):
    proc = run_validate(tmp_path / "absent.h5", "-o", tmp_path / "v.html")
    assert_one_line_error(proc, "no such file")
    assert not (tmp_path / "v.html").exists()


def test_error_not_a_calibration_file(tmp_path, files, capsys):
    _, _, trials = files
    proc = run_validate(trials[0], "-o", tmp_path / "v.html")       # a result file
    assert_one_line_error(proc, "not a Drift calibration file")
    text = tmp_path / "notes.h5"
    text.write_text("not HDF5\n")
    assert_one_line_error(call_validate(capsys, text, "-o", tmp_path / "v.html"), "not an HDF5 file")
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["format"] = "drift-results"
    assert_one_line_error(call_validate(capsys, other, "-o", tmp_path / "v.html"),
                          "format is 'drift-results', expected 'drift-calibration'")
    assert not (tmp_path / "v.html").exists()


def test_error_missing_group(tmp_path, capsys):
    cal = tmp_path / "cal.h5"
    write_calibration(cal)
    with h5py.File(cal, "a") as f:
        del f["posterior"]
    assert_one_line_error(call_validate(capsys, cal, "-o", tmp_path / "v.html"), "no /posterior group")
    write_calibration(cal)
    with h5py.File(cal, "a") as f:
        del f["targets/sd"]
    assert_one_line_error(call_validate(capsys, cal, "-o", tmp_path / "v.html"), "no /targets/sd")


def test_error_bad_trial_file(tmp_path, files, capsys):
    _, cal, _ = files
    proc = call_validate(capsys, cal, "--trials", cal, "-o", tmp_path / "v.html")
    assert_one_line_error(proc, "no /trial group")
    proc = call_validate(capsys, cal, "--trials", tmp_path / "gone.h5", "-o", tmp_path / "v.html")
    assert_one_line_error(proc, "no such file")


# ----------------------------------------------------------------------------------- loaders

def test_calibration_loader(files):
    _, cal, _ = files
    d = dr.calibration(cal)
    assert set(d) == {"attrs", "parameters", "design", "statistics", "targets", "posterior",
                      "generations"}
    assert len(d["generations"]) == 0, "a file without /generations"
    design, post = d["design"], d["posterior"]
    assert len(design) == 80 and int(design["accepted"].sum()) == 16 == len(post)
    assert list(design.columns) == ["point", "recruitment.entry_hazard",
                                    "careers.progression_hazard", "distance", "accepted", "weight",
                                    "generation"]
    assert design.loc[post["point"], "accepted"].all()
    assert math.isinf(design.loc[7, "distance"])
    assert d["attrs"]["format"] == "drift-calibration" and d["attrs"]["accepted"] == 16
    with h5py.File(cal, "r") as f:
        values = f["statistics/values"][()]
    stats = d["statistics"]
    assert stats.shape == (80, values.shape[2])
    assert stats["rearrest_2y"].iloc[3] == pytest.approx(np.nanmean(values[3, :, -2]))
    t = d["targets"]
    assert list(t["use"]).count("validate") == 3
    assert t["inside"].dtype == bool


def test_weighted_quantile():
    v = np.array([3.0, 1.0, 2.0, np.nan, 4.0])
    assert dr.weighted_quantile(v, None, [0.5])[0] == pytest.approx(2.5)
    assert dr.weighted_quantile(v[[0, 1, 2, 4]], [1, 1, 1, 1], [0.05, 0.95]) == \
        pytest.approx(np.percentile([1, 2, 3, 4], [5, 95]))
    # All the weight on one value: every quantile is that value.
    assert dr.weighted_quantile([1.0, 2.0, 3.0], [0.0, 1.0, 0.0], [0.05, 0.5, 0.95]) == pytest.approx([2, 2, 2])
    assert dr.weighted_quantile([1.0, 2.0], [3.0, 1.0], [0.5])[0] < 1.5


def test_trial_loader(files, tmp_path):
    _, _, trials = files
    t = dr.trial(trials[0])
    assert t["summary"]["strategy"] == "messengers"
    assert list(t["replicates"].columns) == ["replicate", *dr.TRIAL_DATASETS]
    assert len(t["replicates"]) == 4
    # Summaries missing from the file are computed from the replicates.
    p = tmp_path / "t.h5"
    write_trial(p, rr=0.7)
    with h5py.File(p, "a") as f:
        for k in ("rr_mean", "rr_low", "rr_high"):
            del f["trial"].attrs[k]
        rr = f["trial/relative_risk"][()]
    s = dr.trial(p)["summary"]
    m, lo, hi = dr.mean_interval(rr)
    assert (s["rr_mean"], s["rr_low"], s["rr_high"]) == pytest.approx((m, lo, hi))


def add_generations(path: Path) -> None:
    """Make the file a sequential calibration: points 40-79 a later generation, and the table of
    generations (docs/calibration.md, CAL.h5)."""
    with h5py.File(path, "a") as f:
        f.attrs["method"] = "smc"
        n = f["design/points"].shape[0]
        f["design/generation"] = np.where(np.arange(n) < 40, 0.0, 1.0)
        g = f.create_group("generations")
        g["tolerance"] = np.array([3.5, 2.25])
        g["ess"] = np.array([16.0, 12.5])
        g["points_run"] = np.array([40.0, 40.0])
        g["within_tolerance"] = np.array([16.0, 19.0])
        g["acceptance_rate"] = np.array([0.4, 0.475])
        g["particles"] = np.array([16.0, 16.0])


def test_generations_table_and_prior_of_generation_zero(tmp_path, capsys):
    cal = tmp_path / "cal.h5"
    write_calibration(cal)
    before = dr.calibration(cal)["targets"]
    add_generations(cal)
    d = dr.calibration(cal)
    g = d["generations"]
    assert list(g["generation"]) == [0, 1]
    assert list(g["tolerance"]) == [3.5, 2.25] and list(g["ess"]) == [16.0, 12.5]
    assert list(d["design"]["generation"][:41]) == [0.0] * 40 + [1.0]
    # The prior predictive is over generation 0 only: the first 40 points.
    with h5py.File(cal, "r") as f:
        sim = np.nanmean(f["statistics/values"][()], axis=1)
        stats = [x.decode() if isinstance(x, bytes) else x for x in f["statistics/names"][()]]
    col = sim[:40, stats.index("suspects_per_10k_age_16")]
    row = d["targets"][d["targets"]["statistic"] == "suspects_per_10k_age_16"].iloc[0]
    assert row["prior_median"] == pytest.approx(dr.weighted_quantile(col, None, (0.5,))[0])
    assert row["prior_median"] != before[before["statistic"] == "suspects_per_10k_age_16"].iloc[0][
        "prior_median"]
    out = tmp_path / "v.html"
    proc = call_validate(capsys, cal, "-o", out)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert '<section id="generations">' in text
    rows = rows_of(parse(text), "generations")
    assert [[c["main"].strip() for c in r["cells"]] for r in rows] == [
        ["0", "40", "16", "40.0%", "3.50", "16", "16.0"],
        ["1", "40", "19", "47.5%", "2.25", "16", "12.5"]]
