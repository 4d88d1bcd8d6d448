"""Multiplicity of real-valued predictions: regression outputs and scores with a threshold."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._dask import is_dask_array
from .._validation import (
    DELTA_RTOL,
    check_positive_delta,
    check_real_baseline,
    check_real_predictions,
    check_threshold,
)
from . import _dask, _kernels, _regression_kernels

__all__ = [
    "decision_ambiguity",
    "prediction_range",
    "regression_ambiguity",
    "regression_discrepancy",
]


def _range(P: np.ndarray) -> NDArray[np.float64]:
    """``(n_samples, 2)`` minimum and maximum over the models of a checked matrix."""
    return _kernels._value_range(P.reshape((*P.shape, 1)), _kernels.BLOCK)[:, 0, :]


def _regression_flips(predictions: ArrayLike, baseline: ArrayLike | int, delta: float):
    d = check_positive_delta(delta)
    P = check_real_predictions(predictions)
    b = check_real_baseline(P, baseline)
    flipped, counts = _regression_kernels._regression_flip_stats(
        P, b, d, DELTA_RTOL, _kernels.BLOCK)
    return flipped, counts, P.shape[1]


def prediction_range(predictions: ArrayLike) -> NDArray[np.float64]:
    """Smallest and largest prediction any model makes, per sample.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Real-valued predictions (regression outputs or scores) of every model in the set.
        float32 and float64 are read in place; integer and bool matrices are converted to
        float64. NaN or infinite values raise a ``ValueError``.

        A ``dask.array.Array`` is computed block by block on the cluster.
    Returns
    -------
    ndarray of shape (n_samples, 2), dtype float64
        ``[:, 0]`` is the minimum over models and ``[:, 1]`` the maximum; their difference
        is the spread of the set's predictions for each sample.

    See Also
    --------
    regression_ambiguity, decision_ambiguity, viable_prediction_range

    Notes
    -----
    The viable prediction range of Watson-Daniels, Parkes & Ustun (2023), "Predictive
    Multiplicity in Probabilistic Classification", AAAI, for real-valued outputs and over
    the models given. One pass over ``predictions`` in column blocks, parallel over blocks;
    the output is the only allocation.

    Examples
    --------
    >>> prediction_range([[10.0, 20.0, 30.0], [10.5, 20.0, 28.0], [10.0, 21.0, 30.0]])
    array([[10. , 10.5],
           [20. , 21. ],
           [28. , 30. ]])
    """
    if is_dask_array(predictions):
        return _dask.prediction_range(predictions)
    return _range(check_real_predictions(predictions))


def regression_ambiguity(predictions: ArrayLike, baseline: ArrayLike | int,
                         delta: float) -> float:
    """Share of samples whose prediction some model moves by at least ``delta``.

    A model ``h`` moves sample ``x`` when ``|h(x) - h0(x)| >= delta``; regression ambiguity
    is ``mean_x max_h 1[|h(x) - h0(x)| >= delta]``.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Real-valued predictions of every model in the set. float32 and float64 are read in
        place (float32 values are compared as they are stored); integer and bool matrices
        are converted to float64. NaN or infinite values raise a ``ValueError``.
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or int
        Predictions of the reference model h0, or the row of ``predictions`` that holds
        them.
    delta : float
        Smallest change that counts, a finite number > 0 in the units of the predictions
        (no default: it depends on the target's scale). Uses ``>=``; a gap short of
        ``delta`` by at most ``1e-12 * max(delta, |h0(x)|)`` counts as reaching it, so that
        decimal inputs behave as written: ``|0.6 - 0.5|`` is ``0.09999999999999998`` and
        ``|1000000.1 - 1000000.0|`` is ``0.09999999997671694`` in binary floating point, and
        both move by ``0.1``. The slack is relative because the rounding error of a
        difference grows with the size of the values, whatever the unit.

    Returns
    -------
    float
        Value in ``[0, 1]``, non-increasing in ``delta``. Never smaller than
        :func:`regression_discrepancy`.

    See Also
    --------
    regression_discrepancy, prediction_range, probabilistic_ambiguity

    Notes
    -----
    The delta-ambiguity of Watson-Daniels, Parkes & Ustun (2023), "Predictive Multiplicity
    in Probabilistic Classification", AAAI, with gaps in the units of the target instead of
    probabilities. On probabilities it matches :func:`probabilistic_ambiguity` up to the
    slack (``1e-12`` there, at most ``1e-12`` here). One streaming pass over
    ``predictions`` (plus one pass that checks float input for NaN/inf); extra memory
    ``O(n_samples + n_models)``, no ``n_models x n_samples`` temporary.

    Examples
    --------
    >>> P = [[10.0, 20.0, 30.0, 40.0], [10.5, 20.0, 28.0, 40.0], [10.0, 21.0, 30.0, 40.2]]
    >>> regression_ambiguity(P, baseline=0, delta=1.0)
    0.5
    >>> regression_ambiguity(P, baseline=0, delta=0.5)
    0.75
    """
    if is_dask_array(predictions):
        return _dask.regression_ambiguity(predictions, baseline, delta)
    flipped, _, n = _regression_flips(predictions, baseline, delta)
    return float(np.count_nonzero(flipped) / n)


def regression_discrepancy(predictions: ArrayLike, baseline: ArrayLike | int,
                           delta: float) -> float:
    """Largest share of samples one model moves by at least ``delta`` from the baseline.

    Regression discrepancy is ``max_h mean_x 1[|h(x) - h0(x)| >= delta]``: how many
    predictions could change by ``delta`` or more by replacing the baseline with a single
    other model of the set.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Real-valued predictions of every model in the set (see
        :func:`regression_ambiguity`).
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or int
        Predictions of the reference model h0, or the row of ``predictions`` that holds
        them.
    delta : float
        Smallest change that counts, a finite number > 0 in the units of the predictions
        (``>=`` with a relative slack of ``1e-12``, see :func:`regression_ambiguity`).

    Returns
    -------
    float
        Value in ``[0, 1]``, non-increasing in ``delta``. Never larger than
        :func:`regression_ambiguity`.

    See Also
    --------
    regression_ambiguity, probabilistic_discrepancy, discrepancy

    Notes
    -----
    The delta-discrepancy of Watson-Daniels, Parkes & Ustun (2023), AAAI, with gaps in the
    units of the target. Same pass and memory as :func:`regression_ambiguity`.

    Examples
    --------
    >>> P = [[10.0, 20.0, 30.0, 40.0], [10.5, 20.0, 28.0, 40.0], [10.0, 21.0, 30.0, 40.2]]
    >>> regression_discrepancy(P, baseline=0, delta=1.0)
    0.25
    >>> regression_discrepancy(P, baseline=0, delta=0.5)
    0.5
    """
    if is_dask_array(predictions):
        return _dask.regression_discrepancy(predictions, baseline, delta)
    _, counts, n = _regression_flips(predictions, baseline, delta)
    return float(counts.max() / n)


def decision_ambiguity(predictions: ArrayLike, threshold: float,
                       baseline: ArrayLike | int | None = None) -> float:
    """Share of samples whose decision ``score >= threshold`` depends on the model.

    Each score becomes a decision: ``prediction >= threshold`` is the positive decision
    (for example, approve a loan), ``prediction < threshold`` the negative one. Without a
    baseline, a sample is ambiguous when the set's range of scores straddles the threshold
    (``min_h h(x) < threshold <= max_h h(x)``: some model decides one way, another the
    other way). With a baseline, it is ambiguous when some model's decision differs from
    the baseline's; when the baseline is a row of ``predictions`` the two are the same.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Real-valued scores of every model in the set (see :func:`regression_ambiguity`).
        A ``dask.array.Array`` is computed block by block on the cluster.
    threshold : float
        Finite cut-off of the decision. Scores are compared with ``>=`` exactly, without
        slack: a score equal to the threshold is a positive decision.
    baseline : array-like of shape (n_samples,) or int, optional
        Scores of the reference model h0, or the row of ``predictions`` that holds them.
        ``None`` (default) compares the models with each other.

    Returns
    -------
    float
        Value in ``[0, 1]``. With a baseline of its own (not a row), possibly larger than
        without: a baseline outside the set's range can disagree with every model.

    See Also
    --------
    prediction_range, ambiguity, regression_ambiguity

    Notes
    -----
    The ambiguity of Marx, Calmon & Ustun (2020), "Predictive Multiplicity in
    Classification", ICML, Def. 3, of the decisions ``1[h(x) >= threshold]``. Computed from
    :func:`prediction_range` (one pass over ``predictions``); extra memory
    ``O(n_samples)``.

    Examples
    --------
    >>> P = [[10.0, 20.0, 30.0, 40.0], [10.5, 20.0, 28.0, 40.0], [10.0, 21.0, 30.0, 40.2]]
    >>> decision_ambiguity(P, threshold=30.0)
    0.25
    >>> decision_ambiguity(P, threshold=30.0, baseline=[10.0, 20.0, 29.0, 29.0])
    0.5
    """
    if is_dask_array(predictions):
        return _dask.decision_ambiguity(predictions, threshold, baseline)
    t = check_threshold(threshold)
    P = check_real_predictions(predictions)
    lo, hi = _range(P).T
    if baseline is None:
        flagged = (lo < t) & (hi >= t)
    else:
        positive = check_real_baseline(P, baseline) >= t
        flagged = np.where(positive, lo < t, hi >= t)
    return float(np.count_nonzero(flagged) / P.shape[1])
