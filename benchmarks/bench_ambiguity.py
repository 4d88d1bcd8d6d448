"""Ambiguity and discrepancy against one read of the matrix and against plain NumPy.

Three inputs, one after another in the same process:

* **int8**: 1,000 models x 1,000,000 samples of binary labels (0.93 GiB) and a separate
  baseline ``b``. Every model copies ``b`` and flips about 2% of its entries (rate 0.5x-1.5x
  of 2% per model), all inside a fixed pool of 10% of the samples, so ambiguity is 0.10
  and discrepancy near 0.03, not the trivial 1.0 of flips spread over all samples. Built
  row block by row block from uint16 draws: no full-size temporary.
* **int16**: the same labels widened to int16 and mapped to -500 / 500 (1.86 GiB).
* **strings**: 100 models x 1,000,000 samples of the labels ``"no"`` / ``"yes"`` ('<U3',
  1.1 GiB), built the same way. They are encoded once to int8 codes against the label set
  (``np.searchsorted``, row block by row block, checked by decoding; the time is reported
  but not part of the contest), and the contestants then run on the codes: what is timed
  is the encoded path. NumPy on the string matrix itself is timed once for the notes and
  its values are checked too; so is one call of the package on a 10-row slice of the
  strings (its own encoding, through pandas, included).

Contestants, interleaved in one process (A B C D A B C D ...), the same number of repeats
each, min and median kept:

(a) ``ambiguity_discrepancy(P, b)`` (one pass);
(b) ``ambiguity(P, b)`` then ``discrepancy(P, b)`` (two public calls);
(c) NumPy ``(P != b).any(0).mean()`` then ``(P != b).mean(1).max()``;
(d) the floor ``np.count_nonzero(P)``: one single-threaded read of ``P``, a memory-bandwidth
    floor for any method that reads the matrix.

``ambiguity`` and ``discrepancy`` alone, and (a) on a single Numba thread (the floor is
single-threaded too), are timed in the same rounds. Targets: (a) within
1.5x the floor, (b) within 3x the floor, (b) at least 5x faster than (c). Every contestant's
(ambiguity, discrepancy) must equal NumPy's exactly, or the script exits 1.

Peak extra memory of (a), (b) and (c) on the int8 input is measured two ways: tracemalloc in
this process (NumPy's buffers and the arrays Numba kernels allocate both go through NumPy's
allocator, which reports to tracemalloc; checked at run time), and the RSS high-water mark
of a fresh subprocess per contestant (``--no-rss`` skips these).

Run: ``.venv/bin/python benchmarks/bench_ambiguity.py [--quick] [--json PATH]``.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _common
import numba
import numpy as np

from multiplicity.metrics import ambiguity, ambiguity_discrepancy, discrepancy

FLIP_RATE = 0.02  # mean share of entries each model flips
POOL = 0.10  # share of samples any model may flip
ROW_BLOCK = 8  # models generated per block
WORDS = np.array(["no", "yes"])  # string labels (sorted, for np.searchsorted)
TARGETS = {"one_pass": 1.5, "two_calls": 3.0}  # times the floor
TARGET_VS_NUMPY = 5.0  # two calls, speed-up over NumPy


def build(m: int, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded ``(P, b)``: int8 (m, n) binary predictions and their int8 (n,) baseline.

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


def widen(P: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The int8 labels as int16 -500 / 500 (one (m, n) int16 copy, row block by block)."""
    W = np.empty(P.shape, dtype=np.int16)
    for lo in range(0, P.shape[0], 64):
        np.multiply(P[lo:lo + 64], 1000, out=W[lo:lo + 64], dtype=np.int16)
        W[lo:lo + 64] -= 500
    return W, b.astype(np.int16) * 1000 - 500


