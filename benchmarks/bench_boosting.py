"""BoostingExplorer (RashomonGB): 10 x 100 candidate trees and 1,000 paths on 10^5 rows.

Input: ``make_classification`` (``--samples`` rows, 20 features of which 10 informative,
2 classes, 5% of the labels flipped, seeded), float64.

Two measurements, each with its contestants interleaved in this process (the same number
of calls N each, min and median kept):

* **fit**: ``BoostingExplorer(n_estimators=100, n_candidates=10, max_depth=3,
  n_models=1000, random_state=seed, n_jobs=-1).fit(X, y)``: 1,000 candidate trees (the
  default ``tree_method="hist"``), the stage losses, 1,000 drawn paths and their training
  losses. Its yardstick is one scikit-learn ``GradientBoostingClassifier(n_estimators=100,
  max_depth=3, subsample=0.8)`` fit (100 trees) on the same data: the explorer fits ten
  times as many trees, so a ratio near 10 would mean it costs what ten such fits cost.
  Target: with the profile below, well under a minute on two cores.
* **profile**: ``explorer.profile(X, y)`` on the fitted set (every measure of every
  member: each stored tree applied once per row, the paths' scores as sums of leaf
  values in Numba kernels). Against the generic path, ``explorer.rashomon_set_.profile``
  (one ``predict`` / ``predict_proba`` call per member and chunk), on the first
  ``--generic-samples`` rows; both on those rows, interleaved, the same N. Every scalar of
  the two profiles, the per-person capacities and widths, and the prediction matrices must
  agree (labels exactly, the rest to 1e-9), or the script exits 1. The profile of all
  ``--samples`` rows is timed alone (no generic run on all of them: about
  ``--samples / --generic-samples`` times the generic time above).

Run: ``.venv/bin/python benchmarks/bench_boosting.py [--quick] [--json PATH]``.
"""

from __future__ import annotations

import sys
import time
import warnings
from typing import Any

import _common
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier

from multiplicity.rashomon import BoostingExplorer

TOL = 1e-9
SCALARS = ("ambiguity", "discrepancy", "probabilistic_ambiguity", "probabilistic_discrepancy",
           "mean_rashomon_capacity", "mean_vpr_width", "mean_self_consistency",
           "baseline_accuracy", "min_accuracy", "max_accuracy")
ARRAYS = ("rashomon_capacity", "vpr_width", "self_consistency")
TARGET = "fit + profile of 1,000 paths on 10^5 rows well under a minute (2 cores)"


def data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    return make_classification(n_samples=n, n_features=20, n_informative=10, flip_y=0.05,
                               random_state=seed)


def explorer(args: Any) -> BoostingExplorer:
    return BoostingExplorer(n_estimators=args.stages, n_candidates=args.candidates,
                            max_depth=3, n_models=args.paths, random_state=args.seed,
                            n_jobs=-1)


