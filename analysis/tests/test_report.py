"""Tests of analysis/drift_results.py and analysis/report.py on a result file made by `drift run`."""

from __future__ import annotations

import base64
import math
import re
import shutil
from html.parser import HTMLParser

import h5py
import numpy as np
import pytest

import drift_results as dr
from conftest import run_report

SECTION_HEADINGS = [
    "Which strategy keeps most young people out of dealing?",
    "How the numbers develop over time",
    "Differences between districts",
    "Use of the interventions: intake, waiting lists and places",
    "How these results were produced",
]
SWEEP_HEADING = "How the results change with the swept settings"


# ------------------------------------------------------------------------------ HTML parsing

class ReportParser(HTMLParser):
    """Collects h2 headings, table body rows (with their data- attributes) and the sentences."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.h2: list[str] = []
        self.rows: list[dict] = []          # {"table": cls, "attrs": {...}, "cells": [...]}
        self.sentences: list[dict] = []     # {"strategy", "class", "text"}
        self._table_cls: list[str] = []
        self._in_h2 = False
        self._row = None
        self._cell = None
        self._ci_depth = 0
        self._div_depth = 0
        self._li = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self._in_h2 = True
            self.h2.append("")
        elif tag == "table":
            self._table_cls.append(a.get("class", ""))
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = {"table": self._table_cls[-1] if self._table_cls else "", "attrs": a, "cells": []}
        elif tag == "td" and self._row is not None:
            self._cell = {"attrs": a, "main": "", "ci": ""}
        elif tag == "div":
            self._div_depth += 1
            if "ci" in a.get("class", "").split():
                self._ci_depth = self._div_depth
        elif tag == "li" and "data-strategy" in a:
            self._li = {"strategy": a["data-strategy"], "class": a.get("class", ""), "text": ""}

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False
        elif tag == "table" and self._table_cls:
            self._table_cls.pop()
        elif tag == "tbody":
            self._in_body = False
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "td" and self._cell is not None:
            self._row["cells"].append(self._cell)
            self._cell = None
        elif tag == "div":
            if self._ci_depth == self._div_depth:
                self._ci_depth = 0
            self._div_depth -= 1
        elif tag == "li" and self._li is not None:
            self.sentences.append(self._li)
            self._li = None

    def handle_data(self, data):
        if self._in_h2:
            self.h2[-1] += data
        if self._cell is not None:
            self._cell["ci" if self._ci_depth else "main"] += data
        if self._li is not None:
            self._li["text"] += data


def parse(text: str) -> ReportParser:
    p = ReportParser()
    p.feed(text)
    p.close()
    return p


def headline_cells(parsed: ReportParser) -> dict:
    """strategy -> data-key -> cell, from the headline table."""
    out = {}
    for row in parsed.rows:
        if row["table"] != "headline":
            continue
        s = row["attrs"]["data-strategy"]
        out[s] = {c["attrs"]["data-key"]: c for c in row["cells"] if "data-key" in c["attrs"]}
    return out


def shown_number(text: str) -> tuple[float, int]:
    """The number printed in a cell and its decimals ('−1,234.5' -> (-1234.5, 1))."""
    t = text.strip().replace("\u2212", "-").replace(",", "").replace("\u20ac", "")
    m = re.match(r"-?\d+(\.\d+)?", t)
    assert m, f"no number in {text!r}"
    decimals = len(m.group(1)) - 1 if m.group(1) else 0
    return float(m.group(0)), decimals


def assert_shown(cell: dict, expected: float):
    """The cell's exact value (data-value) and its rounded display both equal `expected`."""
    assert float(cell["attrs"]["data-value"]) == pytest.approx(expected, rel=1e-12, abs=1e-9)
    value, decimals = shown_number(cell["main"])
    assert abs(value - expected) <= 0.5 * 10 ** -decimals + 1e-9, (cell["main"], expected)


# ---------------------------------------------------------------------------------- the report

def test_report_runs(report):
    proc, out, text = report
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert out.is_file() and text.startswith("<!DOCTYPE html>")


