"""audit(): explore, measure and explain the predictive multiplicity of one model."""

from __future__ import annotations

import hashlib
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .._checks import (
    check_alpha,
    check_epsilon,
    check_int,
    check_y_for_X,
    n_samples_of,
    resolve_seed,
)
from .._groups import Groups, group_labels, small_groups
from .._stdio import quiet_native_stdout
from .._validation import align_to, check_delta
from .._version import __version__
from ..rashomon._profile import SCALARS
from . import _figures
from ._report import AuditReport, Figure, Section

__all__ = ["audit"]

EXACT_OPTIONS = ("auto", "vpr", "mip", "none")
# The level-set solves grow linearly in the distinct rows and the features: about
# 1.3e-4 s per row and feature on one core (800 rows x 20 features: 2.1 s). exact="auto"
# skips them above this many seconds; exact="vpr" runs them whatever they cost.
_LEVEL_SET_SECONDS_PER_CELL = 1.3e-4
_LEVEL_SET_BUDGET_S = 30.0
_SEP = " "  # between sentences
# Intersectional tables with more groups than this are left out (too fine to read).
_MAX_INTERSECTIONS = 40


# ---------------------------------------------------------------------- helpers
def _pct(v: float | None) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{100 * v:.1f}%"


def _count(v: float, n: int) -> str:
    return f"{round(v * n):,}"








def _check_test_data(X: Any, y_arr: np.ndarray, X_test: Any, y_test: Any
                     ) -> tuple[Any, np.ndarray] | tuple[None, None]:
    """``(X_test, y_test)`` checked against the training data, or ``(None, None)``."""
    if X_test is None and y_test is None:
        return None, None
    if X_test is None or y_test is None:
        raise ValueError("X_test and y_test go together: pass both (the held-out rows and "
                         "their labels) or neither (then every measure is in-sample)")
    if isinstance(X, pd.DataFrame) != isinstance(X_test, pd.DataFrame):
        raise TypeError("X_test must be of the same kind as X (both DataFrames or both "
                        f"arrays), got {type(X).__name__} and {type(X_test).__name__}")
    if isinstance(X, pd.DataFrame):
        missing = [c for c in X.columns if c not in X_test.columns]
        if missing:
            raise ValueError(f"X_test lacks columns of X: {missing[:10]}")
        X_test = X_test[list(X.columns)]              # the column order the models saw
    else:
        shape, shape_t = np.shape(X), np.shape(X_test)
        if len(shape_t) != len(shape) or shape_t[1:] != shape[1:]:
            raise ValueError(f"X_test must have the features of X: shape (n, "
                             f"{', '.join(map(str, shape[1:]))}), got {shape_t}")
    y_test = align_to(X_test, y_test, name="y_test", reference_name="X_test")
    y_test_arr = check_y_for_X(X_test, y_test, "X_test", "y_test")
    unseen = sorted(set(pd.unique(y_test_arr)) - set(pd.unique(y_arr)), key=str)
    if unseen:
        raise ValueError(f"y_test holds classes that y does not: {unseen[:10]}; the models "
                         "cannot predict a class they never saw")
    return X_test, y_test_arr


def _rows_of(values: Any, X: Any, name: str, x_name: str) -> Any:
    """The entries of a pandas ``values`` for the rows of ``X`` (by index label)."""
    if not isinstance(values, pd.Series | pd.DataFrame) or not isinstance(
            X, pd.Series | pd.DataFrame):
        return values
    if values.index.equals(X.index):
        return values
    # A frame of the whole data may hold more rows than X (e.g. the test rows only).
    if not values.index.has_duplicates and X.index.isin(values.index).all():
        return values.loc[X.index]
    return align_to(X, values, name=name, reference_name=x_name)


def _check_sensitive(sensitive_features: Any, X: Any, n: int,
                     x_name: str = "X") -> dict[str, Groups]:
    """Name -> the groups of each row (the package's one rule, ``multiplicity._groups``);
    with several features also their intersection. See the ``sensitive_features``
    parameter of :func:`audit`."""
    sf = _rows_of(sensitive_features, X, "sensitive_features", x_name)
    if sf is None:
        return {}
    if isinstance(sf, str):
        sf = [sf]
    if isinstance(sf, pd.DataFrame):
        items = {str(c): sf[c] for c in sf.columns}
    elif isinstance(sf, pd.Series):
        items = {str(sf.name) if sf.name is not None else "group": sf}
    elif isinstance(sf, Mapping):
        items = {str(k): _rows_of(v, X, f"sensitive_features[{k!r}]", x_name)
                 for k, v in sf.items()}
    elif isinstance(sf, list | tuple) and sf and all(isinstance(s, str) for s in sf):
        columns = getattr(X, "columns", None)
        for s in sf:
            if columns is None or s not in columns:
                have = [] if columns is None else [str(c) for c in columns]
                raise ValueError(f"sensitive feature {s!r} is not a column of {x_name} "
                                 f"(columns: {have})" if columns is not None else
                                 f"sensitive feature {s!r} names a column, but X has no "
                                 "column names; pass the group labels as an array")
        items = {s: X[s] for s in sf}
    else:
        arr = np.asarray(sf, dtype=object)
        if arr.ndim != 1:
            raise TypeError("sensitive_features must be column names of X, a Series, a "
                            "DataFrame, a dict name -> labels, or one array of labels")
        items = {"group": arr}
    index = X.index if isinstance(X, pd.DataFrame | pd.Series) else None
    out = {name: group_labels(v, index=index, n=n, name=f"sensitive feature {name!r}",
                              reference_name=x_name)
           for name, v in items.items()}
    if len(out) >= 2:
        both = _intersection(out)
        if len(both.names) <= _MAX_INTERSECTIONS:
            out[" x ".join(out)] = both
    return out


def _intersection(groups: dict[str, Groups]) -> Groups:
    """Every feature's groups (bins included) crossed: the combinations that occur, in the
    lexicographic order of their parts, labelled ``"sex=female, age in (34, 50]"``."""
    def part(name: str, label: Any) -> str:
        text = str(label)
        return text if text.startswith(f"{name} in ") else f"{name}={text}"

    stacked = np.column_stack([g.codes for g in groups.values()])
    combos, codes = np.unique(stacked, axis=0, return_inverse=True)
    names = pd.Index([", ".join(part(name, g.names[c]) for (name, g), c in
                                zip(groups.items(), row, strict=True)) for row in combos])
    codes = codes.reshape(-1).astype(np.int64)
    return Groups(labels=np.asarray(names, dtype=object)[codes], codes=codes, names=names,
                  description=f"the combinations of {', '.join(groups)} that occur",
                  features=tuple(f for g in groups.values() for f in g.features))


def _check_annotations(annotations: Any):
    if annotations is None:
        return None
    from ..annotation import Annotations

    if isinstance(annotations, Annotations):
        return annotations
    if isinstance(annotations, pd.DataFrame) and {"item", "annotator", "label"} <= set(
            annotations.columns):
        return Annotations.from_long(annotations)
    from ..annotation._container import check_annotations

    return check_annotations(annotations, name="annotations")


def _fingerprint(X: Any, y: np.ndarray) -> str | None:
    """SHA-256 of the data's values (None for inputs that cannot be hashed cheaply)."""
    try:
        h = hashlib.sha256()
        h.update(pd.util.hash_pandas_object(pd.DataFrame(X), index=False).to_numpy().tobytes())
        h.update(pd.util.hash_pandas_object(pd.Series(y), index=False).to_numpy().tobytes())
        return h.hexdigest()
    except (TypeError, ValueError):
        return None


def _models_kind(estimator: Any) -> str:
    """What ``audit`` was given: "set", "explorer" (fitted), "models" or "estimator"."""
    from ..rashomon import RashomonSet

    if isinstance(estimator, RashomonSet):
        return "set"
    if hasattr(type(estimator), "rashomon_set_") or hasattr(estimator, "rashomon_set_"):
        try:
            estimator.rashomon_set_  # noqa: B018 - raises when the explorer is not fitted
        except (AttributeError, ValueError):
            return "estimator"
        return "explorer"
    if isinstance(estimator, list | tuple):
        if not estimator:
            raise ValueError("estimator is an empty list; pass fitted models, a "
                             "RashomonSet, a fitted explorer or an estimator to retrain")
        if all(hasattr(m, "predict") for m in estimator):
            return "models"
        raise TypeError("estimator is a list, but not of fitted models (objects with "
                        "predict)")
    return "estimator"


