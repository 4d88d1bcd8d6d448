"""Numba kernels behind :mod:`multiplicity.rashomon` (label flips, per group or not, are in
:mod:`multiplicity._kernels_common`)."""

from numba import njit, prange

from .._config import NJIT_PARALLEL
from .._kernels_common import _proba_flip


@njit(**NJIT_PARALLEL)
def _proba_chunk_stats(Q, B, threshold, flags, vmin, vmax):
    """One pass over a probability chunk ``Q`` (m, c, k) float64.

    Writes ``flags[i, j] = max_r |Q[i, j, r] - B[j, r]| >= threshold`` (uint8, (m, c);
    ``B`` (c, k) holds the baseline model's probabilities) and the per-sample, per-class
    minimum and maximum over models into ``vmin`` and ``vmax`` (c, k). Parallel over
    samples; each task writes only its own columns.
    """
    m, c, k = Q.shape
    for j in prange(c):
        for r in range(k):
            vmin[j, r] = Q[0, j, r]
            vmax[j, r] = Q[0, j, r]
        for i in range(m):
            for r in range(k):
                v = Q[i, j, r]
                if v < vmin[j, r]:
                    vmin[j, r] = v
                if v > vmax[j, r]:
                    vmax[j, r] = v
            flags[i, j] = _proba_flip(Q, i, j, B, threshold)
