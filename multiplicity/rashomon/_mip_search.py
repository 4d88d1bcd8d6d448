"""The point bookkeeping of :class:`LinearMIPExplorer`, shared by its two searches.

:class:`_State` holds what one ``fit`` learns about the distinct points: the verified
witness models and the flips they make, the status of every point, the error budget,
the heuristics that flip points cheaply (intercept sweeps of known directions, weighted
logistic fits) and the bounds that settle points without a search. A search
(``_mip_bigm._BigMSearch``, ``_mip_benders._BendersSearch``) adds the three exact questions:
the fewest errors, whether one point can be flipped, the most flipped rows.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from ._benders import _max_margin
from ._mip_kernels import _sweep_cuts

__all__ = ["LinearWitness"]

# Regularisation strengths of the logistic fits behind the baseline search.
_BASELINE_CS = (0.01, 0.1, 1.0, 10.0, 100.0)
# Per-point status codes (``point_status_`` holds the names).
_STATUS_NAMES = ("not flipped (bound)", "not flipped (MIP)", "flipped (heuristic)",
                 "flipped (MIP)", "unresolved (time limit)", "unresolved (verification)")
_NOT_BOUND, _NOT_MIP, _FLIP_HEUR, _FLIP_MIP, _UNRES_TIME, _UNRES_VERIFY = range(6)
_OPEN = -1


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


class _State(ABC):
    """Everything one ``fit`` learns about the distinct points, and the search steps that
    do not depend on how a point is settled exactly.

    A subclass answers the three exact questions (:meth:`_search_baseline`,
    :meth:`settle_points`, :meth:`_search_discrepancy`) and names its ``method``.
    """

    method: str = ""

    def __init__(self, Xd: NDArray, Z: NDArray, keep: NDArray, lo: NDArray, span: NDArray,
                 n_pos: NDArray, n_neg: NDArray, classes: NDArray, B: float,
                 all_cuts: NDArray, *, n_samples: int, verbose: bool,
                 time_limit: float | None) -> None:
        self.verbose = bool(verbose)
        self.Xd, self.Z, self.keep, self.lo, self.span = Xd, Z, keep, lo, span
        self.n_pos, self.n_neg = n_pos, n_neg
        self.n_all = n_pos + n_neg
        self.classes = classes
        self.B = B
        self.K = Xd.shape[0]
        self.time_limit = time_limit
        self.witnesses: list[LinearWitness] = []
        self.disc_index: int | None = None
        self.disc_best = -1
        self.stats: dict[str, Any] = {
            "mip_baseline": "", "mips_point": 0, "mips_point_feasible": 0,
            "mips_point_infeasible": 0, "mips_point_time_limit": 0, "mip_discrepancy": "",
            "settled_by_heuristics": 0, "settled_by_bounds": 0, "settled_by_mip": 0,
            "witnesses_checked": 0, "seconds_mip": 0.0, "mip_point_seconds_max": 0.0,
        }
        self.stats.update(n_samples=n_samples, n_distinct=self.K,
                          n_features_used=int(Z.shape[1]))
        self.stats["method"] = self.method
        self.stats["parallelogram_cuts_found"] = int(all_cuts.shape[0])
        self.directions: list[NDArray] = []
        self.base_dir: NDArray | None = None

    def log(self, msg: str) -> None:
        if self.verbose:
            print(f"[LinearMIPExplorer] {msg}", flush=True)

    def final_stats(self) -> dict[str, Any]:
        """Counts of the exact search, added to ``solve_stats_`` at the end of ``fit``."""
        return {}

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
        """0-1 minimiser: logistic directions swept over the intercept, then the exact search.

        Returns ``(h0, its predictions on the distinct points, its errors, proven optimal)``.
        """
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
        return self._search_baseline(mdl, pos, err)

    @abstractmethod
    def _search_baseline(self, mdl: LinearWitness, pos: NDArray, err: int
                         ) -> tuple[LinearWitness, NDArray, int, bool]:
        """Fewest errors by the exact search, given the heuristic incumbent ``mdl`` (its
        predictions ``pos`` on the distinct points, its ``err`` errors)."""

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

    def heuristics(self, target_weights: tuple[float, ...]) -> None:
        """Sweep the known directions, then weighted logistic fits with each point flipped.

        ``target_weights``: weights of the flipped target point, as shares of n, one round
        of fits per share.
        """
        if self.base_dir is not None:
            self.sweep(self.base_dir, _FLIP_HEUR)
        for w in self.directions:
            self.sweep(w, _FLIP_HEUR)
        n = float(self.n_all.sum())
        base_w = self._count_weights()
        for share in target_weights:
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

    @abstractmethod
    def settle_points(self, n_jobs: int = 1) -> None:
        """Settle every point nothing has flipped yet: flippable within the budget or not
        (``n_jobs``: worker processes, where the search can use them)."""

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
        flippable = self.flipped | np.isin(self.status, (_UNRES_TIME, _UNRES_VERIFY))
        upper_all = int(self.n_all[flippable].sum())
        best = max(self.disc_best, 0)
        if best >= upper_all:
            self.stats["mip_discrepancy"] = "not needed (one witness flips every point)"
            return best, best
        return self._search_discrepancy(flippable, best, upper_all)

    @abstractmethod
    def _search_discrepancy(self, flippable: NDArray, best: int, upper_all: int
                            ) -> tuple[int, int]:
        """Most flipped rows by the exact search, with the points outside ``flippable``
        kept at ``h0``'s label; ``best`` rows are flipped already, ``upper_all`` is the
        most that could be."""
