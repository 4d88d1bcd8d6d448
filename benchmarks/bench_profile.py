"""RashomonSet.profile on 1,000 logistic-regression members x 100,000 samples.

Prints the wall time of ``profile(X, y)`` (every measure, incl. Rashomon capacity) and its
peak traced memory (tracemalloc sees NumPy's and Numba's array allocations), next to the
size the full (members x samples x classes) float64 probability array would have.

Run: .venv/bin/python benchmarks/bench_profile.py [--models 1000] [--samples 100000]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from multiplicity.rashomon import RashomonSet


def build(n_models: int, n_samples: int, seed: int = 0):
    X, y = make_classification(n_samples=n_samples, n_features=20, n_informative=8,
                               random_state=seed)
    rng = np.random.default_rng(seed)
    models = []
    for _ in range(n_models):
        idx = rng.integers(0, 2000, 2000)  # bootstrap of the first 2,000 rows
        models.append(LogisticRegression(max_iter=200).fit(X[idx], y[idx]))
    losses = np.array([(m.predict(X[:2000]) != y[:2000]).mean() for m in models])
    rs = RashomonSet(models, losses, epsilon=1.0, baseline_index=int(np.argmin(losses)))
    return rs, X, y


def main(argv=None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=100_000)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    rs, X, y = build(args.models, args.samples)
    print(f"built {len(rs)} members in {time.perf_counter() - t0:.1f} s")
    rs_small = RashomonSet(list(rs)[:3], rs.losses_[:3], epsilon=1.0)
    rs_small.profile(X[:100], y[:100])  # compile the kernels outside the timing

    tracemalloc.start()
    t0 = time.perf_counter()
    prof = rs.profile(X, y)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    cube = len(rs) * args.samples * 2 * 8
    print(f"profile: {len(rs)} members x {args.samples} samples in {elapsed:.2f} s "
          f"({len(rs) * args.samples / elapsed / 1e6:.1f} M member-samples/s)")
    print(f"peak traced memory {peak / 2**20:.0f} MiB; the full probability array would be "
          f"{cube / 2**20:.0f} MiB")
    print(f"ambiguity {prof.ambiguity:.4f} discrepancy {prof.discrepancy:.4f} "
          f"mean RC {prof.mean_rashomon_capacity:.5f} mean VPR width {prof.mean_vpr_width:.4f}")
    return {"seconds": elapsed, "peak_mib": peak / 2**20, "cube_mib": cube / 2**20}


if __name__ == "__main__":
    main()
