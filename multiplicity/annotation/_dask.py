"""Annotations that stay on a dask cluster: :class:`DaskAnnotations` and the per-partition
statistics behind the agreement coefficients and the aggregators.

A long table ``(item, annotator, label)`` is encoded once (labels to category codes,
annotators to codes, both consistent across partitions: the categories and annotators
come from one small reduction over the input) and shuffled once so that all the
annotations of an item live in one partition. Every statistic is then a sum over items,
computed per partition by the same code as in memory (a partition is turned into a small
:class:`Annotations` of its own items, with the global categories and annotators) and
added up over the partitions with a tree reduction; the coefficient is finished by the
in-memory code from those sums. Nothing of size n_annotations reaches the client.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._checks import check_on_undefined, py_scalar
from .._dask import import_dask, is_dask_dataframe
from .._lazy import lazy_module
from ._container import (
    NOT_IN_CATEGORIES,
    Annotations,
    _blank_labels,
    _check_categories,
    _codes_in,
    _drop_blank,
    _factorize_values,
    _normalise_labels,
    _short,
    check_ordered,
)

pd = lazy_module("pandas")
_alpha = lazy_module("multiplicity.annotation._alpha")
_core = lazy_module("multiplicity.annotation._chance_core")
_chance = lazy_module("multiplicity.annotation._chance")
_cohen = lazy_module("multiplicity.annotation._chance_cohen")
_weights = lazy_module("multiplicity.annotation._chance_weights")
_items = lazy_module("multiplicity.annotation._items")
_agg = lazy_module("multiplicity.annotation._aggregation")
_agg_base = lazy_module("multiplicity.annotation._aggregation_base")
_agg_k = lazy_module("multiplicity.annotation._aggregation_kernels")
_dk = lazy_module("multiplicity.annotation._dask_kernels")

__all__ = ["DaskAnnotations"]

# Error messages (tests import them).
NOT_DASK = "df must be a dask DataFrame, got {got}"
NOT_A_COLUMN = "{role}={col!r} is not a column of df (columns: {cols})"
DASK_DUPLICATES = ("duplicates={got!r} keeps a rating by row order, which the shuffle by item "
                   "does not preserve; on a dask DataFrame use duplicates='raise' or 'keep', "
                   "or drop the repeated (item, annotator) rows first "
                   "(df.drop_duplicates(subset=[item, annotator]))")
PARTITION_CATEGORIES = ("the label column is an ordered pandas Categorical with different "
                        "categories in different partitions ({a} and {b}); give every "
                        "partition the same categories in the same order, or pass "
                        "categories=")
BAD_DUPLICATES = "duplicates must be 'raise', 'first', 'last' or 'keep', got {got!r}"
IN_MEMORY_ONLY = ("{what} needs the annotations in memory; a DaskAnnotations keeps them on "
                  "the cluster. Call data.compute() (an Annotations) when they fit in "
                  "memory; on a DaskAnnotations, krippendorff_alpha, the kappa family, "
                  "gwet_ac1, brennan_prediger, percent_agreement, item_disagreement, "
                  "MajorityVote and DawidSkene run on the cluster")
DASK_INIT = ("DawidSkene(init=array) on a DaskAnnotations: an array of starting posteriors "
             "is in the order of Annotations.items, which a DaskAnnotations does not hold "
             "in memory; use init='majority', or call data.compute() and fit in memory")
COHEN_B = ("cohen_kappa(a, b) with a DaskAnnotations: pass the DaskAnnotations (with "
           "exactly two annotators) as a and leave b=None")

_ITEM, _ANN, _LAB = "item", "annotator", "label"
_SPLIT_EVERY = 8


# ---------------------------------------------------------------------------- dask glue
def _dask() -> Any:
    return import_dask("dask", "DaskAnnotations")


def _tree(leaves: list[Any], combine: Callable[..., Any]) -> Any:
    """A tree of ``combine`` calls over delayed ``leaves`` (in order), ``_SPLIT_EVERY`` at
    a time; the root (a delayed object)."""
    delayed = _dask().delayed
    while len(leaves) > 1:
        leaves = [delayed(combine, pure=True)(*leaves[i:i + _SPLIT_EVERY])
                  if len(leaves[i:i + _SPLIT_EVERY]) > 1 else leaves[i]
                  for i in range(0, len(leaves), _SPLIT_EVERY)]
    return leaves[0]


def _add(*stats: Any) -> Any:
    """Element-wise sum of tuples of numbers and arrays (the sufficient statistics)."""
    return tuple(_add(*parts) if isinstance(parts[0], tuple) else sum(parts[1:], parts[0])
                 for parts in zip(*stats, strict=True))


def _has_client() -> bool:
    """True when a dask.distributed Client is the current scheduler (not, e.g., inside
    ``dask.config.set(scheduler="synchronous")``)."""
    mod = sys.modules.get("distributed")
    if mod is None:
        return False
    get = _dask().base.get_scheduler()
    return isinstance(getattr(get, "__self__", None), mod.Client)


# ------------------------------------------------------------------ the input reduction
def _scan(part: Any, label: Hashable, annotator: Hashable) -> tuple[Any, ...]:
    """One input partition: label counts, missing labels, annotators in order of first
    appearance, the categories of an ordered Categorical label column (else None)."""
    lab = part[label]
    counts = lab.value_counts(dropna=True, sort=False)
    if isinstance(counts.index, pd.CategoricalIndex):
        counts.index = pd.Index(np.asarray(counts.index, dtype=object))
    ann = part[annotator]
    dtype = lab.dtype
    order = pd.Index(dtype.categories) if isinstance(dtype, pd.CategoricalDtype) and \
        dtype.ordered else None
    return counts, int(lab.isna().sum()), pd.Index(ann[ann.notna()].unique()), order


def _merge_scans(*scans: Any) -> tuple[Any, ...]:
    counts = pd.concat([s[0] for s in scans]).groupby(level=0, sort=False).sum()
    ann = scans[0][2]
    for s in scans[1:]:
        ann = ann.append(s[2]).unique()
    orders = [s[3] for s in scans if s[3] is not None]
    for other in orders[1:]:
        if not other.equals(orders[0]):
            raise ValueError(PARTITION_CATEGORIES.format(a=_short(orders[0]),
                                                         b=_short(other)))
    return counts, sum(s[1] for s in scans), pd.Index(ann), orders[0] if orders else None


def _code_dtype(n: int) -> Any:
    """The smallest signed integer dtype that holds codes ``-1 .. n - 1``."""
    for dtype in (np.int8, np.int16, np.int32):
        if n <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def _encode(part: Any, item: Hashable | None, annotator: Hashable, label: Hashable,
            categories: Any, annotators: Any, lab_dtype: Any, ann_dtype: Any) -> Any:
    """Labels and annotators of one input partition as codes (-1: missing label, which
    also covers blank strings)."""
    lab = part[label]
    present = np.asarray(lab.notna().to_numpy(), dtype=bool)
    codes = np.full(len(part), -1, dtype=lab_dtype)
    idx = np.flatnonzero(present)
    if idx.size:
        c, _, kept = _codes_in(lab.to_numpy()[idx], categories, f"column {label!r}")
        if kept is not None:
            idx = idx[kept]
        codes[idx] = c
    ann = annotators.get_indexer(part[annotator]).astype(ann_dtype)
    cols = {} if item is None else {_ITEM: part[item].to_numpy()}
    cols.update({_ANN: ann, _LAB: codes})
    # the input's row index is not needed (and would travel in the shuffle)
    return pd.DataFrame(cols, index=part.index if item is None else None)


# ------------------------------------------------------------------------ partitions
@dataclass(frozen=True)
class _Spec:
    """What every partition task needs: where the items are, the global categories and
    annotators, and the rules of :meth:`Annotations.from_long`."""

    item_in_index: bool
    categories: Any
    annotators: Any
    ordered: bool
    duplicates: str
    item_name: Hashable
    annotator_name: Hashable


@dataclass(frozen=True)
class _Block:
    """One partition, encoded and sorted by item (then annotator): CSR ``item_ptr``
    (int64), compact annotator and label codes, the partition's items."""

    item_ptr: NDArray[np.int64]
    annotator: NDArray[np.integer]
    code: NDArray[np.integer]
    items: Any
    duplicates: bool

    @property
    def n_items(self) -> int:
        return len(self.item_ptr) - 1

    def annotations(self, spec: _Spec) -> Annotations:
        """The partition as an :class:`Annotations` with the global categories and
        annotators (its items only)."""
        item = np.repeat(np.arange(self.n_items, dtype=np.int64), np.diff(self.item_ptr))
        return Annotations(item, self.annotator, self.code, self.items, spec.annotators,
                           spec.categories, duplicates=self.duplicates,
                           item_ptr=self.item_ptr, ordered=spec.ordered)


