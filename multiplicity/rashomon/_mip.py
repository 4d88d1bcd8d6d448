"""LinearMIPExplorer: exact ambiguity and discrepancy of linear classifiers by MIP.

Marx, Calmon & Ustun (2020), "Predictive Multiplicity in Classification", ICML. The
hypothesis class is every linear classifier ``h(x) = sign(w . x + b)``; the Rashomon set is
``S_eps = {h : R(h) <= R(h0) + eps}`` with ``R`` the training 0-1 error and ``h0`` a 0-1
minimiser. The design (data compression, margin, weight box, the verification step and
how each point is settled) is documented in ``docs/linear_mip.md``.
"""

from __future__ import annotations

import math
import time
import uuid
import warnings
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from joblib import effective_n_jobs
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import _errors
from .._checks import check_classification_target, check_epsilon
from ._benders import LabellingMaster, _max_margin
from ._mip_kernels import _sweep_cuts
from ._set import _LOSS_SLACK, RashomonSet

__all__ = ["LinearMIPExplorer", "MIPNotExactWarning"]

# Relative tolerance of the rank test that drops affinely redundant feature columns.
_RANK_TOL = 1e-9
# Weights of the flipped target point in the per-point logistic heuristic, as shares of n.
_TARGET_WEIGHTS = (0.02, 0.2)
# Regularisation strengths of the logistic fits behind the baseline search.
_BASELINE_CS = (0.01, 0.1, 1.0, 10.0, 100.0)
# Parallelogram cuts: at most this many, and only for up to this many distinct points.
_MAX_CUTS = 200_000
_MAX_CUT_POINTS = 2_000
# Cuts kept in the MIPs (see _select_cuts); a point MIP that takes longer than
# _ESCALATE_SECONDS on them is solved again with every cut.
_KEEP_CUTS = 10_000
_ESCALATE_SECONDS = 5.0
# Per-point status codes (``point_status_`` holds the names).
_STATUS_NAMES = ("not flipped (bound)", "not flipped (MIP)", "flipped (heuristic)",
                 "flipped (MIP)", "unresolved (time limit)", "unresolved (verification)")
_NOT_BOUND, _NOT_MIP, _FLIP_HEUR, _FLIP_MIP, _UNRES_TIME, _UNRES_VERIFY = range(6)
_OPEN = -1


class MIPNotExactWarning(UserWarning):
    """A MIP stopped at its time limit: the result is a bound, not an exact value."""


# ----------------------------------------------------------------------- witnesses
class LinearWitness(ClassifierMixin, BaseEstimator):
    """A fixed linear classifier ``classes_[int(X @ coef_ + intercept_ > 0)]``.

    The baseline and the flipping models of :class:`LinearMIPExplorer` are of this type:
    already fitted (``fit`` is not meant to be called), with ``predict`` and
    ``decision_function`` as in scikit-learn's linear classifiers (a decision value of
    exactly 0 predicts ``classes_[0]``).

    Parameters
    ----------
    coef : array-like of shape (n_features,)
    intercept : float
    classes : array-like of shape (2,)
    """

    def __init__(self, coef: ArrayLike, intercept: float, classes: ArrayLike) -> None:
        self.coef = coef
        self.intercept = intercept
        self.classes = classes
        self.coef_ = np.asarray(coef, dtype=np.float64).reshape(1, -1)
        self.intercept_ = np.array([float(intercept)])
        self.classes_ = np.asarray(classes)
        self.n_features_in_ = self.coef_.shape[1]

    def fit(self, X: Any = None, y: Any = None) -> LinearWitness:
        """Do nothing (the model is fixed); returns ``self``."""
        return self

    def decision_function(self, X: ArrayLike) -> NDArray[np.float64]:
        """``X @ coef_ + intercept_`` of shape (n_samples,)."""
        X = np.asarray(X, dtype=np.float64)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict(self, X: ArrayLike) -> NDArray:
        """``classes_[1]`` where the decision value is > 0, else ``classes_[0]``."""
        return self.classes_[(self.decision_function(X) > 0).astype(np.intp)]


# ------------------------------------------------------------------------- helpers
def _import_cvxpy():
    try:
        import cvxpy as cp
    except ImportError as e:  # pragma: no cover - cvxpy is a dependency
        raise ImportError("LinearMIPExplorer needs cvxpy: pip install cvxpy highspy") from e
    return cp


def check_mip_solver(solver: str) -> str:
    """``solver`` must be a mixed-integer solver cvxpy has installed."""
    cp = _import_cvxpy()
    from cvxpy.reductions.solvers.defines import INSTALLED_MI_SOLVERS

    name = str(solver).upper()
    if name not in cp.installed_solvers():
        raise ValueError(f"solver {solver!r} is not installed; installed mixed-integer solvers: "
                         f"{sorted(INSTALLED_MI_SOLVERS)}")
    if name not in INSTALLED_MI_SOLVERS:
        raise ValueError(f"solver {solver!r} cannot solve mixed-integer programs; use one of "
                         f"{sorted(INSTALLED_MI_SOLVERS)}")
    return name