def _given_set(kind: str, estimator: Any, X: Any, y: np.ndarray, eps: float
               ) -> tuple[Any, Any, Any, dict[str, Any]]:
    """``(explorer or None, RashomonSet, estimator for the exact methods, source)`` for
    models the user already has (audited without refitting)."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    from ..rashomon import RashomonSet

    explorer = None
    if kind == "set":
        rset = estimator
    elif kind == "explorer":
        explorer, rset = estimator, estimator.rashomon_set_
    else:
        for i, model in enumerate(estimator):
            try:
                check_is_fitted(model)
            except NotFittedError:
                raise ValueError(f"model {i} of the list is not fitted; pass fitted models "
                                 "(or one estimator, which the audit retrains)") from None
            except TypeError:
                pass
        rset = RashomonSet.from_models(list(estimator), X, y, epsilon=eps)
    base = rset.models_[rset.baseline_index_]
    losses = (np.asarray(explorer.candidate_losses_, dtype=np.float64)
              if explorer is not None and hasattr(explorer, "candidate_losses_")
              else np.asarray(rset.losses_, dtype=np.float64))
    base_idx = (int(explorer.baseline_index_) if explorer is not None and
                hasattr(explorer, "baseline_index_") else int(rset.baseline_index_))
    what = ("a Rashomon set" if kind == "set" else
            f"a fitted {type(estimator).__name__}" if kind == "explorer" else
            f"a list of {len(estimator)} fitted models")
    if kind == "models":  # the set keeps only the models within epsilon
        losses, base_idx = np.array([rset.baseline_loss_]), 0
    source = {"kind": kind, "what": what, "candidate_losses": losses,
              "baseline_index": base_idx,
              "n_candidates": len(estimator) if kind == "models" else len(losses),
              "epsilon": float(rset.epsilon), "refitted": False}
    return explorer, rset, base, source


def _estimator_info(estimator: Any) -> dict[str, Any]:
    params = {}
    for k, v in estimator.get_params(deep=False).items():
        params[k] = v if v is None or isinstance(v, bool | int | float | str) else repr(v)
    return {"name": type(estimator).__name__, "repr": repr(estimator), "params": params}


class _Steps:
    """A tqdm bar over the audit's steps (silent when ``progress=False``)."""

    def __init__(self, names: list[str], enabled: bool) -> None:
        self._bar = None
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=len(names), desc="audit", unit="step", file=sys.stderr)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self._bar is not None:
            self._bar.set_description(f"audit: {name}")
        yield
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.set_description("audit: done")
            self._bar.close()


# ------------------------------------------------------------------ exact methods
def _split_linear(estimator: Any) -> tuple[Any, Any]:
    """``(preprocessing or None, final estimator)`` of a Pipeline or a bare estimator."""
    from sklearn.pipeline import Pipeline

    if isinstance(estimator, Pipeline):
        return (estimator[:-1] if len(estimator) > 1 else None), estimator[-1]
    return None, estimator


def _is_linear_classifier(est: Any) -> bool:
    from sklearn.svm import LinearSVC

    return type(est).__module__.startswith("sklearn.linear_model") or isinstance(est, LinearSVC)


def _exact_design(estimator: Any, X: Any, y: np.ndarray, X_measured: Any = None
                  ) -> tuple[np.ndarray | None, np.ndarray | None, str]:
    """The numeric features the final linear model sees on the training data and on the
    measured data (the preprocessing fitted on the training data), or None and the
    reason."""
    from sklearn.base import clone

    pre, _ = _split_linear(estimator)
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


def _level_set_seconds(n_distinct: int, n_features: int) -> float:
    """Estimated seconds of the level-set solves: linear in the distinct rows and the
    features (measured: 800 rows x 20 features 2.1 s; 2,100 rows x ~20 features 5.7 s)."""
    return _LEVEL_SET_SECONDS_PER_CELL * n_distinct * (n_features + 1)


def _logistic_level_set_plan(estimator: Any, n_classes: int, Xt: np.ndarray | None,
                             why_not: str, explicit: bool = False
                             ) -> tuple[bool, str, int]:
    from sklearn.linear_model import LogisticRegression

    _, final = _split_linear(estimator)
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


def _level_set_epsilon(ctx: Any, lls: Any, Xt: np.ndarray, bare: bool) -> tuple[float, str]:
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
    models = "retrained model" if ctx.source.get("refitted", True) else "model"
    return max(float(max(excess)), 1e-9), ("the smallest such set that contains every "
                                           f"{models} of the sampled set")


def _mip_plan(estimator: Any, n_classes: int, Xt: np.ndarray | None, why_not: str,
              max_rows: int) -> tuple[bool, str, int]:
    _, final = _split_linear(estimator)
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


