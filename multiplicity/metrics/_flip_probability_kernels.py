"""Numba kernel behind :mod:`multiplicity.metrics._flip_probability`.

Per-sample flip counts: how many models predict something other than the baseline at each
sample. ``P`` is an ``(m, n)`` matrix of labels and ``b`` an ``(n,)`` baseline of the same
dtype (as :func:`multiplicity._validation.check_prediction_baseline` returns them). The
kernel streams over column blocks of ``P`` (every model's row passes over the block's
baseline and counts while they sit in cache) and allocates nothing of size ``m x n``;
:func:`_sample_flip_counts_numpy` is its NumPy twin for small inputs.
"""

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL
from .._kernels_common import _n_blocks

# Samples per column block: the baseline slice and the int64 counts of a block (128 KiB)
# stay in L2 while every model's row streams past them.
BLOCK = 16384
# Cells (models x samples) of the boolean temporary of the NumPy twin (4 MiB).
NUMPY_CELLS = 1 << 22


@njit(**NJIT)
def _count_block(P, b, lo, hi, out):
    """Add the flips of every row of ``P`` over columns ``lo:hi`` to ``out`` ((hi - lo,))."""
    bb = b[lo:hi]
    for i in range(P.shape[0]):
        row = P[i, lo:hi]
        for j in range(bb.shape[0]):
            out[j] += row[j] != bb[j]


@njit(**NJIT_PARALLEL)
def _sample_flip_counts(P, b, block):
    """Per sample, the number of models whose label differs from the baseline's.

    ``P`` (m, n) labels, ``b`` (n,) labels of ``P``'s dtype, ``block`` samples per column
    block. Returns (n,) int64. One pass over ``P``, parallel over blocks; each block
    writes only its own slice of the output (no races). Memory: the (n,) output.
    """
    n = P.shape[1]
    out = np.zeros(n, dtype=np.int64)
    for t in prange(_n_blocks(n, block)):
        lo = t * block
        hi = min(n, lo + block)
        _count_block(P, b, lo, hi, out[lo:hi])
    return out


def _sample_flip_counts_numpy(P, b):
    """NumPy twin of :func:`_sample_flip_counts`: same ``P``, ``b`` and output.

    Works on blocks of columns whose boolean temporary holds at most ``NUMPY_CELLS``
    entries.
    """
    m, n = P.shape
    block = max(1, NUMPY_CELLS // m)
    out = np.empty(n, dtype=np.int64)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        out[lo:hi] = np.count_nonzero(P[:, lo:hi] != b[lo:hi], axis=0)
    return out
