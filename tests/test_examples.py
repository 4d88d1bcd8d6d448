"""Every example script runs to the end and writes its figure."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*/plot_*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MULTIPLICITY_FIGURE_DIR", str(tmp_path))
    monkeypatch.setenv("MULTIPLICITY_EXAMPLE_MODELS", "6")
    runpy.run_path(str(script), run_name="__main__")
    assert list(tmp_path.glob("*.png")), "the example wrote no figure"
    assert "figure written" in capsys.readouterr().out


def test_there_are_examples():
    assert EXAMPLES
