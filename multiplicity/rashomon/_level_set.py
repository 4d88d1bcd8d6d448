"""Exact viable prediction ranges over the epsilon-level set of L2-regularised logistic loss."""

from __future__ import annotations

import numbers
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import _errors
from .._checks import check_epsilon, check_numeric_X
from .._parallel import numba_threads
from .._validation import DELTA_SLACK, check_delta
from . import _level_set_kernels as _kernels

__all__ = ["LevelSetSolveError", "LogisticLevelSet", "ProbabilisticDiscrepancyBounds"]
# The witnesses of probabilistic_discrepancy are scored in blocks of about this many
# float64 values (8 MiB).
_BLOCK_VALUES = 1 << 20
# A witness may exceed the loss threshold by this much (relative) from rounding alone.
_LOSS_SLACK = 1e-12
# End points whose certified duality gap exceeds max(_GAP_FACTOR * tol, _GAP_FLOOR) fail.
_GAP_FACTOR = 10.0
_GAP_FLOOR = 1e-8
# Below this, epsilon is within a few hundred ulps of a loss near 1: the level set cannot
# be resolved in float64 (ranges of width ~sqrt(epsilon)); errors then say so.
_TINY_EPSILON = 1e-12
# Row label of the intercept in LogisticLevelSet.coef_table().
_INTERCEPT_LABEL = "(intercept)"


class LevelSetSolveError(RuntimeError):
    """A convex solve behind :class:`LogisticLevelSet` failed; no number is returned.

    Attributes
    ----------
    rows : ndarray of int
        Positions (in the caller's ``X``) of the rows whose solves failed; one position
        per distinct failing feature vector. For the coefficient ranges
        (:attr:`LogisticLevelSet.coef_range_`), the positions of the failing coefficients,
        with ``n_features_in_`` standing for the intercept.
    reasons : list of str
        Why each of those solves failed.
    """

    def __init__(self, message: str, rows: NDArray[np.intp], reasons: list[str]) -> None:
        super().__init__(message)
        self.rows = rows
        self.reasons = reasons


class ProbabilisticDiscrepancyBounds(NamedTuple):
    """Bounds on the delta-discrepancy of a :class:`LogisticLevelSet`.

    ``lower`` is attained by the model ``coef``, ``intercept`` (a member of the level set),
    so it is a certified lower bound; ``upper`` is the delta-ambiguity, which no single
    model can exceed. The exact discrepancy lies in ``[lower, upper]``.
    """

    lower: float
    upper: float
    coef: NDArray[np.float64]
    intercept: float


def _listing(labels: list[str], reasons: list[str]) -> tuple[str, str]:
    """The first five failures as ``"label (reason), ..."`` and ``" and k more"``."""
    shown = ", ".join(f"{a} ({w})" for a, w in zip(labels[:5], reasons[:5], strict=True))
    more = f" and {len(labels) - 5} more" if len(labels) > 5 else ""
    return shown, more


