"""Bad input, no mutation of the caller's data, and dtype/container equivalence.

Error messages are matched against the templates in :mod:`multiplicity._errors`, so a
message that stops naming its argument fails here.
"""

from __future__ import annotations

import math
import re

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
import reference as ref

from multiplicity import _errors
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

WITH_BASELINE = [ambiguity, discrepancy, ambiguous_samples]
PREDICTIONS_ONLY = [pairwise_disagreement, disagreement, self_consistency,
                    disagreement_error_estimate]
LABEL_FUNCTIONS = [*WITH_BASELINE, *PREDICTIONS_ONLY]
PROBA_WITH_BASELINE = [probabilistic_ambiguity, probabilistic_discrepancy]
PROBA_ONLY = [viable_prediction_range, rashomon_capacity]
PROBA_FUNCTIONS = [*PROBA_WITH_BASELINE, *PROBA_ONLY]
FLIP_RATES = [negative_flip_rate, positive_flip_rate]


def _ids(fns):
    return [f.__name__ for f in fns]


def _call(fn, first, baseline=0):
    """Call a label or probability function with a baseline when it takes one."""
    if fn in WITH_BASELINE or fn in PROBA_WITH_BASELINE:
        return fn(first, baseline)
    return fn(first)


def _exact(template, **kwargs):
    return re.escape(template.format(**kwargs))


# --------------------------------------------------------------------------------------
# Predictions: shape and content
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", LABEL_FUNCTIONS, ids=_ids(LABEL_FUNCTIONS))
@pytest.mark.parametrize("bad", [[0, 1, 1], np.zeros((2, 2, 2), dtype=int), 3],
                         ids=["1d", "3d", "scalar"])
def test_predictions_must_be_2d(fn, bad):
    shape = np.asarray(bad).shape
    with pytest.raises(ValueError, match=_exact(_errors.NOT_2D, name="predictions",
                                                shape=shape)):
        _call(fn, bad)


@pytest.mark.parametrize("fn", LABEL_FUNCTIONS, ids=_ids(LABEL_FUNCTIONS))
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0)])
def test_predictions_must_not_be_empty(fn, shape):
    with pytest.raises(ValueError, match=_exact(_errors.EMPTY, name="predictions",
                                                shape=shape)):
        _call(fn, np.zeros(shape, dtype=int), baseline=np.zeros(shape[1], dtype=int))


@pytest.mark.parametrize("fn", LABEL_FUNCTIONS, ids=_ids(LABEL_FUNCTIONS))
@pytest.mark.parametrize("bad", [
    np.array([[0.0, np.nan], [1.0, 0.0]]),
    np.array([[0, None], [1, 0]], dtype=object),
    np.array([["a", None], ["b", "a"]], dtype=object),
    np.array([["a", np.nan], ["b", "a"]], dtype=object),
    pd.DataFrame({"x": [1.0, 0.0], "y": [np.nan, 1.0]}),
    pd.DataFrame({"x": ["a", "b"], "y": [None, "a"]}),
], ids=["float_nan", "object_none", "str_none", "str_nan", "frame_nan", "frame_none"])
def test_missing_predictions_are_rejected(fn, bad):
    with pytest.raises(ValueError, match=_exact(_errors.MISSING_LABELS, name="predictions")):
        _call(fn, bad)


@pytest.mark.parametrize("fn", LABEL_FUNCTIONS, ids=_ids(LABEL_FUNCTIONS))
def test_unhashable_labels_are_rejected(fn):
    bad = np.empty((2, 2), dtype=object)
    for i in range(2):
        for j in range(2):
            bad[i, j] = [i, j]
    with pytest.raises(TypeError, match="predictions"):
        _call(fn, bad)


@pytest.mark.parametrize("P", [[[0, 1, 1]], np.array([[0], [1], [1]])[:1]],
                         ids=["list", "array"])
def test_error_estimate_needs_two_models(P):
    with pytest.raises(ValueError, match=_exact(_errors.TOO_FEW_MODELS, name="predictions",
                                                need=2, got=1)):
        disagreement_error_estimate(P)


# --------------------------------------------------------------------------------------
# Label baselines
# --------------------------------------------------------------------------------------
P3 = np.array([[0, 1, 1, 0], [1, 1, 0, 0], [0, 0, 1, 1]])


