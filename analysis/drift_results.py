"""Read Drift result files (HDF5, written by `drift run`) into pandas data frames.

The layout of the file is described in docs/results.md. Typical use:

    import drift_results
    res = drift_results.load("results/utrecht.h5")
    res.attrs["seed"], res.areas, res.strategies
    ts = res.timeseries("dealing")          # strategy, replicate, week, metric, value
    ba = res.by_area("dealing")             # strategy, replicate, week, area, value
    iv = res.interventions()                # strategy, intervention, replicate, week, metric, value
    res.summary(), res.comparisons()        # per-replicate outcomes with mean, lo95, hi95
    obs = res.observed()                    # strategy, replicate, year, age, suspects_per_10k, drug_share
    res.release_cohorts(), res.statistics() # re-registration after release; run statistics
    dec = res.decision()                    # rank probabilities, value for money, acceptability

A sweep file (a scenario with a `sweep:` section) has no weekly series; read it with
`sweep_points()` (the design), `sweep_outcomes()`, `sweep_comparisons()` (per strategy, point and
replicate) and `sensitivity()` (Sobol indices of Sobol designs). `res.is_sweep` tells the two apart.

A calibration file (`drift calibrate`) is read with `calibration(path)` and the virtual trial of a
result file with `trial(path)`; both return dicts of data frames (docs/validation.md).

All counts are of simulated youths; divide by `res.attrs["population_scale"]` for real numbers.
Every problem with the file itself (missing, not HDF5, not a Drift result, a format version this
module does not read, a damaged layout) raises `DriftResultError` with a one-line message.

Requires h5py, numpy and pandas (Debian: python3-h5py, python3-pandas).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Iterable

import h5py
import numpy as np
import pandas as pd

FORMAT = "drift-results"
# Version 2 keeps the strategy order as the attribute `order` of /strategies; version 1 kept it
# as the dataset /strategies/order.
SUPPORTED_FORMAT_VERSIONS = (1, 2)
WEEKS_PER_YEAR = 52

# Outcomes over the horizon and their paired differences against the baseline, as computed by
# `drift summarize` (docs/results.md, "Summaries"): name, unit, difference name, sign of the
# difference (+1: strategy - baseline, -1: baseline - strategy).
OUTCOMES = (
    ("new_entries", "youths", "entries_averted", -1),
    ("dealer_years", "youth-years", "dealer_years_averted", -1),
    ("detentions", "detentions", "detentions_averted", -1),
    ("dealing_end", "youths", "dealing_end_change", +1),
    ("employed_mean", "youths", "employed_gained", +1),
    ("cost", "euro", "extra_cost", +1),
)


class DriftResultError(Exception):
    """The file cannot be read as a Drift result file; the message is one line."""


def _text(value) -> object:
    """h5py returns strings as str or bytes depending on how they were stored."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.generic):
        return value.item()
    return value


def load(path: str | os.PathLike) -> "DriftResults":
    """Open a Drift result file and check that this module can read it."""
    return DriftResults(path)


