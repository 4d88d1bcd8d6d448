"""
Rashomon capacity distribution (Hsu & Calmon 2022)
==================================================

Reproduces the idea of Figure 3 of Hsu & Calmon (2022), "Rashomon Capacity: A Metric for
Predictive Multiplicity in Classification", NeurIPS: the distribution over people of the
Rashomon capacity (the channel capacity of the map from the models of the Rashomon set to
the predicted class, reported as ``RC = 2**C`` in ``[1, n_classes]``) for several values
of the Rashomon parameter ``epsilon``. Most people have a capacity close to 1 (every
near-optimal model gives them the same score); a tail has scores that depend on the model.

The set is sampled by retraining small neural networks with different seeds
(:class:`multiplicity.rashomon.RetrainingExplorer`, 0-1 loss on the training data), and the
capacity is computed from the members' class probabilities by
:func:`multiplicity.metrics.rashomon_capacity` (Blahut-Arimoto).

Data: bundled German credit (1,000 applicants; categorical features one-hot encoded, all
features standardised). On the bundled COMPAS data (12 binary features, 123 distinct
people) the networks agree almost everywhere (largest RC about 1.03), so the credit data
shows the tail better. Default size: 16 networks. ``MULTIPLICITY_PAPER_SIZE=1``: 100
networks (the paper's sets are of this size).

Expected at the default size (epsilon 0.01, 0.02, 0.05, 0.1): 2, 4, 12, 16 members, mean
RC 1.012, 1.031, 1.066, 1.079, share of applicants with RC >= 1.05: 0.05, 0.20, 0.54, 0.63.

Writes ``docs/figures/hsu_calmon2022_capacity.png`` and ``.json`` (the plotted numbers), or
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
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from multiplicity.metrics import rashomon_capacity
from multiplicity.rashomon import RetrainingExplorer

NAME = "hsu_calmon2022_capacity"
RANDOM_STATE = 0
N_MODELS = 100 if _common.PAPER_SIZE else 16
EPSILONS = [0.01, 0.02, 0.05, 0.1]
THRESHOLDS = [1.01, 1.05, 1.1, 1.2]


def main() -> dict:
    t0 = time.perf_counter()
    X, y = _common.german_credit()
    mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=200, tol=1e-3)
    with warnings.catch_warnings():
        # a few seeds stop at max_iter: they are members like any other if within epsilon
        warnings.simplefilter("ignore", ConvergenceWarning)
        explorer = RetrainingExplorer(mlp, n_models=N_MODELS, perturbation="seed",
                                      epsilon=max(EPSILONS),
                                      random_state=RANDOM_STATE).fit(X, y)
    rows, capacities = [], {}
    for eps in EPSILONS:
        rset = explorer.rashomon_set_for(eps)
        rc = rashomon_capacity(rset.predict_proba(X))
        capacities[eps] = rc
        rows.append({"epsilon": eps, "n_models": len(rset), "mean_rc": float(rc.mean()),
                     "median_rc": float(np.median(rc)), "max_rc": float(rc.max()),
                     "share_above": {str(t): float(np.mean(rc >= t)) for t in THRESHOLDS}})

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for eps, rc in capacities.items():
        m = len(explorer.rashomon_set_for(eps))
        srt = np.sort(rc)
        axes[0].plot(srt, 1 - np.arange(len(srt)) / len(srt), drawstyle="steps-post",
                     label=f"epsilon = {eps} ({m} models)")
        axes[1].hist(rc, bins=40, range=(1, 1.5), histtype="step", label=f"epsilon = {eps}")
    axes[0].set_xlabel("Rashomon capacity (2**C, in [1, 2])")
    axes[0].set_ylabel("share of people with RC >= x")
    axes[0].set_yscale("log")
    axes[1].set_xlabel("Rashomon capacity")
    axes[1].set_ylabel("people")
    axes[1].set_yscale("log")
    for ax in axes:
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(f"German credit: Rashomon capacity, {N_MODELS} MLPs retrained with new seeds")
    fig.tight_layout()
    for r in rows:
        print(f"epsilon {r['epsilon']:<5g} {r['n_models']:3d} models  mean RC {r['mean_rc']:.4f}"
              f"  max RC {r['max_rc']:.4f}  share RC >= 1.05 {r['share_above']['1.05']:.4f}")
    return _common.save(fig, NAME, {"n_candidates": N_MODELS, "random_state": RANDOM_STATE,
                                    "n_people": len(y), "results": rows}, t0)


if __name__ == "__main__":
    main()
