"""SelectiveEnsembleClassifier: an ensemble that abstains where its members' vote is close."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import combinations
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._kernels_common import vote_block
from .._validation import _smallest_int_dtype, align_to
from ..rashomon import RetrainingExplorer
from . import _kernels
from ._vote import check_abstain_label, default_abstain_label, labels_with_abstention

__all__ = ["FeatureAttributions", "SelectiveEnsembleClassifier"]


@dataclass(frozen=True)
class FeatureAttributions:
    """Per-member feature attributions of an ensemble, their mean and their stability.

    Attributes
    ----------
    members : DataFrame of shape (n_estimators, n_features)
        One row per member.
    mean : Series of shape (n_features,)
        The ensemble's attribution: the mean over members.
    stability : float
        Mean Spearman rank correlation between the attributions of two distinct members
        (1: every member ranks the features the same way; NaN with a single member).
    method : str
        ``"coefficients"`` or ``"permutation_importance"``.
    """

    members: pd.DataFrame
    mean: pd.Series
    stability: float
    method: str

    def stability_with(self, other: FeatureAttributions) -> float:
        """Spearman rank correlation of this ensemble's mean attribution with another's.

        Use it with two ensembles trained with different ``random_state``: a value near
        1 means the ensemble's explanation does not depend on the seed.
        """
        if list(self.mean.index) != list(other.mean.index):
            raise ValueError("the two attributions are over different features")
        return _spearman(self.mean.to_numpy(), other.mean.to_numpy())


def _ranks(v: NDArray) -> NDArray[np.float64]:
    return pd.Series(v).rank(method="average").to_numpy(dtype=np.float64)


def _spearman(a: NDArray, b: NDArray) -> float:
    """Spearman's rho (Pearson correlation of average ranks); NaN for a constant input."""
    ra, rb = _ranks(a), _ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denom = np.sqrt((ra * ra).sum() * (rb * rb).sum())
    return float((ra * rb).sum() / denom) if denom > 0 else float("nan")


class SelectiveEnsembleClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Ensemble of retrained models that abstains where their vote is not significant.

    ``fit`` trains ``n_estimators`` clones of ``estimator``, each with its own seed (and,
    with ``perturbation="bootstrap"``, its own bootstrap resample), through the same
    joblib machinery as :class:`~multiplicity.rashomon.RetrainingExplorer` (so it runs
    unchanged on a dask cluster). ``predict`` returns the plurality label where it is
    statistically robust to the choice of members, and the abstention marker
    ``abstain_label_`` elsewhere:

    - ``test="binomial"`` (Black, Leino & Fredrikson 2022): answer when the exact
      two-sided binomial test of the top two vote counts ``n_A`` vs ``n_B`` (null: both
      equally likely) has p-value ``<= alpha`` (see :func:`selective_vote`);
    - ``test="self_consistency"`` (Cooper et al. 2024): answer when the probability that
      two distinct members agree, ``sum_c n_c (n_c - 1) / (m (m - 1))`` (for two classes
      ``1 - 2 B0 B1 / (B (B - 1))``), is at least ``threshold`` and the top class is not
      tied.

    Parameters
    ----------
    estimator : scikit-learn classifier
        The learner; cloned, never fitted itself.
    n_estimators : int, default=10
        Members (>= 2). With the binomial test a unanimous vote has p-value
        ``2**(1 - n_estimators)``, so at ``alpha = 0.05`` fewer than 6 members always
        abstain.
    alpha : float in (0, 1), default=0.05
        Significance level of the binomial test.
    test : {"binomial", "self_consistency"}, default="binomial"
        When to abstain (see above).
    threshold : float in [0, 1], default=None
        Minimum self-consistency for ``test="self_consistency"`` (required there, and
        not allowed with ``test="binomial"``).
    perturbation : {"seed", "bootstrap"}, default="seed"
        What differs between members: only the random seed (every ``random_state``
        parameter, including those of pipeline steps), or a bootstrap resample plus seeds.
    abstain_label : scalar or None, default=None
        Returned by ``predict`` where the ensemble abstains; must not be a class label
        (``fit`` raises otherwise). ``None`` picks, at ``fit``, a marker that cannot be
        a class and keeps the output dtype usable, stored in ``abstain_label_``:

        - integer classes: ``-1`` when every class is ``>= 0`` (labels ``{0, 1}``),
          otherwise one below the smallest class (``-2`` for labels ``{-1, 1}``);
          ``predict`` returns integers;
        - float classes: NaN (test with ``np.isnan``); ``predict`` returns floats;
        - string classes: ``"(abstain)"`` (``"(abstain 2)"`` and so on if that is a
          class); ``predict`` returns strings, never truncated;
        - bool and other classes: ``None``, in an object array of the classes (test
          with ``pd.isna``).
    n_jobs : int, default=None
        Members trained in parallel through joblib (None: 1, or the active
        ``joblib.parallel_config``).
    random_state : int, RandomState instance or None, default=None
        Source of the members' seeds (``np.random.SeedSequence`` children), so the
        members do not depend on ``n_jobs`` or the joblib backend.

    Attributes
    ----------
    estimators_ : list of fitted classifiers
        The members.
    classes_ : ndarray of shape (n_classes,)
    abstain_label_ : scalar
        The marker ``predict`` returns where the ensemble abstains: ``abstain_label``,
        or the one chosen for ``abstain_label=None``.
    seed_ : int
        The seed every member's seed was derived from.
    n_features_in_ : int
        Number of features seen in fit (when ``X`` has a 2-D shape).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a DataFrame ``X``.

    See Also
    --------
    selective_vote : The vote on a given prediction matrix.
    multiplicity.rashomon.RetrainingExplorer : The training machinery.
    multiplicity.metrics.self_consistency

    Notes
    -----
    Black et al. show that with the binomial test two selective ensembles trained
    independently disagree (both answering, differently) at a sample with probability at
    most about ``2 alpha``, while individual models can disagree on a large share of
    the samples. Abstention is the price: it concentrates on the samples whose
    prediction is arbitrary.

    ``score`` is the selective accuracy: the share of correct answers among the samples
    where the ensemble answers (abstentions are neither right nor wrong), as Black et
    al. report it next to the abstention rate, which ``abstention_rate`` gives.

    Memory: ``predict`` holds the members' votes, ``n_estimators x n_samples`` small
    integers.

    References
    ----------
    Black, Leino & Fredrikson (2022), "Selective Ensembles for Consistent Predictions",
    ICLR. Cooper, Lee, Barocas, De Sa, Sen & Zhang (2024), "Arbitrariness and Social
    Prediction: The Confounding Role of Variance in Fair Classification", AAAI.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X, y = make_classification(n_samples=300, flip_y=0.2, random_state=0)
    >>> ens = SelectiveEnsembleClassifier(DecisionTreeClassifier(max_depth=4),
    ...                                   n_estimators=15, perturbation="bootstrap",
    ...                                   random_state=0).fit(X, y)
    >>> labels = ens.predict(X)
    >>> ens.abstain_label_  # classes {0, 1}: -1 marks an abstention
    -1
    >>> sorted(set(labels.tolist()))
    [-1, 0, 1]
    >>> 0.0 < ens.abstention_rate(X) < 0.5
    True
    >>> answered = labels != ens.abstain_label_
    >>> bool(ens.score(X, y) == (labels[answered] == y[answered]).mean())
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "predict"])],
        "n_estimators": [Interval(Integral, 2, None, closed="left")],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "test": [StrOptions({"binomial", "self_consistency"})],
        "threshold": [Interval(Real, 0, 1, closed="both"), None],
        "perturbation": [StrOptions({"seed", "bootstrap"})],
        "abstain_label": "no_validation",
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator: Any, *, n_estimators: int = 10, alpha: float = 0.05,
                 test: Literal["binomial", "self_consistency"] = "binomial",
                 threshold: float | None = None,
                 perturbation: Literal["seed", "bootstrap"] = "seed",
                 abstain_label: Any = None, n_jobs: int | None = None,
                 random_state: Any = None) -> None:
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.alpha = alpha
        self.test = test
        self.threshold = threshold
        self.perturbation = perturbation
        self.abstain_label = abstain_label
        self.n_jobs = n_jobs
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: ArrayLike) -> SelectiveEnsembleClassifier:
        """Train the members.

        Parameters
        ----------
        X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
        y : array-like or Series of shape (n_samples,)
            At least two classes; ``abstain_label`` must not be one of them. A Series
            meets a DataFrame ``X`` on the index (same labels, any order).

        Returns
        -------
        self : SelectiveEnsembleClassifier

        Raises
        ------
        ValueError
            Invalid parameters (``alpha`` outside (0, 1), ``n_estimators < 2``, a
            ``threshold`` outside [0, 1], missing for ``test="self_consistency"`` or given
            for ``test="binomial"``, an unknown ``test``), X/y length mismatch, a single
            class, ``abstain_label`` among the classes, ``perturbation="seed"`` for an
            estimator without ``random_state``, a Series ``y`` whose index labels differ
            from those of a DataFrame ``X``.
        TypeError
            ``abstain_label`` not a scalar.
        """
        if self.test == "self_consistency" and self.threshold is None:
            raise ValueError("test='self_consistency' needs threshold, the minimum "
                             "self-consistency in [0, 1] at which the ensemble answers")
        if self.test == "binomial" and self.threshold is not None:
            raise ValueError(f"threshold={self.threshold!r} applies only to "
                             "test='self_consistency'; the binomial test uses alpha")
        # The same training loop as the Rashomon-set explorer; epsilon=1 keeps every
        # candidate (a 0-1 loss is at most 1), so all members are used.
        explorer = RetrainingExplorer(self.estimator, n_models=self.n_estimators,
                                      perturbation=self.perturbation, epsilon=1.0,
                                      n_jobs=self.n_jobs, random_state=self.random_state)
        y = align_to(X, y, name="y")
        if self.abstain_label is not None:
            check_abstain_label(np.zeros(0), self.abstain_label)  # a scalar, before training
        explorer.fit(X, y)
        classes = explorer.classes_
        abstain = (default_abstain_label(classes) if self.abstain_label is None
                   else self.abstain_label)
        self.abstain_label_ = check_abstain_label(classes, abstain)
        self.estimators_ = list(explorer.candidate_models_)
        self.classes_ = classes
        self.seed_ = explorer.seed_
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(explorer, name):
                setattr(self, name, getattr(explorer, name))
        return self

    # ------------------------------------------------------------------ votes
    def votes(self, X: Any) -> NDArray[np.integer]:
        """Every member's predicted class index: ``(n_estimators, n_samples)``.

        Entry ``[i, j]`` indexes ``classes_``; the smallest integer dtype that holds
        them.
        """
        check_is_fitted(self)
        rows = []
        for member in self.estimators_:
            pred = np.asarray(member.predict(X))
            idx = np.searchsorted(self.classes_, pred)
            rows.append(idx.astype(_smallest_int_dtype(len(self.classes_))))
        return np.stack(rows)

    def _counts(self, X: Any) -> tuple[NDArray, NDArray, NDArray, NDArray]:
        return _kernels._top_two_votes(self.votes(X), 0, len(self.classes_),
                                       vote_block(len(self.classes_)))

    def p_values(self, X: Any) -> NDArray[np.float64]:
        """Two-sided binomial p-value of the top two vote counts at every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        _, n_a, n_b, _ = self._counts(X)
        return _kernels._p_values(n_a, n_b)

    def self_consistency(self, X: Any) -> NDArray[np.float64]:
        """Probability that two distinct members agree, at every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self._counts(X)[3]

    def _answers(self, X: Any) -> tuple[NDArray, NDArray[np.bool_]]:
        top, n_a, n_b, agree = self._counts(X)
        if self.test == "binomial":
            answer = _kernels._p_values(n_a, n_b) <= self.alpha
        else:
            answer = (agree >= self.threshold) & (n_a > n_b)
        return top, answer

    def predict(self, X: Any) -> NDArray:
        """Plurality label where the test passes, ``abstain_label_`` elsewhere.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            In a dtype that holds the classes and the marker exactly (see
            ``abstain_label``): integers stay integers (widened if the marker needs
            it, e.g. ``int16`` for ``uint8`` classes), strings are never truncated,
            bool classes come in an object array.
        """
        top, answer = self._answers(X)
        return labels_with_abstention(self.classes_, top, answer, self.abstain_label_)

    def score(self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """Selective accuracy: the share of correct labels where the ensemble answers.

        Samples where the ensemble abstains are left out (neither right nor wrong), as
        in Black, Leino & Fredrikson (2022); report the score with
        :meth:`abstention_rate`, the share left out. A label of ``y`` that is not a
        class counts as wrong.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like or Series of shape (n_samples,)
            True labels. A Series meets a DataFrame ``X`` on the index.
        sample_weight : array-like or Series of shape (n_samples,), default=None
            Weights of the samples (a weighted mean over the answered samples).

        Returns
        -------
        float
            In ``[0, 1]``; NaN, with an ``UndefinedMetricWarning``, when the ensemble
            abstains on every sample (or every answered sample has weight 0).

        Raises
        ------
        ValueError
            ``y`` or ``sample_weight`` of another length than ``X``, negative or
            non-finite weights, pandas index labels that differ from those of ``X``.
        """
        check_is_fitted(self)
        y = align_to(X, y, name="y")
        y_arr = column_or_1d(np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y),
                             warn=True)
        top, answer = self._answers(X)
        if len(y_arr) != len(answer):
            raise ValueError(f"X and y must have the same number of samples, got "
                             f"{len(answer)} and {len(y_arr)}")
        if sample_weight is None:
            w = np.ones(len(answer), dtype=np.float64)
        else:
            sample_weight = align_to(X, sample_weight, name="sample_weight")
            w = np.asarray(sample_weight, dtype=np.float64)
            if w.shape != answer.shape:
                raise ValueError(f"sample_weight must have shape ({len(answer)},) like the "
                                 f"samples of X, got {w.shape}")
            if not np.all(np.isfinite(w)) or (w < 0).any():
                raise ValueError("sample_weight must hold finite values >= 0")
        y_codes = pd.Index(self.classes_).get_indexer(y_arr)
        total = w[answer].sum()
        if total == 0:
            warnings.warn("score is undefined: the ensemble abstains on every sample (or "
                          "every answered sample has weight 0); returning NaN. Use more "
                          "members or a larger alpha, and see abstention_rate.",
                          UndefinedMetricWarning, stacklevel=2)
            return float("nan")
        correct = top[answer] == y_codes[answer]
        return float((w[answer] * correct).sum() / total)

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Vote shares: the fraction of members predicting each class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; rows sum to 1.
        """
        V = self.votes(X)
        k = len(self.classes_)
        shares = np.empty((V.shape[1], k), dtype=np.float64)
        for c in range(k):
            shares[:, c] = np.count_nonzero(V == c, axis=0)
        return shares / V.shape[0]

    def abstention_rate(self, X: Any) -> float:
        """Share of the samples of ``X`` where the ensemble abstains.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        float
        """
        return float(1.0 - self._answers(X)[1].mean())

    # ------------------------------------------------------------ attributions
    def feature_attributions(self, X: Any, y: ArrayLike | None = None, *,
                             n_repeats: int = 5, random_state: Any = 0
                             ) -> FeatureAttributions:
        """Every member's feature attributions, their mean and how stable they are.

        Members with a ``coef_`` of shape ``(1, n_features)`` or ``(n_classes,
        n_features)`` over the input features (linear models) are attributed by their
        coefficients (multiclass: the mean absolute coefficient over classes); any other
        member by scikit-learn's ``permutation_importance`` on ``(X, y)`` (accuracy drop,
        ``n_repeats`` shuffles), which needs ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data for the permutation importance; also names the features when a
            DataFrame.
        y : array-like of shape (n_samples,), default=None
            Required for members without usable coefficients.
        n_repeats : int, default=5
            Shuffles per feature for the permutation importance.
        random_state : int, RandomState instance or None, default=0
            Shuffles of the permutation importance.

        Returns
        -------
        FeatureAttributions
            ``members`` (one row per member), ``mean``, ``stability`` (mean pairwise
            Spearman correlation between members) and ``stability_with(other)`` for
            two independently seeded ensembles.
        """
        check_is_fitted(self)
        d = getattr(self, "n_features_in_", None)
        names = (list(self.feature_names_in_) if hasattr(self, "feature_names_in_")
                 else [f"x{j}" for j in range(d if d is not None else np.shape(X)[1])])
        linear = all(_coefficients(m, len(names)) is not None for m in self.estimators_)
        if linear:
            rows = [_coefficients(m, len(names)) for m in self.estimators_]
            method = "coefficients"
        else:
            if y is None:
                raise ValueError("feature_attributions needs y for members without "
                                 "linear coefficients (permutation importance)")
            from sklearn.inspection import permutation_importance

            rows = [permutation_importance(m, X, y, n_repeats=n_repeats,
                                           random_state=random_state).importances_mean
                    for m in self.estimators_]
            method = "permutation_importance"
        members = pd.DataFrame(np.vstack(rows), columns=names)
        members.index.name = "member"
        values = members.to_numpy()
        pairs = [_spearman(values[a], values[b])
                 for a, b in combinations(range(len(values)), 2)]
        finite = [r for r in pairs if not np.isnan(r)]
        stability = float(np.mean(finite)) if finite else float("nan")
        return FeatureAttributions(members=members, mean=members.mean(axis=0),
                                   stability=stability, method=method)


def _coefficients(model: Any, n_features: int) -> NDArray[np.float64] | None:
    """A linear model's attribution per input feature, or None if it has none."""
    coef = getattr(model, "coef_", None)
    if coef is None:
        return None
    coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    if coef.shape[1] != n_features:
        return None  # e.g. the last step of a pipeline that changes the features
    return coef[0] if coef.shape[0] == 1 else np.abs(coef).mean(axis=0)