class DriftResults:
    """A Drift result file. Arrays are read from the file when asked for."""

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        p = self.path
        if not os.path.exists(p):
            raise DriftResultError(f"{p}: no such file")
        if os.path.isdir(p):
            raise DriftResultError(f"{p}: is a directory, not a result file")
        try:
            is_hdf5 = h5py.is_hdf5(p)
        except OSError as e:
            raise DriftResultError(f"{p}: cannot read the file ({e.strerror or e})") from None
        if not is_hdf5:
            raise DriftResultError(f"{p}: not an HDF5 file, so not a Drift result file")
        try:
            with h5py.File(p, "r") as f:
                self.attrs = {k: _text(v) for k, v in f.attrs.items()}
                fmt = self.attrs.get("format")
                if fmt is None:
                    raise DriftResultError(
                        f"{p}: not a Drift result file (no root attribute 'format')")
                if fmt != FORMAT:
                    raise DriftResultError(
                        f"{p}: not a Drift result file (format is '{fmt}', expected '{FORMAT}')")
                version = self.attrs.get("format_version")
                if version is None:
                    raise DriftResultError(f"{p}: no root attribute 'format_version'")
                if not isinstance(version, (int, np.integer)) or int(version) not in SUPPORTED_FORMAT_VERSIONS:
                    supported = ", ".join(str(v) for v in SUPPORTED_FORMAT_VERSIONS)
                    raise DriftResultError(
                        f"{p}: result format version {version} is not supported "
                        f"(this reader supports version {supported}); use the analysis scripts "
                        f"of the Drift version that wrote the file")
                self.format_version = int(version)
                for needed in ("areas/names", "strategies"):
                    if needed not in f:
                        raise DriftResultError(f"{p}: incomplete Drift result file (no /{needed})")
                self.areas = [_text(x) for x in f["areas/names"][()]]
                if self.format_version >= 2:
                    if "order" not in f["strategies"].attrs:
                        raise DriftResultError(
                            f"{p}: incomplete Drift result file (no attribute 'order' of /strategies)")
                    order = f["strategies"].attrs["order"]
                else:
                    if "strategies/order" not in f:
                        raise DriftResultError(f"{p}: incomplete Drift result file (no /strategies/order)")
                    order = f["strategies/order"][()]
                self.strategies = [_text(x) for x in np.atleast_1d(order)]
                if not self.strategies:
                    raise DriftResultError(f"{p}: the result file holds no strategies")
                self.is_sweep = "sweep" in f and isinstance(f["sweep"], h5py.Group)
                self.descriptions = {}
                self.intervention_names = {}
                self.intervention_types = {}
                self.metrics, self.area_metrics = [], []
                for s in self.strategies:
                    g = f.get(f"strategies/{s}")
                    if not isinstance(g, h5py.Group) or "timeseries" not in g:
                        if self.is_sweep:
                            continue  # sweep files keep outcomes per point, no weekly series
                        raise DriftResultError(
                            f"{p}: incomplete Drift result file (no /strategies/{s}/timeseries)")
                    self.descriptions[s] = _text(g.attrs.get("description", ""))
                    names, types = [], {}
                    if "interventions" in g:
                        for k, obj in g["interventions"].items():
                            if isinstance(obj, h5py.Group):
                                names.append(k)
                                types[k] = _text(obj.attrs.get("type", k))
                    self.intervention_names[s] = names
                    self.intervention_types[s] = types
                    if not self.metrics:
                        self.metrics = list(g["timeseries"].keys())
                        self.area_metrics = list(g["by_area"].keys()) if "by_area" in g else []
                self.has_series = bool(self.metrics)
                self.has_summary = "summary" in f and "comparisons" in f
                self.has_sensitivity = "sensitivity" in f and isinstance(f["sensitivity"], h5py.Group)
                self.sweep_attrs = ({k: _text(v) for k, v in f["sweep"].attrs.items()}
                                    if self.is_sweep else {})
                self.sweep_parameters = []
                if self.is_sweep and "sweep/parameter_names" in f:
                    names = f["sweep/parameter_names"]
                    if not isinstance(names, h5py.Dataset) or names.ndim != 1:
                        raise DriftResultError(f"{p}: dataset /sweep/parameter_names: expected a "
                                               "list of parameter paths")
                    self.sweep_parameters = [str(_text(x)) for x in names[()]]
                self.groups = list(f.keys())
        except DriftResultError:
            raise
        except (OSError, KeyError, ValueError) as e:
            raise DriftResultError(f"{p}: cannot read the result file ({_one_line(e)})") from None
        self.baseline = self.attrs.get("baseline") or self.strategies[0]
        if self.baseline not in self.strategies:
            raise DriftResultError(f"{p}: baseline '{self.baseline}' is not among the strategies")
        self.replicates = _count_attr(p, self.attrs, "replicates")
        self.weeks = _count_attr(p, self.attrs, "weeks")

    # ----------------------------------------------------------------------------- helpers

    def __repr__(self) -> str:
        return (f"DriftResults({self.path!r}: {len(self.strategies)} strategies, "
                f"{self.replicates} replicates, {self.weeks} weeks, {len(self.areas)} areas)")

    @property
    def years(self) -> float:
        """Length of the recorded horizon in years (52 weeks)."""
        return self.weeks / WEEKS_PER_YEAR

    def _open(self) -> h5py.File:
        try:
            return h5py.File(self.path, "r")
        except OSError as e:
            raise DriftResultError(f"{self.path}: cannot open the result file ({_one_line(e)})") from None

    def _read(self, f: h5py.File, name: str) -> np.ndarray:
        if name not in f:
            raise DriftResultError(f"{self.path}: the result file has no /{name}")
        try:
            values = np.asarray(f[name][()], dtype=float)
        except (OSError, ValueError, TypeError) as e:
            raise DriftResultError(f"{self.path}: cannot read /{name} ({_one_line(e)})") from None
        self._check_series(f, name, values)
        return values

    def _check_series(self, f: h5py.File, name: str, values: np.ndarray) -> None:
        """A weekly series has its layout's shape and, for counts, finite values that are not negative."""
        parts = name.split("/")
        if self.is_sweep:
            return
        # One value per replicate: summaries, paired comparisons, statistics and fixed costs.
        per_replicate = ((parts[0] in ("summary", "comparisons") and len(parts) == 3)
                         or (parts[0] == "strategies" and len(parts) == 4
                             and parts[2] in ("statistics", "interventions")
                             and (parts[2] == "statistics" or parts[3] == "fixed_cost")))
        if per_replicate:
            if values.shape != (self.replicates,):
                raise DriftResultError(f"{self.path}: dataset /{name}: shape {list(values.shape)}, "
                                       f"expected [{self.replicates}] (one value per replicate)")
            return
        if len(parts) < 4 or parts[0] != "strategies":
            return
        kind = parts[2]
        if kind == "timeseries" and len(parts) == 4:
            expected = (self.replicates, self.weeks)
        elif kind == "by_area" and len(parts) == 4:
            expected = (self.replicates, self.weeks, len(self.areas))
        elif kind == "interventions" and len(parts) == 5:
            expected = (self.replicates, self.weeks)
        else:
            return
        if values.shape != expected:
            raise DriftResultError(f"{self.path}: dataset /{name}: shape {list(values.shape)}, "
                                   f"expected {list(expected)}")
        unit = _text(f[name].attrs.get("units", ""))
        if unit in ("youths", "youths per week", "places"):
            bad = ~np.isfinite(values) | (values < 0)
            if bad.any():
                k = int(np.flatnonzero(bad.ravel())[0])
                raise DriftResultError(f"{self.path}: dataset /{name}: value {values.ravel()[k]} at "
                                       f"element {k} where a count belongs")

    def array(self, name: str) -> np.ndarray:
        """Any numeric dataset as a numpy array, e.g. 'strategies/baseline/timeseries/dealing'."""
        with self._open() as f:
            return self._read(f, name.lstrip("/"))

    def dataset_attrs(self, name: str) -> dict:
        """Attributes (units, description, dimensions, ...) of a dataset or group."""
        with self._open() as f:
            name = name.lstrip("/") or "/"
            if name not in f:
                raise DriftResultError(f"{self.path}: the result file has no /{name}")
            return {k: _text(v) for k, v in f[name].attrs.items()}

    def units(self, metric: str, kind: str = "timeseries") -> str:
        """Units of a timeseries or by_area metric (e.g. 'youths per week')."""
        return self.dataset_attrs(f"strategies/{self.strategies[0]}/{kind}/{metric}").get("units", "")

    def _strategy_list(self, strategies) -> list[str]:
        if strategies is None:
            return list(self.strategies)
        if isinstance(strategies, str):
            strategies = [strategies]
        unknown = [s for s in strategies if s not in self.strategies]
        if unknown:
            raise ValueError(f"unknown strategy {unknown[0]!r}; the file has: {', '.join(self.strategies)}")
        return list(strategies)

    def _metric_list(self, metric, available: list[str], kind: str) -> list[str]:
        if metric is None:
            return list(available)
        metrics = [metric] if isinstance(metric, str) else list(metric)
        unknown = [m for m in metrics if m not in available]
        if unknown:
            raise ValueError(f"unknown {kind} metric {unknown[0]!r}; the file has: {', '.join(available)}")
        return metrics

    # -------------------------------------------------------------------------- data frames

    def _need_series(self, what: str):
        if not self.has_series:
            raise DriftResultError(
                f"{self.path}: the file holds a parameter sweep, which has no {what}; use "
                f"sweep_points(), sweep_outcomes(), sweep_comparisons() and sensitivity()")

    def timeseries(self, metric: str | Iterable[str] | None = None, strategies=None) -> pd.DataFrame:
        """City totals per week in long form: columns strategy, replicate, week, metric, value.

        One row per strategy, replicate, week and metric (all metrics when `metric` is None).
        """
        self._need_series("weekly time series")
        metrics = self._metric_list(metric, self.metrics, "timeseries")
        frames = []
        with self._open() as f:
            for s in self._strategy_list(strategies):
                for m in metrics:
                    arr = self._read(f, f"strategies/{s}/timeseries/{m}")
                    frames.append(_long2(arr, s, m))
        return _concat(frames, ["strategy", "replicate", "week", "metric", "value"])

    def by_area(self, metric: str, strategies=None) -> pd.DataFrame:
        """One metric per area and week: columns strategy, replicate, week, area, value."""
        self._need_series("weekly series per area")
        self._metric_list(metric, self.area_metrics, "by_area")
        frames = []
        with self._open() as f:
            for s in self._strategy_list(strategies):
                arr = self._read(f, f"strategies/{s}/by_area/{metric}")
                r, w, a = arr.shape
                if a != len(self.areas):
                    raise DriftResultError(
                        f"{self.path}: /strategies/{s}/by_area/{metric} has {a} areas, /areas/names {len(self.areas)}")
                frames.append(pd.DataFrame({
                    "strategy": s,
                    "replicate": np.repeat(np.arange(r), w * a),
                    "week": np.tile(np.repeat(np.arange(w), a), r),
                    "area": np.tile(np.asarray(self.areas, dtype=object), r * w),
                    "value": arr.reshape(-1),
                }))
        return _concat(frames, ["strategy", "replicate", "week", "area", "value"])

    def vacancy_weeks(self, strategies=None) -> pd.DataFrame:
        """Mean weeks a fixed place stays vacant, per replicate and area (Little's law over the
        horizon; NaN when no fixed place of the area was filled): columns strategy, replicate,
        area, value. Empty for files written before it was stored."""
        self._need_series("market per area")
        frames = []
        with self._open() as f:
            for s in self._strategy_list(strategies):
                name = f"strategies/{s}/market/vacancy_weeks"
                if name not in f:
                    continue
                arr = _floats(f, self.path, name, "vacancy weeks", 2)
                r, a = arr.shape
                if a != len(self.areas):
                    raise DriftResultError(
                        f"{self.path}: /{name} has {a} areas, /areas/names {len(self.areas)}")
                frames.append(pd.DataFrame({
                    "strategy": s,
                    "replicate": np.repeat(np.arange(r), a),
                    "area": np.tile(np.asarray(self.areas, dtype=object), r),
                    "value": arr.reshape(-1),
                }))
        return _concat(frames, ["strategy", "replicate", "area", "value"])

    def interventions(self, metric: str | Iterable[str] | None = None, strategies=None) -> pd.DataFrame:
        """Intervention use per week: columns strategy, intervention, replicate, week, metric, value.

        Strategies without interventions contribute no rows. The intervention type of each name
        is in `intervention_types[strategy][intervention]`; one-off costs are in `fixed_costs()`.
        """
        self._need_series("weekly intervention series")
        frames = []
        with self._open() as f:
            for s in self._strategy_list(strategies):
                for i in self.intervention_names[s]:
                    g = f[f"strategies/{s}/interventions/{i}"]
                    for m in self._metric_list(metric, list(g.keys()), "intervention"):
                        arr = self._read(f, f"strategies/{s}/interventions/{i}/{m}")
                        d = _long2(arr, s, m)
                        d.insert(1, "intervention", i)
                        frames.append(d)
        return _concat(frames, ["strategy", "intervention", "replicate", "week", "metric", "value"])

    def fixed_costs(self) -> pd.DataFrame:
        """One-off cost of each strategy's interventions: columns strategy, replicate, value (euro)."""
        self._need_series("intervention costs per strategy")
        frames = []
        with self._open() as f:
            for s in self.strategies:
                name = f"strategies/{s}/interventions/fixed_cost"
                arr = self._read(f, name) if name in f else np.zeros(self.replicates)
                frames.append(pd.DataFrame({"strategy": s, "replicate": np.arange(len(arr)), "value": arr}))
        return _concat(frames, ["strategy", "replicate", "value"])

    def total_costs(self) -> pd.DataFrame:
        """Total cost per strategy and replicate (fixed cost plus weekly costs): strategy, replicate, value."""
        fixed = self.fixed_costs().set_index(["strategy", "replicate"])["value"]
        iv = self.interventions("cost")
        weekly = iv.groupby(["strategy", "replicate"])["value"].sum()
        total = fixed.add(weekly, fill_value=0.0)
        return total.rename("value").reset_index()

    def summary(self) -> pd.DataFrame:
        """Outcomes over the horizon per strategy and replicate.

        Columns strategy, outcome, units, replicate, value, mean, lo95, hi95 (mean and 95% t interval
        over replicates, repeated on each replicate's row). Read from /summary; for files without it,
        computed from the time series in the same way as `drift summarize`.
        """
        if self.has_summary:
            return self._stored("summary", [o[0] for o in OUTCOMES], "outcome")
        self._need_series("single summary (see sweep_outcomes())")
        return self._computed()[0]

    def comparisons(self) -> pd.DataFrame:
        """Paired differences against the baseline per strategy (baseline excluded) and replicate.

        Columns strategy, difference, units, replicate, value, mean, lo95, hi95. Differences are
        entries_averted, dealer_years_averted, detentions_averted (baseline - strategy) and
        dealing_end_change, employed_gained, extra_cost (strategy - baseline).
        """
        if self.has_summary:
            return self._stored("comparisons", [o[2] for o in OUTCOMES], "difference",
                                skip=self.baseline)
        self._need_series("single comparison (see sweep_comparisons())")
        return self._computed()[1]

    def cost_per_entry_averted(self) -> dict:
        """Per strategy (baseline excluded): mean extra cost / mean entries averted, in euro.

        NaN when no entry is averted on average.
        """
        out = {}
        if self.has_summary:
            with self._open() as f:
                for s in self.strategies:
                    if s == self.baseline:
                        continue
                    v = f[f"comparisons/{s}"].attrs.get("cost_per_entry_averted", math.nan) \
                        if f"comparisons/{s}" in f else math.nan
                    out[s] = float(v)
            return out
        self._need_series("single comparison")
        comp = self._computed()[1]
        for s in self.strategies:
            if s == self.baseline:
                continue
            c = comp[comp.strategy == s]
            averted = c[c.difference == "entries_averted"]["mean"].iloc[0]
            extra = c[c.difference == "extra_cost"]["mean"].iloc[0]
            out[s] = extra / averted if averted > 0 else math.nan
        return out

    # -------------------------------------------------------------------- decision analysis

    def paired(self, difference: str) -> np.ndarray:
        """[strategy, replicate]: the paired difference against the baseline (e.g.
        'entries_averted', 'extra_cost'), strategies in file order, the baseline's row 0."""
        comp = self.comparisons()
        out = np.zeros((len(self.strategies), self.replicates))
        for i, s in enumerate(self.strategies):
            if s == self.baseline:
                continue
            c = comp[(comp.strategy == s) & (comp.difference == difference)].sort_values("replicate")
            if len(c) != self.replicates:
                raise DriftResultError(f"{self.path}: the result file has no paired difference "
                                       f"{difference} of strategy {s} for every replicate")
            out[i] = c["value"].to_numpy(dtype=float)
        return out

    def drawn_parameter(self, path: str) -> np.ndarray | None:
        """The values of a parameter drawn from a calibration posterior, one per replicate
        (/posterior/points), or None when the run did not draw it."""
        with self._open() as f:
            if "posterior/parameter_names" not in f or "posterior/points" not in f:
                return None
            names = [_text(n) for n in f["posterior/parameter_names"][:]]
            if path not in names:
                return None
            points = np.asarray(f["posterior/points"][:], dtype=float)
        if points.ndim != 2 or points.shape[1] != len(names):
            raise DriftResultError(f"{self.path}: /posterior/points does not match its parameter names")
        return points[:, names.index(path)]

    def decision(self) -> "Decision":
        """Rank probabilities, incremental cost per unit averted, the cost-effectiveness frontier
        and the acceptability curve (docs/results.md, "Decision analysis").

        Read from /decision (with shape checks); for files written before it existed, computed
        here from the paired comparisons in the same way, except the bootstrap interval of the
        cost per unit averted, which is then NaN.
        """
        self._need_series("decision analysis")
        with self._open() as f:
            if "decision" in f:
                return self._stored_decision(f)
            posterior = "posterior" in f
        return compute_decision(self.strategies, {o: self.paired(o) for o, _ in DECISION_OUTCOMES},
                                self.paired("extra_cost"), posterior)

    def _stored_decision(self, f: h5py.File) -> "Decision":
        p, ns = self.path, len(self.strategies)

        def dataset(name: str, shape: tuple, strings: bool = False):
            path = f"decision/{name}"
            obj = f.get(path)
            if not isinstance(obj, h5py.Dataset):
                raise DriftResultError(f"{p}: dataset /{path}: missing")
            try:
                if strings:
                    values = np.asarray([str(_text(x)) for x in np.atleast_1d(obj[()])], dtype=object)
                else:
                    values = np.asarray(obj[()], dtype=float)
            except (OSError, ValueError, TypeError) as e:
                raise DriftResultError(f"{p}: cannot read /{path} ({_one_line(e)})") from None
            if values.shape != shape:
                raise DriftResultError(f"{p}: dataset /{path}: shape {list(values.shape)}, "
                                       f"expected {list(shape)}")
            if not strings and name.endswith("probability"):
                if (~np.isfinite(values) | (values < 0) | (values > 1)).any():
                    raise DriftResultError(f"{p}: dataset /{path}: a value outside [0, 1] where "
                                           "a probability belongs")
            return values

        names = list(dataset("strategies", (ns,), strings=True))
        if names != list(self.strategies):
            raise DriftResultError(f"{p}: dataset /decision/strategies: {names}, expected the "
                                   f"strategies of the file {list(self.strategies)}")
        tables, ranks = {}, {}
        for outcome, _ in DECISION_OUTCOMES:
            ranks[outcome] = dataset(f"{outcome}/rank_probability", (ns, ns))
            cols = {"strategy": names,
                    "best_probability": dataset(f"{outcome}/best_probability", (ns,))}
            for c in DECISION_NUMBERS:
                cols[c] = dataset(f"{outcome}/{c}", (ns,))
            for c in DECISION_TEXTS:
                cols[c] = dataset(f"{outcome}/{c}", (ns,), strings=True)
            tables[outcome] = pd.DataFrame(cols)
        wtp_obj = f.get("decision/acceptability/willingness_to_pay")
        nl = wtp_obj.shape[0] if isinstance(wtp_obj, h5py.Dataset) and wtp_obj.ndim == 1 else 0
        wtp = dataset("acceptability/willingness_to_pay", (nl,))
        if nl == 0 or not np.isfinite(wtp).all():
            raise DriftResultError(f"{p}: dataset /decision/acceptability/willingness_to_pay: "
                                   "expected finite amounts")
        prob = dataset("acceptability/probability", (nl, ns))
        uncertainty = str(_text(f["decision"].attrs.get("uncertainty", "")))
        return Decision(list(names), self.replicates, True, "posterior" in f, uncertainty, tables,
                        ranks, wtp, prob)

    # ------------------------------------------------------------------------------ sweeps

    def _need_sweep(self):
        if not self.is_sweep:
            raise DriftResultError(f"{self.path}: the file holds no parameter sweep (no /sweep)")

    def sweep_points(self) -> pd.DataFrame:
        """The design: one row per sweep point, columns point and one per swept parameter path."""
        self._need_sweep()
        with self._open() as f:
            pts = self._sweep_points(f)
        names = self.sweep_parameters or [f"parameter_{k}" for k in range(pts.shape[1])]
        df = pd.DataFrame(pts, columns=names)
        df.insert(0, "point", np.arange(len(df)))
        return df

    def _sweep_points(self, f: h5py.File) -> np.ndarray:
        """/sweep/points: one row per point, one column per swept parameter."""
        pts = self._read(f, "sweep/points")
        if pts.ndim != 2 or (self.sweep_parameters and pts.shape[1] != len(self.sweep_parameters)):
            raise DriftResultError(f"{self.path}: dataset /sweep/points: shape {list(pts.shape)}, "
                                   f"expected [points, {len(self.sweep_parameters)}]")
        return pts

    def _sweep_long(self, group: str, column: str) -> pd.DataFrame:
        self._need_sweep()
        frames = []
        with self._open() as f:
            if f"sweep/{group}" not in f:
                raise DriftResultError(f"{self.path}: the result file has no /sweep/{group}")
            points = self._sweep_points(f).shape[0]
            for s in self.strategies:
                if f"sweep/{group}/{s}" not in f:
                    continue
                for name, ds in f[f"sweep/{group}/{s}"].items():
                    arr = self._read(f, f"sweep/{group}/{s}/{name}")
                    if arr.ndim != 2 or arr.shape[0] != points:
                        raise DriftResultError(
                            f"{self.path}: dataset /sweep/{group}/{s}/{name}: shape "
                            f"{list(arr.shape)}, expected [{points}, replicates]")
                    p, r = arr.shape
                    frames.append(pd.DataFrame({
                        "strategy": s,
                        "point": np.repeat(np.arange(p), r),
                        "replicate": np.tile(np.arange(r), p),
                        column: name,
                        "units": _text(ds.attrs.get("units", "")),
                        "value": arr.reshape(-1),
                    }))
        return _concat(frames, ["strategy", "point", "replicate", column, "units", "value"])

    def sweep_outcomes(self) -> pd.DataFrame:
        """Outcomes over the horizon per strategy, sweep point and replicate (long form).

        Columns strategy, point, replicate, outcome, units, value; join with sweep_points() on
        `point` for the parameter values.
        """
        return self._sweep_long("outcomes", "outcome")

    def sweep_comparisons(self) -> pd.DataFrame:
        """Paired differences against the baseline per strategy, sweep point and replicate.

        Columns strategy, point, replicate, difference, units, value.
        """
        return self._sweep_long("comparisons", "difference")

    def sensitivity(self) -> pd.DataFrame:
        """Sobol indices (Sobol designs only): one row per strategy, outcome and swept parameter.

        Columns strategy, outcome, parameter, first_order, first_order_lo95, first_order_hi95,
        total_order, total_order_lo95, total_order_hi95 (shares of variance, bootstrap intervals).
        """
        cols = ["first_order", "first_order_lo95", "first_order_hi95",
                "total_order", "total_order_lo95", "total_order_hi95"]
        rows = []
        if self.has_sensitivity:
            with self._open() as f:
                g = f["sensitivity"]
                names = ([_text(x) for x in g["parameter_names"][()]] if "parameter_names" in g
                         else self.sweep_parameters)
                for s in self.strategies:
                    if s not in g:
                        continue
                    for outcome, og in g[s].items():
                        if not isinstance(og, h5py.Group):
                            continue
                        values = {c: self._read(f, f"sensitivity/{s}/{outcome}/{c}") if c in og
                                  else np.full(len(names), math.nan) for c in cols}
                        for k, name in enumerate(names):
                            rows.append((s, outcome, name, *(float(values[c][k]) for c in cols)))
        return pd.DataFrame(rows, columns=["strategy", "outcome", "parameter"] + cols)

    # ------------------------------------------------------------------ registered figures

    def observed(self, strategies=None) -> pd.DataFrame:
        """Registered suspects per simulated year and age (docs/results.md, "Observed figures").

        Columns strategy, replicate, year, age, suspects_per_10k, drug_share: youths registered as
        suspects of any offence in the year (each once) per 10,000 youths of that age, and the
        share of them registered for dealing (NaN where there were none).
        """
        self._need_series("registered figures per year")
        frames = []
        with self._open() as f:
            for s in self._strategy_list(strategies):
                g = f"strategies/{s}/observed"
                rate = self._read(f, f"{g}/suspects_per_10k")
                share = self._read(f, f"{g}/drug_share")
                ages = self._read(f, f"{g}/age").astype(int)
                r, y, a = rate.shape
                frames.append(pd.DataFrame({
                    "strategy": s,
                    "replicate": np.repeat(np.arange(r), y * a),
                    "year": np.tile(np.repeat(np.arange(y), a), r),
                    "age": np.tile(ages, r * y),
                    "suspects_per_10k": rate.reshape(-1),
                    "drug_share": share.reshape(-1),
                }))
        return _concat(frames, ["strategy", "replicate", "year", "age", "suspects_per_10k", "drug_share"])

    def release_cohorts(self, strategies=None) -> pd.DataFrame:
        """Per release cohort (simulated year of release): columns strategy, replicate, year,
        releases, rearrest_1y, rearrest_2y (shares over releases with full follow-up)."""
        self._need_series("release cohorts")
        frames = []
        with self._open() as f:
            for s in self._strategy_list(strategies):
                g = f"strategies/{s}/observed/release_cohorts"
                cols = {c: self._read(f, f"{g}/{c}") for c in ("releases", "rearrest_1y", "rearrest_2y")}
                r, y = cols["releases"].shape
                frames.append(pd.DataFrame({
                    "strategy": s,
                    "replicate": np.repeat(np.arange(r), y),
                    "year": np.tile(np.arange(y), r),
                    **{c: v.reshape(-1) for c, v in cols.items()},
                }))
        return _concat(frames, ["strategy", "replicate", "year", "releases", "rearrest_1y", "rearrest_2y"])

    def statistics(self, strategies=None) -> pd.DataFrame:
        """Run statistics (targets' names) per strategy and replicate: strategy, statistic, units,
        replicate, value."""
        self._need_series("run statistics per strategy (see /sweep/statistics)")
        rows = []
        with self._open() as f:
            for s in self._strategy_list(strategies):
                g = f"strategies/{s}/statistics"
                if g not in f:
                    raise DriftResultError(f"{self.path}: the result file has no /{g}")
                for name, ds in f[g].items():
                    units = _text(ds.attrs.get("units", ""))
                    for r, v in enumerate(self._read(f, f"{g}/{name}")):
                        rows.append((s, name, units, r, float(v)))
        return pd.DataFrame(rows, columns=["strategy", "statistic", "units", "replicate", "value"])

    def _stored(self, group: str, names: list[str], column: str, skip: str | None = None) -> pd.DataFrame:
        rows = []
        with self._open() as f:
            for s in self.strategies:
                if s == skip:
                    continue
                for n in names:
                    path = f"{group}/{s}/{n}"
                    if path not in f:
                        continue
                    ds = f[path]
                    arr = self._read(f, path)
                    a = {k: _text(v) for k, v in ds.attrs.items()}
                    for r, v in enumerate(arr):
                        rows.append((s, n, a.get("units", ""), r, float(v),
                                     float(a.get("mean", math.nan)), float(a.get("lo95", math.nan)),
                                     float(a.get("hi95", math.nan))))
        return pd.DataFrame(rows, columns=["strategy", column, "units", "replicate", "value",
                                           "mean", "lo95", "hi95"])

    def _computed(self):
        """Summary and comparisons from the time series (files written before /summary existed)."""
        if getattr(self, "_computed_cache", None) is not None:
            return self._computed_cache
        costs = self.total_costs().set_index(["strategy", "replicate"])["value"]
        values = {}
        with self._open() as f:
            for s in self.strategies:
                ts = lambda m: self._read(f, f"strategies/{s}/timeseries/{m}")  # noqa: E731
                dealing = ts("dealing")
                values[s] = {
                    "new_entries": ts("new_entries").sum(axis=1),
                    "dealer_years": dealing.sum(axis=1) / WEEKS_PER_YEAR,
                    # Files written before sanctions were modelled have no "detentions":
                    # there every arrest led to detention.
                    "detentions": (ts("detentions") if f"strategies/{s}/timeseries/detentions" in f
                                   else ts("arrests")).sum(axis=1),
                    "dealing_end": dealing[:, -1],
                    "employed_mean": ts("employed").mean(axis=1),
                    "cost": costs.loc[s].sort_index().to_numpy(),
                }
        srows, crows = [], []
        base = values[self.baseline]
        for s in self.strategies:
            for name, unit, diff_name, sign in OUTCOMES:
                v = values[s][name]
                m, lo, hi = mean_interval(v)
                srows += [(s, name, unit, r, float(x), m, lo, hi) for r, x in enumerate(v)]
                if s == self.baseline:
                    continue
                d = (v - base[name]) if sign > 0 else (base[name] - v)
                m, lo, hi = mean_interval(d)
                crows += [(s, diff_name, unit, r, float(x), m, lo, hi) for r, x in enumerate(d)]
        cols = ["units", "replicate", "value", "mean", "lo95", "hi95"]
        self._computed_cache = (pd.DataFrame(srows, columns=["strategy", "outcome"] + cols),
                                pd.DataFrame(crows, columns=["strategy", "difference"] + cols))
        return self._computed_cache