def encode(S: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes of string labels against ``WORDS``, row block by row block.

    A baseline label outside ``WORDS`` gets -1, which no model predicts. Raises if a
    prediction is not in ``WORDS`` (the codes are checked by decoding them).
    """
    codes = np.empty(S.shape, dtype=np.int8)
    for lo in range(0, S.shape[0], 16):
        block = S[lo:lo + 16]
        c = np.minimum(np.searchsorted(WORDS, block), WORDS.size - 1)
        if not np.array_equal(WORDS[c], block):
            raise ValueError("a prediction is not one of the known labels")
        codes[lo:lo + 16] = c
    cb = np.minimum(np.searchsorted(WORDS, s), WORDS.size - 1)
    cb = np.where(WORDS[cb] == s, cb, -1).astype(np.int8)
    return codes, cb


def ours_one_pass(P, b):
    return ambiguity_discrepancy(P, b)


def ours_two_calls(P, b):
    return ambiguity(P, b), discrepancy(P, b)


def ours_one_thread(P, b):
    """The one-pass call on a single Numba thread, to set the kernel beside the floor."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return ambiguity_discrepancy(P, b)
    finally:
        numba.set_num_threads(threads)


def numpy_ref(P, b):
    return float((P != b).any(0).mean()), float((P != b).mean(1).max())


CONTESTANTS: dict[str, Callable[[np.ndarray, np.ndarray], Any]] = {
    "one_pass": ours_one_pass,
    "one_thread": ours_one_thread,
    "two_calls": ours_two_calls,
    "ambiguity": lambda P, b: ambiguity(P, b),
    "discrepancy": lambda P, b: discrepancy(P, b),
    "numpy": numpy_ref,
    "floor": lambda P, b: np.count_nonzero(P),
}
LABELS = {
    "one_pass": "ours: ambiguity_discrepancy (one pass)",
    "one_thread": "ours: the same on one Numba thread",
    "two_calls": "ours: ambiguity + discrepancy (two calls)",
    "ambiguity": "ours: ambiguity alone",
    "discrepancy": "ours: discrepancy alone",
    "numpy": "NumPy: (P != b).any(0).mean() + (P != b).mean(1).max()",
    "floor": "floor: np.count_nonzero(P)",
}
VALUED = ("one_pass", "one_thread", "two_calls", "numpy")
MEASURED = ("one_pass", "two_calls", "numpy")  # peak memory


def warm_up() -> None:
    """Compile the kernels (or load them from Numba's cache) on tiny inputs of each dtype."""
    P, b = build(3, 200, seed=1)
    for Q, c in ((P, b), widen(P, b)):
        ours_one_pass(Q, c)
        ours_two_calls(Q, c)


def probe(which: str, m: int, n: int, seed: int) -> None:
    """Subprocess entry: build, warm up, then print the RSS peak of one contestant."""
    P, b = build(m, n, seed)
    warm_up()
    fn = CONTESTANTS[which]
    gc.collect()
    res = _common.rss_peak_during(lambda: fn(P, b))
    res["input_bytes"] = P.nbytes
    print(json.dumps(res))


def run_case(name: str, P: np.ndarray, b: np.ndarray, repeats: int) -> dict[str, Any]:
    """Values, then interleaved timings of every contestant on one input."""
    values = {k: CONTESTANTS[k](P, b) for k in VALUED}  # also a last warm-up of each path
    values["ambiguity"] = (CONTESTANTS["ambiguity"](P, b), values["numpy"][1])
    values["discrepancy"] = (values["numpy"][0], CONTESTANTS["discrepancy"](P, b))
    equal = all(v == values["numpy"] for v in values.values())
    load0 = _common.load1()
    t = _common.interleaved({k: (lambda fn=fn: fn(P, b)) for k, fn in CONTESTANTS.items()},
                            repeats)
    load = [load0, _common.load1()]
    floor, ref = t["floor"], t["numpy"]
    print(f"\n{name}: {P.dtype} {P.shape}, {_common.fmt_bytes(P.nbytes)}; load {load[0]:.2f} "
          f"-> {load[1]:.2f}; ambiguity {values['numpy'][0]:.6f}, discrepancy "
          f"{values['numpy'][1]:.6f}; all values equal to NumPy's (exact): {equal}")
    print(f"  {'contestant':56s} {'min':>9s} {'median':>9s}  {'/floor min':>10s} "
          f"{'/floor med':>10s}  {'NumPy/this min':>14s} {'med':>6s}")
    for k, tk in t.items():
        print(f"  {LABELS[k]:56s} {_common.fmt_s(tk['min_s']):>9s} "
              f"{_common.fmt_s(tk['median_s']):>9s}  {tk['min_s'] / floor['min_s']:9.2f}x "
              f"{tk['median_s'] / floor['median_s']:9.2f}x  "
              f"{ref['min_s'] / tk['min_s']:13.1f}x {ref['median_s'] / tk['median_s']:5.1f}x")
    print(f"  floor reads P at {P.nbytes / floor['min_s'] / 1e9:.1f} GB/s (min)")
    return {"case": name, "dtype": str(P.dtype), "shape": list(P.shape), "bytes": P.nbytes,
            "load": load, "values": values, "equal": equal,
            "timings": {k: {**tk, "over_floor_min": tk["min_s"] / floor["min_s"],
                            "over_floor_median": tk["median_s"] / floor["median_s"],
                            "numpy_over_this_min": ref["min_s"] / tk["min_s"],
                            "numpy_over_this_median": ref["median_s"] / tk["median_s"]}
                        for k, tk in t.items()}}


def floor_ratio(case: dict[str, Any], key: str) -> str:
    tk = case["timings"][key]
    return (f"{tk['over_floor_min']:.2f}x floor (median {tk['over_floor_median']:.2f}x), "
            f"load {case['load'][0]:.1f}-{case['load'][1]:.1f}")


def rows_for(case: dict[str, Any], title: str) -> list[dict[str, str]]:
    t = case["timings"]
    values = "exactly equal to NumPy" if case["equal"] else "DIFFERENT from NumPy"
    out = []
    for key, what in (("one_pass", "`ambiguity_discrepancy`, one pass"),
                      ("two_calls", "`ambiguity` + `discrepancy`, two calls")):
        out.append(_common.row(
            f"{what}, {title} (`bench_ambiguity.py`)", _common.timing_text(t[key]),
            f"one read, `np.count_nonzero(P)`: {_common.timing_text(t['floor'])}",
            floor_ratio(case, key), f"<= {TARGETS[key]:g}x floor", values))
        out.append(_common.row(
            f"{what}, {title}, against NumPy (same)", _common.timing_text(t[key]),
            f"NumPy: {_common.timing_text(t['numpy'])}",
            f"{_common.ratio_text(t['numpy'], t[key])}, load "
            f"{case['load'][0]:.1f}-{case['load'][1]:.1f}",
            f">= {TARGET_VS_NUMPY:g}x" if key == "two_calls" else "", values))
    return out


def notes_for(cases: list[dict[str, Any]], extra: dict[str, Any]) -> str:
    lines = [
        "**Ambiguity and discrepancy (`bench_ambiguity.py`).** Contestants interleaved in one "
        "process, the same repeats each; ratios to the floor (one single-threaded "
        "`np.count_nonzero(P)` read of the matrix) and NumPy's time over ours, on minima "
        "and on medians. The string case times the encoded path: the string matrix is "
        f"encoded once to int8 codes against its label set ({extra['encode_s']:.2f} s, "
        "not in the contest), and every contestant runs on the codes.",
        "",
        "| input | load | one pass / floor | two calls / floor | ambiguity / floor | "
        "discrepancy / floor | one pass, 1 thread / floor | NumPy / one pass | "
        "NumPy / two calls | values |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in cases:
        t = c["timings"]

        def both(k, a, b, t=t):
            return f"{t[k][a]:.2f}x ({t[k][b]:.2f}x)"

        shape = f"{c['shape'][0]:,} x {c['shape'][1]:,}"
        codes = f" ({c['dtype']} codes)" if c["case"].startswith("strings") else ""
        lines.append(
            f"| {c['case']}, {shape}{codes} | {c['load'][0]:.1f}-{c['load'][1]:.1f} | "
            + " | ".join(both(k, "over_floor_min", "over_floor_median")
                         for k in ("one_pass", "two_calls", "ambiguity", "discrepancy",
                                   "one_thread"))
            + " | " + " | ".join(f"{t[k]['numpy_over_this_min']:.1f}x "
                                 f"({t[k]['numpy_over_this_median']:.1f}x)"
                                 for k in ("one_pass", "two_calls"))
            + f" | {'exact' if c['equal'] else 'DIFFERENT'} |")
    lines += ["", f"min (median) in every cell. The package's calls use all "
              f"{numba.get_num_threads()} Numba threads, the floor one; on a busy machine a "
              "call also waits for its other threads to be scheduled, which weighs most on "
              "the smallest input. "
              f"Strings: NumPy on the '<U3' matrix itself took {extra['numpy_strings_s']:.2f} s "
              f"(same values: {extra['numpy_strings_equal']}); one call of "
              f"`ambiguity_discrepancy` on a {extra['e2e_shape'][0]}-row slice of the strings, "
              f"the package's own encoding included, {extra['e2e_s']:.2f} s (same values as "
              f"NumPy: {extra['e2e_equal']})."]
    if extra.get("memory"):
        mem = extra["memory"]
        lines += ["", "Peak memory over the int8 input (input plus the larger of the "
                  "tracemalloc and RSS extras): " + ", ".join(
                      f"{k.replace('_', ' ')} {mem[k]['peak_over_input']:.3f}x" for k in mem)
                  + " (target < 1.2x)."]
    return "\n".join(lines)


def memory(P: np.ndarray, b: np.ndarray, args: Any) -> dict[str, Any]:
    """Peak extra memory of the valued contestants on ``P`` (tracemalloc and RSS probes)."""
    out = {}
    for k in MEASURED:
        traced = _common.traced_peak(lambda k=k: CONTESTANTS[k](P, b))
        rss = None
        if not args.no_rss:
            rss = _common.run_probe(Path(__file__), [
                "--models", str(args.models), "--samples", str(args.samples),
                "--seed", str(args.seed), "--probe", k])["rss_extra"]
        extra = max(traced, rss or 0)
        out[k] = {"traced_extra_bytes": traced, "rss_extra_bytes": rss,
                  "peak_over_input": (P.nbytes + extra) / P.nbytes}
    return out


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--string-models", type=int, default=100)
    parser.add_argument("--string-samples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=7, help="calls of every contestant")
    parser.add_argument("--no-rss", action="store_true", help="skip the RSS subprocesses")
    parser.add_argument("--quick", action="store_true",
                        help="small inputs and 2 repeats (a smoke test; figures mean little)")
    parser.add_argument("--probe", choices=MEASURED, help=_common.argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.models, args.samples, args.repeats, args.no_rss = 50, 100_000, 2, True
        args.string_models, args.string_samples = 20, 100_000
    if args.probe:
        probe(args.probe, args.models, args.samples, args.seed)
        return {}

    info = _common.machine_info()
    _common.print_machine(info)
    traced_ok = _common.numba_arrays_traced()
    warm_up()
    cases = []

    t0 = time.perf_counter()
    P, b = build(args.models, args.samples, args.seed)
    print(f"int8 input built in {time.perf_counter() - t0:.1f} s")
    cases.append(run_case("int8", P, b, args.repeats))
    mem = memory(P, b, args)
    print(f"  peak extra memory / input (tracemalloc sees Numba arrays: {traced_ok}): "
          + ", ".join(f"{k} {v['peak_over_input']:.3f}x" for k, v in mem.items()))

    W, c = widen(P, b)
    del P
    cases.append(run_case("int16", W, c, args.repeats))
    del W

    P, b = build(args.string_models, args.string_samples, args.seed + 1)
    S, s = WORDS[P], WORDS[b]
    del P
    t0 = time.perf_counter()
    codes, cb = encode(S, s)
    encode_s = time.perf_counter() - t0
    print(f"\nstrings: {S.dtype} {S.shape}, {_common.fmt_bytes(S.nbytes)}, encoded to int8 "
          f"codes in {encode_s:.2f} s")
    cases.append(run_case("strings, encoded", codes, cb, args.repeats))
    t0 = time.perf_counter()
    numpy_strings = numpy_ref(S, s)
    numpy_strings_s = time.perf_counter() - t0
    e2e_rows = min(10, S.shape[0])
    t0 = time.perf_counter()
    e2e = ambiguity_discrepancy(S[:e2e_rows], s)
    e2e_s = time.perf_counter() - t0
    e2e_equal = e2e == numpy_ref(S[:e2e_rows], s)
    strings_equal = numpy_strings == cases[-1]["values"]["numpy"]
    print(f"  NumPy on the string matrix itself: {_common.fmt_s(numpy_strings_s)}, values "
          f"equal: {strings_equal}; package on a {e2e_rows}-row string slice, own encoding "
          f"included: {_common.fmt_s(e2e_s)}, values equal: {e2e_equal}")
    del S, codes

    extra = {"encode_s": encode_s, "numpy_strings_s": numpy_strings_s,
             "numpy_strings_equal": strings_equal, "e2e_shape": [e2e_rows, s.size],
             "e2e_s": e2e_s, "e2e_equal": e2e_equal, "memory": mem}
    titles = {"int8": f"{args.models:,} x {args.samples:,} int8",
              "int16": f"{args.models:,} x {args.samples:,} int16",
              "strings, encoded": f"{args.string_models:,} x {args.string_samples:,} "
                                  "string labels, encoded once to int8"}
    rows = [r for case in cases for r in rows_for(case, titles[case["case"]])]
    ok = all(case["equal"] for case in cases) and strings_equal and e2e_equal
    result = _common.write_result(
        args.json, "ambiguity", rows, notes_for(cases, extra), machine=info,
        tracemalloc_sees_numba=traced_ok, cases=cases, strings=extra, values_equal=ok)
    if not ok:
        print("ERROR: the contestants disagree", file=sys.stderr)
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
