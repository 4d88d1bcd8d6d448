"""Losses of every member of a Rashomon set on a data set (the interaction cloud and the
masking explorer measure sets by them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["LOSS_NAMES", "check_cloud_loss", "member_losses"]

LOSS_NAMES = ("log_loss", "zero_one", "brier")
NEEDS_PROBA = ("loss={loss!r} needs predict_proba, which member {index} of the set "
               "({name}) does not have; use loss='zero_one' or a callable on predictions")


def check_cloud_loss(rashomon_set: Any, loss: object, loss_input: object) -> str | Callable:
    """The loss to use: a name from ``LOSS_NAMES`` or a callable; every member must have
    the method it needs."""
    if loss_input not in ("predict", "predict_proba"):
        raise ValueError(f"loss_input must be 'predict' or 'predict_proba', got "
                         f"{loss_input!r}")
    if loss is None:
        loss = "log_loss" if rashomon_set.has_predict_proba else "zero_one"
    elif not (callable(loss) or loss in LOSS_NAMES):
        raise ValueError(f"loss must be one of {LOSS_NAMES}, a callable or None, got "
                         f"{loss!r}")
    method = ("predict_proba" if loss in ("log_loss", "brier")
              or (callable(loss) and loss_input == "predict_proba") else "predict")
    for i, mdl in enumerate(rashomon_set):
        if not hasattr(mdl, method):
            if method == "predict_proba":
                raise TypeError(NEEDS_PROBA.format(loss=loss, index=i,
                                                   name=type(mdl).__name__))
            raise TypeError(f"member {i} of the set ({type(mdl).__name__}) has no predict")
    return loss


def member_losses(rashomon_set: Any, X: Any, y: NDArray, y_codes: NDArray,
                  loss: str | Callable, loss_input: str = "predict") -> NDArray[np.float64]:
    """Mean loss of every member on ``(X, y)``: ``(n_models,)``.

    ``"zero_one"``: error rate. ``"log_loss"``: mean of ``-log p(y)``, probabilities
    renormalised per row and clipped to ``[eps, 1 - eps]`` as scikit-learn's ``log_loss``
    does. ``"brier"``: mean of ``sum_c (p_c - 1[y = c])**2``. A callable is called as
    ``loss(y, member.predict(X))`` (or ``predict_proba`` output). Predictions are made in
    chunks of rows (:meth:`RashomonSet.predict_codes`, :meth:`RashomonSet.iter_proba`).
    """
    if callable(loss):
        outs = (m.predict_proba(X) if loss_input == "predict_proba" else m.predict(X)
                for m in rashomon_set)
        return np.array([float(loss(y, out)) for out in outs])
    if loss == "zero_one":
        return (rashomon_set.predict_codes(X) != y_codes[None, :]).mean(axis=1)
    total = np.zeros(len(rashomon_set))
    eps = np.finfo(np.float64).eps
    for lo, Q in rashomon_set.iter_proba(X):
        Q = Q / Q.sum(axis=2, keepdims=True)
        yc = y_codes[lo:lo + Q.shape[1]]
        if loss == "log_loss":
            p = np.clip(Q[:, np.arange(Q.shape[1]), yc], eps, 1.0 - eps)
            total -= np.log(p).sum(axis=1)
        else:
            Q[:, np.arange(Q.shape[1]), yc] -= 1.0
            total += np.einsum("mnk,mnk->m", Q, Q)
    return total / len(y)
