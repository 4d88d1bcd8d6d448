"""LinearMIPExplorer: exact ambiguity and discrepancy of linear classifiers by MIP.

Marx, Calmon & Ustun (2020), "Predictive Multiplicity in Classification", ICML. The
hypothesis class is every linear classifier ``h(x) = sign(w . x + b)``; the Rashomon set is
``S_eps = {h : R(h) <= R(h0) + eps}`` with ``R`` the training 0-1 error and ``h0`` a 0-1
minimiser. The design (data compression, margin, weight box, the verification step and
how each point is settled) is documented in ``docs/linear_mip.md``.

This module holds the estimator. The search it runs is split by job: ``_mip_data`` (error
budget, column reduction, parallelogram cuts), ``_mip_search`` (the point bookkeeping and
heuristics both searches share), ``_mip_bigm`` with ``_mip_problem`` (big-M MIPs in cvxpy)
and ``_mip_benders`` with ``_benders`` (the Benders master in HiGHS).
"""

from __future__ import annotations

import time
import warnings
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from joblib import effective_n_jobs
from numpy.typing import ArrayLike, NDArray
from pandas.api.types import is_bool_dtype, is_numeric_dtype
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import _errors
from .._checks import check_classification_target, check_epsilon
from ._mip_benders import _BendersSearch
from ._mip_bigm import _BigMSearch
from ._mip_data import _reduce_columns, error_budget, parallelogram_cuts
from ._mip_problem import _Problem, check_mip_solver  # noqa: F401  # tests stub _Problem
from ._mip_search import (
    _FLIP_HEUR,
    _FLIP_MIP,
    _STATUS_NAMES,
    _UNRES_TIME,
    _UNRES_VERIFY,
    LinearWitness,
    _State,
)
from ._set import RashomonSet

__all__ = ["LinearMIPExplorer", "LinearWitness", "MIPNotExactWarning"]

# Settings of the search: weights of the flipped target point in the per-point logistic
# heuristic, as shares of n; parallelogram cuts kept in the big-M MIPs (see
# ``_mip_problem._select_cuts``), and the seconds after which a point MIP on them is
# solved again with every cut.
_TARGET_WEIGHTS = (0.02, 0.2)
_KEEP_CUTS = 10_000
_ESCALATE_SECONDS = 5.0


class MIPNotExactWarning(UserWarning):
    """A MIP stopped at its time limit: the result is a bound, not an exact value."""