def observed(path: str | os.PathLike, strategies=None) -> pd.DataFrame:
    """Registered suspects per strategy, replicate, year and age of a result file (see
    DriftResults.observed)."""
    return load(path).observed(strategies)


# ------------------------------------------------------------------------ decision analysis
# The same computations as include/drift/experiments/decision.hpp, for files written before the
# /decision group existed and for checking it (analysis/tests/test_decision.py).

DECISION_OUTCOMES = (("entries_averted", "youths"), ("dealer_years_averted", "youth-years"))
# Per outcome and strategy in /decision/<outcome>/: numbers, then strings.
DECISION_NUMBERS = ("effect", "effect_lo95", "effect_hi95", "extra_cost", "extra_cost_lo95",
                    "extra_cost_hi95", "cost_per_unit", "cost_per_unit_lo95", "cost_per_unit_hi95",
                    "frontier_icer")
DECISION_TEXTS = ("ratio_status", "frontier_status", "frontier_previous")


@dataclass
class Decision:
    """The decision analysis of a result file (DriftResults.decision())."""
    strategies: list            # baseline first, as in the file
    replicates: int
    stored: bool                # read from /decision (else computed from /comparisons)
    parameter_uncertainty: bool  # the file has /posterior: replicates drew their parameters
    uncertainty: str            # the file's own words for it ("" when computed)
    outcomes: dict              # outcome -> DataFrame, one row per strategy: strategy,
    #                             best_probability and DECISION_NUMBERS + DECISION_TEXTS columns
    rank_probability: dict      # outcome -> [strategy, rank] array, rank 0 = largest effect
    willingness_to_pay: np.ndarray   # [wtp] euro per first entry averted
    acceptability: np.ndarray        # [wtp, strategy]


