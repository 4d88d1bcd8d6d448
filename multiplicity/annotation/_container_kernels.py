"""Numba kernels of the Annotations container."""

from __future__ import annotations

import numpy as np
from numba import njit

from .._config import NJIT


@njit(**NJIT)
def _counting_sort(keys, n_keys, order):
    """Stable counting sort of ``order`` by ``keys[order]`` (keys in [0, n_keys))."""
    counts = np.zeros(n_keys + 1, dtype=np.int64)
    for j in range(order.shape[0]):
        counts[keys[order[j]] + 1] += 1
    for k in range(n_keys):
        counts[k + 1] += counts[k]
    out = np.empty_like(order)
    for j in range(order.shape[0]):
        k = keys[order[j]]
        out[counts[k]] = order[j]
        counts[k] += 1
    return out


@njit(**NJIT)
def _order_by_item_then_annotator(item, annotator, n_items, n_annotators):
    """Stable order of the annotations by (item, annotator): two counting-sort passes
    (least significant key first), O(n + n_items + n_annotators)."""
    order = np.arange(item.shape[0])
    order = _counting_sort(annotator, n_annotators, order)
    return _counting_sort(item, n_items, order)
