"""Per-item statistics of the chance-corrected coefficients, for the item bootstrap.

Every coefficient of the family is a function of sums over items. Each
``_<name>_statistic`` returns an :class:`ItemStatistic`: one row per item, and the function
that turns column sums (of the data or of a resample) into the coefficient. See
``_stats.py`` and :func:`multiplicity.annotation.agreement`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import check_on_undefined
from ._chance_cohen import _cohen_codes
from ._chance_core import (
    OnUndefined,
    _conger_check,
    _conger_pe,
    _core,
    _kappa_from,
    _pe_bp,
    _pe_fleiss,
    _pe_gwet,
    _prepare,
    _ratio,
)
from ._chance_weights import _check_weights
from ._container import Annotations
from ._stats import ItemStatistic

_MAX_STAT_COLUMNS = 256


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

