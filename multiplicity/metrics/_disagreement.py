"""Disagreement among the models of a set: pairwise, per sample, and as an error estimate."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._dask import is_dask_array
from .._kernels_common import vote_block
from .._parallel import numba_threads
from .._validation import check_predictions, label_codes
from . import _dask, _kernels

__all__ = [
    "disagreement",
    "disagreement_error_estimate",
    "pairwise_disagreement",
    "self_consistency",
]

# Up to this many classes the pairwise matrix is computed from class bit planes
# (k popcounts per 64 samples); above it, by direct comparison.
_MAX_PLANES = 16


def pairwise_disagreement(predictions: ArrayLike, *, n_jobs: int | None = None
                          ) -> NDArray[np.float64]:
    """Fraction of samples on which each pair of models disagrees.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Class predictions of every model. Labels may be of any hashable type.
        A ``dask.array.Array`` is computed block by block on the cluster.
    n_jobs : int, default=None
        Numba threads for this call (``-1``: all cores; ``None``: Numba's current setting).

    Returns
    -------
    ndarray of shape (n_models, n_models)
        Symmetric, zero diagonal, entries in ``[0, 1]``.

    See Also
    --------
    disagreement, disagreement_error_estimate

    Notes
    -----
    With up to 16 classes each model's predictions are packed into one bit plane per
    class (two classes: one plane), and a pair costs ``n_planes * n_samples / 64``
    popcounts. Extra memory: ``n_planes * n_models * n_samples / 8`` bytes plus the
    output. With more classes, rows are compared directly in cache-sized blocks.

    Examples
    --------
    >>> pairwise_disagreement([[0, 1, 1, 0], [0, 0, 1, 0], [1, 1, 1, 1]])
    array([[0.  , 0.25, 0.5 ],
           [0.25, 0.  , 0.75],
           [0.5 , 0.75, 0.  ]])
    """
    if is_dask_array(predictions):
        return _dask.pairwise_disagreement(predictions, _pairwise_counts, n_jobs)
    P, offset, n_levels = label_codes(check_predictions(predictions))
    with numba_threads(n_jobs):
        counts = _pairwise_counts(P, offset, n_levels)
    return counts / P.shape[1]


def _pairwise_counts(P: np.ndarray, offset: int, n_levels: int) -> NDArray[np.int64]:
    """``(n_models, n_models)`` disagreement counts of label codes ``P - offset``."""
    if n_levels <= _MAX_PLANES:
        n_planes = 1 if n_levels <= 2 else n_levels
        bits = _kernels._pack_classes(P, offset, n_planes)
        return _kernels._pairwise_from_planes(bits, P.shape[1])
    return _kernels._pairwise_direct(P, 4096)


def _agreeing_share(predictions: ArrayLike, min_models: int) -> NDArray[np.float64]:
    labels = check_predictions(predictions, min_models=min_models)
    P, offset, n_levels = label_codes(labels)
    m = P.shape[0]
    if m < 2:
        return np.ones(P.shape[1])
    same = _kernels._agreeing_pairs(P, offset, n_levels, vote_block(n_levels))
    return same / (m * (m - 1))


def disagreement(predictions: ArrayLike) -> NDArray[np.float64]:
    """Per sample, the fraction of ordered model pairs that disagree.

    For votes ``v_c`` of ``m`` models over the classes ``c``, the value is
    ``1 - sum_c v_c (v_c - 1) / (m (m - 1))``: the chance that two different models
    drawn at random give different labels. A single model gives 0.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Class predictions of every model. Labels may be of any hashable type.

        A ``dask.array.Array`` is computed block by block on the cluster.
    Returns
    -------
    ndarray of shape (n_samples,)
        Values in ``[0, 1]``; the mean over samples equals the mean off-diagonal
        entry of :func:`pairwise_disagreement`.

    See Also
    --------
    self_consistency, pairwise_disagreement

    Notes
    -----
    One streaming pass; extra memory one int32 vote table of about 256 KiB per thread.

    Examples
    --------
    >>> disagreement([[0, 1, 1], [0, 0, 1], [1, 1, 1]])
    array([0.66666667, 0.66666667, 0.        ])
    """
    if is_dask_array(predictions):
        return _dask.disagreement(predictions)
    return 1.0 - _agreeing_share(predictions, 1)


def self_consistency(predictions: ArrayLike) -> NDArray[np.float64]:
    """Per sample, the probability that two different models agree: ``1 - disagreement``.

    For binary votes with ``B0`` zeros and ``B1`` ones among ``B`` models this is
    ``1 - 2 B0 B1 / (B (B - 1))``.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Class predictions of every model (e.g. models trained on bootstrap resamples).

        A ``dask.array.Array`` is computed block by block on the cluster.
    Returns
    -------
    ndarray of shape (n_samples,)
        Values in ``[0, 1]``; 1 where all models agree.

    See Also
    --------
    disagreement, multiplicity.ensemble.SelectiveEnsembleClassifier

    Notes
    -----
    Self-consistency of Cooper, Lee, Barocas, De Sa, Sen & Zhang (2024), "Arbitrariness
    and Social Prediction: The Confounding Role of Variance in Fair Classification",
    AAAI.

    Examples
    --------
    >>> self_consistency([[0, 1, 1], [0, 0, 1], [1, 1, 1]])
    array([0.33333333, 0.33333333, 1.        ])
    """
    if is_dask_array(predictions):
        return _dask.self_consistency(predictions)
    return _agreeing_share(predictions, 1)


def disagreement_error_estimate(predictions: ArrayLike) -> float:
    """Mean disagreement between pairs of models, as an estimate of their test error.

    Under the Generalization Disagreement Equality, for a well-calibrated ensemble of
    independently trained models the expected disagreement rate of two of them on
    unlabelled data equals their expected test error.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Predictions of at least two models on unlabelled data.

        A ``dask.array.Array`` is computed block by block on the cluster.
    Returns
    -------
    float
        Mean over ordered pairs ``i != j`` of the fraction of samples where models i and
        j differ, in ``[0, 1]``.

    See Also
    --------
    pairwise_disagreement, disagreement

    Notes
    -----
    Jiang, Nagarajan, Baek & Kolter (2022), "Assessing Generalization of SGD via
    Disagreement", ICLR. Computed from per-sample vote counts in ``O(n_models *
    n_samples)`` time, without the ``(n_models, n_models)`` matrix.

    Examples
    --------
    >>> disagreement_error_estimate([[0, 1, 1, 0], [0, 0, 1, 0], [1, 1, 1, 1]])
    0.5
    """
    if is_dask_array(predictions):
        return _dask.disagreement_error_estimate(predictions)
    return float(1.0 - _agreeing_share(predictions, 2).mean())
