"""
Selective ensembles: consistent predictions at the price of abstention
======================================================================

Black, Leino & Fredrikson (2022) claim that two *selective* ensembles trained
independently (different seeds, different bootstrap resamples) almost never give a person
different answers, while two single models often do, and that the ensembles abstain on few
people. We check the claim on the bundled German credit and COMPAS data with logistic
regressions (bootstrap resamples) and small MLPs (different seeds).

For each ensemble size we train two independent ensembles (``random_state`` 0 and 1) on
the same 70 % training split and compare them on the 30 % test split:

- abstention rate: share of test people a selective ensemble abstains on (mean of the two);
- inconsistency: share of test people on whom *both* ensembles answer, differently;
- for comparison, the inconsistency of two plain majority votes of the same members.

An ensemble of size ``k`` is the first ``k`` members of one 20-member
``SelectiveEnsembleClassifier``: members' seeds are ``SeedSequence(random_state)``
children, so they are the members a ``k``-member ensemble would train.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from multiplicity.datasets import load_compas, load_german_credit
from multiplicity.ensemble import SelectiveEnsembleClassifier, selective_vote

ALPHA = 0.05
MAX_SIZE = int(os.environ.get("MULTIPLICITY_EXAMPLE_MODELS", "20"))
SIZES = [k for k in (1, 5, 10, 15, 20) if k <= MAX_SIZE]


def learner(kind: str):
    encode = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_include="category")),
        (StandardScaler(), make_column_selector(dtype_exclude="category")))
    if kind == "logistic regression":
        return make_pipeline(encode, LogisticRegression(max_iter=1000)), "bootstrap"
    mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, early_stopping=True)
    return make_pipeline(encode, mlp), "seed"


def majority(votes: np.ndarray) -> np.ndarray:
    """Plurality vote (ties to the smaller class index) of (k, n) class indices."""
    return np.argmax(np.stack([(votes == c).sum(0) for c in range(2)]), axis=0)


rows = []
for name, loader in (("German credit", load_german_credit), ("COMPAS", load_compas)):
    data = loader()
    X = data.data.copy()
    X[X.select_dtypes("bool").columns] = X.select_dtypes("bool").astype(float)
    X_tr, X_te, y_tr, _ = train_test_split(X, data.target, test_size=0.3, stratify=data.target,
                                           random_state=0)
    for kind in ("logistic regression", "MLP"):
        est, perturbation = learner(kind)
        votes = []
        for seed in (0, 1):
            ens = SelectiveEnsembleClassifier(est, n_estimators=max(max(SIZES), 2),
                                              alpha=ALPHA, perturbation=perturbation,
                                              random_state=seed).fit(X_tr, y_tr)
            votes.append(ens.votes(X_te))
        for k in SIZES:
            a, b = votes[0][:k], votes[1][:k]
            if k == 1:  # a single model: no test, it always answers
                la, lb = a[0], b[0]
            else:
                la, lb = selective_vote(a, ALPHA)[0], selective_vote(b, ALPHA)[0]
            both = (la != -1) & (lb != -1)
            rows.append({"data": name, "model": kind, "size": k,
                         "abstention": ((la == -1).mean() + (lb == -1).mean()) / 2,
                         "inconsistency": float((both & (la != lb)).mean()),
                         "majority_inconsistency": float((majority(a) != majority(b)).mean())})

table = pd.DataFrame(rows)
print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained", sharex=True)
for (name, kind), grp in table.groupby(["data", "model"]):
    label = f"{name}, {kind}"
    axes[0].plot(grp["size"], grp["abstention"], marker="o", label=label)
    line, = axes[1].plot(grp["size"], grp["inconsistency"], marker="o", label=label)
    axes[1].plot(grp["size"], grp["majority_inconsistency"], marker="x", linestyle=":",
                 color=line.get_color())
axes[0].set_ylabel("abstention rate")
axes[1].set_ylabel("share answered differently by two ensembles")
axes[1].set_title("solid: selective (alpha = 0.05); dotted: plain majority vote", fontsize=9)
for ax in axes:
    ax.set_xlabel("ensemble size")
    ax.set_xticks(SIZES)
axes[0].legend(fontsize=8)
out = Path(os.environ.get("MULTIPLICITY_FIGURE_DIR", ".")) / "selective_ensembles.png"
fig.savefig(out, dpi=120)
print(f"figure written to {out}")
