"""Numba kernel of the alternative annotator test (annotation/_alt_test.py): the alignment
of every human label and of every candidate label with the other humans' labels."""

import numpy as np
from numba import njit

from .._config import NJIT


@njit(**NJIT)
def _alignment_keys(item_ptr, codes, cand, values, k, rmse, min_per_item):
    """Order keys of the alignment scores, one per (annotation, candidate).

    ``item_ptr`` int64 (n_items + 1,) and ``codes`` int64 (n_ratings,) are the annotations
    sorted by item; ``cand`` int64 (n_candidates, n_items) the candidates' category codes
    (-1 when missing); ``values`` float64 (k,) the category values (used when ``rmse``).

    For rating ``t`` of an item with at least ``min_per_item`` ratings, the other labels R
    of the item are its category counts minus rating ``t``. The key of a label x is

    * accuracy (``rmse`` False): the number of labels in R equal to x (the score is the
      key divided by ``|R|``);
    * neg_rmse (``rmse`` True): minus the sum over R of ``(x - r)^2`` (the score is
      ``-sqrt(-key / |R|)``).

    Both scores are increasing functions of the key at fixed ``|R|``, so comparing keys
    decides the indicators exactly, and ties stay ties.

    Returns ``human`` float64 (n_ratings,), the key of each rating's own label;
    ``candidate`` float64 (n_candidates, n_ratings), the key of the candidate's label
    against the same R (NaN where the candidate gave none); ``n_others`` int64
    (n_ratings,), ``|R|``. Ratings of items with fewer than ``min_per_item`` ratings are
    NaN with ``n_others`` 0. Time O(n_ratings * n_candidates) for accuracy, times the
    number of distinct labels of the item for neg_rmse; memory the outputs.
    """
    n_items = item_ptr.shape[0] - 1
    n_ratings = codes.shape[0]
    n_cand = cand.shape[0]
    human = np.full(n_ratings, np.nan)
    candidate = np.full((n_cand, n_ratings), np.nan)
    n_others = np.zeros(n_ratings, dtype=np.int64)
    buf = np.zeros(k, dtype=np.int64)
    seen = np.empty(k, dtype=np.int64)
    for i in range(n_items):
        a = item_ptr[i]
        b = item_ptr[i + 1]
        if b - a < min_per_item or b - a < 2:
            continue
        n_seen = 0
        for t in range(a, b):
            c = codes[t]
            if buf[c] == 0:
                seen[n_seen] = c
                n_seen += 1
            buf[c] += 1
        for t in range(a, b):
            c = codes[t]
            buf[c] -= 1
            n_others[t] = b - a - 1
            human[t] = _key(c, buf, seen, n_seen, values, rmse)
            for q in range(n_cand):
                x = cand[q, i]
                if x >= 0:
                    candidate[q, t] = _key(x, buf, seen, n_seen, values, rmse)
            buf[c] += 1
        for s in range(n_seen):
            buf[seen[s]] = 0
    return human, candidate, n_others


@njit(**NJIT)
def _key(x, buf, seen, n_seen, values, rmse):
    """Key of label ``x`` against the labels counted in ``buf`` (see above)."""
    if not rmse:
        return float(buf[x])
    total = 0.0
    for s in range(n_seen):
        c = seen[s]
        if buf[c] > 0:
            dev = values[x] - values[c]
            total += buf[c] * dev * dev
    return -total
