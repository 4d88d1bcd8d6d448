"""Chance-corrected agreement coefficients: Fleiss, Scott, Gwet, Brennan-Prediger, Conger, Cohen.

All of them have the form ``(pa - pe) / (1 - pe)``: observed agreement ``pa`` against the
agreement ``pe`` expected by chance, and they differ only in the chance model. With missing
data (unequal numbers of ratings per item) they follow Gwet (2014), *Handbook of
Inter-Rater Reliability*, 4th ed., Advanced Analytics (chapters 2-5), as implemented in his
R package irrCAC (``fleiss.kappa.raw``, ``gwet.ac1.raw``, ``conger.kappa.raw``,
``bp.coeff.raw``, ``pa.coeff.raw``):

* ``pa`` is the mean, over the items with at least two ratings, of the item's weighted
  share of agreeing ordered pairs of ratings,
  ``pa_i = sum_k c_ik (sum_l w_kl c_il - 1) / (r_i (r_i - 1))``;
* the category shares behind ``pe`` are ``pi_k = mean over items with r_i >= 1 of
  c_ik / r_i`` (items rated once count here), except for Conger's kappa, which uses each
  annotator's own distribution, and Brennan-Prediger, which uses none.

Every coefficient is a function of sums over items; the ``_<name>_statistic`` helpers
expose that form to :func:`multiplicity.annotation.agreement` (see ``_stats.py``), and the
``_<name>_analytic`` helpers give Gwet's linearised standard errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import check_on_undefined, py_scalar
from .._lazy import is_instance, lazy_module
from . import _twins
from ._alpha import _unit_sum
from ._container import (
    Annotations,
    _check_categories,
    _codes_in,
    _factorize_labels,
    _normalise_labels,
    check_annotations,
    check_ordered,
)
from ._stats import ItemStatistic

pd = lazy_module("pandas")
numba = lazy_module("numba")
# The compiled kernels load when an input is large enough to run them (see _twins.py).
_k = lazy_module("multiplicity.annotation._chance_kernels")
# pandas index alignment, loaded only for pandas inputs
_validation = lazy_module("multiplicity._validation")

__all__ = ["brennan_prediger", "cohen_kappa", "conger_kappa", "fleiss_kappa", "gwet_ac1",
           "percent_agreement", "scott_pi", "weight_matrix"]

WeightName = Literal["identity", "linear", "quadratic", "ordinal", "radical", "ratio",
                     "circular", "bipolar"]
OnUndefined = Literal["raise", "nan"]

WEIGHT_NAMES: tuple[str, ...] = ("identity", "linear", "quadratic", "ordinal", "radical",
                                 "ratio", "circular", "bipolar")

# Error messages (tests import them).
NO_PAIRS = ("{coef} is undefined: no item has two or more ratings, so no pair of ratings "
            "can agree or disagree (pass on_undefined='nan' to get NaN instead)")
SINGLE_CATEGORY = ("{coef} is undefined: only one category ({cat!r}) occurs in the data, so "
                   "observed and chance agreement are both 1 and (pa - pe) / (1 - pe) is "
                   "0 / 0 (pass on_undefined='nan' to get NaN instead)")
PE_ONE = ("{coef} is undefined: the chance agreement pe is 1 with these weights, so "
          "(pa - pe) / (1 - pe) divides by 0 (pass on_undefined='nan' to get NaN instead)")
UNKNOWN_WEIGHTS = ("weights must be None, one of {names} or a (k, k) matrix, got {got!r}")
WEIGHTS_SHAPE = ("weights must be a ({k}, {k}) matrix for the {k} categories {cats}, got "
                 "shape {shape}")
WEIGHTS_ASYMMETRIC = "weights must be a symmetric matrix (w[k, l] == w[l, k])"
WEIGHTS_RANGE = ("weights must hold finite agreement weights in [0, 1] with 1 on the "
                 "diagonal")
NEEDS_ANNOTATORS = ("{coef} needs annotator identities, but the data were built with "
                    "Annotations.from_counts (who gave which rating is unknown); use "
                    "fleiss_kappa, gwet_ac1, brennan_prediger or percent_agreement")
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

_MAX_STAT_COLUMNS = 256


# --------------------------------------------------------------------------- weights
def _category_scores(categories: pd.Index) -> NDArray[np.float64]:
    """Category values for the weights: the numbers themselves when the labels are
    numbers (not booleans), else the ranks ``1 .. q`` in the order of the categories
    (Gwet 2014, section 3.3); callers check that this order was given."""
    if len(categories) and pd.api.types.is_numeric_dtype(categories.dtype) and \
            not pd.api.types.is_bool_dtype(categories.dtype):
        return np.asarray(categories, dtype=np.float64)
    return np.arange(1, len(categories) + 1, dtype=np.float64)


def weight_matrix(name: WeightName, scores: ArrayLike) -> NDArray[np.float64]:
    """Agreement weights of Gwet (2014, section 3.3) for categories with values ``scores``.

    Parameters
    ----------
    name : {"identity", "linear", "quadratic", "ordinal", "radical", "ratio", "circular", \
"bipolar"}
    scores : array-like of shape (q,)
        Category values in their order (ranks ``1 .. q`` for labels that are not
        numbers).

    Returns
    -------
    ndarray of shape (q, q)
        ``w[k, l]`` in ``[0, 1]``, 1 on the diagonal. With ``x_k`` the scores, ``R`` their
        range: linear ``1 - |x_k - x_l| / R``; quadratic ``1 - (x_k - x_l)^2 / R^2``;
        radical ``1 - sqrt|x_k - x_l| / sqrt R``; ordinal ``1 - M_kl / max M`` with
        ``M_kl = (|k - l| + 1) |k - l| / 2`` on the ranks; ratio
        ``1 - ((x_k - x_l) / (x_k + x_l))^2 / ((x_max - x_min) / (x_max + x_min))^2``;
        circular ``1 - sin^2(pi (x_k - x_l) / (R + 1)) / max``; bipolar
        ``1 - (x_k - x_l)^2 / ((x_k + x_l - 2 x_min)(2 x_max - x_k - x_l)) / max``.

    Examples
    --------
    >>> weight_matrix("quadratic", [1, 2, 3])
    array([[1.  , 0.75, 0.  ],
           [0.75, 1.  , 0.75],
           [0.  , 0.75, 1.  ]])
    """
    x = np.asarray(scores, dtype=np.float64)
    q = x.shape[0]
    if name not in WEIGHT_NAMES:
        raise ValueError(UNKNOWN_WEIGHTS.format(names=list(WEIGHT_NAMES), got=name))
    if name == "identity" or q < 2:
        return np.eye(q)
    d = x[:, None] - x[None, :]
    rng = float(x.max() - x.min())
    with np.errstate(divide="ignore", invalid="ignore"):
        if name == "linear":
            w = 1.0 - np.abs(d) / rng
        elif name == "quadratic":
            w = 1.0 - (d / rng) ** 2
        elif name == "radical":
            w = 1.0 - np.sqrt(np.abs(d)) / math.sqrt(rng)
        elif name == "ordinal":
            idx = np.arange(q, dtype=np.float64)
            m = np.abs(idx[:, None] - idx[None, :])
            m = (m + 1.0) * m / 2.0
            w = 1.0 - m / m.max()
        elif name == "ratio":
            if x.min() < 0:
                raise ValueError("ratio weights need non-negative category values, got "
                                 f"{x.min()}")
            s = x[:, None] + x[None, :]
            w = 1.0 - (d / s) ** 2 / (rng / float(x.max() + x.min())) ** 2
        elif name == "circular":
            m = np.sin(np.pi * d / (rng + 1.0)) ** 2
            w = 1.0 - m / m.max()
        else:  # bipolar
            den = (x[:, None] + x[None, :] - 2.0 * x.min()) * \
                (2.0 * x.max() - x[:, None] - x[None, :])
            m = np.where(d == 0, 0.0, d ** 2 / den)
            w = 1.0 - m / m.max()
    np.fill_diagonal(w, 1.0)
    return w


def _check_weights(weights: Any, categories: pd.Index, ordered: bool = True,
                   name: str = "weights") -> tuple[NDArray[np.float64], bool]:
    """``(W, is_identity)`` for a weight name or matrix over ``categories``.

    A weight name other than "identity" scores the categories by their order, so it
    raises on three or more non-numeric categories whose order was not given
    (``ordered`` False); a matrix is explicit and is taken as it is.
    """
    q = len(categories)
    if weights is None or (isinstance(weights, str) and weights == "identity"):
        return np.eye(q), True
    if isinstance(weights, str):
        if weights not in WEIGHT_NAMES:
            raise ValueError(UNKNOWN_WEIGHTS.format(names=list(WEIGHT_NAMES), got=weights))
        check_ordered(categories, ordered, f"{name}={weights!r}", f"{name}=None")
        return weight_matrix(weights, _category_scores(categories)), False  # type: ignore
    try:
        W = np.array(weights, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(UNKNOWN_WEIGHTS.format(names=list(WEIGHT_NAMES),
                                                got=weights)) from e
    if W.shape != (q, q):
        raise ValueError(WEIGHTS_SHAPE.format(k=q, cats=list(categories), shape=W.shape))
    if not np.all(np.isfinite(W)) or (W < 0).any() or (W > 1).any() or \
            not np.all(np.diag(W) == 1.0):
        raise ValueError(WEIGHTS_RANGE)
    if not np.allclose(W, W.T, rtol=0.0, atol=1e-12):
        raise ValueError(WEIGHTS_ASYMMETRIC)
    return np.ascontiguousarray(W), bool(np.array_equal(W, np.eye(q)))


# ------------------------------------------------------------------ per-item pieces
@dataclass(frozen=True)
class _Core:
    """Per-item pieces shared by the Fleiss family (items with no rating included)."""

    r: NDArray[np.float64]        # ratings per item
    pa_i: NDArray[np.float64]     # weighted agreement of item i (0 when r_i < 2)
    two: NDArray[np.bool_]        # r_i >= 2
    one: NDArray[np.bool_]        # r_i >= 1
    shares: NDArray[np.float64]   # sum over items (r_i >= 1) of c_ik / r_i, shape (k,)
    W: NDArray[np.float64]
    identity: bool

    @property
    def n1(self) -> int:
        return int(np.count_nonzero(self.one))

    @property
    def n2(self) -> int:
        return int(np.count_nonzero(self.two))

    @property
    def pa(self) -> float:
        return float(self.pa_i.sum() / self.n2) if self.n2 else math.nan

    @property
    def pi(self) -> NDArray[np.float64]:
        return self.shares / self.n1


def _core(ann: Annotations, W: NDArray[np.float64], identity: bool) -> _Core:
    k = ann.n_categories
    if not _twins.compiled(ann):
        r, sumq, shares = _twins.item_pairs(ann.item_ptr, ann.item_codes, ann.label_codes, W,
                                            identity, k)
    elif ann.n_items < _k.SERIAL_BELOW:
        r, sumq, shares = _k._item_pairs_serial(ann.item_ptr, ann.label_codes, W, identity,
                                                k <= _k.DENSE_K, 1, k)
    else:
        n_chunks = 4 * numba.get_num_threads()
        r, sumq, shares = _k._item_pairs(ann.item_ptr, ann.label_codes, W, identity,
                                         k <= _k.DENSE_K,
                                         n_chunks, k)
    two = r >= 2
    pa_i = np.divide(sumq, r * (r - 1.0), out=np.zeros_like(r), where=two)
    return _Core(r, pa_i, two, r >= 1, shares.sum(axis=0), W, identity)


def _prepare(data: Any, weights: Any, on_undefined: Any
             ) -> tuple[Annotations, NDArray[np.float64], bool]:
    check_on_undefined(on_undefined)
    ann = check_annotations(data)
    W, identity = _check_weights(weights, ann.categories, ann.ordered)
    return ann, W, identity


def _finish(pa: float, pe: float, n2: int, coef: str, categories: pd.Index,
            on_undefined: str) -> float:
    """``(pa - pe) / (1 - pe)``, or the reason it is undefined."""
    reason = None
    if n2 == 0:
        reason = NO_PAIRS.format(coef=coef)
    elif not math.isfinite(pe) or abs(1.0 - pe) < 1e-13:
        reason = (SINGLE_CATEGORY.format(coef=coef, cat=py_scalar(categories[0]))
                  if len(categories) == 1 else PE_ONE.format(coef=coef))
    if reason is not None:
        if on_undefined == "nan":
            return math.nan
        raise ValueError(reason)
    return float((pa - pe) / (1.0 - pe))


def _ratio(num: NDArray, den: NDArray) -> NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(num, dtype=np.float64) / den
    return np.where(np.isfinite(out), out, np.nan)


def _kappa_from(pa: NDArray, pe: NDArray) -> NDArray[np.float64]:
    """Vectorised ``(pa - pe) / (1 - pe)`` with NaN where undefined."""
    pe = np.where(np.abs(1.0 - pe) < 1e-13, np.nan, pe)
    return _ratio(pa - pe, 1.0 - pe)


# ------------------------------------------------------------------ chance models
def _pe_fleiss(pi: NDArray, W: NDArray) -> NDArray:
    """Fleiss / Scott: ``sum_kl w_kl pi_k pi_l`` (pi of shape (..., k))."""
    return np.einsum("...k,kl,...l->...", pi, W, pi)


def _pe_gwet(pi: NDArray, W: NDArray) -> NDArray:
    """Gwet's AC1/AC2: ``T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k)``, T_w = sum of W."""
    q = W.shape[0]
    if q < 2:
        return np.full(pi.shape[:-1], np.nan)
    return W.sum() / (q * (q - 1.0)) * np.sum(pi * (1.0 - pi), axis=-1)


