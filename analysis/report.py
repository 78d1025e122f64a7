#!/usr/bin/env python3
"""Write a self-contained HTML report of a Drift result file.

    /usr/bin/python3 analysis/report.py results/utrecht.h5 -o utrecht.html

The report is one HTML file with inline CSS and the charts embedded as PNG images, so it can be
mailed and read offline. For an experiment file: the headline comparison of strategies against
the baseline, outcomes over time, districts, use of the interventions and how the results were
produced, and how sure the ranking is and what is good value for money (rank probabilities,
cost per unit averted, the cost-effectiveness frontier and the acceptability curve). With
`--setting OTHER.h5` (repeatable), result files of the same scenario run under other named
assumption settings add a table of the ranking per setting. For a sweep file (a scenario with a
`sweep:` section): outcomes at each setting of the sweep, Sobol indices for Sobol designs, and how
the results were produced.

Exit codes: 0 report written; 1 the report could not be written; 2 the input is not a readable
Drift result file of a supported format version, or a `--setting` file of another scenario or
other strategies (a one-line message on stderr naming the file).

Adding a section: write a function `section_x(ctx) -> Section | None` (None skips it) and add it
to SECTIONS. `ctx` is a Context holding the loaded file (drift_results.DriftResults) and cached
arrays.
"""

from __future__ import annotations

import argparse
import base64
import datetime as _dt
import html
import io
import math
import multiprocessing
import os
import shlex
import sys
import warnings
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import drift_results as dr  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

WEEKS_PER_YEAR = dr.WEEKS_PER_YEAR
BASELINE_COLOUR = "#8c8c8c"
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#e377c2", "#bcbd22", "#393b79", "#637939", "#843c39"]
MINUS = "\u2212"

# Outcome curves: metric, heading, y-axis label, transformation.
CURVES = (
    ("dealing", "Young people dealing", "young people dealing (runner or dealer)", "stock"),
    ("new_entries", "New entries into dealing per year",
     "first entries into dealing", "rate"),
    ("detained", "Young people in detention", "young people in detention", "stock"),
    ("employed", "Young people with a job", "young people with a job", "stock"),
)


# ------------------------------------------------------------------------------- formatting

def esc(x) -> str:
    return html.escape(str(x), quote=True)


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float, np.floating, np.integer)) and math.isfinite(x)


def num(x, decimals: int | None = None) -> str:
    """A number with thousands separators and a true minus sign; '–' when missing."""
    if not _finite(x):
        return "\u2013"
    if decimals is None:
        decimals = 0 if abs(x) >= 100 else 1
    s = f"{abs(x):,.{decimals}f}"
    if float(s.replace(",", "")) == 0:
        return s
    return (MINUS + s) if x < 0 else s


def euro(x, decimals: int = 0) -> str:
    if not _finite(x):
        return "\u2013"
    return ("" if x >= 0 or round(abs(x), decimals) == 0 else MINUS) + "\u20ac" + f"{abs(x):,.{decimals}f}"


def about(x) -> str:
    """A rounded count for plain sentences: whole numbers from 10 up, one decimal below."""
    if not _finite(x):
        return "\u2013"
    return num(x, 0 if abs(x) >= 10 else 1)


def about_all(*xs) -> list[str]:
    """Several counts rounded alike for one sentence: whole numbers when the largest is 10 or more."""
    vals = [abs(x) for x in xs if _finite(x)]
    dec = 0 if vals and max(vals) >= 10 else 1
    return [num(x, dec) for x in xs]


def about_euro(x) -> str:
    """Euro rounded to three significant figures for plain sentences."""
    if not _finite(x):
        return "\u2013"
    if x == 0:
        return "\u20ac0"
    digits = max(0, int(math.floor(math.log10(abs(x)))) - 2)
    return euro(round(x, -digits))


def fewer_more(averted) -> str:
    """An 'averted' number in words: '12 fewer', '3 more' or 'no change'."""
    if not _finite(averted):
        return "\u2013"
    text = about(abs(averted))
    if float(text.replace(",", "")) == 0:
        return "no change"
    return f"{text} fewer" if averted > 0 else f"{text} more"


def years_text(weeks: int) -> str:
    y = weeks / WEEKS_PER_YEAR
    if abs(y - round(y)) < 1e-9:
        n = int(round(y))
        return f"{n} year" + ("" if n == 1 else "s")
    return f"{y:.1f} years"


def interval_text(lo, hi, decimals=None) -> str:
    if not (_finite(lo) and _finite(hi)):
        return "no interval (one replicate)"
    if decimals is None:
        decimals = 0 if max(abs(lo), abs(hi)) >= 100 else 1
    return f"{num(lo, decimals)} to {num(hi, decimals)}"


def figure_png(fig) -> str:
    layout = getattr(fig, "_drift_tight_layout", None)
    if layout is not None:
        fig.tight_layout(**layout)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


# Drawing the figures is most of a report's time. While build_report() lays the report out,
# img() leaves a placeholder for each figure; the figures are then drawn together, in as many
# forked worker processes as there are CPUs (each draws whole figures, so every PNG is the one
# drawn alone), and the placeholders replaced.
_deferred: list | None = None


def tight_layout(fig, **kwargs) -> None:
    """fig.tight_layout(**kwargs); for a deferred figure, done where it is drawn (nothing is added
    to a figure between its layout and img(), so the layout is the same)."""
    if _deferred is not None:
        fig._drift_tight_layout = kwargs
    else:
        fig.tight_layout(**kwargs)


def _placeholder(k: int) -> str:
    return f"@@drift-figure-{k}@@"


def _png_of_deferred(k: int) -> str:
    return figure_png(_deferred[k])


def render_deferred(text: str, workers: int | None = None) -> str:
    """text with the placeholders of the deferred figures replaced by their PNGs."""
    global _deferred
    figs = _deferred or []
    if workers is None:
        workers = os.cpu_count() or 1
    workers = min(workers, len(figs))
    try:
        pngs = None
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            try:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    pngs = pool.map(_png_of_deferred, range(len(figs)), chunksize=1)
            except OSError:
                pngs = None  # no worker processes here (e.g. no shared memory): drawn below
        if pngs is None:
            pngs = [figure_png(f) for f in figs]
    finally:
        for f in figs:
            plt.close(f)
        _deferred = None
    for k, png in enumerate(pngs):
        text = text.replace(_placeholder(k), png, 1)
    return text


def img(fig, alt: str, caption: str = "") -> str:
    if _deferred is not None:
        data = _placeholder(len(_deferred))
        _deferred.append(fig)
    else:
        data = figure_png(fig)
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}">{cap}</figure>')


