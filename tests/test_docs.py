"""The code in the guides under docs/ runs and prints what the guides say it prints."""

from __future__ import annotations

import doctest
from pathlib import Path

import matplotlib
import numba
import pytest

matplotlib.use("Agg")

# The guides and examples are integration checks of compiled code; the coverage pass
# with NUMBA_DISABLE_JIT=1 (kernels as plain Python) would spend minutes in them and
# adds no coverage the unit tests do not give.
pytestmark = pytest.mark.skipif(
    numba.config.DISABLE_JIT,
    reason="skipped by design in the NUMBA_DISABLE_JIT=1 coverage pass: the documentation "
           "examples run in the JIT pass (make test-fast)")

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(p for p in DOCS.glob("*.md") if ">>>" in p.read_text(encoding="utf-8"))


def test_some_guides_have_examples():
    assert any(p.name == "rashomon.md" for p in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_guide_examples(page):
    result = doctest.testfile(
        str(page), module_relative=False, verbose=False, report=True,
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) in docs/{page.name} failed"
