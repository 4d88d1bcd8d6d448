"""BoostingExplorer: the Rashomon set of gradient boosting, explored stage by stage.

RashomonGB (Hsu et al. 2024): at every boosting stage several weak learners are fitted
to the same pseudo-residuals; a model of the set is a path through these per-stage
choices. The fitted trees are stored once (:class:`_TreeStore`); a member
(:class:`_BoostingPath`) is a reference to the store and the candidate it takes at every
stage; the Numba kernels of :mod:`._boosting_kernels` evaluate many paths at once.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np
from joblib import Parallel, delayed
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import _errors
from .._checks import (
    check_chunk_size,
    check_classification_target,
    check_epsilon,
    check_numeric_X,
    check_regression_target,
    resolve_seed,
)
from .._lazy import lazy_module
from .._parallel import numba_threads
from .._validation import _smallest_int_dtype, align_to
from . import _boosting_kernels as _k
from ._explorer import _BaseExplorer
from ._hist_tree import _HistTree, bin_data, bin_thresholds, fit_stage
from ._retraining import _subsample_size, progress_bar
from ._set import _CHUNK_VALUES, _LOSS_SLACK, RashomonSet

__all__ = ["BoostingExplorer"]

BOOSTING_LOSSES = ("log_loss", "squared_error", "absolute_error")
_LOSS_CODES = {"log_loss": _k.LOSS_LOG, "squared_error": _k.LOSS_SQUARED,
               "absolute_error": _k.LOSS_ABSOLUTE}
# Values of the table of tree values per chunk of samples (2 MiB: it stays in cache).
_TABLE_VALUES = 1 << 18
# Log-loss clipping of sklearn.metrics.log_loss for float64 probabilities.
_LOG_CLIP = float(np.finfo(np.float64).eps)
# The progress bar loads with its first use.
_tqdm_auto = lazy_module("tqdm.auto")


# ------------------------------------------------------------------------- the trees
@dataclass(frozen=True, eq=False)
class _TreeStore:
    """The ``T x C x K`` fitted trees of one explorer, shared by all its paths.

    ``trees[(t * C + c) * K + k]`` is the tree of candidate ``c`` for output ``k`` at
    stage ``t`` (a fitted ``DecisionTreeRegressor`` or :class:`_HistTree` whose leaf values
    are the boosting step's); the flat node arrays are the kernels' copy of them (see
    :mod:`._boosting_kernels`). ``init`` (K,) is the initial raw score, ``classes`` the
    class labels (None for regression).
    """

    trees: tuple[Any, ...]
    feature: NDArray[np.int64]
    threshold: NDArray[np.float64]
    left: NDArray[np.int64]
    right: NDArray[np.int64]
    value: NDArray[np.float64]
    node_off: NDArray[np.int64]
    init: NDArray[np.float64]
    learning_rate: float
    n_stages: int
    n_candidates: int
    n_outputs: int
    classes: NDArray | None

    @classmethod
    def from_trees(cls, trees: list[Any], init: NDArray[np.float64],
                   learning_rate: float, n_stages: int, n_candidates: int, n_outputs: int,
                   classes: NDArray | None) -> _TreeStore:
        """The store of fitted ``DecisionTreeRegressor`` or :class:`_HistTree` trees."""
        def arrays(tree: Any) -> tuple[NDArray, ...]:
            t = tree if isinstance(tree, _HistTree) else tree.tree_
            value = t.value if isinstance(tree, _HistTree) else t.value[:, 0, 0]
            return t.children_left, t.children_right, t.feature, t.threshold, value

        return cls.from_arrays(trees, *zip(*(arrays(t) for t in trees), strict=True),
                               init=init, learning_rate=learning_rate, n_stages=n_stages,
                               n_candidates=n_candidates, n_outputs=n_outputs,
                               classes=classes)

    @classmethod
    def from_arrays(cls, trees: list[Any], left: list[NDArray], right: list[NDArray],
                    feature: list[NDArray], threshold: list[NDArray], value: list[NDArray],
                    *, init: NDArray[np.float64], learning_rate: float, n_stages: int,
                    n_candidates: int, n_outputs: int, classes: NDArray | None
                    ) -> _TreeStore:
        """The store of trees given by their node arrays, one list entry per tree in the
        layout of scikit-learn's ``tree_`` (children -1 at a leaf, node ids local to the
        tree, root first); ``trees`` the tree objects kept alongside."""
        counts = np.array([len(v) for v in value], dtype=np.int64)
        node_off = np.zeros(len(value) + 1, dtype=np.int64)
        np.cumsum(counts, out=node_off[1:])

        def shifted(children: list[NDArray]) -> NDArray[np.int64]:
            out = [np.where(np.asarray(ch) >= 0, np.asarray(ch, dtype=np.int64) + off, -1)
                   for ch, off in zip(children, node_off, strict=False)]
            return np.concatenate(out).astype(np.int64)

        return cls(
            trees=tuple(trees),
            feature=np.concatenate(feature).astype(np.int64),
            threshold=np.concatenate(threshold).astype(np.float64),
            left=shifted(left), right=shifted(right),
            value=np.concatenate(value).astype(np.float64),
            node_off=node_off, init=np.asarray(init, dtype=np.float64),
            learning_rate=float(learning_rate), n_stages=n_stages,
            n_candidates=n_candidates, n_outputs=n_outputs, classes=classes)

    @property
    def n_classes(self) -> int:
        return 0 if self.classes is None else len(self.classes)

    def plan(self, choices: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64],
                                                        int]:
        """The trees to evaluate for ``choices`` (m, T): ``(tree_ids, local, width)``.

        Only the candidates some path takes are evaluated: stage ``t``'s used candidates
        become columns ``0..`` of a ``(T, width, K, c)`` table (short stages padded with
        their first used candidate), and ``local`` (m, T) are the paths' columns in it.
        """
        T, C, K = self.n_stages, self.n_candidates, self.n_outputs
        used = [np.unique(choices[:, t]) for t in range(T)]
        width = max(len(u) for u in used)
        cols = np.empty((T, width), dtype=np.int64)
        local = np.empty_like(choices, dtype=np.int64)
        for t, u in enumerate(used):
            cols[t, :len(u)] = u
            cols[t, len(u):] = u[0]
            local[:, t] = np.searchsorted(u, choices[:, t])
        stage = np.arange(T, dtype=np.int64)[:, None, None]
        out = np.arange(K, dtype=np.int64)[None, None, :]
        tree_ids = ((stage * C + cols[:, :, None]) * K + out).reshape(-1)
        return tree_ids, np.ascontiguousarray(local), width

    def default_step(self, width: int, per_sample: int = 0) -> int:
        """Samples per chunk: the ``(T, width, K, step)`` table holds about
        ``_TABLE_VALUES`` floats (2 MiB, so that it stays in the CPU cache while every
        path reads it; at least one block of samples), and the table plus ``per_sample``
        output values per sample at most ``_CHUNK_VALUES`` floats (64 MiB)."""
        table = self.n_stages * width * self.n_outputs
        step = max(_k.BLOCK, (_TABLE_VALUES // table) // _k.BLOCK * _k.BLOCK)
        return max(1, min(step, _CHUNK_VALUES // (table + per_sample)))

    def iter_tables(self, X32: NDArray[np.float32], choices: NDArray[np.int64],
                    step: int) -> Iterator[tuple[int, NDArray[np.float64], NDArray[np.int64]]]:
        """Yield ``(lo, V, local)``: the table of values of the chunk starting at ``lo``."""
        tree_ids, local, width = self.plan(choices)
        n = X32.shape[0]
        for lo in range(0, n, step):
            hi = min(n, lo + step)
            out = np.empty((len(tree_ids), hi - lo))
            _k._tree_values(X32[lo:hi], tree_ids, self.feature, self.threshold, self.left,
                            self.right, self.value, self.node_off, out)
            yield lo, out.reshape(self.n_stages, width, self.n_outputs, hi - lo), local

    # ------------------------------------------------------------- batched outputs
    def raw(self, X32: NDArray[np.float32], choices: NDArray[np.int64],
            step: int | None = None) -> NDArray[np.float64]:
        """Raw scores of every path: (m, K, n) float64."""
        m, n = choices.shape[0], X32.shape[0]
        out = np.empty((m, self.n_outputs, n))
        step = step or self.default_step(self.plan(choices)[2], m * self.n_outputs)
        for lo, V, local in self.iter_tables(X32, choices, step):
            chunk = np.empty((m, self.n_outputs, V.shape[3]))
            _k._path_raw(V, self.init, self.learning_rate, local, chunk)
            out[:, :, lo:lo + V.shape[3]] = chunk
        return out

    def codes(self, X32: NDArray[np.float32], choices: NDArray[np.int64],
              step: int | None = None) -> NDArray[np.integer]:
        """Class codes of every path: (m, n), the smallest integer dtype."""
        m, n = choices.shape[0], X32.shape[0]
        out = np.empty((m, n), dtype=_smallest_int_dtype(self.n_classes))
        step = step or self.default_step(self.plan(choices)[2], m)
        for lo, V, local in self.iter_tables(X32, choices, step):
            chunk = np.empty((m, V.shape[3]), dtype=out.dtype)
            _k._path_codes(V, self.init, self.learning_rate, local, chunk)
            out[:, lo:lo + V.shape[3]] = chunk
        return out

    def iter_proba(self, X32: NDArray[np.float32], choices: NDArray[np.int64],
                   step: int | None = None
                   ) -> Iterator[tuple[int, NDArray[np.float64]]]:
        """Yield ``(lo, Q)`` with ``Q`` (m, chunk, n_classes) the paths' probabilities."""
        m, k = choices.shape[0], self.n_classes
        step = step or self.default_step(self.plan(choices)[2], m * k)
        for lo, V, local in self.iter_tables(X32, choices, step):
            Q = np.empty((m, V.shape[3], k))
            _k._path_proba(V, self.init, self.learning_rate, local, Q)
            yield lo, Q

    def losses(self, X32: NDArray[np.float32], choices: NDArray[np.int64],
               target: NDArray[np.float64], loss: str, step: int | None = None
               ) -> NDArray[np.float64]:
        """Mean loss of every path on ``(X32, target)`` (class codes for log loss)."""
        total = np.zeros(choices.shape[0])
        step = step or self.default_step(self.plan(choices)[2])
        for lo, V, local in self.iter_tables(X32, choices, step):
            partial = _k._path_loss_partials(V, self.init, self.learning_rate, local,
                                             target[lo:lo + V.shape[3]], _LOSS_CODES[loss],
                                             _LOG_CLIP)
            total += partial.sum(axis=1)
        return total / X32.shape[0]


