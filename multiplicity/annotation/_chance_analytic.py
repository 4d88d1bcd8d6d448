"""Analytic standard errors of the chance-corrected coefficients.

Gwet's (2014) linearised standard errors (irrCAC ``*.raw`` functions) for the Fleiss
family, Gwet's AC1/AC2, Brennan-Prediger, Conger's kappa and the percent agreement;
Fleiss' (1971) standard error under H0 for Fleiss' kappa; and Fleiss, Cohen & Everitt's
(1969) standard errors for Cohen's kappa.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import check_on_undefined
from ._alpha import _unit_sum
from ._chance_cohen import _cohen_parts
from ._chance_core import (
    OnUndefined,
    _classification,
    _conger_check,
    _conger_pe,
    _core,
    _pe_bp,
    _pe_fleiss,
    _pe_gwet,
    _prepare,
)
from ._container import Annotations


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