def _block(part: Any, spec: _Spec) -> _Block:
    """An encoded, shuffled partition as a :class:`_Block` (repeated ratings resolved as
    in :meth:`Annotations.from_long`)."""
    items_col = part.index if spec.item_in_index else part[_ITEM]
    item_codes, items = pd.factorize(items_col, sort=False, use_na_sentinel=True)
    code = part[_LAB].to_numpy()
    ann = part[_ANN].to_numpy()
    keep = code >= 0
    if (item_codes[keep] < 0).any():
        raise ValueError(f"column {spec.item_name!r} has missing item names")
    if (ann[keep] < 0).any():
        raise ValueError(f"column {spec.annotator_name!r} has missing annotator names")
    a = Annotations._from_codes(item_codes[keep].astype(np.int64),
                                ann[keep].astype(np.int64), code[keep].astype(np.int64),
                                pd.Index(items), spec.annotators, spec.categories,
                                spec.duplicates, ordered=spec.ordered)
    return _Block(a.item_ptr, a.annotator_codes.astype(ann.dtype),
                  a.label_codes.astype(code.dtype), a.items, a.has_duplicates)


def _apply(block: _Block, spec: _Spec, fn: Callable[..., Any], *args: Any) -> Any:
    return fn(block, spec, *args)


# ---------------------------------------------------------------------- the container
class DaskAnnotations:
    """Annotations kept on a dask cluster: a long table encoded and shuffled by item.

    Made by :meth:`Annotations.from_long` from a dask DataFrame. The coefficients
    (:func:`krippendorff_alpha` at every level, :func:`fleiss_kappa`, :func:`scott_pi`,
    :func:`cohen_kappa`, :func:`conger_kappa`, :func:`gwet_ac1`,
    :func:`brennan_prediger`, :func:`percent_agreement`, weighted or not),
    :func:`item_disagreement`, :class:`MajorityVote` and :class:`DawidSkene` accept it
    and run on the cluster (the current dask scheduler: a ``dask.distributed.Client``
    when one exists), with the results of the in-memory functions. Everything else
    (:func:`agreement` and its intervals, the profiles, ICC, ...) needs the data in
    memory: call :meth:`compute`.

    Layout. Every partition holds all the annotations of its items: item labels (as
    given), annotator codes (int8 .. int32 by the number of annotators) and label codes
    (int8 for up to 127 categories), -1 marking a missing label. The categories and
    annotators are known on the client (one small reduction over the input).

    Memory per worker: one partition's rows in the compact dtypes (about 3 bytes per
    annotation plus the item labels), while a task turns it into an
    :class:`Annotations` of its items (three int64 per annotation), plus statistics of
    size ``n_categories**2`` (alpha, kappas) or ``n_annotators x n_categories**2``
    (Dawid-Skene). Data moved: the shuffle moves every row once per computation that
    reads the input (once in all after :meth:`persist`); afterwards each coefficient
    moves only its per-partition statistics.

    Attributes
    ----------
    frame : dask DataFrame
        The encoded, shuffled table: ``item`` (or the index, when the input was indexed by
        item), ``annotator`` and ``label`` codes.
    categories, annotators : pandas.Index
    n_categories, n_annotators, n_dropped : int
    ordered, is_numeric : bool
        As for :class:`Annotations`.
    """

    __slots__ = ("_blocks", "_frame", "_meta", "_n_dropped", "_sizes", "_spec")

    def __init__(self, frame: Any, spec: _Spec, n_dropped: int,
                 blocks: list[Any] | None = None) -> None:
        """Low-level constructor; use :meth:`Annotations.from_long` with a dask DataFrame."""
        self._frame = frame
        self._spec = spec
        self._n_dropped = int(n_dropped)
        self._blocks = blocks
        self._sizes: tuple[int, int] | None = None
        empty = np.zeros(0, dtype=np.int64)
        self._meta = Annotations(empty, empty, empty, range(0), spec.annotators,
                                 spec.categories, ordered=spec.ordered)

    # ------------------------------------------------------------------ constructor
    @classmethod
    def from_dask(cls, df: Any, *, item: Hashable = "item",
                  annotator: Hashable = "annotator", label: Hashable = "label",
                  duplicates: str = "raise", categories: Any = None) -> DaskAnnotations:
        """See :meth:`Annotations.from_long` (a dask DataFrame ``df``)."""
        if not is_dask_dataframe(df) or not hasattr(df, "columns"):
            raise TypeError(NOT_DASK.format(got=type(df).__name__))
        dask = _dask()
        in_index = item not in df.columns and df.index.name == item and item is not None
        for role, col in (("item", item), ("annotator", annotator), ("label", label)):
            if col not in df.columns and not (role == "item" and in_index):
                raise ValueError(NOT_A_COLUMN.format(role=role, col=col,
                                                     cols=list(df.columns)))
        if duplicates in ("first", "last"):
            raise ValueError(DASK_DUPLICATES.format(got=duplicates))
        if duplicates not in ("raise", "keep"):
            raise ValueError(BAD_DUPLICATES.format(got=duplicates))
        given = None if categories is None else _check_categories(categories)
        leaves = [dask.delayed(_scan, pure=True)(p, label, annotator)
                  for p in df[[label, annotator]].to_delayed()]
        counts, n_missing, annotators, order = dask.compute(_tree(leaves,
                                                                  _merge_scans))[0]
        if given is None and order is not None:
            # an ordered Categorical label column (its categories, known to dask or not)
            given = _normalise_labels(order)
            blank = _blank_labels(given)
            if blank is not None:
                given = given[~blank]
        present = counts[counts > 0]
        labels = present.index
        if given is not None:
            # unlisted labels raise here, as in memory (blank strings are empty labels)
            _codes_in(np.asarray(labels, dtype=object), given, f"column {label!r}")
            cats = given
        elif len(labels):
            values = np.asarray(labels)
            codes, cats = _factorize_values(values, "label")
            cats = pd.Index(cats)
            codes, cats, _ = _drop_blank(codes, cats)
            cats = pd.Index(cats)
        else:
            cats = pd.Index([])
        blank = _blank_labels(pd.Index(labels)) if len(labels) else None
        n_blank = int(present.to_numpy()[blank].sum()) if blank is not None else 0
        # as pandas would name them in memory (e.g. its default string dtype, not
        # pyarrow's): a handful of names, converted once
        annotators = _normalise_labels(pd.Index(np.asarray(annotators, dtype=object)))
        lab_dtype, ann_dtype = _code_dtype(len(cats)), _code_dtype(len(annotators))
        encoded = df.map_partitions(
            _encode, None if in_index else item, annotator, label, cats, annotators,
            lab_dtype, ann_dtype,
            meta=_encode(df._meta, None if in_index else item, annotator, label, cats,
                         annotators, lab_dtype, ann_dtype))
        if not (in_index and df.known_divisions):
            if in_index:
                encoded = encoded.reset_index()
                encoded = encoded.rename(columns={item: _ITEM})
            # p2p on a distributed cluster (dask's default there), tasks elsewhere
            encoded = encoded.shuffle(on=_ITEM, ignore_index=True,
                                      shuffle_method=None if _has_client() else "tasks")
            in_index = False
        spec = _Spec(item_in_index=in_index, categories=cats, annotators=annotators,
                     ordered=given is not None, duplicates=duplicates, item_name=item,
                     annotator_name=annotator)
        return cls(encoded, spec, n_missing + n_blank)

    # --------------------------------------------------------------------- properties
    @property
    def frame(self) -> Any:
        return self._frame

    @property
    def categories(self) -> Any:
        return self._spec.categories

    @property
    def annotators(self) -> Any:
        return self._spec.annotators

    @property
    def n_categories(self) -> int:
        return len(self._spec.categories)

    @property
    def n_annotators(self) -> int:
        return len(self._spec.annotators)

    @property
    def n_dropped(self) -> int:
        """Rows dropped because their label was empty (NaN, None or a blank string)."""
        return self._n_dropped

    @property
    def ordered(self) -> bool:
        return self._meta.ordered

    @property
    def is_numeric(self) -> bool:
        return self._meta.is_numeric

    @property
    def has_annotators(self) -> bool:
        return True

    @property
    def category_values(self) -> NDArray[np.float64]:
        return self._meta.category_values

    def require_order(self, what: str, instead: str) -> None:
        """As :meth:`Annotations.require_order`."""
        check_ordered(self.categories, self.ordered, what, instead)

    def _counts(self) -> tuple[int, int]:
        if self._sizes is None:
            self._sizes = tuple(int(v) for v in self.reduce(_size_stat))  # type: ignore
        return self._sizes  # type: ignore[return-value]

    @property
    def n_items(self) -> int:
        """Number of items (one pass over the data, then remembered)."""
        return self._counts()[0]

    @property
    def n_annotations(self) -> int:
        """Number of labels given (one pass over the data, then remembered)."""
        return self._counts()[1]

    # ------------------------------------------------------------------ computation
    def blocks(self) -> list[Any]:
        """One delayed :class:`_Block` per partition (persisted ones after
        :meth:`persist`)."""
        if self._blocks is not None:
            return list(self._blocks)
        delayed = _dask().delayed
        return [delayed(_block, pure=True)(p, self._spec) for p in self._frame.to_delayed()]

    def map_blocks(self, fn: Callable[..., Any], *args: Any) -> list[Any]:
        """``fn(block, spec, *args)`` per partition, as delayed objects; large arguments
        are passed once (one key), not once per task."""
        dask = _dask()
        shared = [dask.delayed(a, pure=True) if isinstance(a, np.ndarray) else a
                  for a in args]
        return [dask.delayed(_apply, pure=True)(b, self._spec, fn, *shared)
                for b in self.blocks()]

    def reduce(self, fn: Callable[..., Any], *args: Any) -> Any:
        """The sum over partitions (tree reduction, on the current scheduler) of
        ``fn(block, spec, *args)``: a tuple of numbers and arrays."""
        return _dask().compute(_tree(self.map_blocks(fn, *args), _add))[0]

    def persist(self) -> DaskAnnotations:
        """The same annotations with the encoded partitions held in the workers' memory
        (about 3 bytes per annotation plus the item labels and 8 bytes per item), so that
        later computations skip reading and shuffling the input."""
        blocks = list(_dask().persist(*self.blocks()))
        out = DaskAnnotations(self._frame, self._spec, self._n_dropped, blocks)
        out._sizes = self._sizes
        return out

    def compute(self) -> Annotations:
        """The annotations in memory, as an :class:`Annotations` (items in the order of
        the partitions, then of first appearance; all rows travel to the client)."""
        blocks = _dask().compute(*self.blocks())
        ptrs, offset = [np.zeros(1, dtype=np.int64)], 0
        for b in blocks:
            ptrs.append(b.item_ptr[1:] + offset)
            offset += int(b.item_ptr[-1])
        items = blocks[0].items.append([b.items for b in blocks[1:]]) if blocks else \
            pd.Index([])
        ptr = np.concatenate(ptrs)
        item = np.repeat(np.arange(len(ptr) - 1, dtype=np.int64), np.diff(ptr))
        annotator, code = (
            np.concatenate([getattr(b, name).astype(np.int64) for b in blocks]) if blocks
            else np.zeros(0, dtype=np.int64) for name in ("annotator", "code"))
        return Annotations(item, annotator, code, items, self.annotators,
                           self.categories, duplicates=any(b.duplicates for b in blocks),
                           item_ptr=ptr, ordered=self._spec.ordered,
                           n_dropped=self._n_dropped)

    def __repr__(self) -> str:
        cats = ", ".join(repr(py_scalar(c)) for c in list(self.categories[:6]))
        more = ", ..." if self.n_categories > 6 else ""
        return (f"DaskAnnotations(npartitions={self._frame.npartitions}, "
                f"n_annotators={self.n_annotators}, categories=[{cats}{more}])")


