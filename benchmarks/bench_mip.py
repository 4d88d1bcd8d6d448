"""Exact ambiguity and discrepancy of linear classifiers (LinearMIPExplorer) on COMPAS.

Data (read from ``../shared/data`` at run time, never copied into the package):

* ``compas_binned/binned.csv``: 6,907 rows, 12 binary features, 123 distinct x, label
  ``recidivate-within-two-years:1`` (0/1). Target: under 60 s.
* ``compas_arrest/compas_arrest_processed.csv`` (GPL-3.0, from pmtools): 6,172 rows, 21
  binary features, 329 distinct x, label ``arrest`` in {-1, 1}. Target: under 10 min.
* ``compas_violent`` (same format) with ``--datasets violent``.

``--method benders`` (default) is the margin-free combinatorial Benders search;
``--method big-m`` the big-M MIPs through cvxpy. ``--compare`` runs both on each data set
(Benders first, then big-M with the same ``--time-limit`` and ``--n-jobs``) and prints the
time ratio and whether the two agree (there is no peer library: Marx et al.'s code needs
CPLEX; big-M through cvxpy is the formulation of the paper).

One ``LinearMIPExplorer(epsilon=0.01, time_limit=...)`` fit per data set (a single run: a
fit takes seconds to minutes, and the point is the MIP count and the bounds, not a
micro-timing). Printed: wall time and its split by stage, baseline error, error budget,
ambiguity and its bounds, discrepancy and its bounds, and how the distinct points were
settled (heuristics, bounds, MIPs; MIPs that stopped at the time limit).

Run: ``.venv/bin/python benchmarks/bench_mip.py [--datasets binned arrest]
[--time-limit 60] [--epsilon 0.01] [--n-jobs 2] [--verbose]``.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import _common
import numpy as np
import pandas as pd

from multiplicity.rashomon._mip import LinearMIPExplorer, MIPNotExactWarning

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FILES = {
    "binned": (DATA / "compas_binned" / "binned.csv", "recidivate-within-two-years:1"),
    "arrest": (DATA / "compas_arrest" / "compas_arrest_processed.csv", "arrest"),
    "violent": (DATA / "compas_violent" / "compas_violent_processed.csv", None),
}


def load(name: str) -> tuple[np.ndarray, np.ndarray] | None:
    path, label = FILES[name]
    if not path.exists():
        return None
    df = pd.read_csv(path)
    y = df.pop(label if label is not None else df.columns[0]).to_numpy()
    return df.to_numpy(dtype=np.float64), y


def run(name: str, epsilon: float, time_limit: float | None, verbose: bool,
        n_jobs: int | None, method: str = "benders") -> dict | None:
    data = load(name)
    if data is None:
        print(f"{name}: data file not found, skipped")
        return None
    X, y = data
    est = LinearMIPExplorer(epsilon=epsilon, time_limit=time_limit, verbose=verbose,
                            n_jobs=n_jobs, method=method)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MIPNotExactWarning)
        est.fit(X, y)
    seconds = time.perf_counter() - t0
    st = est.solve_stats_
    n_distinct = st["n_distinct"]
    res = {
        "dataset": name, "n": len(y), "n_distinct": n_distinct, "epsilon": epsilon,
        "method": method, "time_limit": time_limit, "n_jobs": n_jobs, "seconds": seconds,
        "baseline_error": est.baseline_error_, "baseline_optimal": est.baseline_optimal_,
        "error_budget": est.error_budget_, "ambiguity": est.ambiguity_,
        "ambiguity_bounds": list(est.ambiguity_bounds_), "discrepancy": est.discrepancy_,
        "discrepancy_bounds": list(est.discrepancy_bounds_), "exact": est.is_exact_,
        "n_flipping_models": len(est.flipping_models_), "warnings": [str(w.message)
                                                                      for w in caught],
        "stats": st,
    }
    print(f"\n## {name}: n = {len(y)}, {n_distinct} distinct x, eps = {epsilon}, "
          f"method = {method}, time limit per search = {time_limit}, n_jobs = {n_jobs}")
    print(f"time            {seconds:.1f} s  (baseline {st['seconds_baseline']:.1f} s, "
          f"heuristics {st['seconds_heuristics']:.1f} s, point MIPs "
          f"{st['seconds_point_mips']:.1f} s, discrepancy MIP "
          f"{st['seconds_discrepancy']:.1f} s)")
    print(f"baseline error  {est.baseline_error_:.6f} ({round(est.baseline_error_ * len(y))} "
          f"mistakes, proven optimal: {est.baseline_optimal_}), budget "
          f"+{est.error_budget_} mistakes")
    a_lo, a_hi = est.ambiguity_bounds_
    d_lo, d_hi = est.discrepancy_bounds_
    print(f"ambiguity       {est.ambiguity_:.6f}  bounds [{a_lo:.6f}, {a_hi:.6f}]")
    print(f"discrepancy     {est.discrepancy_:.6f}  bounds [{d_lo:.6f}, {d_hi:.6f}]  "
          f"(MIP: {st['mip_discrepancy']})")
    print(f"exact           {est.is_exact_}")
    print(f"points settled  heuristics {st['settled_by_heuristics']}, bounds "
          f"{st['settled_by_bounds']}, MIPs {st['settled_by_mip']} of {st['mips_point']} "
          f"point MIPs ({st['mips_point_feasible']} feasible, "
          f"{st['mips_point_infeasible']} infeasible, {st['mips_point_time_limit']} "
          f"time limit; slowest {st['mip_point_seconds_max']:.1f} s); "
          f"{st['parallelogram_cuts']} parallelogram cuts")
    if method == "benders":
        print(f"benders         {st['benders_master_solves']} master solves "
              f"({st['benders_seconds_master']:.1f} s), separation "
              f"{st['benders_seconds_separation']:.1f} s, {st['benders_radon_cuts']} Radon "
              f"cuts, {st['benders_parallelograms_added']} of "
              f"{st['parallelogram_cuts_found']} parallelograms used, "
              f"{st['benders_cuts_rejected']} supports rejected by the exact check")
    for w in caught:
        print(f"warning: {w.message}")
    return res


def main() -> None:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["binned", "arrest"],
                        choices=sorted(FILES))
    parser.add_argument("--epsilon", type=float, default=0.01)
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds per MIP (default: none, i.e. exact)")
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="worker processes for the point MIPs (default 1)")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--method", choices=["benders", "big-m"], default="benders")
    parser.add_argument("--compare", action="store_true",
                        help="run both methods on each data set and print the ratio")
    args = parser.parse_args()
    info = _common.machine_info()
    _common.print_machine(info)
    results = []
    for name in args.datasets:
        if not args.compare:
            results.append(run(name, args.epsilon, args.time_limit, args.verbose,
                               args.n_jobs, args.method))
            continue
        a = run(name, args.epsilon, args.time_limit, args.verbose, args.n_jobs, "benders")
        b = run(name, args.epsilon, args.time_limit, args.verbose, args.n_jobs, "big-m")
        if a is None or b is None:
            continue
        same = all(a[k] == b[k] for k in ("baseline_error", "ambiguity_bounds"))
        print(f"\n## {name}: big-M / Benders time = {b['seconds']:.1f} s / "
              f"{a['seconds']:.1f} s = {b['seconds'] / a['seconds']:.1f}x; both exact: "
              f"{a['exact'] and b['exact']}; same h0 error and ambiguity: {same}")
        results += [a, b]
    _common.write_json(args.json, {"machine": info, "results": [r for r in results if r]})


if __name__ == "__main__":
    main()