@pytest.mark.parametrize("fn", WITH_BASELINE, ids=_ids(WITH_BASELINE))
@pytest.mark.parametrize("baseline", [[0, 1, 1], [0, 1, 1, 0, 1], [[0, 1, 1, 0]],
                                      np.zeros((4, 1), dtype=int), []],
                         ids=["short", "long", "2d_row", "column", "empty"])
def test_baseline_shape_must_match(fn, baseline):
    shape = np.asarray(baseline).shape
    with pytest.raises(ValueError, match=_exact(_errors.BASELINE_SHAPE, expected=(4,),
                                                name="predictions", shape=shape)):
        fn(P3, baseline)


@pytest.mark.parametrize("fn", WITH_BASELINE, ids=_ids(WITH_BASELINE))
@pytest.mark.parametrize("index", [3, 4, -4, 100, np.int64(3), np.int8(-4)])
def test_baseline_index_out_of_range(fn, index):
    with pytest.raises(ValueError, match=_exact(_errors.BASELINE_INDEX, index=int(index),
                                                n_models=3)):
        fn(P3, index)


@pytest.mark.parametrize("fn", WITH_BASELINE, ids=_ids(WITH_BASELINE))
@pytest.mark.parametrize("baseline", [None, "0", 1.0, np.float64(1.0), True, b"0"],
                         ids=["none", "str", "float", "np_float", "bool", "bytes"])
def test_baseline_of_wrong_type(fn, baseline):
    with pytest.raises(TypeError, match=_exact(_errors.BASELINE_TYPE, name="predictions",
                                               type=type(baseline).__name__)):
        fn(P3, baseline)


@pytest.mark.parametrize("fn", WITH_BASELINE, ids=_ids(WITH_BASELINE))
def test_numpy_bool_baseline_is_not_a_row_index(fn):
    # np.bool_ is not an int: it must not select row 0 or 1 (either error type will do).
    with pytest.raises((TypeError, ValueError), match="baseline"):
        fn(P3, np.bool_(True))


@pytest.mark.parametrize("fn", WITH_BASELINE, ids=_ids(WITH_BASELINE))
@pytest.mark.parametrize("P, baseline", [
    (P3, [0.0, np.nan, 1.0, 0.0]),
    (P3.astype(float), [0.0, np.nan, 1.0, 0.0]),
    (P3.astype(str), np.array(["0", None, "1", "0"], dtype=object)),
    (P3, pd.Series([0.0, 1.0, None, 0.0])),
], ids=["int_nan", "float_nan", "str_none", "series_none"])
def test_missing_baseline_labels_are_rejected(fn, P, baseline):
    with pytest.raises(ValueError, match=_exact(_errors.MISSING_LABELS, name="baseline")):
        fn(P, baseline)


# --------------------------------------------------------------------------------------
# churn and flip rates
# --------------------------------------------------------------------------------------
def test_churn_lengths_must_match():
    with pytest.raises(ValueError, match=_exact(_errors.LENGTH_MISMATCH, a="predictions_a",
                                                b="predictions_b", na=3, nb=2)):
        churn([0, 1, 1], [0, 1])


@pytest.mark.parametrize("fn", FLIP_RATES, ids=_ids(FLIP_RATES))
@pytest.mark.parametrize("lengths, names", [
    ((3, 2, 3), ("y_true", "old")), ((3, 3, 2), ("y_true", "new")), ((2, 3, 3), ("y_true", "old")),
])
def test_flip_rate_lengths_must_match(fn, lengths, names):
    args = [[0] * n for n in lengths]
    with pytest.raises(ValueError, match="must have the same length") as info:
        fn(*args)
    assert all(name in str(info.value) for name in names)


@pytest.mark.parametrize("bad, template, shape", [
    ([[0, 1], [1, 0]], _errors.NOT_1D, (2, 2)),
    (5, _errors.NOT_1D, ()),
    ([], _errors.EMPTY, (0,)),
], ids=["2d", "scalar", "empty"])
def test_one_dimensional_inputs(bad, template, shape):
    good = [0, 1]
    with pytest.raises(ValueError, match=_exact(template, name="predictions_a", shape=shape)):
        churn(bad, good)
    with pytest.raises(ValueError, match=_exact(template, name="predictions_b", shape=shape)):
        churn(good, bad)
    for fn in FLIP_RATES:
        for pos, name in enumerate(["y_true", "old", "new"]):
            args = [good, good, good]
            args[pos] = bad
            with pytest.raises(ValueError, match=_exact(template, name=name, shape=shape)):
                fn(*args)


