"""Shared test set-up: helper import path, hypothesis profiles and seeded fixtures.

pytest runs with ``--import-mode=importlib`` (setup.cfg), which does not put ``tests/`` on
``sys.path``; the test modules import their helpers as ``import reference``,
``import strategies`` and ``import datafiles``, so this file (loaded before any test module)
adds ``tests/`` to ``sys.path`` once. The package itself is always imported from the installed
``multiplicity``, never through this path.

Hypothesis profiles: ``default`` (60 examples) and ``nojit`` (15 examples, chosen when
``NUMBA_DISABLE_JIT=1`` because every kernel then runs as plain Python). Both are
derandomized so CI runs are reproducible; ``HYPOTHESIS_PROFILE`` overrides the choice.

Data: the fixtures live in ``tests/data`` and are found through ``datafiles.py``, which also
reads the GPL-3.0 COMPAS files from ``$MULTIPLICITY_EXTRA_DATA`` when that is set.

At the end of a run, ``pytest_terminal_summary`` prints one ``skip summary:`` line per
distinct skip reason with the number of tests it skipped, so that ``make test`` says why
anything did not run.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

_COMMON = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow],
}
settings.register_profile("default", max_examples=60, **_COMMON)
settings.register_profile("nojit", max_examples=15, **_COMMON)

JIT_DISABLED = os.environ.get("NUMBA_DISABLE_JIT", "0").strip() not in {"", "0"}
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "nojit" if JIT_DISABLED else "default")
)

SEED = 20240611


# --------------------------------------------------------------------------------------
# Case grids: (predictions, baseline) pairs covering the degenerate and awkward inputs
# --------------------------------------------------------------------------------------
def _prediction_cases() -> dict[str, tuple[object, object]]:
    rng = np.random.default_rng(SEED)
    words = np.array(["cat", "dog", "emu", "yak"])
    int8_full = np.arange(-128, 128, dtype=np.int8).reshape(4, 64)
    cases: dict[str, tuple[object, object]] = {
        "all_equal_rows": (np.tile([1, 0, 2, 2, 1], (4, 1)), 0),
        "one_sample": (np.array([[0], [1], [0]]), 0),
        "one_sample_one_model": (np.array([[3]]), 0),
        "one_model": (np.array([[0, 1, 2, 1]]), 0),
        "one_model_array_baseline": (np.array([[0, 1, 2, 1]]), np.array([0, 1, 1, 1])),
        "single_class": (np.zeros((3, 6), dtype=np.int64), 1),
        "many_classes": (rng.integers(0, 40, size=(5, 30)), 2),
        "binary_random": (rng.integers(0, 2, size=(6, 25)), 0),
        "strings": (words[rng.integers(0, 4, size=(4, 12))], 1),
        "strings_list": ([["a", "b", "a"], ["a", "a", "a"], ["b", "b", "a"]], 0),
        "negative_ints": (rng.integers(-5, 0, size=(4, 10)), -1),
        "int8_limits": (np.array([[-128, 127, 0, 127], [-128, -128, 127, 0],
                                  [127, 127, 0, -1]], dtype=np.int8), 0),
        "int8_full_range": (int8_full, 3),
        "uint8_limits": (np.array([[0, 255, 255], [255, 255, 0]], dtype=np.uint8), 1),
        "int16_wide_span": (np.array([[-32768, 32767, 0], [32767, 32767, 5]],
                                     dtype=np.int16), 0),
        "int64_huge": (np.array([[-(2**62), 2**62, 7], [2**62, 2**62, 7]], dtype=np.int64), 1),
        "bool": (rng.integers(0, 2, size=(5, 9)).astype(bool), 0),
        "float_labels": (np.array([[0.5, -2.25, 1.0], [0.5, 1.0, 1.0], [3.0, -2.25, 0.0]]), 2),
        "float32_labels": (np.array([[0.5, 1.5], [1.5, 1.5]], dtype=np.float32), 0),
        "mixed_objects": (np.array([["a", 1, 2.5], [1, 1, "a"], ["a", 2.5, 2.5]],
                                   dtype=object), 0),
        "negative_index": (rng.integers(0, 3, size=(4, 8)), -2),
        "numpy_int_index": (rng.integers(0, 3, size=(3, 8)), np.int64(2)),
        "array_baseline": (rng.integers(0, 3, size=(4, 10)), rng.integers(0, 3, size=10)),
        "list_baseline": ([[0, 1, 1], [1, 1, 0]], [0, 0, 0]),
        "absent_label_int": (rng.integers(0, 3, size=(3, 7)), np.array([9, 0, 1, 9, 2, 0, 9])),
        "absent_label_str": (words[rng.integers(0, 3, size=(3, 5))],
                             np.array(["cat", "zebra", "dog", "cat", "zebra"])),
        "absent_label_int8_outside_dtype": (
            np.array([[1, 2, 3], [1, 2, 2]], dtype=np.int8), np.array([1000, 2, -129])),
        "absent_label_int8_full_range": (
            int8_full, np.where(np.arange(64) % 3 == 0, 500, int8_full[1].astype(np.int64))),
        "absent_label_uint8_negative": (
            np.array([[0, 255], [255, 255]], dtype=np.uint8), np.array([-1, 255])),
        "absent_label_float": (np.array([[0.5, 1.5], [1.5, 1.5]]), np.array([0.25, 1.5])),
        "bool_with_int_baseline": (np.array([[True, False], [True, True]]), np.array([1, 0])),
    }
    for s in range(3):
        r = np.random.default_rng(SEED + s)
        m, n, k = int(r.integers(1, 7)), int(r.integers(1, 30)), int(r.integers(1, 5))
        cases[f"random_{s}"] = (r.integers(0, k, size=(m, n)), int(r.integers(-m, m)))
    return cases


PREDICTION_CASES = _prediction_cases()


def _probability_cases() -> dict[str, tuple[object, object]]:
    rng = np.random.default_rng(SEED + 100)
    cases: dict[str, tuple[object, object]] = {
        "binary_grid": (np.array([[0.5, 0.6, 0.0, 1.0], [0.6, 0.5, 0.1, 0.85],
                                  [0.4, 0.7, 0.2, 0.9]]), 0),
        "binary_all_equal": (np.full((3, 4), 0.3), 1),
        "binary_one_model": (np.array([[0.2, 0.9, 0.5]]), 0),
        "binary_one_sample": (np.array([[0.2], [0.3], [0.7]]), -1),
        "binary_array_baseline": (rng.random((4, 9)), rng.random(9)),
        "binary_float32": (np.array([[0.5, 0.25], [0.625, 0.375]], dtype=np.float32), 1),
        "binary_extremes": (np.array([[0.0, 1.0], [1.0, 0.0]]), 0),
        "multi_onehot": (np.eye(3)[[[0, 1, 2], [1, 1, 0]]], 0),
        "multi_single_class": (np.ones((3, 4, 1)), 0),
        "multi_uniform": (np.full((2, 3, 4), 0.25), 1),
        "multi_random": (rng.dirichlet(np.ones(4), size=(5, 6)), 2),
        "multi_array_baseline": (rng.dirichlet(np.ones(3), size=(3, 5)),
                                 rng.dirichlet(np.ones(3), size=5)),
        "multi_many_classes": (rng.dirichlet(np.ones(12) * 0.3, size=(3, 4)), 0),
        "multi_float32": (rng.dirichlet(np.ones(3), size=(3, 4)).astype(np.float32), 0),
    }
    return cases


PROBABILITY_CASES = _probability_cases()


@pytest.fixture
def rng() -> np.random.Generator:
    """A freshly seeded generator (the same stream in every test)."""
    return np.random.default_rng(SEED)


@pytest.fixture(params=list(PREDICTION_CASES), ids=list(PREDICTION_CASES))
def prediction_case(request):
    """``(predictions, baseline)`` from the label case grid."""
    return PREDICTION_CASES[request.param]


@pytest.fixture(params=list(PROBABILITY_CASES), ids=list(PROBABILITY_CASES))
def probability_case(request):
    """``(probabilities, baseline)`` from the probability case grid."""
    return PROBABILITY_CASES[request.param]


# --------------------------------------------------------------------------------------
# A dask cluster shared by the test modules that need one
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def dask_client():
    """A LocalCluster of two single-threaded worker processes, started once per session.

    The dask paths run their kernels in other processes, exactly as on a remote cluster.
    Skips (saying why) when dask.distributed is not installed.
    """
    distributed = pytest.importorskip(
        "distributed",
        reason="dask.distributed is not installed (pip install 'multiplicity-audit[dask]')")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    client = distributed.Client(cluster)
    client.wait_for_workers(2)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


# --------------------------------------------------------------------------------------
# Skip summary
# --------------------------------------------------------------------------------------
def _skip_reason(report) -> str:
    """The reason text of a skipped test or module report."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
    else:  # pytest reports skips as (path, line, reason); keep anything else whole
        reason = str(longrepr)
    return reason.removeprefix("Skipped: ")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """Print one line per distinct skip reason, most frequent first, with its count.

    A wrapper, so that the lines come after pytest's own summaries, just above the final
    line of counts.
    """
    result = yield
    if terminalreporter.config.option.collectonly:
        return result
    counts = Counter(_skip_reason(r) for r in terminalreporter.stats.get("skipped", []))
    if not counts:
        terminalreporter.write_line("skip summary: nothing skipped")
    for reason, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        terminalreporter.write_line(f"skip summary: {n} x {reason}")
    return result
