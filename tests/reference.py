"""Slow, obviously-correct reference implementations of :mod:`multiplicity.metrics`.

Everything here is written as plain Python loops over plain Python values (``tolist()``),
so that label equality is Python's ``==`` and no NumPy casting rule, Numba kernel or
vectorised trick is involved. These functions are the oracles the tests compare the
library against; they do not validate their input beyond what a loop needs.

Two oracles for the Rashomon capacity are given:

* :func:`capacity_blahut_arimoto` -- the textbook Blahut-Arimoto iteration (Blahut 1972,
  Arimoto 1972) on one channel, stopped on the certified gap between its lower bound
  ``I(p)`` and upper bound ``max_i D(W_i || q)``.
* :func:`capacity_cvxpy` -- the mutual information maximised directly as a convex program
  (exponential cone, solver Clarabel), then re-evaluated in NumPy at the solver's input
  distribution, which gives a lower bound ``I(p*)`` and an upper bound
  ``max_i D(W_i || q*)`` on the capacity that do not depend on the solver's own accuracy.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

__all__ = [
    "ABS_TOL_DELTA",
    "ambiguity",
    "ambiguous_samples",
    "capacity_blahut_arimoto",
    "capacity_bounds",
    "capacity_cvxpy",
    "channel",
    "churn",
    "disagreement",
    "disagreement_error_estimate",
    "discrepancy",
    "flip_matrix",
    "mutual_information",
    "negative_flip_rate",
    "pairwise_disagreement",
    "positive_flip_rate",
    "probabilistic_ambiguity",
    "probabilistic_discrepancy",
    "probabilistic_flips",
    "rashomon_capacity",
    "self_consistency",
    "viable_prediction_range",
]

#: Differences within this of ``delta`` count as reaching ``delta``.
ABS_TOL_DELTA = 1e-12

LN2 = math.log(2.0)


# --------------------------------------------------------------------------------------
# Plain Python views of the input
# --------------------------------------------------------------------------------------
def _tolist(x):
    """Nested Python lists of Python scalars, from a list, NumPy array or pandas object."""
    if hasattr(x, "to_numpy"):
        x = x.to_numpy()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return [(_tolist(v) if isinstance(v, list | tuple | np.ndarray) else v) for v in x]


def _matrix(predictions):
    rows = _tolist(predictions)
    assert rows and all(len(r) == len(rows[0]) for r in rows), "not a matrix"
    return rows


def _baseline(rows, baseline):
    """The baseline row: ``rows[baseline]`` (Python indexing) or the given vector."""
    if isinstance(baseline, int | np.integer) and not isinstance(baseline, bool | np.bool_):
        return rows[int(baseline)]
    return _tolist(baseline)


# --------------------------------------------------------------------------------------
# Label predictions
# --------------------------------------------------------------------------------------
def flip_matrix(predictions, baseline):
    """``F[i][j] = predictions[i][j] != baseline[j]`` as nested lists of bool."""
    rows = _matrix(predictions)
    base = _baseline(rows, baseline)
    flips = []
    for row in rows:
        flips.append([bool(row[j] != base[j]) for j in range(len(base))])
    return flips


def ambiguous_samples(predictions, baseline):
    flips = flip_matrix(predictions, baseline)
    out = []
    for j in range(len(flips[0])):
        flipped = False
        for i in range(len(flips)):
            if flips[i][j]:
                flipped = True
        out.append(flipped)
    return np.array(out, dtype=bool)


def ambiguity(predictions, baseline):
    """Share of samples on which at least one model differs from the baseline."""
    flags = ambiguous_samples(predictions, baseline).tolist()
    return sum(1 for f in flags if f) / len(flags)


def discrepancy(predictions, baseline):
    """Largest share of samples on which one model differs from the baseline."""
    flips = flip_matrix(predictions, baseline)
    n = len(flips[0])
    best = 0.0
    for row in flips:
        share = sum(1 for f in row if f) / n
        if share > best:
            best = share
    return best


def pairwise_disagreement(predictions):
    """``D[i][j]`` = share of samples on which models ``i`` and ``j`` differ."""
    rows = _matrix(predictions)
    m, n = len(rows), len(rows[0])
    out = np.zeros((m, m))
    for i in range(m):
        for k in range(m):
            count = 0
            for j in range(n):
                if rows[i][j] != rows[k][j]:
                    count += 1
            out[i, k] = count / n
    return out


def disagreement(predictions):
    """Per sample, the share of ordered pairs ``(i, k)``, ``i != k``, that disagree."""
    rows = _matrix(predictions)
    m, n = len(rows), len(rows[0])
    out = np.zeros(n)
    if m < 2:
        return out
    for j in range(n):
        count = 0
        for i in range(m):
            for k in range(m):
                if i != k and rows[i][j] != rows[k][j]:
                    count += 1
        out[j] = count / (m * (m - 1))
    return out


def self_consistency(predictions):
    return 1.0 - disagreement(predictions)


def disagreement_error_estimate(predictions):
    """Mean of the pairwise disagreement over ordered pairs ``i != k``."""
    D = pairwise_disagreement(predictions)
    m = D.shape[0]
    if m < 2:
        raise ValueError("needs at least 2 models")
    total = 0.0
    for i in range(m):
        for k in range(m):
            if i != k:
                total += D[i, k]
    return total / (m * (m - 1))


def churn(a, b):
    a, b = _tolist(a), _tolist(b)
    assert len(a) == len(b)
    return sum(1 for x, y in zip(a, b, strict=True) if x != y) / len(a)


def negative_flip_rate(y_true, old, new):
    """Share of samples the old model got right and the new model gets wrong."""
    y, o, w = _tolist(y_true), _tolist(old), _tolist(new)
    count = 0
    for j in range(len(y)):
        if o[j] == y[j] and w[j] != y[j]:
            count += 1
    return count / len(y)


def positive_flip_rate(y_true, old, new):
    """Share of samples the old model got wrong and the new model gets right."""
    y, o, w = _tolist(y_true), _tolist(old), _tolist(new)
    count = 0
    for j in range(len(y)):
        if o[j] != y[j] and w[j] == y[j]:
            count += 1
    return count / len(y)


# --------------------------------------------------------------------------------------
# Probabilities
# --------------------------------------------------------------------------------------
def _proba(probabilities):
    """Nested lists of Python numbers (the exact values of the input)."""
    return _tolist(probabilities)


def viable_prediction_range(probabilities):
    """``[min, max]`` over models, per sample (and per class for 3-D input)."""
    Q = _proba(probabilities)
    m, n = len(Q), len(Q[0])
    three_d = isinstance(Q[0][0], list)
    if not three_d:
        out = np.zeros((n, 2))
        for j in range(n):
            lo, hi = math.inf, -math.inf
            for i in range(m):
                v = float(Q[i][j])
                lo, hi = min(lo, v), max(hi, v)
            out[j] = lo, hi
        return out
    k = len(Q[0][0])
    out = np.zeros((n, k, 2))
    for j in range(n):
        for c in range(k):
            lo, hi = math.inf, -math.inf
            for i in range(m):
                v = float(Q[i][j][c])
                lo, hi = min(lo, v), max(hi, v)
            out[j, c] = lo, hi
    return out


def probabilistic_flips(probabilities, baseline, delta):
    """``F[i][j]``: model ``i`` moves sample ``j`` by at least ``delta`` (within 1e-12)."""
    Q = _proba(probabilities)
    if isinstance(baseline, int | np.integer) and not isinstance(baseline, bool | np.bool_):
        b = Q[int(baseline)]
    else:
        b = _proba(baseline)
    flips = []
    for i in range(len(Q)):
        row = []
        for j in range(len(b)):
            if isinstance(b[j], list):
                gap = 0.0
                for c in range(len(b[j])):
                    gap = max(gap, abs(float(Q[i][j][c]) - float(b[j][c])))
            else:
                gap = abs(float(Q[i][j]) - float(b[j]))
            row.append(gap >= delta - ABS_TOL_DELTA)
        flips.append(row)
    return flips


def probabilistic_ambiguity(probabilities, baseline, delta=0.1):
    flips = probabilistic_flips(probabilities, baseline, delta)
    n = len(flips[0])
    count = 0
    for j in range(n):
        if any(flips[i][j] for i in range(len(flips))):
            count += 1
    return count / n


def probabilistic_discrepancy(probabilities, baseline, delta=0.1):
    flips = probabilistic_flips(probabilities, baseline, delta)
    n = len(flips[0])
    return max(sum(1 for f in row if f) / n for row in flips)


# --------------------------------------------------------------------------------------
# Rashomon capacity
# --------------------------------------------------------------------------------------
def channel(probabilities, j):
    """The ``m x k`` channel matrix of sample ``j`` (binary ``[1 - q, q]`` for 2-D input)."""
    Q = np.asarray(probabilities, dtype=np.float64)
    if Q.ndim == 2:
        q = Q[:, j]
        return np.stack([1.0 - q, q], axis=1)
    return Q[:, j, :].copy()


def _kl_rows(W, q):
    """``D(W_i || q)`` in nats for every row, with ``0 log 0 = 0`` (``inf`` off-support)."""
    m, k = W.shape
    out = np.zeros(m)
    for i in range(m):
        total = 0.0
        for c in range(k):
            w = W[i, c]
            if w > 0.0:
                if q[c] <= 0.0:
                    total = math.inf
                    break
                # two logs, not log(w / q): q may be subnormal and w / q overflow
                total += w * (math.log(w) - math.log(q[c]))
        out[i] = total
    return out


def mutual_information(W, p):
    """``I(p; W)`` in bits: ``sum_i p_i D(W_i || p W)``."""
    W = np.asarray(W, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    m, k = W.shape
    q = np.zeros(k)
    for i in range(m):
        for c in range(k):
            q[c] += p[i] * W[i, c]
    d = _kl_rows(W, q)
    total = 0.0
    for i in range(m):
        if p[i] > 0.0:
            total += p[i] * d[i]
    return total / LN2


def capacity_bounds(W, p):
    """Certified ``(lower, upper)`` bounds on the capacity (bits) from any input ``p``.

    ``lower = I(p)`` because the capacity is a maximum over ``p``; ``upper = max_i
    D(W_i || pW)`` by the Kuhn-Tucker conditions (Gallager 1968, Thm 4.5.1).
    """
    W = np.asarray(W, dtype=np.float64)
    p = np.clip(np.asarray(p, dtype=np.float64), 0.0, None)
    p = p / p.sum()
    q = p @ W
    return mutual_information(W, p), float(_kl_rows(W, q).max()) / LN2


def capacity_blahut_arimoto(W, *, tol=1e-12, max_iter=1_000_000):
    """Capacity (bits) of channel ``W`` (rows = inputs) by Blahut-Arimoto.

    Returns ``(C, lower, upper)`` where ``C`` is the final lower bound and
    ``upper - lower <= tol`` unless ``max_iter`` ran out.
    """
    W = np.asarray(W, dtype=np.float64)
    m, k = W.shape
    p = np.full(m, 1.0 / m)
    lower, upper = 0.0, math.inf
    for _ in range(max_iter):
        q = np.zeros(k)
        for i in range(m):
            for c in range(k):
                q[c] += p[i] * W[i, c]
        d = _kl_rows(W, q)  # nats; finite because q > 0 wherever some W_i > 0
        weights = np.zeros(m)
        for i in range(m):
            # an input whose weight underflowed to 0 may have D_i = inf: it adds nothing
            weights[i] = p[i] * math.exp(d[i]) if p[i] > 0.0 else 0.0
        z = weights.sum()
        if not math.isfinite(z):
            # a mixture mass underflowed to 0 under an input still weighed: the bounds
            # of the previous iterate are the last valid ones
            break
        lower = math.log(z) / LN2
        upper = d.max() / LN2
        if upper - lower <= tol:
            break
        p = weights / z
    return lower, lower, upper


def capacity_cvxpy(W, *, solver="CLARABEL"):
    """Capacity (bits) of channel ``W`` as a convex program, with certified bounds.

    Maximises ``I(p) = sum_c entr((W^T p)_c) - sum_i p_i H(W_i)`` (nats) over the
    simplex. Returns ``(lower, upper, p)``: ``lower = I(p*)`` and ``upper = max_i
    D(W_i || q*)``, recomputed in NumPy at the solver's (clipped, renormalised) ``p*``.
    """
    import cvxpy as cp

    W = np.asarray(W, dtype=np.float64)
    m, k = W.shape
    H = np.zeros(m)
    for i in range(m):
        for c in range(k):
            if W[i, c] > 0.0:
                H[i] -= W[i, c] * math.log(W[i, c])
    p = cp.Variable(m, nonneg=True)
    objective = cp.Maximize(cp.sum(cp.entr(W.T @ p)) - H @ p)
    problem = cp.Problem(objective, [cp.sum(p) == 1])
    with warnings.catch_warnings():
        # "Solution may be inaccurate": harmless here, the bounds below are recomputed
        # from p* and stay valid (only less tight) whatever the solver's accuracy.
        warnings.simplefilter("ignore", UserWarning)
        problem.solve(solver=solver)
    p_star = np.clip(np.asarray(p.value, dtype=np.float64), 0.0, None)
    p_star = p_star / p_star.sum()
    lower, upper = capacity_bounds(W, p_star)
    return lower, upper, p_star


def rashomon_capacity(probabilities, *, bits=False, tol=1e-12):
    """Per-sample ``2**C`` (or ``C`` with ``bits=True``) by :func:`capacity_blahut_arimoto`."""
    Q = np.asarray(probabilities, dtype=np.float64)
    n = Q.shape[1]
    out = np.zeros(n)
    for j in range(n):
        c, _, _ = capacity_blahut_arimoto(channel(Q, j), tol=tol)
        out[j] = c if bits else 2.0**c
    return out