@pytest.mark.parametrize("bad", [[0.0, np.nan], np.array(["a", None], dtype=object),
                                 pd.Series([1, None])], ids=["nan", "none", "series_none"])
def test_one_dimensional_missing_values(bad):
    good = [0, 1]
    with pytest.raises(ValueError, match=_exact(_errors.MISSING_LABELS, name="predictions_a")):
        churn(bad, good)
    with pytest.raises(ValueError, match=_exact(_errors.MISSING_LABELS, name="predictions_b")):
        churn(good, bad)
    for fn in FLIP_RATES:
        for pos, name in enumerate(["y_true", "old", "new"]):
            args = [good, good, good]
            args[pos] = bad
            with pytest.raises(ValueError, match=_exact(_errors.MISSING_LABELS, name=name)):
                fn(*args)


# --------------------------------------------------------------------------------------
# Probabilities
# --------------------------------------------------------------------------------------
Q2 = np.array([[0.2, 0.5, 0.9], [0.3, 0.5, 0.1]])
Q3 = np.array([[[0.2, 0.8], [0.5, 0.5]], [[0.6, 0.4], [1.0, 0.0]]])


@pytest.mark.parametrize("fn", PROBA_FUNCTIONS, ids=_ids(PROBA_FUNCTIONS))
@pytest.mark.parametrize("bad", [[0.1, 0.2], np.full((2, 2, 2, 2), 0.5), 0.5],
                         ids=["1d", "4d", "scalar"])
def test_probabilities_must_be_2d_or_3d(fn, bad):
    shape = np.asarray(bad).shape
    with pytest.raises(ValueError, match=_exact(_errors.NOT_PROBA_DIM, name="probabilities",
                                                shape=shape)):
        _call(fn, bad)


@pytest.mark.parametrize("fn", PROBA_FUNCTIONS, ids=_ids(PROBA_FUNCTIONS))
@pytest.mark.parametrize("shape", [(0, 3), (2, 0), (0, 2, 2), (2, 0, 2), (2, 2, 0)])
def test_probabilities_must_not_be_empty(fn, shape):
    with pytest.raises(ValueError, match=_exact(_errors.EMPTY, name="probabilities",
                                                shape=shape)):
        _call(fn, np.zeros(shape))


@pytest.mark.parametrize("fn", PROBA_FUNCTIONS, ids=_ids(PROBA_FUNCTIONS))
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, None])
@pytest.mark.parametrize("ndim", [2, 3])
def test_nonfinite_probabilities_are_rejected(fn, value, ndim):
    Q = (Q2 if ndim == 2 else Q3).astype(object)
    Q[(1,) * ndim] = value
    if value is not None:
        Q = Q.astype(float)
    with pytest.raises(ValueError, match=_exact(_errors.NAN_PROBA, name="probabilities")):
        _call(fn, Q)


@pytest.mark.parametrize("fn", PROBA_FUNCTIONS, ids=_ids(PROBA_FUNCTIONS))
@pytest.mark.parametrize("ndim", [2, 3])
def test_negative_probabilities_are_rejected(fn, ndim):
    if ndim == 2:
        Q = Q2.copy()
        Q[0, 0] = -0.25
    else:
        Q = np.full((2, 2, 3), 1 / 3)
        Q[0, 0] = [-0.25, 0.6, 0.65]  # sums to 1 and stays <= 1: only the sign is wrong
    with pytest.raises(ValueError, match=_exact(_errors.NEGATIVE_PROBA, name="probabilities",
                                                value=-0.25)):
        _call(fn, Q)


@pytest.mark.parametrize("fn", PROBA_FUNCTIONS, ids=_ids(PROBA_FUNCTIONS))
def test_probabilities_above_one_are_rejected(fn):
    Q = Q2.copy()
    Q[1, 2] = 1.5
    with pytest.raises(ValueError, match=_exact(_errors.ABOVE_ONE_PROBA, name="probabilities",
                                                value=1.5)):
        _call(fn, Q)
    with pytest.raises(ValueError, match="probabilities"):
        _call(fn, Q * 100)  # percentages, not probabilities


