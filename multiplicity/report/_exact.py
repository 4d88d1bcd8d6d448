"""The exact methods of the audit: which apply, on which features, and their runs.

The viable prediction ranges over the whole level set of an L2-regularised logistic
regression (:class:`~multiplicity.rashomon.LogisticLevelSet`, with its coefficient ranges
when it has ``coef_table``), the exact ambiguity and discrepancy over all linear
classifiers (:class:`~multiplicity.rashomon.LinearMIPExplorer`) and, for regression, the
prediction and coefficient ranges over the level set of ridge or least-squares regression
(``multiplicity.rashomon.LinearLevelSet``) need a linear final estimator and numeric
features: a Pipeline's preprocessing is refitted on the training data and its output is
what the exact methods see, its ``get_feature_names_out()`` the names they report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from .. import rashomon
from .._dask import is_dask_collection
from .._stdio import quiet_native_stdout
from ..rashomon import LinearMIPExplorer, LogisticLevelSet
from ._context import AuditContext
from ._dask_audit import EXACT_ON_CLUSTER, LEVEL_SET_ON_CLUSTER

__all__ = ["EXACT_OPTIONS", "ExactRuns", "LevelSetRun", "LinearRun", "MIPRun",
           "design_feature_names", "exact_design", "linear_level_set_plan",
           "logistic_level_set_plan", "mip_plan", "run_exact", "run_linear_exact",
           "split_linear"]

EXACT_OPTIONS = ("auto", "vpr", "mip", "none")
# The level-set solves grow linearly in the distinct rows and the features: about
# 1.3e-4 s per row and feature on one core (800 rows x 20 features: 2.1 s). exact="auto"
# skips them above this many seconds; exact="vpr" runs them whatever they cost.
_LEVEL_SET_SECONDS_PER_CELL = 1.3e-4
_LEVEL_SET_BUDGET_S = 30.0


@dataclass(frozen=True)
class LevelSetRun:
    """The exact viable prediction ranges over a logistic level set, on the measured data.

    ``vpr`` has shape (n_samples, 2) (low, high), ``width`` its spread; ``epsilon`` is the
    level set's, explained by ``how_epsilon``; ``C`` is the logistic regression's.
    """

    vpr: np.ndarray
    width: np.ndarray
    mean_width: float
    probabilistic_ambiguity: float
    crosses_half: float
    epsilon: float
    how_epsilon: str
    C: float
    coef_table: pd.DataFrame | None = None
    coef_skipped: str = ""


@dataclass(frozen=True)
class LinearRun:
    """The exact ranges over the level set of ridge / least-squares regression.

    ``prediction_range`` (n_samples, 2) on the measured data and its ``width``;
    ``coef_table`` the coefficients (estimate, low, high, sign_stable) named by the
    features the final step sees, ``intercept_range`` the intercept's; ``epsilon`` the
    level set's (units of its mean objective), explained by ``how_epsilon``; ``alpha``
    the ridge penalty (0 for least squares) and ``model`` the final step's class name.
    """

    prediction_range: np.ndarray
    width: np.ndarray
    mean_width: float
    coef_table: pd.DataFrame
    intercept_range: np.ndarray
    epsilon: float
    how_epsilon: str
    alpha: float
    model: str


@dataclass(frozen=True)
class MIPRun:
    """Exact ambiguity and discrepancy over all linear classifiers (training data).

    The values are proven lower bounds and ``*_upper`` the upper ones; they agree when
    ``is_exact``. ``time_limit`` is the limit each search ran under.
    """

    ambiguity: float
    ambiguity_upper: float
    discrepancy: float
    discrepancy_upper: float
    is_exact: bool
    baseline_error: float
    error_budget: int
    distinct_rows: int
    time_limit: float | None


@dataclass(frozen=True)
class ExactRuns:
    """The exact methods that ran (None otherwise) and why the others did not.

    ``skipped`` maps ``"level_set"`` or ``"mip"`` to the reason, in that order.
    """

    level_set: LevelSetRun | None
    mip: MIPRun | None
    skipped: dict[str, str]
    linear: LinearRun | None = None

    def numbers(self) -> dict[str, Any]:
        """The scalar results, keyed as in the report (``vpr_*``, ``mip_*``)."""
        out: dict[str, Any] = {}
        ls, mip = self.level_set, self.mip
        if ls is not None:
            out.update(vpr_mean_width=ls.mean_width,
                       vpr_probabilistic_ambiguity=ls.probabilistic_ambiguity,
                       vpr_crosses_half=ls.crosses_half, vpr_epsilon=ls.epsilon)
        if ls is not None and ls.coef_table is not None:
            out["n_coef_sign_stable"] = int(ls.coef_table["sign_stable"].sum())
        lin = self.linear
        if lin is not None:
            out.update(exact_mean_range_width=lin.mean_width,
                       exact_max_range_width=float(lin.width.max()),
                       linear_epsilon=lin.epsilon, linear_alpha=lin.alpha,
                       n_coef_sign_stable=int(lin.coef_table["sign_stable"].sum()),
                       n_coef=len(lin.coef_table))
        if mip is not None:
            out.update(mip_ambiguity=mip.ambiguity, mip_ambiguity_upper=mip.ambiguity_upper,
                       mip_discrepancy=mip.discrepancy,
                       mip_discrepancy_upper=mip.discrepancy_upper,
                       mip_is_exact=mip.is_exact, mip_baseline_error=mip.baseline_error,
                       mip_error_budget=mip.error_budget,
                       mip_distinct_rows=mip.distinct_rows)
        return out


# ------------------------------------------------------------------ planning
def split_linear(estimator: Any) -> tuple[Any, Any]:
    """``(preprocessing or None, final estimator)`` of a Pipeline or a bare estimator."""
    if isinstance(estimator, Pipeline):
        return (estimator[:-1] if len(estimator) > 1 else None), estimator[-1]
    return None, estimator


def _is_linear_classifier(est: Any) -> bool:
    return type(est).__module__.startswith("sklearn.linear_model") or isinstance(est, LinearSVC)


def exact_design(estimator: Any, X: Any, y: np.ndarray, X_measured: Any = None
                 ) -> tuple[np.ndarray | None, np.ndarray | None, str]:
    """The numeric features the final linear model sees on the training data and on the
    measured data (the preprocessing fitted on the training data), or None and the
    reason."""
    pre, _ = split_linear(estimator)
    out = []
    try:
        fitted = clone(pre).fit(X, y) if pre is not None else None
        for data in (X, X if X_measured is None else X_measured):
            Xt = fitted.transform(data) if fitted is not None else data
            if hasattr(Xt, "toarray"):
                Xt = Xt.toarray()
            out.append(np.asarray(Xt, dtype=np.float64))
    except (TypeError, ValueError) as e:
        return None, None, f"the features are not numeric ({e})"
    if any(a.ndim != 2 or not np.isfinite(a).all() for a in out):
        return None, None, "the features are not a finite 2-D numeric array"
    return out[0], out[1], ""


def design_feature_names(estimator: Any, X: Any, y: np.ndarray, n_features: int
                         ) -> list[str]:
    """Names of the ``n_features`` columns the final step of ``estimator`` sees: the
    preprocessing's ``get_feature_names_out()`` (refitted on ``X``) when it has one, the
    columns of a DataFrame ``X`` for a bare estimator, else ``x0, x1, ...``."""
    pre, _ = split_linear(estimator)
    names: Any = None
    if pre is None:
        names = getattr(X, "columns", None)
    else:
        try:
            names = clone(pre).fit(X, y).get_feature_names_out()
        except (AttributeError, TypeError, ValueError):
            names = None
    if names is None or len(names) != n_features:
        return [f"x{j}" for j in range(n_features)]
    return [str(n) for n in names]


def _level_set_seconds(n_distinct: int, n_features: int) -> float:
    """Estimated seconds of the level-set solves: linear in the distinct rows and the
    features (measured: 800 rows x 20 features 2.1 s; 2,100 rows x ~20 features 5.7 s)."""
    return _LEVEL_SET_SECONDS_PER_CELL * n_distinct * (n_features + 1)


def logistic_level_set_plan(estimator: Any, n_classes: int, Xt: np.ndarray | None,
                            why_not: str, explicit: bool = False
                            ) -> tuple[bool, str, int]:
    """``(runs, reason if not, distinct rows)`` of the logistic level set for ``estimator``
    on the features ``Xt`` (None: not numeric, for the reason ``why_not``). Unless
    ``explicit``, a run estimated above the time budget is skipped."""
    _, final = split_linear(estimator)
    if not isinstance(final, LogisticRegression):
        return False, (f"the model is a {type(final).__name__}; the exact viable prediction "
                       "ranges are known for L2-regularised logistic regression only"), 0
    if n_classes != 2:
        return False, f"the task has {n_classes} classes; the level set needs two", 0
    penalty = getattr(final, "penalty", "l2")
    l1_ratio = getattr(final, "l1_ratio", None)
    if penalty not in ("l2", "deprecated") or (l1_ratio not in (None, 0, 0.0)):
        return False, "the logistic regression is not L2-penalised", 0
    C = final.C
    if not (np.isfinite(C) and C > 0) or final.class_weight is not None:
        return False, "the logistic regression has no finite L2 penalty or uses class weights", 0
    if Xt is None:
        return False, why_not, 0
    n_distinct = int(np.unique(Xt, axis=0).shape[0])
    seconds = _level_set_seconds(n_distinct, Xt.shape[1])
    if seconds > _LEVEL_SET_BUDGET_S and not explicit:
        return False, (f"the data have {n_distinct:,} distinct rows and {Xt.shape[1]} "
                       f"features: the exact ranges would take about {seconds:.0f} s "
                       "(pass exact='vpr' to run them anyway)"), n_distinct
    return True, "", n_distinct


def mip_plan(estimator: Any, n_classes: int, Xt: np.ndarray | None, why_not: str,
             max_rows: int) -> tuple[bool, str, int]:
    """``(runs, reason if not, distinct rows)`` of the exact MIP for ``estimator`` on the
    features ``Xt``; more than ``max_rows`` distinct feature vectors are skipped."""
    _, final = split_linear(estimator)
    if not _is_linear_classifier(final):
        return False, (f"the model is a {type(final).__name__}; the exact MIP covers linear "
                       "classifiers only"), 0
    if n_classes != 2:
        return False, f"the task has {n_classes} classes; the MIP needs two", 0
    if Xt is None:
        return False, why_not, 0
    n_distinct = int(np.unique(Xt, axis=0).shape[0])
    if n_distinct > max_rows:
        return False, (f"the data have {n_distinct:,} distinct feature vectors, more than "
                       f"mip_max_rows={max_rows}: one MIP per vector would take too long"), \
            n_distinct
    return True, "", n_distinct


def linear_level_set_plan(estimator: Any, Xt: np.ndarray | None, why_not: str
                          ) -> tuple[bool, str]:
    """``(runs, reason if not)`` of the exact ridge / least-squares level set for a
    regression ``estimator`` (a ``Ridge`` or ``LinearRegression``, bare or ending a
    Pipeline) on the features ``Xt``."""
    if getattr(rashomon, "LinearLevelSet", None) is None:
        return False, "this version of multiplicity has no LinearLevelSet"
    _, final = split_linear(estimator)
    if type(final) not in (Ridge, LinearRegression):
        return False, (f"the model is a {type(final).__name__}; the exact prediction and "
                       "coefficient ranges are known for Ridge and LinearRegression only")
    if getattr(final, "positive", False):
        return False, "the regression is constrained to positive coefficients"
    alpha = getattr(final, "alpha", 0.0)
    if not (np.ndim(alpha) == 0 and np.isfinite(alpha) and alpha >= 0):
        return False, "the ridge penalty alpha is not one finite number >= 0"
    if Xt is None:
        return False, why_not
    return True, ""


# ---------------------------------------------------------------------- runs
def _level_set_epsilon(ctx: AuditContext, lls: LogisticLevelSet, Xt: np.ndarray,
                       bare: bool) -> tuple[float, str]:
    """Epsilon of the logistic level set, in units of its regularised mean log loss.

    For a bare ``LogisticRegression`` it is the largest excess loss of a member of the
    sampled set, so the level set is the smallest one that contains every sampled model
    and its ranges contain the sampled ones. Otherwise (a Pipeline, whose members' weights
    live in other coordinates) it is ``epsilon`` itself.
    """
    if not bare:
        return ctx.eps, "the audit's epsilon, applied to this loss"
    s = np.where(ctx.y == lls.classes_[1], 1.0, -1.0)
    n, C = Xt.shape[0], float(lls.C)
    excess = []
    for model in ctx.rset:
        w = np.asarray(model.coef_, dtype=np.float64).ravel()
        b = float(np.ravel(model.intercept_)[0]) if lls.fit_intercept else 0.0
        loss = np.logaddexp(0.0, -s * (Xt @ w + b)).mean() + w @ w / (2.0 * C * n)
        excess.append(loss - lls.baseline_loss_)
    # 1e-9: below it the range solves are under the float64 resolution of the loss
    models = "retrained model" if ctx.source.refitted else "model"
    return max(float(max(excess)), 1e-9), ("the smallest such set that contains every "
                                           f"{models} of the sampled set")


def _run_level_set(ctx: AuditContext, Xt: np.ndarray, Xt_m: np.ndarray
                   ) -> LevelSetRun | str:
    """The level-set run, or the reason it failed."""
    pre, final = split_linear(ctx.estimator)
    try:
        lls = LogisticLevelSet(C=float(final.C), epsilon=ctx.eps,
                               fit_intercept=bool(final.fit_intercept),
                               n_jobs=ctx.n_jobs).fit(Xt, ctx.y)
        eps_ll, how_eps = _level_set_epsilon(ctx, lls, Xt, pre is None)
        lls.set_params(epsilon=eps_ll).fit(Xt, ctx.y)
        vpr = lls.viable_prediction_range(Xt_m)
    except (ValueError, RuntimeError) as e:
        return f"the level-set solve failed ({e})"
    width = vpr[:, 1] - vpr[:, 0]
    p_amb = float(lls.probabilistic_ambiguity(Xt_m, delta=ctx.delta))
    crosses = float(np.mean((vpr[:, 0] < 0.5) & (vpr[:, 1] >= 0.5)))
    table, coef_skipped = None, ""
    if hasattr(lls, "coef_table"):
        try:
            table = _named(lls.coef_table(),
                           design_feature_names(ctx.estimator, ctx.X, ctx.y, Xt.shape[1]))
        except (ValueError, RuntimeError) as e:
            coef_skipped = f"the coefficient ranges could not be solved ({e})"
    else:
        coef_skipped = "this version of LogisticLevelSet has no coef_table"
    return LevelSetRun(vpr=vpr, width=width, mean_width=float(width.mean()),
                       probabilistic_ambiguity=p_amb, crosses_half=crosses,
                       epsilon=eps_ll, how_epsilon=how_eps, C=final.C, coef_table=table,
                       coef_skipped=coef_skipped)


def _named(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """``table`` (rows x0, x1, ... then perhaps ``(intercept)``) with the feature names."""
    index = [str(i) for i in table.index]
    index[:len(names)] = names
    out = table.copy()
    out.index = pd.Index(index, name="feature")
    return out


def run_linear_exact(ctx: AuditContext, exact: Literal["auto", "vpr", "mip", "none"]
                     ) -> ExactRuns:
    """The exact level set of a ridge / least-squares regression (``ctx.task`` is
    "regression"): prediction ranges on the measured data and coefficient ranges.

    Its epsilon is the audit's relative epsilon applied to the level set's objective
    (``epsilon x`` the smallest mean objective), as the sampled set applies it to the
    training loss. ``exact="mip"`` and ``"none"`` skip it (the MIP is for classifiers).
    """
    if exact not in ("auto", "vpr"):
        return ExactRuns(None, None, {"linear": f"not requested (exact={exact!r})"})
    Xt, Xt_m, why_not = exact_design(ctx.estimator, ctx.X, ctx.y,
                                     ctx.Xm if ctx.held_out else None)
    ok, reason = linear_level_set_plan(ctx.estimator, Xt, why_not)
    if not ok:
        return ExactRuns(None, None, {"linear": reason})
    _, final = split_linear(ctx.estimator)
    alpha = float(getattr(final, "alpha", 0.0))
    fit_intercept = bool(final.fit_intercept)
    try:
        lls = rashomon.LinearLevelSet(alpha=alpha, epsilon=0.0,
                                      fit_intercept=fit_intercept).fit(Xt, ctx.y)
        eps_abs = ctx.eps * float(lls.baseline_loss_)
        lls.set_params(epsilon=eps_abs).fit(Xt, ctx.y)
        rng = np.asarray(lls.prediction_range(Xt_m), dtype=np.float64)
        table = _named(lls.coef_table(),
                       design_feature_names(ctx.estimator, ctx.X, ctx.y, Xt.shape[1]))
    except (ValueError, RuntimeError, np.linalg.LinAlgError) as e:
        return ExactRuns(None, None, {"linear": f"the level-set computation failed ({e})"})
    width = rng[:, 1] - rng[:, 0]
    how = (f"the audit's relative epsilon ({ctx.eps:g}) times the smallest mean "
           f"objective ({float(lls.baseline_loss_):.6g})")
    run = LinearRun(prediction_range=rng, width=width, mean_width=float(width.mean()),
                    coef_table=table,
                    intercept_range=np.asarray(lls.intercept_range_, dtype=np.float64),
                    epsilon=eps_abs, how_epsilon=how, alpha=alpha,
                    model=type(final).__name__)
    return ExactRuns(None, None, {}, linear=run)


def _run_mip(ctx: AuditContext, Xt: np.ndarray, time_limit: float | None,
             n_distinct: int) -> MIPRun:
    with quiet_native_stdout():
        mip = LinearMIPExplorer(epsilon=ctx.eps, time_limit=time_limit,
                                n_jobs=ctx.n_jobs).fit(Xt, ctx.y)
    a_lo, a_hi = (float(v) for v in mip.ambiguity_bounds_)
    d_lo, d_hi = (float(v) for v in mip.discrepancy_bounds_)
    return MIPRun(ambiguity=a_lo, ambiguity_upper=a_hi, discrepancy=d_lo,
                  discrepancy_upper=d_hi, is_exact=bool(mip.is_exact_),
                  baseline_error=float(mip.baseline_error_),
                  error_budget=int(mip.error_budget_), distinct_rows=n_distinct,
                  time_limit=time_limit)


def run_exact(ctx: AuditContext, exact: Literal["auto", "vpr", "mip", "none"],
              time_limit: float | None, max_rows: int) -> ExactRuns:
    """Run the exact methods ``exact`` asks for and that apply to ``ctx.estimator``."""
    skipped: dict[str, str] = {}
    level_set = mip = None
    if is_dask_collection(ctx.X):
        return ExactRuns(level_set=None, mip=None,
                         skipped={"level_set": EXACT_ON_CLUSTER, "mip": EXACT_ON_CLUSTER})
    n_classes = len(ctx.rset.classes_)
    on_cluster = is_dask_collection(ctx.Xm)
    Xt, Xt_m, why_not = exact_design(ctx.estimator, ctx.X, ctx.y,
                                     ctx.Xm if ctx.held_out and not on_cluster else None)
    if exact in ("auto", "vpr") and on_cluster:
        skipped["level_set"] = LEVEL_SET_ON_CLUSTER
    elif exact in ("auto", "vpr"):
        ok, reason, _ = logistic_level_set_plan(ctx.estimator, n_classes, Xt, why_not,
                                                explicit=exact == "vpr")
        if ok:
            run = _run_level_set(ctx, Xt, Xt_m)
            if isinstance(run, str):
                skipped["level_set"] = run
            else:
                level_set = run
        else:
            skipped["level_set"] = reason
    else:
        skipped["level_set"] = f"not requested (exact={exact!r})"
    if exact in ("auto", "mip"):
        ok, reason, n_distinct = mip_plan(ctx.estimator, n_classes, Xt, why_not, max_rows)
        if ok:
            mip = _run_mip(ctx, Xt, time_limit, n_distinct)
        else:
            skipped["mip"] = reason
    else:
        skipped["mip"] = f"not requested (exact={exact!r})"
    return ExactRuns(level_set=level_set, mip=mip, skipped=skipped)
