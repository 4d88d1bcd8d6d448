"""Automatic annotators as input: candidate label vectors keyed by item.

One job: turn ``candidate`` (a pandas Series or DataFrame keyed by item, a dict, or an array
in the order of the annotations' items) into integer codes on the same categories as the
human annotations, so that every judge statistic compares like with like.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._checks import py_scalar
from .._lazy import is_instance, lazy_module
from ._container import Annotations, _short, check_annotations

pd = lazy_module("pandas")

__all__ = ["Candidates", "check_candidates", "human_only"]

# Error messages (tests import them).
CANDIDATE_TYPE = ("candidate must be a pandas Series (or DataFrame, one column per candidate) "
                  "indexed by item, a dict item -> label, or a sequence with one label per "
                  "item in the order of the annotations' items; got {got}")
CANDIDATE_LENGTH = ("candidate has {n} labels but the annotations have {n_items} items; a "
                    "sequence is matched to the items by position, so give one label per item "
                    "(None or NaN where the candidate gave none), or pass a pandas Series "
                    "indexed by item")
CANDIDATE_DUPLICATES = ("candidate labels item {item!r} more than once; give one label per "
                        "item")
CANDIDATE_NO_OVERLAP = ("candidate labels none of the annotated items: its index starts "
                        "{cand} while the annotations' items start {items}; index the "
                        "candidate by the same item names (e.g. the item column of the long "
                        "table) or pass a sequence in the order of annotations.items")
CANDIDATE_EMPTY = "candidate has no labels (every entry is missing)"
CANDIDATE_FOREIGN = ("none of the candidate's labels {cand} are among the annotators' "
                     "categories {cats}; encode the candidate's labels as the annotators' "
                     "labels (e.g. map 'positive' to 'pos') before comparing them")
CANDIDATE_ORDERED = ("candidate has labels {labels} that are not in the given categories "
                     "{cats}; the order of the categories was given, so every candidate label "
                     "must be listed in it")
CANDIDATE_NEW_LABELS = ("candidate gives labels the annotators never used: {labels}; they "
                        "count as disagreements. If they mean the same as an annotator label, "
                        "recode them first")
CANDIDATE_TYPES_MIX = ("candidate labels are {cand_kind} but the annotations' labels are "
                       "{ann_kind} ({cats}); encode both the same way (numbers read as text: "
                       "pandas.to_numeric)")
CANDIDATE_SCALE = ("none of the candidate's values {cand} lie within the annotators' scale "
                   "[{low}, {high}]; put the candidate's labels on the annotators' scale "
                   "before comparing them")
CANDIDATE_NEW_VALUES = ("candidate gives values the annotators never used: {labels} (the "
                        "annotators used {cats}); with exact-match measures they count as "
                        "disagreements. If the candidate uses another scale, rescale it first")
CANDIDATE_RANGE_INDEX = ("candidate is indexed 0, 1, 2, ... (a default RangeIndex) but the "
                         "annotations' items are {items}; it is matched by item name, so label "
                         "i goes to the item named i. {detail} Index it by the item names, or "
                         "pass its values (a sequence in the order of annotations.items)")
CANDIDATE_KEYS = ("candidate and annotations share only {n_common} of their items: the "
                  "candidate labels {n_extra} items the annotations lack (e.g. {extra}) and "
                  "lacks {n_missing} annotated items (e.g. {missing}); check that both are "
                  "keyed by the same item names")
LONG_TABLE = ("annotations looks like a long table (columns {cols}); it would be read as a wide "
              "table with an annotator per column. Build it with Annotations.from_long(data)")
NO_ANNOTATORS = ("{what} compares the candidate with each annotator, but these annotations "
                 "were built from counts and have no annotators; build them with "
                 "Annotations.from_long or from_wide")


@dataclass(frozen=True)
class Candidates:
    """Human annotations and candidate labels on one set of categories.

    Attributes
    ----------
    annotations : Annotations
        The human annotations, recoded to ``categories`` (the same items, annotators and
        labels; only the category codes may change when a candidate brought new labels).
    codes : ndarray of int64, shape (n_candidates, n_items)
        The candidates' category codes in the order of ``annotations.items``; -1 where a
        candidate gave no label.
    names : list
        One name per candidate (the Series name, the DataFrame columns, or ``"candidate"``).
    """

    annotations: Annotations
    codes: NDArray[np.int64]
    names: list

    @property
    def categories(self) -> Any:
        return self.annotations.categories

    @property
    def n_candidates(self) -> int:
        return self.codes.shape[0]

    def values(self, j: int = 0) -> NDArray[np.float64]:
        """Candidate ``j`` as numbers (NaN where missing); the labels must be numbers."""
        vals = self.annotations.category_values
        codes = self.codes[j]
        out = np.full(codes.shape, np.nan)
        out[codes >= 0] = vals[codes[codes >= 0]]
        return out


def _annotations(annotations: Any) -> Annotations:
    """``annotations`` as an Annotations; a long table is refused (from_wide would take its
    item, annotator and label columns for three annotators)."""
    if is_instance(annotations, "pandas", "DataFrame"):
        cols = {str(c) for c in annotations.columns}
        if {"item", "annotator", "label"} <= cols:
            raise ValueError(LONG_TABLE.format(cols=", ".join(map(str,
                                                                  annotations.columns[:6]))))
    return check_annotations(annotations, "annotations")


def human_only(annotations: Any, what: str) -> Annotations:
    """``annotations`` as an Annotations with annotators, or a ``ValueError``."""
    ann = _annotations(annotations)
    if not ann.has_annotators:
        raise ValueError(NO_ANNOTATORS.format(what=what))
    return ann


def _kind(index: Any) -> str:
    if len(index) == 0:
        return "empty"
    if pd.api.types.is_bool_dtype(index.dtype):
        return "booleans"
    if pd.api.types.is_numeric_dtype(index.dtype):
        return "numbers"
    return "words"


def _as_frame(candidate: Any, ann: Annotations) -> Any:
    """``candidate`` as a DataFrame indexed by item (columns = candidates)."""
    if is_instance(candidate, "pandas", "DataFrame"):
        frame = candidate
    elif is_instance(candidate, "pandas", "Series"):
        frame = candidate.to_frame("candidate" if candidate.name is None else candidate.name)
    elif isinstance(candidate, dict):
        frame = pd.Series(candidate, dtype=object).to_frame("candidate")
        frame = frame.infer_objects()
    elif isinstance(candidate, str | bytes) or not hasattr(candidate, "__len__"):
        raise TypeError(CANDIDATE_TYPE.format(got=type(candidate).__name__))
    else:
        arr = np.asarray(candidate, dtype=object if isinstance(candidate, list) else None)
        if arr.ndim != 1:
            raise TypeError(CANDIDATE_TYPE.format(
                got=f"an array of shape {arr.shape}"))
        if len(arr) != ann.n_items:
            raise ValueError(CANDIDATE_LENGTH.format(n=len(arr), n_items=ann.n_items))
        frame = pd.DataFrame({"candidate": pd.Series(arr).infer_objects().to_numpy()},
                             index=ann.items)
        return frame
    if frame.shape[1] == 0:
        raise ValueError(CANDIDATE_EMPTY)
    index = frame.index
    if index.has_duplicates:
        raise ValueError(CANDIDATE_DUPLICATES.format(
            item=py_scalar(index[index.duplicated()][0])))
    items = ann.items
    inside = index.isin(items)
    if not inside.any():
        raise ValueError(CANDIDATE_NO_OVERLAP.format(cand=_short(index, 4),
                                                     items=_short(items, 4)))
    _warn_on_suspect_keys(index, inside, items)
    # Items the candidate did not label are missing; labels of other items are ignored
    # (an automatic annotator often labels the whole corpus, people a sample of it).
    return frame.reindex(items)


def _warn_on_suspect_keys(index: Any, inside: NDArray[np.bool_], items: Any) -> None:
    """Warn when the candidate's item names look like another key than the items': a
    default RangeIndex against other item names, or labels on unknown items while known
    items have none (the sign of two different keys that happen to overlap)."""
    missing = items[~items.isin(index)]
    extra = index[~inside]
    if isinstance(index, pd.RangeIndex) and not (isinstance(items, pd.RangeIndex)
                                                 and index.equals(items)):
        detail = (f"{len(extra)} of its labels are for no annotated item and "
                  f"{len(missing)} annotated items get none." if len(extra) or len(missing)
                  else "")
        warnings.warn(CANDIDATE_RANGE_INDEX.format(items=_short(items, 4), detail=detail),
                      UserWarning, stacklevel=_user_level())
    elif len(extra) and len(missing):
        warnings.warn(CANDIDATE_KEYS.format(
            n_common=int(inside.sum()), n_extra=len(extra), extra=_short(extra, 3),
            n_missing=len(missing), missing=_short(missing, 3)), UserWarning,
            stacklevel=_user_level())


def _user_level() -> int:
    """The stack level of the first frame outside the package (for warnings)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith(
            "multiplicity."):
        frame, level = frame.f_back, level + 1
    return level