def _pe_bp(W: NDArray) -> float:
    """Brennan-Prediger: ``T_w / q^2`` (uniform chance)."""
    q = W.shape[0]
    return float(W.sum() / q**2) if q else math.nan


# ---------------------------------------------------------------- public functions
_DOC_MISSING = """
    Missing data follow Gwet (2014): ``pa`` is averaged over the items with two or more
    ratings, and the category shares ``pi_k`` behind the chance agreement over all items
    with at least one rating (an item rated once tells nothing about agreement but does
    tell how often a category is used). Items with no rating are ignored. With
    ``duplicates="keep"`` every rating counts, as if given by a separate annotator (an
    annotator's two ratings of an item form an agreeing or disagreeing pair).
"""


def _shared_doc(func: Any) -> Any:
    """Put the shared paragraph on missing data into ``func``'s docstring."""
    func.__doc__ = (func.__doc__ or "").replace("{missing_data}", _DOC_MISSING.strip())
    return func


@_shared_doc
def percent_agreement(data: Any, weights: Any = None, *,
                      on_undefined: OnUndefined = "raise") -> float:
    """Share of agreeing pairs of ratings, averaged over items (no chance correction).

    Parameters
    ----------
    data : Annotations or table accepted by :meth:`Annotations.from_wide`
        Items x annotators labels, missing entries allowed; counts-only data
        (:meth:`Annotations.from_counts`) work too.
    weights : None, str or ndarray of shape (k, k), default=None
        Agreement weights (see :func:`gwet_ac1`); None counts exact agreement only.
    on_undefined : {"raise", "nan"}, default="raise"
        What to do when no item has two ratings.

    Returns
    -------
    float
        ``pa`` in ``[0, 1]``: for item i with ``r_i >= 2`` ratings, the share of its
        ``r_i (r_i - 1)`` ordered pairs of ratings that agree, averaged over those items.

    See Also
    --------
    fleiss_kappa, gwet_ac1, brennan_prediger : the chance-corrected versions.

    Notes
    -----
    Gwet (2014), section 2.5 (and irrCAC ``pa.coeff.raw``).

    {missing_data}

    Examples
    --------
    >>> round(percent_agreement([[1, 1, 1], [1, 2, 2], [2, 2, None]]), 4)
    0.7778
    """
    ann, W, identity = _prepare(data, weights, on_undefined)
    core = _core(ann, W, identity)
    if core.n2 == 0:
        if on_undefined == "nan":
            return math.nan
        raise ValueError(NO_PAIRS.format(coef="percent_agreement"))
    return core.pa