def table(headers: list[str], rows: list[str], cls: str = "") -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    return (f'<div class="scroll"><table class="{cls}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def cell(text: str, key: str | None = None, value=None, lo=None, hi=None, cls: str = "num") -> str:
    """A table cell; the exact numbers are kept in data- attributes for reuse and checking."""
    attrs = f' class="{cls}"' if cls else ""
    if key:
        attrs += f' data-key="{esc(key)}"'
    for name, v in (("value", value), ("lo", lo), ("hi", hi)):
        if v is not None:
            attrs += f' data-{name}="{repr(float(v))}"'
    return f"<td{attrs}>{text}</td>"


def est_ci(m, lo, hi) -> str:
    """Estimate with its 95% interval below it, with the same number of decimals."""
    vals = [abs(v) for v in (m, lo, hi) if _finite(v)]
    dec = 0 if vals and max(vals) >= 100 else 1
    return f'{num(m, dec)}<div class="ci">{interval_text(lo, hi, dec)}</div>'


def verdict(lo, hi) -> str:
    """'better', 'worse' or 'unclear' for an 'averted' difference with its 95% interval."""
    if not (_finite(lo) and _finite(hi)):
        return "unclear"
    if lo > 0:
        return "better"
    if hi < 0:
        return "worse"
    return "unclear"


# ---------------------------------------------------------------------------------- context

@dataclass
class Section:
    id: str
    title: str
    body: str


@dataclass
class Context:
    res: dr.DriftResults
    argv: list[str]
    _arrays: dict = field(default_factory=dict)
    settings: list = field(default_factory=list)  # result files of the scenario under other settings

    def ts(self, strategy: str, metric: str) -> np.ndarray:
        """[replicate, week] city total."""
        key = ("ts", strategy, metric)
        if key not in self._arrays:
            self._arrays[key] = self.res.array(f"strategies/{strategy}/timeseries/{metric}")
        return self._arrays[key]

    def area(self, strategy: str, metric: str) -> np.ndarray:
        """[replicate, week, area]."""
        key = ("area", strategy, metric)
        if key not in self._arrays:
            self._arrays[key] = self.res.array(f"strategies/{strategy}/by_area/{metric}")
        return self._arrays[key]

    def iv(self, strategy: str, intervention: str, metric: str) -> np.ndarray:
        return self.res.array(f"strategies/{strategy}/interventions/{intervention}/{metric}")

    @property
    def others(self) -> list[str]:
        return [s for s in self.res.strategies if s != self.res.baseline]

    def colour(self, strategy: str) -> str:
        if strategy == self.res.baseline:
            return BASELINE_COLOUR
        return PALETTE[self.others.index(strategy) % len(PALETTE)]

    @property
    def horizon(self) -> str:
        return years_text(self.res.weeks)

    def label(self, strategy: str) -> str:
        return strategy.replace("_", " ")


def strategy_cell(ctx: Context, s: str) -> str:
    d = ctx.res.descriptions.get(s, "")
    desc = f'<div class="desc">{esc(d)}</div>' if d else ""
    return f'<td class="name"><b>{esc(s)}</b>{desc}</td>'


# --------------------------------------------------------------------------------- sections

def market_replacement(res) -> float | None:
    """market.replacement from the resolved scenario stored in the file (None when absent)."""
    text = getattr(res, "attrs", {}).get("scenario_yaml", "") or ""
    in_market = False
    for line in str(text).splitlines():
        if not line.startswith(" "):
            in_market = line.strip() == "market:"
            continue
        key, _, value = line.strip().partition(":")
        if in_market and key == "replacement":
            try:
                return float(value)
            except ValueError:
                return None
    return None


def drawn_replacement(res):
    """market.replacement per replicate when the run drew it from a posterior, else None."""
    drawn = getattr(res, "drawn_parameter", None)
    return drawn("market.replacement") if drawn else None


def market_assumption_html(res) -> str:
    """The market assumption the ranking rests on, in plain words."""
    drawn = drawn_replacement(res)
    if drawn is not None and len(drawn):
        return ('<p class="market"><b>The market assumption behind this ranking.</b> '
                "<code>market.replacement</code> (the share of the places a dealer leaves that other "
                "willing young people refill) was drawn for each run from the calibration posterior: "
                f"from {num(float(np.min(drawn)), 2)} to {num(float(np.max(drawn)), 2)} in these runs, "
                f"mean {num(float(np.mean(drawn)), 2)}. The register figures do not narrow it, so this "
                "ranking averages over an open question: whether a drug market replaces removed sellers "
                "fully, partly or not at all. The settings below hold it at each end.</p>")
    r = market_replacement(res)
    if r is None:
        return ""
    if r >= 1:
        meaning = ("full replacement: every place a dealer leaves is refilled from other willing young "
                   "people, so measures aimed at individual young people change who deals, not how many")
    elif r <= 0:
        meaning = ("no replacement: the number of dealers follows the supply of willing recruits, so "
                   "every young person kept out of dealing is one dealer fewer")
    else:
        meaning = (f"partial replacement: {round(100 * r)}% of the places a dealer leaves are refilled "
                   "from other willing young people and the rest disappear with the dealer, so measures "
                   "aimed at individual young people act on that rest only")
    return ('<p class="market"><b>The market assumption behind this ranking.</b> '
            f"<code>market.replacement</code> = {num(r, 2)}: {meaning}. Whether a drug market replaces "
            "removed sellers fully, partly or not at all is an open question; the ranking can change "
            "with it (run the reference settings in <code>scenarios/assumptions/</code> to see how).</p>")


def section_headline(ctx: Context) -> Section | None:
    res = ctx.res
    if not res.has_series:
        return None
    summ = res.summary()
    comp = res.comparisons()
    cpe = res.cost_per_entry_averted()

    def s_stat(strategy, outcome):
        d = summ[(summ.strategy == strategy) & (summ.outcome == outcome)]
        if d.empty:
            return math.nan, math.nan, math.nan
        r = d.iloc[0]
        return r["mean"], r["lo95"], r["hi95"]

    def c_stat(strategy, diff):
        d = comp[(comp.strategy == strategy) & (comp.difference == diff)]
        if d.empty:
            return math.nan, math.nan, math.nan
        r = d.iloc[0]
        return r["mean"], r["lo95"], r["hi95"]

    ranked = sorted(ctx.others, key=lambda s: -np.nan_to_num(c_stat(s, "entries_averted")[0], nan=-np.inf))
    base_cost = s_stat(res.baseline, "cost")[0]
    show_extra = _finite(base_cost) and base_cost != 0

    def diff_cell(strategy, key):
        m, lo, hi = c_stat(strategy, key)
        return cell(est_ci(m, lo, hi), key, m, lo, hi, "num " + verdict(lo, hi))

    headers = ["Rank", "Strategy",
               f"Young people who start dealing over {ctx.horizon}<br><small>youths, mean</small>",
               "Young people kept out of dealing<br><small>entries averted, youths (95% interval)</small>",
               "Years of dealing averted<br><small>youth-years (95% interval)</small>",
               "Detentions averted<br><small>detentions (95% interval)</small>",
               f"Total cost over {ctx.horizon}<br><small>euro</small>"]
    if show_extra:
        headers.append("Extra cost compared with the baseline<br><small>euro</small>")
    headers.append("Cost per young person kept out<br><small>euro per entry averted</small>")

    rows = []
    m, lo, hi = s_stat(res.baseline, "new_entries")
    bc = s_stat(res.baseline, "cost")[0]
    dash = cell("\u2013", cls="num")
    rows.append(
        f'<tr class="baseline" data-strategy="{esc(res.baseline)}"><td>\u2013</td>'
        f'{strategy_cell(ctx, res.baseline)}'
        + cell(est_ci(m, lo, hi), "new_entries", m, lo, hi)
        + dash * 3 + cell(euro(bc), "cost", bc) + (dash if show_extra else "") + dash + "</tr>")
    for rank, s in enumerate(ranked, 1):
        m, lo, hi = s_stat(s, "new_entries")
        cost = s_stat(s, "cost")[0]
        extra = c_stat(s, "extra_cost")[0]
        e_m, e_lo, e_hi = c_stat(s, "entries_averted")
        per = cpe.get(s, math.nan)
        per_text = euro(per)
        if _finite(per) and verdict(e_lo, e_hi) != "better":
            per_text += '<div class="ci">uncertain: effect not clear</div>'
        row = (f'<tr data-strategy="{esc(s)}"><td class="num">{rank}</td>{strategy_cell(ctx, s)}'
               + cell(est_ci(m, lo, hi), "new_entries", m, lo, hi)
               + diff_cell(s, "entries_averted") + diff_cell(s, "dealer_years_averted")
               + diff_cell(s, "detentions_averted") + cell(euro(cost), "cost", cost))
        if show_extra:
            row += cell(euro(extra), "extra_cost", extra)
        row += cell(per_text, "cost_per_entry_averted", per) + "</tr>"
        rows.append(row)

    sentences = []
    for s in ranked:
        e_m, e_lo, e_hi = c_stat(s, "entries_averted")
        extra = c_stat(s, "extra_cost")[0]
        cost = s_stat(s, "cost")[0]
        per = cpe.get(s, math.nan)
        v = verdict(e_lo, e_hi)
        name = f"<b>{esc(s)}</b>"
        if not (_finite(e_lo) and _finite(e_hi)):
            text = (f"Strategy {name}: {fewer_more(e_m)} young people start dealing over "
                    f"{ctx.horizon} than under the baseline, but with a single replicate the "
                    f"uncertainty of this number is unknown. It costs {about_euro(cost)} in total.")
        elif v == "better":
            if _finite(per) and extra > 0:
                cost_part = f"at a cost of about {about_euro(per)} per young person kept out"
            elif extra <= 0:
                cost_part = "at no extra cost"
            else:
                cost_part = f"at a total cost of {about_euro(cost)}"
            a_m, a_lo, a_hi = about_all(e_m, e_lo, e_hi)
            text = (f"Strategy {name} keeps about {a_m} young people out of dealing over "
                    f"{ctx.horizon} compared with the baseline (95% interval {a_lo} to "
                    f"{a_hi}), {cost_part}.")
        elif v == "worse":
            a_m, a_lo, a_hi = about_all(-e_m, -e_hi, -e_lo)
            text = (f"Strategy {name} leads to about {a_m} <em>more</em> young people "
                    f"starting to deal over {ctx.horizon} than the baseline (95% interval "
                    f"{a_lo} to {a_hi} more), at a total cost of {about_euro(cost)}.")
        else:
            text = (f"Strategy {name}: no clear difference in the number of young people who start "
                    f"dealing over {ctx.horizon} compared with the baseline (estimate: "
                    f"{fewer_more(e_m)}; 95% interval from {fewer_more(e_hi)} to "
                    f"{fewer_more(e_lo)}, which includes no change). It costs "
                    f"{about_euro(cost)} in total.")
        sentences.append(f'<li data-strategy="{esc(s)}" class="{v}">{text}</li>')

    if not ctx.others:
        m, lo, hi = s_stat(res.baseline, "new_entries")
        body = ("<p>The file holds only the baseline strategy, so there is nothing to compare. "
                "The outcome curves below show how the baseline develops.</p>"
                + table(headers[1:3], [f'<tr class="baseline" data-strategy="{esc(res.baseline)}">'
                                       f'{strategy_cell(ctx, res.baseline)}'
                                       + cell(est_ci(m, lo, hi), "new_entries", m, lo, hi) + "</tr>"],
                        "headline"))
        return Section("headline", "Which strategy keeps most young people out of dealing?", body)

    body = (
        market_assumption_html(res)
        + f"<p>Each strategy is compared with the baseline, <b>{esc(res.baseline)}</b>"
        + (f" ({esc(res.descriptions.get(res.baseline, ''))})" if res.descriptions.get(res.baseline) else "")
        + f", over the {ctx.horizon} after the strategies start. Strategies are ranked by the number "
        "of young people kept out of dealing, that is the fall in first entries into dealing. "
        "Green: the strategy does better than the baseline on that outcome (the whole 95% "
        "interval is above zero); red: worse; no colour: no clear difference.</p>"
        f'<ul class="sentences">{"".join(sentences)}</ul>'
        + table(headers, rows, "headline")
        + '<p class="note">Years of dealing: the number of young people dealing, added up over the '
        "weeks and divided by 52. Detentions: arrests that lead to detention (the others end in a "
        "dismissal, a settlement or a community sanction). Total cost: "
        "the one-off and weekly costs of the strategy's interventions over the whole period. Cost per "
        "young person kept out: the mean extra cost compared with the baseline divided by the mean "
        "number kept out; it is given only when entries are averted on average (its interval and "
        "whether the strategy is good value for money: see the next section). "
        "Negative numbers mean the strategy does worse than the baseline.</p>"
        + _sanction_line(res))
    return Section("headline", "Which strategy keeps most young people out of dealing?", body)


# ------------------------------------------------------------------ ranking and value for money

FRONTIER_WORDS = {
    "frontier": "worth considering: no other strategy or mix of two does more for less",
    "dominated": "dominated: another strategy does at least as much for less money",
    "extendedly_dominated": ("extendedly dominated: a mix of two other strategies would do more "
                             "for less money"),
}
RATIO_WORDS = {
    "effect_includes_zero": "no figure: the effect is not clear (its interval includes 0)",
    "effect_below_zero": "no figure: worse than the baseline",
    "single_replicate": "no figure: one replicate only",
    "baseline": "\u2013",
}


def uncertainty_text(decision) -> str:
    if decision.parameter_uncertainty:
        return ("<b>What the intervals include.</b> The runs draw their parameters from the "
                "calibration posterior (replicate <i>r</i> of every strategy uses the same draw), so "
                "the shares and intervals include uncertainty about the model's parameters as well as "
                "chance.")
    return ("<b>What the intervals include.</b> Only chance (Monte Carlo noise) at one fixed set of "
            "parameters: every run uses the same parameter values, so uncertainty about those values "
            "is <em>not</em> in these shares and intervals (run with <code>--posterior</code> to "
            "include it).")


def assumptions_box(ctx: Context, decision) -> str:
    market = market_assumption_html(ctx.res) or (
        '<p class="market"><b>The market assumption behind this ranking.</b> The file does not '
        "state <code>market.replacement</code>.</p>")
    setting = str(ctx.res.attrs.get("assumptions", "") or "")
    named = (f"<p><b>Assumption setting.</b> {esc(setting)}.</p>" if setting else "")
    return (f'<aside class="assumptions"><h3>What this ranking rests on</h3>{market}{named}'
            f"<p>{uncertainty_text(decision)}</p></aside>")


def _ratio_cell(row, per: str) -> str:
    status = row["ratio_status"]
    if status != "estimated":
        return cell(RATIO_WORDS.get(status, esc(status)), f"cost_per_{per}", cls="num unclear")
    m, lo, hi = row["cost_per_unit"], row["cost_per_unit_lo95"], row["cost_per_unit_hi95"]
    if _finite(lo) and math.isfinite(hi):
        ci = f"{euro(lo)} to {euro(hi)}"
    elif _finite(lo):
        ci = f"{euro(lo)} to no upper limit"
    else:
        ci = "no interval (computed from an older file)"
    return cell(f'{euro(m)}<div class="ci">{ci}</div>', f"cost_per_{per}", m, lo, hi)


def _acceptability_figure(ctx: Context, decision) -> str:
    wtp, prob = decision.willingness_to_pay, decision.acceptability
    keep = wtp > 0
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    for i, s in enumerate(decision.strategies):
        ax.plot(wtp[keep], prob[keep, i], color=ctx.colour(s), lw=2 if i else 1.5,
                ls="--" if s == ctx.res.baseline else "-", label=ctx.label(s))
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("what the city is willing to pay per young person kept out of dealing (euro)")
    ax.set_ylabel("share of runs: best buy")
    ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    tight_layout(fig)
    at_zero = ", ".join(f"{esc(s)} {num(100 * p, 0)}%" for s, p in
                        zip(decision.strategies, prob[0]) if p > 0)
    return img(fig, "Acceptability curve",
               "For each amount the city is willing to pay per young person kept out of dealing, "
               "the share of runs in which each strategy gives the most for the money (the highest "
               "value of young people kept out minus extra cost; the baseline counts 0). At "
               f"\u20ac0 (not on the log scale): {at_zero}.")


def section_ranking(ctx: Context) -> Section | None:
    res = ctx.res
    if not res.has_series or not ctx.others:
        return None
    d = res.decision()
    n = d.replicates
    entries = d.outcomes["entries_averted"]
    years = d.outcomes["dealer_years_averted"]
    ranks = d.rank_probability["entries_averted"]
    order = sorted(range(len(d.strategies)), key=lambda i: -entries["best_probability"][i])
    sentences = []
    for i in order:
        s, p = d.strategies[i], float(entries["best_probability"][i])
        if p <= 0:
            continue
        runs = p * n
        whole = abs(runs - round(runs)) < 1e-9
        runs_text = f"{num(runs, 0)} of {n} runs" if whole else (
            f"about {num(runs, 0)} of {n} runs (a run where it ties counts in part)")
        what = ("Doing nothing new (the baseline)" if s == res.baseline else f"Strategy <b>{esc(s)}</b>")
        sentences.append(f'<li data-ranked="{esc(s)}" data-best="{repr(p)}">{what} is the most '
                         f"effective in {runs_text}.</li>")
    never = [esc(d.strategies[i]) for i in order if entries["best_probability"][i] <= 0]
    if never:
        sentences.append(f"<li>Never the most effective: {', '.join(never)}.</li>")
    headers = ["Strategy"] + [f"Rank {k + 1}" for k in range(len(d.strategies))]
    rank_rows = []
    for i in order:
        s = d.strategies[i]
        cls = ' class="baseline"' if s == res.baseline else ""
        rank_rows.append(f'<tr{cls} data-strategy="{esc(s)}"><td>{esc(s)}</td>'
                         + "".join(cell(f"{num(100 * ranks[i, k], 0)}%", f"rank_{k + 1}", ranks[i, k])
                                   for k in range(len(d.strategies))) + "</tr>")
    vheaders = ["Strategy",
                "Young people kept out of dealing<br><small>entries averted (95% interval)</small>",
                "Extra cost<br><small>euro, mean</small>",
                "Cost per young person kept out<br><small>euro per entry averted (95% interval)</small>",
                "Cost per year of dealing averted<br><small>euro per dealer-year (95% interval)</small>",
                "Value for money<br><small>cost-effectiveness frontier</small>"]
    vrows = []
    by_effect = sorted(range(len(d.strategies)), key=lambda i: entries["effect"][i])
    for i in by_effect:
        s, row, yrow = d.strategies[i], entries.iloc[i], years.iloc[i]
        status = row["frontier_status"]
        words = FRONTIER_WORDS.get(status, esc(status))
        if status == "frontier" and row["frontier_previous"]:
            words += (f"; {about_euro(row['frontier_icer'])} per extra young person kept out compared "
                      f"with {esc(row['frontier_previous'])}")
        cls = ' class="baseline"' if s == res.baseline else ""
        vrows.append(
            f'<tr{cls} data-strategy="{esc(s)}" data-frontier="{esc(status)}"><td>{esc(s)}</td>'
            + (cell("\u2013") if s == res.baseline else
               cell(est_ci(row["effect"], row["effect_lo95"], row["effect_hi95"]), "entries_averted",
                    row["effect"], row["effect_lo95"], row["effect_hi95"]))
            + cell(euro(row["extra_cost"]), "extra_cost", row["extra_cost"])
            + _ratio_cell(row, "entry") + _ratio_cell(yrow, "dealer_year")
            + f'<td class="frontier {esc(status)}">{words}</td></tr>')
    method = ("a percentile bootstrap over the runs (2,000 resamples of whole runs)" if d.stored
              else "not available for this older file")
    body = (
        '<div class="ranking">'
        f'<div class="ranking-main"><p>In how many of the {n} runs is each strategy the one that keeps '
        "most young people out of dealing (the largest fall in first entries compared with the "
        "baseline)? Run <i>r</i> of every strategy shares its chance events with run <i>r</i> of the "
        "baseline, so the strategies are ranked run by run. The baseline counts as a strategy that "
        f"changes nothing.</p><ul class=\"sentences\">{''.join(sentences)}</ul>"
        + table(headers, rank_rows, "ranks")
        + '<p class="note">Share of runs in which the strategy has each rank (rank 1: keeps most young '
        "people out). Runs in which two strategies keep out exactly as many share the ranks.</p>"
        "</div>" + assumptions_box(ctx, d) + "</div>"
        "<h3>Value for money</h3>"
        "<p>What each strategy costs per young person kept out of dealing, and which strategies are "
        "worth considering at all. A strategy is <b>dominated</b> when another does at least as much "
        "for less money; <b>extendedly dominated</b> when splitting the budget between two other "
        "strategies would do more for less. The remaining strategies form the <b>frontier</b>: going "
        "along it, each step keeps more young people out at the extra cost per young person shown. "
        "The cost per young person is given only where the strategy clearly keeps young people out "
        "(its 95% interval lies above zero); otherwise the table says so instead of showing a "
        f"number. Intervals of the cost figures: {method}.</p>"
        + table(vheaders, vrows, "value")
        + _acceptability_figure(ctx, d)
        + "<p class=\"note\">Frontier and costs use the mean over runs. Extra cost: the strategy's "
        "cost minus the baseline's over the whole period.</p>")
    return Section("ranking", "How sure is the ranking, and what is good value for money?", body)


def _setting_name(res) -> str:
    a = res.attrs
    return str(a.get("assumptions") or a.get("scenario_name")
               or os.path.splitext(os.path.basename(res.path))[0])


def check_setting(main, other) -> None:
    """A further result file of the same scenario under another setting, or DriftResultError."""
    p = other.path
    if other.is_sweep or not other.has_series:
        raise dr.DriftResultError(f"{p}: a sweep file, not a run of the scenario under a setting")
    if list(other.strategies) != list(main.strategies) or other.baseline != main.baseline:
        raise dr.DriftResultError(f"{p}: other strategies ({', '.join(other.strategies)}) than "
                                  f"{main.path} ({', '.join(main.strategies)})")
    same_name = ("assumptions" not in main.attrs or "assumptions" not in other.attrs
                 or main.attrs.get("scenario_name") == other.attrs.get("scenario_name"))
    if (not same_name or list(other.areas) != list(main.areas) or other.weeks != main.weeks):
        raise dr.DriftResultError(
            f"{p}: another scenario ({other.attrs.get('scenario_name', '?')}: "
            f"{len(other.areas)} districts, {other.weeks} weeks) than {main.path} "
            f"({main.attrs.get('scenario_name', '?')}: {len(main.areas)} districts, {main.weeks} weeks)")


def section_settings(ctx: Context) -> Section | None:
    if not ctx.settings:
        return None
    runs = [ctx.res] + list(ctx.settings)
    strategies = [s for s in ctx.res.strategies if s != ctx.res.baseline]
    headers = ["Setting"] + [esc(s) for s in strategies]
    rows = []
    for res in runs:
        d = res.decision()
        t = d.outcomes["entries_averted"].set_index("strategy")
        name = _setting_name(res)
        drawn = drawn_replacement(res)
        r = market_replacement(res)
        if drawn is not None and len(drawn):
            label = esc(name) + ('<div class="desc">market.replacement drawn from the posterior '
                                 f"({num(float(np.min(drawn)), 2)}-{num(float(np.max(drawn)), 2)})</div>")
        else:
            label = esc(name) + (f'<div class="desc">market.replacement {num(r, 2)}</div>' if r is not None else "")
        # Settings may be run with fewer replicates than the main comparison (make demo
        # MARKET_END_REPLICATES=...): their intervals are wider, and the count says why.
        label += f'<div class="desc">{res.replicates} replicate{"s" if res.replicates != 1 else ""}</div>'
        best = max(strategies, key=lambda s: t.loc[s, "best_probability"])
        cells = []
        for s in strategies:
            m, lo, hi, p = (t.loc[s, "effect"], t.loc[s, "effect_lo95"], t.loc[s, "effect_hi95"],
                            t.loc[s, "best_probability"])
            mark = " best" if s == best else ""
            cells.append(cell(f'{est_ci(m, lo, hi)}<div class="pbest">most effective in '
                              f"{num(100 * p, 0)}% of runs</div>", "entries_averted", m, lo, hi,
                              "num " + verdict(lo, hi) + mark)
                         .replace("<td ", f'<td data-best="{repr(float(p))}" ', 1))
        rows.append(f'<tr data-setting="{esc(name)}"><td>{label}</td>{"".join(cells)}</tr>')
    body = ("<p>The same strategies, run under each named assumption setting (one result file per "
            "setting). If the ranking changes between rows, the advice depends on that assumption; "
            "the setting that fits the city best is a judgement the model cannot make.</p>"
            + table(headers, rows, "settings")
            + '<p class="note">Each cell: young people kept out of dealing compared with the '
            "baseline of the same setting (first entries averted, mean and 95% interval), and the "
            "share of runs in which the strategy keeps most young people out; the shares of a row "
            "add up to less than 100% when the baseline itself comes out best in some runs. Bold: "
            "the strategy most often the most effective under that setting.</p>")
    return Section("settings", "Does the ranking hold under other assumptions?", body)


SANCTIONS = (("dismissals", "dismissed"), ("settlements", "settled out of court or fined"),
             ("community_sanctions", "given a community sanction"), ("detentions", "detained"))


def _sanction_line(res: dr.DriftResults) -> str:
    """What the baseline's arrests led to, as shares of all its arrests; '' when not recorded."""
    names = [m for m, _ in SANCTIONS]
    if any(m not in res.metrics for m in names):
        return ""
    try:
        ts = res.timeseries(names, strategies=[res.baseline])
    except dr.DriftResultError:
        return ""
    totals = ts.groupby("metric")["value"].sum()
    total = float(totals.sum())
    if not total > 0:
        return ""
    parts = [f"{100 * float(totals.get(m, 0.0)) / total:.0f}% {what}" for m, what in SANCTIONS]
    return ('<p class="note">What arrests led to in the baseline (all replicates): '
            + ", ".join(parts) + ".</p>")


def _band(arr: np.ndarray):
    """Median and 5%-95% band over replicates (axis 0)."""
    return (np.median(arr, axis=0), np.percentile(arr, 5, axis=0), np.percentile(arr, 95, axis=0))


def _per_year(arr: np.ndarray, min_weeks: int = 13):
    """Weekly flow [replicate, week] -> totals per year of the horizon [replicate, year].

    Returns (x, values, partial): x the middle of each year in years; a last incomplete year of at
    least `min_weeks` weeks is included, scaled to a full year, and flagged in `partial`.
    """
    weeks = arr.shape[1]
    xs, cols, partial = [], [], []
    for start in range(0, weeks, WEEKS_PER_YEAR):
        n = min(WEEKS_PER_YEAR, weeks - start)
        if n < min_weeks:
            break
        cols.append(arr[:, start:start + n].sum(axis=1) * (WEEKS_PER_YEAR / n))
        xs.append((start + n / 2) / WEEKS_PER_YEAR)
        partial.append(n < WEEKS_PER_YEAR)
    if not cols:   # horizon shorter than min_weeks: one scaled bin
        cols.append(arr.sum(axis=1) * (WEEKS_PER_YEAR / max(weeks, 1)))
        xs.append(weeks / 2 / WEEKS_PER_YEAR)
        partial.append(True)
    return np.array(xs), np.stack(cols, axis=1), np.array(partial)


def _grid(n: int, max_cols: int = 4, w: float = 3.3, h: float = 2.6, sharey=True):
    cols = min(max_cols, max(n, 1))
    rows = math.ceil(max(n, 1) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(max(w * cols, 5.5), h * rows + 0.4), squeeze=False,
                             sharex=True, sharey=sharey)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    first_col = [axes[r, 0] for r in range(rows)]
    return fig, list(axes.flat)[:max(n, 1)], first_col


def _yearly_plot(ax, x, values, colour, label, offset=0.0, hollow=None):
    m, lo, hi = _band(values)
    ax.errorbar(x + offset, m, yerr=[m - lo, hi - m], fmt="-", color=colour, linewidth=1.4,
                capsize=2, elinewidth=1, label=label)
    full = ~hollow if hollow is not None else np.ones_like(x, dtype=bool)
    ax.plot((x + offset)[full], m[full], "o", color=colour, markersize=4)
    if hollow is not None and hollow.any():
        ax.plot((x + offset)[hollow], m[hollow], "o", markerfacecolor="white", color=colour, markersize=4)


def section_curves(ctx: Context) -> Section | None:
    res = ctx.res
    if not res.has_series:
        return None
    weeks = res.weeks
    x = (np.arange(weeks) + 1) / WEEKS_PER_YEAR
    shown = ctx.others or [res.baseline]
    base_label = res.baseline if res.baseline == "baseline" else f"{res.baseline} (baseline)"
    parts = [
        "<p>Each panel shows one strategy (in colour) against the baseline (grey). The line is the "
        f"median over the {res.replicates} replicates; the shaded band (or the bars, for yearly "
        "numbers) holds the middle 90% of the replicates (from the 5th to the 95th percentile), "
        "showing how much the outcome varies from run to run. The horizontal axis counts years "
        "since the strategies started. The last figure shows the change compared with the "
        "baseline directly.</p>"]
    partial_note = ""
    for metric, title, ylabel, kind in CURVES:
        if metric not in res.metrics:
            continue
        units = "youths per year" if kind == "rate" else res.units(metric)
        fig, axes, first_col = _grid(len(shown))
        base = ctx.ts(res.baseline, metric)
        if kind == "rate":
            xb, bvals, partial = _per_year(base)
            if partial.any():
                partial_note = (" An open circle marks an incomplete last year, scaled to a full "
                                "year.")
        else:
            bm, blo, bhi = _band(base)
        for ax, s in zip(axes, shown):
            if kind == "rate":
                _yearly_plot(ax, xb, bvals, BASELINE_COLOUR, base_label, -0.06, partial)
            else:
                ax.fill_between(x, blo, bhi, color=BASELINE_COLOUR, alpha=0.25, linewidth=0)
                ax.plot(x, bm, color=BASELINE_COLOUR, linewidth=1.4, label=base_label)
            if s != res.baseline:
                a = ctx.ts(s, metric)
                if kind == "rate":
                    _yearly_plot(ax, xb, _per_year(a)[1], ctx.colour(s), s, 0.06, partial)
                else:
                    m, lo, hi = _band(a)
                    ax.fill_between(x, lo, hi, color=ctx.colour(s), alpha=0.25, linewidth=0)
                    ax.plot(x, m, color=ctx.colour(s), linewidth=1.6, label=s)
            ax.set_title(ctx.label(s), fontsize=10)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7, loc="best", frameon=False)
        for ax in axes:
            ax.tick_params(labelsize=8, labelbottom=True)
            ax.set_xlabel("years since start", fontsize=8)
            ax.set_xlim(0, x[-1] if weeks else 1)
            if kind == "rate":
                ax.set_ylim(bottom=0)
        for ax in first_col:
            ax.set_ylabel(f"{ylabel}\n({units})", fontsize=8)
        fig.suptitle(f"{title} ({units})", fontsize=11)
        tight_layout(fig)
        if kind == "rate":
            cap = (f"{esc(title)}: first entries into dealing in each year of the period, in "
                   f"{esc(units)}; median (points) and middle 90% of the replicates (bars)."
                   + partial_note)
        else:
            cap = (f"{esc(title)}, in {esc(units)}, week by week; median and middle 90% of the "
                   "replicates. The vertical axis need not start at zero, so that differences show.")
        parts.append(f"<h3>{esc(title)}</h3>" + img(fig, f"{title} over time per strategy", cap))
    if ctx.others:
        parts.append(_difference_figure(ctx, x))
    return Section("over-time", "How the numbers develop over time", "".join(parts))


