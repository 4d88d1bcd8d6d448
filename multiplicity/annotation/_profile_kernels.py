"""Numba kernel of the leave-one-out majority statistics of DisagreementProfile."""

import numpy as np
from numba import njit

from .._config import NJIT


@njit(**NJIT)
def _loo_majority_stats(item_ptr, annot, codes, n_annotators, k):
    """Agreement of every annotator with the leave-one-out majority of the other labels.

    ``item_ptr`` int64 (n_items + 1,), ``annot``/``codes`` int64 (n_ratings,) sorted by
    item. For every rating of an item with at least 2 ratings, the other ratings' counts
    are the item's counts minus that rating; their modal categories (ties included) form
    the leave-one-out majority, each of ``t`` tied categories with weight ``1 / t``.

    Returns ``agree`` float64 (r,), the tie-weighted number of ratings equal to the
    majority; ``n_used`` int64 (r,), ratings with at least one other rating on their
    item; ``own`` float64 (r, k), those ratings by category; ``major`` float64 (r, k), the
    tie-weighted majority categories they were compared with.
    """
    n_items = item_ptr.shape[0] - 1
    agree = np.zeros(n_annotators)
    n_used = np.zeros(n_annotators, dtype=np.int64)
    own = np.zeros((n_annotators, k))
    major = np.zeros((n_annotators, k))
    buf = np.zeros(k, dtype=np.int64)
    seen = np.empty(k, dtype=np.int64)
    for i in range(n_items):
        a = item_ptr[i]
        b = item_ptr[i + 1]
        if b - a < 2:
            continue
        n_seen = 0
        for t in range(a, b):
            c = codes[t]
            if buf[c] == 0:
                seen[n_seen] = c
                n_seen += 1
            buf[c] += 1
        for t in range(a, b):
            j = annot[t]
            c = codes[t]
            buf[c] -= 1
            top = 0
            for s in range(n_seen):
                top = max(top, buf[seen[s]])
            n_tied = 0
            for s in range(n_seen):
                n_tied += buf[seen[s]] == top
            w = 1.0 / n_tied
            for s in range(n_seen):
                if buf[seen[s]] == top:
                    major[j, seen[s]] += w
            if buf[c] == top:
                agree[j] += w
            own[j, c] += 1.0
            n_used[j] += 1
            buf[c] += 1
        for s in range(n_seen):
            buf[seen[s]] = 0
    return agree, n_used, own, major
