"""Input checks and the permutation machinery shared by the explanation functions."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.utils import check_random_state

from .._checks import check_X_y
from ..rashomon import RashomonSet

__all__ = [
    "NOT_A_SET",
    "N_REPEATS",
    "Passes",
    "Permuter",
    "check_data",
    "check_n_repeats",
    "check_set",
    "permutations",
]

# Messages (tests import them).
N_REPEATS = "n_repeats must be an int >= 1, got {0!r}"
NOT_A_SET = ("rashomon_set must be a RashomonSet (see RashomonSet.from_models or an "
             "explorer's rashomon_set_), got {0}")
REGRESSION_SET = ("the explanations across a Rashomon set (permutation-importance ranges, "
                  "feature interaction clouds) are defined here for classifiers; this set "
                  "holds regressors. For linear regressors, LinearLevelSet.coef_table() gives "
                  "the exact coefficient ranges")


def check_n_repeats(n_repeats: object) -> int:
    """``n_repeats`` is an int >= 1."""
    if (isinstance(n_repeats, bool) or not isinstance(n_repeats, numbers.Integral)
            or n_repeats < 1):
        raise ValueError(N_REPEATS.format(n_repeats))
    return int(n_repeats)


def check_set(rashomon_set: object) -> Any:
    """``rashomon_set`` is a :class:`~multiplicity.rashomon.RashomonSet` of classifiers."""
    if not isinstance(rashomon_set, RashomonSet):
        raise TypeError(NOT_A_SET.format(type(rashomon_set).__name__))
    if rashomon_set.task == "regression":
        raise TypeError(REGRESSION_SET)
    return rashomon_set


def check_data(X: Any, y: ArrayLike) -> tuple[Any, NDArray, list[str]]:
    """X as a DataFrame (kept) or a 2-D ndarray; y as a 1-D array of the same length.

    Returns ``(X, y, feature_names)``: DataFrame columns as strings, ``x0, x1, ...`` for
    arrays. Nothing is copied here; the caller's objects are never written to.
    """
    if hasattr(X, "iloc") and hasattr(X, "columns"):
        names = [str(c) for c in X.columns]
        if len(set(names)) != len(names):
            raise ValueError("X has duplicate column names; feature names must be unique")
    else:
        if hasattr(X, "toarray"):
            raise TypeError("X must be a dense array or a DataFrame, got a sparse matrix")
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D of shape (n_samples, n_features), got shape "
                             f"{X.shape}")
        names = [f"x{j}" for j in range(X.shape[1])]
    if X.shape[0] == 0 or not names:
        raise ValueError(f"X must have at least one sample and one feature, got shape "
                         f"{X.shape}")
    if y is None:  # check_X_y lets a missing y through; explanations need the labels
        raise ValueError(f"y must be 1-D of shape (n_samples,), got shape {np.shape(y)}")
    return X, check_X_y(X, y), names


def permutations(n_samples: int, n_repeats: int, random_state: Any) -> NDArray[np.intp]:
    """The row orders of ``n_repeats`` permutations, shape ``(n_repeats, n_samples)``.

    Drawn exactly as :func:`sklearn.inspection.permutation_importance` draws them, so both
    give the same permuted columns for the same ``random_state``: one int seed
    ``check_random_state(random_state).randint(2**31)``, a fresh ``RandomState(seed)``
    that shuffles ``arange(n)`` in place once per repeat, and a column that is permuted
    by the shuffled index again at every repeat (so repeat ``r`` shows the column in the
    order ``idx_1[idx_2[...idx_r]]``). Every feature, pair and model gets these same
    permutations (common random numbers).
    """
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max + 1)
    shuffler = np.random.RandomState(seed)
    idx = np.arange(n_samples)
    order = np.arange(n_samples)
    out = np.empty((n_repeats, n_samples), dtype=np.intp)
    for r in range(n_repeats):
        shuffler.shuffle(idx)
        order = order[idx]
        out[r] = order
    return out


class Permuter:
    """One working copy of X whose columns are replaced by permuted ones and restored.

    Memory: one copy of X (whatever its dtypes) plus one permuted column at a time.
    DataFrames stay DataFrames (so models fitted with feature names see them), columns
    keep their dtype.
    """

    def __init__(self, X: Any) -> None:
        self.X = X
        self.frame = isinstance(X, pd.DataFrame)
        self.work = X.copy(deep=True) if self.frame else np.array(X, copy=True)

    def permute(self, columns: tuple[int, ...], order: NDArray[np.intp]) -> Any:
        """The working copy with ``columns`` shown in row order ``order`` (the same order
        for all of them, so their joint distribution is kept)."""
        for j in columns:
            if self.frame:
                col = self.X.iloc[order, j]
                col.index = self.work.index
                self.work.isetitem(j, col)
            else:
                self.work[:, j] = self.X[order, j]
        return self.work

    def restore(self, columns: tuple[int, ...]) -> None:
        """Put the original values of ``columns`` back."""
        for j in columns:
            if self.frame:
                self.work.isetitem(j, self.X.iloc[:, j])
            else:
                self.work[:, j] = self.X[:, j]


class Passes:
    """Every member's value (score or loss) on X with some columns permuted: one pass.

    ``fast`` is what :func:`~multiplicity.explain._linear.linear_stack` returned, or None.
    With it, a pass is the batched linear path (``stack.pass_values`` computing ``metric``
    from ``y_codes``); without it, ``slow(data)`` evaluates the members on the working
    copy ``data`` of X. Memory: one copy of X (:class:`Permuter`).
    """

    def __init__(self, X: Any, fast: tuple[Any, Any] | None, y_codes: NDArray,
                 metric: str, slow: Callable[[Any], NDArray[np.float64]]) -> None:
        self.stack = None
        if fast is not None:
            self.stack, X = fast
            self.stack.prepare(X)
        self.work = Permuter(X)
        self.y_codes, self.metric, self.slow = y_codes, metric, slow

    def __call__(self, columns: tuple[int, ...] = (), order: NDArray[np.intp] | None = None
                 ) -> NDArray[np.float64]:
        """Values of every member, ``(n_models,)``, with ``columns`` shown in row order
        ``order`` (on X itself when ``columns`` is empty)."""
        data = self.work.permute(columns, order) if columns else self.work.work
        if self.stack is not None:
            return self.stack.pass_values(data, columns, order, self.y_codes, self.metric)
        return self.slow(data)

    def restore(self, columns: tuple[int, ...]) -> None:
        """Put the original values of ``columns`` back."""
        self.work.restore(columns)