@_shared_doc
def fleiss_kappa(data: Any, weights: Any = None, *,
                 on_undefined: OnUndefined = "raise") -> float:
    """Fleiss' kappa for any number of annotators, with missing data.

    Parameters
    ----------
    data : Annotations or table accepted by :meth:`Annotations.from_wide`
        Items x annotators labels, missing entries allowed; counts-only data
        (:meth:`Annotations.from_counts`) work too, since only the category counts of
        each item matter.
    weights : None, str or ndarray of shape (k, k), default=None
        Agreement weights for a weighted kappa (names as in :func:`gwet_ac1`).
    on_undefined : {"raise", "nan"}, default="raise"
        What to do when kappa is undefined: no item with two ratings, or a single
        category in the whole data (then observed and chance agreement are both 1).

    Returns
    -------
    float
        ``(pa - pe) / (1 - pe)``, at most 1; 0 means agreement at chance level.

    Raises
    ------
    ValueError
        When kappa is undefined (and ``on_undefined="raise"``), or for bad ``weights``.

    See Also
    --------
    scott_pi : the same coefficient (Fleiss' kappa generalises Scott's pi).
    gwet_ac1, brennan_prediger, conger_kappa : other chance models.

    Notes
    -----
    Fleiss (1971), Psychological Bulletin 76(5), 378-382, with the missing-data and
    weighted form of Gwet (2014), chapter 2 (irrCAC ``fleiss.kappa.raw``): chance
    agreement ``pe = sum_kl w_kl pi_k pi_l``, where ``pi_k`` is the mean share of
    category k among an item's ratings. With complete data this is Fleiss' original
    coefficient (statsmodels ``fleiss_kappa``, R ``irr::kappam.fleiss``).

    {missing_data}

    Two standard errors exist and are easy to confuse:
    ``agreement(..., ci="analytic")`` reports Gwet's linearised standard error (valid
    for any kappa, used for intervals) as ``se``, and Fleiss' (1971) standard error
    *under H0: kappa = 0* (Fleiss, Nee & Landis 1979 form, constant number of ratings
    only), used only for the z test of no agreement, as ``se_h0``.

    Examples
    --------
    >>> table = [[1, 1, 1], [2, 2, 2], [1, 2, 1], [3, 3, 3], [2, 2, None], [1, 1, 2]]
    >>> round(fleiss_kappa(table), 4)
    0.6436
    """
    ann, W, identity = _prepare(data, weights, on_undefined)
    core = _core(ann, W, identity)
    pe = float(_pe_fleiss(core.pi, W)) if core.n1 else math.nan
    return _finish(core.pa, pe, core.n2, "fleiss_kappa", ann.categories, on_undefined)


