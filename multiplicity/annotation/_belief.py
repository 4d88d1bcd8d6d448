"""Conflict between evidential sources and Discounted Belief Fusion (Bezirganyan et al. 2025).

A source (an annotator, a model or a modality) gives non-negative evidence ``e_m`` over
``K`` classes, read as a subjective-logic opinion (Josang 2016; Sensoy et al. 2018):

* Dirichlet strength ``S_m = sum_k (e_mk + 1)``;
* belief masses ``b_mk = e_mk / S_m`` and uncertainty ``u_m = K / S_m`` (they sum to 1);
* projected probabilities ``P_mk = (e_mk + 1) / S_m``.

Degree of conflict between two sources (Xu et al. 2024, RCML; Bezirganyan et al. 2025):
``DC(m, n) = (1/2) sum_k |P_mk - P_nk| * (1 - u_m)(1 - u_n)``, in ``[0, 1)``: confident
sources that disagree conflict, an uncertain source conflicts with nobody.

Discounted Belief Fusion: each source is discounted by its conflict with the others,
``eta_m = prod_{n != m} (1 - DC(m, n)^lambda)^(1 / lambda)``, ``b'_m = eta_m b_m``,
``u'_m = eta_m u_m + 1 - eta_m`` (the discounted mass moves to uncertainty), back to
evidence ``e'_m = K b'_m / u'_m``, and the fused evidence is the mean of the ``e'_m`` over
the sources, which makes the fusion independent of the order of the sources.

Reference: G. Bezirganyan, S. Sellami, L. Berti-Equille, S. Fournier (2025). Multimodal
Learning with Uncertainty Quantification based on Discounted Belief Fusion. AISTATS 2025,
PMLR 258:3142-3150. arXiv:2412.18024.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._belief_kernels import _conflict_block, _conflict_parallel, _discount, _opinions

__all__ = ["belief_conflict", "discounted_belief_fusion"]

# Error messages (tests import them).
EVIDENCE_NDIM = ("evidence must be (n_sources, n_classes) or (n_items, n_sources, n_classes), "
                 "got shape {shape}")
EVIDENCE_NOT_NUMERIC = "evidence must hold numbers, got dtype {dtype}"
EVIDENCE_NEGATIVE = ("evidence must be non-negative (evidence e >= 0, Dirichlet parameters "
                     "e + 1), found {value!r} at index {index}")
EVIDENCE_NOT_FINITE = "evidence must be finite, found {value!r} at index {index}"
EVIDENCE_EMPTY = "evidence needs at least one item and one source, got shape {shape}"
EVIDENCE_ONE_CLASS = "evidence needs at least 2 classes (last axis), got shape {shape}"
LAMBDA = "lambda_ must be a finite number > 0, got {got!r}"

# Items per parallel task below which one thread is faster.
_PARALLEL_MIN_ITEMS = 256


def _check_evidence(evidence: Any) -> tuple[NDArray[np.float64], bool]:
    """float64 (n, s, K) C-contiguous evidence and whether the input was 2-D."""
    E = np.asarray(evidence)
    if E.dtype.kind not in "biuf":
        raise TypeError(EVIDENCE_NOT_NUMERIC.format(dtype=E.dtype))
    if E.ndim not in (2, 3):
        raise ValueError(EVIDENCE_NDIM.format(shape=E.shape))
    single = E.ndim == 2
    E = np.ascontiguousarray(E[None] if single else E, dtype=np.float64)
    if E.shape[0] == 0 or E.shape[1] == 0:
        raise ValueError(EVIDENCE_EMPTY.format(shape=E.shape[single:]))
    if E.shape[2] < 2:
        raise ValueError(EVIDENCE_ONE_CLASS.format(shape=E.shape[single:]))
    finite = np.isfinite(E)
    if not finite.all():
        idx = tuple(int(v) for v in np.argwhere(~finite)[0][single:])
        raise ValueError(EVIDENCE_NOT_FINITE.format(value=float(E[(0,) * single + idx]),
                                                    index=idx))
    if (E < 0).any():
        idx = tuple(int(v) for v in np.argwhere(E < 0)[0][single:])
        raise ValueError(EVIDENCE_NEGATIVE.format(value=float(E[(0,) * single + idx]),
                                                  index=idx))
    return E, single


def _conflict(P: NDArray[np.float64], U: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.empty((P.shape[0], P.shape[1], P.shape[1]))
    if P.shape[0] < _PARALLEL_MIN_ITEMS:
        _conflict_block(P, U, 0, P.shape[0], out)
    else:
        import numba

        n_chunks = max(1, min(P.shape[0], 4 * numba.get_num_threads()))
        _conflict_parallel(P, U, n_chunks, out)
    return out


def belief_conflict(evidence: Any) -> NDArray[np.float64]:
    """Degree of conflict between every pair of evidential sources.

    ``DC(m, n) = (1/2) sum_k |P_mk - P_nk| (1 - u_m)(1 - u_n)`` with projected
    probabilities ``P_mk = (e_mk + 1) / S_m``, uncertainty ``u_m = K / S_m`` and
    ``S_m = sum_k (e_mk + 1)`` (Bezirganyan et al. 2025, after Xu et al. 2024).

    Parameters
    ----------
    evidence : array-like of shape (n_sources, n_classes) or (n_items, n_sources, n_classes)
        Non-negative evidence of each source (annotator, model or modality) for each class,
        e.g. label counts, or a network's softplus outputs.

    Returns
    -------
    ndarray of shape (n_sources, n_sources) or (n_items, n_sources, n_sources)
        Symmetric, zero diagonal, entries in ``[0, 1)``.

    Raises
    ------
    ValueError
        Negative or non-finite evidence, fewer than 2 classes, no source, wrong dimensions.

    See Also
    --------
    discounted_belief_fusion : fuses the sources, discounting those in conflict.

    Examples
    --------
    >>> belief_conflict([[9, 0], [0, 9], [0, 0]]).round(3)
    array([[0.   , 0.548, 0.   ],
           [0.548, 0.   , 0.   ],
           [0.   , 0.   , 0.   ]])
    """
    E, single = _check_evidence(evidence)
    P, _, U = _opinions(E)
    out = _conflict(P, U)
    return out[0] if single else out


def discounted_belief_fusion(evidence: Any, lambda_: float = 1.0, *,
                             return_discount: bool = False
                             ) -> NDArray[np.float64] | tuple[NDArray[np.float64],
                                                              NDArray[np.float64]]:
    """Fuse evidential sources, discounting each by its conflict with the others.

    Discounted Belief Fusion (Bezirganyan et al. 2025): with beliefs ``b_m``, uncertainty
    ``u_m`` and the degree of conflict ``DC`` of :func:`belief_conflict`,

    * discount ``eta_m = prod_{n != m} (1 - DC(m, n)^lambda)^(1 / lambda)`` in ``(0, 1]``;
    * discounted opinion ``b'_m = eta_m b_m``, ``u'_m = eta_m u_m + 1 - eta_m``;
    * back to evidence ``e'_m = K b'_m / u'_m``;
    * fused evidence ``mean_m e'_m``.

    Sources that agree (or are uncertain) keep their evidence (``eta = 1``); a confident
    source that contradicts confident others loses evidence, which shows up as higher
    uncertainty ``K / sum_k (e_k + 1)`` of the fused opinion. The mean makes the result
    independent of the order of the sources.

    Parameters
    ----------
    evidence : array-like of shape (n_sources, n_classes) or (n_items, n_sources, n_classes)
        Non-negative evidence of each source for each class.
    lambda_ : float > 0, default=1.0
        Exponent of the discount: larger values discount only strong conflicts (as
        ``lambda -> inf``, ``eta_m -> 1`` for every ``DC < 1``); smaller values discount
        more.
    return_discount : bool, default=False
        Also return the discounts ``eta``.

    Returns
    -------
    fused : ndarray of shape (n_classes,) or (n_items, n_classes)
        Fused evidence (add 1 for the Dirichlet parameters).
    eta : ndarray of shape (n_sources,) or (n_items, n_sources)
        Only with ``return_discount=True``.

    Raises
    ------
    ValueError
        Bad evidence (see :func:`belief_conflict`) or ``lambda_`` not a positive number.

    Notes
    -----
    The product in ``eta_m`` runs over the other sources ``n != m``. The paper writes it
    over all sources, which is the same: ``DC(m, m) = 0`` contributes a factor 1. The
    authors' code adds ``1e-6`` to ``DC`` inside the power and to ``u'`` in the
    denominator, for gradients; here neither is needed (``u'_m >= u_m > 0``), so the
    fusion of sources without conflict returns their mean evidence exactly.

    Examples
    --------
    >>> e = [[9.0, 0.0], [8.0, 1.0], [0.0, 9.0]]
    >>> fused, eta = discounted_belief_fusion(e, return_discount=True)
    >>> eta.round(3)
    array([0.425, 0.482, 0.232])
    >>> fused.round(3)
    array([0.741, 0.204])
    """
    if isinstance(lambda_, bool) or not isinstance(lambda_, Real) or \
            not math.isfinite(float(lambda_)) or float(lambda_) <= 0:
        raise ValueError(LAMBDA.format(got=lambda_))
    E, single = _check_evidence(evidence)
    K = E.shape[2]
    P, B, U = _opinions(E)
    eta = _discount(_conflict(P, U), float(lambda_))
    b = B * eta[:, :, None]
    u = U * eta + 1.0 - eta
    fused = (K * b / u[:, :, None]).mean(axis=1)
    if single:
        fused, eta = fused[0], eta[0]
    return (fused, eta) if return_discount else fused
