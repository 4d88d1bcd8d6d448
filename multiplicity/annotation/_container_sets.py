"""Set-valued labels: reading sets of tags into the categories of an Annotations.

An annotator who may give an item several tags at once (topics of a text, emotions of a
sentence) gives it a set of them: a ``frozenset`` of tags, and each distinct set is one
category, with no order a measure could use. This module finds set-valued cells (lists,
sets or frozensets) and turns them into frozensets, builds one set per (item, annotator)
from a long table with one tag per row (``multi_label=True``, through bit masks of the tags
when there are at most 62), puts the sets in their canonical order (by size, then by their
tags), and answers what :attr:`Annotations.tags`, :meth:`Annotations.binary` and
:attr:`Annotations.is_set_valued` ask of the categories. Plain functions over arrays and
Index objects; ``_container.py`` calls them and gives them its label helpers (this module
names it with ``lazy_module``, since ``_container.py`` imports this one).
"""

from __future__ import annotations

import sys
from collections.abc import Hashable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._checks import py_scalar
from .._lazy import lazy_module

pd = lazy_module("pandas")
# the container's label helpers (_present, _factorize_values, _label_index, ...)
_c = lazy_module("multiplicity.annotation._container")

# Error messages (tests import them).
SET_CATEGORIES = ("categories= is not supported for set-valued labels: their categories are "
                  "the distinct sets of tags, which have no order")
NOT_SET_VALUED = ("{what} needs set-valued labels (each label a set of tags: "
                  "Annotations.from_long(..., multi_label=True) or a column of lists or sets); "
                  "the labels are {cats}")
UNKNOWN_TAG = "tag {tag!r} is not among the tags of the data: {tags}"
MULTI_LABEL_CELLS = ("with multi_label=True column {label!r} must hold one tag per row, but it "
                     "holds lists or sets; drop multi_label to read each cell as a set of tags")
REPEATED_TAG = ("annotator {annotator!r} gave tag {tag!r} to item {item!r} in more than one row; "
                "pass duplicates='first' to keep each tag once (a set holds a tag once)")
SET_DASK = "set-valued labels (multi_label=True) need a pandas DataFrame, not a dask one"


def _nested_sets(table: Any) -> NDArray | None:
    """A list of rows with lists or sets among the cells as a 2-D object array (NumPy
    would read the lists as a third axis, or refuse them); None for any other input."""
    if not isinstance(table, list | tuple) or not table or \
            not all(isinstance(row, list | tuple) for row in table) or \
            len({len(row) for row in table}) != 1 or \
            not any(_is_set_like(c) for row in table for c in row):
        return None
    out = np.empty((len(table), len(table[0])), dtype=object)
    for i, row in enumerate(table):
        for j, cell in enumerate(row):
            out[i, j] = cell
    return out


def _is_set_like(x: Any) -> bool:
    """A cell that holds a set of tags: a list, set or frozenset (a tuple is one label)."""
    return isinstance(x, list | set | frozenset)


_set_like = np.frompyfunc(_is_set_like, 1, 1)
_is_tag_set = np.frompyfunc(lambda x: isinstance(x, frozenset), 1, 1)


def _has_sets(values: NDArray) -> bool:
    """Whether an array of labels holds lists or sets (only object arrays of mixed
    types are scanned in Python: a column of strings or numbers is told apart in C)."""
    if values.dtype != object or not values.size:
        return False
    if "pandas" not in sys.modules:  # a NumPy table: scan it rather than load pandas
        return bool(_set_like(values).any())
    kind = pd.api.types.infer_dtype(values.ravel(), skipna=True)
    return kind == "mixed" and bool(_set_like(values).any())