def scott_pi(data: Any, weights: Any = None, *,
             on_undefined: OnUndefined = "raise") -> float:
    """Scott's pi; for more than two annotators its generalisation, Fleiss' kappa.

    Parameters
    ----------
    data : Annotations or table accepted by :meth:`Annotations.from_wide`
    weights : None, str or ndarray of shape (k, k), default=None
    on_undefined : {"raise", "nan"}, default="raise"

    Returns
    -------
    float
        The same value as :func:`fleiss_kappa`.

    See Also
    --------
    fleiss_kappa, cohen_kappa

    Notes
    -----
    Scott (1955), Public Opinion Quarterly 19(3), 321-325, estimates chance agreement
    from the pooled distribution of both raters' labels. Fleiss (1971) introduced his
    kappa as the generalisation of Scott's pi to any number of raters, and Gwet (2014,
    chapter 2) treats the two as one coefficient; so does this function. For two
    annotators with complete data it is exactly Scott's pi (nltk ``AnnotationTask.pi``,
    irrCAC ``scott2.table``). With missing data Gwet's rule applies: the pooled
    distribution also uses items that only one annotator rated, while a contingency-table
    computation (``scott2.table``, nltk) drops them, so the two differ then.

    Examples
    --------
    >>> round(scott_pi([[1, 1], [1, 2], [2, 2], [2, 2]]), 4)
    0.4667
    """
    ann, W, identity = _prepare(data, weights, on_undefined)
    core = _core(ann, W, identity)
    pe = float(_pe_fleiss(core.pi, W)) if core.n1 else math.nan
    return _finish(core.pa, pe, core.n2, "scott_pi", ann.categories, on_undefined)


@_shared_doc
def gwet_ac1(data: Any, weights: Any = None, *,
             on_undefined: OnUndefined = "raise") -> float:
    """Gwet's AC1 (unweighted) or AC2 (weighted) agreement coefficient.

    Parameters
    ----------
    data : Annotations or table accepted by :meth:`Annotations.from_wide`
        Missing entries allowed; counts-only data work too.
    weights : None, str or ndarray of shape (k, k), default=None
        None (or "identity"): AC1. A name from Gwet (2014, section 3.3): "linear",
        "quadratic", "ordinal", "radical", "ratio", "circular", "bipolar" (see
        :func:`weight_matrix`; they use the category values when labels are numbers and
        the ranks in the given order otherwise: words need ``categories=`` or an
        ordered ``pandas.Categorical``, see :class:`Annotations`, and raise a
        ``ValueError`` without), or a symmetric ``(k, k)`` matrix of agreement weights in
        ``[0, 1]`` with ones on the diagonal, rows and columns in the order of
        ``Annotations.categories``: AC2.
    on_undefined : {"raise", "nan"}, default="raise"
        What to do when the coefficient is undefined (no item with two ratings, or a
        single category).

    Returns
    -------
    float

    See Also
    --------
    fleiss_kappa, brennan_prediger

    Notes
    -----
    Gwet (2008), British Journal of Mathematical and Statistical Psychology 61, 29-48;
    Gwet (2014), chapters 4-5 (irrCAC ``gwet.ac1.raw``). Chance agreement is
    ``pe = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k)``, with ``T_w`` the sum of the
    weights and ``q`` the number of categories of the data (``Annotations.categories``;
    for :meth:`Annotations.from_counts` data that includes unused columns).
    AC1 is less prone than kappa to the "high agreement, low kappa" paradox when one
    category dominates.

    {missing_data}

    Examples
    --------
    >>> table = [[1, 1, 1], [2, 2, 2], [1, 2, 1], [3, 3, 3], [2, 2, None], [1, 1, 2]]
    >>> round(gwet_ac1(table), 4)
    0.6771
    """
    ann, W, identity = _prepare(data, weights, on_undefined)
    core = _core(ann, W, identity)
    pe = float(_pe_gwet(core.pi, W)) if core.n1 else math.nan
    return _finish(core.pa, pe, core.n2, "gwet_ac1", ann.categories, on_undefined)


