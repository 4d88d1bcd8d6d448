"""Numba kernels of the per-item disagreement measures (annotation/_items.py)."""

import math

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL


@njit(**NJIT)
def _item_measures_block(item_ptr, codes, values, k, measure, lo, hi, out):
    """Disagreement of items ``lo .. hi - 1``, written to ``out`` (float64 (n,)).

    ``item_ptr`` int64 (n + 1,) CSR offsets, ``codes`` int64 (n_ratings,) in ``[0, k)``,
    ``values`` float64 (k,) category values (used by ``measure == 4``), ``measure`` the
    code of :data:`DISAGREEMENT_MEASURES`. NaN for items without ratings.
    """
    log_k = math.log(k) if k > 1 else 1.0
    buf = np.zeros(k, dtype=np.int64)
    seen = np.empty(k, dtype=np.int64)
    for i in range(lo, hi):
        a = item_ptr[i]
        b = item_ptr[i + 1]
        m = b - a
        if m == 0:
            out[i] = np.nan
            continue
        if measure == 4:
            mean = 0.0
            for t in range(a, b):
                mean += values[codes[t]]
            mean /= m
            ss = 0.0
            for t in range(a, b):
                dev = values[codes[t]] - mean
                ss += dev * dev
            out[i] = ss / m
            continue
        n_seen = 0
        for t in range(a, b):
            code = codes[t]
            if buf[code] == 0:
                seen[n_seen] = code
                n_seen += 1
            buf[code] += 1
        acc = 0.0
        top = 0
        for s in range(n_seen):
            cnt = buf[seen[s]]
            buf[seen[s]] = 0
            p = cnt / m
            if measure <= 1:
                acc -= p * math.log(p)
            elif measure == 2:
                top = max(top, cnt)
            else:
                acc += p * p
        if measure == 0:
            out[i] = acc
        elif measure == 1:
            out[i] = acc / log_k if k > 1 else 0.0
        elif measure == 2:
            out[i] = 1.0 - top / m
        else:
            out[i] = 1.0 - acc


@njit(**NJIT_PARALLEL)
def _item_measures(item_ptr, codes, values, k, measure, n_chunks):
    """All items, in ``n_chunks`` blocks run in parallel (each block writes only its own
    items of the float64 (n,) result)."""
    n = item_ptr.shape[0] - 1
    out = np.empty(n)
    for c in prange(n_chunks):
        _item_measures_block(item_ptr, codes, values, k, measure, c * n // n_chunks,
                             (c + 1) * n // n_chunks, out)
    return out
