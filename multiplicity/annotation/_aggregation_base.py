"""The common shape of label aggregators: fit on Annotations, labels_ and probas_ by item."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._container import Annotations, check_annotations
from ._dask import DaskAnnotations, in_memory_only

__all__ = ["Aggregator", "check_sizes", "outputs"]


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
    annotations) and may set fitted attributes of their own. ``fit`` then sets:

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
    n_items_, n_annotators_ : int
    """

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

    def fit(self, data: Any, y: None = None) -> Aggregator:
        """Infer the items' labels.

        Parameters
        ----------
        data : Annotations, DaskAnnotations or table accepted by :meth:`Annotations.from_wide`
            A :class:`DaskAnnotations` fits on the cluster where the aggregator supports
            it (:class:`MajorityVote`, :class:`DawidSkene`); ``probas_``, ``labels_``
            and ``tied_`` are then dask collections indexed by item.
        y : None
            Ignored (the labels are latent).

        Returns
        -------
        self
        """
        if isinstance(data, DaskAnnotations):
            return self._fit_dask(data)
        ann = self._validate(data)
        P = np.asarray(self._fit(ann), dtype=np.float64)
        if P.shape != (ann.n_items, ann.n_categories):
            raise RuntimeError(f"{type(self).__name__}._fit returned shape {P.shape}, "
                               f"expected {(ann.n_items, ann.n_categories)}")
        self.classes_ = np.asarray(ann.categories)
        self.n_items_ = ann.n_items
        self.n_annotators_ = ann.n_annotators
        self.probas_, self.labels_ = outputs(P, ann.items, ann.categories)
        return self

    def fit_predict(self, data: Any) -> pd.Series:
        """Fit and return ``labels_``."""
        return self.fit(data).labels_

    def fit_predict_proba(self, data: Any) -> pd.DataFrame:
        """Fit and return ``probas_``."""
        return self.fit(data).probas_

    def _check_fitted(self) -> None:
        check_is_fitted(self, "probas_")
