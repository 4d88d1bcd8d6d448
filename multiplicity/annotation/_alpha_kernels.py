"""Numba kernels behind Krippendorff's alpha (see ``_alpha.py``).

All kernels work on the sparse layout of :class:`Annotations`: ``item_ptr`` (int64,
``(n_items + 1,)``) delimits the annotations of each unit, and ``codes`` (int64) or ``x``
(float64) hold one entry per annotation. A unit's *disagreement term* is

    D_i = sum over ordered pairs (a, b), a != b, of delta(v_a, v_b) / (m_i - 1)

(0 for units with fewer than 2 values), so that Krippendorff's observed disagreement is
``D_o = sum_i D_i / n``. No kernel allocates anything of size values x values.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL

__all__: list[str] = []

# Units with more values than this count disagreeing pairs by sorting, not by a pair loop.
_PAIR_LOOP_MAX = 64


@njit(**NJIT_PARALLEL)
def _nominal_unit_terms(item_ptr, codes):
    """Nominal ``D_i``: ``2 * (number of unordered pairs with different codes) / (m_i - 1)``.

    item_ptr : int64 (n_items + 1,); codes : int64 (n_annotations,). Returns float64
    (n_items,).
    """
    n = item_ptr.shape[0] - 1
    out = np.zeros(n)
    for i in prange(n):
        lo = item_ptr[i]
        hi = item_ptr[i + 1]
        m = hi - lo
        if m < 2:
            continue
        diff = 0
        if m <= _PAIR_LOOP_MAX:
            for a in range(lo, hi):
                ca = codes[a]
                for b in range(a + 1, hi):
                    if codes[b] != ca:
                        diff += 1
        else:
            s = np.sort(codes[lo:hi])
            same = 0
            run = 1
            for a in range(1, m):
                if s[a] == s[a - 1]:
                    run += 1
                else:
                    same += run * (run - 1) // 2
                    run = 1
            same += run * (run - 1) // 2
            diff = m * (m - 1) // 2 - same
        out[i] = 2.0 * diff / (m - 1)
    return out


@njit(**NJIT_PARALLEL)
def _interval_unit_terms(item_ptr, x):
    """Interval ``D_i`` from the moment identity
    ``sum_{a != b} (x_a - x_b)^2 = 2 m sum_a (x_a - mean)^2`` (two passes per unit).

    item_ptr : int64 (n_items + 1,); x : float64 (n_annotations,). Returns float64
    (n_items,).
    """
    n = item_ptr.shape[0] - 1
    out = np.zeros(n)
    for i in prange(n):
        lo = item_ptr[i]
        hi = item_ptr[i + 1]
        m = hi - lo
        if m < 2:
            continue
        s = 0.0
        for a in range(lo, hi):
            s += x[a]
        mean = s / m
        ss = 0.0
        for a in range(lo, hi):
            d = x[a] - mean
            ss += d * d
        out[i] = 2.0 * m * ss / (m - 1)
    return out


@njit(**NJIT_PARALLEL)
def _ratio_unit_terms(item_ptr, x):
    """Ratio ``D_i`` with ``delta = ((v - w) / (v + w))^2``, by a pair loop (O(m_i^2)).

    x : float64 (n_annotations,), all > 0. Returns float64 (n_items,).
    """
    n = item_ptr.shape[0] - 1
    out = np.zeros(n)
    for i in prange(n):
        lo = item_ptr[i]
        hi = item_ptr[i + 1]
        m = hi - lo
        if m < 2:
            continue
        s = 0.0
        for a in range(lo, hi):
            xa = x[a]
            for b in range(a + 1, hi):
                d = (xa - x[b]) / (xa + x[b])
                s += d * d
        out[i] = 2.0 * s / (m - 1)
    return out


@njit(**NJIT_PARALLEL)
def _matrix_unit_terms(item_ptr, codes, delta):
    """``D_i`` for a distance given as a (k, k) float64 matrix (pair loop, O(m_i^2)).

    Returns float64 (n_items,).
    """
    n = item_ptr.shape[0] - 1
    out = np.zeros(n)
    for i in prange(n):
        lo = item_ptr[i]
        hi = item_ptr[i + 1]
        m = hi - lo
        if m < 2:
            continue
        s = 0.0
        for a in range(lo, hi):
            ca = codes[a]
            for b in range(a + 1, hi):
                s += delta[ca, codes[b]] + delta[codes[b], ca]
        out[i] = s / (m - 1)
    return out


@njit(**NJIT_PARALLEL)
def _ratio_row_sums(v, w):
    """``out[i] = sum_j w[j] * ((v[i] - v[j]) / (v[i] + v[j]))^2`` over distinct values.

    v : float64 (V,), all > 0; w : float64 (V,) weights (value frequencies). O(V^2) work,
    O(V) memory; each i writes only ``out[i]``.
    """
    V = v.shape[0]
    out = np.zeros(V)
    for i in prange(V):
        vi = v[i]
        s = 0.0
        for j in range(V):
            d = (vi - v[j]) / (vi + v[j])
            s += w[j] * d * d
        out[i] = s
    return out


@njit(**NJIT_PARALLEL)
def _unit_coincidences(item_ptr, codes, tri):
    """Per-unit coincidence matrices, upper triangle: ``out[i, tri[c, k]]`` is unit i's
    ``o_ck`` (``c <= k``; ordered pairs of its values with codes ``c`` and ``k``, divided
    by ``m_i - 1``).

    tri : int64 (k, k) column index of ``(min(c, k), max(c, k))``. Returns float64
    (n_items, k (k + 1) / 2).
    """
    n = item_ptr.shape[0] - 1
    k = tri.shape[0]
    out = np.zeros((n, k * (k + 1) // 2))
    for i in prange(n):
        lo = item_ptr[i]
        hi = item_ptr[i + 1]
        m = hi - lo
        if m < 2:
            continue
        w = 1.0 / (m - 1)
        for a in range(lo, hi):
            ca = codes[a]
            for b in range(a + 1, hi):
                cb = codes[b]
                if ca == cb:
                    out[i, tri[ca, ca]] += 2.0 * w
                else:
                    out[i, tri[ca, cb]] += w
    return out


@njit(**NJIT)
def _per_unit_sum(item_ptr, x):
    """``out[i] = sum of x over the annotations of unit i``; float64 (n_items,)."""
    n = item_ptr.shape[0] - 1
    out = np.zeros(n)
    for i in range(n):
        s = 0.0
        for a in range(item_ptr[i], item_ptr[i + 1]):
            s += x[a]
        out[i] = s
    return out