def _difference_figure(ctx: Context, x: np.ndarray) -> str:
    """Paired change against the baseline over time, all strategies in one panel per outcome."""
    res = ctx.res
    curves = [c for c in CURVES if c[0] in res.metrics]
    fig, axes, first_col = _grid(len(curves), max_cols=2, w=5.4, h=3.0, sharey=False)
    for ax, (metric, title, ylabel, kind) in zip(axes, curves):
        base = ctx.ts(res.baseline, metric)
        ax.axhline(0, color=BASELINE_COLOUR, linewidth=1.2)
        for s in ctx.others:
            a = ctx.ts(s, metric)
            if kind == "rate":
                xb, bv, partial = _per_year(base)
                d = _per_year(a)[1] - bv
                ax.plot(xb, np.median(d, axis=0), "o-", color=ctx.colour(s), markersize=3,
                        linewidth=1.3, label=s)
            else:
                ax.plot(x, np.median(a - base, axis=0), color=ctx.colour(s), linewidth=1.3, label=s)
        units = "youths per year" if kind == "rate" else res.units(metric)
        ax.set_title(f"{title}: change", fontsize=10)
        ax.set_ylabel(f"strategy minus baseline\n({units})", fontsize=8)
        ax.set_xlabel("years since start", fontsize=8)
        ax.tick_params(labelsize=8, labelbottom=True)
        ax.grid(alpha=0.3)
        ax.set_xlim(0, x[-1] if len(x) else 1)
    handles, labels = axes[0].get_legend_handles_labels()
    legend_rows = math.ceil(len(labels) / 4)
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig.suptitle("Change compared with the baseline (median over replicates, paired run by run)",
                 fontsize=11)
    tight_layout(fig, rect=(0, 0.045 * legend_rows * 6.4 / fig.get_figheight(), 1, 1))
    return ("<h3>Change compared with the baseline</h3>" + img(
        fig, "Change in each outcome compared with the baseline over time, per strategy",
        "Each line: the strategy's value minus the baseline's in the same replicate, median over "
        "replicates. Above zero: more than under the baseline (good for jobs, bad for dealing, "
        "new entries and detention)."))


