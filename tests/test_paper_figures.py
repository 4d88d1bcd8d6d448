"""Every paper-figure script runs at its small size, writes its PNG and consistent numbers.

Each script runs in a subprocess (as ``make figures`` runs it), with
``MULTIPLICITY_FIGURE_DIR`` pointing at a temporary folder and warnings as errors; the JSON
file it writes holds the plotted numbers, which are checked against the properties the
figure illustrates (nested sets grow with epsilon, discrepancy <= ambiguity, ...).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numba
import numpy as np
import pytest

# Integration checks of compiled code, like tests/test_examples.py: the NUMBA_DISABLE_JIT
# coverage pass would spend minutes here and adds no coverage the unit tests do not give.
pytestmark = pytest.mark.skipif(
    numba.config.DISABLE_JIT,
    reason="skipped by design in the NUMBA_DISABLE_JIT=1 coverage pass: the paper figures run in "
           "the JIT pass (make test-fast)")

FIGURES = Path(__file__).resolve().parents[1] / "examples" / "paper_figures"
SCRIPTS = sorted(FIGURES.glob("fig_*.py"))
TOL = 1e-12


def timing_keys(value) -> list[str]:
    """Keys naming a timing anywhere in a JSON record (timings go to stdout instead)."""
    if isinstance(value, dict):
        return [k for k in value if "seconds" in k] + [
            k for v in value.values() for k in timing_keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in timing_keys(v)]
    return []


def run_figure(script: str, tmp_path: Path, stdout: list | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "MULTIPLICITY_PAPER_SIZE"}
    env["MULTIPLICITY_FIGURE_DIR"] = str(tmp_path)
    env["MPLBACKEND"] = "Agg"
    proc = subprocess.run([sys.executable, "-W", "error", str(FIGURES / script)], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "figure written to" in proc.stdout
    if stdout is not None:
        stdout.append(proc.stdout)
    name = script.removeprefix("fig_").removesuffix(".py")
    png = tmp_path / f"{name}.png"
    image = matplotlib.image.imread(png)
    assert image.shape[0] > 200 and image.shape[1] > 300
    assert image.std() > 0  # not a blank canvas
    record = json.loads((tmp_path / f"{name}.json").read_text())
    assert record["figure"] == name and record["paper_size"] is False
    # no timings in the committed records: a rerun rewrites the same numbers
    assert not timing_keys(record)
    return record


def non_decreasing(values) -> bool:
    return bool(np.all(np.diff(np.asarray(values, dtype=float)) >= -TOL))


def test_every_script_is_tested():
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_fig_")}
    assert {p.stem for p in SCRIPTS} <= tested, "add a test for each new figure script"


@pytest.mark.slow
def test_fig_marx2020_ambiguity(tmp_path):
    rec = run_figure("fig_marx2020_ambiguity.py", tmp_path)
    rows = rec["results"]
    for r in rows:
        lo, hi = r["exact_ambiguity_bounds"]
        dlo, dhi = r["exact_discrepancy_bounds"]
        assert lo == pytest.approx(r["exact_ambiguity"]) and lo <= hi + TOL
        assert dlo == pytest.approx(r["exact_discrepancy"]) and dlo <= dhi + TOL
        assert dlo <= hi + TOL
        # the sampled members lie in the same set: they never exceed the exact upper bounds
        assert r["sampled_ambiguity"] <= hi + TOL
        assert r["sampled_discrepancy"] <= min(dhi, hi) + TOL
        assert 0 <= r["n_sampled_in_set"] <= rec["n_sampled_candidates"]
    assert non_decreasing([r["sampled_ambiguity"] for r in rows])
    assert non_decreasing([r["n_sampled_in_set"] for r in rows])
    if all(r["is_exact"] for r in rows):  # same h0 for every epsilon: nested sets
        assert non_decreasing([r["exact_ambiguity"] for r in rows])
        assert non_decreasing([r["exact_discrepancy"] for r in rows])
    # exact ambiguity grows with epsilon (verified lower bounds when a MIP hit its limit)
    assert non_decreasing([r["exact_ambiguity_bounds"][1] for r in rows]) or not all(
        r["is_exact"] for r in rows)
    assert rows[-1]["exact_ambiguity"] > rows[-1]["sampled_ambiguity"]


def test_fig_watson_daniels2023_vpr(tmp_path):
    rec = run_figure("fig_watson_daniels2023_vpr.py", tmp_path)
    for rows in rec["results"].values():
        for r in rows:
            assert 0 <= r["median_width"] <= r["q90_width"] <= r["max_width"] <= 1
            assert 0 <= r["mean_width"] <= r["max_width"]
            assert 0 <= r["probabilistic_ambiguity"] <= 1
        assert non_decreasing([r["mean_width"] for r in rows])
        assert non_decreasing([r["probabilistic_ambiguity"] for r in rows])
        assert rows[-1]["mean_width"] > rows[0]["mean_width"]


def test_fig_hsu_calmon2022_capacity(tmp_path):
    rec = run_figure("fig_hsu_calmon2022_capacity.py", tmp_path)
    rows = rec["results"]
    assert non_decreasing([r["n_models"] for r in rows])
    assert rows[-1]["n_models"] <= rec["n_candidates"]
    # a larger set is a channel with more inputs: capacity never falls (up to the
    # Blahut-Arimoto tolerance, 1e-9 bits per person)
    assert np.all(np.diff([r["mean_rc"] for r in rows]) >= -1e-8)
    for r in rows:
        assert 1 - 1e-9 <= r["median_rc"] <= r["max_rc"] <= 2 + 1e-9
        assert 1 - 1e-9 <= r["mean_rc"] <= r["max_rc"]
        shares = list(r["share_above"].values())
        assert np.all(np.diff(shares) <= TOL)  # thresholds increase, shares fall


def test_fig_hsu2024_dropout(tmp_path):
    stdout = []
    rec = run_figure("fig_hsu2024_dropout.py", tmp_path, stdout)
    rows = rec["results"]
    for method, cap in (("retraining", rec["n_retrained"]), ("dropout", rec["n_dropout"])):
        assert non_decreasing([r[method]["n_models"] for r in rows])
        assert rows[-1][method]["n_models"] <= cap
        assert non_decreasing([r[method]["ambiguity"] for r in rows])  # nested, same h0
        for r in rows:
            m = r[method]
            assert 0 <= m["discrepancy"] <= m["ambiguity"] <= 1
            assert 1 - 1e-9 <= m["mean_rashomon_capacity"] <= 2
    # the plotted timings are printed, not recorded
    assert "seconds: retraining" in stdout[0] and "dropout" in stdout[0]


def test_fig_black2022_selective(tmp_path):
    rec = run_figure("fig_black2022_selective.py", tmp_path)
    for rows in rec["results"].values():
        single = rows[0]
        assert single["size"] == 1 and single["abstention"] == 0
        assert single["inconsistency"] == pytest.approx(single["majority_inconsistency"])
        for r in rows[1:]:
            assert 0 <= r["abstention_range"][0] <= r["abstention"] <= r["abstention_range"][1]
            assert r["abstention"] <= 1
            assert r["inconsistency"] <= r["inconsistency_max"]
            assert r["inconsistency"] <= single["inconsistency"]


def test_fig_dawid_skene1979_posteriors(tmp_path):
    rec = run_figure("fig_dawid_skene1979_posteriors.py", tmp_path)
    # the paper's class proportions and the three patients where the majority vote differs
    np.testing.assert_allclose(rec["class_priors"], [0.40, 0.42, 0.11, 0.07], atol=0.005)
    assert rec["patients_where_they_differ"] == [2, 12, 36]
    post = np.array(list(rec["posteriors"].values()))
    assert post.shape == (45, 4)
    np.testing.assert_allclose(post.sum(axis=1), 1.0, atol=1e-9)
    labels = np.array(rec["labels"])
    np.testing.assert_array_equal(post.argmax(axis=1) + 1, labels)
    differ = labels != np.array(rec["majority_labels"])
    assert differ.sum() == len(rec["patients_where_they_differ"])


@pytest.mark.slow
def test_fig_jiang2022_disagreement(tmp_path):
    rec = run_figure("fig_jiang2022_disagreement.py", tmp_path)
    points = rec["points"]
    n_families = len(rec["by_family"])
    assert len(points) == n_families * rec["n_pairs_per_family"] * rec["n_splits"]
    for p in points:
        assert 0 <= p["disagreement"] <= 1 and 0 <= p["test_error"] <= 1
        # two models disagree only where exactly one of them is wrong
        assert p["disagreement"] <= 2 * p["test_error"] + TOL
    for fam in rec["by_family"]:
        mine = [p["disagreement"] for p in points if p["family"] == fam["family"]]
        assert fam["disagreement"] == pytest.approx(np.mean(mine))
    assert -1 <= rec["correlation"] <= 1


@pytest.mark.slow
def test_fig_li2024_fis_cloud(tmp_path):
    rec = run_figure("fig_li2024_fis_cloud.py", tmp_path)
    pairs = rec["pairs"]
    n_features = 12
    assert rec["n_pairs"] == len(pairs) == n_features * (n_features - 1) // 2
    assert rec["widest_pair"] == pairs[0]["pair"]
    ranges = [p["range"] for p in pairs]
    assert np.all(np.diff(ranges) <= TOL)  # sorted, widest first
    for p in pairs:
        assert p["min"] - TOL <= p["baseline"] <= p["max"] + TOL  # h0 is a member
        assert p["min"] - TOL <= p["mean"] <= p["max"] + TOL
        assert p["range"] == pytest.approx(p["max"] - p["min"])
    assert rec["pairs_with_sign_change"] == sum(p["min"] < 0 < p["max"] for p in pairs)
    # every member is in the set: log loss within epsilon of the baseline's
    losses = np.array(rec["member_losses"])
    assert len(losses) == rec["n_models"]
    assert np.all(losses <= rec["baseline_loss"] + rec["epsilon"] + 1e-9)


@pytest.mark.slow
def test_fig_deng2023_annotator_embeddings(tmp_path):
    rec = run_figure("fig_deng2023_annotator_embeddings.py", tmp_path)
    variants = {"majority class", "text only", "+ annotator embedding",
                "+ annotation embedding", "+ both", "+ both + offsets (default)"}
    for group, runs in rec["runs"].items():
        assert len(runs) == len(rec["seeds"])
        for run in runs:
            assert set(run["accuracy"]) == set(run["macro_f1"]) == variants
            # the annotation split: 30 % of every annotator's annotations, rounded
            assert 0.25 < run["n_test"] / (run["n_train"] + run["n_test"]) < 0.35
            for metric in ("accuracy", "macro_f1"):
                assert all(0 <= v <= 1 for v in run[metric].values())
            # a constant prediction has macro F1 at most 1/2 on two classes
            assert run["macro_f1"]["majority class"] <= 0.5
        for metric in ("accuracy", "macro_f1"):
            for name in variants:
                assert rec["mean"][group][metric][name] == pytest.approx(
                    np.mean([r[metric][name] for r in runs]))
