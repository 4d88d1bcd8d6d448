"""The Rashomon set: an immutable collection of near-optimal fitted models."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.utils.validation import check_is_fitted

from .. import _errors
from .._checks import (
    check_chunk_size,
    check_epsilon,
    check_regression_target,
    check_X_y,
    n_samples_of,
)
from .._dask import is_dask_collection
from .._lazy import lazy_module
from .._validation import _smallest_int_dtype, align_to
from ._dask_profile import DaskMultiplicityProfile, dask_profile
from ._losses import check_loss, model_loss, model_task, resolve_loss
from ._profile import MultiplicityProfile
from ._regression_profile import RegressionProfile
from ._search import set_from_search

__all__ = ["RashomonSet", "profile_set", "rashomon_threshold"]

# The explanations build on RashomonSet; the set's shortcuts to them load them on first use.
_explain = lazy_module("multiplicity.explain")

# Losses within this much of the threshold count as inside (float noise in L(h0) + eps).
_LOSS_SLACK = 1e-12
# predict_proba chunks hold about this many float64 values (64 MiB).
_CHUNK_VALUES = 1 << 23


def rashomon_threshold(baseline_loss: float, epsilon: float, epsilon_mode: str) -> float:
    """Largest loss inside the set: ``L0 + eps`` or ``L0 * (1 + eps)``."""
    if epsilon_mode == "absolute":
        return baseline_loss + epsilon
    return baseline_loss * (1.0 + epsilon)


def take_rows(X: Any, lo: int, hi: int) -> Any:
    """Rows ``lo:hi`` of X without copying what does not need copying."""
    if hasattr(X, "iloc"):
        return X.iloc[lo:hi]
    if not hasattr(X, "__getitem__"):  # objects that only define __array__
        return np.asarray(X)[lo:hi]
    return X[lo:hi]


def profile_set(rset: Any, X: Any, y: ArrayLike | None, *, delta: float | None,
                threshold: float | None, chunk_size: int | None, n_jobs: int | None
                ) -> MultiplicityProfile | RegressionProfile | DaskMultiplicityProfile:
    """The profile of ``rset`` on ``X``: a :class:`RegressionProfile` for regressors (which
    need ``delta``), a :class:`MultiplicityProfile` for classifiers (``delta`` defaults to
    0.1; no ``threshold``), a :class:`DaskMultiplicityProfile` for classifiers on a dask
    ``X`` (computed on the cluster)."""
    if is_dask_collection(X):
        if threshold is not None and rset.task == "classification":
            raise ValueError(_errors.THRESHOLD_CLASSIFIERS)
        return dask_profile(rset, X, y, delta=0.1 if delta is None else delta)
    if is_dask_collection(y):
        raise TypeError("y is a dask collection but X is not; pass X as a dask DataFrame "
                        "or Array partitioned like y, or bring y into memory (y.compute())")
    y = align_to(X, y, name="y")
    if rset.task == "regression":
        return RegressionProfile.from_set(rset, X, y, delta=delta, threshold=threshold,
                                          chunk_size=chunk_size, n_jobs=n_jobs)
    if threshold is not None:
        raise ValueError(_errors.THRESHOLD_CLASSIFIERS)
    return MultiplicityProfile.from_set(rset, X, y, delta=0.1 if delta is None else delta,
                                        chunk_size=chunk_size, n_jobs=n_jobs)


def _task_of(models: Sequence[Any]) -> str:
    """The task every model shares; a pool of classifiers and regressors raises."""
    tasks = [model_task(mdl) for mdl in models]
    if len(set(tasks)) > 1:
        i = tasks.index("regression")
        j = tasks.index("classification")
        raise ValueError(f"the models mix classifiers and regressors (model {j}, "
                         f"{type(models[j]).__name__}, is a classifier; model {i}, "
                         f"{type(models[i]).__name__}, a regressor); a Rashomon set holds "
                         "one kind")
    return tasks[0]


class RashomonSet:
    """An immutable set of fitted models whose loss is within epsilon of the best.

    ``S = {h : L(h) <= L(h0) + epsilon}`` (``epsilon_mode="absolute"``) or
    ``L(h) <= L(h0) * (1 + epsilon)`` (``"relative"``), with ``<=``; ``h0`` is the
    baseline model. Build one with :meth:`from_models` (filtering any pool of fitted
    classifiers or regressors) or with an explorer such as :class:`RetrainingExplorer`.

    The members are all classifiers or all regressors (``task``). A set of regressors
    (anything scikit-learn's ``is_regressor`` accepts, or with ``predict`` and neither
    ``predict_proba`` nor ``classes_``) predicts numbers: :meth:`predict` returns them,
    :meth:`profile` returns a :class:`RegressionProfile`, and ``classes_`` is None.

    Parameters
    ----------
    models : sequence of fitted classifiers or regressors
        The members; classifiers must share ``classes_``.
    losses : array-like of shape (n_models,)
        Loss of each member on the data the set is defined on.
    epsilon : float
        Rashomon parameter the set was built with.
    epsilon_mode : {"absolute", "relative"}, default="absolute"
        How ``epsilon`` is applied to the baseline loss.
    baseline_index : int, default=0
        Position of the baseline model h0 among ``models``.
    loss : str, callable or None, default=None
        The loss the set is defined by (for the record; the losses are given). None is
        ``"zero_one"`` for classifiers and ``"squared_error"`` for regressors.

    Attributes
    ----------
    models_ : tuple of classifiers
    losses_ : ndarray of shape (n_models,), read-only
    baseline_index_ : int
    baseline_loss_ : float
    threshold_ : float
        Largest loss allowed in the set.
    classes_ : ndarray of shape (n_classes,) or None
        None for a set of regressors.
    task : {"classification", "regression"}
        Whether the members are classifiers or regressors.
    pool_ : pandas.DataFrame or None
        For a set filtered from a pool (:meth:`from_models`, the explorers): one row per
        model of the pool, in pool order, with ``position`` (in the pool), ``loss``,
        ``kept``, ``member`` (position in the set, ``<NA>`` when dropped) and ``reason``
        (``"baseline h0"``, ``"loss <= threshold"`` or ``"loss above threshold"``, with
        the threshold ``threshold_``). None for a set built from its members directly.
        ``repr(rset)`` sums it up.
    epsilon, epsilon_mode, loss
        As given.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> pool = [LogisticRegression(C=c).fit(X, y) for c in (0.001, 0.01, 1.0, 100.0)]
    >>> [float((m.predict(X) != y).mean()) for m in pool]  # training 0-1 losses
    [0.065, 0.05, 0.045, 0.05]
    >>> rs = RashomonSet.from_models(pool, X, y, epsilon=0.005)
    >>> len(rs), rs.baseline_index_, rs.predict(X).shape
    (3, 1, (3, 200))
    >>> rs  # doctest: +ELLIPSIS
    RashomonSet(n_models=3, ...): kept 3 of 4 models; 1 dropped: loss above 0.05
    >>> rs.pool_
       position   loss   kept  member           reason
    0         0  0.065  False    <NA>  loss above 0.05
    1         1  0.050   True       0     loss <= 0.05
    2         2  0.045   True       1      baseline h0
    3         3  0.050   True       2     loss <= 0.05
    """

    __slots__ = ("_frozen", "_pool_kept", "_pool_losses", "baseline_index_", "baseline_loss_",
                 "classes_", "epsilon", "epsilon_mode", "loss", "losses_", "models_", "task",
                 "threshold_")

    def __init__(self, models: Sequence[Any], losses: ArrayLike, *, epsilon: float,
                 epsilon_mode: Literal["absolute", "relative"] = "absolute",
                 baseline_index: int = 0, loss: str | Callable | None = None) -> None:
        models = tuple(models)
        if not models:
            raise ValueError("a Rashomon set needs at least one model, got none")
        eps = check_epsilon(epsilon, epsilon_mode)
        losses_arr = np.array(losses, dtype=np.float64)
        if losses_arr.shape != (len(models),):
            raise ValueError(f"losses must have shape ({len(models)},), got "
                             f"{losses_arr.shape}")
        if not np.all(np.isfinite(losses_arr)):
            raise ValueError("losses must be finite")
        if (isinstance(baseline_index, bool) or not isinstance(baseline_index, numbers.Integral)
                or not 0 <= baseline_index < len(models)):
            raise ValueError(f"baseline_index must be an int in [0, {len(models)}), got "
                             f"{baseline_index!r}")
        for mdl in models:
            check_is_fitted(mdl)
        task = _task_of(models)
        loss = resolve_loss(loss, task)
        classes = None
        if task == "classification":
            classes = np.asarray(models[0].classes_)
            for i, mdl in enumerate(models[1:], start=1):
                if not np.array_equal(np.asarray(mdl.classes_), classes):
                    raise ValueError(f"all models must share classes_; model {i} has "
                                     f"{list(mdl.classes_)}, model 0 has {list(classes)}")
        losses_arr.setflags(write=False)
        set_ = object.__setattr__
        set_(self, "models_", models)
        set_(self, "losses_", losses_arr)
        set_(self, "epsilon", eps)
        set_(self, "epsilon_mode", epsilon_mode)
        set_(self, "baseline_index_", int(baseline_index))
        set_(self, "baseline_loss_", float(losses_arr[baseline_index]))
        set_(self, "threshold_", rashomon_threshold(float(losses_arr[baseline_index]), eps,
                                                    epsilon_mode))
        set_(self, "classes_", classes)
        set_(self, "loss", loss)
        set_(self, "task", task)
        set_(self, "_pool_losses", None)
        set_(self, "_pool_kept", None)
        set_(self, "_frozen", True)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"RashomonSet is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"RashomonSet is immutable; cannot delete {name!r}")

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:  # pickling, copy, dask
        state = {"_pool_losses": None, "_pool_kept": None, "task": "classification", **state}
        for name, value in state.items():
            if name in ("losses_", "_pool_losses", "_pool_kept") and value is not None:
                value = np.array(value)
                value.setflags(write=False)
            object.__setattr__(self, name, value)

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_models(cls, models: Sequence[Any], X: Any, y: ArrayLike, *,
                    loss: str | Callable | None = None, epsilon: float = 0.01,
                    epsilon_mode: Literal["absolute", "relative"] = "absolute",
                    baseline: int | Any | None = None,
                    loss_input: Literal["predict", "predict_proba"] = "predict"
                    ) -> RashomonSet:
        """Keep the models of a pool whose loss on ``(X, y)`` is within epsilon of h0.

        Parameters
        ----------
        models : sequence of fitted classifiers or regressors
            The candidate pool: scikit-learn classifiers with the same classes, or
            regressors (not a mix).
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data the set is defined on (training data, or a validation set).
        y : array-like of shape (n_samples,)
            True labels, or true values (numbers) for regressors.
        loss : {"zero_one", "log_loss", "brier", "squared_error", "absolute_error"}, \