def rank_probabilities(effect) -> np.ndarray:
    """[strategy, rank]: share of replicates in which each strategy (rows of `effect`,
    [strategy, replicate]) has each rank by effect, rank 0 the largest; ties share their ranks
    equally; replicates with a NaN are left out."""
    e = np.asarray(effect, dtype=float)
    ns = e.shape[0]
    out = np.zeros((ns, ns))
    used = 0
    for r in range(e.shape[1]):
        col = e[:, r]
        if np.isnan(col).any():
            continue
        used += 1
        for s in range(ns):
            greater, equal = int((col > col[s]).sum()), int((col == col[s]).sum())
            out[s, greater:greater + equal] += 1.0 / equal
    return out / used if used else out


def willingness_to_pay_grid() -> np.ndarray:
    """0, then 10^2 to 10^6 euro in steps of 10^0.1 (42 values)."""
    return np.concatenate([[0.0], 10.0 ** (2.0 + np.arange(41) / 10.0)])


def acceptability(effect, extra_cost, willingness_to_pay) -> np.ndarray:
    """[wtp, strategy]: share of replicates in which each strategy has the highest net benefit
    wtp * effect - extra cost (ties split evenly)."""
    e, c = np.asarray(effect, dtype=float), np.asarray(extra_cost, dtype=float)
    keep = ~(np.isnan(e).any(axis=0) | np.isnan(c).any(axis=0))
    e, c = e[:, keep], c[:, keep]
    out = np.zeros((len(willingness_to_pay), e.shape[0]))
    if e.shape[1] == 0:
        return out
    for i, lam in enumerate(willingness_to_pay):
        net = lam * e - c
        best = net == net.max(axis=0)
        out[i] = (best / best.sum(axis=0)).sum(axis=1) / e.shape[1]
    return out


