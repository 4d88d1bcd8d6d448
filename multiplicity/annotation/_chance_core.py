"""Shared pieces of the chance-corrected coefficients: per-item agreement, chance models.

Every coefficient of the family is ``(pa - pe) / (1 - pe)``. This module computes the
per-item pieces behind ``pa`` and the category shares ``pi_k`` (Gwet 2014, chapters 2-5,
with missing data), the chance agreement ``pe`` of each model (Fleiss and Scott, Gwet,
Brennan-Prediger, Conger) and the rule that says when the ratio is undefined.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from .._checks import check_on_undefined, py_scalar
from .._lazy import lazy_module
from . import _twins
from ._chance_weights import _check_weights
from ._container import Annotations, check_annotations

pd = lazy_module("pandas")
numba = lazy_module("numba")
# The compiled kernels load when an input is large enough to run them (see _twins.py).
_k = lazy_module("multiplicity.annotation._chance_kernels")

OnUndefined = Literal["raise", "nan"]

# Error messages (tests import them).
NO_PAIRS = ("{coef} is undefined: no item has two or more ratings, so no pair of ratings "
            "can agree or disagree (pass on_undefined='nan' to get NaN instead)")
SINGLE_CATEGORY = ("{coef} is undefined: only one category ({cat!r}) occurs in the data, so "
                   "observed and chance agreement are both 1 and (pa - pe) / (1 - pe) is "
                   "0 / 0 (pass on_undefined='nan' to get NaN instead)")
PE_ONE = ("{coef} is undefined: the chance agreement pe is 1 with these weights, so "
          "(pa - pe) / (1 - pe) divides by 0 (pass on_undefined='nan' to get NaN instead)")
NEEDS_ANNOTATORS = ("{coef} needs annotator identities, but the data were built with "
                    "Annotations.from_counts (who gave which rating is unknown); use "
                    "fleiss_kappa, gwet_ac1, brennan_prediger or percent_agreement")


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


# ----------------------------------------------------------------- Conger's chance model
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

