"""Numba kernels behind :class:`BoostingExplorer` (:mod:`._boosting`).

Trees. The ``n_estimators x n_candidates x n_outputs`` fitted regression trees are
passed as flat arrays, the nodes of every tree one after the other (tree ``j`` owns the
nodes ``node_off[j]:node_off[j + 1]``, its root first), with the node ids of
scikit-learn's ``tree_`` shifted by ``node_off[j]``:

- ``feature`` int64 (n_nodes,): split feature of an internal node, -2 for a leaf.
- ``threshold`` float64 (n_nodes,): a row goes left when ``X[row, feature] <= threshold``
  (``X`` float32, compared in float64, as scikit-learn's trees do).
- ``left``, ``right`` int64 (n_nodes,): global ids of the children (-1 for a leaf).
- ``value`` float64 (n_nodes,): the node's output (the leaf values the boosting step
  set, before the learning rate).

Table of values. ``V`` float64 of shape ``(T, C, K, c)``: ``V[t, j, k, s]`` is the value
of candidate ``j``'s tree for output ``k`` at boosting stage ``t`` on sample ``s`` of a
chunk of ``c`` samples (``K = 1`` for binary classification and regression, ``K =
n_classes`` otherwise). Samples are the last, contiguous axis, so that a path's sum over
stages runs over contiguous memory. Memory: ``T * C * K * c * 8`` bytes.

Paths. ``choices`` int64 ``(m, T)``: path ``i`` takes candidate ``choices[i, t]`` at stage
``t``. Its raw score is ``init[k] + lr * V[0, choices[i, 0], k, s] + ... + lr * V[T - 1,
choices[i, T - 1], k, s]``, added stage after stage (the order of scikit-learn's
``GradientBoosting*`` predictions). The path kernels run in parallel over (path, block of
``BLOCK`` samples) tasks; every task computes its own cells in a fixed order, so results do
not depend on the number of threads, and a path computed alone (a ``V`` with only its own
trees) gets bit-identical numbers.
"""

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL

LOSS_LOG, LOSS_SQUARED, LOSS_ABSOLUTE = 0, 1, 2
# Samples per task of the path kernels.
BLOCK = 256


@njit(**NJIT_PARALLEL)
def _tree_values(X, trees, feature, threshold, left, right, value, node_off, out):
    """Value of every tree of ``trees`` on every row of ``X``, into ``out``.

    ``X`` (c, n_features) float32; ``trees`` (n_eval,) int64 ids of the trees to evaluate;
    the tree arrays as in the module docstring; ``out`` (n_eval, c) float64. One task per
    (tree, block of ``BLOCK`` rows); each row walks from the root to its leaf.
    """
    n_eval = trees.shape[0]
    c = X.shape[0]
    n_blocks = (c + BLOCK - 1) // BLOCK
    for task in prange(n_eval * n_blocks):
        i = task // n_blocks
        blk = task - i * n_blocks
        lo = blk * BLOCK
        hi = min(c, lo + BLOCK)
        root = node_off[trees[i]]
        for s in range(lo, hi):
            node = root
            while left[node] >= 0:
                if np.float64(X[s, feature[node]]) <= threshold[node]:
                    node = left[node]
                else:
                    node = right[node]
            out[i, s] = value[node]


@njit(**NJIT)
def _raw_block(V, init, lr, choice, lo, hi, acc):
    """Raw scores of one path on samples ``lo:hi`` into ``acc`` (K, BLOCK) float64."""
    n_stages = V.shape[0]
    n_out = V.shape[2]
    width = hi - lo
    for k in range(n_out):
        for s in range(width):
            acc[k, s] = init[k]
        for t in range(n_stages):
            row = V[t, choice[t], k]
            for s in range(width):
                acc[k, s] += lr * row[lo + s]


@njit(**NJIT_PARALLEL)
def _path_raw(V, init, lr, choices, out):
    """Raw scores of every path into ``out`` (m, K, c) float64.

    ``V`` (T, C, K, c) float64, ``init`` (K,) float64, ``lr`` float, ``choices`` (m, T)
    int64.
    """
    m = choices.shape[0]
    c = V.shape[3]
    n_out = V.shape[2]
    n_blocks = (c + BLOCK - 1) // BLOCK
    for task in prange(m * n_blocks):
        i = task // n_blocks
        blk = task - i * n_blocks
        lo = blk * BLOCK
        hi = min(c, lo + BLOCK)
        acc = np.empty((n_out, BLOCK))
        _raw_block(V, init, lr, choices[i], lo, hi, acc)
        for k in range(n_out):
            for s in range(hi - lo):
                out[i, k, lo + s] = acc[k, s]


@njit(**NJIT)
def _proba_of(acc, s, n_out, p):
    """Class probabilities of column ``s`` of ``acc`` (raw scores) into ``p`` (n_classes,).

    One output: ``p = [1 - expit(r), expit(r)]``; several: the softmax of the outputs.
    """
    if n_out == 1:
        p1 = 1.0 / (1.0 + np.exp(-acc[0, s]))
        p[0] = 1.0 - p1
        p[1] = p1
        return
    top = acc[0, s]
    for k in range(1, n_out):
        top = max(top, acc[k, s])
    total = 0.0
    for k in range(n_out):
        e = np.exp(acc[k, s] - top)
        p[k] = e
        total += e
    for k in range(n_out):
        p[k] /= total


