"""Line coverage of the package's Numba kernels, from a coverage.py XML report.

Used by ``make test-nojit``: with NUMBA_DISABLE_JIT=1 the kernels run as Python, so coverage
sees their bodies. A kernel is any function compiled by Numba, wherever it lives in the
package: decorated with ``njit``, ``jit``, ``vectorize``, ``guvectorize``, ``cfunc`` or
``stencil`` (bare or called, imported from numba under any name or reached as
``numba.<name>``), or passed to one of them at module level (``_f = njit(**NJIT)(_f_impl)``).
Modules are parsed with ``ast``; file names play no part.

A kernel's lines are the executable lines of its body (coverage.py's statements, so no
docstrings or comments), nested functions included. The script prints one line per module
with kernels, the kernels with missed lines, and the total; it exits 1 when the total is below
``--min`` percent, and 2 when a module with kernels is missing from the report or no kernel is
found. coverage.py takes a report's statement lines from the sources on disk when it writes
the report, so a module edited while the suite runs gives meaningless figures for that module.

Usage::

    python tools/kernel_coverage.py [coverage.xml] [--package multiplicity] [--min PERCENT]
"""

from __future__ import annotations

import argparse
import ast
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

# When this default was set, the fast suite under NUMBA_DISABLE_JIT=1 covered 99.0% of the
# kernel lines (1,623 of 1,639, in 87 kernels); the default leaves a point of margin.
DEFAULT_MIN = 98.0

_NUMBA_COMPILERS = {"njit", "jit", "vectorize", "guvectorize", "cfunc", "stencil"}


@dataclass
class Kernel:
    name: str
    first: int  # first line of the body
    last: int  # last line of the function
    lines: set[int] = field(default_factory=set)  # executable lines (from the report)
    hit: set[int] = field(default_factory=set)


def _numba_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Local names bound to numba's compilers, and local names bound to the numba module."""
    compilers, modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "numba" and node.level == 0:
            for alias in node.names:
                if alias.name in _NUMBA_COMPILERS:
                    compilers.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "numba":
                    modules.add(alias.asname or "numba")
    return compilers, modules


def _is_compiler(expr: ast.expr, compilers: set[str], modules: set[str]) -> bool:
    """``njit``, ``njit(...)``, ``numba.njit``, ``numba.njit(...)`` (any alias)."""
    if isinstance(expr, ast.Call):
        expr = expr.func
    if isinstance(expr, ast.Name):
        return expr.id in compilers
    return (isinstance(expr, ast.Attribute) and expr.attr in _NUMBA_COMPILERS
            and isinstance(expr.value, ast.Name) and expr.value.id in modules)


