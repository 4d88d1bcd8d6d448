"""
Predictive multiplicity on COMPAS
=================================

Fit logistic regressions on bootstrap resamples of the bundled COMPAS data, keep the models
whose training 0-1 loss is within ``EPSILON`` of the best one, and look at how much they
disagree about each person: the viable prediction range (spread of the predicted
probability) and the Rashomon capacity, overall and by sex.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression

from multiplicity.datasets import load_compas
from multiplicity.metrics import (
    ambiguity_discrepancy,
    rashomon_capacity,
    viable_prediction_range,
)

RANDOM_STATE = 0
N_MODELS = int(os.environ.get("MULTIPLICITY_EXAMPLE_MODELS", "30"))
EPSILON = 0.01

data = load_compas()
X, y = data.data.to_numpy(dtype=float), data.target.to_numpy()
sex = data.sensitive_features["sex"].to_numpy()

rng = np.random.default_rng(RANDOM_STATE)
models = []
for _ in range(N_MODELS):
    idx = rng.integers(0, len(y), len(y))
    models.append(LogisticRegression(max_iter=1000).fit(X[idx], y[idx]))

labels = np.stack([m.predict(X) for m in models]).astype(np.int8)
losses = (labels != y).mean(axis=1)
in_set = losses <= losses.min() + EPSILON
baseline = int(np.argmin(losses[in_set]))
P = labels[in_set]
Q = np.stack([m.predict_proba(X) for m, keep in zip(models, in_set, strict=True) if keep])

amb, disc = ambiguity_discrepancy(P, baseline)
rc = rashomon_capacity(Q)
vpr = viable_prediction_range(Q[:, :, 1])
width = vpr[:, 1] - vpr[:, 0]

print(f"{in_set.sum()} of {N_MODELS} models in the Rashomon set (epsilon={EPSILON})")
print(f"ambiguity {amb:.4f}  discrepancy {disc:.4f}")
for group in ("Female", "Male"):
    g = sex == group
    print(f"{group:6s}: mean RC {rc[g].mean():.4f}  mean VPR width {width[g].mean():.4f}")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
for group in ("Female", "Male"):
    g = sex == group
    axes[0].hist(width[g], bins=30, alpha=0.6, density=True, label=group)
    axes[1].hist(rc[g], bins=30, alpha=0.6, density=True, label=group)
axes[0].set_xlabel("viable prediction range width")
axes[1].set_xlabel("Rashomon capacity")
for ax in axes:
    ax.set_ylabel("density")
    ax.legend()
fig.suptitle(f"COMPAS: {in_set.sum()} logistic regressions within {EPSILON} of the best loss")
fig.tight_layout()
out = Path(os.environ.get("MULTIPLICITY_FIGURE_DIR", ".")) / "compas_multiplicity.png"
fig.savefig(out, dpi=100)
print(f"figure written to {out}")
