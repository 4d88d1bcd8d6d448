"""audit(): explore, measure and explain the predictive multiplicity of one model.

The entry point checks the arguments, collects the Rashomon set (retraining the learner
or reading the models given), profiles it, runs the steps in order (exact methods,
selective vote, groups, feature importance, annotations) and assembles the report from
the sections each step's results give.
"""

from __future__ import annotations

import hashlib
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import clone

from .._checks import (
    check_alpha,
    check_epsilon,
    check_int,
    check_regression_target,
    check_y_for_X,
    n_samples_of,
    resolve_seed,
)
from .._dask import is_dask_collection
from .._lazy import lazy_module
from .._validation import align_to, check_delta
from .._version import __version__
from ..rashomon import RetrainingExplorer
from ._boosting import boosting_plan, is_boosting
from ._context import AuditContext, Source
from ._dask_audit import (
    DASK_FITTED_X,
    DASK_TRAINING,
    X_TEST_ON_CLUSTER,
    check_dask_population,
    check_dask_test_data,
    dask_data_info,
    dask_sensitive,
    dask_test_profile,
)
from ._exact import EXACT_OPTIONS, run_exact, run_linear_exact
from ._inputs import (
    as_annotations,
    check_sensitive,
    check_test_data,
    given_set,
    models_kind,
    regression_delta,
    regression_threshold,
    resolve_task,
)
from ._intervals import intervals
from ._judge import (
    CANDIDATE_WITHOUT_ANNOTATIONS,
    check_audit_settings,
    judge_section,
    judge_stats,
    one_candidate,
)
from ._measures import annotation_stats, importance, vote
from ._regression import (
    regression_exact_section,
    regression_groups_section,
    regression_headline,
    regression_overview_section,
    regression_per_person,
    regression_section,
)
from ._report import AuditReport
from ._sections import (
    SKIP_LABELS,
    abstention_section,
    annotation_section,
    exact_section,
    groups_section,
    importance_section,
    multiplicity_section,
    overview_section,
)
from ._summary import headline, notes_section, per_person_table, reproduce_section

__all__ = ["audit"]

# tqdm.auto looks for a notebook front end when imported: only a shown bar needs it.
_tqdm_auto = lazy_module("tqdm.auto")


