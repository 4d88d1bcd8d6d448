"""The big-M search of :class:`LinearMIPExplorer` (``method="big-m"``): one cvxpy MIP per
question, exact up to the margin ``gamma`` of the encoding (see ``_mip_problem``)."""

from __future__ import annotations

import math
import uuid

import numpy as np
from joblib import Parallel, delayed
from numpy.typing import NDArray

from ._mip_problem import _build, _escalating_solve, _Problem, _select_cuts, _solve_in_worker
from ._mip_search import _FLIP_MIP, _NOT_BOUND, _NOT_MIP, LinearWitness, _State

__all__: list[str] = []


class _BigMSearch(_State):
    """Point bookkeeping with the big-M MIPs: the baseline, each point and the discrepancy.

    ``keep_cuts`` parallelogram cuts (of ``all_cuts``) enter the compiled problem; a point
    MIP that runs longer than ``escalate_seconds`` on them is solved again with every cut.
    """

    method = "big-m"

    def __init__(self, Xd: NDArray, Z: NDArray, keep: NDArray, lo: NDArray, span: NDArray,
                 n_pos: NDArray, n_neg: NDArray, classes: NDArray, B: float,
                 all_cuts: NDArray, *, n_samples: int, verbose: bool,
                 time_limit: float | None, gamma: float, solver: str, keep_cuts: int,
                 escalate_seconds: float) -> None:
        super().__init__(Xd, Z, keep, lo, span, n_pos, n_neg, classes, B, all_cuts,
                         n_samples=n_samples, verbose=verbose, time_limit=time_limit)
        self.gamma = gamma
        cuts = _select_cuts(all_cuts, n_pos > n_neg, keep_cuts)
        self.stats["parallelogram_cuts"] = int(cuts.shape[0])
        self.problem = _Problem(Z, n_pos.astype(float), n_neg.astype(float), gamma, B,
                                solver, time_limit, cuts)
        self.spec = {"token": uuid.uuid4().hex, "Z": Z, "n_pos": n_pos.astype(float),
                     "n_neg": n_neg.astype(float), "gamma": gamma, "B": B,
                     "solver": solver, "time_limit": time_limit, "cuts": cuts,
                     "all_cuts": all_cuts,
                     "has_more_cuts": all_cuts.shape[0] > cuts.shape[0],
                     "escalate_seconds": escalate_seconds}
        self._full: _Problem | None = None

    # ---- baseline -------------------------------------------------------------
    def _search_baseline(self, mdl: LinearWitness, pos: NDArray, err: int
                         ) -> tuple[LinearWitness, NDArray, int, bool]:
        """The min-error MIP, with the heuristic count as the cutoff."""
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

    # ---- after the baseline -----------------------------------------------------
    def set_baseline(self, base_pos: NDArray, cap: int) -> None:
        super().set_baseline(base_pos, cap)
        self.problem.cap.value = float(cap)
        self.problem.fcoef.value = np.where(base_pos, -1.0, 1.0) * self.n_all

    # ---- per-point MIPs -----------------------------------------------------------
    def _fixed_bounds(self) -> tuple[NDArray, NDArray]:
        lo = np.zeros(self.K)
        hi = np.ones(self.K)
        fixed = np.isin(self.status, (_NOT_BOUND, _NOT_MIP))
        lo[fixed] = self.base_lo[fixed]
        hi[fixed] = self.base_lo[fixed]
        return lo, hi

    def settle_points(self, n_jobs: int = 1) -> None:
        """Bounds, then one feasibility MIP per point nothing has flipped yet.

        Points go costliest-to-flip first (by the bound of :meth:`_flip_cost_bounds`):
        those are the likely unflippable ones, and each one proven unflippable is fixed
        to ``h0`` in every later MIP, which makes those smaller and tighter. A feasible
        MIP's model is verified and harvested (with an intercept sweep of its direction).
        With ``n_jobs > 1`` the next ``n_jobs`` points are solved at once, each in a worker
        process that keeps its own compiled copy of the problem.
        """
        prob = self.problem
        parallel = None
        if n_jobs > 1:
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
                                                 self.spec["has_more_cuts"],
                                                 self.spec["escalate_seconds"])
                               for lo, hi in bounds]
                else:
                    results = parallel(delayed(_solve_in_worker)(self.spec, lo, hi, self.cap)
                                       for lo, hi in bounds)
                for t, res in zip(batch, results, strict=True):
                    self._point_result(int(t), res)
        finally:
            if parallel is not None:
                parallel.__exit__(None, None, None)
        prob.lo.value, prob.hi.value = np.zeros(self.K), np.ones(self.K)

    def full_problem(self) -> _Problem:
        """The point problem with every parallelogram cut (compiled on first use)."""
        if self._full is None:
            self._full = _build(self.spec, "all_cuts")
        return self._full

    # ---- discrepancy ----------------------------------------------------------------
    def _search_discrepancy(self, flippable: NDArray, best: int, upper_all: int
                            ) -> tuple[int, int]:
        """The max-flips MIP, required to beat the incumbent ``best``."""
        prob = self.problem
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