def _size_stat(block: _Block, spec: _Spec) -> tuple[int, int]:
    return block.n_items, int(block.item_ptr[-1])


def in_memory_only(what: str) -> str:
    """The message for a function that needs an in-memory :class:`Annotations`."""
    return IN_MEMORY_ONLY.format(what=what)


# -------------------------------------------------------------------------- alpha
def _coincidence_stat(block: _Block, spec: _Spec) -> tuple[NDArray[np.float64]]:
    k = len(spec.categories)
    return (_dk._coincidences(block.item_ptr, block.code, k),)


def krippendorff_alpha(data: DaskAnnotations, level: Any, on_undefined: Any) -> float:
    """:func:`krippendorff_alpha` from the coincidence matrix summed over partitions.

    Per partition: O(n_categories**2) memory beyond the partition; moves one
    ``(k, k)`` matrix per partition.
    """
    k = data.n_categories
    # every check on the arguments before the pass (an all-zero matrix is undefined)
    _alpha._alpha_from_coincidences(np.zeros((k, k)), data, level, "nan")
    (coinc,) = data.reduce(_coincidence_stat)
    return _alpha._alpha_from_coincidences(coinc, data, level, on_undefined)


# ------------------------------------------------------------ the chance-corrected family
def _family_stat(block: _Block, spec: _Spec, W: NDArray[np.float64], identity: bool,
                 conger: bool) -> tuple[Any, ...]:
    ann = block.annotations(spec)
    core = _core._core(ann, W, identity)
    out = (float(core.pa_i.sum()), core.n2, core.n1, core.shares)
    return out + ((_core._classification(ann),) if conger else ())


