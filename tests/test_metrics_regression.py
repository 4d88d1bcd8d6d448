"""Regression measures of :mod:`multiplicity.metrics` against slow loop-based oracles.

``prediction_range``, ``regression_ambiguity``, ``regression_discrepancy`` and
``decision_ambiguity`` are checked against the oracles below (plain Python loops over
samples and models) on hand-written cases, including the exact ``delta`` edges, and on
hypothesis matrices; then the properties that follow from the definitions; then bad input;
then the kernels with blocks smaller than the data.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from multiplicity import _errors
from multiplicity._validation import DELTA_RTOL, check_real_predictions
from multiplicity.metrics import (
    _kernels,
    _regression_kernels,
    decision_ambiguity,
    prediction_range,
    regression_ambiguity,
    regression_discrepancy,
)

FUNCTIONS = [prediction_range, regression_ambiguity, regression_discrepancy,
             decision_ambiguity]


# --------------------------------------------------------------------------------------
# Oracles: one sample and one model at a time, in Python floats
# --------------------------------------------------------------------------------------
def _resolve(P, baseline):
    P = np.asarray(P)
    if isinstance(baseline, int):
        return [float(v) for v in P[baseline]]
    return [float(v) for v in np.asarray(baseline)]


def _moves(p, b, delta):
    """``|p - b| >= delta`` with the documented relative slack."""
    return abs(float(p) - b) >= delta - DELTA_RTOL * max(delta, abs(b))


def oracle_range(P):
    P = np.asarray(P)
    rows = []
    for j in range(P.shape[1]):
        column = [float(P[i, j]) for i in range(P.shape[0])]
        rows.append([min(column), max(column)])
    return np.array(rows, dtype=np.float64)


def oracle_moved(P, baseline, delta):
    """(per-sample flags, per-model counts) of moves of at least delta."""
    P = np.asarray(P)
    b = _resolve(P, baseline)
    m, n = P.shape
    flags = [any(_moves(P[i, j], b[j], delta) for i in range(m)) for j in range(n)]
    counts = [sum(_moves(P[i, j], b[j], delta) for j in range(n)) for i in range(m)]
    return np.array(flags), np.array(counts)


def oracle_ambiguity(P, baseline, delta):
    flags, _ = oracle_moved(P, baseline, delta)
    return sum(flags) / len(flags)


def oracle_discrepancy(P, baseline, delta):
    flags, counts = oracle_moved(P, baseline, delta)
    return max(counts) / len(flags)


def oracle_decision(P, threshold, baseline=None):
    P = np.asarray(P)
    m, n = P.shape
    ambiguous = 0
    for j in range(n):
        decisions = {float(P[i, j]) >= threshold for i in range(m)}
        if baseline is None:
            ambiguous += len(decisions) > 1
        else:
            ref = _resolve(P, baseline)[j] >= threshold
            ambiguous += any(d != ref for d in decisions)
    return ambiguous / n


def check_all(P, baseline, delta, threshold):
    """Every function against its oracle on one input."""
    npt.assert_array_equal(prediction_range(P), oracle_range(P))
    assert regression_ambiguity(P, baseline, delta) == oracle_ambiguity(P, baseline, delta)
    assert regression_discrepancy(P, baseline, delta) == oracle_discrepancy(P, baseline, delta)
    assert decision_ambiguity(P, threshold) == oracle_decision(P, threshold)
    assert (decision_ambiguity(P, threshold, baseline)
            == oracle_decision(P, threshold, baseline))


# --------------------------------------------------------------------------------------
# Hand-written cases
# --------------------------------------------------------------------------------------
P_DOC = np.array([[10.0, 20.0, 30.0, 40.0],
                  [10.5, 20.0, 28.0, 40.0],
                  [10.0, 21.0, 30.0, 40.2]])


def test_worked_example():
    npt.assert_array_equal(prediction_range(P_DOC),
                           [[10.0, 10.5], [20.0, 21.0], [28.0, 30.0], [40.0, 40.2]])
    assert regression_ambiguity(P_DOC, 0, 1.0) == 0.5        # gaps 2.0 and 1.0 (== delta)
    assert regression_discrepancy(P_DOC, 0, 1.0) == 0.25
    assert regression_ambiguity(P_DOC, 0, 0.5) == 0.75
    assert regression_discrepancy(P_DOC, 0, 0.5) == 0.5
    assert decision_ambiguity(P_DOC, 30.0) == 0.25           # 28 < 30 <= 30 at sample 2
    assert decision_ambiguity(P_DOC, 30.0, 0) == 0.25
    assert decision_ambiguity(P_DOC, 30.0, [10.0, 20.0, 29.0, 29.0]) == 0.5
    check_all(P_DOC, 0, 1.0, 30.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("low", "high", "delta"), [
    (0.0, 0.1, 0.1),              # exactly delta
    (0.5, 0.6, 0.1),              # 0.09999999999999998 in binary
    (0.2, 0.3, 0.1),
    (1000.2, 1000.3, 0.1),        # short of 0.1 by 9e-14
    (1e6, 1e6 + 0.1, 0.1),        # short of 0.1 by 2.3e-11: beyond an absolute 1e-12
    (-7.5, -5.0, 2.5),
])
def test_gaps_of_exactly_delta_count(dtype, low, high, delta):
    P = np.array([[low, low], [high, low]])
    if dtype == np.float32:
        # float32 values are compared as stored: the gap of the stored values decides.
        P = P.astype(np.float32)
        gap = abs(float(P[1, 0]) - float(P[0, 0]))
        expected = 0.5 if gap >= delta - DELTA_RTOL * max(delta, abs(float(P[0, 0]))) else 0.0
    else:
        expected = 0.5
    assert regression_ambiguity(P, 0, delta) == expected
    assert regression_ambiguity(P, 1, delta) == expected
    assert regression_discrepancy(P, 0, delta) == expected
    check_all(P, 0, delta, high)


def test_float32_edge_that_is_exact():
    P = np.array([[0.0], [0.1]], dtype=np.float32)   # 0.1f is 0.10000000149...
    assert regression_ambiguity(P, 0, 0.1) == 1.0
    assert regression_ambiguity(P, 0, 0.1000001) == 0.0


def test_gap_clearly_below_delta_does_not_count():
    assert regression_ambiguity([[0.0], [0.0999]], 0, 0.1) == 0.0
    assert regression_ambiguity([[1e6], [1e6 + 0.0999]], 0, 0.1) == 0.0


def test_slack_is_relative_to_the_scale():
    # Tiny targets: an absolute slack of 1e-12 would count a gap 1% short of delta.
    assert regression_ambiguity([[0.0], [0.99e-10]], 0, 1e-10) == 0.0
    assert regression_ambiguity([[0.0], [1e-10]], 0, 1e-10) == 1.0
    # Large targets: within 1e-12 of the baseline's magnitude counts, beyond does not.
    b = 1e9
    assert regression_ambiguity([[b], [b + 1.0 - 1e-4]], 0, 1.0) == 1.0
    assert regression_ambiguity([[b], [b + 1.0 - 1e-2]], 0, 1.0) == 0.0


def test_int_row_and_array_baseline_agree():
    rng = np.random.default_rng(0)
    P = rng.normal(size=(5, 40)).round(1)
    for row in range(5):
        for fn in (regression_ambiguity, regression_discrepancy):
            assert fn(P, row, 0.3) == fn(P, P[row].copy(), 0.3)
            assert fn(P, row - 5, 0.3) == fn(P, row, 0.3)
        assert decision_ambiguity(P, 0.1, row) == decision_ambiguity(P, 0.1, P[row].copy())
        check_all(P, row, 0.3, 0.1)


def test_single_model():
    P = np.array([[1.0, 2.0, 3.0]])
    npt.assert_array_equal(prediction_range(P), [[1, 1], [2, 2], [3, 3]])
    assert regression_ambiguity(P, 0, 1e-9) == 0.0
    assert regression_discrepancy(P, 0, 1e-9) == 0.0
    assert decision_ambiguity(P, 2.0) == 0.0
    assert decision_ambiguity(P, 2.0, 0) == 0.0
    b = [1.0, 2.5, 3.0]
    assert regression_ambiguity(P, b, 0.5) == pytest.approx(1 / 3)
    assert decision_ambiguity(P, 2.2, b) == pytest.approx(1 / 3)
    check_all(P, b, 0.5, 2.2)


def test_threshold_uses_greater_or_equal():
    # A score equal to the threshold is a positive decision.
    assert decision_ambiguity([[1.0], [2.0]], 2.0) == 1.0
    assert decision_ambiguity([[2.0], [3.0]], 2.0) == 0.0
    assert decision_ambiguity([[2.0], [3.0]], 2.0, baseline=[1.9]) == 1.0
    assert decision_ambiguity([[2.0], [3.0]], 2.0, baseline=[2.0]) == 0.0
    assert decision_ambiguity([[0.0], [1.0]], 1.0, baseline=[5.0]) == 1.0


@pytest.mark.parametrize("convert", [
    lambda P: P.astype(np.int64), lambda P: P.astype(np.int8), lambda P: P.astype(np.float32),
    lambda P: P.tolist(), pd.DataFrame, lambda P: np.asfortranarray(P),
    lambda P: P.astype(np.float16), lambda P: P.astype(object),
], ids=["int64", "int8", "float32", "list", "DataFrame", "fortran", "float16", "object"])
def test_containers_and_dtypes(convert):
    P = np.array([[0, 1, 2, 3], [0, 2, 2, 5], [1, 1, 3, 3]], dtype=np.float64)
    Q = convert(P)
    npt.assert_array_equal(prediction_range(Q), oracle_range(P))
    for baseline in (0, 2, [0, 1, 2, 4], pd.Series([0, 1, 2, 4])):
        assert regression_ambiguity(Q, baseline, 1) == oracle_ambiguity(P, baseline, 1)
        assert regression_discrepancy(Q, baseline, 1) == oracle_discrepancy(P, baseline, 1)
        assert decision_ambiguity(Q, 2, baseline) == oracle_decision(P, 2, baseline)
    assert decision_ambiguity(Q, 2) == oracle_decision(P, 2)


def test_bool_predictions():
    P = np.array([[True, False, True], [True, True, True]])
    npt.assert_array_equal(prediction_range(P), [[1, 1], [0, 1], [1, 1]])
    assert regression_ambiguity(P, 0, 1) == pytest.approx(1 / 3)
    assert decision_ambiguity(P, 0.5) == pytest.approx(1 / 3)


def test_output_types():
    R = prediction_range(np.ones((2, 3), dtype=np.float32))
    assert R.dtype == np.float64 and R.shape == (3, 2)
    for value in (regression_ambiguity(P_DOC, 0, 1.0), regression_discrepancy(P_DOC, 0, 1.0),
                  decision_ambiguity(P_DOC, 1.0), decision_ambiguity(P_DOC, 1.0, 0)):
        assert type(value) is float


def test_float32_is_read_in_place():
    P = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert check_real_predictions(P) is P
    D = np.arange(12, dtype=np.float64).reshape(3, 4)
    assert check_real_predictions(D) is D


# --------------------------------------------------------------------------------------
# Hypothesis: oracles and properties
# --------------------------------------------------------------------------------------
STEPS = (0.1, 0.05, 0.25, 1.0, 7.0, 1e-3, 1e5)
OFFSETS = (0.0, -3.0, 0.5, 123.4, 1e6)


@st.composite
def real_matrices(draw, max_models=5, max_samples=25):
    """``(m, n)`` float64 or float32 predictions and a ``delta`` on the same scale.

    Half of the draws put values on a grid (an offset plus multiples of a step) with
    ``delta`` a multiple of the step, so that gaps land on ``delta`` (up to rounding).
    """
    m = draw(st.integers(1, max_models))
    n = draw(st.integers(1, max_samples))
    if draw(st.booleans()):
        step, offset = draw(st.sampled_from(STEPS)), draw(st.sampled_from(OFFSETS))
        k = draw(hnp.arrays(np.int64, (m, n), elements=st.integers(-6, 6)))
        P = offset + k * step
        delta = step * draw(st.integers(1, 6))
    else:
        P = draw(hnp.arrays(np.float64, (m, n), elements=st.floats(
            -1e3, 1e3, allow_nan=False, allow_infinity=False)))
        delta = draw(st.floats(1e-6, 2e3, allow_nan=False, allow_infinity=False))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    return P.astype(dtype), delta


@given(Pd=real_matrices(), data=st.data())
def test_matches_oracles(Pd, data):
    P, delta = Pd
    row = data.draw(st.integers(0, P.shape[0] - 1))
    threshold = float(data.draw(st.sampled_from(P.ravel().tolist())))
    check_all(P, row, delta, threshold)
    other = data.draw(hnp.arrays(np.float64, (P.shape[1],), elements=st.floats(
        -1e3, 1e3, allow_nan=False, allow_infinity=False)))
    check_all(P, other, delta, threshold)


@given(Pd=real_matrices(), data=st.data())
def test_bounds_and_order(Pd, data):
    P, delta = Pd
    row = data.draw(st.integers(0, P.shape[0] - 1))
    amb = regression_ambiguity(P, row, delta)
    dis = regression_discrepancy(P, row, delta)
    assert 0.0 <= dis <= amb <= 1.0
    R = prediction_range(P)
    assert np.all(R[:, 0] <= R[:, 1])
    threshold = float(data.draw(st.sampled_from(P.ravel().tolist())))
    assert 0.0 <= decision_ambiguity(P, threshold) <= 1.0


@given(Pd=real_matrices(), data=st.data())
def test_non_increasing_in_delta(Pd, data):
    P, delta = Pd
    row = data.draw(st.integers(0, P.shape[0] - 1))
    larger = delta * data.draw(st.sampled_from([1.0, 1.5, 2.0, 10.0]))
    assert regression_ambiguity(P, row, larger) <= regression_ambiguity(P, row, delta)
    assert regression_discrepancy(P, row, larger) <= regression_discrepancy(P, row, delta)


@given(Pd=real_matrices(), data=st.data())
def test_invariant_to_model_and_sample_order(Pd, data):
    P, delta = Pd
    m, n = P.shape
    row = data.draw(st.integers(0, m - 1))
    models = np.array(data.draw(st.permutations(range(m))))
    samples = np.array(data.draw(st.permutations(range(n))))
    Pm = P[models]
    moved_row = int(np.argsort(models)[row])        # where the baseline row went
    Ps = P[:, samples]
    for fn in (regression_ambiguity, regression_discrepancy):
        value = fn(P, row, delta)
        assert fn(Pm, moved_row, delta) == value
        assert fn(Ps, row, delta) == value
        assert fn(Ps, P[row, samples], delta) == value
    threshold = float(data.draw(st.sampled_from(P.ravel().tolist())))
    value = decision_ambiguity(P, threshold)
    assert decision_ambiguity(Pm, threshold) == value
    assert decision_ambiguity(Ps, threshold) == value
    npt.assert_array_equal(prediction_range(Pm), prediction_range(P))
    npt.assert_array_equal(prediction_range(Ps), prediction_range(P)[samples])


@given(Pd=real_matrices(), data=st.data())
def test_invariant_to_scaling_by_powers_of_two(Pd, data):
    # The slack is relative, so every unit gives the same answer.
    P, delta = Pd
    row = data.draw(st.integers(0, P.shape[0] - 1))
    scale = 2.0 ** data.draw(st.integers(-20, 20))
    Q = (P.astype(np.float64) * scale)
    for fn in (regression_ambiguity, regression_discrepancy):
        assert fn(Q, row, delta * scale) == fn(P, row, delta)


@given(Pd=real_matrices(), data=st.data())
def test_a_baseline_row_disagrees_exactly_when_the_range_straddles(Pd, data):
    P, _ = Pd
    row = data.draw(st.integers(0, P.shape[0] - 1))
    threshold = float(data.draw(st.one_of(st.sampled_from(P.ravel().tolist()),
                                          st.floats(-2e3, 2e3))))
    R = prediction_range(P)
    straddles = np.mean((R[:, 0] < threshold) & (threshold <= R[:, 1]))
    assert decision_ambiguity(P, threshold) == straddles
    assert decision_ambiguity(P, threshold, baseline=row) == straddles
    assert decision_ambiguity(P, threshold, baseline=P[row].copy()) == straddles


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------
def _exact(template, *args, **kwargs):
    return re.escape(template.format(*args, **kwargs))


def _call(fn, P, baseline=0):
    if fn is prediction_range:
        return fn(P)
    if fn is decision_ambiguity:
        return fn(P, 0.5, baseline)
    return fn(P, baseline, 0.5)


@pytest.mark.parametrize("fn", FUNCTIONS)
@pytest.mark.parametrize("bad", [[0.0, 1.0], np.zeros((2, 2, 2)), 3.0],
                         ids=["1d", "3d", "scalar"])
def test_predictions_must_be_2d(fn, bad):
    with pytest.raises(ValueError, match=_exact(_errors.NOT_2D, name="predictions",
                                                shape=np.asarray(bad).shape)):
        _call(fn, bad)


@pytest.mark.parametrize("fn", FUNCTIONS)
@pytest.mark.parametrize("shape", [(0, 3), (3, 0)])
def test_predictions_must_not_be_empty(fn, shape):
    with pytest.raises(ValueError, match=_exact(_errors.EMPTY, name="predictions",
                                                shape=shape)):
        _call(fn, np.zeros(shape), np.zeros(shape[1]))


@pytest.mark.parametrize("fn", FUNCTIONS)
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, object])
def test_predictions_must_be_finite(fn, value, dtype):
    P = np.array([[0.0, 1.0], [1.0, value]]).astype(dtype)
    with pytest.raises(ValueError, match=_exact(_errors.NAN_PROBA, name="predictions")):
        _call(fn, P, np.zeros(2))


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_predictions_with_none_are_missing(fn):
    with pytest.raises(ValueError, match=_exact(_errors.NAN_PROBA, name="predictions")):
        _call(fn, [[0.0, None], [1.0, 2.0]])


@pytest.mark.parametrize("fn", FUNCTIONS)
@pytest.mark.parametrize("bad", [np.array([["a", "b"], ["c", "d"]]),
                                 np.array([[1 + 1j, 2], [3, 4]]),
                                 np.array([["a", 1.0], [2.0, 3.0]], dtype=object)],
                         ids=["str", "complex", "object-str"])
def test_predictions_must_be_real(fn, bad):
    with pytest.raises(TypeError, match=_exact(_errors.NOT_REAL, name="predictions",
                                               dtype=bad.dtype)):
        _call(fn, bad)


@pytest.mark.parametrize("fn", [regression_ambiguity, regression_discrepancy])
@pytest.mark.parametrize("delta", [0, 0.0, -1.0, np.inf, np.nan, -np.inf])
def test_delta_must_be_positive_and_finite(fn, delta):
    with pytest.raises(ValueError, match=_exact(_errors.DELTA_POSITIVE, delta)):
        fn(P_DOC, 0, delta)


@pytest.mark.parametrize("fn", [regression_ambiguity, regression_discrepancy])
@pytest.mark.parametrize("delta", [True, "0.1", None, [0.1], np.array([0.1])])
def test_delta_must_be_a_real_number(fn, delta):
    with pytest.raises(TypeError, match=_exact(_errors.DELTA_POSITIVE, delta)):
        fn(P_DOC, 0, delta)


@pytest.mark.parametrize("fn", [regression_ambiguity, regression_discrepancy])
def test_delta_is_not_limited_to_one(fn):
    assert fn(P_DOC * 1000, 0, 1000.0) == fn(P_DOC, 0, 1.0)
    assert fn(P_DOC, 0, np.float32(0.5)) == fn(P_DOC, 0, 0.5)
    assert fn(P_DOC, 0, 2) == fn(P_DOC, 0, 2.0)


def test_delta_is_required():
    with pytest.raises(TypeError):
        regression_ambiguity(P_DOC, 0)  # type: ignore[call-arg]


@pytest.mark.parametrize("threshold", [np.nan, np.inf, -np.inf])
def test_threshold_must_be_finite(threshold):
    with pytest.raises(ValueError, match=_exact(_errors.THRESHOLD_FINITE, threshold)):
        decision_ambiguity(P_DOC, threshold)


@pytest.mark.parametrize("threshold", [True, "30", None, [30.0]])
def test_threshold_must_be_a_real_number(threshold):
    with pytest.raises(TypeError, match=_exact(_errors.THRESHOLD_FINITE, threshold)):
        decision_ambiguity(P_DOC, threshold)


BASELINE_FUNCTIONS = [regression_ambiguity, regression_discrepancy, decision_ambiguity]


@pytest.mark.parametrize("fn", BASELINE_FUNCTIONS)
@pytest.mark.parametrize("baseline", [np.zeros(3), np.zeros(5), np.zeros((4, 1)), []])
def test_baseline_shape(fn, baseline):
    with pytest.raises(ValueError, match=_exact(
            _errors.BASELINE_SHAPE, expected=(4,), name="predictions",
            shape=np.asarray(baseline).shape)):
        _call(fn, P_DOC, baseline)


@pytest.mark.parametrize("fn", BASELINE_FUNCTIONS)
@pytest.mark.parametrize("index", [3, -4, 100])
def test_baseline_row_out_of_range(fn, index):
    with pytest.raises(ValueError, match=_exact(_errors.BASELINE_INDEX, index=index,
                                                n_models=3)):
        _call(fn, P_DOC, index)


@pytest.mark.parametrize("fn", BASELINE_FUNCTIONS)
@pytest.mark.parametrize("baseline", [0.0, "0", True])
def test_baseline_scalar_that_is_not_a_row(fn, baseline):
    with pytest.raises(TypeError, match=_exact(_errors.BASELINE_TYPE, name="predictions",
                                               type=type(baseline).__name__)):
        _call(fn, P_DOC, baseline)


@pytest.mark.parametrize("fn", BASELINE_FUNCTIONS)
def test_baseline_must_be_finite_and_real(fn):
    with pytest.raises(ValueError, match=_exact(_errors.NAN_PROBA, name="baseline")):
        _call(fn, P_DOC, [1.0, np.nan, 2.0, 3.0])
    bad = np.array(["a", "b", "c", "d"])
    with pytest.raises(TypeError, match=_exact(_errors.NOT_REAL, name="baseline",
                                               dtype=bad.dtype)):
        _call(fn, P_DOC, bad)


@pytest.mark.parametrize("fn", FUNCTIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_inputs_are_not_modified(fn, dtype):
    P = (P_DOC * 10).astype(dtype)
    P.flags.writeable = True
    b = P[1].astype(np.float64)
    P_before, b_before = P.copy(), b.copy()
    _call(fn, P, b)
    _call(fn, P, 1)
    npt.assert_array_equal(P, P_before)
    npt.assert_array_equal(b, b_before)
    P.flags.writeable = False   # read-only input is fine too
    b.flags.writeable = False
    _call(fn, P, b)


# --------------------------------------------------------------------------------------
# Kernels with blocks smaller than the data
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("block", [1, 3, 7, 64])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kernels_across_block_edges(block, dtype):
    rng = np.random.default_rng(block)
    P = (rng.integers(-5, 6, size=(4, 50)) * 0.1).astype(dtype)
    b = rng.integers(-5, 6, size=50) * 0.1
    for delta in (0.1, 0.3, 1.0):
        flags, counts = _regression_kernels._regression_flip_stats(P, b, delta, DELTA_RTOL,
                                                                   block)
        want_flags, want_counts = oracle_moved(P, b, delta)
        npt.assert_array_equal(flags.astype(bool), want_flags)
        npt.assert_array_equal(counts, want_counts)
    R = _kernels._value_range(P.reshape((*P.shape, 1)), block)[:, 0, :]
    npt.assert_array_equal(R, oracle_range(P))