def _present(column: Any) -> NDArray[np.bool_]:
    values = column.to_numpy(dtype=object)
    present = ~pd.isna(values)
    if values.size:
        present &= np.array([not (isinstance(v, str) and not v.strip()) for v in values],
                            dtype=bool)
    return present


def check_candidates(annotations: Any, candidate: Any, *, what: str = "this function",
                     warn_new: bool = True, need_annotators: bool = True) -> Candidates:
    """Human annotations and candidate labels on one set of categories.

    ``candidate`` is matched to the annotations' items: a pandas Series or DataFrame (one
    column per candidate) and a dict on their index/keys (items the candidate did not
    label are missing; labels of items nobody annotated are ignored), a sequence by
    position (one label per item, in the order of ``annotations.items``). None, NaN and
    blank strings are missing labels.

    Candidate labels the annotators never used are added to the categories (after the
    annotators' labels, or in sorted order for numbers) with a ``UserWarning`` when
    ``warn_new``; when the order of the categories was given (``categories=``), such a
    label raises. Candidate labels that share no value with the annotators' labels raise:
    that is an encoding mismatch ('positive' against 'pos'), not disagreement.

    ``need_annotators=False`` accepts annotations built from counts (what needs only each
    item's label counts: soft labels, majority votes).
    """
    ann = human_only(annotations, what) if need_annotators else _annotations(annotations)
    frame = _as_frame(candidate, ann)
    cats = ann.categories
    present = np.column_stack([_present(frame[c]) for c in frame.columns])
    if not present.any():
        raise ValueError(CANDIDATE_EMPTY)
    given = pd.Index(pd.unique(np.concatenate(
        [frame[c].to_numpy(dtype=object)[present[:, j]]
         for j, c in enumerate(frame.columns)])))
    given = pd.Index(given.to_numpy()).infer_objects()
    # numbers stored as floats because of a missing value: back to the annotators' dtype
    if _kind(given) == "numbers" and _kind(cats) == "numbers":
        floats = np.asarray(given, dtype=np.float64)
        given = pd.Index(floats.astype(np.int64) if np.all(floats == np.round(floats))
                         and cats.dtype.kind in "iu" else floats)
    if _kind(given) != _kind(cats) and not (_kind(given) == "numbers"
                                            and _kind(cats) == "numbers"):
        raise ValueError(CANDIDATE_TYPES_MIX.format(cand_kind=_kind(given),
                                                    ann_kind=_kind(cats),
                                                    cats=_short(cats)))
    new = given[cats.get_indexer(given) < 0]
    if len(new) == len(given) and _kind(cats) != "numbers":
        raise ValueError(CANDIDATE_FOREIGN.format(cand=_short(given), cats=_short(cats)))
    if ann.is_numeric and len(cats):
        values = np.asarray(given, dtype=np.float64)
        low, high = float(np.min(cats)), float(np.max(cats))
        if not ((values >= low) & (values <= high)).any():
            raise ValueError(CANDIDATE_SCALE.format(cand=_short(given), low=py_scalar(cats[0]),
                                                    high=py_scalar(cats[-1])))
    if len(new):
        if ann.ordered and not ann.is_numeric:
            raise ValueError(CANDIDATE_ORDERED.format(labels=_short(new), cats=_short(cats)))
        if ann.is_numeric:
            merged = pd.Index(np.union1d(np.asarray(cats), np.asarray(new)))
        else:
            merged = cats.append(pd.Index(sorted(new, key=str)))
        if warn_new:
            template = CANDIDATE_NEW_VALUES if ann.is_numeric else CANDIDATE_NEW_LABELS
            warnings.warn(template.format(labels=_short(new), cats=_short(cats)),
                          UserWarning, stacklevel=_user_level())
        ann = _with_categories(ann, merged)
        cats = merged
    codes = np.full((frame.shape[1], ann.n_items), -1, dtype=np.int64)
    for j, c in enumerate(frame.columns):
        values = frame[c].to_numpy(dtype=object)
        keep = present[:, j]
        if keep.any():
            idx = cats.get_indexer(pd.Index(list(values[keep])).infer_objects())
            if ann.is_numeric:  # 3.0 from a float column matches the category 3
                idx = pd.Index(np.asarray(cats, dtype=np.float64)).get_indexer(
                    np.asarray(list(values[keep]), dtype=np.float64))
            codes[j, keep] = idx
    if (codes[present.T] < 0).any():  # pragma: no cover - every label was added above
        raise AssertionError("a candidate label was not encoded")
    return Candidates(ann, codes, [py_scalar(c) for c in frame.columns])


def _with_categories(ann: Annotations, categories: Any) -> Annotations:
    """The same annotations with ``categories`` (a superset of the old ones)."""
    remap = categories.get_indexer(ann.categories)
    return Annotations(ann.item_codes, ann.annotator_codes if ann.has_annotators else None,
                       remap[ann.label_codes],
                       ann.items, ann.annotators, categories,
                       duplicates=ann.has_duplicates, item_ptr=ann.item_ptr,
                       ordered=ann._given_order, n_dropped=ann.n_dropped)