def section_districts(ctx: Context) -> Section | None:
    res = ctx.res
    if not res.has_series:
        return None
    if "dealing" not in res.area_metrics or not res.areas:
        return None
    areas = res.areas
    base = ctx.area(res.baseline, "dealing").sum(axis=1) / WEEKS_PER_YEAR     # [replicate, area]
    others = ctx.others
    if not others:
        rows = [f"<tr><td>{esc(a)}</td>" + cell(num(base[:, k].mean()), "baseline_dealer_years", base[:, k].mean())
                + "</tr>" for k, a in enumerate(areas)]
        body = ("<p>Years spent dealing per district under the baseline (youth-years, mean over "
                "replicates).</p>" + table(["District", "Years of dealing (youth-years)"], rows))
        return Section("districts", "Differences between districts", body)
    stats = {}   # strategy -> list of (mean, lo, hi) per area
    for s in others:
        per = base - ctx.area(s, "dealing").sum(axis=1) / WEEKS_PER_YEAR          # paired per replicate
        stats[s] = [dr.mean_interval(per[:, k]) for k in range(len(areas))]
    means = np.array([[stats[s][k][0] for k in range(len(areas))] for s in others])

    fig_w = max(5.5, 1.3 + 0.85 * len(areas))
    fig_h = max(2.4, 1.2 + 0.45 * len(others))
    fig, ax = plt.subplots(figsize=(fig_w, fig_h))
    lim = float(np.nanmax(np.abs(means))) if np.isfinite(means).any() else 1.0
    lim = lim if lim > 0 else 1.0
    im = ax.imshow(means, cmap="PiYG", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(len(areas)), labels=areas, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(len(others)), labels=[ctx.label(s) for s in others], fontsize=8)
    ax.set_xlabel("district", fontsize=9)
    ax.set_ylabel("strategy", fontsize=9)
    for i in range(len(others)):
        for k in range(len(areas)):
            v = means[i, k]
            ax.text(k, i, num(v, 0 if abs(v) >= 100 else 1), ha="center", va="center", fontsize=7,
                    color="white" if abs(v) > 0.6 * lim else "black")
    cb = fig.colorbar(im, ax=ax, shrink=0.9)
    cb.set_label("dealer-years averted\n(youth-years)", fontsize=8)
    cb.ax.tick_params(labelsize=7)
    ax.set_title(f"Years of dealing averted per district over {ctx.horizon}, compared with the baseline",
                 fontsize=10)
    tight_layout(fig)

    headers = ["District", f"Baseline: years of dealing<br><small>youth-years over {ctx.horizon}</small>"] + [
        f"{esc(s)}<br><small>youth-years averted (95% interval)</small>" for s in others]
    rows = []
    for k, a in enumerate(areas):
        r = f'<tr data-area="{esc(a)}"><td class="name">{esc(a)}</td>' + cell(
            num(base[:, k].mean()), "baseline_dealer_years", base[:, k].mean())
        for s in others:
            m, lo, hi = stats[s][k]
            r += cell(est_ci(m, lo, hi),
                      f"dealer_years_averted:{s}", m, lo, hi, "num " + verdict(lo, hi))
        rows.append(r + "</tr>")
    body = (
        "<p>Where do the strategies make a difference? For each district, the years young people "
        "living there spend dealing under the baseline, minus the same under the strategy, compared "
        "run by run (each strategy's replicate uses the same random numbers as the baseline's). "
        "Green: fewer years of dealing than under the baseline; pink: more.</p>"
        + img(fig, "Heatmap of dealer-years averted per district and strategy",
              "Mean dealer-years averted per district (youth-years) over replicates. Positive: less "
              "dealing than under the baseline.")
        + table(headers, rows, "districts")
        + '<p class="note">Districts are where the young people live; dealing may take place elsewhere. '
        "Green and red cells in the table: the 95% interval lies wholly above or below zero.</p>")
    return Section("districts", "Differences between districts", body)


