"""Automatic annotators as input: candidate label vectors keyed by item.

One job: turn ``candidate`` (a pandas Series or DataFrame keyed by item, a dict, or an array
in the order of the annotations' items) into integer codes on the same categories as the
human annotations, so that every judge statistic compares like with like.
"""

from __future__ import annotations

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
                       "{ann_kind} ({cats}); encode both the same way")
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


def human_only(annotations: Any, what: str) -> Annotations:
    """``annotations`` as an Annotations with annotators, or a ``ValueError``."""
    ann = check_annotations(annotations, "annotations")
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
    if not index.isin(items).any():
        raise ValueError(CANDIDATE_NO_OVERLAP.format(cand=_short(index, 4),
                                                     items=_short(items, 4)))
    # Items the candidate did not label are missing; labels of other items are ignored
    # (an automatic annotator often labels the whole corpus, people a sample of it).
    return frame.reindex(items)


def _present(column: Any) -> NDArray[np.bool_]:
    values = column.to_numpy(dtype=object)
    present = ~pd.isna(values)
    if values.size:
        present &= np.array([not (isinstance(v, str) and not v.strip()) for v in values],
                            dtype=bool)
    return present


def check_candidates(annotations: Any, candidate: Any, *, what: str = "this function",
                     warn_new: bool = True) -> Candidates:
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
    """
    ann = human_only(annotations, what)
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
    if len(new):
        if ann.ordered and not ann.is_numeric:
            raise ValueError(CANDIDATE_ORDERED.format(labels=_short(new), cats=_short(cats)))
        if ann.is_numeric:
            merged = pd.Index(np.union1d(np.asarray(cats), np.asarray(new)))
        else:
            merged = cats.append(pd.Index(sorted(new, key=str)))
        if warn_new and not ann.is_numeric:
            warnings.warn(CANDIDATE_NEW_LABELS.format(labels=_short(new)), UserWarning,
                          stacklevel=3)
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
    return Annotations(ann.item_codes, ann.annotator_codes, remap[ann.label_codes],
                       ann.items, ann.annotators, categories,
                       duplicates=ann.has_duplicates, item_ptr=ann.item_ptr,
                       ordered=ann._given_order, n_dropped=ann.n_dropped)
