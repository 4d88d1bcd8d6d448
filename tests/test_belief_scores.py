"""Discounted belief fusion, belief conflict and the disagreement-prediction scores.

Oracles: plain loops over the definitions (Bezirganyan et al. 2025; LeWiDi 2021/2023/2025;
Ni et al. 2025), scipy.stats.wasserstein_distance, scipy.stats.pearsonr and
sklearn.metrics.f1_score; hand-computed values on the bundled GoEmotions subsets.
"""

from __future__ import annotations

import math

import hypothesis.strategies as st
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis.extra import numpy as hnp
from scipy import stats
from sklearn.metrics import f1_score

from multiplicity.annotation import Annotations, _belief, _scores, soft_labels
from multiplicity.annotation._belief import belief_conflict, discounted_belief_fusion
from multiplicity.annotation._scores import (
    disagreement_f1,
    manhattan_distance,
    normalized_absolute_distance,
    perspectivist_error_rate,
    soft_cross_entropy,
    variance_correlation,
    wasserstein_distance,
)
from multiplicity.datasets import load_goemotions_disagreement


# ------------------------------------------------------------------ oracles
def ref_opinion(e):
    K = len(e)
    S = sum(x + 1.0 for x in e)
    return [x / S for x in e], K / S, [(x + 1.0) / S for x in e]


def ref_conflict(E):
    """DC(m, n) for one item, E a list of lists (s, K)."""
    ops = [ref_opinion(e) for e in E]
    s = len(E)
    out = [[0.0] * s for _ in range(s)]
    for m in range(s):
        for n in range(s):
            _, um, Pm = ops[m]
            _, un, Pn = ops[n]
            out[m][n] = 0.5 * sum(abs(a - b) for a, b in zip(Pm, Pn, strict=True)) * \
                (1 - um) * (1 - un)
    return out


def ref_dbf(E, lam=1.0):
    """Fused evidence and discounts for one item (product over n != m)."""
    K = len(E[0])
    DC = ref_conflict(E)
    s = len(E)
    fused = [0.0] * K
    etas = []
    for m in range(s):
        eta = 1.0
        for n in range(s):
            if n != m:
                eta *= (1 - DC[m][n] ** lam) ** (1 / lam)
        etas.append(eta)
        b, u, _ = ref_opinion(E[m])
        b2 = [eta * x for x in b]
        u2 = eta * u + 1 - eta
        for k in range(K):
            fused[k] += K * b2[k] / u2 / s
    return fused, etas


evidence_arrays = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 5), st.integers(2, 4)),
    elements=st.floats(0.0, 50.0, allow_nan=False, allow_infinity=False))


# ------------------------------------------------------------------ conflict
def test_conflict_hand_example():
    # [9, 0] vs [0, 9]: P = [10/11, 1/11] and reversed, u = 2/11 each.
    dc = 0.5 * (18 / 11) * (9 / 11) ** 2
    npt.assert_allclose(belief_conflict([[9, 0], [0, 9]]), [[0, dc], [dc, 0]])
    # A vacuous source (no evidence, u = 1) conflicts with nobody.
    npt.assert_allclose(belief_conflict([[9, 0], [0, 0]]), 0.0)


@given(E=evidence_arrays)
def test_conflict_matches_reference_and_bounds(E):
    DC = belief_conflict(E)
    npt.assert_allclose(DC, ref_conflict(E.tolist()), atol=1e-12)
    npt.assert_allclose(DC, DC.T)
    npt.assert_array_equal(np.diag(DC), 0.0)
    assert (DC >= 0).all() and (DC < 1).all()


@given(E=evidence_arrays, data=st.data())
def test_fusion_invariant_to_source_order(E, data):
    perm = np.array(data.draw(st.permutations(range(E.shape[0]))))
    fused, eta = discounted_belief_fusion(E, return_discount=True)
    fused_p, eta_p = discounted_belief_fusion(E[perm], return_discount=True)
    npt.assert_allclose(fused_p, fused, rtol=1e-12, atol=1e-12)
    npt.assert_allclose(eta_p, eta[perm], rtol=1e-12)
    npt.assert_allclose(belief_conflict(E[perm]), belief_conflict(E)[np.ix_(perm, perm)])


