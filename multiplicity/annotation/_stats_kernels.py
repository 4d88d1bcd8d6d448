"""Numba kernels of the item bootstrap (see ``_stats.py``)."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL

__all__: list[str] = []


@njit(**NJIT)
def _resample_block(S, seed, n_resamples, out, first):
    """Resamples ``first .. first + n_resamples - 1``: sums of S over items drawn with
    replacement, from the generator seeded with ``seed``."""
    n, s = S.shape
    # Numba's per-thread legacy generator, seeded per block: a block runs on one thread,
    # so its draws depend only on its seed (Generator objects are slower in kernels).
    np.random.seed(seed)  # noqa: NPY002
    for b in range(n_resamples):
        row = out[first + b]
        for c in range(s):
            row[c] = 0.0
        for _ in range(n):
            # floor(u * n) with u uniform on [0, 1) (53 random bits): uniform on 0..n-1
            # up to 2**-53 relative bias, about twice as fast as randint's rejection loop.
            i = min(int(np.random.random() * n), n - 1)  # noqa: NPY002
            for c in range(s):
                row[c] += S[i, c]


@njit(**NJIT_PARALLEL)
def _bootstrap_sums(S, seeds, per_block, n_resamples):
    out = np.empty((n_resamples, S.shape[1]))
    n_blocks = seeds.shape[0]
    for blk in prange(n_blocks):
        first = blk * per_block
        count = min(per_block, n_resamples - first)
        if count > 0:
            _resample_block(S, seeds[blk], count, out, first)
    return out