# ----------------------------------------------------------------------- audit
def audit(estimator: Any, X: Any, y: ArrayLike, *, X_test: Any = None,
          y_test: ArrayLike | None = None, sensitive_features: Any = None,
          annotations: Any = None, epsilon: float = 0.01, n_models: int = 100,
          random_state: Any = None, progress: bool = True,
          perturbation: Literal["seed", "bootstrap", "subsample"] = "bootstrap",
          exact: Literal["auto", "vpr", "mip", "none"] = "auto",
          mip_time_limit: float | None = 5.0, mip_max_rows: int = 150,
          delta: float = 0.1, alpha: float = 0.05, subject: str = "people",
          title: str | None = None, importance_max_samples: int | None = 2000,
          n_resamples: int = 1000, figures: bool = True,
          n_jobs: int | None = None) -> AuditReport:
    """Audit the predictive multiplicity of ``estimator`` on ``(X, y)``.

    The audit retrains ``estimator`` ``n_models`` times
    (:class:`~multiplicity.rashomon.RetrainingExplorer`, bootstrap resamples by default),
    keeps the models whose training 0-1 loss is within ``epsilon`` of the best one (the
    sampled Rashomon set; the best is the baseline h0) and reports:

    - the multiplicity profile: ambiguity, discrepancy, probabilistic ambiguity and
      discrepancy (``>= delta``), Rashomon capacity, viable prediction ranges,
      self-consistency, accuracies;
    - exact methods when they apply: the viable prediction ranges over the whole level
      set of an L2-regularised ``LogisticRegression``
      (:class:`~multiplicity.rashomon.LogisticLevelSet`, when it takes a few seconds at
      most) and the exact ambiguity and discrepancy over all linear classifiers
      (:class:`~multiplicity.rashomon.LinearMIPExplorer`, when the data have at most
      ``mip_max_rows`` distinct feature vectors); otherwise the report says why not;
    - the measures by group for each sensitive feature
      (:meth:`~multiplicity.rashomon.MultiplicityProfile.by_group`) with abstention;
    - selective-ensemble abstention: the set's members vote and abstain where the
      binomial test of the top two vote counts has p-value > ``alpha``
      (:func:`~multiplicity.ensemble.selective_vote`);
    - feature-importance ranges over the set
      (``multiplicity.explain.feature_importance_range``, when installed);
    - with ``annotations``: agreement coefficients with bootstrap confidence intervals
      (:func:`~multiplicity.annotation.agreement`), item disagreement and the labels of
      majority vote against Dawid-Skene.

    Parameters
    ----------
    estimator : scikit-learn classifier, fitted explorer, RashomonSet or list of models
        What to audit:

        - an unfitted learner (or Pipeline): cloned and retrained ``n_models`` times on
          ``(X, y)`` (a :class:`~multiplicity.rashomon.RetrainingExplorer`); the learner
          itself is never fitted;
        - models the user already has, audited without refitting: a fitted
          ``RetrainingExplorer``, ``DropoutExplorer`` or ``LinearMIPExplorer`` (its
          Rashomon set), a :class:`~multiplicity.rashomon.RashomonSet`, or a list of
          fitted classifiers (the set is built with ``RashomonSet.from_models(models, X,
          y, epsilon=epsilon)``; the report says how many were dropped and why). The set's
          own epsilon is the one reported. ``X`` and ``y`` must then be the data the
          models were trained on.
    X : array-like or DataFrame of shape (n_samples, n_features)
        Training data: the models are trained and the Rashomon set is chosen on it.
        Without ``X_test`` every measure is also computed on it (in-sample, which the
        report says plainly).
    y : array-like of shape (n_samples,)
        Labels. A Series meets a DataFrame ``X`` on the index (rows with the same label
        belong together; different labels raise).
    X_test, y_test : array-like or DataFrame, default=None
        Held-out data (both or neither): every measure, group table, per-person row and
        figure is then computed on them, and the report says which data each number
        comes from. The exact MIP stays on the training data, the data the set is
        defined on. ``X_test`` must have the columns of ``X``; ``y_test`` meets
        ``X_test`` on the index.
    sensitive_features : None, str, list of str, Series, DataFrame, dict or array-like
        Groups to break the measures down by, for the rows the measures are computed on
        (``X_test`` when given, else ``X``): column names of that DataFrame (the columns
        stay in it), a named Series, a DataFrame (one feature per column), a dict name ->
        labels, or one array of labels (called ``"group"``). pandas objects are matched
        by index label (a Series of the whole data set may hold more rows; those of the
        audited data are taken); arrays by position. Missing values form a group
        ``"(missing)"``.
    annotations : Annotations or DataFrame, default=None
        Human labels of the items: an :class:`~multiplicity.annotation.Annotations`, a
        long DataFrame with columns ``item``, ``annotator``, ``label``, or a wide table
        (rows items, columns annotators).
    epsilon : float, default=0.01
        Rashomon parameter on the training 0-1 loss (absolute), >= 0. The exact level
        set of logistic regression uses the same value on its regularised log loss.
    n_models : int, default=100
        Models to retrain (ignored when ``estimator`` holds fitted models).
    random_state : int, RandomState, Generator or None, default=None
        Seed of everything random. None draws one; the report records the int it used
        (``parameters["random_state"]``), so every report can be regenerated.
    progress : bool, default=True
        Show a progress bar over the steps on stderr.
    perturbation : {"bootstrap", "seed", "subsample"}, default="bootstrap"
        What differs between retrained models (see ``RetrainingExplorer``).
    exact : {"auto", "vpr", "mip", "none"}, default="auto"
        Exact methods to try: both, only the logistic level set, only the MIP, none.
        ``"auto"`` skips the level set when its estimated time (linear in the distinct
        rows and the features: about 1.3e-4 s per row and feature) exceeds 30 s;
        ``"vpr"`` runs it whatever it costs.
    mip_time_limit : float or None, default=5.0
        Seconds per search of the exact ``LinearMIPExplorer`` (its baseline, each point,
        the discrepancy); points not settled in time are reported as bounds. None waits
        for every proof.
    mip_max_rows : int, default=150
        Largest number of distinct feature vectors for which the MIP is attempted.
    delta : float, default=0.1
        Threshold of the probabilistic measures.
    alpha : float, default=0.05
        Significance level of the selective ensemble.
    subject : str, default="people"
        Plural noun used in the plain-language text ("defendants", "applicants").
    title : str, default=None
        Report title.
    importance_max_samples : int or None, default=2000
        Rows (a seeded random subset) used for the permutation importances; None: all.
    n_resamples : int, default=1000
        Bootstrap resamples of the agreement coefficients.
    figures : bool, default=True
        Draw the figures (PNG). False is faster and enough for :meth:`AuditReport.to_json`.
    n_jobs : int, default=None
        Parallel model fits (joblib) and MIP workers.

    Returns
    -------
    AuditReport

    Raises
    ------
    ValueError
        ``y`` of another length than ``X``, pandas inputs whose indexes do not match,
        only one of ``X_test`` and ``y_test``, ``X_test`` without the columns of ``X``,
        ``epsilon < 0``, ``n_models < 1``, an unknown sensitive column or one of the
        wrong length, an unknown ``exact`` option, an unfitted model in a list.

    Notes
    -----
    Warnings raised by the steps (e.g. convergence warnings of the retrained models, or
    an exact MIP stopped by its time limit) are collected into ``report.notes`` and the
    report's "Notes" section instead of being shown. With a fixed ``random_state`` the
    report is deterministic, apart from its time stamp (and the MIP, whose results can
    depend on the time limit).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(n_samples=300, n_features=4, flip_y=0.2, random_state=0)
    >>> group = np.where(X[:, 0] > 0, "a", "b")
    >>> report = audit(LogisticRegression(), X, y, sensitive_features={"group": group},
    ...                n_models=10, exact="none", random_state=0, progress=False,
    ...                figures=False)
    >>> [s.id for s in report.sections][:4]
    ['overview', 'multiplicity', 'exact', 'groups']
    >>> s = report.summary()["value"]
    >>> bool(s["ambiguity"] >= s["discrepancy"])
    True
    >>> text = report.to_json()  # or to_html("audit.html"), to_markdown("audit.md")
    """
    from sklearn.base import clone

    eps = check_epsilon(epsilon, "absolute")
    delta = check_delta(delta)
    alpha = check_alpha(alpha)
    n_models = check_int(n_models, "n_models", 1)
    mip_max_rows = check_int(mip_max_rows, "mip_max_rows", 1)
    n_resamples = check_int(n_resamples, "n_resamples", 2)
    if exact not in EXACT_OPTIONS:
        raise ValueError(f"exact must be one of {EXACT_OPTIONS}, got {exact!r}")
    if perturbation not in ("seed", "bootstrap", "subsample"):
        raise ValueError("perturbation must be 'bootstrap', 'seed' or 'subsample', "
                         f"got {perturbation!r}")
    if importance_max_samples is not None:
        importance_max_samples = check_int(importance_max_samples,
                                            "importance_max_samples", 10)
    if not isinstance(progress, bool | np.bool_):
        raise TypeError(f"progress must be a bool, got {progress!r}")
    y_arr = check_y_for_X(X, align_to(X, y, name="y"))
    X_test, y_test_arr = _check_test_data(X, y_arr, X_test, y_test)
    held_out = X_test is not None
    Xm, ym = (X_test, y_test_arr) if held_out else (X, y_arr)
    groups = _check_sensitive(sensitive_features, Xm, ym.shape[0],
                              "X_test" if held_out else "X")
    ann = _check_annotations(annotations)
    kind = _models_kind(estimator)
    seed = resolve_seed(random_state)
    sub_seeds = [int(s) for s in np.random.SeedSequence(seed).generate_state(3)]

    ctx = _Context(estimator=estimator, X=X, y=y_arr, Xm=Xm, ym=ym, held_out=held_out,
                   eps=eps, n_models=n_models, seed=seed, groups=groups, ann=ann,
                   delta=delta, alpha=alpha, subject=subject, n_jobs=n_jobs,
                   figures=bool(figures), exact_explicit=exact in ("vpr", "mip"))
    names = ["retraining", "profile", "exact", "groups", "abstention", "importance",
             "annotations", "figures"]
    steps = _Steps(names, bool(progress))
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if kind == "estimator":
                with steps.step(f"retraining {n_models} models"):
                    from ..rashomon import RetrainingExplorer

                    ctx.explorer = RetrainingExplorer(
                        clone(estimator), n_models=n_models, perturbation=perturbation,
                        epsilon=eps, random_state=seed, n_jobs=n_jobs).fit(X, y_arr)
                    ctx.rset = ctx.explorer.rashomon_set_
                    ctx.source = {
                        "kind": kind, "what": type(estimator).__name__, "refitted": True,
                        "candidate_losses": ctx.explorer.candidate_losses_,
                        "baseline_index": int(ctx.explorer.baseline_index_),
                        "n_candidates": n_models, "epsilon": eps}
            else:
                with steps.step("the given models"):
                    ctx.explorer, ctx.rset, ctx.estimator, ctx.source = _given_set(
                        kind, estimator, X, y_arr, eps)
                    eps = ctx.eps = ctx.source["epsilon"]
            with steps.step("multiplicity profile"):
                ctx.profile = ctx.rset.profile(Xm, ym, delta=delta)
            with steps.step("exact methods"):
                exact_sec = _exact_section(ctx, exact, mip_time_limit, mip_max_rows)
            with steps.step("abstention"):
                abst_sec = _abstention_section(ctx)
            with steps.step("groups"):
                groups_sec = _groups_section(ctx)
            with steps.step("feature importance"):
                imp_sec = _importance_section(ctx, importance_max_samples, sub_seeds[0])
            with steps.step("annotations"):
                ann_sec = _annotation_section(ctx, n_resamples, sub_seeds[1])
            with steps.step("overview"):
                overview = _overview_section(ctx, perturbation)
                multi = _multiplicity_section(ctx)
        finally:
            steps.close()
    for w in caught:
        text = f"{w.category.__name__}: {str(w.message).strip()}"
        if text not in notes:
            notes.append(text)
    for sec in (exact_sec, imp_sec, ann_sec):
        for key, reason in sec.numbers.get("skipped", {}).items():
            notes.append(f"{_SKIP_LABELS.get(key, sec.title)}: skipped: {reason}")

    parameters = {
        "estimator": (_estimator_info(estimator) if kind == "estimator" else
                      _estimator_info(ctx.estimator) | {"given": ctx.source["what"]}),
        "models": kind, "epsilon": eps, "epsilon_mode": "absolute", "loss": "zero_one",
        "n_models": n_models if kind == "estimator" else ctx.source["n_candidates"],
        "perturbation": perturbation if kind == "estimator" else None,
        "random_state": seed,
        "random_state_given": None if random_state is None else repr(random_state),
        "delta": float(delta), "alpha": float(alpha), "exact": exact,
        "mip_time_limit": mip_time_limit, "mip_max_rows": mip_max_rows,
        "importance_max_samples": importance_max_samples, "n_resamples": n_resamples,
        "sensitive_features": list(groups), "annotations": ann is not None,
        "subject": subject, "figures": bool(figures),
        "evaluation": "held-out" if held_out else "in-sample",
    }
    data = _data_info(X, y_arr, ctx.rset.classes_)
    if held_out:
        data["test"] = _data_info(X_test, y_test_arr, ctx.rset.classes_)
    data["measured_on"] = "X_test" if held_out else "X"
    sections = [overview, multi, exact_sec, groups_sec, abst_sec, imp_sec, ann_sec,
                _notes_section(notes), _reproduce_section(parameters, data)]
    title_name = (type(estimator).__name__ if kind == "estimator"
                  else type(ctx.estimator).__name__)
    return AuditReport(
        title=title or f"Multiplicity audit: {title_name}",
        subject=subject, parameters=parameters, data=data, sections=sections,
        headline=_headline(ctx, sections, groups), version=__version__,
        created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"), notes=notes,
        rashomon_set=ctx.rset, profile=ctx.profile, explorer=ctx.explorer,
        per_person_table=_per_person(ctx))


