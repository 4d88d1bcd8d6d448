"""Per-item views of annotations: how much the annotators of each item disagree, and the
distribution of their labels (soft labels).

Both functions return labelled pandas objects when their input names the items (an
:class:`Annotations` or a DataFrame) and NumPy arrays for a NumPy table or nested lists, so
that a NumPy table never loads pandas.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Literal

import numba
import numpy as np
from numpy.typing import NDArray

from .._lazy import is_instance, lazy_module
from . import _dask
from ._container import Annotations, check_annotations
from ._items_kernels import _item_measures, _item_measures_block

# pandas loads only when an output is labelled (the input was already pandas-backed).
pd = lazy_module("pandas")

__all__ = ["DISAGREEMENT_MEASURES", "item_disagreement", "soft_labels"]

Measure = Literal["entropy", "normalized_entropy", "variance", "minority_share", "gini"]

#: Measure name -> kernel code.
DISAGREEMENT_MEASURES: dict[str, int] = {
    "entropy": 0, "normalized_entropy": 1, "minority_share": 2, "gini": 3, "variance": 4,
}

# Error messages (tests import them).
UNKNOWN_MEASURE = "measure must be one of {names}, got {got!r}"
VARIANCE_NOT_NUMERIC = ("measure='variance' needs numeric labels in data, but its categories "
                        "are not numbers ({cats}...); use 'entropy', 'gini' or "
                        "'minority_share'")
SMOOTHING = "smoothing must be a finite number >= 0, got {got!r}"

_CHUNKS_PER_THREAD = 4
# Below this many ratings one thread is faster than starting the thread pool.
_PARALLEL_MIN_RATINGS = 50_000


def _labelled(data: Any) -> bool:
    """True when results carry names: ``data`` is an Annotations or a pandas DataFrame."""
    return isinstance(data, Annotations) or is_instance(data, "pandas", "DataFrame")


def item_disagreement(data: Any, measure: Measure = "entropy"
                      ) -> pd.Series | NDArray[np.float64]:
    """How much the labels of each item disagree.

    Parameters
    ----------
    data : Annotations, DaskAnnotations or table accepted by :meth:`Annotations.from_wide`
        Items x annotators labels, missing entries allowed. A :class:`DaskAnnotations`
        is computed per partition on the cluster (memory per worker: one partition);
        the Series, one float per item, sorted by item, comes to the client.
    measure : {"entropy", "normalized_entropy", "variance", "minority_share", "gini"}, \
