"""Krippendorff's alpha for any number of annotators, missing data and four metrics.

Definitions follow Krippendorff (2011), *Computing Krippendorff's Alpha-Reliability*,
Annenberg School for Communication, University of Pennsylvania. In a *unit* (an item)
with ``m_u`` values, every ordered pair of two different values (two different ratings,
whoever gave them) is a *pairable* pair, weighted ``1 / (m_u - 1)``; units with fewer than
2 values have no pair and are ignored. With ``n`` the number of pairable values (the
values in units with ``m_u >= 2``) and ``n_c`` how many of them equal ``c``,

    D_o = (1 / n) * sum_u sum_{a != b in u} delta(v_a, v_b) / (m_u - 1)
    D_e = 1 / (n (n - 1)) * sum_c sum_k n_c n_k delta(c, k)
    alpha = 1 - D_o / D_e

and the squared distances ``delta`` are

* nominal: ``0`` if ``c == k`` else ``1``;
* ordinal: ``(sum_{g=c..k} n_g - (n_c + n_k) / 2)^2``, over the categories in their order
  (the numbers' order, or the order given by ``categories=`` or an ordered
  ``pandas.Categorical``; unordered words raise); this equals ``(M_k - M_c)^2`` with the
  mid-ranks ``M_c = sum_{g<c} n_g + n_c / 2``, so the ordinal alpha is the interval alpha
  of the mid-ranks;
* interval: ``(c - k)^2``;
* ratio: ``((c - k) / (c + k))^2``, for non-negative values, with ``delta(0, 0) = 0`` (two
  equal values never disagree);
* circular: ``sin^2(pi (c - k) / U)`` with the period ``U`` (``period=``); bipolar:
  ``(c - k)^2 / ((c + k - 2 lo)(2 hi - c - k))`` on the scale ``[lo, hi]`` (``scale=``);
  Krippendorff (2004), *Content Analysis*, section 11.3.4;
* for set-valued labels (``distance=``), the MASI or Jaccard distance (``_set_distances.py``);
* a callable (:class:`Distance`).

Memory and time. Nothing of size values x values is built. Interval (and ordinal) use
the moment identity ``sum_{a != b} (v_a - v_b)^2 = 2 m sum_a (v_a - mean)^2`` per unit and
the pooled moments for ``D_e``: O(n_annotations). Nominal counts disagreeing pairs per unit
and needs only ``sum_c n_c^2`` for ``D_e``. Ratio loops over the pairs within each unit and
computes ``sum_{v,w} n_v n_w delta(v, w)`` over the V distinct values in a parallel O(V^2)
kernel with O(V) memory. A callable distance is evaluated once per pair of categories
(a k x k matrix; k <= 4096), and so are circular, bipolar and the set distances. Inputs
below ``get_config()["numba_min_size"]`` (annotations, and units x categories) run NumPy
twins of the nominal, interval and ordinal kernels (``_twins.py``), which skip Numba's
start-up; ratio and the distance matrices always run their kernels.

The levels of measurement (``level=``, ``period=``, ``scale=``, ``distance=``) are checked
and resolved into a built-in level or a distance matrix in ``_alpha_levels.py``; this module
computes alpha from them, and the statistics that :func:`agreement` resamples share its
core (``_parts``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from .._checks import check_on_undefined, py_scalar
from .._lazy import lazy_module
from . import _dask, _twins
from ._alpha_levels import (
    LEVELS,
    _callable_matrix,
    _check_level,
    _numeric_values,
    _resolve,
)
from ._container import Annotations, check_annotations
from ._set_distances import SetDistance
from ._stats import ItemStatistic

# The compiled kernels load when an input is large enough to run them (see _twins.py).
_k = lazy_module("multiplicity.annotation._alpha_kernels")

__all__ = ["Distance", "krippendorff_alpha"]

Level = Literal["nominal", "ordinal", "interval", "ratio", "circular", "bipolar"]
OnUndefined = Literal["raise", "nan"]

# Error messages (tests import them).
NO_PAIRS = ("Krippendorff's alpha is undefined: no unit (item) has two or more values, so "
            "there is no pairable value to compare (pass on_undefined='nan' to get NaN "
            "instead)")
SINGLE_VALUE = ("Krippendorff's alpha is undefined: only one value ({value!r}) occurs among "
                "the pairable values (those in units with two or more values), so the "
                "observed and expected disagreements are both 0 and alpha = 1 - D_o / D_e "
                "is 0 / 0 (pass on_undefined='nan' to get NaN instead)")
ZERO_EXPECTED = ("Krippendorff's alpha is undefined: the expected disagreement D_e is 0 "
                 "(the distance is 0 between all values that occur), so alpha = "
                 "1 - D_o / D_e divides by 0 (pass on_undefined='nan' to get NaN instead)")
_MAX_STAT_COLUMNS = 64


@runtime_checkable
class Distance(Protocol):
    """A squared distance between values, for ``krippendorff_alpha(level=...)``.

    Called as ``distance(a, b)`` with two 1-D arrays of the same length holding category
    values: float64 when the labels are numbers (not booleans), otherwise the labels
    themselves (an object array). It returns an array of the same length with the squared
    distances ``delta(a[j], b[j])``: finite and >= 0. The distance must be symmetric;
    it is evaluated once per unordered pair of different categories, and the distance of
    a value to itself is taken as 0 (not evaluated), as in all of Krippendorff's metrics.

    Examples
    --------
    >>> import numpy as np
    >>> def absolute(a, b):          # Krippendorff's metrics are squared; this one is not
    ...     return np.abs(a - b)
    >>> isinstance(absolute, Distance)
    True
    """

    def __call__(self, a: NDArray[Any], b: NDArray[Any], /) -> NDArray[np.float64]: ...


# ----------------------------------------------------------------------- the core
@dataclass(frozen=True)
class _Parts:
    """Everything alpha and its helpers need, computed once.

    D : (n_items,) per-unit disagreement terms (0 for units with fewer than 2 values).
    m : (n_items,) values per unit. pair : (n_items,) ``m >= 2``.
    n_c : (k,) pairable frequency of each category. n : their sum.
    de_num : ``sum_{c,k} n_c n_k delta(c, k)``.
    E : (k,) ``sum_w (n_w / n) delta(c, w)``: expected distance of category c to a
        pairable value drawn at random (for Gwet's standard error).
    level : the level of measurement: "nominal", "ordinal", "interval", "ratio",
        "circular", "bipolar", "masi", "jaccard" or "callable".
    metric : the form of the distance: "nominal", "interval" (interval and ordinal, on
        transformed values ``x``), "ratio" or "matrix" (the other levels). x : (k,) values
        used by the metric, or None.
    delta : (k, k) distance matrix for "matrix", else None.
    """

    ann: Annotations
    level: str
    D: NDArray[np.float64]
    m: NDArray[np.int64]
    pair: NDArray[np.bool_]
    n_c: NDArray[np.float64]
    n: float
    de_num: float
    E: NDArray[np.float64]
    metric: str
    x: NDArray[np.float64] | None
    delta: NDArray[np.float64] | None
    reason: str | None

    @property
    def value(self) -> float:
        if self.reason is not None:
            return math.nan
        return float(1.0 - (self.n - 1.0) * self.D.sum() / self.de_num)


def _unit_sum(ann: Annotations, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """The sum of ``x`` (one value per annotation) over each unit."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    if _twins.compiled(ann):
        return _k._per_unit_sum(ann.item_ptr, x)
    return _twins.per_unit_sum(ann.item_ptr, ann.item_codes, x)


def _mid_ranks(n_c: NDArray[np.float64]) -> NDArray[np.float64]:
    """Krippendorff's ordinal positions ``M_c = sum_{g<c} n_g + n_c / 2``."""
    return np.cumsum(n_c) - n_c / 2.0


def _ratio_terms(ann: Annotations, x: NDArray[np.float64], n_c: NDArray[np.float64],
                 present: NDArray[np.int64]) -> tuple[NDArray[np.float64],
                                                      NDArray[np.float64]]:
    """Ratio ``D_i`` per unit and ``rows[c] = sum_w n_w delta(c, w)`` per category.

    ``delta(v, w) = ((v - w) / (v + w))^2`` is 1 between 0 and any positive value and 0
    between two zeros (equal values), so a unit with ``z`` zeros and ``m'`` positive
    values has ``2 z m'`` ordered pairs of distance 1 besides the pairs of its positive
    values, which go through the kernels as they are.
    """
    ptr, codes = ann.item_ptr, ann.label_codes
    xs = x[codes]
    k = x.shape[0]
    zero = np.flatnonzero(x == 0.0)
    rows = np.zeros(k)
    if zero.size == 0:
        D = _k._ratio_unit_terms(ptr, np.ascontiguousarray(xs))
        rows[present] = _k._ratio_row_sums(np.ascontiguousarray(x[present]),
                                           np.ascontiguousarray(n_c[present]))
        return D, rows
    pos = xs != 0.0
    m = np.diff(ptr)
    seen = np.zeros(len(xs) + 1, dtype=np.int64)
    np.cumsum(pos, out=seen[1:])
    m_pos = seen[ptr[1:]] - seen[ptr[:-1]]
    ptr_pos = np.zeros(len(m) + 1, dtype=np.int64)
    np.cumsum(m_pos, out=ptr_pos[1:])
    D_pos = _k._ratio_unit_terms(ptr_pos, np.ascontiguousarray(xs[pos]))
    # The kernel divides the pair sum by m' - 1; put it over m - 1 and add the 0 pairs.
    z = (m - m_pos).astype(np.float64)
    pair_sum = D_pos * np.maximum(m_pos - 1, 0)          # sum over ordered pairs
    with np.errstate(divide="ignore", invalid="ignore"):
        D = np.where(m >= 2, (pair_sum + 2.0 * z * m_pos) / (m - 1.0), 0.0)
    # called with two or more values present (else alpha is undefined), so some are > 0
    nz = present[x[present] != 0.0]
    rows[nz] = _k._ratio_row_sums(np.ascontiguousarray(x[nz]),
                                  np.ascontiguousarray(n_c[nz])) + float(n_c[zero[0]])
    rows[zero[0]] = float(n_c[nz].sum())
    return D, rows


def _undefined_reason(n_c: NDArray[np.float64], ann: Any) -> str | None:
    """Why alpha is undefined for these pairable-value frequencies (None when it is not):
    no pairable values, or a single value (only then are ``ann.categories`` read, which
    may load pandas)."""
    present = np.flatnonzero(n_c)
    if n_c.sum() == 0:
        return NO_PAIRS
    if present.size == 1:
        return SINGLE_VALUE.format(value=py_scalar(ann.categories[present[0]]))
    return None


def _parts(data: Any, level: Any, on_undefined: Any = "raise", period: Any = None,
           scale: Any = None, distance: Any = None) -> _Parts:
    """Validate, then compute the per-unit terms and the marginals of alpha."""
    check_on_undefined(on_undefined)
    _check_level(level)                      # an unknown level raises before the data are read
    ann = check_annotations(data)
    level = _resolve(level, ann, period, scale, distance)
    level_name = _check_level(level)
    if level_name == "ordinal" and not ann.ordered:
        ann.require_order("level='ordinal'", "level='nominal'")
    values = _numeric_values(ann, level_name) if level_name in ("interval", "ratio") else None
    delta = _callable_matrix(level, ann) if level_name not in LEVELS[:4] else None
    ptr, codes = ann.item_ptr, ann.label_codes
    k = ann.n_categories
    m = np.diff(ptr)
    pair = m >= 2
    # Frequencies of the pairable values: all values minus those alone in their unit.
    n_c = (np.bincount(codes, minlength=k) -
           np.bincount(codes[ptr[:-1][m == 1]], minlength=k)).astype(np.float64)
    n = float(n_c.sum())
    present = np.flatnonzero(n_c)
    reason = _undefined_reason(n_c, ann)
    x = None
    pi = n_c / n if n else n_c
    compiled = _twins.compiled(ann)
    if reason is not None:
        D, de_num, E, metric = np.zeros(ann.n_items), 0.0, np.zeros(k), level_name
    elif level_name == "nominal":
        D = (_k._nominal_unit_terms(ptr, codes) if compiled
             else _twins.nominal_unit_terms(ptr, ann.item_codes, codes, k))
        de_num = n * n - float(n_c @ n_c)
        E, metric = 1.0 - pi, "nominal"
    elif level_name in ("interval", "ordinal"):
        v = _mid_ranks(n_c) if level_name == "ordinal" else values
        mu = float(pi @ v)
        x = v - mu                            # centred and scaled: alpha is affine invariant
        x = x / float(np.max(np.abs(x[present])))
        x = x / math.sqrt(float(pi @ (x * x)))
        xs = np.ascontiguousarray(x[codes])
        D = (_k._interval_unit_terms(ptr, xs) if compiled
             else _twins.interval_unit_terms(ptr, ann.item_codes, xs))
        de_num = 2.0 * n * float(n_c @ (x * x))
        E, metric = x * x + float(pi @ (x * x)), "interval"
    elif level_name == "ratio":
        x = values
        D, rows = _ratio_terms(ann, x, n_c, present)
        de_num = float(n_c @ rows)
        E, metric = rows / n, "ratio"
    else:
        D = _k._matrix_unit_terms(ptr, codes, delta)
        Dn = delta @ n_c
        de_num = float(n_c @ Dn)
        E, metric = Dn / n, "matrix"
    if reason is None and not de_num > 0.0:
        reason = ZERO_EXPECTED
    if reason is not None and on_undefined == "raise":
        raise ValueError(reason)
    return _Parts(ann=ann, level=level_name, D=D, m=m, pair=pair, n_c=n_c, n=n, de_num=de_num,
                  E=E, metric=metric, x=x, delta=delta, reason=reason)


def _alpha_from_coincidences(coinc: NDArray[np.float64], ann: Any, level: Any,
                             on_undefined: Any = "raise") -> float:
    """Alpha from Krippendorff's coincidence matrix, summed over the units.

    ``coinc[c, d] = sum_u sum_{a != b in u} [v_a = c] [v_b = d] / (m_u - 1)``: a sum over
    units, so it can be added up over blocks of units computed apart (the dask path).
    ``ann`` gives the categories and their order (an :class:`Annotations` or anything
    with the same ``categories``, ``ordered``, ``is_numeric``, ``category_values`` and
    ``require_order``). The same checks, in the same order and with the same messages,
    as :func:`krippendorff_alpha`; then ``1 - (n - 1) sum(o * delta) / (n' delta n)``
    with ``n_c`` the row sums of ``o``.
    """
    check_on_undefined(on_undefined)
    _check_level(level)
    level = _resolve(level, ann, None, None, None)
    level_name = _check_level(level)
    if level_name == "ordinal" and not ann.ordered:
        ann.require_order("level='ordinal'", "level='nominal'")
    values = _numeric_values(ann, level_name) if level_name in ("interval", "ratio") else None
    delta = _callable_matrix(level, ann) if level_name not in LEVELS[:4] else None
    n_c = coinc.sum(axis=1)
    n = float(n_c.sum())
    reason = _undefined_reason(n_c, ann)
    value = math.nan
    if reason is None:
        k = len(n_c)
        if level_name == "nominal":
            delta = 1.0 - np.eye(k)
        elif level_name in ("ordinal", "interval"):
            v = _mid_ranks(n_c) if level_name == "ordinal" else values
            delta = (v[:, None] - v[None, :]) ** 2
        elif level_name == "ratio":
            v = values
            with np.errstate(divide="ignore", invalid="ignore"):
                delta = ((v[:, None] - v[None, :]) / (v[:, None] + v[None, :])) ** 2
            np.fill_diagonal(delta, 0.0)           # delta(0, 0) = 0: equal values
        de_num = float(n_c @ delta @ n_c)
        if not de_num > 0.0:
            reason = ZERO_EXPECTED
        else:
            value = float(1.0 - (n - 1.0) * float(np.sum(coinc * delta)) / de_num)
    if reason is not None and on_undefined == "raise":
        raise ValueError(reason)
    return value


# ------------------------------------------------------------------ public function
def krippendorff_alpha(data: Any, level: Level | Distance = "nominal", *,
                       on_undefined: OnUndefined = "raise", period: float | None = None,
                       scale: tuple[float, float] | None = None,
                       distance: SetDistance | None = None) -> float:
    """Krippendorff's alpha: agreement among any number of annotators, missing data allowed.

    Parameters
    ----------
    data : Annotations, DaskAnnotations or table accepted by :meth:`Annotations.from_wide`
        Items (units) x annotators; NaN/None marks a missing rating. Units may have any
        number of ratings. A :class:`DaskAnnotations` is computed on the cluster: each
        partition sends its ``k x k`` coincidence matrix (memory per worker: one
        partition plus ``k x k``), and alpha is finished from their sum.
    level : {"nominal", "ordinal", "interval", "ratio", "circular", "bipolar"} or \
callable, default="nominal"
        Level of measurement, i.e. the squared distance ``delta`` between two values:
        nominal ``[c != k]``; ordinal Krippendorff's rank-based
        ``(sum_{g=c..k} n_g - (n_c + n_k) / 2)^2`` over the categories in their order
        (``n_g``: frequencies of the pairable values); interval ``(c - k)^2``; ratio
        ``((c - k) / (c + k))^2`` with ``delta(0, 0) = 0``. Ordinal needs ordered
        categories: numbers, or words whose order is given by ``categories=``
        (:meth:`Annotations.from_long` and the other constructors) or an ordered
        ``pandas.Categorical``. Interval and ratio need numeric labels; ratio needs
        non-negative ones. Circular ``sin^2(pi (c - k) / U)`` (Krippendorff writes
        ``sin(180 deg (c - k) / U)``) with ``U`` the ``period``, and bipolar
        ``(c - k)^2 / ((c + k - 2 lo) (2 hi - c - k))`` with ``(lo, hi)`` the ``scale``,
        both on numeric labels (Krippendorff 2004, section 11.3.4 of *Content
        Analysis*). A callable follows the :class:`Distance` protocol.
    on_undefined : {"raise", "nan"}, default="raise"
        What to do when alpha is undefined (no unit with two values, a single pairable
        value, or zero expected disagreement): raise a ``ValueError`` that says why, or
        return NaN.
    period : float > 0, optional
        ``level="circular"`` only: the circumference ``U`` of the circle in the units of
        the values, so that ``c`` and ``c + U`` are the same point (12 for the months
        coded 1 .. 12, 360 for degrees, 24 for hours 0 .. 23). Default: for integer
        values, ``max - min + 1`` of the category values, i.e. the number of equally
        spaced values when every value from ``min`` to ``max`` is a point of the circle
        (1 .. 7 for the days of the week gives 7; the last value is then one step before
        the first). Values that are not all integers need it given.
    scale : (lo, hi), optional
        ``level="bipolar"`` only: the end points of the bipolar scale (e.g. ``(-3, 3)``
        for a scale from "very negative" to "very positive"); every value must lie in
        it. Default: the smallest and largest category values.
    distance : {"masi", "jaccard"}, optional
        Set-valued labels: every label is a ``frozenset`` of labels (an annotator who
        may give an item several labels gives it the set of them), and ``delta`` is the
        MASI distance of Passonneau (2006) or the Jaccard distance between two sets (not
        squared, as in Passonneau 2006 and NLTK's ``AnnotationTask``); see
        :func:`masi_distance` and :func:`jaccard_distance`. It replaces the level, so
        ``level`` must stay "nominal".

    Returns
    -------
    float
        ``1 - D_o / D_e``: 1 for perfect agreement, 0 when annotators agree as well as
        chance would have it, negative below that. Never above 1.

    Raises
    ------
    ValueError
        Unknown ``level``, ``distance`` or ``on_undefined``; non-numeric labels for
        interval, ratio, circular or bipolar; ordinal on three or more words whose order
        was not given; negative values for ratio; a ``period`` that is not a positive
        number, or none for non-integer circular values; a ``scale`` that is not a pair
        ``lo < hi`` containing every value; ``period``, ``scale`` or ``distance`` with
        another level; labels that are not sets with ``distance``; a bad callable; alpha
        undefined (with ``on_undefined="raise"``).

    See Also
    --------
    multiplicity.annotation.agreement : alpha and other coefficients with confidence
        intervals.

    Notes
    -----
    Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. Annenberg
    School for Communication, University of Pennsylvania. With ``n`` pairable values (the
    values of units with two or more of them), ``D_o = sum_u sum_{a != b} delta(v_a, v_b)
    / (m_u - 1) / n`` and ``D_e = sum_{c,k} n_c n_k delta(c, k) / (n (n - 1))``.

    *Missing data*: a unit contributes its ``m_u (m_u - 1)`` ordered pairs with weight
    ``1 / (m_u - 1)``; units with fewer than 2 values are ignored, also in the value
    frequencies ``n_c``.

    *Repeated ratings* (``Annotations.from_long(..., duplicates="keep")``): alpha is
    defined on the values of a unit, not on who gave them, so each rating is a pairable
    value of its unit, and two ratings of one annotator form a pair like any other.

    *Order*: the ordinal distance depends on the order of the categories. Numbers use
    their order; words need it given (``categories=`` or an ordered
    ``pandas.Categorical``), and without it ``level="ordinal"`` raises rather than sort
    the words alphabetically ("negative" < "neutral" < "positive" happens to hold, but
    "very negative" would sort last). With one or two categories the order does not
    matter and nothing is raised. The result equals Krippendorff's ordinal alpha of the
    same data coded as ranks ``1 .. k`` (and fast-krippendorff's ``value_domain=``).

    *Ratio and zero*: ``delta(c, k) = ((c - k) / (c + k))^2`` is read as 0 for
    ``c = k = 0``, as Krippendorff's definition of a distance requires
    (``delta(c, c) = 0``); a 0 and a positive value are at distance 1, the largest
    possible (as in fast-krippendorff). Negative values raise a ``ValueError``.

    *Circular and bipolar* (Krippendorff 2004, 2011): circular values lie on a circle
    (directions, hours, months), and the distance grows with the chord between them, the
    largest for values half a period apart. Bipolar values run between two opposite
    poles, and differences near a pole weigh more than differences in the middle; the
    two poles are at distance 1, and ``0 / 0`` (two equal values at a pole) is read as
    0. The kappa family's ``weights="circular"`` and ``"bipolar"`` (Gwet 2014, section
    3.3) are the *agreement weights* of the same distances: ``w = 1 - delta / max
    delta`` over the categories, with Gwet's period ``max - min + 1`` and the scale of
    the category values, i.e. these defaults. Alpha needs no rescaling (``D_o / D_e``
    does not change when ``delta`` is multiplied by a constant), so it uses the
    distances as Krippendorff defines them.

    *Sets* (``distance=``): alpha is computed with the set distance as ``delta`` on the
    categories, which are the distinct sets, so it equals NLTK's
    ``AnnotationTask(data, distance=masi_distance).alpha()``; NLTK divides by zero for
    two empty sets, where the distances here are 0.

    Cost: O(n_annotations) time and memory for nominal, ordinal and interval; ratio adds
    an O(V^2)-time, O(V)-memory pass over the V distinct values (0.1 s for V = 10,000);
    nothing of size units x values x values is built. Circular, bipolar, the set
    distances and a callable build the ``k x k`` matrix of distances between the k
    categories (k <= 4096) and loop over the pairs within each unit.

    Examples
    --------
    Krippendorff's (2011) example: 4 observers (columns) and 12 units (rows).

    >>> data = [[1, 1, None, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3],
    ...         [2, 2, 2, 2], [1, 2, 3, 4], [4, 4, 4, 4], [1, 1, 2, 1],
    ...         [2, 2, 2, 2], [None, 5, 5, 5], [None, None, 1, 1], [None, 3, None, None]]
    >>> round(krippendorff_alpha(data), 3)
    0.743
    >>> [round(krippendorff_alpha(data, level), 3) for level in ("ordinal", "interval", "ratio")]
    [0.815, 0.849, 0.797]
    """
    if isinstance(data, _dask.DaskAnnotations):
        check_on_undefined(on_undefined)
        _check_level(level)
        return _dask.krippendorff_alpha(data, _resolve(level, data, period, scale, distance),
                                        on_undefined)
    return _parts(data, level, on_undefined, period, scale, distance).value


# ------------------------------------------------------ statistics for agreement()
def _tri_index(k: int) -> NDArray[np.int64]:
    tri = np.zeros((k, k), dtype=np.int64)
    iu, ju = np.triu_indices(k)
    tri[iu, ju] = np.arange(iu.size)
    tri[ju, iu] = tri[iu, ju]
    return tri


def _alpha_from(dsum: NDArray, n: NDArray, de_num: NDArray) -> NDArray[np.float64]:
    """Vectorised ``1 - (n - 1) * dsum / de_num`` with NaN where undefined."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1.0 - (n - 1.0) * dsum / de_num
    ok = (de_num > 1e-12 * np.maximum(n * n, 1.0)) & (n >= 2)
    return np.where(ok & np.isfinite(out), out, np.nan)


def _krippendorff_alpha_statistic(ann: Any, level: Level | Distance = "nominal",
                                  on_undefined: OnUndefined = "raise", period: Any = None,
                                  scale: Any = None, distance: Any = None
                                  ) -> ItemStatistic | None:
    """Alpha as ``finalize(sum over units of S[i])`` (see ``_stats.py``).

    Columns of ``S``:

    * nominal, ratio, callable: ``D_i`` and the unit's category counts (zero for units
      with fewer than 2 values); ``finalize`` applies the fixed distance matrix to the
      resampled frequencies. ``1 + k`` columns.
    * interval: ``D_i``, ``m_i``, ``sum x``, ``sum x^2`` over the unit's pairable values
      (``x``: values centred and scaled on the data; alpha is affine invariant). 4 columns.
    * ordinal: the unit's coincidence matrix, upper triangle (``k (k + 1) / 2`` columns):
      the distance depends on the resampled frequencies, so ``finalize`` rebuilds the
      mid-ranks from them.

    Returns None when ``S`` would be wider than 64 columns (many categories) or alpha is
    undefined on the data, and :func:`agreement` then recomputes alpha on resampled data.
    """
    p = _parts(ann, level, on_undefined, period, scale, distance)
    if p.reason is not None:      # undefined on the data (on_undefined="nan"): recompute
        return None
    a = p.ann
    k = a.n_categories
    if p.level == "interval" and p.x is not None:
        xa = np.where(p.pair[a.item_codes], p.x[a.label_codes], 0.0)
        S = np.column_stack([p.D, np.where(p.pair, p.m, 0).astype(np.float64),
                             _unit_sum(a, xa), _unit_sum(a, xa * xa)])

        def finalize(T: NDArray) -> NDArray:
            n = T[:, 1]
            return _alpha_from(T[:, 0], n, 2.0 * (n * T[:, 3] - T[:, 2] ** 2))

        return ItemStatistic(S, finalize)
    if p.level == "ordinal":
        if k * (k + 1) // 2 > _MAX_STAT_COLUMNS:
            return None
        tri = _tri_index(k)
        S = (_k._unit_coincidences(a.item_ptr, a.label_codes, tri) if _twins.compiled(a)
             else _twins.unit_coincidences(a.item_ptr, a.item_codes, a.label_codes, tri))
        iu, ju = np.triu_indices(k)

        def finalize(T: NDArray) -> NDArray:
            coinc = np.zeros((T.shape[0], k, k))
            coinc[:, iu, ju] = T
            coinc[:, ju, iu] = T
            n_c = coinc.sum(axis=2)
            n = n_c.sum(axis=1)
            M = np.cumsum(n_c, axis=1) - n_c / 2.0
            delta = (M[:, :, None] - M[:, None, :]) ** 2
            dsum = np.einsum("bck,bck->b", coinc, delta)
            de_num = np.einsum("bc,bck,bk->b", n_c, delta, n_c)
            return _alpha_from(dsum, n, de_num)

        return ItemStatistic(S, finalize)
    if 1 + k > _MAX_STAT_COLUMNS:
        return None
    if p.metric == "nominal":
        delta = 1.0 - np.eye(k)
    elif p.metric == "ratio":
        v = p.x
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = ((v[:, None] - v[None, :]) / (v[:, None] + v[None, :])) ** 2
        np.fill_diagonal(delta, 0.0)           # delta(0, 0) = 0: equal values
    else:
        delta = p.delta
    C = a.counts().astype(np.float64)
    C[~p.pair] = 0.0
    S = np.column_stack([p.D, C])

    def finalize_fixed(T: NDArray) -> NDArray:
        n_c = T[:, 1:]
        return _alpha_from(T[:, 0], n_c.sum(axis=1), np.einsum("bc,ck,bk->b", n_c, delta, n_c))

    return ItemStatistic(S, finalize_fixed)


# -------------------------------------------------------- analytic standard error
def _krippendorff_alpha_analytic(ann: Any, level: Level | Distance = "nominal",
                                 on_undefined: OnUndefined = "raise", period: Any = None,
                                 scale: Any = None, distance: Any = None) -> dict[str, float]:
    """Gwet's linearised standard error of Krippendorff's alpha.

    Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed., section on Krippendorff's
    alpha, as in his R package irrCAC (``krippen.alpha.raw``; finite-population factor
    1), with the weights ``w = 1 - delta / max(delta)``. Written in terms of the
    distances (the scale of ``delta`` cancels): over the ``n2`` units with ``m_i >= 2``,
    ``rbar = n / n2``, ``D_o`` and ``D'_e = sum n_c n_k delta / n^2``,
    ``alpha' = 1 - D_o / D'_e`` (Gwet's alpha without the ``1/n`` correction),

        x_i = 1 - d_i / D'_e - 2 (1 - alpha') (m_i D'_e - e_i) / (rbar D'_e)
        d_i = (D_i - (1 - 1/n) D_o (m_i - rbar)) / rbar,   e_i = sum_{a in i} E(v_a)
        se^2 = sum_i (x_i - alpha')^2 / (n2 (n2 - 1))

    with ``E(v) = sum_w n_w delta(v, w) / n``. For the ordinal level the distance depends
    on the frequencies; it is held fixed (as for any other weights). Returns
    ``{"se": se}`` (NaN when alpha is undefined or fewer than 2 units are pairable).
    """
    p = _parts(ann, level, on_undefined, period, scale, distance)
    if p.reason is not None:
        return {"se": math.nan}
    a = p.ann
    pair = p.pair
    n2 = int(np.count_nonzero(pair))
    if n2 < 2:
        return {"se": math.nan}
    n = p.n
    rbar = n / n2
    m = p.m[pair].astype(np.float64)
    Di = p.D[pair]
    do = float(Di.sum()) / n
    de = p.de_num / (n * n)
    alpha_p = 1.0 - do / de
    e = _unit_sum(a, p.E[a.label_codes])[pair]
    d = (Di - (1.0 - 1.0 / n) * do * (m - rbar)) / rbar
    x = 1.0 - d / de - 2.0 * (1.0 - alpha_p) * (m * de - e) / (rbar * de)
    se = math.sqrt(float(np.sum((x - alpha_p) ** 2)) / (n2 * (n2 - 1.0)))
    return {"se": se}
