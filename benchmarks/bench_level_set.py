"""Viable prediction ranges on COMPAS (arrest) against a cvxpy + Clarabel loop.

Input: ``../shared/data/compas_arrest/compas_arrest_processed.csv`` (6,172 people, 21
binary features, label ``arrest`` in {-1, 1}; GPL, so it is read from ``../shared/data``
at run time and never copied into the package). The level set is that of L2-regularised
logistic regression with ``C = 1.0`` (scikit-learn's inverse regularisation strength:
objective ``C * sum(log loss) + ||w||^2 / 2``, intercept unpenalised), with the loss
``L = mean log loss + ||w||^2 / (2 C n)`` and ``L(w) <= L(w0) + eps`` for eps = 0.01 and
0.001 (absolute). Ranges are computed for every distinct feature vector (329 rows, 658
convex programs).

Contestants:

* ours: ``LogisticLevelSet(C, epsilon).viable_prediction_range(X_distinct)``
  (equality-constrained Newton solves and a safeguarded Newton search over the end point,
  in Numba, on all threads),
  min of ``--repeats`` runs after a warm-up call that compiles the kernels;
* cvxpy: one ``cp.Problem`` per end point, ``min/max x . w + b`` subject to the
  log-loss constraint written with ``cp.logistic`` (exponential cone), solved by
  CLARABEL; when Clarabel fails or reports ``optimal_inaccurate`` the problem is solved
  again by SCS (``eps=1e-9``). By default the constraint is written over the distinct
  (x, y) rows with counts as weights (a fair, compressed baseline); ``--cvxpy-form
  samples`` writes one term per person instead. It runs on ``--cvxpy-rows`` seeded random
  distinct rows and its time is extrapolated to all rows.

Accuracy: the largest end-point differences (probability and margin) on the rows cvxpy
solved, over those Clarabel called optimal and over all of them.

Run: ``.venv/bin/python benchmarks/bench_level_set.py [--cvxpy-rows 20 --repeats 3]``.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import _common
import numpy as np
import pandas as pd
from scipy.special import expit

from multiplicity.rashomon._level_set import LogisticLevelSet

DATA = (Path(__file__).resolve().parents[2] / "shared" / "data" / "compas_arrest"
        / "compas_arrest_processed.csv")


def load(path: Path) -> tuple[np.ndarray, np.ndarray]:
    df = pd.read_csv(path)
    y = df.pop("arrest").to_numpy()
    return df.to_numpy(dtype=np.float64), y


def cvxpy_ranges(lls: LogisticLevelSet, X: np.ndarray, y: np.ndarray, Xq: np.ndarray,
                 form: str) -> dict:
    """Min and max margin per row of Xq by cvxpy (Clarabel, SCS fallback), timed."""
    import cvxpy as cp

    n, d = X.shape
    s = (y == lls.classes_[1]).astype(np.float64)
    w = cp.Variable(d)
    b = cp.Variable()
    if form == "rows":
        Xu, inv = np.unique(X, axis=0, return_inverse=True)
        inv = inv.ravel()
        n_pos = np.bincount(inv, weights=s)
        n_neg = np.bincount(inv) - n_pos
        m = Xu @ w + b
        total = n_pos @ cp.logistic(-m) + n_neg @ cp.logistic(m)
    else:
        sign = np.where(s > 0, 1.0, -1.0)
        total = cp.sum(cp.logistic(-cp.multiply(sign, X @ w + b)))
    # Constraint in sum form: C * sum(log loss) / C + ||w||^2 / (2C) <= n * threshold.
    constraint = [total + cp.sum_squares(w) / (2 * lls.C) <= n * lls.threshold_]
    out = np.full((len(Xq), 2), np.nan)
    clarabel_ok = np.zeros((len(Xq), 2), dtype=bool)
    n_fallback = n_failed = 0
    t0 = time.perf_counter()
    for i, x in enumerate(Xq):
        for side, sense in enumerate((cp.Minimize, cp.Maximize)):
            prob = cp.Problem(sense(x @ w + b), constraint)
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
    elapsed = time.perf_counter() - t0
    return {"margins": out, "clarabel_ok": clarabel_ok, "seconds": elapsed,
            "n_fallback": n_fallback, "n_failed": n_failed}


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--eps", type=float, nargs="+", default=[0.01, 0.001])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cvxpy-rows", type=int, default=20,
                        help="distinct rows the cvxpy loop runs on (0 skips it)")
    parser.add_argument("--cvxpy-form", choices=["rows", "samples"], default="rows")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    info = _common.machine_info()
    _common.print_machine(info)
    if not args.data.exists():
        raise SystemExit(f"data file not found: {args.data}")
    X, y = load(args.data)
    Xu = np.unique(X, axis=0)
    print(f"# data: {X.shape[0]} samples, {X.shape[1]} features, {len(Xu)} distinct rows "
          f"({2 * len(Xu)} convex programs per epsilon); C = {args.C} (sklearn's inverse "
          "regularisation strength)")
    rows = np.sort(np.random.default_rng(args.seed).choice(
        len(Xu), min(args.cvxpy_rows, len(Xu)), replace=False))
    result: dict = {"machine": info, "n_samples": X.shape[0], "n_distinct": len(Xu),
                    "C": args.C, "runs": []}
    for eps in args.eps:
        lls = LogisticLevelSet(C=args.C, epsilon=eps)
        t0 = time.perf_counter()
        lls.fit(X, y)
        t_fit = time.perf_counter() - t0
        t0 = time.perf_counter()
        lls.viable_prediction_range(Xu[:2])  # compiles on the first epsilon
        t_warm = time.perf_counter() - t0
        timing = _common.min_time({"ours": lambda lls=lls: lls.viable_prediction_range(Xu)},
                                  args.repeats)["ours"]
        ranges = lls.viable_prediction_range(Xu)
        amb = lls.probabilistic_ambiguity(X, delta=0.1)
        print(f"\neps = {eps}: baseline fit {_common.fmt_s(t_fit)} (L0 = "
              f"{lls.baseline_loss_:.6f}), warm-up call {_common.fmt_s(t_warm)}")
        print(f"  ours : {len(Xu)} rows in {_common.fmt_s(timing['min'])} (min of "
              f"{timing['repeats']}; median {_common.fmt_s(timing['median'])}); "
              f"mean width {np.mean(ranges[:, 1] - ranges[:, 0]):.4f}, "
              f"probabilistic ambiguity (delta=0.1) {amb:.4f}")
        run = {"eps": eps, "fit_s": t_fit, "ours_s": timing["min"],
               "ours_median_s": timing["median"], "ambiguity_delta_0.1": amb}
        if len(rows):
            ref = cvxpy_ranges(lls, X, y, Xu[rows], args.cvxpy_form)
            per_row = ref["seconds"] / len(rows)
            projected = per_row * len(Xu)
            m_ours = np.log(ranges[rows]) - np.log1p(-ranges[rows])
            solved = np.isfinite(ref["margins"])
            ok = ref["clarabel_ok"]
            dp = np.abs(ranges[rows] - expit(ref["margins"]))
            dm = np.abs(m_ours - ref["margins"])
            dp_ok = float(dp[ok].max()) if ok.any() else float("nan")
            dm_ok = float(dm[ok].max()) if ok.any() else float("nan")
            dp_all = float(dp[solved].max()) if solved.any() else float("nan")
            print(f"  cvxpy: {len(rows)} rows ({2 * len(rows)} problems, form "
                  f"'{args.cvxpy_form}') in {_common.fmt_s(ref['seconds'])}; projected "
                  f"{_common.fmt_s(projected)} for {len(Xu)} rows; Clarabel optimal on "
                  f"{int(ok.sum())}/{ok.size}, SCS fallbacks {ref['n_fallback']}, "
                  f"failures {ref['n_failed']}")
            print(f"  ratio: cvxpy / ours = {projected / timing['min']:.0f}x")
            print(f"  max |p_ours - p_cvxpy|: {dp_ok:.2e} (Clarabel optimal), {dp_all:.2e} "
                  f"(all solved, incl. SCS); max |margin diff| (Clarabel optimal) "
                  f"{dm_ok:.2e}")
            run.update({"cvxpy_rows": len(rows), "cvxpy_s": ref["seconds"],
                        "cvxpy_projected_s": projected, "ratio": projected / timing["min"],
                        "max_dp_clarabel_optimal": dp_ok, "max_dp_all": dp_all,
                        "max_dmargin_clarabel_optimal": dm_ok,
                        "clarabel_optimal": int(ok.sum()), "fallbacks": ref["n_fallback"],
                        "failures": ref["n_failed"]})
        result["runs"].append(run)
    _common.write_json(args.json, result)
    return result


if __name__ == "__main__":
    main()
