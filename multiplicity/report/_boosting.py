"""The audit of a gradient-boosting estimator: its Rashomon set explored stage by stage.

Retraining a gradient-boosting model with other seeds changes, without row or feature
sampling, only the splits that happen to tie, so :func:`audit` explores the Rashomon set of
:class:`~sklearn.ensemble.GradientBoostingClassifier`,
:class:`~sklearn.ensemble.HistGradientBoostingClassifier` and their regressor twins with
:class:`multiplicity.rashomon.BoostingExplorer` (RashomonGB, Hsu et al. 2024) instead,
with the estimator's number of stages, learning rate, depth and subsample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .._lazy import is_instance
from ..rashomon import BoostingExplorer

__all__ = ["BoostingPlan", "boosting_plan", "boosting_sentence", "is_boosting"]

_GB_MODULE = "sklearn.ensemble"
_CLASSIC = ("GradientBoostingClassifier", "GradientBoostingRegressor")
_HIST = ("HistGradientBoostingClassifier", "HistGradientBoostingRegressor")
# Candidate trees per stage and the row share of each when the estimator samples none.
N_CANDIDATES = 10
DEFAULT_SUBSAMPLE = 0.8
# The regression losses BoostingExplorer has; any other becomes squared error.
_REGRESSION_LOSSES = ("squared_error", "absolute_error")


def is_boosting(estimator: Any) -> bool:
    """Whether ``estimator`` is one of scikit-learn's gradient-boosting estimators."""
    return is_instance(estimator, _GB_MODULE, *_CLASSIC, *_HIST)


@dataclass(frozen=True)
class BoostingPlan:
    """How the audit explores a boosting estimator: the explorer's settings and the
    sentences that say what stands in for what."""

    params: dict[str, Any]
    loss: str
    described: str
    departures: list[str]

    def explorer(self, *, n_models: int, epsilon: float, epsilon_mode: str, seed: int,
                 n_jobs: int | None) -> BoostingExplorer:
        """The unfitted explorer of the plan."""
        return BoostingExplorer(**self.params, n_candidates=N_CANDIDATES, epsilon=epsilon,
                                loss=self.loss, random_state=seed, n_jobs=n_jobs,
                                n_models=n_models, epsilon_mode=epsilon_mode)


def boosting_plan(estimator: Any, task: str, n_samples: int) -> BoostingPlan:
    """The :class:`BoostingPlan` of a scikit-learn gradient-boosting ``estimator`` fitted
    on ``n_samples`` rows."""
    name = type(estimator).__name__
    p = estimator.get_params()
    departures: list[str] = []
    hist = name in _HIST
    n_estimators = int(p["max_iter"] if hist else p["n_estimators"])
    depth = p["max_depth"]
    if hist and depth is None:
        leaves = int(p["max_leaf_nodes"] or 31)
        depth = max(1, math.ceil(math.log2(leaves)))
        departures.append(f"{name} grows trees of up to {leaves} leaves, best first; the "
                          f"explorer grows trees of depth {depth} (up to {2 ** depth} "
                          "leaves) in their place")
    if hist and BoostingExplorer().get_params().get("tree_method") != "hist":
        departures.append(f"{name} splits on binned features; the explorer's trees "
                          "search every threshold")
    subsample = float(p.get("subsample", 1.0))
    if subsample >= 1.0:
        departures.append(f"{name} fits every tree on all the rows; each candidate tree "
                          f"of the explorer is fitted on its own {DEFAULT_SUBSAMPLE:.0%} of "
                          "them, so that the candidates of a stage differ")
        subsample = DEFAULT_SUBSAMPLE
    if task == "classification":
        loss = "log_loss"
    else:
        given = p.get("loss", "squared_error")
        loss = given if given in _REGRESSION_LOSSES else "squared_error"
        if loss != given:
            departures.append(f"{name} minimises loss={given!r}; the explorer, which has "
                              "squared and absolute error, uses squared error")
    stops = (p["early_stopping"] is True or (p["early_stopping"] == "auto"
                                              and n_samples > 10_000)) if hist else (
        p.get("n_iter_no_change") is not None)
    if stops:
        departures.append(f"{name} stops early on a validation split; the explorer runs "
                          f"all {n_estimators} stages")
    params = {"n_estimators": n_estimators, "learning_rate": float(p["learning_rate"]),
              "max_depth": None if depth is None else int(depth), "subsample": subsample}
    described = (f"{n_estimators} stages, learning rate {params['learning_rate']:g}, trees "
                 f"of depth {params['max_depth']}, {N_CANDIDATES} candidate trees per "
                 f"stage, each on {subsample:.0%} of the rows")
    return BoostingPlan(params=params, loss=loss, described=described,
                        departures=departures)


def boosting_sentence(source: Any, n_in_set: int, epsilon: float, baseline_loss: float,
                      loss_name: str, within: str | None = None) -> str:
    """The overview's account of a set explored stage by stage: how, how many paths, how
    many kept, and what stands in for what. ``within`` words the tolerance (default:
    ``at most {epsilon} above``)."""
    plan = source.boosting
    within = f"at most {epsilon:g} above" if within is None else within
    text = (f"We explored the Rashomon set of {source.what} stage by stage (RashomonGB, Hsu "
            "et al. 2024) rather than by retraining it with other seeds, which for boosting "
            "without row or feature sampling changes only the splits that happen to tie: "
            f"{plan.described}."
            " Each model is a path through the candidate trees kept at each stage, and the "
            "path of the best candidate at every stage (the greedy path) is the baseline. "
            f"Of the {source.n_candidates} distinct paths drawn, {n_in_set} have a training "
            f"{loss_name} {within} the greedy path's ({baseline_loss:.4f}): they form the "
            "sampled Rashomon set.")
    if plan.departures:
        text += " Where the exploration differs from the estimator: " + "; ".join(
            plan.departures) + "."
    return text