callable or None, default=None
            None is ``"zero_one"`` (the misclassification rate) for classifiers and
            ``"squared_error"`` (the mean squared error) for regressors;
            ``"absolute_error"`` is the mean absolute error. See
            :func:`multiplicity.rashomon._losses.model_loss`; a callable is called as
            ``loss(y, model.predict(X))`` (or with probabilities, see ``loss_input``).
        epsilon : float, default=0.01
            Rashomon parameter, >= 0.
        epsilon_mode : {"absolute", "relative"}, default="absolute"
            ``L(h) <= L(h0) + epsilon`` or ``L(h) <= L(h0) * (1 + epsilon)``.
        baseline : int, model or None, default=None
            The reference model h0: its position in ``models``, the model object itself,
            or None for the minimum-loss model (the first one on ties).
        loss_input : {"predict", "predict_proba"}, default="predict"
            What a callable ``loss`` receives.

        Returns
        -------
        RashomonSet
            The members in pool order; ``baseline_index_`` points at h0, and ``pool_``
            records every model of the pool: its loss, whether it was kept and why not.

        Raises
        ------
        ValueError
            Empty pool, X/y length mismatch, pandas ``X`` and ``y`` whose indexes hold
            different labels, y with a single class (classifiers), y that is not finite
            numbers (regressors), a pool that mixes classifiers and regressors, a loss
            of the other task, epsilon < 0, a loss that is not a finite number.
        TypeError
            A probability loss for a model without ``predict_proba``.

        Notes
        -----
        pandas ``X`` and ``y`` are matched on their index (``y`` is put in the row order
        of ``X``).
        """
        models = list(models)
        if not models:
            raise ValueError("models must contain at least one fitted classifier, got none")
        eps = check_epsilon(epsilon, epsilon_mode)
        check_loss(loss, loss_input)
        task = _task_of(models)
        loss = resolve_loss(loss, task)
        y = align_to(X, y, name="y")
        y_arr = check_X_y(X, y)
        if task == "regression":
            y_arr = check_regression_target(y_arr)
        elif np.unique(y_arr).size < 2:
            raise ValueError("y has a single class; a Rashomon set of classifiers needs at "
                             "least two classes")
        for mdl in models:
            check_is_fitted(mdl)
        losses = np.array([model_loss(mdl, X, y_arr, loss, loss_input) for mdl in models],
                          dtype=np.float64)
        if baseline is None:
            b = int(np.argmin(losses))
        elif isinstance(baseline, numbers.Integral) and not isinstance(baseline, bool):
            if not -len(models) <= int(baseline) < len(models):
                raise ValueError(f"baseline index {baseline} is out of range for "
                                 f"{len(models)} models")
            b = int(baseline) % len(models)
        else:
            hits = [i for i, mdl in enumerate(models) if mdl is baseline]
            if not hits:
                raise ValueError("baseline must be an int, one of the models, or None")
            b = hits[0]
        return cls._within_epsilon(models, losses, b, eps, epsilon_mode, loss)

    @classmethod
    def from_search(cls, search_cv: Any, X: Any, y: ArrayLike, *, epsilon: float = 0.01,
                    epsilon_mode: Literal["absolute", "relative"] = "absolute",
                    scores: Literal["refit", "cv"] = "refit",
                    loss: str | Callable | None = None,
                    loss_input: Literal["predict", "predict_proba"] = "predict",
                    baseline: int | Literal["best"] | None = None,
                    rashomon_data: tuple[Any, ArrayLike] | None = None,
                    n_jobs: int | None = None) -> RashomonSet:
        """A set from a fitted grid or randomized search, across model classes.

        Every candidate of the search, ``clone(search_cv.estimator).set_params(**params)``
        for each ``params`` of ``cv_results_["params"]``, is refitted on ``(X, y)``; the
        set keeps those within epsilon of the best. A search over a Pipeline whose step
        is itself a parameter (``{"clf": [LogisticRegression(), RandomForestClassifier()],
        ...}``) spans model classes, so one set holds logistic regressions, forests and
        boosted trees side by side (Ewald et al. 2026, "CASHomon sets").

        Parameters
        ----------
        search_cv : fitted GridSearchCV, RandomizedSearchCV, HalvingGridSearchCV or \
