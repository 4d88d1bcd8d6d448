"""
Dropout vs retraining: multiplicity measures and cost (Hsu et al. 2024)
======================================================================

Reproduces the idea of Figures 2 and 3 of Hsu, Li, Hu & Chen (2024), "Dropout-Based
Rashomon Set Exploration for Efficient Predictive Multiplicity Estimation", ICLR: a
Rashomon set sampled by dropping hidden units of one trained network
(:class:`multiplicity.rashomon.DropoutExplorer`, no retraining) gives multiplicity
estimates of the same order as a set found by retraining the network with new seeds
(:class:`multiplicity.rashomon.RetrainingExplorer`), at a small fraction of the time.

Both sets use the 0-1 training loss and the same ``epsilon``; the dropout set is built
around the best retrained network (Bernoulli dropout, ``p = 0.1``). The measures are the
profile's ambiguity, discrepancy, mean viable prediction range width and mean Rashomon
capacity; the time is the wall-clock time of ``fit`` plus ``profile`` (Numba kernels compiled
beforehand).

Data: bundled German credit (1,000 applicants; one-hot encoded, standardised), one hidden
layer of 32 units. Default size: 16 retrained networks, 1,000 dropout masks.
``MULTIPLICITY_PAPER_SIZE=1``: 100 retrained networks, 10,000 dropout masks.

Expected at the default size (epsilon 0.01, 0.02, 0.05): retraining keeps 5, 10, 15
networks (ambiguity 0.057, 0.097, 0.123), dropout 66, 169, 592 masks (ambiguity 0.075,
0.233, 0.541), in about a ninth of the time.

Writes ``docs/figures/hsu2024_dropout.png`` and ``.json`` (the plotted numbers), or into
``$MULTIPLICITY_FIGURE_DIR``.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _common, next to this file
import _common
import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from multiplicity.rashomon import DropoutExplorer, RetrainingExplorer

NAME = "hsu2024_dropout"
RANDOM_STATE = 0
N_RETRAINED = 100 if _common.PAPER_SIZE else 16
N_DROPOUT = 10_000 if _common.PAPER_SIZE else 1000
EPSILONS = [0.01, 0.02, 0.05]
MEASURES = {"ambiguity": "ambiguity", "discrepancy": "discrepancy",
            "mean_vpr_width": "mean VPR width", "mean_rashomon_capacity": "mean Rashomon capacity"}


def measures(explorer, X, y, eps: float) -> dict:
    """Profile of the epsilon-set: dropout refits its masks (same seed, same masks, no
    retraining) to use its batched profile; retraining filters its stored candidates."""
    if isinstance(explorer, DropoutExplorer):
        explorer = explorer.set_params(epsilon=eps).fit(X, y)
        prof = explorer.profile(X, y)
        n_models = len(explorer.rashomon_set_)
    else:
        rset = explorer.rashomon_set_for(eps)
        prof, n_models = rset.profile(X, y), len(rset)
    return {"n_models": n_models, **{k: float(getattr(prof, k)) for k in MEASURES}}


def main() -> dict:
    t0 = time.perf_counter()
    X, y = _common.german_credit()

    t = time.perf_counter()
    mlp = MLPClassifier(hidden_layer_sizes=(32,), max_iter=200, tol=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        retrain = RetrainingExplorer(mlp, n_models=N_RETRAINED, perturbation="seed",
                                     epsilon=max(EPSILONS),
                                     random_state=RANDOM_STATE).fit(X, y)
    fit_retrain = time.perf_counter() - t
    # compile the dropout kernels outside the timing (Numba caches them on disk anyway)
    warm = DropoutExplorer(retrain.baseline_estimator_, n_models=3, random_state=0)
    warm.fit(X[:20], y[:20]).profile(X[:20], y[:20])
    t = time.perf_counter()
    dropout = DropoutExplorer(retrain.baseline_estimator_, n_models=N_DROPOUT, p=0.1,
                              epsilon=max(EPSILONS), random_state=RANDOM_STATE).fit(X, y)
    fit_dropout = time.perf_counter() - t

    rows, seconds = [], {"retraining": fit_retrain, "dropout": fit_dropout}
    for eps in EPSILONS:
        row = {"epsilon": eps}
        for name, explorer in (("retraining", retrain), ("dropout", dropout)):
            t = time.perf_counter()
            row[name] = measures(explorer, X, y, eps)
            seconds[name] += time.perf_counter() - t
        rows.append(row)

    fig, axes = plt.subplots(1, 5, figsize=(16, 3.4))
    for ax, (key, title) in zip(axes, MEASURES.items(), strict=False):
        for name, marker in (("retraining", "o-"), ("dropout", "s--")):
            ax.plot(EPSILONS, [r[name][key] for r in rows], marker, label=name)
        ax.set_title(title)
        ax.set_xlabel("epsilon (0-1 loss)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    bars = axes[4].bar(["retraining", "dropout"], [seconds["retraining"], seconds["dropout"]],
                       color=["C0", "C1"])
    axes[4].bar_label(bars, fmt="%.1f s")
    axes[4].margins(y=0.15)
    axes[4].set_title("time (fit + profiles)")
    axes[4].set_ylabel("seconds")
    fig.suptitle(f"German credit: {N_RETRAINED} retrained MLPs vs {N_DROPOUT} dropout "
                 "masks of the best one")
    fig.tight_layout()
    for r in rows:
        for name in ("retraining", "dropout"):
            m = r[name]
            print(f"epsilon {r['epsilon']:<5g} {name:10s} {m['n_models']:5d} models  "
                  f"ambiguity {m['ambiguity']:.4f}  discrepancy {m['discrepancy']:.4f}  "
                  f"VPR width {m['mean_vpr_width']:.4f}  RC {m['mean_rashomon_capacity']:.4f}")
    print(f"seconds: retraining {seconds['retraining']:.1f}, dropout {seconds['dropout']:.1f}")
    # the timings are plotted but not recorded: they differ from run to run
    return _common.save(fig, NAME, {"n_retrained": N_RETRAINED, "n_dropout": N_DROPOUT,
                                    "random_state": RANDOM_STATE, "results": rows}, t0)


if __name__ == "__main__":
    main()
