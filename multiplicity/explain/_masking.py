"""A Rashomon set around one fitted model by feature-wise input masks (after Li et al. 2024)."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._checks import check_epsilon
from ..rashomon import RashomonSet
from ._common import check_data
from ._importance import class_codes
from ._losses import check_cloud_loss, member_losses

__all__ = ["MaskedClassifier", "mask_rashomon_set"]

# Bisection steps for the per-feature mask range and for shrinking a sampled mask.
_BISECT_STEPS = 12


class MaskedClassifier(ClassifierMixin, BaseEstimator):
    """A fitted classifier that sees its input scaled feature-wise: ``h_m(x) = h(m * x)``.

    ``fit`` does not train anything: it records ``estimator.classes_`` and the mask.

    Parameters
    ----------
    estimator : fitted classifier
    mask : array-like of shape (n_features,)
        Factor applied to each feature (1 leaves it unchanged, 0 removes it).
    """

    def __init__(self, estimator: Any, mask: ArrayLike) -> None:
        self.estimator = estimator
        self.mask = mask

    def fit(self, X: Any = None, y: Any = None) -> MaskedClassifier:
        """Record ``classes_`` and ``mask_`` (the estimator must already be fitted)."""
        check_is_fitted(self.estimator)
        self.classes_ = np.asarray(self.estimator.classes_)
        self.mask_ = np.asarray(self.mask, dtype=np.float64)
        return self

    def _masked(self, X: Any) -> Any:
        if isinstance(X, pd.DataFrame):
            return X.mul(self.mask_, axis=1)
        return np.asarray(X, dtype=np.float64) * self.mask_

    def predict(self, X: Any) -> NDArray:
        """Labels of ``estimator`` on the masked input."""
        return self.estimator.predict(self._masked(X))

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Class probabilities of ``estimator`` on the masked input."""
        return self.estimator.predict_proba(self._masked(X))


def mask_rashomon_set(model: Any, X: Any, y: ArrayLike, *, epsilon: float,
                      n_models: int = 100, loss: str | Callable | None = None,
                      loss_input: str = "predict", max_scale: float = 1.0,
                      random_state: Any = None):
    """Sample a Rashomon set around one fitted classifier by scaling its input features.

    Members are ``h_m(x) = h(m * x)`` for masks ``m`` (one factor per feature) with
    ``L(h_m) <= L(h) + epsilon`` on ``(X, y)``; ``h`` itself (mask of ones) is the
    baseline. This is the mask parameterisation of Li, Wang, Deng & Barnard (2024); the
    search is a simpler one than their greedy algorithm:

    1. for each feature ``k`` and each direction, the largest ``t`` in ``[0, max_scale]``
       with ``L(h_{1 +- t e_k}) <= L(h) + epsilon`` (checked at ``max_scale``, otherwise
       bisection, assuming the loss grows as ``t`` grows);
    2. ``n_models`` masks drawn uniformly in the box of those per-feature ranges; a draw
       outside the tolerance is shrunk towards the ones vector, ``1 + c (m - 1)``, with the
       largest ``c`` in ``[0, 1]`` found by bisection that brings it inside.

    Every member is therefore inside the set by construction.

    Parameters
    ----------
    model : fitted classifier
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    epsilon : float
        Absolute loss tolerance (>= 0).
    n_models : int, default=100
        Masks to sample (the set has ``n_models + 1`` members).
    loss, loss_input
        As in :func:`feature_interaction_cloud` (None: log loss when the model has
        ``predict_proba``, else 0-1 loss).
    max_scale : float, default=1.0
        Largest change of a factor (masks stay in ``[1 - max_scale, 1 + max_scale]``).
    random_state : int, RandomState instance or None, default=None
        Seeds the masks.

    Returns
    -------
    RashomonSet
        Members are :class:`MaskedClassifier` objects; ``losses_`` are their losses.
    """
    eps = check_epsilon(epsilon, "absolute")
    if isinstance(n_models, bool) or not isinstance(n_models, numbers.Integral) \
            or n_models < 1:
        raise ValueError(f"n_models must be an int >= 1, got {n_models!r}")
    if not (isinstance(max_scale, numbers.Real) and max_scale > 0):
        raise ValueError(f"max_scale must be a positive number, got {max_scale!r}")
    X, y_arr, _ = check_data(X, y)
    base_model = MaskedClassifier(model, np.ones(X.shape[1])).fit()
    probe = RashomonSet([base_model], [0.0], epsilon=eps)
    loss = check_cloud_loss(probe, loss, loss_input)
    y_codes = class_codes(probe.classes_, y_arr)

    def loss_of(mask: NDArray) -> float:
        one = RashomonSet([MaskedClassifier(model, mask).fit()], [0.0], epsilon=eps)
        return float(member_losses(one, X, y_arr, y_codes, loss, loss_input)[0])

    l0 = loss_of(np.ones(X.shape[1]))
    limit = l0 + eps + 1e-12 * max(1.0, abs(l0))

    def largest(make: Callable[[float], NDArray], hi: float) -> float:
        if loss_of(make(hi)) <= limit:
            return hi
        lo = 0.0
        for _ in range(_BISECT_STEPS):
            mid = 0.5 * (lo + hi)
            if loss_of(make(mid)) <= limit:
                lo = mid
            else:
                hi = mid
        return lo

    p = X.shape[1]
    low, high = np.ones(p), np.ones(p)
    for k in range(p):
        for sign, bound in ((1.0, high), (-1.0, low)):
            def along(t: float, k: int = k, sign: float = sign) -> NDArray:
                m = np.ones(p)
                m[k] += sign * t
                return m
            bound[k] = along(largest(along, float(max_scale)))[k]

    rng = check_random_state(random_state)
    models, losses = [base_model], [l0]
    for _ in range(n_models):
        draw = rng.uniform(low, high)
        c = largest(lambda c, d=draw: 1.0 + c * (d - 1.0), 1.0)
        mask = 1.0 + c * (draw - 1.0)
        models.append(MaskedClassifier(model, mask).fit())
        losses.append(loss_of(mask))
    return RashomonSet(models, losses, epsilon=eps, baseline_index=0,
                       loss=loss)
