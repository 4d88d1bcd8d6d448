"""GLAD and MACE against crowd-kit's, on simulated crowd labels with a known truth.

Default input: 4,000 items x 10 answers = 40,000 answers from 200 workers, once with 2 and
once with 4 classes. Every item has a uniform true class; each item is labelled by 10
distinct workers drawn at random. 80% of the workers are honest with accuracy uniform on
[0.35, 0.95] (a wrong answer is another class, uniformly); 20% are spammers who answer from
a fixed, skewed distribution of their own whatever the truth.

Contestants, in the same process (ours after one warm-up fit that compiles the kernels):

- ``GLAD()`` vs ``crowdkit.aggregation.GLAD()`` (defaults on both sides);
- ``MACE(n_restarts=1)`` vs ``crowdkit.aggregation.MACE(n_restarts=1)``, started from the
  same weights (crowd-kit's draw, passed to ours), so both run the same 50 VB rounds;
  and our default ``MACE(n_restarts=10)`` against crowd-kit's default (10 restarts that,
  in crowd-kit, all start from the same weights).

Worker and label names are chosen so that their first-appearance and sorted orders agree
(crowd-kit's MACE mixes workers up otherwise). Printed: seconds, the speed-up (crowd-kit
time / ours), accuracy against the simulated truth, label agreement and the largest
posterior difference. Exits non-zero when a speed-up is below ``--min-speedup`` or an
accuracy is more than 1 point below crowd-kit's.

Run: ``.venv/bin/python benchmarks/bench_glad_mace.py [--items N --answers A --workers W
--classes 2 4 --repeats R]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

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


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def compare(name, ours, ref, gt, t_ours, t_ref):
    idx = ours.probas_.index
    cols = ours.probas_.columns
    P_ref = ref.probas_.reindex(index=idx, columns=cols).to_numpy()
    acc_o = float((ours.labels_.loc[idx].to_numpy() == gt.loc[idx].to_numpy()).mean())
    acc_r = float((ref.labels_.loc[idx].to_numpy() == gt.loc[idx].to_numpy()).mean())
    agree = float((ours.labels_.loc[idx].to_numpy() == ref.labels_.loc[idx].to_numpy()).mean())
    dmax = float(np.nanmax(np.abs(ours.probas_.to_numpy() - P_ref)))
    print(f"{name:<22} ours {t_ours:8.3f}s  crowd-kit {t_ref:8.2f}s  speed-up "
          f"{t_ref / t_ours:7.1f}x  acc ours {acc_o:.4f} crowd-kit {acc_r:.4f}  "
          f"label agreement {agree:.4f}  max|dP| {dmax:.2e}", flush=True)
    return t_ref / t_ours, acc_o - acc_r


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--items", type=int, default=4000)
    p.add_argument("--answers", type=int, default=10)
    p.add_argument("--workers", type=int, default=200)
    p.add_argument("--classes", type=int, nargs="+", default=[2, 4])
    p.add_argument("--repeats", type=int, default=3, help="our fits: min of R runs")
    p.add_argument("--min-speedup", type=float, default=50.0)
    p.add_argument("--skip-default-mace", action="store_true",
                   help="skip the 10-restart MACE comparison (crowd-kit is slow)")
    args = p.parse_args(argv)
    from crowdkit.aggregation import GLAD as CkGLAD
    from crowdkit.aggregation import MACE as CkMACE

    failures = []
    for k in args.classes:
        df, gt = simulate(args.items, args.answers, args.workers, k)
        print(f"\n{len(df):,} answers, {args.items:,} items, {args.workers} workers, "
              f"{k} classes", flush=True)
        ann = Annotations.from_long(df, item="task", annotator="worker", label="label")
        GLAD(max_iter=2).fit(ann.take_items(np.arange(20)))  # compile
        MACE(n_restarts=1, max_iter=2).fit(ann.take_items(np.arange(20)))
        runs = []
        start = crowdkit_mace_start(ann, df)
        contests = [("GLAD", GLAD(), CkGLAD()),
                    ("MACE (1 start, same)", MatchedMACE(start=start, n_restarts=1),
                     CkMACE(n_restarts=1))]
        if not args.skip_default_mace:
            contests.append(("MACE (defaults)", MACE(random_state=0), CkMACE()))
        for name, ours_model, ref_model in contests:
            t_o = min(timed(ours_model.fit, ann)[0] for _ in range(args.repeats))
            _, ours = timed(ours_model.fit, ann)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t_r, ref = timed(ref_model.fit, df)
            speed, dacc = compare(name, ours, ref, gt, t_o, t_r)
            runs.append((name, speed, dacc))
            if speed < args.min_speedup:
                failures.append(f"{name} k={k}: speed-up {speed:.1f}x < {args.min_speedup}x")
            if dacc < -0.01:
                failures.append(f"{name} k={k}: accuracy {dacc:+.4f} vs crowd-kit")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
