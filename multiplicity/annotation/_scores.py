"""Disagreement-prediction scores: how well a predicted label distribution matches the
distribution of the human labels, item by item.

Every score is called as ``score(y_true, y_pred)``, the human distribution first (as in
scikit-learn). Distributions are ``(n_items, n_classes)`` arrays whose rows sum to 1, or
``(n_items,)`` positive-class shares for binary tasks (read as ``[1 - p, p]``). The
perspectivist scores (:func:`perspectivist_error_rate`,
:func:`normalized_absolute_distance`) compare per-annotator labels instead.

References: the Learning With Disagreements shared tasks (LeWiDi; Leonardelli et al. 2023,
SemEval-2023 Task 11; LeWiDi 2025 at NLPerspectives) and Ni et al. (2025), "Can Large
Language Models Capture Human Annotator Disagreements?", arXiv:2506.19467.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .._checks import check_on_undefined
from ._container import Annotations

__all__ = [
    "disagreement_f1",
    "manhattan_distance",
    "normalized_absolute_distance",
    "perspectivist_error_rate",
    "soft_cross_entropy",
    "variance_correlation",
    "wasserstein_distance",
]

#: Rows of a distribution must sum to 1 within this absolute tolerance.
SUM_TOL = 1e-6

# Error messages (tests import them).
NOT_NUMERIC = "{name} must hold numbers, got dtype {dtype}"
BAD_NDIM = ("{name} must be an (n_items, n_classes) array of distributions or an (n_items,) "
            "vector of positive-class shares, got shape {shape}")
SHAPE_MISMATCH = "y_true and y_pred must have the same shape, got {a} and {b}"
EMPTY = "{name} must hold at least one item, got shape {shape}"
ONE_CLASS = "{name} must have at least 2 classes (columns), got shape {shape}"
NOT_FINITE = ("{name} holds NaN or infinite values (row {row}); drop items without "
              "annotations before scoring")
OUT_OF_RANGE = "{name} must hold probabilities in [0, 1], found {value!r} in row {row}"
NOT_SUM_ONE = ("the rows of {name} must sum to 1 (within {tol:g}); row {row} sums to "
               "{total!r}")
NOT_BINARY = ("variance_correlation is defined for binary tasks: pass (n_items,) shares or "
              "(n_items, 2) distributions, got {k} classes")
CONSTANT_VARIANCE = ("variance_correlation is undefined: the {which} variances p(1 - p) are "
                     "the same for every item, so their Pearson correlation is 0 / 0 (pass "
                     "on_undefined='nan' to get NaN instead)")
TOO_FEW_ITEMS = "variance_correlation needs at least 2 items, got {n}"
THRESHOLD = "threshold must be a number in [0, 1], got {got!r}"
PERSP_SHAPE = ("y_pred must be an (n_items, n_annotators) table like y_true {shape} or an "
               "(n_items,) vector of one label per item, got shape {got}")
PERSP_MISSING = ("y_pred has no prediction for item {item!r}, annotator {annotator!r}, "
                 "which y_true labels")
PERSP_EMPTY = "y_true holds no labels"
NAD_NOT_NUMERIC = "normalized_absolute_distance needs numeric labels, got {labels}"
NAD_SCALE = "scale must be (min, max) with min < max, got {got!r}"


# ------------------------------------------------------------------ validation
def _as_distributions(y: Any, name: str) -> NDArray[np.float64]:
    """``y`` as a float64 (n, k) array of distributions; (n,) shares become ``[1-p, p]``."""
    arr = y.to_numpy() if isinstance(y, pd.DataFrame | pd.Series) else np.asarray(y)
    if arr.dtype.kind not in "biuf":
        raise TypeError(NOT_NUMERIC.format(name=name, dtype=arr.dtype))
    arr = arr.astype(np.float64)
    if arr.ndim == 1:
        arr = np.column_stack([1.0 - arr, arr])
    elif arr.ndim != 2:
        raise ValueError(BAD_NDIM.format(name=name, shape=arr.shape))
    if arr.shape[0] == 0:
        raise ValueError(EMPTY.format(name=name, shape=arr.shape))
    if arr.shape[1] < 2:
        raise ValueError(ONE_CLASS.format(name=name, shape=arr.shape))
    finite = np.isfinite(arr).all(axis=1)
    if not finite.all():
        raise ValueError(NOT_FINITE.format(name=name, row=int(np.argmin(finite))))
    bad = (arr < 0) | (arr > 1)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(OUT_OF_RANGE.format(name=name, value=float(arr[row, col]),
                                             row=int(row)))
    totals = arr.sum(axis=1)
    off = np.abs(totals - 1.0) > SUM_TOL
    if off.any():
        row = int(np.argmax(off))
        raise ValueError(NOT_SUM_ONE.format(name=name, tol=SUM_TOL, row=row,
                                            total=float(totals[row])))
    return arr


def _check_pair(y_true: Any, y_pred: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    t = _as_distributions(y_true, "y_true")
    p = _as_distributions(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(SHAPE_MISMATCH.format(a=t.shape, b=p.shape))
    return t, p




# ------------------------------------------------------------- soft scores
def soft_cross_entropy(y_true: Any, y_pred: Any) -> float:
    """Cross-entropy of predicted label distributions against the human ones (LeWiDi).

    ``-(1/N) sum_i sum_k t_ik log(clip(p_ik, 1e-12, 1 - 1e-12) + 1e-9)`` in nats, exactly as
    the scorers of the LeWiDi 2021 and 2023 shared tasks compute it (clip, then the extra
    ``1e-9`` inside the log). Lower is better; a perfect prediction scores the mean entropy
    of the human distributions, not 0.

    Parameters
    ----------
    y_true : array-like of shape (n_items, n_classes) or (n_items,)
        Human label distributions (rows sum to 1), or positive-class shares.
    y_pred : array-like of the same shape
        Predicted distributions.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Shapes differ, rows do not sum to 1 (within ``1e-6``), values outside ``[0, 1]``,
        NaN, or fewer than 2 classes.

    Examples
    --------
    >>> round(soft_cross_entropy([[1.0, 0.0], [0.5, 0.5]], [[0.8, 0.2], [0.5, 0.5]]), 4)
    0.4581
    """
    t, p = _check_pair(y_true, y_pred)
    q = np.clip(p, 1e-12, 1.0 - 1e-12)
    return float(-np.sum(t * np.log(q + 1e-9)) / t.shape[0])


def manhattan_distance(y_true: Any, y_pred: Any) -> float:
    """Mean over items of the L1 distance ``sum_k |p_ik - t_ik|`` (LeWiDi 2025).

    In ``[0, 2]``; twice the mean total-variation distance.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_items, n_classes) or (n_items,)
        Human and predicted distributions (or positive-class shares).

    Returns
    -------
    float

    Examples
    --------
    >>> manhattan_distance([0.2, 1.0], [0.4, 1.0])
    0.2
    """
    t, p = _check_pair(y_true, y_pred)
    return float(np.mean(np.abs(p - t).sum(axis=1)))


def wasserstein_distance(y_true: Any, y_pred: Any) -> float:
    """Mean over items of the 1-Wasserstein distance between distributions on ordinal bins.

    The classes are the ordered bins ``0, 1, ..., k - 1`` (unit spacing), and the ground
    cost of moving mass from bin ``h`` to bin ``k`` is ``|h - k|``, so the distance of one
    item is ``sum_k |F_t(k) - F_p(k)|``, the summed absolute difference of the two
    cumulative distribution functions (``scipy.stats.wasserstein_distance`` with the bins
    as values and the distributions as weights). In ``[0, k - 1]``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_items, n_classes) or (n_items,)
        Human and predicted distributions over ordered classes (or positive-class shares).

    Returns
    -------
    float

    Examples
    --------
    >>> wasserstein_distance([[1.0, 0.0, 0.0]], [[0.0, 0.0, 1.0]])
    2.0
    """
    t, p = _check_pair(y_true, y_pred)
    # The last CDF entry is 1 for both: leave it out.
    diff = np.cumsum(t - p, axis=1)[:, :-1]
    return float(np.mean(np.abs(diff).sum(axis=1)))


def _binary_shares(y: NDArray[np.float64]) -> NDArray[np.float64]:
    if y.shape[1] != 2:
        raise ValueError(NOT_BINARY.format(k=y.shape[1]))
    return y[:, 1]


def variance_correlation(y_true: Any, y_pred: Any, *,
                         on_undefined: Literal["raise", "nan"] = "raise") -> float:
    """Pearson correlation of human and predicted label variances (Ni et al. 2025).

    For a binary task with human positive share ``p_i`` and predicted share ``q_i``: the
    Pearson correlation between ``p_i (1 - p_i)`` and ``q_i (1 - q_i)`` over the items (the
    Bernoulli variances). It rewards predicting *which* items people disagree on, whatever
    the direction of the majority. In ``[-1, 1]``; 1 for a perfect prediction.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_items,) or (n_items, 2)
        Human and predicted positive-class shares (or binary distributions).
    on_undefined : {"raise", "nan"}, default="raise"
        What to do when either set of variances is constant (e.g. the trivial predictor
        that gives every item the base rate), which makes the correlation 0 / 0.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        More than 2 classes, fewer than 2 items, or an undefined correlation.

    Examples
    --------
    >>> round(variance_correlation([0.0, 0.2, 0.5, 1.0], [0.1, 0.3, 0.4, 0.9]), 4)
    0.9895
    """
    check_on_undefined(on_undefined)
    t, p = _check_pair(y_true, y_pred)
    a, b = _binary_shares(t), _binary_shares(p)
    if a.shape[0] < 2:
        raise ValueError(TOO_FEW_ITEMS.format(n=a.shape[0]))
    va, vb = a * (1 - a), b * (1 - b)
    da, db = va - va.mean(), vb - vb.mean()
    # Constant within rounding: the same test as scipy.stats.pearsonr.
    for which, v, d in (("human", va, da), ("predicted", vb, db)):
        if np.all(v == v[0]) or math.sqrt(float(d @ d)) <= 1e-13 * max(abs(v.mean()), 1e-300):
            if on_undefined == "nan":
                return float("nan")
            raise ValueError(CONSTANT_VARIANCE.format(which=which))
    r = float(da @ db) / math.sqrt(float(da @ da) * float(db @ db))
    return max(-1.0, min(1.0, r))


def disagreement_f1(y_true: Any, y_pred: Any, threshold: float = 0.1, *,
                    zero_division: float = 0.0) -> float:
    """F1 score of detecting the items on which the annotators disagree.

    An item is a true *disagreement* item when its human distribution is not one-hot
    (some annotator chose a label other than the majority's: ``max_k t_ik < 1``), and it
    is *predicted* to be one when the predicted distribution puts at least ``threshold``
    on labels other than its top one: ``1 - max_k p_ik >= threshold`` (``>=`` as every
    threshold in the package). The score is the F1 of the positive (disagreement) class,
    ``2 TP / (2 TP + FP + FN)``, as ``sklearn.metrics.f1_score``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_items, n_classes) or (n_items,)
        Human and predicted distributions (or positive-class shares).
    threshold : float in [0, 1], default=0.1
        Least predicted minority mass that flags an item. The default sits halfway between
        unanimity (0) and one dissenting vote among 5 annotators (0.2).
    zero_division : float, default=0.0
        Returned when there is no true and no predicted disagreement item (F1 is 0 / 0);
        ``sklearn.metrics.f1_score`` also returns 0.0 then (with a warning).

    Returns
    -------
    float
        In ``[0, 1]``.

    Examples
    --------
    >>> disagreement_f1([0.0, 0.4, 1.0, 0.6], [0.05, 0.3, 0.2, 0.5])
    0.8
    """
    if isinstance(threshold, bool) or not isinstance(threshold, Real) or \
            not 0.0 <= float(threshold) <= 1.0:
        raise ValueError(THRESHOLD.format(got=threshold))
    t, p = _check_pair(y_true, y_pred)
    truth = t.max(axis=1) < 1.0 - SUM_TOL
    pred = 1.0 - p.max(axis=1) >= float(threshold) - 1e-12
    tp = int(np.count_nonzero(truth & pred))
    fp = int(np.count_nonzero(~truth & pred))
    fn = int(np.count_nonzero(truth & ~pred))
    den = 2 * tp + fp + fn
    return float(zero_division) if den == 0 else 2.0 * tp / den


# ------------------------------------------------------- perspectivist scores
def _per_annotator_tables(y_true: Any, y_pred: Any
                          ) -> tuple[NDArray, NDArray, NDArray[np.bool_], pd.Index, pd.Index]:
    """(true labels, predicted labels, mask of labelled entries, items, annotators) as
    (n_items, n_annotators) object arrays."""
    if isinstance(y_true, Annotations):
        y_true = y_true.to_wide()
    if isinstance(y_true, pd.DataFrame):
        items, annotators = y_true.index, y_true.columns
        T = y_true.to_numpy(dtype=object)
    else:
        T = np.asarray(y_true, dtype=object)
        if T.ndim != 2:
            raise ValueError("y_true must be an (n_items, n_annotators) table of labels, got "
                             f"shape {T.shape}")
        items, annotators = pd.RangeIndex(T.shape[0]), pd.RangeIndex(T.shape[1])
    mask = ~pd.isna(T)
    if not mask.any():
        raise ValueError(PERSP_EMPTY)
    P = np.asarray(y_pred.to_numpy(dtype=object) if isinstance(y_pred, pd.DataFrame | pd.Series)
                   else y_pred, dtype=object)
    if P.ndim == 1 and P.shape[0] == T.shape[0]:
        P = np.repeat(P[:, None], T.shape[1], axis=1)
    elif P.shape != T.shape:
        raise ValueError(PERSP_SHAPE.format(shape=T.shape, got=P.shape))
    missing = mask & pd.isna(P)
    if missing.any():
        i, j = np.argwhere(missing)[0]
        raise ValueError(PERSP_MISSING.format(item=items[i], annotator=annotators[j]))
    return T, P, mask, items, annotators


def _mean_over_items(values: NDArray[np.float64], mask: NDArray[np.bool_]) -> float:
    """Mean over the labelled items of each item's mean over its labelled entries."""
    r = mask.sum(axis=1)
    rated = r > 0
    per_item = np.where(mask, values, 0.0).sum(axis=1)[rated] / r[rated]
    return float(per_item.mean())