def audit(estimator: Any, X: Any, y: ArrayLike, *, X_test: Any = None,
          y_test: ArrayLike | None = None, sensitive_features: Any = None,
          annotations: Any = None, epsilon: float = 0.01, n_models: int = 100,
          random_state: Any = None, progress: bool = True,
          perturbation: Literal["seed", "bootstrap", "subsample"] = "bootstrap",
          exact: Literal["auto", "vpr", "mip", "none"] = "auto",
          mip_time_limit: float | None = 5.0, mip_max_rows: int = 150,
          delta: float | None = None, alpha: float = 0.05, subject: str = "people",
          title: str | None = None, importance_max_samples: int | None = 2000,
          n_resamples: int = 1000, figures: bool = True,
          n_jobs: int | None = None,
          task: Literal["classification", "regression"] | None = None,
          threshold: float | None = None, candidate: Any = None,
          alt_test_epsilon: float = 0.2, alt_test_alpha: float = 0.05) -> AuditReport:
    """Audit the predictive multiplicity of ``estimator`` on ``(X, y)``.

    The audit retrains ``estimator`` ``n_models`` times
    (:class:`~multiplicity.rashomon.RetrainingExplorer`, bootstrap resamples by default),
    keeps the models whose training 0-1 loss is within ``epsilon`` of the best one (the
    sampled Rashomon set; the best is the baseline h0) and reports:

    - the multiplicity profile: ambiguity, discrepancy, probabilistic ambiguity and
      discrepancy (``>= delta``), Rashomon capacity, viable prediction ranges,
      self-consistency, accuracies, each with a bootstrap interval over the people
      audited, and the Chao2 estimate of the ambiguity more models from the same
      exploration would find (with the accumulation curve);
    - exact methods when they apply: the viable prediction ranges over the whole level
      set of an L2-regularised ``LogisticRegression``
      (:class:`~multiplicity.rashomon.LogisticLevelSet`, when it takes a few seconds at
      most) and the exact ambiguity and discrepancy over all linear classifiers
      (:class:`~multiplicity.rashomon.LinearMIPExplorer`, when the data have at most
      ``mip_max_rows`` distinct feature vectors); otherwise the report says why not;
    - the measures by group for each sensitive feature
      (:meth:`~multiplicity.rashomon.MultiplicityProfile.by_group`) with abstention, the
      intervals of each group's ambiguity and discrepancy and of the gap between groups,
      and whether they support ranking the groups;
    - selective-ensemble abstention: the set's members vote and abstain where the
      binomial test of the top two vote counts has p-value > ``alpha``
      (:func:`~multiplicity.ensemble.selective_vote`);
    - feature-importance ranges over the set
      (``multiplicity.explain.feature_importance_range``, when installed);
    - with ``annotations``: agreement coefficients with bootstrap confidence intervals
      (:func:`~multiplicity.annotation.agreement`), item disagreement and the labels of
      majority vote against Dawid-Skene;
    - with ``annotations`` and a ``candidate`` (an automatic annotator's labels of the
      same items: an LLM judge, a classifier): the section ``judge``, the alternative
      annotator test (:func:`~multiplicity.annotation.alt_test`: may it replace an
      annotator?) and its agreement with the annotators with bootstrap intervals
      (:func:`~multiplicity.annotation.candidate_agreement`).

    A regressor (``sklearn.base.is_regressor``, a set or explorer of regressors, a list
    of fitted regressors, or ``task="regression"``) is audited as such: the set keeps the
    models whose training mean squared error is within ``epsilon`` (relative) of the
    best one's, and the report gives regression ambiguity and discrepancy at ``delta``
    (target units), decision ambiguity at ``threshold``, the prediction ranges and their
    widths, the losses (MSE with RMSE, or MAE), the measures by group
    (``RegressionProfile.by_group``), a per-person table (``RegressionProfile.to_frame``)
    and, for ``Ridge`` or ``LinearRegression`` (bare or ending a Pipeline), the exact
    prediction and coefficient ranges over the level set
    (``multiplicity.rashomon.LinearLevelSet``). The classification-only parts
    (probabilities, Rashomon capacity, the selective ensemble, the MIP, importance) are
    left out.

    Parameters
    ----------
    estimator : scikit-learn classifier or regressor, fitted explorer, RashomonSet or list of models
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
          models were trained on. A set or fitted explorer may also be given a dask
          ``X`` and ``y``: the population to audit, measured on the cluster (see Notes).
    X : array-like or DataFrame of shape (n_samples, n_features)
        Training data: the models are trained and the Rashomon set is chosen on it.
        Without ``X_test`` every measure is also computed on it (in-sample, which the
        report says plainly).
    y : array-like of shape (n_samples,)
        Labels, or finite numbers for a regression. A Series meets a DataFrame ``X`` on
        the index (rows with the same label belong together; different labels raise).
    X_test, y_test : array-like or DataFrame, default=None
        Held-out data (both or neither): every measure, group table, per-person row and
        figure is then computed on them, and the report says which data each number
        comes from. The exact MIP stays on the training data, the data the set is
        defined on. ``X_test`` must have the columns of ``X``; ``y_test`` meets
        ``X_test`` on the index. ``X_test`` may be a dask DataFrame (for a DataFrame
        ``X``) or Array, with ``y_test`` and ``sensitive_features`` as dask collections
        partitioned like it or in memory (classifiers only; see Notes).
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
        Rashomon parameter, >= 0. Classification: on the training 0-1 loss (absolute);
        the exact level set of logistic regression uses the same value on its
        regularised log loss. Regression: relative, on the training mean squared error
        (a model is in the set when its MSE is at most ``(1 + epsilon)`` times the best
        one's, so 0.01 is "within 1%", whatever the units of the target); the exact
        ridge level set applies the same factor to its mean objective.
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
        For a regression, ``"auto"`` and ``"vpr"`` run the ridge / least-squares level
        set (closed form, fast) and ``"mip"`` and ``"none"`` skip it.
        ``"auto"`` skips the level set when its estimated time (linear in the distinct
        rows and the features: about 1.3e-4 s per row and feature) exceeds 30 s;
        ``"vpr"`` runs it whatever it costs.
    mip_time_limit : float or None, default=5.0
        Seconds per search of the exact ``LinearMIPExplorer`` (its baseline, each point,
        the discrepancy); points not settled in time are reported as bounds. None waits
        for every proof.
    mip_max_rows : int, default=150
        Largest number of distinct feature vectors for which the MIP is attempted.
    delta : float or None, default=None
        Classification: the threshold of the probabilistic measures, in ``(0, 1]``;
        None is 0.1. Regression: the distance between two predictions that counts as a
        change, in the units of the target, > 0; None is 0.1 x the standard deviation
        of the training target ``y`` (``np.std``, ddof=0), and the report states the
        value and how it was chosen.
    alpha : float, default=0.05
        Significance level of the selective ensemble.
    subject : str, default="people"
        Plural noun used in the plain-language text ("defendants", "applicants").
    title : str, default=None
        Report title.
    importance_max_samples : int or None, default=2000
        Rows (a seeded random subset) used for the permutation importances; None: all.
    n_resamples : int, default=1000
        Bootstrap resamples of the agreement coefficients (over items) and, for a
        classifier, of the intervals of the measures over people
        (:meth:`~multiplicity.rashomon.MultiplicityProfile.confidence`, seeded with
        ``random_state``).
    figures : bool, default=True
        Draw the figures (PNG). False is faster and enough for :meth:`AuditReport.to_json`.
    n_jobs : int, default=None
        Parallel model fits (joblib) and MIP workers.
    task : {"classification", "regression"} or None, default=None
        What kind of model is audited. None takes it from the estimator (a regressor by
        scikit-learn's tags, a set or explorer by its set's ``task``, a list of models by
        their tags; an estimator with neither tag is a classifier). A task that
        contradicts the estimator raises. A classifier given a float target stays a
        classification audit.
    threshold : float or None, default=None
        Regression only: a decision cut-off (the decision is ``prediction >=
        threshold``); adds decision ambiguity, the share of people some equally good
        model decides otherwise than the baseline. Given for a classifier it raises.
    candidate : Series, dict or sequence, default=None
        An automatic annotator's label of each annotated item (a Series or dict keyed by
        the items of ``annotations``, or a sequence in their order); needs
        ``annotations``. Adds the ``judge`` section.
    alt_test_epsilon : float, default=0.2
        The cost-benefit margin epsilon of the alternative annotator test (0.2 for expert
        annotators, 0.15 for skilled ones, 0.1 for crowd workers, as its authors advise).

    Returns
    -------
    AuditReport

    Raises
    ------
    ValueError
        ``y`` of another length than ``X``, pandas inputs whose indexes do not match,
        only one of ``X_test`` and ``y_test``, ``X_test`` without the columns of ``X``,
        ``epsilon < 0``, ``n_models < 1``, an unknown sensitive column or one of the
        wrong length, an unknown ``exact`` option, an unfitted model in a list, a
        ``task`` that contradicts the estimator, a regression ``delta <= 0`` (or a
        constant target with the default delta), a ``threshold`` for a classifier or one
        that is not finite, a regression target that is not finite numbers.

    Notes
    -----
    On a dask ``X_test`` (or a dask ``X`` given with a fitted set) the members are sent to
    each worker once and predict the partitions where they live
    (:class:`~multiplicity.rashomon.DaskMultiplicityProfile`); memory per worker: the
    members plus about ``n_models * partition_rows * n_classes`` floats. The per-person
    results (a byte of class code and one of probabilistic flip flag per member and
    person, a few floats per person), one group label per person and the labels come to
    the client for the intervals, group tables, abstention and per-person table; the rows
    of ``X_test`` do not. The feature-importance ranges and the exact methods on those
    people need the rows in memory and are left out, with the reason in the report.

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
    kind = models_kind(estimator)
    task = resolve_task(task, kind, estimator)
    threshold = regression_threshold(threshold, task)
    eps_mode = "relative" if task == "regression" else "absolute"
    eps = check_epsilon(epsilon, eps_mode)
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
    # a fitted set or explorer audits a dask X as its population, on the cluster
    population = kind in ("set", "explorer") and is_dask_collection(X)
    if (is_dask_collection(X) or is_dask_collection(y)) and not population:
        raise TypeError(DASK_TRAINING if kind == "estimator" else DASK_FITTED_X)
    if population:
        check_dask_population(X, y, X_test, y_test, task)
    y_arr = None if population else check_y_for_X(X, align_to(X, y, name="y"))
    if task == "regression":
        y_arr = check_regression_target(y_arr)
        delta, delta_how = regression_delta(delta, y_arr)
    else:
        delta_how = "the default" if delta is None else "given"
        delta = check_delta(0.1 if delta is None else delta)
    on_cluster = population or is_dask_collection(X_test)
    if population:  # the people stay on the cluster; their labels come after the profile
        sf, rows, n_pop = dask_sensitive(sensitive_features, X)
        groups = check_sensitive(sf, rows, n_pop, "X")
        y_test_arr = None
    elif on_cluster:
        X_test = check_dask_test_data(X, X_test, y_test, task)
        y_test_arr = None
        sf, rows, n_test = dask_sensitive(sensitive_features, X_test)
        groups = check_sensitive(sf, rows, n_test, "X_test")
    else:
        X_test, y_test_arr = check_test_data(X, y_arr, X_test, y_test, task)
    held_out = X_test is not None
    Xm, ym = (X_test, y_test_arr) if held_out else (X, y_arr)
    if not on_cluster:
        groups = check_sensitive(sensitive_features, Xm, ym.shape[0],
                                 "X_test" if held_out else "X")
    ann = as_annotations(annotations)
    if candidate is not None and ann is None:
        raise ValueError(CANDIDATE_WITHOUT_ANNOTATIONS)
    candidate = one_candidate(candidate)
    if candidate is not None:
        check_audit_settings(alt_test_epsilon, alt_test_alpha)
    seed = resolve_seed(random_state)
    sub_seeds = [int(s) for s in np.random.SeedSequence(seed).generate_state(3)]

    names = (["retraining", "profile", "intervals", "exact", "groups", "annotations",
              "figures"]
             if task == "regression" else
             ["retraining", "profile", "abstention", "intervals", "exact", "groups",
              "importance", "annotations", "figures"])
    if candidate is not None:
        names.insert(names.index("annotations") + 1, "automatic annotator")
    steps = _Steps(names, bool(progress))
    notes: list[str] = []
    explorer: Any = None
    exact_estimator = estimator
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if kind == "estimator":
                plan = boosting_plan(estimator, task, n_samples_of(X)) \
                    if is_boosting(estimator) else None
                doing = (f"retraining {n_models} models" if plan is None else
                         f"exploring {plan.params['n_estimators']} boosting stages")
                with steps.step(doing):
                    explorer = (RetrainingExplorer(
                        clone(estimator), n_models=n_models, perturbation=perturbation,
                        epsilon=eps, epsilon_mode=eps_mode, random_state=seed,
                        n_jobs=n_jobs) if plan is None else plan.explorer(
                        n_models=n_models, epsilon=eps, epsilon_mode=eps_mode, seed=seed,
                        n_jobs=n_jobs)).fit(X, y_arr)
                    rset = explorer.rashomon_set_
                    source = Source(
                        kind=kind, what=type(estimator).__name__,
                        candidate_losses=explorer.candidate_losses_,
                        baseline_index=int(explorer.baseline_index_),
                        n_candidates=len(explorer.candidate_losses_), epsilon=eps,
                        refitted=True, boosting=plan)
            else:
                with steps.step("the given models"):
                    explorer, rset, exact_estimator, source = given_set(
                        kind, estimator, X, y_arr, eps, eps_mode)
                    eps = source.epsilon
            with steps.step("multiplicity profile"):
                # a boosting explorer evaluates its paths together (each tree once)
                owner = explorer if source.boosting is not None else rset
                if on_cluster:
                    profile, _ = dask_test_profile(rset, Xm, y_test if held_out else y,
                                                   delta)
                    ym = np.asarray(rset.classes_)[profile.y_codes]
                    if held_out:
                        y_test_arr = ym
                    else:
                        y_arr = ym
                    notes.append(X_TEST_ON_CLUSTER.format(
                        n_models=len(rset), name="X_test" if held_out else "X"))
                else:
                    profile = (owner.profile(Xm, ym, delta=delta, threshold=threshold)
                               if task == "regression" else
                               owner.profile(Xm, ym, delta=delta))
            ctx = AuditContext(estimator=exact_estimator, X=X, y=y_arr, Xm=Xm, ym=ym,
                               held_out=held_out, eps=eps, delta=delta, alpha=alpha,
                               subject=subject, figures=bool(figures), n_jobs=n_jobs,
                               groups=groups, rset=rset, profile=profile, source=source,
                               task=task, threshold=threshold, delta_how=delta_how)
            if task == "regression":
                with steps.step("exact methods"):
                    exact_runs = run_linear_exact(ctx, exact)
                    exact_sec = regression_exact_section(ctx, exact_runs)
                with steps.step("intervals"):
                    ivs = intervals(ctx, n_resamples, seed)
                with steps.step("groups"):
                    groups_sec = regression_groups_section(ctx, ivs)
                with steps.step("annotations"):
                    ann_stats = (None if ann is None else
                                 annotation_stats(ann, n_resamples, sub_seeds[1]))
                    ann_sec = annotation_section(ctx, ann_stats, n_resamples)
                judge_sec = _judge(ann, candidate, alt_test_epsilon, alt_test_alpha,
                                   n_resamples, sub_seeds[2], figures, steps)
                with steps.step("overview"):
                    overview = regression_overview_section(ctx, perturbation)
                    multi = regression_section(ctx, ivs)
            else:
                with steps.step("abstention"):
                    votes = vote(ctx)
                with steps.step("intervals"):
                    ivs = intervals(ctx, n_resamples, seed, votes.abstained)
                    abst_sec = abstention_section(ctx, votes, ivs)
                with steps.step("exact methods"):
                    exact_runs = run_exact(ctx, exact, mip_time_limit, mip_max_rows)
                    exact_sec = exact_section(ctx, exact_runs)
                with steps.step("groups"):
                    groups_sec = groups_section(ctx, votes, ivs)
                with steps.step("feature importance"):
                    imp = importance(ctx, importance_max_samples, sub_seeds[0])
                    imp_sec = importance_section(ctx, imp, importance_max_samples)
                with steps.step("annotations"):
                    ann_stats = (None if ann is None else
                                 annotation_stats(ann, n_resamples, sub_seeds[1]))
                    ann_sec = annotation_section(ctx, ann_stats, n_resamples)
                judge_sec = _judge(ann, candidate, alt_test_epsilon, alt_test_alpha,
                                   n_resamples, sub_seeds[2], figures, steps)
                with steps.step("overview"):
                    overview = overview_section(ctx, perturbation)
                    multi = multiplicity_section(ctx, ivs)
        finally:
            steps.close()
    for w in caught:
        text = f"{w.category.__name__}: {str(w.message).strip()}"
        if text not in notes:
            notes.append(text)
    skipping = ((exact_sec, ann_sec) if task == "regression" else
                (exact_sec, imp_sec, ann_sec))
    if judge_sec is not None:
        skipping += (judge_sec,)
    for sec in skipping:
        for key, reason in sec.numbers.get("skipped", {}).items():
            notes.append(f"{SKIP_LABELS.get(key, sec.title)}: skipped: {reason}")

    parameters = {
        "estimator": (_estimator_info(estimator) if kind == "estimator" else
                      _estimator_info(exact_estimator) | {"given": source.what}),
        "task": task, "models": kind, "epsilon": eps,
        "epsilon_mode": getattr(rset, "epsilon_mode", eps_mode),
        "loss": "zero_one" if task == "classification" else rset.loss,
        "n_models": n_models if kind == "estimator" else source.n_candidates,
        "perturbation": perturbation if kind == "estimator" else None,
        "random_state": seed,
        "random_state_given": None if random_state is None else repr(random_state),
        "delta": float(delta), "delta_how": delta_how, "threshold": threshold,
        "alpha": float(alpha), "exact": exact,
        "mip_time_limit": mip_time_limit, "mip_max_rows": mip_max_rows,
        "importance_max_samples": importance_max_samples, "n_resamples": n_resamples,
        "sensitive_features": list(groups), "annotations": ann is not None,
        "candidate": None if judge_sec is None else judge_sec.numbers["candidate"],
        "alt_test_epsilon": float(alt_test_epsilon), "alt_test_alpha": float(alt_test_alpha),
        "subject": subject, "figures": bool(figures),
        "evaluation": "held-out" if held_out else "in-sample",
    }
    data = (dask_data_info(profile, X, y_arr, rset.classes_) if population else
            _data_info(X, y_arr, rset.classes_))
    if held_out:
        data["test"] = (dask_data_info(profile, X_test, y_test_arr, rset.classes_)
                        if on_cluster else _data_info(X_test, y_test_arr, rset.classes_))
    data["measured_on"] = "X_test" if held_out else "X"
    if task == "regression":
        sections = [overview, multi, exact_sec, groups_sec, ann_sec,
                    *([judge_sec] if judge_sec is not None else []), notes_section(notes),
                    reproduce_section(parameters, data)]
        summary = regression_headline(ctx, sections, exact_runs, ann_stats)
        per_person = regression_per_person(ctx, exact_runs)
    else:
        sections = [overview, multi, exact_sec, groups_sec, abst_sec, imp_sec, ann_sec,
                    *([judge_sec] if judge_sec is not None else []), notes_section(notes),
                    reproduce_section(parameters, data)]
        summary = headline(ctx, sections, exact_runs, ann_stats)
        per_person = per_person_table(ctx, votes, exact_runs)
    title_name = (type(estimator).__name__ if kind == "estimator"
                  else type(exact_estimator).__name__)
    return AuditReport(
        title=title or f"Multiplicity audit: {title_name}",
        subject=subject, parameters=parameters, data=data, sections=sections,
        headline=summary, version=__version__,
        created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"), notes=notes,
        rashomon_set=rset, profile=profile, explorer=explorer,
        per_person_table=per_person)


def _judge(ann: Any, candidate: Any, epsilon: float, alpha: float, n_resamples: int,
           seed: int, figures: bool, steps: _Steps) -> Any:
    """The ``judge`` section for ``candidate`` (None without a candidate)."""
    if candidate is None:
        return None
    with steps.step("automatic annotator"):
        stats = judge_stats(ann, candidate, epsilon=epsilon, alpha=alpha,
                            n_resamples=n_resamples, seed=seed)
        return judge_section(stats, figures=bool(figures))


def _fingerprint(X: Any, y: np.ndarray) -> str | None:
    """SHA-256 of the data's values (None for inputs that cannot be hashed cheaply)."""
    try:
        h = hashlib.sha256()
        h.update(pd.util.hash_pandas_object(pd.DataFrame(X), index=False).to_numpy().tobytes())
        h.update(pd.util.hash_pandas_object(pd.Series(y), index=False).to_numpy().tobytes())
        return h.hexdigest()
    except (TypeError, ValueError):
        return None


