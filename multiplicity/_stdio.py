"""Standard streams: silencing what compiled libraries print to the process's standard
output, and leaving quietly when the reader of a pipe has gone."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["BROKEN_PIPE_EXIT", "quiet_native_stdout", "reader_gone"]

# The status a shell reports for a program ended by SIGPIPE (128 + 13), which is what
# ``yes | head -1`` gives ``yes``: the output was cut short, but nothing went wrong.
BROKEN_PIPE_EXIT = 141


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


def reader_gone() -> int:
    """After a ``BrokenPipeError``: the exit status for a reader that stopped early.

    Standard output and standard error whose pipe is closed are pointed at
    ``os.devnull``, so that the flush at interpreter exit writes nowhere instead of raising
    a second ``BrokenPipeError`` (see "Note on SIGPIPE" in the documentation of Python's
    ``signal`` module). A stream that still has a reader is left alone. Returns
    :data:`BROKEN_PIPE_EXIT`.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is None:
                continue
            try:
                stream.flush()
                continue  # still read (or nothing left to write)
            except (OSError, ValueError):
                pass
            try:
                os.dup2(devnull, stream.fileno())
            except (AttributeError, OSError, ValueError):  # no file descriptor
                pass
    finally:
        os.close(devnull)
    return BROKEN_PIPE_EXIT