def perspectivist_error_rate(y_true: Any, y_pred: Any) -> float:
    """Mean over items of the share of the item's annotators whose label is mispredicted.

    The perspectivist evaluation of LeWiDi 2025: a model predicts the label each annotator
    gives, and an item's error is the fraction of its annotators for whom the prediction
    is wrong; the score averages that fraction over the items (items without labels are
    left out). In ``[0, 1]``; 0 is perfect.

    Parameters
    ----------
    y_true : Annotations or table of shape (n_items, n_annotators)
        The annotators' labels, NaN/None where an annotator did not label an item.
    y_pred : table of shape (n_items, n_annotators) or array-like of shape (n_items,)
        The predicted label of each (item, annotator) pair (entries where ``y_true`` is
        missing are ignored), or one predicted label per item for all its annotators.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Shapes that do not match, no labels at all, or a missing prediction for a labelled
        entry.

    Examples
    --------
    >>> truth = [[1, 1, 0], [0, 0, None]]
    >>> perspectivist_error_rate(truth, [1, 0])
    0.16666666666666666
    >>> perspectivist_error_rate(truth, [[1, 1, 0], [0, 1, 1]])
    0.25
    """
    T, P, mask, _, _ = _per_annotator_tables(y_true, y_pred)
    wrong = np.zeros(T.shape, dtype=np.float64)
    wrong[mask] = [float(a != b) for a, b in zip(T[mask].tolist(), P[mask].tolist(),
                                                 strict=True)]
    return _mean_over_items(wrong, mask)


