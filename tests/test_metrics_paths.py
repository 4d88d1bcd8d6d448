"""Code paths inside the metric kernels that ordinary inputs do not reach.

Oracles here are plain NumPy expressions written in the test; tests/reference.py holds
the loop-based ones used by test_metrics_reference.py.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import numpy.testing as npt
import pytest
from sklearn.exceptions import ConvergenceWarning

from multiplicity._validation import check_prediction_baseline, check_predictions, label_codes
from multiplicity.metrics import _disagreement as _dis
from multiplicity.metrics import (
    ambiguity,
    ambiguity_discrepancy,
    disagreement,
    discrepancy,
    pairwise_disagreement,
    rashomon_capacity,
)


def _pairwise_numpy(P):
    P = np.asarray(P)
    return (P[:, None, :] != P[None, :, :]).mean(-1)


@pytest.mark.parametrize("n_classes", [2, 3, 16, 17, 40])
def test_pairwise_every_path_matches_numpy(n_classes):
    # <= 2 classes: one bit plane; 3..16: one plane per class; > 16: direct comparison.
    rng = np.random.default_rng(n_classes)
    P = rng.integers(-5, -5 + n_classes, size=(7, 200)).astype(np.int16)
    npt.assert_allclose(pairwise_disagreement(P), _pairwise_numpy(P))


def test_pairwise_sample_count_not_a_multiple_of_64():
    rng = np.random.default_rng(1)
    for n in (1, 63, 64, 65, 130):
        P = rng.integers(0, 3, size=(4, n))
        npt.assert_allclose(pairwise_disagreement(P), _pairwise_numpy(P))


def test_pairwise_planes_threshold_is_what_the_module_says():
    assert _dis._MAX_PLANES == 16


def test_n_jobs_does_not_change_results():
    rng = np.random.default_rng(2)
    P = rng.integers(0, 4, size=(9, 300))
    Q = rng.dirichlet(np.ones(4), size=(9, 50))
    npt.assert_array_equal(pairwise_disagreement(P, n_jobs=1), pairwise_disagreement(P))
    npt.assert_array_equal(rashomon_capacity(Q, n_jobs=1), rashomon_capacity(Q, n_jobs=-1))


def test_wide_integer_labels_are_encoded():
    # Span above 2**16 (and uint64) cannot be read in place; the results must not change.
    P = np.array([[0, 10**9, 5], [0, 0, 5], [10**9, 10**9, 7]], dtype=np.int64)
    want = 1 - np.array([2, 2, 2]) / 6
    npt.assert_allclose(disagreement(P), want)
    npt.assert_allclose(disagreement(P.astype(np.uint64)), want)
    _, offset, n_levels = label_codes(check_predictions(P))
    assert (offset, n_levels) == (0, 4)


def test_narrow_integer_labels_are_read_in_place():
    P = np.array([[3, 4], [5, 3]], dtype=np.int8)
    values, offset, n_levels = label_codes(check_predictions(P))
    assert values is P or np.shares_memory(values, P)
    assert (offset, n_levels) == (3, 3)


def test_baseline_outside_dtype_range_counts_as_flip_without_widening():
    P = np.array([[0, 1, 1], [0, 1, 0]], dtype=np.int8)
    b = np.array([0, 300, 1])
    P2, b2 = check_prediction_baseline(check_predictions(P), b)
    assert P2.dtype == np.int8 and np.shares_memory(P2, P)
    assert b2.dtype == np.int8 and b2.tolist() == [0, -1, 1]  # -1: a label no model gives
    assert ambiguity(P, b) == pytest.approx(2 / 3)
    assert discrepancy(P, b) == pytest.approx(2 / 3)


def test_baseline_outside_range_when_predictions_fill_the_dtype():
    P = np.array([[-128, 127], [0, 127]], dtype=np.int8)
    b = np.array([1000, 127])
    P2, b2 = check_prediction_baseline(check_predictions(P), b)
    # Encoded jointly: codes of P are 0..2, the unseen baseline label gets its own code.
    assert P2.tolist() == [[0, 1], [2, 1]] and b2.tolist() == [3, 1]
    assert ambiguity_discrepancy(P, b) == (0.5, 0.5)


def test_float_labels_and_integer_baseline():
    P = np.array([[0.0, 1.0, 2.0], [0.0, 2.0, 2.0]])
    assert ambiguity(P, [0, 1, 2]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="non-integer"):
        ambiguity(P.astype(np.int64), [0.5, 1, 2])


def test_string_baseline_against_numeric_predictions_is_a_type_error():
    with pytest.raises(TypeError, match="baseline holds non-numeric"):
        ambiguity([[0, 1], [1, 1]], ["a", "b"])


def test_numeric_object_baseline_is_accepted():
    b = np.array([0, 1], dtype=object)
    assert ambiguity([[0, 1], [1, 1]], b) == 0.5


# ----------------------------------------------------------------- Rashomon capacity
def _capacity_bits_two_rows(a, b):
    """Closed form for two inputs and two outputs, rows (1-a, a) and (1-b, b), a != b.

    With full support, D_1 = D_2 = C, so W r = -H - C 1 for r = log q; summing q = 1
    gives C = log sum_j exp(-(W^-1 H)_j) (nats).
    """
    W = np.array([[1 - a, a], [1 - b, b]])
    H = np.array([-(w * np.log(w)).sum() for w in np.clip(W, 1e-300, 1)])
    beta = np.linalg.solve(W, H)
    return math.log(np.exp(-beta).sum()) / math.log(2)


@pytest.mark.parametrize(("a", "b"), [(0.1, 0.9), (0.3, 0.35), (0.0, 0.5), (0.02, 0.6)])
def test_binary_capacity_matches_closed_form(a, b):
    Q = np.array([[a], [b], [(a + b) / 2]])  # the middle model is never needed
    got = rashomon_capacity(Q, bits=True)[0]
    assert got == pytest.approx(_capacity_bits_two_rows(a, b), abs=1e-9)


def test_duplicated_models_do_not_change_capacity():
    rng = np.random.default_rng(5)
    Q = rng.dirichlet(np.ones(3), size=(4, 20))
    Q_dup = np.concatenate([Q, Q[[0, 0, 2]], Q[::-1]])
    npt.assert_allclose(rashomon_capacity(Q_dup), rashomon_capacity(Q), atol=1e-12)


def test_distinct_rows_separates_rows_with_equal_sort_keys():
    from multiplicity.metrics._kernels import _distinct_rows

    # The kernel sorts rows by sum_c W[i, c] * (1 + 0.618... c + 0.01 c^2); the rows
    # (w1, 0) and (0, 1), w1 the weight of class 1, get exactly the same key.
    w1 = 1.0 + 0.6180339887498949 + 0.01
    W = np.array([[w1, 0.0], [0.0, 1.0], [w1, 0.0], [0.0, 1.0], [0.5, 0.5]])
    r = _distinct_rows(W, 5, 2, np.empty(5), np.empty(5, dtype=np.int64))
    assert r == 3
    kept = {tuple(row) for row in W[:r]}
    assert kept == {(w1, 0.0), (0.0, 1.0), (0.5, 0.5)}


def test_nearly_equal_models_have_capacity_near_one():
    Q = np.array([[[0.5, 0.5]], [[0.5, 0.5]], [[0.5 + 1e-15, 0.5 - 1e-15]]])
    assert rashomon_capacity(Q)[0] == pytest.approx(1.0, abs=1e-12)


def test_non_convergence_warns_and_returns_lower_bound():
    rng = np.random.default_rng(0)
    Q = rng.dirichlet(np.ones(6), size=(30, 5))
    with pytest.warns(ConvergenceWarning, match="did not reach"):
        low = rashomon_capacity(Q, max_iter=1, bits=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exact = rashomon_capacity(Q, bits=True)
    assert np.all(low <= exact + 1e-12)


def test_capacity_tolerance_is_respected():
    rng = np.random.default_rng(11)
    Q = rng.dirichlet(np.full(5, 0.3), size=(40, 30))
    fine = rashomon_capacity(Q, bits=True, tol=1e-12)
    coarse = rashomon_capacity(Q, bits=True, tol=1e-3)
    assert np.all(coarse <= fine + 1e-12)
    assert np.all(fine - coarse <= 1e-3 + 1e-12)


@pytest.mark.parametrize("bad", [0, -1e-3, float("nan"), float("inf"), True, "1e-9"])
def test_capacity_rejects_bad_tol(bad):
    with pytest.raises(ValueError, match="tol"):
        rashomon_capacity([[0.2], [0.4]], tol=bad)


@pytest.mark.parametrize("bad", [0, -5, 2.5, True])
def test_capacity_rejects_bad_max_iter(bad):
    with pytest.raises(ValueError, match="max_iter"):
        rashomon_capacity([[0.2], [0.4]], max_iter=bad)


def test_float32_probabilities_give_float64_capacity():
    rng = np.random.default_rng(3)
    Q = rng.dirichlet(np.ones(3), size=(5, 8))
    got32 = rashomon_capacity(Q.astype(np.float32))
    assert got32.dtype == np.float64
    npt.assert_allclose(got32, rashomon_capacity(Q), atol=1e-5)
