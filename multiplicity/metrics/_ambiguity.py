"""Ambiguity and discrepancy, for labels and for probabilities."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._dask import is_dask_array
from .._kernels_common import COUNTS, FLAGS, label_flip_stats
from .._validation import (
    DELTA_SLACK,
    check_delta,
    check_prediction_baseline,
    check_predictions,
    check_probabilities,
    check_probability_baseline,
)
from . import _dask, _kernels

__all__ = [
    "ambiguity",
    "ambiguity_discrepancy",
    "ambiguous_samples",
    "discrepancy",
    "probabilistic_ambiguity",
    "probabilistic_discrepancy",
    "viable_prediction_range",
]


def _label_flips(predictions: ArrayLike, baseline: ArrayLike | int,
                 mode: int = FLAGS | COUNTS):
    """``(flipped, counts, n_samples)``; ``mode`` says which of the two are computed."""
    P, b = check_prediction_baseline(check_predictions(predictions), baseline)
    flipped, counts = label_flip_stats(P, b, mode)
    return flipped, counts, P.shape[1]


def _proba_flips(probabilities: ArrayLike, baseline: ArrayLike | int, delta: float):
    d = check_delta(delta)
    Q = check_probabilities(probabilities)
    b = check_probability_baseline(Q, baseline)
    if Q.ndim == 2:
        Q, b = Q.reshape((*Q.shape, 1)), b.reshape((*b.shape, 1))
    flipped, counts = _kernels._proba_flip_stats(Q, b, d - DELTA_SLACK, _kernels.BLOCK)
    return flipped, counts, Q.shape[1]


def ambiguity(predictions: ArrayLike, baseline: ArrayLike | int) -> float:
    """Share of samples whose prediction some model in the set flips.

    Ambiguity is the fraction of samples ``x`` for which at least one competing model
    ``h`` predicts a label other than the baseline's: ``mean_x max_h 1[h(x) != h0(x)]``.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Class predictions of every model in the Rashomon set. Labels may be of any
        hashable type; integer and bool matrices are read in place (int8 stays int8).
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or int
        Predictions of the reference model h0, or the row of ``predictions`` that holds
        them. A baseline label that no model predicts counts as flipped.

    Returns
    -------
    float
        Value in ``[0, 1]``. Never smaller than :func:`discrepancy`.

    See Also
    --------
    discrepancy, ambiguous_samples, probabilistic_ambiguity

    Notes
    -----
    Definition 3 of Marx, Calmon & Ustun (2020), "Predictive Multiplicity in
    Classification", ICML. Computed in one streaming pass over ``predictions``; extra
    memory is ``O(n_samples)`` bytes, no ``n_models x n_samples`` temporary.

    Examples
    --------
    >>> P = [[0, 1, 1, 0], [0, 0, 1, 0], [1, 1, 1, 0]]
    >>> ambiguity(P, baseline=0)
    0.5
    >>> ambiguity([["cat", "dog"], ["cat", "cat"]], baseline=["cat", "dog"])
    0.5
    """
    if is_dask_array(predictions):
        return _dask.ambiguity(predictions, baseline)
    flipped, _, n = _label_flips(predictions, baseline, FLAGS)
    return float(np.count_nonzero(flipped) / n)


def discrepancy(predictions: ArrayLike, baseline: ArrayLike | int) -> float:
    """Largest share of samples on which one competing model differs from the baseline.

    Discrepancy is ``max_h mean_x 1[h(x) != h0(x)]``: how many decisions could change by
    replacing the baseline with a single other model of the Rashomon set.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Class predictions of every model in the Rashomon set.
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or int
        Predictions of the reference model h0, or the row of ``predictions`` that holds
        them.

    Returns
    -------
    float
        Value in ``[0, 1]``. Never larger than :func:`ambiguity`.

    See Also
    --------
    ambiguity, probabilistic_discrepancy

    Notes
    -----
    Definition 4 of Marx, Calmon & Ustun (2020), "Predictive Multiplicity in
    Classification", ICML. One streaming pass; extra memory ``O(n_samples + n_models)``.

    Examples
    --------
    >>> round(discrepancy([[0, 1, 1], [0, 0, 1], [1, 1, 1]], baseline=0), 3)
    0.333
    """
    if is_dask_array(predictions):
        return _dask.discrepancy(predictions, baseline)
    _, counts, n = _label_flips(predictions, baseline, COUNTS)
    return float(counts.max() / n)


def ambiguity_discrepancy(predictions: ArrayLike, baseline: ArrayLike | int
                          ) -> tuple[float, float]:
    """Ambiguity and discrepancy together, from one pass over ``predictions``.

    Same values as calling :func:`ambiguity` and :func:`discrepancy`, at the cost of
    one of them: use it on large prediction matrices.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Class predictions of every model in the Rashomon set.
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or int
        Predictions of the reference model h0, or the row of ``predictions`` that holds
        them.

    Returns
    -------
    (float, float)
        ``(ambiguity, discrepancy)``.

    See Also
    --------
    ambiguity, discrepancy

    Examples
    --------
    >>> ambiguity_discrepancy([[0, 1, 1, 0], [0, 0, 1, 0], [1, 1, 1, 0]], baseline=0)
    (0.5, 0.25)
    """
    if is_dask_array(predictions):
        return _dask.ambiguity_discrepancy(predictions, baseline)
    flipped, counts, n = _label_flips(predictions, baseline)
    return float(np.count_nonzero(flipped) / n), float(counts.max() / n)


def ambiguous_samples(predictions: ArrayLike, baseline: ArrayLike | int) -> NDArray[np.bool_]:
    """Mask of the samples whose prediction some model flips.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Class predictions of every model in the Rashomon set.
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or int
        Predictions of the reference model h0, or the row of ``predictions`` that holds
        them.

    Returns
    -------
    ndarray of shape (n_samples,), dtype bool
        ``True`` where at least one model disagrees with the baseline; its mean is
        :func:`ambiguity`.

    See Also
    --------
    ambiguity

    Examples
    --------
    >>> ambiguous_samples([[0, 1, 1], [0, 0, 1]], baseline=0)
    array([False,  True, False])
    """
    if is_dask_array(predictions):
        return _dask.ambiguous_samples(predictions, baseline)
    flipped, _, _ = _label_flips(predictions, baseline, FLAGS)
    return flipped.view(np.bool_)


def probabilistic_ambiguity(probabilities: ArrayLike, baseline: ArrayLike | int,
                            delta: float = 0.1) -> float:
    """Share of samples whose predicted probability some model moves by at least ``delta``.

    A model ``h`` moves sample ``x`` when ``|h(x) - h0(x)| >= delta`` for positive-class
    probabilities, or, for class distributions, when the largest change of any class
    probability reaches ``delta`` (for two classes this is the same number).

    Parameters
    ----------
    probabilities : array-like of shape (n_models, n_samples) or (n_models, n_samples, n_classes)
        Positive-class probabilities, or class probabilities (each row sums to 1).
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or (n_samples, n_classes), or int
        Probabilities of the reference model h0, or its row in ``probabilities``.
    delta : float, default=0.1
        Threshold in ``(0, 1]``. Uses ``>=``; gaps within ``1e-12`` of ``delta`` count as
        reaching it, so that ``0.6`` against ``0.5`` moves by ``0.1`` as written.

    Returns
    -------
    float
        Value in ``[0, 1]``, non-increasing in ``delta``.

    See Also
    --------
    probabilistic_discrepancy, viable_prediction_range, ambiguity

    Notes
    -----
    The delta-ambiguity of Watson-Daniels, Parkes & Ustun (2023), "Predictive
    Multiplicity in Probabilistic Classification", AAAI. One streaming pass over
    ``probabilities``; extra memory ``O(n_samples * n_classes)``.

    Examples
    --------
    >>> Q = [[0.5, 0.9, 0.2], [0.6, 0.9, 0.25], [0.55, 0.7, 0.2]]
    >>> probabilistic_ambiguity(Q, baseline=0, delta=0.1)
    0.6666666666666666
    """
    if is_dask_array(probabilities):
        return _dask.probabilistic_ambiguity(probabilities, baseline, delta)
    flipped, _, n = _proba_flips(probabilities, baseline, delta)
    return float(np.count_nonzero(flipped) / n)


def probabilistic_discrepancy(probabilities: ArrayLike, baseline: ArrayLike | int,
                              delta: float = 0.1) -> float:
    """Largest share of samples one model moves by at least ``delta`` from the baseline.

    Parameters
    ----------
    probabilities : array-like of shape (n_models, n_samples) or (n_models, n_samples, n_classes)
        Positive-class probabilities, or class probabilities (each row sums to 1).
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or (n_samples, n_classes), or int
        Probabilities of the reference model h0, or its row in ``probabilities``.
    delta : float, default=0.1
        Threshold in ``(0, 1]`` (``>=``, see :func:`probabilistic_ambiguity`).

    Returns
    -------
    float
        Value in ``[0, 1]``. Never larger than :func:`probabilistic_ambiguity`.

    See Also
    --------
    probabilistic_ambiguity, discrepancy

    Notes
    -----
    The delta-discrepancy of Watson-Daniels, Parkes & Ustun (2023), AAAI.

    Examples
    --------
    >>> Q = [[0.5, 0.9, 0.2], [0.6, 0.9, 0.25], [0.55, 0.7, 0.2]]
    >>> round(probabilistic_discrepancy(Q, baseline=0, delta=0.1), 4)
    0.3333
    """
    if is_dask_array(probabilities):
        return _dask.probabilistic_discrepancy(probabilities, baseline, delta)
    _, counts, n = _proba_flips(probabilities, baseline, delta)
    return float(counts.max() / n)


def viable_prediction_range(probabilities: ArrayLike) -> NDArray[np.float64]:
    """Smallest and largest probability any model assigns, per sample (and class).

    Parameters
    ----------
    probabilities : array-like of shape (n_models, n_samples) or (n_models, n_samples, n_classes)
        Positive-class probabilities, or class probabilities.

        A ``dask.array.Array`` is computed block by block on the cluster.
    Returns
    -------
    ndarray of shape (n_samples, 2) or (n_samples, n_classes, 2)
        ``[..., 0]`` is the minimum over models and ``[..., 1]`` the maximum; their
        difference is the width of the viable prediction range.

    See Also
    --------
    probabilistic_ambiguity, rashomon_capacity

    Notes
    -----
    The viable prediction range of Watson-Daniels, Parkes & Ustun (2023), AAAI, here
    over the models given (for the exact range of a logistic-regression level set see
    :class:`multiplicity.rashomon.LogisticLevelSet`). One pass; output is the only
    allocation.

    Examples
    --------
    >>> viable_prediction_range([[0.2, 0.9], [0.4, 0.8], [0.3, 0.95]])
    array([[0.2 , 0.4 ],
           [0.8 , 0.95]])
    """
    if is_dask_array(probabilities):
        return _dask.viable_prediction_range(probabilities)
    Q = check_probabilities(probabilities)
    if Q.ndim == 2:
        return _kernels._value_range(Q.reshape((*Q.shape, 1)), _kernels.BLOCK)[:, 0, :]
    return _kernels._value_range(Q, _kernels.BLOCK)
