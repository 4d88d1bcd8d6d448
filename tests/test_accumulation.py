"""Accumulation curves and richness estimators of ambiguity (metrics._accumulation)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.testing as npt
import pytest
from scipy.stats import norm

from multiplicity import metrics
from multiplicity._errors import (
    CONFIDENCE_RANGE,
    ESTIMATE_METHOD,
    NO_OTHER_MODELS,
    TARGET_GAIN,
)
from multiplicity.metrics import ambiguity_curve, ambiguity_estimate, discrepancy_curve


def random_predictions(seed, m=7, n=60, rate=0.1):
    """Row 0 is the baseline (all 0); other models flip each person with a person-specific
    probability, so the flip counts are heterogeneous."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, rate, n) * (rng.random(n) < 0.6)
    P = (rng.random((m, n)) < p).astype(np.int8)
    P[0] = 0
    return P


def matrix_from_counts(counts, n_models, n_unflipped=0):
    """Predictions (baseline row 0 all zeros) where person i is flipped by counts[i] of
    the n_models other models."""
    counts = list(counts) + [0] * n_unflipped
    P = np.zeros((n_models + 1, len(counts)), dtype=np.int8)
    for j, c in enumerate(counts):
        P[1:c + 1, j] = 1
    return P


# ----------------------------------------------------------------- rarefaction curve
@pytest.mark.parametrize("seed", range(4))
def test_curve_equals_exhaustive_average(seed):
    P = random_predictions(seed, m=8, n=50, rate=0.3)
    others = P[1:]
    M = others.shape[0]
    curve = ambiguity_curve(P, 0)
    for m in range(1, M + 1):
        vals = [np.mean((others[list(sub)] != 0).any(axis=0))
                for sub in itertools.combinations(range(M), m)]
        npt.assert_allclose(curve.loc[m, "ambiguity"], np.mean(vals), rtol=0, atol=1e-12)


def test_curve_matches_monte_carlo_on_larger_sets():
    P = random_predictions(10, m=41, n=300, rate=0.05)
    others = P[1:]
    rng = np.random.default_rng(1)
    sizes = [3, 10, 25]
    curve = ambiguity_curve(P, 0, sizes=sizes)
    for m in sizes:
        vals = np.array([np.mean(others[rng.choice(40, m, replace=False)].any(axis=0))
                         for _ in range(2000)])
        se = vals.std(ddof=1) / math.sqrt(vals.size)
        assert abs(curve.loc[m, "ambiguity"] - vals.mean()) < 4 * se + 1e-12


@pytest.mark.parametrize("seed", range(5))
def test_curve_ends_at_ambiguity_and_rises(seed):
    P = random_predictions(seed, m=30, n=200)
    curve = ambiguity_curve(P, 0)["ambiguity"].to_numpy()
    assert curve[-1] == metrics.ambiguity(P, 0)
    assert np.all(np.diff(curve) >= -1e-15)
    # An array baseline makes every row one of the M models.
    full = ambiguity_curve(P, np.zeros(P.shape[1], dtype=np.int8))
    assert len(full) == P.shape[0]
    assert full["ambiguity"].iloc[-1] == metrics.ambiguity(P, 0)


def test_curve_stable_at_ten_thousand_models():
    M = 10_000
    cs = [1, 2, 7, 50, 500, 5000, 9999, 10_000]
    hist = np.zeros(M + 1, dtype=np.int64)
    for c in cs:
        hist[c] += 1
    from multiplicity.metrics import _accumulation_kernels as kern
    sizes = np.array([1, 2, 10, 100, 1000, 5000, 9999, 10_000], dtype=np.int64)
    got = kern._rarefaction_counts(hist, M, sizes)
    assert np.all(np.isfinite(got))
    for m, g in zip(sizes, got, strict=True):
        exact = sum(1 - math.comb(M - c, int(m)) / math.comb(M, int(m)) for c in cs)
        npt.assert_allclose(g, exact, rtol=1e-10, atol=1e-12)
    assert got[-1] == len(cs)


def test_curve_on_a_matrix_with_many_models():
    P = matrix_from_counts([1, 3, 9000], n_models=10_000, n_unflipped=1)
    curve = ambiguity_curve(P, 0, sizes=[1, 5000, 10_000])["ambiguity"]
    assert np.all(np.isfinite(curve))
    assert curve.iloc[-1] == 0.75
    exact = sum(1 - math.comb(10_000 - c, 5000) / math.comb(10_000, 5000)
                for c in (1, 3, 9000)) / 4
    npt.assert_allclose(curve.loc[5000], exact, rtol=1e-12)