def _family(data: DaskAnnotations, weights: Any, on_undefined: Any, conger: bool = False
            ) -> tuple[Any, ...]:
    check_on_undefined(on_undefined)
    W, identity = _weights._check_weights(weights, data.categories, data.ordered)
    return (W, *data.reduce(_family_stat, W, identity, conger))


def percent_agreement(data: DaskAnnotations, weights: Any, on_undefined: Any) -> float:
    _, pa_sum, n2, _, _ = _family(data, weights, on_undefined)
    if n2 == 0:
        if on_undefined == "nan":
            return math.nan
        raise ValueError(_core.NO_PAIRS.format(coef="percent_agreement"))
    return float(pa_sum / n2)


def chance_corrected(data: DaskAnnotations, weights: Any, on_undefined: Any,
                     coef: str) -> float:
    """Fleiss' kappa / Scott's pi, Gwet's AC1/AC2, Brennan-Prediger and Conger's kappa
    from the per-partition sums: ``sum_i pa_i``, ``n2``, ``n1``, the category shares
    (``k`` numbers) and, for Conger, the per-annotator category counts
    (``n_annotators x k``)."""
    conger = coef == "conger_kappa"
    W, pa_sum, n2, n1, shares, *rest = _family(data, weights, on_undefined, conger)
    pa = float(pa_sum / n2) if n2 else math.nan
    if coef in ("fleiss_kappa", "scott_pi"):
        pe = float(_core._pe_fleiss(shares / n1, W)) if n1 else math.nan
    elif coef == "gwet_ac1":
        pe = float(_core._pe_gwet(shares / n1, W)) if n1 else math.nan
    elif coef == "brennan_prediger":
        pe = _core._pe_bp(W)
    else:
        classif = rest[0]
        raters = int(np.count_nonzero(classif.sum(axis=1)))
        if raters < 2:
            raise ValueError("conger_kappa needs at least two annotators with ratings, "
                             f"got {raters}")
        pe = float(_core._conger_pe(classif, W))
    return _core._finish(pa, pe, n2, coef, data.categories, on_undefined)


