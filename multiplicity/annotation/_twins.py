"""NumPy twins of the per-item kernels, for inputs too small to pay Numba's start-up.

Numba costs about 0.7 s once per process (import, compiler target, loading the cached
kernels). Below ``get_config()["numba_min_size"]`` the coefficients call these functions
instead of their kernels in ``_alpha_kernels.py`` and ``_chance_kernels.py``. Each takes
the kernel's arguments plus ``item``, the item index of every annotation
(``Annotations.item_codes``), and gives the same results (integer counts exactly, float
sums to rounding), built from ``np.bincount``. Memory: O(n_items x n_categories) for the
count-based twins, O(n_annotations) for the sums.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .._config import use_kernels

__all__: list[str] = []


def compiled(ann) -> bool:
    """Whether the Annotations ``ann`` is large enough for the compiled kernels (work:
    its annotations, and items x categories for the count-based twins); else the twins."""
    return use_kernels(max(ann.n_annotations, ann.n_items * ann.n_categories))


def counts(item_ptr: NDArray[np.int64], item: NDArray[np.int64], codes: NDArray[np.int64],
           k: int) -> NDArray[np.int64]:
    """``(n_items, k)``: how often each category occurs in each item."""
    n = item_ptr.shape[0] - 1
    key = item * k
    key += codes
    return np.bincount(key, minlength=n * k).reshape(n, k)


def per_unit_sum(item_ptr: NDArray[np.int64], item: NDArray[np.int64],
                 x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Twin of ``_per_unit_sum``: the sum of ``x`` over each item."""
    n = item_ptr.shape[0] - 1
    return np.bincount(item, weights=x, minlength=n).astype(np.float64, copy=False)


def nominal_unit_terms(item_ptr: NDArray[np.int64], item: NDArray[np.int64],
                       codes: NDArray[np.int64], k: int) -> NDArray[np.float64]:
    """Twin of ``_nominal_unit_terms``: ``(m^2 - sum_c n_c^2) / (m - 1)`` per unit, which
    is twice the number of unordered disagreeing pairs over ``m - 1`` (exact integers)."""
    C = counts(item_ptr, item, codes, k)
    m = np.diff(item_ptr)
    diff2 = m * m - np.einsum("ic,ic->i", C, C)
    return np.divide(diff2, m - 1.0, out=np.zeros(len(m)), where=m >= 2)


def interval_unit_terms(item_ptr: NDArray[np.int64], item: NDArray[np.int64],
                        x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Twin of ``_interval_unit_terms``: ``2 m sum_a (x_a - mean)^2 / (m - 1)`` per unit."""
    n = item_ptr.shape[0] - 1
    m = np.diff(item_ptr).astype(np.float64)
    mean = np.divide(np.bincount(item, weights=x, minlength=n), m, out=np.zeros(n),
                     where=m > 0)
    d = x - mean[item]
    d *= d
    ss = np.bincount(item, weights=d, minlength=n)
    return np.divide(2.0 * m * ss, m - 1.0, out=np.zeros(n), where=m >= 2)


def unit_coincidences(item_ptr: NDArray[np.int64], item: NDArray[np.int64],
                      codes: NDArray[np.int64], tri: NDArray[np.int64]) -> NDArray[np.float64]:
    """Twin of ``_unit_coincidences``: per unit, ``n_c (n_c - 1) / (m - 1)`` on the
    diagonal and ``n_c n_k / (m - 1)`` above it, in the columns ``tri`` gives."""
    k = tri.shape[0]
    C = counts(item_ptr, item, codes, k).astype(np.float64)
    m = np.diff(item_ptr)
    w = np.divide(1.0, m - 1.0, out=np.zeros(len(m)), where=m >= 2)
    iu, ju = np.triu_indices(k)
    pairs = C[:, iu] * (C[:, ju] - (iu == ju))
    out = np.zeros((len(m), k * (k + 1) // 2))
    out[:, tri[iu, ju]] = pairs * w[:, None]
    return out


def item_pairs(item_ptr: NDArray[np.int64], item: NDArray[np.int64],
               codes: NDArray[np.int64], W: NDArray[np.float64], identity: bool, k: int
               ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Twin of ``_item_pairs``: ratings per item ``r``, weighted agreeing pairs
    ``sumq = sum_k c_ik (sum_l w_kl c_il - 1)`` and the category shares (one chunk)."""
    C = counts(item_ptr, item, codes, k)
    m = np.diff(item_ptr)
    r = m.astype(np.float64)
    if identity:
        sumq = (np.einsum("ic,ic->i", C, C) - m).astype(np.float64)
    else:
        Cf = C.astype(np.float64)
        sumq = np.einsum("ic,ic->i", Cf, Cf @ W.T - 1.0)
    inv = np.divide(1.0, r, out=np.zeros(len(r)), where=m >= 1)
    shares = (C * inv[:, None]).sum(axis=0)[None, :]
    return r, sumq, shares