# ----------------------------------------------------------------- discrepancy curve
def test_discrepancy_curve_reproducible_and_ends_at_discrepancy():
    P = random_predictions(3, m=12, n=80, rate=0.3)
    a = discrepancy_curve(P, 0, random_state=7)
    b = discrepancy_curve(P, 0, random_state=7)
    assert a.equals(b)
    assert a["discrepancy"].iloc[-1] == metrics.discrepancy(P, 0)
    assert a["std_error"].iloc[-1] == 0.0
    assert list(a.columns) == ["discrepancy", "std_error"]


@pytest.mark.parametrize("seed", range(3))
def test_discrepancy_curve_matches_exhaustive_average(seed):
    P = random_predictions(seed, m=8, n=60, rate=0.4)
    flips = (P[1:] != 0).sum(axis=1) / P.shape[1]
    M = flips.size
    curve = discrepancy_curve(P, 0, n_draws=400, random_state=seed)
    for m in range(1, M + 1):
        exact = np.mean([flips[list(s)].max() for s in itertools.combinations(range(M), m)])
        got, se = curve.loc[m, "discrepancy"], curve.loc[m, "std_error"]
        assert abs(got - exact) <= 4 * se + 1e-12


def test_discrepancy_curve_sizes_and_validation():
    P = random_predictions(0, m=5)
    out = discrepancy_curve(P, 0, sizes=[2, 4], random_state=0)
    assert list(out.index) == [2, 4]
    with pytest.raises(ValueError, match="sizes"):
        discrepancy_curve(P, 0, sizes=[0, 2])
    with pytest.raises(ValueError, match="sizes"):
        ambiguity_curve(P, 0, sizes=[5])
    with pytest.raises(ValueError, match="n_draws"):
        discrepancy_curve(P, 0, n_draws=0)


# ----------------------------------------------------------------- estimators
def chao2_by_hand(counts, M, n, z):
    """Chao2 written out (Chao 1987; Colwell et al. 2012; iNEXT/SpadeR ChaoSpecies)."""
    counts = np.asarray(counts)
    counts = counts[counts > 0]
    S, q1, q2 = counts.size, int((counts == 1).sum()), int((counts == 2).sum())
    A = (M - 1) / M
    if q2 > 0:
        f0 = A * q1**2 / (2 * q2)
        var = q2 * (A / 2 * (q1 / q2) ** 2 + A**2 * (q1 / q2) ** 3 + A**2 / 4 * (q1 / q2) ** 4)
    else:
        f0 = A * q1 * (q1 - 1) / 2
        var = (A * q1 * (q1 - 1) / 2 + A**2 * q1 * (2 * q1 - 1) ** 2 / 4
               - A**2 * q1**4 / 4 / (S + f0))
    K = math.exp(z * math.sqrt(math.log(1 + var / f0**2)))
    return (S + f0) / n, (S + f0 / K) / n, min(n, S + f0 * K) / n


def jack2_by_hand(counts, M, n, z):
    """Second-order jackknife (Burnham & Overton 1978; EstimateS) and its variance
    sum_k a_k^2 Q_k - S (Burnham & Overton 1978; SpadeR SpecInciJack2)."""
    counts = np.asarray(counts)
    counts = counts[counts > 0]
    S, q1, q2 = counts.size, int((counts == 1).sum()), int((counts == 2).sum())
    est = S + q1 * (2 * M - 3) / M - q2 * (M - 2) ** 2 / (M * (M - 1))
    a = np.where(counts == 1, 1 + (2 * M - 3) / M,
                 np.where(counts == 2, 1 - (M - 2) ** 2 / (M * (M - 1)), 1.0))
    var = np.sum(a**2) - est
    f0 = est - S
    K = math.exp(z * math.sqrt(math.log(1 + var / f0**2)))
    return est / n, (S + f0 / K) / n, min(n, S + f0 * K) / n


