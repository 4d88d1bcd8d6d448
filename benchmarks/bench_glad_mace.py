"""GLAD and MACE against crowd-kit's, on simulated crowd labels with a known truth.

Default input: 1,000 items x 10 answers = 10,000 answers from 200 workers, 4 classes
(``--classes 2 4`` adds a binary data set; crowd-kit's GLAD takes about a minute per fit
here, whatever the size).
Every item has a uniform true class; each item is labelled by 10
distinct workers drawn at random. 80% of the workers are honest with accuracy uniform on
[0.35, 0.95] (a wrong answer is another class, uniformly); 20% are spammers who answer from
a fixed, skewed distribution of their own whatever the truth.

Contestants, in the same process, called round-robin the same number of times (ours after
one warm-up fit that compiles the kernels):

- ``GLAD()`` vs ``crowdkit.aggregation.GLAD()`` (defaults on both sides);
- ``MACE(n_restarts=1)`` vs ``crowdkit.aggregation.MACE(n_restarts=1)``, started from the
  same weights (crowd-kit's draw, passed to ours), so both run the same 50 VB rounds;
  and (with ``--default-mace-classes``, 4 classes by default) our default
  ``MACE(n_restarts=10)`` against crowd-kit's default (10 restarts that, in crowd-kit, all
  start from the same weights).

Worker and label names are chosen so that their first-appearance and sorted orders agree
(crowd-kit's MACE mixes workers up otherwise). Printed: min and median times, the ratio
(crowd-kit time / ours), accuracy against the simulated truth, label agreement and the
largest posterior difference. Exits non-zero when an accuracy is more than 1 point below
crowd-kit's.

Run: ``.venv/bin/python benchmarks/bench_glad_mace.py [--items N --answers A --workers W
--classes 2 4 --repeats R --json PATH]``.
"""

from __future__ import annotations

import sys
import warnings

import _common
import numpy as np
import pandas as pd

from multiplicity.annotation import Annotations
from multiplicity.annotation._glad_mace import GLAD, MACE


def simulate(n_items: int, n_answers: int, n_workers: int, k: int, seed: int = 0
             ) -> tuple[pd.DataFrame, pd.Series]:
    """Long answers (task, worker, label) and the true label by task."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    acc = rng.uniform(0.35, 0.95, n_workers)
    spammer = rng.random(n_workers) < 0.2
    spam_dist = rng.dirichlet(np.full(k, 0.5), n_workers)
    workers = np.argsort(rng.random((n_items, n_workers)), axis=1)[:, :n_answers].ravel()
    items = np.repeat(np.arange(n_items), n_answers)
    t = truth[items]
    correct = rng.random(items.size) < acc[workers]
    wrong = (t + rng.integers(1, k, items.size)) % k if k > 1 else t
    label = np.where(correct, t, wrong)
    u = rng.random(items.size)
    spam_label = (u[:, None] > np.cumsum(spam_dist[workers], axis=1)).sum(axis=1)
    label = np.where(spammer[workers], np.minimum(spam_label, k - 1), label)
    # names whose sorted order is their order of first appearance
    _, w_first = np.unique(workers, return_index=True)
    w_rank = np.empty(n_workers, dtype=np.int64)
    seen = np.unique(workers)[np.argsort(w_first)]
    w_rank[seen] = np.arange(len(seen))
    _, l_first = np.unique(label, return_index=True)
    l_seen = np.unique(label)[np.argsort(l_first)]
    l_rank = np.full(k, -1, dtype=np.int64)
    l_rank[l_seen] = np.arange(len(l_seen))
    df = pd.DataFrame({"task": [f"t{i:06d}" for i in items],
                       "worker": [f"w{r:05d}" for r in w_rank[workers]],
                       "label": l_rank[label]})
    gt = pd.Series(np.where(l_rank[truth] >= 0, l_rank[truth], -1),
                   index=[f"t{i:06d}" for i in range(n_items)])
    return df, gt


class MatchedMACE(MACE):
    """MACE started from given weights (for like-for-like comparisons)."""

    def __init__(self, start=None, **kw):
        super().__init__(**kw)
        self.start = start

    def _initial_weights(self, rng, n_annotators, n_categories):
        return self.start


def crowdkit_mace_start(ann: Annotations, df: pd.DataFrame, noise: float = 0.5,
                        seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """crowd-kit's starting weights, reordered to our annotators and categories."""
    import scipy.stats as sps
    w_names = pd.factorize(df["worker"])[1]
    l_names = pd.factorize(df["label"])[1]
    sk = sps.uniform(1, 1 + noise).rvs(size=(len(w_names), 2), random_state=seed)
    st = sps.uniform(1, 1 + noise).rvs(size=(len(w_names), len(l_names)), random_state=seed)
    sk, st = sk / sk.sum(1, keepdims=True), st / st.sum(1, keepdims=True)
    w_pos = pd.Index(w_names).get_indexer(ann.annotators)
    l_pos = pd.Index(l_names).get_indexer(ann.categories)
    # crowd-kit's column 0 is spamming, 1 knowing: ours too
    return sk[w_pos], st[w_pos][:, l_pos]


def compare(ours, ref, gt) -> dict:
    """Accuracies against the simulated truth, label agreement, largest posterior gap."""
    idx = ours.probas_.index
    cols = ours.probas_.columns
    P_ref = ref.probas_.reindex(index=idx, columns=cols).to_numpy()
    truth = gt.loc[idx].to_numpy()
    mine = ours.labels_.loc[idx].to_numpy()
    theirs = ref.labels_.loc[idx].to_numpy()
    return {"accuracy_ours": float((mine == truth).mean()),
            "accuracy_crowdkit": float((theirs == truth).mean()),
            "label_agreement": float((mine == theirs).mean()),
            "max_abs_posterior_diff": float(np.nanmax(np.abs(ours.probas_.to_numpy()
                                                             - P_ref)))}