@_shared_doc
def brennan_prediger(data: Any, weights: Any = None, *,
                     on_undefined: OnUndefined = "raise") -> float:
    """Brennan-Prediger coefficient (uniform chance agreement); also Bennett's S.

    Parameters
    ----------
    data : Annotations or table accepted by :meth:`Annotations.from_wide`
        Missing entries allowed; counts-only data work too.
    weights : None, str or ndarray of shape (k, k), default=None
        Agreement weights (see :func:`gwet_ac1`).
    on_undefined : {"raise", "nan"}, default="raise"

    Returns
    -------
    float

    See Also
    --------
    gwet_ac1, fleiss_kappa

    Notes
    -----
    Brennan & Prediger (1981), Educational and Psychological Measurement 41, 687-699;
    Gwet (2014), section 2.4 (irrCAC ``bp.coeff.raw``): ``pe = T_w / q^2`` with ``q`` the
    number of categories of the data (for unweighted data ``1 / q``). It equals Bennett,
    Alpert & Goldstein's S, Randolph's free-marginal kappa (statsmodels
    ``fleiss_kappa(method="randolph")``) and nltk's ``AnnotationTask.S``.

    {missing_data}

    Examples
    --------
    >>> round(brennan_prediger([[1, 1, 1], [1, 2, 2], [2, 2, None]]), 4)
    0.5556
    """
    ann, W, identity = _prepare(data, weights, on_undefined)
    core = _core(ann, W, identity)
    pe = _pe_bp(W)
    return _finish(core.pa, pe, core.n2, "brennan_prediger", ann.categories, on_undefined)


# ------------------------------------------------------------------------- Conger


def _conger_pe(classif: NDArray, W: NDArray) -> NDArray:
    """Conger's chance agreement from per-annotator category counts ``(..., g, k)``.

    ``pe = sum_kl w_kl (pbar_k pbar_l - s_kl / r)``, with ``p_gk`` annotator g's share of
    category k, ``pbar`` their mean and ``s_kl`` their covariance over the ``r``
    annotators who gave a rating (Gwet 2014, section 2.3).
    """
    ng = classif.sum(axis=-1)
    mask = ng > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(mask[..., None], classif / np.where(mask, ng, 1.0)[..., None], 0.0)
        r = mask.sum(axis=-1).astype(np.float64)
        pbar = p.sum(axis=-2) / r[..., None]
        outer = pbar[..., :, None] * pbar[..., None, :]
        s2 = (np.einsum("...gk,...gl->...kl", p, p) - r[..., None, None] * outer) / \
            (r[..., None, None] - 1.0)
        pe = np.einsum("kl,...kl->...", W, outer - s2 / r[..., None, None])
    return np.where(r >= 2, pe, np.nan)


def _conger_check(ann: Annotations) -> None:
    if not ann.has_annotators:
        raise ValueError(NEEDS_ANNOTATORS.format(coef="conger_kappa"))


def _classification(ann: Annotations) -> NDArray[np.float64]:
    k = ann.n_categories
    flat = np.bincount(ann.annotator_codes * k + ann.label_codes,
                       minlength=ann.n_annotators * k)
    return flat.reshape(ann.n_annotators, k).astype(np.float64)


@_shared_doc
def conger_kappa(data: Any, weights: Any = None, *,
                 on_undefined: OnUndefined = "raise") -> float:
    """Conger's kappa: Cohen's kappa generalised to any number of annotators.

    Parameters
    ----------
    data : Annotations or table accepted by :meth:`Annotations.from_wide`
        Items x annotators labels, missing entries allowed. Needs annotator identities:
        counts-only data (:meth:`Annotations.from_counts`) raise a ``ValueError``.
    weights : None, str or ndarray of shape (k, k), default=None
        Agreement weights (see :func:`gwet_ac1`).
    on_undefined : {"raise", "nan"}, default="raise"

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For counts-only data, fewer than two annotators with ratings, or when the
        coefficient is undefined (and ``on_undefined="raise"``).

    See Also
    --------
    cohen_kappa : the two-annotator case.
    fleiss_kappa : pools all annotators into one distribution instead.

    Notes
    -----
    Conger (1980), Psychological Bulletin 88(2), 322-328; missing-data form of Gwet
    (2014), section 2.3 (irrCAC ``conger.kappa.raw``): ``pa`` as in Fleiss' kappa; each
    annotator g has a category distribution ``p_g`` (shares of the items g rated), and
    chance agreement is the mean over pairs of annotators of ``sum_kl w_kl p_gk p_hl``,
    i.e. ``sum_kl w_kl (pbar_k pbar_l - s_kl / r)`` with ``s_kl`` the covariance of the
    shares across the ``r`` annotators. Annotators without any rating are left out. With
    two annotators and complete data it equals Cohen's kappa; with complete data it
    equals Davies & Fleiss' (1982) kappa (nltk ``AnnotationTask.multi_kappa``).

    {missing_data}

    Examples
    --------
    >>> table = [[1, 1, 1], [2, 2, 2], [1, 2, 1], [3, 3, 3], [2, 2, None], [1, 1, 2]]
    >>> round(conger_kappa(table), 4)
    0.6501
    """
    ann, W, identity = _prepare(data, weights, on_undefined)
    _conger_check(ann)
    core = _core(ann, W, identity)
    classif = _classification(ann)
    if np.count_nonzero(classif.sum(axis=1)) < 2:
        raise ValueError("conger_kappa needs at least two annotators with ratings, got "
                         f"{np.count_nonzero(classif.sum(axis=1))}")
    pe = float(_conger_pe(classif, W))
    return _finish(core.pa, pe, core.n2, "conger_kappa", ann.categories, on_undefined)


# -------------------------------------------------------------------------- Cohen
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