def _cohen_stat(block: _Block, spec: _Spec) -> tuple[NDArray[np.float64], int]:
    ann = block.annotations(spec)
    k = len(spec.categories)
    full = np.full((ann.n_items, 2), -1, dtype=np.int64)
    full[ann.item_codes, ann.annotator_codes] = ann.label_codes
    both = full[(full >= 0).all(axis=1)]
    table = np.bincount(both[:, 0] * k + both[:, 1], minlength=k * k).reshape(k, k)
    return table.astype(np.float64), int(ann.has_duplicates)


def cohen_kappa(data: DaskAnnotations, weights: Any, on_undefined: Any,
                categories: Any) -> float:
    """Cohen's kappa from the ``(k, k)`` contingency table summed over partitions."""
    check_on_undefined(on_undefined)
    if data.n_annotators != 2:
        raise ValueError(_cohen.COHEN_TWO_ANNOTATORS.format(n=data.n_annotators))
    given = None if categories is None else _check_categories(categories)
    table, dup = data.reduce(_cohen_stat)
    if dup:
        raise ValueError(_cohen.COHEN_REPEATED)
    cats, ordered = data.categories, data.ordered
    used = (table.sum(axis=0) + table.sum(axis=1)) > 0
    if given is not None:
        remap = given.get_indexer(cats)
        missing = cats[(remap < 0) & used]
        if len(missing):
            raise ValueError(NOT_IN_CATEGORIES.format(name="data", labels=_short(missing),
                                                      cats=_short(given)))
        new = np.zeros((len(given), len(given)))
        rows, cols = np.nonzero(table)
        np.add.at(new, (remap[rows], remap[cols]), table[rows, cols])
        table, cats, ordered = new, given, True
    elif not data._spec.ordered:
        keep = np.flatnonzero(used)
        table, cats = table[np.ix_(keep, keep)], cats[keep]
    n = int(table.sum())
    if n < 2:
        raise ValueError(_cohen.COHEN_TOO_FEW.format(n=n))
    W, _ = _weights._check_weights(weights, cats, ordered)
    return _chance._cohen_from_table(table, W, cats, on_undefined)


