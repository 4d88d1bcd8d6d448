"""Numba kernels of the selective ensembles: the top two votes and exact binomial p-values."""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL
from .._kernels_common import _n_blocks, _vote_table


@njit(**NJIT)
def _binom_two_sided_half(n_a, n_b):
    """Exact two-sided p-value of ``n_a`` successes in ``n_a + n_b`` trials, ``p = 1/2``.

    Requires ``n_a >= n_b >= 0``. The binomial(n, 1/2) law is symmetric, so the outcomes
    at most as likely as ``n_a`` are the two tails ``{i >= n_a}`` and ``{i <= n_b}``: the
    p-value is ``min(1, 2 P(X >= n_a))`` (1 when ``n_a == n_b``, and for ``n = 0``).

    The tail is summed from its far end, smallest terms first. Up to ``n = 1000`` the
    terms come from ``P(X = n) = 2**-n`` (exact) by the recurrence ``P(X = i - 1) =
    P(X = i) i / (n - i + 1)``: relative error below ``n * 1.2e-16``. Beyond that the
    first term is ``exp(lgamma(...))``, whose relative error grows with ``n`` (about
    1e-11 at n = 3000), the others follow by the recurrence until they drop below
    1e-17 of the sum; a p-value below 1e-308 underflows to 0.
    """
    n = n_a + n_b
    if n_a <= n_b:
        return 1.0
    tail = 0.0
    if n <= 1000:
        term = 0.5**n
        tail = term
        for i in range(n, n_a, -1):
            term = term * i / (n - i + 1)
            tail += term
    else:
        # P(X = n_a) from lgamma, then the decreasing terms up the tail until they stop
        # mattering.
        term = math.exp(math.lgamma(n + 1.0) - math.lgamma(n_a + 1.0)
                        - math.lgamma(n_b + 1.0) + n * math.log(0.5))
        tail = term
        for i in range(n_a, n):
            term = term * (n - i) / (i + 1)
            tail += term
            if term < 1e-17 * tail:
                break
    return min(1.0, 2.0 * tail)


@njit(**NJIT_PARALLEL)
def _top_two_votes(P, offset, n_levels, block):
    """Per sample the two most-voted classes and their counts.

    ``P`` (m, n) integer labels with class ``P[i, j] - offset`` in ``[0, n_levels)``,
    counted ``block`` samples at a time (see :func:`multiplicity._kernels_common.vote_block`).
    Returns ``(top, n_a, n_b, agree)``: ``top`` the class code with most votes (the
    smallest code on ties), ``n_a >= n_b`` the largest and second largest counts (``n_b
    = 0`` when one class has every vote), and ``agree`` the probability that two distinct
    models agree, ``sum_c n_c (n_c - 1) / (m (m - 1))`` (1 for a single model).
    """
    m, n = P.shape
    top = np.empty(n, dtype=np.int64)
    n_a = np.empty(n, dtype=np.int64)
    n_b = np.empty(n, dtype=np.int64)
    agree = np.empty(n, dtype=np.float64)
    pairs = m * (m - 1)
    for t in prange(_n_blocks(n, block)):
        lo = t * block
        hi = min(n, lo + block)
        votes = _vote_table(P, offset, n_levels, lo, hi)
        for j in range(lo, hi):
            best = -1
            first = 0
            second = 0
            same = 0
            for c in range(n_levels):
                v = np.int64(votes[j - lo, c])
                same += v * (v - 1)
                if v > first:
                    second = first
                    first = v
                    best = c
                elif v > second:
                    second = v
            top[j] = best
            n_a[j] = first
            n_b[j] = second
            agree[j] = same / pairs if pairs > 0 else 1.0
    return top, n_a, n_b, agree


@njit(**NJIT_PARALLEL)
def _p_values(n_a, n_b):
    """Two-sided binomial p-values for every sample (see ``_binom_two_sided_half``)."""
    n = n_a.shape[0]
    out = np.empty(n, dtype=np.float64)
    for j in prange(n):
        out[j] = _binom_two_sided_half(n_a[j], n_b[j])
    return out
