"""Distances between set-valued labels, for Krippendorff's alpha on sets of labels.

An annotator who may give an item several labels at once (topics of a text, emotions of a
sentence) gives it a *set*; two sets agree partly when they overlap. The Jaccard distance
and Passonneau's (2006) MASI distance measure that, and ``krippendorff_alpha(data,
distance="masi")`` uses them as its ``delta`` (not squared), as Passonneau (2006) and
NLTK's ``AnnotationTask(distance=masi_distance).alpha()`` do.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from .._checks import py_scalar

__all__ = ["check_set_labels", "jaccard_distance", "masi_distance", "set_distance_matrix"]

SetDistance = Literal["masi", "jaccard"]
SET_DISTANCES: tuple[str, ...] = ("masi", "jaccard")

# Error messages (tests import them).
UNKNOWN_SET_DISTANCE = "distance must be None, 'masi' or 'jaccard', got {got!r}"
NOT_SETS = ("distance={name!r} needs set-valued labels (every label a set or frozenset of "
            "labels), but {label!r} is a {kind}; build the annotations from frozensets, "
            "e.g. Annotations.from_wide on a table whose cells are frozensets")


def _check_set(x: Any, name: str) -> None:
    if not isinstance(x, Set):
        raise ValueError(NOT_SETS.format(name=name, label=py_scalar(x), kind=type(x).__name__))


def check_set_labels(categories: Any, name: str) -> None:
    """Raise a ``ValueError`` naming ``distance=name`` when a category is not a set."""
    for c in categories:
        _check_set(c, name)


def jaccard_distance(a: Set, b: Set) -> float:
    """Jaccard distance ``1 - |a & b| / |a | b|`` between two sets of labels.

    Computed as ``(|a | b| - |a & b|) / |a | b|``, as NLTK's ``jaccard_distance`` does,
    so that the two agree to the last bit.

    Parameters
    ----------
    a, b : set or frozenset
        Anything else raises a ``ValueError``.

    Returns
    -------
    float
        In ``[0, 1]``: 0 for equal sets (also for two empty sets, where the formula is
        0 / 0), 1 for disjoint sets.

    See Also
    --------
    masi_distance : weighs the overlap by how the sets are nested.

    Examples
    --------
    >>> jaccard_distance({"joy", "love"}, {"joy"})
    0.5
    """
    _check_set(a, "jaccard")
    _check_set(b, "jaccard")
    union = len(a | b)
    return 0.0 if union == 0 else (union - len(a & b)) / union


def masi_distance(a: Set, b: Set) -> float:
    """MASI distance (Measuring Agreement on Set-valued Items) between two sets of labels.

    Passonneau, R. (2006). Measuring agreement on set-valued items (MASI) for semantic and
    pragmatic annotation. *LREC 2006*. ``1 - J(a, b) * M(a, b)`` with ``J`` the Jaccard
    similarity ``|a & b| / |a | b|`` and the monotonicity weight ``M`` = 1 when the sets
    are equal, 2/3 when one is a subset of the other, 1/3 when they overlap otherwise, and
    0 when they are disjoint. The constants 2/3 and 1/3 are those of NLTK's
    ``nltk.metrics.distance.masi_distance`` (older NLTK releases rounded them to 0.67 and
    0.33), so the two agree to the last bit.

    Parameters
    ----------
    a, b : set or frozenset

    Returns
    -------
    float
        In ``[0, 1]``: 0 for equal sets (also for two empty sets, where NLTK divides by
        zero), 1 for disjoint ones.

    Raises
    ------
    ValueError
        ``a`` or ``b`` is not a set.

    Examples
    --------
    >>> round(masi_distance({1, 2}, {1, 2, 3, 4}), 4)      # J = 1/2, M = 2/3
    0.6667
    >>> round(masi_distance({1, 2}, {2, 3}), 4)            # J = 1/3, M = 1/3
    0.8889
    """
    _check_set(a, "masi")
    _check_set(b, "masi")
    inter = len(a & b)
    union = len(a | b)
    if union == 0:
        return 0.0
    if len(a) == len(b) == inter:
        m = 1.0
    elif inter == min(len(a), len(b)):
        m = 2 / 3
    elif inter > 0:
        m = 1 / 3
    else:
        m = 0.0
    return 1 - inter / union * m


def set_distance_matrix(categories: Any, name: SetDistance) -> NDArray[np.float64]:
    """The ``(k, k)`` matrix of a set distance between the categories of set-valued data.

    Parameters
    ----------
    categories : sequence of k sets or frozensets
        The distinct labels (``Annotations.categories`` of set-valued data).
    name : {"masi", "jaccard"}

    Returns
    -------
    ndarray of shape (k, k)
        Symmetric, 0 on the diagonal.

    Raises
    ------
    ValueError
        Unknown ``name``, or a category that is not a set.

    Examples
    --------
    >>> set_distance_matrix([frozenset({1}), frozenset({1, 2})], "jaccard")
    array([[0. , 0.5],
           [0.5, 0. ]])
    """
    if not (isinstance(name, str) and name in SET_DISTANCES):
        raise ValueError(UNKNOWN_SET_DISTANCE.format(got=name))
    cats = list(categories)
    check_set_labels(cats, name)
    fn = masi_distance if name == "masi" else jaccard_distance
    k = len(cats)
    out = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            out[i, j] = out[j, i] = fn(cats[i], cats[j])
    return out