class LogisticLevelSet(ClassifierMixin, BaseEstimator):
    """Exact viable prediction ranges over the level set of L2-regularised logistic regression.

    The baseline ``w0`` minimises scikit-learn's ``LogisticRegression`` objective (L2
    penalty, inverse strength ``C``), rescaled here as the mean log loss plus a ridge term:

    ``L(w, b) = mean_i log(1 + exp(-s_i (w . x_i + b))) + ||w||^2 / (2 C n)``

    with ``s_i = +1`` for ``classes_[1]`` and ``-1`` otherwise, and the intercept ``b`` not
    penalised. The level set is ``{(w, b) : L(w, b) <= L(w0, b0) + epsilon}`` (absolute
    epsilon). For each row ``x``, :meth:`viable_prediction_range` returns the smallest and
    largest ``P(y = classes_[1] | x)`` over the level set: two convex programs, solved to a
    certified duality gap below ``tol`` by Newton's method (see Notes).

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength, > 0, as in
        :class:`~sklearn.linear_model.LogisticRegression`.
    epsilon : float, default=0.01
        Rashomon parameter, >= 0: models whose loss ``L`` is within ``epsilon`` of the
        baseline's belong to the set. ``epsilon=0`` collapses every range to the baseline.
        Values below about ``1e-13`` are under the float64 resolution of the loss, and
        the range solves then report a failure rather than guess.
    fit_intercept : bool, default=True
        Whether the models have an (unpenalised) intercept.
    tol : float, default=1e-10
        Largest duality gap allowed on each end point, in units of the margin ``w . x + b``
        (so end-point probabilities are within ``tol / 4`` of the exact ones).
    max_iter : int, default=100
        Iteration limit of each Newton solve and of each search for an end point.
        A solve that reaches it raises :class:`LevelSetSolveError` naming the row.
    n_jobs : int, default=None
        Numba threads for the range computations (``None``: the current setting, ``-1``:
        all cores).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two class labels; probabilities are for ``classes_[1]``.
    coef_ : ndarray of shape (1, n_features)
        Coefficients of the baseline model (those of ``LogisticRegression(C=C)`` solved
        to convergence, e.g. with ``solver="newton-cholesky", tol=1e-12``).
    intercept_ : ndarray of shape (1,)
        Intercept of the baseline model (0 when ``fit_intercept=False``).
    baseline_loss_ : float
        ``L(w0, b0)``, the smallest value of the objective.
    threshold_ : float
        ``baseline_loss_ + epsilon``: the largest loss in the set.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a DataFrame ``X`` (only then).
    n_iter_ : int
        Newton iterations of the baseline fit.
    n_distinct_rows_ : int
        Number of distinct feature vectors in the training data.
    coef_range_ : ndarray of shape (n_features, 2)
        Smallest (column 0) and largest (column 1) value of each coefficient ``w_j`` over
        the level set: two convex programs per coefficient (minimise and maximise
        ``theta_j``), solved like the end points of :meth:`viable_prediction_range`, to a
        certified duality gap below ``tol``. ``coef_[0]`` lies between them.
    intercept_range_ : ndarray of shape (2,)
        Smallest and largest intercept over the level set (``[0, 0]`` when
        ``fit_intercept=False``).
    sign_stable_ : ndarray of shape (n_features,), dtype bool
        Whether every model in the level set gives ``w_j`` the same strict sign: the
        certified lower bound of the range is above 0 or its certified upper bound below
        0. A range with an end point at 0 (or within the solver's duality gap of 0) is not
        sign stable, so neither is a coefficient that is 0 at ``epsilon = 0``.

    The last three are computed on first access, with the current ``tol``, ``max_iter``
    and ``n_jobs``, and cached until the next :meth:`fit` (a cached property): ``2
    (n_features + 1)`` convex programs, each costing a few dozen Newton steps. A failed
    solve raises :class:`LevelSetSolveError` naming the coefficients.

    See Also
    --------
    multiplicity.metrics.probabilistic_ambiguity, multiplicity.metrics.viable_prediction_range

    Notes
    -----
    Watson-Daniels, Parkes & Ustun (2023), "Predictive Multiplicity in Probabilistic
    Classification", AAAI. Because the sigmoid is increasing, the extreme probabilities at
    ``x`` come from the extreme margins ``min / max (w . x + b)`` subject to the convex
    constraint ``L <= L0 + epsilon``. The solver searches over the margin value ``a``:
    ``h(a) = min {L : w . x + b = a}`` is convex and is computed by equality-constrained
    Newton steps (the Hessian is positive definite and ``L`` is coercive). Newton's method
    on ``h(a) = L0 + epsilon`` then finds the end point. The baseline is strictly feasible
    (Slater's condition holds for ``epsilon > 0``), so there is no duality gap. The
    multiplier of the line constraint certifies each end point to within ``tol`` by weak
    duality, and each witness model is checked to lie in
    the set. Training and query data are compressed to distinct rows first.

    Memory: :meth:`fit` keeps the distinct training rows, ``O(n_distinct_train *
    n_features)``. :meth:`viable_prediction_range` uses ``O(n_distinct * n_features)`` for
    the distinct query rows and their two witness models each, plus ``O(n_features ** 2)``
    per thread, and ``O(n_samples * n_features)`` when witnesses are returned per row. Each
    Newton step costs ``O(n_distinct_train * n_features ** 2)``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=100, n_features=3, n_redundant=0, random_state=0)
    >>> X = X.round()  # 59 distinct rows: each is solved once
    >>> lls = LogisticLevelSet(C=1.0, epsilon=0.01).fit(X, y)
    >>> lls.viable_prediction_range(X[:3]).round(3)
    array([[0.02 , 0.245],
           [0.133, 0.325],
           [0.99 , 1.   ]])
    >>> lls.predict_proba(X[:3])[:, 1].round(3)
    array([0.08 , 0.218, 0.998])
    >>> lls.probabilistic_ambiguity(X, delta=0.1)
    0.49
    >>> lls.coef_range_.round(3)
    array([[ 1.681,  2.811],
           [-0.164,  0.665],
           [ 0.074,  0.807]])
    >>> lls.sign_stable_
    array([ True, False,  True])
    """

    def __init__(self, C: float = 1.0, epsilon: float = 0.01, *, fit_intercept: bool = True,
                 tol: float = 1e-10, max_iter: int = 100, n_jobs: int | None = None) -> None:
        self.C = C
        self.epsilon = epsilon
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> float:
        C = self.C
        if isinstance(C, bool) or not isinstance(C, numbers.Real) or not (
                np.isfinite(C) and C > 0):
            raise ValueError(f"C must be a finite real number > 0, got {C!r}")
        eps = check_epsilon(self.epsilon, "absolute")
        tol = self.tol
        if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not (
                np.isfinite(tol) and tol > 0):
            raise ValueError(_errors.TOL_POSITIVE.format(tol))
        it = self.max_iter
        if isinstance(it, bool) or not isinstance(it, numbers.Integral) or it < 1:
            raise ValueError(_errors.MAX_ITER_POSITIVE.format(it))
        if not isinstance(self.fit_intercept, bool | np.bool_):
            raise TypeError(f"fit_intercept must be a bool, got {self.fit_intercept!r}")
        return eps

    def _design(self, X: NDArray[np.float64]) -> NDArray[np.float64]:
        """Distinct-row design matrix: X, with a column of ones if there is an intercept."""
        if self.fit_intercept:
            X = np.hstack([X, np.ones((X.shape[0], 1))])
        return np.ascontiguousarray(X, dtype=np.float64)

    def _check_fitted(self) -> None:
        check_is_fitted(self)
        if (self.C, self.epsilon, self.fit_intercept) != self._fitted_with:
            raise ValueError("C, epsilon or fit_intercept changed since fit (fitted with "
                             f"C, epsilon, fit_intercept = {self._fitted_with}); call fit again")

    def _validate_X(self, X: Any) -> NDArray[np.float64]:
        self._check_fitted()
        check_numeric_X(X, dense_for="LogisticLevelSet")
        return validate_data(self, X, dtype=np.float64, reset=False)

    # ------------------------------------------------------------------ fitting
    def fit(self, X: ArrayLike, y: ArrayLike) -> LogisticLevelSet:
        """Fit the baseline model and store the compressed training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features (no NaN or infinity).
        y : array-like of shape (n_samples,)
            Labels of any type, exactly two classes.

        Returns
        -------
        self : LogisticLevelSet
            Fitted estimator.

        Raises
        ------
        ValueError
            Non-numeric or non-finite X, a y with fewer or more than two classes, ``C <= 0``,
            ``epsilon < 0``.
        LevelSetSolveError
            The Newton solve for the baseline did not converge.

        Examples
        --------
        >>> lls = LogisticLevelSet(C=1.0).fit([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
        >>> lls.coef_.round(4), lls.intercept_.round(4)
        (array([[0.4529]]), array([-0.6793]))
        """
        self.__dict__.pop("_parameter_ranges", None)  # the cache of the last fit
        eps = self._check_params()
        check_numeric_X(X, dense_for="LogisticLevelSet")
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        classes = np.unique(y)
        if classes.size < 2:
            raise ValueError(f"y has one class ({classes[0]!r}); LogisticLevelSet needs "
                             "exactly two classes")
        if classes.size > 2:
            raise ValueError(f"Only binary classification is supported: y has {classes.size} "
                             "classes; LogisticLevelSet needs exactly two")
        positive = (y == classes[1]).astype(np.float64)
        Xu, inverse = np.unique(X, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        n_pos = np.bincount(inverse, weights=positive, minlength=Xu.shape[0])
        n_neg = np.bincount(inverse, minlength=Xu.shape[0]) - n_pos
        Z = self._design(Xu)
        n = X.shape[0]
        inv_n, reg, n_pen = 1.0 / n, 1.0 / (float(self.C) * n), X.shape[1]
        theta, loss, status, n_iter = _kernels._fit_baseline(
            Z, n_pos, n_neg, inv_n, reg, n_pen, np.zeros(Z.shape[1]), int(self.max_iter))
        if status != _kernels.OK:
            raise LevelSetSolveError(
                f"the baseline fit failed: {_kernels.STATUS_TEXT[status]} (after {n_iter} "
                "Newton iterations)", np.arange(0), [_kernels.STATUS_TEXT[status]])
        self.classes_ = classes
        self.coef_ = theta[None, :n_pen].copy()
        self.intercept_ = np.array([theta[n_pen] if self.fit_intercept else 0.0])
        self.baseline_loss_ = float(loss)
        self.threshold_ = float(loss) + eps
        self.n_iter_ = int(n_iter)
        self.n_distinct_rows_ = int(Xu.shape[0])
        self._data = (Z, n_pos, n_neg, inv_n, reg, n_pen)
        self._theta0 = theta
        self._eps = eps
        self._fitted_with = (self.C, self.epsilon, self.fit_intercept)
        return self

    # ------------------------------------------------------------------ baseline
    def decision_function(self, X: ArrayLike) -> NDArray[np.float64]:
        """Margin ``w0 . x + b0`` of the baseline model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.

        Returns
        -------
        ndarray of shape (n_samples,)
            Positive values favour ``classes_[1]``.

        Examples
        --------
        >>> lls = LogisticLevelSet().fit([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
        >>> lls.decision_function([[1.5]]).shape
        (1,)
        """
        X = self._validate_X(X)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Class probabilities of the baseline model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Columns in the order of ``classes_``.

        Examples
        --------
        >>> lls = LogisticLevelSet().fit([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
        >>> float(lls.predict_proba([[1.5]]).sum())
        1.0
        """
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: ArrayLike) -> NDArray:
        """Class labels of the baseline model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.

        Returns
        -------
        ndarray of shape (n_samples,)
            ``classes_[1]`` where the margin is positive, else ``classes_[0]``.

        Examples
        --------
        >>> lls = LogisticLevelSet().fit([[0.0], [1.0], [2.0], [3.0]], ["a", "b", "a", "b"])
        >>> lls.predict([[3.0]]).tolist()
        ['b']
        """
        margin = self.decision_function(X)
        return self.classes_[(margin > 0).astype(np.intp)]

    # ------------------------------------------------------------------ ranges
    def _solve(self, X: ArrayLike):
        """Solve on the distinct rows of X.

        Returns ``(Q, inverse, W, p0)``: the distinct design rows, the map from the caller's
        rows to them, the witnesses ``W`` of shape (n_distinct, 2, n_params) and the baseline
        probabilities ``p0`` of the distinct rows.
        """
        X = self._validate_X(X)
        Xu, first, inverse = np.unique(X, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        Q = self._design(Xu)
        Z, n_pos, n_neg, inv_n, reg, n_pen = self._data
        with numba_threads(self.n_jobs):
            W, status, loss, gap, _n_newton = _kernels._prediction_ranges(
                Z, n_pos, n_neg, inv_n, reg, n_pen, Q, self._theta0, self.baseline_loss_,
                self._eps, float(self.tol), int(self.max_iter))
        bad, reasons = self._failures(status, loss, gap)
        if bad.size:
            order = np.argsort(first[bad], kind="stable")  # in the caller's row order
            rows = first[bad[order]]
            reasons = [reasons[k] for k in order]
            shown, more = _listing([f"row {i}" for i in rows], reasons)
            raise LevelSetSolveError(
                f"{rows.size} distinct row(s) could not be solved: {shown}{more}. "
                f"{self._failure_hint()}", rows, reasons)
        return Q, inverse, W, expit(Q @ self._theta0)

    def _failures(self, status: NDArray[np.int64], loss: NDArray[np.float64],
                  gap: NDArray[np.float64]) -> tuple[NDArray[np.intp], list[str]]:
        """The problems (rows of the kernel's output) with a failed end point, and why.

        Every witness must lie in the set (up to rounding of the loss) and every end point
        must carry a small certified duality gap.
        """
        why = {int(k): v for k, v in _kernels.STATUS_TEXT.items()}
        outside = loss > self.threshold_ + _LOSS_SLACK * max(1.0, abs(self.threshold_))
        loose = gap > max(_GAP_FACTOR * float(self.tol), _GAP_FLOOR)
        ok = (status == _kernels.OK) & ~outside & ~loose
        bad = np.flatnonzero(~ok.all(axis=1))
        reasons = []
        for r in bad:
            sides = []
            for side in (0, 1):
                name = ("min", "max")[side]
                if status[r, side] != _kernels.OK:
                    sides.append(f"{name}: {why[int(status[r, side])]}")
                elif outside[r, side]:
                    sides.append(f"{name}: the witness has loss {loss[r, side]!r} above "
                                 f"the threshold {self.threshold_!r}")
                elif loose[r, side]:
                    sides.append(f"{name}: duality gap {gap[r, side]:.3g} above tol")
            reasons.append("; ".join(sides))
        return bad, reasons

    def _failure_hint(self) -> str:
        if self._eps >= _TINY_EPSILON:
            return "Try a larger max_iter or a smaller epsilon."
        return (f"epsilon = {self._eps!r} is close to the float64 resolution of the loss; "
                f"use epsilon = 0 or >= {_TINY_EPSILON:g}.")

    @staticmethod
    def _ranges_of(Q, W, p0):
        """(n_distinct, 2) probability ranges from the witnesses, forced to contain p0."""
        m = np.einsum("rsp,rp->rs", W, Q)
        return np.column_stack([np.minimum(expit(m[:, 0]), p0), np.maximum(expit(m[:, 1]), p0)])

    def viable_prediction_range(self, X: ArrayLike, return_witnesses: bool = False):
        """Smallest and largest ``P(y = classes_[1] | x)`` over the level set, per row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features. Duplicate rows are solved once.
        return_witnesses : bool, default=False
            Also return the models that attain the two end points.

        Returns
        -------
        ranges : ndarray of shape (n_samples, 2)
            Column 0 the minimum, column 1 the maximum probability; the baseline's
            probability lies between them.
        coef : ndarray of shape (n_samples, 2, n_features)
            Only if ``return_witnesses``: coefficients of the minimising (``[:, 0]``) and
            maximising (``[:, 1]``) models.
        intercept : ndarray of shape (n_samples, 2)
            Only if ``return_witnesses``: their intercepts.

        Raises
        ------
        LevelSetSolveError
            If a solve fails; the error lists the rows and the reasons.

        Examples
        --------
        >>> lls = LogisticLevelSet(epsilon=0.05).fit([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
        >>> lo, hi = lls.viable_prediction_range([[0.0]])[0]
        >>> bool(lo < lls.predict_proba([[0.0]])[0, 1] < hi)
        True
        """
        Q, inverse, W, p0 = self._solve(X)
        ranges = self._ranges_of(Q, W, p0)[inverse]
        if not return_witnesses:
            return ranges
        n_pen = self.n_features_in_
        coef = W[inverse, :, :n_pen]
        intercept = W[inverse, :, n_pen] if self.fit_intercept else np.zeros((inverse.size, 2))
        return ranges, coef, intercept

    def probabilistic_ambiguity(self, X: ArrayLike, delta: float = 0.1) -> float:
        """Share of rows whose probability some model in the set moves by at least ``delta``.

        Exact: a row counts when ``max(hi - p0, p0 - lo) >= delta`` for its viable range
        ``[lo, hi]`` and baseline probability ``p0`` (gaps within ``1e-12`` of ``delta``
        count, as in :func:`multiplicity.metrics.probabilistic_ambiguity`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features; duplicates count once per occurrence.
        delta : float, default=0.1
            Threshold in ``(0, 1]``.

        Returns
        -------
        float
            Value in ``[0, 1]``.

        Examples
        --------
        >>> lls = LogisticLevelSet(epsilon=0.0).fit([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
        >>> lls.probabilistic_ambiguity([[0.0], [3.0]], delta=0.01)
        0.0
        """
        d = check_delta(delta)
        Q, inverse, W, p0 = self._solve(X)
        ranges = self._ranges_of(Q, W, p0)
        moved = np.maximum(ranges[:, 1] - p0, p0 - ranges[:, 0]) >= d - DELTA_SLACK
        return float(np.count_nonzero(moved[inverse]) / inverse.size)

    def probabilistic_discrepancy(self, X: ArrayLike, delta: float = 0.1
                                  ) -> ProbabilisticDiscrepancyBounds:
        """Bounds on the largest share of rows that one model in the set moves by ``delta``.

        The exact delta-discrepancy is a maximisation over the level set of a count (not
        a convex problem), so it is bracketed: every witness model of
        :meth:`viable_prediction_range` is a member of the set, and the best of them gives a
        certified ``lower`` bound (with that model returned); the delta-ambiguity is the
        ``upper`` bound.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features; duplicates count once per occurrence.
        delta : float, default=0.1
            Threshold in ``(0, 1]`` (``>=``, as in :meth:`probabilistic_ambiguity`).

        Returns
        -------
        ProbabilisticDiscrepancyBounds
            Named tuple ``(lower, upper, coef, intercept)``; ``coef`` of shape
            ``(n_features,)`` and ``intercept`` describe the model attaining ``lower``
            (the baseline when no witness moves any row).

        Examples
        --------
        >>> lls = LogisticLevelSet(epsilon=0.05).fit([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
        >>> b = lls.probabilistic_discrepancy([[0.0], [3.0]], delta=0.05)
        >>> bool(0.0 <= b.lower <= b.upper <= 1.0)
        True
        """
        d = check_delta(delta)
        Q, inverse, W, p0 = self._solve(X)
        counts = np.bincount(inverse, minlength=Q.shape[0]).astype(np.float64)
        n = inverse.size
        ranges = self._ranges_of(Q, W, p0)
        moved_any = np.maximum(ranges[:, 1] - p0, p0 - ranges[:, 0]) >= d - DELTA_SLACK
        upper = float(counts[moved_any].sum() / n)
        cands = W.reshape(-1, Q.shape[1])
        best, best_k = 0.0, -1
        step = max(1, _BLOCK_VALUES // max(1, Q.shape[0]))
        for start in range(0, cands.shape[0], step):
            P = expit(cands[start:start + step] @ Q.T)
            moved = np.abs(P - p0) >= d - DELTA_SLACK
            shares = (moved @ counts) / n
            k = int(np.argmax(shares))
            if shares[k] > best:
                best, best_k = float(shares[k]), start + k
        theta = self._theta0 if best_k < 0 else cands[best_k]
        n_pen = self.n_features_in_
        # A witness lies in the set, so it cannot move more rows than the ranges allow;
        # max() only absorbs end points that differ by the solver tolerance.
        upper = max(upper, best)
        intercept = float(theta[n_pen]) if self.fit_intercept else 0.0
        return ProbabilisticDiscrepancyBounds(best, upper, theta[:n_pen].copy(), intercept)

    # ------------------------------------------------------------------ coefficients
    @cached_property
    def _parameter_ranges(self) -> tuple[NDArray[np.float64], NDArray[np.bool_],
                                         NDArray[np.float64]]:
        """Ranges of every parameter ``theta_j`` over the level set, computed once per fit.

        Minimising and maximising ``e_j . theta`` is the problem behind
        :meth:`viable_prediction_range` with the unit vector ``e_j`` as the query row (the
        last one, with an intercept, being the intercept's). Returns ``(ranges, stable,
        W)``: ranges of shape (n_params, 2), forced to contain ``theta0``; whether the
        certified bounds (end point minus / plus its duality gap) exclude 0; the witnesses
        of shape (n_params, 2, n_params).
        """
        self._check_fitted()
        Z, n_pos, n_neg, inv_n, reg, n_pen = self._data
        p = Z.shape[1]
        with numba_threads(self.n_jobs):
            W, status, loss, gap, _n_newton = _kernels._prediction_ranges(
                Z, n_pos, n_neg, inv_n, reg, n_pen, np.eye(p), self._theta0,
                self.baseline_loss_, self._eps, float(self.tol), int(self.max_iter))
        bad, reasons = self._failures(status, loss, gap)
        if bad.size:
            names = self._parameter_names()
            shown, more = _listing([names[j] for j in bad], reasons)
            raise LevelSetSolveError(_errors.COEF_RANGE_FAILED.format(
                count=bad.size, shown=shown, more=more, hint=self._failure_hint()),
                bad, reasons)
        j = np.arange(p)
        ranges = np.column_stack([np.minimum(W[j, 0, j], self._theta0),
                                  np.maximum(W[j, 1, j], self._theta0)])
        stable = (ranges[:, 0] - gap[:, 0] > 0.0) | (ranges[:, 1] + gap[:, 1] < 0.0)
        return ranges, stable, W

    def _parameter_names(self) -> list[str]:
        """Feature names (``x0``, ``x1``, ... without a DataFrame), then the intercept's."""
        names = getattr(self, "feature_names_in_", None)
        names = ([str(c) for c in names] if names is not None
                 else [f"x{j}" for j in range(self.n_features_in_)])
        return [*names, _INTERCEPT_LABEL] if self.fit_intercept else names

    @property
    def coef_range_(self) -> NDArray[np.float64]:
        """Smallest and largest value of each coefficient over the level set.

        Computed on first access and cached until the next :meth:`fit`; see the class
        docstring.
        """
        self._check_fitted()  # the cache belongs to the fitted parameters
        return self._parameter_ranges[0][:self.n_features_in_].copy()

    @property
    def intercept_range_(self) -> NDArray[np.float64]:
        """Smallest and largest intercept over the level set (``[0, 0]`` without one)."""
        self._check_fitted()  # the cache belongs to the fitted parameters
        if not self.fit_intercept:
            return np.zeros(2)
        return self._parameter_ranges[0][-1].copy()

    @property
    def sign_stable_(self) -> NDArray[np.bool_]:
        """Whether every model in the level set agrees on the strict sign of a coefficient."""
        self._check_fitted()  # the cache belongs to the fitted parameters
        return self._parameter_ranges[1][:self.n_features_in_].copy()

    def coef_table(self) -> pd.DataFrame:
        """Baseline coefficients with their ranges over the level set, one row per feature.

        Returns
        -------
        pandas.DataFrame
            Indexed by feature name (``feature_names_in_`` when fitted on a DataFrame,
            else ``x0``, ``x1``, ...), then ``"(intercept)"`` when ``fit_intercept``; the
            index is named ``feature``. Columns ``estimate`` (the baseline's ``coef_`` and
            ``intercept_``), ``low`` and ``high`` (:attr:`coef_range_`,
            :attr:`intercept_range_`) and ``sign_stable`` (:attr:`sign_stable_`, and the
            same test for the intercept).

        Raises
        ------
        LevelSetSolveError
            If a range could not be solved; the error names the coefficients.

        Examples
        --------
        >>> import pandas as pd
        >>> X = pd.DataFrame({"age": [0.0, 1.0, 2.0, 3.0, 1.0],
        ...                   "priors": [1.0, 0.0, 0.0, 1.0, 1.0]})
        >>> lls = LogisticLevelSet(epsilon=0.01).fit(X, [0, 1, 0, 1, 1])
        >>> table = lls.coef_table()
        >>> table.index.tolist()
        ['age', 'priors', '(intercept)']
        >>> table.columns.tolist()
        ['estimate', 'low', 'high', 'sign_stable']
        >>> bool((table["low"] <= table["estimate"]).all())
        True
        """
        self._check_fitted()  # the cache belongs to the fitted parameters
        ranges, stable, _ = self._parameter_ranges
        estimate = self.coef_[0]
        if self.fit_intercept:
            estimate = np.append(estimate, self.intercept_[0])
        index = pd.Index(self._parameter_names(), name="feature")
        return pd.DataFrame({"estimate": estimate, "low": ranges[:, 0], "high": ranges[:, 1],
                             "sign_stable": stable}, index=index)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
