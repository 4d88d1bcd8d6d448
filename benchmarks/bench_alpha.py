"""Krippendorff's alpha: against the krippendorff package, at scale, and bootstrapped.

Three parts, seeded data, wall clock; contestants called round-robin the same number of
times N (min and median kept):

1. Nominal alpha, 1,000,000 units x 10 raters x 5 categories, 30% of ratings missing.
   Ours end to end from the wide table (``krippendorff_alpha(table)``, which builds the
   sparse ``Annotations`` first) and on a prebuilt ``Annotations``, against
   ``krippendorff.alpha(table.T, value_domain=[0..4], level_of_measurement="nominal")``
   (fast-krippendorff 0.9, same process; ``value_domain`` given, so it skips its default
   of finding the unique values in the data). Ratio of times and |difference|;
   the script exits non-zero when the values differ by more than 1e-10.
2. Interval (and ratio) alpha on 100,000 units x 5 raters, continuous ratings with
   10,000 distinct values, 20% missing: time and peak extra memory (tracemalloc: NumPy's
   and Numba's arrays). The krippendorff package builds units x values x values
   coincidence arrays: its memory is estimated (``8 N V^2`` bytes per array) and it is
   run only when that fits in ``--peer-memory-gib``. The values are checked against it on
   the first ``--check-units`` units, where its arrays are small.
3. Bootstrap: 1,000 resamples of nominal alpha on 100,000 units with
   ``multiplicity.annotation._stats.bootstrap_sums`` over the per-unit statistic
   ``_krippendorff_alpha_statistic`` (no data are rebuilt per resample).

Run: ``.venv/bin/python benchmarks/bench_alpha.py [--units N --json out.json]``.
"""

from __future__ import annotations

import sys
import time

import _common
import numpy as np

from multiplicity.annotation._alpha import _krippendorff_alpha_statistic, krippendorff_alpha
from multiplicity.annotation._container import Annotations
from multiplicity.annotation._stats import bootstrap_sums


