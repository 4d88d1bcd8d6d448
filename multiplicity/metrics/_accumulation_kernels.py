"""Numba kernels behind the accumulation measures of :mod:`multiplicity.metrics`.

Two kernels: the per-sample flip counts (how many models flip each sample, one read of
the prediction matrix in column blocks) and the rarefaction curve computed from the
histogram of those counts. Shapes as in :mod:`multiplicity.metrics._kernels`.
"""

import numpy as np
from numba import njit, prange

from .._config import NJIT_PARALLEL
from .._kernels_common import _n_blocks

# Samples per column block of :func:`_sample_flip_counts`: the baseline slice and the
# int32 counts of a block stay in L2 while every model's row streams past them.
BLOCK = 16384


@njit(**NJIT_PARALLEL)
def _sample_flip_counts(P, b, block):
    """Per sample, the number of models that differ from the baseline.

    ``P`` (m, n) labels, ``b`` (n,) labels comparable with them. Returns (n,) int32.
    Each column block is one task and writes only its own slice (no races).
    """
    m, n = P.shape
    out = np.zeros(n, dtype=np.int32)
    for t in prange(_n_blocks(n, block)):
        lo = t * block
        hi = min(n, lo + block)
        bb = b[lo:hi]
        cc = out[lo:hi]
        for i in range(m):
            row = P[i, lo:hi]
            for j in range(hi - lo):
                cc[j] += np.int32(row[j] != bb[j])
    return out


@njit(**NJIT_PARALLEL)
def _rarefaction_counts(hist, n_models, sizes):
    """Expected number of flipped samples among ``sizes[s]`` models drawn without
    replacement from ``n_models``: ``sum_c hist[c] * (1 - C(M - c, m) / C(M, m))``.

    ``hist`` (c_max + 1,) int64 samples per flip count ``c``, ``sizes`` (k,) int64 in
    ``[1, n_models]``. The ratio ``C(M - c, m) / C(M, m) = prod_{r<c} (1 - m / (M - r))``
    is built as a running product over ``c`` (every factor in [0, 1]: no overflow, and an
    underflow to 0 is the right limit). Returns (k,) float64.
    """
    k = sizes.shape[0]
    out = np.zeros(k)
    for s in prange(k):
        m = np.float64(sizes[s])
        ratio = 1.0
        total = 0.0
        for c in range(1, hist.shape[0]):
            ratio *= max(0.0, 1.0 - m / np.float64(n_models - (c - 1)))
            total += np.float64(hist[c]) * (1.0 - ratio)
        out[s] = total
    return out
