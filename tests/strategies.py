"""Hypothesis strategies for :mod:`multiplicity.metrics` tests.

Shapes stay small (a handful of models, tens of samples) so that every property also runs
quickly with ``NUMBA_DISABLE_JIT=1``, where the kernels are plain Python.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "DELTA_GRID",
    "LABEL_KINDS",
    "baselines",
    "channels",
    "deltas",
    "label_sets",
    "labelled_predictions",
    "prediction_matrices",
    "probability_baselines",
    "probability_matrices",
    "relabel",
    "structured_channels",
]

#: Multiples of 0.05 in (0, 1]: paired with probabilities on the same grid they make
#: differences land exactly on ``delta`` (up to rounding), which is the ``>=`` edge case.
DELTA_GRID = tuple(round(0.05 * i, 2) for i in range(1, 21))
_PROBA_GRID = tuple(round(0.05 * i, 2) for i in range(21))


@st.composite
def prediction_matrices(draw, *, min_models=1, max_models=6, min_samples=1, max_samples=40,
                        max_classes=4):
    """``(m, n)`` int64 class codes in ``[0, k)``.

    Half of the draws copy a template row and change a random subset of entries, so that
    matrices with much agreement (the realistic case for a Rashomon set) are common.
    """
    m = draw(st.integers(min_models, max_models))
    n = draw(st.integers(min_samples, max_samples))
    k = draw(st.integers(1, max_classes))
    codes = st.integers(0, k - 1)
    if draw(st.booleans()):
        return draw(hnp.arrays(np.int64, (m, n), elements=codes))
    template = draw(hnp.arrays(np.int64, (n,), elements=codes))
    noise = draw(hnp.arrays(np.int64, (m, n), elements=codes))
    change = draw(hnp.arrays(np.bool_, (m, n)))
    return np.where(change, noise, template[None, :])


LABEL_KINDS = ("int64", "negative", "int8_limits", "uint8", "int16", "float", "str", "object",
               "bool")


def label_sets(kind: str, k: int) -> st.SearchStrategy[np.ndarray]:
    """``k`` distinct labels of one kind, as a 1-D array of that kind's natural dtype.

    ``relabel(codes, labels)`` then maps class code ``c`` to ``labels[c]``.
    """
    if kind == "bool":
        if k > 2:
            raise ValueError("bool labels allow at most two classes")
        return st.permutations([False, True]).map(lambda v: np.array(v[:k], dtype=bool))
    if kind == "int64":
        elems, dtype = st.integers(-(2**40), 2**40), np.int64
    elif kind == "negative":
        elems, dtype = st.integers(-1000, -1), np.int64
    elif kind == "int8_limits":
        elems, dtype = st.sampled_from([-128, -127, -1, 0, 1, 126, 127]), np.int8
    elif kind == "uint8":
        elems, dtype = st.sampled_from([0, 1, 2, 128, 254, 255]), np.uint8
    elif kind == "int16":
        elems, dtype = st.sampled_from([-32768, -1, 0, 7, 32767]), np.int16
    elif kind == "float":
        elems = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=64)
        dtype = np.float64
    elif kind == "str":
        elems, dtype = st.text(alphabet="abcxyz_-é", min_size=0, max_size=4), object
    elif kind == "object":
        elems = st.one_of(st.integers(-5, 5), st.text(alphabet="ab", min_size=1, max_size=2))
        dtype = object
    else:
        raise ValueError(kind)
    # Distinct under Python equality (so 0.0 and -0.0, or 1 and "1"-like clashes, are out).
    values = st.lists(elems, min_size=k, max_size=k, unique_by=_label_key)
    return values.map(lambda v: np.array(v, dtype=dtype))


def _label_key(v):
    # ints and strings never compare equal, floats compare by value (0.0 == -0.0).
    return (type(v) is str, v + 0.0 if isinstance(v, float) else v)


def relabel(codes: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Map integer class codes to ``labels`` (keeps ``labels``' dtype)."""
    return labels[codes]


@st.composite
def labelled_predictions(draw, *, kinds=LABEL_KINDS, **shape):
    """``(codes, labels, P)``: codes from :func:`prediction_matrices`, a label set of a
    random kind and the relabelled matrix ``P = labels[codes]``."""
    codes = draw(prediction_matrices(**shape))
    k = int(codes.max()) + 1
    kinds = [kd for kd in kinds if kd != "bool" or k <= 2]
    kind = draw(st.sampled_from(kinds))
    labels = draw(label_sets(kind, k))
    return codes, labels, relabel(codes, labels)