def _estimator_info(estimator: Any) -> dict[str, Any]:
    params = {}
    for k, v in estimator.get_params(deep=False).items():
        params[k] = v if v is None or isinstance(v, bool | int | float | str) else repr(v)
    return {"name": type(estimator).__name__, "repr": repr(estimator), "params": params}


def _data_info(X: Any, y: np.ndarray, classes: np.ndarray | None) -> dict[str, Any]:
    n = n_samples_of(X)
    shape = getattr(X, "shape", None)
    n_features = int(shape[1]) if shape is not None and len(shape) == 2 else None
    cols = getattr(X, "columns", None)
    names = ([str(c) for c in cols] if cols is not None else
             [f"x{i}" for i in range(n_features or 0)])
    if classes is None:  # a regression: the target's spread instead of class counts
        return {"n_samples": n, "n_features": n_features, "feature_names": names,
                "target": {"mean": float(np.mean(y)), "std": float(np.std(y)),
                           "min": float(np.min(y)), "max": float(np.max(y))},
                "sha256": _fingerprint(X, y)}
    values, counts = np.unique(y, return_counts=True)
    return {"n_samples": n, "n_features": n_features, "feature_names": names,
            "classes": [c.item() if hasattr(c, "item") else c for c in classes],
            "class_counts": {str(v): int(c) for v, c in zip(values, counts, strict=True)},
            "sha256": _fingerprint(X, y)}


class _Steps:
    """A tqdm bar over the audit's steps (silent when ``progress=False``)."""

    def __init__(self, names: list[str], enabled: bool) -> None:
        self._bar = None
        if enabled:
            self._bar = _tqdm_auto.tqdm(total=len(names), desc="audit", unit="step",
                                        file=sys.stderr)

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