HalvingRandomSearchCV
            Any fitted scikit-learn search (a ``BaseSearchCV``). Its ``cv_results_`` gives
            the candidates; ``best_estimator_`` is not used. For successive halving only
            the candidates of the last iteration count (the only ones whose scores share
            one amount of resources; a resource such as ``n_estimators`` is part of their
            params).
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data the candidates are refitted on (usually the data the search was fitted
            on), passed to ``fit`` as given.
        y : array-like of shape (n_samples,)
            Class labels (numbers for regressors). A pandas ``y`` next to a DataFrame
            ``X`` is matched on the index.
        epsilon : float, default=0.01
            Rashomon parameter, >= 0, in the units of the loss (``scores="cv"``: of the
            scorer).
        epsilon_mode : {"absolute", "relative"}, default="absolute"
            ``L(h) <= L(h0) + epsilon`` or ``L(h) <= L(h0) * (1 + epsilon)``.
        scores : {"refit", "cv"}, default="refit"
            What defines the set.

            - ``"refit"``: every candidate is refitted on ``(X, y)`` and the set is
              defined by ``loss`` of the refitted models on ``(X, y)`` (or on
              ``rashomon_data``), exactly as :meth:`from_models`:
              ``from_search(search_cv, X, y, ...)`` equals ``from_models([each candidate
              fitted on (X, y)], X, y, ...)`` (members, losses, baseline, ``pool_``).
            - ``"cv"``: the set is defined by the search's cross-validated mean test
              scores (``cv_results_["mean_test_score"]``, or of the metric ``refit``
              names for a multi-metric search, which must name one): the loss is
              ``1 - score`` for scorers whose best value is 1 (the estimator's default
              ``score``, that is accuracy or R², ``"accuracy"``, ``"balanced_accuracy"``,
              ``"roc_auc"``, ``"f1"``, ...) and ``-score`` otherwise (``"neg_log_loss"``
              gives the log loss). These are out-of-sample averages over the folds, not
              losses of the refitted models on ``(X, y)``; ``epsilon`` is in the units of
              the scorer, ``loss`` and ``rashomon_data`` must be left None. Only the
              members are refitted on ``(X, y)`` (they must predict), which is the fast
              choice for large searches. ``loss`` of the set is then a
              :class:`~multiplicity.rashomon._search.CVScoreLoss` that names the column
              and the transform.
        loss : {"zero_one", "log_loss", "brier", "squared_error", "absolute_error"}, \
