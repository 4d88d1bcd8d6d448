"""Batched evaluation of binary linear members: one matrix product for the whole set.

When every member is a binary scikit-learn linear classifier whose ``predict`` (and, for
probability losses, ``predict_proba``) is scikit-learn's own code, the decision values of
all members on a (permuted) copy of X are one product ``X @ W + b`` with the members'
coefficients stacked as the columns of ``W``, instead of one ``predict`` call (with its
input validation) per member. The products are formed over chunks of rows.

Labels follow ``LinearClassifierMixin.predict`` (class 1 where the decision is > 0) and
probabilities ``LogisticRegression.predict_proba`` (``expit`` of the decision). Decisions
within ``_GUARD`` (relative) of 0 are recomputed by the member's own
``decision_function`` on those rows, so that a different summation order in the stacked
product cannot flip a label at a tie.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model._base import LinearClassifierMixin

from .._lazy import lazy_module

__all__ = ["LinearStack", "linear_stack"]

# The compiled pass loads on first use (importing Numba is slow).
_kernels = lazy_module("multiplicity.explain._kernels")

_GUARD = 1e-9
_CHUNK_VALUES = 1 << 22  # decision values per chunk (32 MiB of float64)
_CACHE_VALUES = 1 << 26  # largest n_models x n_samples decision matrix kept (512 MiB)


def _plain_linear(model: Any, proba: bool) -> bool:
    t = type(model)
    if not (isinstance(model, LinearClassifierMixin)
            and t.predict is LinearClassifierMixin.predict
            and t.decision_function is LinearClassifierMixin.decision_function):
        return False
    if proba and not (isinstance(model, LogisticRegression)
                      and t.predict_proba is LogisticRegression.predict_proba):
        return False
    coef = getattr(model, "coef_", None)
    return isinstance(coef, np.ndarray) and coef.ndim == 2 and coef.shape[0] == 1


class LinearStack:
    """Coefficients of binary linear members stacked: ``W`` (n_features, n_models), ``b``.

    :meth:`pass_values` evaluates one pass with the Numba kernel
    :func:`~multiplicity.explain._kernels._linear_pass` from the decisions on the
    unpermuted X (kept as ``DT``, ``n_models x n_samples`` float64, when that fits in
    ``_CACHE_VALUES``); a pass with a decision within the guard of 0 is redone by the
    guarded NumPy path instead, so labels at ties are the members' own.
    """

    def __init__(self, models: tuple[Any, ...]) -> None:
        self.models = models
        self.W = np.ascontiguousarray(np.column_stack([m.coef_.ravel() for m in models]),
                                      dtype=np.float64)
        self.b = np.array([float(np.ravel(m.intercept_)[0]) if np.size(m.intercept_)
                           else 0.0 for m in models])
        self.X: NDArray[np.float64] | None = None
        self.DT: NDArray[np.float64] | None = None

    def prepare(self, X: NDArray[np.float64]) -> None:
        """Keep X and the members' decisions on it (when they fit the cache budget)."""
        self.X = X
        n, m = X.shape[0], self.W.shape[1]
        if n * m > _CACHE_VALUES:
            return
        DT = np.empty((m, n))
        for lo, D in self.decisions(X):
            DT[:, lo:lo + D.shape[0]] = D.T
        self.DT = DT
        self.guard = _GUARD * (np.abs(X).max(axis=0) @ np.abs(self.W) + np.abs(self.b) + 1.0)

    def pass_values(self, work: NDArray[np.float64], columns: tuple[int, ...],
                    order: NDArray[np.intp] | None, y_codes: NDArray,
                    loss: str) -> NDArray[np.float64]:
        """Mean accuracy (``loss="accuracy"``) or mean loss of every member on ``work``,
        which is ``self.X`` with ``columns`` shown in row order ``order``."""
        if self.DT is not None:
            cols = list(columns)
            X0 = self.X
            delta = (np.ascontiguousarray(X0[order][:, cols] - X0[:, cols]) if cols
                     else np.zeros((X0.shape[0], 0)))
            Wc = np.ascontiguousarray(self.W[cols])
            kind = {"accuracy": 0, "zero_one": 0, "log_loss": 1, "brier": 2}[loss]
            sums, near = _kernels._linear_pass(self.DT, delta, Wc,
                                      np.ascontiguousarray(y_codes, dtype=np.int64), kind,
                                      self.guard)
            if not near.any():
                means = sums / X0.shape[0]
                return 1.0 - means if loss == "zero_one" else means
        if loss == "accuracy":
            return self.mean_correct(work, y_codes)
        return self.mean_loss(work, y_codes, loss)

    def decisions(self, X: NDArray[np.float64]):
        """Yield ``(lo, D)`` with ``D`` of shape (chunk, n_models), guarded at ties."""
        n, m = X.shape[0], self.W.shape[1]
        step = max(1, _CHUNK_VALUES // max(1, m))
        scale = _GUARD * (np.abs(X).max(axis=0) @ np.abs(self.W) + np.abs(self.b) + 1.0)
        for lo in range(0, n, step):
            Xc = X[lo:lo + step]
            D = Xc @ self.W + self.b
            near = np.abs(D) <= scale
            if near.any():
                for j in np.flatnonzero(near.any(axis=0)):
                    rows = np.flatnonzero(near[:, j])
                    D[rows, j] = self._own_decision(self.models[j], Xc[rows])
            yield lo, D

    @staticmethod
    def _own_decision(model: Any, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        names = getattr(model, "feature_names_in_", None)
        data = rows if names is None else pd.DataFrame(rows, columns=names)
        return np.asarray(model.decision_function(data), dtype=np.float64).ravel()

    def mean_correct(self, X: NDArray[np.float64], y_codes: NDArray) -> NDArray[np.float64]:
        """Accuracy of every member: ``(n_models,)``."""
        hits = np.zeros(self.W.shape[1], dtype=np.int64)
        for lo, D in self.decisions(X):
            yc = y_codes[lo:lo + D.shape[0], None]
            hits += ((D > 0) == (yc == 1)).sum(axis=0) - ((yc < 0) & (D <= 0)).sum(axis=0)
        return hits / X.shape[0]

    def mean_loss(self, X: NDArray[np.float64], y_codes: NDArray,
                  loss: str) -> NDArray[np.float64]:
        """Mean ``loss`` ("zero_one", "log_loss" or "brier") of every member."""
        if loss == "zero_one":
            return 1.0 - self.mean_correct(X, y_codes)
        total = np.zeros(self.W.shape[1])
        eps = np.finfo(np.float64).eps
        for lo, D in self.decisions(X):
            p1 = expit(D)
            p0 = 1 - p1
            pos = y_codes[lo:lo + D.shape[0], None] == 1
            if loss == "log_loss":
                py = np.where(pos, p1, p0)
                np.maximum(py, eps, out=py)
                np.minimum(py, 1.0 - eps, out=py)
                total -= np.log(py, out=py).sum(axis=0)
            else:
                total += ((p0 - ~pos) ** 2 + (p1 - pos) ** 2).sum(axis=0)
        return total / X.shape[0]


def linear_stack(rashomon_set: Any, X: Any, proba: bool) -> tuple[LinearStack, Any] | None:
    """``(stack, X as float64)`` when the fast path applies to every member, else None."""
    if len(rashomon_set.classes_) != 2:
        return None
    if not all(_plain_linear(m, proba) for m in rashomon_set):
        return None
    try:
        Xn = (X.to_numpy(dtype=np.float64) if isinstance(X, pd.DataFrame)
              else np.asarray(X, dtype=np.float64))
    except (TypeError, ValueError):
        return None
    stack = LinearStack(tuple(rashomon_set))
    if stack.W.shape[0] != Xn.shape[1] or not np.all(np.isfinite(Xn)):
        return None
    return stack, Xn