def _as_sets(values: NDArray) -> NDArray:
    """Every (non-missing) cell as a frozenset of tags; None where the cell is empty.

    A list or set gives its tags without the missing and blank ones (an empty list is the
    empty set); any other value is a set of one tag, and a blank string is empty."""
    out = np.empty(len(values), dtype=object)
    missing = _c._missing_scalar
    for j, cell in enumerate(values):
        if _is_set_like(cell):
            out[j] = frozenset(py_scalar(t) for t in cell if not (
                missing(t) or t is pd.NA or t is pd.NaT or
                (isinstance(t, str) and not t.strip())))
        elif not (isinstance(cell, str) and not cell.strip()):
            out[j] = frozenset((py_scalar(cell),))
    return out


def _sorted_tags(tags: Any) -> list:
    """The tags sorted by value when they can be, else by type name and text."""
    tags = list(tags)
    try:
        return sorted(tags)
    except TypeError:
        return sorted(tags, key=lambda t: (type(t).__name__, str(t)))


def _set_order(sets: Any) -> tuple[list, NDArray[np.int64]]:
    """The tags of ``sets`` (sorted) and the order that sorts the sets by size, then by
    their tags in that order."""
    tags = _sorted_tags(frozenset().union(*sets))
    rank = {t: r for r, t in enumerate(tags)}
    keys = [(len(c), sorted(rank[t] for t in c)) for c in sets]
    return tags, np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)


def _factorize_sets(sets: NDArray) -> tuple[NDArray[np.int64], pd.Index]:
    """Codes of frozensets of tags into the distinct sets, in their canonical order."""
    if not len(sets):
        return np.zeros(0, dtype=np.int64), _c._label_index([])
    codes, uniques = pd.factorize(sets, sort=False)
    order = _set_order(uniques)[1]
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    return remap[codes].astype(np.int64), _c._label_index(uniques[order])


def _set_text(tags: frozenset) -> str:
    """A set of tags for a repr: ``{'joy', 'surprise'}``, ``{}`` for the empty set."""
    return "{" + ", ".join(repr(t) for t in _sorted_tags(tags)) + "}"


def are_tag_sets(categories: Any) -> bool:
    """True when every category is a ``frozenset`` of tags (False when there is none)."""
    dtype = getattr(categories, "dtype", None)
    return bool(len(categories) and dtype is not None and dtype.kind == "O" and
                _is_tag_set(np.asarray(categories, dtype=object)).all())


def tag_index(categories: Any) -> pd.Index:
    """The distinct tags of categories that are sets of tags, sorted (see ``_sorted_tags``)."""
    return _c._normalise_labels(_c._label_index(_set_order(categories)[0]))


def holds_tag(categories: Any, tags: pd.Index, tag: Hashable) -> NDArray[np.int64]:
    """1 for each category (a set of tags) that holds ``tag``, else 0; ``tag`` must be one
    of ``tags``."""
    try:
        known = tag in tags
    except TypeError:   # an unhashable tag
        known = False
    if not known:
        raise ValueError(UNKNOWN_TAG.format(tag=py_scalar(tag), tags=_c._short(tags, 20)))
    return np.fromiter((tag in c for c in categories), dtype=np.int64, count=len(categories))


