"""Exact ambiguity and discrepancy of linear classifiers (LinearMIPExplorer) on COMPAS.

Data:

* ``binned``: the bundled COMPAS data (``multiplicity.datasets.load_compas``): 6,907
  rows, 12 binary features, 123 distinct x, two-year recidivism (0/1). Target: under 60 s.
* ``arrest``: ``compas_arrest/compas_arrest_processed.csv`` (GPL-3.0, from pmtools;
  6,172 rows, 21 binary features, 329 distinct x, label ``arrest`` in {-1, 1}), read only
  from the folder named by ``$MULTIPLICITY_EXTRA_DATA``; skipped, saying why, when it is
  unset. Target: under 10 min.
* ``violent``: ``compas_violent/compas_violent_processed.csv`` (same source and format),
  with ``--datasets violent``.

``--method benders`` (default) is the margin-free combinatorial Benders search;
``--method big-m`` the big-M MIPs through cvxpy. ``--compare`` runs both, in this process,
with the same ``--time-limit`` and ``--n-jobs``, on the data sets of
``--compare-datasets`` (default: binned), called round-robin ``--repeats`` times each
(Benders, big-M, Benders, ...); the other data sets run Benders alone, once. There is no
peer library: Marx et al.'s code needs CPLEX; big-M through cvxpy is the formulation of
the paper.

Printed per fit: wall time and its split by stage, baseline error, error budget,
ambiguity and its bounds, discrepancy and its bounds, and how the distinct points were
settled. The script exits non-zero when the two methods, both exact, report different
baseline errors or ambiguities (discrepancy depends on which of several optimal
baselines each one picks, so a difference there is reported, not failed).

Run: ``.venv/bin/python benchmarks/bench_mip.py [--datasets binned arrest] [--compare]
[--time-limit S] [--epsilon 0.01] [--n-jobs 2] [--verbose] [--json PATH]``.
"""

from __future__ import annotations

import sys
import time
import warnings

import _common
import numpy as np
import pandas as pd

from multiplicity.datasets import load_compas
from multiplicity.rashomon._mip import LinearMIPExplorer, MIPNotExactWarning

EXTRA = {"arrest": ("compas_arrest", "compas_arrest_processed.csv", "arrest"),
         "violent": ("compas_violent", "compas_violent_processed.csv", None)}
LABELS = {"binned": "bundled COMPAS", "arrest": "compas_arrest", "violent": "compas_violent"}


def load(name: str) -> tuple[np.ndarray, np.ndarray] | str:
    """``(X, y)`` of a data set, or the reason it cannot be read."""
    if name == "binned":
        X, y = load_compas(return_X_y=True)
        return X.to_numpy(dtype=np.float64), y.to_numpy()
    folder, file, label = EXTRA[name]
    path, reason = _common.extra_data(folder, file)
    if path is None:
        return reason
    df = pd.read_csv(path)
    y = df.pop(label if label is not None else df.columns[0]).to_numpy()
    return df.to_numpy(dtype=np.float64), y


def run(name: str, X: np.ndarray, y: np.ndarray, epsilon: float, time_limit: float | None,
        verbose: bool, n_jobs: int | None, method: str = "benders") -> dict:
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


def fit_text(r: dict) -> str:
    """``"6.0 s, exact: ambiguity 0.387288, discrepancy 0.129868"`` for one fit."""
    a_lo, a_hi = r["ambiguity_bounds"]
    d_lo, d_hi = r["discrepancy_bounds"]
    if r["exact"]:
        return (f"exact: ambiguity {r['ambiguity']:.6f}, discrepancy "
                f"{r['discrepancy']:.6f}")
    return (f"NOT exact: ambiguity in [{a_lo:.4f}, {a_hi:.4f}], discrepancy in "
            f"[{d_lo:.4f}, {d_hi:.4f}]")


