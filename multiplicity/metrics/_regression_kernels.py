"""Numba kernels behind the regression measures of :mod:`multiplicity.metrics`.

``P`` is an ``(m, n)`` float32/float64 matrix of real-valued predictions (read in place)
and ``b`` an ``(n,)`` float64 baseline. The kernels stream over column blocks of ``P`` and
allocate nothing of size ``m x n``. The per-sample range of the predictions is the
``_value_range`` kernel of :mod:`multiplicity.metrics._kernels`, on an ``(m, n, 1)`` view.
"""

import numpy as np
from numba import njit, prange

from .._config import NJIT_PARALLEL
from .._kernels_common import _moved_edge, _n_blocks, _sum_rows


@njit(**NJIT_PARALLEL)
def _regression_flip_stats(P, b, delta, rtol, block):
    """Moves of at least ``delta``: ``|P[i, j] - b[j]| >= delta - rtol * max(delta, |b[j]|)``.

    ``P`` (m, n) float32/float64, ``b`` (n,) float64, ``delta`` > 0. One pass over ``P`` in
    blocks of ``block`` columns, parallel over blocks. Returns ``(flipped, counts)``:
    ``flipped`` (n,) uint8, 1 where some model moves sample j; ``counts`` (m,) int64, the
    samples each model moves. Memory: ``O(n + m * n_blocks)`` besides the input.
    """
    m, n = P.shape
    nb = _n_blocks(n, block)
    flipped = np.zeros(n, dtype=np.uint8)
    part = np.zeros((nb, m), dtype=np.int64)
    for t in prange(nb):
        lo = t * block
        hi = min(n, lo + block)
        edge = np.empty(hi - lo, dtype=np.float64)
        for j in range(lo, hi):
            edge[j - lo] = _moved_edge(delta, rtol, b[j])
        fl = flipped[lo:hi]
        for i in range(m):
            c = np.int64(0)
            for j in range(lo, hi):
                d = np.uint8(abs(np.float64(P[i, j]) - b[j]) >= edge[j - lo])
                fl[j - lo] |= d
                c += d
            part[t, i] = c
    return flipped, _sum_rows(part)
