"""Pairwise disagreement of 500 models on 100,000 samples, binary and 5 classes.

Input: int8 labels of shape (500, 100000) (48 MiB), seeded: a random baseline labelling,
copied by every model with about 10% of its entries changed to another class, so that
pairs disagree on 10-20% of samples.

Contestants, called round-robin the same number of times N (min and median kept):

* ours: ``pairwise_disagreement(P)``;
* NumPy/BLAS: counts from float32 one-hot matrix products. Binary: ``A = P`` as float32,
  ``d_ij = s_i + s_j - 2 (A @ A.T)_ij`` with ``s`` the row sums. ``k`` classes:
  ``d_ij = n - sum_c (O_c @ O_c.T)_ij`` with ``O_c = (P == c)`` as float32, one class
  at a time in one reused buffer (allocating a fresh 200 MB one-hot per class made the
  NumPy side 2x slower here: page faults). The counts are integers below 2**24, exact
  in float32, so both results must be equal to the last bit.

Throughput is (model pairs m(m-1)/2) x samples / second. Peak extra memory (tracemalloc,
NumPy's and Numba's arrays) is printed too.

Run: ``.venv/bin/python benchmarks/bench_pairwise.py [--models M --samples N]``.
"""

from __future__ import annotations

import sys

import _common
import numpy as np

from multiplicity.metrics import pairwise_disagreement

CHANGE = 0.10  # share of entries each model changes away from the baseline
ROW_BLOCK = 16


def build(m: int, n: int, k: int, seed: int = 0) -> np.ndarray:
    """Seeded int8 (m, n) labels in ``0..k-1`` (baseline plus ~10% changes per model)."""
    rng = np.random.default_rng(seed)
    b = rng.integers(0, k, n, dtype=np.int8)
    P = np.empty((m, n), dtype=np.int8)
    P[:] = b
    threshold = round(CHANGE * 65536)
    for lo in range(0, m, ROW_BLOCK):
        hi = min(m, lo + ROW_BLOCK)
        change = rng.integers(0, 65536, (hi - lo, n), dtype=np.uint16) < threshold
        shift = rng.integers(1, k, (hi - lo, n), dtype=np.int8) if k > 2 else np.int8(1)
        P[lo:hi] = np.where(change, (b + shift) % k, b).astype(np.int8)
    return P


def numpy_pairwise(P: np.ndarray, k: int) -> np.ndarray:
    """Disagreement fractions from float32 one-hot matrix products (BLAS sgemm)."""
    n = P.shape[1]
    if k == 2:
        A = P.astype(np.float32)
        s = A.sum(axis=1, dtype=np.float64)
        counts = s[:, None] + s[None, :] - 2.0 * (A @ A.T)
    else:
        onehot = np.empty(P.shape, dtype=np.float32)  # one buffer, reused per class
        agree = np.zeros((P.shape[0], P.shape[0]))
        for c in range(k):
            np.equal(P, c, out=onehot, casting="unsafe")
            agree += onehot @ onehot.T
        counts = n - agree
    counts = np.rint(counts).astype(np.int64)
    np.fill_diagonal(counts, 0)
    return counts / n


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=500)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--classes", type=int, nargs="+", default=[2, 5])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5,
                        help="calls of every contestant (min and median kept)")
    args = parser.parse_args()

    info = _common.machine_info()
    _common.print_machine(info)
    pairwise_disagreement(build(3, 100, 2))  # compile outside the timing
    pairwise_disagreement(build(3, 100, 5))
    m, n = args.models, args.samples
    work = m * (m - 1) / 2 * n
    print(f"input: int8 labels ({m}, {n}), {_common.fmt_bytes(m * n)}; "
          f"{m * (m - 1) // 2:,} model pairs x {n:,} samples = {work:.3g} comparisons")
    print("time: min and median of N calls each, round-robin (wall clock); "
          "memory: tracemalloc peak above the input")
    print(f"{'classes':>7s} {'contestant':32s} {'min':>9s} {'median':>9s} {'N':>2s} "
          f"{'pair-samples/s':>14s} {'speed-up':>8s} {'extra memory':>12s}")
    rows = {}
    table = []
    all_equal = True
    for k in args.classes:
        P = build(m, n, k, args.seed)
        ours = pairwise_disagreement(P)
        ref = numpy_pairwise(P, k)
        equal = bool(np.array_equal(ours, ref))
        all_equal &= equal
        names = {"ours": "ours: pairwise_disagreement(P)",
                 "numpy": "numpy: one-hot float32 A @ A.T"}
        timings = _common.interleaved(
            {names["ours"]: lambda P=P: pairwise_disagreement(P),
             names["numpy"]: lambda P=P, k=k: numpy_pairwise(P, k)}, args.repeats)
        mem = {names["ours"]: _common.traced_peak(lambda P=P: pairwise_disagreement(P)),
               names["numpy"]: _common.traced_peak(lambda P=P, k=k: numpy_pairwise(P, k))}
        t_np = timings[names["numpy"]]["min_s"]
        rows[f"k={k}"] = {"values_equal": equal,
                          "mean_disagreement": float(ours.sum() / (m * (m - 1)))}
        for key, name in names.items():
            t = timings[name]
            rows[f"k={k}"][key] = {"min_s": t["min_s"], "median_s": t["median_s"],
                                   "repeats": t["repeats"], "times_s": t["times"],
                                   "throughput": work / t["min_s"],
                                   "speedup_vs_numpy": t_np / t["min_s"],
                                   "extra_bytes": mem[name]}
            print(f"{k:7d} {name:32s} {_common.fmt_s(t['min_s']):>9s} "
                  f"{_common.fmt_s(t['median_s']):>9s} {t['repeats']:2d} "
                  f"{work / t['min_s']:14.3g} {t_np / t['min_s']:7.1f}x "
                  f"{_common.fmt_bytes(mem[name]):>12s}")
        t_o, t_n = timings[names["ours"]], timings[names["numpy"]]
        table.append(_common.row(
            f"`pairwise_disagreement`, {m:,} models x {n:,} samples, int8, {k} classes",
            f"{_common.timing_text(t_o)}; {work / t_o['min_s']:.2g} pair-samples/s; extra "
            f"memory {_common.fmt_bytes(mem[names['ours']])}",
            f"NumPy one-hot float32 matrix products (BLAS): {_common.timing_text(t_n)}; "
            f"extra memory {_common.fmt_bytes(mem[names['numpy']])}",
            _common.ratio_text(t_n, t_o), "",
            "exactly equal" if equal else "**DIFFERENT** (must be exactly equal)"))
        print(f"{'':7s} values equal (exact): {equal}; mean pairwise disagreement "
              f"{rows[f'k={k}']['mean_disagreement']:.4f}")
    result = {"benchmark": "pairwise", "shape": [m, n], "results": rows}
    notes = (
        "Every model copies a random baseline labelling with about 10% of its entries "
        "changed. The NumPy reference counts agreements by float32 matrix products of one-hot "
        "matrices (OpenBLAS sgemm on all cores; counts below 2**24 are exact in float32), so "
        "both results must be equal to the last bit. Extra memory: tracemalloc peak above the "
        "input, one more untimed call each.")
    _common.write_result(args.json, "Pairwise disagreement against NumPy/BLAS", table, notes,
                         machine=info, **result)
    if not all_equal:
        print("ERROR: ours and NumPy disagree", file=sys.stderr)
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
