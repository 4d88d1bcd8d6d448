"""Agreement weights of the chance-corrected coefficients (Gwet 2014, section 3.3).

The weight names, the matrix each name gives for category values or ranks, and the check
that turns a name or a user's matrix into the ``(k, k)`` matrix over the categories of the
data.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._lazy import lazy_module
from ._container import check_ordered

pd = lazy_module("pandas")

WeightName = Literal["identity", "linear", "quadratic", "ordinal", "radical", "ratio",
                     "circular", "bipolar"]

WEIGHT_NAMES: tuple[str, ...] = ("identity", "linear", "quadratic", "ordinal", "radical",
                                 "ratio", "circular", "bipolar")

# Error messages (tests import them).
UNKNOWN_WEIGHTS = ("weights must be None, one of {names} or a (k, k) matrix, got {got!r}")
WEIGHTS_SHAPE = ("weights must be a ({k}, {k}) matrix for the {k} categories {cats}, got "
                 "shape {shape}")
WEIGHTS_ASYMMETRIC = "weights must be a symmetric matrix (w[k, l] == w[l, k])"
WEIGHTS_RANGE = ("weights must hold finite agreement weights in [0, 1] with 1 on the "
                 "diagonal")


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

