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

Every coefficient also accepts a :class:`DaskAnnotations` (annotations kept on a dask
cluster): each partition sends the sums the coefficient needs (``sum_i pa_i``, the numbers
of items rated twice and once, the ``k`` category shares; ``n_annotators x k`` counts for
Conger; the ``k x k`` contingency table for Cohen), and the same finishing code as in memory
turns their total into the coefficient. Memory per worker: one partition plus those sums.

This module holds the public functions. The family is split by job: the agreement weights
in ``_chance_weights.py``; the per-item pieces, the chance models and the undefined rule in
``_chance_core.py``; Cohen's two-vector input in ``_chance_cohen.py``. Every coefficient is
a function of sums over items; the ``_<name>_statistic`` helpers of
``_chance_statistics.py`` expose that form to :func:`multiplicity.annotation.agreement`
(see ``_stats.py``), and the ``_<name>_analytic`` helpers of ``_chance_analytic.py`` give
Gwet's linearised standard errors. The names of those modules stay importable from here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._checks import check_on_undefined
from . import _dask

# The helpers of agreement() and the messages, importable from here as before the split.
from ._chance_analytic import (  # noqa: F401
    _brennan_prediger_analytic,
    _cohen_kappa_analytic,
    _conger_kappa_analytic,
    _family_analytic,
    _fleiss_kappa_analytic,
    _gwet_ac1_analytic,
    _linearised_se,
    _percent_agreement_analytic,
    _scott_pi_analytic,
)
from ._chance_cohen import (  # noqa: F401
    COHEN_CATEGORICALS_DIFFER,
    COHEN_LENGTHS,
    COHEN_NOT_1D,
    COHEN_REPEATED,
    COHEN_TOO_FEW,
    COHEN_TWO_ANNOTATORS,
    _cohen_parts,
)
from ._chance_core import (  # noqa: F401
    NEEDS_ANNOTATORS,
    NO_PAIRS,
    PE_ONE,
    SINGLE_CATEGORY,
    OnUndefined,
    _classification,
    _conger_check,
    _conger_pe,
    _core,
    _finish,
    _pe_bp,
    _pe_fleiss,
    _pe_gwet,
    _prepare,
)
from ._chance_statistics import (  # noqa: F401
    _brennan_prediger_statistic,
    _cohen_kappa_statistic,
    _conger_kappa_statistic,
    _fleiss_kappa_statistic,
    _gwet_ac1_statistic,
    _percent_agreement_statistic,
    _scott_pi_statistic,
)
from ._chance_weights import (  # noqa: F401
    UNKNOWN_WEIGHTS,
    WEIGHT_NAMES,
    WEIGHTS_ASYMMETRIC,
    WEIGHTS_RANGE,
    WEIGHTS_SHAPE,
    WeightName,
    weight_matrix,
)

__all__ = ["brennan_prediger", "cohen_kappa", "conger_kappa", "fleiss_kappa", "gwet_ac1",
           "percent_agreement", "scott_pi", "weight_matrix"]


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
    if isinstance(data, _dask.DaskAnnotations):
        return _dask.percent_agreement(data, weights, on_undefined)
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
    if isinstance(data, _dask.DaskAnnotations):
        return _dask.chance_corrected(data, weights, on_undefined, "fleiss_kappa")
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
    if isinstance(data, _dask.DaskAnnotations):
        return _dask.chance_corrected(data, weights, on_undefined, "scott_pi")
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
    if isinstance(data, _dask.DaskAnnotations):
        return _dask.chance_corrected(data, weights, on_undefined, "gwet_ac1")
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
    if isinstance(data, _dask.DaskAnnotations):
        return _dask.chance_corrected(data, weights, on_undefined, "brennan_prediger")
    ann, W, identity = _prepare(data, weights, on_undefined)
    core = _core(ann, W, identity)
    pe = _pe_bp(W)
    return _finish(core.pa, pe, core.n2, "brennan_prediger", ann.categories, on_undefined)


# ------------------------------------------------------------------------- Conger
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
    if isinstance(data, _dask.DaskAnnotations):
        return _dask.chance_corrected(data, weights, on_undefined, "conger_kappa")
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
    if isinstance(a, _dask.DaskAnnotations) or isinstance(b, _dask.DaskAnnotations):
        if b is not None:
            raise TypeError(_dask.COHEN_B)
        return _dask.cohen_kappa(a, weights, on_undefined, categories)
    check_on_undefined(on_undefined)
    table, W, cats = _cohen_parts(a, b, weights, categories)
    return _cohen_from_table(table, W, cats, on_undefined)


def _cohen_from_table(table: Any, W: Any, cats: Any, on_undefined: str) -> float:
    """Cohen's kappa from the ``(k, k)`` contingency table of the items both rated."""
    p = table / table.sum()
    pa = float(np.sum(W * p))
    pe = float(p.sum(axis=1) @ W @ p.sum(axis=0))
    return _finish(pa, pe, 1, "cohen_kappa", cats, on_undefined)

