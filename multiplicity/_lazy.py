"""Modules that load on first use, so that importing the package stays fast.

``pandas`` and Numba take about a second to import and initialise. A function that needs
them only on some paths (a DataFrame input, a large input that runs a compiled kernel)
names them at module level with :func:`lazy_module`; the import happens at the first
attribute access. :func:`is_instance` checks for a type of a module that may not be
loaded: an object cannot be a DataFrame if pandas was never imported.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

__all__ = ["is_instance", "lazy_module"]


class _LazyModule:
    """Stands for a module; imports it at the first attribute access."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        module: ModuleType = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        state = "loaded" if self._name in sys.modules else "not loaded yet"
        return f"<lazy module {self._name!r} ({state})>"


def lazy_module(name: str) -> Any:
    """A stand-in for the module ``name`` (absolute) that imports it on first use."""
    return _LazyModule(name)


def is_instance(obj: Any, module: str, *names: str) -> bool:
    """``isinstance(obj, module.name)`` for any of ``names``, without importing ``module``.

    False when ``module`` was never imported: no object of its types can exist then.
    """
    mod = sys.modules.get(module)
    if mod is None:
        return False
    return isinstance(obj, tuple(getattr(mod, n) for n in names))
