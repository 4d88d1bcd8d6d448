"""The Benders search of :class:`LinearMIPExplorer` (``method="benders"``): every question
goes to one :class:`~._benders.LabellingMaster`, whose cuts carry over from one search to
the next (so the points are searched one after the other)."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._benders import LabellingMaster
from ._mip_search import _FLIP_MIP, LinearWitness, _State

__all__: list[str] = []


class _BendersSearch(_State):
    """Point bookkeeping with the Benders master over labellings of the distinct points."""

    method = "benders"

    def __init__(self, Xd: NDArray, Z: NDArray, keep: NDArray, lo: NDArray, span: NDArray,
                 n_pos: NDArray, n_neg: NDArray, classes: NDArray, B: float,
                 all_cuts: NDArray, *, n_samples: int, verbose: bool,
                 time_limit: float | None) -> None:
        super().__init__(Xd, Z, keep, lo, span, n_pos, n_neg, classes, B, all_cuts,
                         n_samples=n_samples, verbose=verbose, time_limit=time_limit)
        self.master = LabellingMaster(Z, Xd, n_pos, n_neg, all_cuts, n_pos > n_neg, B)

    def final_stats(self) -> dict[str, Any]:
        """The master's counts (``benders_*``) and the parallelogram cuts it took in."""
        stats = {f"benders_{k}": v for k, v in self.master.stats.items()}
        stats["parallelogram_cuts"] = int(self.master.in_master.sum())
        return stats

    def _search_baseline(self, mdl: LinearWitness, pos: NDArray, err: int
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

    def settle_points(self, n_jobs: int = 1) -> None:
        """One Benders search per open point, costliest first, sharing the cut pool
        (``n_jobs`` is not used: every search starts from the cuts learnt before it)."""
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

    def _search_discrepancy(self, flippable: NDArray, best: int, upper_all: int
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