# ------------------------------------------------------------------ item disagreement
def _item_stat(block: _Block, spec: _Spec, measure: str) -> Any:
    out = _items._item_disagreement(block.annotations(spec), measure)
    return pd.Series(out, index=block.items, name=measure)


def _sorted(parts: list[Any]) -> Any:
    out = pd.concat(parts) if parts else pd.Series([], dtype=np.float64)
    try:
        return out.sort_index()
    except TypeError:
        return out


def item_disagreement(data: DaskAnnotations, measure: str) -> Any:
    """Per-item disagreement, computed per partition; the Series (one float per item)
    comes to the client, sorted by item."""
    if measure == "variance" and data.n_categories and not data.is_numeric:
        raise ValueError(_items.VARIANCE_NOT_NUMERIC.format(cats=list(data.categories[:5])))
    parts = _dask().compute(*data.map_blocks(_item_stat, measure))
    return _sorted(list(parts))


# ------------------------------------------------------------------------ aggregators
def _check_sizes(data: DaskAnnotations) -> None:
    _agg_base.check_sizes(data.n_annotations, data.categories)


def _from_delayed(parts: list[Any], meta: Any) -> Any:
    dd = import_dask("dask.dataframe", "DaskAnnotations")
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


def _output_metas(data: DaskAnnotations) -> tuple[Any, Any, Any]:
    probas = pd.DataFrame({c: pd.Series([], dtype=np.float64) for c in data.categories})
    probas.columns = data.categories
    labels = pd.Series(pd.Categorical([], categories=data.categories), name="label")
    tied = pd.Series([], dtype=bool, name="tied")
    return probas, labels, tied


