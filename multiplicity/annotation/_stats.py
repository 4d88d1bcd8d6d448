"""Coefficients as functions of per-item sums: one contract for values and the bootstrap.

Every agreement coefficient in this package is a function of sums over items: for a
coefficient there is a matrix ``S`` of shape ``(n_items, s)`` (per-item statistics: the
item's agreement, its category counts, ...) and a function ``finalize`` with

    value = finalize(S.sum(axis=0)[None, :])[0]

The bootstrap over items then never rebuilds the data: a resample of items is a vector of
multiplicities ``w`` (how often each item was drawn), its statistic is ``w @ S``, and a
Numba kernel draws all resamples and accumulates their sums directly
(:func:`bootstrap_sums`; small problems run a NumPy twin that draws the same items, so
both give the same sums to rounding).
Coefficients that are not of this form (or whose ``S`` would be too wide) return
``None`` from their ``_statistic`` helper, and :func:`agreement` falls back to recomputing
them on resampled data (:meth:`Annotations.take_items`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._config import use_kernels
from .._lazy import lazy_module

_k = lazy_module("multiplicity.annotation._stats_kernels")

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
    if use_kernels(S.shape[0] * max(S.shape[1], 1) * n_resamples):
        return _k._bootstrap_sums(S, seeds, block, n_resamples)
    return _bootstrap_sums_numpy(S, seeds, block, n_resamples)


def _bootstrap_sums_numpy(S: NDArray[np.float64], seeds: NDArray[np.int64], block: int,
                          n_resamples: int) -> NDArray[np.float64]:
    """NumPy twin of the kernel: per block, the legacy Mersenne Twister seeded with the
    block's seed (Numba's ``np.random.seed`` + ``np.random.random`` give the same
    stream) and the same ``floor(u * n)`` draws, so the same items are drawn; the sums
    are ``w @ S`` with ``w`` the multiplicities (equal to the kernel's to rounding)."""
    n, s = S.shape
    out = np.zeros((n_resamples, s))
    if n == 0:
        return out
    mt = np.random.RandomState()  # reseeded per block (cheaper than a new one)
    for blk, seed in enumerate(seeds):
        first = blk * block
        count = min(block, n_resamples - first)
        if count <= 0:
            continue
        mt.seed(int(seed))
        u = mt.random_sample((count, n))
        idx = np.minimum((u * n).astype(np.int64), n - 1)
        idx += n * np.arange(count, dtype=np.int64)[:, None]
        w = np.bincount(idx.ravel(), minlength=count * n).reshape(count, n)
        out[first:first + count] = w @ S
    return out
