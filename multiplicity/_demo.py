"""The `multiplicity demo` job: a Rashomon set of logistic regressions on COMPAS.

:class:`~multiplicity.rashomon.RetrainingExplorer` fits logistic regressions on bootstrap
resamples of the bundled COMPAS data and keeps those whose training 0-1 loss is within
``epsilon`` of the best one (the baseline h0); the set's
:class:`~multiplicity.rashomon.MultiplicityProfile` says how much the kept models
disagree, overall and by sex. Later versions route this through the full audit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .datasets import load_compas


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
    by_sex: pd.DataFrame

    def lines(self) -> list[str]:
        """Human-readable report, one measure per line with its meaning."""
        table = self.by_sex[["n_samples", "ambiguity", "discrepancy",
                             "mean_rashomon_capacity", "mean_vpr_width"]]
        return [
            f"multiplicity demo: COMPAS two-year recidivism (bundled, {self.n_samples:,} "
            "people, 12 binary features)",
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
            "",
            "By sex (the same measures within each group; the last row is the gap between "
            "groups):",
            table.to_string(float_format=lambda v: f"{v:.4f}"),
        ]


def run_demo(*, n_models: int = 50, epsilon: float = 0.01, random_state: int = 0,
             n_jobs: int | None = None) -> DemoResult:
    """Run the demo and return its figures (see the module docstring)."""
    from sklearn.linear_model import LogisticRegression

    from .rashomon import RetrainingExplorer

    data = load_compas()
    X = data.data.to_numpy(dtype=np.float64)
    y = data.target.to_numpy()
    explorer = RetrainingExplorer(
        LogisticRegression(max_iter=1000), n_models=n_models, perturbation="bootstrap",
        epsilon=epsilon, random_state=random_state, n_jobs=n_jobs).fit(X, y)
    profile = explorer.profile(X, y)
    return DemoResult(
        n_samples=len(y), n_models=n_models, n_in_set=len(explorer.rashomon_set_),
        epsilon=epsilon,
        baseline_loss=float(explorer.candidate_losses_[explorer.baseline_index_]),
        ambiguity=profile.ambiguity, discrepancy=profile.discrepancy,
        mean_rashomon_capacity=profile.mean_rashomon_capacity,
        mean_vpr_width=profile.mean_vpr_width,
        by_sex=profile.by_group(data.sensitive_features["sex"]),
    )
