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

Not a reproduction of the paper's numbers: the paper samples its set around one MLP by
masking inputs; this example uses retrained logistic regressions (a different model
class), so only the qualitative message (interaction scores vary across near-optimal
models) is comparable. Set ``MULTIPLICITY_EXAMPLE_MODELS`` to change the number of
candidates (default 50).
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.linear_model import LogisticRegression

from multiplicity.datasets import load_compas
from multiplicity.explain import plot_halo, plot_swarm
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
with pd.option_context("display.width", 120, "display.precision", 4):
    print("\nPermutation importance (accuracy drop) over the set:")
    print(ranges.sort_values("max", ascending=False).to_string())

# --- FIS cloud under log loss, every pair of the 12 features
cloud = rs.feature_interaction_cloud(X, y, n_repeats=N_REPEATS, random_state=RANDOM_STATE)
spread = cloud.groupby("pair")["fis"].agg(["min", "max", "mean"])
spread["range"] = spread["max"] - spread["min"]
spread = spread.sort_values("range", ascending=False)
with pd.option_context("display.width", 120, "display.precision", 4):
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