@given(E=evidence_arrays, lam=st.floats(0.25, 8.0))
def test_fusion_matches_reference(E, lam):
    fused, eta = discounted_belief_fusion(E, lam, return_discount=True)
    ref_fused, ref_eta = ref_dbf(E.tolist(), lam)
    # 1e-8: the kernels compile with fastmath "afn" (approximate pow/log), which on
    # extreme inputs (conflicts near 1e-15 raised to lambda < 1) moves eta by ~1e-9.
    npt.assert_allclose(fused, ref_fused, rtol=1e-8, atol=1e-12)
    npt.assert_allclose(eta, ref_eta, rtol=1e-8, atol=1e-15)
    assert (eta > 0).all() and (eta <= 1).all()
    # Discounting never adds evidence, and a larger lambda discounts less.
    assert (fused <= E.mean(axis=0) + 1e-9).all()
    _, eta_big = discounted_belief_fusion(E, 2 * lam, return_discount=True)
    assert (eta_big >= eta - 1e-12).all()


def test_conflicting_source_is_discounted():
    E = np.array([[20.0, 1.0, 0.0], [18.0, 2.0, 1.0], [19.0, 0.0, 2.0], [0.0, 25.0, 0.0]])
    fused, eta = discounted_belief_fusion(E, return_discount=True)
    assert eta[3] < 0.5 * eta[:3].min()
    assert np.argmax(fused) == 0
    # The fused opinion is more uncertain than the undiscounted average.
    K = E.shape[1]
    assert K / (fused + 1).sum() > K / (E.mean(axis=0) + 1).sum()
    # Removing the conflicting source raises the others' discounts.
    _, eta3 = discounted_belief_fusion(E[:3], return_discount=True)
    assert (eta3 > eta[:3]).all()


def test_agreeing_sources_are_not_discounted():
    E = np.array([[5.0, 1.0], [5.0, 1.0], [5.0, 1.0]])
    fused, eta = discounted_belief_fusion(E, return_discount=True)
    npt.assert_array_equal(eta, 1.0)
    npt.assert_allclose(fused, [5.0, 1.0])
    npt.assert_allclose(discounted_belief_fusion([[3.0, 4.0]]), [3.0, 4.0])


