"""Combinatorial Benders search over labellings of the distinct points (margin-free, exact).

:class:`LinearMIPExplorer` (``method="benders"``) asks three questions about labellings
``p`` (``p_k = 1``: ``h(z_k) = +1``) of the distinct points: the fewest errors, whether a
point can be flipped within the error budget, the most flipped rows within it. All three
are integer programs over ``p`` alone plus one condition that is not linear: ``p`` must be
*strictly separable* (realised by some ``sign(w . z + b)``).

The master problem is a pure 0-1 program in HiGHS (through ``highspy``, whose incremental
API adds rows to a model that is kept between solves; cvxpy recompiles instead). It holds
*Radon cuts*: when the points labelled +1 and -1 in a support ``S`` have intersecting
convex hulls, no hyperplane puts ``S``'s positives strictly on one side and its negatives
strictly on the other, so the valid inequalities

    sum_{k in P} (1 - p_k) + sum_{k in N} p_k >= 1      (not that labelling of S)
    sum_{k in P} p_k + sum_{k in N} (1 - p_k) >= 1      (nor the opposite one)

remove no realisable labelling. A master solution is checked in two steps: first against
the pool of parallelogram cuts (``x_a + x_b = x_c + x_d`` exactly; violated ones join the
master), then by the Farkas LP ``lambda >= 0, sum_P lambda = sum_N lambda = 1,
sum_k lambda_k s_k z_k = 0``. The LP is infeasible exactly when ``p`` is strictly
separable; then a max-margin LP gives the witness ``(w, b)``, checked in floating point.
Otherwise the LP's support is a Radon partition: it is re-checked in exact rational
arithmetic and added as the two cuts above. The master is a relaxation of the true problem,
so a separable optimum is the true optimum, and an infeasible master is a proof. No margin
and no weight bound enter anywhere.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog

from .._stdio import quiet_native_stdout

__all__ = ["LabellingMaster", "exact_radon_certificate"]

# Weights below this are dropped from the Farkas LP's support before the exact check.
_SUPPORT_TOL = 1e-9
# When the exact check rejects a support: Farkas LPs re-solved with the rejected points
# made expensive, then supersets S + {j} tried, before the labelling is given up on.
_RETRY_LPS = 3
_RETRY_EXTEND = 64


def _import_highspy():
    try:
        import highspy
    except ImportError as e:  # pragma: no cover - highspy is a dependency
        raise ImportError("LinearMIPExplorer(method='benders') needs highspy: "
                          "pip install highspy") from e
    return highspy


def _max_margin(Z: NDArray, pos: NDArray[np.bool_], B: float
                ) -> tuple[float, NDArray, float] | None:
    """Largest margin of the labelling ``pos`` of ``Z`` with ``|w_j| <= 1``, ``|b| <= B``.

    Solves ``max t s.t. s_k (w . z_k + b) >= t, t <= 1`` with scipy's HiGHS LP; returns
    ``(t, w, b)`` or None when the LP fails.
    """
    K, d = Z.shape
    s = np.where(pos, 1.0, -1.0)
    A = np.hstack([-s[:, None] * Z, -s[:, None], np.ones((K, 1))])
    c = np.zeros(d + 2)
    c[-1] = -1.0
    bounds = [(-1.0, 1.0)] * d + [(-B, B), (None, 1.0)]
    res = linprog(c, A_ub=A, b_ub=np.zeros(K), bounds=bounds, method="highs")
    if res.status != 0:
        return None
    return float(-res.fun), res.x[:d], float(res.x[d])


def exact_radon_certificate(X: NDArray[np.float64], pos: NDArray[np.bool_],
                            support: NDArray[np.intp]) -> bool:
    """Whether ``support`` is a Radon partition of ``X`` under ``pos``, in exact arithmetic.

    Solves ``sum_{k in S} lambda_k [pos_k; not pos_k; s_k x_k] = [1; 1; 0]`` over the
    rationals (every float is a rational) by Gaussian elimination, setting free variables
    to 0, and checks ``lambda >= 0``. ``X`` is the data in its own units (all columns), so
    True proves that no hyperplane separates the positives of ``S`` strictly from its
    negatives; False means only that this support did not give a proof.
    """
    S = np.asarray(support, dtype=np.intp)
    if S.size == 0 or pos[S].all() or not pos[S].any():
        return False
    d = X.shape[1]
    m = d + 2
    n = S.size
    rows: list[list[Fraction]] = []
    for i in range(m):
        row = []
        for k in S:
            s = 1 if pos[k] else -1
            if i == 0:
                v = Fraction(int(pos[k]))
            elif i == 1:
                v = Fraction(int(not pos[k]))
            else:
                v = s * Fraction(float(X[k, i - 2]))
            row.append(v)
        row.append(Fraction(1) if i < 2 else Fraction(0))
        rows.append(row)
    # reduced row echelon form
    pivots: list[int] = []
    r = 0
    for c in range(n):
        piv = next((i for i in range(r, m) if rows[i][c] != 0), None)
        if piv is None:
            continue
        rows[r], rows[piv] = rows[piv], rows[r]
        inv = 1 / rows[r][c]
        rows[r] = [v * inv for v in rows[r]]
        for i in range(m):
            if i != r and rows[i][c] != 0:
                f = rows[i][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == m:
            break
    if any(rows[i][n] != 0 for i in range(r, m)):
        return False  # inconsistent
    lam = [Fraction(0)] * n
    for i, c in enumerate(pivots):
        lam[c] = rows[i][n]
    return all(v >= 0 for v in lam)


class LabellingMaster:
    """The Benders master over labellings, with its cut pool and the separation step.

    Parameters
    ----------
    Z : float64 (K, d)
        Distinct points (internal coordinates: scaled, redundant columns dropped).
    X_exact : float64 (K, n_features)
        The same points in the data's own units, for the exact check of Radon supports.
    n_pos, n_neg : int64 (K,)
        Rows labelled +1 and -1 at each point.
    pool : intp (m, 4)
        Parallelogram quadruples ``(a, b, c, d)`` with ``x_a + x_b == x_c + x_d`` exactly;
        those violated by a master solution join the master.
    seed_labels : bool (K,)
        A labelling (the majority vote) whose violated parallelograms join at the start.
    B : float
        Bound on ``|b|`` for the max-margin witness LP (``|w_j| <= 1``).
    seed : int
        Seed of the random objective of the Farkas LP (which Radon support it returns).
    """

    def __init__(self, Z: NDArray, X_exact: NDArray, n_pos: NDArray, n_neg: NDArray,
                 pool: NDArray, seed_labels: NDArray, B: float, seed: int = 0) -> None:
        hs = _import_highspy()
        self.hs = hs
        self.Z = np.ascontiguousarray(Z, dtype=np.float64)
        self.K, self.d = self.Z.shape
        self.X_exact = np.asarray(X_exact, dtype=np.float64)
        self.n_pos = np.asarray(n_pos, dtype=np.int64)
        self.n_neg = np.asarray(n_neg, dtype=np.int64)
        self.pool = np.asarray(pool, dtype=np.intp).reshape(-1, 4)
        self.in_master = np.zeros(self.pool.shape[0], dtype=bool)
        self.B = float(B)
        self.rng = np.random.default_rng(seed)
        self.stats: dict[str, Any] = {"master_solves": 0, "radon_cuts": 0,
                                      "parallelograms_added": 0, "seconds_master": 0.0,
                                      "seconds_separation": 0.0, "cuts_rejected": 0,
                                      "cuts_recovered": 0}
        K = self.K
        with quiet_native_stdout():  # HiGHS prints a banner when the first model is made
            h = hs.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.5)  # objectives are integers: this is optimality
        h.setOptionValue("random_seed", int(seed))
        empty_i = np.zeros(0, dtype=np.int32)
        h.addCols(K, np.zeros(K), np.zeros(K), np.ones(K), 0, empty_i, empty_i, np.zeros(0))
        h.changeColsIntegrality(K, np.arange(K, dtype=np.int32),
                                np.array([hs.HighsVarType.kInteger] * K))
        self.h = h
        self.idx = np.arange(K, dtype=np.int32)
        self.err_coef = (self.n_neg - self.n_pos).astype(np.float64)
        self.err_const = float(self.n_pos.sum())
        inf = hs.kHighsInf
        # row 0: errors(p) <= cap; row 1: a linear objective cutoff (lo <= c . p <= hi)
        h.addRow(-inf, inf, K, self.idx, self.err_coef)
        h.addRow(-inf, inf, K, self.idx, np.zeros(K))
        lab = np.asarray(seed_labels, dtype=np.int64)
        self._add_parallelograms(np.flatnonzero(self._violated(lab)))

    # ---- the master problem ----------------------------------------------------
    def _violated(self, lab: NDArray[np.int64]) -> NDArray[np.bool_]:
        q = self.pool
        if q.shape[0] == 0:
            return np.zeros(0, dtype=bool)
        return ~self.in_master & (np.abs(lab[q[:, 0]] + lab[q[:, 1]] - lab[q[:, 2]]
                                         - lab[q[:, 3]]) == 2)

    def _add_parallelograms(self, sel: NDArray[np.intp]) -> None:
        m = int(sel.size)
        if m == 0:
            return
        self.in_master[sel] = True
        starts = np.arange(0, 4 * m, 4, dtype=np.int32)
        self.h.addRows(m, -np.ones(m), np.ones(m), 4 * m, starts,
                       self.pool[sel].ravel().astype(np.int32),
                       np.tile([1.0, 1.0, -1.0, -1.0], m))
        self.stats["parallelograms_added"] += m

    def _add_radon(self, S: NDArray[np.intp], lab: NDArray[np.bool_]) -> None:
        P = S[lab[S]]
        N = S[~lab[S]]
        cols = np.concatenate([P, N]).astype(np.int32)
        v = np.concatenate([-np.ones(P.size), np.ones(N.size)])
        inf = self.hs.kHighsInf
        self.h.addRow(1.0 - P.size, inf, cols.size, cols, v)
        self.h.addRow(1.0 - N.size, inf, cols.size, cols, -v)
        self.stats["radon_cuts"] += 2

    def set_cap(self, cap: float | None) -> None:
        """Errors allowed (None: no limit)."""
        inf = self.hs.kHighsInf
        hi = inf if cap is None else float(cap) - self.err_const
        self.h.changeRowBounds(0, -inf, hi)

    def set_objective(self, coef: NDArray | None) -> None:
        """Minimise ``coef . p`` (None: feasibility, the first feasible labelling)."""
        c = np.zeros(self.K) if coef is None else np.asarray(coef, dtype=np.float64)
        self.h.changeColsCost(self.K, self.idx, c)

    def set_cutoff(self, coef: NDArray | None, lo: float) -> None:
        """Require ``coef . p >= lo`` (None: drop the row)."""
        inf = self.hs.kHighsInf
        c = np.zeros(self.K) if coef is None else np.asarray(coef, dtype=np.float64)
        for k in range(self.K):
            self.h.changeCoeff(1, k, float(c[k]))
        self.h.changeRowBounds(1, -inf if coef is None else float(lo), inf)

    def fix(self, k: int, value: bool) -> None:
        v = 1.0 if value else 0.0
        self.h.changeColBounds(int(k), v, v)

    def free(self, k: int) -> None:
        self.h.changeColBounds(int(k), 0.0, 1.0)

    # ---- separation --------------------------------------------------------------
    def _farkas_support(self, lab: NDArray[np.bool_], penalty: NDArray | None = None
                        ) -> NDArray[np.intp] | str | None:
        """Support of a Radon certificate of ``lab``, None if ``lab`` is separable, or
        "failed" when the LP ends otherwise. ``penalty`` is added to the random costs."""
        s = np.where(lab, 1.0, -1.0)
        A = np.vstack([lab.astype(np.float64), (~lab).astype(np.float64),
                       (self.Z * s[:, None]).T])
        b = np.zeros(self.d + 2)
        b[:2] = 1.0
        c = self.rng.random(self.K)
        if penalty is not None:
            c = c + penalty
        res = linprog(c, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        if res.status == 2:
            return None
        if res.status != 0:
            return "failed"
        return np.flatnonzero(res.x > _SUPPORT_TOL)

    def _recover_support(self, lab: NDArray[np.bool_], S: NDArray[np.intp]
                         ) -> NDArray[np.intp] | None:
        """An exactly certified Radon support of ``lab`` after ``S`` was rejected, or None.

        First the Farkas LP again with the rejected points made expensive (another vertex),
        then ``S`` plus one more point (a superset of a Radon partition is one too, and one
        more point can absorb the float error of a near-degenerate support).
        """
        penalty = np.zeros(self.K)
        for _ in range(_RETRY_LPS):
            penalty[S] += 10.0
            S2 = self._farkas_support(lab, penalty)
            if S2 is None or isinstance(S2, str):
                return None
            if exact_radon_certificate(self.X_exact, lab, S2):
                return S2
            S = S2
        others = np.setdiff1d(np.arange(self.K), S)
        for j in self.rng.permutation(others)[:_RETRY_EXTEND]:
            S2 = np.sort(np.append(S, j))
            if exact_radon_certificate(self.X_exact, lab, S2):
                return S2
        return None

    def witness(self, lab: NDArray[np.bool_]) -> tuple[NDArray, float] | None:
        """A hyperplane realising ``lab`` strictly, checked in floating point (or None)."""
        if lab.all() or not lab.any():
            return np.zeros(self.d), (1.0 if lab.all() else -1.0)
        res = _max_margin(self.Z, lab, self.B)
        if res is None or res[0] <= 0:
            return None
        _, w, b = res
        if not np.array_equal(self.Z @ w + b > 0, lab):
            return None
        return w, b

    def solve(self, time_limit: float | None = None
              ) -> tuple[str, NDArray | None, tuple[NDArray, float] | None, float | None]:
        """Run the Benders loop; returns ``(status, labels, witness, dual_bound)``.

        ``status`` is "optimal" (``labels`` is separable, the master's optimum, with a
        float-checked ``witness``), "infeasible" (proof: no separable labelling meets the
        constraints), "time_limit" (``dual_bound``: a lower bound on the objective, from
        HiGHS or from the last master optimum, or None) or "verification" (a separable
        optimum whose witness failed the float check, a labelling for which no Radon
        support passed the exact check, or an LP/MIP that ended with another status; the
        ``dual_bound`` is then the last master optimum, still a valid bound).
        """
        hs = self.hs
        h = self.h
        deadline = None if time_limit is None else time.perf_counter() + float(time_limit)
        last = None  # objective of the last master optimum: a lower bound on the answer
        while True:
            if deadline is not None:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return "time_limit", None, None, last
                h.setOptionValue("time_limit", float(left))
            t0 = time.perf_counter()
            h.run()
            self.stats["seconds_master"] += time.perf_counter() - t0
            self.stats["master_solves"] += 1
            ms = h.getModelStatus()
            if ms == hs.HighsModelStatus.kInfeasible:
                return "infeasible", None, None, None
            if ms == hs.HighsModelStatus.kTimeLimit:
                info = h.getInfo()
                bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) \
                    else last
                return "time_limit", None, None, bound
            if ms != hs.HighsModelStatus.kOptimal:
                return "verification", None, None, last
            last = float(h.getInfo().objective_function_value)
            lab = np.asarray(h.getSolution().col_value) > 0.5
            t0 = time.perf_counter()
            try:
                viol = np.flatnonzero(self._violated(lab.astype(np.int64)))
                if viol.size:
                    self._add_parallelograms(viol)
                    continue
                S = self._farkas_support(lab)
                if isinstance(S, str):
                    return "verification", lab, None, last
                if S is None:
                    wit = self.witness(lab)
                    if wit is None:
                        return "verification", lab, None, last
                    return "optimal", lab, wit, None
                if not exact_radon_certificate(self.X_exact, lab, S):
                    self.stats["cuts_rejected"] += 1
                    S = self._recover_support(lab, S)
                    if S is None:
                        return "verification", lab, None, last
                    self.stats["cuts_recovered"] += 1
                self._add_radon(S, lab)
            finally:
                self.stats["seconds_separation"] += time.perf_counter() - t0
