"""Per-person flip probabilities with confidence intervals, and the retrainings they need.

Retraining a model (another seed, another draw of the noise of private training) gives
another prediction for the same person. The share of retrained models that flip a
person's decision away from the baseline's estimates the probability that the decision
depends on the training randomness alone (Kulynych, Hsu, Troncoso & Calmon 2023, FAccT).
Each model is one Bernoulli draw, so the estimate comes with a binomial confidence
interval: the Wilson (1927) score interval or the Clopper & Pearson (1934) exact one.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import betainccinv, betaincinv, ndtri

from .. import _errors
from .._checks import check_real_in
from .._dask import is_dask_array
from . import _dask
from ._person_flips import person_flip_counts

__all__ = ["arbitrary", "flip_probability", "retrainings_needed"]

_METHODS = ("wilson", "clopper-pearson")


def _check_method(method: object) -> str:
    if not isinstance(method, str) or method not in _METHODS:
        raise ValueError(_errors.INTERVAL_METHOD.format(method))
    return method


def _flip_counts(predictions: ArrayLike, baseline: ArrayLike | int
                 ) -> tuple[NDArray[np.int64], int]:
    """Per person, the models that flip the baseline's label, and the number of models.

    With a row index as ``baseline`` that row is not one of the models counted.
    """
    if is_dask_array(predictions):
        return _dask.person_flip_counts(predictions, baseline)
    counts, n_models, _, _, _ = person_flip_counts(predictions, baseline)
    return counts, n_models


def _bound_tables(n_models: int, tail: float, method: str
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lower and upper confidence bounds for ``k = 0, ..., n_models`` flips.

    Each bound leaves probability ``tail`` outside it (``(1 - confidence) / 2`` for a
    two-sided interval, ``1 - confidence`` for a one-sided bound); ``tail < 0.5``. The
    bounds are those of ``statsmodels.stats.proportion.proportion_confint`` (methods
    ``"wilson"`` and ``"beta"``), with 0 flips giving a lower bound of exactly 0 and
    ``n_models`` flips an upper bound of exactly 1.
    """
    M = n_models
    k = np.arange(M + 1, dtype=np.float64)
    if method == "wilson":
        z = -ndtri(tail)
        z2 = z * z
        p = k / M
        denom = 1.0 + z2 / M
        center = (p + z2 / (2.0 * M)) / denom
        half = z * np.sqrt(p * (1.0 - p) / M + z2 / (4.0 * M * M)) / denom
        low = np.clip(center - half, 0.0, 1.0)
        high = np.clip(center + half, 0.0, 1.0)
    else:
        low = np.zeros(M + 1)
        high = np.ones(M + 1)
        low[1:] = betaincinv(k[1:], M - k[1:] + 1.0, tail)
        high[:-1] = betainccinv(k[:-1] + 1.0, M - k[:-1], tail)
    low[0] = 0.0
    high[M] = 1.0
    return low, high