def test_every_section_heading_present(report):
    parsed = parse(report[2])
    for heading in SECTION_HEADINGS:
        assert heading in parsed.h2
    # No sweep in a plain run: that section is left out.
    assert SWEEP_HEADING not in parsed.h2


def test_headline_numbers_equal_comparisons(report, result_file):
    cells = headline_cells(parse(report[2]))
    with h5py.File(result_file, "r") as f:
        baseline = f.attrs["baseline"]
        strategies = [str(x) for x in f["strategies"].attrs["order"]]
        others = [s for s in strategies if s != baseline]
        assert set(cells) == set(strategies)
        for s in others:
            for key in ("entries_averted", "dealer_years_averted", "detentions_averted"):
                ds = f[f"comparisons/{s}/{key}"]
                cell = cells[s][key]
                assert_shown(cell, ds.attrs["mean"])
                assert float(cell["attrs"]["data-lo"]) == pytest.approx(ds.attrs["lo95"], rel=1e-12)
                assert float(cell["attrs"]["data-hi"]) == pytest.approx(ds.attrs["hi95"], rel=1e-12)
                # The interval is printed under the estimate.
                lo_text, hi_text = cell["ci"].split(" to ")
                for shown, exact in ((lo_text, ds.attrs["lo95"]), (hi_text, ds.attrs["hi95"])):
                    v, dec = shown_number(shown)
                    assert abs(v - exact) <= 0.5 * 10 ** -dec + 1e-9
            total_cost = f[f"summary/{s}/cost"].attrs["mean"]
            assert_shown(cells[s]["cost"], total_cost)
            # Total cost computed independently: fixed cost plus weekly costs of every intervention.
            g = f[f"strategies/{s}/interventions"]
            cost = g["fixed_cost"][()].copy()
            for name, obj in g.items():
                if isinstance(obj, h5py.Group):
                    cost += obj["cost"][()].sum(axis=1)
            assert cost.mean() == pytest.approx(total_cost, rel=1e-12)
            per = f[f"comparisons/{s}"].attrs["cost_per_entry_averted"]
            cell = cells[s]["cost_per_entry_averted"]
            if math.isnan(per):
                assert math.isnan(float(cell["attrs"]["data-value"]))
                assert cell["main"].strip() == "\u2013"
            else:
                assert_shown(cell, per)


def test_new_entries_equal_timeseries_sums(report, result_file):
    cells = headline_cells(parse(report[2]))
    with h5py.File(result_file, "r") as f:
        for s in [str(x) for x in f["strategies"].attrs["order"]]:
            sums = f[f"strategies/{s}/timeseries/new_entries"][()].sum(axis=1)   # per replicate
            assert_shown(cells[s]["new_entries"], sums.mean())
            m, lo, hi = dr.mean_interval(sums)
            assert float(cells[s]["new_entries"]["attrs"]["data-lo"]) == pytest.approx(lo, rel=1e-9)
            assert float(cells[s]["new_entries"]["attrs"]["data-hi"]) == pytest.approx(hi, rel=1e-9)


def test_ranking_and_plain_sentences(report, result_file):
    parsed = parse(report[2])
    with h5py.File(result_file, "r") as f:
        baseline = f.attrs["baseline"]
        others = [s for s in [str(x) for x in f["strategies"].attrs["order"]] if s != baseline]
        averted = {s: f[f"comparisons/{s}/entries_averted"].attrs for s in others}
        expected_order = sorted(others, key=lambda s: -averted[s]["mean"])
        rows = [r for r in parsed.rows if r["table"] == "headline"]
        assert [r["attrs"]["data-strategy"] for r in rows] == [baseline] + expected_order
        assert [r["cells"][0]["main"].strip() for r in rows[1:]] == [str(k) for k in range(1, len(others) + 1)]
        sentences = {x["strategy"]: x for x in parsed.sentences}
        assert list(sentences) == expected_order
        for s in others:
            a = averted[s]
            text = " ".join(sentences[s]["text"].split())
            assert s in text
            if a["lo95"] <= 0 <= a["hi95"]:
                assert "no clear difference" in text
                assert sentences[s]["class"] == "unclear"
            elif a["lo95"] > 0:
                assert "keeps about" in text and "95% interval" in text
                assert sentences[s]["class"] == "better"
            else:
                assert "more young people" in text
                assert sentences[s]["class"] == "worse"