@pytest.mark.parametrize("fn", PROBA_FUNCTIONS, ids=_ids(PROBA_FUNCTIONS))
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-6), (np.float32, 1e-4)])
def test_class_probabilities_must_sum_to_one(fn, dtype, tol):
    Q = Q3.astype(dtype)
    ok = Q.copy()
    ok[1, 0] = [0.6 + 0.4 * tol, 0.4]  # off by 0.4 * tol: accepted
    _call(fn, ok)
    bad = Q.copy()
    bad[1, 0] = [0.6 - 3 * tol, 0.4]  # off by 3 * tol: rejected, position reported
    pattern = (r"probabilities has class probabilities that do not sum to 1 \(sum .* "
               + re.escape(f"at model 1, sample 0; tolerance {tol:g})"))
    with pytest.raises(ValueError, match=pattern):
        _call(fn, bad)
    with pytest.raises(ValueError, match="do not sum to 1"):
        _call(fn, np.full((2, 2, 3), 0.5, dtype=dtype))


@pytest.mark.parametrize("fn", PROBA_FUNCTIONS, ids=_ids(PROBA_FUNCTIONS))
def test_non_numeric_probabilities_are_rejected(fn):
    with pytest.raises(TypeError, match=_exact(_errors.NOT_NUMERIC, name="probabilities",
                                               dtype=np.dtype("<U3"))):
        _call(fn, np.array([["0.1", "0.2"], ["abc", "0.3"]]))


@pytest.mark.parametrize("fn", PROBA_WITH_BASELINE, ids=_ids(PROBA_WITH_BASELINE))
def test_probability_baseline_checks(fn):
    with pytest.raises(ValueError, match=_exact(_errors.BASELINE_INDEX, index=2, n_models=2)):
        fn(Q2, 2)
    with pytest.raises(ValueError, match=_exact(_errors.BASELINE_INDEX, index=-3, n_models=2)):
        fn(Q2, -3)
    for bad in (None, "0", 0.5, True):
        with pytest.raises(TypeError, match="baseline"):
            fn(Q2, bad)
    with pytest.raises(ValueError, match=_exact(_errors.BASELINE_SHAPE, expected=(3,),
                                                name="probabilities", shape=(2,))):
        fn(Q2, [0.1, 0.2])
    with pytest.raises(ValueError, match=_exact(_errors.BASELINE_SHAPE, expected=(2, 2),
                                                name="probabilities", shape=(2,))):
        fn(Q3, [0.1, 0.2])
    with pytest.raises(ValueError, match=_exact(_errors.BASELINE_SHAPE, expected=(3,),
                                                name="probabilities", shape=(3, 1))):
        fn(Q2, [[1.0], [1.0], [1.0]])  # valid one-class distributions, wrong shape
    with pytest.raises(ValueError, match=_exact(_errors.BASELINE_SHAPE, expected=(2, 2),
                                                name="probabilities", shape=(2, 3))):
        fn(Q3, np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match=_exact(_errors.NAN_PROBA, name="baseline")):
        fn(Q2, [0.1, np.nan, 0.3])
    with pytest.raises(ValueError, match=_exact(_errors.NEGATIVE_PROBA, name="baseline",
                                                value=-0.1)):
        fn(Q2, [0.1, -0.1, 0.3])
    with pytest.raises(ValueError, match=_exact(_errors.ABOVE_ONE_PROBA, name="baseline",
                                                value=2.0)):
        fn(Q2, [0.1, 2.0, 0.3])
    with pytest.raises(ValueError, match="baseline has class probabilities that do not sum"):
        fn(Q3, [[0.5, 0.5], [0.5, 0.6]])


@pytest.mark.parametrize("fn", PROBA_WITH_BASELINE, ids=_ids(PROBA_WITH_BASELINE))
@pytest.mark.parametrize("delta", [0, 0.0, -0.1, 1.0000001, 1.5, math.nan, math.inf, -math.inf])
def test_delta_out_of_range(fn, delta):
    with pytest.raises(ValueError, match=re.escape(_errors.DELTA_RANGE.format(delta))):
        fn(Q2, 0, delta=delta)


@pytest.mark.parametrize("fn", PROBA_WITH_BASELINE, ids=_ids(PROBA_WITH_BASELINE))
@pytest.mark.parametrize("delta", ["0.1", None, [0.1]])
def test_delta_of_wrong_type(fn, delta):
    with pytest.raises(TypeError, match="delta"):
        fn(Q2, 0, delta=delta)


