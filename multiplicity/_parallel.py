"""Thread control for the Numba kernels."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import numba


def effective_n_jobs(n_jobs: int | None) -> int | None:
    """joblib's convention: ``None`` = leave as is, ``-1`` = all cores, ``-2`` = all but one."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None or a non-zero int, got {n_jobs!r}")
    cores = os.cpu_count() or 1
    return max(1, n_jobs if n_jobs > 0 else cores + 1 + n_jobs)


@contextmanager
def numba_threads(n_jobs: int | None) -> Iterator[None]:
    """Run the body with ``n_jobs`` Numba threads, then restore the previous count."""
    n = effective_n_jobs(n_jobs)
    if n is None:
        yield
        return
    old = numba.get_num_threads()
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    try:
        yield
    finally:
        numba.set_num_threads(old)
