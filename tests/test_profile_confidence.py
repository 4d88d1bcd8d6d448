"""Bootstrap intervals of MultiplicityProfile.confidence against plain NumPy oracles.

Every replicate is recomputed from the resampled people with NumPy (the same draws, from
``_confidence._bootstrap_indices``); percentile intervals are ``numpy.quantile`` (linear,
Hyndman & Fan definition 7) of those replicates; BCa intervals are checked against a
hand-written BCa (Efron 1987, JASA 82:171-185) with a brute-force jackknife, and against
``scipy.stats.bootstrap(method="BCa")`` within the Monte Carlo error.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from scipy import stats
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from multiplicity import _errors
from multiplicity._config import config_context
from multiplicity._errors import INT_AT_LEAST
from multiplicity.rashomon import MultiplicityProfile, RashomonSet
from multiplicity.rashomon import _confidence as conf

MEASURES = ["ambiguity", "discrepancy", "probabilistic_ambiguity",
            "probabilistic_discrepancy", "mean_rashomon_capacity", "mean_vpr_width",
            "mean_self_consistency", "disagreement_error_estimate", "baseline_accuracy",
            "min_accuracy", "max_accuracy"]


def synthetic_profile(n=60, m=5, seed=0, proba=True, labels=True, flip_rate=0.15):
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 3, n).astype(np.int8)
    P = np.repeat(base[None], m, axis=0)
    flip = rng.random((m, n)) < flip_rate
    b = 1
    flip[b] = False
    P[flip] = (P[flip] + 1) % 3
    amb = (P != P[b]).any(axis=0)
    pf = (rng.random((m, n)) < flip_rate).astype(np.uint8) if proba else None
    if pf is not None:
        pf[b] = 0
    sc = rng.random(n)
    rc = 1 + 2 * rng.random(n) if proba else None
    width = rng.random(n) if proba else None
    y = rng.integers(0, 3, n).astype(np.int64) if labels else None
    acc = (P == y).mean(axis=1) if labels else None
    return MultiplicityProfile(
        n_models=m, n_samples=n, delta=0.1, classes=np.array([0, 1, 2]), baseline_index=b,
        ambiguity=float(amb.mean()), discrepancy=float((P != P[b]).sum(1).max() / n),
        probabilistic_ambiguity=float(pf.any(0).mean()) if proba else None,
        probabilistic_discrepancy=float(pf.sum(1).max() / n) if proba else None,
        mean_rashomon_capacity=float(rc.mean()) if proba else float("nan"),
        mean_vpr_width=float(width.mean()) if proba else float("nan"),
        mean_self_consistency=float(sc.mean()),
        disagreement_error_estimate=float(1 - sc.mean()),
        baseline_accuracy=float(acc[b]) if labels else None,
        min_accuracy=float(acc.min()) if labels else None,
        max_accuracy=float(acc.max()) if labels else None,
        ambiguous=amb, self_consistency=sc, vpr=None, vpr_width=width,
        rashomon_capacity=rc, predictions=P, proba_flips=pf, y_codes=y)


def oracle(prof, idx):
    """Every measure on the people ``idx`` (repeats allowed), recomputed with NumPy."""
    P, b = prof.predictions[:, idx], prof.baseline_index
    out = {"ambiguity": prof.ambiguous[idx].mean(),
           "discrepancy": (P != P[b]).mean(axis=1).max()}
    if prof.proba_flips is not None:
        pf = prof.proba_flips[:, idx]
        out.update(probabilistic_ambiguity=pf.any(axis=0).mean(),
                   probabilistic_discrepancy=pf.mean(axis=1).max(),
                   mean_rashomon_capacity=prof.rashomon_capacity[idx].mean(),
                   mean_vpr_width=prof.vpr_width[idx].mean())
    out["mean_self_consistency"] = prof.self_consistency[idx].mean()
    out["disagreement_error_estimate"] = 1.0 - prof.self_consistency[idx].mean()
    if prof.y_codes is not None:
        acc = (P == prof.y_codes[idx]).mean(axis=1)
        out.update(baseline_accuracy=acc[b], min_accuracy=acc.min(), max_accuracy=acc.max())
    return out


def bca_oracle(reps, estimate, loo, confidence):
    """BCa (Efron 1987, eqs. 2.3, 6.6): bias correction with ties counted half."""
    share = (np.sum(reps < estimate) + np.sum(reps <= estimate)) / (2 * len(reps))
    z0 = stats.norm.ppf(share)
    u = loo.mean() - loo
    a = np.sum(u ** 3) / (6 * np.sum(u ** 2) ** 1.5) if np.sum(u ** 2) > 0 else 0.0
    z = stats.norm.ppf([(1 - confidence) / 2, (1 + confidence) / 2])
    levels = stats.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))
    return np.quantile(reps, levels)


CODES = np.repeat([0, 1, 2], [25, 20, 15])[np.random.default_rng(5).permutation(60)]


@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize(("proba", "labels"), [(True, True), (False, False)])
def test_replicates_match_numpy_resampling(grouped, proba, labels):
    prof = synthetic_profile(proba=proba, labels=labels)
    n, B, seed = prof.n_samples, 50, 7
    codes = CODES if grouped else np.zeros(n, dtype=np.int64)
    G = int(codes.max()) + 1
    _, est, reps = conf._replicates(prof, B, seed, codes, G)
    idx = conf._bootstrap_indices(n, B, seed, codes if grouped else None)
    assert idx.shape == (B, n)
    names = [m for m in MEASURES if m in est]
    assert len(names) == (11 if proba else 4)
    for r in range(B):
        # stratified: every resample keeps the group sizes
        npt.assert_array_equal(np.bincount(codes[idx[r]], minlength=G),
                               np.bincount(codes, minlength=G))
        want = oracle(prof, idx[r])
        for g in range(G):
            want_g = oracle(prof, idx[r][codes[idx[r]] == g])
            for name in names:
                npt.assert_allclose(reps[name][r, g], want_g[name], rtol=0, atol=1e-12)
        for name in names:
            npt.assert_allclose(reps[name][r, G], want[name], rtol=0, atol=1e-12)
    full = oracle(prof, np.arange(n))
    for name in names:
        npt.assert_allclose(est[name][G], full[name], rtol=0, atol=1e-12)
        npt.assert_allclose(est[name][G], getattr(prof, name), rtol=0, atol=1e-12)


def test_kernels_and_numpy_twin_agree():
    prof = synthetic_profile(n=300, m=7, seed=3)
    codes = np.arange(300) % 4
    with config_context(numba_min_size=0):
        _, est_k, reps_k = conf._replicates(prof, 30, 1, codes, 4)
    with config_context(numba_min_size=10**12):
        _, est_n, reps_n = conf._replicates(prof, 30, 1, codes, 4)
    for name in est_k:
        npt.assert_allclose(est_k[name], est_n[name], rtol=0, atol=1e-12)
        npt.assert_allclose(reps_k[name], reps_n[name], rtol=0, atol=1e-12)


def test_draws_do_not_depend_on_the_chunking(monkeypatch):
    prof = synthetic_profile()
    whole = conf._bootstrap_indices(prof.n_samples, 20, 3)
    monkeypatch.setattr(conf, "CHUNK_ENTRIES", 1)  # one resample per chunk
    npt.assert_array_equal(conf._bootstrap_indices(prof.n_samples, 20, 3), whole)


@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_percentile_interval_is_numpy_quantile_of_replicates(confidence):
    prof = synthetic_profile()
    B, seed = 200, 11
    df = prof.confidence(B, confidence, random_state=seed, method="percentile")
    idx = conf._bootstrap_indices(prof.n_samples, B, seed)
    reps = {name: np.array([oracle(prof, i)[name] for i in idx]) for name in MEASURES}
    assert list(df.index) == MEASURES
    assert list(df.columns) == ["estimate", "low", "high", "std_error"]
    alpha = 1 - confidence
    for name in MEASURES:
        low, high = np.quantile(reps[name], [alpha / 2, 1 - alpha / 2])  # linear (type 7)
        npt.assert_allclose(df.loc[name, ["low", "high"]].to_numpy(float), [low, high],
                            rtol=0, atol=1e-12)
        npt.assert_allclose(df.loc[name, "std_error"], np.std(reps[name], ddof=1),
                            rtol=1e-9)
        npt.assert_allclose(df.loc[name, "estimate"], getattr(prof, name), atol=1e-12)
    assert df.attrs["method"] == "percentile" and df.attrs["random_state"] == seed


def _loo(prof, people, name):
    """Brute-force jackknife: the measure on ``people`` without each one of them."""
    return np.array([oracle(prof, np.delete(people, i))[name] for i in range(len(people))])


@pytest.mark.parametrize("seed", [0, 4])
def test_bca_matches_hand_written_bca_with_brute_force_jackknife(seed):
    prof = synthetic_profile(seed=seed)
    n, B = prof.n_samples, 400
    df = prof.confidence(B, 0.9, random_state=seed, method="bca")
    _, est, reps = conf._replicates(prof, B, seed, np.zeros(n, dtype=np.int64), 1)
    for name in MEASURES:
        want = bca_oracle(reps[name][:, 1], est[name][1], _loo(prof, np.arange(n), name), 0.9)
        got = df.loc[name, ["low", "high"]].to_numpy(float)
        if np.isnan(got).any():  # every replicate on one side of the estimate
            r = reps[name][:, 1]
            assert (r > est[name][1]).all() or (r < est[name][1]).all()
        else:
            npt.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_bca_by_group_and_gap_match_hand_written_bca():
    prof = synthetic_profile(seed=2)
    n, B, seed, G = prof.n_samples, 300, 5, 3
    df = prof.confidence(B, 0.9, random_state=seed, method="bca", groups=CODES)
    _, est, reps = conf._replicates(prof, B, seed, CODES, G)
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
            npt.assert_allclose(df.loc[(name, label), "estimate"], estimate, atol=1e-12)
            if np.isnan(got).any():
                assert (r > estimate).all() or (r < estimate).all()
                continue
            npt.assert_allclose(got, bca_oracle(r, estimate, loo, 0.9), rtol=0, atol=1e-12)
            checked += 1
    assert checked > 20


def test_bca_of_a_mean_agrees_with_scipy_within_monte_carlo_error():
    prof = synthetic_profile(n=200, seed=8)
    df = prof.confidence(4000, 0.95, random_state=0, method="bca")
    x = prof.rashomon_capacity
    res = stats.bootstrap((x,), np.mean, n_resamples=4000, confidence_level=0.95,
                          method="BCa", random_state=np.random.default_rng(1))
    se = df.loc["mean_rashomon_capacity", "std_error"]
    npt.assert_allclose(se, res.standard_error, rtol=0.1)
    npt.assert_allclose(df.loc["mean_rashomon_capacity", "low"],
                        res.confidence_interval.low, atol=0.15 * se)
    npt.assert_allclose(df.loc["mean_rashomon_capacity", "high"],
                        res.confidence_interval.high, atol=0.15 * se)


def test_stratified_table_layout_and_gap_flag():
    prof = synthetic_profile(n=400, m=4, seed=1, flip_rate=0.05)
    # group "a": people no model flips; group "b": people some model flips
    groups = np.where(prof.ambiguous, "b", "a")
    df = prof.confidence(300, random_state=0, groups=groups)
    assert df.index.names == ["measure", "group"]
    assert list(df.columns) == ["estimate", "low", "high", "std_error", "excludes_zero"]
    assert list(df.loc["ambiguity"].index) == ["a", "b", "overall", "max-min gap"]
    amb = df.loc["ambiguity"]
    assert amb.loc["a", "estimate"] == 0 and amb.loc["b", "estimate"] == 1
    assert amb.loc["max-min gap", "excludes_zero"]
    assert "ambiguity" in df.attrs["supported_gaps"]
    assert df.attrs["gap_groups"]["ambiguity"] == ("b", "a")
    # two groups holding the same people's values: a zero gap, not supported
    twin = synthetic_profile(n=100, seed=1)
    doubled = _concat(twin, twin)
    df2 = doubled.confidence(100, random_state=0, groups=np.repeat([0, 1], 100))
    gap = df2.xs("max-min gap", level="group")
    npt.assert_allclose(gap["estimate"], 0.0, atol=1e-12)
    assert not gap["excludes_zero"].any()
    assert df2.attrs["supported_gaps"] == []


def _concat(p, q):
    """A profile of the people of ``p`` followed by those of ``q`` (same models)."""
    fields = {}
    for name in ("ambiguous", "self_consistency", "vpr_width", "rashomon_capacity",
                 "y_codes"):
        fields[name] = np.concatenate([getattr(p, name), getattr(q, name)])
    for name in ("predictions", "proba_flips"):
        fields[name] = np.concatenate([getattr(p, name), getattr(q, name)], axis=1)
    scalars = {f.name: getattr(p, f.name) for f in dataclasses.fields(MultiplicityProfile)
               if f.name not in fields}
    scalars["n_samples"] = p.n_samples + q.n_samples
    return MultiplicityProfile(**{**scalars, **fields, "vpr": None})


def test_reproducible_and_does_not_modify_the_profile():
    prof = synthetic_profile()
    before = {k: np.copy(getattr(prof, k)) for k in
              ("predictions", "proba_flips", "ambiguous", "self_consistency", "y_codes")}
    a = prof.confidence(100, random_state=3, groups=CODES, method="bca")
    b = prof.confidence(100, random_state=3, groups=CODES, method="bca")
    pd.testing.assert_frame_equal(a, b)
    c = prof.confidence(100, random_state=4)
    assert not np.allclose(c["low"], prof.confidence(100, random_state=3)["low"])
    g1 = prof.confidence(50, random_state=np.random.default_rng(9))
    g2 = prof.confidence(50, random_state=np.random.default_rng(9))
    pd.testing.assert_frame_equal(g1, g2)
    free = prof.confidence(50)  # random_state=None: the seed used is reported
    pd.testing.assert_frame_equal(free, prof.confidence(50,
                                                        random_state=free.attrs["random_state"]))
    for k, v in before.items():
        npt.assert_array_equal(getattr(prof, k), v)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, float("nan"), True, "0.9", None])
def test_confidence_must_be_in_the_open_unit_interval(bad):
    prof = synthetic_profile()
    kind = TypeError if isinstance(bad, bool | str | type(None)) else ValueError
    with pytest.raises(kind, match=re.escape(_errors.CONFIDENCE_RANGE.format(bad))):
        prof.confidence(10, bad)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_n_resamples_at_least_one(bad):
    prof = synthetic_profile()
    msg = INT_AT_LEAST.format(name="n_resamples", low=1, value=bad)
    with pytest.raises(ValueError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        prof.confidence(bad)


def test_method_checked():
    with pytest.raises(ValueError, match="method must be"):
        synthetic_profile().confidence(10, method="normal")


def test_one_resample_and_single_person_groups():
    prof = synthetic_profile()
    one = prof.confidence(1, random_state=0)
    assert one["std_error"].isna().all()
    npt.assert_array_equal(one["low"], one["high"])
    codes = np.zeros(prof.n_samples, dtype=np.int64)
    codes[0] = 1  # a group of one person: no jackknife, acceleration 0
    df = prof.confidence(50, random_state=0, groups=codes, method="bca")
    assert np.isfinite(df.loc[("mean_self_consistency", "overall"), ["low", "high"]]).all()
    assert 1 in df.attrs["small_groups"]


def test_profile_of_a_rashomon_set_with_pandas_groups():
    X, y = make_classification(n_samples=400, n_features=6, random_state=0)
    models = [LogisticRegression(C=c).fit(X, y) for c in (0.003, 0.01, 0.1, 1.0)]
    index = pd.RangeIndex(1000, 1400)
    Xdf = pd.DataFrame(X, index=index)
    prof = RashomonSet.from_models(models, Xdf, y, epsilon=1.0).profile(Xdf, y)
    ci = prof.confidence(200, random_state=0)
    for name in MEASURES:
        npt.assert_allclose(ci.loc[name, "estimate"], getattr(prof, name), atol=1e-12)
        assert ci.loc[name, "low"] <= ci.loc[name, "high"]
    groups = pd.Series(np.where(X[:, 0] > 0, "x", "y"), index=index)[::-1]  # aligned
    by = prof.confidence(200, random_state=0, groups=groups)
    table = prof.by_group(groups)
    for name in MEASURES:
        for g in ("x", "y"):
            npt.assert_allclose(by.loc[(name, g), "estimate"], table.loc[g, name],
                                atol=1e-12)


# ------------------------------------------------------------------ extra per-person values
def _extra(n, seed=9):
    rng = np.random.default_rng(seed)
    return {"abstention_rate": rng.random(n) < 0.2, "score": rng.normal(size=n)}


@pytest.mark.parametrize("grouped", [False, True])
def test_extra_values_are_bootstrapped_as_means_with_the_same_resamples(grouped):
    prof = synthetic_profile()
    n, B, seed = prof.n_samples, 40, 3
    extra = _extra(n)
    codes = CODES if grouped else np.zeros(n, dtype=np.int64)
    G = int(codes.max()) + 1
    checked = {k: np.asarray(v, dtype=float) for k, v in extra.items()}
    _, est, reps = conf._replicates(prof, B, seed, codes, G, checked)
    _, est0, reps0 = conf._replicates(prof, B, seed, codes, G)
    idx = conf._bootstrap_indices(n, B, seed, codes if grouped else None)
    for name, x in checked.items():
        for r in range(B):
            npt.assert_allclose(reps[name][r, G], x[idx[r]].mean(), rtol=0, atol=1e-12)
            for g in range(G):
                people = idx[r][codes[idx[r]] == g]
                npt.assert_allclose(reps[name][r, g], x[people].mean(), rtol=0, atol=1e-12)
        npt.assert_allclose(est[name][G], x.mean(), rtol=0, atol=1e-12)
    for name in reps0:  # the profile's own measures are unchanged
        npt.assert_array_equal(reps[name], reps0[name])
        npt.assert_array_equal(est[name], est0[name])


def test_extra_bca_matches_hand_written_bca_and_sits_after_the_measures():
    prof = synthetic_profile(seed=4)
    n, B, seed = prof.n_samples, 300, 2
    x = _extra(n)["score"]
    df = prof.confidence(B, 0.9, random_state=seed, method="bca", extra={"score": x})
    assert list(df.index)[-1] == "score"
    _, est, reps = conf._replicates(prof, B, seed, np.zeros(n, dtype=np.int64), 1,
                                    {"score": x})
    loo = (x.sum() - x) / (n - 1)
    want = bca_oracle(reps["score"][:, 1], est["score"][1], loo, 0.9)
    npt.assert_allclose(df.loc["score", ["low", "high"]].to_numpy(float), want, atol=1e-12)
    plain = prof.confidence(B, 0.9, random_state=seed, method="bca")
    pd.testing.assert_frame_equal(df.drop(index="score"), plain, check_like=False)


def test_extra_pandas_values_meet_the_profile_on_its_index():
    X, y = make_classification(n_samples=200, n_features=5, random_state=1)
    index = pd.Index([f"p{i}" for i in range(200)])
    Xdf = pd.DataFrame(X, index=index)
    models = [LogisticRegression(C=c).fit(X, y) for c in (0.01, 0.1, 1.0)]
    prof = RashomonSet.from_models(models, Xdf, y, epsilon=1.0).profile(Xdf, y)
    flags = pd.Series(X[:, 1] > 0.5, index=index)
    shuffled = flags.sample(frac=1.0, random_state=0)
    a = prof.confidence(100, random_state=0, extra={"flag": flags})
    b = prof.confidence(100, random_state=0, extra={"flag": shuffled})
    pd.testing.assert_frame_equal(a, b)
    assert a.loc["flag", "estimate"] == pytest.approx(flags.mean())
    with pytest.raises(ValueError, match="extra\\['flag'\\]"):
        prof.confidence(10, extra={"flag": flags.rename(lambda s: s + "x")})


@pytest.mark.parametrize(("extra", "exc", "match"), [
    ([1, 2, 3], TypeError, "extra must be a mapping"),
    ({"ambiguity": np.zeros(60)}, ValueError, "must be a new measure name"),
    ({1: np.zeros(60)}, ValueError, "must be a new measure name"),
    ({"a": np.zeros(59)}, ValueError, r"extra\['a'\] must hold one finite real number"),
    ({"a": np.full(60, np.nan)}, ValueError, "finite"),
    ({"a": np.zeros((60, 2))}, ValueError, "1-D"),
    ({"a": np.array(["x"] * 60)}, TypeError, "one finite real number per person"),
])
def test_extra_checked(extra, exc, match):
    with pytest.raises(exc, match=match):
        synthetic_profile().confidence(10, extra=extra)


# ------------------------------------------------------------------- basic and auto
def test_basic_interval_reflects_the_percentile_quantiles_and_auto_picks_by_kind():
    prof = synthetic_profile(seed=6)
    B, seed = 300, 8
    pct = prof.confidence(B, 0.9, random_state=seed, method="percentile", groups=CODES)
    basic = prof.confidence(B, 0.9, random_state=seed, method="basic", groups=CODES)
    auto = prof.confidence(B, 0.9, random_state=seed, groups=CODES)
    _, est, reps = conf._replicates(prof, B, seed, CODES, 3)
    extremes = {"discrepancy", "probabilistic_discrepancy", "min_accuracy", "max_accuracy"}
    for name in MEASURES:
        e = pct.xs(name, level="measure")["estimate"]
        npt.assert_allclose(basic.xs(name, level="measure")["low"],
                            2 * e - pct.xs(name, level="measure")["high"], atol=1e-12)
        npt.assert_allclose(basic.xs(name, level="measure")["high"],
                            2 * e - pct.xs(name, level="measure")["low"], atol=1e-12)
        # the basic interval of the overall value, by hand from the replicates
        q = np.quantile(reps[name][:, 3], [0.05, 0.95])
        npt.assert_allclose(basic.loc[(name, "overall"), ["low", "high"]].to_numpy(float),
                            [2 * est[name][3] - q[1], 2 * est[name][3] - q[0]], atol=1e-12)
        want = basic if name in extremes else pct
        pd.testing.assert_frame_equal(auto.xs(name, level="measure"),
                                      want.xs(name, level="measure"))
        assert auto.attrs["methods"][name] == ("basic" if name in extremes
                                               else "percentile")
    assert auto.attrs["method"] == "auto"
    assert set(basic.attrs["methods"].values()) == {"basic"}
