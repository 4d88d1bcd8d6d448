"""RashomonSet.profile on 1,000 logistic-regression members x 100,000 samples, vs NumPy.

Input: ``make_classification`` (``--samples`` rows, 20 features, 8 informative,
``--classes`` classes, seeded); ``--models`` ``LogisticRegression`` members, each fitted
on a seeded bootstrap of the first 2,000 rows, all in one ``RashomonSet`` (epsilon 1, so
every model is a member; baseline the lowest 0-1 loss on those 2,000 rows). Building them
is not timed.

Contestants, timed in the same process, called round-robin the same number of times N
(min and median kept):

* ours: ``rs.profile(X, y)``: every measure (ambiguity, discrepancy, probabilistic
  ambiguity/discrepancy at delta 0.1, viable prediction ranges, Rashomon capacity,
  self-consistency, accuracies), streamed over chunks of samples: the full (members x
  samples x classes) float64 probability array is never formed. While it runs, a few
  library functions are wrapped with timers (in this process only) to split its time
  into: ``predict_codes`` (``predict`` of every member, chunk by chunk),
  ``iter_proba`` (``predict_proba`` of every member), the per-chunk flip/range kernel,
  ``rashomon_capacity``, ``self_consistency``, and the rest;
* NumPy: what one would write by hand: the full float64 cube ``Q`` from every member's
  ``predict_proba(X)``, labels by ``argmax`` of ``Q``, then NumPy expressions:
  ``(P != P[b]).any(0).mean()``, ``(P != P[b]).mean(1).max()``, flags
  ``max_c |Q[i] - Q[b]| >= delta`` (64 members at a time, so that no second cube is
  formed; the max over classes by a loop of ``np.maximum``, much faster than
  ``.max(axis=2)`` over a short axis), ``Q.min(0)``/``Q.max(0)``, vote counts for self-consistency,
  ``(P == y).mean(1)``; the Rashomon capacity is the library's ``rashomon_capacity(Q)``
  on the whole cube (there is no NumPy one-liner for it; ``bench_capacity.py`` compares
  it with a NumPy loop). Its parts are timed too. ``--no-numpy`` skips it.

Values: every scalar measure must agree, and the per-sample arrays (VPR width, Rashomon
capacity, self-consistency) to 1e-9; the script exits non-zero otherwise.

Memory: ``tracemalloc`` peak of one more call of each contestant, above what was
allocated before it (NumPy's buffers, Numba's arrays and scikit-learn's allocations are
all seen), next to the size of the full float64 cube. Those calls are not timed.

Run: ``.venv/bin/python benchmarks/bench_profile.py [--models M --samples N]`` (full
size: about 1.6 GB for the NumPy cube and a few minutes in all, most of it building the
members and the untimed memory runs).
"""

from __future__ import annotations

import contextlib
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import _common
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from multiplicity.metrics import rashomon_capacity
from multiplicity.rashomon import RashomonSet

DELTA = 0.1
SLACK = 1e-12  # the library counts |gap| >= delta - 1e-12 as a flip (float noise)
BLOCK = 64  # members per block in the NumPy flag computation
TOL = 1e-9  # per-sample arrays must agree to this


def build(n_models: int, n_samples: int, n_classes: int = 2, seed: int = 0
          ) -> tuple[RashomonSet, np.ndarray, np.ndarray]:
    X, y = make_classification(n_samples=n_samples, n_features=20, n_informative=8,
                               n_classes=n_classes, random_state=seed)
    rng = np.random.default_rng(seed)
    n_fit = min(2000, n_samples)
    models = []
    for _ in range(n_models):
        idx = rng.integers(0, n_fit, n_fit)  # bootstrap of the first 2,000 rows
        models.append(LogisticRegression(max_iter=200).fit(X[idx], y[idx]))
    losses = np.array([(m.predict(X[:n_fit]) != y[:n_fit]).mean() for m in models])
    rs = RashomonSet(models, losses, epsilon=1.0, baseline_index=int(np.argmin(losses)))
    return rs, X, y


