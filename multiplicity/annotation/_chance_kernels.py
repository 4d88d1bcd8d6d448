"""Numba kernels of the chance-corrected agreement coefficients (see ``_chance.py``).

The kernels read the sparse arrays of :class:`~multiplicity.annotation.Annotations`
(``item_ptr`` CSR offsets and the int64 category code of every rating, sorted by item) and
never see pandas objects.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL


def _item_pairs_impl(item_ptr, codes, W, identity, dense, n_chunks, k):
    """Per-item rating counts and weighted agreeing pairs, plus category shares.

    Parameters: ``item_ptr`` int64 (n + 1,), ``codes`` int64 (n_ratings,) in ``[0, k)``,
    ``W`` float64 (k, k) agreement weights (ignored when ``identity``), ``n_chunks`` >= 1.

    Returns ``r`` float64 (n,): ratings of item i; ``sumq`` float64 (n,):
    ``sum_k c_ik (sum_l w_kl c_il - 1)`` (for identity weights ``sum_k c_ik (c_ik - 1)``, the
    number of ordered agreeing pairs); ``shares`` float64 (n_chunks, k): per chunk of items
    the sum of ``c_ik / r_i`` over items with ``r_i >= 1`` (add the rows to merge).

    With ``dense`` (few categories, see ``DENSE_K``) the per-item loops run over all k
    categories (no branches on the data); otherwise only over the categories the item
    received.
    """
    n = item_ptr.shape[0] - 1
    r = np.empty(n)
    sumq = np.empty(n)
    shares = np.zeros((n_chunks, k))
    for c in prange(n_chunks):
        lo = c * n // n_chunks
        hi = (c + 1) * n // n_chunks
        buf = np.zeros(k, dtype=np.int64)
        seen = np.empty(k, dtype=np.int64)
        acc = np.zeros(k)
        for i in range(lo, hi):
            a = item_ptr[i]
            b = item_ptr[i + 1]
            m = b - a
            r[i] = m
            if m == 0:
                sumq[i] = 0.0
                continue
            inv = 1.0 / m
            s = 0.0
            if dense:
                for j in range(a, b):
                    lab = codes[j]
                    s += buf[lab]
                    buf[lab] += 1
                s *= 2.0
                if not identity:
                    s = 0.0
                    for u in range(k):
                        t = 0.0
                        for v in range(k):
                            t += W[u, v] * buf[v]
                        s += buf[u] * (t - 1.0)
                for u in range(k):
                    acc[u] += buf[u] * inv
                    buf[u] = 0
            else:
                nd = 0
                for j in range(a, b):
                    lab = codes[j]
                    if buf[lab] == 0:
                        seen[nd] = lab
                        nd += 1
                    s += buf[lab]
                    buf[lab] += 1
                s *= 2.0
                if not identity:
                    s = 0.0
                    for u in range(nd):
                        lu = seen[u]
                        t = 0.0
                        for v in range(nd):
                            lv = seen[v]
                            t += W[lu, lv] * buf[lv]
                        s += buf[lu] * (t - 1.0)
                for u in range(nd):
                    lu = seen[u]
                    acc[lu] += buf[lu] * inv
                    buf[lu] = 0
            sumq[i] = s
        for u in range(k):
            shares[c, u] = acc[u]
    return r, sumq, shares


#: Largest number of categories for which callers pass ``dense=True`` to ``_item_pairs``.
DENSE_K = 16


# The same body twice: threads for large data, and a serial twin that avoids the cost of
# waking the thread pool (about 0.5 ms) on small data. ``prange`` is ``range`` there.
_item_pairs = njit(**NJIT_PARALLEL)(_item_pairs_impl)
_item_pairs_serial = njit(**NJIT)(_item_pairs_impl)

#: Items below which ``_item_pairs_serial`` is used.
SERIAL_BELOW = 50_000
