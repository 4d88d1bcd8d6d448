"""Viable prediction ranges of L2 logistic regression on COMPAS, against cvxpy + Clarabel.

Data: the bundled COMPAS data (``multiplicity.datasets.load_compas``: 6,907 people, 12
binary features, 123 distinct rows) and, when ``$MULTIPLICITY_EXTRA_DATA`` names a folder
holding it, ``compas_arrest/compas_arrest_processed.csv`` (6,172 people, 21 binary
features, 329 distinct rows, label ``arrest`` in {-1, 1}; GPL, so it is never copied into
the repository). Without that variable the arrest rows are skipped and the output says
so.

The level set is that of L2-regularised logistic regression with ``C = 1.0``
(scikit-learn's inverse regularisation strength: objective ``C * sum(log loss) +
||w||^2 / 2``, intercept unpenalised), with the loss ``L = mean log loss + ||w||^2 / (2 C
n)`` and ``L(w) <= L(w0) + eps`` (absolute). Ranges are computed for every distinct
feature vector (two convex programs per row).

Contestants, called round-robin the same number of times N (min and median kept):

* ours: ``LogisticLevelSet(C, epsilon).viable_prediction_range(X_distinct)``
  (equality-constrained Newton solves and a safeguarded Newton search over the end point,
  in Numba, on all threads), after a warm-up call that compiles the kernels;
* cvxpy: ``min/max x . w + b`` subject to the log-loss constraint written with
  ``cp.logistic`` (exponential cone) over the distinct (x, y) rows with counts as
  weights, solved by CLARABEL for every distinct row. The two problems (min and max) are
  built once with the row as a ``cp.Parameter``, so cvxpy compiles them once and each end
  point only re-solves (cvxpy's documented way to solve a family of problems fast). When
  Clarabel fails or reports ``optimal_inaccurate``, the end point is solved again by SCS
  (``eps=1e-9``), also through a parametrised problem. ``--cvxpy-rows K`` limits the loop
  to K seeded random rows; its time is then a projection, and the output says so.

Values: the largest end-point difference (probability) over the end points Clarabel
solved to optimality must be below 1e-6; the script exits non-zero otherwise.

Run: ``.venv/bin/python benchmarks/bench_level_set.py [--datasets binned arrest --repeats 2
--arrest-repeats 1 --cvxpy-rows K --json PATH]``.
"""

from __future__ import annotations

import sys
import time
import warnings

import _common
import numpy as np
import pandas as pd
from scipy.special import expit

from multiplicity.datasets import load_compas
from multiplicity.rashomon._level_set import LogisticLevelSet

TOL = 1e-6


def load(name: str) -> tuple[np.ndarray, np.ndarray] | str:
    """``(X, y)`` of a data set, or the reason it cannot be read."""
    if name == "binned":
        X, y = load_compas(return_X_y=True)
        return X.to_numpy(dtype=np.float64), y.to_numpy()
    path, reason = _common.extra_data("compas_arrest", "compas_arrest_processed.csv")
    if path is None:
        return reason
    df = pd.read_csv(path)
    y = df.pop("arrest").to_numpy()
    return df.to_numpy(dtype=np.float64), y


class CvxpyRanges:
    """The end-point programs of one level set, compiled once, solved per row."""

    def __init__(self, lls: LogisticLevelSet, X: np.ndarray, y: np.ndarray):
        import cvxpy as cp

        self.cp = cp
        n, d = X.shape
        s = (y == lls.classes_[1]).astype(np.float64)
        w = cp.Variable(d)
        b = cp.Variable()
        Xu, inv = np.unique(X, axis=0, return_inverse=True)
        inv = inv.ravel()
        n_pos = np.bincount(inv, weights=s)
        n_neg = np.bincount(inv) - n_pos
        m = Xu @ w + b
        total = n_pos @ cp.logistic(-m) + n_neg @ cp.logistic(m)
        # Constraint in sum form: sum(log loss) + ||w||^2 / (2C) <= n * threshold.
        constraint = [total + cp.sum_squares(w) / (2 * lls.C) <= n * lls.threshold_]
        self.x = cp.Parameter(d)
        objective = self.x @ w + b
        self.clarabel = [cp.Problem(cp.Minimize(objective), constraint),
                         cp.Problem(cp.Maximize(objective), constraint)]
        self.scs = [cp.Problem(cp.Minimize(objective), constraint),
                    cp.Problem(cp.Maximize(objective), constraint)]

    def solve(self, Xq: np.ndarray) -> dict:
        """Min and max margin per row of ``Xq`` (Clarabel, SCS fallback)."""
        cp = self.cp
        out = np.full((len(Xq), 2), np.nan)
        clarabel_ok = np.zeros((len(Xq), 2), dtype=bool)
        n_fallback = n_failed = 0
        for i, x in enumerate(Xq):
            self.x.value = x
            for side in (0, 1):
                prob = self.clarabel[side]
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        prob.solve(solver="CLARABEL")
                    status = prob.status
                except cp.SolverError:
                    status = "error"
                if status == "optimal":
                    out[i, side] = prob.value
                    clarabel_ok[i, side] = True
                    continue
                n_fallback += 1
                prob = self.scs[side]
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        prob.solve(solver="SCS", eps=1e-9, max_iters=200_000)
                    if prob.status in ("optimal", "optimal_inaccurate"):
                        out[i, side] = prob.value
                    else:
                        n_failed += 1
                except cp.SolverError:
                    n_failed += 1
        return {"margins": out, "clarabel_ok": clarabel_ok, "n_fallback": n_fallback,
                "n_failed": n_failed}


