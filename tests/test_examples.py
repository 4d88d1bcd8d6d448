"""Every example script runs to the end and writes its figure."""

from __future__ import annotations

import runpy
from pathlib import Path

import numba
import pytest

# The guides and examples are integration checks of compiled code; the coverage pass
# with NUMBA_DISABLE_JIT=1 (kernels as plain Python) would spend minutes in them and
# adds no coverage the unit tests do not give.
pytestmark = pytest.mark.skipif(
    numba.config.DISABLE_JIT,
    reason="skipped by design in the NUMBA_DISABLE_JIT=1 coverage pass: the examples run in "
           "the JIT pass (make test-fast)")

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*/plot_*.py"))
# Examples whose script is not named plot_*.py, listed by hand (test id: their folder).
EXAMPLES += [Path(__file__).parents[1] / "examples" / "03_annotator_embeddings" / "run.py"]
EXAMPLE_IDS = [p.stem if p.stem.startswith("plot_") else p.parent.name for p in EXAMPLES]


@pytest.mark.parametrize("script", EXAMPLES, ids=EXAMPLE_IDS)
def test_example_runs(script, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MULTIPLICITY_FIGURE_DIR", str(tmp_path))
    monkeypatch.setenv("MULTIPLICITY_EXAMPLE_MODELS", "6")
    runpy.run_path(str(script), run_name="__main__")
    assert list(tmp_path.glob("*.png")), "the example wrote no figure"
    assert "figure written" in capsys.readouterr().out


def test_there_are_examples():
    assert EXAMPLES
