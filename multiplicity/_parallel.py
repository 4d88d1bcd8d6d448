"""Thread control: Numba's threads for the kernels, BLAS/OpenMP threads of fits run side
by side."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numba
from threadpoolctl import ThreadpoolController


def numba_n_jobs(n_jobs: int | None) -> int | None:
    """Numba threads for ``n_jobs``: ``None`` = leave the current count (returns None),
    ``-1`` = all cores, ``-2`` = all but one (joblib's negative convention; unlike
    ``joblib.effective_n_jobs``, None does not mean one)."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None or a non-zero int, got {n_jobs!r}")
    cores = os.cpu_count() or 1
    return max(1, n_jobs if n_jobs > 0 else cores + 1 + n_jobs)


@contextmanager
def numba_threads(n_jobs: int | None) -> Iterator[None]:
    """Run the body with ``n_jobs`` Numba threads, then restore the previous count."""
    n = numba_n_jobs(n_jobs)
    if n is None:
        yield
        return
    old = numba.get_num_threads()
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    try:
        yield
    finally:
        numba.set_num_threads(old)


_LIMIT_LOCK = threading.Lock()
# tasks of this process inside one_thread_per_fit, the BLAS limiter they share, and the
# threadpoolctl controller (rebuilt when modules, and so shared libraries, were loaded)
_LIMIT_STATE: dict[str, Any] = {"inside": 0, "blas": None, "controller": None,
                                "n_modules": -1}


def _controller() -> Any:
    if _LIMIT_STATE["n_modules"] != len(sys.modules):
        _LIMIT_STATE["controller"] = ThreadpoolController()
        _LIMIT_STATE["n_modules"] = len(sys.modules)
    return _LIMIT_STATE["controller"]


@contextmanager
def one_thread_per_fit() -> Iterator[None]:
    """BLAS and OpenMP run on one thread inside the body (a fit next to other fits).

    BLAS limits hold for the whole process: the first task of a process to enter sets
    them and the last to leave restores them, so tasks that share a process (joblib's
    threading backend, dask workers with several threads) never restore each other's
    limits half-way. OpenMP limits hold per thread, so each task sets and restores its own.
    """
    with _LIMIT_LOCK:
        controller = _controller()
        if _LIMIT_STATE["inside"] == 0:
            _LIMIT_STATE["blas"] = controller.limit(limits=1, user_api="blas")
        _LIMIT_STATE["inside"] += 1
    try:
        with controller.limit(limits=1, user_api="openmp"):
            yield
    finally:
        with _LIMIT_LOCK:
            _LIMIT_STATE["inside"] -= 1
            if _LIMIT_STATE["inside"] == 0:
                _LIMIT_STATE["blas"].restore_original_limits()
                _LIMIT_STATE["blas"] = None
