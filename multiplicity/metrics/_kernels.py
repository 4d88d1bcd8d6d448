"""Numba kernels behind :mod:`multiplicity.metrics`.

Kernels see only contiguous arrays and scalars, never raise on user input and allocate
nothing of size ``n_models x n_samples``: they stream over the input in column blocks
that fit in cache. Shapes: ``P`` is ``(m, n)`` labels; ``Q`` is ``(m, n, k)``
probabilities (an ``(m, n)`` positive-class matrix is passed as an ``(m, n, 1)`` view).

One file for all of them (longer than the package's usual module): the measures share the
block streaming, and a kernel is easiest to check next to its siblings. The label flips
and the vote tables, which other subpackages use too, are in
:mod:`multiplicity._kernels_common`.
"""

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL
from .._kernels_common import _n_blocks, _proba_flip, _sum_rows, _vote_table

# Samples per column block of the probability kernels: the baseline and flag slices of
# this length stay in L2 while every model's row streams past them.
BLOCK = 65536


@njit(**NJIT_PARALLEL)
def _proba_flip_stats(Q, b, threshold, block):
    """Probabilistic flips: ``max_c |Q[i, j, c] - b[j, c]| >= threshold``.

    ``Q`` (m, n, k) float32/float64, ``b`` (n, k) float64. Same outputs as the label
    flips, :func:`multiplicity._kernels_common._flip_stats`.
    """
    m, n = Q.shape[0], Q.shape[1]
    nb = _n_blocks(n, block)
    flipped = np.zeros(n, dtype=np.uint8)
    part = np.zeros((nb, m), dtype=np.int64)
    for t in prange(nb):
        lo = t * block
        hi = min(n, lo + block)
        fl = flipped[lo:hi]
        for i in range(m):
            c = np.int32(0)
            for j in range(lo, hi):
                d = _proba_flip(Q, i, j, b, threshold)
                fl[j - lo] |= d
                c += d
            part[t, i] = c
    return flipped, _sum_rows(part)


# ------------------------------------------------------------------- vote counting
@njit(**NJIT_PARALLEL)
def _agreeing_pairs(P, offset, n_levels, block):
    """Per sample, the number of ordered model pairs (i != j) that agree.

    ``P`` (m, n) integer labels with class ``P[i, j] - offset`` in ``[0, n_levels)``.
    Returns (n,) int64 ``sum_c v_c (v_c - 1)`` where ``v_c`` counts votes for class c.
    Memory: one ``(block, n_levels)`` int32 table per block in flight.
    """
    n = P.shape[1]
    nb = _n_blocks(n, block)
    out = np.zeros(n, dtype=np.int64)
    for t in prange(nb):
        lo = t * block
        hi = min(n, lo + block)
        votes = _vote_table(P, offset, n_levels, lo, hi)
        for j in range(lo, hi):
            s = 0
            for c in range(n_levels):
                v = np.int64(votes[j - lo, c])
                s += v * (v - 1)
            out[j] = s
    return out


# ------------------------------------------------------------ pairwise disagreement
@njit(**NJIT)
def _popcount(x):
    """Set bits of a uint64 (SWAR, no multiply so it cannot overflow)."""
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    x = x + (x >> np.uint64(8))
    x = x + (x >> np.uint64(16))
    x = x + (x >> np.uint64(32))
    return np.int64(x & np.uint64(0x7F))


@njit(**NJIT_PARALLEL)
def _pack_classes(P, offset, n_planes):
    """Bit planes of class membership: (n_planes, m, ceil(n / 64)) uint64.

    Plane c has bit j of row i set when model i predicts class c at sample j. With
    ``n_planes == 1`` (binary labels) the plane holds class 1.
    """
    m, n = P.shape
    n_words = _n_blocks(n, 64)
    bits = np.empty((n_planes, m, n_words), dtype=np.uint64)
    one = np.uint64(1)
    for i in prange(m):
        # Each 64-bit word is built in registers and stored once (or-ing into the
        # output array bit by bit is about 8x slower).
        words = np.zeros(n_planes, dtype=np.uint64)
        for w in range(n_words):
            lo = w * 64
            hi = min(n, lo + 64)
            for c in range(n_planes):
                words[c] = 0
            if n_planes == 1:
                word = np.uint64(0)
                for j in range(lo, hi):
                    if np.int64(P[i, j]) - offset == 1:
                        word |= one << np.uint64(j - lo)
                words[0] = word
            else:
                for j in range(lo, hi):
                    c = np.int64(P[i, j]) - offset
                    words[c] |= one << np.uint64(j - lo)
            for c in range(n_planes):
                bits[c, i, w] = words[c]
    return bits


