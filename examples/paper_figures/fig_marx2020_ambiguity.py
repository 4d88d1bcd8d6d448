"""
Ambiguity and discrepancy vs epsilon: exact MIP vs sampled set (Marx et al. 2020)
=================================================================================

Reproduces the idea of Figure 2 of Marx, Calmon & Ustun (2020), "Predictive Multiplicity
in Classification", ICML: the ambiguity (share of people whose prediction some model of
the epsilon-Rashomon set flips) and the discrepancy (largest share one such model flips)
of linear classifiers under the 0-1 loss, as ``epsilon`` grows, computed

- exactly, over *all* linear classifiers, by integer programming
  (:class:`multiplicity.rashomon.LinearMIPExplorer`, its default combinatorial Benders
  search: exact, with no margin), and
- over a sample of the set: logistic regressions trained on bootstrap resamples
  (:class:`multiplicity.rashomon.RetrainingExplorer`), kept when their training error is
  within the same budget of the MIP's optimal baseline and compared with that baseline.

The paper's point: sampling the set badly understates multiplicity.

Default size: a random subsample of 1,500 people of the bundled COMPAS data (TreeFARMS'
binarised version, 12 binary features; the paper's own COMPAS file is GPL), 100 sampled
models, at most 60 s per search (a point left unproven at the limit would show as an error
bar up to the upper bound; here every search finishes, in about 10 s in all).
``MULTIPLICITY_PAPER_SIZE=1``: the paper's ``compas_arrest`` data (6,172 people; GPL-3.0,
never shipped: read at run time from
``$MULTIPLICITY_EXTRA_DATA/compas_arrest/compas_arrest_processed.csv``, the file
``data/compas_arrest_processed.csv`` of github.com/charliemarx/pmtools), 1,000 sampled
models and at most 600 s per search; each exact fit takes about 5 minutes on a quiet
2-core machine (7-8 under load), about half an hour for the whole figure.

Expected at the default size (epsilon 0.005, 0.01, 0.02, 0.05), all exact: ambiguity
0.229, 0.381, 0.601, 0.957 against sampled 0.043, 0.147, 0.273, 0.339; discrepancy 0.061,
0.105, 0.157, 0.289 against sampled 0.029, 0.073, 0.123, 0.157.

Expected at paper size (same epsilons), all exact: ambiguity 0.418, 0.668, 0.873, 1.000
against sampled 0.113, 0.260, 0.261, 0.261; discrepancy 0.119, 0.168, 0.227, 0.354
against sampled 0.067, 0.119, 0.137, 0.137 (7-8 minutes per epsilon here).

Writes ``docs/figures/marx2020_ambiguity.png`` and ``.json`` (the plotted numbers), or into
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
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from multiplicity.metrics import ambiguity, discrepancy
from multiplicity.rashomon import (
    LinearMIPExplorer,
    MIPNotExactWarning,
    RashomonSet,
    RetrainingExplorer,
)

NAME = "marx2020_ambiguity"
RANDOM_STATE = 0
EPSILONS = [0.005, 0.01, 0.02, 0.05]
N_SAMPLED = 1000 if _common.PAPER_SIZE else 100
# seconds per search (the baseline, each point, the discrepancy); a search stopped at the
# limit shows as an error bar up to the upper bound
TIME_LIMIT = 600 if _common.PAPER_SIZE else 60


def load() -> tuple[str, np.ndarray, np.ndarray]:
    if _common.PAPER_SIZE:
        path = _common.extra_data("compas_arrest", "compas_arrest_processed.csv",
                                  "GPL-3.0; data/ of github.com/charliemarx/pmtools")
        df = pd.read_csv(path)
        y = df.pop(df.columns[0]).to_numpy()
        return "compas_arrest", df.to_numpy(dtype=float), y
    X, y = _common.compas()
    idx = np.sort(np.random.default_rng(RANDOM_STATE).choice(len(y), 1500, replace=False))
    return "COMPAS (1,500-person subsample)", X[idx], y[idx]


def main() -> dict:
    t0 = time.perf_counter()
    label, X, y = load()
    sampled = RetrainingExplorer(LogisticRegression(max_iter=1000), n_models=N_SAMPLED,
                                 perturbation="bootstrap", epsilon=1.0,
                                 random_state=RANDOM_STATE).fit(X, y)
    rows, mip_seconds = [], []
    for eps in EPSILONS:
        t = time.perf_counter()
        with warnings.catch_warnings():
            # a MIP stopped at its time limit: the bounds below carry the gap
            warnings.simplefilter("ignore", MIPNotExactWarning)
            mip = LinearMIPExplorer(epsilon=eps, time_limit=TIME_LIMIT).fit(X, y)
        mip_seconds.append(time.perf_counter() - t)
        # sampled members: in the same set (budget over the MIP's optimal baseline)
        pool = RashomonSet.from_models([mip.baseline_, *sampled.candidate_models_], X, y,
                                       epsilon=eps, baseline=0)
        P = pool.predict(X)
        rows.append({
            "epsilon": eps,
            "baseline_error": float(mip.baseline_error_),
            "error_budget": int(mip.error_budget_),
            "exact_ambiguity": float(mip.ambiguity_),
            "exact_ambiguity_bounds": [float(b) for b in mip.ambiguity_bounds_],
            "exact_discrepancy": float(mip.discrepancy_),
            "exact_discrepancy_bounds": [float(b) for b in mip.discrepancy_bounds_],
            "is_exact": bool(mip.is_exact_),
            "n_sampled_in_set": len(pool) - 1,
            "sampled_ambiguity": float(ambiguity(P, 0)),
            "sampled_discrepancy": float(discrepancy(P, 0)),
        })

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, measure in zip(axes, ("ambiguity", "discrepancy"), strict=True):
        exact = np.array([r[f"exact_{measure}"] for r in rows])
        upper = np.array([r[f"exact_{measure}_bounds"][1] for r in rows])
        ax.errorbar(EPSILONS, exact, yerr=[np.zeros_like(exact), upper - exact], fmt="o-",
                    capsize=3, label="exact: all linear classifiers (MIP)")
        ax.plot(EPSILONS, [r[f"sampled_{measure}"] for r in rows], "s--",
                label=f"sampled: {N_SAMPLED} bootstrap logistic regressions")
        ax.set_xlabel("epsilon (absolute, training 0-1 loss)")
        ax.set_title(measure)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("share of people")
    fig.suptitle(f"{label}: linear classifiers within epsilon of the best")
    fig.tight_layout()
    for r, seconds in zip(rows, mip_seconds, strict=True):
        print(f"epsilon {r['epsilon']:<6g} ambiguity exact {r['exact_ambiguity']:.4f} "
              f"sampled {r['sampled_ambiguity']:.4f} | discrepancy exact "
              f"{r['exact_discrepancy']:.4f} sampled {r['sampled_discrepancy']:.4f} | "
              f"{r['n_sampled_in_set']} sampled in set, exact={r['is_exact']} | "
              f"MIP {seconds:.1f} s")
    return _common.save(fig, NAME, {
        "data": label, "n_samples": len(y), "n_sampled_candidates": N_SAMPLED,
        "time_limit": TIME_LIMIT, "random_state": RANDOM_STATE, "results": rows}, t0)


if __name__ == "__main__":
    main()
