"""Silencing what compiled libraries print straight to the process's standard output."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["quiet_native_stdout"]


@contextmanager
def quiet_native_stdout() -> Iterator[None]:
    """Send file descriptor 1 to ``os.devnull`` for the duration (HiGHS' banner, say).

    Python-level ``print`` is flushed first; where there is no file descriptor 1 (some
    embedded interpreters) nothing is redirected.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no fd 1
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
