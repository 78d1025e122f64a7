"""Tests of the registered-figures loaders of analysis/drift_results.py on a file made by `drift run`."""

from __future__ import annotations

import h5py
import numpy as np

import drift_results as dr


def test_observed_has_one_row_per_strategy_replicate_year_and_age(result_file):
    obs = dr.observed(result_file)
    assert list(obs.columns) == ["strategy", "replicate", "year", "age", "suspects_per_10k", "drug_share"]
    res = dr.load(result_file)
    years = res.weeks // 52
    ages = sorted(obs.age.unique())
    assert ages == list(range(12, 27))
    assert len(obs) == len(res.strategies) * res.replicates * years * len(ages)
    with h5py.File(result_file, "r") as f:
        rate = f["strategies/baseline/observed/suspects_per_10k"][()]
    base = obs[obs.strategy == "baseline"].sort_values(["replicate", "year", "age"])
    np.testing.assert_array_equal(base.suspects_per_10k.to_numpy(), rate.reshape(-1))
    assert (obs.suspects_per_10k.dropna() >= 0).all()
    shares = obs.drug_share.dropna()
    assert ((shares >= 0) & (shares <= 1)).all()


def test_release_cohorts_and_statistics_are_read(result_file):
    res = dr.load(result_file)
    cohorts = res.release_cohorts()
    assert list(cohorts.columns) == ["strategy", "replicate", "year", "releases", "rearrest_1y", "rearrest_2y"]
    assert len(cohorts) == len(res.strategies) * res.replicates * (res.weeks // 52)
    stats = res.statistics()
    names = set(stats.statistic)
    for name in ("suspects_per_10k_age_12", "suspects_per_10k_12_17", "rearrest_1y", "work_13w_after_release"):
        assert name in names
    assert len(stats) == len(names) * len(res.strategies) * res.replicates
