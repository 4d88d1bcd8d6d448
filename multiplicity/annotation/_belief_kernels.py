"""Numba kernels of belief fusion and conflict (annotation/_belief.py)."""

import math

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL


@njit(**NJIT)
def _opinions(E):
    """Projected probabilities, beliefs and uncertainties of float64 ``E`` (n, s, K):
    returns (P (n, s, K), B (n, s, K), U (n, s))."""
    n, s, K = E.shape
    P = np.empty_like(E)
    B = np.empty_like(E)
    U = np.empty((n, s))
    for i in range(n):
        for m in range(s):
            S = 0.0
            for k in range(K):
                S += E[i, m, k] + 1.0
            for k in range(K):
                P[i, m, k] = (E[i, m, k] + 1.0) / S
                B[i, m, k] = E[i, m, k] / S
            U[i, m] = K / S
    return P, B, U


@njit(**NJIT)
def _conflict_block(P, U, lo, hi, out):
    """Degree of conflict of items ``lo .. hi - 1`` into ``out`` float64 (n, s, s)."""
    s = P.shape[1]
    K = P.shape[2]
    for i in range(lo, hi):
        for m in range(s):
            out[i, m, m] = 0.0
            for q in range(m + 1, s):
                d = 0.0
                for k in range(K):
                    d += abs(P[i, m, k] - P[i, q, k])
                dc = 0.5 * d * (1.0 - U[i, m]) * (1.0 - U[i, q])
                out[i, m, q] = dc
                out[i, q, m] = dc


@njit(**NJIT_PARALLEL)
def _conflict_parallel(P, U, n_chunks, out):
    """All items in ``n_chunks`` blocks; each block writes only its own items."""
    n = P.shape[0]
    for c in prange(n_chunks):
        _conflict_block(P, U, c * n // n_chunks, (c + 1) * n // n_chunks, out)


@njit(**NJIT)
def _discount(DC, lam):
    """``eta`` float64 (n, s): ``prod_{q != m} (1 - DC[i, m, q]^lam)^(1/lam)``, in log space."""
    n, s, _ = DC.shape
    eta = np.empty((n, s))
    for i in range(n):
        for m in range(s):
            acc = 0.0
            for q in range(s):
                if q != m:
                    acc += math.log1p(-DC[i, m, q] ** lam)
            eta[i, m] = math.exp(acc / lam)
    return eta