def frontier(mean_effect, mean_cost) -> list[tuple[str, int, float]]:
    """Per strategy (status, index of the previous frontier strategy or -1, ICER against it):
    status 'frontier', 'dominated' (another has at least its effect for no more money; of two at
    the same point the first stays) or 'extendedly_dominated' (its ICER exceeds the next one's)."""
    e, c = list(map(float, mean_effect)), list(map(float, mean_cost))
    n = len(e)
    status = ["frontier"] * n
    for s in range(n):
        if math.isnan(e[s]) or math.isnan(c[s]):
            status[s] = "dominated"
            continue
        for t in range(n):
            if t == s or math.isnan(e[t]) or math.isnan(c[t]):
                continue
            if e[t] >= e[s] and c[t] <= c[s] and (e[t] > e[s] or c[t] < c[s] or t < s):
                status[s] = "dominated"
                break
    front = sorted((s for s in range(n) if status[s] == "frontier"), key=lambda s: e[s])

    def icer(a, b):
        return (c[b] - c[a]) / (e[b] - e[a])

    removed = True
    while removed:
        removed = False
        for k in range(1, len(front) - 1):
            if icer(front[k - 1], front[k]) > icer(front[k], front[k + 1]):
                status[front[k]] = "extendedly_dominated"
                del front[k]
                removed = True
                break
    out = [(status[s], -1, math.nan) for s in range(n)]
    for k in range(1, len(front)):
        out[front[k]] = ("frontier", front[k - 1], icer(front[k - 1], front[k]))
    return out