def test_market_table_shows_filled_share_and_littles_law_vacancy_weeks(report, result_file):
    parsed = parse(report[2])
    rows = {r["attrs"]["data-area"]: r for r in parsed.rows if r["table"] == "market"}
    with h5py.File(result_file, "r") as f:
        areas = list(f["areas/names"].asstr()[()])
        base = f"strategies/{f.attrs['baseline']}"
        assert set(rows) == set(areas)
        ba = {m: f[f"{base}/by_area/{m}"][()] for m in
              ("open_places", "entries", "places_brought", "filled_share")}
        stored = f[f"{base}/market/vacancy_weeks"][()]            # [replicate, area]
        # The stored duration is Little's law over each replicate's horizon.
        filled = (ba["entries"] - ba["places_brought"]).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = np.where(filled > 0, ba["open_places"].sum(axis=1) / filled, np.nan)
        np.testing.assert_allclose(stored, expected, rtol=1e-12, equal_nan=True)
        for k, a in enumerate(areas):
            cells = {c["attrs"].get("data-key"): c for c in rows[a]["cells"]}
            share = ba["filled_share"][:, :, k].mean()
            assert float(cells["filled_share"]["attrs"]["data-value"]) == pytest.approx(share, rel=1e-12)
            percent, _ = shown_number(cells["filled_share"]["main"])       # shown as a whole percent
            assert abs(percent - 100 * share) <= 0.5 + 1e-9
            w = np.nanmean(stored[:, k]) if np.isfinite(stored[:, k]).any() else np.nan
            if np.isfinite(w):
                assert_shown(cells["vacancy_weeks"], w)


def test_district_table_is_paired_difference(report, result_file):
    parsed = parse(report[2])
    rows = {r["attrs"]["data-area"]: r for r in parsed.rows if r["table"] == "districts"}
    with h5py.File(result_file, "r") as f:
        areas = list(f["areas/names"].asstr()[()])
        baseline = f.attrs["baseline"]
        assert set(rows) == set(areas)
        base = f[f"strategies/{baseline}/by_area/dealing"][()].sum(axis=1) / 52
        for s in [str(x) for x in f["strategies"].attrs["order"]]:
            if s == baseline:
                continue
            per = base - f[f"strategies/{s}/by_area/dealing"][()].sum(axis=1) / 52
            for k, a in enumerate(areas):
                cell = next(c for c in rows[a]["cells"]
                            if c["attrs"].get("data-key") == f"dealer_years_averted:{s}")
                assert_shown(cell, per[:, k].mean())
        # The districts add up to the city total of /comparisons.
        for s in f["comparisons"]:
            total = sum(float(next(c for c in rows[a]["cells"]
                                   if c["attrs"].get("data-key") == f"dealer_years_averted:{s}")
                              ["attrs"]["data-value"]) for a in areas)
            assert total == pytest.approx(f[f"comparisons/{s}/dealer_years_averted"].attrs["mean"], rel=1e-9)


def test_images_embedded_and_self_contained(report):
    text = report[2]
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) >= 4
    assert text.count("data:image/png;base64") == len(images)
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    # Nothing fetched from elsewhere: no external scripts, style sheets or images.
    assert "<script" not in text
    assert "<link" not in text
    assert not re.search(r'src="(?!data:)', text)
    assert "<style>" in text


def test_reproducibility_section(report, result_file):
    text = report[2]
    with h5py.File(result_file, "r") as f:
        a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    import html
    assert re.search(r"<details><summary>Scenario text", text)
    details = text[text.index("<details>"):text.index("</details>")]
    assert html.escape(a["scenario_yaml"], quote=True) in details
    for key in ("program_version", "git_commit", "command_line", "scenario_hash"):
        assert html.escape(str(a[key]), quote=True) in text
    assert f"<td>{a['seed']}</td>" in text
    assert f"<td>{a['replicates']}</td>" in text
    assert "(matches the scenario text below)" in text


