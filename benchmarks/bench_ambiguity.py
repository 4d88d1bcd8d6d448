"""Ambiguity and discrepancy on a large int8 prediction matrix, against plain NumPy.

Default input: 1,000 models x 1,000,000 samples of int8 binary labels (0.93 GiB) and a
separate baseline ``b``. Every model copies ``b`` and flips about 2% of its entries (rate
0.5x-1.5x of 2% per model), all inside a fixed pool of 10% of the samples, so ambiguity is
0.10 (some model flips every pool sample) and discrepancy near 0.03, not the trivial 1.0
of flips spread over all samples. The matrix is built row block by row block from uint16
random draws: no float64 and no full-size temporary.

Contestants, timed in the same process, calls interleaved, min of N repeats:

(a) ``ambiguity(P, b)`` then ``discrepancy(P, b)`` (two public calls, two passes);
(b) ``ambiguity_discrepancy(P, b)`` (one pass);
(c) NumPy ``(P != b).any(0).mean()`` then ``(P != b).mean(1).max()``.

Peak extra memory is measured two ways: tracemalloc in this process (NumPy's data
buffers and the arrays Numba kernels allocate both go through NumPy's allocator, which
reports to tracemalloc; checked at run time), and the RSS high-water mark of a fresh
subprocess per contestant (reset just before the call; glibc made to return freed
buffers at once), which also catches anything allocated outside NumPy's allocator.

Run: ``.venv/bin/python benchmarks/bench_ambiguity.py [--models M --samples N]``.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

import _common
import numpy as np

from multiplicity.metrics import ambiguity, ambiguity_discrepancy, discrepancy

FLIP_RATE = 0.02  # mean share of entries each model flips
POOL = 0.10  # share of samples any model may flip
ROW_BLOCK = 8  # models generated per block


def build(m: int, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded ``(P, b)``: int8 (m, n) predictions and their int8 (n,) baseline.

    Temporaries: the (n,) baseline and pool, and one (ROW_BLOCK, n * POOL) uint16 draw
    and its mask per block (a few MB), never an (m, n) array besides ``P`` itself.
    """
    rng = np.random.default_rng(seed)
    b = rng.integers(0, 2, n, dtype=np.int8)
    pool = np.sort(rng.choice(n, max(1, int(POOL * n)), replace=False))
    rates = rng.uniform(0.5, 1.5, m) * (FLIP_RATE / POOL)  # flip rate inside the pool
    thresholds = np.round(rates * 65536).astype(np.uint32)[:, None]
    b_pool = b[pool]
    flipped = (1 - b_pool).astype(np.int8)
    P = np.empty((m, n), dtype=np.int8)
    P[:] = b
    for lo in range(0, m, ROW_BLOCK):
        hi = min(m, lo + ROW_BLOCK)
        draw = rng.integers(0, 65536, (hi - lo, pool.size), dtype=np.uint16)
        P[lo:hi, pool] = np.where(draw < thresholds[lo:hi], flipped, b_pool)
    return P, b


def ours_two_calls(P, b):
    return ambiguity(P, b), discrepancy(P, b)


def ours_one_pass(P, b):
    return ambiguity_discrepancy(P, b)


def numpy_ref(P, b):
    return float((P != b).any(0).mean()), float((P != b).mean(1).max())


CONTESTANTS = {
    "ours: ambiguity + discrepancy": ours_two_calls,
    "ours: ambiguity_discrepancy": ours_one_pass,
    "numpy: (P != b).any(0).mean() + (P != b).mean(1).max()": numpy_ref,
}
PROBE_NAMES = {"two_calls": ours_two_calls, "one_pass": ours_one_pass, "numpy": numpy_ref}
KEYS = dict(zip(CONTESTANTS, PROBE_NAMES, strict=True))
# Not a contestant: the time to read P once (single-threaded NumPy), a memory-bandwidth
# floor for any one-pass method.
FLOOR = "floor: np.count_nonzero(P)"


def warm_up() -> None:
    """Compile the kernels (or load them from Numba's cache) on a tiny input."""
    P, b = build(3, 200, seed=1)
    ours_two_calls(P, b)
    ours_one_pass(P, b)


