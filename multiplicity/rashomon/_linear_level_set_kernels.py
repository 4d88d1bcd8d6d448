"""Numba kernels behind :class:`LinearLevelSet`: exact prediction ranges, row by row.

The level set of the mean ridge objective is the ellipsoid
``(theta - theta0)' H (theta - theta0) <= epsilon`` with ``theta = (w, b)``. For a row
``x`` (with a 1 appended when there is an intercept, ``z``) the predictions ``z . theta``
over the set fill the interval ``z . theta0 +- sqrt(epsilon * z' H^{-1} z)``, and
``z' H^{-1} z = ||L^{-1} z||^2`` for the lower Cholesky factor ``L`` of ``H``: one forward
substitution, ``O(n_params ** 2)`` per row.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL

# Rows per block of the parallel loop; each block allocates its scratch vector once.
BLOCK_ROWS = 1024


@njit(**NJIT)
def _half_width(X, r, L, u):
    """``||L^{-1} z||`` for ``z = X[r]`` (with a trailing 1 when ``L`` has one more row).

    ``X`` float64 (n_samples, n_features), ``L`` float64 (n_params, n_params) lower
    triangular, ``u`` float64 (n_params,) scratch.
    """
    d = X.shape[1]
    p = L.shape[0]
    s = 0.0
    for i in range(p):
        acc = X[r, i] if i < d else 1.0
        for k in range(i):
            acc -= L[i, k] * u[k]
        u[i] = acc / L[i, i]
        s += u[i] * u[i]
    return math.sqrt(s)


@njit(**NJIT_PARALLEL)
def _prediction_ranges(X, L, coef, intercept, radius, block_rows):
    """Smallest and largest prediction over the ellipsoid for every row of ``X``.

    ``X`` float64 (n_samples, n_features), C-contiguous; ``L`` float64 (n_params,
    n_params), the lower Cholesky factor of ``H``; ``coef`` float64 (n_features,) and the
    float ``intercept`` of the centre; ``radius = sqrt(epsilon)``; ``block_rows`` rows
    per parallel block. Returns float64 (n_samples, 2). Each block writes only its own
    rows, so the result does not depend on the number of threads.
    """
    n, d = X.shape
    p = L.shape[0]
    out = np.empty((n, 2))
    n_blocks = (n + block_rows - 1) // block_rows
    for blk in prange(n_blocks):
        u = np.empty(p)
        stop = min(n, (blk + 1) * block_rows)
        for r in range(blk * block_rows, stop):
            centre = intercept
            for j in range(d):
                centre += X[r, j] * coef[j]
            half = radius * _half_width(X, r, L, u)
            out[r, 0] = centre - half
            out[r, 1] = centre + half
    return out