def _per_person(ctx: _Context) -> pd.DataFrame:
    """One row per person of the measured data (see :meth:`AuditReport.per_person`)."""
    p, rs = ctx.profile, ctx.rset
    index = (ctx.Xm.index if isinstance(ctx.Xm, pd.DataFrame | pd.Series)
             else pd.RangeIndex(p.n_samples))
    classes = np.asarray(rs.classes_)
    codes = ctx.codes if ctx.codes is not None else rs.predict_codes(ctx.Xm)
    base = codes[rs.baseline_index_]
    cols: dict[str, Any] = {
        "prediction": classes[base],
        "y_true": ctx.ym,
        "flipped": (codes != base[None, :]).any(axis=0),
        "models_disagreeing": (codes != base[None, :]).sum(axis=0),
        "self_consistency": p.self_consistency,
    }
    if p.vpr is not None and np.ndim(p.vpr) == 2 and len(classes) == 2:
        cols["vpr_class"] = np.repeat(classes[1:2], p.n_samples)
        cols["vpr_low"], cols["vpr_high"] = p.vpr[:, 0], p.vpr[:, 1]
    if "vpr" in ctx.exact:
        cols["exact_vpr_low"] = ctx.exact["vpr"][:, 0]
        cols["exact_vpr_high"] = ctx.exact["vpr"][:, 1]
    if ctx.abstained is not None:
        cols["abstained"] = ctx.abstained
    for name, g in ctx.groups.items():
        cols[f"group:{name}"] = g.labels
    out = pd.DataFrame(cols, index=index)
    out.attrs["measured_on"] = "X_test" if ctx.held_out else "X"
    return out


_SKIP_LABELS = {"level_set": "Exact viable prediction ranges (logistic level set)",
                "mip": "Exact ambiguity and discrepancy (MIP)",
                "importance": "Feature-importance ranges",
                "aggregation": "Label aggregation",
                "agreement": "Agreement coefficients"}


class _Context:
    """What the section builders share."""

    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)
        self.explorer = self.rset = self.profile = None
        self.source: dict[str, Any] = {}
        self.abstained: np.ndarray | None = None
        self.codes: np.ndarray | None = None
        self.exact: dict[str, Any] = {}
        self.importance: pd.DataFrame | None = None
        self.annotation: dict[str, Any] = {}


def _data_info(X: Any, y: np.ndarray, classes: np.ndarray) -> dict[str, Any]:
    n = n_samples_of(X)
    shape = getattr(X, "shape", None)
    n_features = int(shape[1]) if shape is not None and len(shape) == 2 else None
    cols = getattr(X, "columns", None)
    names = ([str(c) for c in cols] if cols is not None else
             [f"x{i}" for i in range(n_features or 0)])
    values, counts = np.unique(y, return_counts=True)
    return {"n_samples": n, "n_features": n_features, "feature_names": names,
            "classes": [c.item() if hasattr(c, "item") else c for c in classes],
            "class_counts": {str(v): int(c) for v, c in zip(values, counts, strict=True)},
            "sha256": _fingerprint(X, y)}


# ---------------------------------------------------------------------- sections
def _overview_section(ctx: _Context, perturbation: str) -> Section:
    rs, prof, src = ctx.rset, ctx.profile, ctx.source
    losses = np.asarray(src["candidate_losses"], dtype=np.float64)
    base_err = float(losses[src["baseline_index"]])
    n_cand = int(src["n_candidates"])
    if src["refitted"]:
        how = {"bootstrap": "each on a bootstrap resample of the rows",
               "seed": "each with its own random seed",
               "subsample": "each on a random half of the rows"}[perturbation]
        first = (f"We trained the model {n_cand} times, {how}. {len(rs)} of these models "
                 f"have a training error at most {ctx.eps:g} above the best one's "
                 f"({base_err:.4f}): they are equally good by that standard, and together "
                 "they form the sampled Rashomon set.")
    else:
        first = (f"The audit was given {src['what']} and did not retrain anything. "
                 f"{len(rs)} of its {n_cand} models have a loss on the training data at "
                 f"most {ctx.eps:g} above the best one's ({base_err:.4f}) and form the "
                 "Rashomon set audited here.")
        dropped = n_cand - len(rs) if src["kind"] == "models" else 0
        if dropped:
            first += (f" The other {dropped} were dropped: their losses exceed the "
                      f"threshold {float(rs.threshold_):.4f}.")
    n_m = prof.n_samples
    where = (f"Every measure below is computed on the held-out data ({n_m:,} {ctx.subject} "
             "the models were not trained on), unless it says otherwise." if ctx.held_out
             else f"Every measure below is in-sample: computed on the {n_m:,} "
             f"{ctx.subject} the models were trained on. Models agree more on data they "
             "have seen (a flexible model that fits its training data exactly shows no "
             "disagreement there at all), so these figures understate the multiplicity a "
             "new person meets; pass X_test and y_test to measure it on held-out data.")
    paras = [
        first + " The best model is the baseline every comparison below is made against.",
        where,
        f"Their accuracy on the {ctx.subject} audited ranges from "
        f"{prof.min_accuracy:.4f} to {prof.max_accuracy:.4f} (baseline "
        f"{prof.baseline_accuracy:.4f}). A deployer could have picked any of them.",
        "The set is a sample: a larger search can only find more disagreement, so the "
        "measures below are lower bounds (the exact methods, when they apply, give the "
        "full picture for linear models).",
    ]
    if len(rs) == 1:
        paras.append("Only one model is in the set, so no disagreement can be measured; "
                     "a larger epsilon or more models would show the multiplicity.")
    table = pd.DataFrame({"value": [n_cand, len(rs), base_err, float(rs.threshold_),
                                    prof.baseline_accuracy, prof.min_accuracy,
                                    prof.max_accuracy]},
                         index=pd.Index(["models trained" if src["refitted"]
                                         else "models given", "models in the Rashomon set",
                                         "baseline training error", "largest error in the set",
                                         "baseline accuracy", "lowest accuracy in the set",
                                         "highest accuracy in the set"], name="quantity"),
                         dtype=object)
    tables = {"set": ("The Rashomon set", table)}
    pool = getattr(rs, "pool_", None)
    if src["kind"] == "models" and isinstance(pool, pd.DataFrame):
        tables["pool"] = ("The given models: training loss and whether the set kept them",
                          pool)
    return Section("overview", "Overview", paras,
                   numbers={"n_models": n_cand, "n_in_set": len(rs),
                            "models": src["kind"], "refitted": bool(src["refitted"]),
                            "evaluation": "held-out" if ctx.held_out else "in-sample",
                            "n_measured": int(n_m),
                            "baseline_index": int(src["baseline_index"]),
                            "baseline_error": base_err, "threshold": float(rs.threshold_),
                            "candidate_losses": losses.tolist(),
                            "baseline_accuracy": prof.baseline_accuracy,
                            "min_accuracy": prof.min_accuracy,
                            "max_accuracy": prof.max_accuracy},
                   tables=tables)


