"""Intraclass correlation coefficients: the six forms of Shrout & Fleiss (1979).

Every form is a ratio of the mean squares of a two-way ANOVA of the complete
items x annotators table (items = "targets", annotators = "judges"):

* ``MSR`` between items (rows), ``n - 1`` degrees of freedom;
* ``MSC`` between annotators (columns), ``k - 1``;
* ``MSE`` residual, ``(n - 1)(k - 1)``;
* ``MSW`` within items (columns and residual pooled, the one-way error), ``n (k - 1)``.

The sums of squares come from per-item and per-annotator sums of the ratings, centred by
their grand mean first (the ANOVA is invariant to that shift, and centring avoids the
cancellation of the raw-moment formulas). The ``_intraclass_correlation_statistic``
helper writes the coefficient as a function of per-item sums (see ``_stats.py``), and
``_intraclass_correlation_analytic`` gives the F test and the F-distribution confidence
intervals of Shrout & Fleiss (1979) and McGraw & Wong (1996).

With ``missing="model"`` the table may be incomplete: the variance components of the
crossed random-effects model ``y_ij = mu + a_i + b_j + e_ij`` are estimated by REML
(``_icc_mixed.py``) and turned into the mean squares they imply, as R's
``psych::ICC(x, lmer=TRUE)`` does: ``MSR = k s2_a + s2_e``, ``MSC = n s2_b + s2_e``,
``MSE = s2_e``, ``MSW = s2_e + s2_b``; the six forms then follow from the same formulas.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from numbers import Real
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from .._errors import ON_UNDEFINED
from . import _icc_mixed
from ._container import Annotations, check_annotations
from ._stats import ItemStatistic

__all__ = ["ICC_FORMS", "intraclass_correlation"]

Missing = Literal["raise", "drop_items", "model"]
OnUndefined = Literal["raise", "nan"]

#: Canonical Shrout & Fleiss name -> (model, averaged). Model 1: one-way random effects;
#: 2: two-way random effects, absolute agreement; 3: two-way mixed effects, consistency.
ICC_FORMS: dict[str, tuple[int, bool]] = {
    "ICC(1,1)": (1, False), "ICC(2,1)": (2, False), "ICC(3,1)": (3, False),
    "ICC(1,k)": (1, True), "ICC(2,k)": (2, True), "ICC(3,k)": (3, True),
}

# Aliases (compared after lower-casing and removing blanks, "-" and "_").
_ALIASES: dict[str, str] = {
    # R psych::ICC / pingouin type names
    "icc1": "ICC(1,1)", "icc2": "ICC(2,1)", "icc3": "ICC(3,1)",
    "icc1k": "ICC(1,k)", "icc2k": "ICC(2,k)", "icc3k": "ICC(3,k)",
    # McGraw & Wong (1996): A = absolute agreement, C = consistency
    "icc(1)": "ICC(1,1)", "icc(k)": "ICC(1,k)",
    "icc(a,1)": "ICC(2,1)", "icc(c,1)": "ICC(3,1)",
    "icc(a,k)": "ICC(2,k)", "icc(c,k)": "ICC(3,k)",
    # descriptive names (McGraw & Wong, Table 4; SPSS wording)
    "oneway random,single": "ICC(1,1)",
    "oneway random,average": "ICC(1,k)",
    "twoway random,absolute agreement,single": "ICC(2,1)",
    "twoway random,absolute agreement,average": "ICC(2,k)",
    "twoway mixed,absolute agreement,single": "ICC(2,1)",
    "twoway mixed,absolute agreement,average": "ICC(2,k)",
    "twoway mixed,consistency,single": "ICC(3,1)",
    "twoway mixed,consistency,average": "ICC(3,k)",
    "twoway random,consistency,single": "ICC(3,1)",
    "twoway random,consistency,average": "ICC(3,k)",
}

# Error messages (tests import them).
UNKNOWN_FORM = ("form must be one of {forms}, a McGraw & Wong or psych/pingouin alias "
                "(e.g. 'ICC(A,1)', 'ICC2k') or a descriptive name such as "
                "'two-way random, absolute agreement, single'; got {got!r}")
FORM_K_MISMATCH = ("form {form!r} averages {m} ratings per item, but the data have {k} "
                   "annotators; use {canonical!r}")
MISSING_OPTION = "missing must be 'raise', 'drop_items' or 'model', got {got!r}"
CONFIDENCE = "confidence must lie in (0, 1), got {got!r}"
NOT_NUMERIC = ("intraclass_correlation needs numeric labels in data, but its categories are "
               "not numbers ({cats}...)")
NEEDS_ANNOTATORS = ("intraclass_correlation needs annotator identities, but data was built "
                    "with Annotations.from_counts (who gave which rating is unknown)")
DUPLICATES = ("intraclass_correlation needs one rating per annotator and item, but data has "
              "repeated ratings (duplicates='keep'); rebuild it with duplicates='first', "
              "'last' or an average")
INCOMPLETE = ("intraclass_correlation needs a complete items x annotators table: {bad} of "
              "{n} items lack a rating from at least one of the {k} annotators; pass "
              "missing='drop_items' to use only the {good} complete items")
TOO_FEW = ("intraclass_correlation needs at least 2 complete items and 2 annotators, got "
           "{n} complete item(s) and {k} annotator(s)")
TOO_FEW_MODEL = ("intraclass_correlation with missing='model' needs ratings of at least 2 "
                 "items by at least 2 annotators, got {n} rated item(s) and {k} "
                 "annotator(s)")
NO_RESIDUAL_DF = ("intraclass_correlation with missing='model' cannot separate the residual "
                  "from the item and annotator effects: {N} ratings, but the items and "
                  "annotators alone already fit {rank} of them exactly (e.g. every item "
                  "rated by a single annotator); the design needs more overlap")
NO_ANALYTIC_MODEL = ("intraclass_correlation with missing='model' has no F-distribution "
                     "interval (the mean squares are not those of a complete table); use "
                     "ci='bootstrap'")
NO_RESIDUAL = "the ratings are exactly item plus annotator effects, with no residual"
UNDEFINED = ("{form} is undefined on this data: its denominator is 0 ({why}); pass "
             "on_undefined='nan' to get NaN instead")

# Largest number of annotators for which the two-way forms expose per-item statistics
# (the statistic has 4 + n_annotators columns).
_MAX_STAT_COLUMNS = 256
# A denominator below this share of the total mean square is rounding noise: 0.
_REL_TOL = 1e-12


def _check_form(form: Any) -> tuple[str, int | None]:
    """``(canonical name, explicit number of averaged ratings or None)``."""
    if not isinstance(form, str):
        raise ValueError(UNKNOWN_FORM.format(forms=list(ICC_FORMS), got=form))
    key = re.sub(r"[\s_\-]", "", form.lower())
    for name in ICC_FORMS:
        if key == re.sub(r"[\s_\-]", "", name.lower()):
            return name, None
    for alias, name in _ALIASES.items():
        if key == re.sub(r"[\s_\-]", "", alias):
            return name, None
    m = re.fullmatch(r"icc\(([123]),(\d+)\)", key)
    if m is not None and int(m.group(2)) >= 2:
        return f"ICC({m.group(1)},k)", int(m.group(2))
    raise ValueError(UNKNOWN_FORM.format(forms=list(ICC_FORMS), got=form))


def _check_options(missing: Any, on_undefined: Any) -> None:
    if missing not in ("raise", "drop_items", "model"):
        raise ValueError(MISSING_OPTION.format(got=missing))
    if on_undefined not in ("raise", "nan"):
        raise ValueError(ON_UNDEFINED.format(got=on_undefined))


@dataclass(frozen=True)
class _Design:
    """The complete part of the data: centred ratings with 0-based item/annotator codes."""

    form: str
    y: NDArray[np.float64]        # ratings minus their grand mean, sorted by item
    item: NDArray[np.int64]       # in [0, n)
    annotator: NDArray[np.int64]  # in [0, k)
    n: int
    k: int


def _design(data: Any, form: Any, missing: Any, on_undefined: Any) -> _Design:
    """Validate everything and keep the items rated by every annotator (with
    ``missing="model"``: every item with a rating)."""
    ann: Annotations = check_annotations(data)
    name, explicit_k = _check_form(form)
    _check_options(missing, on_undefined)
    if not ann.has_annotators:
        raise ValueError(NEEDS_ANNOTATORS)
    if ann.has_duplicates:
        raise ValueError(DUPLICATES)
    if not ann.is_numeric:
        raise ValueError(NOT_NUMERIC.format(cats=list(ann.categories[:5])))
    values = ann.category_values[ann.label_codes]
    # Annotators who rated nothing are not part of the design.
    rated = np.bincount(ann.annotator_codes, minlength=ann.n_annotators) > 0
    k = int(np.count_nonzero(rated))
    per_item = ann.ratings_per_item()
    kept = per_item > 0 if missing == "model" else per_item == k
    n = int(np.count_nonzero(kept))
    if n < ann.n_items and missing == "raise":
        raise ValueError(INCOMPLETE.format(bad=ann.n_items - n, n=ann.n_items, k=k, good=n))
    if n < 2 or k < 2:
        raise ValueError((TOO_FEW_MODEL if missing == "model" else TOO_FEW).format(n=n, k=k))
    if explicit_k is not None and explicit_k != k:
        raise ValueError(FORM_K_MISMATCH.format(form=form, m=explicit_k, k=k,
                                                canonical=name))
    if n == ann.n_items and k == ann.n_annotators:  # complete table: nothing to renumber
        x, item, annotator = values, ann.item_codes, ann.annotator_codes
    else:
        keep = kept[ann.item_codes]
        x = values[keep]
        item = (np.cumsum(kept) - 1)[ann.item_codes[keep]]
        annotator = (np.cumsum(rated) - 1)[ann.annotator_codes[keep]]
    y = x - x.mean()
    return _Design(name, np.ascontiguousarray(y), np.asarray(item, dtype=np.int64),
                   np.asarray(annotator, dtype=np.int64), n, k)


@dataclass(frozen=True)
class _MeanSquares:
    msr: NDArray[np.float64]
    msc: NDArray[np.float64]
    mse: NDArray[np.float64]
    msw: NDArray[np.float64]
    mst: NDArray[np.float64]
    n: NDArray[np.float64]
    k: int


def _mean_squares(d: _Design) -> _MeanSquares:
    """ANOVA mean squares of the complete table, from residuals (two passes)."""
    n, k = d.n, d.k
    grand = d.y.mean()
    row = np.bincount(d.item, weights=d.y, minlength=n) / k
    col = np.bincount(d.annotator, weights=d.y, minlength=k) / n
    sst = float(np.sum((d.y - grand) ** 2))
    ssr = k * float(np.sum((row - grand) ** 2))
    ssc = n * float(np.sum((col - grand) ** 2))
    ssw = float(np.sum((d.y - row[d.item]) ** 2))
    resid = d.y - row[d.item] - col[d.annotator] + grand
    sse = float(resid @ resid)
    # Sums of squares at rounding level of the total are exact zeros (e.g. no residual).
    ssr, ssc, ssw, sse = (0.0 if ss <= _REL_TOL * sst else ss for ss in (ssr, ssc, ssw, sse))
    return _MeanSquares(np.array([ssr / (n - 1)]), np.array([ssc / (k - 1)]),
                        np.array([sse / ((n - 1) * (k - 1))]), np.array([ssw / (n * (k - 1))]),
                        np.array([sst / (n * k - 1)]), np.array([float(n)]), k)


def _model_mean_squares(d: _Design) -> _MeanSquares | None:
    """The mean squares implied by the REML variance components (psych's conversion);
    None when the ratings are exactly item plus annotator effects (no residual)."""
    N = d.y.size
    rank = _icc_mixed.residual_rank(d.item, d.annotator, d.n, d.k)
    if N <= rank:
        raise ValueError(NO_RESIDUAL_DF.format(N=N, rank=rank))
    ss = _icc_mixed.fixed_residual_ss(d.y, d.item, d.annotator, d.n, d.k)
    if ss == 0.0:
        return None
    s2a, s2b, s2e = _icc_mixed.crossed_reml(d.y, d.item, d.annotator, d.n, d.k,
                                            ss / (N - rank))
    return _MeanSquares(np.array([d.k * s2a + s2e]), np.array([d.n * s2b + s2e]),
                        np.array([s2e]), np.array([s2e + s2b]),
                        np.array([s2a + s2b + s2e]), np.array([float(d.n)]), d.k)


def _icc_from(form: str, ms: _MeanSquares) -> NDArray[np.float64]:
    """The coefficient from mean squares (vectorised); NaN where the denominator is 0."""
    model, averaged = ICC_FORMS[form]
    msr, msc, mse, msw, n, k = ms.msr, ms.msc, ms.mse, ms.msw, ms.n, ms.k
    if model == 1:
        num = msr - msw
        den = msr if averaged else msr + (k - 1) * msw
    elif model == 2:
        num = msr - mse
        den = msr + (msc - mse) / n if averaged else msr + (k - 1) * mse + k * (msc - mse) / n
    else:
        num = msr - mse
        den = msr if averaged else msr + (k - 1) * mse
    ok = (ms.mst > 0) & (np.abs(den) > _REL_TOL * ms.mst)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, num / np.where(ok, den, 1.0), np.nan)


def _undefined_reason(form: str, ms: _MeanSquares) -> str:
    if not ms.mst[0] > 0:
        return "every rating is the same"
    model, averaged = ICC_FORMS[form]
    if model == 3 or (model == 1 and averaged):
        return "the items do not differ beyond the annotators' offsets" if model == 3 \
            else "the item means are all equal"
    return "MSR + (MSC - MSE) / n = 0"


def intraclass_correlation(data: Any, form: str = "ICC(2,1)", *, missing: Missing = "raise",
                           on_undefined: OnUndefined = "raise") -> float:
    """Intraclass correlation coefficient of numeric ratings (Shrout & Fleiss 1979).

    Parameters
    ----------
    data : Annotations or table accepted by :meth:`Annotations.from_wide`
        Items x annotators numeric ratings. The table must be complete (every annotator
        rated every item) unless ``missing="model"``; annotators who rated no item at all
        are ignored.
    form : str, default="ICC(2,1)"
        One of the six Shrout & Fleiss forms, or an alias (case, blanks, "-" and "_" are
        ignored):

        ==========  ==============  ==================  ==================================
        form        psych/pingouin  McGraw & Wong 1996  model, type, unit
        ==========  ==============  ==================  ==================================
        ICC(1,1)    ICC1            ICC(1)              one-way random, single
        ICC(2,1)    ICC2            ICC(A,1)            two-way random, absolute agreement,
                                                        single
        ICC(3,1)    ICC3            ICC(C,1)            two-way mixed, consistency, single
        ICC(1,k)    ICC1k           ICC(k)              one-way random, average
        ICC(2,k)    ICC2k           ICC(A,k)            two-way random, absolute agreement,
                                                        average
        ICC(3,k)    ICC3k           ICC(C,k)            two-way mixed, consistency, average
        ==========  ==============  ==================  ==================================

        The descriptive names in the last column (e.g. ``"two-way mixed, consistency,
        single"``) are accepted, and so are ``"two-way random, consistency, ..."`` and
        ``"two-way mixed, absolute agreement, ..."``, which McGraw & Wong compute with the
        same formulas. ``"ICC(2,4)"`` (Shrout & Fleiss's notation with the number of
        annotators) is accepted when the data have 4 annotators.
    missing : {"raise", "drop_items", "model"}, default="raise"
        What to do with items that lack a rating from some annotator: raise a
        ``ValueError`` that says how many there are, leave them out, or (``"model"``)
        keep every rating and take the variance components of items ``s2_a``,
        annotators ``s2_b`` and residual ``s2_e`` from the REML fit of the crossed
        random-effects model ``y_ij = mu + a_i + b_j + e_ij``, as R's
        ``psych::ICC(x, lmer=TRUE)`` does (see Notes). Items and annotators with a
        single rating count too.
    on_undefined : {"raise", "nan"}, default="raise"
        When the coefficient is 0 / 0 (e.g. every rating is the same): raise a
        ``ValueError`` or return NaN.

    Returns
    -------
    float
        For the one-way and two-way mixed forms (ICC(1,.) and ICC(3,.)) at most 1, and
        down to ``-1 / (k - 1)`` for single ratings (averaged ones are unbounded below).
        The two-way random forms ICC(2,.) have ``(MSC - MSE) / n`` in the denominator:
        when the annotators' means vary less than chance (``MSC < MSE``) they can leave
        ``[-1 / (k - 1), 1]`` on small, degenerate tables. With ``missing="model"``
        ICC(2,.) and ICC(3,.) lie in ``[0, 1]``; ICC(1,.) can be negative.

    Raises
    ------
    ValueError
        Unknown ``form``, ``missing`` or ``on_undefined``; labels that are not numbers;
        data without annotator identities (:meth:`Annotations.from_counts`) or with
        repeated ratings; incomplete items with ``missing="raise"``; fewer than 2
        complete items (with ``missing="model"``: rated items) or 2 annotators; with
        ``missing="model"``, a design in which items and annotators leave no residual
        degrees of freedom (e.g. every item rated once); an undefined coefficient with
        ``on_undefined="raise"`` (with ``missing="model"`` also ratings that are exactly
        item plus annotator effects, where REML has no maximum).

    See Also
    --------
    krippendorff_alpha : Interval alpha, which allows missing ratings.

    Notes
    -----
    With ``n`` items, ``k`` annotators and the mean squares of the module docstring:

    * ICC(1,1) = (MSR - MSW) / (MSR + (k - 1) MSW)
    * ICC(2,1) = (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n)
    * ICC(3,1) = (MSR - MSE) / (MSR + (k - 1) MSE)
    * ICC(1,k) = (MSR - MSW) / MSR
    * ICC(2,k) = (MSR - MSE) / (MSR + (MSC - MSE) / n)
    * ICC(3,k) = (MSR - MSE) / MSR

    The "k" forms are the reliability of the mean of the ``k`` ratings (Spearman-Brown).

    With ``missing="model"`` the mean squares are those the REML variance components
    imply in a complete table, as in ``psych::ICC(x, lmer=TRUE)``: ``MSR = k s2_a +
    s2_e``, ``MSC = n s2_b + s2_e``, ``MSE = s2_e`` and ``MSW = s2_b + s2_e``. So
    ICC(2,1) = ``s2_a / (s2_a + s2_b + s2_e)``, ICC(3,1) = ``s2_a / (s2_a + s2_e)``,
    ICC(2,k) = ``s2_a / (s2_a + (s2_b + s2_e) / k)``, ICC(3,k) = ``s2_a / (s2_a + s2_e
    / k)``, and the one-way forms ICC(1,1) = ``(k s2_a - s2_b) / (k s2_a + (k - 1) s2_b
    + k s2_e)`` and ICC(1,k) = ``(k s2_a - s2_b) / (k s2_a + s2_e)``. ``k`` is the
    number of annotators (the columns of the table, as in psych), not the number of
    ratings an item received: the "k" forms are the reliability of an item's mean over
    all ``k`` annotators, as if each had rated it. On a complete table the REML
    estimates are the ANOVA ones, ``s2_a = (MSR - MSE) / k``, ``s2_b = (MSC - MSE) / n``,
    ``s2_e = MSE``, when both are positive, and every form equals its ANOVA value. When
    ``MSR < MSE`` or ``MSC < MSE`` the ANOVA estimate is negative, REML sets the
    component to 0 and refits the others, and the two differ. ``ci="analytic"`` is not
    available for ``missing="model"`` (the F intervals assume a complete table);
    ``ci="bootstrap"`` refits the model on each resample.
    ``agreement(data, "intraclass_correlation", ci="analytic")`` adds the F test and the
    F-distribution confidence interval. P. E. Shrout and J. L. Fleiss (1979),
    "Intraclass correlations: uses in assessing rater reliability", Psychological
    Bulletin 86(2):420-428; K. O. McGraw and S. P. Wong (1996), "Forming inferences
    about some intraclass correlation coefficients", Psychological Methods 1(1):30-46.

    Examples
    --------
    Table 2 of Shrout & Fleiss (1979): 6 targets rated by 4 judges.

    >>> table = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8],
    ...          [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    >>> round(intraclass_correlation(table, "ICC(2,1)"), 4)
    0.2898
    >>> round(intraclass_correlation(table, "ICC3k"), 4)
    0.9093

    Two ratings missing: the mixed model keeps the other 22.

    >>> table[0][1] = table[3][3] = None
    >>> round(intraclass_correlation(table, "ICC(2,1)", missing="model"), 4)
    0.3491
    """
    d = _design(data, form, missing, on_undefined)
    if missing == "model":
        mms = _model_mean_squares(d)
        if mms is None:
            if on_undefined == "nan":
                return math.nan
            why = "every rating is the same" if not np.any(d.y) else NO_RESIDUAL
            raise ValueError(UNDEFINED.format(form=d.form, why=why))
        ms = mms
    else:
        ms = _mean_squares(d)
    value = float(_icc_from(d.form, ms)[0])
    if math.isnan(value) and on_undefined == "raise":
        raise ValueError(UNDEFINED.format(form=d.form, why=_undefined_reason(d.form, ms)))
    return value


def _intraclass_correlation_statistic(ann: Any, form: str = "ICC(2,1)", *,
                                      missing: Missing = "raise",
                                      on_undefined: OnUndefined = "raise"
                                      ) -> ItemStatistic | None:
    """The ICC as ``finalize(sum over items of S[i])`` for the bootstrap over items.

    ``S`` has the columns ``1``, ``sum_j y_ij^2``, ``(sum_j y_ij)^2 / k``, ``sum_j y_ij``
    and, for the two-way forms, ``y_i1 .. y_ik`` (the item's rating by each annotator),
    with ``y`` the ratings minus their grand mean; only complete items are rows. None for
    two-way forms with more than 256 annotators and for ``missing="model"`` (the
    bootstrap then recomputes the coefficient on resampled data).
    """
    d = _design(ann, form, missing, on_undefined)
    model, _ = ICC_FORMS[d.form]
    n, k = d.n, d.k
    if missing == "model" or (model != 1 and k > _MAX_STAT_COLUMNS):
        return None
    rows = np.bincount(d.item, weights=d.y, minlength=n)
    width = 4 if model == 1 else 4 + k
    S = np.zeros((n, width))
    S[:, 0] = 1.0
    S[:, 1] = np.bincount(d.item, weights=d.y * d.y, minlength=n)
    S[:, 2] = rows * rows / k
    S[:, 3] = rows
    if model != 1:
        S[d.item, 4 + d.annotator] = d.y
    form_name = d.form

    def finalize(T: NDArray[np.float64]) -> NDArray[np.float64]:
        T = np.atleast_2d(np.asarray(T, dtype=np.float64))
        nn = T[:, 0]
        N = nn * k
        with np.errstate(divide="ignore", invalid="ignore"):
            cf = T[:, 3] ** 2 / N
            sst = np.maximum(T[:, 1] - cf, 0.0)
            ssr = np.maximum(T[:, 2] - cf, 0.0)
            ssw = np.maximum(sst - ssr, 0.0)
            if model == 1:
                ssc = np.zeros_like(sst)
            else:
                ssc = np.maximum(np.sum(T[:, 4:] ** 2, axis=1) / nn - cf, 0.0)
            sse = np.maximum(sst - ssr - ssc, 0.0)
            ms = _MeanSquares(ssr / (nn - 1), ssc / (k - 1), sse / ((nn - 1) * (k - 1)),
                              ssw / (nn * (k - 1)), sst / (N - 1), nn, k)
            out = _icc_from(form_name, ms)
        return np.where(nn >= 2, out, np.nan)

    return ItemStatistic(S, finalize)


def _f_bound(F: float, k: int, averaged: bool) -> float:
    """``(F - 1) / (F + k - 1)`` (single) or ``1 - 1 / F`` (averaged), with F = inf -> 1."""
    if math.isinf(F):
        return 1.0
    if averaged:  # F > 0 here: F = 0 means MSR = 0, where the averaged forms are 0 / 0
        return 1.0 - 1.0 / F
    return (F - 1.0) / (F + k - 1.0)


def _intraclass_correlation_analytic(ann: Any, form: str = "ICC(2,1)", *,
                                     missing: Missing = "raise",
                                     on_undefined: OnUndefined = "raise",
                                     confidence: float = 0.95) -> dict[str, float]:
    """F test and F-distribution confidence interval of the ICC.

    Returns a dict with ``"ci_low"``, ``"ci_high"`` (the intervals of Shrout & Fleiss
    1979 and McGraw & Wong 1996, Table 7, as in R psych::ICC and pingouin: exact F
    intervals for the one-way and consistency forms, Satterthwaite's approximate degrees
    of freedom for the absolute-agreement forms), ``"p_value"`` (one-sided F test of
    H0: ICC = 0, ``F = MSR / MSW`` on ``(n - 1, n (k - 1))`` degrees of freedom for the
    one-way forms, ``F = MSR / MSE`` on ``(n - 1, (n - 1)(k - 1))`` otherwise), ``"F"``,
    ``"df1"``, ``"df2"``, and ``"se"``: always NaN, because these intervals do not come
    from a standard error (none is defined for them).
    """
    from scipy import stats  # the F distribution; scipy.stats is slow to import

    if isinstance(confidence, bool) or not isinstance(confidence, Real) or \
            not 0.0 < float(confidence) < 1.0:
        raise ValueError(CONFIDENCE.format(got=confidence))
    d = _design(ann, form, missing, on_undefined)
    if missing == "model":
        raise ValueError(NO_ANALYTIC_MODEL)
    ms = _mean_squares(d)
    value = float(_icc_from(d.form, ms)[0])
    if math.isnan(value) and on_undefined == "raise":
        raise ValueError(UNDEFINED.format(form=d.form, why=_undefined_reason(d.form, ms)))
    model, averaged = ICC_FORMS[d.form]
    n, k = d.n, d.k
    msr, msc, mse, msw = (float(ms.msr[0]), float(ms.msc[0]), float(ms.mse[0]),
                          float(ms.msw[0]))
    q = 1.0 - (1.0 - float(confidence)) / 2.0
    df1 = n - 1
    df2 = n * (k - 1) if model == 1 else (n - 1) * (k - 1)
    den = msw if model == 1 else mse
    with np.errstate(divide="ignore", invalid="ignore"):
        F = float(np.float64(msr) / np.float64(den))
    out = {"se": math.nan, "F": F, "df1": float(df1), "df2": float(df2),
           "p_value": float(stats.f.sf(F, df1, df2)) if not math.isnan(F) else math.nan}
    if math.isnan(value) or math.isnan(F):
        out["ci_low"] = out["ci_high"] = math.nan
        return out
    if model in (1, 3):
        f_low = F / float(stats.f.ppf(q, df1, df2))
        f_high = F * float(stats.f.ppf(q, df2, df1))
        out["ci_low"] = _f_bound(f_low, k, averaged)
        out["ci_high"] = _f_bound(f_high, k, averaged)
        return out
    # Absolute agreement: Satterthwaite (McGraw & Wong 1996, Table 7, case 2A).
    icc = float(_icc_from("ICC(2,1)", ms)[0])
    fj = msc / mse if mse > 0 else math.inf
    a = n * (1.0 + (k - 1.0) * icc) - k * icc
    if math.isinf(fj):
        v = float(df1)  # MSE = 0: the residual term vanishes from the approximation
    else:
        v = (df2 * (k * icc * fj + a) ** 2) / (df1 * k**2 * icc**2 * fj**2 + a**2)
    f_star_u = float(stats.f.ppf(q, df1, v))
    f_star_l = float(stats.f.ppf(q, v, df1))
    c = k * msc + (k * n - k - n) * mse
    low = n * (msr - f_star_u * mse) / (f_star_u * c + n * msr)
    high = n * (f_star_l * msr - mse) / (c + n * f_star_l * msr)
    if averaged:
        low = low * k / (1.0 + low * (k - 1.0))
        high = high * k / (1.0 + high * (k - 1.0))
    out["ci_low"], out["ci_high"] = float(low), float(high)
    return out
