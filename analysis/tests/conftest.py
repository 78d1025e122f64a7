"""Shared fixtures: a small result file made with the real `drift` program, and its report.

The program is taken from the environment variable DRIFT_BINARY (set by CTest), by default
build/release/drift under the source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ANALYSIS = Path(__file__).resolve().parents[1]
REPO = ANALYSIS.parent
REPORT = ANALYSIS / "report.py"

sys.path.insert(0, str(ANALYSIS))

# Two districts, three strategies, a short horizon: a few seconds to run and to report on.
TINY_SCENARIO = """\
name: tiny_test
description: Two districts; mentors and an area approach against the baseline
simulation:
  weeks: 60
  burn_in_weeks: 30
  replicates: 3
  population_scale: 0.2
  seed: 4242
areas:
  list:
    - {name: North, youth_12_17: 1500, youth_18_26: 3000, low_income_share: 0.30, schools: 2}
    - {name: South, youth_12_17: 1000, youth_18_26: 2000, low_income_share: 0.10, schools: 1}
baseline: baseline
strategies:
  - name: baseline
    description: Nothing changes
  - name: mentors
    description: Mentors for youths at risk
    interventions:
      - type: mentors
        workers: 20  # in the whole city: 4 at population_scale 0.2
        caseload: 5
        ramp_up_weeks: 4
  - name: area_approach
    description: Disrupting money flows in North
    interventions:
      - type: area_approach
        target_districts: [North]
"""


# The same city with a sweep section: a grid over the mentors' workers and caseload, and a small
# Sobol design over two model parameters and the number of mentors.
_SWEEP_BASE = """\
simulation:
  weeks: 40
  burn_in_weeks: 20
  replicates: 2
  population_scale: 0.2
  seed: 77
areas:
  list:
    - {name: North, youth_12_17: 1500, youth_18_26: 3000, low_income_share: 0.30, schools: 2}
    - {name: South, youth_12_17: 1000, youth_18_26: 2000, low_income_share: 0.10, schools: 1}
strategies:
  - name: baseline
  - name: mentors
    interventions:
      - type: mentors
        workers: 20  # in the whole city: 4 at population_scale 0.2
        caseload: 5
"""
GRID_SWEEP_SCENARIO = "name: tiny_grid\n" + _SWEEP_BASE + """\
sweep:
  design: grid
  parameters:
    strategies.mentors.mentors.workers: [0, 20, 40]
    strategies.mentors.mentors.caseload: [3, 5]
"""
SOBOL_SWEEP_SCENARIO = "name: tiny_sobol\n" + _SWEEP_BASE + """\
sweep:
  design: sobol
  samples: 8
  parameters:
    careers.progression_hazard: {min: 0.01, max: 0.04}
    recruitment.entry_hazard: {min: 0.002, max: 0.006}
    strategies.mentors.mentors.workers: {min: 0, max: 50}
"""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: renders the report in headless Chromium (CTest label 'browser')")


def drift_binary() -> Path:
    return Path(os.environ.get("DRIFT_BINARY", REPO / "build" / "release" / "drift"))


def run_report(*args: str, timeout: int = 240) -> subprocess.CompletedProcess:
    """Run report.py with the Python running the tests."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, str(REPORT), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env)


def run_drift(directory: Path, name: str, scenario_text: str) -> Path:
    """Write a scenario to `directory` and run it with the drift program; the result file."""
    binary = drift_binary()
    if not binary.is_file():
        pytest.fail(f"drift program not found at {binary}: build it first "
                    f"(cmake --build --preset release) or set DRIFT_BINARY")
    scenario = directory / f"{name}.yaml"
    scenario.write_text(scenario_text, encoding="utf-8")
    out = directory / f"{name}.h5"
    proc = subprocess.run([str(binary), "run", str(scenario), "--out", str(out), "-q"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"drift run failed:\n{proc.stdout}\n{proc.stderr}"
    assert out.is_file()
    return out


@pytest.fixture(scope="session")
def result_file(tmp_path_factory) -> Path:
    return run_drift(tmp_path_factory.mktemp("drift"), "tiny", TINY_SCENARIO)


def _sweep_file(tmp_path_factory, name: str, text: str) -> Path:
    out = run_drift(tmp_path_factory.mktemp("drift"), name, text)
    import h5py
    with h5py.File(out, "r") as f:
        if "sweep" not in f:
            pytest.skip("this drift program does not write sweep results yet")
    return out


@pytest.fixture(scope="session")
def grid_sweep_file(tmp_path_factory) -> Path:
    return _sweep_file(tmp_path_factory, "grid", GRID_SWEEP_SCENARIO)


@pytest.fixture(scope="session")
def sobol_sweep_file(tmp_path_factory) -> Path:
    return _sweep_file(tmp_path_factory, "sobol", SOBOL_SWEEP_SCENARIO)


@pytest.fixture(scope="session")
def report(result_file, tmp_path_factory):
    """(process, path, html text) of the report of the small result file."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    proc = run_report(result_file, "-o", out)
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    return proc, out, text