def cohen_kappa(a: Any, b: Any = None, weights: Any = None, *,
                on_undefined: OnUndefined = "raise", categories: ArrayLike | None = None
                ) -> float:
    """Cohen's kappa between two annotators, unweighted or weighted.

    Parameters
    ----------
    a, b : array-like of shape (n_items,)
        The labels the two annotators gave to the same items (any hashable labels; NaN or
        None marks a missing label, and an item missing in either vector is dropped).
        With ``b=None``, ``a`` is data with exactly two annotators (an
        :class:`Annotations` or a table accepted by :meth:`Annotations.from_wide`).
    weights : None, "linear", "quadratic", other name or ndarray of shape (k, k)
        None: Cohen (1960). "linear" (Cicchetti & Allison 1971, SAS's default weighted
        kappa) or "quadratic" (Fleiss & Cohen 1973): weighted kappa (Cohen 1968), with
        weights computed from the category values when the labels are numbers and from
        their ranks otherwise; for equally spaced categories (e.g. 0 .. k-1) these are
        scikit-learn's ``cohen_kappa_score(weights=...)`` and statsmodels'
        ``cohens_kappa(wt=...)``. The other names of :func:`gwet_ac1` and a symmetric
        ``(k, k)`` matrix over the categories (in their order) are accepted too. A
        weight name on three or more words needs their order: ``categories=``, ordered
        ``pandas.Categorical`` vectors, or an ``Annotations`` built with an order.
    on_undefined : {"raise", "nan"}, default="raise"
        What to do when both annotators use one and the same category only.
    categories : array-like, default=None
        Every label in their order (the ranks the weights use for words); labels of
        ``a`` or ``b`` that are not listed raise a ``ValueError``. Default: the
        categories of ordered Categoricals, of the ``Annotations``, or the labels the
        two annotators used on their common items, sorted.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Vectors of different lengths (or pandas Series with different index labels: two
        Series meet on their index), fewer than 2 items rated by both, counts-only data,
        bad ``weights``, a weight name on unordered words, or an undefined kappa.

    See Also
    --------
    conger_kappa : more than two annotators.

    Notes
    -----
    ``pa = sum_kl w_kl p_kl`` and ``pe = sum_kl w_kl p_k. p_.l`` over the contingency
    table ``p`` of the items both annotators rated (Cohen 1960, 1968). The analytic
    standard error that :func:`agreement` reports is the large-sample one of Fleiss,
    Cohen & Everitt (1969) (SAS PROC FREQ's "ASE"; the same number as Gwet's irrCAC
    ``kappa2.table``), and ``se_h0`` the one under H0: kappa = 0, used for its z test.

    Examples
    --------
    >>> a = ["yes", "yes", "no", "no", "yes", "no"]
    >>> b = ["yes", "no", "no", "no", "yes", "yes"]
    >>> round(cohen_kappa(a, b), 4)
    0.3333
    """
    check_on_undefined(on_undefined)
    table, W, cats = _cohen_parts(a, b, weights, categories)
    p = table / table.sum()
    pa = float(np.sum(W * p))
    pe = float(p.sum(axis=1) @ W @ p.sum(axis=0))
    return _finish(pa, pe, 1, "cohen_kappa", cats, on_undefined)


# ------------------------------------------------------ statistics for agreement()
def _family_statistic(ann: Annotations, W: NDArray, identity: bool, shares: bool
                      ) -> NDArray[np.float64]:
    """Columns: ``pa_i`` (0 unless r_i >= 2), ``1[r_i >= 2]`` and, with ``shares``,
    ``1[r_i >= 1]`` and ``c_ik / r_i``."""
    core = _core(ann, W, identity)
    cols = [core.pa_i, core.two.astype(np.float64)]
    if not shares:
        return np.column_stack(cols)
    C = ann.counts().astype(np.float64)
    C[core.one] /= core.r[core.one, None]
    return np.column_stack([*cols, core.one.astype(np.float64), C])


def _pi_of(T: NDArray) -> NDArray:
    return _ratio(T[:, 3:], T[:, 2:3])


def _percent_agreement_statistic(ann: Any, weights: Any = None,
                                 on_undefined: OnUndefined = "raise") -> ItemStatistic:
    ann, W, identity = _prepare(ann, weights, on_undefined)
    return ItemStatistic(_family_statistic(ann, W, identity, False),
                         lambda T: _ratio(T[:, 0], T[:, 1]))


def _fleiss_kappa_statistic(ann: Any, weights: Any = None,
                            on_undefined: OnUndefined = "raise") -> ItemStatistic:
    ann, W, identity = _prepare(ann, weights, on_undefined)

    def finalize(T: NDArray) -> NDArray:
        return _kappa_from(_ratio(T[:, 0], T[:, 1]), _pe_fleiss(_pi_of(T), W))

    return ItemStatistic(_family_statistic(ann, W, identity, True), finalize)


_scott_pi_statistic = _fleiss_kappa_statistic


def _gwet_ac1_statistic(ann: Any, weights: Any = None,
                        on_undefined: OnUndefined = "raise") -> ItemStatistic:
    ann, W, identity = _prepare(ann, weights, on_undefined)

    def finalize(T: NDArray) -> NDArray:
        return _kappa_from(_ratio(T[:, 0], T[:, 1]), _pe_gwet(_pi_of(T), W))

    return ItemStatistic(_family_statistic(ann, W, identity, True), finalize)


def _brennan_prediger_statistic(ann: Any, weights: Any = None,
                                on_undefined: OnUndefined = "raise") -> ItemStatistic:
    ann, W, identity = _prepare(ann, weights, on_undefined)
    pe = _pe_bp(W)

    def finalize(T: NDArray) -> NDArray:
        pa = _ratio(T[:, 0], T[:, 1])
        return _kappa_from(pa, np.full_like(pa, pe))

    return ItemStatistic(_family_statistic(ann, W, identity, False), finalize)


def _conger_kappa_statistic(ann: Any, weights: Any = None,
                            on_undefined: OnUndefined = "raise") -> ItemStatistic | None:
    """Columns ``pa_i``, ``1[r_i >= 2]`` and one per annotator x category (how often the
    annotator gave the category to the item); None when that is wider than 256."""
    ann, W, identity = _prepare(ann, weights, on_undefined)
    _conger_check(ann)
    g, k = ann.n_annotators, ann.n_categories
    if 2 + g * k > _MAX_STAT_COLUMNS:
        return None
    S = np.zeros((ann.n_items, 2 + g * k))
    S[:, :2] = _family_statistic(ann, W, identity, False)
    np.add.at(S, (ann.item_codes, 2 + ann.annotator_codes * k + ann.label_codes), 1.0)

    def finalize(T: NDArray) -> NDArray:
        pe = _conger_pe(T[:, 2:].reshape(-1, g, k), W)
        return _kappa_from(_ratio(T[:, 0], T[:, 1]), pe)

    return ItemStatistic(S, finalize)