def _pair_label(s: str, i: str) -> str:
    return i if s == i else f"{s}: {i}"


def section_market(ctx: Context) -> Section | None:
    """How full the dealing places are and how long a vacated place stays open, per district."""
    res = ctx.res
    if not res.has_series or "filled_share" not in res.area_metrics or not res.areas:
        return None
    vac = res.vacancy_weeks([res.baseline])
    if vac.empty:
        return None
    filled = ctx.area(res.baseline, "filled_share").mean(axis=(0, 1))          # [area]
    weeks = vac.groupby("area", sort=False)["value"].mean()
    rows = []
    for k, a in enumerate(res.areas):
        w = float(weeks.get(a, float("nan")))
        rows.append(f'<tr data-area="{esc(a)}"><td class="name">{esc(a)}</td>'
                    + cell(num(100 * filled[k], 0) + "%", "filled_share", filled[k])
                    + cell(num(w, 1) if np.isfinite(w) else "no place filled", "vacancy_weeks", w)
                    + "</tr>")
    body = ("<p>How tight the drug market is under the baseline: the share of the fixed dealing "
            "places of networks active in each district that are filled, and how many weeks a "
            "place that falls vacant stays open before another young person takes it (mean over "
            "the period and the runs). A full market with short vacancies refills quickly what "
            "enforcement removes.</p>"
            + table(["District", "Places filled", "Weeks a vacant place stays open"], rows, "market"))
    return Section("market", "The drug market in each district", body)


def section_interventions(ctx: Context) -> Section | None:
    res = ctx.res
    if not res.has_series:
        return None
    pairs = [(s, i) for s in res.strategies for i in res.intervention_names.get(s, [])]
    if not pairs:
        return None
    x = (np.arange(res.weeks) + 1) / WEEKS_PER_YEAR
    headers = ["Strategy", "Intervention", "Delivery",
               f"Young people taken in<br><small>youths over {ctx.horizon}</small>",
               "Places<br><small>places, weekly average</small>",
               "Served or reached<br><small>youths, weekly average</small>",
               "Places in use<br><small>% of places, weekly average</small>",
               "Waiting list<br><small>youths, weekly average</small>",
               "Waiting list at the end<br><small>youths</small>",
               "Wait before intake<br><small>weeks, average</small>",
               f"Running cost<br><small>euro over {ctx.horizon}</small>"]
    rows, caseload, coverage = [], [], []
    for s, i in pairs:
        d = {m: ctx.iv(s, i, m) for m in ("capacity", "served", "enrolled", "waiting",
                                          "mean_wait", "cost", "eligible")}
        is_coverage = not d["capacity"].any() and not d["enrolled"].any()
        (coverage if is_coverage else caseload).append((s, i, d))
        taken = d["enrolled"].sum(axis=1).mean()
        places = d["capacity"].mean()
        served = d["served"].mean()
        used = 100.0 * d["served"].sum() / d["capacity"].sum() if d["capacity"].sum() > 0 else math.nan
        waiting = d["waiting"].mean()
        waiting_end = d["waiting"][:, -1].mean() if res.weeks else math.nan
        enrolled_total = d["enrolled"].sum()
        wait = (d["mean_wait"] * d["enrolled"]).sum() / enrolled_total if enrolled_total > 0 else math.nan
        cost = d["cost"].sum(axis=1).mean()
        itype = res.intervention_types[s].get(i, i)
        type_note = f'<div class="desc">type {esc(itype)}</div>' if itype != i else ""
        na = cell("\u2013")
        rows.append(
            f'<tr data-strategy="{esc(s)}" data-intervention="{esc(i)}"><td class="name">{esc(s)}</td>'
            f"<td>{esc(i)}{type_note}</td>"
            f"<td>{'coverage' if is_coverage else 'places (caseload)'}</td>"
            + (na if is_coverage else cell(num(taken), "enrolled_total", taken))
            + (na if is_coverage else cell(num(places), "capacity_mean", places))
            + cell(num(served), "served_mean", served)
            + (na if is_coverage else cell(num(used, 0) + "%", "capacity_used_percent", used))
            + (na if is_coverage else cell(num(waiting), "waiting_mean", waiting))
            + (na if is_coverage else cell(num(waiting_end), "waiting_end", waiting_end))
            + (na if is_coverage else cell(num(wait), "mean_wait", wait))
            + cell(euro(cost), "cost", cost) + "</tr>")

    def style(ax):
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("years since start", fontsize=8)

    figs = []
    if caseload:
        fig, axes = plt.subplots(len(caseload), 3, figsize=(11, 2.8 * len(caseload) + 0.5),
                                 squeeze=False)
        for (s, i, d), (ax1, ax2, ax3) in zip(caseload, axes):
            col = ctx.colour(s)
            label = _pair_label(s, i)
            m, lo, hi = _band(d["served"])
            ax1.fill_between(x, lo, hi, color=col, alpha=0.2, linewidth=0)
            ax1.plot(x, m, color=col, linewidth=2.2, label="served")
            m, lo, hi = _band(d["capacity"])
            ax1.plot(x, m, "--", color="black", linewidth=1.1, label="places")
            ax1.set_title(f"{label}\nplaces and young people served", fontsize=9)
            ax1.set_ylabel("youths or places", fontsize=8)
            ax1.legend(fontsize=7, frameon=False, loc="lower right")
            m, lo, hi = _band(np.cumsum(d["enrolled"], axis=1))
            ax2.fill_between(x, lo, hi, color=col, alpha=0.2, linewidth=0)
            ax2.plot(x, m, color=col, linewidth=1.5)
            ax2.set_title(f"{label}\ntaken in since the start", fontsize=9)
            ax2.set_ylabel("youths (total)", fontsize=8)
            m, lo, hi = _band(d["waiting"])
            ax3.fill_between(x, lo, hi, color=col, alpha=0.2, linewidth=0)
            ax3.plot(x, m, color=col, linewidth=1.5)
            ax3.set_title(f"{label}\nwaiting list", fontsize=9)
            ax3.set_ylabel("youths waiting", fontsize=8)
            for ax in (ax1, ax2, ax3):
                style(ax)
        fig.suptitle("Interventions with a fixed number of places", fontsize=11)
        tight_layout(fig)
        figs.append("<h3>Interventions with a fixed number of places</h3>" + img(
            fig, "Places, intake and waiting lists of the caseload interventions over time",
            "One row per strategy and intervention (strategy: intervention). Median over replicates "
            "with the middle 90% shaded. Places: places available that week; served: young people "
            "in the programme that week; taken in: all intakes since the start; waiting list: "
            "eligible young people not (yet) served."))
    if coverage:
        fig, axes, first_col = _grid(len(coverage), max_cols=4, w=2.9, h=2.6, sharey=False)
        for (s, i, d), ax in zip(coverage, axes):
            col = ctx.colour(s)
            for key, ls, lab in (("eligible", "--", "eligible"), ("served", "-", "reached")):
                m, lo, hi = _band(d[key])
                ax.fill_between(x, lo, hi, color=col, alpha=0.2, linewidth=0)
                ax.plot(x, m, ls, color=col, linewidth=1.5, label=lab)
            ax.set_title(_pair_label(s, i), fontsize=9)
            ax.legend(fontsize=7, frameon=False, loc="lower right")
            style(ax)
            ax.tick_params(labelbottom=True)
        for ax in first_col:
            ax.set_ylabel("youths", fontsize=8)
        fig.suptitle("Interventions that reach everyone eligible within their coverage", fontsize=11)
        tight_layout(fig)
        figs.append("<h3>Interventions that reach everyone eligible within their coverage</h3>" + img(
            fig, "Young people eligible for and reached by the coverage interventions over time",
            "One panel per strategy and intervention (strategy: intervention). Eligible: young "
            "people meeting the intervention's conditions; reached: those within its coverage. "
            "These interventions have no intake, no places and no waiting list. Median over "
            "replicates with the middle 90% shaded."))
    fixed = res.fixed_costs().groupby("strategy")["value"].mean()
    fixed_note = ""
    if (fixed.abs() > 0).any():
        fixed_note = " One-off costs, not shown per intervention: " + ", ".join(
            f"{esc(s)} {euro(v)}" for s, v in fixed.items() if v) + "."
    body = (
        "<p>How much each intervention is used: how many young people it takes in, whether its "
        "places are full, and how long the waiting list is. Interventions with a fixed number of "
        "places (mentors, job coaches) have a caseload; the others reach every eligible young "
        "person within their coverage, so they have no waiting list.</p>"
        + table(headers, rows, "interventions")
        + f'<p class="note">Averages are over weeks and replicates. Wait before intake: average '
        f"weeks waited by the young people taken in. Running cost: weekly costs added up over the "
        f"period (mean over replicates).{fixed_note}</p>"
        + "".join(figs))
    return Section("interventions", "Use of the interventions: intake, waiting lists and places", body)


