"""The `multiplicity demo` job: a small Rashomon set on the bundled COMPAS data.

Fits logistic regressions on bootstrap resamples, keeps those whose training 0-1 loss
is within ``epsilon`` of the best one (the baseline h0), and measures how much the kept
models disagree. Later versions route this through the full audit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from .datasets import load_compas
from .metrics import ambiguity_discrepancy, rashomon_capacity, viable_prediction_range


@dataclass(frozen=True)
class DemoResult:
    """Figures printed by ``multiplicity demo``."""

    n_samples: int
    n_models: int
    n_in_set: int
    epsilon: float
    baseline_loss: float
    ambiguity: float
    discrepancy: float
    mean_rashomon_capacity: float
    mean_vpr_width: float

    def lines(self) -> list[str]:
        """Human-readable report, one measure per line with its meaning."""
        return [
            "multiplicity demo: COMPAS two-year recidivism (bundled, 6,907 people, 12 binary "
            "features)",
            f"Fitted {self.n_models} logistic regressions on bootstrap resamples; "
            f"{self.n_in_set} lie in the Rashomon set (training 0-1 loss <= "
            f"{self.baseline_loss:.4f} + epsilon {self.epsilon:g}; baseline h0 = best model).",
            "",
            f"  ambiguity               {self.ambiguity:8.4f}   share of people whose "
            "predicted label some model in the set flips relative to h0",
            f"  discrepancy             {self.discrepancy:8.4f}   largest share of people "
            "whose label one model in the set flips relative to h0",
            f"  mean Rashomon capacity  {self.mean_rashomon_capacity:8.4f}   effective number "
            "of classes (1 to 2) the set spreads a person's probability over, averaged",
            f"  mean VPR width          {self.mean_vpr_width:8.4f}   average spread (max - "
            "min) of the predicted probability of recidivism across the set",
        ]


def _fit_one(estimator, X: np.ndarray, y: np.ndarray, seed: int):
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(y), len(y))
    return clone(estimator).fit(X[idx], y[idx])


def run_demo(*, n_models: int = 50, epsilon: float = 0.01, random_state: int = 0,
             n_jobs: int | None = None) -> DemoResult:
    """Run the demo and return its figures (see the module docstring)."""
    X_df, y_s = load_compas(return_X_y=True)
    X = X_df.to_numpy(dtype=np.float64)
    y = y_s.to_numpy()
    seeds = np.random.SeedSequence(random_state).generate_state(n_models)
    estimator = LogisticRegression(max_iter=1000)
    models = Parallel(n_jobs=n_jobs)(delayed(_fit_one)(estimator, X, y, int(s)) for s in seeds)

    labels = np.stack([mdl.predict(X) for mdl in models]).astype(np.int8)
    losses = (labels != y).mean(axis=1)
    best = float(losses.min())
    keep = np.flatnonzero(losses <= best + epsilon)
    baseline = int(np.flatnonzero(keep == int(np.argmin(losses)))[0])
    proba = np.stack([models[i].predict_proba(X) for i in keep])  # (m, n, 2)

    amb, disc = ambiguity_discrepancy(labels[keep], baseline)
    rc = rashomon_capacity(proba)
    vpr = viable_prediction_range(proba[:, :, 1])
    return DemoResult(
        n_samples=len(y), n_models=n_models, n_in_set=len(keep), epsilon=epsilon,
        baseline_loss=best, ambiguity=amb, discrepancy=disc,
        mean_rashomon_capacity=float(rc.mean()),
        mean_vpr_width=float((vpr[:, 1] - vpr[:, 0]).mean()),
    )
