"""Importing the package, its metrics and its coefficients does not load heavy libraries.

scikit-learn, matplotlib and cvxpy load only when a feature that needs them is used (an
aggregator, a plot, a solver), so a script that computes one coefficient starts fast.
Each check runs in a fresh interpreter: this test session has long imported them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

import multiplicity
import multiplicity.annotation
import multiplicity.metrics

HEAVY = ("sklearn", "matplotlib", "cvxpy")

# Estimators of multiplicity.annotation whose modules import scikit-learn.
LAZY_ANNOTATION = ("AnnotatorEmbeddingClassifier", "DawidSkene", "GLAD", "MACE",
                   "MajorityVote")

_PRELUDE = f"""
import json, sys
HEAVY = {HEAVY!r}
def heavy():
    return sorted(set(HEAVY).intersection(m.split(".")[0] for m in sys.modules))
seen = {{}}
"""


def _fresh(body: str) -> dict:
    """Run ``body`` in a new interpreter; it fills the dict ``seen``, returned here."""
    code = _PRELUDE + textwrap.dedent(body) + "\nprint(json.dumps(seen))\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_imports_and_first_calls_load_no_heavy_library():
    seen = _fresh("""
        import multiplicity
        seen["import multiplicity"] = heavy()
        import multiplicity.metrics
        seen["import multiplicity.metrics"] = heavy()
        import multiplicity.annotation
        seen["import multiplicity.annotation"] = heavy()
        from multiplicity.annotation import Annotations, krippendorff_alpha
        from multiplicity.metrics import ambiguity, discrepancy
        krippendorff_alpha([[1, 1, 2], [2, 2, 2], [1, 2, None], [3, 3, 3]])
        krippendorff_alpha([[1.0, 1.5, 2.0], [2.0, 2.0, 2.5], [1.0, 3.0, 3.0]], "interval")
        seen["krippendorff_alpha"] = heavy()
        ambiguity([[0, 1, 1], [0, 0, 1], [1, 1, 1]], baseline=0)
        discrepancy([[0, 1, 1], [0, 0, 1], [1, 1, 1]], baseline=0)
        seen["ambiguity, discrepancy"] = heavy()
        ann = Annotations.from_wide([[1, 1, 2], [2, 2, 2], [1, 2, None], [3, 3, 3]])
        multiplicity.annotation.fleiss_kappa(ann)
        multiplicity.annotation.agreement(ann, n_resamples=20, random_state=0)
        seen["fleiss_kappa, agreement"] = heavy()
    """)
    assert seen == {key: [] for key in seen}, seen
    assert len(seen) == 6


def test_one_coefficient_on_a_numpy_table_loads_neither_pandas_nor_numba():
    # Small inputs run NumPy twins of the kernels, and a NumPy table needs no pandas: a
    # script that computes one coefficient pays neither import (about a second together).
    env = {k: v for k, v in os.environ.items() if k != "MULTIPLICITY_NUMBA_MIN_SIZE"}
    code = textwrap.dedent("""
        import json, sys
        import numpy as np
        import multiplicity.annotation as ma
        W = np.array([[1, 1, np.nan, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3],
                      [2, 2, 2, 2], [1, 2, 3, 4], [4, 4, 4, 4], [1, 1, 2, 1],
                      [2, 2, 2, 2], [np.nan, 5, 5, 5], [np.nan, np.nan, 1, 1],
                      [np.nan, 3, np.nan, np.nan]])
        values = [ma.krippendorff_alpha(W, level) for level in
                  ("nominal", "ordinal", "interval")]
        values.append(ma.krippendorff_alpha([[1, 1, None], [2, 2, 2], [1, 2, 2]]))
        loaded = sorted({"pandas", "numba", "scipy", "sklearn"} & {
            m.split(".")[0] for m in sys.modules})
        print(json.dumps({"values": values, "loaded": loaded}))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["loaded"] == []
    # Krippendorff (2011), the worked example: 0.743, 0.815, 0.849
    assert [round(v, 3) for v in seen["values"][:3]] == [0.743, 0.815, 0.849]


def test_agreement_command_loads_no_heavy_library(tmp_path):
    path = tmp_path / "labels.csv"
    rows = [f"i{i},a{a},{(i + (a == 2 and i % 3 == 0)) % 3}"
            for i in range(30) for a in range(3)]
    path.write_text("item,annotator,label\n" + "\n".join(rows) + "\n")
    seen = _fresh(f"""
        import contextlib, io
        from multiplicity.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["agreement", {str(path)!r}, "--item", "item", "--annotator",
                         "annotator", "--label", "label", "--n-resamples", "20"])
        seen["exit code"] = code
        seen["krippendorff_alpha printed"] = "krippendorff_alpha" in out.getvalue()
        seen["multiplicity agreement"] = heavy()
    """)
    assert seen == {"exit code": 0, "krippendorff_alpha printed": True,
                    "multiplicity agreement": []}


def test_estimators_load_scikit_learn_on_first_access():
    seen = _fresh(f"""
        import multiplicity.annotation as ann
        seen["listed"] = sorted(set(ann.__all__) - set(dir(ann)))
        seen["before"] = heavy()
        from multiplicity.annotation import DawidSkene
        seen["after"] = heavy()
        seen["modules"] = {{name: getattr(ann, name).__module__
                           for name in {LAZY_ANNOTATION!r}}}
    """)
    assert seen["listed"] == []
    assert seen["before"] == []
    assert "sklearn" in seen["after"]
    assert all(m.startswith("multiplicity.annotation._") for m in seen["modules"].values())


@pytest.mark.parametrize("module", [multiplicity.annotation, multiplicity.metrics],
                         ids=lambda m: m.__name__)
def test_every_public_name_resolves_and_is_listed(module):
    listed = dir(module)
    for name in module.__all__:
        assert name in listed
        assert getattr(module, name) is not None
    assert not [n for n in listed if not n.startswith("_") and n not in module.__all__]


def test_lazy_names_are_the_defining_objects():
    from multiplicity.annotation import (
        GLAD,
        MACE,
        AnnotatorEmbeddingClassifier,
        DawidSkene,
        MajorityVote,
    )
    from multiplicity.annotation._aggregation import DawidSkene as DS
    from multiplicity.annotation._aggregation import MajorityVote as MV
    from multiplicity.annotation._embedding import AnnotatorEmbeddingClassifier as AEC
    from multiplicity.annotation._glad_mace import GLAD as G
    from multiplicity.annotation._glad_mace import MACE as M

    assert (DawidSkene, MajorityVote, GLAD, MACE, AnnotatorEmbeddingClassifier) == \
        (DS, MV, G, M, AEC)
    assert multiplicity.AnnotatorEmbeddingClassifier is AEC
    for name in LAZY_ANNOTATION:
        assert name in multiplicity.annotation.__all__


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'DawidSkeen'"):
        multiplicity.annotation.DawidSkeen
    with pytest.raises(ImportError):
        from multiplicity.annotation import DawidSkeen  # noqa: F401