# ------------------------------------------------------------------- timing of the parts
@contextlib.contextmanager
def timed_parts(parts: dict[str, float]) -> Iterator[None]:
    """Wrap the functions ``MultiplicityProfile.from_set`` calls with timers.

    Only attributes of this process are replaced (and restored afterwards); the library
    files are untouched. Anything not found (after a refactor) is simply not split out.
    """
    from multiplicity.rashomon import _kernels as rk
    from multiplicity.rashomon import _profile

    saved: list[tuple[Any, str, Any]] = []

    def timer(name: str, fn: Callable) -> Callable:
        def wrapped(*a, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                parts[name] += time.perf_counter() - t0
        return wrapped

    def gen_timer(name: str, fn: Callable) -> Callable:
        def wrapped(*a, **kw):
            t0 = time.perf_counter()
            it = fn(*a, **kw)
            parts[name] += time.perf_counter() - t0
            while True:
                t0 = time.perf_counter()
                item = next(it, None)
                parts[name] += time.perf_counter() - t0
                if item is None:
                    return
                yield item
        return wrapped

    def patch(owner: Any, attr: str, name: str, wrap: Callable) -> None:
        if hasattr(owner, attr):
            orig = getattr(owner, attr)
            saved.append((owner, attr, orig))
            setattr(owner, attr, wrap(name, orig))

    patch(RashomonSet, "predict_codes", "predict_codes (member predict)", timer)
    patch(RashomonSet, "iter_proba", "iter_proba (member predict_proba)", gen_timer)
    patch(rk, "_proba_chunk_stats", "flip flags + VPR kernel", timer)
    patch(_profile, "label_flip_stats", "label flip kernel", timer)
    patch(_profile, "rashomon_capacity", "rashomon_capacity", timer)
    patch(_profile, "self_consistency", "self_consistency", timer)
    try:
        yield
    finally:
        for owner, attr, orig in reversed(saved):
            setattr(owner, attr, orig)


def ours(rs: RashomonSet, X: np.ndarray, y: np.ndarray, parts: dict[str, float] | None
         = None):
    if parts is None:
        return rs.profile(X, y, DELTA)
    t0 = time.perf_counter()
    with timed_parts(parts):
        prof = rs.profile(X, y, DELTA)
    parts["total"] += time.perf_counter() - t0
    return prof


# ------------------------------------------------------------------------ NumPy side
def numpy_profile(rs: RashomonSet, X: np.ndarray, y: np.ndarray,
                  parts: dict[str, float] | None = None) -> dict[str, Any]:
    """The same measures from the full (m, n, k) float64 cube and NumPy expressions."""
    parts = defaultdict(float) if parts is None else parts
    t0 = time.perf_counter()
    m, n, k = len(rs), X.shape[0], len(rs.classes_)
    b = rs.baseline_index_
    Q = np.empty((m, n, k))
    for i, mdl in enumerate(rs):
        Q[i] = mdl.predict_proba(X)
    t1 = time.perf_counter()
    parts["cube: predict_proba of every member"] += t1 - t0

    P = np.empty((m, n), dtype=np.int8 if k < 128 else np.int64)
    for i in range(m):  # row by row: no (m, n) int64 temporary
        P[i] = Q[i].argmax(axis=1)
    diff = P != P[b]
    amb = float(diff.any(axis=0).mean())
    disc = float(diff.sum(axis=1).max() / n)
    del diff
    flags = np.empty((m, n), dtype=bool)
    for lo in range(0, m, BLOCK):  # max over classes by a loop: .max(axis=2) is slow
        gap = np.abs(Q[lo:lo + BLOCK, :, 0] - Q[b, :, 0])
        for c in range(1, k):
            np.maximum(gap, np.abs(Q[lo:lo + BLOCK, :, c] - Q[b, :, c]), out=gap)
        flags[lo:lo + BLOCK] = gap >= DELTA - SLACK
    p_amb = float(flags.any(axis=0).mean())
    p_disc = float(flags.sum(axis=1).max() / n)
    del flags
    vmin, vmax = Q.min(axis=0), Q.max(axis=0)
    width = (vmax - vmin)[:, 1] if k == 2 else (vmax - vmin).max(axis=1)
    counts = np.stack([(P == c).sum(axis=0) for c in range(k)]).astype(np.float64)
    sc = (counts * (counts - 1)).sum(axis=0) / (m * (m - 1)) if m > 1 else np.ones(n)
    acc = (P == np.searchsorted(rs.classes_, y)).mean(axis=1)
    t2 = time.perf_counter()
    parts["labels + measures (NumPy expressions)"] += t2 - t1

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rc = rashomon_capacity(Q)
    parts["rashomon_capacity(Q) (library, whole cube)"] += time.perf_counter() - t2
    return {"ambiguity": amb, "discrepancy": disc, "probabilistic_ambiguity": p_amb,
            "probabilistic_discrepancy": p_disc, "baseline_accuracy": float(acc[b]),
            "min_accuracy": float(acc.min()), "max_accuracy": float(acc.max()),
            "vpr_width": width, "rashomon_capacity": rc, "self_consistency": sc}


SCALARS = ("ambiguity", "discrepancy", "probabilistic_ambiguity", "probabilistic_discrepancy",
           "baseline_accuracy", "min_accuracy", "max_accuracy")
ARRAYS = ("vpr_width", "rashomon_capacity", "self_consistency")


def compare(prof, ref: dict[str, Any]) -> dict[str, Any]:
    """Scalar differences (must be 0) and per-sample max |diff| (must be <= TOL)."""
    out: dict[str, Any] = {}
    for name in SCALARS:
        out[name] = abs(float(getattr(prof, name)) - ref[name])
    for name in ARRAYS:
        out[name] = float(np.max(np.abs(np.asarray(getattr(prof, name)) - ref[name])))
    out["equal"] = (all(out[s] == 0.0 for s in SCALARS)
                    and all(out[a] <= TOL for a in ARRAYS))
    return out


def print_parts(title: str, parts: dict[str, float], total: float) -> None:
    print(title)
    shown = 0.0
    for name, t in parts.items():
        if name == "total":
            continue
        shown += t
        print(f"    {name:46s} {_common.fmt_s(t):>9s}  {100 * t / total:5.1f}%")
    rest = total - shown
    if rest > 1e-3 * total:
        print(f"    {'rest (validation, ambiguity, accuracies, ...)':46s} "
              f"{_common.fmt_s(rest):>9s}  {100 * rest / total:5.1f}%")


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--classes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=2,
                        help="calls of every contestant (min and median kept)")
    parser.add_argument("--no-numpy", action="store_true", help="skip the NumPy reference")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the (untimed) tracemalloc runs")
    args = parser.parse_args()

    info = _common.machine_info()
    _common.print_machine(info)
    t0 = time.perf_counter()
    rs, X, y = build(args.models, args.samples, args.classes, args.seed)
    m, n, k = len(rs), X.shape[0], len(rs.classes_)
    cube = m * n * k * 8
    print(f"input: {m} LogisticRegression members x {n} samples x {k} classes, 20 features "
          f"(built in {time.perf_counter() - t0:.1f} s); full float64 probability cube "
          f"{_common.fmt_bytes(cube)}")
    small = RashomonSet(list(rs)[:3], rs.losses_[:3], epsilon=1.0)
    small.profile(X[:100], y[:100])  # compile the kernels (or load them) outside the timing
    numpy_profile(small, X[:100], y[:100])

    parts_ours: list[dict[str, float]] = []
    parts_np: list[dict[str, float]] = []
    last: dict[str, Any] = {}

    def run_ours():
        parts_ours.append(defaultdict(float))
        last["ours"] = ours(rs, X, y, parts_ours[-1])

    def run_np():
        parts_np.append(defaultdict(float))
        t = time.perf_counter()
        last["numpy"] = numpy_profile(rs, X, y, parts_np[-1])
        parts_np[-1]["total"] = time.perf_counter() - t

    OURS, NUMPY = "ours: rs.profile(X, y)", "numpy: full cube + NumPy expressions"
    contestants = {OURS: run_ours}
    if not args.no_numpy:
        contestants[NUMPY] = run_np
    timings = {name: {**t, "min": t["min_s"], "median": t["median_s"]}
               for name, t in _common.interleaved(contestants, args.repeats).items()}

    prof = last["ours"]
    print(f"\nvalues (ours): ambiguity {prof.ambiguity:.6f}, discrepancy {prof.discrepancy:.6f}, "
          f"prob. ambiguity {prof.probabilistic_ambiguity:.6f}, prob. discrepancy "
          f"{prof.probabilistic_discrepancy:.6f} (delta {DELTA}), mean RC "
          f"{prof.mean_rashomon_capacity:.6f}, mean VPR width {prof.mean_vpr_width:.6f}, "
          f"mean self-consistency {prof.mean_self_consistency:.6f}, accuracy "
          f"{prof.min_accuracy:.4f}-{prof.max_accuracy:.4f}")
    diffs = None
    if not args.no_numpy:
        diffs = compare(prof, last["numpy"])
        print("ours vs NumPy: scalars " + ", ".join(f"{s} {diffs[s]:.1e}" for s in SCALARS)
              + "; per-sample max |diff| " + ", ".join(f"{a} {diffs[a]:.1e}" for a in ARRAYS)
              + f"; equal (scalars exact, arrays to {TOL:g}): {diffs['equal']}")

    peaks = {}
    if not args.no_memory:
        peaks[OURS] = _common.traced_peak(lambda: ours(rs, X, y))
        if not args.no_numpy:
            peaks[NUMPY] = _common.traced_peak(lambda: numpy_profile(rs, X, y))

    print(f"\ntime: min and median of N calls each, round-robin (wall clock); "
          f"memory: tracemalloc peak of one more (untimed) call above what was allocated "
          f"before it; full cube {_common.fmt_bytes(cube)}")
    print(f"{'contestant':40s} {'min':>9s} {'median':>9s} {'N':>2s} {'speed-up':>8s} "
          f"{'M member-samples/s':>18s} {'traced peak':>11s} {'peak/cube':>9s}")
    rows = {}
    for name, t in timings.items():
        key = "ours" if name == OURS else "numpy"
        peak = peaks.get(name)
        row = {"min_s": t["min"], "median_s": t["median"], "repeats": t["repeats"],
               "times_s": t["times"], "peak_bytes": peak,
               "peak_over_cube": None if peak is None else peak / cube,
               "member_samples_per_s": m * n / t["min"]}
        row["speedup_vs_numpy"] = (timings[NUMPY]["min"] / t["min"]
                                   if NUMPY in timings else None)
        runs = parts_ours if key == "ours" else parts_np
        fastest = int(np.argmin(t["times"]))
        row["parts_s"] = {p: v for p, v in runs[fastest].items() if p != "total"}
        rows[key] = row
        speed = "-" if row["speedup_vs_numpy"] is None else f"{row['speedup_vs_numpy']:.1f}x"
        print(f"{name:40s} {_common.fmt_s(t['min']):>9s} {_common.fmt_s(t['median']):>9s} "
              f"{t['repeats']:2d} {speed:>8s} {m * n / t['min'] / 1e6:18.2f} "
              f"{'-' if peak is None else _common.fmt_bytes(peak):>11s} "
              f"{'-' if peak is None else f'{peak / cube:.3f}x':>9s}")
    for name, t in timings.items():
        runs = parts_ours if name == OURS else parts_np
        fastest = int(np.argmin(t["times"]))
        print_parts(f"where the time of the fastest run goes, {name}:", runs[fastest],
                    runs[fastest]["total"])

    result = {"benchmark": "profile", "shape": [m, n, k],
              "cube_bytes": cube, "delta": DELTA, "results": rows, "differences": diffs,
              "values_equal": None if diffs is None else diffs["equal"],
              "values": {s: float(getattr(prof, s)) for s in
                         (*SCALARS, "mean_rashomon_capacity", "mean_vpr_width",
                          "mean_self_consistency")}}
    fb = _common.fmt_bytes
    mem_o = "" if OURS not in peaks else f"; peak {fb(peaks[OURS])}"
    mem_n = "" if NUMPY not in peaks else f"; peak {fb(peaks[NUMPY])}"
    if diffs is None:
        check = "not checked (`--no-numpy`)"
    else:
        check = (f"scalars exactly equal, per-sample arrays to {TOL:g} (max |diff| "
                 f"{max(diffs[a] for a in ARRAYS):.1e})" if diffs["equal"] else
                 "**DIFFERENT**: " + ", ".join(f"{x} {diffs[x]:.1e}" for x in (*SCALARS,
                                                                                *ARRAYS)))
    table = [_common.row(
        f"`RashomonSet.profile`, {m:,} LogisticRegression members x {n:,} samples, {k} "
        "classes, every measure", _common.timing_text(timings[OURS]) + mem_o,
        "not run" if NUMPY not in timings else
        "full float64 cube + NumPy expressions: " + _common.timing_text(timings[NUMPY])
        + mem_n, "" if NUMPY not in timings else
        _common.ratio_text(timings[NUMPY], timings[OURS])
        + ("" if not peaks.get(NUMPY) else f"; memory {peaks[NUMPY] / peaks[OURS]:.1f}x"
           " less"), "time and memory", check)]
    split = "; ".join(f"{p} {_common.fmt_s(v)}" for p, v in rows["ours"]["parts_s"].items())
    notes = (
        f"`make_classification` data; members fitted on seeded bootstraps of 2,000 rows "
        f"(not timed). Ours streams over chunks of samples and never forms the "
        f"(members x samples x classes) float64 cube ({fb(cube)}); the reference holds it. "
        "Both sides ask every member for its probabilities; the Rashomon capacity of the "
        "reference is the library's own function on the cube (there is no NumPy one-liner; "
        "`bench_capacity.py` compares it with NumPy). Memory: tracemalloc peak of one more, "
        "untimed call each. Where our fastest run's time went: " + split + ".")
    _common.write_result(args.json, "RashomonSet.profile against the NumPy cube", table,
                         notes, machine=info, **result)
    if diffs is not None and not diffs["equal"]:
        print("ERROR: ours and the NumPy reference disagree", file=sys.stderr)
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