def compute_decision(strategies, effects: dict, extra_cost, posterior: bool = False) -> Decision:
    """The decision analysis of per-replicate paired differences ([strategy, replicate], the
    baseline first with zeros), without the bootstrap interval of the cost per unit averted."""
    cost = np.asarray(extra_cost, dtype=float)
    tables, ranks = {}, {}
    for outcome, _ in DECISION_OUTCOMES:
        e = np.asarray(effects[outcome], dtype=float)
        ranks[outcome] = rank_probabilities(e)
        rows = []
        for i, s in enumerate(strategies):
            em, elo, ehi = mean_interval(e[i]) if i else (0.0, 0.0, 0.0)
            cm, clo, chi = mean_interval(cost[i]) if i else (0.0, 0.0, 0.0)
            if i == 0:
                status = "baseline"
            elif not math.isfinite(elo):
                status = "single_replicate"
            elif ehi < 0:
                status = "effect_below_zero"
            elif not elo > 0:
                status = "effect_includes_zero"
            else:
                status = "estimated"
            ratio = cm / em if status == "estimated" else math.nan
            rows.append({"strategy": s, "best_probability": ranks[outcome][i, 0], "effect": em,
                         "effect_lo95": elo, "effect_hi95": ehi, "extra_cost": cm,
                         "extra_cost_lo95": clo, "extra_cost_hi95": chi, "cost_per_unit": ratio,
                         "cost_per_unit_lo95": math.nan, "cost_per_unit_hi95": math.nan,
                         "ratio_status": status})
        fr = frontier([r["effect"] for r in rows], [r["extra_cost"] for r in rows])
        for r, (st, prev, icer) in zip(rows, fr):
            r.update(frontier_status=st, frontier_previous=strategies[prev] if prev >= 0 else "",
                     frontier_icer=icer)
        tables[outcome] = pd.DataFrame(rows)
    wtp = willingness_to_pay_grid()
    return Decision(list(strategies), cost.shape[1] if cost.ndim == 2 else 0, False, posterior, "",
                    tables, ranks, wtp, acceptability(effects["entries_averted"], cost, wtp))


# ------------------------------------------------------------------------------- statistics

def mean_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student t interval of the mean (NaN bounds with fewer than 2 values).

    The same interval as `drift summarize` (docs/results.md).
    """
    v = np.asarray(values, dtype=float)
    n = v.size
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(v.mean())
    if n < 2:
        return mean, math.nan, math.nan
    se = float(v.std(ddof=1)) / math.sqrt(n)
    q = t_quantile(0.5 + level / 2.0, n - 1)
    return mean, mean - q * se, mean + q * se


def t_quantile(p: float, df: float) -> float:
    """Quantile of Student's t distribution (bisection on the CDF; no SciPy needed)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must lie strictly between 0 and 1")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while _t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def _t_cdf(t: float, df: float) -> float:
    x = df / (df + t * t)
    tail = 0.5 * _betainc(df / 2.0, 0.5, x)
    return 1.0 - tail if t > 0 else tail


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b) by its continued fraction."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(ln_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(ln_front) * _betacf(b, a, 1.0 - x) / b


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


# ---------------------------------------------------------------------------------- internals

def _long2(arr: np.ndarray, strategy: str, metric: str) -> pd.DataFrame:
    """A [replicate, week] array as rows strategy, replicate, week, metric, value."""
    if arr.ndim != 2:
        raise DriftResultError(f"{strategy}/{metric}: expected [replicate, week], got shape {arr.shape}")
    r, w = arr.shape
    return pd.DataFrame({
        "strategy": strategy,
        "replicate": np.repeat(np.arange(r), w),
        "week": np.tile(np.arange(w), r),
        "metric": metric,
        "value": arr.reshape(-1),
    })


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "value" else object) for c in columns})
    return pd.concat(frames, ignore_index=True)[columns]


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


# ------------------------------------------------------------------------- calibration files

CALIBRATION_FORMAT = "drift-calibration"
AGE_STATISTIC_PREFIX = "suspects_per_10k_age_"


def _root_attrs(f: h5py.File) -> dict:
    return {k: _text(v) for k, v in f.attrs.items()}