def main(argv=None) -> int:
    p = _common.base_parser(__doc__.splitlines()[0])
    p.add_argument("--items", type=int, default=1000)
    p.add_argument("--answers", type=int, default=10)
    p.add_argument("--workers", type=int, default=200)
    p.add_argument("--classes", type=int, nargs="+", default=[4],
                   help="numbers of classes, one simulated data set each (crowd-kit takes "
                        "one to two minutes per GLAD fit: 2 4 doubles the run)")
    p.add_argument("--repeats", type=int, default=2,
                   help="calls of each contestant (both sides alike, interleaved)")
    p.add_argument("--default-mace-classes", type=int, nargs="*", default=[4],
                   help="numbers of classes on which the 10-restart MACE defaults are "
                        "compared too (crowd-kit takes over a minute per fit)")
    args = p.parse_args(argv)
    from crowdkit.aggregation import GLAD as CkGLAD
    from crowdkit.aggregation import MACE as CkMACE

    info = _common.machine_info()
    _common.print_machine(info)
    failures = []
    rows = []
    runs = []
    for k in args.classes:
        df, gt = simulate(args.items, args.answers, args.workers, k)
        size = f"{len(df):,} answers ({args.items:,} items x {args.answers}), {k} classes"
        print(f"\n{size}, {args.workers} workers", flush=True)
        ann = Annotations.from_long(df, item="task", annotator="worker", label="label")
        GLAD(max_iter=2).fit(ann.take_items(np.arange(20)))  # compile
        MACE(n_restarts=1, max_iter=2).fit(ann.take_items(np.arange(20)))
        start = crowdkit_mace_start(ann, df)
        contests = [("GLAD", "GLAD()", GLAD(), CkGLAD()),
                    ("MACE, 1 start (same start)", "MACE(n_restarts=1)",
                     MatchedMACE(start=start, n_restarts=1), CkMACE(n_restarts=1))]
        if k in args.default_mace_classes:
            contests.append(("MACE, defaults (10 restarts)", "MACE()",
                             MACE(random_state=0), CkMACE()))
        for name, ck_call, ours_model, ref_model in contests:
            fitted = {}

            def fit_ours(model=ours_model, fitted=fitted, df=df):
                # end to end, from the same long DataFrame crowd-kit gets
                a = Annotations.from_long(df, item="task", annotator="worker", label="label")
                fitted["ours"] = model.fit(a)

            def fit_ref(model=ref_model, fitted=fitted, df=df):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fitted["ref"] = model.fit(df)

            t = _common.interleaved({"ours": fit_ours, "crowd-kit": fit_ref}, args.repeats)
            v = compare(fitted["ours"], fitted["ref"], gt)
            print(f"{name:<30} ours {_common.timing_text(t['ours'])}; crowd-kit "
                  f"{_common.timing_text(t['crowd-kit'])}; ratio "
                  f"{_common.ratio_text(t['crowd-kit'], t['ours'])}; accuracy ours "
                  f"{v['accuracy_ours']:.4f}, crowd-kit {v['accuracy_crowdkit']:.4f}; "
                  f"label agreement {v['label_agreement']:.4f}; max |dP| "
                  f"{v['max_abs_posterior_diff']:.2e}", flush=True)
            dacc = v["accuracy_ours"] - v["accuracy_crowdkit"]
            ok = dacc >= -0.01
            if not ok:
                failures.append(f"{name} k={k}: accuracy {dacc:+.4f} vs crowd-kit")
            rows.append(_common.row(
                f"{name}, {size}", _common.timing_text(t["ours"]),
                f"crowd-kit `{ck_call}`: {_common.timing_text(t['crowd-kit'])}",
                _common.ratio_text(t["crowd-kit"], t["ours"]), ">= 50x",
                f"accuracy {v['accuracy_ours']:.4f} vs {v['accuracy_crowdkit']:.4f} "
                f"(must not be more than 0.01 lower); labels agree on "
                f"{100 * v['label_agreement']:.2f}%" + ("" if ok else "; **FAILED**")))
            runs.append({"classes": k, "contest": name, "timings": t, **v})
    notes = (
        "Simulated crowd labels with a known truth: every item has a uniform true class and "
        f"is labelled by {args.answers} distinct workers of {args.workers}; 80% of the "
        "workers are honest with accuracy uniform on [0.35, 0.95], 20% are spammers "
        "answering from a skewed distribution of their own. crowd-kit is called with its "
        "defaults, which are also its fast settings (`GLAD()`: no progress bar, at most 100 "
        "EM rounds, tol 1e-5, as ours; `MACE()`: 10 restarts of 50 rounds, no output, as "
        "ours); it has no other speed option. Ours runs from the same long DataFrame "
        "(`Annotations.from_long` is inside the timing), after one warm-up fit that "
        "compiles the kernels. The 1-start MACE rows start both sides from crowd-kit's own "
        "random "
        "weights, so both run the same variational rounds; the default MACE rows compare "
        "the two libraries' defaults (10 restarts each). Values: accuracy against the "
        "simulated truth (ours must not be more than one point below crowd-kit's) and the "
        "share of items given the same label.")
    _common.write_result(args.json, "GLAD and MACE against crowd-kit", rows, notes,
                         machine=info, runs=runs)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
