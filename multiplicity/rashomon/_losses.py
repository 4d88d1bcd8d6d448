"""Losses that define a Rashomon set, evaluated for one fitted classifier."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

LOSSES = ("zero_one", "log_loss", "brier")


def check_loss(loss: object, loss_input: str) -> None:
    """Validate ``loss`` (a name or a callable) and ``loss_input``."""
    if callable(loss):
        if loss_input not in ("predict", "predict_proba"):
            raise ValueError(
                f"loss_input must be 'predict' or 'predict_proba', got {loss_input!r}")
        return
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES} or a callable, got {loss!r}")


def needs_proba(loss: str | Callable, loss_input: str) -> bool:
    """Whether evaluating ``loss`` calls ``predict_proba``."""
    if callable(loss):
        return loss_input == "predict_proba"
    return loss in ("log_loss", "brier")


def model_loss(model, X, y: np.ndarray, loss: str | Callable, loss_input: str = "predict"
               ) -> float:
    """Loss of a fitted classifier on ``(X, y)``.

    ``"zero_one"``: misclassification rate. ``"log_loss"``: mean negative log-likelihood
    (scikit-learn's ``log_loss``, which clips probabilities away from 0 and 1).
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