def _multiplicity_section(ctx: _Context) -> Section:
    p, n, who = ctx.profile, ctx.profile.n_samples, ctx.subject
    paras = [
        (f"Measured on the held-out data: {n:,} {who} the models were not trained on."
         if ctx.held_out else f"Measured in-sample: on the {n:,} {who} the models were "
         "trained on (see the overview)."),
        f"Ambiguity {p.ambiguity:.4f}: for {_pct(p.ambiguity)} of {who} "
        f"({_count(p.ambiguity, n)} of {n:,}), at least one equally good model gives a "
        "different prediction than the baseline. For them the outcome depends on an "
        "arbitrary choice between models, not on the data.",
        f"Discrepancy {p.discrepancy:.4f}: replacing the baseline by a single other "
        f"equally good model would change the prediction for up to {_pct(p.discrepancy)} "
        f"of {who} at once.",
        f"Self-consistency {p.mean_self_consistency:.4f}: two models drawn at random from "
        f"the set agree on a person's prediction {_pct(p.mean_self_consistency)} of the "
        "time on average.",
    ]
    if p.vpr_width is not None:
        wide = float(np.mean(p.vpr_width >= ctx.delta))
        paras += [
            f"Viable prediction range: across the set, the predicted probability for one "
            f"person moves by {p.mean_vpr_width:.4f} on average (maximum minus minimum); "
            f"for {_pct(wide)} of {who} it moves by {ctx.delta:g} or more.",
            f"Probabilistic ambiguity {p.probabilistic_ambiguity:.4f} (delta = "
            f"{p.delta:g}): for {_pct(p.probabilistic_ambiguity)} of {who}, some model in "
            f"the set moves the predicted probability by at least {p.delta:g} away from "
            "the baseline's; probabilistic discrepancy "
            f"{p.probabilistic_discrepancy:.4f} is the largest share one model moves.",
            f"Rashomon capacity {p.mean_rashomon_capacity:.4f} on average (1 = all "
            f"models give the same probabilities, {len(p.classes)} = they spread over "
            "every class): how many distinct outcomes the set effectively offers one "
            "person.",
        ]
    else:
        paras.append("The models have no predict_proba, so the probabilistic measures "
                     "(viable prediction range, Rashomon capacity) are not available.")
    summary = p.summary().to_frame()
    summary.index.name = "measure"
    return Section("multiplicity", "Predictive multiplicity", paras,
                   numbers={k: (None if getattr(p, k) is None else float(getattr(p, k)))
                            for k in SCALARS}
                   | {"n_samples": n, "delta": p.delta,
                      "share_vpr_width_at_least_delta":
                          None if p.vpr_width is None else float(np.mean(p.vpr_width
                                                                          >= ctx.delta))},
                   tables={"profile": ("Measures of the sampled Rashomon set", summary)},
                   figures=[Figure("profile", "Left: viable prediction range widths; "
                                   "middle: Rashomon capacities; right: share of "
                                   f"{who} affected.", _figures.profile_figure(p))]
                   if ctx.figures else [])