def _open_hdf5(path, what: str) -> h5py.File:
    """Open an HDF5 file for reading, with one-line DriftResultError messages for every problem."""
    p = os.fspath(path)
    if not os.path.exists(p):
        raise DriftResultError(f"{p}: no such file")
    if os.path.isdir(p):
        raise DriftResultError(f"{p}: is a directory, not a {what}")
    try:
        is_hdf5 = h5py.is_hdf5(p)
    except OSError as e:
        raise DriftResultError(f"{p}: cannot read the file ({e.strerror or e})") from None
    if not is_hdf5:
        raise DriftResultError(f"{p}: not an HDF5 file, so not a {what}")
    try:
        return h5py.File(p, "r")
    except OSError as e:
        raise DriftResultError(f"{p}: cannot open the file ({_one_line(e)})") from None


def _dataset(f: h5py.File, p: str, name: str, what: str) -> np.ndarray:
    if name not in f or not isinstance(f[name], h5py.Dataset):
        raise DriftResultError(f"{p}: incomplete {what} (no /{name})")
    try:
        return f[name][()]
    except (OSError, ValueError, TypeError) as e:
        raise DriftResultError(f"{p}: cannot read /{name} ({_one_line(e)})") from None


def _count_attr(p: str, attrs: dict, key: str) -> int:
    """A root attribute that counts something (replicates, weeks): a whole number >= 0."""
    value = attrs.get(key, 0)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DriftResultError(f"{p}: root attribute '{key}' is {value!r}, not a count") from None
    if not math.isfinite(number) or number < 0 or number != int(number):
        raise DriftResultError(f"{p}: root attribute '{key}' is {value!r}, not a count")
    return int(number)


def _floats(f, p, name, what, ndim: int) -> np.ndarray:
    raw = _dataset(f, p, name, what)
    try:
        arr = np.asarray(raw, dtype=float)
    except (ValueError, TypeError):
        raise DriftResultError(f"{p}: /{name} is not numeric") from None
    if arr.ndim != ndim:
        raise DriftResultError(f"{p}: /{name} has {arr.ndim} dimensions, expected {ndim}")
    return arr


def _strings(f, p, name, what) -> list[str]:
    raw = _dataset(f, p, name, what)
    return [str(_text(x)) for x in np.atleast_1d(raw)]


