"""The documentation site builds with ``mkdocs build --strict`` and lists every page.

The build takes about 10 s, so it runs with the rest of the suite (the test extra pulls in
the docs extra); it is skipped where mkdocs is not installed, and in the JIT-off coverage
pass (it exercises no package code).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numba
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

pytestmark = [
    pytest.mark.skipif(numba.config.DISABLE_JIT,
                       reason="skipped by design in the NUMBA_DISABLE_JIT=1 coverage pass: "
                              "the site build runs no package code; the JIT pass "
                              "(make test-fast) builds it"),
]


def _nav_pages(nav) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [p for item in nav for p in _nav_pages(item)]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in _nav_pages(value)]
    return []


def _config() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML not installed: pip install -e '.[docs]'")

    class Loader(yaml.SafeLoader):  # mkdocs.yml may hold !!python/name tags; not ours
        pass

    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)


def test_every_page_is_in_the_nav():
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")
             if not p.relative_to(DOCS).as_posix().startswith("_")}
    nav = set(_nav_pages(_config()["nav"]))
    assert pages - nav == set(), "pages missing from the nav in mkdocs.yml"
    assert nav - pages == set(), "nav entries without a page"


def test_every_public_subpackage_has_an_api_page():
    import multiplicity

    subpackages = {name for name in multiplicity.__all__
                   if (ROOT / "multiplicity" / name / "__init__.py").exists()}
    for name in subpackages:
        page = DOCS / "api" / f"{name}.md"
        assert page.exists(), f"docs/api/{name}.md missing"
        assert f"::: multiplicity.{name}" in page.read_text(encoding="utf-8")


def test_site_builds_strict(tmp_path):
    for name in ("mkdocs", "mkdocstrings"):
        pytest.importorskip(name, reason=f"{name} not installed: pip install -e '.[docs]'")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert "WARNING" not in log, log[-4000:]
    assert (tmp_path / "index.html").exists()
    api = (tmp_path / "api" / "metrics" / "index.html").read_text(encoding="utf-8")
    assert "multiplicity.metrics.ambiguity" in api  # the reference is generated
    assert ":func:`" not in api  # Sphinx roles are rewritten (docs/_griffe/sphinx_roles.py)
    gallery = (tmp_path / "gallery" / "index.html").read_text(encoding="utf-8")
    for png in sorted((DOCS / "figures").glob("*.png")):
        assert f"figures/{png.name}" in gallery, f"{png.name} is not in the gallery"
