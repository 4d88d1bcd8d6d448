"""The public names of every public module are the ones recorded in tests/data/public_api.json.

Restructuring the package's private modules must not add, drop or rename a public name. A
deliberate change of the API updates the snapshot with

    python -c "import tests.test_public_api as t; t.write_snapshot()"

and says so in its commit message.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import types
from pathlib import Path

import multiplicity

SNAPSHOT = Path(__file__).parent / "data" / "public_api.json"


def public_modules() -> list[str]:
    """``multiplicity`` and every module below it with no private part in its name."""
    found = pkgutil.walk_packages(multiplicity.__path__, "multiplicity.")
    below = sorted(m.name for m in found
                   if not any(p.startswith("_") for p in m.name.split(".")[1:]))
    return ["multiplicity", *below]


def public_names(mod: types.ModuleType) -> list[str]:
    """``__all__``, or the names without a leading underscore that the module defines (not
    modules, and not classes or functions it imported from other libraries)."""
    names = getattr(mod, "__all__", None)
    if names is None:
        names = []
        for name in dir(mod):
            obj = getattr(mod, name)
            if name.startswith("_") or isinstance(obj, types.ModuleType):
                continue
            home = getattr(obj, "__module__", None)
            if (isinstance(obj, type) or callable(obj)) and home is not None \
                    and not str(home).startswith("multiplicity"):
                continue
            names.append(name)
    return sorted(names)


def current() -> dict[str, list[str]]:
    return {name: public_names(importlib.import_module(name)) for name in public_modules()}


def write_snapshot() -> None:
    SNAPSHOT.write_text(json.dumps(current(), indent=1) + "\n", encoding="utf-8")


def test_public_names_are_unchanged():
    want = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    got = current()
    assert sorted(got) == sorted(want), "public modules differ"
    for module, names in want.items():
        assert got[module] == names, (module, sorted(set(got[module]) ^ set(names)))