def probe(which: str, m: int, n: int, seed: int) -> None:
    """Subprocess entry: build, warm up, then print the RSS peak of one contestant."""
    P, b = build(m, n, seed)
    warm_up()
    fn = PROBE_NAMES[which]
    gc.collect()
    res = _common.rss_peak_during(lambda: fn(P, b))
    res["input_bytes"] = P.nbytes
    print(json.dumps(res))


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=7, help="repeats of ours (min kept)")
    parser.add_argument("--numpy-repeats", type=int, default=3)
    parser.add_argument("--no-rss", action="store_true", help="skip the RSS subprocesses")
    parser.add_argument("--probe", choices=sorted(PROBE_NAMES), help=_common.argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(args.probe, args.models, args.samples, args.seed)
        return {}

    info = _common.machine_info()
    _common.print_machine(info)
    t0 = time.perf_counter()
    P, b = build(args.models, args.samples, args.seed)
    t_build = time.perf_counter() - t0
    print(f"input: int8 predictions {P.shape}, {_common.fmt_bytes(P.nbytes)} "
          f"(built in {t_build:.1f} s), int8 baseline ({b.size},)")
    warm_up()

    # Values first (also a last warm-up of every path).
    values = {name: fn(P, b) for name, fn in CONTESTANTS.items()}
    ref = values[next(reversed(values))]
    equal = all(v == ref for v in values.values())
    for name, (a, d) in values.items():
        print(f"  {name:58s} ambiguity={a:.6f} discrepancy={d:.6f}")
    print(f"values equal (exact): {equal}")

    repeats = {name: args.repeats for name in CONTESTANTS}
    repeats[next(reversed(CONTESTANTS))] = args.numpy_repeats
    repeats[FLOOR] = args.repeats
    timings = _common.min_time({**{name: (lambda fn=fn: fn(P, b))
                                   for name, fn in CONTESTANTS.items()},
                                FLOOR: lambda: np.count_nonzero(P)}, repeats)
    floor = timings.pop(FLOOR)

    traced_ok = _common.numba_arrays_traced()
    traced = {name: _common.traced_peak(lambda fn=fn: fn(P, b))
              for name, fn in CONTESTANTS.items()}
    rss = {}
    if not args.no_rss:
        del_args = ["--models", str(args.models), "--samples", str(args.samples),
                    "--seed", str(args.seed)]
        for name in CONTESTANTS:
            rss[name] = _common.run_probe(Path(__file__), [*del_args, "--probe", KEYS[name]])

    t_np = timings[next(reversed(CONTESTANTS))]["min"]
    print(f"\ntime: min of N repeats (wall clock; shared 2-core machine, see RESULTS.md); "
          f"memory: peak above the input ({_common.fmt_bytes(P.nbytes)}); "
          f"tracemalloc sees Numba arrays: {traced_ok}")
    header = (f"{'contestant':58s} {'min':>9s} {'median':>9s} {'N':>2s} {'speed-up':>8s} "
              f"{'traced extra':>13s} {'RSS extra':>10s} {'peak/input':>10s}")
    print(header)
    rows = {}
    for name, t in timings.items():
        extra = max(traced[name], rss.get(name, {}).get("rss_extra", 0))
        row = {
            "min_s": t["min"], "median_s": t["median"], "repeats": t["repeats"],
            "times_s": t["times"], "speedup_vs_numpy": t_np / t["min"],
            "traced_extra_bytes": traced[name],
            "rss_extra_bytes": rss.get(name, {}).get("rss_extra"),
            "peak_over_input": (P.nbytes + extra) / P.nbytes,
            "ambiguity": values[name][0], "discrepancy": values[name][1],
        }
        rows[KEYS[name]] = row
        rss_s = _common.fmt_bytes(row["rss_extra_bytes"]) if rss else "-"
        print(f"{name:58s} {_common.fmt_s(t['min']):>9s} {_common.fmt_s(t['median']):>9s} "
              f"{t['repeats']:2d} {row['speedup_vs_numpy']:7.1f}x "
              f"{_common.fmt_bytes(traced[name]):>13s} {rss_s:>10s} "
              f"{row['peak_over_input']:9.3f}x")
    print(f"{FLOOR:58s} {_common.fmt_s(floor['min']):>9s} "
          f"{_common.fmt_s(floor['median']):>9s} {floor['repeats']:2d} "
          f"{t_np / floor['min']:7.1f}x   (reference: one read of P at "
          f"{P.nbytes / floor['min'] / 1e9:.1f} GB/s)")
    print("speed-up = NumPy min time / this min time (target >= 5x); peak/input = (input + "
          "larger of the two extra-memory figures) / input (target < 1.2x)")

    result = {"benchmark": "ambiguity", "machine": info, "shape": list(P.shape),
              "read_floor_s": floor["min"],
              "input_bytes": P.nbytes, "build_s": t_build, "values_equal": equal,
              "tracemalloc_sees_numba": traced_ok, "results": rows}
    _common.write_json(args.json, result)
    if not equal:
        print("ERROR: the contestants disagree", file=sys.stderr)
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
