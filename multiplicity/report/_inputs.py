"""The inputs of :func:`~multiplicity.report.audit`: held-out data, sensitive groups,
annotations, and the models it is given (a set, a fitted explorer, a list or a learner).

The scalar arguments are checked by the package's core checks (``multiplicity._checks``);
this module reads the arguments whose forms are the audit's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from .. import _errors
from .._checks import check_regression_target, check_y_for_X
from .._groups import Groups, group_labels
from .._validation import align_to, check_positive_delta, check_threshold
from ..annotation import Annotations
from ..rashomon import RashomonSet
from ._context import ModelsKind, Source

__all__ = ["Task", "as_annotations", "check_sensitive", "check_test_data",
           "default_regression_delta", "given_set", "models_kind", "regression_delta",
           "regression_threshold", "resolve_task"]

Task = Literal["classification", "regression"]

# Intersectional tables with more groups than this are left out (too fine to read).
_MAX_INTERSECTIONS = 40


def check_test_data(X: Any, y_arr: np.ndarray, X_test: Any, y_test: Any,
                    task: Task = "classification"
                    ) -> tuple[Any, np.ndarray] | tuple[None, None]:
    """``(X_test, y_test)`` checked against the training data, or ``(None, None)``. For
    regression ``y_test`` must be finite numbers (float64); for classification every class
    of ``y_test`` must be one of ``y``."""
    if X_test is None and y_test is None:
        return None, None
    if X_test is None or y_test is None:
        raise ValueError("X_test and y_test go together: pass both (the held-out rows and "
                         "their labels) or neither (then every measure is in-sample)")
    if isinstance(X, pd.DataFrame) != isinstance(X_test, pd.DataFrame):
        raise TypeError("X_test must be of the same kind as X (both DataFrames or both "
                        f"arrays), got {type(X).__name__} and {type(X_test).__name__}")
    if isinstance(X, pd.DataFrame):
        missing = [c for c in X.columns if c not in X_test.columns]
        if missing:
            raise ValueError(f"X_test lacks columns of X: {missing[:10]}")
        X_test = X_test[list(X.columns)]              # the column order the models saw
    else:
        shape, shape_t = np.shape(X), np.shape(X_test)
        if len(shape_t) != len(shape) or shape_t[1:] != shape[1:]:
            raise ValueError(f"X_test must have the features of X: shape (n, "
                             f"{', '.join(map(str, shape[1:]))}), got {shape_t}")
    y_test = align_to(X_test, y_test, name="y_test", reference_name="X_test")
    y_test_arr = check_y_for_X(X_test, y_test, "X_test", "y_test")
    if task == "regression":
        return X_test, check_regression_target(y_test_arr, "y_test")
    unseen = sorted(set(pd.unique(y_test_arr)) - set(pd.unique(y_arr)), key=str)
    if unseen:
        raise ValueError(f"y_test holds classes that y does not: {unseen[:10]}; the models "
                         "cannot predict a class they never saw")
    return X_test, y_test_arr


def _rows_of(values: Any, X: Any, name: str, x_name: str) -> Any:
    """The entries of a pandas ``values`` for the rows of ``X`` (by index label)."""
    if not isinstance(values, pd.Series | pd.DataFrame) or not isinstance(
            X, pd.Series | pd.DataFrame):
        return values
    if values.index.equals(X.index):
        return values
    # A frame of the whole data may hold more rows than X (e.g. the test rows only).
    if not values.index.has_duplicates and X.index.isin(values.index).all():
        return values.loc[X.index]
    return align_to(X, values, name=name, reference_name=x_name)


def check_sensitive(sensitive_features: Any, X: Any, n: int,
                    x_name: str = "X") -> dict[str, Groups]:
    """Name -> the groups of each row (the package's one rule, ``multiplicity._groups``);
    with several features also their intersection. See the ``sensitive_features``
    parameter of :func:`~multiplicity.report.audit`."""
    sf = _rows_of(sensitive_features, X, "sensitive_features", x_name)
    if sf is None:
        return {}
    if isinstance(sf, str):
        sf = [sf]
    if isinstance(sf, pd.DataFrame):
        items = {str(c): sf[c] for c in sf.columns}
    elif isinstance(sf, pd.Series):
        items = {str(sf.name) if sf.name is not None else "group": sf}
    elif isinstance(sf, Mapping):
        items = {str(k): _rows_of(v, X, f"sensitive_features[{k!r}]", x_name)
                 for k, v in sf.items()}
    elif isinstance(sf, list | tuple) and sf and all(isinstance(s, str) for s in sf):
        columns = getattr(X, "columns", None)
        for s in sf:
            if columns is None or s not in columns:
                have = [] if columns is None else [str(c) for c in columns]
                raise ValueError(f"sensitive feature {s!r} is not a column of {x_name} "
                                 f"(columns: {have})" if columns is not None else
                                 f"sensitive feature {s!r} names a column, but X has no "
                                 "column names; pass the group labels as an array")
        items = {s: X[s] for s in sf}
    else:
        arr = np.asarray(sf, dtype=object)
        if arr.ndim != 1:
            raise TypeError("sensitive_features must be column names of X, a Series, a "
                            "DataFrame, a dict name -> labels, or one array of labels")
        items = {"group": arr}
    index = X.index if isinstance(X, pd.DataFrame | pd.Series) else None
    out = {name: group_labels(v, index=index, n=n, name=f"sensitive feature {name!r}",
                              reference_name=x_name)
           for name, v in items.items()}
    if len(out) >= 2:
        both = _intersection(out)
        if len(both.names) <= _MAX_INTERSECTIONS:
            out[" x ".join(out)] = both
    return out


def _intersection(groups: dict[str, Groups]) -> Groups:
    """Every feature's groups (bins included) crossed: the combinations that occur, in the
    lexicographic order of their parts, labelled ``"sex=female, age in (34, 50]"``."""
    def part(name: str, label: Any) -> str:
        text = str(label)
        return text if text.startswith(f"{name} in ") else f"{name}={text}"

    stacked = np.column_stack([g.codes for g in groups.values()])
    combos, codes = np.unique(stacked, axis=0, return_inverse=True)
    names = pd.Index([", ".join(part(name, g.names[c]) for (name, g), c in
                                zip(groups.items(), row, strict=True)) for row in combos])
    codes = codes.reshape(-1).astype(np.int64)
    return Groups(labels=np.asarray(names, dtype=object)[codes], codes=codes, names=names,
                  description=f"the combinations of {', '.join(groups)} that occur",
                  features=tuple(f for g in groups.values() for f in g.features))


def as_annotations(annotations: Any) -> Annotations | None:
    """An :class:`~multiplicity.annotation.Annotations` from the ``annotations`` argument:
    itself, a long table (columns ``item``, ``annotator``, ``label``) or a wide one."""
    if annotations is None:
        return None
    if isinstance(annotations, Annotations):
        return annotations
    if isinstance(annotations, pd.DataFrame) and {"item", "annotator", "label"} <= set(
            annotations.columns):
        return Annotations.from_long(annotations)
    return Annotations.from_wide(annotations)


def models_kind(estimator: Any) -> ModelsKind:
    """What ``audit`` was given: "set", "explorer" (fitted), "models" or "estimator"."""
    if isinstance(estimator, RashomonSet):
        return "set"
    if hasattr(type(estimator), "rashomon_set_") or hasattr(estimator, "rashomon_set_"):
        try:
            estimator.rashomon_set_  # noqa: B018 - raises when the explorer is not fitted
        except (AttributeError, ValueError):
            return "estimator"
        return "explorer"
    if isinstance(estimator, list | tuple):
        if not estimator:
            raise ValueError("estimator is an empty list; pass fitted models, a "
                             "RashomonSet, a fitted explorer or an estimator to retrain")
        if all(hasattr(m, "predict") for m in estimator):
            return "models"
        raise TypeError("estimator is a list, but not of fitted models (objects with "
                        "predict)")
    return "estimator"


def given_set(kind: ModelsKind, estimator: Any, X: Any, y: np.ndarray, eps: float,
              epsilon_mode: Literal["absolute", "relative"] = "absolute"
              ) -> tuple[Any, RashomonSet, Any, Source]:
    """``(explorer or None, RashomonSet, estimator for the exact methods, source)`` for
    models the user already has (audited without refitting); a list of models forms its
    set with ``epsilon`` in ``epsilon_mode``."""
    explorer = None
    if kind == "set":
        rset = estimator
    elif kind == "explorer":
        explorer, rset = estimator, estimator.rashomon_set_
    else:
        for i, model in enumerate(estimator):
            try:
                check_is_fitted(model)
            except NotFittedError:
                raise ValueError(f"model {i} of the list is not fitted; pass fitted models "
                                 "(or one estimator, which the audit retrains)") from None
            except TypeError:
                pass
        rset = RashomonSet.from_models(list(estimator), X, y, epsilon=eps,
                                       epsilon_mode=epsilon_mode)
    base = rset.models_[rset.baseline_index_]
    losses = (np.asarray(explorer.candidate_losses_, dtype=np.float64)
              if explorer is not None and hasattr(explorer, "candidate_losses_")
              else np.asarray(rset.losses_, dtype=np.float64))
    base_idx = (int(explorer.baseline_index_) if explorer is not None and
                hasattr(explorer, "baseline_index_") else int(rset.baseline_index_))
    what = ("a Rashomon set" if kind == "set" else
            f"a fitted {type(estimator).__name__}" if kind == "explorer" else
            f"a list of {len(estimator)} fitted models")
    if kind == "models":  # the set keeps only the models within epsilon
        losses, base_idx = np.array([rset.baseline_loss_]), 0
    source = Source(kind=kind, what=what, candidate_losses=losses, baseline_index=base_idx,
                    n_candidates=len(estimator) if kind == "models" else len(losses),
                    epsilon=float(rset.epsilon), refitted=False)
    return explorer, rset, base, source


# ---------------------------------------------------------------------- task
def _task_of_model(model: Any) -> Task | None:
    """What scikit-learn's tags say ``model`` is (None: neither tag)."""
    if is_regressor(model):
        return "regression"
    if is_classifier(model):
        return "classification"
    return None


def resolve_task(task: object, kind: ModelsKind, estimator: Any) -> Task:
    """The task of the audit: ``task`` when given (checked against the estimator), else
    the estimator's. A set or fitted explorer has its set's ``task``; a list of models or
    a learner is a regressor when scikit-learn's ``is_regressor`` says so. What is neither
    tagged regressor nor classifier is audited as ``task`` says, or as a classifier (the
    behaviour before regression audits existed)."""
    if task is not None and task not in ("classification", "regression"):
        raise ValueError(_errors.TASK_VALUE.format(task))
    found: Task | None
    if kind == "set":
        found, what, does = estimator.task, "the Rashomon set", "holds " + (
            "regressors" if estimator.task == "regression" else "classifiers")
    elif kind == "explorer":
        rtask = getattr(estimator.rashomon_set_, "task", "classification")
        found, what, does = rtask, f"the fitted {type(estimator).__name__}", (
            "explored " + ("regressors" if rtask == "regression" else "classifiers"))
    elif kind == "models":
        tasks = {_task_of_model(m) for m in estimator}
        found = tasks.pop() if len(tasks) == 1 else None
        what, does = "the list of models", "holds scikit-learn " + (
            "regressors" if found == "regression" else "classifiers")
    else:
        found, what = _task_of_model(estimator), type(estimator).__name__
        does = "is_regressor is True" if found == "regression" else "is_classifier is True"
    if task is None:
        return found or "classification"
    if found is not None and found != task:
        raise ValueError(_errors.TASK_MISMATCH.format(task=task, what=what, found=found, does=does))
    return task  # type: ignore[return-value]


def regression_threshold(threshold: object, task: Task) -> float | None:
    """A decision ``threshold``: None, or a finite number with a regression audit."""
    if threshold is None:
        return None
    if task != "regression":
        raise ValueError(_errors.THRESHOLD_CLASSIFIERS)
    return check_threshold(threshold)


def default_regression_delta(y: np.ndarray) -> float:
    """0.1 x the standard deviation (``np.std``, ddof=0) of the training target."""
    sd = float(np.std(y))
    if not sd > 0:
        raise ValueError(_errors.DELTA_ZERO_SPREAD)
    return 0.1 * sd


def regression_delta(delta: object, y: np.ndarray) -> tuple[float, str]:
    """``(delta, how it was chosen)`` of a regression audit: the one given (finite, > 0,
    target units) or 0.1 x the standard deviation of the training target ``y``."""
    if delta is None:
        d = default_regression_delta(y)
        return d, (f"the default, 0.1 x the standard deviation of the training target "
                   f"({float(np.std(y)):.6g})")
    return check_positive_delta(delta), "given"
