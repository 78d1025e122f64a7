"""The validation report on files written by the real drift program: a small `drift calibrate`
and a small virtual trial, so that the report and the program agree on the file layouts."""

from __future__ import annotations

import subprocess
import sys

import h5py
import numpy as np
import pytest

import drift_results as dr
from conftest import ANALYSIS, drift_binary

VALIDATE = ANALYSIS / "validate.py"

CITY = """\
simulation: {weeks: 156, burn_in_weeks: 52, replicates: 2, population_scale: 0.3, seed: 11}
networks: {count: 4}
areas:
  list:
    - {name: North, youth_12_17: 1500, youth_18_26: 3000, low_income_share: 0.30, schools: 2}
    - {name: South, youth_12_17: 1000, youth_18_26: 2000, low_income_share: 0.10, schools: 1}
strategies:
  - name: baseline
  - name: mentors
    interventions:
      - {type: mentors, workers: 20, caseload: 5}  # whole city: 6 at population_scale 0.3
"""

CALIBRATE = """\
calibrate:
  parameters:
    offending.other_rate_peak: [0.005, 0.03]
    relapse.released_hazard: [0.002, 0.03]
  design: latin_hypercube
  points: 12
  seed: 3
  targets: targets.yaml
  acceptance: {quantile: 0.25}
"""

TARGETS = """\
targets:
  - {name: suspects_minors, statistic: suspects_per_10k_12_17, value: 139, standard_error: 14,
     unit: per 10000 per year, source: test, use: fit}
  - {name: suspects_age_16, statistic: suspects_per_10k_age_16, value: 199, standard_error: 20,
     unit: per 10000 per year, source: test, use: fit}
  - {name: peak_band, statistic: suspects_per_10k_18_22, value: 178, interval: [150, 200],
     unit: per 10000 per year, source: test, use: validate}
  - {name: drug_suspects_peak, statistic: drug_suspects_per_10k_18_22, value: 17.6,
     standard_error: 8.8, unit: per 10000 per year, source: test, confidence: derived,
     use: validate}
  - {name: dealt_young_adults, statistic: dealt_share_18_22, value: 0.02, standard_error: 0.01,
     unit: share, source: test, use: validate}
"""

TRIAL = """\
trial:
  strategy: mentors
  intervention: mentors
  enrolment_weeks: 52
  follow_up_weeks: 52
  outcome: entry
  published: {relative_risk: 0.68, outcome: entry, design: test, source: test}
"""


def run(args, cwd):
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def real_files(tmp_path_factory):
    binary = drift_binary()
    if not binary.exists():
        pytest.fail(f"{binary} not found: build drift first or set DRIFT_BINARY")
    d = tmp_path_factory.mktemp("validate_real")
    (d / "targets.yaml").write_text(TARGETS)
    (d / "cal.yaml").write_text("name: cal\n" + CITY + CALIBRATE)
    (d / "trial.yaml").write_text("name: trial\n" + CITY + TRIAL)
    run([binary, "calibrate", d / "cal.yaml", "--out", d / "fit.h5", "-q", "-t", "2"], d)
    run([binary, "run", d / "trial.yaml", "--out", d / "trial.h5", "-q", "-t", "2"], d)
    out = d / "validation.html"
    run([sys.executable, VALIDATE, d / "fit.h5", "--trials", d / "trial.h5", "-o", out], d)
    return d, out.read_text()


def test_report_of_a_real_calibration_names_every_target_and_parameter(real_files):
    d, text = real_files
    for name in ("suspects_minors", "suspects_age_16", "peak_band", "offending.other_rate_peak",
                 "relapse.released_hazard"):
        assert name in text
    assert text.count("data:image/png;base64,") >= 4


def test_held_out_dealing_targets_show_their_posterior_predictive_value(real_files):
    # The statistics of dealing are simulated at every design point, so a held-out target of
    # dealing gets a row marked held out with the accepted points' simulated value, not a gap.
    d, text = real_files
    cal = dr.calibration(d / "fit.h5")
    for name, statistic in (("drug_suspects_peak", "drug_suspects_per_10k_18_22"),
                            ("dealt_young_adults", "dealt_share_18_22")):
        assert statistic in cal["statistics"].columns
        row = text[text.index(f'<tr data-target="{name}"'):]
        row = row[:row.index("</tr>")]
        assert 'data-use="validate"' in row
        assert "held out" in row
        assert "no simulated value" not in row and "not simulated" not in row
        target = cal["targets"].set_index("name").loc[name]
        assert np.isfinite(target["posterior_median"])


def test_readers_agree_with_the_calibration_file(real_files):
    d, _ = real_files
    cal = dr.calibration(d / "fit.h5")
    with h5py.File(d / "fit.h5", "r") as f:
        accepted = int(f.attrs["accepted"])
        index = np.asarray(f["posterior/index"][()])
    assert len(cal["posterior"]) == accepted == len(index) == 3  # a quarter of 12 points
    assert set(cal["targets"]["use"]) == {"fit", "validate"}


def test_trial_of_the_real_program_is_shown_with_its_published_figure(real_files):
    d, text = real_files
    summary = dr.trial(d / "trial.h5")["summary"]
    with h5py.File(d / "trial.h5", "r") as f:
        stored = {k: float(f["trial"].attrs[k]) for k in ("rr_mean", "rr_low", "rr_high")}
        treated = np.asarray(f["trial/treated"][()])
    assert treated.shape == (2,) and (treated > 0).all()
    for k, v in stored.items():
        assert summary[k] == pytest.approx(v, rel=1e-12)
        assert f"{v:,.2f}" in text, k  # as the report writes numbers (thousands separators)
    assert summary["published_relative_risk"] == pytest.approx(0.68)
    assert "0.68" in text