def run(name: str, X: np.ndarray, y: np.ndarray, eps: float, C: float, repeats: int,
        cvxpy_rows: int, seed: int) -> tuple[dict, dict]:
    """Time ours and the cvxpy loop on one data set and epsilon; (summary row, details)."""
    Xu = np.unique(X, axis=0)
    lls = LogisticLevelSet(C=C, epsilon=eps)
    t0 = time.perf_counter()
    lls.fit(X, y)
    t_fit = time.perf_counter() - t0
    lls.viable_prediction_range(Xu[:2])  # compiles on the first call
    rows = np.arange(len(Xu))
    if 0 < cvxpy_rows < len(Xu):
        rows = np.sort(np.random.default_rng(seed).choice(len(Xu), cvxpy_rows,
                                                          replace=False))
    ref = CvxpyRanges(lls, X, y)
    ref.solve(Xu[:1])  # compile cvxpy's problems outside the timing, as ours is compiled
    last: dict = {}
    timings = _common.interleaved(
        {"ours": lambda: last.__setitem__("ours", lls.viable_prediction_range(Xu)),
         "cvxpy": lambda: last.__setitem__("cvxpy", ref.solve(Xu[rows]))}, repeats)
    ranges, res = last["ours"], last["cvxpy"]
    projected = len(rows) < len(Xu)
    scale = len(Xu) / len(rows)
    t_ref = {k: (v * scale if k in ("min_s", "median_s") else v)
             for k, v in timings["cvxpy"].items()}
    m_ours = np.log(ranges[rows]) - np.log1p(-ranges[rows])
    ok_mask = res["clarabel_ok"]
    solved = np.isfinite(res["margins"])
    dp = np.abs(ranges[rows] - expit(res["margins"]))
    dp_ok = float(dp[ok_mask].max()) if ok_mask.any() else float("nan")
    dm_ok = (float(np.abs(m_ours - res["margins"])[ok_mask].max()) if ok_mask.any()
             else float("nan"))
    dp_all = float(dp[solved].max()) if solved.any() else float("nan")
    ok = bool(ok_mask.any()) and dp_ok <= TOL
    amb = lls.probabilistic_ambiguity(X, delta=0.1)
    n_prog = 2 * len(rows)
    print(f"\n{name}, eps = {eps}: {X.shape[0]} samples, {len(Xu)} distinct rows; baseline "
          f"fit {_common.fmt_s(t_fit)} (L0 = {lls.baseline_loss_:.6f})")
    print(f"  ours : {_common.timing_text(timings['ours'])}; mean width "
          f"{np.mean(ranges[:, 1] - ranges[:, 0]):.4f}, probabilistic ambiguity (delta=0.1) "
          f"{amb:.4f}")
    print(f"  cvxpy: {len(rows)} rows ({n_prog} programs) {_common.timing_text(timings['cvxpy'])}"
          + (f"; projected to {len(Xu)} rows: {_common.fmt_s(t_ref['min_s'])}" if projected
             else "") + f"; Clarabel optimal on {int(ok_mask.sum())}/{ok_mask.size}, SCS "
          f"fallbacks {res['n_fallback']}, failures {res['n_failed']}")
    print(f"  ratio: {_common.ratio_text(t_ref, timings['ours'])}; max |p_ours - p_cvxpy| "
          f"{dp_ok:.2e} (Clarabel optimal), {dp_all:.2e} (all solved, incl. SCS); max "
          f"|margin diff| (Clarabel optimal) {dm_ok:.2e}")
    ref_text = (f"cvxpy + Clarabel (SCS fallback), one parametrised problem per side, "
                f"{'PROJECTED from ' + str(len(rows)) + ' rows: ' if projected else ''}"
                f"{_common.fmt_s(t_ref['min_s'])} min, {_common.fmt_s(t_ref['median_s'])} "
                f"median, N = {t_ref['repeats']}")
    check = (f"end points within {dp_ok:.1e} in probability where Clarabel was optimal "
             f"({int(ok_mask.sum())} of {ok_mask.size}; must be <= {TOL:g}); {dp_all:.1e} "
             f"with the {res['n_fallback']} SCS fallbacks" + ("" if ok else "; **FAILED**"))
    label = {"binned": "bundled COMPAS", "arrest": "compas_arrest"}[name]
    row = _common.row(
        f"`LogisticLevelSet` ranges, {label}, {len(Xu)} distinct rows "
        f"({2 * len(Xu)} programs), eps {eps}", _common.timing_text(timings["ours"]),
        ref_text, _common.ratio_text(t_ref, timings["ours"])
        + (" (projected)" if projected else ""), "< 30 s", check)
    detail = {"dataset": name, "eps": eps, "n_samples": X.shape[0], "n_distinct": len(Xu),
              "fit_s": t_fit, "timings": timings, "cvxpy_rows": len(rows),
              "projected": projected, "max_dp_clarabel_optimal": dp_ok,
              "max_dp_all": dp_all, "max_dmargin_clarabel_optimal": dm_ok,
              "clarabel_optimal": int(ok_mask.sum()), "fallbacks": res["n_fallback"],
              "failures": res["n_failed"], "ambiguity_delta_0.1": amb, "ok": ok}
    return row, detail


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=["binned", "arrest"],
                        default=["binned", "arrest"])
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--eps", type=float, nargs="+", default=[0.01],
                        help="epsilons on the bundled data (e.g. 0.01 0.001)")
    parser.add_argument("--arrest-eps", type=float, nargs="+", default=[0.01],
                        help="epsilons on compas_arrest (each cvxpy pass takes minutes)")
    parser.add_argument("--repeats", type=int, default=2,
                        help="calls of each contestant on the bundled data")
    parser.add_argument("--arrest-repeats", type=int, default=1,
                        help="calls of each contestant on compas_arrest")
    parser.add_argument("--cvxpy-rows", type=int, default=0,
                        help="distinct rows the cvxpy loop runs on (0: all; otherwise its "
                             "time is projected to all rows)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    info = _common.machine_info()
    _common.print_machine(info)

    rows, details, skipped = [], [], []
    for name in args.datasets:
        data = load(name)
        if isinstance(data, str):
            print(f"\n{name}: skipped: {data}")
            skipped.append(f"compas_arrest was not run: {data}.")
            continue
        X, y = data
        arrest = name == "arrest"
        for eps in (args.arrest_eps if arrest else args.eps):
            row, detail = run(name, X, y, eps, args.C,
                              args.arrest_repeats if arrest else args.repeats,
                              args.cvxpy_rows, args.seed)
            rows.append(row)
            details.append(detail)
    fallbacks = sum(d["fallbacks"] for d in details)
    programs = sum(2 * d["cvxpy_rows"] for d in details)
    notes = (
        "Both sides compute the same quantity: the smallest and largest positive-class "
        "probability over the level set `L(w) <= L(w0) + eps` of L2 logistic regression "
        f"(C = {args.C}), for every distinct feature vector. cvxpy writes the log loss over "
        "the distinct (x, y) rows with counts as weights (one term per person would be "
        "several times slower) and re-solves one compiled, parametrised problem per side; "
        f"Clarabel fell back to SCS on {fallbacks} of {programs} programs. "
        + " ".join(skipped))
    _common.write_result(args.json, "Viable prediction ranges against cvxpy", rows, notes,
                         machine=info, C=args.C, runs=details, skipped=skipped)
    if not all(d["ok"] for d in details):
        print("FAIL: end points differ from cvxpy's", file=sys.stderr)
        sys.exit(1)
    return {"runs": details}


if __name__ == "__main__":
    main()