def _cohen_kappa_statistic(a: Any, b: Any = None, weights: Any = None,
                           on_undefined: OnUndefined = "raise",
                           categories: ArrayLike | None = None) -> ItemStatistic | None:
    """Columns: the item's agreement weight ``w[a_i, b_i]``, ``1[both rated]``, and the
    one-hot labels of a and of b (2 + 2k; None when wider than 256)."""
    check_on_undefined(on_undefined)
    ca, cb, cats, both, ordered = _cohen_codes(a, b, categories)
    W, _ = _check_weights(weights, cats, ordered)
    k = len(cats)
    if 2 + 2 * k > _MAX_STAT_COLUMNS:
        return None
    S = np.zeros((both.shape[0], 2 + 2 * k))
    rows = np.flatnonzero(both)
    S[rows, 0] = W[ca, cb]
    S[rows, 1] = 1.0
    S[rows, 2 + ca] = 1.0
    S[rows, 2 + k + cb] = 1.0

    def finalize(T: NDArray) -> NDArray:
        pa_marg = _ratio(T[:, 2:2 + k], T[:, 1:2])
        pb_marg = _ratio(T[:, 2 + k:], T[:, 1:2])
        pe = np.einsum("bk,kl,bl->b", pa_marg, W, pb_marg)
        return _kappa_from(_ratio(T[:, 0], T[:, 1]), pe)

    return ItemStatistic(S, finalize)


# -------------------------------------------------------- analytic standard errors
# Each ``_<name>_analytic`` returns a dict with ``se`` and, for information, ``pa``, ``pe``
# and ``n``: the number of items with at least one rating, Gwet's n (irrCAC's t intervals
# and p-values use n - 1 degrees of freedom and cap the upper bound at 1). For Cohen's
# kappa ``n`` is the number of items both annotators rated.
def _linearised_se(x: NDArray, value: float, n1: int) -> float:
    """Gwet's variance ``sum_i (x_i - value)^2 / (n (n - 1))`` over the n items with a
    rating; the finite-population factor ``1 - n/N`` is 1 (N infinite)."""
    if n1 < 2:
        return math.nan
    return float(math.sqrt(np.sum((x - value) ** 2) / (n1 * (n1 - 1.0))))


def _family_analytic(ann: Annotations, W: NDArray, identity: bool,
                     model: Literal["none", "fleiss", "gwet", "bp"]) -> dict[str, float]:
    core = _core(ann, W, identity)
    n1, n2 = core.n1, core.n2
    pa = core.pa
    one = core.one
    if n2 == 0:
        return {"se": math.nan, "pa": pa, "pe": math.nan, "n": n1}
    r = core.r[one]
    pa_i = core.pa_i[one]
    two = core.two[one].astype(np.float64)
    if model == "none":
        x = (n1 / n2) * pa_i
        return {"se": _linearised_se(x, pa, n1), "pa": pa, "pe": 0.0, "n": n1}
    pi = core.pi
    if model == "fleiss":
        pe = float(_pe_fleiss(pi, W))
        v = (W @ pi + W.T @ pi) / 2.0
    elif model == "gwet":
        pe = float(_pe_gwet(pi, W))
        q = W.shape[0]
        v = (W.sum() / (q * (q - 1.0))) * (1.0 - pi) if q >= 2 else np.full(q, np.nan)
    else:
        pe = _pe_bp(W)
        v = None
    if not math.isfinite(pe) or abs(1.0 - pe) < 1e-13:
        return {"se": math.nan, "pa": pa, "pe": pe, "n": n1}
    value = (pa - pe) / (1.0 - pe)
    x = (n1 / n2) * (pa_i - pe * two) / (1.0 - pe)
    if v is not None:
        pe_i = _unit_sum(ann, v[ann.label_codes])
        pe_i = pe_i[one] / r
        x = x - 2.0 * (1.0 - value) * (pe_i - pe) / (1.0 - pe)
    return {"se": _linearised_se(x, value, n1), "pa": pa, "pe": pe, "n": n1}


def _percent_agreement_analytic(ann: Any, weights: Any = None,
                                on_undefined: OnUndefined = "raise") -> dict[str, float]:
    """``se``: Gwet's (2014) standard error of the percent agreement (irrCAC
    ``pa.coeff.raw``)."""
    ann, W, identity = _prepare(ann, weights, on_undefined)
    return _family_analytic(ann, W, identity, "none")


def _fleiss_kappa_analytic(ann: Any, weights: Any = None,
                           on_undefined: OnUndefined = "raise") -> dict[str, float]:
    """Two different standard errors of Fleiss' kappa.

    ``se``: Gwet's (2014) linearised standard error (irrCAC ``fleiss.kappa.raw``), for
    confidence intervals; any kappa, missing data and weights allowed.
    ``se_h0``: Fleiss' standard error under H0: kappa = 0 (Fleiss 1971 as corrected by
    Fleiss, Nee & Landis 1979; R ``irr::kappam.fleiss``), for the z test of no agreement
    only: ``z`` (= ``z_h0``) ``= kappa / se_h0`` and its two-sided normal ``p_value``
    (= ``p_value_h0``). Defined for unweighted kappa with the same number of ratings on
    every rated item; NaN otherwise.
    """
    from scipy.special import ndtr  # the normal tail of scipy.stats.norm.sf

    ann, W, identity = _prepare(ann, weights, on_undefined)
    out = _family_analytic(ann, W, identity, "fleiss")
    core = _core(ann, W, identity)
    se0 = math.nan
    r = core.r[core.one]
    if identity and r.size and np.all(r == r[0]) and r[0] >= 2:
        m, n = float(r[0]), float(r.size)
        p = core.pi
        pq = float(np.sum(p * (1.0 - p)))
        if pq > 0:
            var0 = 2.0 / (n * m * (m - 1.0)) * (pq**2 - float(np.sum(p * (1.0 - p) *
                                                                      (1.0 - 2.0 * p)))
                                                ) / pq**2
            se0 = math.sqrt(var0) if var0 > 0 else math.nan
    pe = out["pe"]
    value = (out["pa"] - pe) / (1.0 - pe) if math.isfinite(pe) and pe != 1.0 else math.nan
    z = value / se0 if math.isfinite(se0) else math.nan
    p_value = float(2.0 * ndtr(-abs(z))) if math.isfinite(z) else math.nan
    out.update(se_h0=se0, z=z, p_value=p_value, z_h0=z, p_value_h0=p_value)
    return out