def baselines(n_models: int) -> st.SearchStrategy[int]:
    """A row index in Python style, negative indices included."""
    return st.integers(-n_models, n_models - 1)


@st.composite
def probability_matrices(draw, *, min_models=1, max_models=5, min_samples=1, max_samples=20,
                         max_classes=4, multiclass=None, n_classes=None):
    """``(m, n)`` positive-class probabilities or ``(m, n, k)`` class distributions.

    Values are drawn partly from the 0.05 grid (ties and exact ``delta`` gaps) and partly
    from the unit interval. Class distributions are normalised non-negative weights;
    an all-zero weight vector becomes a one-hot vector.
    """
    if multiclass is None:
        multiclass = draw(st.booleans())
    m = draw(st.integers(min_models, max_models))
    n = draw(st.integers(min_samples, max_samples))
    unit = st.one_of(st.sampled_from(_PROBA_GRID),
                     st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False))
    if not multiclass:
        return draw(hnp.arrays(np.float64, (m, n), elements=unit))
    k = n_classes if n_classes is not None else draw(st.integers(1, max_classes))
    weights = draw(hnp.arrays(np.float64, (m, n, k), elements=unit))
    totals = weights.sum(axis=2, keepdims=True)
    onehot = np.zeros_like(weights)
    onehot[..., 0] = 1.0
    safe = np.where(totals > 0, totals, 1.0)
    return np.where(totals > 0, weights / safe, onehot)


@st.composite
def probability_baselines(draw, Q: np.ndarray):
    """A row index, or an array of the shape of one model's slice of ``Q``.

    Arrays are either another distribution of the same kind or a row of ``Q``.
    """
    m = Q.shape[0]
    choice = draw(st.sampled_from(["index", "row", "fresh"]))
    if choice == "index":
        return draw(baselines(m))
    if choice == "row":
        return Q[draw(st.integers(0, m - 1))].copy()
    return draw(probability_matrices(min_models=1, max_models=1, min_samples=Q.shape[1],
                                     max_samples=Q.shape[1], multiclass=Q.ndim == 3,
                                     n_classes=Q.shape[2] if Q.ndim == 3 else None))[0]


def deltas() -> st.SearchStrategy[float]:
    """``delta`` in ``(0, 1]``: grid values (exact ties) or any float."""
    return st.one_of(st.sampled_from(DELTA_GRID),
                     st.floats(1e-6, 1.0, allow_nan=False, exclude_min=False))


@st.composite
def channels(draw, *, max_models=4, max_classes=3, max_samples=4):
    """Small ``(m, n, k)`` or ``(m, n)`` inputs for the Rashomon capacity.

    Rows mix the 0.05 grid (exact zeros, identical rows, one-hot rows) with free floats.
    """
    return draw(probability_matrices(max_models=max_models, max_samples=max_samples,
                                     max_classes=max_classes))


@st.composite
def structured_channels(draw, *, max_models=7, max_classes=4):
    """One ``(m, k)`` channel built to stress capacity solvers.

    A few base distributions, then every row is a base row, a near-copy of one (moved by
    as little as 1e-9), a convex mixture of two (an interior input whose optimal weight
    is 0), or a one-hot row. Duplicate and near-duplicate inputs, exact zeros and more
    inputs than outputs are all common.
    """
    k = draw(st.integers(1, max_classes))
    m = draw(st.integers(1, max_models))
    n_base = draw(st.integers(1, min(m, k + 1)))
    unit = st.one_of(st.sampled_from(_PROBA_GRID), st.floats(0.0, 1.0, allow_subnormal=False))
    base = []
    for _ in range(n_base):
        w = np.array(draw(st.lists(unit, min_size=k, max_size=k)))
        base.append(w / w.sum() if w.sum() > 0 else np.eye(k)[0])
    rows = []
    for _ in range(m):
        kind = draw(st.sampled_from(["copy", "near", "mix", "onehot"]))
        a = base[draw(st.integers(0, n_base - 1))]
        if kind == "copy":
            rows.append(a.copy())
        elif kind == "near":
            eps = draw(st.sampled_from([1e-9, 1e-6, 1e-3]))
            target = np.eye(k)[draw(st.integers(0, k - 1))]
            rows.append((1 - eps) * a + eps * target)
        elif kind == "mix":
            b = base[draw(st.integers(0, n_base - 1))]
            t = draw(st.sampled_from([0.5, 0.25, 1e-3]))
            rows.append((1 - t) * a + t * b)
        else:
            rows.append(np.eye(k)[draw(st.integers(0, k - 1))])
    W = np.array(rows)
    return W / W.sum(axis=1, keepdims=True)