def long_sets(df: pd.DataFrame, item: Hashable, annotator: Hashable, label: Hashable,
              duplicates: str, multi_label: bool) -> tuple[NDArray[np.int64],
                                                           NDArray[np.int64],
                                                           NDArray[np.int64], pd.Index,
                                                           pd.Index, pd.Index, int]:
    """The set-valued labels of a long table, for ``Annotations.from_long``: one tag per
    row (``multi_label``) or one set per row (a column of lists or sets).

    Returns ``(item_codes, annotator_codes, codes, items, annotators, categories,
    n_dropped)``. With ``multi_label`` there is one entry per (item, annotator), sorted by
    item, then annotator (a tag repeated in one pair raises with
    ``duplicates="raise"``, else counts once); without it one entry per kept row, whose
    repeated (item, annotator) pairs the caller resolves with ``duplicates``.
    """
    values = df[label].to_numpy()
    item_codes, items = pd.factorize(df[item], sort=False, use_na_sentinel=True)
    ann_codes, annotators = pd.factorize(df[annotator], sort=False, use_na_sentinel=True)
    keep = _c._present(values)
    if multi_label:
        if _has_sets(values):
            raise TypeError(MULTI_LABEL_CELLS.format(label=py_scalar(label)))
        tag_codes, tags = _c._factorize_values(values[keep], "label") if keep.any() else \
            (np.zeros(0, dtype=np.int64), pd.Index([]))
        tag_codes, tags, kept = _c._drop_blank(tag_codes, tags)
    else:
        sets = _as_sets(values[keep])
        kept = np.array([s is not None for s in sets], dtype=bool)
        codes, cats = _factorize_sets(sets[kept])
    if kept is not None:
        keep[np.flatnonzero(keep)[~kept]] = False
    if (item_codes[keep] < 0).any():
        raise ValueError(f"column {item!r} has missing item names")
    if (ann_codes[keep] < 0).any():
        raise ValueError(f"column {annotator!r} has missing annotator names")
    it, an = item_codes[keep].astype(np.int64), ann_codes[keep].astype(np.int64)
    items, annotators = pd.Index(items), pd.Index(annotators)
    n_dropped = len(keep) - int(np.count_nonzero(keep))
    if not multi_label:
        return it, an, codes, items, annotators, cats, n_dropped
    pair_item, pair_ann, codes, cats = _tag_sets(it, an, tag_codes, tags, items, annotators,
                                                 duplicates)
    return pair_item, pair_ann, codes, items, annotators, cats, n_dropped


def _tag_sets(it: NDArray[np.int64], an: NDArray[np.int64], tag_codes: NDArray[np.int64],
              tags: Any, items: pd.Index, annotators: pd.Index, duplicates: str
              ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], pd.Index]:
    """One set per (item, annotator) from rows of one tag each: the pairs' item and
    annotator codes, the codes of their sets and the distinct sets (the categories)."""
    # One set per (item, annotator): sort the rows by pair, then tag.
    n_ann = max(len(annotators), 1)
    pair = it * n_ann + an
    order = np.lexsort((tag_codes, pair))
    pair, tag_codes = pair[order], tag_codes[order]
    new = np.ones(len(pair), dtype=bool)
    new[1:] = (pair[1:] != pair[:-1]) | (tag_codes[1:] != tag_codes[:-1])
    if not new.all() and duplicates == "raise":
        j = int(np.argmin(new))
        i, a = divmod(int(pair[j]), n_ann)
        raise ValueError(REPEATED_TAG.format(
            annotator=py_scalar(annotators[a]), item=py_scalar(items[i]),
            tag=py_scalar(_c._as_index(tags)[tag_codes[j]])))
    pair, tag_codes = pair[new], tag_codes[new]
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair) else \
        np.zeros(0, dtype=np.int64)
    tag_values = _c._as_index(tags).tolist()
    if 0 < len(tag_values) <= 62:
        # each set as a bit mask of its tags: one Python set per distinct set only
        masks = np.bitwise_or.reduceat(np.left_shift(1, tag_codes), starts)
        distinct, inverse = np.unique(masks, return_inverse=True)
        sets = np.empty(len(distinct), dtype=object)
        sets[:] = [frozenset(tag_values[t] for t in range(len(tag_values))
                             if (int(m) >> t) & 1) for m in distinct]
        codes, cats = _factorize_sets(sets)
        codes = codes[inverse.reshape(-1)]
    else:
        sets = np.empty(len(starts), dtype=object)
        sets[:] = [frozenset(tag_values[t] for t in chunk)
                   for chunk in np.split(tag_codes, starts[1:])] if len(starts) else []
        codes, cats = _factorize_sets(sets)
    pair_item, pair_ann = np.divmod(pair[starts], n_ann)
    return pair_item, pair_ann, codes, cats
