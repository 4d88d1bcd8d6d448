"""The Annotations container: who labelled which item how, with missing entries.

One class with its constructors (long and wide tables, counts, pandas inputs) and the views
every coefficient reads, and the helpers that turn labels into codes and categories; they
share one internal layout (items sorted, ratings by item), so they stay together although
the module is longer than the package's usual module. Set-valued labels (frozensets of
tags) are read and ordered in ``_container_sets.py``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Hashable
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import py_scalar
from .._config import use_kernels
from .._dask import is_dask_dataframe
from .._lazy import is_instance, lazy_module
from ._container_sets import (
    NOT_SET_VALUED,
    SET_CATEGORIES,
    SET_DASK,
    _as_sets,
    _factorize_sets,
    _has_sets,
    _is_tag_set,
    _nested_sets,
    _set_order,
    _set_text,
    _sorted_tags,
    are_tag_sets,
    holds_tag,
    long_sets,
    tag_index,
)

# pandas loads when an input or an output needs it: a NumPy table of numbers never does.
pd = lazy_module("pandas")
_k = lazy_module("multiplicity.annotation._container_kernels")
# the dask path (DaskAnnotations), loaded when a dask DataFrame comes in
_dask = lazy_module("multiplicity.annotation._dask")

__all__ = ["Annotations", "check_annotations", "check_ordered"]

Duplicates = Literal["raise", "first", "last", "keep"]

# Error messages (tests import them).
UNORDERED = ("{what} depends on the order of the categories, but the labels {cats} are not "
             "numbers and their order is not given; pass categories= with the labels in "
             "their order (Annotations.from_long, from_wide or from_counts) or label them "
             "with an ordered pandas.Categorical, or use {instead}")
NOT_IN_CATEGORIES = ("{name} has labels that are not in categories: {labels}; categories= "
                     "must list every label, in order (got {cats})")
CATEGORIES_TYPE = ("categories must be a list of the labels in their order, got {got!r}")
CATEGORIES_EMPTY = "categories must list at least one label, got an empty list"
CATEGORIES_MISSING = "categories must not hold a missing value (NaN or None), got {cats}"
CATEGORIES_REPEATED = "categories must be distinct labels, but {label!r} appears more than once"
CATEGORICALS_DIFFER = ("columns {a!r} and {b!r} are ordered pandas Categoricals with different "
                       "categories ({ca} and {cb}); give every column the same categories in "
                       "the same order, or pass categories=")


def _is_numeric_index(index: Any) -> bool:
    """True for non-empty numeric (not boolean) labels: a pandas Index or a NumPy array."""
    if isinstance(index, np.ndarray):
        return index.size > 0 and index.dtype.kind in "iuf"
    return len(index) > 0 and (pd.api.types.is_numeric_dtype(index.dtype)
                               and not pd.api.types.is_bool_dtype(index.dtype))


def _as_index(labels: Any) -> pd.Index:
    """A pandas Index of ``labels`` (a range, NumPy array or Index)."""
    return labels if is_instance(labels, "pandas", "Index") else pd.Index(labels)


def _short(labels: Any, limit: int = 8) -> str:
    """``labels`` as a short list for messages (the first ``limit``, then "...")."""
    shown = [py_scalar(v) for v in list(labels)[:limit]]
    return repr(shown)[:-1] + (", ...]" if len(labels) > limit else "]")


def check_ordered(categories: Any, ordered: bool, what: str, instead: str) -> None:
    """Raise when ``what`` (a measure that depends on the order of the categories) meets
    non-numeric labels whose order was not given.

    With one or two categories no measure depends on their order, so nothing is raised.
    """
    if ordered or len(categories) < 3:
        return
    raise ValueError(UNORDERED.format(what=what, cats=_short(categories, 5), instead=instead))


class Annotations:
    """Labels given by annotators to items, stored sparsely (missing entries cost nothing).

    Build it with :meth:`from_long` (one row per annotation), :meth:`from_wide` (an
    items x annotators table with NaN/None where an annotator did not label an item) or
    :meth:`from_counts` (an items x categories table of how many annotators chose each
    category, when who chose what is unknown). Every function of
    :mod:`multiplicity.annotation` accepts an ``Annotations`` or anything
    :meth:`from_wide` accepts.

    Labels can be of any hashable type. ``categories`` are the distinct labels in sorted
    order; when they are numbers (not booleans) they keep their values, which the
    interval and ratio metrics use, and whole numbers stay integers even when a missing
    label made their column float. Set-valued labels (several tags in one rating) are
    frozensets of tags, each distinct set one unordered category; see :meth:`from_long`,
    :attr:`tags` and :meth:`binary`.

    *Order of the labels.* Measures that depend on the order of the categories (the
    ordinal alpha, weighted kappas) use the numbers' order, or the order given by an
    ordered ``pandas.Categorical`` (a label column of :meth:`from_long`, the columns of a
    :meth:`from_wide` table, the columns of a :meth:`from_counts` table) or by an
    explicit ``categories=`` list; then ``categories`` holds every listed label in that
    order, used or not. Words are never sorted into an order a measure depends on: on
    non-numeric labels without a given order (``ordered`` is False) such measures raise a
    ``ValueError``.

    Memory: three int64 arrays of one entry per annotation, plus the item, annotator and
    category indexes; never items x annotators, so a sparse crowd-sourcing table with
    millions of items and thousands of annotators is cheap.

    Attributes
    ----------
    n_items, n_annotators, n_annotations : int
    items : pandas.Index
        Item names, in order of first appearance (``from_long``) or table order.
    annotators : pandas.Index or None
        Annotator names; None for data built with :meth:`from_counts`.
    categories : pandas.Index
        The distinct labels, sorted; or the given order (see above).
    ordered : bool
        Whether the categories have a meaningful order: numbers, an ordered Categorical or
        ``categories=``.
    n_dropped : int
        Rows of a long table dropped because their label was empty.

    Examples
    --------
    >>> ann = Annotations.from_wide([[1, 1, None], [2, 3, 3], [None, 1, 1]])
    >>> ann
    Annotations(n_items=3, n_annotators=3, n_annotations=7, categories=[1, 2, 3])
    >>> ann.counts()
    array([[2, 0, 0],
           [0, 1, 2],
           [2, 0, 0]])
    >>> ann.to_long().head(3)
       item  annotator  label
    0     0          0      1
    1     0          1      1
    2     1          0      2
    """

    __slots__ = ("_annotator", "_annotators", "_categories", "_code", "_duplicates",
                 "_given_order", "_item", "_item_ptr", "_items", "_n_dropped", "_sets")

    def __init__(self, item: NDArray[np.int64], annotator: NDArray[np.int64] | None,
                 code: NDArray[np.int64], items: pd.Index, annotators: pd.Index | None,
                 categories: pd.Index, *, duplicates: bool = False,
                 item_ptr: NDArray[np.int64] | None = None, ordered: bool = False,
                 n_dropped: int = 0) -> None:
        """Low-level constructor; use :meth:`from_long`, :meth:`from_wide` or
        :meth:`from_counts`. The arrays must be sorted by item (then annotator).
        ``ordered``: the order of ``categories`` was given (an ordered Categorical or
        ``categories=``); ``n_dropped``: rows dropped for an empty label."""
        self._item = np.ascontiguousarray(item, dtype=np.int64)
        self._annotator = (np.full(len(self._item), -1, dtype=np.int64) if annotator is None
                           else np.ascontiguousarray(annotator, dtype=np.int64))
        self._code = np.ascontiguousarray(code, dtype=np.int64)
        # Stored as given (a range or NumPy array when the input was a NumPy table, so
        # that pandas is not imported); the properties return pandas Index objects.
        self._items = items
        self._annotators = annotators
        self._categories = categories
        self._duplicates = bool(duplicates)
        self._given_order = bool(ordered)
        self._n_dropped = int(n_dropped)
        self._sets: bool | None = None   # whether the labels are sets (found when asked)
        n = len(self._items)
        if item_ptr is not None:
            self._item_ptr = np.asarray(item_ptr, dtype=np.int64)
        else:
            self._item_ptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(self._item, minlength=n), out=self._item_ptr[1:])
        for arr in (self._item, self._annotator, self._code):
            arr.setflags(write=False)

    # ------------------------------------------------------------ constructors
    @classmethod
    def from_long(cls, df: Any, *, item: Hashable = "item",
                  annotator: Hashable = "annotator", label: Hashable = "label",
                  duplicates: Duplicates = "raise",
                  categories: ArrayLike | None = None, multi_label: bool = False) -> Any:
        """One row per annotation: ``(item, annotator, label)`` columns of ``df``.

        Rows with an empty label (NaN, None or a blank string) are dropped: missing
        annotations are data, not errors. How many were dropped is kept in
        :attr:`n_dropped`.

        Parameters
        ----------
        df : pandas or dask DataFrame
            A dask DataFrame gives a :class:`DaskAnnotations` that keeps the data on the
            cluster (see below).
        item, annotator, label : column names, default "item", "annotator", "label"
            With a dask DataFrame ``item`` may also name its index.
        duplicates : {"raise", "first", "last", "keep"}, default="raise"
            What to do when an annotator labels the same item more than once: raise a
            ``ValueError``, keep the first or the last rating (in row order), or keep
            every rating (each coefficient documents how it counts repeated ratings).
            A dask DataFrame takes "raise" (raised by the first computation that meets
            the repeated rating) or "keep": the shuffle does not keep the row order.
        categories : array-like, default=None
            Every label, in their order (e.g. ``["very negative", "negative", "neutral",
            "positive", "very positive"]``): the order the ordinal alpha and weighted
            kappas use. A label of the column that is not listed raises a
            ``ValueError`` naming it. Default: an ordered ``pandas.Categorical`` label
            column gives its categories; otherwise the distinct labels, sorted. Not
            supported for set-valued labels (a ``ValueError``).
        multi_label : bool, default=False
            Set-valued labels, one row per tag: the rows of one (item, annotator) pair
            form the set of tags that annotator gave the item (see *Set-valued labels*
            below).

        Returns
        -------
        Annotations or DaskAnnotations
            A :class:`DaskAnnotations` for a dask DataFrame.

        Notes
        -----
        Items and annotators are numbered in order of first appearance. Cost: three
        factorisations and one stable sort, about a second per 10 million rows.

        *dask DataFrame.* One pass over the input finds the categories (the
        ``categories=`` list, an ordered Categorical's categories, or the labels found,
        sorted, by the same rules as in memory) and the annotators (in order of first
        appearance); nothing of the size of the input reaches the client. The rows are
        then encoded (int8 label codes up to 127 categories, int8 .. int32 annotator
        codes) and shuffled once by item, so that every item lives in one partition;
        the shuffle is skipped when ``df`` is indexed by ``item`` with known divisions
        (e.g. after ``df.set_index(item)``, or ``dd.read_parquet(...,
        index=item, calculate_divisions=True)`` on data sorted by item). The encoding
        and shuffle are lazy: they run inside each computation, or once with
        :meth:`DaskAnnotations.persist`.

        *Set-valued labels* (an item tagged {joy, surprise} by one annotator and {joy} by
        another): each label is a ``frozenset`` of tags and each distinct set is one
        category, so every coefficient treats distinct sets as nominal categories (see
        :meth:`binary` and ``tag_agreement`` for per-tag views). Two ways in: with
        ``multi_label=True`` each row holds one tag, and rows with an empty tag are
        dropped (counted in :attr:`n_dropped`), so an annotator whose rows for an item
        are all empty gave that item no label; a tag repeated for the same item and
        annotator raises with ``duplicates="raise"`` and is kept once otherwise.
        Without the flag, a label column holding lists, sets or frozensets is read as
        set-valued: each cell becomes a ``frozenset`` (an empty list is the empty set,
        an explicit "none of the tags"; missing or blank tags inside a cell are left
        out; a single value, e.g. a string, is a set of one tag, never a set of
        characters; tuples stay single labels), and ``duplicates`` applies to repeated
        (item, annotator) rows as usual. The categories are the distinct sets, ordered
        by size and then by their tags (in the order of :attr:`tags`); they have no
        order a measure could use (:attr:`ordered` is False). Not for dask DataFrames.
        """
        if is_dask_dataframe(df):
            if multi_label:
                raise TypeError(SET_DASK)
            return _dask.DaskAnnotations.from_dask(df, item=item, annotator=annotator,
                                                   label=label, duplicates=duplicates,
                                                   categories=categories)
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}")
        for role, col in (("item", item), ("annotator", annotator), ("label", label)):
            if col not in df.columns:
                raise ValueError(f"{role}={col!r} is not a column of df (columns: "
                                 f"{list(df.columns)})")
        if duplicates not in ("raise", "first", "last", "keep"):
            raise ValueError("duplicates must be 'raise', 'first', 'last' or 'keep', got "
                             f"{duplicates!r}")
        labels = df[label]
        if not isinstance(multi_label, bool | np.bool_):
            raise TypeError(f"multi_label must be True or False, got {multi_label!r}")
        if multi_label or (labels.dtype.kind == "O" and _has_sets(labels.to_numpy())):
            if categories is not None:
                raise ValueError(SET_CATEGORIES)
            return cls._from_long_sets(df, item, annotator, label, duplicates,
                                       bool(multi_label))
        name = f"column {label!r}"
        given = None if categories is None else _check_categories(categories)
        keep = np.array(labels.notna().to_numpy(), dtype=bool)
        dtype = labels.dtype
        if given is None and isinstance(dtype, pd.CategoricalDtype) and dtype.ordered:
            given = _normalise_labels(pd.Index(dtype.categories))
            codes = labels.cat.codes.to_numpy()[keep].astype(np.int64)
            codes, cats, kept = _drop_blank(codes, given)
        elif given is not None:
            codes, cats, kept = _codes_in(labels.to_numpy()[keep], given, name)
        else:
            lab = labels.to_numpy()[keep]
            codes, cats = _factorize_values(lab, "label") if lab.size else \
                (np.zeros(0, dtype=np.int64), pd.Index([]))
            codes, cats, kept = _drop_blank(codes, cats)
        if kept is not None:  # blank strings are empty labels too
            keep[np.flatnonzero(keep)[~kept]] = False
        item_codes, items = pd.factorize(df[item], sort=False, use_na_sentinel=True)
        ann_codes, annotators = pd.factorize(df[annotator], sort=False, use_na_sentinel=True)
        if (item_codes[keep] < 0).any():
            raise ValueError(f"column {item!r} has missing item names")
        if (ann_codes[keep] < 0).any():
            raise ValueError(f"column {annotator!r} has missing annotator names")
        return cls._from_codes(item_codes[keep].astype(np.int64),
                               ann_codes[keep].astype(np.int64), codes, pd.Index(items),
                               pd.Index(annotators), cats, duplicates,
                               ordered=given is not None,
                               n_dropped=len(keep) - int(np.count_nonzero(keep)))

    @classmethod
    def _from_long_sets(cls, df: pd.DataFrame, item: Hashable, annotator: Hashable,
                        label: Hashable, duplicates: Duplicates,
                        multi_label: bool) -> Annotations:
        """:meth:`from_long` for set-valued labels: one tag per row (``multi_label``)
        or one set per row (a column of lists or sets); see ``_container_sets.long_sets``."""
        it, an, codes, items, annotators, cats, n_dropped = long_sets(
            df, item, annotator, label, duplicates, multi_label)
        if multi_label:   # one set per (item, annotator) already
            return cls(it, an, codes, items, annotators, cats, n_dropped=n_dropped)
        return cls._from_codes(it, an, codes, items, annotators, cats, duplicates,
                               n_dropped=n_dropped)

    @classmethod
    def from_wide(cls, table: Any, *, duplicates: Duplicates = "raise",
                  categories: ArrayLike | None = None) -> Annotations:
        """An items x annotators table; NaN, None or a blank string marks a missing
        annotation.

        Parameters
        ----------
        table : DataFrame, Annotations or array-like of shape (n_items, n_annotators)
            Rows are items, columns annotators. A DataFrame's index and columns name
            them.
        duplicates : ignored
            A wide table cannot hold repeated ratings; accepted for symmetry.
        categories : array-like, default=None
            Every label, in their order: the order the ordinal alpha and weighted kappas
            use. A label of the table that is not listed raises a ``ValueError`` naming
            it. Default: the categories of the DataFrame's ordered ``pandas.Categorical``
            columns (they must agree); otherwise the distinct labels, sorted. With an
            ``Annotations``, its labels recoded into this order.

        Returns
        -------
        Annotations

        Notes
        -----
        Cells that are lists, sets or frozensets are set-valued labels (a ``frozenset``
        of tags each; an empty list is the empty set, a missing cell a missing label),
        with the rules of :meth:`from_long`; ``categories=`` is then not supported.
        """
        given = None if categories is None else _check_categories(categories)
        if isinstance(table, Annotations):
            return table if given is None else table._recode(given)
        if is_instance(table, "pandas", "DataFrame"):
            items, annotators = table.index, table.columns
            if given is None:
                given = _categorical_order(table)
            values = table.to_numpy(dtype=object) if any(
                not pd.api.types.is_numeric_dtype(t) for t in table.dtypes) \
                else table.to_numpy()
        else:
            values = table if isinstance(table, np.ndarray) else _nested_sets(table)
            if values is None:
                values = np.asarray(table)
            if values.dtype.kind not in "biufcUSO":
                values = np.asarray(table, dtype=object)
            if values.ndim != 2:
                raise ValueError("data must be 2-D, (n_items, n_annotators), got shape "
                                 f"{values.shape}")
            items, annotators = range(values.shape[0]), range(values.shape[1])
        if values.ndim != 2:
            raise ValueError(f"data must be 2-D, (n_items, n_annotators), got shape "
                             f"{values.shape}")
        if values.size == 0:
            raise ValueError(f"data must not be empty, got shape {values.shape}")
        sets = _has_sets(values)
        if sets and given is not None:
            raise ValueError(SET_CATEGORIES)
        if values.dtype.kind in "biu" and given is None:  # complete: no mask, no gather
            n_items, n_ann = values.shape
            item_idx = np.repeat(np.arange(n_items, dtype=np.int64), n_ann)
            ann_idx = np.tile(np.arange(n_ann, dtype=np.int64), n_items)
            codes, categories = _factorize_integers(values.ravel())
            return cls(item_idx, ann_idx, codes, items, annotators, categories,
                       item_ptr=np.arange(0, n_items * n_ann + 1, n_ann, dtype=np.int64))
        present = _present(values)
        # Row-major: sorted by item, then annotator. Few full-size temporaries, since a
        # fresh process pays for every new page it touches.
        item_idx, ann_idx = np.nonzero(present)
        if given is not None:
            codes, cats, kept = _codes_in(values[present], given, "data")
        elif sets:  # lists or sets of tags: missing cells are missing, [] the empty set
            cells = _as_sets(values[present])
            kept = _present(cells)
            codes, cats = _factorize_sets(cells[kept])
        else:
            codes, cats = _factorize_values(values[present])
            codes, cats, kept = _drop_blank(codes, cats)
        if kept is not None:  # blank strings: missing, like NaN
            item_idx, ann_idx = item_idx[kept], ann_idx[kept]
            present[present] = kept
        per_item = np.count_nonzero(present, axis=1)
        item_ptr = np.zeros(len(per_item) + 1, dtype=np.int64)
        np.cumsum(per_item, out=item_ptr[1:])
        return cls(item_idx, ann_idx, codes, items, annotators, cats, item_ptr=item_ptr,
                   ordered=given is not None)

    @classmethod
    def from_counts(cls, counts: Any, categories: ArrayLike | None = None, *,
                    ordered: bool | None = None) -> Annotations:
        """An items x categories table of how many annotators chose each category.

        Who chose what is unknown, so coefficients that need annotator identities
        (Cohen's and Conger's kappa, the intraclass correlation, and Krippendorff's alpha
        is fine: it needs only counts) raise a ``ValueError`` on such data.

        Parameters
        ----------
        counts : DataFrame or array-like of shape (n_items, n_categories)
            Non-negative integers. A DataFrame's columns name the categories.
        categories : array-like of shape (n_categories,), default=None
            The labels of the columns, in their order (the order the ordinal alpha and
            weighted kappas use; the columns keep it). Default: the DataFrame's columns
            (kept in their order when they are an ordered ``pandas.CategoricalIndex``,
            else sorted) or ``0 .. n_categories - 1``.
        ordered : bool, default=None
            Whether the order of ``categories`` is meaningful; default True when
            ``categories`` is given, False otherwise (numbers are always ordered). Pass
            ``ordered=False`` to have given non-numeric labels sorted instead.
            Categories that are frozensets of tags (set-valued labels) are put in the
            order of :meth:`from_long` and are never ordered.

        Returns
        -------
        Annotations
        """
        given = categories is not None if ordered is None else bool(ordered)
        if is_instance(counts, "pandas", "DataFrame"):
            columns = counts.columns
            if categories is None and isinstance(columns, pd.CategoricalIndex) and \
                    columns.ordered and ordered is None:
                given = True
            cats = columns if categories is None else categories
            items = counts.index
            C = counts.to_numpy()
        else:
            C = np.asarray(counts)
            if C.ndim != 2:
                raise ValueError("counts must be 2-D, (n_items, n_categories), got shape "
                                 f"{C.shape}")
            cats = np.arange(C.shape[1]) if categories is None else categories
            items = pd.RangeIndex(C.shape[0])
        if C.ndim != 2 or C.size == 0:
            raise ValueError(f"counts must be a non-empty 2-D table, got shape {C.shape}")
        if C.dtype.kind not in "iuf" or np.isnan(C.astype(float)).any():
            raise ValueError("counts must hold numbers without NaN")
        if (C < 0).any() or (C != np.round(C)).any():
            raise ValueError("counts must be non-negative integers")
        if isinstance(cats, pd.CategoricalIndex):
            cats = pd.Index(np.asarray(cats, dtype=object))
        cats = _normalise_labels(_label_index(cats))
        if len(cats) != C.shape[1] or cats.has_duplicates:
            raise ValueError(f"categories must be {C.shape[1]} distinct labels, got "
                             f"{list(cats)}")
        if len(cats) and bool(_is_tag_set(np.asarray(cats, dtype=object)).all()):
            given, order = False, _set_order(cats)[1]   # sets of tags: never ordered
        else:
            order = np.argsort(np.asarray(cats), kind="stable") if (
                not given and _sortable(cats)) else np.arange(len(cats))
        cats = cats[order]
        C = C[:, order].astype(np.int64)
        item_idx = np.repeat(np.repeat(np.arange(C.shape[0]), C.shape[1]), C.ravel())
        codes = np.repeat(np.tile(np.arange(C.shape[1]), C.shape[0]), C.ravel())
        return cls(item_idx, None, codes, pd.Index(items), None, cats, ordered=given)

    @classmethod
    def _from_codes(cls, item: NDArray, annotator: NDArray, code: NDArray, items: pd.Index,
                    annotators: pd.Index, categories: pd.Index,
                    duplicates: Duplicates, *, ordered: bool = False,
                    n_dropped: int = 0) -> Annotations:
        """Sort by (item, annotator) and resolve repeated pairs."""
        if use_kernels(len(item)):
            order = _k._order_by_item_then_annotator(item, annotator, len(items),
                                                     max(len(annotators), 1))
        else:  # the same stable order (by item, ties by annotator, then row order)
            order = np.lexsort((annotator, item))
        key = item[order] * max(len(annotators), 1) + annotator[order]
        repeated = key[1:] == key[:-1]
        has_dup = bool(repeated.any())
        if has_dup:
            if duplicates == "raise":
                j = int(np.argmax(repeated))
                i, a = divmod(int(key[j]), max(len(annotators), 1))
                raise ValueError(
                    f"annotator {py_scalar(annotators[a])!r} labelled item "
                    f"{py_scalar(items[i])!r} more than once; pass duplicates='first', "
                    "'last' or 'keep'")
            if duplicates == "first":
                sel = np.concatenate(([True], ~repeated))
                order = order[sel]
                has_dup = False
            elif duplicates == "last":
                sel = np.concatenate((~repeated, [True]))
                order = order[sel]
                has_dup = False
        return cls(item[order], annotator[order], code[order], items, annotators, categories,
                   duplicates=has_dup, ordered=ordered, n_dropped=n_dropped)

    # -------------------------------------------------------------- properties
    @property
    def n_items(self) -> int:
        """Number of items (rows of the wide table), including items with no label."""
        return len(self._items)

    @property
    def n_annotators(self) -> int:
        """Number of annotators (0 for data built from counts)."""
        return 0 if self._annotators is None else len(self._annotators)

    @property
    def n_annotations(self) -> int:
        """Number of labels given (non-missing entries)."""
        return len(self._code)

    @property
    def items(self) -> pd.Index:
        self._items = _as_index(self._items)
        return self._items

    @property
    def annotators(self) -> pd.Index | None:
        if self._annotators is not None:
            self._annotators = _as_index(self._annotators)
        return self._annotators

    @property
    def categories(self) -> pd.Index:
        self._categories = _as_index(self._categories)
        return self._categories

    @property
    def n_categories(self) -> int:
        return len(self._categories)

    @property
    def is_numeric(self) -> bool:
        """True when the labels are numbers (not booleans): interval/ratio metrics apply."""
        return _is_numeric_index(self._categories)

    @property
    def ordered(self) -> bool:
        """True when the categories have a meaningful order: numbers or booleans (their
        values), an ordered ``pandas.Categorical`` or an explicit ``categories=`` (the
        given order). Measures that depend on the order raise on unordered labels."""
        if self.is_set_valued:
            return False
        if self._given_order or _is_numeric_index(self._categories):
            return True
        dtype = self._categories.dtype
        return len(self._categories) > 0 and dtype.kind == "b"

    @property
    def n_dropped(self) -> int:
        """Rows of the long table (:meth:`from_long`) dropped because their label was
        empty (NaN, None or a blank string); 0 for other constructors."""
        return self._n_dropped

    @property
    def is_set_valued(self) -> bool:
        """True when every label is a ``frozenset`` of tags (see :meth:`from_long`)."""
        if self._sets is None:
            self._sets = are_tag_sets(self._categories)
        return self._sets

    @property
    def tags(self) -> pd.Index:
        """The distinct tags of set-valued labels, sorted (by value when they can be
        compared, else by type name and text).

        Raises
        ------
        ValueError
            When the labels are not sets.
        """
        self._require_sets("tags")
        return tag_index(self.categories)

    def _require_sets(self, what: str) -> None:
        if not self.is_set_valued:
            raise ValueError(NOT_SET_VALUED.format(what=what, cats=_short(self._categories, 5)))

    def binary(self, tag: Hashable) -> Annotations:
        """Whether each annotator's set holds ``tag``: the same items and annotators with
        label 1 if the set holds the tag, else 0.

        Parameters
        ----------
        tag : hashable
            One of :attr:`tags`.

        Returns
        -------
        Annotations
            Integer labels with categories ``[0, 1]`` (both, even when one is not used).

        Raises
        ------
        ValueError
            When the labels are not sets, or ``tag`` is not one of :attr:`tags`.

        Examples
        --------
        >>> ann = Annotations.from_wide([[{"joy", "surprise"}, {"joy"}],
        ...                              [{"anger"}, set()]])
        >>> ann.binary("joy").to_long()
           item  annotator  label
        0     0          0      1
        1     0          1      1
        2     1          0      0
        3     1          1      0
        """
        self._require_sets("binary()")
        holds = holds_tag(self.categories, self.tags, tag)
        return Annotations(self._item, None if self._annotators is None else self._annotator,
                           holds[self._code], self._items, self._annotators,
                           pd.Index(np.array([0, 1], dtype=np.int64)),
                           duplicates=self._duplicates, item_ptr=self._item_ptr,
                           n_dropped=self._n_dropped)

    def require_order(self, what: str, instead: str) -> None:
        """Raise a ``ValueError`` when the categories have no order (see :attr:`ordered`)
        and there are three or more of them: ``what`` names the order-dependent measure
        (e.g. ``"level='ordinal'"``), ``instead`` what to use otherwise."""
        check_ordered(self._categories, self.ordered, what, instead)

    @property
    def has_annotators(self) -> bool:
        """False for data built with :meth:`from_counts`."""
        return self._annotators is not None

    @property
    def has_duplicates(self) -> bool:
        """True when some annotator rated some item more than once (``duplicates="keep"``)."""
        return self._duplicates

    @property
    def category_values(self) -> NDArray[np.float64]:
        """The categories as float64 numbers (for interval and ratio metrics).

        Raises
        ------
        ValueError
            When the labels are not numbers.
        """
        if not self.is_numeric:
            raise ValueError("the labels are not numbers (categories "
                             f"{list(self._categories[:5])}...); interval and ratio metrics "
                             "need numeric labels")
        return np.asarray(self._categories, dtype=np.float64)

    # Raw arrays for the kernels (read-only views; sorted by item, then annotator).
    @property
    def item_codes(self) -> NDArray[np.int64]:
        """Item index of every annotation, sorted."""
        return self._item

    @property
    def annotator_codes(self) -> NDArray[np.int64]:
        """Annotator index of every annotation (-1 when built from counts)."""
        return self._annotator

    @property
    def label_codes(self) -> NDArray[np.int64]:
        """Category index of every annotation."""
        return self._code

    @property
    def item_ptr(self) -> NDArray[np.int64]:
        """Offsets: the annotations of item i are ``[item_ptr[i], item_ptr[i + 1])``."""
        return self._item_ptr

    def ratings_per_item(self) -> NDArray[np.int64]:
        """Number of labels each item received."""
        return np.diff(self._item_ptr)

    # ------------------------------------------------------------- conversions
    def counts(self) -> NDArray[np.int64]:
        """How many annotators gave each category to each item: ``(n_items, n_categories)``.

        Repeated ratings (``duplicates="keep"``) each count.
        """
        k = self.n_categories
        flat = np.bincount(self._item * k + self._code, minlength=self.n_items * k)
        return flat.reshape(self.n_items, k).astype(np.int64)

    def to_long(self, explode: bool = False) -> pd.DataFrame:
        """One row per annotation: columns ``item``, ``annotator``, ``label``.

        Set-valued labels are frozensets; with ``explode=True`` there is one row per tag
        instead (the input of ``from_long(..., multi_label=True)``), and an empty set is
        one row with a missing (None) label.
        """
        out = {"item": self.items.take(self._item),
               "annotator": (self.annotators.take(self._annotator)
                             if self._annotators is not None
                             else np.full(len(self._item), None, dtype=object)),
               "label": self.categories.take(self._code)}
        table = pd.DataFrame({k: np.asarray(v) for k, v in out.items()})
        if not explode:
            return table
        self._require_sets("to_long(explode=True)")
        cells = np.empty(len(table), dtype=object)
        cells[:] = [_sorted_tags(c) or [None] for c in table["label"]]
        return table.assign(label=cells).explode("label", ignore_index=True)

    def to_wide(self) -> pd.DataFrame:
        """The items x annotators table, NaN where an annotator did not label an item.

        Raises
        ------
        ValueError
            For data built from counts (no annotators) or with repeated ratings.
        """
        if self._annotators is None:
            raise ValueError("data built with from_counts has no annotators; use counts()")
        if self._duplicates:
            raise ValueError("an annotator rated an item more than once (duplicates='keep'); "
                             "a wide table cannot hold that: use to_long()")
        if self.is_numeric:
            table = np.full((self.n_items, self.n_annotators), np.nan)
            table[self._item, self._annotator] = np.asarray(self._categories,
                                                             dtype=np.float64)[self._code]
        else:
            table = np.full((self.n_items, self.n_annotators), np.nan, dtype=object)
            table[self._item, self._annotator] = np.asarray(self._categories,
                                                             dtype=object)[self._code]
        return pd.DataFrame(table, index=self.items, columns=self.annotators)

    def take_items(self, indices: ArrayLike) -> Annotations:
        """A new Annotations with the given items, in that order (repeats allowed).

        Used by the bootstrap; annotators and categories are kept as they are.
        """
        idx = np.asarray(indices, dtype=np.int64)
        starts, stops = self._item_ptr[idx], self._item_ptr[idx + 1]
        lengths = stops - starts
        pos = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + \
            np.arange(lengths.sum())
        new_item = np.repeat(np.arange(len(idx)), lengths)
        items = range(len(idx)) if len(np.unique(idx)) != len(idx) \
            else self.items.take(idx)
        return Annotations(new_item, None if self._annotators is None
                           else self._annotator[pos], self._code[pos], items,
                           self._annotators, self._categories, duplicates=self._duplicates,
                           ordered=self._given_order, n_dropped=self._n_dropped)

    def _recode(self, categories: pd.Index) -> Annotations:
        """The same annotations with the categories in the given order (every present
        label must be listed; listed labels need not occur)."""
        if self.is_set_valued:
            raise ValueError(SET_CATEGORIES)
        old = self.categories
        remap = categories.get_indexer(old)
        used = np.bincount(self._code, minlength=len(old)) > 0
        missing = old[(remap < 0) & used]
        if len(missing):
            raise ValueError(NOT_IN_CATEGORIES.format(name="data", labels=_short(missing),
                                                      cats=_short(categories)))
        return Annotations(self._item, None if self._annotators is None else self._annotator,
                           remap[self._code], self._items, self._annotators, categories,
                           duplicates=self._duplicates, item_ptr=self._item_ptr,
                           ordered=True, n_dropped=self._n_dropped)

    def __repr__(self) -> str:
        cats = list(self._categories[:6])
        more = "..." if self.n_categories > 6 else ""
        cats_text = "[" + ", ".join(
            repr(c) if isinstance(c, str) else _set_text(c) if isinstance(c, frozenset)
            else str(c) for c in cats) + more + "]"
        dropped = f", n_dropped={self._n_dropped}" if self._n_dropped else ""
        return (f"Annotations(n_items={self.n_items}, n_annotators={self.n_annotators}, "
                f"n_annotations={self.n_annotations}, categories={cats_text}{dropped})")

    def __len__(self) -> int:
        return self.n_items




def _sortable(index: pd.Index) -> bool:
    try:
        np.argsort(np.asarray(index))
        return True
    except TypeError:
        return False


def _label_index(labels: Any) -> pd.Index:
    """An Index of ``labels`` (tuples stay labels, never a MultiIndex)."""
    if is_instance(labels, "pandas", "Index") and not isinstance(labels, pd.MultiIndex):
        return labels
    items = list(labels)
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return pd.Index(arr, dtype=object)


def _normalise_labels(cats: pd.Index) -> pd.Index:
    """Numbers held as objects become a numeric Index (integers when all are whole),
    booleans a boolean one; other labels stay as they are."""
    if cats.dtype != object or not len(cats):
        return cats
    values = np.asarray(cats, dtype=object)
    if all(isinstance(c, str) for c in values):
        return pd.Index(values.tolist())   # pandas' own string dtype, as factorising gives
    if all(isinstance(c, bool | np.bool_) for c in values):
        return pd.Index(values.astype(bool))
    if all(isinstance(c, int | float | np.number) and not isinstance(c, bool | np.bool_)
           for c in values):
        as_float = values.astype(np.float64)
        if np.isfinite(as_float).all() and np.array_equal(as_float, np.round(as_float)) \
                and all(isinstance(c, int | np.integer) for c in values):
            return pd.Index(values.astype(np.int64))
        return pd.Index(as_float)
    return cats


def _check_categories(categories: Any) -> pd.Index:
    """The ``categories=`` argument as an Index of distinct labels in the given order."""
    if isinstance(categories, pd.CategoricalDtype):
        categories = categories.categories
    if isinstance(categories, str | bytes) or categories is None or \
            not hasattr(categories, "__iter__") or isinstance(categories, dict):
        raise TypeError(CATEGORIES_TYPE.format(got=categories))
    if isinstance(categories, np.ndarray) and categories.ndim != 1:
        raise TypeError(CATEGORIES_TYPE.format(got=categories))
    cats = _normalise_labels(_label_index(categories))
    if not len(cats):
        raise ValueError(CATEGORIES_EMPTY)
    if cats.hasnans:
        raise ValueError(CATEGORIES_MISSING.format(cats=_short(cats)))
    if cats.has_duplicates:
        raise ValueError(CATEGORIES_REPEATED.format(label=py_scalar(cats[cats.duplicated()][0])))
    return cats


def _categorical_order(table: pd.DataFrame) -> pd.Index | None:
    """The categories of a DataFrame's ordered Categorical columns (they must agree)."""
    first = None
    for col, dtype in zip(table.columns, table.dtypes, strict=True):
        if isinstance(dtype, pd.CategoricalDtype) and dtype.ordered:
            if first is None:
                first = (col, dtype.categories)
            elif not dtype.categories.equals(first[1]):
                raise ValueError(CATEGORICALS_DIFFER.format(
                    a=py_scalar(first[0]), b=py_scalar(col), ca=_short(first[1]),
                    cb=_short(dtype.categories)))
    return None if first is None else _normalise_labels(pd.Index(first[1]))


