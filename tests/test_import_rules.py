"""The package's import rules, read from the source (docs/contributing.md, "Layers").

- The core (``multiplicity/_*.py``) imports only the core.
- A subpackage imports its own modules, the core, and other subpackages only through their
  public ``__init__`` (``from ..rashomon import RashomonSet``, not ``from ..rashomon._set``).
- The application modules (``cli``, ``_demo``, ``__main__``) use the subpackages through
  their public ``__init__`` as well.
- No module imports a package module inside a function (``if TYPE_CHECKING:`` blocks and
  the PEP 562 ``__getattr__`` of a package ``__init__`` are declarations, not imports at
  run time); code that must not load a module at import time names it at module level with
  ``multiplicity._lazy.lazy_module``.
- The module-level imports have no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "multiplicity"
SUBPACKAGES = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
APPLICATION = {"multiplicity.cli", "multiplicity._demo", "multiplicity.__main__",
               "multiplicity", "multiplicity._cli_annotation", "multiplicity._cli_audit",
               "multiplicity._cli_input", "multiplicity._cli_judge",
               "multiplicity._cli_messages"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def resolve(importer: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    """Package modules named by an import statement (empty for other libraries)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "multiplicity"]
    if node.level == 0:
        base = node.module or ""
        if base.split(".")[0] != "multiplicity":
            return []
    else:
        is_package = MODULES[importer].name == "__init__.py"
        parts = importer.split(".")
        keep = len(parts) - node.level + (1 if is_package else 0)
        base = ".".join(parts[:keep] + ([node.module] if node.module else []))
    # ``from . import _kernels``: the names may be modules themselves
    out = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        out.append(sub if sub in MODULES else base)
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(name: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(module-level imports, imports inside functions) of package modules, with lines."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    top: list[tuple[int, str]] = []
    inner: list[tuple[int, str]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                for target in resolve(name, child):
                    (inner if in_function else top).append((child.lineno, target))
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                # the PEP 562 module __getattr__ of a package __init__ loads on demand
                lazy_init = (child.name == "__getattr__" and isinstance(node, ast.Module)
                             and MODULES[name].name == "__init__.py")
                if not lazy_init:
                    visit(child, True)
            else:
                visit(child, in_function)

    visit(tree, False)
    return top, inner


def layer(name: str) -> str:
    parts = name.split(".")
    if name in APPLICATION:
        return "application"
    if len(parts) >= 2 and parts[1] in SUBPACKAGES:
        return parts[1]
    return "core"


def layer_violations() -> list[str]:
    bad = []
    for name in MODULES:
        top, _ = imports(name)
        here = layer(name)
        for line, target in top:
            there = layer(target)
            if here == "core" and there != "core":
                bad.append(f"{name}:{line} core imports {target}")
            elif there not in ("core", here) and target != f"multiplicity.{there}":
                bad.append(f"{name}:{line} imports the private {target}")
    return bad


def function_imports() -> list[str]:
    return [f"{name}:{line} imports {target} inside a function"
            for name in MODULES for line, target in imports(name)[1]]


def cycles() -> list[list[str]]:
    """Elementary cycles of the module-level import graph (one per strongly connected set)."""
    graph = {name: sorted({t for _, t in imports(name)[0] if t in MODULES and t != name})
             for name in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            connect(v)
    return found


def test_the_rules_see_the_package():
    assert {"metrics", "annotation", "rashomon", "ensemble", "explain", "report"} <= SUBPACKAGES
    top, _ = imports("multiplicity.rashomon")
    assert "multiplicity.rashomon._dropout" in {name for _, name in top}
    # a private import of another subpackage would be caught
    assert layer("multiplicity.metrics._kernels") == "metrics"
    assert layer("multiplicity._validation") == "core"


def test_subpackages_meet_through_public_doors():
    assert layer_violations() == []


def test_no_package_imports_inside_functions():
    assert function_imports() == []


def test_no_import_cycles():
    assert cycles() == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_import_resolves(name):
    for _, target in imports(name)[0] + imports(name)[1]:
        assert target in MODULES, (name, target)


def test_the_layer_picture_of_the_docs_is_the_code():
    import importlib.util

    spec = importlib.util.spec_from_file_location("layers", ROOT.parent / "tools" / "layers.py")
    layers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(layers)
    page = (ROOT.parent / "docs" / "contributing.md").read_text(encoding="utf-8")
    assert f"```text\n{layers.picture()}\n```" in page