def find_kernels(source: str, filename: str = "<source>") -> list[Kernel]:
    """Every function in ``source`` that Numba compiles, with the line span of its body."""
    tree = ast.parse(source, filename)
    compilers, modules = _numba_names(tree)
    if not compilers and not modules:
        return []
    functions = [node for node in ast.walk(tree)
                 if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    compiled = {id(f) for f in functions
                if any(_is_compiler(d, compilers, modules) for d in f.decorator_list)}
    # `_f = njit(**NJIT)(_f_impl)` or `_f = njit(_f_impl)`: the module-level function named
    # by the argument is compiled too.
    wrapped: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        if isinstance(node.func, ast.Call) and _is_compiler(node.func, compilers, modules):
            target = node.args[0]
        elif _is_compiler(node.func, compilers, modules) and not isinstance(node.func, ast.Call):
            target = node.args[0]
        else:
            continue
        if isinstance(target, ast.Name):
            wrapped.add(target.id)
    compiled |= {id(f) for f in tree.body
                 if isinstance(f, ast.FunctionDef) and f.name in wrapped}
    kernels = [Kernel(f.name, f.body[0].lineno, f.end_lineno or f.body[-1].lineno)
               for f in functions if id(f) in compiled]
    # A kernel nested in another kernel is counted once, with its outer kernel.
    kernels.sort(key=lambda k: (k.first, -k.last))
    outer: list[Kernel] = []
    for k in kernels:
        if not outer or k.first > outer[-1].last:
            outer.append(k)
    return outer


def _report_lines(root: ET.Element) -> dict[str, dict[int, int]]:
    """Map each measured file to {line number: hits}.

    Each file is keyed by its name in the report (relative to a ``<source>``, in POSIX form)
    and by its resolved path under each source, so a report made in another checkout still
    matches by relative name.
    """
    sources = [Path(s.text.strip()) for s in root.iter("source") if s.text and s.text.strip()]
    measured: dict[str, dict[int, int]] = {}
    for cls in root.iter("class"):
        filename = cls.get("filename", "")
        lines: dict[int, int] = {}
        for line in cls.iter("line"):
            number, hits = int(line.get("number", "0")), int(line.get("hits", "0"))
            lines[number] = max(hits, lines.get(number, 0))
        for key in [Path(filename).as_posix(), *(str((src / filename).resolve())
                                                  for src in sources)]:
            measured.setdefault(key, {}).update(lines)
    return measured


def _lookup(measured: dict[str, dict[int, int]], path: Path,
            package: Path) -> dict[int, int] | None:
    """The report's lines of ``path``: by resolved path, else by name relative to the package
    folder or to its parent (``metrics/_kernels.py`` or ``multiplicity/metrics/_kernels.py``)."""
    for key in (str(path.resolve()), path.relative_to(package).as_posix(),
                path.relative_to(package.parent).as_posix()):
        if key in measured:
            return measured[key]
    return None


def _ranges(numbers: list[int]) -> str:
    spans: list[str] = []
    for n in sorted(numbers):
        if spans and n == int(spans[-1].split("-")[-1]) + 1:
            spans[-1] = f"{spans[-1].split('-')[0]}-{n}"
        else:
            spans.append(str(n))
    return ", ".join(spans)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", default="coverage.xml", help="coverage.py XML")
    parser.add_argument("--package", default=None,
                        help="package folder to scan (default: 'multiplicity' next to tools/)")
    parser.add_argument("--min", type=float, default=DEFAULT_MIN, metavar="PERCENT",
                        help=f"fail below this total kernel line coverage (default {DEFAULT_MIN})")
    args = parser.parse_args(argv)
    package = Path(args.package or Path(__file__).resolve().parent.parent / "multiplicity")
    measured = _report_lines(ET.parse(args.report).getroot())

    total = hit = n_kernels = 0
    missing_from_report: list[Path] = []
    partly_covered: list[str] = []
    for path in sorted(package.rglob("*.py")):
        kernels = find_kernels(path.read_text(encoding="utf-8"), str(path))
        if not kernels:
            continue
        rel = path.relative_to(package.parent)
        lines = _lookup(measured, path, package)
        if lines is None:
            missing_from_report.append(rel)
            continue
        file_total = file_hit = 0
        for k in kernels:
            k.lines = {n for n in lines if k.first <= n <= k.last}
            k.hit = {n for n in k.lines if lines[n] > 0}
            file_total += len(k.lines)
            file_hit += len(k.hit)
            if k.hit != k.lines:
                partly_covered.append(f"  {rel}:{k.name}: missed lines "
                                      f"{_ranges(sorted(k.lines - k.hit))}")
        n_kernels += len(kernels)
        total += file_total
        hit += file_hit
        pct = 100.0 * file_hit / file_total if file_total else 100.0
        print(f"kernel coverage {rel}: {pct:5.1f}% ({file_hit}/{file_total} lines, "
              f"{len(kernels)} kernel{'s' if len(kernels) != 1 else ''})")
    if partly_covered:
        print("kernels with missed lines:")
        print("\n".join(partly_covered))
    for rel in missing_from_report:
        print(f"kernel coverage {rel}: not in {args.report} (was the module measured?)")
    if n_kernels == 0 and not missing_from_report:
        print(f"kernel coverage: no Numba kernels found under {package}")
        return 2
    pct = 100.0 * hit / total if total else 0.0
    print(f"kernel coverage total: {pct:.1f}% ({hit}/{total} lines, {n_kernels} kernels); "
          f"minimum {args.min:.1f}%")
    if missing_from_report:
        return 2
    if pct < args.min:
        print(f"kernel coverage {pct:.1f}% is below the minimum {args.min:.1f}%")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
