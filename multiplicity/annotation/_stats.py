"""Coefficients as functions of per-item sums: one contract for values and the bootstrap.

Every agreement coefficient in this package is a function of sums over items: for a
coefficient there is a matrix ``S`` of shape ``(n_items, s)`` (per-item statistics: the
item's agreement, its category counts, ...) and a function ``finalize`` with

    value = finalize(S.sum(axis=0)[None, :])[0]

The bootstrap over items then never rebuilds the data: a resample of items is a vector of
multiplicities ``w`` (how often each item was drawn), its statistic is ``w @ S``, and a
Numba kernel draws all resamples and accumulates their sums directly
(:func:`bootstrap_sums`). Coefficients that are not of this form (or whose ``S`` would be
too wide) return ``None`` from their ``_statistic`` helper, and :func:`agreement` falls
back to recomputing them on resampled data (:meth:`Annotations.take_items`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from .._config import NJIT, NJIT_PARALLEL

__all__ = ["ItemStatistic", "bootstrap_sums"]


@dataclass(frozen=True)
class ItemStatistic:
    """A coefficient written as ``finalize(sum over items of S[i])``.

    Attributes
    ----------
    S : ndarray of shape (n_items, s), float64
        Per-item statistics.
    finalize : callable
        Maps sums of shape ``(B, s)`` to ``B`` coefficient values (vectorised over
        resamples; may return NaN where a resample leaves the coefficient undefined).
    """

    S: NDArray[np.float64]
    finalize: Callable[[NDArray[np.float64]], NDArray[np.float64]]

    def value(self) -> float:
        """The coefficient on the data itself."""
        return float(self.finalize(self.S.sum(axis=0)[None, :])[0])


@njit(**NJIT)
def _resample_block(S, seed, n_resamples, out, first):
    """Resamples ``first .. first + n_resamples - 1``: sums of S over items drawn with
    replacement, from the generator seeded with ``seed``."""
    n, s = S.shape
    # Numba's per-thread legacy generator, seeded per block: a block runs on one thread,
    # so its draws depend only on its seed (Generator objects are slower in kernels).
    np.random.seed(seed)  # noqa: NPY002
    for b in range(n_resamples):
        row = out[first + b]
        for c in range(s):
            row[c] = 0.0
        for _ in range(n):
            # floor(u * n) with u uniform on [0, 1) (53 random bits): uniform on 0..n-1
            # up to 2**-53 relative bias, about twice as fast as randint's rejection loop.
            i = min(int(np.random.random() * n), n - 1)  # noqa: NPY002
            for c in range(s):
                row[c] += S[i, c]


@njit(**NJIT_PARALLEL)
def _bootstrap_sums(S, seeds, per_block, n_resamples):
    out = np.empty((n_resamples, S.shape[1]))
    n_blocks = seeds.shape[0]
    for blk in prange(n_blocks):
        first = blk * per_block
        count = min(per_block, n_resamples - first)
        if count > 0:
            _resample_block(S, seeds[blk], count, out, first)
    return out


def bootstrap_sums(S: NDArray[np.float64], n_resamples: int,
                   random_state: int | np.random.Generator | None = None,
                   block: int = 16) -> NDArray[np.float64]:
    """Column sums of ``S`` over ``n_resamples`` bootstrap resamples of its rows.

    Each resample draws ``n_items`` rows with replacement. Resamples are split into blocks
    of ``block``, each with its own seed from ``np.random.SeedSequence``, so the result
    depends only on ``random_state``, not on the number of threads.

    Returns
    -------
    ndarray of shape (n_resamples, s)
    """
    S = np.ascontiguousarray(S, dtype=np.float64)
    rng = np.random.default_rng(random_state)
    n_blocks = -(-n_resamples // block)
    seeds = rng.integers(0, 2**31 - 1, size=n_blocks, dtype=np.int64)
    return _bootstrap_sums(S, seeds, block, n_resamples)
