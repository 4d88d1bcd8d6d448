"""Fleiss' kappa from a raw items x raters matrix, against statsmodels.

Default input: 1,000,000 items x 10 raters, int64 labels in 5 categories (80 MB), complete
(statsmodels needs the same number of ratings per item). Each item has a true category;
every rater copies it with probability 0.6 and otherwise draws a category uniformly, so
kappa is near 0.36 rather than 0.

Contestants, timed in the same process, called round-robin the same number of times N
(min and median kept):

(a) ours, end to end: ``fleiss_kappa(Annotations.from_wide(X))`` (``fleiss_kappa(X)`` does
    the same conversion);
(b) ours, the conversion alone: ``Annotations.from_wide(X)`` (factorising the labels and
    building the sparse arrays);
(c) ours, the coefficient alone on a prebuilt ``Annotations``;
(d) statsmodels: ``fleiss_kappa(aggregate_raters(X)[0])``;
(e) a prototype, not in the package: a fast path that ``check_annotations`` could take for
    a complete integer ndarray with a small label range (codes by a lookup table instead
    of ``pd.factorize``, item/annotator indices by ``repeat``/``tile`` instead of
    ``np.nonzero``), then ``fleiss_kappa``. It shows how much of (a) is the generic
    conversion.

The script prints the times, the speed-up of (a) and (c) over (d) and |kappa_a - kappa_d|,
and exits non-zero when the values differ by more than 1e-10.

Run: ``.venv/bin/python benchmarks/bench_fleiss.py [--items N --raters R --categories K]``.
"""

from __future__ import annotations

import sys

import _common
import numpy as np
import pandas as pd

from multiplicity.annotation import Annotations
from multiplicity.annotation._chance import fleiss_kappa

TOL = 1e-10


def build(n: int, r: int, k: int, seed: int = 0) -> np.ndarray:
    """Seeded (n, r) int64 labels in ``[0, k)``: truth copied with probability 0.6."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    noise = rng.integers(0, k, (n, r))
    return np.where(rng.random((n, r)) < 0.6, truth[:, None], noise)


def ours_end_to_end(X: np.ndarray) -> float:
    return fleiss_kappa(Annotations.from_wide(X))


def fast_from_int_matrix(X: np.ndarray) -> Annotations:
    """Prototype fast path (benchmark only): complete integer matrix, small label range."""
    n, r = X.shape
    lo, hi = int(X.min()), int(X.max())
    shifted = (X - lo).ravel()
    used = np.flatnonzero(np.bincount(shifted, minlength=hi - lo + 1))
    lookup = np.zeros(hi - lo + 1, dtype=np.int64)
    lookup[used] = np.arange(used.size)
    return Annotations(np.repeat(np.arange(n, dtype=np.int64), r),
                       np.tile(np.arange(r, dtype=np.int64), n), lookup[shifted],
                       pd.RangeIndex(n), pd.RangeIndex(r), pd.Index(used + lo))


def statsmodels_ref(X: np.ndarray) -> float:
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    return float(sm_fleiss(aggregate_raters(X)[0], method="fleiss"))


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--raters", type=int, default=10)
    parser.add_argument("--categories", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5,
                        help="calls of every contestant (min and median kept)")
    args = parser.parse_args()

    info = _common.machine_info()
    _common.print_machine(info)
    X = build(args.items, args.raters, args.categories, args.seed)
    print(f"# input: {args.items:,} items x {args.raters} raters, {args.categories} "
          f"categories, {X.dtype} ({_common.fmt_bytes(X.nbytes)})")
    ours_end_to_end(build(200, 3, 3, seed=1))  # compile / load the kernels
    ann = Annotations.from_wide(X)

    functions = {
        "ours: fleiss_kappa(Annotations.from_wide(X))": lambda: ours_end_to_end(X),
        "ours: Annotations.from_wide(X) alone": lambda: Annotations.from_wide(X),
        "ours: fleiss_kappa(ann) alone": lambda: fleiss_kappa(ann),
        "statsmodels: fleiss_kappa(aggregate_raters(X)[0])": lambda: statsmodels_ref(X),
        "prototype: fleiss_kappa(fast_from_int_matrix(X))":
            lambda: fleiss_kappa(fast_from_int_matrix(X)),
    }
    names = list(functions)
    timings = _common.interleaved(functions, args.repeats)

    ours, ref = ours_end_to_end(X), statsmodels_ref(X)
    diff = abs(ours - ref)
    proto = fleiss_kappa(fast_from_int_matrix(X))
    if abs(proto - ours) > TOL:
        print(f"FAIL: the prototype conversion gives {proto}", file=sys.stderr)
        sys.exit(1)
    width = max(len(n) for n in names)
    for name in names:
        t = timings[name]
        print(f"{name:<{width}}  {_common.timing_text(t)}")
    t_sm = timings[names[3]]["min_s"]
    speedup = t_sm / timings[names[0]]["min_s"]
    speedup_kernel = t_sm / timings[names[2]]["min_s"]
    share = timings[names[1]]["min_s"] / timings[names[0]]["min_s"]
    print(f"kappa: ours {ours:.15f}, statsmodels {ref:.15f}, |diff| {diff:.2e}")
    speedup_proto = t_sm / timings[names[4]]["min_s"]
    print(f"speed-up over statsmodels: {speedup:.1f}x end to end (from_wide is "
          f"{100 * share:.0f}% of it), {speedup_kernel:.1f}x from a prebuilt Annotations, "
          f"{speedup_proto:.1f}x with the prototype integer fast path")
    result = {"items": args.items, "raters": args.raters,
              "categories": args.categories,
              "timings": {n: {k: v for k, v in t.items() if k != "times"}
                          for n, t in timings.items()},
              "kappa_ours": ours, "kappa_statsmodels": ref, "abs_diff": diff,
              "speedup_end_to_end": speedup, "speedup_prebuilt": speedup_kernel,
              "speedup_prototype": speedup_proto,
              "from_wide_share": share}
    ok = diff <= TOL
    check = f"kappa {ours:.6f}, |diff| {diff:.1e} (must be <= {TOL:g})" + (
        "" if ok else "; **FAILED**")
    sm = "statsmodels `fleiss_kappa(aggregate_raters(X)[0])`: " + _common.timing_text(
        timings[names[3]])
    size = f"{args.items:,} items x {args.raters} raters, {args.categories} categories"
    rows = [
        _common.row(f"Fleiss' kappa from the raw matrix (`from_wide` + kappa), {size}",
                    _common.timing_text(timings[names[0]]), sm,
                    _common.ratio_text(timings[names[3]], timings[names[0]]), ">= 10x", check),
        _common.row("same, kappa alone on a prebuilt `Annotations`",
                    _common.timing_text(timings[names[2]]), "same",
                    _common.ratio_text(timings[names[3]], timings[names[2]]), "", "same"),
    ]
    notes = (
        f"Complete int64 matrix ({_common.fmt_bytes(X.nbytes)}); every rater copies the item's "
        "true category with probability 0.6. statsmodels needs the counts table, so its "
        "time includes `aggregate_raters`, as ours includes `Annotations.from_wide`. The "
        f"conversion is {100 * share:.0f}% of our end-to-end time; a prototype integer fast "
        "path (a lookup table instead of `pd.factorize`, not in the package) gives "
        f"{speedup_proto:.1f}x end to end ({_common.timing_text(timings[names[4]])}).")
    _common.write_result(args.json, "Fleiss' kappa against statsmodels", rows, notes,
                         machine=info, **result)
    if diff > TOL:
        print(f"FAIL: values differ by {diff:.2e} > {TOL}", file=sys.stderr)
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
