"""What the package needs from dask, in one place: recognising dask collections without
importing dask, and importing it with an actionable message when a dask input needs it.

dask is an optional dependency (``pip install 'multiplicity-audit[dask]'``). A function
that accepts a dask collection checks with :func:`is_dask_array`,
:func:`is_dask_dataframe` or :func:`is_dask_collection` (which never import dask: an
object cannot be a dask collection if dask was never imported), then sends the input to
the dask path of its subpackage. The measures themselves run as the same Numba kernels as
in memory, once per block on the workers, followed by a small combine step.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

__all__ = ["DASK_MISSING", "import_dask", "is_dask_array", "is_dask_collection",
           "is_dask_dataframe"]

DASK_MISSING = ("{what} needs dask, which is not installed; install it with "
                "pip install 'multiplicity-audit[dask]'")


def is_dask_array(obj: Any) -> bool:
    """True for a ``dask.array.Array`` (False, without importing dask, otherwise)."""
    mod = sys.modules.get("dask.array")
    return mod is not None and isinstance(obj, mod.Array)


def is_dask_dataframe(obj: Any) -> bool:
    """True for a dask ``DataFrame``, ``Series`` or ``Index``."""
    mod = sys.modules.get("dask.dataframe")
    if mod is None:
        return False
    return isinstance(obj, tuple(getattr(mod, n) for n in ("DataFrame", "Series", "Index")
                                 if hasattr(mod, n)))


def is_dask_collection(obj: Any) -> bool:
    """True for any dask collection (array, data frame, bag, delayed)."""
    if "dask" not in sys.modules:
        return False
    return bool(sys.modules["dask"].is_dask_collection(obj))


def import_dask(module: str = "dask.array", what: str = "this input") -> ModuleType:
    """``importlib.import_module(module)``, or an ImportError naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - dask is a test dependency
        raise ImportError(DASK_MISSING.format(what=what)) from exc
