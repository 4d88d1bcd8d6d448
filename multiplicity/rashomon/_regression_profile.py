"""RegressionProfile: the multiplicity of a Rashomon set of regressors, overall and by group."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .. import _errors
from .._checks import check_regression_target, check_X_y, n_samples_of
from .._groups import group_labels
from .._kernels_common import _group_flip_counts
from .._parallel import numba_threads
from .._validation import DELTA_RTOL, check_positive_delta, check_threshold
from ..metrics import prediction_range
from . import _kernels
from ._confidence import Parts, Spec, profile_confidence
from ._group_table import group_table

__all__ = ["RegressionProfile", "check_regression_delta"]

# Scalar measures, in table order, with the label the report and plots use.
SCALARS = {
    "ambiguity": "regression ambiguity",
    "discrepancy": "regression discrepancy",
    "decision_ambiguity": "decision ambiguity",
    "mean_range_width": "mean prediction range width",
    "max_range_width": "largest prediction range width",
    "relative_range_width": "mean range width / spread of predictions",
    "baseline_loss": "baseline loss",
    "min_loss": "min loss",
    "max_loss": "max loss",
}
# For these, larger means more multiplicity (the "worst" group has the largest value);
# for the losses, too, larger is worse.
_HIGHER_IS_WORSE = set(SCALARS)

def check_regression_delta(delta: object) -> float:
    """``delta`` of a regression profile: required, a finite real number > 0."""
    if delta is None:
        raise ValueError(_errors.DELTA_NEEDED)
    return check_positive_delta(delta)


@dataclass(frozen=True, eq=False)
class RegressionProfile:
    """The multiplicity measures of a Rashomon set of regressors on one data set.

    Build it with :meth:`RashomonSet.profile` on a set of regressors. A regressor's
    prediction is a number, so "the set disagrees" means the predictions are far apart:
    at least ``delta`` (in the units of the target) from the baseline model's, or on
    both sides of a decision ``threshold`` (a score turned into approve/deny,
    ``prediction >= threshold`` being the positive decision).

    Attributes
    ----------
    n_models, n_samples : int
    delta : float
        Distance (target units) from the baseline's prediction that counts as a change.
    threshold : float or None
        The decision cut-off, when one was given.
    ambiguity : float
        Share of samples some model moves at least ``delta`` from the baseline's
        prediction (as :func:`multiplicity.metrics.regression_ambiguity`).
    discrepancy : float
        Largest share of samples one model moves at least ``delta`` (as
        :func:`multiplicity.metrics.regression_discrepancy`).
    decision_ambiguity : float or None
        With ``threshold``: share of samples on which some model decides otherwise than
        the baseline (as :func:`multiplicity.metrics.decision_ambiguity` with the
        baseline; since the baseline is a member, the same as the share whose range
        straddles the threshold).
    mean_range_width, max_range_width : float
        Mean and largest width ``max - min`` of the prediction range over the models.
    relative_range_width : float
        ``mean_range_width`` divided by the standard deviation of the baseline's
        predictions on these samples: how wide the ranges are against the spread of what
        the model predicts (NaN when the baseline predicts one value for everybody).
    loss : str
        ``"squared_error"`` or ``"absolute_error"``: the set's loss when it is one of
        them, else ``"squared_error"``.
    baseline_loss, min_loss, max_loss : float or None
        With ``y``: the baseline's loss on these samples and the range over members.
    baseline_prediction : ndarray of shape (n_samples,)
    prediction_range : ndarray of shape (n_samples, 2)
        Smallest and largest prediction over the models.
    moved : ndarray of shape (n_samples,), bool
        Some model's prediction is at least ``delta`` from the baseline's.
    predictions : ndarray of shape (n_models, n_samples)
        Every member's predictions (float64), kept for :meth:`by_group`. Memory:
        ``8 * n_models * n_samples`` bytes, plus one byte per entry for the flags.
    index : pandas.Index or None
        Row labels of ``X`` when it was a DataFrame.
    """

    #: The scalar measures in table order, name -> the label reports and plots use.
    SCALAR_LABELS: ClassVar[dict[str, str]] = SCALARS

    n_models: int
    n_samples: int
    delta: float
    threshold: float | None
    baseline_index: int
    ambiguity: float
    discrepancy: float
    decision_ambiguity: float | None
    mean_range_width: float
    max_range_width: float
    relative_range_width: float
    loss: str
    baseline_loss: float | None
    min_loss: float | None
    max_loss: float | None
    baseline_prediction: NDArray[np.float64]
    prediction_range: NDArray[np.float64]
    moved: NDArray[np.bool_]
    predictions: NDArray[np.float64] = field(repr=False)
    flags: NDArray[np.uint8] = field(repr=False)
    y: NDArray[np.float64] | None = field(repr=False)
    index: pd.Index | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_set(cls, rset, X: Any, y: ArrayLike | None = None, *, delta: float,
                 threshold: float | None = None, chunk_size: int | None = None,
                 n_jobs: int | None = None) -> RegressionProfile:
        """Compute the profile of the regressors ``rset`` on ``X``.

        Memory: the ``(n_models, n_samples)`` float64 predictions and one byte per
        prediction for the flags.
        """
        d = check_regression_delta(delta)
        t = None if threshold is None else check_threshold(threshold)
        y_arr = check_X_y(X, y)
        if y_arr is not None:
            y_arr = check_regression_target(y_arr)
        n = n_samples_of(X)
        m, b = len(rset), rset.baseline_index_
        P = rset.predict(X, chunk_size=chunk_size)
        flags = np.empty((m, n), dtype=np.uint8)
        with numba_threads(n_jobs):
            _kernels._regression_flags(P, P[b], d, DELTA_RTOL, flags)
            rng = prediction_range(P)
        moved = flags.any(axis=0)
        width = rng[:, 1] - rng[:, 0]
        spread = float(np.std(P[b]))
        dec = None
        if t is not None:
            dec = float(_decisions_differ(P, b, t).mean())
        loss = rset.loss if rset.loss in ("squared_error", "absolute_error") else \
            "squared_error"
        base_loss = min_loss = max_loss = None
        if y_arr is not None:
            losses = _losses(P, y_arr, loss)
            base_loss, min_loss, max_loss = (float(losses[b]), float(losses.min()),
                                             float(losses.max()))
        return cls(
            n_models=m, n_samples=n, delta=d, threshold=t, baseline_index=b,
            ambiguity=float(moved.mean()),
            discrepancy=float(flags.sum(axis=1, dtype=np.int64).max() / n),
            decision_ambiguity=dec, mean_range_width=float(width.mean()),
            max_range_width=float(width.max()),
            relative_range_width=float(width.mean() / spread) if spread > 0 else float("nan"),
            loss=loss, baseline_loss=base_loss, min_loss=min_loss, max_loss=max_loss,
            baseline_prediction=P[b].copy(), prediction_range=rng, moved=moved,
            predictions=P, flags=flags, y=y_arr,
            index=X.index if isinstance(X, pd.DataFrame) else None,
        )

    # ------------------------------------------------------------------- tables
    def summary(self) -> pd.Series:
        """The scalar measures as a Series (NaN where not available)."""
        values = {label: getattr(self, name) for name, label in SCALARS.items()}
        return pd.Series({k: (np.nan if v is None else float(v)) for k, v in values.items()},
                         name="value", dtype=np.float64)

    def to_frame(self) -> pd.DataFrame:
        """Per-sample table: the baseline's prediction, the range over the models and its
        width, whether some model moves the prediction by ``delta`` or more, whether the
        range straddles the threshold (with one), and the true value (with ``y``).

        The rows carry ``X``'s index when ``X`` was a DataFrame.
        """
        cols: dict[str, Any] = {
            "baseline_prediction": self.baseline_prediction,
            "range_min": self.prediction_range[:, 0],
            "range_max": self.prediction_range[:, 1],
            "range_width": self.prediction_range[:, 1] - self.prediction_range[:, 0],
            "moved": self.moved,
        }
        if self.threshold is not None:
            cols["decision_ambiguous"] = _decisions_differ(self.predictions,
                                                           self.baseline_index, self.threshold)
        if self.y is not None:
            cols["y_true"] = self.y
        index = self.index if self.index is not None else pd.RangeIndex(self.n_samples)
        return pd.DataFrame(cols, index=index)

    def by_group(self, groups: Any, *, bins: Any = "auto") -> pd.DataFrame:
        """The measures computed within each group of samples (the fairness-audit view).

        Parameters
        ----------
        groups : Series, DataFrame, dict or array-like of shape (n_samples,)
            Group of each sample, as for :meth:`MultiplicityProfile.by_group` (pandas
            inputs are aligned on the index of ``X``; several columns give intersectional
            groups; missing values form a group ``"(missing)"``).
        bins : "auto", int, sequence of float, None or dict, default="auto"
            How numeric features become groups (see :meth:`MultiplicityProfile.by_group`).

        Returns
        -------
        DataFrame
            One row per group with ``n_samples``, ``share``, ``small`` and every measure
            restricted to the group's samples (``relative_range_width`` divides by the
            spread of the baseline's predictions within the group), then the rows
            ``"overall"`` and ``"max-min gap"``; ``attrs`` as for
            :meth:`MultiplicityProfile.by_group` (every measure here is worse when
            larger).
        """
        grp = group_labels(groups, index=self.index, n=self.n_samples, bins=bins,
                           name="groups", reference_name="X")
        codes, n_groups = grp.codes.astype(np.int64), len(grp.names)
        size = np.bincount(codes, minlength=n_groups).astype(np.float64)
        counts = _group_flip_counts(self.flags, np.zeros(self.n_samples, dtype=np.uint8),
                                    codes, n_groups)
        width = self.prediction_range[:, 1] - self.prediction_range[:, 0]

        def mean_by(values: NDArray) -> NDArray:
            return np.bincount(codes, weights=values, minlength=n_groups) / size

        base = self.baseline_prediction
        spread = np.sqrt(np.maximum(mean_by(base ** 2) - mean_by(base) ** 2, 0.0))
        max_width = np.full(n_groups, -np.inf)
        np.maximum.at(max_width, codes, width)
        table: dict[str, NDArray] = {
            "n_samples": size.astype(np.int64),
            "ambiguity": mean_by(self.moved.astype(np.float64)),
            "discrepancy": counts.max(axis=0) / size,
        }
        if self.threshold is not None:
            table["decision_ambiguity"] = mean_by(_decisions_differ(
                self.predictions, self.baseline_index, self.threshold).astype(np.float64))
        table["mean_range_width"] = mean_by(width)
        table["max_range_width"] = max_width
        with np.errstate(divide="ignore", invalid="ignore"):
            table["relative_range_width"] = np.where(spread > 0,
                                                     table["mean_range_width"] / spread, np.nan)
        if self.y is not None:
            err = self.predictions - self.y
            err = err ** 2 if self.loss == "squared_error" else np.abs(err)
            per = np.stack([mean_by(row) for row in err])  # (m, n_groups)
            table["baseline_loss"] = per[self.baseline_index]
            table["min_loss"] = per.min(axis=0)
            table["max_loss"] = per.max(axis=0)
        overall = {c: getattr(self, c) for c in table if c != "n_samples"}
        return group_table(table, overall, grp, size, self.n_samples, _HIGHER_IS_WORSE)

    # ----------------------------------------------------------------- intervals
    def confidence(self, n_resamples: int = 1000, confidence: float = 0.95,
                   random_state: Any = None, *, groups: Any = None, bins: Any = "auto",
                   method: str = "auto", extra: Any = None) -> pd.DataFrame:
        """Bootstrap confidence intervals of the measures, over people.

        The people (samples) are resampled with replacement; the models and their
        predictions stay fixed, so the intervals describe how much the measures depend on
        which people happened to be in the data, not the variation of retraining. The
        resamples, the table and the checks are those of
        :meth:`MultiplicityProfile.confidence` (same draws for the same seed, groups and
        number of people).

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
            As in :meth:`MultiplicityProfile.confidence`: ``"percentile"`` quantiles of
            the replicates, ``"basic"`` ones reflected about the estimate, ``"bca"``
            bias-corrected and accelerated ones (jackknife over people). ``"auto"``:
            basic intervals for the extremes over models (``discrepancy``, ``min_loss``,
            ``max_loss``), which a sample biases upwards (the largest of several noisy
            means), and their gaps; percentile intervals for the others.
        extra : dict of str to array-like of shape (n_samples,), default=None
            Other per-person values to bootstrap with the same resamples, each read as a
            mean, after the profile's measures; pandas values are matched to the
            profile's index.

        Returns
        -------
        DataFrame
            The layout of :meth:`MultiplicityProfile.confidence`: without ``groups``, one
            row per measure (index ``measure``: ``ambiguity``, ``discrepancy``, then
            ``decision_ambiguity`` with a threshold, ``mean_range_width``,
            ``relative_range_width``, then with ``y`` ``baseline_loss``, ``min_loss``,
            ``max_loss``, then the ``extra`` names), columns ``estimate`` (the profile's
            value), ``low``, ``high``, ``std_error``; with ``groups``, a table indexed by
            ``(measure, group)`` with the groups, ``"overall"`` and ``"max-min gap"`` and
            a column ``excludes_zero``. ``df.attrs``: ``method``, ``methods``,
            ``confidence``, ``n_resamples``, ``random_state``, ``quantile`` and, with
            groups, ``gap_groups``, ``supported_gaps``, ``small_groups``, ``groups``.

        Notes
        -----
        Each measure is read from weighted sums over people: ``ambiguity`` and
        ``decision_ambiguity`` are means of per-person 0/1 flags, ``mean_range_width``
        and ``baseline_loss`` means of per-person values, ``discrepancy`` the largest
        over models of the share of people the model moves, ``min_loss`` and
        ``max_loss`` the smallest and largest over models of the mean per-person loss.
        ``relative_range_width`` is not a mean but a smooth function of three means, the
        mean width over ``sqrt(mean(c^2) - mean(c)^2)`` with ``c`` the baseline's
        centred predictions, and is recomputed from the three weighted sums on every
        resample (NaN on a resample whose baseline predictions are all equal, and then
        its interval is NaN). ``max_range_width`` has no interval: it is the largest
        value over people, and the bootstrap of a sample maximum is inconsistent (a
        resample never exceeds the sample's maximum and repeats it with probability
        about 0.63).

        Time: about ``n_resamples * (n_samples * (5 + n_models) + n_moved * (1 +
        n_models))`` multiply-adds, ``n_moved`` the people some model moves; with ``y``,
        the per-person losses of every model dominate (1,000 resamples of 100,000
        people and 50 models: about 2 s on two cores). Memory: about 32 MiB of drawn
        positions and weights per chunk; ``8 * (4 + n_models) * n_samples`` bytes of
        per-person values in group order, the losses being built first in the order of
        the people (another ``8 * n_models * n_samples`` bytes while the table is made);
        one byte per moved person and model; ``n_resamples * n_measures * (n_groups +
        2)`` floats of replicates.

        Examples
        --------
        >>> from sklearn.datasets import make_regression
        >>> from sklearn.linear_model import Ridge
        >>> from multiplicity.rashomon import RashomonSet
        >>> X, y = make_regression(n_samples=300, n_features=5, noise=10.0, random_state=0)
        >>> models = [Ridge(alpha=a).fit(X, y) for a in (0.1, 10.0, 100.0)]
        >>> rset = RashomonSet.from_models(models, X, y, epsilon=1.0,
        ...                                epsilon_mode="relative")
        >>> profile = rset.profile(X, y, delta=5.0, threshold=0.0)
        >>> ci = profile.confidence(200, random_state=0)
        >>> list(ci.index)  # doctest: +NORMALIZE_WHITESPACE
        ['ambiguity', 'discrepancy', 'decision_ambiguity', 'mean_range_width',
         'relative_range_width', 'baseline_loss', 'min_loss', 'max_loss']
        >>> bool(ci.loc["ambiguity", "estimate"] == profile.ambiguity)
        True
        >>> ci.attrs["methods"]["max_loss"]
        'basic'
        >>> by = profile.confidence(200, random_state=0, groups=X[:, 0] > 0)
        >>> by.loc[("ambiguity", "max-min gap"), "excludes_zero"] in (True, False)
        True
        """
        return profile_confidence(self, n_resamples, confidence, random_state,
                                  groups=groups, bins=bins, method=method, extra=extra,
                                  parts=regression_parts)

    # -------------------------------------------------------------------- figure
    def plot(self, axes=None, *, max_points: int = 400):
        """Three panels: the prediction range against the baseline's prediction, the
        range widths, and the scalar measures.

        Parameters
        ----------
        axes : sequence of 3 matplotlib Axes, default=None
            Where to draw; a new 1 x 3 figure when None.
        max_points : int, default=400
            Samples drawn in the first panel (evenly spaced in the order of the
            baseline's prediction), so that the panel stays readable.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        if axes is None:
            fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained")
        else:
            fig = axes[0].figure
        ax_rng, ax_w, ax_bar = axes
        order = np.argsort(self.baseline_prediction, kind="stable")
        pick = order[np.unique(np.linspace(0, self.n_samples - 1,
                                           min(max_points, self.n_samples)).astype(int))]
        base = self.baseline_prediction[pick]
        ax_rng.vlines(base, self.prediction_range[pick, 0], self.prediction_range[pick, 1],
                      color="#4477aa", linewidth=1, label="range over the models")
        ax_rng.plot(base, base, color="black", linewidth=0.8, label="baseline")
        if self.threshold is not None:
            ax_rng.axhline(self.threshold, color="#ee6677", linestyle="--", linewidth=1,
                           label=f"threshold {self.threshold:g}")
        ax_rng.set_xlabel("baseline prediction")
        ax_rng.set_ylabel("prediction of the models")
        ax_rng.legend(loc="upper left", fontsize="small")
        width = self.prediction_range[:, 1] - self.prediction_range[:, 0]
        ax_w.hist(width, bins=40, color="#4477aa")
        ax_w.axvline(self.delta, color="#ee6677", linestyle="--", linewidth=1)
        ax_w.text(self.delta, 0.97, f" delta {self.delta:g}",
                  transform=ax_w.get_xaxis_transform(), va="top", ha="left")
        ax_w.set_xlabel("prediction range width (max - min)")
        ax_w.set_ylabel("samples")
        names = ["ambiguity", "discrepancy"]
        if self.decision_ambiguity is not None:
            names.append("decision_ambiguity")
        values = [getattr(self, nm) for nm in names]
        labels = [SCALARS[nm] + (f" (δ={self.delta:g})" if nm != "decision_ambiguity"
                                 else f" (t={self.threshold:g})") for nm in names]
        ax_bar.barh(labels, values, color="#228833")
        ax_bar.set_xlim(0, max(1e-9, max(values)) * 1.15)
        for yy, v in enumerate(values):
            ax_bar.text(v, yy, f" {v:.3f}", va="center")
        ax_bar.invert_yaxis()
        ax_bar.set_xlabel("share of samples")
        fig.suptitle(f"Rashomon set of {self.n_models} regressors on {self.n_samples} samples")
        if not fig.get_layout_engine():
            fig.tight_layout()
        return fig


def _decisions_differ(P: NDArray, b: int, threshold: float) -> NDArray[np.bool_]:
    """Per sample, whether some model's decision (``>= threshold``) differs from the
    baseline's."""
    decide = P >= threshold
    return (decide != decide[b]).any(axis=0)


def regression_parts(profile: RegressionProfile) -> Parts:
    """The per-person rows behind the measures of a :class:`RegressionProfile`, for
    :func:`._confidence.profile_confidence`: the moved flags and each model's flags on
    the moved people (active), and dense rows for the decision flags, the range widths,
    the baseline's centred predictions and their squares, and every model's per-person
    loss."""
    P, b, m = profile.predictions, profile.baseline_index, profile.n_models
    people = np.flatnonzero(profile.moved)
    blocks = [profile.moved[people][None, :], profile.flags[:, people]]
    specs = [Spec("ambiguity", "mean", (0,)),
             Spec("discrepancy", "max", tuple(range(1, 1 + m)))]
    dense: list[NDArray] = []
    if profile.threshold is not None:
        specs.append(Spec("decision_ambiguity", "mean", (0,), dense=True))
        dense.append(_decisions_differ(P, b, profile.threshold))
    k = len(dense)
    centred = profile.baseline_prediction - profile.baseline_prediction.mean()
    dense += [profile.prediction_range[:, 1] - profile.prediction_range[:, 0], centred,
              centred * centred]
    specs += [Spec("mean_range_width", "mean", (k,), dense=True),
              Spec("relative_range_width", "relative", (k, k + 1, k + 2), dense=True)]
    if profile.y is not None:
        k = len(dense)
        dense.append(_per_person_losses(P, profile.y, profile.loss))
        rows = tuple(range(k, k + m))
        specs += [Spec("baseline_loss", "mean", (k + b,), dense=True),
                  Spec("min_loss", "min", rows, dense=True),
                  Spec("max_loss", "max", rows, dense=True)]
    return Parts(active=profile.moved, blocks=blocks, dense=dense, specs=specs)


def _per_person_losses(P: NDArray, y: NDArray, loss: str) -> NDArray[np.float64]:
    """Each model's squared or absolute error on each person: ``(m, n)``."""
    err = P - y
    return np.square(err, out=err) if loss == "squared_error" else np.abs(err, out=err)


def _losses(P: NDArray, y: NDArray, loss: str) -> NDArray[np.float64]:
    """Each model's mean squared or absolute error on ``y``."""
    err = P - y
    return (err ** 2 if loss == "squared_error" else np.abs(err)).mean(axis=1)
