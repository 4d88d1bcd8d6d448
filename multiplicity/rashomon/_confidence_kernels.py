"""Numba kernels of :meth:`MultiplicityProfile.confidence`: the bootstrap over people.

A bootstrap resample is a vector of per-person multiplicities ``w`` (how often each person
is drawn), so every measure of the profile on a resample is a weighted sum over people: a
mean is ``w @ x / n`` and a discrepancy ``max_model (w @ flips_model) / n``. These kernels
turn drawn positions into such weights and compute the weighted sums of many resamples in
one pass, blocked so that a tile of the per-person matrix stays in cache while a block of
resamples reads it.
"""

from numba import njit, prange

from .._config import NJIT_PARALLEL

# Resamples that share one read of a tile of the per-person matrix.
RESAMPLE_BLOCK = 8
# People per tile: a tile of a few hundred rows of one byte stays in L2.
TILE = 2048


@njit(**NJIT_PARALLEL)
def _weights_from_positions(pos, W):
    """Per-person multiplicities of each resample.

    ``pos`` (R, n) int32 drawn positions in ``[0, n)``; ``W`` (R, n) int32 is overwritten
    with ``W[r, j] = #{t : pos[r, t] == j}``. Each resample is one task (no races).
    """
    R, n = pos.shape
    for r in prange(R):
        row = W[r]
        for j in range(n):
            row[j] = 0
        p = pos[r]
        for t in range(n):
            row[p[t]] += 1


@njit(**NJIT_PARALLEL)
def _segment_sums(W, A, bounds, out):
    """Weighted sums of the rows of ``A`` over segments of people, for many resamples.

    ``W`` (R, n) int32 weights, ``A`` (q, n) int8 or float64 per-person values, ``bounds``
    (G + 1,) int64 increasing segment edges with ``bounds[0] == 0`` and
    ``bounds[G] == n``. Adds ``sum_{bounds[g] <= j < bounds[g + 1]} W[r, j] * A[k, j]`` to
    ``out[r, k, g]`` (``out`` (R, q, G), int64 for int8 ``A``, float64 for float64 ``A``).

    Blocks of ``RESAMPLE_BLOCK`` resamples run in parallel, each writing only its own rows
    of ``out``; within a block, a tile of ``TILE`` people of ``A`` is read from memory once
    and used by every resample of the block. Work ``R * q * n`` multiply-adds.
    """
    R = W.shape[0]
    q = A.shape[0]
    G = bounds.shape[0] - 1
    n_blocks = (R + RESAMPLE_BLOCK - 1) // RESAMPLE_BLOCK
    for blk in prange(n_blocks):
        r0 = blk * RESAMPLE_BLOCK
        r1 = min(R, r0 + RESAMPLE_BLOCK)
        for g in range(G):
            t0 = bounds[g]
            while t0 < bounds[g + 1]:
                t1 = min(bounds[g + 1], t0 + TILE)
                for k in range(q):
                    a = A[k, t0:t1]
                    for r in range(r0, r1):
                        w = W[r, t0:t1]
                        s = out[r, k, g] - out[r, k, g]  # zero of out's dtype
                        for j in range(t1 - t0):
                            s += w[j] * a[j]
                        out[r, k, g] += s
                t0 = t1