def normalized_absolute_distance(y_true: Any, y_pred: Any,
                                 scale: tuple[float, float] | None = None) -> float:
    """Mean over items of the mean absolute error per annotator, divided by the scale range.

    The perspectivist evaluation of LeWiDi 2025 for ordinal (rating-scale) labels: for
    every labelled (item, annotator) pair ``|predicted - true| / (max - min)``, averaged
    over the item's annotators and then over the items. In ``[0, 1]``; 0 is perfect.

    Parameters
    ----------
    y_true : Annotations or table of shape (n_items, n_annotators)
        Numeric labels, NaN/None where an annotator did not label an item.
    y_pred : table of shape (n_items, n_annotators) or array-like of shape (n_items,)
        Predicted labels per (item, annotator) pair, or one per item.
    scale : (float, float), default=None
        The ends ``(min, max)`` of the rating scale; default the smallest and largest label
        in ``y_true`` and ``y_pred``.

    Returns
    -------
    float

    Examples
    --------
    >>> normalized_absolute_distance([[1, 5], [3, None]], [[2, 5], [5, None]])
    0.3125
    """
    T, P, mask, _, _ = _per_annotator_tables(y_true, y_pred)
    try:
        t = np.array(T[mask].tolist(), dtype=np.float64)
        p = np.array(P[mask].tolist(), dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(NAD_NOT_NUMERIC.format(labels=sorted(set(map(repr, T[mask]))))) from e
    if scale is None:
        lo, hi = min(t.min(), p.min()), max(t.max(), p.max())
        if hi <= lo:
            return 0.0
    else:
        try:
            lo, hi = (float(v) for v in scale)
        except (TypeError, ValueError) as e:
            raise ValueError(NAD_SCALE.format(got=scale)) from e
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(NAD_SCALE.format(got=scale))
    dist = np.zeros(T.shape, dtype=np.float64)
    dist[mask] = np.abs(p - t) / (hi - lo)
    return _mean_over_items(dist, mask)