@pytest.mark.parametrize("fn", PROBA_WITH_BASELINE, ids=_ids(PROBA_WITH_BASELINE))
@pytest.mark.parametrize("delta", [1e-9, 0.5, 1, 1.0, np.float32(0.25), np.float64(1.0)])
def test_delta_in_range_is_accepted(fn, delta):
    assert 0.0 <= fn(Q2, 0, delta=delta) <= 1.0


@pytest.mark.parametrize("kwargs, template, value", [
    ({"tol": 0}, _errors.TOL_POSITIVE, 0),
    ({"tol": -1e-9}, _errors.TOL_POSITIVE, -1e-9),
    ({"tol": math.nan}, _errors.TOL_POSITIVE, math.nan),
    ({"tol": math.inf}, _errors.TOL_POSITIVE, math.inf),
    ({"max_iter": 0}, _errors.MAX_ITER_POSITIVE, 0),
    ({"max_iter": -5}, _errors.MAX_ITER_POSITIVE, -5),
    ({"max_iter": 2.5}, _errors.MAX_ITER_POSITIVE, 2.5),
], ids=["tol0", "tol_neg", "tol_nan", "tol_inf", "iter0", "iter_neg", "iter_float"])
def test_rashomon_capacity_options(kwargs, template, value):
    with pytest.raises((ValueError, TypeError), match=re.escape(template.format(value))):
        rashomon_capacity(Q3, **kwargs)


# --------------------------------------------------------------------------------------
# No mutation of the caller's data
# --------------------------------------------------------------------------------------
def _readonly(a):
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


MUTATION_PREDICTIONS = {
    "int64": lambda: np.array([[0, 1, 2, 1], [1, 1, 2, 0], [0, 0, 2, 1]]),
    "int8": lambda: np.array([[-128, 127, 0, 1], [127, 127, 0, 1]], dtype=np.int8),
    "uint64": lambda: np.array([[0, 5, 2**63], [5, 5, 1]], dtype=np.uint64),
    "bool": lambda: np.array([[True, False, True], [False, False, True]]),
    "float": lambda: np.array([[0.5, 1.5, 2.5], [1.5, 1.5, 2.5]]),
    "str": lambda: np.array([["a", "b", "c"], ["b", "b", "c"]]),
    "object": lambda: np.array([["a", 1, 2.5], [1, 1, "a"]], dtype=object),
    "fortran": lambda: np.asfortranarray([[0, 1, 2, 1], [1, 1, 2, 0]], dtype=np.int16),
    "strided_view": lambda: (np.arange(24).reshape(4, 6) % 3)[::2, ::2],
}


@pytest.mark.parametrize("name", list(MUTATION_PREDICTIONS))
def test_label_functions_accept_read_only_input_and_do_not_mutate(name):
    P = MUTATION_PREDICTIONS[name]()
    expected = P.copy()
    P.flags.writeable = False  # also works on views, keeping their layout
    base = _readonly(P[-1])
    for fn in WITH_BASELINE:
        fn(P, 0)
        fn(P, base)
    for fn in PREDICTIONS_ONLY:
        fn(P)
    churn(P[0], P[1])
    negative_flip_rate(base, P[0], P[1])
    positive_flip_rate(base, P[0], P[1])
    npt.assert_array_equal(P, expected)
    npt.assert_array_equal(base, expected[-1])


def test_writable_label_input_is_not_mutated():
    P = np.array([[0, 1, 2, 1], [1, 1, 2, 0], [0, 0, 2, 1]], dtype=np.int8)
    b = np.array([9, 1, 2, 0])
    before_P, before_b = P.copy(), b.copy()
    for fn in WITH_BASELINE:
        fn(P, b)
    for fn in PREDICTIONS_ONLY:
        fn(P)
    npt.assert_array_equal(P, before_P)
    npt.assert_array_equal(b, before_b)
    assert P.dtype == np.int8 and b.dtype == before_b.dtype


@pytest.mark.parametrize("Q", [Q2, Q3, Q3.astype(np.float32), np.asfortranarray(Q2)],
                         ids=["2d", "3d", "3d_float32", "fortran"])
