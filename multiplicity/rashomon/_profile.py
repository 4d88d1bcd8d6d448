"""MultiplicityProfile: every measure of a Rashomon set on one data set, overall and by group."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .._checks import check_X_y, n_samples_of
from .._groups import group_labels
from .._kernels_common import _group_flip_counts, label_flip_stats
from .._parallel import numba_threads
from .._validation import DELTA_SLACK, check_delta
from ..metrics import (
    ambiguity_curve,
    ambiguity_estimate,
    rashomon_capacity,
    self_consistency,
)
from . import _kernels
from ._confidence import profile_confidence
from ._group_table import group_table

__all__ = ["MultiplicityProfile"]

# Scalar measures, in table order, with the label the report and plots use.
SCALARS = {
    "ambiguity": "ambiguity",
    "discrepancy": "discrepancy",
    "probabilistic_ambiguity": "probabilistic ambiguity",
    "probabilistic_discrepancy": "probabilistic discrepancy",
    "mean_rashomon_capacity": "mean Rashomon capacity",
    "mean_vpr_width": "mean VPR width",
    "mean_self_consistency": "mean self-consistency",
    "disagreement_error_estimate": "disagreement error estimate",
    "baseline_accuracy": "baseline accuracy",
    "min_accuracy": "min accuracy",
    "max_accuracy": "max accuracy",
}
# For these, larger means more multiplicity (the "worst" group has the largest value).
_HIGHER_IS_WORSE = {"ambiguity", "discrepancy", "probabilistic_ambiguity",
                    "probabilistic_discrepancy", "mean_rashomon_capacity", "mean_vpr_width",
                    "disagreement_error_estimate"}


@dataclass(frozen=True, eq=False)
class MultiplicityProfile:
    """The multiplicity measures of a Rashomon set on one data set.

    Build it with :meth:`RashomonSet.profile`. Label measures are always present;
    probabilistic ones (probabilistic ambiguity/discrepancy, viable prediction ranges,
    Rashomon capacity) are ``None``/``NaN`` when some member has no ``predict_proba``.

    Attributes
    ----------
    n_models, n_samples : int
    delta : float
        Threshold of the probabilistic measures.
    ambiguity, discrepancy : float
        Marx et al. (2020), relative to the set's baseline model.
    probabilistic_ambiguity, probabilistic_discrepancy : float or None
        Watson-Daniels et al. (2023), ``>= delta``.
    mean_rashomon_capacity, mean_vpr_width, mean_self_consistency : float
        Sample means of the per-sample arrays below.
    disagreement_error_estimate : float
        ``1 - mean_self_consistency`` (Jiang et al. 2022).
    baseline_accuracy, min_accuracy, max_accuracy : float or None
        With ``y``: accuracy of h0 and the range over members.
    ambiguous : ndarray of shape (n_samples,), bool
    self_consistency : ndarray of shape (n_samples,)
    vpr : ndarray of shape (n_samples, 2) or (n_samples, n_classes, 2), or None
        Viable prediction range: positive class for two classes, every class otherwise.
    vpr_width : ndarray of shape (n_samples,) or None
        ``max - min`` of the positive class (two classes) or the largest over classes.
    rashomon_capacity : ndarray of shape (n_samples,) or None
        ``RC = 2**C`` in ``[1, n_classes]``.
    predictions : ndarray of shape (n_models, n_samples)
        Class codes (indices into ``classes``) of every member, kept for
        :meth:`by_group`. Memory: ``n_models * n_samples`` bytes for up to 127 classes.
    index : pandas.Index or None
        Row labels of ``X`` when it was a DataFrame (None otherwise): the index of
        :meth:`to_frame`, and what pandas group labels are aligned on in :meth:`by_group`.
    """

    #: The scalar measures in table order, name -> the label reports and plots use.
    SCALAR_LABELS: ClassVar[dict[str, str]] = SCALARS

    n_models: int
    n_samples: int
    delta: float
    classes: NDArray
    baseline_index: int
    ambiguity: float
    discrepancy: float
    probabilistic_ambiguity: float | None
    probabilistic_discrepancy: float | None
    mean_rashomon_capacity: float
    mean_vpr_width: float
    mean_self_consistency: float
    disagreement_error_estimate: float
    baseline_accuracy: float | None
    min_accuracy: float | None
    max_accuracy: float | None
    ambiguous: NDArray[np.bool_]
    self_consistency: NDArray[np.float64]
    vpr: NDArray[np.float64] | None
    vpr_width: NDArray[np.float64] | None
    rashomon_capacity: NDArray[np.float64] | None
    predictions: NDArray[np.integer] = field(repr=False)
    proba_flips: NDArray[np.uint8] | None = field(repr=False)
    y_codes: NDArray[np.int64] | None = field(repr=False)
    index: pd.Index | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_set(cls, rset, X: Any, y: ArrayLike | None = None, *, delta: float = 0.1,
                 chunk_size: int | None = None, n_jobs: int | None = None
                 ) -> MultiplicityProfile:
        """Compute the profile of ``rset`` on ``X`` in chunks of samples.

        Memory: the ``(n_models, n_samples)`` class codes and probabilistic flip flags
        (one byte each) plus one ``predict_proba`` chunk; the full
        ``(n_models, n_samples, n_classes)`` probability array never exists.
        """
        d = check_delta(delta)
        y_arr = check_X_y(X, y)
        n = n_samples_of(X)
        m, k = len(rset), len(rset.classes_)
        b = rset.baseline_index_
        P = rset.predict_codes(X, chunk_size=chunk_size)
        flipped, flips = label_flip_stats(P, P[b])
        ambiguous = flipped.view(np.bool_)
        sc = self_consistency(P)

        proba_flips = vpr = width = rc = None
        if rset.has_predict_proba:
            proba_flips = np.zeros((m, n), dtype=np.uint8)
            vpr_full = np.empty((n, k, 2))
            rc = np.empty(n)
            with numba_threads(n_jobs):
                for lo, Q in rset.iter_proba(X, chunk_size=chunk_size):
                    hi = lo + Q.shape[1]
                    vmin, vmax = np.empty((hi - lo, k)), np.empty((hi - lo, k))
                    _kernels._proba_chunk_stats(Q, Q[b], d - DELTA_SLACK,
                                                proba_flips[:, lo:hi], vmin, vmax)
                    vpr_full[lo:hi, :, 0] = vmin
                    vpr_full[lo:hi, :, 1] = vmax
                    rc[lo:hi] = rashomon_capacity(Q)
            vpr = vpr_full[:, 1, :] if k == 2 else vpr_full
            widths = vpr_full[:, :, 1] - vpr_full[:, :, 0]
            width = widths[:, 1] if k == 2 else widths.max(axis=1)

        y_codes = None
        if y_arr is not None:
            y_codes = _encode_y(y_arr, rset.classes_)
            if np.any(y_codes < 0):
                bad = np.asarray(y_arr[y_codes < 0][:1]).tolist()[0]
                raise ValueError(f"y contains the label {bad!r}, which none of the models "
                                 f"predicts (classes_ = {np.asarray(rset.classes_).tolist()})")

        return cls.from_arrays(
            P, b, classes=rset.classes_, delta=d, ambiguous=ambiguous, flips=flips,
            self_consistency=sc, proba_flips=proba_flips, vpr=vpr, vpr_width=width,
            rashomon_capacity=rc, y_codes=y_codes,
            index=X.index if isinstance(X, pd.DataFrame) else None)

    @classmethod
    def from_arrays(cls, P: NDArray[np.integer], baseline_index: int, *, classes: NDArray,
                    delta: float, ambiguous: NDArray[np.bool_], flips: NDArray[np.integer],
                    self_consistency: NDArray[np.float64],
                    proba_flips: NDArray[np.uint8] | None, vpr: NDArray | None,
                    vpr_width: NDArray | None, rashomon_capacity: NDArray | None,
                    y_codes: NDArray[np.int64] | None, index: Any = None
                    ) -> MultiplicityProfile:
        """The profile from its per-person arrays (computed in memory or gathered from a
        cluster): the scalar measures are their means, maxima and per-model accuracies."""
        n = P.shape[1]
        b = baseline_index
        p_amb = p_disc = None
        if proba_flips is not None:
            p_amb = float(proba_flips.any(axis=0).mean())
            p_disc = float(proba_flips.sum(axis=1, dtype=np.int64).max() / n)
        base_acc = min_acc = max_acc = None
        if y_codes is not None:
            acc = (P == y_codes).mean(axis=1)
            base_acc, min_acc, max_acc = float(acc[b]), float(acc.min()), float(acc.max())
        sc, rc, width = self_consistency, rashomon_capacity, vpr_width
        return cls(
            n_models=P.shape[0], n_samples=n, delta=delta, classes=classes, baseline_index=b,
            ambiguity=float(ambiguous.mean()), discrepancy=float(flips.max() / n),
            probabilistic_ambiguity=p_amb, probabilistic_discrepancy=p_disc,
            mean_rashomon_capacity=float(rc.mean()) if rc is not None else float("nan"),
            mean_vpr_width=float(width.mean()) if width is not None else float("nan"),
            mean_self_consistency=float(sc.mean()),
            disagreement_error_estimate=float(1.0 - sc.mean()),
            baseline_accuracy=base_acc, min_accuracy=min_acc, max_accuracy=max_acc,
            ambiguous=ambiguous, self_consistency=sc, vpr=vpr, vpr_width=width,
            rashomon_capacity=rc, predictions=P, proba_flips=proba_flips, y_codes=y_codes,
            index=index,
        )

    # ------------------------------------------------------------------- tables
    def summary(self) -> pd.Series:
        """The scalar measures as a Series (NaN where not available)."""
        values = {label: getattr(self, name) for name, label in SCALARS.items()}
        return pd.Series({k: (np.nan if v is None else float(v)) for k, v in values.items()},
                         name="value", dtype=np.float64)

    def to_frame(self) -> pd.DataFrame:
        """Per-sample table: baseline prediction, ambiguous flag, self-consistency,
        viable prediction range and its width, Rashomon capacity (and true label).

        The rows carry ``X``'s index when ``X`` was a DataFrame (a ``RangeIndex``
        otherwise), so the table joins back onto the data: ``X.join(profile.to_frame())``.
        """
        cols: dict[str, Any] = {
            "baseline_prediction": self.classes[self.predictions[self.baseline_index]],
            "ambiguous": self.ambiguous,
            "self_consistency": self.self_consistency,
        }
        if self.vpr is not None and self.vpr.ndim == 2:
            cols["vpr_min"] = self.vpr[:, 0]
            cols["vpr_max"] = self.vpr[:, 1]
        if self.vpr_width is not None:
            cols["vpr_width"] = self.vpr_width
            cols["rashomon_capacity"] = self.rashomon_capacity
        if self.y_codes is not None:
            cols["y_true"] = self.classes[self.y_codes.clip(0)]
        index = self.index if self.index is not None else pd.RangeIndex(self.n_samples)
        return pd.DataFrame(cols, index=index)

    def by_group(self, groups: Any, *, bins: Any = "auto") -> pd.DataFrame:
        """The measures computed within each group of samples (the fairness-audit view).

        Parameters
        ----------
        groups : Series, DataFrame, dict or array-like of shape (n_samples,)
            Group of each sample (e.g. a sensitive attribute); any hashable labels. A
            DataFrame of several columns, or a dict name -> labels, gives intersectional
            groups (``"race=black, sex=female"``). pandas inputs are aligned on the index
            of ``X`` when ``X`` was a DataFrame (same labels in another order give the
            same table; other labels raise), otherwise matched by position. Missing values
            (NaN, None) form a group ``"(missing)"``.
        bins : "auto", int, sequence of float, None or dict, default="auto"
            How numeric features become groups: by default a feature with more than 10
            distinct values (an age) is cut into quartiles (as ``pandas.qcut``); an int
            sets the number of quantile bins, a sequence gives explicit edges, None keeps
            the raw values, and a dict sets this per feature.

        Returns
        -------
        DataFrame
            One row per group (``"(missing)"`` first, then sorted values or intervals),
            with ``n_samples`` (the group's size), ``share`` (of all samples), ``small``
            (True when the group has fewer than 100 samples or under 2% of the data: too
            few to rank it against others) and every measure restricted to that group's
            samples (discrepancy: the largest share of the group one model flips), then a
            row ``"overall"`` and a row ``"max-min gap"`` (largest minus smallest value
            over groups; ``n_samples`` and ``small`` are ``<NA>`` and ``share`` NaN
            there; ``small`` is ``<NA>`` on the overall row too).
            ``df.attrs["worst_group"]`` maps each measure to the group where multiplicity
            is highest (accuracy: lowest); ``df.attrs["worst_large_group"]`` does the same
            among groups that are not small (None when all are);
            ``df.attrs["small_groups"]`` lists the small groups and
            ``df.attrs["caveat"]`` says in words why their figures cannot be ranked
            (None when no group is small); ``df.attrs["groups"]`` describes how the
            groups were formed.
        """
        grp = group_labels(groups, index=self.index, n=self.n_samples, bins=bins,
                           name="groups", reference_name="X")
        codes, names = grp.codes, grp.names
        n_groups = len(names)
        P, b = self.predictions, self.baseline_index
        size = np.bincount(codes, minlength=n_groups).astype(np.float64)
        flips = _group_flip_counts(P, P[b], codes.astype(np.int64), n_groups)

        def mean_by(values: NDArray) -> NDArray:
            return np.bincount(codes, weights=values, minlength=n_groups) / size

        table: dict[str, NDArray] = {
            "n_samples": size.astype(np.int64),
            "ambiguity": mean_by(self.ambiguous.astype(np.float64)),
            "discrepancy": flips.max(axis=0) / size,
        }
        if self.proba_flips is not None:
            pflips = _group_flip_counts(
                self.proba_flips, np.zeros(self.n_samples, dtype=np.uint8),
                codes.astype(np.int64), n_groups)
            table["probabilistic_ambiguity"] = mean_by(
                self.proba_flips.any(axis=0).astype(np.float64))
            table["probabilistic_discrepancy"] = pflips.max(axis=0) / size
            table["mean_rashomon_capacity"] = mean_by(self.rashomon_capacity)
            table["mean_vpr_width"] = mean_by(self.vpr_width)
        table["mean_self_consistency"] = mean_by(self.self_consistency)
        table["disagreement_error_estimate"] = 1.0 - table["mean_self_consistency"]
        if self.y_codes is not None:
            correct = (P == self.y_codes).astype(np.float64)
            acc = np.stack([mean_by(row) for row in correct])  # (m, n_groups)
            table["baseline_accuracy"] = acc[b]
            table["min_accuracy"] = acc.min(axis=0)
            table["max_accuracy"] = acc.max(axis=0)
        overall = {c: getattr(self, c) for c in table if c != "n_samples"}
        return group_table(table, overall, grp, size, self.n_samples, _HIGHER_IS_WORSE)

    def confidence(self, n_resamples: int = 1000, confidence: float = 0.95,
                   random_state: Any = None, *, groups: Any = None, bins: Any = "auto",
                   method: str = "auto", extra: Any = None) -> pd.DataFrame:
        """Bootstrap confidence intervals of the measures, over people.

        The people (samples) are resampled with replacement; the models and their
        predictions stay fixed, so the intervals describe how much the measures depend on
        which people happened to be in the data, not the variation of retraining.

        Parameters
        ----------
        n_resamples : int, default=1000
            Number of bootstrap resamples (at least 1).
        confidence : float, default=0.95
            Confidence level of the intervals, in (0, 1).
        random_state : None, int, numpy RandomState or Generator, default=None
            Seed of the resamples. The seed used is ``df.attrs["random_state"]``, so a run
            with ``random_state=None`` can be repeated.
        groups : Series, DataFrame, dict or array-like of shape (n_samples,), default=None
            Group of each sample, as in :meth:`by_group`. When given, the bootstrap is
            stratified: people are resampled within each group, so every resample keeps
            the group sizes, and the table adds each group's value and the max-min gap.
        bins : "auto", int, sequence of float, None or dict, default="auto"
            How numeric group features become groups, as in :meth:`by_group`.
        method : {"auto", "percentile", "basic", "bca"}, default="auto"
            ``"percentile"``: the ``(1 - confidence) / 2`` and ``(1 + confidence) / 2``
            quantiles ``q_low``, ``q_high`` of the replicates. ``"basic"``: those
            quantiles reflected about the estimate, ``(2 estimate - q_high, 2 estimate -
            q_low)`` (Davison & Hinkley 1997, eq. 5.6), which subtracts the bootstrap's
            estimate of the bias. ``"auto"``: percentile intervals for the means
            (ambiguity, the probabilistic ambiguity, the mean capacity, VPR width and
            self-consistency, the baseline's accuracy, ``extra``) and their gaps, basic
            intervals for the extremes over models (the discrepancies and the smallest
            and largest accuracy) and their gaps. An extreme over models is biased upwards
            on a sample (the largest of many noisy shares) and its replicates again, so
            its percentile interval sits above the population's value when several models
            are close to the largest: in the simulation of the documentation (50 models,
            95% intervals) the percentile intervals of the discrepancy covered its
            population value in 10% to 77% of the audits, the basic ones in 91% to 93%
            (``df.attrs["methods"]`` says which method each measure got). ``"bca"``:
            bias-corrected and accelerated
            quantiles (Efron 1987), with the acceleration from the jackknife over people
            (the people of the group for a group's value) and the bias correction from the
            share of replicates below the estimate (ties counted half). Quantiles are
            ``numpy.quantile``'s default (linear interpolation, Hyndman & Fan 1996,
            definition 7).
        extra : dict of str to array-like of shape (n_samples,), default=None
            Other per-person values to bootstrap with the same resamples, each read as a
            mean (a share, for 0/1 flags): for example where a selective ensemble
            abstains (``{"abstention_rate": labels == abstain_label}``). Each becomes a
            measure of the table, after the profile's own; pandas values are matched to
            the profile's index.

        Returns
        -------
        DataFrame
            Without ``groups``: one row per measure (index ``measure``: ``ambiguity``,
            ``discrepancy``, then, when the models have ``predict_proba``,
            ``probabilistic_ambiguity``, ``probabilistic_discrepancy``,
            ``mean_rashomon_capacity``, ``mean_vpr_width``, then
            ``mean_self_consistency``, ``disagreement_error_estimate`` and, when ``y``
            was given, ``baseline_accuracy``, ``min_accuracy``, ``max_accuracy``, then
            the ``extra`` names), columns ``estimate`` (the value on all people),
            ``low``, ``high`` and ``std_error`` (standard deviation of the replicates).
            With ``groups``: a long table indexed by ``(measure, group)``,
            where ``group`` runs over the groups, ``"overall"`` and ``"max-min gap"``, plus
            a column ``excludes_zero`` (the interval lies above or below 0). The gap is
            the difference between the groups with the largest and the smallest estimate
            (``df.attrs["gap_groups"]``), kept fixed across resamples, so its interval
            can cross 0: when it does not, the ranking of those two groups is supported
            at that level (``df.attrs["supported_gaps"]`` lists those measures). The
            two groups are picked by their estimates, and the interval does not correct
            for that choice: with many groups, read it as optimistic.
            ``df.attrs`` also holds ``method``, ``confidence``, ``n_resamples``,
            ``random_state``, ``quantile`` and, with groups, ``small_groups`` and
            ``groups``. A BCa interval is NaN when every replicate lies on one side of
            the estimate.

        Notes
        -----
        A resample is drawn as per-person multiplicities (a multinomial count vector, in
        chunks of resamples), so each measure is a weighted sum over people, computed for
        all resamples in one parallel pass: means as ``w @ x / n``, discrepancies as
        ``max_model (w @ flips_model) / n`` (only people some model flips enter the
        flip counts). Time: about ``n_resamples * (n_samples + n_flipped * (2 or 3) *
        n_models)`` multiply-adds, ``n_flipped`` the people some model flips; 1,000
        resamples of 100,000 people and 100 models take seconds. Memory: about 32 MiB of
        drawn positions and weights per chunk, one byte per flipped person and flag row,
        and ``n_resamples * n_measures * (n_groups + 2)`` floats of replicates.

        References: B. Efron (1987), Better bootstrap confidence intervals, Journal of the
        American Statistical Association 82(397):171-185.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import LogisticRegression
        >>> from multiplicity.rashomon import RashomonSet
        >>> X, y = make_classification(n_samples=300, random_state=0)
        >>> models = [LogisticRegression(C=c).fit(X, y) for c in (0.01, 0.1, 1.0)]
        >>> profile = RashomonSet.from_models(models, X, y, epsilon=1.0).profile(X, y)
        >>> ci = profile.confidence(200, random_state=0)
        >>> list(ci.columns)
        ['estimate', 'low', 'high', 'std_error']
        >>> bool(ci.loc["ambiguity", "low"] <= ci.loc["ambiguity", "high"])
        True
        >>> by = profile.confidence(200, random_state=0, groups=X[:, 0] > 0)
        >>> by.loc[("ambiguity", "max-min gap"), "excludes_zero"] in (True, False)
        True
        """
        return profile_confidence(self, n_resamples, confidence, random_state,
                                  groups=groups, bins=bins, method=method, extra=extra)

    # ------------------------------------------------------- how sure is the estimate
    def ambiguity_estimate(self, method: str = "chao2", confidence: float = 0.95) -> Any:
        """How much ambiguity more models from the same exploration would find.

        :func:`multiplicity.metrics.ambiguity_estimate` on the profile's predictions, with
        the baseline row as baseline: the ``n_models - 1`` other members are the models
        drawn, each person a "species" detected by the models that flip them.

        Parameters
        ----------
        method : {"chao2", "jackknife2"}, default="chao2"
            The estimator of the people no model drawn so far has flipped.
        confidence : float, default=0.95
            Level of the interval of the estimate, in (0, 1).

        Returns
        -------
        AmbiguityEstimate
            The result of :func:`multiplicity.metrics.ambiguity_estimate`:
            ``observed`` equals :attr:`ambiguity`; ``estimate`` and ``interval`` are
            shares of the people for unlimited draws, and ``summary()`` says it in one
            sentence. The estimate assumes that the models are drawn independently from
            one and the same exploration (the same learner, perturbation and data); it
            says nothing about models another exploration would find.

        Raises
        ------
        ValueError
            When the set has only the baseline (no other model to count flips with).

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import LogisticRegression
        >>> from multiplicity.rashomon import RashomonSet
        >>> X, y = make_classification(n_samples=300, random_state=0)
        >>> models = [LogisticRegression(C=c).fit(X, y) for c in (0.01, 0.1, 1.0, 10.0)]
        >>> profile = RashomonSet.from_models(models, X, y, epsilon=1.0).profile(X, y)
        >>> est = profile.ambiguity_estimate()
        >>> est.observed == profile.ambiguity, bool(est.estimate >= est.observed)
        (True, True)
        """
        return ambiguity_estimate(self.predictions, self.baseline_index, method=method,
                                  confidence=confidence)

    def plot_accumulation(self, ax=None, *, method: str = "chao2",
                          confidence: float = 0.95):
        """Ambiguity against the number of models: how far from levelling off it is.

        Draws the rarefaction curve (:func:`multiplicity.metrics.ambiguity_curve`: the
        expected ambiguity of ``m`` of the ``n_models - 1`` non-baseline members drawn
        at random, exact), the observed ambiguity at the last point, the extrapolated
        curve :meth:`AmbiguityEstimate.expected_ambiguity` (dashed) up to twice as many
        models, the range Chao et al. (2014) recommend for extrapolation, and the
        estimate for unlimited draws (:meth:`ambiguity_estimate`) as a horizontal line
        with its interval as a band.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        method : {"chao2", "jackknife2"}, default="chao2"
            The estimator of :meth:`ambiguity_estimate`.
        confidence : float, default=0.95
            Level of the band.

        Returns
        -------
        matplotlib.axes.Axes

        Raises
        ------
        ValueError
            When the set has only the baseline.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import LogisticRegression
        >>> from multiplicity.rashomon import RashomonSet
        >>> X, y = make_classification(n_samples=300, random_state=0)
        >>> models = [LogisticRegression(C=c).fit(X, y) for c in (0.01, 0.1, 1.0, 10.0)]
        >>> profile = RashomonSet.from_models(models, X, y, epsilon=1.0).profile(X, y)
        >>> ax = profile.plot_accumulation()
        >>> ax.get_xlabel()
        'models besides the baseline'
        """
        import matplotlib.pyplot as plt

        est = self.ambiguity_estimate(method=method, confidence=confidence)
        curve = ambiguity_curve(self.predictions, self.baseline_index)
        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
        m = est.n_models
        ax.plot(curve.index.to_numpy(), curve["ambiguity"].to_numpy(), color="#4477aa",
                marker="o" if m <= 30 else None, markersize=3,
                label="observed (rarefaction)")
        extra = np.arange(0, m + 1)
        ax.plot(m + extra, [est.expected_ambiguity(int(t)) for t in extra],
                color="#4477aa", linestyle="--", label="extrapolated")
        ax.plot([m], [est.observed], "o", color="#004488", markersize=6,
                label=f"observed ambiguity {est.observed:.4f}")
        if est.interval is not None:
            ax.axhspan(est.interval[0], est.interval[1], color="#ee6677", alpha=0.18,
                       linewidth=0, label=f"{est.confidence:.0%} interval")
        ax.axhline(est.estimate, color="#ee6677", linewidth=1.2,
                   label=f"{est.method} estimate {est.estimate:.4f}")
        ax.set_xlim(0, 2 * m + 0.5)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("models besides the baseline")
        ax.set_ylabel("ambiguity (share of samples)")
        ax.legend(loc="lower right", frameon=False, fontsize="small")
        return ax

    # -------------------------------------------------------------------- figure
    def plot(self, axes=None):
        """Three panels for a paper: VPR widths, Rashomon capacities, scalar measures.

        Parameters
        ----------
        axes : sequence of 3 matplotlib Axes, default=None
            Where to draw; a new 1 x 3 figure when None.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        if axes is None:
            fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained")
        else:
            fig = axes[0].figure
        ax_vpr, ax_rc, ax_bar = axes
        if self.vpr_width is not None:
            for ax, values, color, label in (
                    (ax_vpr, self.vpr_width, "#4477aa", "viable prediction range width"),
                    (ax_rc, self.rashomon_capacity, "#ee6677", "Rashomon capacity")):
                ax.hist(values, bins=40, color=color)
                mean = float(np.mean(values))
                ax.axvline(mean, color="black", linestyle="--", linewidth=1)
                ax.text(mean, 0.97, f" mean {mean:.4g}", transform=ax.get_xaxis_transform(),
                        va="top", ha="left")
                ax.set_xlabel(label)
                ax.set_ylabel("samples")
        else:
            for ax in (ax_vpr, ax_rc):
                ax.text(0.5, 0.5, "needs predict_proba", ha="center", va="center",
                        transform=ax.transAxes)
        names = ["ambiguity", "discrepancy"]
        if self.probabilistic_ambiguity is not None:
            names += ["probabilistic_ambiguity", "probabilistic_discrepancy"]
        values = [getattr(self, nm) for nm in names]
        labels = [SCALARS[nm].replace("probabilistic", f"prob. (δ={self.delta:g})")
                  for nm in names]
        ax_bar.barh(labels, values, color="#228833")
        ax_bar.set_xlim(0, max(1e-9, max(values)) * 1.15)
        for yy, v in enumerate(values):
            ax_bar.text(v, yy, f" {v:.3f}", va="center")
        ax_bar.invert_yaxis()  # first measure on top
        ax_bar.set_xlabel("share of samples")
        fig.suptitle(f"Rashomon set of {self.n_models} models on {self.n_samples} samples")
        if not fig.get_layout_engine():
            fig.tight_layout()
        return fig


def _encode_y(y: NDArray, classes: NDArray) -> NDArray[np.int64]:
    """Index of each label in ``classes``; -1 for labels no model knows.

    A hash lookup, so labels of a type that does not compare with the classes (``"1"``
    against ``1``) are unknown rather than an error.
    """
    import pandas as pd

    return pd.Index(classes).get_indexer(pd.Index(y)).astype(np.int64)