def error_budget(n_errors0: int, n: int, epsilon: float) -> int:
    """Extra mistakes allowed in ``S_eps``: the largest m with ``(E0 + m)/n <= E0/n + eps``.

    The comparison uses the same float slack as :class:`RashomonSet`, so ``floor(eps * n)``
    up to float noise (``eps = 0.29``, ``n = 100`` gives 29, not 28).
    """
    thr = n_errors0 / n + epsilon
    slack = _LOSS_SLACK * max(1.0, abs(thr))
    m = min(math.floor(epsilon * n), n - n_errors0)
    while m > 0 and (n_errors0 + m) / n > thr + slack:
        m -= 1
    while n_errors0 + m < n and (n_errors0 + m + 1) / n <= thr + slack:
        m += 1
    return m


def _reduce_columns(Xd: NDArray[np.float64]) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Scale the columns of the distinct points to [0, 1] and drop affinely redundant ones.

    Returns ``(Z, keep, lo, span)`` with ``Z = (Xd[:, keep] - lo) / span``. A linear
    classifier on ``Z`` is one on ``Xd`` and conversely (on these points), so the
    dichotomies are the same.
    """
    lo_all = Xd.min(axis=0)
    span_all = Xd.max(axis=0) - lo_all
    varying = np.flatnonzero(span_all > 0)
    if varying.size == 0:
        empty = np.zeros(0)
        return np.zeros((Xd.shape[0], 0)), varying, empty, empty
    Zv = (Xd[:, varying] - lo_all[varying]) / span_all[varying]
    if Zv.shape[0] > 1:
        from scipy.linalg import qr

        _, R, piv = qr(Zv - Zv.mean(axis=0), mode="economic", pivoting=True)
        diag = np.abs(np.diag(R))
        rank = int(np.sum(diag > _RANK_TOL * max(diag[0], 1e-300))) if diag.size else 0
        sel = np.sort(piv[:rank])
    else:
        sel = np.zeros(0, dtype=np.intp)
    keep = varying[sel]
    return Zv[:, sel], keep, lo_all[keep], span_all[keep]


def parallelogram_cuts(Xd: NDArray[np.float64], max_cuts: int = _MAX_CUTS,
                       max_points: int = _MAX_CUT_POINTS) -> NDArray[np.intp]:
    """Quadruples ``(a, b, c, d)`` of distinct points with ``x_a + x_b == x_c + x_d`` exactly.

    "Exactly" in real arithmetic on the float64 values, not up to rounding: pairs are
    grouped by the float sum together with its rounding error (TwoSum).

    For any affine score f, ``f(x_a) + f(x_b) = f(x_c) + f(x_d)``, so no linear classifier
    puts a and b strictly on one side and c and d strictly on the other: the labels obey
    ``-1 <= p_a + p_b - p_c - p_d <= 1``. These valid inequalities (the smallest Radon
    partitions) remove no realisable labelling and tighten the big-M relaxation a lot on
    one-hot / binned data. Returns an ``(n_cuts, 4)`` array (at most ``max_cuts`` rows;
    none when there are more than ``max_points`` distinct points).
    """
    K = Xd.shape[0]
    if K < 4 or K > max_points:
        return np.zeros((0, 4), dtype=np.intp)
    ia, ib = np.triu_indices(K, k=1)
    # group pairs by their exact sum: TwoSum gives s = fl(a + b) and the rounding error e
    # with a + b == s + e exactly, so equal exact sums have equal (s, e) (+ 0.0: no -0.0)
    a, b = Xd[ia], Xd[ib]
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    _, grp = np.unique(np.hstack([s + 0.0, e + 0.0]), axis=0, return_inverse=True)
    grp = grp.ravel()
    order = np.argsort(grp, kind="stable")
    bounds = np.flatnonzero(np.diff(grp[order])) + 1
    out: list[NDArray] = []
    total = 0
    for members in np.split(order, bounds):
        if members.size < 2:
            continue
        i, j = np.triu_indices(members.size, k=1)
        q = np.stack([ia[members[i]], ib[members[i]], ia[members[j]], ib[members[j]]], axis=1)
        out.append(q)
        total += q.shape[0]
        if total >= max_cuts:
            break
    if not out:
        return np.zeros((0, 4), dtype=np.intp)
    return np.concatenate(out)[:max_cuts]


def _select_cuts(cuts: NDArray[np.intp], majority: NDArray[np.bool_], keep: int
                 ) -> NDArray[np.intp]:
    """At most ``keep`` cuts: first those the per-point majority vote violates (the labelling
    the big-M relaxation drifts to), then a seeded random sample of the rest.

    Every cut is valid, so any subset is exact; the subset only trades the size of each
    LP against the strength of the relaxation (on compas_arrest all 73,195 cuts make each
    point MIP about 3x slower than 10,000 well-chosen ones).
    """
    if cuts.shape[0] <= keep:
        return cuts
    m = majority.astype(np.int64)
    v = np.abs(m[cuts[:, 0]] + m[cuts[:, 1]] - m[cuts[:, 2]] - m[cuts[:, 3]]) == 2
    first = np.flatnonzero(v)[:keep]
    rest = np.flatnonzero(~v)
    rng = np.random.default_rng(0)
    fill = rng.choice(rest, size=min(keep - first.size, rest.size), replace=False)
    return cuts[np.sort(np.concatenate([first, fill]))]


class _Problem:
    """The compressed big-M MIP in cvxpy, compiled once and re-solved with new parameters.

    Variables: ``w`` (|w_j| <= 1), ``b`` (|b| <= B), ``p`` (binary, 1 = predict +1) per
    distinct point. ``p_k = 1`` forces ``w . z_k + b >= gamma``, ``p_k = 0`` forces
    ``<= -gamma``. Parameters: bounds ``lo <= p <= hi`` (fix points), the error cap and the
    flip coefficients.
    """

    def __init__(self, Z: NDArray, n_pos: NDArray, n_neg: NDArray, gamma: float, B: float,
                 solver: str, time_limit: float | None, cuts: NDArray | None = None) -> None:
        cp = _import_cvxpy()
        self.cp = cp
        K, d = Z.shape
        self.K = K
        self.solver = solver
        self.time_limit = time_limit
        self.w = cp.Variable(d) if d else None
        self.b = cp.Variable()
        self.p = cp.Variable(K, boolean=True)
        self.lo = cp.Parameter(K)
        self.hi = cp.Parameter(K)
        self.cap = cp.Parameter()
        self.fcoef = cp.Parameter(K)
        self.fmin = cp.Parameter()
        M = gamma + Z.sum(axis=1) + B
        score = (Z @ self.w if d else 0) + self.b
        cons = [self.b <= B, self.b >= -B,
                score >= gamma - cp.multiply(M, 1 - self.p),
                score <= -gamma + cp.multiply(M, self.p),
                self.p >= self.lo, self.p <= self.hi]
        if d:
            cons += [self.w <= 1, self.w >= -1]
        if cuts is not None and cuts.shape[0]:
            import scipy.sparse as sp

            m = cuts.shape[0]
            C = sp.csr_matrix((np.tile([1.0, 1.0, -1.0, -1.0], m),
                               (np.repeat(np.arange(m), 4), cuts.ravel())), shape=(m, K))
            cons += [C @ self.p <= 1, C @ self.p >= -1]
        self.err = n_neg @ self.p + n_pos @ (1 - self.p)
        self.flip = self.fcoef @ self.p
        budget = [self.err <= self.cap]
        self.problems = {
            "min_error": cp.Problem(cp.Minimize(self.err), [*cons, *budget]),
            "feasible": cp.Problem(cp.Minimize(0), [*cons, *budget]),
            "max_flips": cp.Problem(cp.Minimize(-self.flip),
                                    [*cons, *budget, self.flip >= self.fmin]),
        }
        self.lo.value = np.zeros(K)
        self.hi.value = np.ones(K)
        self.cap.value = float(n_pos.sum() + n_neg.sum())
        self.fcoef.value = np.zeros(K)
        self.fmin.value = 0.0

    def _options(self) -> dict[str, Any]:
        if self.solver == "HIGHS":
            opts: dict[str, Any] = {"mip_rel_gap": 0.0, "mip_abs_gap": 0.5}
            if self.time_limit is not None:
                opts["time_limit"] = float(self.time_limit)
            return opts
        if self.solver == "SCIPY":
            opts = {"mip_rel_gap": 0.0}
            if self.time_limit is not None:
                opts["time_limit"] = float(self.time_limit)
            return {"scipy_options": opts}
        if self.time_limit is not None:  # pragma: no cover - only HIGHS/SCIPY installed here
            raise ValueError(f"time_limit is only supported with solver='HIGHS' or 'SCIPY', "
                             f"not {self.solver!r}")
        return {}  # pragma: no cover

    def solve(self, kind: str) -> tuple[str, NDArray | None, float | None, float]:
        """Solve one problem; returns ``(status, (w, b) or None, dual bound, seconds)``.

        ``status`` is "optimal", "infeasible", "time_limit" or "error". The dual bound is
        the solver's bound on the objective (minimisation form), None when unknown.
        """
        cp = self.cp
        prob = self.problems[kind]
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                # cvxpy warns "Solution may be inaccurate" for every USER_LIMIT status (a
                # time limit); the status is read below and any solution is verified
                warnings.filterwarnings("ignore", message="Solution may be inaccurate",
                                        category=UserWarning)
                prob.solve(solver=self.solver, **self._options())
        except cp.error.SolverError as e:
            return f"error: {e}", None, None, time.perf_counter() - t0
        elapsed = time.perf_counter() - t0
        status = prob.status
        info = getattr(prob.solver_stats, "extra_stats", None)
        bound = getattr(info, "mip_dual_bound", None)
        has_sol = status in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE)
        if status == cp.USER_LIMIT:
            has_sol = getattr(info, "primal_solution_status", 0) == 2
        if status == cp.INFEASIBLE:  # an inaccurate infeasibility is no proof
            return "infeasible", None, None, elapsed
        sol = None
        if has_sol and self.b.value is not None:
            w = np.asarray(self.w.value, dtype=np.float64) if self.w is not None else np.zeros(0)
            sol = (w, float(self.b.value))
        if status in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
            return "optimal", sol, bound, elapsed
        if status == cp.USER_LIMIT:
            return "time_limit", sol, bound, elapsed
        return f"error: status {status}", sol, bound, elapsed  # pragma: no cover


# Compiled problems of a worker process, keyed by the token of the fit they belong to.
_WORKER_PROBLEMS: dict[str, _Problem] = {}


def _build(spec: dict[str, Any], which: str) -> _Problem:
    return _Problem(spec["Z"], spec["n_pos"], spec["n_neg"], spec["gamma"], spec["B"],
                    spec["solver"], spec["time_limit"], spec[which])


def _solve_in_worker(spec: dict[str, Any], lo: NDArray, hi: NDArray, cap: int) -> tuple:
    """One point MIP in a joblib worker (each problem is compiled once per worker)."""
    key = spec["token"]
    if key not in _WORKER_PROBLEMS:
        _WORKER_PROBLEMS.clear()
        _WORKER_PROBLEMS[key] = _build(spec, "cuts")

    def full() -> _Problem:
        if key + "/full" not in _WORKER_PROBLEMS:
            _WORKER_PROBLEMS[key + "/full"] = _build(spec, "all_cuts")
        return _WORKER_PROBLEMS[key + "/full"]

    return _escalating_solve(_WORKER_PROBLEMS[key], full, lo, hi, cap,
                             spec["has_more_cuts"])


def _escalating_solve(light: _Problem, full: Callable[[], _Problem], lo: NDArray,
                      hi: NDArray, cap: int, has_more_cuts: bool) -> tuple:
    """Point MIP on the problem with the selected cuts, for at most ``_ESCALATE_SECONDS``;
    if that stops at the limit, again on the problem with every cut (slower LPs, but far
    fewer of the very long proofs). The time limit of the second solve is the user's.
    """
    user = light.time_limit
    short = has_more_cuts and (user is None or user > _ESCALATE_SECONDS)
    light.lo.value, light.hi.value = lo, hi
    light.cap.value = float(cap)
    if short:
        light.time_limit = _ESCALATE_SECONDS
    try:
        status, sol, bound, secs = light.solve("feasible")
    finally:
        light.time_limit = user
    if not (short and status == "time_limit" and sol is None):
        return status, sol, bound, secs
    prob = full()
    prob.lo.value, prob.hi.value = lo, hi
    prob.cap.value = float(cap)
    if user is not None:
        prob.time_limit = max(user - secs, 1e-3)
    status, sol, bound, secs2 = prob.solve("feasible")
    return status, sol, bound, secs + secs2


# ------------------------------------------------------------------------ explorer
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
            from pandas.api.types import is_bool_dtype, is_numeric_dtype

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
        st = _State(self, Xd, Z, keep, lo, span, n_pos, n_neg, classes, gamma, B)
        st.y_rows_pos = ypos
        stats = st.stats
        stats.update(n_samples=n, n_distinct=K, n_features_used=int(Z.shape[1]))
        stats["method"] = self.method
        all_cuts = parallelogram_cuts(Xd)
        stats["parallelogram_cuts_found"] = int(all_cuts.shape[0])
        st.time_limit = self.time_limit
        if benders:
            st.master = LabellingMaster(Z, Xd, n_pos, n_neg, all_cuts, n_pos > n_neg, B)
        else:
            cuts = _select_cuts(all_cuts, n_pos > n_neg, _KEEP_CUTS)
            stats["parallelogram_cuts"] = int(cuts.shape[0])
            st.problem = _Problem(Z, n_pos.astype(float), n_neg.astype(float), gamma, B,
                                  solver, self.time_limit, cuts)
            st.spec = {"token": uuid.uuid4().hex, "Z": Z, "n_pos": n_pos.astype(float),
                       "n_neg": n_neg.astype(float), "gamma": gamma, "B": B,
                       "solver": solver, "time_limit": self.time_limit, "cuts": cuts,
                       "all_cuts": all_cuts,
                       "has_more_cuts": all_cuts.shape[0] > cuts.shape[0]}

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
        st.heuristics()
        stats["seconds_heuristics"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        st.settle_points(effective_n_jobs(self.n_jobs))
        stats["seconds_point_mips"] = time.perf_counter() - t0
        # -- discrepancy: one MIP with every non-flippable point fixed to h0
        t0 = time.perf_counter()
        d_lo, d_hi = st.discrepancy()
        stats["seconds_discrepancy"] = time.perf_counter() - t0

        # -- final verification on the training rows
        self._finish(st, X, inv, n, d_lo, d_hi)
        if st.master is not None:
            stats.update({f"benders_{k}": v for k, v in st.master.stats.items()})
            stats["parallelogram_cuts"] = int(st.master.in_master.sum())
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

    def _finish(self, st: _State, X: NDArray, inv: NDArray, n: int, d_lo: int,
                d_hi: int) -> None:
        """Re-verify every witness on the training rows and set the fitted attributes."""
        classes = self.classes_
        base_rows = st.base_pos[inv]
        y_rows_pos = st.y_rows_pos
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


# -------------------------------------------------------------------- the search
class _State:
    """Everything one ``fit`` learns about the distinct points, and the search steps."""

    def __init__(self, est: LinearMIPExplorer, Xd: NDArray, Z: NDArray, keep: NDArray,
                 lo: NDArray, span: NDArray, n_pos: NDArray, n_neg: NDArray,
                 classes: NDArray, gamma: float, B: float) -> None:
        self.verbose = bool(est.verbose)
        self.Xd, self.Z, self.keep, self.lo, self.span = Xd, Z, keep, lo, span
        self.n_pos, self.n_neg = n_pos, n_neg
        self.n_all = n_pos + n_neg
        self.classes = classes
        self.gamma, self.B = gamma, B
        self.K = Xd.shape[0]
        self.problem: _Problem | None = None
        self.master: LabellingMaster | None = None
        self.time_limit: float | None = None
        self.witnesses: list[LinearWitness] = []
        self.disc_index: int | None = None
        self.disc_best = -1
        self.stats: dict[str, Any] = {
            "mip_baseline": "", "mips_point": 0, "mips_point_feasible": 0,
            "mips_point_infeasible": 0, "mips_point_time_limit": 0, "mip_discrepancy": "",
            "settled_by_heuristics": 0, "settled_by_bounds": 0, "settled_by_mip": 0,
            "witnesses_checked": 0, "seconds_mip": 0.0, "mip_point_seconds_max": 0.0,
        }
        self.directions: list[NDArray] = []
        self.spec: dict[str, Any] = {}
        self._full: _Problem | None = None
        self.y_rows_pos: NDArray | None = None
        self.base_dir: NDArray | None = None

    def log(self, msg: str) -> None:
        if self.verbose:
            print(f"[LinearMIPExplorer] {msg}", flush=True)

    # ---- models ---------------------------------------------------------------
    def model(self, w: NDArray, b: float) -> LinearWitness:
        """The classifier ``sign(w . z + b)`` in the original feature units."""
        coef = np.zeros(self.Xd.shape[1])
        if w.size:
            coef[self.keep] = w / self.span
            b = b - float(np.sum(w * self.lo / self.span))
        return LinearWitness(coef, b, self.classes)

    def evaluate(self, mdl: LinearWitness) -> tuple[NDArray[np.bool_], int]:
        """Floating-point predictions (True = +1) on the distinct points and the errors."""
        self.stats["witnesses_checked"] += 1
        pos = mdl.decision_function(self.Xd) > 0
        return pos, int(np.sum(np.where(pos, self.n_neg, self.n_pos)))

    def min_error_bound(self) -> int:
        """Errors of the per-point majority vote: no classifier makes fewer."""
        return int(np.minimum(self.n_pos, self.n_neg).sum())

    # ---- baseline -------------------------------------------------------------
    def _logistic(self, weights: NDArray, C: float) -> NDArray | None:
        """Weighted logistic fit on ``Z``; returns the direction ``w`` (or None).

        ``weights`` has length ``2 K``: rows ``k`` stand for "+1 at z_k", rows ``K + k``
        for "-1 at z_k".
        """
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        K = self.K
        if self.Z.shape[1] == 0 or weights[:K].sum() <= 0 or weights[K:].sum() <= 0:
            return None
        Zs = np.vstack([self.Z, self.Z])
        lab = np.concatenate([np.ones(K), np.zeros(K)])
        keep = weights > 0
        weights = weights * (keep.sum() / weights.sum())  # mean 1: faster L-BFGS
        with warnings.catch_warnings():
            # an unconverged fit is still a direction worth sweeping
            warnings.simplefilter("ignore", ConvergenceWarning)
            lr = LogisticRegression(C=C, max_iter=500).fit(Zs[keep], lab[keep],
                                                           sample_weight=weights[keep])
        return lr.coef_[0]

    def _count_weights(self) -> NDArray:
        return np.concatenate([self.n_pos, self.n_neg]).astype(np.float64)

    def find_baseline(self) -> tuple[LinearWitness, NDArray, int, bool]:
        """0-1 minimiser: logistic directions swept over the intercept, then the MIP."""
        best: tuple[int, LinearWitness, NDArray] | None = None
        const_pos = self.n_pos.sum() >= self.n_neg.sum()
        cands = [self.model(np.zeros(self.Z.shape[1]), 1.0 if const_pos else -1.0)]
        for C in _BASELINE_CS:
            w = self._logistic(self._count_weights(), C)
            if w is not None:
                self.directions.append(w)
                cands.extend(self._sweep_min_error(w))
        for mdl in cands:
            pos, err = self.evaluate(mdl)
            if best is None or err < best[0]:
                best = (err, mdl, pos)
        assert best is not None
        err, mdl, pos = best
        lower = self.min_error_bound()
        if err <= lower:
            self.stats["mip_baseline"] = "not needed (majority vote is linear)"
            return mdl, pos, err, True
        if self.master is not None:
            return self._baseline_benders(mdl, pos, err)
        prob = self.problem
        prob.cap.value = float(err)  # cutoff: the heuristic incumbent
        status, sol, _bound, secs = prob.solve("min_error")
        self.stats["seconds_mip"] += secs
        self.stats["mip_baseline"] = status
        self.log(f"baseline MIP: {status} in {secs:.1f} s (heuristic {err} errors)")
        optimal = status == "optimal"
        if sol is not None:
            self.directions.append(sol[0])
            m2 = self.model(*sol)
            pos2, err2 = self.evaluate(m2)
            if err2 < err:
                mdl, pos, err = m2, pos2, err2
            elif optimal and err2 > err:
                polished = self._polish(sol)
                if polished is not None and polished[2] < err:
                    mdl, pos, err = polished
        if status == "infeasible":
            optimal = True  # nothing with margin >= gamma beats the heuristic incumbent
        return mdl, pos, err, optimal

    def _baseline_benders(self, mdl: LinearWitness, pos: NDArray, err: int
                          ) -> tuple[LinearWitness, NDArray, int, bool]:
        """Fewest errors over separable labellings, with the heuristic count as the cap."""
        master = self.master
        master.set_objective(master.err_coef)
        master.set_cap(err)
        t0 = time.perf_counter()
        status, lab, wit, _ = master.solve(self.time_limit)
        secs = time.perf_counter() - t0
        master.set_objective(None)
        master.set_cap(None)
        self.stats["seconds_mip"] += secs
        self.stats["mip_baseline"] = status
        self.log(f"baseline (Benders): {status} in {secs:.1f} s (heuristic {err} errors)")
        if wit is not None:
            self.directions.append(wit[0])
            m2 = self.model(*wit)
            pos2, err2 = self.evaluate(m2)
            if err2 < err:
                mdl, pos, err = m2, pos2, err2
        # "optimal": the master's optimum is separable, hence the global one; h0 is proven
        # optimal only if the model kept makes no more mistakes than that optimum on the
        # data's own units (the witness was checked on the internal coordinates)
        if status == "optimal":
            best = round(master.err_const + float(master.err_coef @ lab))
            return mdl, pos, err, err <= best
        return mdl, pos, err, status == "infeasible"

    def _polish(self, sol: tuple[NDArray, float]):
        """Max-margin model for the labelling a MIP solution induces (if it is realisable)."""
        w, b = sol
        labels = (self.Z @ w + b) > 0 if w.size else np.repeat(b > 0, self.K)
        res = _max_margin(self.Z, labels, self.B)
        if res is None or res[0] <= 0:
            return None
        mdl = self.model(res[1], res[2])
        pos, err = self.evaluate(mdl)
        return mdl, pos, err

    def _sweep_min_error(self, w: NDArray) -> list[LinearWitness]:
        out = []
        for sgn in (1.0, -1.0):
            s = sgn * (self.Z @ w)
            order = np.argsort(s, kind="stable")
            ss = s[order]
            res = _sweep_cuts(ss, self.n_pos[order], self.n_neg[order],
                              np.zeros(self.K, dtype=np.bool_), np.int64(-1))
            out.append(self._cut_model(sgn * w, ss, int(res[4])))
        return out

    def _cut_model(self, w: NDArray, ss: NDArray, c: int) -> LinearWitness:
        """Model predicting -1 for the ``c`` lowest scores ``ss`` of direction ``w``."""
        K = ss.shape[0]
        if c == 0:
            thr = ss[0] - 1.0
        elif c == K:
            thr = ss[-1] + 1.0
        else:
            thr = 0.5 * (ss[c - 1] + ss[c])
        return self.model(w, -thr)

    # ---- after the baseline -----------------------------------------------------
    def set_baseline(self, base_pos: NDArray, cap: int) -> None:
        self.base_pos = base_pos
        self.cap = int(cap)
        self.flipped = np.zeros(self.K, dtype=bool)
        self.status = np.full(self.K, _OPEN, dtype=np.int64)
        prob = self.problem
        if prob is not None:
            prob.cap.value = float(cap)
            prob.fcoef.value = np.where(base_pos, -1.0, 1.0) * self.n_all
        self.flip_const = float(self.n_all[base_pos].sum())
        self.base_lo = np.where(base_pos, 1.0, 0.0)

    def record(self, mdl: LinearWitness, how: int) -> bool:
        """Verify ``mdl``; if it is in ``S_eps``, harvest its flips. True if it is."""
        pos, err = self.evaluate(mdl)
        if err > self.cap:
            return False
        flips = pos != self.base_pos
        new = flips & ~self.flipped
        n_flip = int(self.n_all[flips].sum())
        is_best = n_flip > self.disc_best
        if new.any() or is_best:
            self.witnesses.append(mdl)
            if is_best:
                self.disc_best = n_flip
                self.disc_index = len(self.witnesses) - 1
            self.flipped |= flips
            fresh = new & (self.status == _OPEN)
            self.status[fresh] = how
            if how == _FLIP_HEUR:
                self.stats["settled_by_heuristics"] += int(fresh.sum())
            self.status[new & (self.status != how) & np.isin(
                self.status, (_UNRES_TIME, _NOT_BOUND, _NOT_MIP))] = how
        return True

    def sweep(self, w: NDArray, how: int) -> None:
        """Intercept sweep of direction ``w`` (both orientations); record the useful cuts."""
        if w.size == 0:
            return
        cap = np.int64(self.cap)
        for sgn in (1.0, -1.0):
            s = sgn * (self.Z @ w)
            order = np.argsort(s, kind="stable")
            ss = s[order]
            c_lo, c_hi, c_best, _, _, _ = _sweep_cuts(ss, self.n_pos[order],
                                                      self.n_neg[order],
                                                      self.base_pos[order], cap)
            if c_lo < 0:
                continue
            for c in sorted({int(c_lo), int(c_hi), int(c_best)}):
                neg = np.zeros(self.K, dtype=bool)
                neg[order[:c]] = True
                flips = neg == self.base_pos
                if (flips & ~self.flipped).any() or int(self.n_all[flips].sum()) > \
                        self.disc_best:
                    self.record(self._cut_model(sgn * w, ss, c), how)

    def heuristics(self) -> None:
        """Sweep the known directions, then weighted logistic fits with each point flipped."""
        if self.base_dir is not None:
            self.sweep(self.base_dir, _FLIP_HEUR)
        for w in self.directions:
            self.sweep(w, _FLIP_HEUR)
        n = float(self.n_all.sum())
        base_w = self._count_weights()
        for share in _TARGET_WEIGHTS:
            for t in range(self.K):
                if self.flipped[t]:
                    continue
                wts = base_w.copy()
                # label rows: index t is "+1 at z_t", K + t is "-1 at z_t"
                wts[t if not self.base_pos[t] else self.K + t] += share * n
                w = self._logistic(wts, 1.0)
                if w is not None:
                    self.sweep(w, _FLIP_HEUR)
        self.log(f"heuristics: {int(self.flipped.sum())} of {self.K} points flipped")

    # ---- per-point MIPs -----------------------------------------------------------
    def _fixed_bounds(self) -> tuple[NDArray, NDArray]:
        lo = np.zeros(self.K)
        hi = np.ones(self.K)
        fixed = np.isin(self.status, (_NOT_BOUND, _NOT_MIP))
        lo[fixed] = self.base_lo[fixed]
        hi[fixed] = self.base_lo[fixed]
        return lo, hi

    def _flip_cost_bounds(self) -> NDArray:
        """Lower bound on the errors of any classifier that flips each point."""
        fixed = np.isin(self.status, (_NOT_BOUND, _NOT_MIP))
        err_base = np.where(self.base_pos, self.n_neg, self.n_pos)
        err_flip = np.where(self.base_pos, self.n_pos, self.n_neg)
        per = np.where(fixed, err_base, np.minimum(self.n_pos, self.n_neg))
        return per.sum() - per + err_flip

    def _open_points(self) -> tuple[NDArray, NDArray, NDArray]:
        """Points not settled yet, the flip-cost bounds, and the open points the bound
        settles now (marked "not flipped (bound)"; the caller loops again if any)."""
        open_ = np.flatnonzero((self.status == _OPEN) & ~self.flipped)
        lb = self._flip_cost_bounds()
        pruned = open_[lb[open_] > self.cap]
        if pruned.size:
            self.status[pruned] = _NOT_BOUND
            self.stats["settled_by_bounds"] += int(pruned.size)
        return open_, lb, pruned

    def settle_points(self, n_jobs: int = 1) -> None:
        """Bounds, then one feasibility MIP per point nothing has flipped yet.

        Points go costliest-to-flip first (by the bound of :meth:`_flip_cost_bounds`):
        those are the likely unflippable ones, and each one proven unflippable is fixed
        to ``h0`` in every later MIP, which makes those smaller and tighter. A feasible
        MIP's model is verified and harvested (with an intercept sweep of its direction).
        With ``n_jobs > 1`` the next ``n_jobs`` points are solved at once, each in a worker
        process that keeps its own compiled copy of the problem.
        """
        if self.master is not None:
            self._settle_points_benders()
            return
        prob = self.problem
        parallel = None
        if n_jobs > 1:
            from joblib import Parallel

            parallel = Parallel(n_jobs=n_jobs, backend="loky")
            parallel.__enter__()
        try:
            while True:
                open_, lb, pruned = self._open_points()
                if open_.size == 0:
                    break
                if pruned.size:
                    continue
                # the points that look costliest to flip first: each one proven
                # unflippable is fixed to h0 in every later MIP
                batch = open_[np.argsort(-lb[open_], kind="stable")[:max(n_jobs, 1)]]
                bounds = []
                for t in batch:
                    lo, hi = self._fixed_bounds()
                    lo[t] = hi[t] = 1.0 - self.base_lo[t]
                    bounds.append((lo, hi))
                if parallel is None or batch.size == 1:
                    results = [_escalating_solve(prob, self.full_problem, lo, hi, self.cap,
                                                 self.spec["has_more_cuts"])
                               for lo, hi in bounds]
                else:
                    from joblib import delayed

                    results = parallel(delayed(_solve_in_worker)(self.spec, lo, hi, self.cap)
                                       for lo, hi in bounds)
                for t, res in zip(batch, results, strict=True):
                    self._point_result(int(t), res)
        finally:
            if parallel is not None:
                parallel.__exit__(None, None, None)
        prob.lo.value, prob.hi.value = np.zeros(self.K), np.ones(self.K)

    def _settle_points_benders(self) -> None:
        """One Benders search per open point, costliest first, sharing the cut pool."""
        master = self.master
        master.set_objective(None)
        master.set_cap(self.cap)
        while True:
            open_, lb, pruned = self._open_points()
            if open_.size == 0:
                break
            if pruned.size:
                for k in pruned:
                    master.fix(int(k), bool(self.base_pos[k]))
                continue
            t = int(open_[np.argmax(lb[open_])])
            master.fix(t, not self.base_pos[t])
            t0 = time.perf_counter()
            status, _lab, wit, _ = master.solve(self.time_limit)
            self._point_result(t, (status, wit, None, time.perf_counter() - t0))
            if status == "infeasible":
                master.fix(t, bool(self.base_pos[t]))  # h0's label in every later search
            else:
                master.free(t)
        master.set_cap(None)

    def full_problem(self) -> _Problem:
        """The point problem with every parallelogram cut (compiled on first use)."""
        if self._full is None:
            self._full = _build(self.spec, "all_cuts")
        return self._full

    def _harvest(self, status: str, sol: tuple[NDArray, float] | None) -> bool:
        """Verify a MIP solution (polishing it if needed) and record its flips."""
        before = self.flipped.copy()
        if sol is not None and status != "infeasible":
            if not self.record(self.model(*sol), _FLIP_MIP):
                polished = self._polish(sol)
                if polished is not None:
                    self.record(polished[0], _FLIP_MIP)
            if (self.flipped & ~before).any():
                self.sweep(sol[0], _FLIP_MIP)
        return bool((self.flipped & ~before).any())

    def _point_result(self, t: int, res: tuple) -> None:
        """Book the outcome of point ``t``'s MIP."""
        status, sol, _, secs = res
        st = self.stats
        st["seconds_mip"] += secs
        st["mips_point"] += 1
        st["mip_point_seconds_max"] = max(st["mip_point_seconds_max"], secs)
        if self.flipped[t]:  # flipped meanwhile by another point's witness
            self._harvest(status, sol)
            st["mips_point_feasible" if status != "infeasible" else "mips_point_infeasible"
               ] += 1
            return
        self._harvest(status, sol)
        if status == "infeasible":
            self.status[t] = _NOT_MIP
            st["mips_point_infeasible"] += 1
            st["settled_by_mip"] += 1
        elif self.flipped[t]:
            st["mips_point_feasible"] += 1
            st["settled_by_mip"] += 1
        elif status == "time_limit":
            st["mips_point_time_limit"] += 1
            self.status[t] = _UNRES_TIME
        else:
            self.status[t] = _UNRES_VERIFY
        self.log(f"point {t}: {status} in {secs:.2f} s; flipped {int(self.flipped.sum())}, "
                 f"open {int(np.sum((self.status == _OPEN) & ~self.flipped))}")

    # ---- discrepancy ----------------------------------------------------------------
    def discrepancy(self) -> tuple[int, int]:
        """Max flips subject to the budget; returns (verified rows, upper bound on rows)."""
        prob = self.problem
        flippable = self.flipped | np.isin(self.status, (_UNRES_TIME, _UNRES_VERIFY))
        upper_all = int(self.n_all[flippable].sum())
        best = max(self.disc_best, 0)
        if best >= upper_all:
            self.stats["mip_discrepancy"] = "not needed (one witness flips every point)"
            return best, best
        if self.master is not None:
            return self._discrepancy_benders(flippable, best, upper_all)
        lo, hi = self._fixed_bounds()
        lo[~flippable] = hi[~flippable] = self.base_lo[~flippable]
        prob.lo.value, prob.hi.value = lo, hi
        prob.fmin.value = float(best + 1) - self.flip_const
        status, sol, bound, secs = prob.solve("max_flips")
        self.stats["seconds_mip"] += secs
        self.stats["mip_discrepancy"] = status
        self.log(f"discrepancy MIP: {status} in {secs:.1f} s")
        prob.lo.value, prob.hi.value = np.zeros(self.K), np.ones(self.K)
        if sol is not None:
            mdl = self.model(*sol)
            if not self.record(mdl, _FLIP_MIP):
                polished = self._polish(sol)
                if polished is not None:
                    self.record(polished[0], _FLIP_MIP)
        best = max(self.disc_best, 0)
        if status == "infeasible":
            return best, best  # nothing flips more than the incumbent
        if status == "optimal":
            if bound is not None:
                return best, max(best, math.floor(self.flip_const - bound + 1e-6))
            return best, best  # pragma: no cover - solvers without a reported bound
        if bound is not None and np.isfinite(bound):
            return best, max(best, math.floor(self.flip_const - bound + 1e-6))
        return best, upper_all

    def _discrepancy_benders(self, flippable: NDArray, best: int, upper_all: int
                             ) -> tuple[int, int]:
        """Most flipped rows over separable labellings within the budget (Benders)."""
        master = self.master
        fcoef = np.where(self.base_pos, -1.0, 1.0) * self.n_all  # flips = const + fcoef.p
        for k in np.flatnonzero(~flippable):
            master.fix(int(k), bool(self.base_pos[k]))
        master.set_cap(self.cap)
        master.set_objective(-fcoef)
        master.set_cutoff(fcoef, best + 1 - self.flip_const)  # beat the incumbent
        t0 = time.perf_counter()
        status, lab, wit, bound = master.solve(self.time_limit)
        secs = time.perf_counter() - t0
        master.set_cutoff(None, 0.0)
        master.set_objective(None)
        master.set_cap(None)
        for k in np.flatnonzero(~flippable):
            master.free(int(k))
        self.stats["seconds_mip"] += secs
        self.stats["mip_discrepancy"] = status
        self.log(f"discrepancy (Benders): {status} in {secs:.1f} s")
        if wit is not None:
            self.record(self.model(*wit), _FLIP_MIP)
        best = max(self.disc_best, 0)
        if status == "infeasible":
            return best, best  # nothing flips more than the incumbent
        if status == "optimal" and wit is not None:
            # the master's optimum; equal to ``best`` unless the witness failed the
            # check on the data's own units
            return best, max(best, round(float(self.flip_const + fcoef @ lab)))
        if bound is not None:
            return best, max(best, min(upper_all, math.floor(self.flip_const - bound + 1e-6)))
        return best, upper_all