def test_probability_functions_do_not_mutate(Q):
    ro = _readonly(Q)
    base = _readonly(Q[1])
    for fn in PROBA_WITH_BASELINE:
        fn(ro, 0)
        fn(ro, base, delta=0.3)
    for fn in PROBA_ONLY:
        fn(ro)
    npt.assert_array_equal(ro, Q)
    npt.assert_array_equal(base, Q[1])
    writable = Q.copy()
    for fn in PROBA_FUNCTIONS:
        _call(fn, writable)
    npt.assert_array_equal(writable, Q)
    assert writable.dtype == Q.dtype


def test_dataframes_are_not_mutated():
    frames = {
        "int": pd.DataFrame([[0, 1, 1], [1, 1, 0]], columns=["a", "b", "c"]),
        "str": pd.DataFrame([["x", "y", "y"], ["y", "y", "x"]]),
        "mixed_columns": pd.DataFrame({"a": [0, 1], "b": ["x", "x"], "c": [1.5, 1.5]}),
        "category": pd.DataFrame({"a": pd.Categorical(["x", "y"]),
                                  "b": pd.Categorical(["y", "y"])}),
    }
    for df in frames.values():
        before = df.copy(deep=True)
        for fn in WITH_BASELINE:
            fn(df, 0)
            fn(df, df.iloc[1])
        for fn in PREDICTIONS_ONLY:
            fn(df)
        churn(df.iloc[0], df.iloc[1])
        negative_flip_rate(df.iloc[0], df.iloc[0], df.iloc[1])
        pd.testing.assert_frame_equal(df, before)
    proba = pd.DataFrame(Q2, columns=["s1", "s2", "s3"])
    before = proba.copy(deep=True)
    for fn in PROBA_FUNCTIONS:
        _call(fn, proba)
    probabilistic_ambiguity(proba, proba.iloc[1])
    pd.testing.assert_frame_equal(proba, before)


# --------------------------------------------------------------------------------------
# dtype and container equivalence
# --------------------------------------------------------------------------------------
CODES = np.array([[0, 1, 1, 0, 1, 1], [1, 1, 0, 0, 1, 0], [0, 1, 1, 1, 1, 0],
                  [0, 0, 1, 0, 1, 1]])
BINARY_FORMS = {
    "list": CODES.tolist(),
    "int8": CODES.astype(np.int8),
    "int16": CODES.astype(np.int16),
    "int32": CODES.astype(np.int32),
    "int64": CODES.astype(np.int64),
    "uint8": CODES.astype(np.uint8),
    "uint16": CODES.astype(np.uint16),
    "uint32": CODES.astype(np.uint32),
    "uint64": CODES.astype(np.uint64),
    "bool": CODES.astype(bool),
    "float32": CODES.astype(np.float32),
    "float64": CODES.astype(np.float64),
    "str": np.where(CODES == 1, "yes", "no"),
    "object": np.array([["yes" if v else 0 for v in r] for r in CODES], dtype=object),
    "shifted_int8": (CODES * 255 - 128).astype(np.int8),  # -128 and 127
    "negative": CODES - 7,
    "dataframe": pd.DataFrame(CODES, columns=[f"s{j}" for j in range(6)]),
    "dataframe_str": pd.DataFrame(np.where(CODES == 1, "yes", "no")),
    "dataframe_category": pd.DataFrame(np.where(CODES == 1, "yes", "no")).astype("category"),
    "nested_tuple": tuple(tuple(r) for r in CODES.tolist()),
}


@pytest.mark.parametrize("form", list(BINARY_FORMS))
def test_label_dtypes_and_containers_are_equivalent(form):
    P = BINARY_FORMS[form]
    for b in (0, -1, 2):
        assert ambiguity(P, b) == pytest.approx(ref.ambiguity(CODES, b), abs=1e-12)
        assert discrepancy(P, b) == pytest.approx(ref.discrepancy(CODES, b), abs=1e-12)
        npt.assert_array_equal(ambiguous_samples(P, b), ref.ambiguous_samples(CODES, b))
    npt.assert_allclose(pairwise_disagreement(P), ref.pairwise_disagreement(CODES), atol=1e-12)
    npt.assert_allclose(disagreement(P), ref.disagreement(CODES), atol=1e-12)
    npt.assert_allclose(self_consistency(P), ref.self_consistency(CODES), atol=1e-12)
    assert disagreement_error_estimate(P) == pytest.approx(
        ref.disagreement_error_estimate(CODES), abs=1e-12)
    rows = np.asarray(P.to_numpy() if hasattr(P, "to_numpy") else P, dtype=object)
    assert churn(rows[0], rows[1]) == pytest.approx(ref.churn(CODES[0], CODES[1]))
    assert negative_flip_rate(rows[2], rows[0], rows[1]) == pytest.approx(
        ref.negative_flip_rate(CODES[2], CODES[0], CODES[1]))
    assert positive_flip_rate(rows[2], rows[0], rows[1]) == pytest.approx(
        ref.positive_flip_rate(CODES[2], CODES[0], CODES[1]))