def _scott_pi_analytic(ann: Any, weights: Any = None,
                       on_undefined: OnUndefined = "raise") -> dict[str, float]:
    """``se``: Gwet's linearised standard error (the same as Fleiss' kappa)."""
    ann, W, identity = _prepare(ann, weights, on_undefined)
    return _family_analytic(ann, W, identity, "fleiss")


def _gwet_ac1_analytic(ann: Any, weights: Any = None,
                       on_undefined: OnUndefined = "raise") -> dict[str, float]:
    """``se``: Gwet's (2014) linearised standard error (irrCAC ``gwet.ac1.raw``)."""
    ann, W, identity = _prepare(ann, weights, on_undefined)
    return _family_analytic(ann, W, identity, "gwet")


def _brennan_prediger_analytic(ann: Any, weights: Any = None,
                               on_undefined: OnUndefined = "raise") -> dict[str, float]:
    """``se``: Gwet's (2014) standard error (irrCAC ``bp.coeff.raw``)."""
    ann, W, identity = _prepare(ann, weights, on_undefined)
    return _family_analytic(ann, W, identity, "bp")


def _conger_kappa_analytic(ann: Any, weights: Any = None,
                           on_undefined: OnUndefined = "raise") -> dict[str, float]:
    """``se``: Gwet's (2014) linearised standard error (irrCAC ``conger.kappa.raw``)."""
    ann, W, identity = _prepare(ann, weights, on_undefined)
    _conger_check(ann)
    core = _core(ann, W, identity)
    n1, n2, pa = core.n1, core.n2, core.pa
    classif = _classification(ann)
    pe = float(_conger_pe(classif, W))
    if n2 == 0 or not math.isfinite(pe) or abs(1.0 - pe) < 1e-13:
        return {"se": math.nan, "pa": pa, "pe": pe, "n": n1}
    value = (pa - pe) / (1.0 - pe)
    ng = classif.sum(axis=1)
    kept = ng > 0
    r = float(np.count_nonzero(kept))
    p = np.zeros_like(classif)
    p[kept] = classif[kept] / ng[kept, None]
    A = np.where(kept[:, None], p.sum(axis=0)[None, :] - p, 0.0)
    B = A @ W                                   # B[g, l] = sum_k A[g, k] w[k, l]
    c = np.sum(B * p, axis=1)                   # c[g] = sum_l B[g, l] p[g, l]
    coef = np.zeros_like(classif)
    coef[kept] = (n1 / ng[kept, None]) * (B[kept] - c[kept, None])
    per_rating = np.ascontiguousarray(coef[ann.annotator_codes, ann.label_codes])
    one = core.one
    pe_i = (c.sum() + _unit_sum(ann, per_rating)[one]) / (r * (r - 1.0))
    two = core.two[one].astype(np.float64)
    x = (n1 / n2) * (core.pa_i[one] - pe * two) / (1.0 - pe)
    x = x - 2.0 * (1.0 - value) * (pe_i - pe) / (1.0 - pe)
    return {"se": _linearised_se(x, value, n1), "pa": pa, "pe": pe, "n": n1}


def _cohen_kappa_analytic(a: Any, b: Any = None, weights: Any = None,
                          on_undefined: OnUndefined = "raise",
                          categories: ArrayLike | None = None) -> dict[str, float]:
    """Standard errors of Cohen's (weighted) kappa, Fleiss, Cohen & Everitt (1969).

    ``se``: the large-sample standard error (SAS PROC FREQ "ASE"), for intervals.
    ``se_h0``: the standard error under H0: kappa = 0, for the z test only; ``z`` (=
    ``z_h0``) and its two-sided normal ``p_value`` (= ``p_value_h0``).
    """
    from scipy.special import ndtr  # the normal tail of scipy.stats.norm.sf

    check_on_undefined(on_undefined)
    table, W, _ = _cohen_parts(a, b, weights, categories)
    n = table.sum()
    p = table / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    pa = float(np.sum(W * p))
    pe = float(row @ W @ col)
    if abs(1.0 - pe) < 1e-13:
        return {"se": math.nan, "se_h0": math.nan, "z": math.nan, "p_value": math.nan,
                "z_h0": math.nan, "p_value_h0": math.nan, "pa": pa, "pe": pe, "n": int(n)}
    kappa = (pa - pe) / (1.0 - pe)
    wi = W @ col                                 # wbar_i. = sum_j p_.j w_ij
    wj = row @ W                                 # wbar_.j = sum_i p_i. w_ij
    s = wi[:, None] + wj[None, :]
    var = (np.sum(p * (W - s * (1.0 - kappa)) ** 2) - (kappa - pe * (1.0 - kappa)) ** 2) / \
        (n * (1.0 - pe) ** 2)
    var0 = (np.sum(row[:, None] * col[None, :] * (W - s) ** 2) - pe**2) / \
        (n * (1.0 - pe) ** 2)
    se = math.sqrt(var) if var >= 0 else math.nan
    se0 = math.sqrt(var0) if var0 > 0 else math.nan
    z = kappa / se0 if math.isfinite(se0) else math.nan
    p_value = float(2.0 * ndtr(-abs(z))) if math.isfinite(z) else math.nan
    return {"se": se, "se_h0": se0, "z": z, "p_value": p_value, "z_h0": z,
            "p_value_h0": p_value, "pa": pa, "pe": pe, "n": int(n)}


