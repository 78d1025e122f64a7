#!/usr/bin/env python3
"""Write a self-contained HTML validation report of a Drift calibration.

    /usr/bin/python3 analysis/validate.py results/calibration.h5 \\
        --trials results/trial_mentors.h5 results/trial_jobs.h5 -o validation.html

The input is the calibration file written by `drift calibrate` (layout in docs/validation.md)
and, optionally, result files of virtual trials (`drift run` of scenarios with a `trial:` block).
The report shows, for advisors who have to judge whether the model can be trusted: observed
against simulated for every target (held-out targets marked), the age curve of registered
suspects, what the calibration learnt about each parameter, the distances of the simulated
parameter sets with the acceptance threshold, the virtual trials against the published trials,
and how the results were produced. It is one HTML file with inline CSS and the charts embedded
as PNG images, so it can be mailed and read offline.

Exit codes: 0 report written; 1 the report could not be written; 2 an input is not a readable
Drift calibration (or trial) file (a one-line message on stderr).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import math
import os
import shlex
import sys
import warnings
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import drift_results as dr  # noqa: E402
import report as rp  # noqa: E402  (sets the Agg backend)
from report import CSS, Section, cell, esc, img, num, table, _finite  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402

PRIOR_COLOUR = rp.BASELINE_COLOUR
POSTERIOR_COLOUR = rp.PALETTE[0]
OBSERVED_COLOUR = "#1d1d1f"
PUBLISHED_COLOUR = rp.PALETTE[1]
Z95 = 1.96
RR_DECIMALS = 2


# ------------------------------------------------------------------------------- formatting

def decimals_for(*xs) -> int:
    """Decimals that give about three significant figures for the largest of the numbers."""
    vals = [abs(float(x)) for x in xs if _finite(x) and x != 0]
    if not vals:
        return 0
    m = max(vals)
    if m >= 100:
        return 0
    if m >= 10:
        return 1
    if m >= 1:
        return 2
    return min(6, 2 - int(math.floor(math.log10(m))))


def value_interval(m, lo, hi, what: str = "interval", d: int | None = None) -> str:
    """A number with its interval below it, all with the same decimals (`d`, or about three
    significant figures)."""
    d = decimals_for(m, lo, hi) if d is None else d
    ci = (f"{num(lo, d)} to {num(hi, d)}" if _finite(lo) and _finite(hi) else f"no {what}")
    return f'{num(m, d)}<div class="ci">{ci}</div>'


def age_of(statistic: str):
    if statistic.startswith(dr.AGE_STATISTIC_PREFIX):
        tail = statistic[len(dr.AGE_STATISTIC_PREFIX):]
        if tail.isdigit():
            return int(tail)
    return None


def attr(attrs: dict, *keys, default: str = "unknown"):
    for k in keys:
        v = attrs.get(k)
        if v is not None and str(v).strip() != "":
            return v
    return default


def is_heldout(use: str) -> bool:
    return use.strip().lower() not in ("fit", "calibrate", "calibration")


# ---------------------------------------------------------------------------------- context

@dataclass
class Trial:
    path: str
    attrs: dict
    summary: dict
    replicates: object  # pandas DataFrame

    @property
    def label(self) -> str:
        s = self.summary
        name = " / ".join(x for x in (s["strategy"], s["intervention"]) if x)
        return name or os.path.splitext(os.path.basename(self.path))[0]


@dataclass
class Context:
    path: str
    cal: dict
    trials: list
    argv: list
    _cache: dict = field(default_factory=dict)

    @property
    def attrs(self) -> dict:
        return self.cal["attrs"]

    @property
    def targets(self):
        return self.cal["targets"]

    @property
    def design(self):
        return self.cal["design"]

    @property
    def accepted(self) -> np.ndarray:
        return self.design["accepted"].to_numpy()

    @property
    def weights(self) -> np.ndarray:
        return self.cal["posterior"]["weight"].to_numpy()

    @property
    def index(self) -> np.ndarray:
        return self.cal["posterior"]["point"].to_numpy()


# --------------------------------------------------------------------------------- sections

def section_targets(ctx: Context) -> Section:
    t = ctx.targets
    n_acc = len(ctx.index)
    rows = []
    for r in t.itertuples():
        held = is_heldout(r.use)
        use_text = ('<span class="heldout">held out: validation only</span>' if held
                    else "used in the fit")
        d = decimals_for(r.value if r.value != 0 else r.posterior_median)   # one for the row
        observed = (f'{num(r.value, d)}<div class="ci">{num(r.observed_lo, d)} to '
                    f'{num(r.observed_hi, d)}</div>')
        if r.statistic not in ctx.cal["statistics"].columns:
            verdict_cell = '<td class="unclear">not simulated: the file has no such statistic</td>'
        elif n_acc == 0:
            verdict_cell = '<td class="unclear">no accepted parameter sets</td>'
        elif not _finite(r.posterior_median):
            verdict_cell = '<td class="unclear">no simulated value (no data in the runs)</td>'
        elif r.inside:
            verdict_cell = '<td class="better">inside the observed interval</td>'
        else:
            side = "above" if r.posterior_median > r.observed_hi else "below"
            verdict_cell = f'<td class="worse">outside the observed interval ({side})</td>'
        rows.append(
            f'<tr data-target="{esc(r.name)}" data-use="{"validate" if held else "fit"}"'
            f'{" class=" + chr(34) + "heldout" + chr(34) if held else ""}>'
            f'<td class="name"><b>{esc(r.name)}</b><div class="desc"><code>{esc(r.statistic)}</code></div></td>'
            f"<td>{use_text}</td><td>{esc(r.unit)}</td>"
            + cell(observed, "observed", r.value, r.observed_lo, r.observed_hi)
            + cell(value_interval(r.prior_median, r.prior_lo90, r.prior_hi90, d=d), "prior",
                   r.prior_median, r.prior_lo90, r.prior_hi90)
            + cell(value_interval(r.posterior_median, r.posterior_lo90, r.posterior_hi90, d=d),
                   "posterior",
                   r.posterior_median, r.posterior_lo90, r.posterior_hi90)
            + verdict_cell + f'<td class="desc">{esc(r.source)}</td></tr>')
    headers = ["Target", "Used for", "Unit",
               "Observed<br><small>value (95% interval)</small>",
               "Simulated before calibration<br><small>median (90% of all parameter sets)</small>",
               "Simulated after calibration<br><small>median (90% of accepted parameter sets)</small>",
               "Verdict<br><small>simulated median against the observed interval</small>",
               "Source"]
    parts = [
        "<p>Each target is a figure observed in the Netherlands or in Utrecht (a registered rate, a "
        "share, a reoffending percentage). <b>Observed</b>: the published value and its 95% "
        f"uncertainty interval (value plus or minus {Z95} times its standard deviation). "
        "<b>Simulated after calibration</b>: the model's value for the same figure, computed the "
        "way the figure is registered, over the parameter sets the calibration accepted "
        f"({n_acc}): the median and the range holding the middle 90% of them. "
        "<b>Simulated before calibration</b>: the same over all parameter sets tried, drawn from "
        "the prior ranges. The verdict says whether the simulated median lies inside the observed "
        "interval.</p>"
        "<p><b>Held-out targets</b> (marked in yellow) were <i>not</i> used to choose the "
        "parameters: they test whether the calibrated model reproduces figures it was not fitted "
        "to, which is the real test of the model.</p>",
        table(headers, rows, "targets")]
    fig = _standardised_figure(t)
    if fig is not None:
        parts.append(img(
            fig, "Difference between simulated and observed value per target",
            "Per target: the difference between the simulated and the observed value, divided by "
            "the standard deviation of the observed value, so that targets in different units "
            "can be shown together. Grey band: the observed 95% interval (" + MINUS_196 + " to "
            "+1.96). Point: the median over the accepted parameter sets; bar: their middle 90%. "
            "Open points and italic names: held-out targets."))
    return Section("targets", "Does the model reproduce what is observed?", "".join(parts))


MINUS_196 = rp.MINUS + "1.96"


def _standardised_figure(t):
    ok = t[(t["sd"] > 0) & np.isfinite(t["posterior_median"])]
    if ok.empty:
        return None
    n = len(ok)
    fig, ax = plt.subplots(figsize=(8.5, 0.8 + 0.28 * n))
    y = np.arange(n)
    sd = ok["sd"].to_numpy()
    z = (ok["posterior_median"].to_numpy() - ok["value"].to_numpy()) / sd
    zlo = (ok["posterior_lo90"].to_numpy() - ok["value"].to_numpy()) / sd
    zhi = (ok["posterior_hi90"].to_numpy() - ok["value"].to_numpy()) / sd
    held = np.array([is_heldout(u) for u in ok["use"]])
    ax.axvspan(-Z95, Z95, color=PRIOR_COLOUR, alpha=0.18, linewidth=0)
    ax.axvline(0, color=OBSERVED_COLOUR, linewidth=0.8)
    ax.errorbar(z, y, xerr=[np.clip(z - zlo, 0, None), np.clip(zhi - z, 0, None)], fmt="none",
                ecolor=POSTERIOR_COLOUR, elinewidth=1.2, capsize=2)
    ax.plot(z[~held], y[~held], "o", color=POSTERIOR_COLOUR, markersize=5, label="used in the fit")
    ax.plot(z[held], y[held], "o", markerfacecolor="white", color=POSTERIOR_COLOUR, markersize=5,
            label="held out (validation)")
    ax.set_yticks(y, labels=list(ok["name"]), fontsize=7)
    for lab, h in zip(ax.get_yticklabels(), held):
        if h:
            lab.set_fontstyle("italic")
    ax.invert_yaxis()
    ax.set_xlabel("simulated minus observed value (standard deviations of the observed value)",
                  fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig


def section_age_curve(ctx: Context) -> Section | None:
    stats = ctx.cal["statistics"]
    ages = sorted((a, c) for c in stats.columns if (a := age_of(c)) is not None)
    if not ages:
        return None
    x = np.array([a for a, _ in ages], dtype=float)
    sim = stats[[c for _, c in ages]].to_numpy()          # [point, age]
    prior = np.array([dr.weighted_quantile(sim[:, j], None, (0.5, 0.05, 0.95)) for j in range(len(x))])
    post = np.array([dr.weighted_quantile(sim[ctx.index, j], ctx.weights, (0.5, 0.05, 0.95))
                     for j in range(len(x))])
    fig, ax = plt.subplots(figsize=(8.5, 4.4))
    ax.fill_between(x, prior[:, 1], prior[:, 2], color=PRIOR_COLOUR, alpha=0.25, linewidth=0,
                    label="simulated before calibration (middle 90%)")
    ax.plot(x, prior[:, 0], color=PRIOR_COLOUR, linewidth=1.0, linestyle="--",
            label="simulated before calibration (median)")
    ax.fill_between(x, post[:, 1], post[:, 2], color=POSTERIOR_COLOUR, alpha=0.3, linewidth=0,
                    label="simulated after calibration (middle 90%)")
    ax.plot(x, post[:, 0], color=POSTERIOR_COLOUR, linewidth=1.8,
            label="simulated after calibration (median)")
    t = ctx.targets
    obs = t[[age_of(s) is not None for s in t["statistic"]]]
    if not obs.empty:
        ox = np.array([age_of(s) for s in obs["statistic"]], dtype=float)
        held = np.array([is_heldout(u) for u in obs["use"]])
        err = [obs["value"] - obs["observed_lo"], obs["observed_hi"] - obs["value"]]
        ax.errorbar(ox, obs["value"], yerr=err, fmt="none", ecolor=OBSERVED_COLOUR, elinewidth=1,
                    capsize=3)
        v = obs["value"].to_numpy()
        ax.plot(ox[~held], v[~held], "o", color=OBSERVED_COLOUR, markersize=5,
                label="observed (95% interval), used in the fit")
        if held.any():
            ax.plot(ox[held], v[held], "o", markerfacecolor="white", color=OBSERVED_COLOUR,
                    markersize=5, label="observed (95% interval), held out")
    ax.set_xlabel("age (years)")
    ax.set_ylabel("registered suspects per 10,000 youths\nof that age (per year)")
    ax.set_xticks(x)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    body = (
        "<p>How many young people of each age are registered by the police as suspects of any "
        "offence in a year, per 10,000 young people of that age: the age-crime curve. It rises "
        "steeply in the early teens and flattens out around 18. A model in which youths drift into "
        "crime for the right reasons should reproduce its shape, not only its level.</p>"
        + img(fig, "Registered suspects per 10,000 youths by age, observed and simulated",
              "Black points and bars: observed rates with their 95% intervals (open points: held "
              "out of the fit). Grey: the spread over all parameter sets tried, drawn from the "
              "prior ranges. Blue: the spread over the accepted parameter sets (median and middle "
              "90%). Rates per 10,000 youths of each age, per year."))
    return Section("age-curve", "The age curve: suspects by age", body)


def section_parameters(ctx: Context) -> Section:
    pars = ctx.cal["parameters"]
    design = ctx.design
    units = rp._parameter_units()
    k = len(pars)
    parts = [
        "<p>The calibration tried many parameter sets, drawn evenly from the range given for each "
        "uncertain parameter (the <b>prior range</b>), and kept those whose simulated figures came "
        "closest to the observed targets (the <b>accepted</b> or posterior sets). Where the "
        "accepted values crowd together, the targets pin the parameter down; where they still "
        "spread over the whole range, the targets say little about it and the parameter stays "
        "uncertain. Runs that draw their parameters from the accepted sets carry this "
        "uncertainty into their results.</p>"]
    if k:
        cols = min(3, k)
        rows_n = math.ceil(k / cols)
        fig, axes = plt.subplots(rows_n, cols, figsize=(3.6 * cols + 0.4, 2.7 * rows_n + 0.3),
                                 squeeze=False)
        acc = ctx.accepted
        w = design["weight"].to_numpy()
        for ax in axes.flat[k:]:
            ax.set_visible(False)
        for ax, r in zip(axes.flat, pars.itertuples()):
            vals = design[r.parameter].to_numpy()
            lo, hi = r.prior_low, r.prior_high
            if not (_finite(lo) and _finite(hi) and hi > lo):
                lo, hi = float(np.nanmin(vals)), float(np.nanmax(vals))
                hi = hi if hi > lo else lo + 1.0
            bins = np.linspace(lo, hi, 21)
            ax.hist(vals, bins=bins, weights=np.full(len(vals), 100.0 / max(len(vals), 1)),
                    color=PRIOR_COLOUR, alpha=0.45, label="all parameter sets (prior)")
            if acc.any():
                wa = w[acc] / w[acc].sum() * 100.0 if w[acc].sum() > 0 else np.full(acc.sum(), 100.0 / acc.sum())
                ax.hist(vals[acc], bins=bins, weights=wa, color=POSTERIOR_COLOUR, alpha=0.7,
                        label="accepted sets (posterior)")
            ax.axvline(r.posterior_median, color=POSTERIOR_COLOUR, linewidth=1.2, linestyle="--")
            ax.set_xlim(lo, hi)
            ax.set_xlabel(rp.parameter_label(r.parameter, units), fontsize=7)
            ax.set_ylabel("share of parameter sets (%)", fontsize=7)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, 0.35 / fig.get_figheight(), 1, 1))
        parts.append(img(
            fig, "Prior and posterior of each calibrated parameter",
            "Per parameter, over its prior range: grey, the share of all parameter sets tried in "
            "each bin; blue, the share of the accepted sets (weighted); dashed line, the median of "
            "the accepted sets."))
    rows = []
    for r in pars.itertuples():
        d = decimals_for(r.prior_low, r.prior_high, r.posterior_median)
        width = r.prior_high - r.prior_low
        share = ((r.posterior_hi90 - r.posterior_lo90) / width * 100.0
                 if _finite(width) and width > 0 and _finite(r.posterior_lo90) else math.nan)
        rows.append(
            f'<tr data-parameter="{esc(r.parameter)}"><td><code>{esc(r.parameter)}</code></td>'
            f"<td>{esc(units.get(r.parameter, ''))}</td>"
            + cell(f"{num(r.prior_low, d)} to {num(r.prior_high, d)}", "prior_range",
                   None, r.prior_low, r.prior_high)
            + cell(value_interval(r.posterior_median, r.posterior_lo90, r.posterior_hi90),
                   "posterior", r.posterior_median, r.posterior_lo90, r.posterior_hi90)
            + cell(f"{num(share, 0)}%", "interval_share", share) + "</tr>")
    parts.append(table(
        ["Parameter", "Unit", "Prior range<br><small>lowest to highest value tried</small>",
         "After calibration<br><small>median (90% interval of the accepted sets)</small>",
         "Remaining uncertainty<br><small>90% interval as % of the prior range</small>"],
        rows, "parameters"))
    return Section("parameters", "What the calibration learnt about each parameter", "".join(parts))


def _tolerance(ctx: Context) -> float:
    tol = ctx.attrs.get("tolerance")
    try:
        tol = float(tol)
    except (TypeError, ValueError):
        tol = math.nan
    if not math.isfinite(tol):
        d = ctx.design["distance"].to_numpy()[ctx.accepted]
        d = d[np.isfinite(d)]
        tol = float(d.max()) if d.size else math.nan
    return tol


def section_distance(ctx: Context) -> Section:
    d = ctx.design["distance"].to_numpy()
    acc = ctx.accepted
    finite = np.isfinite(d)
    tol = _tolerance(ctx)
    n, n_acc, n_bad = len(d), int(acc.sum()), int((~finite).sum())
    rule = str(ctx.attrs.get("acceptance", "")).strip()
    parts = [
        "<p>For each parameter set the calibration measures how far its simulated figures lie "
        "from the observed targets used in the fit: the <b>distance</b> (zero means a perfect "
        "match; each target counts in units of its own uncertainty). Parameter sets with a "
        "distance below the <b>threshold</b> are accepted. "
        f"Here {n_acc:,} of {n:,} parameter sets ({(n_acc / n * 100 if n else 0):.1f}%) were "
        f"accepted, with a threshold of {num(tol, decimals_for(tol)) if _finite(tol) else 'unknown'}."
        + (f" Acceptance rule: <i>{esc(rule)}</i>." if rule else "")
        + (f" {n_bad:,} parameter set{'s' if n_bad != 1 else ''} gave no distance (a run without "
           f"the data for a target) and {'are' if n_bad != 1 else 'is'} left out of the chart."
           if n_bad else "")
        + "</p>"]
    if finite.any():
        df = d[finite]
        pos = df[df > 0]
        log = pos.size == df.size and pos.size > 1 and pos.max() / pos.min() > 100
        if log:
            bins = np.geomspace(pos.min(), pos.max(), 41)
        else:
            bins = np.linspace(df.min(), df.max() if df.max() > df.min() else df.min() + 1, 41)
        fig, ax = plt.subplots(figsize=(8.5, 3.6))
        ax.hist(d[finite & ~acc], bins=bins, color=PRIOR_COLOUR, alpha=0.7, label="rejected")
        ax.hist(d[finite & acc], bins=bins, color=POSTERIOR_COLOUR, alpha=0.85, label="accepted")
        if _finite(tol):
            ax.axvline(tol, color=PUBLISHED_COLOUR, linewidth=1.5, linestyle="--",
                       label=f"threshold ({num(tol, decimals_for(tol))})")
        if log:
            ax.set_xscale("log")
        ax.set_xlabel("distance to the observed targets (dimensionless"
                      + (", log scale)" if log else ")"))
        ax.set_ylabel("number of parameter sets")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
        fig.tight_layout()
        parts.append(img(fig, "Distribution of the distances with the acceptance threshold",
                         "Number of parameter sets by distance to the fitted targets; blue: "
                         "accepted, grey: rejected; dashed line: the acceptance threshold."))
    if n_acc < 20:
        parts.append(f'<p class="warning"><b>Few accepted parameter sets.</b> With {n_acc} accepted '
                     "sets the medians and 90% intervals in this report are rough.</p>")
    return Section("distance", "How close the parameter sets came: distances and threshold",
                   "".join(parts))


def section_generations(ctx: Context) -> Section | None:
    g = ctx.cal.get("generations")
    if g is None or len(g) == 0:
        return None
    sequential = str(ctx.attrs.get("method", "")).strip() == "smc"
    parts = []
    if sequential:
        parts.append(
            "<p>The calibration ran in <b>generations</b> (sequential ABC). Generation 0 drew "
            "parameter sets from the prior ranges and kept the closest; each later generation "
            "tried new sets near the ones kept before, and kept those within a tighter "
            "<b>tolerance</b>. The last generation is the calibrated result. The <b>effective "
            "sample size</b> says how many equally weighted sets the weighted ones are worth.</p>")
    else:
        parts.append("<p>The calibration kept the closest parameter sets of one design drawn "
                     "from the prior ranges (rejection ABC): one generation.</p>")
    rows = []
    for r in g.itertuples():
        rows.append("<tr>" + "".join(f"<td>{x}</td>" for x in (
            int(r.generation), f"{int(r.points_run):,}", f"{int(r.within_tolerance):,}",
            num(100 * r.acceptance_rate, 1) + "%" if _finite(r.acceptance_rate) else "-",
            num(r.tolerance, decimals_for(r.tolerance)) if _finite(r.tolerance) else "-",
            f"{int(r.particles):,}", num(r.ess, 1) if _finite(r.ess) else "-")) + "</tr>")
    parts.append(table(["Generation", "Parameter sets run", "Within the tolerance",
                        "Acceptance rate", "Tolerance", "Kept (particles)",
                        "Effective sample size"], rows, "generations"))
    if sequential and len(g) > 1:
        fig, ax = plt.subplots(figsize=(6.5, 3.0))
        ax.plot(g["generation"], g["tolerance"], marker="o", color=POSTERIOR_COLOUR,
                label="tolerance")
        ax.set_xlabel("generation")
        ax.set_ylabel("tolerance (distance)")
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax2 = ax.twinx()
        ax2.bar(g["generation"], g["ess"], alpha=0.3, color=PRIOR_COLOUR,
                label="effective sample size")
        ax2.set_ylabel("effective sample size")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        parts.append(img(fig, "Tolerance and effective sample size per generation",
                         "Line: the tolerance of each generation; bars: its effective sample "
                         "size."))
    return Section("generations", "Particles per generation", "".join(parts))


def _trial_verdict(t: Trial) -> tuple[str, str]:
    s = t.summary
    pub, plo, phi = s["published_relative_risk"], s["published_low"], s["published_high"]
    lo, hi = s["rr_low"], s["rr_high"]
    if not _finite(pub):
        return "unclear", "no published effect to compare with"
    if _finite(lo) and _finite(hi) and lo <= pub <= hi:
        return "better", "matches: the published effect lies within the simulated 95% interval"
    if _finite(plo) and _finite(phi) and _finite(lo) and _finite(hi) and lo <= phi and plo <= hi:
        return "unclear", "partly: the two 95% intervals overlap"
    return "worse", "differs: the simulated and published effects do not overlap"


def section_trials(ctx: Context) -> Section | None:
    if not ctx.trials:
        return None
    trials = ctx.trials
    n = len(trials)
    fig, ax = plt.subplots(figsize=(8.5, 1.2 + 0.62 * n))
    y = np.arange(n)
    every = []
    for i, t in enumerate(trials):
        s = t.summary
        m, lo, hi = s["rr_mean"], s["rr_low"], s["rr_high"]
        if _finite(m):
            xerr = ([[max(m - lo, 0)], [max(hi - m, 0)]] if _finite(lo) and _finite(hi) else None)
            ax.errorbar([m], [i - 0.13], xerr=xerr, fmt="o", color=POSTERIOR_COLOUR, capsize=3,
                        markersize=6, label="simulated (95% interval)" if i == 0 else None)
            every += [v for v in (m, lo, hi) if _finite(v) and v > 0]
        pm, plo, phi = s["published_relative_risk"], s["published_low"], s["published_high"]
        if _finite(pm):
            xerr = ([[max(pm - plo, 0)], [max(phi - pm, 0)]] if _finite(plo) and _finite(phi) else None)
            ax.errorbar([pm], [i + 0.13], xerr=xerr, fmt="D", color=PUBLISHED_COLOUR, capsize=3,
                        markersize=5, label="published (95% interval)")
            every += [v for v in (pm, plo, phi) if _finite(v) and v > 0]
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles))
    ax.legend(uniq.values(), uniq.keys(), fontsize=8, frameon=False, loc="upper left",
              bbox_to_anchor=(1.01, 1.0))
    ax.axvline(1.0, color=PRIOR_COLOUR, linewidth=1.0)
    if every:
        lo_x, hi_x = min(every + [1.0]), max(every + [1.0])
        ax.set_xscale("log")
        ax.set_xlim(lo_x / 1.3, hi_x * 1.3)
        ticks = [v for v in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0,
                                   10.0, 20.0)
                 if lo_x / 1.3 <= v <= hi_x * 1.3]
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xticks(ticks, labels=[f"{v:g}" for v in ticks])
    labels = [t.label for t in trials]
    if len(set(labels)) < len(labels):
        labels = [f"{t.label}\n({os.path.basename(t.path)})" for t in trials]
    ax.set_yticks(y, labels=labels, fontsize=8)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlabel("relative risk: risk of the outcome with the intervention \u00f7 without "
                  "(log scale; below 1 = fewer events)", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    rows = []
    for t in trials:
        s = t.summary
        cls, text = _trial_verdict(t)
        reps = t.replicates
        treated = float(np.nansum(reps["treated"])) if len(reps) else math.nan
        control = float(np.nansum(reps["control"])) if len(reps) else math.nan
        paired = s["design"] == "paired"
        outcome = esc(s["outcome"]) or "\u2013"
        if s["published_outcome"] and s["published_outcome"] != s["outcome"]:
            outcome += f'<div class="desc">published: {esc(s["published_outcome"])}</div>'
        follow = f"{num(s['follow_up_weeks'], 0)} weeks" if _finite(s["follow_up_weeks"]) else "\u2013"
        rows.append(
            f'<tr data-trial="{esc(t.label)}" data-file="{esc(os.path.basename(t.path))}">'
            f'<td class="name"><b>{esc(t.label)}</b><div class="desc"><code>{esc(os.path.basename(t.path))}</code></div></td>'
            f"<td>{outcome}</td><td>{follow}</td>"
            + cell((f"{num(treated, 0)} / the same<div class='ci'>paired; {len(reps)} replicates</div>"
                    if paired else
                    f"{num(treated, 0)} / {num(control, 0)}<div class='ci'>{len(reps)} replicates</div>"),
                   "enrolled", treated)
            + cell(value_interval(s["rr_mean"], s["rr_low"], s["rr_high"], d=RR_DECIMALS),
                   "simulated_rr",
                   s["rr_mean"], s["rr_low"], s["rr_high"])
            + cell(value_interval(s["published_relative_risk"], s["published_low"],
                                  s["published_high"], d=RR_DECIMALS), "published_rr",
                   s["published_relative_risk"], s["published_low"], s["published_high"])
            + f'<td class="{cls}">{esc(text)}</td>'
            f'<td>{esc(s["published_design"]) or chr(8211)}</td>'
            f'<td class="desc">{esc(s["published_source"]) or chr(8211)}</td></tr>')
    body = (
        "<p>Each intervention's effect in the model is tied to a published trial by a <b>virtual "
        "trial</b>: the effect is measured the way the published study measured it (for example "
        "reoffending within a year). In a <b>paired</b> trial every eligible young person gets the "
        "intervention, and is compared with the same young person in a second run of the same "
        "simulated city without it (the same chance events until the intervention acts); in a "
        "<b>randomised</b> trial eligible young people are assigned at random to the intervention "
        "or to control within one run. The <b>relative risk</b> is the share of the treated with "
        "the outcome divided by the share of the comparison group: "
        "0.8 means 20% fewer events with the intervention, 1 means no effect.</p>"
        + img(fig, "Simulated against published relative risk per virtual trial",
              "Per trial: blue circle, the simulated relative risk (mean over replicates) with its "
              "95% interval; red diamond, the published relative risk with its 95% interval. "
              "Logarithmic scale, so that halving and doubling lie equally far from 1.")
        + table(["Trial<br><small>strategy / intervention</small>", "Outcome", "Follow-up",
                 "Enrolled<br><small>treated / comparison youths, all replicates</small>",
                 "Simulated relative risk<br><small>mean (95% interval)</small>",
                 "Published relative risk<br><small>estimate (95% interval)</small>",
                 "Verdict", "Published design", "Source"], rows, "trials"))
    return Section("trials", "Virtual trials against the published trials", body)


def section_reproducibility(ctx: Context) -> Section:
    a = ctx.attrs
    yaml_text = str(attr(a, "scenario_yaml", "scenario", default=""))
    report_cmd = " ".join(shlex.quote(x) for x in ctx.argv)
    tol = _tolerance(ctx)
    items = [
        ("Drift version", esc(attr(a, "program_version", "version", "program"))),
        ("Git commit", f"<code>{esc(attr(a, 'git_commit', 'commit'))}</code>"),
        ("Command that produced the calibration", f"<code>{esc(attr(a, 'command_line'))}</code>"),
        ("Scenario", esc(attr(a, "scenario_name", default=""))
         + (f" (file <code>{esc(a.get('scenario_file'))}</code>)" if a.get("scenario_file") else "")),
        ("Random seed", esc(attr(a, "seed"))),
        ("Parameter sets tried / accepted", f"{len(ctx.design):,} / {len(ctx.index):,}"),
        ("Acceptance rule and threshold",
         esc(attr(a, "acceptance", default="")) + (f" (threshold {num(tol, decimals_for(tol))})"
                                                   if _finite(tol) else "")),
        ("Calibration file", f"<code>{esc(os.path.abspath(ctx.path))}</code>"),
    ]
    for t in ctx.trials:
        ta = t.attrs
        items.append((f"Virtual trial {esc(t.label)}",
                      f"<code>{esc(os.path.abspath(t.path))}</code>, Drift "
                      f"{esc(attr(ta, 'program_version', 'version', 'program'))}, commit "
                      f"<code>{esc(attr(ta, 'git_commit', 'commit'))}</code>, seed "
                      f"{esc(attr(ta, 'seed'))}"))
    items += [("Command that wrote this report", f"<code>{esc(report_cmd)}</code>"),
              ("Report written", _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"))]
    rows = "".join(f"<tr><th scope='row'>{k}</th><td>{v}</td></tr>" for k, v in items)
    n_lines = yaml_text.count("\n") + (1 if yaml_text and not yaml_text.endswith("\n") else 0)
    body = (
        "<p>Everything needed to run the calibration again: with the same Drift version, the "
        "scenario below and the same seed, <code>drift calibrate</code> gives the same parameter "
        "sets and the same numbers.</p>"
        f'<table class="provenance"><tbody>{rows}</tbody></table>'
        + (f"<details><summary>Scenario text ({n_lines} lines)</summary><pre>{esc(yaml_text)}</pre></details>"
           if yaml_text else "<p>The calibration file holds no scenario text.</p>"))
    return Section("reproducibility", "How these results were produced", body)


SECTIONS = [section_targets, section_age_curve, section_parameters, section_generations,
            section_distance,
            section_trials, section_reproducibility]

EXTRA_CSS = """
tr.heldout td { background: #fff8e0; }
tr.heldout td.better { background: var(--better); }
tr.heldout td.worse { background: var(--worse); }
span.heldout { font-weight: 600; color: #8a5a00; }
td.unclear { color: var(--muted); }
"""


# -------------------------------------------------------------------------------- document

def build_report(path: str, cal: dict, trials: list, argv: list[str]) -> str:
    ctx = Context(path, cal, trials, argv)
    plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False})
    sections = [s for s in (fn(ctx) for fn in SECTIONS) if s is not None]
    a = ctx.attrs
    name = attr(a, "scenario_name", default="") or os.path.splitext(os.path.basename(path))[0]
    t = ctx.targets
    fit = t[[not is_heldout(u) for u in t["use"]]]
    held = t[[is_heldout(u) for u in t["use"]]]

    def count(d):
        return f"{int(d['inside'].sum())} of {len(d)}"

    summary = (
        f"<p>Of the {len(fit)} target{'s' if len(fit) != 1 else ''} used to calibrate the model, "
        f"<b>{count(fit)}</b> are reproduced: the simulated median lies inside the observed "
        "interval. ")
    if len(held):
        summary += (f"Of the {len(held)} held-out target{'s' if len(held) != 1 else ''}, which the "
                    f"calibration never saw, <b>{count(held)}</b> are reproduced.")
    else:
        summary += "No targets were held out, so the model is not tested on figures it was not fitted to."
    if trials:
        ok = sum(_trial_verdict(tr)[0] == "better" for tr in trials)
        summary += (f" In {ok} of {len(trials)} virtual trial{'s' if len(trials) != 1 else ''} the "
                    "published effect lies within the simulated 95% interval.")
    summary += "</p>"
    intro = [
        "<p>Before a model's predictions about strategies can be trusted, it has to reproduce what "
        "is already known. This report sets the simulation against observed Dutch and Utrecht "
        "figures and against published trials of the interventions. The uncertain parameters were "
        f"calibrated: {len(ctx.design):,} parameter sets were simulated and the "
        f"{len(ctx.index):,} that came closest to the observed figures were kept.</p>",
        summary,
        "<p>A <b>90% interval</b> of simulated values shows the spread over the accepted "
        "parameter sets, that is the remaining uncertainty about the parameters; a <b>95% "
        "interval</b> of an observed figure shows how precisely it is known.</p>"]
    toc = "".join(f'<li><a href="#{s.id}">{esc(s.title)}</a></li>' for s in sections)
    body = "".join(f'<section id="{s.id}"><h2>{esc(s.title)}</h2>{s.body}</section>' for s in sections)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>Drift validation: {esc(name)}</title><style>{CSS}{EXTRA_CSS}</style></head><body>"
        f"<h1>Drift validation: {esc(name)}</h1>"
        + "".join(intro)
        + f"<nav><b>Contents</b><ol>{toc}</ol></nav>"
        + body
        + "</body></html>\n")


def load_trial(path: str) -> Trial:
    d = dr.trial(path)
    return Trial(os.fspath(path), d["attrs"], d["summary"], d["replicates"])


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="validate.py",
        description="Write a self-contained HTML validation report (one file, charts embedded) "
                    "of a Drift calibration file, optionally with virtual trials.")
    parser.add_argument("calibration", help="calibration file written by `drift calibrate` (HDF5)")
    parser.add_argument("--trials", nargs="+", default=[], metavar="TRIAL",
                        help="result files of virtual trials (`drift run` with a trial: block)")
    parser.add_argument("-o", "--out", help="HTML file to write (default: CALIBRATION with "
                                            "-validation.html)")
    args = parser.parse_args(argv[1:])
    out = args.out or os.path.splitext(args.calibration)[0] + "-validation.html"
    # NaN in a damaged file must not print numpy warnings: the error, if any, is one line.
    warnings.simplefilter("ignore", RuntimeWarning)
    try:
        cal = dr.calibration(args.calibration)
        trials = [load_trial(p) for p in args.trials]
    except dr.DriftResultError as e:
        print(f"validate.py: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    try:
        text = build_report(args.calibration, cal, trials,
                            [os.path.basename(argv[0]) if argv else "validate.py"] + argv[1:])
    except (ValueError, KeyError, IndexError, TypeError) as e:
        msg = " ".join(str(e).split()) or type(e).__name__
        print(f"validate.py: error: cannot write the report from {args.calibration} ({msg})",
              file=sys.stderr)
        return 1
    return rp.write_html(out, text, "validate.py", "Validation report")


if __name__ == "__main__":
    sys.exit(main())
