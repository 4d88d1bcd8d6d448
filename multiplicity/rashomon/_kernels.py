"""Numba kernels behind :mod:`multiplicity.rashomon`."""

import numpy as np
from numba import njit, prange

from .._config import NJIT_PARALLEL


@njit(**NJIT_PARALLEL)
def _group_flip_counts(P, b, groups, n_groups):
    """Per model and group, the samples where the model differs from the baseline.

    ``P`` (m, n) labels, ``b`` (n,) of ``P``'s dtype, ``groups`` (n,) int64 codes in
    ``[0, n_groups)``. Returns (m, n_groups) int64. Each model is one task (no races).
    """
    m, n = P.shape
    counts = np.zeros((m, n_groups), dtype=np.int64)
    for i in prange(m):
        for j in range(n):
            if P[i, j] != b[j]:
                counts[i, groups[j]] += 1
    return counts


@njit(**NJIT_PARALLEL)
def _proba_chunk_stats(Q, b, threshold, flags, vmin, vmax):
    """One pass over a probability chunk ``Q`` (m, c, k) float64.

    Writes ``flags[i, j] = max_r |Q[i, j, r] - Q[b, j, r]| >= threshold`` (uint8, (m, c))
    and the per-sample, per-class minimum and maximum over models into ``vmin`` and
    ``vmax`` (c, k). Parallel over samples; each task writes only its own columns.
    """
    m, c, k = Q.shape
    for j in prange(c):
        for r in range(k):
            vmin[j, r] = Q[0, j, r]
            vmax[j, r] = Q[0, j, r]
        for i in range(m):
            gap = 0.0
            for r in range(k):
                v = Q[i, j, r]
                gap = max(gap, abs(v - Q[b, j, r]))
                if v < vmin[j, r]:
                    vmin[j, r] = v
                if v > vmax[j, r]:
                    vmax[j, r] = v
            flags[i, j] = gap >= threshold
