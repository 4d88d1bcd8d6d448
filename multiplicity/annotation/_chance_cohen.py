"""Cohen's kappa input: two label vectors (or data with two annotators) to a table.

The labels of the items both annotators rated become codes over common categories (the
given order, ordered pandas Categoricals, or the labels used, sorted), then the ``(k, k)``
contingency table and the weight matrix that :func:`cohen_kappa` and its standard errors
read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._lazy import is_instance, lazy_module
from ._chance_core import NEEDS_ANNOTATORS
from ._chance_weights import _check_weights
from ._container import (
    Annotations,
    _check_categories,
    _codes_in,
    _factorize_labels,
    _normalise_labels,
    check_annotations,
)

pd = lazy_module("pandas")
# pandas index alignment, loaded only for pandas inputs
_validation = lazy_module("multiplicity._validation")

# Error messages (tests import them).
COHEN_LENGTHS = "a and b must have the same length, got {na} and {nb}"
COHEN_NOT_1D = "{name} must be a 1-D vector of labels, got shape {shape}"
COHEN_TOO_FEW = ("cohen_kappa needs at least 2 items rated by both a and b (missing "
                 "entries are dropped pairwise), got {n}")
COHEN_TWO_ANNOTATORS = ("cohen_kappa(data) needs exactly 2 annotators, the data has {n}; "
                        "pass two label vectors a and b, or use conger_kappa")
COHEN_REPEATED = ("cohen_kappa needs one rating per annotator and item, but an annotator "
                  "rated an item more than once; build the data with duplicates='first' "
                  "or 'last'")
COHEN_CATEGORICALS_DIFFER = ("a and b are ordered pandas Categoricals with different "
                             "categories ({ca} and {cb}); give both the same categories in "
                             "the same order, or pass categories=")


def _label_vector(x: Any, name: str) -> NDArray:
    if is_instance(x, "pandas", "Series", "Index", "Categorical"):
        arr = np.asarray(x, dtype=object)
    elif isinstance(x, np.ndarray):
        arr = x if x.dtype.kind in "biufcUSO" else x.astype(object)
    else:
        items = list(x)
        if any(isinstance(v, tuple) for v in items):  # tuples are labels, not an axis
            arr = np.empty(len(items), dtype=object)
            for i, v in enumerate(items):
                arr[i] = v
        else:
            arr = np.asarray(items)
            if arr.dtype.kind not in "biufcUSO":
                arr = np.asarray(items, dtype=object)
    if arr.ndim != 1:
        raise ValueError(COHEN_NOT_1D.format(name=name, shape=arr.shape))
    return arr


def _ordered_categorical(x: Any) -> pd.Index | None:
    """The categories of an ordered pandas Categorical (or a Series of one), else None."""
    dtype = getattr(x, "dtype", None)
    if not is_instance(x, "pandas", "Series", "Index", "Categorical") or \
            not isinstance(dtype, pd.CategoricalDtype) or not dtype.ordered:
        return None
    return _normalise_labels(pd.Index(dtype.categories))


def _cohen_from_annotations(data: Any, categories: Any
                            ) -> tuple[NDArray[np.int64], NDArray[np.int64], pd.Index,
                                       NDArray[np.bool_], bool]:
    """:func:`_cohen_codes` for data with two annotators (an Annotations or a table)."""
    ann = check_annotations(data, "a")
    if not ann.has_annotators:
        raise ValueError(NEEDS_ANNOTATORS.format(coef="cohen_kappa"))
    if ann.n_annotators != 2:
        raise ValueError(COHEN_TWO_ANNOTATORS.format(n=ann.n_annotators))
    if ann.has_duplicates:
        raise ValueError(COHEN_REPEATED)
    if categories is not None:
        ann = Annotations.from_wide(ann, categories=categories)
    full = np.full((ann.n_items, 2), -1, dtype=np.int64)
    full[ann.item_codes, ann.annotator_codes] = ann.label_codes
    both = (full >= 0).all(axis=1)
    n = int(both.sum())
    if n < 2:
        raise ValueError(COHEN_TOO_FEW.format(n=n))
    ca, cb = full[both, 0], full[both, 1]
    cats = ann.categories
    if not ann._given_order:
        # the categories the pairs use (as for two label vectors); a given order keeps
        # every listed category, used or not, like the other coefficients
        used = np.flatnonzero(np.bincount(np.concatenate([ca, cb]), minlength=len(cats)))
        remap = np.full(len(cats), -1, dtype=np.int64)
        remap[used] = np.arange(used.size)
        ca, cb, cats = remap[ca], remap[cb], cats[used]
    return ca, cb, cats, both, ann.ordered


def _cohen_codes(a: Any, b: Any, categories: Any = None
                 ) -> tuple[NDArray[np.int64], NDArray[np.int64], pd.Index,
                            NDArray[np.bool_], bool]:
    """Codes of the items rated by both, the categories, which items those are, and
    whether the categories have an order (numbers, an ordered Categorical or
    ``categories=``)."""
    if b is None:
        return _cohen_from_annotations(a, categories)
    if is_instance(a, "pandas", "Series") and is_instance(b, "pandas", "Series"):
        b = _validation.align_to(a, b, name="b", reference_name="a")
    given = None if categories is None else _check_categories(categories)
    if given is None:
        ca_order, cb_order = _ordered_categorical(a), _ordered_categorical(b)
        if ca_order is not None and cb_order is not None and not ca_order.equals(cb_order):
            raise ValueError(COHEN_CATEGORICALS_DIFFER.format(ca=list(ca_order),
                                                              cb=list(cb_order)))
        given = ca_order if ca_order is not None else cb_order
    va, vb = _label_vector(a, "a"), _label_vector(b, "b")
    if va.shape[0] != vb.shape[0]:
        raise ValueError(COHEN_LENGTHS.format(na=va.shape[0], nb=vb.shape[0]))
    both = ~(pd.isna(va) | pd.isna(vb)) if va.dtype.kind in "fcO" or vb.dtype.kind in "fcO" \
        else np.ones(va.shape[0], dtype=bool)
    both = np.asarray(both, dtype=bool)
    n = int(both.sum())
    if n < 2:
        raise ValueError(COHEN_TOO_FEW.format(n=n))
    pooled = np.concatenate([va[both].astype(object), vb[both].astype(object)]) \
        if va.dtype != vb.dtype else np.concatenate([va[both], vb[both]])
    if given is not None:
        codes, cats, _ = _codes_in(pooled, given, "a and b", drop_blank=False)
        return codes[:n], codes[n:], cats, both, True
    codes, cats = _factorize_labels(pooled, "a and b")
    ordered = bool(len(cats)) and pd.api.types.is_numeric_dtype(cats.dtype)
    return codes[:n], codes[n:], cats, both, ordered


def _cohen_parts(a: Any, b: Any, weights: Any, categories: Any = None
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64], pd.Index]:
    ca, cb, cats, _, ordered = _cohen_codes(a, b, categories)
    W, _ = _check_weights(weights, cats, ordered)
    k = len(cats)
    table = np.bincount(ca * k + cb, minlength=k * k).reshape(k, k).astype(np.float64)
    return table, W, cats

