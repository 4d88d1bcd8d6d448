"""Run every benchmark, one fresh interpreter each, then print a summary table.

Run: ``.venv/bin/python benchmarks/run_all.py`` (what ``make bench`` calls). Options:
``--only ambiguity capacity pairwise profile dropout explain`` picks benchmarks; ``--quick`` runs
them on small inputs (a smoke test, seconds; its figures mean nothing); ``--json PATH``
keeps all results.

The scripts run one after another, never side by side: each one uses every core.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

HERE = Path(__file__).resolve().parent
SCRIPTS = {
    "ambiguity": "bench_ambiguity.py",
    "capacity": "bench_capacity.py",
    "pairwise": "bench_pairwise.py",
    "profile": "bench_profile.py",
    "dropout": "bench_dropout.py",
    "level_set": "bench_level_set.py",
    "alpha": "bench_alpha.py",
    "fleiss": "bench_fleiss.py",
    "aggregation": "bench_aggregation.py",
    "glad_mace": "bench_glad_mace.py",
    "explain": "bench_explain.py",
}
QUICK = {
    "ambiguity": ["--models", "50", "--samples", "100000", "--repeats", "2",
                  "--numpy-repeats", "1"],
    "capacity": ["--samples", "40", "--repeats", "1", "--check", "1"],
    "pairwise": ["--models", "40", "--samples", "5000", "--repeats", "2",
                 "--numpy-repeats", "1"],
    "profile": ["--models", "30", "--samples", "5000", "--repeats", "1"],
    "dropout": ["--models", "50", "--samples", "1000", "--mlp-iter", "5", "--repeats", "1",
                "--numpy-repeats", "1", "--profile-repeats", "1", "--generic-samples", "200"],
    "level_set": ["--eps", "0.01", "--repeats", "1", "--cvxpy-rows", "2"],
    "alpha": ["--units", "20000", "--interval-units", "5000", "--values", "500",
              "--boot-units", "5000", "--resamples", "50", "--repeats", "1",
              "--peer-repeats", "1"],
    "fleiss": ["--items", "20000", "--repeats", "1", "--statsmodels-repeats", "1"],
    "aggregation": ["--items", "2000", "--workers", "50", "--repeats", "1",
                    "--crowdkit-repeats", "1"],
    "glad_mace": ["--items", "200", "--workers", "20", "--repeats", "1",
                  "--skip-default-mace", "--min-speedup", "0"],
    "explain": ["--models", "10", "--n-repeats", "2", "--repeats", "1"],
}


def faster(ratio: float) -> str:
    """``ratio`` = reference time / our time, as "2.0x faster" or "2.0x slower"."""
    return f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"


def summary(results: dict[str, dict]) -> list[tuple[str, str, str, str]]:
    """Rows (benchmark, ours, reference, result) of the summary table."""
    rows = []
    fs = _common.fmt_s
    if "ambiguity" in results:
        r = results["ambiguity"]["results"]
        np_t = r["numpy"]["min_s"]
        for key, label in (("two_calls", "ambiguity + discrepancy"),
                           ("one_pass", "ambiguity_discrepancy")):
            rows.append((f"ambiguity {results['ambiguity']['shape']} int8: {label}",
                         fs(r[key]["min_s"]), fs(np_t),
                         f"{r[key]['speedup_vs_numpy']:.1f}x faster (target 5x); peak "
                         f"{r[key]['peak_over_input']:.3f}x input vs NumPy "
                         f"{r['numpy']['peak_over_input']:.3f}x (target < 1.2x)"))
    if "capacity" in results:
        r = results["capacity"]
        ours = next(iter(r["ours"].values()))
        np_r = r["numpy"]
        note = " (extrapolated)" if np_r["extrapolated"] else ""
        outside = r.get("max_outside_bracket_ours")
        rows.append((f"rashomon_capacity {r['shape']}", fs(ours["min_s"]),
                     fs(np_r["total_s"]) + note,
                     f"{r['speedup']:.1f}x faster (target 30x); max |diff| "
                     f"{r['max_abs_diff_bits']:.1e} bits vs the capped reference loop "
                     f"(capped on {np_r['capped']}/{np_r['samples_run']})"
                     + ("" if r.get("max_abs_diff_bits_converged") is None else
                        f", {r['max_abs_diff_bits_converged']:.1e} bits vs the loop run to "
                        "convergence (target 1e-6)")
                     + ("" if outside is None else
                        f"; ours outside true bracket by <= {outside:.0e} bits")))
    if "pairwise" in results:
        r = results["pairwise"]
        for k, v in r["results"].items():
            rows.append((f"pairwise_disagreement {r['shape']} {k}", fs(v["ours"]["min_s"]),
                         fs(v["numpy"]["min_s"]),
                         f"{v['ours']['speedup_vs_numpy']:.1f}x faster; "
                         f"{v['ours']['throughput']:.3g} pair-samples/s; "
                         f"equal: {v['values_equal']}"))
    if "profile" in results:
        r = results["profile"]
        ours, np_r = r["results"]["ours"], r["results"].get("numpy")
        fb = _common.fmt_bytes
        peak = "" if ours["peak_bytes"] is None else f"peak {fb(ours['peak_bytes'])}" + (
            "" if np_r is None or np_r["peak_bytes"] is None
            else f" vs NumPy {fb(np_r['peak_bytes'])}") + f" (full cube {fb(r['cube_bytes'])}); "
        rows.append((f"RashomonSet.profile {r['shape']} (LogisticRegression members)",
                     fs(ours["min_s"]), "-" if np_r is None else fs(np_r["min_s"]),
                     ("" if np_r is None else f"{faster(ours['speedup_vs_numpy'])}; ")
                     + peak + f"equal: {r['values_equal']}"))
    if "dropout" in results:
        r = results["dropout"]
        for kind, v in r["results"].items():
            best = v[v["numpy_best"]]
            prof = v["profile"]
            sizes = ", ".join(f"{p['members']} members {fs(p['min_s'])}" for p in prof.values())
            rows.append((f"DropoutExplorer.fit {r['shape']} MLP(64, 64) {kind}",
                         fs(v["ours"]["min_s"]), fs(best["min_s"]),
                         f"{faster(v['speedup_vs_numpy'])} (vs {v['numpy_best']}); "
                         f"{v['ours']['members_per_s']:.0f} members/s; loss max |diff| "
                         f"{max(v['max_abs_loss_diff'].values()):.0e}; profile: {sizes}"))
    if "explain" in results:
        r = results["explain"]
        t = r["timing"]
        rows.append((f"feature_importance_range {r['shape']} (LogisticRegression members)",
                     fs(t["ours"]["min_s"]), fs(t["sklearn"]["min_s"]) + " (sklearn loop)",
                     f"{faster(t['ours']['speedup'])} than permutation_importance member by "
                     f"member; generic path {faster(t['generic']['speedup'])}; max |diff| "
                     f"{max(r['max_abs_diff'].values()):.0e}"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(SCRIPTS), default=list(SCRIPTS))
    parser.add_argument("--quick", action="store_true", help="small inputs (smoke test)")
    parser.add_argument("--json", metavar="PATH", help="write every result to PATH")
    args = parser.parse_args()

    results: dict[str, dict] = {}
    failed = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only:
            out = Path(tmp) / f"{name}.json"
            cmd = [sys.executable, str(HERE / SCRIPTS[name]), "--json", str(out)]
            if args.quick:
                cmd += QUICK[name]
            print(f"\n=== {name}: {' '.join(Path(c).name for c in cmd[1:])}", flush=True)
            proc = subprocess.run(cmd, check=False)
            if proc.returncode != 0 or not out.exists():
                failed.append(name)
                continue
            results[name] = json.loads(out.read_text())
    print(f"\n=== summary (min of N repeats; shared machine, noisy; total "
          f"{time.perf_counter() - t0:.0f} s)")
    rows = [("benchmark", "ours", "NumPy", "result"), *summary(results)]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True))
              + "  " + row[3])
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=float))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
