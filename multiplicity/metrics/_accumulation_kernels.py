"""Numba kernels behind the accumulation measures of :mod:`multiplicity.metrics`.

The rarefaction curve computed from the histogram of the per-sample flip counts (those
come from :func:`multiplicity._kernels_common.sample_flip_counts`, shared with the flip
probabilities).
"""

import numpy as np
from numba import njit, prange

from .._config import NJIT_PARALLEL


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
