"""Histogram regression trees, the default weak learner of :class:`BoostingExplorer`.

Every feature is binned once (:func:`bin_thresholds`, :func:`bin_data`, the rule of
scikit-learn's ``HistGradientBoosting`` binner); the trees of a boosting stage are grown
together on the binned data by :func:`fit_stage` (one parallel Numba call, see
:mod:`._hist_tree_kernels`) and returned as :class:`_HistTree` objects, whose splits are
on the real values (``x <= threshold``), so that they predict raw ``X``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import _hist_tree_kernels as _hk

__all__ = ["_HistTree", "bin_data", "bin_thresholds", "feature_thresholds", "fit_stage"]

# scikit-learn's cap of the thresholds (+inf is kept for a split on missing values there).
_ALMOST_INF = 1e300


def feature_thresholds(col: NDArray, max_bins: int) -> NDArray[np.float64]:
    """The increasing thresholds of one feature: at most ``max_bins - 1`` of them.

    The midpoints between consecutive distinct values when there are at most
    ``max_bins`` of these, else the ``k / max_bins`` quantiles (``k = 1 .. max_bins - 1``,
    ``np.percentile`` with ``method="averaged_inverted_cdf"``, duplicates removed), as
    scikit-learn's ``_BinMapper`` without its row subsample. Values compare in float64.
    """
    col = np.sort(np.asarray(col, dtype=np.float64))
    distinct = np.unique(col)
    if len(distinct) <= 1:
        return np.empty(0)
    if len(distinct) <= max_bins:
        out = (distinct[:-1] + distinct[1:]) / 2
    else:
        percentiles = np.linspace(0, 100, num=max_bins + 1)[1:-1]
        out = np.unique(np.percentile(col, percentiles, method="averaged_inverted_cdf"))
    return np.minimum(out, _ALMOST_INF)


def bin_thresholds(X: NDArray, max_bins: int) -> tuple[NDArray[np.float64],
                                                       NDArray[np.int64]]:
    """Thresholds of every feature of ``X`` (n, f): ``(thresholds, n_bins)``.

    ``thresholds`` (f, max_bins - 1) float64, feature ``j``'s first ``n_bins[j] - 1``
    entries used (the rest +inf); ``n_bins`` (f,) int64, 1 for a constant feature.
    """
    n_features = X.shape[1]
    table = np.full((n_features, max(max_bins - 1, 1)), np.inf)
    n_bins = np.empty(n_features, dtype=np.int64)
    for j in range(n_features):
        thr = feature_thresholds(X[:, j], max_bins)
        table[j, :len(thr)] = thr
        n_bins[j] = len(thr) + 1
    return table, n_bins


def bin_data(X: NDArray, thresholds: NDArray[np.float64], n_bins: NDArray[np.int64]
             ) -> NDArray[np.uint8]:
    """The bins of ``X`` (n, f) as a uint8 ``(f, n)`` array: bin ``b`` of feature ``j``
    holds the values ``thresholds[j, b - 1] < x <= thresholds[j, b]``."""
    out = np.empty((X.shape[1], X.shape[0]), dtype=np.uint8)
    for j in range(X.shape[1]):
        thr = thresholds[j, :n_bins[j] - 1]
        out[j] = np.searchsorted(thr, np.asarray(X[:, j], dtype=np.float64), side="left")
    return out


@dataclass(frozen=True, eq=False)
class _HistTree:
    """One fitted histogram tree, in the node layout of scikit-learn's ``tree_``.

    ``children_left``, ``children_right`` int64 (-1 for a leaf), ``feature`` int64 (-2
    for a leaf), ``threshold`` float64 (a row goes left when ``x <= threshold``; -2 for a
    leaf), ``value`` float64 (the leaf values of the boosting step; the mean of the
    pseudo-residuals at internal nodes), root first.
    """

    children_left: NDArray[np.int64]
    children_right: NDArray[np.int64]
    feature: NDArray[np.int64]
    threshold: NDArray[np.float64]
    value: NDArray[np.float64]

    @property
    def node_count(self) -> int:
        return len(self.value)

    def apply(self, X: NDArray) -> NDArray[np.int64]:
        """The leaf of every row of ``X`` (n, n_features)."""
        X = np.asarray(X)
        node = np.zeros(X.shape[0], dtype=np.int64)
        rows = np.arange(X.shape[0])
        while True:
            inner = self.children_left[node] >= 0
            if not inner.any():
                return node
            r, nd = rows[inner], node[inner]
            go_left = (np.asarray(X[r, self.feature[nd]], dtype=np.float64)
                       <= self.threshold[nd])
            node[r] = np.where(go_left, self.children_left[nd], self.children_right[nd])

    def predict(self, X: NDArray) -> NDArray[np.float64]:
        """The tree's value on every row of ``X`` (n, n_features)."""
        return self.value[self.apply(X)]


def fit_stage(Xb: NDArray[np.uint8], thresholds: NDArray[np.float64],
              n_bins: NDArray[np.int64], G: NDArray[np.float64], Y: NDArray[np.float64],
              R: NDArray[np.float64], U: NDArray[np.float64], n_in: int, loss: int,
              max_depth: int | None, n_classes: int
              ) -> tuple[list[list[_HistTree]], NDArray[np.float64]]:
    """Grow the ``C x K`` trees of one stage: ``(trees, values)``.

    ``Xb`` (f, n) bins; ``G``, ``Y``, ``R`` (n, K) pseudo-residuals, leaf targets and raw
    scores; ``U`` (C, n) uniform draws that select each candidate's ``n_in`` rows ((C, 0):
    all rows); ``loss`` a loss code of :mod:`._boosting_kernels`. ``trees[c][k]`` is
    candidate ``c``'s tree of output ``k``, ``values`` (C, K, n) their values on all rows.
    """
    C, (n, K) = U.shape[0], G.shape
    depth = -1 if max_depth is None else int(max_depth)
    max_nodes = 2 * n_in - 1 if depth < 0 or depth >= 30 else min(2 * n_in - 1,
                                                                   2 ** (depth + 1) - 1)
    n_tasks = C * K
    feature = np.empty((n_tasks, max_nodes), dtype=np.int64)
    split_bin = np.empty((n_tasks, max_nodes), dtype=np.int64)
    left = np.empty((n_tasks, max_nodes), dtype=np.int64)
    right = np.empty((n_tasks, max_nodes), dtype=np.int64)
    value = np.empty((n_tasks, max_nodes))
    node_count = np.empty(n_tasks, dtype=np.int64)
    values = np.empty((C, K, n))
    max_bins = int(max(n_bins.max(), 1))
    _hk._fit_trees(Xb, n_bins, max_bins, np.ascontiguousarray(G.T), np.ascontiguousarray(Y.T),
                   np.ascontiguousarray(R.T), U, n_in, loss, depth, n_classes, feature,
                   split_bin, left, right, value, node_count, values)
    trees = []
    for c in range(C):
        row = []
        for k in range(K):
            task = c * K + k
            m = int(node_count[task])
            f = feature[task, :m].copy()
            inner = f >= 0
            thr = np.full(m, -2.0)
            thr[inner] = thresholds[f[inner], split_bin[task, :m][inner]]
            row.append(_HistTree(children_left=left[task, :m].copy(),
                                 children_right=right[task, :m].copy(), feature=f,
                                 threshold=thr, value=value[task, :m].copy()))
        trees.append(row)
    return trees, values