def _as_float32(estimator: Any, X: Any, reset: bool) -> NDArray[np.float32]:
    """``X`` checked against ``estimator`` (features, names) as a dense float32 array."""
    if not (hasattr(X, "shape") or isinstance(X, list | tuple)) and hasattr(X, "__array__"):
        X = np.asarray(X)  # objects that only implement __array__
    check_numeric_X(X, dense_for="BoostingExplorer")
    X = validate_data(estimator, X, reset=reset, dtype=np.float32, order="C")
    return np.ascontiguousarray(X, dtype=np.float32)


# ------------------------------------------------------------------------ the members
class _BoostingPath(BaseEstimator):
    """One path through the candidates of a :class:`BoostingExplorer`: a fitted model.

    Built by the explorer (its members), never fitted on its own: it holds a reference to
    the explorer's shared trees (``store_``, not a copy) and ``choice_``, the candidate
    it takes at every stage. Its raw score is ``init + learning_rate * sum_t value of
    candidate choice_[t]'s tree at stage t``.

    Attributes
    ----------
    choice_ : ndarray of shape (n_estimators,)
        int64 candidate index per stage.
    store_ : object
        The explorer's trees (private layout, shared by all its paths).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when the explorer was fitted on a DataFrame.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags

    def fit(self, X: Any = None, y: Any = None) -> _BoostingPath:
        """Nothing to train: a path is fixed by the explorer that built it.

        Parameters
        ----------
        X, y : ignored

        Returns
        -------
        self

        Raises
        ------
        ValueError
            For a path that no explorer built (e.g. a ``clone``).
        """
        if not hasattr(self, "store_"):
            raise ValueError(_errors.PATH_NOT_FITTABLE)
        return self

    @classmethod
    def _build(cls, store: _TreeStore, choice: NDArray[np.int64],
               explorer: BoostingExplorer) -> _BoostingPath:
        member = cls()
        member.store_ = store
        member.choice_ = choice
        member.n_features_in_ = explorer.n_features_in_
        if hasattr(explorer, "feature_names_in_"):
            member.feature_names_in_ = explorer.feature_names_in_
        if store.classes is not None:
            member.classes_ = store.classes
        return member

    def _X(self, X: Any) -> NDArray[np.float32]:
        check_is_fitted(self)
        return _as_float32(self, X, reset=False)

    def _raw(self, X: Any) -> NDArray[np.float64]:
        """(K, n) raw scores."""
        return self.store_.raw(self._X(X), self.choice_[None, :])[0]


class _BoostingPathClassifier(ClassifierMixin, _BoostingPath):
    """A path of a classification :class:`BoostingExplorer` (see :class:`_BoostingPath`).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    >>> explorer = BoostingExplorer(n_estimators=5, n_candidates=3, n_models=10,
    ...                             random_state=0).fit(X, y)
    >>> member = explorer.rashomon_set_[0]
    >>> member.predict_proba(X[:2]).shape, member.decision_function(X[:2]).shape
    ((2, 2), (2,))
    """

    def decision_function(self, X: Any) -> NDArray[np.float64]:
        """Raw scores: (n_samples,) log-odds for two classes, else (n_samples, n_classes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray
        """
        raw = self._raw(X)
        return raw[0].copy() if raw.shape[0] == 1 else raw.T.copy()

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Class probabilities (``[1 - expit(raw), expit(raw)]``, or the softmax).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        X32 = self._X(X)
        out = np.empty((X32.shape[0], self.store_.n_classes))
        for lo, Q in self.store_.iter_proba(X32, self.choice_[None, :]):
            out[lo:lo + Q.shape[1]] = Q[0]
        return out

    def predict(self, X: Any) -> NDArray:
        """Labels: ``raw >= 0`` for two classes, else the argmax of the raw scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self.classes_[self.store_.codes(self._X(X), self.choice_[None, :])[0]]


class _BoostingPathRegressor(RegressorMixin, _BoostingPath):
    """A path of a regression :class:`BoostingExplorer` (see :class:`_BoostingPath`)."""

    def predict(self, X: Any) -> NDArray[np.float64]:
        """Predicted values (the raw score).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self._raw(X)[0].copy()


# ---------------------------------------------------------------------------- profile
class _BatchedPathsView:
    """A RashomonSet of boosting paths seen through the batched kernels.

    Offers what :meth:`MultiplicityProfile.from_set` and :meth:`RegressionProfile.from_set`
    read (``predict_codes``, ``iter_proba``, ``predict``, ``has_predict_proba``) with one
    kernel call per chunk for all members; every other attribute is the set's.
    """

    def __init__(self, rset: RashomonSet, explorer: BoostingExplorer,
                 n_jobs: int | None) -> None:
        self.rset = rset
        self.explorer = explorer
        self.store = explorer.store_
        self.choices = np.stack([mdl.choice_ for mdl in rset.models_]).astype(np.int64)
        self.n_jobs = n_jobs

    def __len__(self) -> int:
        return len(self.rset)

    def __getattr__(self, name: str) -> Any:  # anything else: the set's own attribute
        return getattr(self.__dict__["rset"], name)

    @property
    def has_predict_proba(self) -> bool:
        return self.rset.task == "classification"

    def _step(self, chunk_size: int | None, per_sample: int) -> int:
        width = self.store.plan(self.choices)[2]
        return check_chunk_size(chunk_size, self.store.default_step(width, per_sample))

    def predict_codes(self, X: Any, *, chunk_size: int | None = None) -> NDArray[np.integer]:
        X32 = _as_float32(self.explorer, X, reset=False)
        with numba_threads(self.n_jobs):
            return self.store.codes(X32, self.choices,
                                    self._step(chunk_size, len(self.choices)))

    def iter_proba(self, X: Any, *, chunk_size: int | None = None
                   ) -> Iterator[tuple[int, NDArray[np.float64]]]:
        X32 = _as_float32(self.explorer, X, reset=False)
        step = self._step(chunk_size, len(self.choices) * self.store.n_classes)
        with numba_threads(self.n_jobs):
            yield from self.store.iter_proba(X32, self.choices, step)

    def predict(self, X: Any, *, chunk_size: int | None = None) -> NDArray:
        if self.rset.task == "classification":
            return self.rset.classes_[self.predict_codes(X, chunk_size=chunk_size)]
        X32 = _as_float32(self.explorer, X, reset=False)
        with numba_threads(self.n_jobs):
            return self.store.raw(X32, self.choices,
                                  self._step(chunk_size, len(self.choices)))[:, 0, :]


# ------------------------------------------------------------------- boosting steps
def _softmax(raw: NDArray[np.float64]) -> NDArray[np.float64]:
    e = np.exp(raw - raw.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _initial_raw(loss: str, target: NDArray[np.float64], n_classes: int
                 ) -> NDArray[np.float64]:
    """The initial raw score (K,), as scikit-learn's default ``init`` estimators give it.

    Binary: the log prior odds; multiclass: ``log(prior) - mean(log(prior))`` (the
    symmetric multinomial logit); squared error: the mean; absolute error: the median.
    """
    eps = np.finfo(np.float64).eps
    if loss == "log_loss":
        prior = np.bincount(target.astype(np.intp), minlength=n_classes) / len(target)
        prior = np.clip(prior, eps, 1 - eps)
        if n_classes == 2:
            return np.array([logit(prior[1])])
        log_p = np.log(prior)
        return log_p - log_p.mean()
    if loss == "squared_error":
        return np.array([np.average(target)])
    return np.array([np.percentile(target, 50)])


def _negative_gradient(loss: str, raw: NDArray[np.float64], target: NDArray[np.float64],
                       onehot: NDArray[np.float64] | None) -> NDArray[np.float64]:
    """Pseudo-residuals (n, K): ``y - p`` (log loss), ``y - F`` (squared), ``sign(y - F)``."""
    if loss == "log_loss":
        if onehot is None:
            return (target - expit(raw[:, 0]))[:, None]
        return onehot - _softmax(raw)
    if loss == "squared_error":
        return (target - raw[:, 0])[:, None]
    return np.sign(target - raw[:, 0])[:, None]


def _lower_medians(leaf: NDArray[np.intp], r: NDArray[np.float64], n_nodes: int
                   ) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Per leaf, the lower median of ``r`` (scikit-learn's unweighted 50th
    ``_weighted_percentile``): the ``ceil(n / 2)``-th smallest value."""
    order = np.lexsort((r, leaf))
    leaves, start, count = np.unique(leaf[order], return_index=True, return_counts=True)
    return leaves, r[order][start + (count + 1) // 2 - 1]


def _leaf_updates(loss: str, tree: DecisionTreeRegressor, X_in: NDArray[np.float32],
                  g_in: NDArray[np.float64], y_in: NDArray[np.float64],
                  raw_in: NDArray[np.float64], n_classes: int) -> None:
    """Set the leaf values of ``tree`` to the boosting step, in place (in-bag rows).

    Log loss: one Newton step ``sum(g) / sum(p (1 - p))`` (times ``(K - 1) / K`` for
    ``K > 2`` classes; 0 when the denominator is below 1e-150), as scikit-learn's
    ``GradientBoostingClassifier``. Absolute error: the lower median of ``y - F``.
    Squared error: the tree's own means (no update).
    """
    if loss == "squared_error":
        return
    leaf = tree.apply(X_in)
    n_nodes = tree.tree_.node_count
    values = tree.tree_.value  # a view on the tree's values
    if loss == "absolute_error":
        leaves, medians = _lower_medians(leaf, y_in - raw_in, n_nodes)
        values[leaves, 0, 0] = medians
        return
    prob = y_in - g_in
    count = np.bincount(leaf, minlength=n_nodes)
    num = np.bincount(leaf, weights=g_in, minlength=n_nodes)
    den = np.bincount(leaf, weights=prob * (1 - prob), minlength=n_nodes)
    for node in np.flatnonzero(count):
        n_l = count[node]
        numerator = num[node] / n_l
        if n_classes > 2:
            numerator *= (n_classes - 1) / n_classes
        denominator = den[node] / n_l
        values[node, 0, 0] = 0.0 if abs(denominator) < 1e-150 else numerator / denominator


def _fit_candidate(X: NDArray[np.float32], G: NDArray[np.float64], y_out: NDArray[np.float64],
                   raw: NDArray[np.float64], rows: NDArray[np.intp] | None,
                   tree_seeds: NDArray, loss: str, max_depth: int | None, n_classes: int
                   ) -> tuple[list[DecisionTreeRegressor], NDArray[np.float64]]:
    """Fit one candidate of a stage: its ``K`` trees and their values (K, n) on all rows.

    ``G`` (n, K) pseudo-residuals, ``y_out`` (n, K) the per-output targets (one-hot codes
    for multiclass, codes or values otherwise), ``rows`` the in-bag rows (None: all).
    """
    X_in = X if rows is None else X[rows]
    trees, values = [], np.empty((G.shape[1], X.shape[0]))
    for k in range(G.shape[1]):
        g = G[:, k] if rows is None else G[rows, k]
        tree = DecisionTreeRegressor(criterion="squared_error", max_depth=max_depth,
                                     random_state=int(tree_seeds[k]))
        tree.fit(X_in, g)
        y_in = y_out[:, k] if rows is None else y_out[rows, k]
        raw_in = raw[:, k] if rows is None else raw[rows, k]
        _leaf_updates(loss, tree, X_in, g, y_in, raw_in, n_classes)
        values[k] = tree.tree_.value[tree.apply(X), 0, 0]
        trees.append(tree)
    return trees, values


def _numpy_loss(loss: str, raw: NDArray[np.float64], target: NDArray[np.float64]) -> float:
    """Mean loss of raw scores (n, K) on ``target``: the NumPy twin of
    :func:`._boosting_kernels._stage_loss_partials` (which gives the stage losses)."""
    if loss == "squared_error":
        return float(np.mean((raw[:, 0] - target) ** 2))
    if loss == "absolute_error":
        return float(np.mean(np.abs(raw[:, 0] - target)))
    codes = target.astype(np.intp)
    if raw.shape[1] == 1:
        p1 = expit(raw[:, 0])
        pt = np.where(codes == 1, p1, 1.0 - p1)
    else:
        pt = _softmax(raw)[np.arange(len(codes)), codes]
    return float(-np.mean(np.log(np.clip(pt, _LOG_CLIP, 1 - _LOG_CLIP))))


def _draw_paths(kept: list[NDArray[np.int64]], best: NDArray[np.int64], n_paths: int,
                rng: np.random.Generator) -> NDArray[np.int64]:
    """``(m, T)`` distinct paths, the greedy path ``best`` first.

    When the kept candidates allow at most ``n_paths`` paths, all of them (in
    lexicographic order of the positions among the kept candidates); otherwise
    ``n_paths - 1`` distinct paths drawn uniformly (each stage's candidate uniformly
    among that stage's kept ones), rejecting repeats.
    """
    sizes = [len(k) for k in kept]
    total = 1
    for size in sizes:
        total *= size
        if total > n_paths:
            break
    if total <= n_paths:
        grid = np.stack(np.unravel_index(np.arange(total), sizes), axis=1)
        paths = np.stack([kept[t][grid[:, t]] for t in range(len(kept))], axis=1)
        is_best = np.all(paths == best, axis=1)
        return np.concatenate([best[None, :], paths[~is_best]]).astype(np.int64)
    rows = [best]
    seen = {best.tobytes()}
    for _ in range(100):
        need = n_paths - len(rows)
        if need == 0:
            break
        batch = np.stack([k[rng.integers(0, len(k), size=need)] for k in kept], axis=1)
        for row in batch.astype(np.int64):
            key = row.tobytes()
            if key not in seen:
                seen.add(key)
                rows.append(row)
    return np.stack(rows).astype(np.int64)


# ------------------------------------------------------------------------- explorer
class BoostingExplorer(_BaseExplorer):
    """The Rashomon set of gradient boosting, explored stage by stage (RashomonGB).

    Following Hsu et al. (2024), ``fit`` runs gradient boosting with
    ``n_candidates`` weak learners per stage instead of one. At stage ``t`` every
    candidate is a regression tree of depth ``max_depth`` grown on the squared error
    (a histogram tree, or scikit-learn's ``DecisionTreeRegressor`` with
    ``tree_method="exact"``) fitted to the current pseudo-residuals on its own random
    subsample of ``round(subsample * n_samples)`` rows, with its leaf values set to the
    boosting step. The candidates are scored by the loss the ensemble
    would reach by adding them, ``L(F_{t-1} + learning_rate * h)`` on all training rows;
    the best one (the first on ties) continues the ensemble whose pseudo-residuals the
    next stage fits, and the candidates within ``stage_epsilon`` of it are kept. A member
    of the set is a path: one kept candidate per stage, with raw score ``F(x) = init +
    learning_rate * sum_t h_t(x)``. The greedy path of every stage's best candidate is
    the baseline ``h0`` (candidate 0); ``n_models - 1`` further distinct paths are drawn
    uniformly among the kept candidates (all paths when there are at most ``n_models``),
    and the paths whose loss is within ``epsilon`` of the baseline's are kept:
    ``S = {h : L(h) <= L(h0) + epsilon}`` (``epsilon_mode="absolute"``) or ``L(h) <=
    L(h0) * (1 + epsilon)`` (``"relative"``), with ``<=``, exactly as
    :meth:`RashomonSet.from_models` filters a pool. The loss is measured on the data
    given to ``fit``, or on ``rashomon_data`` when given.

    Parameters
    ----------
    n_estimators : int, default=100
        Boosting stages ``T`` (>= 1).
    learning_rate : float, default=0.1
        Shrinkage of every stage's tree (> 0).
    max_depth : int or None, default=3
        Depth of every tree (None: grown until the leaves are pure).
    n_candidates : int, default=10
        Candidate trees per stage ``m`` (>= 1); the set is sampled from ``m ** T`` paths.
    stage_epsilon : float or None, default=None
        Per-stage tolerance: a candidate is kept when its stage loss is at most the best
        candidate's plus ``stage_epsilon`` (absolute, in units of ``loss``); 0 keeps only
        the best (and its ties), ``float("inf")`` every candidate. None uses
        ``epsilon / n_estimators`` (``epsilon_mode="absolute"``) or ``epsilon *
        L_t / n_estimators`` with ``L_t`` the stage's best loss (``"relative"``): the
        stages' excess losses add up along a path (to first order), so paths of kept
        candidates tend to stay within ``epsilon``. Keeping every candidate instead
        makes most drawn paths fall outside the set once ``n_estimators`` is large (a
        random candidate is a little worse than the best at every stage).
    epsilon : float, default=0.01
        Rashomon parameter, >= 0.
    loss : {"log_loss", "squared_error", "absolute_error"}, default="log_loss"
        The boosting loss, which also defines the set. ``"log_loss"``: classification
        (binary or multiclass; the mean negative log-likelihood, probabilities clipped to
        ``[eps, 1 - eps]`` like ``sklearn.metrics.log_loss``); ``"squared_error"`` and
        ``"absolute_error"``: regression (mean squared and mean absolute error).
    subsample : float in (0, 1], default=0.8
        Fraction of the rows each candidate tree is fitted on (drawn without
        replacement). ``1.0`` gives every candidate all the rows: the candidates then
        are the same histogram trees, or (``tree_method="exact"``) differ only where
        equally good splits are broken by their seeds, usually not at all.
    random_state : int, RandomState instance or None, default=None
        Source of every subsample, tree seed and sampled path. One 32-bit seed
        (``seed_``) is chosen: the int itself, a draw from a RandomState instance, or
        fresh OS entropy for None. Candidate ``c`` of stage ``t`` draws from its own
        ``SeedSequence(seed_)`` child, and the paths from another, so the result does not
        depend on ``n_jobs``.
    n_jobs : int, default=None
        Threads. The histogram trees of a stage are grown in one Numba call, and the
        Numba kernels that evaluate the paths run, on this many threads (None: Numba's
        setting, all cores unless ``NUMBA_NUM_THREADS`` says otherwise; -1: all cores);
        ``tree_method="exact"`` fits the candidates of a stage in parallel joblib
        threads (``prefer="threads"``; scikit-learn's trees release the GIL; None: one
        thread). Results do not depend on it.
    progress : bool, default=False
        Show a tqdm progress bar over the boosting stages.
    n_models : int, default=1000
        Number of paths drawn (the greedy path included); duplicates are not counted.
    epsilon_mode : {"absolute", "relative"}, default="absolute"
        ``L(h) <= L(h0) + epsilon`` or ``L(h) <= L(h0) * (1 + epsilon)``. For regression,
        whose losses are in squared (or plain) units of the target, ``"relative"`` is
        often easier to choose.
    rashomon_data : tuple (X_val, y_val), default=None
        Data the paths' losses (and so the set) are measured on; None uses the training
        data. The boosting itself (the stage losses) always uses the training data.
    tree_method : {"hist", "exact"}, default="hist"
        The weak learner. ``"hist"``: every feature is binned once, at ``fit``, into at
        most ``max_bins`` bins (the rule of scikit-learn's ``HistGradientBoosting``
        binner: when a feature has at most ``max_bins`` distinct values, the thresholds
        are the midpoints between consecutive ones, otherwise the ``k / max_bins``
        quantiles of the values), and each tree searches only these thresholds: per node
        and feature it sums the pseudo-residuals per bin (a histogram) and takes the
        split of largest squared-error gain, as ``DecisionTreeRegressor`` does among all
        thresholds (the first feature and bin on ties, where scikit-learn draws a random
        feature order). The trees split on real values (``x <= threshold``, a bin edge),
        so they predict raw ``X``. When every feature has at most ``max_bins`` distinct
        values the binning loses nothing and the trees partition the rows as exact trees
        do (thresholds then differ only between values seen in training). ``"exact"``:
        scikit-learn's ``DecisionTreeRegressor(criterion="squared_error")``, which
        searches every threshold, about 100 times slower on 10^5 rows.
    max_bins : int, default=255
        Bins per feature for ``tree_method="hist"`` (2 to 255).

    Attributes
    ----------
    rashomon_set_ : RashomonSet
        The paths within epsilon of the greedy path, in path order; the greedy path is
        member 0. The members are fitted classifiers (``predict``, ``predict_proba``,
        ``decision_function``) or regressors (``predict``) that share the explorer's
        trees.
    candidate_models_ : list of path estimators
        Every drawn path.
    candidate_losses_ : ndarray of shape (n_paths,)
        Loss of each path on the data the set is defined on.
    choices_ : ndarray of shape (n_paths, n_estimators)
        int64: the candidate every path takes at every stage; row 0 is the greedy path.
    stage_losses_ : ndarray of shape (n_estimators, n_candidates)
        Training loss of the greedy ensemble of the previous stages plus each candidate.
    best_candidates_ : ndarray of shape (n_estimators,)
        The best candidate of every stage (the greedy path).
    kept_candidates_ : list of ndarray
        The candidates kept at every stage (``stage_epsilon``).
    estimators_ : ndarray of trees, shape (n_estimators, n_candidates, K)
        The fitted trees; ``K`` is 1 for binary classification and regression and the
        number of classes otherwise (one tree per class, as in scikit-learn's
        ``GradientBoostingClassifier``). ``DecisionTreeRegressor`` for
        ``tree_method="exact"``; for ``"hist"``, objects with ``predict(X)`` and the node
        arrays ``children_left``, ``children_right``, ``feature``, ``threshold`` and
        ``value`` (root first; -1 children at a leaf) of scikit-learn's ``tree_``
        layout.
    init_raw_ : ndarray of shape (K,)
        The initial raw score: log prior odds (binary), centred log priors (multiclass),
        mean (squared error) or median (absolute error).
    store_ : object
        The trees as flat arrays for the kernels (private layout), shared by the members.
    baseline_index_ : int
        Always 0: the greedy path.
    baseline_estimator_ : path estimator
        The greedy path; ``predict`` and ``predict_proba`` use it.
    seed_ : int
    classes_ : ndarray of shape (n_classes,)
        Only for ``loss="log_loss"``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` was a DataFrame.

    Warns
    -----
    UserWarning
        When every stage's kept candidates give identical values on the training data
        (``n_candidates=1``, ``subsample=1.0``, or a per-stage tolerance that keeps only
        the best): the set then shows no multiplicity because its members are copies.

    See Also
    --------
    RetrainingExplorer : Explore a set by retraining any learner.
    RashomonSet.from_models : Filter a pool of fitted models.

    Notes
    -----
    H. Hsu et al. (2024), "RashomonGB: Analyzing the Rashomon Effect and
    Mitigating Predictive Multiplicity in Gradient Boosting", NeurIPS: at every boosting
    iteration an empirical Rashomon set of weak learners is fitted to the residuals,
    the residuals of the next iteration are computed with the best (smallest loss) of
    them, and the models of the set are the ``m ** T`` combinations of one learner per
    iteration, of which a subset is drawn and filtered by the loss deviation.

    What is implemented and where it departs from the paper:

    - The paper builds each iteration's set from learners fitted with different seeds
      (or initialisations) on the residuals; here each candidate also gets its own
      subsample of the rows (``subsample``), which is what makes deterministic trees
      differ.
    - The per-iteration tolerance is on the ensemble's loss after adding the candidate
      (the units of ``epsilon``), not on the weak learner's own fit to the residuals;
      by default it is ``epsilon / n_estimators`` per stage (see ``stage_epsilon``).
    - Leaf values follow scikit-learn's gradient boosting: squared error keeps the
      trees' means, log loss takes one Newton step per leaf (with the ``(K - 1) / K``
      factor for ``K > 2`` classes), absolute error the lower median of the residuals in
      the leaf. With ``n_candidates=1`` and ``subsample=1.0`` the greedy path is
      scikit-learn's ``GradientBoostingClassifier`` / ``GradientBoostingRegressor`` with
      the same ``n_estimators``, ``learning_rate``, ``max_depth`` (up to ties between
      equally good splits, which scikit-learn breaks by its seed, and float rounding),
      with ``tree_method="hist"`` when every feature has at most ``max_bins`` distinct
      values. Histogram trees follow ``DecisionTreeRegressor``'s stopping rules: a node
      is split unless it is at ``max_depth``, has fewer than two rows, has a variance
      of the pseudo-residuals of at most machine epsilon, or has all its rows in one
      bin of every feature (a best split of zero gain is still made).
    - Paths are drawn uniformly among the kept candidates; no beam search over paths is
      implemented. Every measure on the sampled set is a lower bound of the set's.

    Cost. Every stage fits ``n_candidates * K`` trees. Histogram trees: binning sorts
    every feature once (``n_features`` sorts of ``n_samples`` values) and keeps the
    bins as a uint8 copy of ``X`` (``n_samples * n_features`` bytes); a tree of depth
    ``d`` reads each in-bag row's bins about ``d`` times (the histogram of the smaller
    child of a node is summed from its rows, the larger one's is the parent's minus
    it); the ``n_candidates * K`` trees of a stage grow in parallel, each with its rows
    and their residuals (about ``40 * n_samples`` bytes) and ``2 * (d + 1)`` histograms
    of ``n_features * max_bins`` counts and sums (16 bytes each: 0.6 MiB for ``d = 3``,
    20 features, 255 bins). Exact trees sort the rows of every node, the dominant cost
    (about 0.5 s per tree on 80,000 rows and 20 features; 100 times more than a
    histogram tree). The ``T * m * K`` trees are stored once; ``m``
    paths are evaluated on ``n`` rows by walking every tree once per row into the table
    ``V`` of shape ``(T, m_used, K, chunk)`` float64 (``T * m_used * K * chunk * 8``
    bytes, ``m_used <= n_candidates`` the candidates some path takes at a stage; chunks
    of about 2 MiB, so that the table stays in the CPU cache while every path reads
    it), then summing each path's values in a Numba kernel: ``T * K`` adds
    per path and row; no ``(n_paths, n_samples)`` array is formed for the losses.
    :meth:`profile` does the same for the members of the set, with the same values as
    ``rashomon_set_.profile`` (which calls each member in turn).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    >>> explorer = BoostingExplorer(n_estimators=20, n_candidates=4, epsilon=0.01,
    ...                             n_models=200, random_state=0).fit(X, y)
    >>> explorer.choices_.shape, explorer.baseline_index_
    ((200, 20), 0)
    >>> bool((explorer.choices_[0] == explorer.best_candidates_).all())
    True
    >>> rs = explorer.rashomon_set_
    >>> 1 <= len(rs) <= 200, len(explorer.rashomon_set_for(10.0))
    (True, 200)
    >>> profile = explorer.profile(X, y)
    >>> profile.n_models == len(rs), 0.0 <= profile.ambiguity <= 1.0
    (True, True)
    """

    _parameter_constraints: ClassVar[dict] = {
        **_BaseExplorer._parameter_constraints,
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_depth": [Interval(Integral, 1, None, closed="left"), None],
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
        "stage_epsilon": [Interval(Real, 0, np.inf, closed="both"), None],
        "loss": [StrOptions(set(BOOSTING_LOSSES))],
        "subsample": [Interval(Real, 0, 1, closed="right")],
        "progress": ["boolean"],
        "tree_method": [StrOptions({"hist", "exact"})],
        "max_bins": [Interval(Integral, 2, 255, closed="both")],
    }

    def __init__(self, n_estimators: int = 100, learning_rate: float = 0.1,
                 max_depth: int | None = 3, n_candidates: int = 10,
                 stage_epsilon: float | None = None, epsilon: float = 0.01,
                 loss: Literal["log_loss", "squared_error", "absolute_error"] = "log_loss",
                 subsample: float = 0.8, random_state: Any = None,
                 n_jobs: int | None = None, progress: bool = False, *,
                 n_models: int = 1000,
                 epsilon_mode: Literal["absolute", "relative"] = "absolute",
                 rashomon_data: tuple[Any, ArrayLike] | None = None,
                 tree_method: Literal["hist", "exact"] = "hist", max_bins: int = 255) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.n_candidates = n_candidates
        self.stage_epsilon = stage_epsilon
        self.epsilon = epsilon
        self.loss = loss
        self.subsample = subsample
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress
        self.n_models = n_models
        self.epsilon_mode = epsilon_mode
        self.rashomon_data = rashomon_data
        self.tree_method = tree_method
        self.max_bins = max_bins

    # ------------------------------------------------------------------ the task
    def _task(self) -> str:
        """``"classification"`` for ``loss="log_loss"``, else ``"regression"``."""
        return "classification" if self.loss == "log_loss" else "regression"

    # ---------------------------------------------------------------------- input
    def _check_target(self, y: Any, name: str) -> NDArray:
        if self._task() == "regression":
            return check_regression_target(y, name)
        y_arr = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
        if y_arr.ndim <= 2 and y_arr.size and type_of_target(y_arr) in (
                "continuous", "continuous-multioutput"):
            flat = y_arr.ravel().astype(np.float64)
            fractional = flat[flat != np.round(flat)]
            example = fractional[0] if fractional.size else flat[0]
            raise ValueError(_errors.LOG_LOSS_CONTINUOUS.format(name=name, example=float(example)))
        return check_classification_target(y_arr, name)

    def _encode(self, y: NDArray, name: str) -> NDArray[np.float64]:
        """Class codes of ``y`` in ``classes_`` (as float64 for the kernels)."""
        classes = self.classes_
        try:
            idx = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
            known = classes[idx] == y
        except TypeError:  # labels that do not compare with the classes (str vs int)
            idx = np.zeros(len(y), dtype=np.intp)
            known = np.zeros(len(y), dtype=bool)
        known = np.asarray(known, dtype=bool)
        if not known.all():
            raise ValueError(_errors.UNKNOWN_LABEL.format(name=name, label=y[~known][0],
                                                  classes=list(classes)))
        return idx.astype(np.float64)

    # ---------------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: ArrayLike) -> BoostingExplorer:
        """Boost with ``n_candidates`` trees per stage, draw paths, keep those within epsilon.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data (numbers, no missing values; dense).
        y : array-like of shape (n_samples,)
            Class labels (``loss="log_loss"``, at least two classes; strings are fine) or
            finite numbers (regression). A pandas ``y`` next to a DataFrame ``X`` is
            matched on the index; so is ``y_val`` to ``X_val`` in ``rashomon_data``.

        Returns
        -------
        self : BoostingExplorer

        Raises
        ------
        ValueError
            Invalid parameters, X/y length mismatch, pandas ``X`` and ``y`` whose indexes
            hold different labels, continuous ``y`` with ``loss="log_loss"``, a single
            class, labels of ``rashomon_data`` not in ``y``, a malformed
            ``rashomon_data``, non-finite values.
        TypeError
            A sparse ``X``.
        """
        check_epsilon(self.epsilon, self.epsilon_mode)  # also rejects inf
        task = self._task()
        y = align_to(X, y, name="y")
        X32 = _as_float32(self, X, reset=True)
        y_arr = self._check_target(y, "y")
        n = X32.shape[0]
        if len(y_arr) != n:
            raise ValueError(_errors.X_Y_LENGTH.format(n, len(y_arr)))
        if task == "classification":
            classes = np.unique(y_arr)
            if classes.size < 2:
                raise ValueError(_errors.ONE_CLASS.format(name="y", label=classes[0]))
            self.classes_ = classes
            target = self._encode(y_arr, "y")
        else:
            classes = None
            target = y_arr
        X_eval, y_eval = self._check_rashomon_data(
            lambda X_val: _as_float32(self, X_val, reset=False),
            lambda y_val: self._check_target(y_val, "y_val"))
        if X_eval is None:
            X_eval, target_eval = X32, target
        else:
            target_eval = self._encode(y_eval, "y_val") if task == "classification" \
                else y_eval

        n_classes = 0 if classes is None else len(classes)
        K = n_classes if n_classes > 2 else 1
        rs = self.random_state
        seed = resolve_seed(int(rs) if isinstance(rs, Integral) else rs)
        tree_ss, path_ss = np.random.SeedSequence(seed).spawn(2)
        T, C = self.n_estimators, self.n_candidates
        n_in = _subsample_size(self.subsample, n)

        onehot = None
        if K > 1:
            onehot = (target[:, None] == np.arange(K)[None, :]).astype(np.float64)
        y_out = onehot if onehot is not None else target[:, None]
        init = _initial_raw(self.loss, target, n_classes)
        raw = np.tile(init, (n, 1))
        trees = np.empty((T, C, K), dtype=object)
        stage_losses = np.empty((T, C))
        best = np.empty(T, dtype=np.int64)
        kept: list[NDArray[np.int64]] = []
        same = np.empty(T, dtype=bool)
        lr = float(self.learning_rate)

        hist = self.tree_method == "hist"
        if hist:
            thresholds, n_bins = bin_thresholds(X32, self.max_bins)
            X_binned = bin_data(X32, thresholds, n_bins)
        bar = progress_bar(T, "boosting stages", "stage") if self.progress else None
        try:
            with ExitStack() as stack:
                stack.enter_context(numba_threads(self.n_jobs))
                if not hist:
                    parallel = stack.enter_context(Parallel(n_jobs=self.n_jobs,
                                                            prefer="threads"))
                for t, stage_ss in enumerate(tree_ss.spawn(T)):
                    G = _negative_gradient(self.loss, raw, target, onehot)
                    if hist:
                        U = np.empty((C, n if n_in < n else 0))
                        for c, cand_ss in enumerate(stage_ss.spawn(C)):
                            if n_in < n:
                                U[c] = np.random.default_rng(cand_ss).random(n)
                        stage_trees, values = fit_stage(
                            X_binned, thresholds, n_bins, G, y_out, raw, U, n_in,
                            _LOSS_CODES[self.loss], self.max_depth, n_classes)
                    else:
                        tasks = []
                        for cand_ss in stage_ss.spawn(C):
                            rng = np.random.default_rng(cand_ss)
                            rows = None if n_in == n else np.sort(
                                rng.choice(n, size=n_in, replace=False))
                            seeds = rng.integers(0, 2**31 - 1, size=K)
                            tasks.append(delayed(_fit_candidate)(
                                X32, G, y_out, raw, rows, seeds, self.loss, self.max_depth,
                                n_classes))
                        results = parallel(tasks)
                        stage_trees = [trees_c for trees_c, _ in results]
                        values = np.stack([values_c for _, values_c in results])
                    for c in range(C):
                        trees[t, c] = stage_trees[c]
                    stage_losses[t] = _k._stage_loss_partials(
                        raw, values, lr, target, _LOSS_CODES[self.loss], _LOG_CLIP
                    ).sum(axis=1) / n
                    b = int(np.argmin(stage_losses[t]))
                    best[t] = b
                    limit = stage_losses[t, b] + self._stage_tolerance(stage_losses[t, b])
                    keep = np.flatnonzero(stage_losses[t] <= limit + _LOSS_SLACK
                                          * max(1.0, abs(limit))).astype(np.int64)
                    kept.append(keep)
                    same[t] = all(np.array_equal(values[c], values[b]) for c in keep)
                    raw += lr * values[b].T
                    if bar is not None:
                        bar.update(1)
        finally:
            if bar is not None:
                bar.close()

        store = _TreeStore.from_trees(list(trees.reshape(-1)), init, lr, T, C, K, classes)
        choices = _draw_paths(kept, best, self.n_models, np.random.default_rng(path_ss))
        with numba_threads(self.n_jobs):
            losses = store.losses(X_eval, choices, target_eval, self.loss)

        self.seed_ = seed
        self.estimators_ = trees
        self.init_raw_ = init
        self.stage_losses_ = stage_losses
        self.best_candidates_ = best
        self.kept_candidates_ = kept
        self.choices_ = choices
        self.store_ = store
        member_cls = _BoostingPathClassifier if task == "classification" \
            else _BoostingPathRegressor
        members = [member_cls._build(store, choices[i], self) for i in range(len(choices))]
        if same.all():
            self._warn_identical(len(choices))
        self._keep_candidates(members, losses, baseline_index=0)
        return self

    def _stage_tolerance(self, best_loss: float) -> float:
        """How much worse than the stage's best a kept candidate may be."""
        if self.stage_epsilon is not None:
            return float(self.stage_epsilon)
        scale = best_loss if self.epsilon_mode == "relative" else 1.0
        return float(self.epsilon) * scale / self.n_estimators

    def _warn_identical(self, n_paths: int) -> None:
        hint = ""
        if self.n_candidates == 1:
            why = "n_candidates=1: one tree per stage"
        elif all(len(keep) == 1 for keep in self.kept_candidates_):
            setting = (f"stage_epsilon={self.stage_epsilon}" if self.stage_epsilon is not None
                       else "the default per-stage tolerance, epsilon / n_estimators,")
            why = f"{setting} keeps only the best candidate at every stage"
            hint = ", and a larger stage_epsilon or epsilon"
        elif self.subsample == 1.0 and self.tree_method == "hist":
            why = ("subsample=1.0 gives every candidate all the rows, and histogram trees "
                   "grown on the same rows are the same")
        elif self.subsample == 1.0:
            why = ("subsample=1.0 gives every candidate all the rows, so only the seeds "
                   "that break ties between equally good splits differ")
        else:
            why = "the candidates' subsamples give the same trees"
            hint = ", or a smaller subsample or deeper trees (max_depth)"
        warnings.warn(_errors.IDENTICAL_PATHS.format(n=n_paths, why=why, hint=hint), UserWarning,
                      stacklevel=3)

    # ------------------------------------------------------------------------ hooks
    def _baseline_has(self, attr: str) -> bool:
        """Classification paths have ``predict_proba``; regression paths do not."""
        if attr in ("predict_proba", "decision_function"):
            return self._task() == "classification"
        return True

    def _profiled_set(self, n_jobs: int | None) -> tuple[Any, int | None]:
        """The set seen through the batched kernels; None threads: the explorer's."""
        n_jobs = self.n_jobs if n_jobs is None else n_jobs
        return _BatchedPathsView(self.rashomon_set_, self, n_jobs), n_jobs
