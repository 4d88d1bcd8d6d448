"""The audit's measurements beyond the profile: the selective vote, the feature-importance
ranges and the annotators' agreement, each a frozen record that the sections report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils import _safe_indexing

from .._dask import is_dask_collection
from .._lazy import lazy_module
from ..annotation import (
    Annotations,
    DawidSkene,
    MajorityVote,
    agreement,
    item_disagreement,
)
from ..ensemble import selective_vote
from ._context import AuditContext
from ._dask_audit import IMPORTANCE_ON_CLUSTER

__all__ = ["Aggregation", "AnnotationStats", "Importance", "Vote", "annotation_stats",
           "importance", "vote"]

# Feature-importance ranges are reported when multiplicity.explain can be imported.
_explain = lazy_module("multiplicity.explain")


@dataclass(frozen=True)
class Vote:
    """The selective ensemble on the measured data: the members' class ``codes``
    (n_models, n_samples), the ensemble's ``labels`` (class codes, -1 where it abstains),
    the binomial test's ``p_values`` and the ``abstained`` mask."""

    codes: np.ndarray
    labels: np.ndarray
    p_values: np.ndarray
    abstained: np.ndarray


def vote(ctx: AuditContext) -> Vote:
    """The set's members vote on ``ctx.Xm``; abstain where the vote is not significant."""
    # the profile holds the members' codes on the measured rows (made on the cluster for
    # a dask X_test)
    codes = (ctx.profile.predictions if is_dask_collection(ctx.Xm)
             else ctx.rset.predict_codes(ctx.Xm))
    labels, p_values = selective_vote(codes, alpha=ctx.alpha, abstain_label=-1)
    return Vote(codes=codes, labels=labels, p_values=p_values, abstained=labels == -1)


@dataclass(frozen=True)
class Importance:
    """Permutation-importance ranges over the set: ``table`` (one row per feature, columns
    ``min``, ``max``, ...), the per-model ``members`` importances (or None), the rows used
    and whether they are a random subset of the measured data."""

    table: pd.DataFrame
    members: Any
    n_rows_used: int
    subsampled: bool


def importance(ctx: AuditContext, max_samples: int | None, seed: int) -> Importance | str:
    """The importance ranges on (a seeded subset of) the measured data, or the reason they
    are not available."""
    try:
        feature_importance_range = _explain.feature_importance_range
    except ImportError:
        return ("multiplicity.explain.feature_importance_range is not available in this "
                "version of multiplicity")
    if is_dask_collection(ctx.Xm):
        return IMPORTANCE_ON_CLUSTER
    X, y, n = ctx.Xm, ctx.ym, len(ctx.ym)
    subsampled = max_samples is not None and n > max_samples
    if subsampled:
        rows = np.sort(np.random.default_rng(seed).choice(n, size=max_samples, replace=False))
        X, y = _safe_indexing(X, rows), y[rows]
    result = feature_importance_range(ctx.rset, X, y, random_state=seed)
    return Importance(table=pd.DataFrame(result), members=getattr(result, "members", None),
                      n_rows_used=len(y), subsampled=subsampled)


@dataclass(frozen=True)
class Aggregation:
    """Majority vote against Dawid-Skene: how many items they label differently
    (``n_differ``, ``share_differ``), majority vote's ties, Dawid-Skene's annotator
    accuracies, and the labels each chooses (``table``, one row per category)."""

    n_differ: int
    share_differ: float
    ties: float
    annotator_accuracy: pd.Series
    table: pd.DataFrame


@dataclass(frozen=True)
class AnnotationStats:
    """Agreement among the annotators.

    ``coefficients`` are the agreement coefficients with bootstrap intervals (None when
    they cannot be computed), ``disagreement`` the normalised entropy of each item and
    ``rated_twice`` the items with at least two ratings; ``aggregation`` is None when
    the aggregators cannot be fitted. ``skipped`` gives the reasons (keys
    ``"agreement"`` and ``"aggregation"``).
    """

    annotations: Annotations
    coefficients: pd.DataFrame | None
    disagreement: np.ndarray
    rated_twice: np.ndarray
    n_single: int
    share_items_split: float
    mean_item_disagreement: float
    aggregation: Aggregation | None
    skipped: dict[str, str]


def _aggregation(ann: Annotations, mv: MajorityVote, ds: DawidSkene) -> Aggregation:
    both = mv.labels_.notna() & ds.labels_.notna()
    differ = (mv.labels_[both].astype(object) != ds.labels_[both].astype(object))
    diff_share = float(differ.mean()) if both.any() else np.nan
    shares = mv.probas_.to_numpy()
    top = np.sort(np.nan_to_num(shares), axis=1)
    ties = float(np.mean(top[:, -1] == top[:, -2])) if shares.shape[1] > 1 else 0.0
    cats = list(ann.categories)
    table = pd.DataFrame({
        "majority vote": mv.labels_.value_counts().reindex(cats, fill_value=0),
        "Dawid-Skene": ds.labels_.value_counts().reindex(cats, fill_value=0),
        "Dawid-Skene prior": ds.class_priors_.reindex(cats),
    })
    table.index = pd.Index([str(c) for c in cats], name="label")
    return Aggregation(n_differ=int(differ.sum()), share_differ=diff_share, ties=ties,
                       annotator_accuracy=ds.annotator_accuracy_.dropna(), table=table)


def annotation_stats(ann: Annotations, n_resamples: int, seed: int) -> AnnotationStats:
    """Agreement coefficients, item disagreement and label aggregation of ``ann``."""
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
    aggregation = None
    try:
        mv, ds = MajorityVote().fit(ann), DawidSkene().fit(ann)
    except ValueError as e:
        skipped["aggregation"] = str(e)
    else:
        aggregation = _aggregation(ann, mv, ds)
    return AnnotationStats(annotations=ann, coefficients=coef, disagreement=dis,
                           rated_twice=twice, n_single=n_single,
                           share_items_split=split_share, mean_item_disagreement=mean_dis,
                           aggregation=aggregation, skipped=skipped)
