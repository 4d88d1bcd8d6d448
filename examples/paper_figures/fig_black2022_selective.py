"""
Selective ensembles: abstention and inconsistency vs ensemble size (Black et al. 2022)
=====================================================================================

Reproduces the idea of Table 2 and Figure 3 of Black, Leino & Fredrikson (2022), "Selective
Ensembles for Consistent Predictions", ICLR: independently trained *single* models (here:
bootstrap resamples) disagree on a share of test people, while two independently trained
*selective* ensembles (:class:`multiplicity.ensemble.SelectiveEnsembleClassifier`, which
abstain where the top two vote counts fail a two-sided binomial test at ``alpha = 0.05``)
essentially never answer one person differently; the price is abstention, which falls as
the ensemble grows. A plain majority vote of the same members is shown for comparison.

Several ensembles are trained with different ``random_state``; every pair is compared on
the 30 % test split. An ensemble of size ``k`` is the first ``k`` members of a larger one
(members' seeds are children of one ``SeedSequence``, so they are the members a ``k``-member
ensemble would train), and :func:`multiplicity.ensemble.selective_vote` takes its vote.

Data: bundled German credit (1,000 applicants; one-hot encoded, standardised), logistic
regressions. Default size: 4 ensembles of up to 20 members. ``MULTIPLICITY_PAPER_SIZE=1``:
8 ensembles of up to 50 members, and the bundled COMPAS data as well.

Expected at the default size: single models disagree on 0.177 of the test applicants;
selective ensembles of 6, 10, 15, 20 members on none, abstaining on 0.362, 0.297, 0.218,
0.190; majority votes of the same members disagree on 0.095, 0.068, 0.051, 0.047.

Writes ``docs/figures/black2022_selective.png`` and ``.json`` (the plotted numbers), or into
``$MULTIPLICITY_FIGURE_DIR``.
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _common, next to this file
import _common
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from multiplicity.ensemble import SelectiveEnsembleClassifier, selective_vote

NAME = "black2022_selective"
ALPHA = 0.05
ABSTAIN = -1
N_ENSEMBLES = 8 if _common.PAPER_SIZE else 4
SIZES = [1, 6, 10, 20, 30, 50] if _common.PAPER_SIZE else [1, 6, 10, 15, 20]


def datasets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {"German credit": _common.german_credit()}
    if _common.PAPER_SIZE:
        out["COMPAS"] = _common.compas()
    return out


def majority(votes: np.ndarray) -> np.ndarray:
    """Plurality vote of (k, n) 0/1 labels (ties to 0)."""
    return (votes.sum(axis=0) * 2 > votes.shape[0]).astype(votes.dtype)


def compare(X: np.ndarray, y: np.ndarray) -> list[dict]:
    X_tr, X_te, y_tr, _ = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    votes = [SelectiveEnsembleClassifier(LogisticRegression(max_iter=1000),
                                         n_estimators=max(SIZES), alpha=ALPHA,
                                         perturbation="bootstrap", abstain_label=ABSTAIN,
                                         random_state=seed).fit(X_tr, y_tr).votes(X_te)
             for seed in range(N_ENSEMBLES)]
    rows = []
    for k in SIZES:
        # a single model always answers; larger ensembles abstain where the test fails
        labels = [v[0] if k == 1 else selective_vote(v[:k], ALPHA, ABSTAIN)[0] for v in votes]
        plain = [majority(v[:k]) for v in votes]
        incons, plain_incons = [], []
        for i, j in itertools.combinations(range(N_ENSEMBLES), 2):
            both = (labels[i] != ABSTAIN) & (labels[j] != ABSTAIN)
            incons.append(float(np.mean(both & (labels[i] != labels[j]))))
            plain_incons.append(float(np.mean(plain[i] != plain[j])))
        abst = [float(np.mean(lab == ABSTAIN)) for lab in labels]
        rows.append({"size": k, "abstention": float(np.mean(abst)),
                     "abstention_range": [min(abst), max(abst)],
                     "inconsistency": float(np.mean(incons)),
                     "inconsistency_max": max(incons),
                     "majority_inconsistency": float(np.mean(plain_incons)),
                     "n_test": len(X_te)})
    return rows


def main() -> dict:
    t0 = time.perf_counter()
    results = {name: compare(X, y) for name, (X, y) in datasets().items()}
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharex=True)
    for name, rows in results.items():
        k = [r["size"] for r in rows]
        axes[0].plot(k, [r["abstention"] for r in rows], "o-", label=name)
        line, = axes[1].plot(k, [r["inconsistency"] for r in rows], "o-",
                             label=f"{name}: selective (alpha = {ALPHA})")
        axes[1].plot(k, [r["majority_inconsistency"] for r in rows], "x:",
                     color=line.get_color(), label=f"{name}: plain majority vote")
    axes[0].set_ylabel("abstention rate (mean over ensembles)")
    axes[1].set_ylabel("share answered differently\n(mean over pairs of ensembles)")
    for ax in axes:
        ax.set_xlabel("ensemble size (1 = a single model)")
        ax.set_xticks(SIZES)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"Logistic regressions on bootstrap resamples: {N_ENSEMBLES} independent "
                 "ensembles per size")
    fig.tight_layout()
    for name, rows in results.items():
        for r in rows:
            print(f"{name}: size {r['size']:2d}  abstention {r['abstention']:.3f}  "
                  f"inconsistency {r['inconsistency']:.3f}  "
                  f"(majority vote {r['majority_inconsistency']:.3f})")
    return _common.save(fig, NAME, {"alpha": ALPHA, "n_ensembles": N_ENSEMBLES,
                                    "results": results}, t0)


if __name__ == "__main__":
    main()
