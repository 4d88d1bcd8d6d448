"""Numba kernels shared across subpackages (validation scans, block ranges)."""

import numpy as np
from numba import njit, prange

from ._config import NJIT, NJIT_PARALLEL


@njit(**NJIT)
def _n_blocks(n, block):
    """Number of blocks of ``block`` items that cover ``n`` items."""
    return (n + block - 1) // block


@njit(**NJIT_PARALLEL)
def _scan_probabilities(Q, rows):
    """One pass over probabilities ``Q`` (float, shape (m, n, k)).

    Returns ``(nonfinite, vmin, vmax, worst_dev, worst_flat_index)``: whether any value
    is NaN/inf, the smallest and largest finite value, and (when ``rows`` is true) the
    largest ``|sum_c Q[i, j, c] - 1|`` with its position ``i * n + j``.
    """
    m, n, k = Q.shape
    bad = np.zeros(m, dtype=np.bool_)
    lo = np.full(m, np.inf)
    hi = np.full(m, -np.inf)
    dev = np.zeros(m)
    arg = np.zeros(m, dtype=np.int64)
    for i in prange(m):
        for j in range(n):
            s = 0.0
            for c in range(k):
                v = np.float64(Q[i, j, c])
                if not np.isfinite(v):
                    bad[i] = True
                else:
                    lo[i] = min(lo[i], v)
                    hi[i] = max(hi[i], v)
                s += v
            if rows and np.isfinite(s):
                d = abs(s - 1.0)
                if d > dev[i]:
                    dev[i] = d
                    arg[i] = i * n + j
    worst = 0
    for i in range(m):
        if dev[i] > dev[worst]:
            worst = i
    return bad.any(), lo.min(), hi.max(), dev[worst], arg[worst]