def _blank_labels(cats: Any) -> NDArray[np.bool_] | None:
    """Which categories are blank strings (None when there is no string among them)."""
    if cats.dtype.kind in "biufcmM":
        return None
    blank = np.fromiter((isinstance(c, str) and not c.strip() for c in cats), dtype=bool,
                        count=len(cats))
    return blank if blank.any() else None


def _drop_blank(codes: NDArray[np.int64], cats: Any
                ) -> tuple[NDArray[np.int64], Any, NDArray[np.bool_] | None]:
    """Remove blank-string labels: ``(codes, categories, kept)``, ``kept`` None when no
    label was blank."""
    blank = _blank_labels(cats)
    if blank is None:
        return codes, cats, None
    kept = ~blank[codes]
    remap = np.cumsum(~blank) - 1
    return remap[codes[kept]], _as_index(cats)[~blank], kept


def _codes_in(values: NDArray, categories: pd.Index, name: str, drop_blank: bool = True
              ) -> tuple[NDArray[np.int64], pd.Index, NDArray[np.bool_] | None]:
    """Codes of the (non-missing) ``values`` in the given ``categories``; blank strings
    are dropped (``kept``, None when none was) and unlisted labels raise."""
    if not values.size:
        return np.zeros(0, dtype=np.int64), categories, None
    codes, uniques = pd.factorize(values, sort=False)
    at = categories.get_indexer(uniques)
    blank = _blank_labels(pd.Index(uniques)) if drop_blank else None
    missing = at < 0 if blank is None else (at < 0) & ~blank
    if missing.any():
        raise ValueError(NOT_IN_CATEGORIES.format(
            name=name, labels=_short(uniques[missing]), cats=_short(categories)))
    if blank is None:
        return at[codes].astype(np.int64), categories, None
    kept = ~blank[codes]
    return at[codes[kept]].astype(np.int64), categories, kept


