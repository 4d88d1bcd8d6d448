"""
Viable prediction ranges vs epsilon (Watson-Daniels et al. 2023)
================================================================

Reproduces the idea of Figure 2 of Watson-Daniels, Parkes & Ustun (2023), "Predictive
Multiplicity in Probabilistic Classification", AAAI: as the Rashomon parameter ``epsilon``
grows, the viable prediction range (VPR: smallest and largest predicted risk over all
near-optimal models) of every person widens, and so does the share of people whose risk
some near-optimal model moves by at least ``delta`` (probabilistic ambiguity).

The ranges are exact: :class:`multiplicity.rashomon.LogisticLevelSet` solves the two convex
programs per distinct row over the level set of L2-regularised logistic regression.

Data: bundled COMPAS (6,907 people, 12 binary features). Default size: 6 values of
``epsilon``. ``MULTIPLICITY_PAPER_SIZE=1``: 10 values, and the bundled German credit data
(one-hot, standardised) as a second panel.

Expected at the default size: mean VPR width 0.014, 0.043, 0.074, 0.135, 0.230, 0.403 and
probabilistic ambiguity 0, 0, 0.0003, 0.100, 0.692, 1.0 for epsilon 1e-5 ... 1e-2.

Writes ``docs/figures/watson_daniels2023_vpr.png`` and ``.json`` (the plotted numbers), or
into ``$MULTIPLICITY_FIGURE_DIR``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _common, next to this file
import _common
import matplotlib.pyplot as plt
import numpy as np

from multiplicity.rashomon import LogisticLevelSet

NAME = "watson_daniels2023_vpr"
DELTA = 0.1
C = 1.0
EPSILONS = ([1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2] if _common.PAPER_SIZE
            else [1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2])


def datasets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {"COMPAS": _common.compas()}
    if _common.PAPER_SIZE:
        out["German credit"] = _common.german_credit()
    return out


def sweep(X: np.ndarray, y: np.ndarray) -> list[dict]:
    rows = []
    for eps in EPSILONS:
        lls = LogisticLevelSet(C=C, epsilon=eps).fit(X, y)
        vpr = lls.viable_prediction_range(X)
        width = vpr[:, 1] - vpr[:, 0]
        rows.append({
            "epsilon": eps,
            "mean_width": float(width.mean()),
            "median_width": float(np.median(width)),
            "q90_width": float(np.quantile(width, 0.9)),
            "max_width": float(width.max()),
            "probabilistic_ambiguity": float(lls.probabilistic_ambiguity(X, delta=DELTA)),
        })
    return rows


def main() -> dict:
    t0 = time.perf_counter()
    results = {name: sweep(X, y) for name, (X, y) in datasets().items()}
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for name, rows in results.items():
        eps = [r["epsilon"] for r in rows]
        line, = axes[0].plot(eps, [r["mean_width"] for r in rows], "o-", label=f"{name}: mean")
        axes[0].fill_between(eps, [r["median_width"] for r in rows],
                             [r["q90_width"] for r in rows], color=line.get_color(),
                             alpha=0.2, label=f"{name}: median to 90th percentile")
        axes[1].plot(eps, [r["probabilistic_ambiguity"] for r in rows], "o-", label=name)
    axes[0].set_ylabel("VPR width (max - min predicted risk)")
    axes[1].set_ylabel(f"probabilistic ambiguity (delta = {DELTA})")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("epsilon (absolute, regularised log loss)")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle("Exact viable prediction ranges of L2 logistic regression (C = 1)")
    fig.tight_layout()
    for name, rows in results.items():
        for r in rows:
            print(f"{name}: epsilon {r['epsilon']:<7g} mean VPR width {r['mean_width']:.4f}"
                  f"  probabilistic ambiguity {r['probabilistic_ambiguity']:.4f}")
    return _common.save(fig, NAME, {"delta": DELTA, "C": C, "results": results}, t0)


if __name__ == "__main__":
    main()
