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