def nominal_table(n: int, r: int, k: int, missing: float, seed: int = 0) -> np.ndarray:
    """Items x raters, labels 0..k-1 as float with NaN; raters copy a unit's true label
    70% of the time, so alpha is clearly positive."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    T = np.where(rng.random((n, r)) < 0.7, truth[:, None], rng.integers(0, k, (n, r)))
    T = T.astype(np.float64)
    T[rng.random((n, r)) < missing] = np.nan
    return T


def continuous_table(n: int, r: int, n_values: int, missing: float, seed: int = 1
                     ) -> np.ndarray:
    """Items x raters drawn from ``n_values`` distinct positive values; a unit's ratings
    scatter around its own level."""
    rng = np.random.default_rng(seed)
    grid = np.sort(rng.uniform(1.0, 100.0, n_values))
    level = rng.integers(0, n_values, n)
    idx = np.clip(level[:, None] + rng.integers(-800, 801, (n, r)), 0, n_values - 1)
    T = grid[idx]
    T[rng.random((n, r)) < missing] = np.nan
    return T


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000, help="part 1 units")
    parser.add_argument("--raters", type=int, default=10)
    parser.add_argument("--categories", type=int, default=5)
    parser.add_argument("--interval-units", type=int, default=100_000)
    parser.add_argument("--values", type=int, default=10_000)
    parser.add_argument("--boot-units", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5,
                        help="calls of every contestant (min and median kept)")
    parser.add_argument("--check-units", type=int, default=100,
                        help="units of the interval/ratio value check against krippendorff")
    parser.add_argument("--peer-memory-gib", type=float, default=4.0,
                        help="run the krippendorff package only below this estimate")
    args = parser.parse_args()

    info = _common.machine_info()
    _common.print_machine(info)
    result: dict = {"benchmark": "alpha", "machine": info}

    # warm-up: compile every kernel outside the timings
    small = continuous_table(50, 4, 40, 0.2)
    for level in ("nominal", "ordinal", "interval", "ratio"):
        krippendorff_alpha(small, level)
    _krippendorff_alpha_statistic(nominal_table(50, 3, 3, 0.2), "nominal")
    bootstrap_sums(np.ones((5, 2)), 4, 0)

    # ---------------------------------------------------------------- 1. nominal
    n, r, k = args.units, args.raters, args.categories
    T = nominal_table(n, r, k, 0.3)
    ann = Annotations.from_wide(T)
    print(f"\n## 1. nominal alpha: {n:,} units x {r} raters x {k} categories, 30% missing "
          f"({ann.n_annotations:,} ratings)")
    contestants = {"ours (from wide table)": lambda: krippendorff_alpha(T),
                   "ours (prebuilt Annotations)": lambda: krippendorff_alpha(ann)}
    try:
        import krippendorff

        domain = np.arange(k, dtype=np.float64)
        contestants["krippendorff 0.9"] = lambda: krippendorff.alpha(
            T.T, value_domain=domain, level_of_measurement="nominal")
    except ImportError:
        krippendorff = None
        print("krippendorff is not installed: pip install 'multiplicity[bench]'")
    times = _common.interleaved(contestants, args.repeats)
    ours = krippendorff_alpha(ann)
    part1: dict = {"units": n, "raters": r, "categories": k, "alpha": ours, "times": times}
    for name, t in times.items():
        print(f"{name:30s} {_common.timing_text(t)}")
    rows = []
    failures = []
    size = f"{n:,} units x {r} raters x {k} categories, 30% missing"
    if krippendorff is not None:
        theirs = krippendorff.alpha(T.T, value_domain=np.arange(k, dtype=np.float64),
                                    level_of_measurement="nominal")
        peer = times["krippendorff 0.9"]["min_s"]
        part1["speedup_end_to_end"] = peer / times["ours (from wide table)"]["min_s"]
        part1["speedup_prebuilt"] = peer / times["ours (prebuilt Annotations)"]["min_s"]
        part1["max_abs_diff"] = abs(ours - theirs)
        ok = part1["max_abs_diff"] <= 1e-10
        if not ok:
            failures.append(f"nominal alpha differs by {part1['max_abs_diff']:.2e}")
        ref_text = ("`krippendorff.alpha(T.T, value_domain=..., level_of_measurement="
                    "\"nominal\")`: " + _common.timing_text(times["krippendorff 0.9"]))
        rows.append(_common.row(
            f"Krippendorff's alpha, nominal, from the raw table, {size}",
            _common.timing_text(times["ours (from wide table)"]), ref_text,
            _common.ratio_text(times["krippendorff 0.9"], times["ours (from wide table)"]),
            ">= 5x", f"alpha {ours:.6f}, |diff| {part1['max_abs_diff']:.1e} (must be <= "
            "1e-10)" + ("" if ok else "; **FAILED**")))
        rows.append(_common.row(
            "same, on a prebuilt `Annotations`",
            _common.timing_text(times["ours (prebuilt Annotations)"]), "same",
            _common.ratio_text(times["krippendorff 0.9"],
                               times["ours (prebuilt Annotations)"]), "", "same"))
        print(f"speed-up vs krippendorff: {part1['speedup_end_to_end']:.1f}x end to end, "
              f"{part1['speedup_prebuilt']:.1f}x on prebuilt Annotations (target >= 5x); "
              f"alpha {ours:.12f}, |diff| {part1['max_abs_diff']:.2e} (target 1e-10)")
    result["nominal"] = part1
    del T, ann

    # ---------------------------------------------------------- 2. interval / ratio
    n2 = args.interval_units
    T = continuous_table(n2, 5, args.values, 0.2)
    ann = Annotations.from_wide(T)
    V = ann.n_categories
    print(f"\n## 2. continuous ratings: {n2:,} units x 5 raters, {V:,} distinct values, "
          "20% missing")
    part2: dict = {"units": n2, "distinct_values": V}
    for level in ("interval", "ratio"):
        times = _common.interleaved({"wide": lambda lv=level: krippendorff_alpha(T, lv),
                                     "prebuilt": lambda lv=level: krippendorff_alpha(ann, lv)},
                                    args.repeats)
        peak = _common.traced_peak(lambda lv=level: krippendorff_alpha(T, lv))
        value = krippendorff_alpha(ann, level)
        part2[level] = {"alpha": value, "time_from_wide": times["wide"]["min_s"],
                        "time_prebuilt": times["prebuilt"]["min_s"], "peak_bytes": peak}
        check = "not checked (krippendorff is not installed)"
        if krippendorff is not None and args.check_units:
            few = T[:args.check_units]
            diff = abs(krippendorff_alpha(few, level)
                       - krippendorff.alpha(few.T, level_of_measurement=level))
            part2[level]["check_abs_diff"] = diff
            check = (f"|diff| {diff:.1e} against `krippendorff.alpha` on the first "
                     f"{args.check_units} units (must be <= 1e-10)")
            if diff > 1e-10:
                failures.append(f"{level} alpha differs by {diff:.2e}")
                check += "; **FAILED**"
        print(f"{level:9s} alpha {value:.6f}: {_common.fmt_s(times['wide']['min_s'])} from "
              f"the wide table, {_common.fmt_s(times['prebuilt']['min_s'])} prebuilt; peak "
              f"extra memory {_common.fmt_bytes(peak)} (targets < 2 s, < 1 GiB); {check}")
        rows.append(_common.row(
            f"alpha {level}, {n2:,} units x 5 raters, {V:,} distinct values, from the raw "
            "table", f"{_common.timing_text(times['wide'])}; peak {_common.fmt_bytes(peak)}",
            f"krippendorff would need {8.0 * n2 * V * V / 2**40:,.1f} TiB per array: "
            "not timed",
            "", "< 2 s, < 1 GiB", check))
    estimate = 8.0 * n2 * V * V
    part2["krippendorff_estimated_bytes_per_array"] = estimate
    print(f"krippendorff 0.9 would build units x values x values float64 arrays: "
          f"8 * {n2:,} * {V:,}^2 = {estimate / 2**40:,.0f} TiB each; not run")
    if estimate < args.peer_memory_gib * 2**30 and krippendorff is not None:
        t0 = time.perf_counter()
        theirs = krippendorff.alpha(T.T, level_of_measurement="interval")
        part2["krippendorff_interval_time"] = time.perf_counter() - t0
        part2["krippendorff_interval_diff"] = abs(theirs - part2["interval"]["alpha"])
    result["continuous"] = part2
    del T, ann

    # --------------------------------------------------------------- 3. bootstrap
    nb = args.boot_units
    T = nominal_table(nb, 10, 5, 0.3, seed=2)
    ann = Annotations.from_wide(T)
    print(f"\n## 3. bootstrap: {args.resamples:,} resamples of nominal alpha, {nb:,} units "
          "x 10 raters")

    def run_boot():
        stat = _krippendorff_alpha_statistic(ann, "nominal")
        return stat.finalize(bootstrap_sums(stat.S, args.resamples, random_state=0))

    times = _common.interleaved({"bootstrap": run_boot}, 3)
    values = run_boot()
    t_boot = times["bootstrap"]["min_s"]
    part3 = {"units": nb, "resamples": args.resamples, "time": t_boot,
             "alpha": krippendorff_alpha(ann), "se": float(np.std(values, ddof=1)),
             "ci95": [float(q) for q in np.quantile(values, [0.025, 0.975])]}
    print(f"time {_common.fmt_s(t_boot)} (statistic + resampled sums + finalize); alpha "
          f"{part3['alpha']:.4f}, bootstrap se {part3['se']:.5f}, 95% interval "
          f"[{part3['ci95'][0]:.4f}, {part3['ci95'][1]:.4f}]")
    result["bootstrap"] = part3
    rows.append(_common.row(
        f"alpha bootstrap, {args.resamples:,} resamples, {nb:,} units x 10 raters",
        _common.timing_text(times["bootstrap"]), "no peer", "", "seconds",
        f"se {part3['se']:.5f}"))
    notes = (
        "Nominal data: raters copy a unit's true label 70% of the time, 30% of the ratings "
        "missing. Continuous data: ratings scatter around a unit's level on a grid of "
        f"{args.values:,} values, 20% missing; the krippendorff package builds units x "
        "values x values coincidence arrays, so it can only be compared on a few units. "
        "The bootstrap resamples units of the per-unit statistic (no data rebuilt per "
        "resample).")
    del result["machine"]
    _common.write_result(args.json, "Krippendorff's alpha", rows, notes, machine=info,
                         **result)
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    if failures:
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