def _present(values: NDArray) -> NDArray[np.bool_]:
    """Where a label was given: not NaN/None (nor pandas' NA/NaT for object arrays)."""
    kind = values.dtype.kind
    if kind in "fc":
        return ~np.isnan(values)
    if kind in "mM":
        return ~np.isnat(values)
    if kind != "O":
        return np.ones(values.shape, dtype=bool)
    if "pandas" in sys.modules:
        return ~pd.isna(values)
    # Without pandas loaded the only missing markers an object array can hold are None,
    # float NaN and NumPy's NaT.
    return ~_is_missing(values).astype(bool)


def _missing_scalar(x: Any) -> bool:
    if x is None:
        return True
    if isinstance(x, float | np.floating):
        return x != x
    if isinstance(x, np.datetime64 | np.timedelta64):
        return bool(np.isnat(x))
    return False


_is_missing = np.frompyfunc(_missing_scalar, 1, 1)
_is_number = np.frompyfunc(
    lambda x: isinstance(x, int | float | np.integer | np.floating)
    and not isinstance(x, bool | np.bool_), 1, 1)
_is_integer = np.frompyfunc(
    lambda x: isinstance(x, int | np.integer) and not isinstance(x, bool | np.bool_), 1, 1)


def _factorize_values(values: NDArray, name: str = "data") -> tuple[NDArray[np.int64], Any]:
    """Codes and sorted categories of the given (non-missing) labels of a table."""
    kind = values.dtype.kind
    if kind in "biu":
        return _factorize_integers(values)
    if kind == "f":
        return _factorize_integral_floats(values, name)
    if kind == "O" and values.size and _is_number(values).all():
        # Python numbers (a list of lists with None for the missing ones): as NumPy
        # numbers, with the categories pandas' factorisation gives (integers when every
        # value is a whole number, else floats).
        if _is_integer(values).all():
            try:
                return _factorize_integers(values.astype(np.int64))
            except OverflowError:
                pass
        else:
            as_float = values.astype(np.float64)
            if np.isfinite(as_float).all() and np.array_equal(as_float, np.round(as_float)):
                try:
                    return _factorize_integers(as_float.astype(np.int64))
                except OverflowError:
                    pass
            else:
                return _factorize_integral_floats(as_float, name)
    return _factorize_labels(values, name)


