"""The training data as :class:`LinearMIPExplorer` searches it: the error budget, the
distinct points in scaled coordinates without redundant columns, and the parallelogram
cuts that no linear classifier violates."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import qr

from ._set import _LOSS_SLACK

__all__ = ["error_budget", "parallelogram_cuts"]

# Relative tolerance of the rank test that drops affinely redundant feature columns.
_RANK_TOL = 1e-9
# Parallelogram cuts: at most this many, and only for up to this many distinct points.
_MAX_CUTS = 200_000
_MAX_CUT_POINTS = 2_000


def error_budget(n_errors0: int, n: int, epsilon: float) -> int:
    """Extra mistakes allowed in ``S_eps``: the largest m with ``(E0 + m)/n <= E0/n + eps``.

    The comparison uses the same float slack as :class:`RashomonSet`, so ``floor(eps * n)``
    up to float noise (``eps = 0.29``, ``n = 100`` gives 29, not 28).
    """
    thr = n_errors0 / n + epsilon
    slack = _LOSS_SLACK * max(1.0, abs(thr))
    m = min(math.floor(epsilon * n), n - n_errors0)
    while m > 0 and (n_errors0 + m) / n > thr + slack:
        m -= 1
    while n_errors0 + m < n and (n_errors0 + m + 1) / n <= thr + slack:
        m += 1
    return m


def _reduce_columns(Xd: NDArray[np.float64]) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Scale the columns of the distinct points to [0, 1] and drop affinely redundant ones.

    Returns ``(Z, keep, lo, span)`` with ``Z = (Xd[:, keep] - lo) / span``. A linear
    classifier on ``Z`` is one on ``Xd`` and conversely (on these points), so the
    dichotomies are the same.
    """
    lo_all = Xd.min(axis=0)
    span_all = Xd.max(axis=0) - lo_all
    varying = np.flatnonzero(span_all > 0)
    if varying.size == 0:
        empty = np.zeros(0)
        return np.zeros((Xd.shape[0], 0)), varying, empty, empty
    Zv = (Xd[:, varying] - lo_all[varying]) / span_all[varying]
    if Zv.shape[0] > 1:
        _, R, piv = qr(Zv - Zv.mean(axis=0), mode="economic", pivoting=True)
        diag = np.abs(np.diag(R))
        rank = int(np.sum(diag > _RANK_TOL * max(diag[0], 1e-300))) if diag.size else 0
        sel = np.sort(piv[:rank])
    else:
        sel = np.zeros(0, dtype=np.intp)
    keep = varying[sel]
    return Zv[:, sel], keep, lo_all[keep], span_all[keep]


def parallelogram_cuts(Xd: NDArray[np.float64], max_cuts: int = _MAX_CUTS,
                       max_points: int = _MAX_CUT_POINTS) -> NDArray[np.intp]:
    """Quadruples ``(a, b, c, d)`` of distinct points with ``x_a + x_b == x_c + x_d`` exactly.

    "Exactly" in real arithmetic on the float64 values, not up to rounding: pairs are
    grouped by the float sum together with its rounding error (TwoSum).

    For any affine score f, ``f(x_a) + f(x_b) = f(x_c) + f(x_d)``, so no linear classifier
    puts a and b strictly on one side and c and d strictly on the other: the labels obey
    ``-1 <= p_a + p_b - p_c - p_d <= 1``. These valid inequalities (the smallest Radon
    partitions) remove no realisable labelling and tighten the big-M relaxation a lot on
    one-hot / binned data. Returns an ``(n_cuts, 4)`` array (at most ``max_cuts`` rows;
    none when there are more than ``max_points`` distinct points).
    """
    K = Xd.shape[0]
    if K < 4 or K > max_points:
        return np.zeros((0, 4), dtype=np.intp)
    ia, ib = np.triu_indices(K, k=1)
    # group pairs by their exact sum: TwoSum gives s = fl(a + b) and the rounding error e
    # with a + b == s + e exactly, so equal exact sums have equal (s, e) (+ 0.0: no -0.0)
    a, b = Xd[ia], Xd[ib]
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    _, grp = np.unique(np.hstack([s + 0.0, e + 0.0]), axis=0, return_inverse=True)
    grp = grp.ravel()
    order = np.argsort(grp, kind="stable")
    bounds = np.flatnonzero(np.diff(grp[order])) + 1
    out: list[NDArray] = []
    total = 0
    for members in np.split(order, bounds):
        if members.size < 2:
            continue
        i, j = np.triu_indices(members.size, k=1)
        q = np.stack([ia[members[i]], ib[members[i]], ia[members[j]], ib[members[j]]], axis=1)
        out.append(q)
        total += q.shape[0]
        if total >= max_cuts:
            break
    if not out:
        return np.zeros((0, 4), dtype=np.intp)
    return np.concatenate(out)[:max_cuts]

