"""The common shape of label aggregators: fit on Annotations, labels_ and probas_ by item."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._container import Annotations, check_annotations

__all__ = ["Aggregator"]


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
        if ann.n_annotations == 0:
            raise ValueError("data holds no annotations")
        if ann.n_categories < 2:
            raise ValueError(f"data has a single category ({ann.categories[0]!r}); "
                             "aggregation needs at least two")
        return ann

    def fit(self, data: Any, y: None = None) -> Aggregator:
        """Infer the items' labels.

        Parameters
        ----------
        data : Annotations or table accepted by :meth:`Annotations.from_wide`
        y : None
            Ignored (the labels are latent).

        Returns
        -------
        self
        """
        ann = self._validate(data)
        P = np.asarray(self._fit(ann), dtype=np.float64)
        if P.shape != (ann.n_items, ann.n_categories):
            raise RuntimeError(f"{type(self).__name__}._fit returned shape {P.shape}, "
                               f"expected {(ann.n_items, ann.n_categories)}")
        self.classes_ = np.asarray(ann.categories)
        self.n_items_ = ann.n_items
        self.n_annotators_ = ann.n_annotators
        self.probas_ = pd.DataFrame(P, index=ann.items, columns=ann.categories)
        rated = ~np.isnan(P).any(axis=1)
        codes = np.where(rated, np.argmax(np.where(rated[:, None], P, 0.0), axis=1), -1)
        labels = np.asarray(ann.categories, dtype=object).take(np.maximum(codes, 0))
        labels[~rated] = None
        self.labels_ = pd.Series(labels, index=ann.items, name="label")
        if ann.categories.dtype != object and rated.all():
            self.labels_ = self.labels_.astype(ann.categories.dtype)
        return self

    def fit_predict(self, data: Any) -> pd.Series:
        """Fit and return ``labels_``."""
        return self.fit(data).labels_

    def fit_predict_proba(self, data: Any) -> pd.DataFrame:
        """Fit and return ``probas_``."""
        return self.fit(data).probas_

    def _check_fitted(self) -> None:
        check_is_fitted(self, "probas_")