def _factorize_integers(values: NDArray, owned: bool = False
                        ) -> tuple[NDArray[np.int64], Any]:
    """Codes of integer (or bool) labels; a lookup table when their range is small.

    ``owned``: ``values`` is a temporary int64 array that may be overwritten.
    """
    is_bool = values.dtype.kind == "b"
    if is_bool:
        values = values.view(np.uint8)
    lo, hi = int(values.min()), int(values.max())
    if hi - lo < 1_000_000:
        dtype = values.dtype
        if owned and dtype == np.int64:
            shifted = values
            if lo:
                shifted -= lo
        else:
            shifted = values.astype(np.int64)
            shifted -= lo
        seen = np.bincount(shifted, minlength=hi - lo + 1) > 0
        table = np.cumsum(seen, dtype=np.int64) - 1
        cats = np.flatnonzero(seen) + lo
        return table[shifted], (cats.astype(bool) if is_bool else cats.astype(dtype))
    codes, cats = pd.factorize(values, sort=True)
    return codes.astype(np.int64), pd.Index(cats)


def _factorize_integral_floats(values: NDArray, name: str = "data"
                               ) -> tuple[NDArray[np.int64], Any]:
    """Codes of float labels; the integer lookup when they are whole numbers in a small
    range (the usual case: category codes stored as float because of NaN). Whole numbers
    give int64 categories: a 1-5 scale with a blank stays 1 .. 5, not 1.0 .. 5.0."""
    if values.size:
        lo, hi = float(values.min()), float(values.max())  # NaN or inf if not all finite
        if math.isfinite(lo) and math.isfinite(hi) and hi - lo < 1_000_000 and \
                -2.0**62 < lo and hi < 2.0**62:
            as_int = values.astype(np.int64)
            if np.array_equal(as_int, values):
                return _factorize_integers(as_int, owned=True)
    return _factorize_labels(values, name)