# ------------------------------------------------------------------- sweeps and sensitivity
#
# A sweep file (`drift run` on a scenario with a `sweep:` section) has no weekly series; it holds
# /sweep/points [point, parameter] with /sweep/parameter_names, the outcomes per strategy, point
# and replicate under /sweep/outcomes/<strategy>/<outcome> and the paired differences under
# /sweep/comparisons/<strategy>/<difference>, and for Sobol designs the indices under
# /sensitivity/<strategy>/<outcome>/{first_order,total_order}[_lo95,_hi95] [parameter].

# Units of intervention settings (docs/scenario.md); model parameters are looked up in
# docs/parameters.md when the report runs from the source tree.
SETTING_UNITS = {
    "workers": "workers", "caseload": "youths per worker", "duration_weeks": "weeks",
    "ramp_up_weeks": "weeks", "start_week": "week", "end_week": "week", "clean_weeks": "weeks",
    "coverage": "share", "network_capacity": "multiplier", "network_earnings": "multiplier",
    "min_age": "years", "max_age": "years", "min_risk": "SD",
    "per_worker_week": "euro per worker-week", "per_enrolled_youth": "euro per youth",
    "per_served_week": "euro per youth-week", "per_week": "euro per week", "fixed": "euro",
}


def _parameter_units() -> dict:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "parameters.md")
    units = {}
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if len(cells) >= 2 and cells[0].startswith("`") and cells[0].endswith("`"):
                    units[cells[0].strip("`")] = cells[1]
    except OSError:
        pass
    return units


def parameter_label(path: str, units: dict) -> str:
    """A swept path with its unit, e.g. 'strategies.mentors.mentors.workers (workers)'."""
    unit = units.get(path)
    if unit is None and path.startswith("strategies."):
        last = path.rsplit(".", 1)[-1]
        unit = "multiplier" if ".effects." in path else SETTING_UNITS.get(last)
    return f"{path} ({unit})" if unit and unit != "-" else path


def _sweep_keys(res, stats) -> list[tuple[str, str, str, str]]:
    """(strategy, kind, name, title) of the outcomes shown for a sweep."""
    keys = []
    for s in res.strategies:
        if s == res.baseline:
            continue
        for name, title in (("entries_averted", "young people kept out of dealing"),
                            ("dealer_years_averted", "years of dealing averted"),
                            ("extra_cost", "extra cost")):
            if (s, "comparisons", name) in stats:
                keys.append((s, "comparisons", name, title))
    for name, title in (("new_entries", "young people who start dealing"),
                        ("dealer_years", "years of dealing")):
        k = (res.baseline, "outcomes", name)
        if k in stats:
            means = stats[k]["mean"]
            if len(keys) == 0 or np.nanmax(means) - np.nanmin(means) > 1e-9 * max(1.0, np.nanmax(np.abs(means))):
                keys.append((res.baseline, "outcomes", name, title))
    return keys


def _sweep_stats(res) -> dict:
    """(strategy, 'outcomes'|'comparisons', name) -> dict(mean, lo, hi, units) arrays over points."""
    out = {}
    for kind, df, col in (("outcomes", res.sweep_outcomes(), "outcome"),
                          ("comparisons", res.sweep_comparisons(), "difference")):
        for (s, name), d in df.groupby(["strategy", col], sort=False):
            arr = d.pivot(index="point", columns="replicate", values="value").sort_index().to_numpy()
            m = np.array([dr.mean_interval(row) for row in arr]).reshape(-1, 3)
            out[(s, kind, name)] = {"mean": m[:, 0], "lo": m[:, 1], "hi": m[:, 2],
                                    "units": d["units"].iloc[0], "values": arr}
    return out


def param_value(v) -> str:
    """A parameter value: whole numbers as such, others with four significant digits."""
    if not _finite(v):
        return "\u2013"
    if float(v) == round(float(v)):
        return num(float(v), 0)
    return f"{float(v):.4g}".replace("-", MINUS)


def _setting_text(pts, params, point: int) -> str:
    return ", ".join(f"{p.rsplit('.', 1)[-1]} {param_value(pts.loc[point, p])}" for p in params)


