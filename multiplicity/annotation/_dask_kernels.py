"""Numba kernels of the per-partition statistics of :mod:`._dask`.

They read one partition's compact arrays: ``item_ptr`` (int64, ``(n_items + 1,)``, the
CSR offsets of the items) and the category ``codes`` of the annotations (any integer
dtype, sorted by item). They never see pandas objects.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._config import NJIT

__all__: list[str] = []


@njit(**NJIT)
def _coincidences(item_ptr, codes, k):
    """Krippendorff's coincidence matrix of the units of one partition.

    ``o[c, d] = sum_u sum_{a != b in u} [v_a = c] [v_b = d] / (m_u - 1)`` over the units
    with ``m_u >= 2`` values. Returns float64 ``(k, k)``. Work O(m_u + d_u^2) per unit,
    ``d_u`` its distinct values; memory O(k^2).
    """
    out = np.zeros((k, k))
    cnt = np.zeros(k, dtype=np.int64)
    seen = np.empty(k, dtype=np.int64)
    n = item_ptr.shape[0] - 1
    for i in range(n):
        a = item_ptr[i]
        b = item_ptr[i + 1]
        m = b - a
        if m < 2:
            continue
        nd = 0
        for j in range(a, b):
            c = codes[j]
            if cnt[c] == 0:
                seen[nd] = c
                nd += 1
            cnt[c] += 1
        w = 1.0 / (m - 1.0)
        for x in range(nd):
            c = seen[x]
            for y in range(nd):
                d = seen[y]
                if c == d:
                    out[c, d] += cnt[c] * (cnt[c] - 1.0) * w
                else:
                    out[c, d] += cnt[c] * cnt[d] * w
        for x in range(nd):
            cnt[seen[x]] = 0
    return out
