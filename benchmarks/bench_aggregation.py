"""Dawid-Skene EM on simulated crowd labels, against crowd-kit's DawidSkene.

Default input: 100,000 items, 1,000 workers, 10 answers per item (1,000,000 answers), 4
classes. Each worker has a random confusion matrix (rows = true class): a Dirichlet(1)
draw mixed half-and-half with the identity, so workers are better than chance but make
structured mistakes. True classes are uniform; each item is labelled by 10 distinct
workers drawn at random.

Contestants, timed in the same process, called round-robin the same number of times N
(min and median kept):

(a) ours, crowd-kit's rule: ``DawidSkene(tol=1e-5, stopping="crowdkit").fit(ann)`` on a
    prebuilt ``Annotations`` (same initialisation, clipping, objective and tolerance as
    crowd-kit, hence the same number of iterations);
(b) ours, end to end: ``Annotations.from_long(df)`` plus (a);
(c) ours, defaults: ``DawidSkene().fit(ann)`` (log-likelihood rule, tol=1e-6);
(d) crowd-kit 1.4: ``DawidSkene(n_iter=100, tol=1e-5).fit(df)`` on the long DataFrame
    (its defaults, spelled out; crowd-kit has no faster option).

The script prints the times, the speed-up of (a) and (b) over (d), the share of items on
which (a), (c) and crowd-kit agree on the label, the largest posterior difference between
(a) and (d), and the accuracy of each against the simulated truth. It exits non-zero when
(a) and (d) agree on fewer than 99.9% of the items.

Run: ``.venv/bin/python benchmarks/bench_aggregation.py [--items N --workers W
--per-item A --classes K]``.
"""

from __future__ import annotations

import sys
import warnings

import _common
import numpy as np
import pandas as pd

from multiplicity.annotation import Annotations
from multiplicity.annotation._aggregation import DawidSkene

MIN_AGREEMENT = 0.999


