"""
The cloud of feature interaction scores: swarm and halo (Li et al. 2024)
=======================================================================

Reproduces the idea of the COMPAS figures of Li, Wang, Deng & Barnard (2024), "Exploring
the cloud of feature interaction scores in a Rashomon set", ICLR: a Rashomon set is
sampled around one trained neural network by masking (rescaling) its inputs, the feature
interaction score ``FIS_ij = phi_ij - phi_i - phi_j`` (permutation losses, log loss) of
every member and feature pair is computed
(:func:`multiplicity.explain.feature_interaction_cloud`), and the "FIS cloud" is drawn as

- a swarm plot (:func:`multiplicity.explain.plot_swarm`): one row per pair, one dot per
  member; pairs whose interaction is positive for the baseline can be negative for an
  equally good model;
- a halo plot (:func:`multiplicity.explain.plot_halo`) of the pair whose FIS varies most:
  ``phi_ij`` against ``phi_i + phi_j``, the diagonal being "no interaction".

Data: bundled COMPAS (12 binary features, 66 pairs); a one-layer MLP (16 units) on a
random 2,000-person subsample, the set of masked models within ``epsilon = 0.01`` of its
log loss. Default size: 20 masked models, 3 permutations per feature and pair.
``MULTIPLICITY_PAPER_SIZE=1``: all 6,907 people, 100 masked models, 10 permutations.

Expected at the default size: 21 models; the widest pair, priors:=0 x priors:>3, has FIS
from 0.012 to 0.047 (baseline 0.024); 32 of the 66 pairs have FIS of both signs.

Writes ``docs/figures/li2024_fis_cloud.png`` and ``.json`` (the plotted numbers), or into
``$MULTIPLICITY_FIGURE_DIR``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _common, next to this file
import _common
import matplotlib.pyplot as plt
import numpy as np
from sklearn.neural_network import MLPClassifier

from multiplicity.datasets import load_compas
from multiplicity.explain import feature_interaction_cloud, plot_halo, plot_swarm

NAME = "li2024_fis_cloud"
RANDOM_STATE = 0
EPSILON = 0.01
N_PEOPLE = None if _common.PAPER_SIZE else 2000
N_MODELS = 100 if _common.PAPER_SIZE else 20
N_REPEATS = 10 if _common.PAPER_SIZE else 3
SHOWN_PAIRS = 20


def main() -> dict:
    t0 = time.perf_counter()
    data = load_compas()
    X, y = data.data.astype(float), data.target.to_numpy()
    if N_PEOPLE is not None:
        rng = np.random.default_rng(RANDOM_STATE)
        idx = np.sort(rng.choice(len(y), N_PEOPLE, replace=False))
        X, y = X.iloc[idx].reset_index(drop=True), y[idx]
    mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300,
                        random_state=RANDOM_STATE).fit(X, y)
    cloud = feature_interaction_cloud(mlp, X, y, n_repeats=N_REPEATS, epsilon=EPSILON,
                                      n_models=N_MODELS, random_state=RANDOM_STATE)
    stats = cloud.groupby("pair", sort=False)["fis"].agg(["min", "max", "mean"])
    stats["baseline"] = cloud[cloud["baseline"]].set_index("pair")["fis"]
    stats["range"] = stats["max"] - stats["min"]
    stats = stats.sort_values("range", ascending=False)
    widest = str(stats.index[0])
    sign_changes = int(((stats["min"] < 0) & (stats["max"] > 0)).sum())

    fig, axes = plt.subplots(1, 2, figsize=(13, 6), width_ratios=[1.4, 1])
    plot_swarm(cloud, ax=axes[0], max_pairs=SHOWN_PAIRS)
    axes[0].set_title(f"FIS of {cloud['model'].nunique()} models, the {SHOWN_PAIRS} pairs "
                      "that vary most", fontsize=10)
    plot_halo(cloud, widest, ax=axes[1])
    axes[1].set_title(f"halo of {widest}", fontsize=10)
    fig.suptitle(f"COMPAS: feature interaction cloud of an MLP's masked Rashomon set "
                 f"(log loss, epsilon = {EPSILON})")
    fig.tight_layout()
    record = {"epsilon": EPSILON,
              "n_people": len(y), "n_models": int(cloud["model"].nunique()),
              "n_repeats": N_REPEATS, "random_state": RANDOM_STATE,
              "n_pairs": len(stats), "widest_pair": widest,
              "pairs_with_sign_change": sign_changes,
              "baseline_loss": float(cloud.loc[cloud["baseline"], "loss"].iloc[0]),
              "member_losses": [float(v) for v in
                                cloud.drop_duplicates("model").sort_values("model")["loss"]],
              "pairs": stats.reset_index().to_dict(orient="records")}
    print(stats.head(8).round(4).to_string())
    print(f"{sign_changes} of {len(stats)} pairs have FIS of both signs in the set")
    return _common.save(fig, NAME, record, t0)


if __name__ == "__main__":
    main()
