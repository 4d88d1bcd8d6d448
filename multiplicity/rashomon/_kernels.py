"""Numba kernels behind :mod:`multiplicity.rashomon` (label flips, per group or not, and the
edge of a regression move are in :mod:`multiplicity._kernels_common`)."""

from numba import njit, prange

from .._config import NJIT_PARALLEL
from .._kernels_common import _moved_edge, _proba_flip


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


@njit(**NJIT_PARALLEL)
def _regression_flags(P, b, delta, rtol, flags):
    """``flags[i, j] = 1`` where model i moves sample j by ``delta`` or more from the
    baseline's prediction ``b[j]`` (the edge of :func:`_moved_edge`, as the regression
    measures of :mod:`multiplicity.metrics`). ``P`` (m, n) float64, ``flags`` (m, n)
    uint8. Parallel over models; each task writes its own row."""
    m, n = P.shape
    for i in prange(m):
        for j in range(n):
            flags[i, j] = abs(P[i, j] - b[j]) >= _moved_edge(delta, rtol, b[j])