@pytest.mark.parametrize("n_items", [7, 300])  # 300 takes the parallel path
def test_vectorised_over_items(n_items):
    rng = np.random.default_rng(3)
    E = rng.gamma(1.0, 5.0, size=(n_items, 4, 3)) * (rng.random((n_items, 4, 1)) < 0.8)
    DC = belief_conflict(E)
    fused, eta = discounted_belief_fusion(E, 2.0, return_discount=True)
    assert DC.shape == (n_items, 4, 4) and fused.shape == (n_items, 3)
    assert eta.shape == (n_items, 4)
    for i in (0, n_items // 2, n_items - 1):
        npt.assert_allclose(DC[i], belief_conflict(E[i]), atol=1e-15)
        f_i, e_i = discounted_belief_fusion(E[i], 2.0, return_discount=True)
        npt.assert_allclose(fused[i], f_i, rtol=1e-13)
        npt.assert_allclose(eta[i], e_i, rtol=1e-13)


@pytest.mark.parametrize(("evidence", "message"), [
    ([[1.0, -0.5], [1.0, 1.0]], "non-negative"),
    ([[1.0, np.nan], [1.0, 1.0]], "finite"),
    ([[1.0, np.inf]], "finite"),
    ([1.0, 2.0], "n_sources"),
    (np.ones((2, 2, 2, 2)), "n_sources"),
    ([[1.0], [2.0]], "2 classes"),
    (np.ones((0, 3)), "at least one"),
    (np.ones((2, 0, 3)), "at least one"),
])
def test_bad_evidence(evidence, message):
    with pytest.raises(ValueError, match=message):
        belief_conflict(evidence)
    with pytest.raises(ValueError, match=message):
        discounted_belief_fusion(evidence)


def test_bad_evidence_type_and_lambda():
    with pytest.raises(TypeError, match="numbers"):
        belief_conflict([["a", "b"]])
    for lam in (0, -1.0, np.inf, np.nan, True, "1"):
        with pytest.raises(ValueError, match="lambda_"):
            discounted_belief_fusion([[1.0, 2.0]], lam)
    assert _belief.EVIDENCE_NEGATIVE.startswith("evidence must be non-negative")


# -------------------------------------------------------------------- scores
def ref_soft_ce(T, P):
    total = 0.0
    for t_row, p_row in zip(T, P, strict=True):
        for t, p in zip(t_row, p_row, strict=True):
            q = min(max(p, 1e-12), 1 - 1e-12)
            total -= t * math.log(q + 1e-9)
    return total / len(T)


def ref_manhattan(T, P):
    return sum(sum(abs(p - t) for t, p in zip(tr, pr, strict=True))
               for tr, pr in zip(T, P, strict=True)) / len(T)


distributions = st.integers(2, 5).flatmap(lambda k: st.integers(1, 12).flatmap(
    lambda n: st.tuples(*(hnp.arrays(np.float64, (n, k), elements=st.floats(0.0, 1.0))
                          for _ in range(2)))))


def _normalise(A):
    A = A + 1e-3
    return A / A.sum(axis=1, keepdims=True)


def test_scores_hand_examples():
    T = [[1.0, 0.0], [0.5, 0.5]]
    P = [[0.8, 0.2], [0.5, 0.5]]
    ce = -(math.log(0.8 + 1e-9) + 0.5 * 2 * math.log(0.5 + 1e-9)) / 2
    assert soft_cross_entropy(T, P) == pytest.approx(ce, rel=1e-12)
    assert manhattan_distance(T, P) == pytest.approx(0.2)
    assert wasserstein_distance(T, P) == pytest.approx(0.1)
    # Binary shares read as [1 - p, p].
    assert soft_cross_entropy([0.0, 0.5], [0.2, 0.5]) == pytest.approx(ce, rel=1e-12)
    # Clipping: a zero predicted probability costs log(1e-12 + 1e-9), not infinity.
    assert soft_cross_entropy([[0.0, 1.0]], [[1.0, 0.0]]) == pytest.approx(
        -math.log(1e-12 + 1e-9))
    # Ordinal bins: moving all mass two bins costs 2, one bin 1.
    assert wasserstein_distance([[1, 0, 0]], [[0, 0, 1]]) == pytest.approx(2.0)
    assert wasserstein_distance([[1, 0, 0]], [[0, 1, 0]]) == pytest.approx(1.0)
    assert manhattan_distance([[1, 0, 0]], [[0, 0, 1]]) == pytest.approx(2.0)


@given(pair=distributions)
def test_scores_match_references(pair):
    T, P = (_normalise(A) for A in pair)
    assert soft_cross_entropy(T, P) == pytest.approx(ref_soft_ce(T.tolist(), P.tolist()),
                                                     rel=1e-12)
    assert manhattan_distance(T, P) == pytest.approx(ref_manhattan(T.tolist(), P.tolist()),
                                                     rel=1e-12, abs=1e-15)
    k = T.shape[1]
    w = np.mean([stats.wasserstein_distance(np.arange(k), np.arange(k), t, p)
                 for t, p in zip(T, P, strict=True)])
    assert wasserstein_distance(T, P) == pytest.approx(w, rel=1e-9, abs=1e-12)
    assert 0 <= wasserstein_distance(T, P) <= k - 1 + 1e-12
    assert 0 <= manhattan_distance(T, P) <= 2 + 1e-12
    assert manhattan_distance(T, T) == 0 and wasserstein_distance(T, T) == 0
    # Inputs are not modified, and pandas works.
    assert soft_cross_entropy(pd.DataFrame(T), pd.DataFrame(P)) == pytest.approx(
        soft_cross_entropy(T, P), rel=1e-13)


@given(shares=hnp.arrays(np.float64, st.tuples(st.integers(3, 30)),
                         elements=st.sampled_from([0.0, 0.2, 0.25, 0.4, 0.5, 0.6, 0.75, 1.0])),
       noise=st.integers(0, 2**31 - 1))
def test_variance_correlation_matches_pearsonr(shares, noise):
    pred = np.clip(shares + np.random.default_rng(noise).normal(0, 0.2, shares.shape), 0, 1)
    va, vb = shares * (1 - shares), pred * (1 - pred)
    if np.ptp(va) == 0 or np.ptp(vb) == 0:
        with pytest.raises(ValueError, match="undefined"):
            variance_correlation(shares, pred)
        assert math.isnan(variance_correlation(shares, pred, on_undefined="nan"))
        return
    r = stats.pearsonr(va, vb).statistic
    assert variance_correlation(shares, pred) == pytest.approx(r, abs=1e-10)
    assert variance_correlation(np.column_stack([1 - shares, shares]),
                                np.column_stack([1 - pred, pred])) == pytest.approx(r, abs=1e-10)
    assert variance_correlation(shares, shares) == pytest.approx(1.0)


@given(pair=distributions, threshold=st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.5]))
def test_disagreement_f1_matches_sklearn(pair, threshold):
    T, P = pair
    T = np.where(T > 0.6, 1.0, T)  # some one-hot rows
    T = T / T.sum(axis=1, keepdims=True) if (T.sum(axis=1) > 0).all() else _normalise(T)
    P = _normalise(P)
    truth = T.max(axis=1) < 1 - 1e-6
    pred = 1 - P.max(axis=1) >= threshold - 1e-12
    expected = f1_score(truth, pred, zero_division=0.0)
    assert disagreement_f1(T, P, threshold) == pytest.approx(expected)


