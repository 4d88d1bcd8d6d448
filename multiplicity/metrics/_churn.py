"""Churn and flip rates between two models' predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .. import _errors
from .._dask import is_dask_array
from .._validation import check_labels_1d
from . import _dask

__all__ = ["churn", "negative_flip_rate", "positive_flip_rate"]


def _same_length(arrays: dict[str, np.ndarray]) -> None:
    (na, a), *rest = ((name, len(x)) for name, x in arrays.items())
    for nb, b in rest:
        if b != a:
            raise ValueError(_errors.LENGTH_MISMATCH.format(a=na, b=nb, na=a, nb=b))


def _equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise label equality across dtypes (int 1 equals float 1.0, str never int)."""
    if a.dtype.kind in "biuf" and b.dtype.kind in "biuf":
        return a == b
    codes, _ = pd.factorize(np.concatenate([a.astype(object), b.astype(object)]))
    return codes[: len(a)] == codes[len(a):]


def churn(predictions_a: ArrayLike, predictions_b: ArrayLike) -> float:
    """Fraction of samples on which two models' predictions differ.

    Parameters
    ----------
    predictions_a, predictions_b : array-like of shape (n_samples,)
        Labels predicted by the two models (any hashable type).

        A ``dask.array.Array`` is computed block by block on the cluster.
    Returns
    -------
    float
        Value in ``[0, 1]``.

    See Also
    --------
    negative_flip_rate, positive_flip_rate, pairwise_disagreement

    Notes
    -----
    Predictive churn of Milani Fard, Cormier, Canini & Gupta (2016), "Launch and
    Iterate: Reducing Prediction Churn", NeurIPS.

    Examples
    --------
    >>> churn([0, 1, 1, 0], [0, 1, 0, 1])
    0.5
    """
    if is_dask_array(predictions_a) or is_dask_array(predictions_b):
        return _dask.churn(predictions_a, predictions_b)
    a = check_labels_1d(predictions_a, "predictions_a")
    b = check_labels_1d(predictions_b, "predictions_b")
    _same_length({"predictions_a": a, "predictions_b": b})
    return float(np.mean(~_equal(a, b)))


def _flip_rate(y_true: ArrayLike, old: ArrayLike, new: ArrayLike, negative: bool) -> float:
    y = check_labels_1d(y_true, "y_true")
    o = check_labels_1d(old, "old")
    w = check_labels_1d(new, "new")
    _same_length({"y_true": y, "old": o, "new": w})
    old_ok, new_ok = _equal(o, y), _equal(w, y)
    flips = old_ok & ~new_ok if negative else ~old_ok & new_ok
    return float(np.mean(flips))


def negative_flip_rate(y_true: ArrayLike, old: ArrayLike, new: ArrayLike) -> float:
    """Fraction of samples the old model got right and the new model gets wrong.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    old, new : array-like of shape (n_samples,)
        Predictions of the model before and after the update.

        A ``dask.array.Array`` is computed block by block on the cluster.
    Returns
    -------
    float
        ``mean(old == y_true and new != y_true)``, in ``[0, 1]``.

    See Also
    --------
    positive_flip_rate, churn

    Notes
    -----
    Yan, Xiong, Kundu, Yang, Deng, Wang, Xia & Soatto (2021), "Positive-Congruent
    Training: Towards Regression-Free Model Updates", CVPR.

    Examples
    --------
    >>> negative_flip_rate([1, 1, 0, 0], old=[1, 1, 1, 0], new=[1, 0, 0, 1])
    0.5
    """
    if is_dask_array(y_true) or is_dask_array(old) or is_dask_array(new):
        return _dask.flip_rate(y_true, old, new, negative=True)
    return _flip_rate(y_true, old, new, negative=True)


def positive_flip_rate(y_true: ArrayLike, old: ArrayLike, new: ArrayLike) -> float:
    """Fraction of samples the old model got wrong and the new model gets right.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    old, new : array-like of shape (n_samples,)
        Predictions of the model before and after the update.

        A ``dask.array.Array`` is computed block by block on the cluster.
    Returns
    -------
    float
        ``mean(old != y_true and new == y_true)``, in ``[0, 1]``.

    See Also
    --------
    negative_flip_rate, churn

    Examples
    --------
    >>> positive_flip_rate([1, 1, 0, 0], old=[1, 1, 1, 0], new=[1, 0, 0, 1])
    0.25
    """
    if is_dask_array(y_true) or is_dask_array(old) or is_dask_array(new):
        return _dask.flip_rate(y_true, old, new, negative=False)
    return _flip_rate(y_true, old, new, negative=False)