def build(n: int, r: int, per: int, k: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Seeded long table (task, worker, label) and the true classes."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    conf = 0.5 * rng.dirichlet(np.ones(k), size=(r, k)) + 0.5 * np.eye(k)[None]
    # `per` distinct workers per item: the first `per` of a random permutation
    workers = np.argsort(rng.random((n, r)), axis=1)[:, :per].ravel()
    items = np.repeat(np.arange(n), per)
    cdf = np.cumsum(conf[workers, truth[items]], axis=1)
    labels = np.minimum((rng.random(len(items))[:, None] > cdf).sum(axis=1), k - 1)
    df = pd.DataFrame({"task": items, "worker": workers, "label": labels})
    return df, truth


def crowdkit_fit(df: pd.DataFrame):
    from crowdkit.aggregation import DawidSkene as CrowdKitDawidSkene

    with warnings.catch_warnings():  # crowd-kit 1.4 triggers pandas 3 deprecation notices
        warnings.simplefilter("ignore")
        return CrowdKitDawidSkene(n_iter=100, tol=1e-5).fit(df)


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1_000)
    parser.add_argument("--per-item", type=int, default=10)
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5,
                        help="calls of every contestant (min and median kept)")
    args = parser.parse_args()

    info = _common.machine_info()
    _common.print_machine(info)
    df, truth = build(args.items, args.workers, args.per_item, args.classes, args.seed)
    print(f"# input: {args.items:,} items, {args.workers:,} workers, {args.per_item} answers "
          f"per item ({len(df):,} answers), {args.classes} classes")
    small, _ = build(50, 8, 3, args.classes, seed=1)
    DawidSkene(stopping="crowdkit").fit(Annotations.from_long(small, item="task",
                                                              annotator="worker"))  # compile
    ann = Annotations.from_long(df, item="task", annotator="worker")

    def ours_ck():
        return DawidSkene(tol=1e-5, stopping="crowdkit").fit(ann)

    def ours_e2e():
        a = Annotations.from_long(df, item="task", annotator="worker")
        return DawidSkene(tol=1e-5, stopping="crowdkit").fit(a)

    def ours_default():
        return DawidSkene().fit(ann)

    functions = {
        "ours: DawidSkene(tol=1e-5, stopping='crowdkit').fit(ann)": ours_ck,
        "ours: from_long(df) + the same fit": ours_e2e,
        "ours: DawidSkene().fit(ann) (defaults)": ours_default,
        "crowd-kit: DawidSkene(n_iter=100, tol=1e-5).fit(df)": lambda: crowdkit_fit(df),
    }
    names = list(functions)
    timings = _common.interleaved(functions, args.repeats)

    a, c, ck = ours_ck(), ours_default(), crowdkit_fit(df)
    ck_labels = ck.labels_.reindex(ann.items).to_numpy()
    ck_probas = ck.probas_.reindex(index=ann.items, columns=ann.categories).to_numpy()
    agree = float(np.mean(a.labels_.to_numpy() == ck_labels))
    agree_default = float(np.mean(c.labels_.to_numpy() == ck_labels))
    max_diff = float(np.abs(a.probas_.to_numpy() - ck_probas).max())
    true = np.asarray(truth)[np.asarray(ann.items)]
    acc = {"ours (crowdkit rule)": float(np.mean(a.labels_.to_numpy() == true)),
           "ours (defaults)": float(np.mean(c.labels_.to_numpy() == true)),
           "crowd-kit": float(np.mean(ck_labels == true))}

    width = max(len(n) for n in names)
    for name in names:
        t = timings[name]
        print(f"{name:<{width}}  {_common.timing_text(t)}")
    t_ck = timings[names[3]]["min_s"]
    speedup = t_ck / timings[names[0]]["min_s"]
    speedup_e2e = t_ck / timings[names[1]]["min_s"]
    speedup_default = t_ck / timings[names[2]]["min_s"]
    print(f"iterations: ours (crowdkit rule) {a.n_iter_}, crowd-kit {len(ck.loss_history_)}, "
          f"ours (defaults) {c.n_iter_}")
    print(f"speed-up over crowd-kit: {speedup:.1f}x (same rule, prebuilt Annotations), "
          f"{speedup_e2e:.1f}x end to end, {speedup_default:.1f}x with our defaults")
    print(f"label agreement with crowd-kit: {100 * agree:.3f}% (same rule), "
          f"{100 * agree_default:.3f}% (our defaults); max |posterior diff| (same rule) "
          f"{max_diff:.2e}")
    print("accuracy vs simulated truth: " + ", ".join(f"{k} {100 * v:.2f}%"
                                                     for k, v in acc.items()))
    result = {"items": args.items, "workers": args.workers,
              "per_item": args.per_item, "classes": args.classes, "answers": len(df),
              "timings": {n: {k: v for k, v in t.items() if k != "times"}
                          for n, t in timings.items()},
              "speedup": speedup, "speedup_end_to_end": speedup_e2e,
              "speedup_defaults": speedup_default, "agreement": agree,
              "agreement_defaults": agree_default, "max_posterior_diff": max_diff,
              "iterations": {"ours_crowdkit_rule": a.n_iter_, "ours_defaults": c.n_iter_,
                             "crowdkit": len(ck.loss_history_)},
              "accuracy": acc}
    ok = agree >= MIN_AGREEMENT
    size = (f"{len(df):,} answers ({args.items:,} items x {args.per_item}, "
            f"{args.workers:,} workers, {args.classes} classes)")
    ck_text = ("crowd-kit `DawidSkene(n_iter=100, tol=1e-5)`: "
               + _common.timing_text(timings[names[3]]))
    check = (f"labels agree on {100 * agree:.3f}% (must be >= {100 * MIN_AGREEMENT:.1f}%), max "
             f"posterior diff {max_diff:.1e}; iterations {a.n_iter_} vs "
             f"{len(ck.loss_history_)}" + ("" if ok else "; **FAILED**"))
    rows = [
        _common.row(f"Dawid-Skene, crowd-kit's stopping rule, prebuilt `Annotations`, {size}",
                    _common.timing_text(timings[names[0]]), ck_text,
                    _common.ratio_text(timings[names[3]], timings[names[0]]), ">= 5x", check),
        _common.row("same, end to end from the long DataFrame (`Annotations.from_long` + fit)",
                    _common.timing_text(timings[names[1]]), "same",
                    _common.ratio_text(timings[names[3]], timings[names[1]]), ">= 5x",
                    "same fit"),
        _common.row("same, our defaults (log-likelihood rule, tol 1e-6), prebuilt",
                    _common.timing_text(timings[names[2]]), "same",
                    _common.ratio_text(timings[names[3]], timings[names[2]]), "",
                    f"labels agree with crowd-kit on {100 * agree_default:.3f}%"),
    ]
    notes = (
        "Simulated answers: each worker has a random confusion matrix (a Dirichlet(1) draw "
        "mixed half-and-half with the identity); true classes uniform; each item labelled by "
        f"{args.per_item} distinct workers. With `stopping=\"crowdkit\"` ours uses crowd-kit's "
        "initialisation, clipping, objective and tolerance, hence the same number of "
        "iterations, so the first row compares the same computation. Accuracy against the "
        "simulated truth: " + ", ".join(f"{k} {100 * v:.2f}%" for k, v in acc.items()) + ".")
    _common.write_result(args.json, "Dawid-Skene against crowd-kit", rows, notes,
                         machine=info, **result)
    if not ok:
        print(f"FAIL: label agreement {agree:.4%} < {MIN_AGREEMENT:.1%}", file=sys.stderr)
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
