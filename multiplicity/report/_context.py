"""What every part of the audit reads: the settings, the data and the Rashomon set.

:class:`AuditContext` is built once by :func:`~multiplicity.report.audit` after the set
is collected and profiled, and is read-only from then on. Each step's own results (the
exact methods, the selective vote, the importances, the annotations) are separate
frozen records, passed to the sections that report them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .._groups import Groups
from ..rashomon import MultiplicityProfile, RashomonSet

__all__ = ["AuditContext", "ModelsKind", "Source"]

ModelsKind = Literal["set", "explorer", "models", "estimator"]


@dataclass(frozen=True)
class Source:
    """Where the audited Rashomon set comes from.

    ``kind`` is what audit was given, ``what`` names it for the text, ``candidate_losses``
    and ``baseline_index`` are the training losses of every candidate and the best one's
    position, ``n_candidates`` how many models were trained or given, ``epsilon`` the
    set's epsilon and ``refitted`` whether the audit trained the models. ``boosting`` is
    the :class:`~multiplicity.report._boosting.BoostingPlan` when the set was explored
    stage by stage (a gradient-boosting estimator), else None.
    """

    kind: ModelsKind
    what: str
    candidate_losses: np.ndarray
    baseline_index: int
    n_candidates: int
    epsilon: float
    refitted: bool
    boosting: Any = None


@dataclass(frozen=True)
class AuditContext:
    """The audit's settings, data and Rashomon set.

    ``X, y`` are the training data, ``Xm, ym`` the data the measures are computed on
    (``X_test, y_test`` when ``held_out``, else ``X, y``). ``estimator`` is the one the
    exact methods inspect (the learner given, or the baseline of the models given).
    ``eps`` is the set's epsilon. ``task`` is "classification" or "regression"; a
    regression audit's ``profile`` is a ``RegressionProfile``, its ``delta`` is in the
    units of the target (chosen as ``delta_how`` says) and ``threshold`` is the decision
    cut-off or None.
    """

    estimator: Any
    X: Any
    y: np.ndarray
    Xm: Any
    ym: np.ndarray
    held_out: bool
    eps: float
    delta: float
    alpha: float
    subject: str
    figures: bool
    n_jobs: int | None
    groups: dict[str, Groups]
    rset: RashomonSet
    profile: MultiplicityProfile | Any
    source: Source
    task: Literal["classification", "regression"] = "classification"
    threshold: float | None = None
    delta_how: str = "given"
