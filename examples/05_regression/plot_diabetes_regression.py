"""
Regression and coefficients on the diabetes data
================================================

Ridge regressions retrained on bootstrap resamples of 70% of scikit-learn's diabetes data
(442 patients, 10 baseline measurements, disease progression one year later). The models
whose training mean squared error is within ``EPSILON`` (relative) of the best one form the
Rashomon set. On the 30% held-out patients the script prints

* the regression profile: the share of patients some model moves ``DELTA`` points or more
  from the baseline's prediction (regression ambiguity), the largest share one model moves
  (regression discrepancy), and the share whose "refer when the prediction is at least
  ``THRESHOLD``" decision depends on the model (decision ambiguity);
* the same measures by age quartile;
* the exact coefficient ranges of the ridge level set on standardised features (every
  model whose mean ridge objective is within 2% of the target's variance of the best) and
  the features whose sign every model in the set agrees on.

It writes two figures: the profile (ranges against the baseline's prediction, range
widths, measures) and the coefficient ranges. Set ``MULTIPLICITY_EXAMPLE_MODELS`` to change
the number of retrained candidates (default 30).
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from multiplicity.rashomon import LinearLevelSet, RetrainingExplorer

RANDOM_STATE = 0
N_MODELS = int(os.environ.get("MULTIPLICITY_EXAMPLE_MODELS", "30"))
EPSILON = 0.05  # relative: training MSE within 5% of the best model's
DELTA = 25.0  # points of disease progression (a third of the target's standard deviation)
THRESHOLD = 200.0  # "refer the patient" when the predicted progression is at least this
OUT = Path(os.environ.get("MULTIPLICITY_FIGURE_DIR", "."))

X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3,
                                                    random_state=RANDOM_STATE)

explorer = RetrainingExplorer(make_pipeline(StandardScaler(), Ridge(alpha=1.0)),
                              n_models=N_MODELS, perturbation="bootstrap", epsilon=EPSILON,
                              epsilon_mode="relative", random_state=RANDOM_STATE)
explorer.fit(X_train, y_train)
rs = explorer.rashomon_set_
print(f"{len(rs)} of {N_MODELS} ridge regressions in the Rashomon set (training MSE "
      f"<= {rs.threshold_:.1f}, the best being {rs.baseline_loss_:.1f})")

profile = explorer.profile(X_test, y_test, delta=DELTA, threshold=THRESHOLD)
print(f"\nHeld-out patients ({profile.n_samples}), delta = {DELTA:g}, "
      f"threshold = {THRESHOLD:g}:")
print(profile.summary().round(3).to_string())

table = profile.by_group(X_test[["age"]])
with pd.option_context("display.width", 120):
    print("\nBy age quartile:")
    print(table[["n_samples", "small", "ambiguity", "discrepancy", "decision_ambiguity",
                 "mean_range_width"]].round(3).to_string())

fig = profile.plot()
fig.savefig(OUT / "regression_profile.png", dpi=90)
print(f"figure written to {OUT / 'regression_profile.png'}")

scaler = StandardScaler().set_output(transform="pandas").fit(X_train)
lls = LinearLevelSet(alpha=1.0, epsilon=0.02 * float(np.var(y_train)))
lls.fit(scaler.transform(X_train), y_train)
coefs = lls.coef_table()
print(f"\nRidge level set (alpha=1, epsilon={lls.epsilon:.1f} = 2% of var(y)): coefficient "
      "ranges on standardised features")
print(coefs.round(2).to_string())
stable = list(coefs.index[coefs["sign_stable"]])
print(f"sign stable over the whole set: {stable}; the other "
      f"{len(coefs) - len(stable)} change sign within the set")
exact = lls.decision_ambiguity(scaler.transform(X_test), threshold=THRESHOLD)
print(f"decision ambiguity of the exact set at {THRESHOLD:g}: {exact:.3f} "
      f"(retrained set: {profile.decision_ambiguity:.3f})")

fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
lls.plot(ax=ax)
ax.set_title("Coefficient ranges over the ridge level set (standardised features)")
fig.savefig(OUT / "regression_coefficients.png", dpi=90)
print(f"figure written to {OUT / 'regression_coefficients.png'}")
