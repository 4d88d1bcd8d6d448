"""Bootstrap intervals of RegressionProfile.confidence against plain NumPy oracles.

Every replicate is recomputed from the resampled people's per-person arrays with NumPy
(the same draws, from ``_confidence._bootstrap_indices``); percentile intervals are
``numpy.quantile`` of those replicates; BCa intervals are checked against a hand-written
BCa (Efron 1987) with a brute-force jackknife; basic intervals against the reflection of
the percentile quantiles.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from scipy import stats
from sklearn.datasets import make_regression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

from multiplicity import _errors
from multiplicity._config import config_context
from multiplicity._errors import INT_AT_LEAST
from multiplicity.rashomon import RashomonSet, RegressionProfile
from multiplicity.rashomon import _confidence as conf
from multiplicity.rashomon._regression_profile import regression_parts

MEASURES = ["ambiguity", "discrepancy", "decision_ambiguity", "mean_range_width",
            "relative_range_width", "baseline_loss", "min_loss", "max_loss"]
EXTREMES = {"discrepancy", "min_loss", "max_loss"}
# Sums of real values in another order than NumPy's: equal up to rounding.
RTOL = 1e-9


def _data(n=80, seed=0):
    X, y = make_regression(n_samples=n, n_features=4, noise=20.0, random_state=seed)
    return X, y


def _models(X, y):
    return ([Ridge(alpha=a).fit(X, y) for a in (0.1, 30.0, 100.0, 300.0)]
            + [DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, y)])


def regression_profile(n=80, seed=0, threshold=0.0, labels=True, loss="squared_error",
                       delta=10.0):
    X, y = _data(n, seed)
    rset = RashomonSet.from_models(_models(X, y), X, y, epsilon=3.0,
                                   epsilon_mode="relative", loss=loss)
    assert len(rset) >= 2
    return rset.profile(X, y if labels else None, delta=delta, threshold=threshold)


@pytest.fixture(scope="module")
def prof():
    p = regression_profile()
    assert p.n_models == 5
    assert 0.2 < p.ambiguity < 0.9 and p.discrepancy < p.ambiguity  # an informative set
    return p


def oracle(prof, idx):
    """Every measure on the people ``idx`` (repeats allowed), recomputed with NumPy from
    the per-person arrays."""
    P, b = prof.predictions[:, idx], prof.baseline_index
    width = prof.prediction_range[idx, 1] - prof.prediction_range[idx, 0]
    out = {"ambiguity": prof.moved[idx].mean(),
           "discrepancy": prof.flags[:, idx].mean(axis=1).max()}
    if prof.threshold is not None:
        decide = P >= prof.threshold
        out["decision_ambiguity"] = (decide != decide[b]).any(axis=0).mean()
    sd = np.std(prof.baseline_prediction[idx])
    out["mean_range_width"] = width.mean()
    out["relative_range_width"] = width.mean() / sd if sd > 0 else np.nan
    if prof.y is not None:
        err = P - prof.y[idx]
        loss = (err ** 2 if prof.loss == "squared_error" else np.abs(err)).mean(axis=1)
        out.update(baseline_loss=loss[b], min_loss=loss.min(), max_loss=loss.max())
    return out


def _close(got, want):
    npt.assert_allclose(got, want, rtol=RTOL, atol=1e-12)


def bca_oracle(reps, estimate, loo, confidence):
    """BCa (Efron 1987, eqs. 2.3, 6.6): bias correction with ties counted half."""
    share = (np.sum(reps < estimate) + np.sum(reps <= estimate)) / (2 * len(reps))
    z0 = stats.norm.ppf(share)
    u = loo.mean() - loo
    a = np.sum(u ** 3) / (6 * np.sum(u ** 2) ** 1.5) if np.sum(u ** 2) > 0 else 0.0
    z = stats.norm.ppf([(1 - confidence) / 2, (1 + confidence) / 2])
    levels = stats.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))
    return np.quantile(reps, levels)


CODES = np.repeat([0, 1, 2], [35, 25, 20])[np.random.default_rng(5).permutation(80)]


def _replicates(p, B, seed, codes, G, extra=None):
    return conf._replicates(p, B, seed, codes, G, extra, regression_parts)


# ------------------------------------------------------------------------ replicates
@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize(("threshold", "labels", "loss"), [
    (0.0, True, "squared_error"), (None, False, "squared_error"),
    (25.0, True, "absolute_error")])
def test_replicates_match_numpy_resampling(grouped, threshold, labels, loss):
    p = regression_profile(threshold=threshold, labels=labels, loss=loss)
    n, B, seed = p.n_samples, 40, 7
    codes = CODES if grouped else np.zeros(n, dtype=np.int64)
    G = int(codes.max()) + 1
    _, est, reps = _replicates(p, B, seed, codes, G)
    want_names = [m for m in MEASURES
                  if (threshold is not None or m != "decision_ambiguity")
                  and (labels or "loss" not in m)]
    assert list(est) == want_names
    idx = conf._bootstrap_indices(n, B, seed, codes if grouped else None)
    for r in range(B):
        npt.assert_array_equal(np.bincount(codes[idx[r]], minlength=G),
                               np.bincount(codes, minlength=G))
        want = oracle(p, idx[r])
        for g in range(G):
            want_g = oracle(p, idx[r][codes[idx[r]] == g])
            for name in want_names:
                _close(reps[name][r, g], want_g[name])
        for name in want_names:
            _close(reps[name][r, G], want[name])
    for name in want_names:  # the estimates are the profile's own values
        _close(est[name][G], getattr(p, name))
        _close(est[name][G], oracle(p, np.arange(n))[name])


def test_estimates_are_the_profile_and_by_group_values(prof):
    df = prof.confidence(50, random_state=0)
    assert list(df.index) == MEASURES
    assert "max_range_width" not in df.index
    for name in MEASURES:
        _close(df.loc[name, "estimate"], getattr(prof, name))
    by = prof.confidence(50, random_state=0, groups=CODES)
    table = prof.by_group(CODES)
    for name in MEASURES:
        for g in range(3):
            _close(by.loc[(name, g), "estimate"], table.loc[g, name])
        _close(by.loc[(name, "overall"), "estimate"], getattr(prof, name))
        _close(by.loc[(name, "max-min gap"), "estimate"], table.loc["max-min gap", name])


def test_kernels_and_numpy_twin_agree():
    p = regression_profile(n=300, seed=3)
    codes = np.arange(300) % 4
    with config_context(numba_min_size=0):
        _, est_k, reps_k = _replicates(p, 30, 1, codes, 4)
    with config_context(numba_min_size=10**12):
        _, est_n, reps_n = _replicates(p, 30, 1, codes, 4)
    for name in est_k:
        npt.assert_allclose(est_k[name], est_n[name], rtol=RTOL, atol=1e-12)
        npt.assert_allclose(reps_k[name], reps_n[name], rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_percentile_interval_is_numpy_quantile_of_replicates(prof, confidence):
    B, seed = 200, 11
    df = prof.confidence(B, confidence, random_state=seed, method="percentile")
    idx = conf._bootstrap_indices(prof.n_samples, B, seed)
    reps = {name: np.array([oracle(prof, i)[name] for i in idx]) for name in MEASURES}
    assert list(df.columns) == ["estimate", "low", "high", "std_error"]
    alpha = 1 - confidence
    for name in MEASURES:
        low, high = np.quantile(reps[name], [alpha / 2, 1 - alpha / 2])
        _close(df.loc[name, ["low", "high"]].to_numpy(float), [low, high])
        npt.assert_allclose(df.loc[name, "std_error"], np.std(reps[name], ddof=1),
                            rtol=1e-7)
    assert df.attrs["method"] == "percentile" and df.attrs["random_state"] == seed
    assert df.attrs["quantile"] == "linear" and df.attrs["n_resamples"] == B


def test_same_draws_as_the_classification_bootstrap(prof):
    """The engine is shared: with the same seed and people, the resampled positions are
    those of MultiplicityProfile.confidence, so an extra per-person value gets the same
    interval from both profiles."""
    X, y = make_regression(n_samples=80, n_features=3, random_state=2)
    cls = RashomonSet.from_models(
        [LogisticRegression(C=c).fit(X, y > 0) for c in (0.1, 1.0)], X, y > 0,
        epsilon=1.0).profile(X, y > 0)
    x = np.random.default_rng(0).normal(size=80)
    a = prof.confidence(100, random_state=4, extra={"x": x}, groups=CODES)
    b = cls.confidence(100, random_state=4, extra={"x": x}, groups=CODES)
    pd.testing.assert_frame_equal(a.loc[["x"]], b.loc[["x"]])


# ------------------------------------------------------------------------------ BCa
def _loo(prof, people, name):
    """Brute-force jackknife: the measure on ``people`` without each one of them."""
    return np.array([oracle(prof, np.delete(people, i))[name] for i in range(len(people))])


def test_bca_matches_hand_written_bca_with_brute_force_jackknife(prof):
    n, B, seed = prof.n_samples, 400, 3
    df = prof.confidence(B, 0.9, random_state=seed, method="bca")
    _, est, reps = _replicates(prof, B, seed, np.zeros(n, dtype=np.int64), 1)
    checked = 0
    for name in MEASURES:
        want = bca_oracle(reps[name][:, 1], est[name][1], _loo(prof, np.arange(n), name),
                          0.9)
        got = df.loc[name, ["low", "high"]].to_numpy(float)
        if np.isnan(got).any():
            r = reps[name][:, 1]
            assert (r > est[name][1]).all() or (r < est[name][1]).all()
        else:
            _close(got, want)
            checked += 1
    assert checked >= 7
    assert set(df.attrs["methods"].values()) == {"bca"}


def test_bca_by_group_and_gap_match_hand_written_bca(prof):
    n, B, seed, G = prof.n_samples, 300, 5, 3
    df = prof.confidence(B, 0.9, random_state=seed, method="bca", groups=CODES)
    _, est, reps = _replicates(prof, B, seed, CODES, G)
    members = [np.flatnonzero(CODES == g) for g in range(G)]
    checked = 0
    for name in MEASURES:
        e = est[name]
        loos = [_loo(prof, members[g], name) for g in range(G)]
        hi, lo = int(np.argmax(e[:G])), int(np.argmin(e[:G]))
        assert df.attrs["gap_groups"][name] == (hi, lo)
        gap_loo = np.full(n, e[hi] - e[lo])
        gap_loo[members[hi]] = loos[hi] - e[lo]
        gap_loo[members[lo]] = e[hi] - loos[lo]
        cases = [(g, reps[name][:, g], e[g], loos[g]) for g in range(G)]
        cases.append(("overall", reps[name][:, G], e[G], _loo(prof, np.arange(n), name)))
        cases.append(("max-min gap", reps[name][:, hi] - reps[name][:, lo], e[hi] - e[lo],
                      gap_loo))
        for label, r, estimate, loo in cases:
            got = df.loc[(name, label), ["low", "high"]].to_numpy(float)
            _close(df.loc[(name, label), "estimate"], estimate)
            if np.isnan(got).any():
                assert (r > estimate).all() or (r < estimate).all()
                continue
            _close(got, bca_oracle(r, estimate, loo, 0.9))
            checked += 1
    assert checked > 30


# -------------------------------------------------------------------- basic and auto
def test_basic_interval_reflects_the_percentile_quantiles_and_auto_picks_by_kind(prof):
    B, seed = 300, 8
    pct = prof.confidence(B, 0.9, random_state=seed, method="percentile", groups=CODES)
    basic = prof.confidence(B, 0.9, random_state=seed, method="basic", groups=CODES)
    auto = prof.confidence(B, 0.9, random_state=seed, groups=CODES)
    _, est, reps = _replicates(prof, B, seed, CODES, 3)
    for name in MEASURES:
        e = pct.xs(name, level="measure")["estimate"]
        _close(basic.xs(name, level="measure")["low"],
               2 * e - pct.xs(name, level="measure")["high"])
        _close(basic.xs(name, level="measure")["high"],
               2 * e - pct.xs(name, level="measure")["low"])
        q = np.quantile(reps[name][:, 3], [0.05, 0.95])
        _close(basic.loc[(name, "overall"), ["low", "high"]].to_numpy(float),
               [2 * est[name][3] - q[1], 2 * est[name][3] - q[0]])
        want = basic if name in EXTREMES else pct
        pd.testing.assert_frame_equal(auto.xs(name, level="measure"),
                                      want.xs(name, level="measure"))
        assert auto.attrs["methods"][name] == ("basic" if name in EXTREMES
                                               else "percentile")
    assert auto.attrs["method"] == "auto"


# ------------------------------------------------------------------ table and groups
def test_stratified_table_layout_attrs_and_gap_flag():
    X, y = _data(400, seed=1)
    p = RashomonSet.from_models(_models(X, y), X, y, epsilon=3.0,
                                epsilon_mode="relative").profile(X, y, delta=10.0)
    groups = np.where(p.moved, "b", "a")  # "a": nobody moved; "b": everybody
    df = p.confidence(200, random_state=0, groups=groups)
    assert df.index.names == ["measure", "group"]
    assert list(df.columns) == ["estimate", "low", "high", "std_error", "excludes_zero"]
    assert list(df.loc["ambiguity"].index) == ["a", "b", "overall", "max-min gap"]
    assert df.loc[("ambiguity", "max-min gap"), "excludes_zero"]
    assert "ambiguity" in df.attrs["supported_gaps"]
    assert df.attrs["gap_groups"]["ambiguity"] == ("b", "a")
    assert set(df.attrs) >= {"method", "methods", "confidence", "n_resamples",
                             "random_state", "quantile", "gap_groups", "supported_gaps",
                             "small_groups", "groups"}
    assert "decision_ambiguity" not in df.index.get_level_values("measure")


def test_pandas_groups_meet_the_profile_on_its_index():
    X, y = _data(120, seed=4)
    index = pd.Index([f"p{i}" for i in range(120)])
    Xdf = pd.DataFrame(X, index=index)
    p = RashomonSet.from_models(_models(X, y), Xdf, y, epsilon=3.0,
                                epsilon_mode="relative").profile(Xdf, y, delta=10.0)
    groups = pd.Series(np.where(X[:, 0] > 0, "x", "y"), index=index)
    a = p.confidence(60, random_state=0, groups=groups)
    b = p.confidence(60, random_state=0, groups=groups.sample(frac=1.0, random_state=0))
    pd.testing.assert_frame_equal(a, b)


class _GivenPredictions:
    """The part of a Rashomon set of regressors that ``RegressionProfile.from_set``
    reads, for predictions written by hand."""

    loss = "squared_error"

    def __init__(self, P, baseline_index=0):
        self.P, self.baseline_index_ = np.asarray(P, dtype=float), baseline_index

    def __len__(self):
        return self.P.shape[0]

    def predict(self, X, chunk_size=None):
        return self.P


def test_relative_width_is_nan_when_the_baseline_predicts_one_value():
    rng = np.random.default_rng(0)
    P = np.vstack([np.full(50, 3.0), 3.0 + rng.normal(size=50)])
    p = RegressionProfile.from_set(_GivenPredictions(P), np.zeros((50, 1)),
                                   rng.normal(size=50), delta=0.5)
    assert np.isnan(p.relative_range_width)
    df = p.confidence(30, random_state=0, groups=np.arange(50) % 2)
    assert np.isnan(df.xs("relative_range_width", level="measure")[["low", "high"]]).all(
        axis=None)
    assert np.isfinite(df.loc[("mean_range_width", "overall"), ["low", "high"]].to_numpy(
        float)).all()


def test_a_profile_built_from_given_predictions():
    """A hand-written profile: replicates of every measure as in the oracle."""
    rng = np.random.default_rng(1)
    base = rng.normal(size=40)
    P = base + np.where(rng.random((4, 40)) < 0.3, rng.normal(scale=2.0, size=(4, 40)), 0)
    y = base + rng.normal(size=40)
    p = RegressionProfile.from_set(_GivenPredictions(P, baseline_index=2), np.zeros((40, 1)),
                                   y, delta=1.0, threshold=0.5)
    _, est, reps = _replicates(p, 25, 0, np.zeros(40, dtype=np.int64), 1)
    idx = conf._bootstrap_indices(40, 25, 0)
    for r in range(25):
        want = oracle(p, idx[r])
        for name in MEASURES:
            _close(reps[name][r, 1], want[name])
    for name in MEASURES:
        _close(est[name][1], getattr(p, name))


def test_reproducible_and_does_not_modify_the_profile(prof):
    before = {k: np.copy(getattr(prof, k)) for k in
              ("predictions", "flags", "moved", "prediction_range", "baseline_prediction",
               "y")}
    a = prof.confidence(100, random_state=3, groups=CODES, method="bca")
    b = prof.confidence(100, random_state=3, groups=CODES, method="bca")
    pd.testing.assert_frame_equal(a, b)
    free = prof.confidence(50)
    pd.testing.assert_frame_equal(free, prof.confidence(
        50, random_state=free.attrs["random_state"]))
    for k, v in before.items():
        npt.assert_array_equal(getattr(prof, k), v)


def test_extra_values_are_bootstrapped_as_means(prof):
    n, B, seed = prof.n_samples, 40, 3
    x = np.random.default_rng(9).normal(size=n)
    df = prof.confidence(B, random_state=seed, extra={"score": x})
    assert list(df.index) == [*MEASURES, "score"]
    idx = conf._bootstrap_indices(n, B, seed)
    reps = np.array([x[i].mean() for i in idx])
    _close(df.loc["score", ["low", "high"]].to_numpy(float),
           np.quantile(reps, [0.025, 0.975]))
    pd.testing.assert_frame_equal(df.drop(index="score"),
                                  prof.confidence(B, random_state=seed))


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, float("nan"), True, "0.9", None])
def test_confidence_must_be_in_the_open_unit_interval(prof, bad):
    kind = TypeError if isinstance(bad, bool | str | type(None)) else ValueError
    with pytest.raises(kind, match=re.escape(_errors.CONFIDENCE_RANGE.format(bad))):
        prof.confidence(10, bad)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_n_resamples_at_least_one(prof, bad):
    msg = INT_AT_LEAST.format(name="n_resamples", low=1, value=bad)
    with pytest.raises(ValueError, match=re.escape(msg)):
        prof.confidence(bad)


def test_method_checked(prof):
    with pytest.raises(ValueError, match=re.escape(_errors.BOOTSTRAP_METHOD.format("x"))):
        prof.confidence(10, method="x")


@pytest.mark.parametrize(("extra", "exc", "match"), [
    ([1, 2, 3], TypeError, "extra must be a mapping"),
    ({"mean_range_width": np.zeros(80)}, ValueError, "must be a new measure name"),
    ({"max_range_width": np.zeros(80)}, ValueError, "must be a new measure name"),
    ({"a": np.zeros(79)}, ValueError, r"extra\['a'\] must hold one finite real number"),
    ({"a": np.full(80, np.nan)}, ValueError, "finite"),
])
def test_extra_checked(prof, extra, exc, match):
    with pytest.raises(exc, match=match):
        prof.confidence(10, extra=extra)


def test_groups_checked(prof):
    with pytest.raises(ValueError):
        prof.confidence(10, groups=np.zeros(79))
