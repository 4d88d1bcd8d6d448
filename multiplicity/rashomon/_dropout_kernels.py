"""Numba kernels behind the dropout network of :mod:`._network` (and :class:`DropoutExplorer`).

The network is passed as flat arrays (see ``_network.Network``):

- ``W`` float64: every ``coefs_[l]`` (shape ``(sizes[l], sizes[l + 1])``, row-major)
  concatenated; layer ``l`` starts at ``w_off[l]``.
- ``B`` float64: every ``intercepts_[l]`` concatenated; layer ``l`` starts at ``b_off[l]``.
- ``sizes`` int64 ``(n_layers + 1,)``: ``[n_features, hidden_1, ..., n_outputs]``.
- ``m_off`` int64: hidden layer ``l + 1`` (the output of weight matrix ``l``) owns the
  columns ``m_off[l]:m_off[l] + sizes[l + 1]`` of a mask row.
- ``act``: hidden activation code, ``out_act``: output activation code (``ACT_*``).

The first hidden layer does not depend on the mask (masks multiply post-activations), so
it is computed once per chunk of samples and shared by every member: ``H``, by
``_first_layer`` (or by SciPy's sparse product and ``_bias_activate`` for sparse input).
The member kernels start from ``H`` and run in parallel over (member, block of ``BLOCK``
samples) tasks; each task's layer products are BLAS ``gemm`` calls (``np.dot``). The
caller keeps BLAS single-threaded meanwhile, so that Numba's threads are the only ones
(BLAS threads next to them would compete for the cores).
"""

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL

ACT_IDENTITY, ACT_LOGISTIC, ACT_TANH, ACT_RELU, ACT_SOFTMAX = 0, 1, 2, 3, 4
LOSS_ZERO_ONE, LOSS_LOG, LOSS_BRIER = 0, 1, 2
# Samples per task of the member kernels: two (BLOCK, widest layer) buffers per task.
BLOCK = 64


@njit(**NJIT)
def _activate(z, code):
    """One hidden unit: identity, logistic, tanh or relu of the float ``z``."""
    if code == ACT_LOGISTIC:
        return 1.0 / (1.0 + np.exp(-z))
    if code == ACT_TANH:
        return np.tanh(z)
    if code == ACT_RELU:
        return z if z > 0.0 else 0.0
    return z


