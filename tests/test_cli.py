"""The command line and the demo job."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from multiplicity import _demo
from multiplicity.cli import main
from multiplicity.datasets import load_compas
from multiplicity.rashomon import RetrainingExplorer


def _demo_oracle(n_models: int, epsilon: float, random_state: int) -> dict:
    """The demo's figures recomputed with NumPy from the same explorer's candidates.

    The candidates come from a second, independent ``RetrainingExplorer`` run with the
    demo's settings (its training is tested in test_retraining.py); the set and every
    measure are then recomputed here by plain NumPy expressions.
    """
    data = load_compas()
    X, y = data.data.to_numpy(dtype=float), data.target.to_numpy()
    explorer = RetrainingExplorer(LogisticRegression(max_iter=1000), n_models=n_models,
                                  perturbation="bootstrap", epsilon=epsilon,
                                  random_state=random_state).fit(X, y)
    models = explorer.candidate_models_
    labels = np.stack([m.predict(X) for m in models])
    losses = (labels != y).mean(1)
    keep = losses <= losses.min() + epsilon
    h0 = labels[np.argmin(losses)]
    P = labels[keep]
    q = np.stack([m.predict_proba(X)[:, 1] for m, k in zip(models, keep, strict=True) if k])
    female = data.sensitive_features["sex"].to_numpy() == "Female"
    return {
        "n_in_set": int(keep.sum()),
        "ambiguity": float((P != h0).any(0).mean()),
        "discrepancy": float((P != h0).mean(1).max()),
        "vpr": float((q.max(0) - q.min(0)).mean()),
        "ambiguity_female": float((P[:, female] != h0[female]).any(0).mean()),
        "discrepancy_male": float((P[:, ~female] != h0[~female]).mean(1).max()),
    }


def test_demo_matches_numpy_oracle():
    res = _demo.run_demo(n_models=8, epsilon=0.01, random_state=3)
    ref = _demo_oracle(8, 0.01, 3)
    assert res.n_in_set == ref["n_in_set"]
    assert res.ambiguity == pytest.approx(ref["ambiguity"], abs=1e-12)
    assert res.discrepancy == pytest.approx(ref["discrepancy"], abs=1e-12)
    assert res.mean_vpr_width == pytest.approx(ref["vpr"], abs=1e-12)
    assert 1.0 <= res.mean_rashomon_capacity <= 2.0
    assert res.discrepancy <= res.ambiguity
    table = res.by_sex
    assert list(table.index) == ["Female", "Male", "overall", "max-min gap"]
    assert table.loc["Female", "ambiguity"] == pytest.approx(ref["ambiguity_female"])
    assert table.loc["Male", "discrepancy"] == pytest.approx(ref["discrepancy_male"])
    assert table.loc["overall", "ambiguity"] == pytest.approx(ref["ambiguity"])


def test_demo_command_prints_every_measure(capsys):
    assert main(["demo", "--n-models", "6", "--random-state", "1"]) == 0
    out = capsys.readouterr().out
    for word in ("ambiguity", "discrepancy", "Rashomon capacity", "VPR width", "By sex",
                 "Female", "max-min gap"):
        assert word in out
    res = _demo.run_demo(n_models=6, random_state=1)
    assert f"{res.ambiguity:8.4f}" in out


def test_demo_epsilon_zero_keeps_only_the_best_models():
    res = _demo.run_demo(n_models=6, epsilon=0.0, random_state=1)
    assert res.n_in_set >= 1
    wide = _demo.run_demo(n_models=6, epsilon=0.5, random_state=1)
    assert wide.n_in_set == 6
    assert wide.n_in_set >= res.n_in_set


@pytest.mark.parametrize("argv", [["demo", "--n-models", "0"], ["demo", "--epsilon", "-1"], []])
def test_bad_arguments_exit_with_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_version_flag(capsys):
    from multiplicity import __version__

    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out


def test_python_dash_m_entry_point():
    proc = subprocess.run([sys.executable, "-m", "multiplicity", "--help"],
                          capture_output=True, text=True, check=True, timeout=120)
    assert "demo" in proc.stdout
