"""The levels of measurement of Krippendorff's alpha, resolved into the distance it uses.

``krippendorff_alpha(level=..., period=..., scale=..., distance=...)`` names the squared
distance ``delta`` between two values; this module checks those arguments and turns them
into what the core of ``_alpha.py`` computes with: the name of a built-in level
("nominal", "ordinal", "interval", "ratio", whose distances the kernels compute from the
values), or the ``k x k`` matrix of distances between the categories for circular and
bipolar values (Krippendorff 2004, *Content Analysis*, section 11.3.4), set-valued labels
(the MASI and Jaccard distances of ``_set_distances.py``) and a callable distance. The
messages of these checks live here too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._checks import py_scalar
from ._container import Annotations
from ._set_distances import (
    SET_DISTANCES,
    UNKNOWN_SET_DISTANCE,
    check_set_labels,
    set_distance_matrix,
)

LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio", "circular", "bipolar")

# Error messages (tests import them).
UNKNOWN_LEVEL = ("level must be 'nominal', 'ordinal', 'interval', 'ratio', 'circular', "
                 "'bipolar' or a callable distance(a, b) -> squared distances, got {got!r}")
OPTION_LEVEL = "{option}= applies to level={needs!r} only, got level={level!r}"
DISTANCE_LEVEL = ("distance={distance!r} replaces the level of measurement (the distance "
                  "between two sets of labels); leave level='nominal', got level={level!r}")
BAD_PERIOD = ("period must be a finite number > 0 (the circumference of the circle in the "
              "units of the values), got {got!r}")
PERIOD_NEEDED = ("level='circular' on values that are not all integers needs period= (the "
                 "circumference of the circle, e.g. period=360 for degrees), got values "
                 "{cats}")
BAD_SCALE = ("scale must be a pair (min, max) of finite numbers with min < max (the end "
             "points of the bipolar scale), got {got!r}")
SCALE_RANGE = ("scale={scale!r} must contain every value, but {value!r} is outside it; "
               "give the end points of the scale")
NOT_NUMERIC = ("level={level!r} needs numeric labels (the distance uses the values), but "
               "the labels are {cats}; use level='nominal' or 'ordinal', or recode the "
               "labels as numbers")
NOT_FINITE = "level={level!r} needs finite numeric labels, got {value!r}"
RATIO_NEGATIVE = ("level='ratio' needs non-negative values (a ratio scale starts at an "
                  "absolute zero), got {value!r}; use level='interval' for values that can "
                  "be negative")
BAD_DISTANCE = ("the distance callable must return {n} finite, non-negative squared "
                "distances for two arrays of {n} values, got {got}")
TOO_MANY_CATEGORIES = ("a callable, circular, bipolar or set distance is evaluated on "
                       "every pair of categories; {k} categories are too many (at most "
                       "{max}); bin the values or use one of the other built-in levels")

_MAX_CALLABLE_CATEGORIES = 4096


def _check_level(level: Any) -> str:
    if isinstance(level, _Fixed):
        return level.name
    if isinstance(level, str) and level in LEVELS:
        return level
    if callable(level) and not isinstance(level, str | type):
        return "callable"
    raise ValueError(UNKNOWN_LEVEL.format(got=level))


@dataclass(frozen=True)
class _Fixed:
    """A distance fixed by its parameters, resolved on the categories (see ``_resolve``):
    circular (``param`` the period), bipolar (``param`` the scale ``(lo, hi)``), or the
    set distances "masi" and "jaccard" (``param`` None)."""

    name: str
    param: Any

    def matrix(self, ann: Any) -> NDArray[np.float64]:
        if self.name in SET_DISTANCES:
            return set_distance_matrix(ann.categories, self.name)  # type: ignore[arg-type]
        v = ann.category_values
        c, k = v[:, None], v[None, :]
        if self.name == "circular":
            out = np.sin(np.pi * (c - k) / self.param) ** 2
        else:
            lo, hi = self.param
            with np.errstate(divide="ignore", invalid="ignore"):
                out = (c - k) ** 2 / ((c + k - 2.0 * lo) * (2.0 * hi - c - k))
        np.fill_diagonal(out, 0.0)            # delta(c, c) = 0, also 0 / 0 at an end point
        return out


def _is(level: Any, name: str) -> bool:
    return isinstance(level, str) and level == name


def _resolve(level: Any, ann: Any, period: Any, scale: Any, distance: Any) -> Any:
    """``level`` with ``period=``, ``scale=`` and ``distance=`` checked and resolved on the
    categories of ``ann``: a :class:`_Fixed` for circular, bipolar and the set distances,
    else ``level`` as it is."""
    if distance is not None:
        if not (isinstance(distance, str) and distance in SET_DISTANCES):
            raise ValueError(UNKNOWN_SET_DISTANCE.format(got=distance))
        if not _is(level, "nominal"):
            raise ValueError(DISTANCE_LEVEL.format(distance=distance, level=level))
        for option, value in (("period", period), ("scale", scale)):
            if value is not None:
                raise ValueError(OPTION_LEVEL.format(option=option, level=level, needs=(
                    "circular" if option == "period" else "bipolar")))
        check_set_labels(ann.categories, distance)
        return _Fixed(distance, None)
    for option, value, needs in (("period", period, "circular"), ("scale", scale, "bipolar")):
        if value is not None and not _is(level, needs):
            raise ValueError(OPTION_LEVEL.format(option=option, needs=needs, level=level))
    if not (_is(level, "circular") or _is(level, "bipolar")):
        return level
    v = _numeric_values(ann, level)
    if level == "circular":
        if period is None:
            if not np.all(v == np.round(v)):
                raise ValueError(PERIOD_NEEDED.format(cats=list(ann.categories[:5])))
            return _Fixed(level, float(v.max() - v.min() + 1.0))
        ok = isinstance(period, int | float | np.integer | np.floating) and \
            not isinstance(period, bool) and math.isfinite(period) and period > 0
        if not ok:
            raise ValueError(BAD_PERIOD.format(got=period))
        return _Fixed(level, float(period))
    if scale is None:
        return _Fixed(level, (float(v.min()), float(v.max())))
    try:
        lo, hi = (float(s) for s in scale)
        ok = math.isfinite(lo) and math.isfinite(hi) and lo < hi and \
            not isinstance(scale, str | bytes)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(BAD_SCALE.format(got=scale))
    out = np.flatnonzero((v < lo) | (v > hi))
    if out.size:
        raise ValueError(SCALE_RANGE.format(scale=scale,
                                            value=py_scalar(ann.categories[out[0]])))
    return _Fixed(level, (lo, hi))


def _numeric_values(ann: Annotations, level: str) -> NDArray[np.float64]:
    if not ann.is_numeric:
        raise ValueError(NOT_NUMERIC.format(level=level, cats=list(ann.categories[:5])))
    v = ann.category_values
    bad = ~np.isfinite(v)
    if bad.any():
        raise ValueError(NOT_FINITE.format(level=level, value=py_scalar(v[bad][0])))
    if level == "ratio":
        if (v < 0).any():
            smallest = ann.categories[int(np.argmin(v))]
            raise ValueError(RATIO_NEGATIVE.format(value=py_scalar(smallest)))
    return v


def _callable_matrix(distance: Any, ann: Annotations) -> NDArray[np.float64]:
    """The (k, k) matrix of ``distance`` (a callable or a :class:`_Fixed`) over the
    categories (0 on the diagonal)."""
    k = ann.n_categories
    if k > _MAX_CALLABLE_CATEGORIES:
        raise ValueError(TOO_MANY_CATEGORIES.format(k=k, max=_MAX_CALLABLE_CATEGORIES))
    if isinstance(distance, _Fixed):
        return distance.matrix(ann)
    vals = ann.category_values if ann.is_numeric else np.asarray(ann.categories, dtype=object)
    iu, ju = np.triu_indices(k, 1)
    out = np.zeros((k, k))
    if iu.size:
        got = np.asarray(distance(vals[iu], vals[ju]))
        ok = got.shape == iu.shape and got.dtype.kind in "biuf"
        if ok:
            got = got.astype(np.float64)
            ok = bool(np.all(np.isfinite(got)) and np.all(got >= 0))
        if not ok:
            desc = (f"shape {got.shape}, dtype {got.dtype}" if got.shape != iu.shape or
                    got.dtype.kind not in "biuf" else "negative or non-finite values")
            raise ValueError(BAD_DISTANCE.format(n=iu.size, got=desc))
        out[iu, ju] = got
        out[ju, iu] = got
    return out
