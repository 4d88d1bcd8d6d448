"""The exact epsilon-level set of ridge / least-squares regression, an ellipsoid."""

from __future__ import annotations

import numbers
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import qr, solve_triangular
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.linear_model import Ridge
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import _errors
from .._checks import (
    check_epsilon,
    check_int,
    check_numeric_X,
    check_regression_target,
    resolve_seed,
)
from . import _linear_level_set_kernels as _kernels

__all__ = ["LinearLevelSet"]

class LinearLevelSet(RegressorMixin, BaseEstimator):
    """The exact Rashomon set (level set) of ridge or least-squares regression.

    A model is ``theta = (w, b)`` (coefficients and intercept), and its mean ridge
    objective is scikit-learn's :class:`~sklearn.linear_model.Ridge` objective divided by
    the number of samples ``n``, with the intercept not penalised:

    ``L(w, b) = (||y - X w - b||^2 + alpha ||w||^2) / n``.

    The baseline ``theta0 = (coef_, intercept_)`` minimises ``L`` (it is ``Ridge(alpha)``
    on the same data; ``alpha=0`` is ordinary least squares), and the level set is
    ``{theta : L(theta) <= L(theta0) + epsilon}`` (absolute ``epsilon``). Because ``L`` is
    quadratic, the set is the ellipsoid

    ``(theta - theta0)' H (theta - theta0) <= epsilon``,
    ``H = (Z'Z + alpha diag(1, ..., 1, 0)) / n``, ``Z = [X, 1]``,

    so every range below is exact and in closed form.

    Parameters
    ----------
    alpha : float, default=1.0
        Ridge penalty, >= 0, as in :class:`~sklearn.linear_model.Ridge`. ``alpha=0`` is
        least squares and needs ``X`` (with a column of ones when ``fit_intercept``) of
        full column rank; otherwise the set is unbounded and :meth:`fit` raises.
    epsilon : float, default=0.01
        Rashomon parameter, >= 0, in the units of ``L`` (squared units of ``y``): models
        whose objective is within ``epsilon`` of the minimum belong to the set.
        ``epsilon=0`` collapses the set to the baseline.
    fit_intercept : bool, default=True
        Whether the models have an (unpenalised) intercept. Without one, every member has
        intercept 0.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients of the baseline model (equal to those of ``Ridge(alpha=alpha,
        fit_intercept=fit_intercept)`` fitted on the same data).
    intercept_ : float
        Intercept of the baseline model (0.0 when ``fit_intercept=False``).
    baseline_loss_ : float
        ``L(coef_, intercept_)``, the smallest value of the objective.
    threshold_ : float
        ``baseline_loss_ + epsilon``: the largest objective in the set.
    coef_range_ : ndarray of shape (n_features, 2)
        Smallest and largest value of each coefficient over the set:
        ``coef_[j] -+ sqrt(epsilon (H^{-1})_jj)``.
    intercept_range_ : ndarray of shape (2,)
        Smallest and largest intercept over the set; ``[0.0, 0.0]`` when
        ``fit_intercept=False`` (every member then has intercept 0).
    sign_stable_ : ndarray of bool, shape (n_features,)
        True where the coefficient range excludes 0 (``low > 0`` or ``high < 0``), so that
        every model in the set gives the feature the same sign. A range that touches 0
        (an end point equal to 0, e.g. a zero coefficient at ``epsilon=0``) is not sign
        stable.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a DataFrame ``X`` (only then).

    See Also
    --------
    LogisticLevelSet : The same question for L2-regularised logistic regression.
    RashomonSet.from_models : A Rashomon set of the models :meth:`sample` draws.

    Notes
    -----
    ``L`` is quadratic in ``theta`` with Hessian ``2 H``, and its gradient vanishes at
    ``theta0``, so ``L(theta) = L(theta0) + (theta - theta0)' H (theta - theta0)`` exactly.
    The largest and smallest prediction ``z . theta`` at a row ``z = (x, 1)`` over the
    ellipsoid are ``z . theta0 +- sqrt(epsilon z' H^{-1} z)`` (Cauchy-Schwarz in the
    ``H`` inner product), attained by ``theta0 +- sqrt(epsilon) H^{-1} z /
    sqrt(z' H^{-1} z)``, a model whose objective equals ``threshold_``.

    :meth:`fit` factorises once: a QR decomposition of the stacked matrix
    ``[Z, y; sqrt(alpha) I, 0]`` gives ``theta0`` and the Cholesky factor of ``H`` without
    forming ``Z'Z`` (so the condition number is not squared). Cost ``O(n_samples
    n_features ** 2)`` time and ``O(n_samples n_features)`` memory (the stacked matrix),
    plus an SVD of ``Z`` for the rank check when ``alpha=0``. Afterwards each row of
    :meth:`prediction_range` costs one triangular solve, ``O(n_features ** 2)``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 3.0], [4.0, 2.0]])
    >>> y = np.array([1.0, 2.0, 2.5, 4.0, 5.5])
    >>> lls = LinearLevelSet(alpha=0.1, epsilon=0.05).fit(X, y)
    >>> lls.coef_.round(3), round(lls.intercept_, 3)
    (array([1.08 , 0.019]), 0.814)
    >>> lls.coef_range_.round(3)
    array([[ 0.864,  1.295],
           [-0.278,  0.317]])
    >>> lls.sign_stable_
    array([ True, False])
    >>> lls.prediction_range([[1.0, 1.0]]).round(3)
    array([[1.638, 2.188]])
    """

    _parameter_constraints: ClassVar[dict] = {
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "epsilon": [Interval(numbers.Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
    }

    def __init__(self, alpha: float = 1.0, epsilon: float = 0.01,
                 fit_intercept: bool = True) -> None:
        self.alpha = alpha
        self.epsilon = epsilon
        self.fit_intercept = fit_intercept

    # ------------------------------------------------------------------ fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike) -> LinearLevelSet:
        """Fit the baseline ridge model and factorise the ellipsoid.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features (no NaN or infinity).
        y : array-like of shape (n_samples,)
            Finite numeric target.

        Returns
        -------
        self : LinearLevelSet
            Fitted estimator.

        Raises
        ------
        ValueError
            Non-numeric or non-finite ``X`` or ``y``, lengths that differ, ``alpha < 0``,
            ``epsilon < 0``, or ``alpha=0`` with ``X`` (and the intercept column) not of
            full column rank.

        Examples
        --------
        >>> lls = LinearLevelSet(alpha=0.0).fit([[0.0], [1.0], [2.0]], [1.0, 2.0, 4.0])
        >>> lls.coef_.round(3), round(lls.intercept_, 3), round(lls.baseline_loss_, 4)
        (array([1.5]), 0.833, 0.0556)
        """
        eps = check_epsilon(self.epsilon, "absolute")
        alpha = float(self.alpha)
        check_numeric_X(X)
        y = check_regression_target(y)
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        n, d = X.shape
        fit_intercept = bool(self.fit_intercept)
        p = d + fit_intercept
        Z = np.hstack([X, np.ones((n, 1))]) if fit_intercept else X
        if alpha == 0.0:
            rank = int(np.linalg.matrix_rank(Z))
            if rank < p:
                what = "[X, 1] (X with a column of ones)" if fit_intercept else "X"
                raise ValueError(_errors.RANK_DEFICIENT.format(what=what, p=p, rank=rank))
        # QR of [Z, y; sqrt(alpha) [I, 0], 0]: R' R = n H in the top-left block and the
        # top of the last column is Q' y, so theta0 = R^{-1} Q' y.
        A = np.zeros((n + d, p + 1))
        A[:n, :p] = Z
        A[:n, p] = y
        A[n:, :d] = np.sqrt(alpha) * np.eye(d)
        R = qr(A, mode="r", check_finite=False, overwrite_a=True)[0]
        R = R[:p]
        signs = np.where(np.diag(R[:, :p]) < 0.0, -1.0, 1.0)
        R = R * signs[:, None]
        theta = solve_triangular(R[:, :p], R[:, p], lower=False, check_finite=False)
        chol = np.ascontiguousarray(R[:, :p].T) / np.sqrt(n)  # lower: H = chol chol'
        self.coef_ = theta[:d].copy()
        self.intercept_ = float(theta[d]) if fit_intercept else 0.0
        resid = y - X @ self.coef_ - self.intercept_
        self.baseline_loss_ = float((resid @ resid + alpha * (self.coef_ @ self.coef_)) / n)
        self.threshold_ = self.baseline_loss_ + eps
        # diag(H^{-1})_j = ||L^{-1} e_j||^2
        chol_inv = solve_triangular(chol, np.eye(p), lower=True, check_finite=False)
        half = np.sqrt(eps * np.einsum("ij,ij->j", chol_inv, chol_inv))
        self.coef_range_ = np.column_stack([self.coef_ - half[:d], self.coef_ + half[:d]])
        self.intercept_range_ = (np.array([self.intercept_ - half[d], self.intercept_ + half[d]])
                                 if fit_intercept else np.zeros(2))
        self.sign_stable_ = (self.coef_range_[:, 0] > 0.0) | (self.coef_range_[:, 1] < 0.0)
        self._chol = chol
        self._eps = eps
        self._fitted_with = (self.alpha, self.epsilon, self.fit_intercept)
        return self

    def _validate_X(self, X: Any) -> NDArray[np.float64]:
        check_is_fitted(self)
        if (self.alpha, self.epsilon, self.fit_intercept) != self._fitted_with:
            raise ValueError(_errors.PARAMS_CHANGED.format(
                params="alpha, epsilon, fit_intercept", fitted=self._fitted_with))
        check_numeric_X(X)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.ascontiguousarray(X)

    # ------------------------------------------------------------------ baseline
    def predict(self, X: ArrayLike) -> NDArray[np.float64]:
        """Predictions of the baseline model, ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.

        Returns
        -------
        ndarray of shape (n_samples,)
            The centre of each :meth:`prediction_range`.

        Examples
        --------
        >>> lls = LinearLevelSet(alpha=0.0).fit([[0.0], [1.0], [2.0]], [1.0, 2.0, 4.0])
        >>> lls.predict([[3.0]]).round(3)
        array([5.333])
        """
        X = self._validate_X(X)
        return X @ self.coef_ + self.intercept_

    # ------------------------------------------------------------------ ranges
    def prediction_range(self, X: ArrayLike) -> NDArray[np.float64]:
        """Smallest and largest prediction over the level set, for each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features (no NaN or infinity).

        Returns
        -------
        ndarray of shape (n_samples, 2)
            ``[min, max]`` of ``x . w + b`` over every ``(w, b)`` in the set:
            ``predict(X) -+ sqrt(epsilon z' H^{-1} z)`` with ``z = (x, 1)``. Both end points
            are attained by members of the set (on its boundary).

        Notes
        -----
        Rows are streamed in blocks of 1,024 over the Numba threads, one triangular solve
        each (``O(n_features ** 2)`` time per row). Memory: the float64 copy of ``X`` that
        validation makes (none when ``X`` already is a C-contiguous float64 array), the
        ``(n_samples, 2)`` result, and ``O(n_features)`` per block.

        Examples
        --------
        >>> lls = LinearLevelSet(alpha=0.0, epsilon=0.1).fit(
        ...     [[0.0], [1.0], [2.0]], [1.0, 2.0, 4.0])
        >>> lls.prediction_range([[1.0], [3.0]]).round(3)
        array([[2.017, 2.65 ],
               [4.497, 6.17 ]])
        """
        X = self._validate_X(X)
        return _kernels._prediction_ranges(X, self._chol, self.coef_, self.intercept_,
                                           float(np.sqrt(self._eps)), _kernels.BLOCK_ROWS)

    def decision_ambiguity(self, X: ArrayLike, threshold: float) -> float:
        """Share of rows on which models of the set take different decisions.

        The decision at ``x`` is ``prediction >= threshold``. A row is ambiguous when its
        exact prediction range straddles the threshold, ``min < threshold <= max``: then
        one member of the set decides yes and another no.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.
        threshold : float
            Decision threshold, a finite real number.

        Returns
        -------
        float
            Value in ``[0, 1]``; 0 when ``epsilon=0``.

        Examples
        --------
        >>> lls = LinearLevelSet(alpha=0.0, epsilon=0.1).fit(
        ...     [[0.0], [1.0], [2.0]], [1.0, 2.0, 4.0])
        >>> lls.decision_ambiguity([[1.0], [3.0], [10.0]], threshold=5.0)
        0.3333333333333333
        """
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) \
                or not np.isfinite(threshold):
            raise ValueError(_errors.THRESHOLD_FINITE.format(threshold))
        ranges = self.prediction_range(X)
        t = float(threshold)
        return float(np.mean((ranges[:, 0] < t) & (t <= ranges[:, 1])))

    # ------------------------------------------------------------------ members
    def sample(self, n: int, random_state: Any = None, *,
               where: Literal["inside", "boundary"] = "inside") -> list[Ridge]:
        """Members of the level set drawn at random, as fitted ``Ridge`` models.

        Parameters
        ----------
        n : int
            Number of members, >= 1.
        random_state : int, numpy.random.Generator, numpy.random.RandomState or None
            Seed of the draws; the same seed gives the same members.
        where : {"inside", "boundary"}, default="inside"
            ``"inside"``: uniform on the solid ellipsoid (uniform in volume), so most
            members lie near its surface when there are many features. ``"boundary"``:
            on the surface ``L = threshold_``, drawn as the image of the uniform
            distribution on the unit sphere under the map ``u -> theta0 + sqrt(epsilon)
            L^{-T} u`` (``H = L L'``). That is *not* uniform in surface area: it puts more
            mass where the ellipsoid is more curved (its short axes).

        Returns
        -------
        list of sklearn.linear_model.Ridge
            ``n`` models with ``coef_``, ``intercept_``, ``n_features_in_`` (and
            ``feature_names_in_`` after a DataFrame fit) set, as if fitted, so ``predict``
            works and :meth:`RashomonSet.from_models` accepts them. They are not refitted:
            refitting would return the baseline.

        Examples
        --------
        >>> lls = LinearLevelSet(alpha=0.0, epsilon=0.1).fit(
        ...     [[0.0], [1.0], [2.0]], [1.0, 2.0, 4.0])
        >>> members = lls.sample(3, random_state=0, where="boundary")
        >>> len(members), type(members[0]).__name__
        (3, 'Ridge')
        >>> bool(all(lo <= m.predict([[1.0]])[0] <= hi for m in members
        ...          for lo, hi in lls.prediction_range([[1.0]])))
        True
        """
        check_is_fitted(self)
        if (self.alpha, self.epsilon, self.fit_intercept) != self._fitted_with:
            raise ValueError(_errors.PARAMS_CHANGED.format(
                params="alpha, epsilon, fit_intercept", fitted=self._fitted_with))
        n = check_int(n, "n", 1)
        if not isinstance(where, str) or where not in ("inside", "boundary"):
            raise ValueError(_errors.WHERE_OPTION.format(where))
        rng = np.random.default_rng(resolve_seed(random_state))
        p = self._chol.shape[0]
        U = rng.standard_normal((n, p))
        U /= np.linalg.norm(U, axis=1, keepdims=True)
        if where == "inside":
            U *= rng.random(n)[:, None] ** (1.0 / p)
        # theta - theta0 = sqrt(eps) L^{-T} u, so (theta - theta0)' H (...) = eps ||u||^2
        steps = solve_triangular(self._chol.T, U.T, lower=False, check_finite=False).T
        steps *= np.sqrt(self._eps)
        d = self.n_features_in_
        names = getattr(self, "feature_names_in_", None)
        members = []
        for step in steps:
            model = Ridge(alpha=self.alpha, fit_intercept=self.fit_intercept)
            model.coef_ = self.coef_ + step[:d]
            model.intercept_ = float(self.intercept_ + step[d]) if self.fit_intercept else 0.0
            model.n_features_in_ = d
            model.n_iter_ = None
            if names is not None:
                model.feature_names_in_ = names.copy()
            members.append(model)
        return members

    # ------------------------------------------------------------------ tables
    def coef_table(self) -> pd.DataFrame:
        """The coefficients of the baseline and their ranges over the set, one row each.

        Returns
        -------
        pandas.DataFrame
            Indexed by feature name (``feature_names_in_`` after a DataFrame fit, else
            ``x0, x1, ...``), with columns ``estimate`` (``coef_``), ``low`` and ``high``
            (``coef_range_``) and ``sign_stable`` (``sign_stable_``). The intercept is not a
            row; see ``intercept_range_``.

        Examples
        --------
        >>> import pandas as pd
        >>> X = pd.DataFrame({"age": [0.0, 1.0, 2.0, 3.0], "dose": [1.0, 0.0, 1.0, 3.0]})
        >>> lls = LinearLevelSet(alpha=0.1, epsilon=0.05).fit(X, [1.0, 2.0, 2.5, 4.0])
        >>> lls.coef_table().round(3)
                 estimate    low   high  sign_stable
        feature
        age         0.829  0.550  1.108         True
        dose        0.149 -0.137  0.435        False
        """
        check_is_fitted(self)
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{j}" for j in range(self.n_features_in_)]
        index = pd.Index([str(name) for name in names], name="feature")
        return pd.DataFrame({"estimate": self.coef_, "low": self.coef_range_[:, 0],
                             "high": self.coef_range_[:, 1],
                             "sign_stable": self.sign_stable_}, index=index)

    def plot(self, ax: Any = None) -> Any:
        """Coefficient ranges over the set as horizontal bars, the baseline as dots.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        matplotlib.axes.Axes
            Sign-stable features are drawn in blue, the others in grey; a dashed line
            marks 0.

        Examples
        --------
        >>> lls = LinearLevelSet().fit([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], [0.0, 1.0, 2.0])
        >>> type(lls.plot()).__name__
        'Axes'
        """
        import matplotlib.pyplot as plt

        table = self.coef_table()
        if ax is None:
            _, ax = plt.subplots(figsize=(6.0, 0.4 * len(table) + 1.2), layout="constrained")
        pos = np.arange(len(table))[::-1]
        colors = np.where(table["sign_stable"].to_numpy(), "#4477aa", "#999999")
        ax.hlines(pos, table["low"], table["high"], colors=colors, linewidth=3)
        ax.scatter(table["estimate"], pos, color="black", s=12, zorder=3)
        ax.axvline(0.0, color="black", linestyle="--", linewidth=1)
        ax.set_yticks(pos, table.index)
        ax.set_xlabel(f"coefficient over the level set (epsilon = {self.epsilon:g})")
        return ax