@pytest.mark.parametrize("form", ["list", "int8", "uint8", "bool", "float32", "str",
                                  "object", "dataframe", "shifted_int8"])
def test_array_baseline_in_its_own_container(form):
    P = BINARY_FORMS[form]
    arr = P.to_numpy() if hasattr(P, "to_numpy") else np.asarray(P, dtype=object)
    arr = np.asarray(arr.tolist()) if form not in ("object", "str") else arr
    expected = ref.ambiguity(CODES, CODES[3])
    for b in (arr[3], list(arr[3]), pd.Series(arr[3]), tuple(arr[3])):
        assert ambiguity(P, b) == pytest.approx(expected, abs=1e-12)


PROBA_FORMS_2D = {
    "list": Q2.tolist(),
    "float64": Q2,
    "float32": Q2.astype(np.float32),
    "dataframe": pd.DataFrame(Q2),
    "object_floats": Q2.astype(object),
}


@pytest.mark.parametrize("form", list(PROBA_FORMS_2D))
def test_probability_containers_are_equivalent(form):
    # Values whose float32 rounding cannot move a gap across delta=0.1.
    Q = PROBA_FORMS_2D[form]
    Q64 = np.asarray(Q2, dtype=np.float64)
    Qa = np.asarray(Q.to_numpy() if hasattr(Q, "to_numpy") else Q, dtype=np.float64)
    for fn in PROBA_WITH_BASELINE:
        for b in (0, -1, Q64[1]):
            assert fn(Q, b, delta=0.15) == pytest.approx(
                getattr(ref, fn.__name__)(Q64, b, 0.15), abs=1e-12)
    npt.assert_allclose(viable_prediction_range(Q), ref.viable_prediction_range(Qa))
    npt.assert_allclose(rashomon_capacity(Q), rashomon_capacity(Q64), rtol=1e-6)


def test_integer_probabilities_are_accepted():
    hard = np.array([[0, 1, 1], [1, 1, 0]])
    for dt in (np.int64, np.uint8, bool):
        Q = hard.astype(dt)
        assert probabilistic_ambiguity(Q, 0, delta=1.0) == pytest.approx(2 / 3)
        npt.assert_allclose(rashomon_capacity(Q), [2.0, 1.0, 2.0], rtol=1e-9)
        npt.assert_array_equal(viable_prediction_range(Q), [[0, 1], [1, 1], [0, 1]])


# --------------------------------------------------------------------------------------
# Integer baselines outside the predictions' dtype
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("P, baseline", [
    (np.array([[1, 2, 3], [1, 2, 2]], dtype=np.int8), np.array([1000, 2, -129])),
    (np.array([[0, 255], [255, 255]], dtype=np.uint8), np.array([-1, 255])),
    (np.arange(-128, 128, dtype=np.int8).reshape(2, 128), np.full(128, 300)),
    (np.array([[0, 65535]], dtype=np.uint16), np.array([-1, 65535])),
    (np.array([[2**64 - 1, 0]], dtype=np.uint64), np.array([-1, 0])),
    (np.array([[-(2**63), 2**63 - 1, 0]], dtype=np.int64),
     np.array([2**63, 0, 0], dtype=np.uint64)),
], ids=["int8", "uint8_negative", "int8_full_range", "uint16_full_range",
        "uint64_full_range_negative", "int64_full_range_uint64_baseline"])
def test_baseline_labels_outside_the_dtype_are_flips(P, baseline):
    # A baseline label the predictions' dtype cannot even hold is predicted by no model.
    assert ambiguity(P, baseline) == pytest.approx(ref.ambiguity(P, baseline), abs=1e-12)
    assert discrepancy(P, baseline) == pytest.approx(ref.discrepancy(P, baseline), abs=1e-12)
    npt.assert_array_equal(ambiguous_samples(P, baseline), ref.ambiguous_samples(P, baseline))