callable or None, default=None
            As in :meth:`from_models` (None: ``"zero_one"`` for classifiers,
            ``"squared_error"`` for regressors); ``scores="refit"`` only.
        loss_input : {"predict", "predict_proba"}, default="predict"
            What a callable ``loss`` receives.
        baseline : int, "best" or None, default=None
            The reference model h0: None for the lowest loss (the first on ties), an int
            position among the candidates, or ``"best"`` for the search's
            ``best_index_`` (the model the search selected).
        rashomon_data : tuple (X_val, y_val), default=None
            Data the refitted candidates' losses are measured on instead of ``(X, y)``
            (as for the explorers); ``scores="refit"`` only.
        n_jobs : int, default=None
            Candidates refitted side by side (joblib; each fit then runs BLAS and OpenMP
            on one thread). Each candidate keeps the ``random_state`` of its params:
            fix the estimator's ``random_state`` for refits that can be repeated.

        Returns
        -------
        RashomonSet
            Members in candidate order. Members may be of several model classes, and
            need not all have ``predict_proba`` (``SVC()``, ``Perceptron``): the
            probabilistic measures of :meth:`profile` are then NaN, as for any such set.
            ``pool_`` has one row per candidate: ``position`` is the candidate's row in
            ``search_cv.cv_results_`` (for successive halving, its position among the
            rows of the last iteration), so ``cv_results_["params"][p]`` are the params
            of the member in row ``p``. A candidate whose cross-validation failed (a NaN
            score) is not refitted, is never a member and has a NaN loss (a warning says
            which).

        Raises
        ------
        TypeError
            ``search_cv`` is not a scikit-learn search; a probability loss for a
            candidate without ``predict_proba``.
        sklearn.exceptions.NotFittedError
            ``search_cv`` is not fitted (a ``ValueError``).
        ValueError
            Invalid ``scores``, ``epsilon``, ``loss`` or ``baseline``; X/y length
            mismatch, pandas indexes that do not match, a continuous ``y`` for
            classifiers (or non-numeric ``y`` for regressors), a single class; candidates
            that mix classifiers and regressors; a candidate that fails to fit on
            ``(X, y)``; ``scores="cv"`` with a multi-metric search whose ``refit`` names
            no metric, with ``loss`` or ``rashomon_data``, or with ``"relative"`` and a
            negative baseline loss.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn.model_selection import GridSearchCV
        >>> from sklearn.pipeline import Pipeline
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> X, y = make_classification(n_samples=200, random_state=0)
        >>> pipe = Pipeline([("clf", LogisticRegression())])
        >>> grid = [{"clf": [LogisticRegression()], "clf__C": [0.01, 1.0]},
        ...         {"clf": [DecisionTreeClassifier(random_state=0)],
        ...          "clf__max_depth": [2, 4]}]
        >>> search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
        >>> rs = RashomonSet.from_search(search, X, y, epsilon=0.02)
        >>> [type(m[-1]).__name__ for m in rs], rs.loss
        (['DecisionTreeClassifier', 'DecisionTreeClassifier'], 'zero_one')
        >>> rs.pool_  # positions are the rows of search.cv_results_
           position   loss   kept  member           reason
        0         0  0.050  False    <NA>  loss above 0.04
        1         1  0.045  False    <NA>  loss above 0.04
        2         2  0.040   True       0     loss <= 0.04
        3         3  0.020   True       1      baseline h0

        On the training data the deeper tree is best; by the cross-validated accuracy
        the regularised logistic regression is:

        >>> cv = RashomonSet.from_search(search, X, y, epsilon=0.02, scores="cv")
        >>> print(cv.loss)
        1 - mean_test_score (cross-validated, 'accuracy')
        >>> cv.pool_
           position      loss   kept  member              reason
        0         0  0.065054   True       0         baseline h0
        1         1  0.075079   True       1  loss <= 0.0850535
        2         2  0.075079   True       2  loss <= 0.0850535
        3         3  0.090005  False    <NA>  loss above 0.0850535
        """
        return set_from_search(cls, search_cv, X, y, epsilon=epsilon,
                               epsilon_mode=epsilon_mode, scores=scores, loss=loss,
                               loss_input=loss_input, baseline=baseline,
                               rashomon_data=rashomon_data, n_jobs=n_jobs)

    @classmethod
    def _within_epsilon(cls, models: Sequence[Any], losses: NDArray[np.float64],
                        baseline: int, epsilon: float, epsilon_mode: str,
                        loss: Any) -> RashomonSet:
        """The models whose loss is within ``epsilon`` of ``losses[baseline]`` (with the
        float slack ``_LOSS_SLACK``), in their original order; shared by the explorers.

        The set records the pool (every loss, which were kept) for ``pool_``.
        """
        losses = np.asarray(losses, dtype=np.float64)
        threshold = rashomon_threshold(float(losses[baseline]), epsilon, epsilon_mode)
        kept = losses <= threshold + _LOSS_SLACK * max(1.0, abs(threshold))
        keep = np.flatnonzero(kept)
        rset = cls([models[i] for i in keep], losses[keep], epsilon=epsilon,
                   epsilon_mode=epsilon_mode,
                   baseline_index=int(np.searchsorted(keep, baseline)), loss=loss)
        for name, value in (("_pool_losses", losses.copy()), ("_pool_kept", kept)):
            value.setflags(write=False)
            object.__setattr__(rset, name, value)
        return rset

    # ------------------------------------------------------------------- container
    def __len__(self) -> int:
        return len(self.models_)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.models_)

    def __getitem__(self, index: int) -> Any:
        return self.models_[index]

    def __repr__(self) -> str:
        head = (f"RashomonSet(n_models={len(self)}, epsilon={self.epsilon:g}, "
                f"epsilon_mode={self.epsilon_mode!r}, baseline_loss={self.baseline_loss_:.6g})")
        if self._pool_losses is None:
            return head
        n_pool, n_kept = len(self._pool_losses), int(self._pool_kept.sum())
        text = f"{head}: kept {n_kept} of {n_pool} models"
        if n_kept == n_pool:
            return text
        return f"{text}; {n_pool - n_kept} dropped: loss above {self.threshold_:.6g}"

    @property
    def pool_(self) -> Any:
        """The pool the set was filtered from: one row per model (see the class docs)."""
        if self._pool_losses is None:
            return None
        import pandas as pd

        losses, kept = self._pool_losses, self._pool_kept
        position = np.arange(len(losses))
        base = int(np.flatnonzero(kept)[self.baseline_index_])
        thr = f"{self.threshold_:.6g}"
        reason = np.where(kept, f"loss <= {thr}", f"loss above {thr}").astype(object)
        reason[base] = "baseline h0"
        member = pd.array(np.where(kept, np.cumsum(kept) - 1, 0), dtype="Int64")
        member[~kept] = pd.NA
        return pd.DataFrame({"position": position, "loss": losses.copy(), "kept": kept.copy(),
                             "member": member, "reason": reason})

    @property
    def baseline_(self) -> Any:
        """The baseline model h0."""
        return self.models_[self.baseline_index_]

    @property
    def has_predict_proba(self) -> bool:
        """Whether every member has ``predict_proba`` (never for regressors)."""
        return self.task == "classification" and all(
            hasattr(mdl, "predict_proba") for mdl in self.models_)

    def _require_classifiers(self, what: str) -> None:
        if self.task == "regression":
            raise TypeError(f"{what} needs classifiers; this Rashomon set holds regressors "
                            "(use predict for their predictions)")

    # ----------------------------------------------------------------- predictions
    def _chunk_size(self, chunk_size: int | None) -> int:
        n_classes = 1 if self.classes_ is None else len(self.classes_)
        return check_chunk_size(chunk_size, max(1, _CHUNK_VALUES // (len(self) * n_classes)))

    def predict_codes(self, X: Any, *, chunk_size: int | None = None) -> NDArray[np.integer]:
        """Class codes (indices into ``classes_``) of every member: ``(n_models, n_samples)``.

        The smallest integer dtype that holds the codes (int8 for up to 127 classes).
        """
        self._require_classifiers("predict_codes")
        n = n_samples_of(X)
        codes = np.empty((len(self), n), dtype=_smallest_int_dtype(len(self.classes_)))
        step = self._chunk_size(chunk_size)
        for lo in range(0, n, step):
            Xc = take_rows(X, lo, min(n, lo + step))
            for i, mdl in enumerate(self.models_):
                pred = np.asarray(mdl.predict(Xc))
                idx = np.searchsorted(self.classes_, pred)
                codes[i, lo:lo + len(pred)] = idx
        return codes

    def predict(self, X: Any, *, chunk_size: int | None = None) -> NDArray:
        """Labels (classifiers) or values (regressors) predicted by every member.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        chunk_size : int, default=None
            Samples per chunk (default: about 8M values per chunk).

        Returns
        -------
        ndarray of shape (n_models, n_samples)
            Labels from ``classes_``, or float64 predictions of regressors.
        """
        if self.task == "regression":
            n = n_samples_of(X)
            out = np.empty((len(self), n), dtype=np.float64)
            step = self._chunk_size(chunk_size)
            for lo in range(0, n, step):
                Xc = take_rows(X, lo, min(n, lo + step))
                for i, mdl in enumerate(self.models_):
                    out[i, lo:lo + n_samples_of(Xc)] = np.asarray(
                        mdl.predict(Xc), dtype=np.float64).reshape(-1)
            return out
        return self.classes_[self.predict_codes(X, chunk_size=chunk_size)]

    def iter_proba(self, X: Any, *, chunk_size: int | None = None
                   ) -> Iterator[tuple[int, NDArray[np.float64]]]:
        """Yield ``(start, probabilities)`` chunks of shape ``(n_models, chunk, n_classes)``.

        Memory: one chunk (about 64 MiB by default) at a time; use it to stream measures
        over data sets whose full ``(n_models, n_samples, n_classes)`` array would not fit.
        """
        self._require_classifiers("iter_proba")
        if not self.has_predict_proba:
            raise TypeError("every model of the set needs predict_proba")
        n = n_samples_of(X)
        step = self._chunk_size(chunk_size)
        for lo in range(0, n, step):
            Xc = take_rows(X, lo, min(n, lo + step))
            yield lo, np.stack([np.asarray(mdl.predict_proba(Xc), dtype=np.float64)
                                for mdl in self.models_])

    def predict_proba(self, X: Any, *, chunk_size: int | None = None,
                      dtype: type = np.float64) -> NDArray:
        """Class probabilities of every member: ``(n_models, n_samples, n_classes)``.

        Computed chunk by chunk into one output array of ``dtype`` (``np.float32`` halves
        its memory); for streaming without the full array use :meth:`iter_proba`.
        """
        self._require_classifiers("predict_proba")
        n = n_samples_of(X)
        out = np.empty((len(self), n, len(self.classes_)), dtype=dtype)
        for lo, Q in self.iter_proba(X, chunk_size=chunk_size):
            out[:, lo:lo + Q.shape[1]] = Q
        return out

    # --------------------------------------------------------------------- measures
    def profile(self, X: Any, y: ArrayLike | None = None, delta: float | None = None, *,
                threshold: float | None = None, chunk_size: int | None = None,
                n_jobs: int | None = None
                ) -> MultiplicityProfile | RegressionProfile | DaskMultiplicityProfile:
        """Every multiplicity measure of the set on ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Or, for classifiers, a dask DataFrame or 2-D dask Array: the profile is then
            computed on the cluster (a :class:`DaskMultiplicityProfile`; the members are
            sent to each worker once, each partition is predicted where it lives, and
            only per-model counts come back; memory per worker: the members plus about
            ``n_models * partition_rows * n_classes`` floats).
        y : array-like of shape (n_samples,), default=None
            True labels (or values, for regressors); adds accuracies (losses) to the
            profile. A pandas ``y`` next to a DataFrame ``X`` is matched on the index.
            With a dask ``X``: a dask Series or Array partitioned like ``X`` (matched on
            the index within each partition), or an in-memory one (split to ``X``'s
            partitions; pandas matched on the index).
        delta : float, default=None
            Classifiers: threshold of the probabilistic measures (``>= delta``); None
            is 0.1. Regressors: the distance from the baseline's prediction that counts
            as a change, in the units of the target; required.
        threshold : float, default=None
            Regressors only: a decision cut-off (``prediction >= threshold`` is the
            positive decision); adds the decision ambiguity.
        chunk_size : int, default=None
            Samples per chunk of ``predict`` / ``predict_proba`` calls.
        n_jobs : int, default=None
            Numba threads.

        Returns
        -------
        MultiplicityProfile, RegressionProfile or DaskMultiplicityProfile
            A :class:`MultiplicityProfile` for classifiers, a :class:`RegressionProfile`
            for regressors, a :class:`DaskMultiplicityProfile` for classifiers on a dask
            ``X`` (its ``compute()`` is the :class:`MultiplicityProfile`).
        """
        return profile_set(self, X, y, delta=delta, threshold=threshold,
                           chunk_size=chunk_size, n_jobs=n_jobs)

    # ----------------------------------------------------------------- explanations
    def feature_importance_range(self, X: Any, y: ArrayLike, n_repeats: int = 5,
                                 scoring: str | Callable | None = None,
                                 random_state: Any = None):
        """Permutation-importance range of every feature over the set.

        Calls :func:`multiplicity.explain.feature_importance_range` with this set; see it
        for the parameters and the returned table.
        """
        return _explain.feature_importance_range(self, X, y, n_repeats=n_repeats, scoring=scoring,
                                        random_state=random_state)

    def feature_interaction_cloud(self, X: Any, y: ArrayLike, pairs: Any = None,
                                  n_repeats: int = 5, loss: str | Callable | None = None,
                                  random_state: Any = None, **kwargs: Any):
        """Feature interaction scores of every member and feature pair (Li et al. 2024).

        Calls :func:`multiplicity.explain.feature_interaction_cloud` with this set; see it
        for the parameters (``kwargs``: ``loss_input``) and the returned table.
        """
        return _explain.feature_interaction_cloud(self, X, y, pairs=pairs, n_repeats=n_repeats,
                                         loss=loss, random_state=random_state, **kwargs)