def _outputs(block: _Block, spec: _Spec, P: NDArray[np.float64], which: int) -> Any:
    """probas (0), labels (1) or tied (2) of one partition, as in memory (labels as a
    Categorical over the categories, so that every partition has the same dtype and
    dask does not turn them into strings)."""
    if which == 2:
        ann = block.annotations(spec)
        return _agg._posterior_ties(ann, P)
    probas, labels = _agg_base.outputs(P, pd.Index(block.items), spec.categories)
    if which == 0:
        return probas
    return labels.astype(pd.CategoricalDtype(spec.categories))


def _set_lazy_outputs(est: Any, data: DaskAnnotations, fn: Callable[..., Any],
                      *args: Any) -> None:
    """``probas_``, ``labels_`` and ``tied_`` as dask collections of one partition each
    per block; ``fn(block, spec, *args)`` gives a block's posteriors."""
    metas = _output_metas(data)
    for which, name in enumerate(("probas_", "labels_", "tied_")):
        parts = data.map_blocks(_block_output, fn, which, *args)
        setattr(est, name, _from_delayed(parts, metas[which]))


def _block_output(block: _Block, spec: _Spec, fn: Callable[..., Any], which: int,
                  *args: Any) -> Any:
    return _outputs(block, spec, fn(block, spec, *args), which)


def _annotator_mean(sums: NDArray[np.float64], n: NDArray[np.float64],
                    annotators: Any) -> Any:
    out = np.full(len(sums), np.nan)
    np.divide(sums, n, out=out, where=n > 0)
    return pd.Series(out, index=annotators, name="accuracy")


def _vote_shares(block: _Block, spec: _Spec) -> NDArray[np.float64]:
    return _agg._vote_shares(block.annotations(spec))[1]


def _majority_stat(block: _Block, spec: _Spec) -> tuple[Any, ...]:
    ann = block.annotations(spec)
    _, tied, agree = _agg.majority_parts(ann)
    r = len(spec.annotators)
    return (ann.n_items, ann.n_annotations, int(tied.sum()),
            np.bincount(ann.annotator_codes, weights=agree, minlength=r),
            np.bincount(ann.annotator_codes, minlength=r).astype(np.float64))


def fit_majority_vote(est: Any, data: DaskAnnotations) -> Any:
    """:class:`MajorityVote` on a DaskAnnotations: one pass for the sizes, the ties and
    the annotators' agreement sums; ``probas_``, ``labels_`` and ``tied_`` stay dask
    collections (indexed by item)."""
    n_items, n_ann, n_tied, sums, n = data.reduce(_majority_stat)
    data._sizes = (int(n_items), int(n_ann))
    _check_sizes(data)
    est.classes_ = np.asarray(data.categories)
    est.n_items_, est.n_annotators_ = int(n_items), data.n_annotators
    est.n_tied_ = int(n_tied)
    est.annotator_accuracy_ = _annotator_mean(sums, n, data.annotators)
    _set_lazy_outputs(est, data, _vote_shares)
    return est


def _ds_first(block: _Block, spec: _Spec, k: int) -> tuple[Any, ...]:
    """The initial M-step sums from the vote shares, and the sizes."""
    ann = block.annotations(spec)
    r = len(spec.annotators)
    q = np.ascontiguousarray(_agg._vote_shares(ann)[1])
    slabs, psum = np.empty((1, r, k, k)), np.empty((1, k))
    _agg_k._em_sweep_serial(q, np.zeros(k), np.zeros((r, k, k)), block.item_ptr,
                            block.annotator, block.code, False, np.empty(0), slabs, psum)
    used = np.zeros((r, k), dtype=np.int64)
    used[ann.annotator_codes, ann.label_codes] = 1
    rated = int(np.count_nonzero(np.diff(block.item_ptr)))
    return slabs[0], psum[0], rated, used, block.n_items, int(block.item_ptr[-1])


def _ds_posteriors(block: _Block, spec: _Spec, log_prior: NDArray[np.float64],
                   log_conf: NDArray[np.float64]) -> NDArray[np.float64]:
    q, _, _, _ = _ds_e_step(block, log_prior, log_conf)
    return q


