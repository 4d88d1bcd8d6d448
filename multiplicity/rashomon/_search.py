"""Rashomon sets from a fitted hyperparameter search, across model classes.

:meth:`RashomonSet.from_search` turns the candidates of a fitted ``GridSearchCV``,
``RandomizedSearchCV``, ``HalvingGridSearchCV`` or ``HalvingRandomSearchCV`` into a
Rashomon set (the "CASHomon sets" of Ewald et al. 2026: one set holding logistic
regressions, random forests and gradient boosting side by side when the search spans
them, for example through a Pipeline step that is itself a parameter). The classmethod
documents the parameters; this module does the work and takes the class as ``cls`` (it
cannot import ``_set``, which imports it).

Candidate ``i`` is ``clone(clone(search_cv.estimator).set_params(**params_i))`` for the
``i``-th entry of ``cv_results_["params"]`` (of the last iteration for successive
halving), exactly as scikit-learn builds it; the outer clone keeps an estimator given as
a parameter value (shared by several candidates) from being fitted in place.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from numpy.typing import NDArray
from sklearn.base import clone

from .. import _errors
from .._checks import check_epsilon, check_regression_target, check_X_y, n_samples_of
from .._lazy import is_instance, lazy_module
from .._parallel import one_thread_per_fit
from .._validation import align_to
from ._losses import check_loss, model_loss, model_task, needs_proba, resolve_loss

__all__ = ["CVScoreLoss", "set_from_search"]

# ---------------------------------------------------------------- message templates
_ONE_MINUS = frozenset({"accuracy", "balanced_accuracy", "top_k_accuracy", "r2",
                        "explained_variance", "average_precision", "matthews_corrcoef"})
_ONE_MINUS_PREFIXES = ("roc_auc", "f1", "precision", "recall", "jaccard", "d2_")
# Losses within this much of the threshold count as inside: _set._LOSS_SLACK, used here
# only to guess which candidates to refit ahead (a wrong guess refits on demand).
_SLACK = 1e-12

_sk_multiclass = lazy_module("sklearn.utils.multiclass")
_sk_exceptions = lazy_module("sklearn.exceptions")


class CVScoreLoss:
    """The loss of a Rashomon set defined by cross-validated scores (``scores="cv"``).

    Stands in ``RashomonSet.loss`` for the record: ``str(loss)`` says which column of
    ``cv_results_`` the losses come from and how (``1 - score`` for scorers whose best
    value is 1, such as accuracy and R²; ``-score`` otherwise, so that ``neg_log_loss``
    gives the log loss). It cannot be called on new predictions.

    Attributes
    ----------
    key : str
        The column of ``cv_results_``, e.g. ``"mean_test_score"``.
    scoring : str or None
        The scorer's name (the estimator's ``score`` is ``"accuracy"`` for classifiers
        and ``"r2"`` for regressors); None for a callable scorer.
    one_minus : bool
        Whether the loss is ``1 - score`` (else ``-score``).
    """

    __slots__ = ("key", "one_minus", "scoring")

    def __init__(self, key: str, scoring: str | None, one_minus: bool) -> None:
        self.key = key
        self.scoring = scoring
        self.one_minus = one_minus

    def losses(self, scores: NDArray[np.float64]) -> NDArray[np.float64]:
        """The losses of the given cross-validated mean scores."""
        return 1.0 - scores if self.one_minus else -scores

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        raise TypeError(_errors.SEARCH_CV_LOSS_CALL.format(self))

    def __str__(self) -> str:
        what = "a callable scorer" if self.scoring is None else repr(self.scoring)
        return f"{'1 - ' if self.one_minus else '-'}{self.key} (cross-validated, {what})"

    def __repr__(self) -> str:
        return f"CVScoreLoss({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, CVScoreLoss) and (self.key, self.scoring, self.one_minus)
                == (other.key, other.scoring, other.one_minus))

    def __hash__(self) -> int:
        return hash((self.key, self.scoring, self.one_minus))

    def __reduce__(self) -> tuple:
        return CVScoreLoss, (self.key, self.scoring, self.one_minus)


# ---------------------------------------------------------------------- the search
def _check_search(search_cv: Any) -> None:
    """A scikit-learn search (any ``BaseSearchCV``) that has been fitted."""
    if not is_instance(search_cv, "sklearn.model_selection._search", "BaseSearchCV"):
        hint = _errors.SEARCH_TYPE_HINT if hasattr(search_cv, "fit") else ""
        got = type(search_cv).__name__
        raise TypeError(_errors.SEARCH_TYPE.format(got=f"a {got}", hint=hint))
    if not hasattr(search_cv, "cv_results_"):
        raise _sk_exceptions.NotFittedError(
            _errors.SEARCH_NOT_FITTED.format(name=type(search_cv).__name__))


def _rows(search_cv: Any) -> NDArray[np.intp]:
    """Rows of ``cv_results_`` that are the candidates: all of them, or the last
    iteration's of a successive-halving search (the only rows whose scores share one
    amount of resources)."""
    results = search_cv.cv_results_
    n = len(results["params"])
    if "iter" in results and is_instance(
            search_cv, "sklearn.model_selection._search_successive_halving",
            "BaseSuccessiveHalving"):
        it = np.asarray(results["iter"])
        return np.flatnonzero(it == it.max())
    return np.arange(n)


def _is_one_minus(name: str | None) -> bool:
    return name is not None and (name in _ONE_MINUS or name.startswith(_ONE_MINUS_PREFIXES))


def cv_loss(search_cv: Any, task: str) -> CVScoreLoss:
    """How the cross-validated scores of ``search_cv`` become losses (see CVScoreLoss)."""
    scoring = search_cv.scoring
    if getattr(search_cv, "multimetric_", False):
        names = sorted(k[len("mean_test_"):] for k in search_cv.cv_results_
                       if k.startswith("mean_test_"))
        refit = search_cv.refit
        if not isinstance(refit, str) or refit not in names:
            raise ValueError(_errors.SEARCH_MULTIMETRIC.format(names=", ".join(names), refit=refit))
        if isinstance(scoring, dict):
            name = scoring[refit] if isinstance(scoring.get(refit), str) else None
        elif isinstance(scoring, list | tuple | set):
            name = refit
        else:  # a callable that returns a dict of scores
            name = None
        key = f"mean_test_{refit}"
    else:
        key = "mean_test_score"
        if scoring is None:
            name = "accuracy" if task == "classification" else "r2"
        else:
            name = scoring if isinstance(scoring, str) else None
    return CVScoreLoss(key, name, _is_one_minus(name))


def _failed(search_cv: Any, rows: NDArray[np.intp]) -> NDArray[np.bool_]:
    """Candidates whose cross-validation failed: a NaN mean test score (any metric)."""
    results = search_cv.cv_results_
    bad = np.zeros(len(rows), dtype=bool)
    for key in results:
        if key.startswith("mean_test_"):
            bad |= np.isnan(np.asarray(results[key], dtype=np.float64)[rows])
    return bad


def _failed_key(search_cv: Any) -> str:
    keys = [k for k in search_cv.cv_results_ if k.startswith("mean_test_")]
    return keys[0] if len(keys) == 1 else "mean_test_*"


def _params_text(params: dict[str, Any], limit: int = 200) -> str:
    text = repr(params)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _task_of(candidates: Sequence[Any]) -> str:
    """The task every candidate shares (read from the unfitted estimators' tags)."""
    tasks = [model_task(est) for est in candidates]
    if len(set(tasks)) > 1:
        i, j = tasks.index("regression"), tasks.index("classification")
        raise ValueError(_errors.SEARCH_TASK_MIX.format(
            i=i, j=j, rname=_name(candidates[i]), cname=_name(candidates[j])))
    return tasks[0]


def _name(est: Any) -> str:
    """``Pipeline(LogisticRegression)`` for a pipeline, the class name otherwise."""
    steps = getattr(est, "steps", None)
    if steps:
        return f"{type(est).__name__}({type(steps[-1][1]).__name__})"
    return type(est).__name__


# ------------------------------------------------------------------------ the data
def _check_target(X: Any, y: Any, task: str, search_cv: Any) -> NDArray:
    """``y`` in the row order of ``X``, as an array checked for the task."""
    y = align_to(X, y, name="y")
    y_arr = check_X_y(X, y)
    if task == "regression":
        return check_regression_target(y_arr)
    kind = _sk_multiclass.type_of_target(y_arr)
    if kind.startswith("continuous"):
        raise ValueError(_errors.SEARCH_TARGET.format(name=_name(search_cv.estimator), kind=kind))
    classes = np.unique(y_arr)
    if classes.size < 2:
        raise ValueError(_errors.ONE_CLASS.format(name="y", label=classes[0]))
    return y_arr


def _check_rashomon_data(data: Any, task: str) -> tuple[Any, Any]:
    """``(X_val, y_val)`` of ``rashomon_data`` (``y_val`` matched to ``X_val`` on the
    index), or ``(None, None)``."""
    if data is None:
        return None, None
    if not isinstance(data, tuple | list) or len(data) != 2:
        got = (f"a {type(data).__name__} of length {len(data)}"
               if isinstance(data, tuple | list) else f"a {type(data).__name__}")
        raise ValueError(_errors.SEARCH_RASHOMON_DATA.format(got=got))
    X_val, y_val = data
    y_val = align_to(X_val, y_val, name="y_val", reference_name="X_val")
    n_val, y_arr = n_samples_of(X_val), np.asarray(
        y_val.to_numpy() if hasattr(y_val, "to_numpy") else y_val)
    if y_arr.ndim != 1 or len(y_arr) != n_val or n_val == 0:
        raise ValueError(_errors.LENGTH_MISMATCH.format(a="X_val", b="y_val", na=n_val,
                                                        nb=y_arr.shape[0] if y_arr.ndim else 0))
    if task == "regression":
        y_arr = check_regression_target(y_arr, "y_val")
    return X_val, y_arr


# --------------------------------------------------------------------- refitting
def _refit_one(position: int, estimator: Any, params: dict[str, Any], X: Any, y: NDArray,
               X_eval: Any, y_eval: NDArray | None, loss: str | Callable | None,
               loss_input: str, one_thread: bool) -> tuple[int, Any, float]:
    """Fit candidate ``position`` on ``(X, y)``; its loss on ``(X_eval, y_eval)`` (NaN
    when ``loss`` is None)."""
    with one_thread_per_fit() if one_thread else nullcontext():
        try:
            estimator.fit(X, y)
        except Exception as exc:
            raise ValueError(_errors.SEARCH_REFIT_FAILED.format(
                position=position, params=_params_text(params),
                error=f"{type(exc).__name__}: {exc}")) from exc
        value = np.nan if loss is None else model_loss(estimator, X_eval, y_eval, loss,
                                                       loss_input)
    return position, estimator, value


class _Candidates(Sequence):
    """The candidates as a sequence of fitted models: refitted ahead in parallel
    (:meth:`refit`), or on first access (what the Rashomon set keeps)."""

    def __init__(self, estimators: list[Any], params: list[dict[str, Any]], X: Any,
                 y: NDArray) -> None:
        self._estimators, self._params, self._X, self._y = estimators, params, X, y
        self.fitted: dict[int, Any] = {}

    def refit(self, positions: Sequence[int], n_jobs: int | None, X_eval: Any = None,
              y_eval: NDArray | None = None, loss: Any = None,
              loss_input: str = "predict") -> dict[int, float]:
        """Refit ``positions`` (with their losses when ``loss`` is given)."""
        positions = [p for p in positions if p not in self.fitted]
        one_thread = len(positions) > 1 and effective_n_jobs(n_jobs) > 1
        tasks = (delayed(_refit_one)(p, self._estimators[p], self._params[p], self._X,
                                     self._y, X_eval, y_eval, loss, loss_input, one_thread)
                 for p in positions)
        out = {}
        for p, model, value in Parallel(n_jobs=n_jobs)(tasks):
            self.fitted[p] = model
            out[p] = value
        return out

    def __len__(self) -> int:
        return len(self._estimators)

    def __getitem__(self, position: Any) -> Any:
        if not isinstance(position, numbers.Integral):
            raise TypeError("candidates are read one position at a time")
        if position not in self.fitted:
            self.refit([int(position)], None)
        return self.fitted[position]


# ----------------------------------------------------------------------- the set
def _baseline_position(baseline: Any, losses: NDArray[np.float64], failed: NDArray,
                       search_cv: Any, rows: NDArray[np.intp], key: str) -> int:
    n = len(losses)
    if baseline is None:
        return int(np.nanargmin(losses))
    if isinstance(baseline, str) and baseline == "best":
        best = getattr(search_cv, "best_index_", None)
        if best is None:
            raise ValueError(_errors.SEARCH_NO_BEST)
        hits = np.flatnonzero(rows == int(best))
        if not hits.size:  # never for scikit-learn's searches
            raise ValueError(_errors.SEARCH_NO_BEST)
        position = int(hits[0])
    elif isinstance(baseline, numbers.Integral) and not isinstance(baseline, bool):
        if not -n <= int(baseline) < n:
            raise ValueError(_errors.BASELINE_INDEX.format(index=baseline, n_models=n))
        position = int(baseline) % n
    else:
        raise ValueError(_errors.SEARCH_BASELINE.format(n=n, got=baseline))
    if failed[position] or not np.isfinite(losses[position]):
        raise ValueError(_errors.SEARCH_BASELINE_FAILED.format(index=baseline, position=position,
                                                       key=key))
    return position


def set_from_search(cls: Any, search_cv: Any, X: Any, y: Any, *, epsilon: float,
                    epsilon_mode: str, scores: str, loss: str | Callable | None,
                    loss_input: str, baseline: int | str | None, rashomon_data: Any,
                    n_jobs: int | None) -> Any:
    """The Rashomon set (of class ``cls``) of the candidates of ``search_cv``; see
    :meth:`RashomonSet.from_search` for the parameters."""
    _check_search(search_cv)
    if not isinstance(scores, str) or scores not in ("refit", "cv"):
        raise ValueError(_errors.SEARCH_SCORES.format(scores))
    eps = check_epsilon(epsilon, epsilon_mode)
    check_loss(loss, loss_input)
    rows = _rows(search_cv)
    params = [search_cv.cv_results_["params"][r] for r in rows]
    estimators = [clone(clone(search_cv.estimator).set_params(**p)) for p in params]
    task = _task_of(estimators)
    if scores == "cv":
        how = cv_loss(search_cv, task)
        if loss is not None:
            raise ValueError(_errors.SEARCH_CV_LOSS.format(loss=loss, cv_loss=how))
        if rashomon_data is not None:
            raise ValueError(_errors.SEARCH_CV_DATA)
    y_arr = _check_target(X, y, task, search_cv)
    X_eval, y_eval = _check_rashomon_data(rashomon_data, task)
    if X_eval is None:
        X_eval, y_eval = X, y_arr

    failed = _failed(search_cv, rows)
    key = _failed_key(search_cv)
    if failed.all():
        raise ValueError(_errors.SEARCH_ALL_FAILED.format(key=key, n=len(rows)))
    if failed.any():
        bad = np.flatnonzero(failed)
        shown = ", ".join(map(str, bad[:10])) + (", ..." if bad.size > 10 else "")
        warnings.warn(_errors.SEARCH_FAILED.format(count=bad.size, n=len(rows), key=key,
                                           shown=shown), UserWarning, stacklevel=3)
    candidates = _Candidates(estimators, params, X, y_arr)

    if scores == "refit":
        loss = resolve_loss(loss, task)
        if needs_proba(loss, loss_input):
            for i, est in enumerate(estimators):
                if not failed[i] and not hasattr(est, "predict_proba"):
                    raise TypeError(_errors.SEARCH_NEEDS_PROBA.format(loss=loss, position=i,
                                                              name=_name(est)))
        losses = np.full(len(rows), np.nan)
        for p, value in candidates.refit(np.flatnonzero(~failed), n_jobs, X_eval, y_eval,
                                         loss, loss_input).items():
            losses[p] = value
        b = _baseline_position(baseline, losses, failed, search_cv, rows, key)
        return cls._within_epsilon(candidates, losses, b, eps, epsilon_mode, loss)

    cv_scores = np.asarray(search_cv.cv_results_[how.key], dtype=np.float64)[rows]
    losses = how.losses(cv_scores)
    losses[failed] = np.nan
    b = _baseline_position(baseline, losses, failed, search_cv, rows, key)
    if epsilon_mode == "relative" and losses[b] < 0:
        raise ValueError(_errors.SEARCH_CV_RELATIVE.format(loss=float(losses[b]), cv_loss=how))
    # refit ahead, side by side, the candidates that will be members
    thr = losses[b] + eps if epsilon_mode == "absolute" else losses[b] * (1.0 + eps)
    with np.errstate(invalid="ignore"):
        inside = np.flatnonzero(losses <= thr + _SLACK * max(1.0, abs(thr)))
    candidates.refit(inside, n_jobs)
    return cls._within_epsilon(candidates, losses, b, eps, epsilon_mode, how)
