"""Numba compilation flags and runtime options, in one place.

Every ``@njit`` in the package takes its flags from :data:`NJIT` or :data:`NJIT_PARALLEL`;
none hard-codes ``cache=`` or ``fastmath=``.

Environment variables
---------------------
MULTIPLICITY_NUMBA_CACHE
    ``0`` turns the on-disk cache of compiled kernels off (default ``1``).
NUMBA_DISABLE_JIT
    Numba's own switch: ``1`` runs every kernel as plain Python (used by the coverage pass).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["NJIT", "NJIT_PARALLEL", "config_context", "get_config", "set_config"]


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


# No "nnan"/"ninf": NaN marks a missing label in some kernels and must compare as NaN.
_FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

NJIT: dict[str, Any] = {
    "cache": _env_flag("MULTIPLICITY_NUMBA_CACHE", True),
    "fastmath": _FASTMATH,
    "nogil": True,
}
NJIT_PARALLEL: dict[str, Any] = {**NJIT, "parallel": True}

_CONFIG: dict[str, Any] = {
    # Skip the finiteness scan of probability arrays (saves one pass over large inputs).
    "assume_finite": False,
    # Digits shown in printed tables and reports.
    "display_precision": 4,
}


def get_config() -> dict[str, Any]:
    """Return a copy of the current runtime options.

    Returns
    -------
    dict
        ``assume_finite`` (bool) and ``display_precision`` (int).

    Examples
    --------
    >>> get_config()["display_precision"]
    4
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
    _CONFIG.update(options)


@contextmanager
def config_context(**options: Any) -> Iterator[None]:
    """Temporarily set runtime options within a ``with`` block.

    Examples
    --------
    >>> with config_context(display_precision=2):
    ...     get_config()["display_precision"]
    2
    """
    old = get_config()
    set_config(**options)
    try:
        yield
    finally:
        _CONFIG.clear()
        _CONFIG.update(old)