@njit(**NJIT)
def _mirror_upper(out):
    """Copy the upper triangle of a square matrix to its lower triangle."""
    m = out.shape[0]
    for i in range(m):
        for j in range(i + 1, m):
            out[j, i] = out[i, j]


@njit(**NJIT)
def _planes_row(bits, n_samples, i, out):
    """Fill ``out[i, i+1:]`` with disagreement counts from class bit planes."""
    n_planes, m, n_words = bits.shape
    for j in range(i + 1, m):
        if n_planes == 1:
            d = 0
            for w in range(n_words):
                d += _popcount(bits[0, i, w] ^ bits[0, j, w])
        else:
            same = 0
            for c in range(n_planes):
                for w in range(n_words):
                    same += _popcount(bits[c, i, w] & bits[c, j, w])
            d = n_samples - same
        out[i, j] = d


@njit(**NJIT_PARALLEL)
def _pairwise_from_planes(bits, n_samples):
    """(m, m) int64 disagreement counts from class bit planes (see ``_pack_classes``)."""
    m = bits.shape[1]
    out = np.zeros((m, m), dtype=np.int64)
    # Rows t and m - 1 - t share a task, so every task compares about m row pairs.
    for t in prange((m + 1) // 2):
        _planes_row(bits, n_samples, t, out)
        if m - 1 - t != t:
            _planes_row(bits, n_samples, m - 1 - t, out)
    _mirror_upper(out)
    return out


@njit(**NJIT)
def _direct_row(P, i, block, out):
    """Fill ``out[i, i+1:]`` by comparing row i with later rows, block by block."""
    m, n = P.shape
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        for j in range(i + 1, m):
            d = 0
            for s in range(lo, hi):
                d += P[i, s] != P[j, s]
            out[i, j] += d


@njit(**NJIT_PARALLEL)
def _pairwise_direct(P, block):
    """(m, m) int64 disagreement counts by direct comparison (any number of classes)."""
    m = P.shape[0]
    out = np.zeros((m, m), dtype=np.int64)
    for t in prange((m + 1) // 2):
        _direct_row(P, t, block, out)
        if m - 1 - t != t:
            _direct_row(P, m - 1 - t, block, out)
    _mirror_upper(out)
    return out


# ------------------------------------------------------------------------- ranges
@njit(**NJIT_PARALLEL)
def _value_range(Q, block):
    """Per sample and class, ``[min, max]`` over models: (n, k, 2) float64."""
    m, n, k = Q.shape
    out = np.empty((n, k, 2), dtype=np.float64)
    nb = _n_blocks(n, block)
    for t in prange(nb):
        lo = t * block
        hi = min(n, lo + block)
        for j in range(lo, hi):
            for c in range(k):
                v = np.float64(Q[0, j, c])
                out[j, c, 0] = v
                out[j, c, 1] = v
        for i in range(1, m):
            for j in range(lo, hi):
                for c in range(k):
                    v = np.float64(Q[i, j, c])
                    if v < out[j, c, 0]:
                        out[j, c, 0] = v
                    if v > out[j, c, 1]:
                        out[j, c, 1] = v
    return out


# ---------------------------------------------------------------- Rashomon capacity
# Capacity kernels work in nats on a channel W (r, k): row i is model i's class
# distribution, ``h[i] = sum_c W[i, c] log W[i, c]``, and for an input distribution p
# over models, ``D_i(p) = KL(W_i || p W)``. For every p,
#     log sum_i p_i exp(D_i)  <=  C  <=  max_i D_i,
# so a gap below ``tol`` between these bounds certifies the value (Blahut 1972).

@njit(**NJIT)
def _distinct_rows(W, m, k, key, order):
    """Move the distinct rows of ``W[:m]`` to its top; return how many there are.

    Capacity depends only on the set of distinct rows, and Rashomon sets often hold
    many identical models. Rows are sorted by a fixed random projection, so equal rows
    are neighbours; rows with equal keys are compared exactly.
    """
    for i in range(m):
        s = 0.0
        for c in range(k):
            s += W[i, c] * (1.0 + 0.6180339887498949 * c + 0.01 * c * c)
        key[i] = s
    order[:m] = np.argsort(key[:m])
    # Copy distinct rows into key-sorted slots, deduplicating within equal-key runs.
    tmp = W[:m].copy()
    r = 0
    g = 0  # first kept row of the current equal-key run
    for a in range(m):
        src = order[a]
        if a == 0 or key[src] != key[order[a - 1]]:
            g = r
        dup = False
        for b in range(g, r):
            same = True
            for c in range(k):
                if tmp[src, c] != W[b, c]:
                    same = False
                    break
            if same:
                dup = True
                break
        if not dup:
            for c in range(k):
                W[r, c] = tmp[src, c]
            r += 1
    return r


@njit(**NJIT)
def _kl_to_mixture(W, r, h, logq, d, rows):
    """``d[i] = h[i] - sum_c W[i, c] log q_c`` for the ``rows`` listed (W[i, c] > 0 only)."""
    k = W.shape[1]
    for a in range(rows.shape[0]):
        i = rows[a]
        s = h[i]
        for c in range(k):
            if W[i, c] > 0.0:
                s -= W[i, c] * logq[c]
        d[i] = s


@njit(**NJIT)
def _mixture_log(W, r, p, logq):
    """``logq = log(p W)`` over the first r rows (``-inf`` where the mixture is 0)."""
    k = W.shape[1]
    for c in range(k):
        q = 0.0
        for i in range(r):
            q += p[i] * W[i, c]
        logq[c] = np.log(q) if q > 0.0 else -np.inf


@njit(**NJIT)
def _bounds(W, r, p, h, logq, d, all_rows):
    """Blahut-Arimoto bounds ``(lower, upper)`` on C at p (p sums to 1).

    An input with ``p_i = 0`` may have ``D_i = inf`` (it alone reaches a class the
    mixture misses): then ``upper`` is ``inf``. The lower bound only uses inputs with
    ``p_i > 0``, whose ``D_i`` are finite.
    """
    _mixture_log(W, r, p, logq)
    _kl_to_mixture(W, r, h, logq, d, all_rows)
    upper = -np.inf
    top = -np.inf
    for i in range(r):
        if d[i] > upper:
            upper = d[i]
        if p[i] > 0.0 and d[i] > top:
            top = d[i]
    if not np.isfinite(top):
        # a weighed input reaches a class whose mixture mass underflowed to 0: no bound
        return -np.inf, upper
    z = 0.0
    for i in range(r):
        if p[i] > 0.0:
            z += p[i] * np.exp(d[i] - top)
    return top + np.log(z), upper


@njit(**NJIT)
def _kkt_solve(kkt, rhs, n_s):
    """Solve ``[H 1; 1' 0][dx; nu] = [rhs; 0]`` for ``dx`` with ``-H`` positive definite.

    With ``A = -H`` (ridged, so positive definite) ``dx = A^-1 (nu 1 - rhs)`` and
    ``nu`` makes ``sum(dx) = 0``: two triangular solves with a Cholesky factor of A,
    about three times faster than least squares on the bordered system. If a pivot is
    not clearly positive (A numerically singular) it falls back to least squares, which
    never raises (kernels must not raise). Returns an array of length ``n_s + 1``.
    """
    L = np.zeros((n_s, n_s))
    top = 0.0
    for a in range(n_s):
        top = max(top, -kkt[a, a])
    ok = top > 0.0
    for j in range(n_s):
        if not ok:
            break
        s = -kkt[j, j]
        for c in range(j):
            s -= L[j, c] * L[j, c]
        if not s > 1e-14 * top:
            ok = False
            break
        L[j, j] = np.sqrt(s)
        for i in range(j + 1, n_s):
            t = -kkt[i, j]
            for c in range(j):
                t -= L[i, c] * L[j, c]
            L[i, j] = t / L[j, j]
    if not ok:
        return np.linalg.lstsq(kkt[: n_s + 1, : n_s + 1], rhs[: n_s + 1], 1e-15)[0]
    # u = A^-1 (-rhs), v = A^-1 1, by forward then backward substitution.
    u = np.empty(n_s)
    v = np.empty(n_s)
    for i in range(n_s):
        su = -rhs[i]
        sv = 1.0
        for c in range(i):
            su -= L[i, c] * u[c]
            sv -= L[i, c] * v[c]
        u[i] = su / L[i, i]
        v[i] = sv / L[i, i]
    for i in range(n_s - 1, -1, -1):
        su = u[i]
        sv = v[i]
        for c in range(i + 1, n_s):
            su -= L[c, i] * u[c]
            sv -= L[c, i] * v[c]
        u[i] = su / L[i, i]
        v[i] = sv / L[i, i]
    sv = v.sum()
    if sv == 0.0:  # a degenerate face: no step (the caller checks for NaN)
        return np.full(n_s + 1, np.nan)
    nu = -u.sum() / sv
    out = np.empty(n_s + 1)
    for a in range(n_s):
        out[a] = u[a] + nu * v[a]
    out[n_s] = nu
    return out


@njit(**NJIT)
def _newton_face(W, r, h, S, x, n_s, logq, d, full, kkt, rhs, q):
    """Newton ascent of I(p) over the face spanned by inputs ``S[:n_s]`` (weights ``x``).

    Each step solves the equality-constrained system ``[H 1; 1' 0][dx; nu] = [-D; 0]``
    with ``H = -W_S diag(1/q) W_S'`` plus a ridge of ``1e-10 max|H_ii|`` (``H`` is
    singular when the face has more inputs than classes). A step that would leave the
    simplex stops at its boundary and drops the input that reaches it. Returns the new
    ``n_s``.
    """
    k = W.shape[1]
    for _ in range(40):
        full[:r] = 0.0
        for a in range(n_s):
            full[S[a]] = x[a]
        _mixture_log(W, r, full, logq)
        _kl_to_mixture(W, r, h, logq, d, S[:n_s])
        for c in range(k):
            q[c] = np.exp(logq[c])
        for a in range(n_s):
            for b in range(a, n_s):
                s = 0.0
                for c in range(k):
                    if q[c] > 0.0:
                        s -= W[S[a], c] * W[S[b], c] / q[c]
                kkt[a, b] = s
                kkt[b, a] = s
            rhs[a] = -d[S[a]]
        # A small ridge keeps the system regular; along a flat direction (H singular,
        # more inputs than classes) it turns the gradient into a long step to the
        # boundary, which drops an input, as the face's optimum lies there.
        ridge = 0.0
        for a in range(n_s):
            ridge = max(ridge, -kkt[a, a])
        for a in range(n_s):
            kkt[a, a] -= 1e-10 * ridge
        for a in range(n_s + 1):
            kkt[n_s, a] = 1.0
            kkt[a, n_s] = 1.0
        kkt[n_s, n_s] = 0.0
        rhs[n_s] = 0.0
        if not (np.all(np.isfinite(kkt[: n_s + 1, : n_s + 1]))
                and np.all(np.isfinite(rhs[: n_s + 1]))):
            return 0  # a class the face barely reaches: leave it to Blahut-Arimoto
        step = _kkt_solve(kkt, rhs, n_s)
        if not np.all(np.isfinite(step)):
            return 0
        t_max = 1.0
        blocking = -1
        for a in range(n_s):
            if x[a] + step[a] <= 0.0:
                # x[a] > 0 here unless it underflowed; a zero step then blocks at once
                ratio = -x[a] / step[a] if step[a] < 0.0 else 0.0
                if ratio < t_max:
                    t_max = ratio
                    blocking = a
        size = 0.0
        for a in range(n_s):
            x[a] += t_max * step[a]
            size = max(size, abs(t_max * step[a]))
        if blocking >= 0:
            kept = 0
            for a in range(n_s):
                if a != blocking and x[a] > 0.0:
                    S[kept] = S[a]
                    x[kept] = x[a]
                    kept += 1
            n_s = kept
            if n_s == 0:
                return 0
        x[:n_s] /= x[:n_s].sum()
        if blocking < 0 and size < 1e-14:
            break
    return n_s


@njit(**NJIT)
def _newton_polish(W, r, p, h, tol, logq, d, all_rows):
    """Solve for the capacity-achieving input from a Blahut-Arimoto iterate ``p``.

    A primal active-set method: start from the face of the (at most 2k + 2) inputs with
    the largest ``p_i``, run :func:`_newton_face`, and while the bounds at the result
    are not within ``tol``, add the input with the largest ``D_i`` (the most violated
    optimality condition) and go on. Returns ``(value, ok)``: ``value`` is the best lower
    bound on C reached (0 if none); with ``ok`` the bounds certify it within ``tol`` and
    ``p`` holds the solution. A failed attempt leaves ``p`` unchanged.
    """
    k = W.shape[1]
    # Start from the inputs Blahut-Arimoto weighs most (at most 2k + 2 of them: some
    # optimum uses at most k); the active set adds any input that proves to be missing.
    pmax = p[:r].max()
    order = np.argsort(-p[:r])
    n_s = 0
    while n_s < min(r, 2 * k + 2) and p[order[n_s]] > 1e-6 * pmax:
        n_s += 1
    cap = min(r, n_s + 2 * k + 4)
    S = np.empty(cap, dtype=np.int64)
    x = np.empty(cap)
    for a in range(n_s):
        S[a] = order[a]
        x[a] = p[order[a]]
    x[:n_s] /= x[:n_s].sum()
    full = np.zeros(r)
    kkt = np.zeros((cap + 1, cap + 1))
    rhs = np.zeros(cap + 1)
    q = np.empty(k)
    best_lower = 0.0
    for _ in range(2 * k + 4):
        n_s = _newton_face(W, r, h, S, x, n_s, logq, d, full, kkt, rhs, q)
        if n_s == 0:
            return best_lower, False
        full[:r] = 0.0
        for a in range(n_s):
            full[S[a]] = x[a]
        lower, upper = _bounds(W, r, full, h, logq, d, all_rows)
        best_lower = max(best_lower, lower)
        if upper - lower <= tol:
            p[:r] = full[:r]
            return max(lower, 0.0), True
        if n_s == cap:
            return best_lower, False
        best = 0
        for i in range(r):
            if d[i] > d[best]:
                best = i
        for a in range(n_s):
            if S[a] == best:  # the face's own optimum is not certified: give up
                return best_lower, False
        for a in range(n_s):
            x[a] *= 1.0 - 1e-3
        S[n_s] = best
        x[n_s] = 1e-3
        n_s += 1
    return best_lower, False


@njit(**NJIT)
def _channel_capacity(W, m, tol, max_iter, key, order, logq, d, p, all_rows):
    """Capacity (nats) of the channel ``W[:m]``; returns ``(value, n_iter, converged)``.

    Blahut-Arimoto from the uniform input over distinct rows (``p_i <- p_i exp(D_i)``,
    normalised), with a Newton polish of the support at iterations 8, 16, 32, ...;
    stops when the bounds are within ``tol`` nats and returns the lower bound (on hitting
    ``max_iter``, the best lower bound seen, with ``converged`` false).
    """
    k = W.shape[1]
    r = _distinct_rows(W, m, k, key, order)
    if r == 1:
        return 0.0, 0, True
    h = np.empty(r)
    for i in range(r):
        s = 0.0
        for c in range(k):
            if W[i, c] > 0.0:
                s += W[i, c] * np.log(W[i, c])
        h[i] = s
    rows = all_rows[:r]
    for i in range(r):
        p[i] = 1.0 / r
    best = 0.0  # best lower bound so far (Blahut-Arimoto iterates and polished faces)
    next_polish = 8
    for it in range(max_iter):
        lower, upper = _bounds(W, r, p, h, logq, d, rows)
        if upper - lower <= tol:
            return max(lower, best, 0.0), it + 1, True
        best = max(best, lower)
        top = -np.inf
        for i in range(r):
            if p[i] > 0.0 and d[i] > top:
                top = d[i]
        if not np.isfinite(top):  # see _bounds: the iterate has underflowed
            return best, it + 1, False
        z = 0.0
        for i in range(r):
            if p[i] > 0.0:
                p[i] *= np.exp(d[i] - top)
                z += p[i]
        if not z > 0.0:  # every weight underflowed or is NaN: keep the best bound
            return best, it + 1, False
        for i in range(r):
            p[i] /= z
        # The polish reuses the work buffers; the next iteration recomputes them.
        if it + 1 == next_polish:
            next_polish *= 2
            value, ok = _newton_polish(W, r, p, h, tol, logq, d, rows)
            if ok:
                return value, it + 1, True
            best = max(best, value)
    return best, max_iter, False


@njit(**NJIT)
def _binary_extremes(W, m):
    """Move the rows with the smallest and largest ``W[:, 1]`` to the top; return 2.

    With two classes every row is a mixture of these two, and an optimal input uses only
    the extreme points of the rows' convex hull (moving a mixture row's weight onto the
    rows it mixes keeps ``pW`` and, by concavity of entropy, never lowers ``I(p)``).
    """
    lo = 0
    hi = 0
    for i in range(1, m):
        if W[i, 1] < W[lo, 1]:
            lo = i
        if W[i, 1] > W[hi, 1]:
            hi = i
    a0, a1, b0, b1 = W[lo, 0], W[lo, 1], W[hi, 0], W[hi, 1]
    W[0, 0], W[0, 1], W[1, 0], W[1, 1] = a0, a1, b0, b1
    return 2


@njit(**NJIT_PARALLEL)
def _rashomon_capacity(Q, binary, tol, max_iter, block):
    """Capacity (nats) for every sample of ``Q`` (m, n, k).

    With ``binary`` true, ``Q`` is (m, n, 1) positive-class probabilities and the channel
    of sample j is ``[1 - q, q]``. Two-class channels are first reduced to their two
    extreme rows (:func:`_binary_extremes`). Returns ``(capacity, n_iter, converged)``,
    each (n,). Memory: one (m, k) channel and a few length-m buffers per block in flight.
    """
    m, n, kq = Q.shape
    k = 2 if binary else kq
    cap = np.empty(n, dtype=np.float64)
    iters = np.empty(n, dtype=np.int64)
    ok = np.empty(n, dtype=np.bool_)
    nb = _n_blocks(n, block)
    for t in prange(nb):
        W = np.empty((m, k), dtype=np.float64)
        key = np.empty(m, dtype=np.float64)
        order = np.empty(m, dtype=np.int64)
        logq = np.empty(k, dtype=np.float64)
        d = np.empty(m, dtype=np.float64)
        p = np.empty(m, dtype=np.float64)
        all_rows = np.arange(m)
        for j in range(t * block, min(n, (t + 1) * block)):
            for i in range(m):
                if binary:
                    v = min(max(np.float64(Q[i, j, 0]), 0.0), 1.0)
                    W[i, 0] = 1.0 - v
                    W[i, 1] = v
                else:
                    s = 0.0
                    for c in range(k):
                        s += np.float64(Q[i, j, c])
                    for c in range(k):
                        W[i, c] = np.float64(Q[i, j, c]) / s
            rows = m
            if k == 2 and m > 2:
                rows = _binary_extremes(W, m)
            cap[j], iters[j], ok[j] = _channel_capacity(
                W, rows, tol, max_iter, key, order, logq, d, p, all_rows)
    return cap, iters, ok