@njit(**NJIT_PARALLEL)
def _path_loss_partials(V, init, lr, choices, y, loss, clip):
    """Per path and block of ``BLOCK`` samples, the summed loss: (m, n_blocks) float64.

    ``y`` (c,) float64: class codes (``LOSS_LOG``) or target values. ``LOSS_LOG``: ``-log``
    of the true class's probability clipped to ``[clip, 1 - clip]`` (after dividing the
    probabilities by their sum, as :func:`model_loss` does), as ``sklearn.metrics.log_loss``;
    ``LOSS_SQUARED``: ``(f - y)**2``; ``LOSS_ABSOLUTE``: ``|f - y|``. A path's loss is the
    sum of its row (in a fixed order) over the number of samples. No ``(m, c)`` array of
    scores is formed.
    """
    m = choices.shape[0]
    c = V.shape[3]
    n_out = V.shape[2]
    n_classes = 2 if n_out == 1 else n_out
    n_blocks = (c + BLOCK - 1) // BLOCK
    partial = np.zeros((m, n_blocks))
    for task in prange(m * n_blocks):
        i = task // n_blocks
        blk = task - i * n_blocks
        lo = blk * BLOCK
        hi = min(c, lo + BLOCK)
        acc = np.empty((n_out, BLOCK))
        p = np.empty(n_classes)
        _raw_block(V, init, lr, choices[i], lo, hi, acc)
        total = 0.0
        for s in range(hi - lo):
            target = y[lo + s]
            if loss == LOSS_LOG:
                _proba_of(acc, s, n_out, p)
                norm = 0.0
                for r in range(n_classes):
                    norm += p[r]
                pt = p[int(target)] / norm
                pt = min(max(pt, clip), 1.0 - clip)
                total += -np.log(pt)
            elif loss == LOSS_SQUARED:
                d = acc[0, s] - target
                total += d * d
            else:
                total += abs(acc[0, s] - target)
        partial[i, blk] = total
    return partial


@njit(**NJIT_PARALLEL)
def _path_proba(V, init, lr, choices, out):
    """Class probabilities of every path into ``out`` (m, c, n_classes) float64.

    One output (two classes): ``[1 - expit(raw), expit(raw)]``; ``K`` outputs: softmax.
    """
    m = choices.shape[0]
    c = V.shape[3]
    n_out = V.shape[2]
    n_classes = out.shape[2]
    n_blocks = (c + BLOCK - 1) // BLOCK
    for task in prange(m * n_blocks):
        i = task // n_blocks
        blk = task - i * n_blocks
        lo = blk * BLOCK
        hi = min(c, lo + BLOCK)
        acc = np.empty((n_out, BLOCK))
        p = np.empty(n_classes)
        _raw_block(V, init, lr, choices[i], lo, hi, acc)
        for s in range(hi - lo):
            _proba_of(acc, s, n_out, p)
            for r in range(n_classes):
                out[i, lo + s, r] = p[r]


@njit(**NJIT_PARALLEL)
def _path_codes(V, init, lr, choices, out):
    """Predicted class codes of every path into ``out`` (m, c) integer array.

    One output: ``raw >= 0`` (class 1); ``K`` outputs: the first argmax of the raw scores
    (as ``GradientBoostingClassifier.predict``).
    """
    m = choices.shape[0]
    c = V.shape[3]
    n_out = V.shape[2]
    n_blocks = (c + BLOCK - 1) // BLOCK
    for task in prange(m * n_blocks):
        i = task // n_blocks
        blk = task - i * n_blocks
        lo = blk * BLOCK
        hi = min(c, lo + BLOCK)
        acc = np.empty((n_out, BLOCK))
        _raw_block(V, init, lr, choices[i], lo, hi, acc)
        for s in range(hi - lo):
            if n_out == 1:
                out[i, lo + s] = 1 if acc[0, s] >= 0.0 else 0
            else:
                best = 0
                for k in range(1, n_out):
                    if acc[k, s] > acc[best, s]:
                        best = k
                out[i, lo + s] = best


@njit(**NJIT_PARALLEL)
def _stage_loss_partials(raw, values, lr, y, loss, clip):
    """Per candidate and block of ``BLOCK`` rows, the summed loss of ``raw + lr * values``:
    (C, n_blocks) float64.

    ``raw`` (n, K) float64 the ensemble's raw scores, ``values`` (C, K, n) float64 the
    candidates' tree values, ``y`` (n,) float64 class codes (``LOSS_LOG``) or target
    values. ``LOSS_LOG``: ``-log`` of the true class's probability (expit for one output,
    the softmax otherwise) clipped to ``[clip, 1 - clip]``; ``LOSS_SQUARED``:
    ``(f - y)**2``; ``LOSS_ABSOLUTE``: ``|f - y|``. A candidate's mean loss is the sum of
    its row over ``n``.
    """
    n_cand = values.shape[0]
    n_out = values.shape[1]
    n = values.shape[2]
    n_blocks = (n + BLOCK - 1) // BLOCK
    partial = np.zeros((n_cand, n_blocks))
    for task in prange(n_cand * n_blocks):
        c = task // n_blocks
        blk = task - c * n_blocks
        lo = blk * BLOCK
        hi = min(n, lo + BLOCK)
        f = np.empty(n_out)
        total = 0.0
        for s in range(lo, hi):
            for k in range(n_out):
                f[k] = raw[s, k] + lr * values[c, k, s]
            target = y[s]
            if loss == LOSS_LOG:
                if n_out == 1:
                    p1 = 1.0 / (1.0 + np.exp(-f[0]))
                    pt = p1 if target == 1.0 else 1.0 - p1
                else:
                    top = f[0]
                    for k in range(1, n_out):
                        top = max(top, f[k])
                    norm = 0.0
                    for k in range(n_out):
                        norm += np.exp(f[k] - top)
                    pt = np.exp(f[int(target)] - top) / norm
                pt = min(max(pt, clip), 1.0 - clip)
                total += -np.log(pt)
            elif loss == LOSS_SQUARED:
                d = f[0] - target
                total += d * d
            else:
                total += abs(f[0] - target)
        partial[c, blk] = total
    return partial