def compare(a: Any, b: Any) -> tuple[bool, float]:
    """Whether two profiles agree (labels exactly, the rest to ``TOL``); the largest
    difference seen."""
    worst = 0.0
    ok = bool(np.array_equal(a.predictions, b.predictions))
    for name in SCALARS:
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None:
            ok &= x is None and y is None
            continue
        worst = max(worst, abs(float(x) - float(y)))
    for name in ARRAYS:
        worst = max(worst, float(np.max(np.abs(getattr(a, name) - getattr(b, name)))))
    return ok and worst <= TOL, worst


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--stages", type=int, default=100)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--paths", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--generic-samples", type=int, default=5_000)
    parser.add_argument("--quick", action="store_true",
                        help="small inputs (a smoke test; the figures mean nothing)")
    args = parser.parse_args()
    if args.quick:
        args.samples, args.stages, args.paths = 5_000, 20, 100
        args.repeats, args.generic_samples = 1, 1_000

    info = _common.machine_info()
    _common.print_machine(info)
    X, y = data(args.samples, args.seed)
    print(f"input: {X.shape[0]:,} rows x {X.shape[1]} features; {args.candidates} candidates"
          f" x {args.stages} stages, {args.paths:,} paths")
    # compile the kernels (or load them from Numba's cache) outside the timing
    with warnings.catch_warnings():  # a set this small may hold one model
        warnings.simplefilter("ignore")
        small = BoostingExplorer(n_estimators=3, n_candidates=2, n_models=4, random_state=0)
        small.fit(X[:300], y[:300]).profile(X[:300], y[:300])

    fitted: dict[str, Any] = {}

    def ours_fit() -> None:
        fitted["explorer"] = explorer(args).fit(X, y)

    def sklearn_fit() -> None:
        GradientBoostingClassifier(n_estimators=args.stages, max_depth=3, subsample=0.8,
                                   random_state=args.seed).fit(X, y)

    fit = _common.interleaved({"ours": ours_fit, "sklearn": sklearn_fit}, args.repeats)
    ex = fitted["explorer"]
    n_set = len(ex.rashomon_set_)
    print(f"fit: ours {_common.timing_text(fit['ours'])}; one GradientBoostingClassifier "
          f"{_common.timing_text(fit['sklearn'])}; {len(ex.candidate_losses_):,} paths "
          f"drawn, {n_set:,} in the set")

    Xs, ys = X[:args.generic_samples], y[:args.generic_samples]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batched, generic = ex.profile(Xs, ys), ex.rashomon_set_.profile(Xs, ys)
    ok, worst = compare(batched, generic)
    print(f"values: batched and generic profiles agree: {ok} (max diff {worst:.1e})")
    prof = _common.interleaved({"batched": lambda: ex.profile(Xs, ys),
                                "generic": lambda: ex.rashomon_set_.profile(Xs, ys)},
                               args.repeats)
    full = _common.interleaved({"batched": lambda: ex.profile(X, y)}, args.repeats)
    total = fit["ours"]["min_s"] + full["batched"]["min_s"]
    print(f"profile on {len(ys):,} rows: batched {_common.timing_text(prof['batched'])}, "
          f"generic {_common.timing_text(prof['generic'])}; on {len(y):,} rows: "
          f"{_common.timing_text(full['batched'])}; fit + profile {total:.1f} s")

    load = f"load {_common.LOAD_AT_START:.1f}-{_common.load1():.1f}"
    size = f"{args.candidates} x {args.stages} trees, {args.paths:,} paths, {len(y):,} rows"
    rows = [
        _common.row(f"`BoostingExplorer.fit`, {size} (`bench_boosting.py`)",
                    _common.timing_text(fit["ours"]),
                    f"one `GradientBoostingClassifier` ({args.stages} trees, subsample "
                    f"0.8): {_common.timing_text(fit['sklearn'])}",
                    f"{fit['ours']['min_s'] / fit['sklearn']['min_s']:.1f}x one fit "
                    f"(10x the trees), {load}", TARGET, f"{n_set:,} paths in the set"),
        _common.row(f"`explorer.profile(X, y)`, {n_set:,} members x {len(y):,} rows",
                    _common.timing_text(full["batched"]), "", f"fit + profile {total:.1f} s",
                    TARGET, ""),
        _common.row(f"`explorer.profile` against `rashomon_set_.profile` (member by "
                    f"member), {n_set:,} members x {len(ys):,} rows",
                    _common.timing_text(prof["batched"]),
                    f"generic: {_common.timing_text(prof['generic'])}",
                    _common.ratio_text(prof["generic"], prof["batched"]) + f", {load}", "",
                    f"every measure agrees (max diff {worst:.1e}, tol {TOL:g})"
                    if ok else f"MISMATCH (max diff {worst:.1e})"),
    ]
    notes = (
        f"**Gradient-boosting Rashomon sets (`bench_boosting.py`).** Input: "
        f"`make_classification`, {len(y):,} rows x 20 features (10 informative), 5% of "
        f"the labels flipped. `BoostingExplorer(n_estimators={args.stages}, "
        f"n_candidates={args.candidates}, max_depth=3, n_models={args.paths})` fits "
        f"{args.candidates * args.stages:,} histogram trees (one parallel Numba call per "
        "stage), then draws the paths and computes their training losses; its yardstick "
        "is one scikit-learn `GradientBoostingClassifier` with the same stages, depth "
        "and subsample, interleaved with it. The profile evaluates every stored tree "
        "once per row and sums leaf values per path in Numba; the generic profile calls "
        "each member in turn, on the first rows only (it would take about "
        f"{len(y) // max(len(ys), 1)} times as long on all of them). Target: fit and "
        "profile well under a minute on two cores.")
    result = _common.write_result(
        args.json, "boosting", rows, notes,
        timings={"fit": fit, "profile_generic_rows": prof, "profile_all_rows": full},
        n_in_set=n_set, values_ok=ok, max_diff=worst)
    if not ok:
        print("FAILED: the batched profile disagrees with the generic one", file=sys.stderr)
        sys.exit(1)
    return result


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"{time.perf_counter() - t0:.0f} s")