def test_intervention_table(report, result_file):
    parsed = parse(report[2])
    rows = [r for r in parsed.rows if r["table"] == "interventions"]
    with h5py.File(result_file, "r") as f:
        expected = [(s, i) for s in [str(x) for x in f["strategies"].attrs["order"]]
                    for i, obj in f[f"strategies/{s}/interventions"].items() if isinstance(obj, h5py.Group)]
        assert [(r["attrs"]["data-strategy"], r["attrs"]["data-intervention"]) for r in rows] == expected
        for r in rows:
            s, i = r["attrs"]["data-strategy"], r["attrs"]["data-intervention"]
            cells = {c["attrs"]["data-key"]: c for c in r["cells"] if "data-key" in c["attrs"]}
            g = f[f"strategies/{s}/interventions/{i}"]
            assert_shown(cells["cost"], g["cost"][()].sum(axis=1).mean())
            if g["capacity"][()].any():
                assert_shown(cells["enrolled_total"], g["enrolled"][()].sum(axis=1).mean())
                assert_shown(cells["waiting_mean"], g["waiting"][()].mean())


# ----------------------------------------------------------------------------------- errors

def _assert_one_line_error(proc, fragment: str):
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert fragment in lines[0], lines[0]


def test_error_missing_file(tmp_path):
    proc = run_report(tmp_path / "absent.h5", "-o", tmp_path / "r.html")
    _assert_one_line_error(proc, "no such file")
    assert not (tmp_path / "r.html").exists()


def test_error_not_hdf5(tmp_path):
    bad = tmp_path / "notes.h5"
    bad.write_text("not an HDF5 file\n")
    proc = run_report(bad, "-o", tmp_path / "r.html")
    _assert_one_line_error(proc, "not an HDF5 file")


