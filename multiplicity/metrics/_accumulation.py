"""How sure is the estimate: accumulation curves and richness estimators for ambiguity.

Ambiguity is measured over the models one happened to draw. Read as incidence data (each
non-baseline model a sampling unit, each person a "species" detected by the models that
flip them), the measures of species accumulation apply as they are: the rarefaction curve
says how ambiguity grew with the number of models, and the Chao2 and second-order
jackknife estimators say how many people unlimited draws from the same exploration would
flip (Chao 1987; Colwell et al. 2012; Chao et al. 2014).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import norm

from .. import _errors
from .._checks import check_int, check_real_in, resolve_seed
from .._dask import is_dask_array
from .._kernels_common import COUNTS, label_flip_stats
from . import _accumulation_kernels as _kernels
from . import _dask
from ._person_flips import person_flip_counts, resolve_baseline

__all__ = ["AmbiguityEstimate", "ambiguity_curve", "ambiguity_estimate", "discrepancy_curve"]

# The summary calls the curve levelled off when the last model drawn added less than
# this share of the observed ambiguity, and counts the models still worth drawing as
# those that bring the expected ambiguity within SUMMARY_GAIN of the estimate.
LEVELLED_OFF = 0.01
# How the summary names the estimators.
_METHOD_NAMES = {"chao2": "Chao2", "jackknife2": "second-order jackknife"}
SUMMARY_GAIN = 0.01


# --------------------------------------------------------------------------- helpers
def _sample_counts(predictions: ArrayLike, baseline: ArrayLike | int
                   ) -> tuple[np.ndarray, int, int]:
    """``(hist, n_models, n_samples)``: samples per flip count ``c`` (length M + 1)."""
    if is_dask_array(predictions):
        return _dask.person_flip_hist(predictions, baseline)
    c, n_models, P, _, _ = person_flip_counts(predictions, baseline)
    return np.bincount(c, minlength=n_models + 1).astype(np.int64), n_models, P.shape[1]


def _check_sizes(sizes: ArrayLike | None, n_models: int) -> np.ndarray:
    if sizes is None:
        return np.arange(1, n_models + 1, dtype=np.int64)
    s = np.asarray(sizes)
    if s.ndim == 0:
        s = s.reshape(1)
    ok = (s.ndim == 1 and s.size > 0 and s.dtype.kind in "iu"
          and int(s.min()) >= 1 and int(s.max()) <= n_models)
    if not ok:
        raise ValueError(_errors.SIZES_RANGE.format(n_models=n_models, sizes=sizes))
    return s.astype(np.int64)


# --------------------------------------------------------------------------- curves
def ambiguity_curve(predictions: ArrayLike, baseline: ArrayLike | int,
                    sizes: ArrayLike | None = None) -> pd.DataFrame:
    """Expected ambiguity of ``m`` models drawn at random from the set (rarefaction).

    With ``M`` non-baseline models and ``c_i`` of them flipping person ``i``, the expected
    ambiguity of ``m`` models drawn without replacement is
    ``mean_i [1 - C(M - c_i, m) / C(M, m)]``, the sample-based rarefaction curve of
    Colwell et al. (2012). It rises to :func:`ambiguity` at ``m = M``; a curve still
    climbing there says more models would find more ambiguous people
    (see :func:`ambiguity_estimate`).

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Class predictions of every model in the Rashomon set.
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or int
        Predictions of the reference model h0, or the row of ``predictions`` that holds
        them. A row given by its index is not one of the ``M`` models drawn from.
    sizes : array-like of int, optional
        Numbers of models ``m`` in ``[1, M]`` at which to evaluate the curve; default
        every ``m`` from 1 to ``M``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``n_models`` (the ``sizes``), one column ``ambiguity``. Plot it with
        ``.plot()``; ``.iloc[-1]`` of the default curve equals :func:`ambiguity`.

    See Also
    --------
    ambiguity, ambiguity_estimate, discrepancy_curve

    Notes
    -----
    Rarefaction of incidence data: Colwell, Chao, Gotelli et al. (2012), "Models and
    estimators linking individual-based and sample-based rarefaction, extrapolation and
    comparison of assemblages", Journal of Plant Ecology 5:3-21, eq. 4; Chao et al.
    (2014), Ecological Monographs 84:45-67. One streaming pass over ``predictions``
    counts the flips of every person (extra memory ``O(n_samples)``); the curve is then
    computed from the histogram of the counts with running products of
    ``1 - m / (M - r)``, which cannot overflow (time ``O(len(sizes) * max c_i)``).

    Examples
    --------
    >>> P = [[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0]]
    >>> ambiguity_curve(P, baseline=0)
              ambiguity
    n_models
    1          0.333333
    2          0.583333
    3          0.750000
    """
    hist, n_models, n = _sample_counts(predictions, baseline)
    s = _check_sizes(sizes, n_models)
    counts = _kernels._rarefaction_counts(hist, n_models, s)
    return pd.DataFrame({"ambiguity": counts / n},
                        index=pd.Index(s, name="n_models"))


def discrepancy_curve(predictions: ArrayLike, baseline: ArrayLike | int,
                      sizes: ArrayLike | None = None, *, n_draws: int = 200,
                      random_state: int | np.random.Generator | None = None
                      ) -> pd.DataFrame:
    """Expected discrepancy of ``m`` models drawn at random from the set (Monte Carlo).

    The discrepancy of a set of models is the largest share of people one of them flips.
    Each of ``n_draws`` draws shuffles the ``M`` non-baseline models; its first ``m``
    models are a subset of size ``m`` drawn without replacement, for every ``m`` at once.
    The curve is the mean over the draws, with its Monte Carlo standard error.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Class predictions of every model in the Rashomon set.
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or int
        Predictions of the reference model h0, or the row of ``predictions`` that holds
        them. A row given by its index is not one of the ``M`` models drawn from.
    sizes : array-like of int, optional
        Numbers of models ``m`` in ``[1, M]``; default every ``m`` from 1 to ``M``.
    n_draws : int, default=200
        Number of random orders of the models (at least 1).
    random_state : int, numpy Generator or RandomState, or None, default=None
        Seed of the draws; the same seed gives the same curve.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``n_models`` (the ``sizes``), with columns ``discrepancy`` (mean over
        the draws) and ``std_error`` (standard deviation over the draws divided by
        ``sqrt(n_draws)``; 0 at ``m = M``, where the value is :func:`discrepancy`).

    See Also
    --------
    discrepancy, ambiguity_curve

    Notes
    -----
    Discrepancy is Definition 4 of Marx, Calmon & Ustun (2020), "Predictive
    Multiplicity in Classification", ICML. One streaming pass over ``predictions`` gives
    every model's flip count (extra memory ``O(n_samples + n_models)``); each draw then
    costs ``O(M)`` time and memory.

    Examples
    --------
    >>> P = [[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0]]
    >>> discrepancy_curve(P, baseline=0, sizes=[3], random_state=0)
              discrepancy  std_error
    n_models
    3                 0.5        0.0
    """
    if is_dask_array(predictions):
        counts, n = _dask.model_flip_counts(predictions, baseline)
    else:
        P, b, row = resolve_baseline(predictions, baseline)
        _, counts = label_flip_stats(P, b, COUNTS)
        if row is not None:
            counts = np.delete(counts, row)
        n = P.shape[1]
    draws = check_int(n_draws, "n_draws", 1)
    seed = resolve_seed(random_state)
    n_models = counts.shape[0]
    s = _check_sizes(sizes, n_models)
    rng = np.random.default_rng(seed)
    total = np.zeros(s.shape[0])
    total_sq = np.zeros(s.shape[0])
    for _ in range(draws):
        best = np.maximum.accumulate(counts[rng.permutation(n_models)])[s - 1] / n
        total += best
        total_sq += best * best
    mean = total / draws
    if draws > 1:
        var = np.maximum(total_sq - draws * mean * mean, 0.0) / (draws - 1)
        se = np.sqrt(var / draws)
    else:
        se = np.full(s.shape[0], np.nan)
    se[s == n_models] = 0.0
    mean[s == n_models] = counts.max() / n
    return pd.DataFrame({"discrepancy": mean, "std_error": se},
                        index=pd.Index(s, name="n_models"))


# --------------------------------------------------------------------------- estimate
@dataclass(frozen=True)
class AmbiguityEstimate:
    """Observed ambiguity and an estimate of the ambiguity of unlimited draws.

    Shares are of all ``n_samples`` people, flipped or not. Built by
    :func:`ambiguity_estimate`.

    Attributes
    ----------
    observed : float
        Ambiguity of the ``n_models`` non-baseline models (:func:`ambiguity`).
    estimate : float
        Estimated share of people that unlimited draws from the same exploration would
        flip; never below ``observed`` and never above 1 (every person).
    interval : tuple of (float, float) or None
        Confidence interval of ``estimate`` at level ``confidence``; its low end is never
        below ``observed`` and its high end never above 1. None when the variance
        estimate is not positive (second-order jackknife only).
    std_error : float
        Estimated standard error of ``estimate`` (NaN where the interval is None).
    q1, q2 : int
        People flipped by exactly one and by exactly two models.
    n_models : int
        ``M``, the number of non-baseline models.
    n_samples : int
        Number of people.
    method : str
        ``"chao2"`` or ``"jackknife2"``.
    confidence : float
        Level of ``interval``.
    """

    observed: float
    estimate: float
    interval: tuple[float, float] | None
    std_error: float
    q1: int
    q2: int
    n_models: int
    n_samples: int
    method: str
    confidence: float

    @property
    def last_step(self) -> float:
        """Ambiguity the last of the ``M`` models adds on average: ``q1 / (M n)``.

        The last step of :func:`ambiguity_curve` (from ``M - 1`` to ``M`` models).
        """
        return self.q1 / (self.n_models * self.n_samples)

    def expected_ambiguity(self, extra_models: int) -> float:
        """Expected ambiguity after ``extra_models`` more draws (extrapolated curve).

        ``S_obs + f0 * (1 - (1 - Q1 / (M f0 + Q1)) ** t)`` over ``n``, with ``f0`` the
        estimated number of people no model has flipped yet (Chao et al. 2014,
        Ecological Monographs 84:45-67, incidence extrapolation; Colwell et al. 2012,
        J. Plant Ecol. 5:3-21). It tends to ``estimate``.

        Parameters
        ----------
        extra_models : int
            Number of further models ``t >= 0``.

        Returns
        -------
        float
            Extrapolated ambiguity, between ``observed`` and ``estimate``.

        Examples
        --------
        >>> import numpy as np
        >>> P = np.zeros((6, 20), dtype=int)
        >>> P[1, :3] = P[2, 2:4] = P[3, 4] = P[4, :2] = P[5, 5] = 1
        >>> est = ambiguity_estimate(P, baseline=0)
        >>> round(est.expected_ambiguity(0), 4), round(est.expected_ambiguity(100), 4)
        (0.3, 0.36)
        """
        t = check_int(extra_models, "extra_models", 0)
        gap = self.estimate - self.observed
        if gap <= 0.0:
            return self.observed
        return self.observed + gap * -math.expm1(t * math.log1p(-self._rate()))

    def _rate(self) -> float:
        """``Q1 / (M f0 + Q1)``, in (0, 1] when some person is still undetected."""
        f0 = (self.estimate - self.observed) * self.n_samples
        return self.q1 / (self.n_models * f0 + self.q1)

    def models_needed(self, target_gain: float) -> int:
        """Additional models after which the expected ambiguity is within ``target_gain``
        of ``estimate``.

        From the extrapolated curve (:meth:`expected_ambiguity`): the smallest ``t``
        with ``estimate - expected_ambiguity(t) <= target_gain``, that is
        ``ceil(log(target_gain / (estimate - observed)) / log(1 - Q1 / (M f0 + Q1)))``.

        Parameters
        ----------
        target_gain : float
            Largest ambiguity (a share, > 0) that further draws may still add.

        Returns
        -------
        int
            0 when ``estimate - observed`` is already within ``target_gain``.

        Examples
        --------
        >>> import numpy as np
        >>> P = np.zeros((6, 20), dtype=int)
        >>> P[1, :3] = P[2, 2:4] = P[3, 4] = P[4, :2] = P[5, 5] = 1
        >>> ambiguity_estimate(P, baseline=0).models_needed(0.01)
        5
        """
        if isinstance(target_gain, bool) or not isinstance(target_gain, numbers.Real) \
                or not float(target_gain) > 0.0 or not math.isfinite(float(target_gain)):
            raise ValueError(_errors.TARGET_GAIN.format(target_gain))
        gap = self.estimate - self.observed
        if gap <= target_gain:
            return 0
        rate = self._rate()
        if rate >= 1.0:
            return 1
        t = max(1, math.ceil(math.log(target_gain / gap) / math.log1p(-rate)))
        # Guard the rounding of the logarithms: t is the smallest such count.
        while t > 1 and gap * (1.0 - rate) ** (t - 1) <= target_gain:
            t -= 1
        while gap * (1.0 - rate) ** t > target_gain:
            t += 1
        return t

    def summary(self) -> str:
        """One sentence for a report: the estimate, whether the curve has levelled off,
        and how many more models look worth drawing.

        Returns
        -------
        str
            The curve counts as levelled off when the last model added less than 1% of
            the observed ambiguity; the models worth drawing are those that bring the
            expected ambiguity within one percentage point of the estimate.

        Examples
        --------
        >>> import numpy as np
        >>> P = np.zeros((6, 20), dtype=int)
        >>> P[1, :3] = P[2, 2:4] = P[3, 4] = P[4, :2] = P[5, 5] = 1
        >>> print(ambiguity_estimate(P, baseline=0).summary())
        The 5 models flip 30.0% of the people; the Chao2 estimate for unlimited draws is
        36.0% (95% interval 30.7% to 83.8%). The ambiguity curve is still rising: the
        last model added 3.00 percentage points. About 5 more models would bring the
        expected ambiguity within one percentage point of the estimate.
        """
        name = "model" if self.n_models == 1 else "models"
        text = (f"The {self.n_models} {name} flip {self.observed:.1%} of the people; the "
                f"{_METHOD_NAMES[self.method]} estimate for unlimited draws is "
                f"{self.estimate:.1%}")
        if self.interval is None:
            text += " (no interval: the variance estimate is not positive)."
        else:
            low, high = self.interval
            text += (f" ({self.confidence:.0%} interval {low:.1%} to {high:.1%}).")
        step = self.last_step
        points = f"{100 * step:.2f} percentage points"
        if self.observed == 0.0 or step < LEVELLED_OFF * self.observed:
            text += f" The ambiguity curve has levelled off: the last model added {points}."
        else:
            text += f" The ambiguity curve is still rising: the last model added {points}."
        more = self.models_needed(SUMMARY_GAIN)
        if more > 0:
            text += (f" About {more} more models would bring the expected ambiguity "
                     f"within one percentage point of the estimate.")
        return text


def _log_interval(s_obs: float, f0: float, var: float, z: float) -> tuple[float, float]:
    """Chao's (1987) log-transformed interval ``(S_obs + f0 / K, S_obs + f0 K)`` with
    ``K = exp(z sqrt(log(1 + var / f0^2)))``; needs ``f0 > 0``."""
    k = math.exp(z * math.sqrt(math.log1p(var / (f0 * f0))))
    return s_obs + f0 / k, s_obs + f0 * k


def _no_unseen_interval(hist: np.ndarray, s_obs: float, n_models: int,
                        z: float) -> tuple[float, float, float]:
    """``(low, high, var)`` when no undetected person is estimated (``f0 = 0``), as in
    SpadeR / iNEXT ``ChaoSpecies`` (Chao 1987): ``P = sum_k Q_k e^{-k} / S_obs``,
    ``var = sum_k Q_k (e^{-k} - e^{-2k}) - (sum_k k e^{-k} Q_k)^2 / M``, interval
    ``(max(S_obs, S_obs/(1-P) - z sd/(1-P)), S_obs/(1-P) + z sd/(1-P))``."""
    k = np.arange(hist.shape[0], dtype=np.float64)[1:]
    q = hist[1:].astype(np.float64)
    e = np.exp(-k)
    var = max(0.0, float(np.sum(q * (e - e * e)) - np.sum(k * e * q) ** 2 / n_models))
    p = float(np.sum(q * e)) / s_obs
    sd = math.sqrt(var)
    return max(s_obs, (s_obs - z * sd) / (1 - p)), (s_obs + z * sd) / (1 - p), var


def ambiguity_estimate(predictions: ArrayLike, baseline: ArrayLike | int,
                       method: Literal["chao2", "jackknife2"] = "chao2",
                       confidence: float = 0.95) -> AmbiguityEstimate:
    """Estimate the ambiguity that unlimited draws from the same exploration would show.

    Each non-baseline model is read as a sampling unit and each person as a species that
    the models flipping them detect (incidence data). ``Q1`` and ``Q2`` count the people
    flipped by exactly one and exactly two of the ``M`` models; many people flipped once
    mean more are waiting for the next models to flip them.

    Parameters
    ----------
    predictions : array-like of shape (n_models, n_samples)
        Class predictions of every model in the Rashomon set.
        A ``dask.array.Array`` is computed block by block on the cluster.
    baseline : array-like of shape (n_samples,) or int
        Predictions of the reference model h0, or the row of ``predictions`` that holds
        them. A row given by its index is not counted in ``M``.
    method : {"chao2", "jackknife2"}, default="chao2"
        The estimator of the number of people flipped by no model drawn yet.
    confidence : float, default=0.95
        Level of the interval, in (0, 1).

    Returns
    -------
    AmbiguityEstimate
        A frozen dataclass with ``observed``, ``estimate``, ``interval``, ``std_error``,
        ``q1``, ``q2``, ``n_models``, ``n_samples``, ``method`` and ``confidence``, and
        the methods ``summary()``, ``models_needed(target_gain)`` and
        ``expected_ambiguity(extra_models)``.

    See Also
    --------
    ambiguity, ambiguity_curve

    Notes
    -----
    In counts of people, with ``S_obs`` flipped by some model and ``A = (M - 1) / M``:

    - ``"chao2"`` (Chao 1987, Biometrics 43:783-791; incidence form of Colwell et al.
      2012, J. Plant Ecol. 5:3-21, and Chao et al. 2014, Ecol. Monogr. 84:45-67):
      ``S = S_obs + A Q1^2 / (2 Q2)`` when ``Q2 > 0``, else the bias-corrected
      ``S_obs + A Q1 (Q1 - 1) / 2``. Variance ``Q2 [A/2 r^2 + A^2 r^3 + A^2/4 r^4]``
      with ``r = Q1 / Q2`` (``Q1, Q2 > 0``), or
      ``A Q1 (Q1 - 1)/2 + A^2 Q1 (2 Q1 - 1)^2 / 4 - A^2 Q1^4 / (4 S)`` (``Q1 > 1``,
      ``Q2 = 0``), as in EstimateS and the R packages iNEXT / SpadeR (``ChaoSpecies``).
      Interval: Chao's (1987) log-transform, ``S_obs + f0 / K`` to ``S_obs + f0 K``
      with ``f0 = S - S_obs`` and ``K = exp(z sqrt(log(1 + var / f0^2)))``. When no
      undetected person is estimated (``f0 = 0``), the interval of SpadeR / iNEXT for
      that case: ``P = sum_k Q_k e^-k / S_obs``,
      ``var = sum_k Q_k (e^-k - e^-2k) - (sum_k k e^-k Q_k)^2 / M``,
      ``max(S_obs, (S_obs - z sd) / (1 - P))`` to ``(S_obs + z sd) / (1 - P)``.
    - ``"jackknife2"``, the second-order jackknife for incidence data (Burnham & Overton
      1978, Biometrika 65:625-633; 1979, Ecology 60:927-936; as in EstimateS):
      ``S = S_obs + Q1 (2M - 3) / M - Q2 (M - 2)^2 / (M (M - 1))``, raised to ``S_obs``
      when smaller. It is linear in the ``Q_k``, ``S = sum_k a_k Q_k`` with
      ``a_1 = 1 + (2M - 3)/M``, ``a_2 = 1 - (M - 2)^2 / (M (M - 1))``, ``a_k = 1``
      otherwise, and its variance is Burnham & Overton's ``sum_k a_k^2 Q_k - S`` (the
      delta method of SpadeR's ``SpecInciJack2``); the interval is the same log-transform
      (the ``f0 = 0`` form when ``S = S_obs``), and None when that variance is not
      positive.

    Shares are the counts over ``n_samples``. Unlike species, people are a known finite
    population, so the estimate and the interval are capped at ``n_samples``. The
    extrapolation behind
    :meth:`AmbiguityEstimate.models_needed` uses the chosen estimator's ``f0`` in the
    incidence extrapolation of Chao et al. (2014). One streaming pass over
    ``predictions`` (extra memory ``O(n_samples)``); everything else is a function of the
    histogram of the per-person flip counts.

    Examples
    --------
    >>> import numpy as np
    >>> P = np.zeros((6, 20), dtype=int)
    >>> P[1, :3] = P[2, 2:4] = P[3, 4] = P[4, :2] = P[5, 5] = 1
    >>> est = ambiguity_estimate(P, baseline=0)
    >>> est.observed, round(est.estimate, 4), est.q1, est.q2, est.n_models
    (0.3, 0.36, 3, 3, 5)
    >>> tuple(round(v, 3) for v in est.interval)
    (0.307, 0.838)
    """
    if method not in ("chao2", "jackknife2"):
        raise ValueError(_errors.ESTIMATE_METHOD.format(method))
    conf = check_real_in(confidence, _errors.CONFIDENCE_RANGE, 0.0, 1.0)
    hist, n_models, n = _sample_counts(predictions, baseline)
    z = float(norm.ppf(0.5 + conf / 2))
    M = n_models
    s_obs = float(n - hist[0])
    q1 = int(hist[1])
    q2 = int(hist[2]) if M >= 2 else 0
    interval: tuple[float, float] | None
    if s_obs == 0.0:
        return AmbiguityEstimate(0.0, 0.0, (0.0, 0.0), 0.0, 0, 0, M, n, method, conf)
    if method == "chao2":
        a = (M - 1) / M
        if q2 > 0:
            f0 = a * q1 * q1 / (2 * q2)
            r = q1 / q2
            var = q2 * (a / 2 * r**2 + a * a * r**3 + a * a / 4 * r**4)
        else:
            f0 = a * q1 * (q1 - 1) / 2
            var = (a * q1 * (q1 - 1) / 2 + a * a * q1 * (2 * q1 - 1) ** 2 / 4
                   - a * a * q1**4 / (4 * (s_obs + f0)))
    else:
        a1 = 1 + (2 * M - 3) / M
        a2 = 1 - ((M - 2) ** 2 / (M * (M - 1)) if M >= 2 else 0.0)
        f0 = max(0.0, (a1 - 1) * q1 + (a2 - 1) * q2)
        s_jk = s_obs + (a1 - 1) * q1 + (a2 - 1) * q2
        var = a1 * a1 * q1 + a2 * a2 * q2 + (s_obs - q1 - q2) - s_jk
    if f0 > 0.0 and var > 0.0:
        interval = _log_interval(s_obs, f0, var, z)
    elif f0 > 0.0:
        interval = None
        var = math.nan
    else:
        f0 = 0.0
        low, high, var = _no_unseen_interval(hist, s_obs, M, z)
        interval = (low, high)
    # People are a finite population: at most all n of them can be flipped (both ends).
    f0 = min(f0, n - s_obs)
    if interval is not None:
        interval = (min(float(n), interval[0]), min(float(n), interval[1]))
    shares = None if interval is None else (interval[0] / n, interval[1] / n)
    return AmbiguityEstimate(s_obs / n, (s_obs + f0) / n, shares, math.sqrt(var) / n,
                             q1, q2, M, n, method, conf)
