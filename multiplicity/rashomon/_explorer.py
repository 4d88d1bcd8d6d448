"""The behaviour every explorer shares once its candidates are found.

An explorer fits ``candidate_models_`` with their ``candidate_losses_`` on the data the
set is defined on, and a baseline ``h0`` among them (``baseline_index_``). Filtering the
candidates for any epsilon, predicting with ``h0`` and profiling the set are the same for
every way of finding the candidates (retraining, dropout masks); the explorers differ
only in how they check their data and in what the profile is computed with.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    is_regressor,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._checks import check_epsilon, n_samples_of
from .._validation import align_to
from ._profile import MultiplicityProfile
from ._regression_profile import RegressionProfile
from ._set import RashomonSet, profile_set

__all__ = ["_BaseExplorer"]


class _RegressorTemplate(RegressorMixin, BaseEstimator):
    """The tags of a scikit-learn regressor, which a regression explorer takes."""


def _if_baseline_has(attr: str) -> Callable[[Any], bool]:
    """For ``available_if``: whether the explorer's baseline offers ``attr``."""

    def check(self: _BaseExplorer) -> bool:
        return self._baseline_has(attr)

    return check


class _BaseExplorer(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Base of the explorers: a classifier that predicts with its baseline ``h0``.

    A subclass's ``fit`` checks ``rashomon_data`` with :meth:`_check_rashomon_data`,
    finds the candidates and their losses and hands them to :meth:`_keep_candidates`,
    which sets ``candidate_models_``, ``candidate_losses_``, ``baseline_index_``,
    ``baseline_estimator_`` and ``rashomon_set_``. Hooks: :meth:`_baseline_has` (whether
    ``predict_proba`` is offered) and :meth:`_profiled_set` (what :meth:`profile`
    computes on).
    """

    # The parameters every explorer has; a subclass adds its own.
    _parameter_constraints: ClassVar[dict] = {
        "n_models": [Interval(Integral, 1, None, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "epsilon_mode": [StrOptions({"absolute", "relative"})],
        "rashomon_data": [tuple, list, None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    # ------------------------------------------------------------------ the task
    def _task(self) -> str:
        """``"regression"`` when the estimator is a regressor (scikit-learn's
        ``is_regressor``), else ``"classification"``."""
        return "regression" if is_regressor(self.estimator) else "classification"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self._task() == "regression":
            regressor = _RegressorTemplate().__sklearn_tags__()
            tags.estimator_type = regressor.estimator_type
            tags.classifier_tags = None
            tags.regressor_tags = regressor.regressor_tags
        return tags

    def score(self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """The baseline's accuracy (classifiers) or R² (regressors) on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        float
        """
        if self._task() == "regression":
            return RegressorMixin.score(self, X, y, sample_weight=sample_weight)
        return ClassifierMixin.score(self, X, y, sample_weight=sample_weight)

    # ---------------------------------------------------------------------- fitting
    def _check_rashomon_data(self, check_X: Callable[[Any], Any],
                             check_y: Callable[[Any], NDArray]) -> tuple[Any, NDArray | None]:
        """``(X_val, y_val)`` of ``rashomon_data``, or ``(None, None)`` when it is None.

        ``y_val`` is matched to ``X_val`` on the index (pandas), then ``check_X`` and
        ``check_y`` check (and may convert) each; the two must have the same length.
        """
        data = self.rashomon_data
        if data is None:
            return None, None
        if len(data) != 2:
            raise ValueError("rashomon_data must be a pair (X_val, y_val), got a "
                             f"{type(data).__name__} of length {len(data)}")
        X_val, y_val = data
        y_val = align_to(X_val, y_val, name="y_val", reference_name="X_val")
        X_val = check_X(X_val)
        y_val = check_y(y_val)
        n_val = n_samples_of(X_val)
        if len(y_val) != n_val:
            raise ValueError(f"rashomon_data: X_val and y_val must have the same number of "
                             f"samples, got {n_val} and {len(y_val)}")
        return X_val, y_val

    def _keep_candidates(self, models: Sequence[Any], losses: NDArray[np.float64],
                         baseline_index: int) -> None:
        """Store the fitted candidates and the Rashomon set for ``epsilon``."""
        self.candidate_models_ = models
        self.candidate_losses_ = losses
        self.baseline_index_ = baseline_index
        self.baseline_estimator_ = models[baseline_index]
        self.rashomon_set_ = self._filter(self.epsilon, self.epsilon_mode)

    def _filter(self, epsilon: float, epsilon_mode: str) -> RashomonSet:
        """The candidates within epsilon of h0, exactly as :meth:`RashomonSet.from_models`."""
        eps = check_epsilon(epsilon, epsilon_mode)
        return RashomonSet._within_epsilon(self.candidate_models_, self.candidate_losses_,
                                           self.baseline_index_, eps, epsilon_mode, self.loss)

    # ------------------------------------------------------------------------ hooks
    def _baseline_has(self, attr: str) -> bool:
        """Whether the fitted baseline (or, before fit, the template) has ``attr``."""
        if hasattr(self, "baseline_estimator_"):
            return hasattr(self.baseline_estimator_, attr)
        return hasattr(self.estimator, attr)

    def _profiled_set(self, n_jobs: int | None) -> tuple[Any, int | None]:
        """What :meth:`profile` measures, and the Numba threads it measures with."""
        return self.rashomon_set_, n_jobs

    # ------------------------------------------------------------------- after fit
    def rashomon_set_for(self, epsilon: float,
                         epsilon_mode: Literal["absolute", "relative"] | None = None
                         ) -> RashomonSet:
        """The Rashomon set for another epsilon, from the stored candidates (no refitting).

        Parameters
        ----------
        epsilon : float
            Rashomon parameter, >= 0.
        epsilon_mode : {"absolute", "relative"}, default=None
            None uses the explorer's ``epsilon_mode``.

        Returns
        -------
        RashomonSet
            The same members (the same objects) as ``RashomonSet.from_models(
            candidate_models_, X, y, epsilon=epsilon, baseline=baseline_index_, ...)`` on
            the data the set is defined on, without evaluating any loss again.
        """
        check_is_fitted(self)
        return self._filter(epsilon, self.epsilon_mode if epsilon_mode is None
                            else epsilon_mode)

    def predict(self, X: Any) -> NDArray:
        """Labels predicted by the baseline model h0.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.baseline_estimator_.predict(X)

    @available_if(_if_baseline_has("predict_proba"))
    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Class probabilities of the baseline model h0.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return self.baseline_estimator_.predict_proba(X)

    def profile(self, X: Any, y: ArrayLike | None = None, delta: float | None = None, *,
                threshold: float | None = None, chunk_size: int | None = None,
                n_jobs: int | None = None) -> MultiplicityProfile | RegressionProfile:
        """Every multiplicity measure of ``rashomon_set_`` on ``X``.

        The same values as ``rashomon_set_.profile(X, y, delta)``. The members of a
        :class:`DropoutExplorer` share one network, so its profile computes all of them
        with one kernel call per chunk of samples instead of calling each member.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), default=None
            True labels (values, for regressors); adds accuracies (losses) to the
            profile. A pandas ``y`` next to a DataFrame ``X`` is matched on the index.
        delta : float, default=None
            Classifiers: threshold of the probabilistic measures (``>= delta``); None is
            0.1. Regressors: the distance from the baseline's prediction that counts as
            a change, in the units of the target; required.
        threshold : float, default=None
            Regressors only: a decision cut-off; adds the decision ambiguity.
        chunk_size : int, default=None
            Samples per chunk.
        n_jobs : int, default=None
            Numba threads (for :class:`DropoutExplorer`, None uses the explorer's
            ``n_jobs``).

        Returns
        -------
        MultiplicityProfile or RegressionProfile
        """
        check_is_fitted(self)
        rset, n_jobs = self._profiled_set(n_jobs)
        return profile_set(rset, X, y, delta=delta, threshold=threshold,
                           chunk_size=chunk_size, n_jobs=n_jobs)
