"""Properties of :mod:`multiplicity.metrics` that hold for every input hypothesis draws.

None of these compares with an oracle: each checks a relation between calls (bounds,
invariances, equivariances, monotonicity) that follows from the definitions.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.testing as npt
import pytest
import strategies
from hypothesis import given
from hypothesis import strategies as st

from multiplicity.metrics import (
    ambiguity,
    ambiguous_samples,
    churn,
    disagreement,
    disagreement_error_estimate,
    discrepancy,
    negative_flip_rate,
    pairwise_disagreement,
    positive_flip_rate,
    probabilistic_ambiguity,
    probabilistic_discrepancy,
    rashomon_capacity,
    self_consistency,
    viable_prediction_range,
)

TINY = 1e-12


# --------------------------------------------------------------------------------------
# Ambiguity and discrepancy
# --------------------------------------------------------------------------------------
@given(P=strategies.prediction_matrices(), data=st.data())
def test_discrepancy_never_exceeds_ambiguity(P, data):
    b = data.draw(strategies.baselines(P.shape[0]))
    a, d = ambiguity(P, b), discrepancy(P, b)
    assert 0.0 <= d <= a + TINY <= 1.0 + 2 * TINY
    # The ambiguous samples are exactly those ambiguity counts.
    flags = ambiguous_samples(P, b)
    assert a == pytest.approx(flags.mean(), abs=TINY)
    # With the baseline among the models, discrepancy >= ambiguity / (m - 1).
    if P.shape[0] > 1:
        assert d >= a / (P.shape[0] - 1) - TINY


@given(P=strategies.prediction_matrices(), data=st.data())
def test_ambiguity_invariant_to_sample_order(P, data):
    b = data.draw(strategies.baselines(P.shape[0]))
    perm = np.array(data.draw(st.permutations(range(P.shape[1]))), dtype=np.int64)
    assert ambiguity(P[:, perm], b) == pytest.approx(ambiguity(P, b), abs=TINY)
    assert discrepancy(P[:, perm], b) == pytest.approx(discrepancy(P, b), abs=TINY)
    npt.assert_array_equal(ambiguous_samples(P[:, perm], b), ambiguous_samples(P, b)[perm])
    # Same with the baseline given as an array, permuted along with the samples.
    base = P[b]
    assert ambiguity(P[:, perm], base[perm]) == pytest.approx(ambiguity(P, b), abs=TINY)


@given(P=strategies.prediction_matrices(), data=st.data())
def test_ambiguity_invariant_to_order_of_competing_models(P, data):
    m = P.shape[0]
    b = data.draw(st.integers(0, m - 1))
    perm = np.array(data.draw(st.permutations(range(m))), dtype=np.int64)
    new_b = int(np.flatnonzero(perm == b)[0])  # where the baseline row moved to
    for fn in (ambiguity, discrepancy):
        assert fn(P[perm], new_b) == pytest.approx(fn(P, b), abs=TINY)
        assert fn(P[perm], P[b]) == pytest.approx(fn(P, b), abs=TINY)
        assert fn(P[perm], new_b - m) == pytest.approx(fn(P, b), abs=TINY)  # negative index


@given(data=strategies.labelled_predictions(), choice=st.data())
def test_invariant_to_relabelling_classes(data, choice):
    codes, _, P = data
    b = choice.draw(strategies.baselines(codes.shape[0]))
    for fn in (ambiguity, discrepancy):
        assert fn(P, b) == pytest.approx(fn(codes, b), abs=TINY)
    npt.assert_array_equal(ambiguous_samples(P, b), ambiguous_samples(codes, b))
    npt.assert_allclose(pairwise_disagreement(P), pairwise_disagreement(codes), atol=TINY)
    npt.assert_allclose(disagreement(P), disagreement(codes), atol=TINY)
    # ... and with the baseline given as an array of the new labels.
    assert ambiguity(P, P[b]) == pytest.approx(ambiguity(codes, b), abs=TINY)
    # ints mapped to strings (str(code) is a bijection on codes).
    as_str = codes.astype(str)
    assert ambiguity(as_str, b) == pytest.approx(ambiguity(codes, b), abs=TINY)
    npt.assert_allclose(pairwise_disagreement(as_str), pairwise_disagreement(codes), atol=TINY)


# --------------------------------------------------------------------------------------
# Disagreement
# --------------------------------------------------------------------------------------
@given(P=strategies.prediction_matrices(), data=st.data())
def test_pairwise_disagreement_is_a_symmetric_share_matrix(P, data):
    D = pairwise_disagreement(P)
    m = P.shape[0]
    assert D.shape == (m, m)
    npt.assert_array_equal(D, D.T)
    npt.assert_array_equal(np.diag(D), np.zeros(m))
    assert np.all((D >= 0.0) & (D <= 1.0))
    # Permutation-equivariant: reordering models reorders rows and columns.
    perm = np.array(data.draw(st.permutations(range(m))), dtype=np.int64)
    npt.assert_allclose(pairwise_disagreement(P[perm]), D[np.ix_(perm, perm)], atol=TINY)
    # Invariant to the order of samples.
    sperm = np.array(data.draw(st.permutations(range(P.shape[1]))), dtype=np.int64)
    npt.assert_allclose(pairwise_disagreement(P[:, sperm]), D, atol=TINY)
    # Each entry is the churn between the two models.
    i, j = data.draw(st.integers(0, m - 1)), data.draw(st.integers(0, m - 1))
    assert D[i, j] == pytest.approx(churn(P[i], P[j]), abs=TINY)
    # The triangle inequality holds for a share of differing positions (Hamming).
    for a in range(m):
        assert np.all(D[a][:, None] <= D[a][None, :] + D + 1e-9)


@given(P=strategies.prediction_matrices(min_models=2))
def test_error_estimate_is_mean_disagreement(P):
    est = disagreement_error_estimate(P)
    m = P.shape[0]
    D = pairwise_disagreement(P)
    assert est == pytest.approx(D.sum() / (m * (m - 1)), abs=1e-12)
    assert est == pytest.approx(float(np.mean(disagreement(P))), abs=1e-12)
    assert 0.0 <= est <= 1.0


@given(P=strategies.prediction_matrices())
def test_disagreement_bounds_and_self_consistency(P):
    dis = disagreement(P)
    sc = self_consistency(P)
    assert dis.shape == sc.shape == (P.shape[1],)
    assert np.all((dis >= 0.0) & (dis <= 1.0))
    npt.assert_allclose(sc, 1.0 - dis, atol=TINY)
    # Zero exactly where all models agree.
    all_agree = np.all(P == P[0], axis=0)
    npt.assert_array_equal(dis == 0.0, all_agree)


@given(P=strategies.prediction_matrices(max_classes=2))
def test_self_consistency_binary_closed_form(P):
    B = P.shape[0]
    B1 = (P == P.max()).sum(axis=0) if P.max() > 0 else np.zeros(P.shape[1])
    B0 = B - B1
    expected = np.ones(P.shape[1]) if B == 1 else 1.0 - 2.0 * B0 * B1 / (B * (B - 1))
    npt.assert_allclose(self_consistency(P), expected, atol=1e-12)
    npt.assert_allclose(self_consistency(P.astype(bool)), expected, atol=1e-12)


@given(P=strategies.prediction_matrices(min_models=2, max_models=4), data=st.data())
def test_churn_and_flip_rates(P, data):
    y = P[data.draw(st.integers(0, P.shape[0] - 1))]
    old, new = P[0], P[1]
    c = churn(old, new)
    assert c == pytest.approx(churn(new, old), abs=TINY)
    assert churn(old, old) == 0.0
    nfr, pfr = negative_flip_rate(y, old, new), positive_flip_rate(y, old, new)
    assert 0.0 <= nfr <= 1.0 and 0.0 <= pfr <= 1.0
    # A negative flip of old -> new is a positive flip of new -> old.
    assert nfr == pytest.approx(positive_flip_rate(y, new, old), abs=TINY)
    # Every flip changes the prediction, so it is also churn.
    assert nfr + pfr <= c + TINY
    # Accuracy bookkeeping: acc(new) - acc(old) = pfr - nfr.
    gain = float(np.mean(new == y) - np.mean(old == y))
    assert pfr - nfr == pytest.approx(gain, abs=1e-12)


@given(P=strategies.prediction_matrices(), data=st.data())
def test_every_label_measure_is_a_share(P, data):
    b = data.draw(strategies.baselines(P.shape[0]))
    for value in (ambiguity(P, b), discrepancy(P, b), churn(P[0], P[-1]),
                  negative_flip_rate(P[b], P[0], P[-1]), positive_flip_rate(P[b], P[0], P[-1])):
        assert 0.0 <= value <= 1.0
    assert np.all((self_consistency(P) >= 0.0) & (self_consistency(P) <= 1.0))


# --------------------------------------------------------------------------------------
# Probabilities
# --------------------------------------------------------------------------------------
@given(Q=strategies.probability_matrices(), data=st.data(),
       d1=strategies.deltas(), d2=strategies.deltas())
def test_probabilistic_measures_monotone_in_delta(Q, data, d1, d2):
    b = data.draw(strategies.probability_baselines(Q))
    lo, hi = min(d1, d2), max(d1, d2)
    for fn in (probabilistic_ambiguity, probabilistic_discrepancy):
        assert fn(Q, b, delta=hi) <= fn(Q, b, delta=lo) + TINY


@given(Q=strategies.probability_matrices(), data=st.data(), delta=strategies.deltas())
def test_probabilistic_discrepancy_never_exceeds_ambiguity(Q, data, delta):
    b = data.draw(strategies.probability_baselines(Q))
    a = probabilistic_ambiguity(Q, b, delta=delta)
    d = probabilistic_discrepancy(Q, b, delta=delta)
    assert 0.0 <= d <= a + TINY <= 1.0 + 2 * TINY


@given(Q=strategies.probability_matrices(), data=st.data(), delta=strategies.deltas())
def test_probabilistic_measures_invariant_to_sample_and_model_order(Q, data, delta):
    m, n = Q.shape[:2]
    b = data.draw(st.integers(0, m - 1))
    perm = np.array(data.draw(st.permutations(range(m))), dtype=np.int64)
    sperm = np.array(data.draw(st.permutations(range(n))), dtype=np.int64)
    new_b = int(np.flatnonzero(perm == b)[0])
    for fn in (probabilistic_ambiguity, probabilistic_discrepancy):
        ref_value = fn(Q, b, delta=delta)
        assert fn(Q[perm], new_b, delta=delta) == pytest.approx(ref_value, abs=TINY)
        assert fn(Q[:, sperm], b, delta=delta) == pytest.approx(ref_value, abs=TINY)


@given(Q=strategies.probability_matrices(multiclass=False), data=st.data(),
       delta=strategies.deltas())
def test_binary_probabilities_equal_two_class_distributions(Q, data, delta):
    # (m, n) positive-class probabilities q are the distributions [1 - q, q]: the largest
    # per-class gap is |q - q'| on both classes, so every measure must agree.
    b = data.draw(st.integers(0, Q.shape[0] - 1))
    Q3 = np.stack([1.0 - Q, Q], axis=2)
    # Identical up to the rounding of 1 - q, which can move a gap across delta only when
    # it lies within rounding of delta; skip those rare draws.
    gaps = np.abs(Q - Q[b])
    if np.any(np.abs(gaps - delta) < 1e-9):
        return
    for fn in (probabilistic_ambiguity, probabilistic_discrepancy):
        assert fn(Q, b, delta=delta) == pytest.approx(fn(Q3, b, delta=delta), abs=TINY)
    rng2 = viable_prediction_range(Q)
    rng3 = viable_prediction_range(Q3)
    npt.assert_allclose(rng3[:, 1, :], rng2, atol=0)


@given(Q=strategies.probability_matrices(), data=st.data())
def test_viable_range_contains_every_model(Q, data):
    R = viable_prediction_range(Q)
    assert R.shape == (*Q.shape[1:], 2)
    b = data.draw(st.integers(0, Q.shape[0] - 1))
    assert np.all(R[..., 0] <= Q[b]) and np.all(Q[b] <= R[..., 1])
    assert np.all((R >= 0.0) & (R <= 1.0))
    # The range is attained: its ends are values some model gives.
    npt.assert_array_equal(R[..., 0], Q.min(axis=0))
    npt.assert_array_equal(R[..., 1], Q.max(axis=0))


@given(Q=strategies.channels(), data=st.data())
def test_rashomon_capacity_bounds_and_invariances(Q, data):
    m = Q.shape[0]
    k = 2 if Q.ndim == 2 else Q.shape[2]
    perm = np.array(data.draw(st.permutations(range(m))), dtype=np.int64)
    with warnings.catch_warnings(record=True) as caught:
        # Slowly converging draws (near-duplicate rows) may run out of iterations; the
        # bounds below hold for the lower bound returned then too.
        warnings.simplefilter("always")
        rc = rashomon_capacity(Q)
        bits = rashomon_capacity(Q, bits=True)
        rc_perm = rashomon_capacity(Q[perm])
    assert all(issubclass(w.category, UserWarning) for w in caught)
    assert rc.shape == bits.shape == (Q.shape[1],)
    assert np.all(rc >= 1.0 - 1e-9)
    assert np.all(rc <= min(m, k) + 1e-9)
    npt.assert_allclose(rc, 2.0**bits, rtol=1e-12)
    if not caught:
        # The order of the models (the channel's inputs) does not matter.
        npt.assert_allclose(rc_perm, rc, rtol=1e-6)
    # All models equal -> RC = 1.
    same = np.repeat(Q[:1], m, axis=0)
    npt.assert_allclose(rashomon_capacity(same), np.ones(Q.shape[1]), atol=1e-9)