@njit(**NJIT_PARALLEL)
def _first_layer(X, W1, b, act):
    """First hidden layer ``act(X @ W1 + b)`` of a dense chunk: (c, h1) float64.

    ``X`` (c, n_features) float64, ``W1`` (n_features, h1) float64, ``b`` (h1,). One
    task per block of ``BLOCK`` rows, each one BLAS ``gemm``.
    """
    c = X.shape[0]
    h = W1.shape[1]
    H = np.empty((c, h))
    for blk in prange((c + BLOCK - 1) // BLOCK):
        lo = blk * BLOCK
        hi = min(c, lo + BLOCK)
        Z = np.dot(X[lo:hi], W1)
        for s in range(hi - lo):
            for u in range(h):
                H[lo + s, u] = _activate(Z[s, u] + b[u], act)
    return H


@njit(**NJIT_PARALLEL)
def _bias_activate(Z, b, act):
    """In place: ``Z[j] = act(Z[j] + b)`` for ``Z`` (c, h1) float64 = ``X @ W1``."""
    c, h = Z.shape
    for j in prange(c):
        for u in range(h):
            Z[j, u] = _activate(Z[j, u] + b[u], act)


@njit(**NJIT)
def _forward_block(H, lo, hi, W, B, sizes, w_off, b_off, m_off, act, out_act, mask,
                   buf_a, buf_b):
    """Forward samples ``lo:hi`` of ``H`` through the layers after the first.

    ``H`` (c, h1) float64 holds the unmasked first-hidden-layer activations; ``mask``
    (n_hidden,) float64 multiplies every hidden unit after its activation. ``buf_a`` and
    ``buf_b`` are 1-D float64 scratch buffers of at least ``(hi - lo) * widest layer``
    values. Returns a C-contiguous (hi - lo, sizes[-1]) view of one of them holding the
    output activations (logistic for one output, softmax otherwise). The products are
    BLAS ``gemm`` calls (``np.dot``) on blocks of samples.
    """
    n_w = sizes.shape[0] - 1
    c = hi - lo
    h1 = sizes[1]
    cur = buf_a[:c * h1].reshape((c, h1))
    for s in range(c):
        for u in range(h1):
            cur[s, u] = H[lo + s, u] * mask[u]
    spare = buf_b
    for layer in range(1, n_w):
        fan_in = sizes[layer]
        fan_out = sizes[layer + 1]
        b0 = b_off[layer]
        weights = W[w_off[layer]:w_off[layer + 1]].reshape((fan_in, fan_out))
        nxt = spare[:c * fan_out].reshape((c, fan_out))
        np.dot(cur, weights, nxt)
        if layer < n_w - 1:
            m0 = m_off[layer]
            for s in range(c):
                for j in range(fan_out):
                    nxt[s, j] = _activate(nxt[s, j] + B[b0 + j], act) * mask[m0 + j]
        elif out_act == ACT_SOFTMAX:
            for s in range(c):
                for j in range(fan_out):
                    nxt[s, j] += B[b0 + j]
                top = nxt[s, 0]
                for j in range(1, fan_out):
                    top = max(top, nxt[s, j])
                total = 0.0
                for j in range(fan_out):
                    e = np.exp(nxt[s, j] - top)
                    nxt[s, j] = e
                    total += e
                for j in range(fan_out):
                    nxt[s, j] /= total
        else:
            for s in range(c):
                for j in range(fan_out):
                    nxt[s, j] = _activate(nxt[s, j] + B[b0 + j], out_act)
        spare = buf_a if layer % 2 == 1 else buf_b
        cur = nxt
    return cur


@njit(**NJIT)
def _widest(sizes):
    out = 0
    for layer in range(1, sizes.shape[0]):
        out = max(out, sizes[layer])
    return out


@njit(**NJIT)
def _sample_loss(Y, s, y, n_out, loss, clip):
    """Loss of output row ``Y[s]`` for the class code ``y``.

    Zero-one: the prediction is ``p > 0.5`` for one (logistic) output and the first
    argmax otherwise, as ``MLPClassifier.predict``. Log loss: ``-log`` of the true class's
    probability clipped to ``[clip, 1 - clip]``, as ``sklearn.metrics.log_loss``. Brier:
    ``sum_c (p_c - 1[y = c])**2`` over all classes.
    """
    if n_out == 1:
        p1 = Y[s, 0]
        p0 = 1.0 - p1
        if loss == LOSS_ZERO_ONE:
            pred = 1 if p1 > 0.5 else 0
            return 1.0 if pred != y else 0.0
        if loss == LOSS_LOG:
            pt = p1 if y == 1 else p0
            pt = min(max(pt, clip), 1.0 - clip)
            return -np.log(pt)
        t1 = 1.0 if y == 1 else 0.0
        return (p0 - (1.0 - t1)) ** 2 + (p1 - t1) ** 2
    if loss == LOSS_ZERO_ONE:
        best = 0
        for r in range(1, n_out):
            if Y[s, r] > Y[s, best]:
                best = r
        return 1.0 if best != y else 0.0
    if loss == LOSS_LOG:
        pt = min(max(Y[s, y], clip), 1.0 - clip)
        return -np.log(pt)
    total = 0.0
    for r in range(n_out):
        d = Y[s, r] - (1.0 if r == y else 0.0)
        total += d * d
    return total


@njit(**NJIT_PARALLEL)
def _loss_partials(H, y, W, B, sizes, w_off, b_off, m_off, act, out_act, masks, loss,
                   clip):
    """Per member and block of ``BLOCK`` samples, the summed loss: (m, n_blocks) float64.

    ``H`` (c, h1) float64 first-layer activations, ``y`` (c,) int64 class codes,
    ``masks`` (m, n_hidden) float64, ``loss`` a ``LOSS_*`` code, ``clip`` the log-loss
    clipping. One task per (member, block); each task writes only its own cell, and a
    member's total is the sum of its row in a fixed order, so the result does not depend
    on the number of threads. No (m, c, n_classes) array is formed.
    """
    m = masks.shape[0]
    c = H.shape[0]
    n_blocks = (c + BLOCK - 1) // BLOCK
    n_out = sizes[sizes.shape[0] - 1]
    width = _widest(sizes)
    partial = np.zeros((m, n_blocks))
    for t in prange(m * n_blocks):
        i = t // n_blocks
        blk = t - i * n_blocks
        lo = blk * BLOCK
        hi = min(c, lo + BLOCK)
        buf_a = np.empty(BLOCK * width)
        buf_b = np.empty(BLOCK * width)
        Y = _forward_block(H, lo, hi, W, B, sizes, w_off, b_off, m_off, act, out_act,
                           masks[i], buf_a, buf_b)
        acc = 0.0
        for s in range(hi - lo):
            acc += _sample_loss(Y, s, y[lo + s], n_out, loss, clip)
        partial[i, blk] = acc
    return partial


@njit(**NJIT_PARALLEL)
def _proba(H, W, B, sizes, w_off, b_off, m_off, act, out_act, masks, out):
    """Class probabilities of every member into ``out`` (m, c, n_classes) float64.

    Two classes (one logistic output ``p``) are written as ``[1 - p, p]``, as
    ``MLPClassifier.predict_proba``. One task per (member, block of samples), so a
    single member is parallel over samples and many members over members.
    """
    m = masks.shape[0]
    c = H.shape[0]
    n_blocks = (c + BLOCK - 1) // BLOCK
    n_out = sizes[sizes.shape[0] - 1]
    width = _widest(sizes)
    for t in prange(m * n_blocks):
        i = t // n_blocks
        blk = t - i * n_blocks
        lo = blk * BLOCK
        hi = min(c, lo + BLOCK)
        buf_a = np.empty(BLOCK * width)
        buf_b = np.empty(BLOCK * width)
        Y = _forward_block(H, lo, hi, W, B, sizes, w_off, b_off, m_off, act, out_act,
                           masks[i], buf_a, buf_b)
        if n_out == 1:
            for s in range(hi - lo):
                out[i, lo + s, 0] = 1.0 - Y[s, 0]
                out[i, lo + s, 1] = Y[s, 0]
        else:
            for s in range(hi - lo):
                for r in range(n_out):
                    out[i, lo + s, r] = Y[s, r]


@njit(**NJIT_PARALLEL)
def _codes(H, W, B, sizes, w_off, b_off, m_off, act, out_act, masks, out):
    """Predicted class codes of every member into ``out`` (m, c) integer array.

    ``p > 0.5`` for one logistic output, the first argmax otherwise (as
    ``MLPClassifier.predict``). Tasks as in :func:`_proba`.
    """
    m = masks.shape[0]
    c = H.shape[0]
    n_blocks = (c + BLOCK - 1) // BLOCK
    n_out = sizes[sizes.shape[0] - 1]
    width = _widest(sizes)
    for t in prange(m * n_blocks):
        i = t // n_blocks
        blk = t - i * n_blocks
        lo = blk * BLOCK
        hi = min(c, lo + BLOCK)
        buf_a = np.empty(BLOCK * width)
        buf_b = np.empty(BLOCK * width)
        Y = _forward_block(H, lo, hi, W, B, sizes, w_off, b_off, m_off, act, out_act,
                           masks[i], buf_a, buf_b)
        for s in range(hi - lo):
            if n_out == 1:
                out[i, lo + s] = 1 if Y[s, 0] > 0.5 else 0
            else:
                best = 0
                for r in range(1, n_out):
                    if Y[s, r] > Y[s, best]:
                        best = r
                out[i, lo + s] = best