def _exact_section(ctx: _Context, exact: str, time_limit: float | None,
                   max_rows: int) -> Section:
    sec = Section("exact", "Exact methods (linear models)")
    skipped: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    n_classes = len(ctx.rset.classes_)
    Xt, Xt_m, why_not = _exact_design(ctx.estimator, ctx.X, ctx.y,
                                      ctx.Xm if ctx.held_out else None)
    p = ctx.profile
    # -- logistic level set: exact viable prediction ranges
    if exact in ("auto", "vpr"):
        ok, reason, _ = _logistic_level_set_plan(ctx.estimator, n_classes, Xt, why_not,
                                                 explicit=exact == "vpr")
        if ok:
            from ..rashomon import LogisticLevelSet

            pre, final = _split_linear(ctx.estimator)
            try:
                lls = LogisticLevelSet(C=float(final.C), epsilon=ctx.eps,
                                       fit_intercept=bool(final.fit_intercept),
                                       n_jobs=ctx.n_jobs).fit(Xt, ctx.y)
                eps_ll, how_eps = _level_set_epsilon(ctx, lls, Xt, pre is None)
                lls.set_params(epsilon=eps_ll).fit(Xt, ctx.y)
                vpr = lls.viable_prediction_range(Xt_m)
            except (ValueError, RuntimeError) as e:
                skipped["level_set"] = f"the level-set solve failed ({e})"
            else:
                width = vpr[:, 1] - vpr[:, 0]
                p_amb = float(lls.probabilistic_ambiguity(Xt_m, delta=ctx.delta))
                crosses = float(np.mean((vpr[:, 0] < 0.5) & (vpr[:, 1] >= 0.5)))
                ctx.exact.update(vpr=vpr, vpr_width=width, vpr_mean_width=float(width.mean()),
                                 vpr_probabilistic_ambiguity=p_amb,
                                 vpr_crosses_half=crosses, vpr_epsilon=eps_ll)
                sampled = np.nan if p.vpr_width is None else p.mean_vpr_width
                sec.paragraphs.append(
                    f"Over every L2-regularised logistic regression (C = {final.C:g}) whose "
                    f"regularised log loss is within {eps_ll:.3g} of the best ({how_eps}), "
                    f"the predicted probability for one person ranges by {width.mean():.4f} "
                    f"on average (the retrained sample found {sampled:.4f}). For "
                    f"{_pct(crosses)} of {ctx.subject} the range straddles 0.5: some "
                    "equally good logistic model predicts each class. Probabilistic "
                    f"ambiguity over the whole level set: {p_amb:.4f} (delta = "
                    f"{ctx.delta:g}).")
                rows += [
                    {"method": "logistic level set", "measure": "mean VPR width",
                     "exact": float(width.mean()), "sampled": sampled},
                    {"method": "logistic level set", "measure": "probabilistic ambiguity",
                     "exact": p_amb, "sampled": p.probabilistic_ambiguity},
                    {"method": "logistic level set", "measure": "share with range across 0.5",
                     "exact": crosses, "sampled": np.nan},
                ]
                if p.vpr_width is not None and ctx.figures:
                    sec.figures.append(Figure(
                        "exact_vpr", "Viable prediction range widths: the retrained sample "
                        "against the exact logistic level set.",
                        _figures.exact_vpr_figure(p.vpr_width, width)))
        else:
            skipped["level_set"] = reason
    else:
        skipped["level_set"] = f"not requested (exact={exact!r})"
    # -- MIP: exact ambiguity and discrepancy over all linear classifiers
    if exact in ("auto", "mip"):
        ok, reason, n_distinct = _mip_plan(ctx.estimator, n_classes, Xt, why_not, max_rows)
        if ok:
            from ..rashomon import LinearMIPExplorer

            with quiet_native_stdout():
                mip = LinearMIPExplorer(epsilon=ctx.eps, time_limit=time_limit,
                                        n_jobs=ctx.n_jobs).fit(Xt, ctx.y)
            a_lo, a_hi = (float(v) for v in mip.ambiguity_bounds_)
            d_lo, d_hi = (float(v) for v in mip.discrepancy_bounds_)
            ctx.exact.update(mip_ambiguity=a_lo, mip_ambiguity_upper=a_hi,
                             mip_discrepancy=d_lo, mip_discrepancy_upper=d_hi,
                             mip_is_exact=bool(mip.is_exact_),
                             mip_baseline_error=float(mip.baseline_error_),
                             mip_error_budget=int(mip.error_budget_),
                             mip_distinct_rows=n_distinct)
            bound = "" if mip.is_exact_ else (
                f" Some searches hit the time limit of {time_limit} s, so the true values "
                f"lie in [{a_lo:.4f}, {a_hi:.4f}] (ambiguity) and [{d_lo:.4f}, {d_hi:.4f}] "
                "(discrepancy); the figures quoted are the proven lower bounds.")
            # The MIP is exact on the data the set is defined on (the training data).
            on_train = ctx.held_out
            sample_amb = np.nan if on_train else p.ambiguity
            sample_disc = np.nan if on_train else p.discrepancy
            compare = ((" These exact figures are on the training data, the data the "
                        "set is defined on; the sampled measures above are on the held-out "
                        "data, so the two are not compared.") if on_train else "")
            sec.paragraphs.append(
                f"Over every linear classifier whose training error is within {ctx.eps:g} of "
                f"the best possible ({mip.baseline_error_:.4f}; at most "
                f"{mip.error_budget_} extra mistakes), an exact search (mixed-integer "
                f"programming) finds that {_pct(a_lo)} of the {ctx.subject} in the training "
                "data can have their prediction flipped by some equally good linear model "
                f"(ambiguity {a_lo:.4f}"
                + ("" if on_train else f"; the retrained sample found {p.ambiguity:.4f}")
                + f"), and one such model alone flips {_pct(d_lo)} (discrepancy {d_lo:.4f}"
                + ("" if on_train else f"; sample {p.discrepancy:.4f}") + ")." + bound
                + compare)
            sampled_err = 1.0 - p.baseline_accuracy
            if not on_train and sampled_err > mip.baseline_error_ + ctx.eps + 1e-12:
                sec.paragraphs.append(
                    f"The retrained models are not all in this set: the best of them errs on "
                    f"{sampled_err:.4f} of the data, more than the best linear classifier "
                    f"({mip.baseline_error_:.4f}) plus epsilon. The sample's figures are "
                    "relative to that weaker baseline, so the two are not directly "
                    "comparable.")
            rows += [
                {"method": "MIP (all linear classifiers)", "measure": "ambiguity",
                 "exact": a_lo, "sampled": sample_amb},
                {"method": "MIP (all linear classifiers)", "measure": "discrepancy",
                 "exact": d_lo, "sampled": sample_disc},
            ]
        else:
            skipped["mip"] = reason
    else:
        skipped["mip"] = f"not requested (exact={exact!r})"
    for key, reason in skipped.items():
        sec.paragraphs.append(f"{_SKIP_LABELS[key]}: skipped because {reason}.")
    if rows:
        table = pd.DataFrame(rows).set_index(["method"])
        sec.tables["comparison"] = ("Exact values against the retrained sample", table)
    else:
        sec.status = "skipped"
    sec.numbers = {k: v for k, v in ctx.exact.items() if k not in ("vpr", "vpr_width")}
    sec.numbers["skipped"] = skipped
    return sec


def _abstention_section(ctx: _Context) -> Section:
    from ..ensemble import selective_vote

    codes = ctx.rset.predict_codes(ctx.Xm)
    labels, p_values = selective_vote(codes, alpha=ctx.alpha, abstain_label=-1)
    abstained = labels == -1
    ctx.abstained = abstained
    ctx.codes = codes
    rate = float(abstained.mean())
    answered = ~abstained
    y_codes = pd.Index(ctx.rset.classes_).get_indexer(pd.Index(ctx.ym))
    acc = float(np.mean(labels[answered] == y_codes[answered])) if answered.any() else np.nan
    m = len(ctx.rset)
    paras = [
        f"If the {m} models of the set vote, and a prediction is made only where the "
        f"vote is clear (two-sided binomial test of the top two vote counts at alpha = "
        f"{ctx.alpha:g}), the system abstains for {_pct(rate)} of {ctx.subject} "
        f"({_count(rate, len(abstained))}). Those are the people for whom the choice of "
        "model decides the outcome; they would need another decision procedure, for "
        "example review by a person.",
        f"Where the ensemble does answer, it is right {_pct(acc)} of the time (against "
        f"{_pct(ctx.profile.baseline_accuracy)} for the baseline on everyone).",
    ]
    need = int(np.ceil(1 + np.log2(1 / ctx.alpha)))
    if m < need:
        paras.append(f"With {m} models even a unanimous vote is not significant at alpha = "
                     f"{ctx.alpha:g} (it needs at least {need}), so the ensemble abstains "
                     "everywhere; audit with more models.")
    table = pd.DataFrame({"value": [m, ctx.alpha, rate, acc]},
                         index=pd.Index(["models voting", "alpha", "abstention rate",
                                         "accuracy where answered"], name="quantity"),
                         dtype=object)
    return Section("abstention", "Selective ensemble: abstention", paras,
                   numbers={"alpha": ctx.alpha, "n_voters": m, "abstention_rate": rate,
                            "accuracy_where_answered": acc,
                            "n_abstained": int(abstained.sum()),
                            "mean_p_value": float(np.mean(p_values))},
                   tables={"abstention": ("Selective ensemble", table)})


_GROUP_BARS = ["ambiguity", "discrepancy", "abstention_rate"]