default="entropy"
        With ``p_ic`` the share of item ``i``'s labels that are category ``c``:

        * ``"entropy"``: Shannon entropy ``-sum_c p_ic ln p_ic`` in nats (natural log),
          in ``[0, ln k]``.
        * ``"normalized_entropy"``: the entropy divided by ``ln k``, ``k`` the number of
          categories in the data (``ann.categories``), so in ``[0, 1]``; 0 when the data
          have a single category.
        * ``"variance"``: population variance (divided by the number of ratings, not by
          that number minus 1) of the item's numeric labels. Needs numeric labels.
        * ``"minority_share"``: ``1 - max_c p_ic``, the share of labels that differ from
          the item's most frequent one, in ``[0, 1 - 1/k]``.
        * ``"gini"``: Gini impurity ``1 - sum_c p_ic^2``, the chance that two labels drawn
          with replacement differ, in ``[0, 1 - 1/k]``.

        Repeated ratings (``duplicates="keep"``) each count.

    Returns
    -------
    Series or ndarray of shape (n_items,)
        In the order of ``ann.items``; NaN for items without any rating, and 0 for an
        item with a single rating under every measure. A pandas Series indexed by
        ``ann.items`` and named after ``measure`` when ``data`` is an
        :class:`Annotations` or a DataFrame (whose items have names); a NumPy array when
        ``data`` is a NumPy array or nested lists.

    Raises
    ------
    ValueError
        Unknown ``measure``, or ``measure="variance"`` with labels that are not numbers.

    See Also
    --------
    soft_labels : The label distributions ``p_ic`` themselves.

    Notes
    -----
    One label cannot disagree with itself, but that is no evidence of agreement either:
    an item with a single rating gets 0 here, so an average over items counts it as
    unanimous. Average over items with at least two ratings instead,
    ``d[ann.ratings_per_item() >= 2].mean()``; :meth:`DisagreementProfile.items` reports
    single-rating items as NaN with a ``single_rating`` flag.

    Examples
    --------
    >>> table = [[1, 1, 1], [1, 2, None], [1, 2, 3], [None, None, None]]
    >>> item_disagreement(table).round(4)
    array([0.    , 0.6931, 1.0986,    nan])
    >>> item_disagreement(table, "variance").round(4)
    array([0.    , 0.25  , 0.6667,    nan])
    >>> item_disagreement(table, "minority_share").round(4)
    array([0.    , 0.5   , 0.6667,    nan])

    A DataFrame (or an :class:`Annotations`) gives a Series indexed by the items:

    >>> import pandas as pd
    >>> wide = pd.DataFrame({"ann1": ["a", "a", "b"], "ann2": ["a", "b", None]},
    ...                     index=["t1", "t2", "t3"])
    >>> item_disagreement(wide, "minority_share")
    t1    0.0
    t2    0.5
    t3    0.0
    Name: minority_share, dtype: float64
    """
    if not isinstance(measure, str) or measure not in DISAGREEMENT_MEASURES:
        raise ValueError(UNKNOWN_MEASURE.format(names=list(DISAGREEMENT_MEASURES),
                                                got=measure))
    if isinstance(data, _dask.DaskAnnotations):
        return _dask.item_disagreement(data, measure)
    ann = check_annotations(data)
    out = _item_disagreement(ann, measure)
    if _labelled(data):
        return pd.Series(out, index=ann.items, name=measure)
    return out


def _item_disagreement(ann: Annotations, measure: str) -> NDArray[np.float64]:
    """:func:`item_disagreement` of a checked Annotations and a known measure, as an array."""
    code = DISAGREEMENT_MEASURES[measure]
    k = ann.n_categories
    if k == 0:  # no rating at all
        return np.full(ann.n_items, np.nan)
    if code == 4:
        if not ann.is_numeric:
            raise ValueError(VARIANCE_NOT_NUMERIC.format(cats=list(ann.categories[:5])))
        values = np.ascontiguousarray(ann.category_values)
    else:
        values = np.zeros(k)
    if ann.n_annotations < _PARALLEL_MIN_RATINGS:
        out = np.empty(ann.n_items)
        _item_measures_block(ann.item_ptr, ann.label_codes, values, k, code, 0, ann.n_items,
                             out)
        return out
    n_chunks = max(1, min(ann.n_items, numba.get_num_threads() * _CHUNKS_PER_THREAD))
    return _item_measures(ann.item_ptr, ann.label_codes, values, k, code, n_chunks)


def soft_labels(data: Any, smoothing: float = 0.0) -> pd.DataFrame | NDArray[np.float64]:
    """Each item's distribution of labels over the categories, with additive smoothing.

    Parameters
    ----------
    data : Annotations or table accepted by :meth:`Annotations.from_wide`
        Items x annotators labels, missing entries allowed.
    smoothing : float, default=0.0
        Additive (Laplace) pseudo-count ``s >= 0`` added to every category:
        ``(n_ic + s) / (r_i + k s)``, with ``n_ic`` the number of item ``i``'s labels
        that are category ``c``, ``r_i`` its number of labels and ``k`` the number of
        categories. ``s = 1`` is Laplace's rule of succession.

    Returns
    -------
    DataFrame or ndarray of shape (n_items, n_categories)
        Rows in the order of ``ann.items``, columns in the order of ``ann.categories``
        (the sorted distinct labels). Rows sum to 1, except for items without any
        rating: with ``smoothing=0`` their row is all NaN (0 / 0), with ``smoothing > 0``
        it is uniform, ``1 / k``. Repeated ratings (``duplicates="keep"``) each count.
        The result is dense: ``8 * n_items * n_categories`` bytes. A pandas DataFrame
        with index ``ann.items`` and columns ``ann.categories`` when ``data`` is an
        :class:`Annotations` or a DataFrame (select a category with ``P[category]``, an
        item with ``P.loc[item]``); a NumPy array when ``data`` is a NumPy array or
        nested lists.

    Raises
    ------
    ValueError
        If ``smoothing`` is negative, NaN or infinite.

    See Also
    --------
    item_disagreement : Entropy, Gini impurity and other summaries of these rows.

    Examples
    --------
    >>> table = [["a", "b", "b"], ["a", None, None], [None, None, None]]
    >>> soft_labels(table)
    array([[0.33333333, 0.66666667],
           [1.        , 0.        ],
           [       nan,        nan]])
    >>> soft_labels(table, smoothing=1.0)
    array([[0.4       , 0.6       ],
           [0.66666667, 0.33333333],
           [0.5       , 0.5       ]])

    From an :class:`Annotations` (or a DataFrame) the rows and columns are named:

    >>> import pandas as pd
    >>> long = pd.DataFrame({"item": ["t1", "t1", "t2"], "annotator": ["x", "y", "x"],
    ...                      "label": ["spam", "ham", "spam"]})
    >>> soft_labels(Annotations.from_long(long))
        ham  spam
    t1  0.5   0.5
    t2  0.0   1.0
    """
    if isinstance(smoothing, bool) or not isinstance(smoothing, Real) or \
            not math.isfinite(float(smoothing)) or float(smoothing) < 0:
        raise ValueError(SMOOTHING.format(got=smoothing))
    ann = check_annotations(data)
    P = _soft_labels(ann, float(smoothing))
    if _labelled(data):
        return pd.DataFrame(P, index=ann.items, columns=ann.categories)
    return P


def _soft_labels(ann: Annotations, s: float) -> NDArray[np.float64]:
    """:func:`soft_labels` of a checked Annotations and a valid smoothing, as an array."""
    n, k = ann.n_items, ann.n_categories
    # Counts as float64 directly (bincount with weights): one (n, k) allocation.
    P = np.bincount(ann.item_codes * k + ann.label_codes,
                    weights=np.ones(ann.n_annotations), minlength=n * k
                    ).astype(np.float64, copy=False).reshape(n, k)
    den = ann.ratings_per_item().astype(np.float64)[:, None] + k * s
    if s:
        P += s
    with np.errstate(divide="ignore", invalid="ignore"):
        P /= den
    return P
