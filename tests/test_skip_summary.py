"""The skip summary that tests/conftest.py prints at the end of a run."""

from __future__ import annotations

from pathlib import Path

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).resolve().parent / "conftest.py"


def test_skip_summary_counts_each_reason(pytester):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_inner="""
        import pytest

        @pytest.mark.parametrize("i", range(3))
        def test_marker(i):
            pytest.skip("needs the GPL data")

        @pytest.mark.skipif(True, reason="no browser installed")
        def test_browser():
            pass

        def test_runs():
            assert True
    """)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=4)
    lines = [ln for ln in result.outlines if ln.startswith("skip summary:")]
    assert lines == ["skip summary: 3 x needs the GPL data",
                     "skip summary: 1 x no browser installed"]


def test_skip_summary_says_when_nothing_was_skipped(pytester):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_inner="def test_runs():\n    assert True\n")
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "skip summary: nothing skipped" in result.outlines