def flip_probability(predictions: ArrayLike, baseline: ArrayLike | int,
                     confidence: float = 0.95, *,
                     method: Literal["wilson", "clopper-pearson"] = "wilson"
                     ) -> pd.DataFrame:
    """Per person, the share of models that flip the baseline's decision, with an interval.

    For person ``i``, ``k_i`` of the ``M`` models other than the baseline predict a label
    other than the baseline's. Read the models as independent retrainings, each flipping
    the decision with an unknown probability ``p_i``: ``k_i / M`` estimates ``p_i`` and the
    binomial interval at level ``confidence`` covers it.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Class predictions of every model (retraining); labels may be of any hashable
        type.
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or int
        Predictions of the reference model h0, or the row of ``predictions`` that holds
        them. With a row, that row is not one of the ``M`` models (``M = n_models - 1``);
        with an array, every row is (``M = n_models``).
    confidence : float, default=0.95
        Level of the two-sided interval, in ``(0, 1)``.
    method : {"wilson", "clopper-pearson"}, default="wilson"
        ``"wilson"``: the score interval of Wilson (1927); ``"clopper-pearson"``: the exact
        interval of Clopper & Pearson (1934), which covers ``p_i`` with probability at
        least ``confidence`` for every ``p_i`` and is wider.

    Returns
    -------
    pandas.DataFrame
        One row per person (a ``RangeIndex`` over the samples) with the columns
        ``flips`` (``k_i``, int64), ``n_models`` (``M``, int64), ``probability``
        (``k_i / M``) and ``low``, ``high`` (the interval, within ``[0, 1]``; ``low`` is
        exactly 0 when ``k_i = 0`` and ``high`` exactly 1 when ``k_i = M``).
        ``df.attrs`` holds ``method`` and ``confidence``.

    See Also
    --------
    arbitrary, retrainings_needed, ambiguous_samples

    Notes
    -----
    Retrainings of a randomised training algorithm as the source of predictive
    multiplicity, measured person by person, are the setting of Kulynych, Hsu, Troncoso &
    Calmon (2023), "Arbitrary Decisions are a Hidden Cost of Differentially Private
    Training", FAccT.
    The intervals are those of Wilson (1927), "Probable Inference, the Law of
    Succession, and Statistical Inference", JASA, and Clopper & Pearson (1934), "The Use
    of Confidence or Fiducial Limits Illustrated in the Case of the Binomial",
    Biometrika; they match ``statsmodels.stats.proportion.proportion_confint`` with
    ``method="wilson"`` and ``method="beta"``. The intervals hold for each person
    separately, not for all at once.

    The counts ``k_i`` come from one streaming pass over ``predictions`` in column
    blocks; extra memory is ``O(n_samples + n_models)``, no ``n_models x n_samples``
    temporary.

    Examples
    --------
    >>> P = [[0, 1, 1], [0, 1, 0], [1, 1, 0], [0, 1, 0], [0, 1, 0]]
    >>> df = flip_probability(P, baseline=0)
    >>> df[["flips", "n_models", "probability"]]
       flips  n_models  probability
    0      1         4         0.25
    1      0         4         0.00
    2      4         4         1.00
    >>> df[["low", "high"]].round(4)
          low    high
    0  0.0456  0.6994
    1  0.0000  0.4899
    2  0.5101  1.0000
    >>> flip_probability(P, 0, method="clopper-pearson")[["low", "high"]].round(4)
          low    high
    0  0.0063  0.8059
    1  0.0000  0.6024
    2  0.3976  1.0000
    """
    c = check_real_in(confidence, _errors.CONFIDENCE_RANGE, 0.0, 1.0)
    method = _check_method(method)
    counts, n_models = _flip_counts(predictions, baseline)
    low, high = _bound_tables(n_models, (1.0 - c) / 2.0, method)
    df = pd.DataFrame({
        "flips": counts,
        "n_models": np.full(counts.shape[0], n_models, dtype=np.int64),
        "probability": counts / n_models,
        "low": low[counts],
        "high": high[counts],
    })
    df.attrs.update(method=method, confidence=c)
    return df