def _factorize_labels(values: NDArray, name: str) -> tuple[NDArray[np.int64], Any]:
    """Dense codes of labels into their sorted distinct values."""
    if values.dtype.kind == "f" and "pandas" not in sys.modules:
        # The same sorted categories and codes as pandas' factorisation below, without
        # importing pandas for a NumPy table of numbers.
        cats, codes = np.unique(values, return_inverse=True)
        return codes.reshape(-1).astype(np.int64), cats
    try:
        # Factorise in order of appearance, then sort the few distinct labels and remap:
        # much cheaper than sort=True on millions of labels.
        codes, cats = pd.factorize(values, sort=False)
        try:
            order = np.argsort(np.asarray(cats), kind="stable")
        except TypeError:  # mixed types: pandas' safe sort orders them (numbers first)
            codes, cats = pd.factorize(values, sort=True)
            order = np.arange(len(cats))
        if not np.array_equal(order, np.arange(len(order))):
            remap = np.empty(len(order), dtype=np.int64)
            remap[order] = np.arange(len(order))
            codes = remap[codes]
            cats = cats.take(order)
    except TypeError as e:
        raise TypeError(f"{name} mixes label types that cannot be ordered (e.g. numbers "
                        "and strings); use one type") from e
    cats = pd.Index(cats)
    if cats.dtype == object and len(cats) and all(
            isinstance(c, int | float | np.number) and not isinstance(c, bool | np.bool_)
            for c in cats):
        cats = pd.Index(np.asarray(cats, dtype=np.float64))
        if np.all(cats == np.round(cats)):
            cats = pd.Index(cats.astype(np.int64))
    return codes.astype(np.int64), cats



def check_annotations(data: Any, name: str = "data") -> Annotations:
    """An Annotations from ``data``: itself, or the result of :meth:`Annotations.from_wide`."""
    if isinstance(data, Annotations):
        return data
    if "multiplicity.annotation._dask" in sys.modules and \
            isinstance(data, _dask.DaskAnnotations):
        raise TypeError(_dask.in_memory_only("this function"))
    if data is None:
        raise TypeError(f"{name} must be Annotations or an (n_items, n_annotators) table, "
                        "got None")
    return Annotations.from_wide(data)