def _ds_e_step(block: _Block, log_prior: NDArray[np.float64],
               log_conf: NDArray[np.float64]) -> tuple[Any, ...]:
    k = log_prior.shape[0]
    r = log_conf.shape[0]
    q = np.empty((block.n_items, k))
    ll = np.empty(block.n_items)
    slabs, psum = np.empty((1, r, k, k)), np.empty((1, k))
    _agg_k._em_sweep_serial(q, log_prior, log_conf, block.item_ptr, block.annotator,
                            block.code, True, ll, slabs, psum)
    return q, ll, slabs, psum


def _ds_sweep(block: _Block, spec: _Spec, log_prior: NDArray[np.float64],
              log_conf: NDArray[np.float64]) -> tuple[Any, ...]:
    _, ll, slabs, psum = _ds_e_step(block, log_prior, log_conf)
    return slabs[0], psum[0], float(_agg_k._serial_sum(ll))


def _ds_objective(block: _Block, spec: _Spec, log_prior: NDArray[np.float64],
                  log_conf: NDArray[np.float64], new_log_prior: NDArray[np.float64],
                  new_log_conf: NDArray[np.float64], floor: float) -> tuple[float]:
    q, _, _, _ = _ds_e_step(block, log_prior, log_conf)
    terms = np.empty(block.n_items)
    _agg_k._crowdkit_objective_terms_serial(q, new_log_prior, new_log_conf, block.item_ptr,
                                            block.annotator, block.code, floor, terms)
    return (float(_agg_k._serial_sum(terms)),)


def _ds_final(block: _Block, spec: _Spec, log_prior: NDArray[np.float64],
              log_conf: NDArray[np.float64]) -> tuple[Any, ...]:
    q, _, _, _ = _ds_e_step(block, log_prior, log_conf)
    ann = block.annotations(spec)
    r = len(spec.annotators)
    values = q[ann.item_codes, ann.label_codes]
    tied = _agg._posterior_ties(ann, q)
    return (np.bincount(ann.annotator_codes, weights=values, minlength=r),
            np.bincount(ann.annotator_codes, minlength=r).astype(np.float64),
            int(tied.sum()))


def fit_dawid_skene(est: Any, data: DaskAnnotations) -> Any:
    """:class:`DawidSkene` on a DaskAnnotations: one map-reduce per EM iteration.

    The E-step runs per partition with the current parameters (one key per iteration:
    ``n_annotators x k x k`` log-probabilities and ``k`` log-priors) and returns the M-step
    sums (an ``n_annotators x k x k`` slab, ``k`` prior sums, the log-likelihood); the
    client adds them and finishes the M-step with the in-memory code. With a
    ``dask.distributed`` Client the encoded partitions are persisted first (about 3
    bytes per annotation plus the item labels, spread over the workers).
    """
    if not isinstance(est.init, str):
        raise ValueError(DASK_INIT)
    if data.n_categories < 2:
        _check_sizes(data)
    if _has_client() and data._blocks is None:
        data = data.persist()
    k, r = data.n_categories, data.n_annotators
    slab0, psum0, n_rated, used, n_items, n_ann = data.reduce(_ds_first, k)
    data._sizes = (int(n_items), int(n_ann))
    _check_sizes(data)
    used = np.ascontiguousarray(used > 0)
    floor = float(est.floor)
    conf, log_conf = np.empty((r, k, k)), np.empty((r, k, k))
    state: dict[str, Any] = {"sums": (slab0, psum0)}

    def sweep(priors: NDArray[np.float64] | None) -> float:
        if priors is None:
            return math.nan
        params = (_agg._log(priors), log_conf.copy())
        state["params"] = params
        slab, psum, ll = data.reduce(_ds_sweep, *params)
        state["sums"] = (slab, psum)
        return float(ll)

    def m_step() -> NDArray[np.float64]:
        slab, psum = state["sums"]
        return _agg_k._finish_m_step(slab[None], psum[None], int(n_rated), used, floor,
                                     conf, log_conf)

    def objective(priors: NDArray[np.float64]) -> float:
        (total,) = data.reduce(_ds_objective, *state["params"], _agg._log(priors),
                               log_conf.copy(), floor)
        return float(total)

    priors = est._run_em(sweep, m_step, objective, int(n_ann), stacklevel=5)
    log_prior, last_conf = state["params"]
    sums, n, n_tied = data.reduce(_ds_final, log_prior, last_conf)
    est.classes_ = np.asarray(data.categories)
    est.n_items_, est.n_annotators_ = int(n_items), r
    est.confusion_matrices_ = conf
    est.class_priors_ = pd.Series(priors, index=data.categories, name="prior")
    est.annotator_accuracy_ = _annotator_mean(sums, n, data.annotators)
    est.n_tied_ = int(n_tied)
    _set_lazy_outputs(est, data, _ds_posteriors, log_prior, last_conf)
    return est