def section_sweep(ctx: Context) -> Section | None:
    res = ctx.res
    if not res.is_sweep:
        return None
    units_map = _parameter_units()
    pts = res.sweep_points().set_index("point")
    params = list(pts.columns)
    design = str(res.sweep_attrs.get("design", ""))
    stats = _sweep_stats(res)
    keys = _sweep_keys(res, stats)
    n_points = len(pts)
    parts = []

    # Plain sentences: the range of the main effect over the settings tried.
    sentences = []
    for s in res.strategies:
        k = (s, "comparisons", "entries_averted")
        if k not in stats:
            continue
        st = stats[k]
        lo_pt, hi_pt = int(np.nanargmin(st["mean"])), int(np.nanargmax(st["mean"]))
        clear = int(np.sum(st["lo"] > 0)) if np.isfinite(st["lo"]).any() else None
        text = (f"Across the {n_points} settings tried, strategy <b>{esc(s)}</b> keeps between "
                f"{about(st['mean'][lo_pt])} ({esc(_setting_text(pts, params, lo_pt))}) and "
                f"{about(st['mean'][hi_pt])} ({esc(_setting_text(pts, params, hi_pt))}) young people "
                f"out of dealing over {ctx.horizon} compared with the baseline, on average over "
                f"{res.replicates} replicates.")
        if clear is not None:
            text += (f" In {clear} of the {n_points} settings the 95% interval lies wholly above "
                     "zero (a clear effect).")
        sentences.append(f'<li data-strategy="{esc(s)}">{text}</li>')
    parts.append(
        f"<p>This file holds a parameter sweep ({esc(design or 'unnamed')} design): the experiment "
        f"was run at {n_points} settings of {len(params)} parameter{'s' if len(params) != 1 else ''} "
        f"({', '.join('<code>' + esc(p) + '</code>' for p in params)}), each with "
        f"{res.replicates} replicate{'s' if res.replicates != 1 else ''} of every strategy. It "
        "shows how the results change with these settings; a sweep file has no weekly time "
        "series.</p>"
        + (f'<ul class="sentences">{"".join(sentences)}</ul>' if sentences else ""))

    # Outcome against the swept parameter(s).
    grid_like = design in ("grid", "list") and len(params) <= 2
    if grid_like and len(params) == 2:
        distinct = [len(np.unique(pts[p])) for p in params]
        x_param, group_param = (params[0], params[1]) if distinct[0] >= distinct[1] else (params[1], params[0])
        grid_like = len(np.unique(pts[group_param])) <= 8
    else:
        x_param, group_param = params[0] if params else None, None
    if keys and params:
        if grid_like:
            fig, axes, _ = _grid(len(keys), max_cols=3, w=3.8, h=3.0, sharey=False)
            groups = [None] if group_param is None else list(np.unique(pts[group_param]))
            for ax, (s, kind, name, title) in zip(axes, keys):
                st = stats[(s, kind, name)]
                for g_i, g in enumerate(groups):
                    sel = np.ones(n_points, bool) if g is None else (pts[group_param].to_numpy() == g)
                    xs = pts[x_param].to_numpy()[sel]
                    order = np.argsort(xs)
                    m, lo, hi = st["mean"][sel][order], st["lo"][sel][order], st["hi"][sel][order]
                    colour = PALETTE[g_i % len(PALETTE)] if g is not None else ctx.colour(s)
                    label = None if g is None else f"{group_param.rsplit('.', 1)[-1]} {param_value(g)}"
                    yerr = None if not np.isfinite(lo).all() else [m - lo, hi - m]
                    ax.errorbar(xs[order], m, yerr=yerr, fmt="o-", color=colour, markersize=3.5,
                                capsize=2, linewidth=1.3, label=label)
                ax.axhline(0, color=BASELINE_COLOUR, linewidth=0.8)
                ax.set_title(f"{s}: {title}", fontsize=9)
                ax.set_ylabel(st["units"] or "value", fontsize=8)
                ax.set_xlabel(parameter_label(x_param, units_map), fontsize=8)
                ax.tick_params(labelsize=8, labelbottom=True)
                ax.grid(alpha=0.3)
                if group_param is not None:
                    ax.legend(fontsize=7, frameon=False, loc="best")
            fig.suptitle("Outcomes at each setting of the sweep (mean over replicates, 95% interval)",
                         fontsize=11)
            tight_layout(fig)
            parts.append("<h3>Outcomes at each setting</h3>" + img(
                fig, f"Outcomes against {x_param}",
                "Points: mean over replicates at each setting; bars: 95% interval of that mean. "
                + ("One line per value of " + esc(group_param) + ". " if group_param else "")
                + "Differences are paired with the baseline at the same setting."))
        else:
            shown = [k for k in keys if k[2] in ("entries_averted", "new_entries")] or keys[:1]
            fig, axes = plt.subplots(len(shown), len(params), figsize=(max(3.2 * len(params), 5.5), 2.8 * len(shown) + 0.5),
                                     squeeze=False)
            for row, (s, kind, name, title) in zip(axes, shown):
                st = stats[(s, kind, name)]
                for ax, p in zip(row, params):
                    ax.plot(pts[p].to_numpy(), st["mean"], "o", color=ctx.colour(s), markersize=3, alpha=0.7)
                    ax.set_xlabel(parameter_label(p, units_map), fontsize=7)
                    ax.set_ylabel(f"{title}\n({st['units']})", fontsize=7)
                    ax.set_title(s, fontsize=9)
                    ax.tick_params(labelsize=7)
                    ax.grid(alpha=0.3)
            fig.suptitle("Outcome against each swept parameter (one point per setting, mean over replicates)",
                         fontsize=10)
            tight_layout(fig)
            parts.append("<h3>Outcomes against each swept parameter</h3>" + img(
                fig, "Scatter plots of the main outcome against each swept parameter",
                "Each point is one setting of the design, as the mean over its replicates. A clear "
                "slope means the outcome depends on that parameter; a cloud without a pattern "
                "means it matters little on its own."))

    # Table of settings (grid and list designs of moderate size).
    if design in ("grid", "list") and n_points <= 120 and keys:
        headers = ["Setting"] + [esc(parameter_label(p, units_map)) for p in params] + [
            f"{esc(s)}: {esc(title)}<br><small>{esc(stats[(s, kind, name)]['units'])} (95% interval)</small>"
            for s, kind, name, title in keys]
        rows = []
        for pt in range(n_points):
            r = f'<tr data-point="{pt}"><td class="num">{pt + 1}</td>' + "".join(
                cell(param_value(pts.loc[pt, p]), f"param:{p}", pts.loc[pt, p]) for p in params)
            for s, kind, name, title in keys:
                st = stats[(s, kind, name)]
                m, lo, hi = st["mean"][pt], st["lo"][pt], st["hi"][pt]
                if name != "extra_cost":
                    text = est_ci(m, lo, hi)
                elif _finite(lo) and _finite(hi) and hi - lo > 1e-9 * max(1.0, abs(m)):
                    text = euro(m) + f'<div class="ci">{euro(lo)} to {euro(hi)}</div>'
                else:
                    text = euro(m)
                cls = "num " + verdict(lo, hi) if name in ("entries_averted", "dealer_years_averted") else "num"
                r += cell(text, f"{kind}:{s}:{name}", m, lo, hi, cls)
            rows.append(r + "</tr>")
        parts.append("<h3>Results per setting</h3>" + table(headers, rows, "sweep")
                     + '<p class="note">Means over replicates with their 95% intervals. Green: the '
                     "strategy does clearly better than the baseline at that setting.</p>")

    # Sobol indices.
    sens = res.sensitivity()
    if not sens.empty:
        chosen = []
        for s in res.strategies:
            for name in (("entries_averted",) if s != res.baseline else ("new_entries",)):
                d = sens[(sens.strategy == s) & (sens.outcome == name)]
                if not d.empty and np.nanmax(np.abs(d[["first_order", "total_order"]].to_numpy())) > 0:
                    chosen.append((s, name, d))
        if chosen:
            n_par = len(chosen[0][2])
            fig, axes = plt.subplots(len(chosen), 1, figsize=(10, (1.0 + 0.42 * n_par) * len(chosen) + 0.4),
                                     squeeze=False)
            clipped = False
            for ax, (s, name, d) in zip(axes[:, 0], chosen):
                y = np.arange(len(d))
                h = 0.38
                for j, (col, lab, colour) in enumerate((("first_order", "first-order (this parameter alone)", PALETTE[0]),
                                                        ("total_order", "total (with interactions)", PALETTE[4]))):
                    v = d[col].to_numpy()
                    lo, hi = d[col + "_lo95"].to_numpy(), d[col + "_hi95"].to_numpy()
                    err = np.vstack([np.clip(v - lo, 0, None), np.clip(hi - v, 0, None)]) \
                        if np.isfinite(lo).all() and np.isfinite(hi).all() else None
                    ax.barh(y + (j - 0.5) * h, v, height=h, xerr=err, color=colour, label=lab,
                            capsize=2, error_kw={"elinewidth": 0.8})
                ax.set_yticks(y, labels=[parameter_label(p, units_map) for p in d["parameter"]], fontsize=7)
                ax.invert_yaxis()
                ax.axvline(0, color="black", linewidth=0.6)
                ax.set_xlabel("Sobol index (share of the variance of the outcome)", fontsize=8)
                ax.set_title(f"{s}: which parameters matter for {name.replace('_', ' ')}?", fontsize=9)
                ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
                vals = d[["first_order", "total_order", "first_order_lo95", "first_order_hi95",
                          "total_order_lo95", "total_order_hi95"]].to_numpy(dtype=float)
                lo_lim = max(-0.5, min(-0.05, float(np.nanmin(vals)) - 0.05))
                hi_lim = min(1.5, max(1.0, float(np.nanmax(vals)) + 0.05))
                clipped |= bool(np.nanmin(vals) < lo_lim or np.nanmax(vals) > hi_lim)
                ax.set_xlim(lo_lim, hi_lim)
                ax.grid(axis="x", alpha=0.3)
                ax.tick_params(axis="x", labelsize=8)
            tight_layout(fig)
            parts.append("<h3>Which parameters matter most</h3>" + img(
                fig, "Sobol sensitivity indices per swept parameter",
                "Share of the variation in the outcome (mean over replicates) explained by each "
                "parameter on its own (first-order index) and including its interactions with the "
                "others (total index); lines: bootstrap 95% intervals"
                + (", cut off at the edge of the chart where they are very wide" if clipped else "")
                + ". With few samples the indices are rough and can fall below zero or above one."))
            n_base = int(res.sweep_attrs.get("base_samples", 0) or 0)
            if 0 < n_base < 100:
                parts.append(
                    f'<p class="warning"><b>Rough indices.</b> This Sobol design has {n_base} base '
                    "samples; indices from fewer than a few hundred samples are unreliable, as the "
                    "wide intervals show.</p>")
        rows = []
        for r in sens.itertuples():
            rows.append(
                f'<tr data-strategy="{esc(r.strategy)}" data-outcome="{esc(r.outcome)}" data-parameter="{esc(r.parameter)}">'
                f"<td>{esc(r.strategy)}</td><td>{esc(r.outcome)}</td><td><code>{esc(r.parameter)}</code></td>"
                + cell(f'{num(r.first_order, 2)}<div class="ci">{interval_text(r.first_order_lo95, r.first_order_hi95, 2)}</div>',
                       "first_order", r.first_order, r.first_order_lo95, r.first_order_hi95)
                + cell(f'{num(r.total_order, 2)}<div class="ci">{interval_text(r.total_order_lo95, r.total_order_hi95, 2)}</div>',
                       "total_order", r.total_order, r.total_order_lo95, r.total_order_hi95)
                + "</tr>")
        parts.append(
            f"<details><summary>All Sobol indices ({len(sens)} rows)</summary>"
            + table(["Strategy", "Outcome", "Parameter",
                     "First-order index<br><small>share of variance (95% interval)</small>",
                     "Total index<br><small>share of variance (95% interval)</small>"], rows, "sobol")
            + "</details>")
    return Section("sweep", "How the results change with the swept settings", "".join(parts))


def section_decides(ctx: Context) -> Section | None:
    """For a Sobol sweep: per strategy, the swept parameter with the largest total index on its
    first entries averted (the paired difference against the baseline)."""
    res = ctx.res
    if not (res.is_sweep and res.has_sensitivity):
        return None
    sens = res.sensitivity()
    sens = sens[(sens.outcome == "entries_averted") & np.isfinite(sens.total_order)]
    if sens.empty:
        return None
    units = _parameter_units()
    params = list(dict.fromkeys(sens.parameter))
    sentences, rows = [], []
    for s in ctx.others:
        x = sens[sens.strategy == s]
        if x.empty:
            continue
        top = x.loc[x.total_order.idxmax()]
        if not top.total_order > 0:
            sentences.append(f'<li data-decided="{esc(s)}" data-parameter="">For <b>{esc(s)}</b>, '
                             "the effect on first entries did not vary over the sweep, so no "
                             "assumption decides it here.</li>")
            continue
        sentences.append(
            f'<li data-decided="{esc(s)}" data-parameter="{esc(top.parameter)}">For '
            f"<b>{esc(s)}</b>, the assumption that decides most how many young people it keeps out "
            f"of dealing is <b>{esc(parameter_label(top.parameter, units))}</b>: it accounts for about "
            f"{num(100 * top.total_order, 0)}% of the variation of the effect over the sweep "
            f"(total Sobol index, 95% interval {num(100 * top.total_order_lo95, 0)}% to "
            f"{num(100 * top.total_order_hi95, 0)}%), {num(100 * top.first_order, 0)}% on its own.</li>")
        by = x.set_index("parameter")
        rows.append(f'<tr data-strategy="{esc(s)}"><td>{esc(s)}</td>' + "".join(
            cell(f"{num(100 * by.loc[p, 'total_order'], 0)}%", p, by.loc[p, "total_order"],
                 cls="num" + (" best" if p == top.parameter else ""))
            if p in by.index else cell("\u2013") for p in params) + "</tr>")
    if not sentences:
        return None
    headers = ["Strategy"] + [esc(parameter_label(p, units)) for p in params]
    body = ("<p>The sweep varied the assumptions below over their plausible ranges (a Sobol design). "
            "For each strategy, the share of the variation of its effect on first entries into "
            "dealing that each assumption accounts for, including its interplay with the others "
            "(total Sobol index). The assumption with the largest share is the one the advice for "
            "that strategy rests on most.</p>"
            f'<ul class="sentences">{"".join(sentences)}</ul>' + table(headers, rows, "decides")
            + '<p class="note">Indices of the mean over the replicates at each point; with few '
            "samples they are rough (see the intervals in the Sobol section).</p>")
    return Section("decides", "Which assumption decides the advice", body)


