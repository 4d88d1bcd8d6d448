"""
Explanations across a Rashomon set on COMPAS
============================================

In the spirit of the COMPAS experiment of Li, Wang, Deng & Barnard (2024), "Exploring the
cloud of feature interaction scores in a Rashomon set" (ICLR 2024): retrain a logistic
regression on bootstrap resamples of the bundled (binarised) COMPAS data, keep the models
whose training 0-1 loss is within ``EPSILON`` of the best one, and look at

* the range of permutation importance of every feature over the set (model class
  reliance, Fisher, Rudin & Dominici 2019), printed as a table;
* the feature interaction score (FIS) of every member and feature pair under log loss:
  a swarm plot over all 66 pairs, and the halo plot of the pair whose FIS varies most.

A second, smaller part follows the paper's own construction more closely: one MLP
(16 hidden units) and a set sampled around it by scaling its inputs feature-wise
(``mask_rashomon_set``, log loss within ``EPSILON``), with the FIS cloud of the pairs of
the five features the logistic set relies on most.

Not a reproduction of the paper's numbers (different network, sampler and data
preparation), so only the qualitative message (interaction scores vary across
near-optimal models) is comparable. Set ``MULTIPLICITY_EXAMPLE_MODELS`` to change the
number of candidates (default 50; the masked MLP set gets half as many).
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from multiplicity.datasets import load_compas
from multiplicity.explain import (
    feature_interaction_cloud,
    mask_rashomon_set,
    plot_halo,
    plot_swarm,
)
from multiplicity.rashomon import RetrainingExplorer

RANDOM_STATE = 0
N_MODELS = int(os.environ.get("MULTIPLICITY_EXAMPLE_MODELS", "50"))
EPSILON = 0.01
N_REPEATS = 5
OUT = Path(os.environ.get("MULTIPLICITY_FIGURE_DIR", "."))

data = load_compas()
X, y = data.data, data.target

explorer = RetrainingExplorer(LogisticRegression(max_iter=1000), n_models=N_MODELS,
                              perturbation="bootstrap", epsilon=EPSILON,
                              random_state=RANDOM_STATE).fit(X, y)
rs = explorer.rashomon_set_
print(f"{len(rs)} of {N_MODELS} logistic regressions in the Rashomon set "
      f"(training 0-1 loss <= {rs.baseline_loss_:.4f} + {EPSILON})")

# --- permutation-importance ranges (accuracy drop), same permutations for every model
ranges = rs.feature_importance_range(X, y, n_repeats=N_REPEATS, random_state=RANDOM_STATE)
with pd.option_context("display.width", 120, "display.float_format", "{:.4f}".format):
    print("\nPermutation importance (accuracy drop) over the set:")
    print(ranges.sort_values("max", ascending=False).to_string())

# --- FIS cloud under log loss, every pair of the 12 features
cloud = rs.feature_interaction_cloud(X, y, n_repeats=N_REPEATS, random_state=RANDOM_STATE)
spread = cloud.groupby("pair")["fis"].agg(["min", "max", "mean"])
spread["range"] = spread["max"] - spread["min"]
spread = spread.sort_values("range", ascending=False)
with pd.option_context("display.width", 120, "display.float_format", "{:.4f}".format):
    print("\nFIS (log loss) over the set, the five pairs whose FIS varies most:")
    print(spread.head().to_string())
top = spread.index[0]

fig, ax = plt.subplots(figsize=(7.5, 13))
plot_swarm(cloud, ax=ax)
fig.tight_layout()
fig.savefig(OUT / "explain_swarm.png", dpi=90)
print(f"figure written to {OUT / 'explain_swarm.png'}")

fig, ax = plt.subplots(figsize=(6, 4.8))
plot_halo(cloud, top, ax=ax)
fig.tight_layout()
fig.savefig(OUT / "explain_halo.png", dpi=90)
print(f"figure written to {OUT / 'explain_halo.png'}")

# --- Li et al.'s construction: one MLP, a set of input masks around it
mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300,
                    random_state=RANDOM_STATE).fit(X, y)
masked = mask_rashomon_set(mlp, X, y, epsilon=EPSILON, n_models=max(2, N_MODELS // 2),
                           random_state=RANDOM_STATE)
top5 = list(ranges.sort_values("max", ascending=False).index[:5])
pairs = [(a, b) for k, a in enumerate(top5) for b in top5[k + 1:]]
mlp_cloud = feature_interaction_cloud(masked, X, y, pairs=pairs, n_repeats=2,
                                      random_state=RANDOM_STATE)
mlp_spread = mlp_cloud.groupby("pair")["fis"].agg(["min", "max", "mean"])
mlp_spread["range"] = mlp_spread["max"] - mlp_spread["min"]
mlp_spread = mlp_spread.sort_values("range", ascending=False)
print(f"\nMLP (16 hidden units, log loss {masked.baseline_loss_:.4f}) and {len(masked) - 1} "
      f"input masks within {EPSILON} of its log loss; FIS over the pairs of {top5}:")
with pd.option_context("display.width", 120, "display.float_format", "{:.4f}".format):
    print(mlp_spread.to_string())

fig, ax = plt.subplots(figsize=(6, 4.8))
plot_halo(mlp_cloud, mlp_spread.index[0], ax=ax)
fig.tight_layout()
fig.savefig(OUT / "explain_halo_mlp.png", dpi=90)
print(f"figure written to {OUT / 'explain_halo_mlp.png'}")