def test_published_ant_example():
    """Ant incidence data at 2000 m in Costa Rica (Longino & Colwell 2011), the incidence
    example of Chao et al. (2014, Ecological Monographs 84:45-67) shipped as ``ant$h2000m``
    in the R package iNEXT (Hsieh, Ma & Chao 2016): T = 200 sampling units, S_obs = 14
    species, incidence frequencies 1, 2, 2, 3, 4, 8, 8, 13, 15, ... (so Q1 = 1, Q2 = 2;
    the five most frequent species, not printed in the documentation, are >= 15 and do
    not enter either estimator).

    By hand: Chao2 = 14 + (199/200) * 1^2 / (2 * 2) = 14.24875;
    jackknife2 = 14 + 1 * 397/200 - 2 * 198^2 / (200 * 199) = 14.014949748...
    """
    freqs = [1, 2, 2, 3, 4, 8, 8, 13, 15, 20, 40, 60, 100, 150]
    n_unflipped = 6
    n = len(freqs) + n_unflipped
    P = matrix_from_counts(freqs, n_models=200, n_unflipped=n_unflipped)
    chao = ambiguity_estimate(P, 0)
    assert (chao.q1, chao.q2, chao.n_models, chao.n_samples) == (1, 2, 200, n)
    npt.assert_allclose(chao.estimate * n, 14.24875, rtol=1e-13)
    var = 2 * ((199 / 200) / 2 * 0.25 + (199 / 200) ** 2 * 0.125
               + (199 / 200) ** 2 / 4 * 0.0625)
    npt.assert_allclose((chao.std_error * n) ** 2, var, rtol=1e-12)
    jack = ambiguity_estimate(P, 0, method="jackknife2")
    npt.assert_allclose(jack.estimate * n, 14 + 397 / 200 - 2 * 198**2 / (200 * 199),
                        rtol=1e-13)
    npt.assert_allclose(jack.estimate * n, 14.0149497487, rtol=1e-10)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_estimators_match_formulas_on_random_data(seed, confidence):
    P = random_predictions(seed, m=25, n=400, rate=0.08)
    counts = (P[1:] != 0).sum(axis=0)
    M, n = 24, P.shape[1]
    z = norm.ppf(0.5 + confidence / 2)
    q1, q2 = int((counts == 1).sum()), int((counts == 2).sum())
    assert q1 > 1 and q2 > 0
    est = ambiguity_estimate(P, 0, confidence=confidence)
    want = chao2_by_hand(counts, M, n, z)
    npt.assert_allclose([est.estimate, *est.interval], want, rtol=1e-12)
    assert est.observed == metrics.ambiguity(P, 0)
    assert est.interval[0] >= est.observed
    jack = ambiguity_estimate(P, 0, method="jackknife2", confidence=confidence)
    jwant = jack2_by_hand(counts, M, n, z)
    if jwant[0] > est.observed:
        npt.assert_allclose([jack.estimate, *jack.interval], jwant, rtol=1e-12)
    assert jack.method == "jackknife2"


def test_chao2_q2_zero_branch():
    # Q1 = 3 people flipped once, nobody twice, two flipped by 5 of M = 10.
    P = matrix_from_counts([1, 1, 1, 5, 5], n_models=10, n_unflipped=15)
    est = ambiguity_estimate(P, 0)
    assert (est.q1, est.q2) == (3, 0)
    A = 0.9
    f0 = A * 3 * 2 / 2
    npt.assert_allclose(est.estimate * 20, 5 + f0, rtol=1e-13)
    var = A * 3 * 2 / 2 + A**2 * 3 * 25 / 4 - A**2 * 81 / 4 / (5 + f0)
    npt.assert_allclose((est.std_error * 20) ** 2, var, rtol=1e-12)
    z = norm.ppf(0.975)
    K = math.exp(z * math.sqrt(math.log(1 + var / f0**2)))
    # The high end is capped at all 20 people.
    npt.assert_allclose(np.array(est.interval) * 20, [5 + f0 / K, min(20, 5 + f0 * K)],
                        rtol=1e-12)


def test_no_undetected_people():
    # Nobody flipped once or twice: nothing left to find, the f0 = 0 interval.
    P = matrix_from_counts([3, 4, 6], n_models=6, n_unflipped=7)
    est = ambiguity_estimate(P, 0)
    assert est.estimate == est.observed == 0.3
    assert est.interval[0] == pytest.approx(0.3)
    assert est.interval[1] >= 0.3
    assert est.models_needed(1e-6) == 0


def test_no_flips_at_all():
    P = np.zeros((5, 12), dtype=int)
    for method in ("chao2", "jackknife2"):
        est = ambiguity_estimate(P, 0, method=method)
        assert est.observed == est.estimate == 0.0
        assert est.interval == (0.0, 0.0)
        assert est.models_needed(0.01) == 0
        assert "0.0%" in est.summary()
    curve = ambiguity_curve(P, 0)
    assert (curve["ambiguity"] == 0).all()