def fnv1a64(text: str) -> str:
    h = 14695981039346656037
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def section_reproducibility(ctx: Context) -> Section:
    a = ctx.res.attrs
    yaml_text = str(a.get("scenario_yaml", ""))
    stored_hash = str(a.get("scenario_hash", ""))
    hash_note = ""
    if yaml_text and stored_hash:
        ok = fnv1a64(yaml_text) == stored_hash
        hash_note = (' <span class="better">(matches the scenario text below)</span>' if ok else
                     ' <span class="worse">(does NOT match the scenario text below)</span>')
    report_cmd = " ".join(shlex.quote(x) for x in ctx.argv)
    items = [
        ("Drift version", esc(a.get("program_version", "unknown"))),
        ("Git commit", f"<code>{esc(a.get('git_commit', 'unknown'))}</code>"),
        ("Compiler and build", esc(" ".join(str(a.get(k, "")) for k in ("compiler", "build_type")).strip())
         + (f" <code>{esc(str(a.get('compiler_flags', '')).strip())}</code>" if str(a.get("compiler_flags", "")).strip() else "")),
        ("Command that produced the results", f"<code>{esc(a.get('command_line', 'unknown'))}</code>"),
        ("Scenario", esc(a.get("scenario_name", "")) + (f" (file <code>{esc(a.get('scenario_file'))}</code>)"
                                                         if a.get("scenario_file") else "")),
        ("Scenario fingerprint", f"<code>{esc(stored_hash)}</code>{hash_note}"),
        ("Random seed", esc(a.get("seed", ""))),
        ("Replicates per strategy", esc(a.get("replicates", ""))),
        ("Recorded weeks", f"{esc(a.get('weeks', ''))} ({ctx.horizon}), after a burn-in of "
                           f"{esc(a.get('burn_in_weeks', ''))} weeks"),
        ("Population scale", esc(a.get("population_scale", ""))),
        ("Result file", f"<code>{esc(os.path.abspath(ctx.res.path))}</code>, format "
                        f"{esc(a.get('format', ''))} version {esc(a.get('format_version', ''))}"),
        ("Command that wrote this report", f"<code>{esc(report_cmd)}</code>"),
        ("Report written", _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
    ]
    rows = "".join(f"<tr><th scope='row'>{k}</th><td>{v}</td></tr>" for k, v in items)
    n_lines = yaml_text.count("\n") + (1 if yaml_text and not yaml_text.endswith("\n") else 0)
    body = (
        "<p>Everything needed to run the same experiment again. The scenario below is complete: "
        "every parameter is filled in, including defaults and command-line overrides. Save it as "
        "<code>scenario.yaml</code> and run <code>drift run scenario.yaml</code> with the same "
        "Drift version to get the same numbers.</p>"
        f'<table class="provenance"><tbody>{rows}</tbody></table>'
        f"<details><summary>Scenario text ({n_lines} lines)</summary><pre>{esc(yaml_text)}</pre></details>")
    return Section("reproducibility", "How these results were produced", body)


SECTIONS = [section_headline, section_ranking, section_settings, section_curves, section_districts, section_market, section_interventions,
            section_sweep, section_decides, section_reproducibility]


# -------------------------------------------------------------------------------- document

CSS = """
:root { --fg:#1d1d1f; --muted:#5a5a5f; --line:#d8d8dc; --better:#e3f4e1; --worse:#fbe3e3; --accent:#1f5fa8; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; color: var(--fg);
       max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; line-height: 1.5; font-size: 15px; }
h1 { font-size: 1.8em; margin: 0 0 4px; }
h2 { font-size: 1.35em; margin-top: 2.2em; padding-bottom: 4px; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.08em; margin: 1.6em 0 0.4em; }
p.lead { font-size: 1.05em; color: var(--muted); margin-top: 0; }
p.note, figcaption, .desc, .ci { color: var(--muted); font-size: 0.86em; }
.ci { white-space: nowrap; }
.desc { font-weight: normal; max-width: 26em; }
nav { background: #f4f6f9; border: 1px solid var(--line); border-radius: 6px; padding: 8px 16px; }
nav ol { margin: 4px 0; padding-left: 20px; }
a { color: var(--accent); }
.warning { background: #fff6dc; border: 1px solid #e8c66a; border-radius: 6px; padding: 8px 14px; }
.scroll { overflow-x: auto; margin: 12px 0; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 9px; vertical-align: top; text-align: left; }
thead th { background: #eef1f5; font-weight: 600; vertical-align: bottom; }
th small { font-weight: normal; color: var(--muted); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.better, li.better::marker { background: var(--better); }
td.worse { background: var(--worse); }
span.better { color: #1e7b1e; } span.worse { color: #b11d1d; font-weight: 600; }
tr.baseline td { background: #f7f7f7; font-style: italic; }
ul.sentences li { margin: 6px 0; }
ul.sentences li.better { list-style-type: "\\2714\\00a0"; }
ul.sentences li.worse { list-style-type: "\\2716\\00a0"; }
ul.sentences li.unclear { list-style-type: "\\2013\\00a0"; }
table.provenance th { width: 16em; background: #f4f6f9; font-weight: 600; }
table.provenance code { word-break: break-all; }
figure { margin: 12px 0 20px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
details { margin: 12px 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; }
summary { cursor: pointer; font-weight: 600; }
pre { font-size: 0.82em; background: #f7f7f9; padding: 10px; overflow-x: auto; }
.ranking { display: flex; gap: 20px; align-items: flex-start; flex-wrap: wrap; }
.ranking-main { flex: 3 1 520px; min-width: 0; }
aside.assumptions { flex: 1 1 260px; background: #f4f6f9; border: 1px solid var(--line);
                    border-radius: 6px; padding: 4px 14px; font-size: 0.9em; }
aside.assumptions h3 { margin-top: 0.6em; }
td.frontier.dominated, td.frontier.extendedly_dominated { color: var(--muted); }
td.best { font-weight: 600; }
.pbest { color: var(--muted); font-size: 0.82em; white-space: nowrap; }
@media print { nav { display: none; } h2 { page-break-before: auto; } figure { page-break-inside: avoid; } }
"""


def _scenario_description(yaml_text: str) -> str:
    for line in yaml_text.splitlines():
        if line.startswith("description:"):
            v = line[len("description:"):].strip()
            if v[:1] in "'\"" and v[-1:] == v[:1] and len(v) >= 2:
                v = v[1:-1]
            return "" if v[:1] in "|>" else v
    return ""


def build_report(res: dr.DriftResults, argv: list[str], settings=(), workers: int | None = None) -> str:
    """The report's HTML; its figures drawn by `workers` processes at the end (None: one per
    CPU), or each as it is made (0)."""
    global _deferred
    if workers == 0:
        return _build_report(res, argv, settings)
    _deferred = []
    try:
        text = _build_report(res, argv, settings)
    except BaseException:
        for f in _deferred or []:
            plt.close(f)
        _deferred = None
        raise
    return render_deferred(text, workers)


def _build_report(res: dr.DriftResults, argv: list[str], settings=()) -> str:
    ctx = Context(res, argv, settings=list(settings))
    plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False})
    sections = [s for s in (fn(ctx) for fn in SECTIONS) if s is not None]
    a = res.attrs
    name = a.get("scenario_name") or os.path.splitext(os.path.basename(res.path))[0]
    desc = _scenario_description(str(a.get("scenario_yaml", "")))
    scale = a.get("population_scale", 1.0)
    n = len(ctx.others)
    what = (f"compares {n} strateg{'y' if n == 1 else 'ies'} with the baseline "
            f"<b>{esc(res.baseline)}</b> over the {ctx.horizon} after the strategies start"
            if n else f"shows the baseline <b>{esc(res.baseline)}</b> alone over {ctx.horizon}")
    if res.is_sweep:
        what += (f", at each of the {len(res.sweep_points())} settings of a parameter sweep")
    intro = [
        f"<p>This report {what}, in {len(res.areas)} district{'s' if len(res.areas) != 1 else ''}. "
        f"The simulation was run {res.replicates} time{'s' if res.replicates != 1 else ''} "
        "(replicates) per strategy with different random numbers; replicate <i>r</i> of every "
        "strategy starts from the same situation and uses the same random numbers as replicate "
        "<i>r</i> of the baseline, so differences are measured run by run.</p>",
        "<p>A <b>95% interval</b> shows how precisely the replicates pin down an average effect. "
        "When it includes zero the simulation cannot tell the strategy apart from the baseline: "
        "the report then says <i>no clear difference</i>. These are results of a model built on "
        "stated assumptions, not forecasts.</p>"]
    if _finite(scale) and abs(float(scale) - 1.0) > 1e-12:
        intro.append(
            f'<p class="warning"><b>Part of the city simulated.</b> This run simulated '
            f"{float(scale) * 100:g}% of the young people (population scale {float(scale):g}). All "
            "numbers of young people and all costs here are for the simulated part of the city; the "
            "interventions were scaled down with it (the same share of workers, places and "
            f"costs), so dividing by {float(scale):g} gives the whole city.</p>")
    if res.replicates < 5 and len(ctx.others):
        intro.append(
            f'<p class="warning"><b>Few replicates.</b> With {res.replicates} replicates the 95% '
            "intervals are wide; run more replicates before drawing conclusions.</p>")
    toc = "".join(f'<li><a href="#{s.id}">{esc(s.title)}</a></li>' for s in sections)
    body = "".join(f'<section id="{s.id}"><h2>{esc(s.title)}</h2>{s.body}</section>' for s in sections)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>Drift report: {esc(name)}</title><style>{CSS}</style></head><body>"
        f"<h1>Drift report: {esc(name)}</h1>"
        + (f'<p class="lead">{esc(desc)}</p>' if desc else "")
        + "".join(intro)
        + f"<nav><b>Contents</b><ol>{toc}</ol></nav>"
        + body
        + "</body></html>\n")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="report.py",
        description="Write a self-contained HTML report (one file, charts embedded) of a Drift "
                    "result file.")
    parser.add_argument("results", help="result file written by `drift run` (HDF5)")
    parser.add_argument("-o", "--out", help="HTML file to write (default: RESULTS with .html)")
    parser.add_argument("--setting", action="append", default=[], metavar="RESULTS",
                        help="a result file of the same scenario run under another named assumption "
                             "setting (repeatable): adds the table of the ranking per setting")
    args = parser.parse_args(argv[1:])
    out = args.out or os.path.splitext(args.results)[0] + ".html"
    # NaN in a damaged file must not print numpy warnings: the error, if any, is one line.
    warnings.simplefilter("ignore", RuntimeWarning)
    try:
        res = dr.load(args.results)
        settings = [dr.load(path) for path in args.setting]
        for other in settings:
            check_setting(res, other)
        text = build_report(res, [os.path.basename(argv[0]) if argv else "report.py"] + argv[1:],
                            settings)
    except dr.DriftResultError as e:
        print(f"report.py: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    except (ValueError, KeyError, IndexError, TypeError) as e:
        # A layout the loader's checks let through (e.g. a hand-edited attribute): still one
        # line naming the file, and no report.
        msg = " ".join(str(e).split()) or type(e).__name__
        print(f"report.py: error: cannot write the report from {args.results} ({msg})",
              file=sys.stderr)
        return 1
    return write_html(out, text, "report.py", "Report")


def write_html(out: str, text: str, program: str, label: str) -> int:
    """Write `text` to `out` through a temporary file (never a half-written report under the
    final name); print its path and return the exit code (1 with a one-line error)."""
    tmp = f"{out}.tmp.{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, out)
    except OSError as e:
        try:
            os.remove(tmp)
        except OSError:
            pass
        print(f"{program}: error: cannot write {out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"{label}: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