def test_error_hdf5_but_not_drift(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["data"] = np.arange(10.0)
        f.attrs["title"] = "something else"
    proc = run_report(other, "-o", tmp_path / "r.html")
    _assert_one_line_error(proc, "not a Drift result file")
    with h5py.File(other, "a") as f:
        f.attrs["format"] = "other-format"
    proc = run_report(other, "-o", tmp_path / "r.html")
    _assert_one_line_error(proc, "not a Drift result file")


def test_error_nan_where_a_count_belongs(tmp_path, result_file):
    damaged = tmp_path / "nan.h5"
    shutil.copy(result_file, damaged)
    with h5py.File(damaged, "a") as f:
        name = f"strategies/{_first_strategy(f)}/timeseries/dealing"
        values = f[name][()]
        values[0, 3] = np.nan
        f[name][...] = values
    proc = run_report(damaged, "-o", tmp_path / "r.html")
    _assert_one_line_error(proc, "timeseries/dealing: value nan at element 3 where a count belongs")
    assert not (tmp_path / "r.html").exists()


def test_error_wrong_shape_of_a_series(tmp_path, result_file):
    damaged = tmp_path / "shape.h5"
    shutil.copy(result_file, damaged)
    with h5py.File(damaged, "a") as f:
        name = f"strategies/{_first_strategy(f)}/timeseries/dealing"
        units = f[name].attrs["units"]
        del f[name]
        f[name] = np.zeros((1, 2))
        f[name].attrs["units"] = units
    proc = run_report(damaged, "-o", tmp_path / "r.html")
    _assert_one_line_error(proc, "timeseries/dealing: shape [1, 2], expected")
    assert not (tmp_path / "r.html").exists()


def _first_strategy(f) -> str:
    order = f["strategies"].attrs["order"]
    first = order[0]
    return first.decode() if isinstance(first, bytes) else str(first)


def test_error_wrong_format_version(tmp_path, result_file):
    newer = tmp_path / "newer.h5"
    shutil.copy(result_file, newer)
    with h5py.File(newer, "a") as f:
        f.attrs["format_version"] = np.int64(99)
    proc = run_report(newer, "-o", tmp_path / "r.html")
    _assert_one_line_error(proc, "format version 99 is not supported")
    assert not (tmp_path / "r.html").exists()


# ----------------------------------------------------------------------------------- loader

def test_loader_metadata(result_file):
    res = dr.load(result_file)
    with h5py.File(result_file, "r") as f:
        assert res.strategies == [str(x) for x in f["strategies"].attrs["order"]]
        assert res.areas == list(f["areas/names"].asstr()[()])
        assert res.attrs["seed"] == f.attrs["seed"]
        assert res.attrs["format"] == "drift-results"
        assert res.attrs["scenario_yaml"] == f.attrs["scenario_yaml"]
    assert res.baseline == "baseline"
    assert res.strategies == ["baseline", "mentors", "area_approach"]
    assert res.areas == ["North", "South"]
    assert (res.replicates, res.weeks) == (3, 60)


def test_loader_one_row_per_strategy_replicate_week(result_file):
    res = dr.load(result_file)
    S, R, W, A = len(res.strategies), res.replicates, res.weeks, len(res.areas)
    ts = res.timeseries("dealing")
    assert list(ts.columns) == ["strategy", "replicate", "week", "metric", "value"]
    assert len(ts) == S * R * W
    assert not ts.duplicated(["strategy", "replicate", "week"]).any()
    everything = res.timeseries()
    assert len(everything) == S * R * W * len(res.metrics)
    assert not everything.duplicated(["strategy", "replicate", "week", "metric"]).any()
    ba = res.by_area("dealing")
    assert list(ba.columns) == ["strategy", "replicate", "week", "area", "value"]
    assert len(ba) == S * R * W * A
    iv = res.interventions()
    assert list(iv.columns) == ["strategy", "intervention", "replicate", "week", "metric", "value"]
    n_iv = sum(len(v) for v in res.intervention_names.values())
    assert len(iv) == n_iv * 7 * R * W
    with h5py.File(result_file, "r") as f:
        for s in res.strategies:
            arr = f[f"strategies/{s}/timeseries/dealing"][()]
            got = ts[ts.strategy == s].pivot(index="replicate", columns="week", values="value").to_numpy()
            np.testing.assert_array_equal(got, arr)
            arr3 = f[f"strategies/{s}/by_area/dealing"][()]
            d = ba[ba.strategy == s]
            for k, a in enumerate(res.areas):
                got = d[d.area == a].pivot(index="replicate", columns="week", values="value").to_numpy()
                np.testing.assert_array_equal(got, arr3[:, :, k])
        # City totals are the sums over areas.
        tot = ba.groupby(["strategy", "replicate", "week"])["value"].sum()
        np.testing.assert_allclose(tot.to_numpy(), ts.set_index(["strategy", "replicate", "week"])
                                   .loc[tot.index, "value"].to_numpy())


def test_loader_summary_and_comparisons(result_file, tmp_path):
    res = dr.load(result_file)
    summ, comp = res.summary(), res.comparisons()
    assert set(summ.columns) >= {"strategy", "outcome", "replicate", "value", "mean", "lo95", "hi95"}
    assert len(summ) == len(res.strategies) * 6 * res.replicates
    assert len(comp) == (len(res.strategies) - 1) * 6 * res.replicates
    with h5py.File(result_file, "r") as f:
        for row in comp.itertuples():
            ds = f[f"comparisons/{row.strategy}/{row.difference}"]
            assert row.value == ds[row.replicate]
            assert row.mean == ds.attrs["mean"] and row.lo95 == ds.attrs["lo95"]
    # Files without /summary and /comparisons: the same numbers, computed from the time series.
    old = tmp_path / "without_summary.h5"
    shutil.copy(result_file, old)
    with h5py.File(old, "a") as f:
        del f["summary"], f["comparisons"]
    res_old = dr.load(old)
    assert not res_old.has_summary
    for a, b in ((summ, res_old.summary()), (comp, res_old.comparisons())):
        key = [c for c in ("strategy", "outcome", "difference", "replicate") if c in a.columns]
        a, b = a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
        assert (a[key].to_numpy() == b[key].to_numpy()).all()
        np.testing.assert_allclose(b[["value", "mean", "lo95", "hi95"]].to_numpy(),
                                   a[["value", "mean", "lo95", "hi95"]].to_numpy(), rtol=1e-9, atol=1e-9)
    cpe, cpe_old = res.cost_per_entry_averted(), res_old.cost_per_entry_averted()
    for s in cpe:
        assert (math.isnan(cpe[s]) and math.isnan(cpe_old[s])) or cpe_old[s] == pytest.approx(cpe[s])


def test_loader_errors(tmp_path, result_file):
    with pytest.raises(dr.DriftResultError, match="no such file"):
        dr.load(tmp_path / "absent.h5")
    (tmp_path / "text.h5").write_text("hello")
    with pytest.raises(dr.DriftResultError, match="not an HDF5 file"):
        dr.load(tmp_path / "text.h5")
    with h5py.File(tmp_path / "plain.h5", "w") as f:
        f["x"] = [1.0]
    with pytest.raises(dr.DriftResultError, match="no root attribute 'format'"):
        dr.load(tmp_path / "plain.h5")
    newer = tmp_path / "newer.h5"
    shutil.copy(result_file, newer)
    with h5py.File(newer, "a") as f:
        f.attrs["format_version"] = np.int64(3)
    with pytest.raises(dr.DriftResultError, match="format version 3") as e:
        dr.load(newer)
    assert "\n" not in str(e.value)
    with pytest.raises(ValueError, match="unknown timeseries metric"):
        dr.load(result_file).timeseries("dealers")


def test_t_quantile_matches_tables():
    # Two-sided 95% Student t quantiles (standard tables).
    for df, q in ((1, 12.7062), (2, 4.3027), (4, 2.7764), (9, 2.2622), (29, 2.0452), (1000, 1.9623)):
        assert dr.t_quantile(0.975, df) == pytest.approx(q, abs=5e-5)


# ------------------------------------------------------------------- sweeps and sensitivity

def test_grid_sweep_report(grid_sweep_file, tmp_path):
    out = tmp_path / "grid.html"
    proc = run_report(grid_sweep_file, "-o", out)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    text = out.read_text(encoding="utf-8")
    parsed = parse(text)
    # A sweep has no weekly series: only the sweep section and the reproducibility section.
    assert parsed.h2 == [SWEEP_HEADING, "How these results were produced"]
    assert text.count("data:image/png;base64") >= 1
    rows = [r for r in parsed.rows if r["table"] == "sweep"]
    with h5py.File(grid_sweep_file, "r") as f:
        points = f["sweep/points"][()]
        names = list(f["sweep/parameter_names"].asstr()[()])
        averted = f["sweep/comparisons/mentors/entries_averted"][()]     # [point, replicate]
        assert len(rows) == len(points)
        for row in rows:
            pt = int(row["attrs"]["data-point"])
            cells = {c["attrs"]["data-key"]: c for c in row["cells"] if "data-key" in c["attrs"]}
            for k, name in enumerate(names):
                assert float(cells[f"param:{name}"]["attrs"]["data-value"]) == points[pt, k]
            cell = cells["comparisons:mentors:entries_averted"]
            assert_shown(cell, averted[pt].mean())
            m, lo, hi = dr.mean_interval(averted[pt])
            assert float(cell["attrs"]["data-lo"]) == pytest.approx(lo, rel=1e-9, abs=1e-12)
        # One plain sentence per strategy with the range over the settings.
        sentence = next(x for x in parsed.sentences if x["strategy"] == "mentors")
        assert f"Across the {len(points)} settings tried" in " ".join(sentence["text"].split())


def test_sobol_sweep_report(sobol_sweep_file, tmp_path):
    out = tmp_path / "sobol.html"
    proc = run_report(sobol_sweep_file, "-o", out)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    text = out.read_text(encoding="utf-8")
    parsed = parse(text)
    assert SWEEP_HEADING in parsed.h2
    assert text.count("data:image/png;base64") >= 2      # outcome against parameters, Sobol bars
    rows = [r for r in parsed.rows if r["table"] == "sobol"]
    with h5py.File(sobol_sweep_file, "r") as f:
        names = list(f["sensitivity/parameter_names"].asstr()[()])
        expected = sum(1 for s in f["sensitivity"] if s != "parameter_names"
                       for _ in f[f"sensitivity/{s}"]) * len(names)
        assert len(rows) == expected
        for row in rows:
            a = row["attrs"]
            g = f[f"sensitivity/{a['data-strategy']}/{a['data-outcome']}"]
            k = names.index(a["data-parameter"])
            cells = {c["attrs"]["data-key"]: c for c in row["cells"] if "data-key" in c["attrs"]}
            for key in ("first_order", "total_order"):
                v = float(cells[key]["attrs"]["data-value"])
                assert v == g[key][k] or (math.isnan(v) and math.isnan(g[key][k]))


def test_loader_sweep(grid_sweep_file, sobol_sweep_file, result_file):
    res = dr.load(grid_sweep_file)
    assert res.is_sweep and not res.has_series
    pts = res.sweep_points()
    with h5py.File(grid_sweep_file, "r") as f:
        np.testing.assert_array_equal(pts.drop(columns="point").to_numpy(), f["sweep/points"][()])
        assert list(pts.columns[1:]) == list(f["sweep/parameter_names"].asstr()[()])
    P, R, S = len(pts), res.replicates, len(res.strategies)
    outc = res.sweep_outcomes()
    assert len(outc) == S * 6 * P * R
    assert not outc.duplicated(["strategy", "point", "replicate", "outcome"]).any()
    assert len(res.sweep_comparisons()) == (S - 1) * 6 * P * R
    assert res.sensitivity().empty                     # a grid has no Sobol indices
    with pytest.raises(dr.DriftResultError, match="parameter sweep"):
        res.timeseries("dealing")
    sens = dr.load(sobol_sweep_file).sensitivity()
    assert set(sens.columns) >= {"strategy", "outcome", "parameter", "first_order", "total_order"}
    assert len(sens) > 0
    with pytest.raises(dr.DriftResultError, match="no parameter sweep"):
        dr.load(result_file).sweep_points()


def test_figures_drawn_at_the_end_by_several_processes_are_those_drawn_at_once(result_file):
    import report as rp
    res = dr.DriftResults(str(result_file))
    at_once = rp.build_report(res, ["report.py"], workers=0)
    written = re.compile(r"Report written</th><td>[^<]*</td>")
    for workers in (1, 2):
        text = rp.build_report(res, ["report.py"], workers=workers)
        assert written.sub("", text) == written.sub("", at_once), workers
    two = text
    assert "@@drift-figure" not in two
    assert len(re.findall(r"data:image/png;base64", two)) >= 4


def test_a_deferred_figure_is_laid_out_and_drawn_as_at_once():
    import matplotlib.pyplot as plt
    import report as rp

    def figure():
        fig, axes = plt.subplots(1, 2, figsize=(6, 2.5))
        for ax in axes:
            ax.plot([0, 1, 2], [3, 1, 2], label="a long label for the legend")
            ax.set_xlabel("a label long enough to need the layout")
        rp.tight_layout(fig, rect=(0, 0.1, 1, 1))
        return fig

    at_once = rp.img(figure(), "alt")
    rp._deferred = []
    deferred = rp.render_deferred(rp.img(figure(), "alt"), workers=1)
    assert deferred == at_once


def test_figures_are_drawn_in_the_report_process_when_no_worker_can_start(result_file, monkeypatch):
    import multiprocessing
    import report as rp

    class NoPool:
        def Pool(self, *args, **kwargs):
            raise OSError("no shared memory for a process pool")

    res = dr.DriftResults(str(result_file))
    at_once = rp.build_report(res, ["report.py"], workers=0)
    monkeypatch.setattr(multiprocessing, "get_context", lambda method: NoPool())
    text = rp.build_report(res, ["report.py"], workers=2)
    written = re.compile(r"Report written</th><td>[^<]*</td>")
    assert written.sub("", text) == written.sub("", at_once)
