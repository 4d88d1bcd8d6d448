"""Numba compilation flags and runtime options, in one place.

Every ``@njit`` in the package takes its flags from :data:`NJIT` or :data:`NJIT_PARALLEL`;
none hard-codes ``cache=`` or ``fastmath=``.

Environment variables
---------------------
MULTIPLICITY_NUMBA_CACHE
    ``0`` turns the on-disk cache of compiled kernels off (default ``1``).
MULTIPLICITY_NUMBA_MIN_SIZE
    Default of the ``numba_min_size`` option (below).
NUMBA_DISABLE_JIT
    Numba's own switch: ``1`` runs every kernel as plain Python (used by the coverage pass).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["NJIT", "NJIT_PARALLEL", "config_context", "get_config", "set_config",
           "use_kernels"]


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(f"the environment variable {name} must be an integer >= 0, "
                         f"got {value!r}")
    return number


# No "nnan"/"ninf": NaN marks a missing label in some kernels and must compare as NaN.
_FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

NJIT: dict[str, Any] = {
    "cache": _env_flag("MULTIPLICITY_NUMBA_CACHE", True),
    "fastmath": _FASTMATH,
    "nogil": True,
}
NJIT_PARALLEL: dict[str, Any] = {**NJIT, "parallel": True}

_CONFIG: dict[str, Any] = {
    # Skip the validity scan of probability arrays (finite, in [0, 1], rows summing to 1;
    # saves one pass over large inputs). Wrong probabilities then give wrong numbers.
    "assume_finite": False,
    # Work (array entries) from which the compiled kernels run instead of their NumPy
    # twins. Numba costs about 0.7 s once per process (importing it, initialising its
    # compiler target, loading kernels from the cache), more than NumPy needs for most
    # inputs below this size; 0 runs the kernels always.
    "numba_min_size": _env_int("MULTIPLICITY_NUMBA_MIN_SIZE", 10_000_000),
}


def use_kernels(work: int) -> bool:
    """True when an input of ``work`` array entries should run the compiled kernels.

    Functions with a NumPy twin of their kernel call this with the size of their input;
    below ``get_config()["numba_min_size"]`` the NumPy twin runs (no Numba start-up).
    """
    return work >= _CONFIG["numba_min_size"]


def get_config() -> dict[str, Any]:
    """Return a copy of the current runtime options.

    Returns
    -------
    dict
        ``assume_finite`` (bool): skip the validity scan of probability arrays (finite
        values in [0, 1], class rows summing to 1), one pass over the data, for
        probabilities known to be valid. ``numba_min_size`` (int): the input size (array
        entries) from which functions that also have a NumPy implementation run their
        compiled Numba kernel. Below it they skip Numba's start-up (about 0.7 s in a fresh
        process), which outweighs NumPy's extra time on small and medium inputs; 0 runs
        the kernels always. Both give the same values (to rounding; see each function).

    Examples
    --------
    >>> get_config()["assume_finite"]
    False
    """
    return dict(_CONFIG)


def set_config(**options: Any) -> None:
    """Set runtime options (see :func:`get_config` for their names).

    Raises
    ------
    ValueError
        If an option name is unknown.
    """
    unknown = set(options) - set(_CONFIG)
    if unknown:
        raise ValueError(
            f"unknown option(s) {sorted(unknown)}; expected some of {sorted(_CONFIG)}"
        )
    if "numba_min_size" in options:
        size = options["numba_min_size"]
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"numba_min_size must be an integer >= 0, got {size!r}")
    _CONFIG.update(options)


@contextmanager
def config_context(**options: Any) -> Iterator[None]:
    """Temporarily set runtime options within a ``with`` block.

    Examples
    --------
    >>> with config_context(assume_finite=True):
    ...     get_config()["assume_finite"]
    True
    """
    old = get_config()
    set_config(**options)
    try:
        yield
    finally:
        _CONFIG.clear()
        _CONFIG.update(old)
