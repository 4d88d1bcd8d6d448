"""The `multiplicity demo` job: the audit of a logistic regression on COMPAS.

:func:`~multiplicity.report.audit` retrains logistic regressions on bootstrap resamples of
the bundled COMPAS data, keeps those whose training 0-1 loss is within ``epsilon`` of the
best one (the baseline h0), adds the exact logistic level set, the measures by sex and
age group, selective-ensemble abstention and feature-importance ranges, and returns the
:class:`~multiplicity.report.AuditReport` that ``multiplicity demo`` writes to
``reports/demo.html``. The exact MIP over all linear classifiers is left out by default
(``exact="vpr"``) because it takes 20-40 s on COMPAS; ``exact="auto"`` adds it.
"""

from __future__ import annotations

import math
from typing import Any

from ._lazy import lazy_module

# Loaded by the demo itself, so that the command line starts fast.
_datasets = lazy_module("multiplicity.datasets")
_report = lazy_module("multiplicity.report")


def run_demo(*, n_models: int = 50, epsilon: float = 0.01, random_state: int = 0,
             n_jobs: int | None = None, exact: str = "vpr", progress: bool = False,
             figures: bool = True) -> Any:
    """Audit a logistic regression on COMPAS and return the AuditReport."""
    from sklearn.linear_model import LogisticRegression

    data = _datasets.load_compas()
    return _report.audit(LogisticRegression(max_iter=1000), data.data, data.target,
                 sensitive_features=data.sensitive_features, epsilon=epsilon,
                 n_models=n_models, random_state=random_state, progress=progress,
                 exact=exact, subject="defendants", n_jobs=n_jobs, figures=figures,
                 title="Multiplicity audit: logistic regression on COMPAS (demo)")


def demo_lines(report: Any) -> list[str]:
    """What ``multiplicity demo`` prints: the headline figures and the table by sex."""
    p = report.parameters
    lines = [
        f"multiplicity demo: COMPAS two-year recidivism (bundled, "
        f"{report.data['n_samples']:,} defendants, {report.data['n_features']} binary "
        "features)",
        f"{p['n_models']} logistic regressions on bootstrap resamples; "
        f"{len(report.rashomon_set)} lie in the Rashomon set (training 0-1 loss within "
        f"epsilon {p['epsilon']:g} of the best; baseline h0 = best model).",
        "",
        *summary_lines(report),
    ]
    groups = report.section("groups")
    if "by_sex" in groups.tables:
        table = groups.tables["by_sex"][1]
        cols = [c for c in ("n_samples", "ambiguity", "discrepancy", "mean_rashomon_capacity",
                            "mean_vpr_width", "abstention_rate") if c in table.columns]
        lines += ["", "By sex (the same measures within each group; the last row is the gap "
                  "between groups):",
                  table[cols].to_string(float_format=lambda v: f"{v:.4f}")]
    return lines

def summary_lines(report: Any) -> list[str]:
    """The headline figures of a report, one per line with their meaning."""
    lines = []
    for name, row in report.summary().iterrows():
        value = row["value"]
        if math.isnan(value):
            text = "       n/a"
        elif float(value).is_integer() and abs(value) >= 1:
            text = f"{int(value):10d}"
        else:
            text = f"{value:10.4f}"
        lines.append(f"  {name:31s}{text}   {row['meaning']}")
    return lines