def test_models_needed_is_consistent_with_the_extrapolated_curve():
    P = random_predictions(2, m=15, n=500, rate=0.05)
    est = ambiguity_estimate(P, 0)
    assert est.estimate > est.observed
    assert est.expected_ambiguity(0) == est.observed
    values = [est.expected_ambiguity(t) for t in range(0, 400, 7)]
    assert np.all(np.diff(values) >= 0) and values[-1] <= est.estimate + 1e-15
    for target in (0.05, 0.01, 0.001, 1e-5):
        t = est.models_needed(target)
        assert est.estimate - est.expected_ambiguity(t) <= target
        if t > 0:
            assert est.estimate - est.expected_ambiguity(t - 1) > target
    # By hand (Chao et al. 2014): gap after t models is f0 (1 - Q1 / (M f0 + Q1))^t.
    n, M = 500, 14
    f0 = (est.estimate - est.observed) * n
    gap = f0 * (1 - est.q1 / (M * f0 + est.q1)) ** 10 / n
    npt.assert_allclose(est.estimate - est.expected_ambiguity(10), gap, rtol=1e-10)
    assert "more models" in est.summary()
    with pytest.raises(ValueError, match=TARGET_GAIN.split("{")[0]):
        est.models_needed(0)


def test_estimate_is_frozen_and_capped():
    P = matrix_from_counts([1, 1, 1, 1, 2], n_models=4)
    est = ambiguity_estimate(P, 0)
    assert est.estimate <= 1.0 and est.interval[1] <= 1.0
    with pytest.raises(AttributeError):
        est.estimate = 0.5


@pytest.mark.parametrize("method", ["chao2", "jackknife2"])
def test_interval_ends_are_capped_at_everyone(method):
    # 16 of 17 people flipped by the 5 models: the uncapped lower end of the f0 = 0
    # interval, (S_obs - z sd) / (1 - P), lies above n (1.0013 n for chao2 here)
    P = np.random.default_rng(0).integers(-3, 3, (6, 17)).astype(np.int8)
    est = ambiguity_estimate(P, 0, method=method)
    low, high = est.interval
    assert est.observed <= low <= high <= 1.0


# ----------------------------------------------------------------- validation
def test_validation_messages():
    P = random_predictions(0)
    with pytest.raises(ValueError, match=ESTIMATE_METHOD.format("chao1").replace("(", r"\(")
                       .replace(")", r"\)")):
        ambiguity_estimate(P, 0, method="chao1")
    for bad in (0, 1, 1.5, -0.1):
        with pytest.raises(ValueError, match="confidence must be"):
            ambiguity_estimate(P, 0, confidence=bad)
    for bad in (True, "0.9"):
        with pytest.raises(TypeError, match="confidence must be"):
            ambiguity_estimate(P, 0, confidence=bad)
    assert CONFIDENCE_RANGE.startswith("confidence")
    single = [[0, 1, 1]]
    msg = NO_OTHER_MODELS.format(index=0, n_models=1)
    for func in (ambiguity_curve, discrepancy_curve, ambiguity_estimate):
        with pytest.raises(ValueError, match=r"at least one model besides the baseline"):
            func(single, 0)
    assert "got 1 row(s)" in msg
    # A one-row matrix against an array baseline has one model to draw from.
    assert ambiguity_curve(single, [0, 0, 1])["ambiguity"].iloc[-1] == pytest.approx(1 / 3)


def test_inputs_are_not_modified():
    P = random_predictions(1)
    b = np.zeros(P.shape[1], dtype=np.int8)
    P0, b0 = P.copy(), b.copy()
    ambiguity_curve(P, b)
    discrepancy_curve(P, b, random_state=0)
    ambiguity_estimate(P, b)
    ambiguity_estimate(P, 0, method="jackknife2")
    npt.assert_array_equal(P, P0)
    npt.assert_array_equal(b, b0)


def test_labels_of_any_type():
    P = np.array([["a", "a", "b"], ["b", "a", "b"], ["a", "c", "b"]])
    curve = ambiguity_curve(P, 0)
    assert curve["ambiguity"].iloc[-1] == metrics.ambiguity(P, 0)
    assert ambiguity_estimate(P, 0).observed == metrics.ambiguity(P, 0)
