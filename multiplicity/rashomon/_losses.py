"""Losses that define a Rashomon set, evaluated for one fitted classifier or regressor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from sklearn.base import is_classifier, is_regressor

#: Losses of classifiers (on labels or probabilities).
CLASSIFICATION_LOSSES = ("zero_one", "log_loss", "brier")
#: Losses of regressors (on continuous predictions).
REGRESSION_LOSSES = ("squared_error", "absolute_error")
LOSSES = CLASSIFICATION_LOSSES + REGRESSION_LOSSES
#: The loss a set is defined by when none is given.
DEFAULT_LOSS = {"classification": "zero_one", "regression": "squared_error"}

Task = Literal["classification", "regression"]


def model_task(model: Any) -> Task:
    """``"regression"`` for a regressor, ``"classification"`` otherwise.

    A regressor is what scikit-learn's ``is_regressor`` says is one, or (for models
    without scikit-learn's tags) a model with ``predict`` but neither ``predict_proba``
    nor ``classes_``.
    """
    if is_regressor(model):
        return "regression"
    if is_classifier(model):
        return "classification"
    if (hasattr(model, "predict") and not hasattr(model, "predict_proba")
            and not hasattr(model, "classes_")):
        return "regression"
    return "classification"


def resolve_loss(loss: object, task: Task) -> str | Callable:
    """``loss`` for a set of ``task`` models: None is the task's default; a named loss
    must belong to the task."""
    if loss is None:
        return DEFAULT_LOSS[task]
    if callable(loss):
        return loss
    allowed = REGRESSION_LOSSES if task == "regression" else CLASSIFICATION_LOSSES
    if loss not in allowed:
        models = "regressors" if task == "regression" else "classifiers"
        other = "classifiers" if task == "regression" else "regressors"
        if loss in LOSSES:
            raise ValueError(f"loss={loss!r} is a loss of {other}, but the models are "
                             f"{models}; use one of {allowed} or a callable (or None for "
                             f"{DEFAULT_LOSS[task]!r})")
        raise ValueError(f"loss must be one of {allowed} or a callable for {models}, got "
                         f"{loss!r}")
    return loss


def check_loss(loss: object, loss_input: str) -> None:
    """Validate ``loss`` (a name, a callable or None) and ``loss_input``."""
    if callable(loss):
        if loss_input not in ("predict", "predict_proba"):
            raise ValueError(
                f"loss_input must be 'predict' or 'predict_proba', got {loss_input!r}")
        return
    if loss is not None and loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, a callable or None, got {loss!r}")


def needs_proba(loss: str | Callable, loss_input: str) -> bool:
    """Whether evaluating ``loss`` calls ``predict_proba``."""
    if callable(loss):
        return loss_input == "predict_proba"
    return loss in ("log_loss", "brier")


def model_loss(model, X, y: np.ndarray, loss: str | Callable, loss_input: str = "predict"
               ) -> float:
    """Loss of a fitted classifier or regressor on ``(X, y)``.

    ``"squared_error"`` and ``"absolute_error"`` (regressors): mean of ``(f(x) - y)**2``
    and of ``|f(x) - y|`` (scikit-learn's ``mean_squared_error`` and
    ``mean_absolute_error``). ``"zero_one"``: misclassification rate. ``"log_loss"``:
    mean negative log-likelihood (scikit-learn's ``log_loss``, which clips probabilities
    away from 0 and 1).
    ``"brier"``: mean over samples of ``sum_c (p_c - 1[y = c])**2`` (Brier 1950; for two
    classes twice scikit-learn's ``brier_score_loss``). A callable is called as
    ``loss(y, model.predict(X))``, or with ``predict_proba`` output when
    ``loss_input="predict_proba"``, and must return a float.
    """
    if callable(loss):
        out = model.predict_proba(X) if loss_input == "predict_proba" else model.predict(X)
        value = float(loss(y, out))
        if not np.isfinite(value):
            raise ValueError(f"the loss callable returned {value!r} for a model; expected a "
                             "finite float")
        return value
    if loss in REGRESSION_LOSSES:
        residual = np.asarray(model.predict(X), dtype=np.float64).reshape(-1) - y
        if residual.shape != y.shape:
            raise ValueError(f"{type(model).__name__}.predict returned {residual.size} values "
                             f"for {y.size} samples; expected one number per sample")
        value = float(np.mean(residual ** 2 if loss == "squared_error" else np.abs(residual)))
        if not np.isfinite(value):
            raise ValueError(f"{type(model).__name__} predicts non-finite values; its "
                             f"{loss} is {value!r}")
        return value
    if loss == "zero_one":
        return float(np.mean(np.asarray(model.predict(X)) != y))
    if not hasattr(model, "predict_proba"):
        raise TypeError(f"loss={loss!r} needs predict_proba, which "
                        f"{type(model).__name__} does not have; use loss='zero_one'")
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    # float32 probabilities (some models, e.g. MLPs on float32 input) sum to 1 only to
    # ~1e-7, which scikit-learn's log_loss would warn about; renormalise in float64.
    proba = proba / proba.sum(axis=1, keepdims=True)
    classes = np.asarray(model.classes_)
    if loss == "log_loss":
        from sklearn.metrics import log_loss

        return float(log_loss(y, proba, labels=classes))
    onehot = (y[:, None] == classes[None, :]).astype(np.float64)
    return float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))
