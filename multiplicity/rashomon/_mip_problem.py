"""The big-M MIP of :class:`LinearMIPExplorer` in cvxpy: the compiled problem, the choice
of the parallelogram cuts it keeps, and one point MIP solved in this process or in a
joblib worker (which keeps its own compiled copy)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["check_mip_solver"]


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
                             spec["has_more_cuts"], spec["escalate_seconds"])


def _escalating_solve(light: _Problem, full: Callable[[], _Problem], lo: NDArray,
                      hi: NDArray, cap: int, has_more_cuts: bool,
                      escalate_seconds: float) -> tuple:
    """Point MIP on the problem with the selected cuts, for at most ``escalate_seconds``;
    if that stops at the limit, again on the problem with every cut (slower LPs, but far
    fewer of the very long proofs). The time limit of the second solve is the user's.
    """
    user = light.time_limit
    short = has_more_cuts and (user is None or user > escalate_seconds)
    light.lo.value, light.hi.value = lo, hi
    light.cap.value = float(cap)
    if short:
        light.time_limit = escalate_seconds
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
