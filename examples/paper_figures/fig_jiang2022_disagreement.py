"""
Disagreement vs test error across models (Jiang et al. 2022)
============================================================

Reproduces the idea of Figure 1 of Jiang, Nagarajan, Baek & Kolter (2022), "Assessing
Generalization of SGD via Disagreement", ICLR: for pairs of models trained independently
by the same procedure, the rate at which the two disagree on *unlabelled* test data is
close to their test error (the Generalization Disagreement Equality, which holds when the
ensemble is well calibrated). So the disagreement rate estimates the test error without
test labels.

For several model families, pairs of models are trained on independent bootstrap resamples
of the training split with different seeds; every pair gives one point: its disagreement
rate on the test split (:func:`multiplicity.metrics.disagreement_error_estimate` of the
pair's ``(2, n_test)`` predictions) against the pair's mean test error.

Data: bundled German credit (1,000 applicants; one-hot encoded, standardised), 50/50
split. Default size: 6 model families x 3 pairs. ``MULTIPLICITY_PAPER_SIZE=1``: 10 pairs
per family and 5 train/test splits.

Expected at the default size: correlation 0.78 between disagreement and test error over
the 18 pairs; decision trees on the diagonal (0.325 against 0.318), the other families'
disagreement (0.15-0.21) below their error (0.27-0.31).

Writes ``docs/figures/jiang2022_disagreement.png`` and ``.json`` (the plotted numbers), or
into ``$MULTIPLICITY_FIGURE_DIR``.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _common, next to this file
import _common
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier

from multiplicity.metrics import disagreement_error_estimate

NAME = "jiang2022_disagreement"
RANDOM_STATE = 0
N_PAIRS = 10 if _common.PAPER_SIZE else 3
N_SPLITS = 5 if _common.PAPER_SIZE else 1
FAMILIES = {
    "logistic regression": LogisticRegression(max_iter=1000),
    "decision tree": DecisionTreeClassifier(min_samples_leaf=5),
    "random forest": RandomForestClassifier(n_estimators=50),
    "gradient boosting": HistGradientBoostingClassifier(max_iter=50),
    "MLP": MLPClassifier(hidden_layer_sizes=(32,), max_iter=200, tol=1e-3),
    "5-nearest neighbours": KNeighborsClassifier(5),
}


def fit_one(est, X, y, rng: np.random.Generator):
    idx = rng.integers(0, len(y), len(y))
    est = clone(est)
    if "random_state" in est.get_params():
        est.set_params(random_state=int(rng.integers(2**31 - 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X[idx], y[idx])


def main() -> dict:
    t0 = time.perf_counter()
    X, y = _common.german_credit()
    rng = np.random.default_rng(RANDOM_STATE)
    points = []
    for split in range(N_SPLITS):
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.5, stratify=y,
                                                  random_state=split)
        for family, est in FAMILIES.items():
            for _ in range(N_PAIRS):
                pair = np.stack([fit_one(est, X_tr, y_tr, rng).predict(X_te)
                                 for _ in range(2)])
                points.append({"family": family, "split": split,
                               "disagreement": float(disagreement_error_estimate(pair)),
                               "test_error": float(np.mean(pair != y_te))})
    table = pd.DataFrame(points)
    summary = table.groupby("family", sort=False)[["disagreement", "test_error"]].mean()

    fig, ax = plt.subplots(figsize=(5.5, 5))
    for family, grp in table.groupby("family", sort=False):
        ax.scatter(grp["disagreement"], grp["test_error"], label=family, alpha=0.8)
    lim = [0, max(table["disagreement"].max(), table["test_error"].max()) * 1.1]
    ax.plot(lim, lim, "k--", lw=1, label="y = x")
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_xlabel("disagreement rate of the pair on test data (no labels)")
    ax.set_ylabel("test error (mean of the pair)")
    ax.set_title("German credit: pairs of independently trained models", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    corr = float(np.corrcoef(table["disagreement"], table["test_error"])[0, 1])
    print(summary.round(3).to_string())
    print(f"correlation of disagreement and test error over {len(table)} pairs: {corr:.3f}")
    return _common.save(fig, NAME, {
        "random_state": RANDOM_STATE, "n_pairs_per_family": N_PAIRS, "n_splits": N_SPLITS,
        "points": points, "by_family": summary.reset_index().to_dict(orient="records"),
        "correlation": corr}, t0)


if __name__ == "__main__":
    main()
