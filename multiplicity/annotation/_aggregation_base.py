"""The common shape of label aggregators: fit on Annotations (with optional gold labels),
labels_ and probas_ by item."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._container import Annotations, check_annotations
from ._dask import DaskAnnotations, in_memory_only

__all__ = ["Aggregator", "check_gold", "check_sizes", "outputs"]

GOLD_TYPE = ("true_labels must be a pandas Series or a dict mapping items to their known "
             "labels, got {0}")
GOLD_BOTH = "give the gold labels either as y or as true_labels, not both"
GOLD_DUPLICATE_ITEMS = "true_labels names {0} item(s) more than once: {1}"
GOLD_UNKNOWN_ITEMS = "true_labels names {0} item(s) that are not in the annotations: {1}"
GOLD_UNKNOWN_LABELS = ("true_labels holds {0} label(s) that are not among the categories "
                       "{1}: {2}")
GOLD_UNSUPPORTED = "{0} does not use gold labels (true_labels)"
GOLD_DASK = ("{0}: true_labels needs the annotations in memory; a DaskAnnotations keeps them "
             "on the cluster. Call data.compute() (an Annotations) when they fit in memory")
_SHOWN = 10  # offending items or labels listed in a message


def _listed(values: Any) -> str:
    values = list(values)
    more = f" ... ({len(values) - _SHOWN} more)" if len(values) > _SHOWN else ""
    return repr(values[:_SHOWN]) + more


def check_gold(true_labels: Any, ann: Annotations) -> NDArray[np.int64]:
    """Category codes of the gold labels by item, ``-1`` where there is none.

    ``true_labels`` is a Series indexed by item or a dict ``{item: label}``; NaN/None
    values mean "no gold label". Raises TypeError for another type and ValueError for
    repeated items, items that are not in ``ann`` or labels that are not categories.
    The caller's object is not modified.
    """
    gold = np.full(ann.n_items, -1, dtype=np.int64)
    if true_labels is None:
        return gold
    if isinstance(true_labels, Mapping):
        true_labels = pd.Series(list(true_labels.values()),
                                index=pd.Index(list(true_labels.keys()), tupleize_cols=False),
                                dtype=object)
    if not isinstance(true_labels, pd.Series):
        raise TypeError(GOLD_TYPE.format(type(true_labels).__name__))
    known = true_labels[true_labels.notna().to_numpy()]
    index = known.index
    if index.has_duplicates:
        dup = index[index.duplicated()].unique()
        raise ValueError(GOLD_DUPLICATE_ITEMS.format(len(dup), _listed(dup)))
    rows = ann.items.get_indexer(index)
    if (rows < 0).any():
        unknown = index[rows < 0]
        raise ValueError(GOLD_UNKNOWN_ITEMS.format(len(unknown), _listed(unknown)))
    codes = ann.categories.get_indexer(pd.Index(known.to_numpy(dtype=object)))
    if (codes < 0).any():
        bad = pd.unique(known.to_numpy(dtype=object)[codes < 0])
        raise ValueError(GOLD_UNKNOWN_LABELS.format(len(bad), list(ann.categories),
                                                    _listed(bad)))
    gold[rows] = codes
    return gold


def check_sizes(n_annotations: int, categories: pd.Index) -> None:
    """Raise when there is nothing to aggregate: no annotation, or a single category."""
    if n_annotations == 0:
        raise ValueError("data holds no annotations")
    if len(categories) < 2:
        raise ValueError(f"data has a single category ({categories[0]!r}); "
                         "aggregation needs at least two")


def outputs(P: NDArray[np.float64], items: pd.Index, categories: pd.Index
            ) -> tuple[pd.DataFrame, pd.Series]:
    """``probas_`` and ``labels_`` from the posteriors ``P`` (see :class:`Aggregator`)."""
    probas = pd.DataFrame(P, index=items, columns=categories)
    rated = ~np.isnan(P).any(axis=1)
    codes = np.where(rated, np.argmax(np.where(rated[:, None], P, 0.0), axis=1), -1)
    labels = np.asarray(categories, dtype=object).take(np.maximum(codes, 0))
    labels[~rated] = None
    out = pd.Series(labels, index=items, name="label")
    if categories.dtype != object and rated.all():
        out = out.astype(categories.dtype)
    return probas, out


class Aggregator(BaseEstimator):
    """Base class of the aggregators: infer each item's label from its annotations.

    Subclasses implement ``_fit(ann) -> probas`` (an ``(n_items, n_categories)`` float64
    array of posterior class probabilities, rows summing to 1; NaN rows for items without
    annotations) and may set fitted attributes of their own. A subclass that uses gold
    labels sets ``_uses_gold = True`` and implements ``_fit(ann, gold=codes)`` as well
    (``codes``: int64 of shape ``(n_items,)``, the category code of each item's known
    label, -1 where none); the others raise when gold labels are given. ``fit`` then sets
    the rows of the gold items, annotated or not, to one-hot on their gold label, and:

    Attributes
    ----------
    probas_ : DataFrame of shape (n_items, n_categories)
        Posterior probability of each category for each item; index ``ann.items``,
        columns ``ann.categories``.
    labels_ : Series of shape (n_items,)
        The most probable category of each item (the first in category order on exact
        ties; NaN/None for items without annotations); index ``ann.items``.
    classes_ : ndarray of shape (n_categories,)
        ``ann.categories``.
    gold_ : Series of shape (n_items,), bool, or None
        True for the items whose label was given in ``true_labels``; indexed by item.
        None after a fit on a :class:`DaskAnnotations` (which takes no gold labels).
    n_gold_ : int
        Number of gold items.
    n_items_, n_annotators_ : int
    """

    _uses_gold: ClassVar[bool] = False

    def _fit(self, ann: Annotations) -> NDArray[np.float64]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _validate(self, data: Any) -> Annotations:
        ann = check_annotations(data)
        check_sizes(ann.n_annotations, ann.categories)
        return ann

    def _fit_dask(self, data: DaskAnnotations) -> Aggregator:
        """Fit on a :class:`DaskAnnotations` (aggregators that can run on a cluster
        override this)."""
        raise TypeError(in_memory_only(type(self).__name__))

    def fit(self, data: Any, y: Any = None, *, true_labels: Any = None) -> Aggregator:
        """Infer the items' labels.

        Parameters
        ----------
        data : Annotations, DaskAnnotations or table accepted by :meth:`Annotations.from_wide`
            A :class:`DaskAnnotations` fits on the cluster where the aggregator supports
            it (:class:`MajorityVote`, :class:`DawidSkene`); ``probas_``, ``labels_``
            and ``tied_`` are then dask collections indexed by item.
        y : Series or dict, default=None
            The same as ``true_labels`` (the scikit-learn name of the second argument of
            ``fit``); give one or the other.
        true_labels : Series or dict, default=None
            Gold labels: the known label of some items, as a Series indexed by item or a
            dict ``{item: label}``; NaN/None means no gold label for that item. Every item
            must be in ``data`` and every label one of its categories. What the
            aggregator does with them is in its docstring; ``probas_`` of a gold item is
            one-hot on its gold label and ``labels_`` is the gold label. Not supported on
            a :class:`DaskAnnotations`.

        Returns
        -------
        self

        Raises
        ------
        TypeError
            ``true_labels`` is neither a Series nor a dict, or gold labels are given
            with a :class:`DaskAnnotations`.
        ValueError
            Both ``y`` and ``true_labels`` are given, or ``true_labels`` repeats an item,
            names an item that is not in ``data`` or a label that is not a category.
        """
        if y is not None and true_labels is not None:
            raise ValueError(GOLD_BOTH)
        true_labels = y if y is not None else true_labels
        if isinstance(data, DaskAnnotations):
            if true_labels is not None:
                raise TypeError(GOLD_DASK.format(type(self).__name__))
            fitted = self._fit_dask(data)
            fitted.gold_, fitted.n_gold_ = None, 0
            return fitted
        ann = self._validate(data)
        gold = check_gold(true_labels, ann)
        has_gold = bool((gold >= 0).any())
        if has_gold and not self._uses_gold:
            raise ValueError(GOLD_UNSUPPORTED.format(type(self).__name__))
        P = self._fit(ann, gold=gold) if has_gold else self._fit(ann)
        P = np.array(P, dtype=np.float64)
        if P.shape != (ann.n_items, ann.n_categories):
            raise RuntimeError(f"{type(self).__name__}._fit returned shape {P.shape}, "
                               f"expected {(ann.n_items, ann.n_categories)}")
        rows = np.flatnonzero(gold >= 0)
        P[rows] = 0.0
        P[rows, gold[rows]] = 1.0
        self.classes_ = np.asarray(ann.categories)
        self.n_items_ = ann.n_items
        self.n_annotators_ = ann.n_annotators
        self.gold_ = pd.Series(gold >= 0, index=ann.items, name="gold")
        self.n_gold_ = len(rows)
        self.probas_, self.labels_ = outputs(P, ann.items, ann.categories)
        return self

    def fit_predict(self, data: Any, y: Any = None, *, true_labels: Any = None
                    ) -> pd.Series:
        """Fit (see :meth:`fit`) and return ``labels_``."""
        return self.fit(data, y, true_labels=true_labels).labels_

    def fit_predict_proba(self, data: Any, y: Any = None, *, true_labels: Any = None
                          ) -> pd.DataFrame:
        """Fit (see :meth:`fit`) and return ``probas_``."""
        return self.fit(data, y, true_labels=true_labels).probas_

    def _check_fitted(self) -> None:
        check_is_fitted(self, "probas_")
