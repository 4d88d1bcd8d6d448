"""Numba kernel behind the batched linear path of :mod:`multiplicity.explain`.

One pass = every member evaluated on X with some columns permuted. For binary linear
members the decision on the permuted copy is the decision on X plus the change of the
permuted columns: ``d = D[j, i] + sum_c (X[order[i], c] - X[i, c]) * W[c, j]``, so a pass
costs ``n_models * n_samples * n_permuted_columns`` multiply-adds instead of a full
product with every feature.
"""

import numpy as np
from numba import njit, prange

from .._config import NJIT_PARALLEL

_EPS = np.finfo(np.float64).eps


@njit(**NJIT_PARALLEL)
def _linear_pass(DT, delta, Wc, y_codes, kind, guard):
    """Per-member sums of one pass of binary linear members.

    DT : (m, n) float64, decisions of every member on the unpermuted X.
    delta : (n, c) float64, ``X[order, cols] - X[:, cols]`` (c = 0 for X itself).
    Wc : (c, m) float64, the members' weights of the permuted columns.
    y_codes : (n,) int64, class codes of y (0, 1; -1 for a label that is no class).
    kind : 0 number of correct labels, 1 log-loss sum, 2 Brier sum.
    guard : (m,) float64, decisions with ``|d| <= guard[j]`` are counted as near ties.

    Returns ``(sums (m,) float64, near (m,) int64)``. Each member is one prange task that
    writes only its own entries. Log loss clips p(y) to ``[eps, 1 - eps]``.
    """
    m, n = DT.shape
    c = delta.shape[1]
    sums = np.zeros(m)
    near = np.zeros(m, dtype=np.int64)
    for j in prange(m):
        acc = 0.0
        cnt = 0
        for i in range(n):
            d = DT[j, i]
            for k in range(c):
                d += delta[i, k] * Wc[k, j]
            if abs(d) <= guard[j]:
                cnt += 1
            yc = y_codes[i]
            if kind == 0:
                if (d > 0.0 and yc == 1) or (d <= 0.0 and yc == 0):
                    acc += 1.0
            else:
                p1 = 1.0 / (1.0 + np.exp(-d))
                p0 = 1.0 - p1
                if kind == 1:
                    py = p1 if yc == 1 else p0
                    py = min(max(py, _EPS), 1.0 - _EPS)
                    acc -= np.log(py)
                else:
                    t1 = p1 - (1.0 if yc == 1 else 0.0)
                    t0 = p0 - (1.0 if yc == 0 else 0.0)
                    acc += t0 * t0 + t1 * t1
        sums[j] = acc
        near[j] = cnt
    return sums, near