def _groups_section(ctx: _Context) -> Section:
    sec = Section("groups", "Who is affected: measures by group")
    if not ctx.groups:
        sec.status = "skipped"
        sec.paragraphs.append("No sensitive features were given. Pass "
                              "sensitive_features= (for example sex or age group) to see "
                              "whether the arbitrariness of the model choice falls more on "
                              "some groups than on others.")
        return sec
    sec.paragraphs.append(
        "Each row repeats the measures within one group. A gap between groups means that "
        "the arbitrary choice between equally good models weighs more on some groups.")
    for name, g in ctx.groups.items():
        # An ordered Categorical keeps the groups in their order (intervals increasing).
        table = ctx.profile.by_group(pd.Categorical(g.labels, categories=g.names,
                                                    ordered=True), bins=None)
        worst = dict(table.attrs.get("worst_large_group") or
                     table.attrs.get("worst_group", {}))
        size = g.sizes
        abst = np.bincount(g.codes, weights=ctx.abstained.astype(float), minlength=len(size))
        rates = pd.Series(abst / np.maximum(size, 1), index=g.names)
        large = ~small_groups(size, int(size.sum()))
        ranked = rates[large] if large.any() else rates
        table["abstention_rate"] = [rates.get(k, np.nan) for k in table.index[:-2]] + [
            float(ctx.abstained.mean()), float(rates.max() - rates.min())]
        worst["abstention_rate"] = ranked.idxmax()
        groups_only = table.drop(index=["overall", "max-min gap"])
        if g.description:
            sec.paragraphs.append(f"{name}: {g.description}")
        lo_g, hi_g = groups_only["ambiguity"].idxmin(), groups_only["ambiguity"].idxmax()
        sec.paragraphs.append(
            f"By {name}: ambiguity ranges from {_pct(groups_only['ambiguity'][lo_g])} "
            f"({lo_g}, n = {int(size[g.names.get_loc(lo_g)]):,}) to "
            f"{_pct(groups_only['ambiguity'][hi_g])} ({hi_g}, n = "
            f"{int(size[g.names.get_loc(hi_g)]):,}) of {ctx.subject} "
            f"in a group, a gap of {100 * table.loc['max-min gap', 'ambiguity']:.1f} "
            "percentage points; the selective ensemble abstains for "
            f"{_pct(rates.min())} to {_pct(rates.max())} "
            f"(most for {worst['abstention_rate']}"
            + (" among the groups large enough to rank" if not large.all() else "") + ").")
        caveat = table.attrs.get("caveat")
        if caveat:
            sec.paragraphs.append(caveat)
        sec.tables[f"by_{name}"] = (f"Measures by {name}", table)
        sec.numbers[name] = {"worst_group": {k: str(v) for k, v in worst.items()},
                             "group_sizes": {str(k): int(v) for k, v in
                                             zip(g.names, size, strict=True)},
                             "small_groups": [str(k) for k, small in
                                              zip(g.names, ~large, strict=True) if small],
                             "ambiguity_gap": float(table.loc["max-min gap", "ambiguity"]),
                             "abstention_gap": float(rates.max() - rates.min())}
        cols = [c for c in _GROUP_BARS if c in table.columns]
        if ctx.figures:
            sec.figures.append(Figure(f"groups_{_slug(name)}",
                                      f"Ambiguity, discrepancy and abstention by {name}.",
                                      _figures.groups_figure(table, name, cols)))
    return sec


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower())


def _importance_section(ctx: _Context, max_samples: int | None, seed: int) -> Section:
    sec = Section("importance", "Feature importance across equally good models")
    try:
        from ..explain import feature_importance_range
    except ImportError:
        sec.status = "not available"
        reason = ("multiplicity.explain.feature_importance_range is not available in this "
                  "version of multiplicity")
        sec.paragraphs.append(f"Not available: {reason}.")
        sec.numbers["skipped"] = {"importance": reason}
        return sec
    X, y, n = ctx.Xm, ctx.ym, len(ctx.ym)
    if max_samples is not None and n > max_samples:
        from sklearn.utils import _safe_indexing

        rows = np.sort(np.random.default_rng(seed).choice(n, size=max_samples, replace=False))
        X, y = _safe_indexing(X, rows), y[rows]
    result = feature_importance_range(ctx.rset, X, y, random_state=seed)
    members = getattr(result, "members", None)
    table = pd.DataFrame(result)
    ctx.importance = table
    top = table.sort_values("max", ascending=False)
    spread = (table["max"] - table["min"]).sort_values(ascending=False)
    f1 = top.index[0]
    fw = spread.index[0]
    n_sign = int(((table["min"] < 0) & (table["max"] > 0)).sum())
    sec.paragraphs.append(
        f"How much each feature matters (permutation importance: the drop in accuracy "
        f"when the feature is shuffled) differs between equally good models. "
        f"{f1} matters most for some model (up to {top.loc[f1, 'max']:.4f}); "
        f"the widest range is for {fw}, from {table.loc[fw, 'min']:.4f} to "
        f"{table.loc[fw, 'max']:.4f}. For {n_sign} of {len(table)} features some models "
        "rely on the feature and others do not at all (the range includes 0). An "
        "explanation of why one model decides as it does is therefore only one of several "
        "equally valid ones.")
    top_share = None
    if members is not None and len(members) > 0:
        winners = pd.Index(table.index)[np.argmax(np.asarray(members), axis=1)]
        top_share = float(np.mean(winners == winners[ctx.rset.baseline_index_]))
        sec.paragraphs.append(
            f"The baseline's most important feature ({winners[ctx.rset.baseline_index_]}) "
            f"is also the most important one for {_pct(top_share)} of the models in the "
            "set.")
    if max_samples is not None and n > max_samples:
        sec.paragraphs.append(f"Computed on a random subset of {max_samples:,} rows.")
    sec.tables["importance"] = ("Permutation importance over the Rashomon set", table)
    sec.numbers = {"n_rows_used": len(y), "most_important": str(f1),
                   "widest_range": str(fw), "n_features_sign_uncertain": n_sign,
                   "share_models_same_top_feature": top_share}
    if ctx.figures:
        sec.figures.append(Figure("importance", "Range of each feature's permutation "
                                  "importance over the models of the set (dot: mean).",
                                  _figures.importance_figure(table)))
    return sec


def _annotation_section(ctx: _Context, n_resamples: int, seed: int) -> Section:
    sec = Section("annotations", "Annotator agreement and label aggregation")
    ann = ctx.ann
    if ann is None:
        sec.status = "skipped"
        sec.paragraphs.append("No annotations were given. When the labels come from human "
                              "annotators, pass annotations= to measure how much they "
                              "agree and how much the aggregated labels depend on the "
                              "aggregation method.")
        return sec
    from ..annotation import DawidSkene, MajorityVote, agreement, item_disagreement

    skipped: dict[str, str] = {}
    try:
        coef = agreement(ann, ci="bootstrap", n_resamples=n_resamples, random_state=seed)
        coef.index.name = "coefficient"
    except ValueError as e:  # e.g. a single category: every coefficient is 0 / 0
        coef = None
        skipped["agreement"] = str(e).strip().splitlines()[0]
    dis = np.asarray(item_disagreement(ann, measure="normalized_entropy"), dtype=float)
    # One rating cannot disagree with itself: items rated once are left out of the
    # disagreement figures (their disagreement is undefined, not zero).
    twice = ann.ratings_per_item() >= 2
    n_single = int(np.count_nonzero(ann.ratings_per_item() == 1))
    counts = ann.counts()
    split = (counts > 0).sum(axis=1) > 1
    split_share = float(split[twice].mean()) if twice.any() else np.nan
    mean_dis = float(np.nanmean(dis[twice])) if twice.any() else np.nan
    alpha_row = (coef.loc["krippendorff_alpha"]
                 if coef is not None and "krippendorff_alpha" in coef.index else None)
    paras = [
        f"{ann.n_items:,} items, {ann.n_annotators:,} annotators, {ann.n_annotations:,} "
        f"labels. On {_pct(split_share)} of the items rated at least twice the annotators "
        "do not all give the same label; the mean disagreement per item (normalised "
        f"entropy, 0 = unanimous, 1 = evenly split) is {mean_dis:.4f}."
        + (f" {n_single:,} items with a single rating are left out: one rating can neither "
           "agree nor disagree." if n_single else ""),
    ]
    if alpha_row is not None:
        a = float(alpha_row["value"])
        verdict = ("reliable (alpha >= 0.8)" if a >= 0.8 else
                   "good enough only for tentative conclusions (0.667 <= alpha < 0.8)"
                   if a >= 0.667 else "below the 0.667 that Krippendorff recommends as a "
                   "minimum for drawing conclusions")
        paras.append(
            f"Krippendorff's alpha is {a:.4f} (95% bootstrap interval "
            f"[{alpha_row['ci_low']:.4f}, {alpha_row['ci_high']:.4f}]): agreement beyond "
            f"chance is {verdict}. The labels a model learns from are then partly a matter "
            "of who happened to annotate.")
    numbers: dict[str, Any] = {"n_items": ann.n_items, "n_annotators": ann.n_annotators,
                               "n_annotations": ann.n_annotations,
                               "share_items_split": split_share,
                               "mean_item_disagreement": mean_dis,
                               "n_items_single_rating": n_single}
    try:
        mv, ds = MajorityVote().fit(ann), DawidSkene().fit(ann)
    except ValueError as e:
        paras.append(f"Label aggregation skipped: {e}.")
        skipped["aggregation"] = str(e)
    else:
        both = mv.labels_.notna() & ds.labels_.notna()
        differ = (mv.labels_[both].astype(object) != ds.labels_[both].astype(object))
        diff_share = float(differ.mean()) if both.any() else np.nan
        shares = mv.probas_.to_numpy()
        top = np.sort(np.nan_to_num(shares), axis=1)
        ties = float(np.mean(top[:, -1] == top[:, -2])) if shares.shape[1] > 1 else 0.0
        acc = ds.annotator_accuracy_.dropna()
        paras.append(
            f"Majority vote and Dawid-Skene (which weighs annotators by their estimated "
            f"reliability) give different labels to {_pct(diff_share)} of the items "
            f"({int(differ.sum()):,}); majority vote is tied on {_pct(ties)}. For these "
            "items the 'true' label is a choice of method, not a fact. Dawid-Skene "
            f"estimates annotator accuracies from {acc.min():.3f} to {acc.max():.3f}.")
        cats = list(ann.categories)
        agg = pd.DataFrame({
            "majority vote": mv.labels_.value_counts().reindex(cats, fill_value=0),
            "Dawid-Skene": ds.labels_.value_counts().reindex(cats, fill_value=0),
            "Dawid-Skene prior": ds.class_priors_.reindex(cats),
        })
        agg.index = pd.Index([str(c) for c in cats], name="label")
        sec.tables["aggregation"] = ("Labels chosen by each aggregation method", agg)
        numbers.update(mv_ds_disagreement=diff_share, mv_ties=ties,
                       annotator_accuracy={str(k): float(v) for k, v in acc.items()})
    if coef is not None:
        paras.append("The table lists each coefficient with its bootstrap standard error, "
                     f"95% interval ({n_resamples} resamples of the items) and p-value.")
        sec.tables = {"agreement": ("Agreement coefficients", coef), **sec.tables}
    else:
        paras.append(f"Agreement coefficients not computed: {skipped['agreement']}.")
    sec.paragraphs.extend(paras)
    if skipped:
        numbers["skipped"] = skipped
    sec.numbers = numbers
    ctx.annotation = {"coefficients": coef, **numbers}
    if ctx.figures and coef is not None:
        sec.figures.append(Figure("annotations", "Left: agreement coefficients with 95% "
                                  "bootstrap intervals; right: disagreement per item.",
                                  _figures.annotation_figure(coef, dis[twice & ~np.isnan(dis)])))
    return sec