class LinearMIPExplorer(ClassifierMixin, BaseEstimator):
    """Exact ambiguity and discrepancy of linear classifiers under the 0-1 loss, by MIP.

    ``fit(X, y)`` finds a 0-1-loss minimiser ``h0`` among all linear classifiers
    ``h(x) = sign(w . x + b)`` (or takes ``baseline``), and over the Rashomon set
    ``S_eps = {h linear : R(h) <= R(h0) + epsilon}`` (``R`` the training error rate,
    ``epsilon`` absolute, so ``floor(epsilon * n)`` extra mistakes) computes

    - the ambiguity: the share of training points that some ``h`` in ``S_eps`` classifies
      differently from ``h0``, and
    - the discrepancy: the largest share that a single ``h`` in ``S_eps`` flips,

    with a verified linear model for every flip found (Marx, Calmon & Ustun 2020).

    Parameters
    ----------
    epsilon : float, default=0.01
        Absolute excess training error rate allowed in the set, >= 0.
    margin : float, default=1e-4
        ``method="big-m"`` only: the margin ``gamma`` of the big-M encoding, in internal
        units (features scaled to [0, 1], weights in [-1, 1]). Those MIPs see every
        dichotomy that a linear classifier realises with normalised margin >= ``margin``;
        see Notes. The Benders search needs no margin.
    time_limit : float, default=None
        Seconds allowed to each search (the baseline, each point, the discrepancy; None: no
        limit). A point whose search stops at the limit is reported as unresolved
        (``unresolved_``) and the ambiguity as bounds.
    solver : str, default="HIGHS"
        ``method="big-m"`` only: the cvxpy mixed-integer solver (HiGHS ships with cvxpy;
        "SCIPY" is HiGHS through scipy). The Benders search always runs HiGHS through
        ``highspy``; another solver with it raises ``ValueError``.
    baseline : fitted classifier, default=None
        Reference model ``h0`` (anything with ``predict`` and the same two classes); None
        finds a 0-1-loss minimiser by MIP.
    n_jobs : int, default=None
        ``method="big-m"`` only: worker processes for the per-point MIPs (joblib; None
        means 1 unless inside a ``joblib.parallel_config`` context, -1 all cores). The
        Benders search is sequential, because every point reuses the cuts learnt on the
        points before it.
    verbose : bool, default=False
        Print progress (one line per stage and per point search).
    method : {"benders", "big-m"}, default="benders"
        "benders": a combinatorial Benders search over labellings of the distinct points
        (exact, no margin, no weight bound; see Notes). "big-m": one big-M MIP per question
        through cvxpy, exact up to ``margin``.

    Attributes
    ----------
    baseline_ : classifier
        ``h0``: the given ``baseline`` or a :class:`LinearWitness`.
    baseline_error_ : float
        Training error rate of ``h0``.
    baseline_optimal_ : bool
        Whether ``h0`` is a proven 0-1 minimiser (False for a given baseline that is not, or
        when the baseline MIP hit its time limit).
    error_budget_ : int
        Largest number of training mistakes allowed in ``S_eps``.
    ambiguity_ : float
        Share of training rows flipped by some verified member of ``S_eps`` (the lower
        bound of ``ambiguity_bounds_``; exact when the bounds agree).
    ambiguity_bounds_ : tuple of float
        ``(lower, upper)``; ``upper`` adds the rows of unresolved points.
    discrepancy_ : float
        Largest share of rows one verified member flips (lower bound of
        ``discrepancy_bounds_``).
    discrepancy_bounds_ : tuple of float
    is_exact_ : bool
        Whether both bounds closed (for ``method="big-m"`` up to the margin, see Notes).
    flipped_ : ndarray of bool, shape (n_samples,)
        Rows some verified member of ``S_eps`` classifies differently from ``h0``.
    unresolved_ : ndarray of bool, shape (n_samples,)
        Rows whose point could be settled neither way within ``time_limit``.
    point_status_ : ndarray of str, shape (n_samples,)
        How each row's point was settled: "flipped (heuristic)", "flipped (MIP)",
        "not flipped (bound)", "not flipped (MIP)", "unresolved (time limit)" or
        "unresolved (verification)".
    flipping_models_ : list of LinearWitness
        Verified members of ``S_eps`` that together flip every row of ``flipped_``; the
        first one attains ``discrepancy_``.
    flipping_errors_ : ndarray of int
        Training mistakes of each flipping model (all <= ``error_budget_``).
    rashomon_set_ : RashomonSet
        ``h0`` followed by the flipping models (property).
    solve_stats_ : dict
        Counts (distinct points, searches by kind and status, points settled by heuristics
        and by bounds; for Benders the master solves, Radon cuts and parallelograms used)
        and seconds per stage.
    classes_ : ndarray of shape (2,)
    n_features_in_ : int

    See Also
    --------
    RetrainingExplorer : Sampled (lower-bound) Rashomon sets of any learner.

    Notes
    -----
    The data are compressed to distinct feature vectors with counts of each label; one
    binary ``p_k`` per distinct vector says which side of the hyperplane it is on.

    ``method="benders"`` searches over the labellings ``p`` directly: a 0-1 master
    program in HiGHS (errors and flips are linear in ``p``) holds cuts that every strictly
    separable labelling satisfies (parallelograms ``x_a + x_b = x_c + x_d`` found in the
    data, and Radon partitions learnt on the way); each master solution is tested for
    strict separability by a Farkas LP. A separable optimum is the exact answer, with a
    max-margin witness checked in floating point; otherwise the LP's Radon support is
    checked in rational arithmetic and cut off. An infeasible master proves a point
    unflippable. Nothing depends on a margin or a weight bound. Memory: the master grows by
    one row per cut (thousands of short rows on COMPAS).

    ``method="big-m"`` writes the separability into each MIP, with
    ``w . z_k + b >= gamma`` when ``p_k = 1`` and ``<= -gamma`` when ``p_k = 0`` (big-M
    ``M_k = gamma + ||z_k||_1 + B``). Features are scaled to [0, 1] and affinely redundant
    columns dropped, weights are boxed to ``|w_j| <= 1`` and ``|b| <= B = max_k ||z_k||_1 +
    gamma``. Any dichotomy realised by a hyperplane whose margin, after scaling ``w`` to
    ``max_j |w_j| = 1``, is at least ``gamma`` is feasible; dichotomies that need a smaller
    margin are missed (a conservative error: ambiguity and discrepancy can only be
    under-stated by them). Every solution is verified by recomputing its predictions in
    floating point on the training data; only verified models count.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(9.0).reshape(-1, 1)
    >>> y = np.array([0, 0, 0, 1, 1, 0, 1, 1, 1])
    >>> mip = LinearMIPExplorer(epsilon=0.12).fit(X, y)
    >>> round(mip.baseline_error_, 3), mip.error_budget_  # 1 mistake; 1 more allowed
    (0.111, 1)
    >>> round(mip.ambiguity_, 3), round(mip.discrepancy_, 3), mip.is_exact_
    (0.444, 0.333, True)
    >>> mip.flipped_
    array([False, False,  True,  True,  True,  True, False, False, False])
    >>> len(mip.rashomon_set_) == 1 + len(mip.flipping_models_)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "margin": [Interval(Real, 0, 1, closed="neither")],
        "time_limit": [Interval(Real, 0, None, closed="neither"), None],
        "solver": [str],
        "baseline": "no_validation",
        "n_jobs": [Integral, None],
        "verbose": ["boolean"],
        "method": [StrOptions({"benders", "big-m"})],
    }

    def __init__(self, epsilon: float = 0.01, margin: float = 1e-4,
                 time_limit: float | None = None, solver: str = "HIGHS",
                 baseline: Any = None, n_jobs: int | None = None,
                 verbose: bool = False, method: str = "benders") -> None:
        self.epsilon = epsilon
        self.method = method
        self.margin = margin
        self.time_limit = time_limit
        self.solver = solver
        self.baseline = baseline
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: ArrayLike) -> LinearMIPExplorer:
        """Find ``h0``, every point some member of ``S_eps`` flips, and the discrepancy.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric training features.
        y : array-like of shape (n_samples,)
            Labels of exactly two classes.

        Returns
        -------
        self : LinearMIPExplorer

        Raises
        ------
        ValueError
            Non-numeric or non-finite features, fewer or more than two classes,
            ``epsilon < 0``, a solver that is not installed or not mixed-integer, a
            ``baseline`` with other classes.

        Warns
        -----
        MIPNotExactWarning
            When a MIP stopped at ``time_limit`` (results are then bounds).
        """
        t_start = time.perf_counter()
        check_epsilon(self.epsilon, "absolute")
        solver = check_mip_solver(self.solver)
        benders = self.method == "benders"
        if benders and solver != "HIGHS":
            raise ValueError(f"solver={self.solver!r} applies to method='big-m' only; "
                             "method='benders' always runs HiGHS through highspy")
        if hasattr(X, "dtypes") and hasattr(X, "columns"):
            bad = [str(dt) for dt in X.dtypes if not (is_numeric_dtype(dt) or is_bool_dtype(dt))]
            if bad:
                raise ValueError(_errors.NOT_NUMERIC.format(name="X", dtype=bad[0]))
        Xa = np.asarray(X) if not hasattr(X, "dtypes") else None
        if Xa is not None and Xa.dtype.kind not in "biuf":
            raise ValueError(_errors.NOT_NUMERIC.format(name="X", dtype=Xa.dtype))
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_min_samples=1,
                             y_numeric=False)
        y = check_classification_target(y)
        classes = np.unique(y)
        if classes.size != 2:
            if classes.size < 2:
                raise ValueError(f"y contains only one class ({classes[0]!r}); "
                                 "LinearMIPExplorer needs exactly two classes")
            raise ValueError(f"LinearMIPExplorer handles two classes, y has {classes.size}")
        self.classes_ = classes
        n = X.shape[0]
        ypos = y == classes[1]

        # -- compress to distinct feature vectors with label counts
        Xd, inv = np.unique(X, axis=0, return_inverse=True)
        inv = inv.ravel()
        K = Xd.shape[0]
        n_pos = np.bincount(inv, weights=ypos, minlength=K).astype(np.int64)
        n_all = np.bincount(inv, minlength=K).astype(np.int64)
        n_neg = n_all - n_pos
        Z, keep, lo, span = _reduce_columns(Xd)
        gamma = float(self.margin)
        B = float(Z.sum(axis=1).max(initial=0.0)) + gamma
        all_cuts = parallelogram_cuts(Xd)
        points = (Xd, Z, keep, lo, span, n_pos, n_neg, classes, B, all_cuts)
        common = {"n_samples": n, "verbose": self.verbose, "time_limit": self.time_limit}
        st: _State
        if benders:
            st = _BendersSearch(*points, **common)
        else:
            st = _BigMSearch(*points, **common, gamma=gamma, solver=solver,
                             keep_cuts=_KEEP_CUTS, escalate_seconds=_ESCALATE_SECONDS)
        stats = st.stats

        # -- baseline h0
        t0 = time.perf_counter()
        if self.baseline is not None:
            base_model = self.baseline
            check_is_fitted(base_model)
            if not np.array_equal(np.asarray(base_model.classes_), classes):
                raise ValueError(f"baseline has classes_ {list(base_model.classes_)}, y has "
                                 f"{list(classes)}")
            base_pos = np.asarray(base_model.predict(Xd)) == classes[1]
            e0 = int(np.sum(np.where(base_pos, n_neg, n_pos)))
            self.baseline_optimal_ = bool(e0 <= st.min_error_bound())
            coef = getattr(base_model, "coef_", None)
            if coef is not None and np.asarray(coef).size == Xd.shape[1] and Z.shape[1]:
                # the same direction in the internal coordinates, for the intercept sweep
                target = Xd @ np.asarray(coef, dtype=np.float64).ravel()
                A = np.hstack([Z, np.ones((K, 1))])
                st.base_dir = np.linalg.lstsq(A, target, rcond=None)[0][:-1]
        else:
            base_model, base_pos, e0, self.baseline_optimal_ = st.find_baseline()
        stats["seconds_baseline"] = time.perf_counter() - t0
        row_base = np.asarray(base_model.predict(X)) == classes[1]
        if not np.array_equal(row_base, base_pos[inv]):
            raise ValueError("baseline predicts differently on identical rows of X")
        self.baseline_ = base_model
        self.baseline_error_ = e0 / n
        self.error_budget_ = error_budget(e0, n, float(self.epsilon))
        st.set_baseline(base_pos, e0 + self.error_budget_)
        st.log(f"baseline: {e0} errors of {n} ({K} distinct points), budget "
               f"+{self.error_budget_}")

        # -- ambiguity: heuristics, bounds, then one MIP per remaining point
        t0 = time.perf_counter()
        st.heuristics(_TARGET_WEIGHTS)
        stats["seconds_heuristics"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        st.settle_points(effective_n_jobs(self.n_jobs))
        stats["seconds_point_mips"] = time.perf_counter() - t0
        # -- discrepancy: one MIP with every non-flippable point fixed to h0
        t0 = time.perf_counter()
        d_lo, d_hi = st.discrepancy()
        stats["seconds_discrepancy"] = time.perf_counter() - t0

        # -- final verification on the training rows
        self._finish(st, X, ypos, inv, n, d_lo, d_hi)
        stats.update(st.final_stats())
        stats["seconds_total"] = time.perf_counter() - t_start
        self.solve_stats_ = dict(stats)
        if not self.is_exact_:
            warnings.warn(
                f"LinearMIPExplorer: not every point was settled (searches stopped at "
                f"time_limit={self.time_limit}, or a solution failed verification); "
                f"ambiguity in [{self.ambiguity_bounds_[0]:.4f}, "
                f"{self.ambiguity_bounds_[1]:.4f}], discrepancy in "
                f"[{self.discrepancy_bounds_[0]:.4f}, {self.discrepancy_bounds_[1]:.4f}] "
                f"({int(self.unresolved_.sum())} rows unresolved, see point_status_)",
                MIPNotExactWarning, stacklevel=2)
        if not self.baseline_optimal_ and self.baseline is None:
            how = stats["mip_baseline"]
            why = ("stopped at time_limit" if how == "time_limit" else
                   f"ended with status {how!r}")
            warnings.warn(f"LinearMIPExplorer: the baseline search {why}; h0 is the best "
                          "model found, not a proven 0-1 minimiser",
                          MIPNotExactWarning, stacklevel=2)
        return self

    def _finish(self, st: _State, X: NDArray, y_rows_pos: NDArray, inv: NDArray, n: int,
                d_lo: int, d_hi: int) -> None:
        """Re-verify every witness on the training rows and set the fitted attributes."""
        classes = self.classes_
        base_rows = st.base_pos[inv]
        flipped = np.zeros(n, dtype=bool)
        models, errors = [], []
        order = sorted(range(len(st.witnesses)), key=lambda i: i != st.disc_index)
        for i in order:
            mdl = st.witnesses[i]
            pos = mdl.predict(X) == classes[1]
            err = int(np.sum(pos != y_rows_pos))
            if err > st.cap:  # pragma: no cover - verified on the distinct points already
                continue
            new = (pos != base_rows) & ~flipped
            if new.any() or i == st.disc_index:
                flipped |= pos != base_rows
                models.append(mdl)
                errors.append(err)
        status = st.status.copy()
        lost = np.isin(status, (_FLIP_HEUR, _FLIP_MIP)) & ~np.bincount(
            inv, weights=flipped, minlength=len(status)).astype(bool)
        status[lost] = _UNRES_VERIFY  # pragma: no cover - float disagreement, never seen
        unresolved_pt = np.isin(status, (_UNRES_TIME, _UNRES_VERIFY))
        self.flipped_ = flipped
        self.unresolved_ = unresolved_pt[inv]
        self.point_status_ = np.array(_STATUS_NAMES, dtype=object)[status][inv].astype(str)
        self.flipping_models_ = models
        self.flipping_errors_ = np.array(errors, dtype=np.int64)
        lo_rows = int(flipped.sum())
        hi_rows = lo_rows + int(self.unresolved_.sum())
        self.ambiguity_ = lo_rows / n
        self.ambiguity_bounds_ = (lo_rows / n, hi_rows / n)
        disc_rows = 0
        if st.disc_index is not None:
            pos = st.witnesses[st.disc_index].predict(X) == classes[1]
            disc_rows = int(np.sum(pos != base_rows))
        d_lo = max(d_lo, disc_rows)
        d_hi = max(min(d_hi, hi_rows), d_lo)
        self.discrepancy_ = d_lo / n
        self.discrepancy_bounds_ = (d_lo / n, d_hi / n)
        self.is_exact_ = bool(hi_rows == lo_rows and d_hi == d_lo)

    # --------------------------------------------------------------- after fit
    @property
    def rashomon_set_(self) -> RashomonSet:
        """``h0`` followed by the flipping models, as a :class:`RashomonSet`."""
        check_is_fitted(self, "flipping_models_")
        n = self.flipped_.shape[0]
        losses = [self.baseline_error_, *(self.flipping_errors_ / n)]
        return RashomonSet([self.baseline_, *self.flipping_models_], losses,
                           epsilon=float(self.epsilon), epsilon_mode="absolute",
                           baseline_index=0, loss="zero_one")

    def decision_function(self, X: ArrayLike) -> NDArray[np.float64]:
        """Decision values of ``h0`` (when it has ``decision_function``)."""
        check_is_fitted(self, "baseline_")
        return self.baseline_.decision_function(X)

    def predict(self, X: ArrayLike) -> NDArray:
        """Labels predicted by ``h0``."""
        check_is_fitted(self, "baseline_")
        return self.baseline_.predict(X)