def test_disagreement_f1_hand_example():
    # truth: [no, yes, no, yes]; predicted minority mass 0.05, 0.3, 0.2, 0.5.
    assert disagreement_f1([0.0, 0.4, 1.0, 0.6], [0.05, 0.3, 0.2, 0.5]) == pytest.approx(0.8)
    assert disagreement_f1([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert disagreement_f1([0.0, 1.0], [0.0, 1.0], zero_division=1.0) == 1.0
    for bad in (-0.1, 1.5, "0.1", True):
        with pytest.raises(ValueError, match="threshold"):
            disagreement_f1([0.5], [0.5], bad)


def test_perspectivist_scores():
    truth = [[1, 1, 0], [0, 0, None]]
    assert perspectivist_error_rate(truth, [1, 0]) == pytest.approx((1 / 3 + 0) / 2)
    assert perspectivist_error_rate(truth, [[1, 1, 0], [0, 1, 1]]) == pytest.approx(0.25)
    assert perspectivist_error_rate(truth, truth) == 0.0
    ann = Annotations.from_wide([["a", "b"], ["a", None], [None, None]])
    assert perspectivist_error_rate(ann, ["a", "b", "a"]) == pytest.approx(0.5 / 2 + 0.5)
    assert normalized_absolute_distance([[1, 5], [3, None]], [[2, 5], [5, None]]) == \
        pytest.approx((0.125 + 0.5) / 2)
    assert normalized_absolute_distance([[1, 5]], [[2, 4]], scale=(0, 10)) == \
        pytest.approx(0.1)
    assert normalized_absolute_distance([[2, 2]], [[2, 2]]) == 0.0
    with pytest.raises(ValueError, match="no prediction"):
        perspectivist_error_rate(truth, [[1, 1, None], [0, 0, 0]])
    with pytest.raises(ValueError, match="y_pred must be"):
        perspectivist_error_rate(truth, [1, 0, 1])
    with pytest.raises(ValueError, match="no labels"):
        perspectivist_error_rate([[None, None]], [1])
    with pytest.raises(ValueError, match="y_true must be"):
        perspectivist_error_rate([1, 0], [1, 0])
    with pytest.raises(ValueError, match="scale"):
        normalized_absolute_distance([[1, 5]], [[2, 4]], scale=(3, 3))
    with pytest.raises(ValueError, match="scale"):
        normalized_absolute_distance([[1, 5]], [[2, 4]], scale="ab")
    with pytest.raises(TypeError, match="numeric"):
        normalized_absolute_distance([["a", "b"]], [["a", "a"]])


@pytest.mark.parametrize(("y_true", "y_pred", "error", "message"), [
    ([[0.5, 0.6]], [[0.5, 0.5]], ValueError, "sum to 1"),
    ([[0.5, 0.5]], [[0.7, 0.2]], ValueError, "y_pred must sum|rows of y_pred"),
    ([[1.2, -0.2]], [[0.5, 0.5]], ValueError, r"\[0, 1\]"),
    ([1.5], [0.5], ValueError, r"\[0, 1\]"),
    ([[np.nan, 1.0]], [[0.5, 0.5]], ValueError, "NaN"),
    ([[0.5, 0.5]], [[0.5, 0.5], [0.5, 0.5]], ValueError, "same shape"),
    ([[1.0]], [[1.0]], ValueError, "2 classes"),
    (np.ones((1, 2, 2)) / 2, np.ones((1, 2, 2)) / 2, ValueError, "n_items"),
    (np.ones((0, 2)), np.ones((0, 2)), ValueError, "at least one item"),
    ([["a", "b"]], [[0.5, 0.5]], TypeError, "numbers"),
])
def test_bad_distributions(y_true, y_pred, error, message):
    for score in (soft_cross_entropy, manhattan_distance, wasserstein_distance,
                  disagreement_f1, variance_correlation):
        with pytest.raises(error, match=message):
            score(y_true, y_pred)


def test_variance_correlation_needs_binary_and_two_items():
    with pytest.raises(ValueError, match="binary"):
        variance_correlation([[0.2, 0.3, 0.5]] * 3, [[0.2, 0.3, 0.5]] * 3)
    with pytest.raises(ValueError, match="at least 2 items"):
        variance_correlation([0.5], [0.5])
    with pytest.raises(ValueError, match="on_undefined"):
        variance_correlation([0.5, 0.2], [0.5, 0.2], on_undefined="zero")
    assert _scores.CONSTANT_VARIANCE.startswith("variance_correlation is undefined")


# ------------------------------------------------------------ GoEmotions
def _human(group, subset):
    goe = load_goemotions_disagreement(group=group, subset=subset)
    ann = Annotations.from_long(goe.data)
    t = soft_labels(ann)[1].to_numpy()        # labelled: items x categories
    return goe, ann, t


def _split(group, split):
    """(training-set base rate, test Annotations, test human shares)."""
    if split == "highvar":  # train on the Random set, test on the HighVar set
        train, _, _ = _human(group, "random")
        test, ann, t = _human(group, "high_variance")
        npt.assert_allclose(t, test.item_table.loc[ann.items, "prob_positive"], atol=1e-12)
        return float(train.data["label"].mean()), ann, t
    goe = load_goemotions_disagreement(group=group, subset="random")
    items = np.sort(goe.data["item"].unique())
    in_train = goe.data["item"].isin(items[: len(items) // 2])
    ann = Annotations.from_long(goe.data[~in_train])
    t = soft_labels(ann)[1].to_numpy()
    npt.assert_allclose(t, goe.item_table.loc[ann.items, "prob_positive"], atol=1e-12)
    return float(goe.data.loc[in_train, "label"].mean()), ann, t


@pytest.mark.parametrize("split", ["highvar", "random_halves"])
@pytest.mark.parametrize("group", ["positive", "negative"])
def test_goemotions_trivial_and_perfect_predictors(group, split):
    q, ann, t = _split(group, split)                 # q: training-set base rate
    n = t.shape[0]
    trivial = np.full(n, q)

    # Trivial predictor, by hand: every score is a function of q and simple sums.
    t_mean = float(t.mean())
    ce = -(t_mean * math.log(q + 1e-9) + (1 - t_mean) * math.log(1 - q + 1e-9))
    assert soft_cross_entropy(t, trivial) == pytest.approx(ce, rel=1e-12)
    assert manhattan_distance(t, trivial) == pytest.approx(2 * np.abs(t - q).mean(), rel=1e-12)
    assert wasserstein_distance(t, trivial) == pytest.approx(np.abs(t - q).mean(), rel=1e-12)
    with pytest.raises(ValueError, match="predicted variances"):
        variance_correlation(t, trivial)
    n_dis = int(np.count_nonzero((t > 0) & (t < 1)))
    assert 0 < n_dis and min(q, 1 - q) >= 0.1  # every item is flagged as disagreement
    assert disagreement_f1(t, trivial) == pytest.approx(2 * n_dis / (n_dis + n))
    assert disagreement_f1(t, trivial, threshold=min(q, 1 - q) + 0.01) == 0.0
    majority_label = int(q >= 0.5)
    err = float(np.mean(t if majority_label == 0 else 1 - t))  # share of other labels
    wide = ann.to_wide()
    assert perspectivist_error_rate(wide, np.full(n, majority_label)) == pytest.approx(err)

    # The human distribution itself: perfect scores.
    assert manhattan_distance(t, t) == 0.0
    assert wasserstein_distance(t, t) == 0.0
    assert variance_correlation(t, t) == pytest.approx(1.0)
    assert disagreement_f1(t, t) == 1.0
    assert perspectivist_error_rate(wide, wide) == 0.0
    assert normalized_absolute_distance(wide, wide) == 0.0
    # Soft cross-entropy of a perfect prediction = mean (clipped) entropy, by hand from
    # the (raters, positives) count of each item.
    counts = ann.counts()
    r, j = counts.sum(axis=1), counts[:, 1]
    total = 0.0
    for ri, ji in zip(r.tolist(), j.tolist(), strict=True):
        for share in (ji / ri, 1 - ji / ri):
            clipped = min(max(share, 1e-12), 1 - 1e-12)
            total -= share * math.log(clipped + 1e-9)
    assert soft_cross_entropy(t, t) == pytest.approx(total / n, rel=1e-12)
    assert soft_cross_entropy(t, t) < soft_cross_entropy(t, trivial)


def test_goemotions_pinned_values():
    """Values printed in docs/annotation_profiles.md (positive group, HighVar test set,
    base rate of the Random set)."""
    train, _, _ = _human("positive", "random")
    _, _, t = _human("positive", "high_variance")
    q = np.full(t.shape, train.data["label"].mean())
    assert round(float(train.data["label"].mean()), 4) == 0.3498
    assert round(soft_cross_entropy(t, q), 4) == 0.737
    assert round(manhattan_distance(t, q), 4) == 0.2894
    assert round(soft_cross_entropy(t, t), 4) == 0.6747