def main() -> None:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["binned", "arrest"],
                        choices=["binned", "arrest", "violent"])
    parser.add_argument("--epsilon", type=float, default=0.01)
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds per MIP search (default: none, i.e. exact)")
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="worker processes for the point searches (default 1)")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--method", choices=["benders", "big-m"], default="benders",
                        help="the method of the data sets that are not compared")
    parser.add_argument("--compare", action="store_true",
                        help="run Benders and big-M, same time limit and jobs, round-robin")
    parser.add_argument("--compare-datasets", nargs="+", default=["binned"],
                        choices=["binned", "arrest", "violent"],
                        help="data sets on which --compare runs both methods")
    parser.add_argument("--repeats", type=int, default=2,
                        help="fits of each method on a compared data set")
    args = parser.parse_args()
    info = _common.machine_info()
    _common.print_machine(info)
    results, rows, skipped, failures = [], [], [], []
    settings = (f"eps {args.epsilon}, time limit per search "
                f"{'none' if args.time_limit is None else f'{args.time_limit:g} s'}, "
                f"n_jobs {args.n_jobs or 1}")
    for name in args.datasets:
        data = load(name)
        if isinstance(data, str):
            print(f"\n{name}: skipped: {data}")
            skipped.append(f"{LABELS[name]} was not run: {data}.")
            continue
        X, y = data
        n_distinct = len(np.unique(X, axis=0))
        what = (f"`LinearMIPExplorer`, {LABELS[name]}, {len(y):,} rows / {n_distinct} "
                f"distinct x, {settings}")
        if not (args.compare and name in args.compare_datasets):
            r = run(name, X, y, args.epsilon, args.time_limit, args.verbose, args.n_jobs,
                    args.method)
            results.append(r)
            ref = ("big-M not run on this data set (`--compare --compare-datasets "
                   f"{name}` runs it)" if args.method == "benders" else "")
            rows.append(_common.row(
                what, f"{args.method}: {_common.fmt_s(r['seconds'])}, N = 1", ref, "",
                "< 60 s" if name == "binned" else "< 10 min", fit_text(r)))
            continue
        fits: dict[str, list[dict]] = {"benders": [], "big-m": []}

        def fit(method, fits=fits, name=name, X=X, y=y):
            fits[method].append(run(name, X, y, args.epsilon, args.time_limit, args.verbose,
                                    args.n_jobs, method))

        timings = _common.interleaved({m: (lambda m=m: fit(m)) for m in fits}, args.repeats)
        a, b = fits["benders"][-1], fits["big-m"][-1]
        results += fits["benders"] + fits["big-m"]
        both = a["exact"] and b["exact"]
        same_h0 = a["baseline_error"] == b["baseline_error"]
        same_amb = a["ambiguity"] == b["ambiguity"]
        same_disc = a["discrepancy"] == b["discrepancy"]
        bad = both and not (same_h0 and same_amb)
        if bad:
            failures.append(f"{name}: Benders and big-M disagree although both are exact")
        print(f"\n## {name}: big-M {_common.timing_text(timings['big-m'])}; Benders "
              f"{_common.timing_text(timings['benders'])}; ratio "
              f"{_common.ratio_text(timings['big-m'], timings['benders'])}; both exact: "
              f"{both}; same h0 error {same_h0}, ambiguity {same_amb}, discrepancy "
              f"{same_disc}")
        check = fit_text(a) + "; big-M " + ("the same" if (same_amb and same_disc
                                                           and b["exact"]) else fit_text(b))
        if both and same_amb and not same_disc:
            check += " (discrepancy against another optimal baseline)"
        if bad:
            check += "; **FAILED**"
        rows.append(_common.row(
            what, "Benders: " + _common.timing_text(timings["benders"]),
            "big-M MIPs through cvxpy + HiGHS, same process, same settings: "
            + _common.timing_text(timings["big-m"]),
            _common.ratio_text(timings["big-m"], timings["benders"]),
            "< 60 s" if name == "binned" else "< 10 min", check))
    lines = []
    for r in results:
        st = r["stats"]
        line = (f"{LABELS[r['dataset']]}, {r['method']}: {r['seconds']:.1f} s; baseline "
                f"{round(r['baseline_error'] * r['n'])} errors (proven optimal: "
                f"{r['baseline_optimal']}); points settled by heuristics "
                f"{st['settled_by_heuristics']}, bounds {st['settled_by_bounds']}, searches "
                f"{st['settled_by_mip']}")
        if r["method"] == "benders":
            line += (f"; {st['benders_master_solves']} master solves, "
                     f"{st['benders_radon_cuts']} Radon cuts, "
                     f"{st['benders_parallelograms_added']} of "
                     f"{st['parallelogram_cuts_found']} parallelograms used")
        lines.append(f"* {line}.")
    notes = (
        "The default method is a combinatorial Benders search: a 0-1 master over labellings "
        "of the distinct points in HiGHS, parallelogram cuts from a pool and Radon cuts "
        "learnt from a Farkas LP, each certified in rational arithmetic. The big-M "
        "reference is the formulation of Marx, Calmon & Ustun (2020) through cvxpy and "
        "HiGHS. With several optimal baselines (0-1 minimisers) the discrepancy depends on "
        "which one is `h0`, as in the paper. Fits of this run (last fit of each method):\n\n"
        + "\n".join(lines) + ("\n\n" + " ".join(skipped) if skipped else ""))
    _common.write_result(args.json, "Exact linear multiplicity (LinearMIPExplorer)", rows,
                         notes, machine=info, results=results, skipped=skipped)
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