def weighted_quantile(values, weights, qs) -> np.ndarray:
    """Quantiles `qs` (0..1) of `values` with weights; NaN values are dropped.

    With equal weights this is numpy's default (linear) percentile; otherwise the quantile is
    interpolated between the cumulative weights taken at the middle of each value's weight.
    """
    v = np.asarray(values, dtype=float)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0)
    v, w = v[ok], w[ok]
    qs = np.atleast_1d(np.asarray(qs, dtype=float))
    if v.size == 0:
        return np.full(qs.shape, math.nan)
    if np.allclose(w, w[0]):
        return np.percentile(v, qs * 100.0)
    order = np.argsort(v)
    v, w = v[order], w[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(qs, cum, v)


def calibration(path: str | os.PathLike) -> dict:
    """Read a calibration file written by `drift calibrate` (layout in docs/validation.md).

    Returns a dict:

    - ``attrs``: root attributes (program version, commit, seed, scenario text, command line, ...)
      plus ``acceptance``, ``tolerance`` and ``accepted`` from /posterior (or the root).
    - ``parameters``: one row per calibrated parameter: parameter, prior_low, prior_high,
      posterior_median, posterior_lo90, posterior_hi90 (weighted over the accepted points).
    - ``design``: one row per design point: point (row number), one column per parameter,
      distance, accepted (bool), weight (posterior weight, 0 when not accepted).
    - ``statistics``: one row per design point, one column per statistic: the simulated statistic
      of that point, the mean over its replicates (NaN replicates ignored).
    - ``targets``: one row per target: name, statistic, unit, source, use ("fit" or "validate"),
      value, sd, observed_lo, observed_hi (value -/+ 1.96 sd, the observed 95% interval),
      prior_median, prior_lo90, prior_hi90 (over all design points), posterior_median,
      posterior_lo90, posterior_hi90 (over the accepted points, weighted), inside (the posterior
      median lies within the observed interval).
    - ``posterior``: one row per accepted point: point (row of the design), the parameters, weight.
    - ``generations``: one row per generation of a sequential calibration (rejection ABC: one):
      generation, points_run, within_tolerance, acceptance_rate, tolerance, particles, ess. Empty
      for files written before generations were recorded.

    The prior columns of ``targets`` are over generation 0 only (the points drawn from the prior;
    /design/generation), the later generations' points being drawn near earlier particles.

    Every problem with the file raises DriftResultError with a one-line message.
    """
    p = os.fspath(path)
    what = "calibration file"
    with _open_hdf5(p, f"Drift {what}") as f:
        attrs = _root_attrs(f)
        fmt = attrs.get("format")
        if fmt is None:
            raise DriftResultError(f"{p}: not a Drift calibration file (no root attribute 'format')")
        if str(fmt) != CALIBRATION_FORMAT:
            raise DriftResultError(
                f"{p}: not a Drift calibration file (format is '{fmt}', expected '{CALIBRATION_FORMAT}')")
        for group in ("design", "statistics", "targets", "posterior"):
            if group not in f or not isinstance(f[group], h5py.Group):
                raise DriftResultError(f"{p}: incomplete {what} (no /{group} group)")
        names = _strings(f, p, "design/parameter_names", what)
        k = len(names)
        low = _floats(f, p, "design/prior_low", what, 1)
        high = _floats(f, p, "design/prior_high", what, 1)
        points = _floats(f, p, "design/points", what, 2)
        if len(low) != k or len(high) != k or points.shape[1] != k:
            raise DriftResultError(
                f"{p}: /design has {k} parameter names but prior ranges or points of another size")
        n = points.shape[0]
        stat_names = _strings(f, p, "statistics/names", what)
        values = _floats(f, p, "statistics/values", what, 3)
        if values.shape[0] != n or values.shape[2] != len(stat_names):
            raise DriftResultError(
                f"{p}: /statistics/values has shape {values.shape}, expected "
                f"[{n}, replicate, {len(stat_names)}]")
        distance = _floats(f, p, "distance", what, 1)
        if len(distance) != n:
            raise DriftResultError(f"{p}: /distance has {len(distance)} values, /design/points {n} rows")
        tcols = {c: _strings(f, p, f"targets/{c}", what)
                 for c in ("name", "statistic", "unit", "source", "use")}
        tnum = {c: _floats(f, p, f"targets/{c}", what, 1) for c in ("value", "sd")}
        n_t = len(tcols["name"])
        if any(len(v) != n_t for v in list(tcols.values()) + list(tnum.values())):
            raise DriftResultError(f"{p}: the datasets under /targets differ in length")
        index = _floats(f, p, "posterior/index", what, 1)
        post_points = _floats(f, p, "posterior/points", what, 2) if "posterior/points" in f else None
        weights = (_floats(f, p, "posterior/weights", what, 1) if "posterior/weights" in f
                   else np.ones(len(index)))
        for key in ("acceptance", "tolerance", "accepted"):
            if key in f["posterior"].attrs:
                attrs[key] = _text(f["posterior"].attrs[key])
        point_generation = (_floats(f, p, "design/generation", what, 1)
                            if "design/generation" in f else np.zeros(n))
        if len(point_generation) != n:
            raise DriftResultError(
                f"{p}: /design/generation has {len(point_generation)} values, /design/points {n} rows")
        gen_cols = ("points_run", "within_tolerance", "acceptance_rate", "tolerance", "particles",
                    "ess")
        gen = {}
        if "generations" in f and isinstance(f["generations"], h5py.Group):
            gen = {c: _floats(f, p, f"generations/{c}", what, 1) for c in gen_cols}
            if len({len(v) for v in gen.values()}) > 1:
                raise DriftResultError(f"{p}: the datasets under /generations differ in length")
    if len(weights) != len(index):
        raise DriftResultError(f"{p}: /posterior/weights and /posterior/index differ in length")
    if len(index) and (np.any(~np.isfinite(index)) or index.min() < 0 or index.max() >= n
                       or np.any(index != np.round(index))):
        raise DriftResultError(f"{p}: /posterior/index holds rows outside the design (0 to {n - 1})")
    index = index.astype(int)
    if post_points is None or post_points.shape != (len(index), k):
        post_points = points[index]

    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sim = np.nanmean(values, axis=1) if values.shape[1] else np.full((n, len(stat_names)), math.nan)

    accepted = np.zeros(n, dtype=bool)
    accepted[index] = True
    w_design = np.zeros(n)
    np.add.at(w_design, index, weights)
    design = pd.DataFrame(points, columns=names)
    design.insert(0, "point", np.arange(n))
    design["distance"] = distance
    design["accepted"] = accepted
    design["weight"] = w_design
    statistics = pd.DataFrame(sim, columns=stat_names)
    statistics.index.name = "point"

    posterior = pd.DataFrame(post_points, columns=names)
    posterior.insert(0, "point", index)
    posterior["weight"] = weights

    qs = (0.5, 0.05, 0.95)
    prow = []
    for j, name in enumerate(names):
        m, lo, hi = weighted_quantile(post_points[:, j], weights, qs)
        prow.append((name, float(low[j]), float(high[j]), m, lo, hi))
    parameters = pd.DataFrame(prow, columns=["parameter", "prior_low", "prior_high",
                                             "posterior_median", "posterior_lo90", "posterior_hi90"])

    trows = []
    for i in range(n_t):
        stat = tcols["statistic"][i]
        value, sd = float(tnum["value"][i]), float(tnum["sd"][i])
        lo_obs, hi_obs = value - 1.96 * sd, value + 1.96 * sd
        if stat in stat_names:
            col = sim[:, stat_names.index(stat)]
            pr = weighted_quantile(col[point_generation == 0], None, qs)
            po = weighted_quantile(col[index], weights, qs)
        else:
            pr = po = np.full(3, math.nan)
        inside = bool(np.isfinite(po[0]) and lo_obs <= po[0] <= hi_obs)
        trows.append((tcols["name"][i], stat, tcols["unit"][i], tcols["source"][i],
                      tcols["use"][i].strip().lower(), value, sd, lo_obs, hi_obs,
                      *map(float, pr), *map(float, po), inside))
    targets = pd.DataFrame(trows, columns=[
        "name", "statistic", "unit", "source", "use", "value", "sd", "observed_lo", "observed_hi",
        "prior_median", "prior_lo90", "prior_hi90", "posterior_median", "posterior_lo90",
        "posterior_hi90", "inside"])
    generations = pd.DataFrame({c: gen.get(c, np.zeros(0)) for c in gen_cols})
    generations.insert(0, "generation", np.arange(len(generations)))
    design["generation"] = point_generation
    return {"attrs": attrs, "parameters": parameters, "design": design, "statistics": statistics,
            "targets": targets, "posterior": posterior, "generations": generations}


# ------------------------------------------------------------------------------- virtual trials

TRIAL_ATTRIBUTES = ("strategy", "intervention", "design", "outcome", "follow_up_weeks",
                    "enrolment_weeks", "treatment_share", "published_relative_risk", "published_low",
                    "published_high", "published_outcome", "published_design",
                    "published_source", "rr_mean", "rr_low", "rr_high", "rd_mean", "rd_low",
                    "rd_high")
TRIAL_DATASETS = ("treated", "control", "treated_events", "control_events", "relative_risk",
                  "risk_difference", "both_events", "unmatched")


def trial(path: str | os.PathLike) -> dict:
    """Read the virtual trial of a result file (`drift run` of a scenario with a `trial:` block).

    Returns a dict:

    - ``attrs``: root attributes of the file (program version, commit, seed, scenario, ...).
    - ``summary``: the attributes of /trial (strategy, intervention, design, outcome, follow_up_weeks,
      enrolment_weeks, treatment_share, published_relative_risk, published_low, published_high,
      published_outcome, published_design, published_source, rr_mean, rr_low, rr_high, rd_mean,
      rd_low, rd_high). Absent numbers are NaN and absent texts empty; rr_* and rd_* missing
      from the file are computed from the replicates (mean and 95% t interval, as `mean_interval`).
      ``design`` is ``paired`` or ``randomised`` (files without it are randomised trials).
    - ``replicates``: one row per replicate: replicate, treated, control, treated_events,
      control_events, relative_risk, risk_difference, both_events, unmatched (the last two only
      in paired trials, NaN otherwise).

    Every problem with the file raises DriftResultError with a one-line message.
    """
    p = os.fspath(path)
    what = "result file with a virtual trial"
    with _open_hdf5(p, "Drift result file") as f:
        attrs = _root_attrs(f)
        if "trial" not in f or not isinstance(f["trial"], h5py.Group):
            raise DriftResultError(f"{p}: no virtual trial in this file (no /trial group)")
        ta = {k: _text(v) for k, v in f["trial"].attrs.items()}
        cols = {}
        for name in TRIAL_DATASETS:
            if f"trial/{name}" in f:
                cols[name] = _floats(f, p, f"trial/{name}", what, 1)
    lengths = {len(v) for v in cols.values()}
    if len(lengths) > 1:
        raise DriftResultError(f"{p}: the datasets under /trial differ in length")
    r = lengths.pop() if lengths else 0
    reps = pd.DataFrame({"replicate": np.arange(r)})
    for name in TRIAL_DATASETS:
        reps[name] = cols.get(name, np.full(r, math.nan))
    summary = {}
    for key in TRIAL_ATTRIBUTES:
        v = ta.get(key)
        if key == "design":
            summary[key] = "randomised" if v is None else str(v)
        elif key in ("strategy", "intervention", "outcome", "published_outcome",
                     "published_design", "published_source"):
            summary[key] = "" if v is None else str(v)
        else:
            try:
                summary[key] = math.nan if v is None else float(v)
            except (TypeError, ValueError):
                summary[key] = math.nan
    for prefix, col in (("rr", "relative_risk"), ("rd", "risk_difference")):
        if not all(math.isfinite(summary[f"{prefix}_{s}"]) for s in ("mean", "low", "high")):
            v = reps[col].to_numpy()
            m, lo, hi = mean_interval(v[np.isfinite(v)])
            for s, x in (("mean", m), ("low", lo), ("high", hi)):
                if not math.isfinite(summary[f"{prefix}_{s}"]):
                    summary[f"{prefix}_{s}"] = x
    return {"attrs": attrs, "summary": summary, "replicates": reps}