def _notes_section(notes: list[str]) -> Section:
    sec = Section("notes", "Notes and warnings")
    if notes:
        sec.paragraphs.extend(notes)
    else:
        sec.paragraphs.append("No warnings were raised and no method was skipped.")
    sec.numbers = {"n_notes": len(notes)}
    return sec


def _reproduce_section(parameters: dict[str, Any], data: dict[str, Any]) -> Section:
    p = parameters
    args = [f"epsilon={p['epsilon']!r}", f"n_models={p['n_models']}",
            f"random_state={p['random_state']}", f"perturbation={p['perturbation']!r}",
            f"exact={p['exact']!r}", f"delta={p['delta']!r}", f"alpha={p['alpha']!r}"]
    if p["sensitive_features"]:
        args.insert(0, "sensitive_features=sensitive_features")
    if p["annotations"]:
        args.insert(0, "annotations=annotations")
    if p.get("evaluation") == "held-out":
        args.insert(0, "X_test=X_test, y_test=y_test")
    what = p["estimator"]["repr"] if p.get("models") in (None, "estimator") else "models"
    code = ("```python\nfrom multiplicity.report import audit\n\n"
            f"report = audit({what}, X, y,\n               "
            + ",\n               ".join(args) + ")\n```")
    paras = [f"This report was produced by multiplicity with the parameters below. With the "
             f"same data (SHA-256 {data['sha256']}) and the same package version, this "
             "call regenerates it:", code]
    flat = {k: (v if not isinstance(v, dict | list) else str(v))
            for k, v in p.items() if k != "estimator"}
    table = pd.DataFrame({"value": [p["estimator"]["repr"]] + [
        "-" if v is None else str(v) for v in flat.values()]},
        index=pd.Index(["estimator", *flat], name="parameter"))
    return Section("reproduce", "Reproducing this report", paras,
                   tables={"parameters": ("Parameters", table)})


_MEANING = {
    "n_samples": "number of {who} audited",
    "n_models_in_set": "retrained models that are within epsilon of the best (the set)",
    "baseline_accuracy": "accuracy of the best model (the baseline) on the audited data",
    "ambiguity": "share of {who} whose prediction some equally good model flips",
    "discrepancy": "largest share of {who} one equally good model flips",
    "probabilistic_ambiguity": "share of {who} whose predicted probability some equally "
                               "good model moves by at least {delta:g}",
    "probabilistic_discrepancy": "largest share of {who} whose probability one model moves "
                                 "by at least {delta:g}",
    "mean_rashomon_capacity": "effective number of outcomes the set offers one person "
                              "(1 = none disagree)",
    "mean_vpr_width": "average spread of a person's predicted probability across the set",
    "mean_self_consistency": "chance that two random models of the set agree on a person",
    "abstention_rate": "share of {who} a selective ensemble (alpha = {alpha:g}) declines "
                       "to decide",
    "exact_ambiguity": "share of {who} some linear model within epsilon flips (exact MIP, "
                       "lower bound)",
    "exact_discrepancy": "largest share of {who} one linear model within epsilon flips "
                         "(exact MIP, lower bound)",
    "exact_mean_vpr_width": "average probability range over the whole logistic level set",
    "exact_probabilistic_ambiguity": "probabilistic ambiguity over the whole logistic "
                                     "level set",
}


def _headline(ctx: _Context, sections: list[Section], groups: dict[str, Any]) -> pd.DataFrame:
    p = ctx.profile
    abst = next(s for s in sections if s.id == "abstention").numbers["abstention_rate"]
    values: dict[str, Any] = {
        "n_samples": p.n_samples, "n_models_in_set": len(ctx.rset),
        "baseline_accuracy": p.baseline_accuracy, "ambiguity": p.ambiguity,
        "discrepancy": p.discrepancy, "probabilistic_ambiguity": p.probabilistic_ambiguity,
        "probabilistic_discrepancy": p.probabilistic_discrepancy,
        "mean_rashomon_capacity": p.mean_rashomon_capacity,
        "mean_vpr_width": p.mean_vpr_width,
        "mean_self_consistency": p.mean_self_consistency, "abstention_rate": abst,
        "exact_ambiguity": ctx.exact.get("mip_ambiguity"),
        "exact_discrepancy": ctx.exact.get("mip_discrepancy"),
        "exact_mean_vpr_width": ctx.exact.get("vpr_mean_width"),
        "exact_probabilistic_ambiguity": ctx.exact.get("vpr_probabilistic_ambiguity"),
    }
    meaning = {k: _MEANING[k].format(who=ctx.subject, alpha=ctx.alpha, delta=ctx.delta)
               for k in values}
    group_sec = next(s for s in sections if s.id == "groups")
    for name in groups:
        key = f"ambiguity_gap[{name}]"
        values[key] = group_sec.numbers[name]["ambiguity_gap"]
        meaning[key] = f"largest minus smallest ambiguity between the groups of {name}"
    if ctx.annotation:
        coef = ctx.annotation["coefficients"]
        if coef is not None and "krippendorff_alpha" in coef.index:
            values["krippendorff_alpha"] = coef.loc["krippendorff_alpha", "value"]
            meaning["krippendorff_alpha"] = "annotator agreement beyond chance (1 = perfect)"
        values["share_items_split"] = ctx.annotation["share_items_split"]
        meaning["share_items_split"] = "share of items the annotators do not label unanimously"
        if "mv_ds_disagreement" in ctx.annotation:
            values["mv_ds_disagreement"] = ctx.annotation["mv_ds_disagreement"]
            meaning["mv_ds_disagreement"] = ("share of items majority vote and Dawid-Skene "
                                             "label differently")
    out = pd.DataFrame({
        "value": pd.Series({k: (np.nan if v is None else float(v)) for k, v in values.items()},
                           dtype=np.float64),
        "meaning": pd.Series(meaning, dtype=object)})
    out.index.name = "measure"
    return out