def arbitrary(predictions: ArrayLike, baseline: ArrayLike | int, threshold: float,
              confidence: float = 0.95, *,
              method: Literal["wilson", "clopper-pearson"] = "wilson"
              ) -> NDArray[np.bool_]:
    """Mask of the people whose flip probability exceeds ``threshold``, with confidence.

    Person ``i`` is flagged when the one-sided lower confidence bound of the flip
    probability ``p_i`` at level ``confidence`` is above ``threshold``: a one-sided test
    of ``p_i <= threshold`` against ``p_i > threshold`` at level ``1 - confidence``.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Class predictions of every model (retraining).
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or int
        Predictions of the reference model h0, or the row of ``predictions`` that holds
        them (see :func:`flip_probability`).
    threshold : float
        Flip probability in ``[0, 1)`` that a person's must exceed.
    confidence : float, default=0.95
        Level of the one-sided lower bound, in ``(0.5, 1)``.
    method : {"wilson", "clopper-pearson"}, default="wilson"
        Interval of the bound, as in :func:`flip_probability`.

    Returns
    -------
    ndarray of shape (n_samples,), dtype bool
        ``True`` where the lower bound is strictly above ``threshold``. Non-increasing in
        ``threshold`` and in ``confidence``.

    See Also
    --------
    flip_probability, retrainings_needed

    Notes
    -----
    The one-sided lower bound at level ``c`` is the lower end of the two-sided interval
    at level ``2 c - 1``, so ``arbitrary(P, b, t, c)`` equals
    ``flip_probability(P, b, 2 * c - 1)["low"] > t``. (The lower end of the two-sided
    interval at level ``c`` would test at the stricter level ``(1 + c) / 2``.) The test
    is per person; flagging all people at once with an overall confidence needs a
    multiple-testing correction (for ``n`` people, Bonferroni's ``1 - (1 - c) / n``).
    The setting is that of Kulynych, Hsu, Troncoso & Calmon (2023), "Arbitrary Decisions
    are a Hidden Cost of Differentially Private Training", FAccT; the bounds are those of
    Wilson (1927) and Clopper & Pearson (1934). One streaming pass over
    ``predictions``; extra memory ``O(n_samples + n_models)``.

    Examples
    --------
    >>> P = [[0] * 4] + [[1, 1, 0, 0]] * 30 + [[0, 1, 0, 1]] * 10
    >>> arbitrary(P, baseline=0, threshold=0.5)
    array([ True,  True, False, False])
    >>> arbitrary(P, baseline=0, threshold=0.1)
    array([ True,  True, False,  True])
    """
    t = check_real_in(threshold, _errors.FLIP_THRESHOLD_RANGE, 0.0, 1.0, closed_low=True)
    c = check_real_in(confidence, _errors.ONE_SIDED_CONFIDENCE_RANGE, 0.5, 1.0)
    method = _check_method(method)
    counts, n_models = _flip_counts(predictions, baseline)
    low, _ = _bound_tables(n_models, 1.0 - c, method)
    return (low > t)[counts]


def retrainings_needed(precision: float, confidence: float) -> int:
    """Retrainings needed to estimate a person's flip probability within ``precision``.

    The smallest ``m`` with ``m >= ln(2 / (1 - confidence)) / (2 precision**2)``. With
    ``m`` independent retrainings, each person's estimated flip probability (the share of
    the ``m`` models that flip the decision, a mean of ``m`` Bernoulli draws) is within
    ``precision`` of the true one with probability at least ``confidence``, by
    Hoeffding's inequality ``P(|p_hat - p| >= precision) <= 2 exp(-2 m precision**2)``.

    Parameters
    ----------
    precision : float
        Largest acceptable absolute error of the estimate, in ``(0, 1)``.
    confidence : float
        Probability, in ``(0, 1)``, with which the error stays within ``precision``.

    Returns
    -------
    int
        Number of models (retrainings besides the baseline), at least 1.

    See Also
    --------
    flip_probability, arbitrary

    Notes
    -----
    Hoeffding (1963), "Probability Inequalities for Sums of Bounded Random Variables",
    JASA, Theorem 1 for variables in ``[0, 1]``, solved for ``m``. Kulynych, Hsu,
    Troncoso & Calmon (2023), "Arbitrary Decisions are a Hidden Cost of Differentially
    Private Training", FAccT, derive a bound on the number of retrainings needed to
    estimate predictive multiplicity reliably; the bound here is the plain Hoeffding
    bound for the flip probability of one person. The guarantee
    is for each person separately and does not depend on the true flip probability;
    for all ``n`` people at once (a union bound), pass
    ``confidence = 1 - (1 - c) / n``.

    Examples
    --------
    >>> retrainings_needed(0.1, 0.95)
    185
    >>> retrainings_needed(0.05, 0.95)
    738
    """
    eps = check_real_in(precision, _errors.PRECISION_RANGE, 0.0, 1.0)
    c = check_real_in(confidence, _errors.CONFIDENCE_RANGE, 0.0, 1.0)
    return max(1, math.ceil(math.log(2.0 / (1.0 - c)) / (2.0 * eps * eps)))
