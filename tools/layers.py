"""Print the layer picture of docs/contributing.md from the package's imports.

Reads every module's imports with the parser of ``tests/test_import_rules.py`` and prints
which layer uses which: ``->`` for module-level imports, ``~>`` for names that load on
first use (``_lazy.lazy_module``). ``tests/test_import_rules.py`` checks that the picture
in docs/contributing.md is this output.

    python tools/layers.py
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["application", "report", "explain", "ensemble", "rashomon", "metrics", "annotation",
         "datasets", "core"]


def _rules():
    spec = importlib.util.spec_from_file_location("import_rules",
                                                  ROOT / "tests" / "test_import_rules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lazy_targets(path: Path) -> list[str]:
    """Package modules named with ``lazy_module("multiplicity...")`` in a module."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr",
                                                  getattr(node.func, "id", "")) == "lazy_module":
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and str(arg.value).startswith("multiplicity"):
                out.append(str(arg.value))
    return out


def picture() -> str:
    rules = _rules()
    direct: dict[str, set[str]] = {}
    lazy: dict[str, set[str]] = {}
    for name, path in rules.MODULES.items():
        here = rules.layer(name)
        for _, target in rules.imports(name)[0]:
            if rules.layer(target) != here:
                direct.setdefault(here, set()).add(rules.layer(target))
        for target in lazy_targets(path):
            there = rules.layer(target)
            if there != here and there not in direct.get(here, set()):
                lazy.setdefault(here, set()).add(there)
    lines = []
    for layer in ORDER:
        uses = sorted(direct.get(layer, set()), key=ORDER.index)
        later = sorted(lazy.get(layer, set()) - set(uses), key=ORDER.index)
        parts = [f"-> {', '.join(uses)}"] if uses else []
        parts += [f"~> {', '.join(later)}"] if later else []
        lines.append(f"{layer:12s}{'  '.join(parts)}".rstrip())
    return "\n".join(lines)


if __name__ == "__main__":
    print(picture())
