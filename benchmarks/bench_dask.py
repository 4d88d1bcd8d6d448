"""The measures and the agreement statistics on a dask cluster, on inputs larger than the
workers' memory.

Every worker of the ``LocalCluster`` is a separate process with one thread and
``memory_limit="1.5GB"``; the machine has 2 cores, so the scaling table compares 1 and 2
workers. Two jobs:

* **Predictions.** ``ambiguity_discrepancy`` on an int8 ``(1,000 models x 8,000,000
  people)`` matrix (8 GB, chunks of 1,000 x 100,000 = 100 MB) that no worker could hold.
  The matrix comes from a ``dask.array`` whose blocks are drawn on the workers (a seeded
  generator per block; row 0 is the baseline, and every other model flips about 10% of the
  people of a fixed pool of 10%), so nothing is read from disk and nothing is gathered.
  The floor is ``P.max()`` on the same graph: drawing every block and reading it once.
* **Labels.** Krippendorff's alpha (nominal) and Dawid-Skene on ``2 x 10^8`` long-format
  labels (item, annotator, label) from a parquet data set written once to
  ``$MULTIPLICITY_BENCH_DIR`` (default: a folder under the system's temporary directory):
  20,000,000 items with 10 labels each from 1,000 annotators of varying skill, 5 classes.
  The files are sorted by item, so ``dd.read_parquet(..., index="item",
  calculate_divisions=True)`` gives a frame whose items never cross a partition and the
  package needs no shuffle.

For each job and each worker count the script reports the wall time, the peak memory of
each worker process (the RSS high-water mark, reset before the job) and the bytes the
workers sent (to each other and to the client; ``Worker.transfer_outgoing_bytes_total``).
The in-memory comparison runs the same functions on a slice that fits (the NumPy
matrix and the in-memory ``Annotations``) and checks that the values are equal; the
script exits 1 when they are not.

Run: ``.venv/bin/python benchmarks/bench_dask.py [--quick] [--json PATH]``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _common
import cloudpickle
import dask
import dask.array as da
import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from multiplicity.annotation import Annotations, DawidSkene, krippendorff_alpha
from multiplicity.metrics import ambiguity_discrepancy

cloudpickle.register_pickle_by_value(_common)

MEMORY_LIMIT = "1.5GB"
TOL = 1e-12
DS_ITER = 50
POOL = 0.10  # share of people whose predictions any model may flip
FLIP = 26  # a pooled entry flips when a uniform byte is below this (about 10%)


# --------------------------------------------------------------------------- the cluster
def start_cluster(n_workers: int) -> tuple[Any, Any]:
    cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                       processes=True, memory_limit=MEMORY_LIMIT,
                                       dashboard_address=":0")
    client = distributed.Client(cluster)
    client.wait_for_workers(n_workers)
    return cluster, client


def _worker_reset(dask_worker: Any) -> int:
    _common.reset_rss_peak()
    return int(dask_worker.transfer_outgoing_bytes_total)


def _worker_read(dask_worker: Any) -> tuple[int, int]:
    return _common._status_kib("VmHWM") * 1024, int(dask_worker.transfer_outgoing_bytes_total)


def measured(client: Any, fn: Callable[[], Any]) -> dict[str, Any]:
    """Run ``fn`` once; its value, wall time, per-worker peak RSS and bytes sent."""
    sent0 = client.run(_worker_reset)
    t0 = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - t0
    after = client.run(_worker_read)
    return {"value": value, "seconds": seconds,
            "peak_rss": {w: after[w][0] for w in after},
            "sent": sum(after[w][1] - sent0[w] for w in after)}


# ---------------------------------------------------------------------- the predictions
def _draw_block(n_models: int, seed: int, block_info: Any = None) -> np.ndarray:
    """One block of the predictions matrix: all models, one range of people."""
    j = block_info[None]["chunk-location"][1]
    n = block_info[None]["chunk-shape"][1]
    rng = np.random.default_rng([seed, j])
    base = rng.integers(0, 2, n, dtype=np.int8)
    pooled = rng.random(n) < POOL
    flips = rng.integers(0, 256, (n_models, n), dtype=np.uint8) < FLIP
    flips &= pooled
    flips[0] = False  # row 0 is the baseline
    return base ^ flips.view(np.int8)


def predictions(n_models: int, n_samples: int, chunk: int, seed: int = 0) -> Any:
    """The lazily drawn ``(n_models, n_samples)`` int8 matrix, chunked by people."""
    starts = list(range(0, n_samples, chunk))
    widths = tuple(min(chunk, n_samples - s) for s in starts)
    return da.map_blocks(_draw_block, n_models, seed, dtype=np.int8,
                         chunks=((n_models,), widths),
                         meta=np.empty((0, 0), dtype=np.int8))


def floor(P: Any) -> Any:
    """Draw every block and read it once (``P.max()``): what any measure costs at least."""
    return P.max().compute()


def _slice_comparison(small: Any, client: Any, repeats: int, failed: list[str]
                      ) -> dict[str, Any]:
    """The slice that fits, held by the workers (persisted) and by this process (NumPy):
    ``ambiguity_discrepancy`` on each, interleaved; the values must be equal."""
    with dask.config.set(scheduler="threads"):
        P_np = small.compute()
    held = client.persist(small)
    distributed.wait(held)
    ours, ref = ambiguity_discrepancy(held, 0), ambiguity_discrepancy(P_np, 0)
    if ours != ref:
        failed.append(f"predictions slice: dask gives {ours}, in memory {ref}")
    t = _common.interleaved({"dask": lambda: ambiguity_discrepancy(held, 0),
                             "numpy": lambda: ambiguity_discrepancy(P_np, 0)}, repeats)
    return {"timings": t, "value": ref, "dask_value": ours, "bytes": int(P_np.nbytes)}


def _streamed_reference(args: Any) -> tuple[float, float]:
    """Ambiguity and discrepancy of the full matrix in plain NumPy, block by block in this
    process (the same draws), independent of the package: the check of the dask values."""
    flagged, counts = 0, np.zeros(args.models, dtype=np.int64)
    for j, lo in enumerate(range(0, args.samples, args.chunk)):
        n = min(args.chunk, args.samples - lo)
        info = {None: {"chunk-location": (0, j), "chunk-shape": (args.models, n)}}
        B = _draw_block(args.models, 0, block_info=info)
        differs = B != B[0]
        flagged += int(np.count_nonzero(differs.any(axis=0)))
        counts += differs.sum(axis=1)
    return flagged / args.samples, int(counts.max()) / args.samples


def run_predictions(args: Any, failed: list[str]) -> dict[str, Any]:
    small = predictions(args.models, args.fit_samples, args.chunk)
    big = predictions(args.models, args.samples, args.chunk)
    full_ref = _streamed_reference(args)
    out: dict[str, Any] = {"full_reference": full_ref, "scaling": []}
    for n_workers in args.workers:
        cluster, client = start_cluster(n_workers)
        try:
            if n_workers == max(args.workers):
                out["slice"] = _slice_comparison(small, client, args.repeats, failed)
                client.restart()
            runs: dict[str, list[dict[str, Any]]] = {"floor": [], "ours": []}
            for _ in range(args.repeats):  # interleaved: floor, ours, floor, ours, ...
                runs["floor"].append(measured(client, lambda: floor(big)))
                runs["ours"].append(measured(client, lambda: ambiguity_discrepancy(big, 0)))
            values = {r["value"] for r in runs["ours"]}
            if values != {full_ref}:
                failed.append(f"predictions, {n_workers} worker(s): dask gives {values}, "
                              f"NumPy block by block {full_ref}")
            out["scaling"].append({"workers": n_workers, "bytes": int(big.nbytes),
                                   "floor": best(runs["floor"]), "ours": best(runs["ours"])})
        finally:
            client.close()
            cluster.close()
    return out


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of several measured runs, with the peak memory over all of them."""
    out = dict(min(runs, key=lambda r: r["seconds"]))
    out["median_s"] = float(np.median([r["seconds"] for r in runs]))
    out["repeats"] = len(runs)
    out["peak_rss_max"] = max(max(r["peak_rss"].values()) for r in runs)
    return out


# --------------------------------------------------------------------------- the labels
N_CLASSES = 5
N_ANNOTATORS = 1000
PER_ITEM = 10
STRIDE = 97  # the k-th label of an item comes from annotator (a0 + k * STRIDE) % 1000


def write_labels(folder: Path, n_items: int, items_per_file: int, seed: int = 1) -> Path:
    """The long-format labels as parquet files sorted by item (written once, then reused).

    Annotator ``a`` is right with probability ``skill[a]`` (0.45 to 0.95) and otherwise
    picks one of the other classes at random; true classes have unequal priors.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    stamp = folder / f"labels-{n_items}-{items_per_file}-{seed}.done"
    if stamp.exists():
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    skill = rng.uniform(0.45, 0.95, N_ANNOTATORS)
    priors = np.array([0.4, 0.25, 0.15, 0.12, 0.08])
    for f, lo in enumerate(range(0, n_items, items_per_file)):
        n = min(items_per_file, n_items - lo)
        truth = rng.choice(N_CLASSES, size=n, p=priors)
        a0 = rng.integers(0, N_ANNOTATORS, n)
        ann = (a0[:, None] + STRIDE * np.arange(PER_ITEM)[None, :]) % N_ANNOTATORS
        right = rng.random((n, PER_ITEM)) < skill[ann]
        wrong = (truth[:, None] + rng.integers(1, N_CLASSES, (n, PER_ITEM))) % N_CLASSES
        label = np.where(right, truth[:, None], wrong)
        table = pa.table({
            "item": np.repeat(np.arange(lo, lo + n, dtype=np.int32), PER_ITEM),
            "annotator": ann.reshape(-1).astype(np.int16),
            "label": label.reshape(-1).astype(np.int8),
        })
        pq.write_table(table, folder / f"part-{f:04d}.parquet", row_group_size=1 << 20)
    stamp.touch()
    return folder


def _label_files(folder: Path, n_files: int | None = None) -> list[str]:
    files = sorted(str(p) for p in folder.glob("part-*.parquet"))
    return files if n_files is None else files[:n_files]


def _dask_labels(files: list[str]) -> Any:
    df = dd.read_parquet(files, index="item", calculate_divisions=True)
    return Annotations.from_long(df, item="item", annotator="annotator", label="label")


def _alpha_job(files: list[str]) -> float:
    """Read, encode and keep the labels on the workers, then alpha (nominal)."""
    return krippendorff_alpha(_dask_labels(files).persist(), level="nominal")


def _ds_job(files: list[str]) -> Any:
    """Read and encode the labels again, then fit Dawid-Skene (which persists them)."""
    return DawidSkene(max_iter=DS_ITER).fit(_dask_labels(files))


def _ds_values(ds: Any) -> tuple[NDArray, NDArray, int]:
    return (np.asarray(ds.class_priors_, dtype=float),
            np.asarray(ds.confusion_matrices_, dtype=float), int(ds.n_iter_))


def _same(a: Any, b: Any) -> float:
    """Largest absolute difference between two results (alpha or Dawid-Skene values)."""
    if isinstance(a, tuple):
        if a[2] != b[2]:
            return float("inf")
        return max(float(np.max(np.abs(x - y))) for x, y in zip(a[:2], b[:2], strict=True))
    return abs(a - b)


def _memory_labels(files: list[str]) -> Annotations:
    return Annotations.from_long(pd.read_parquet(files), item="item", annotator="annotator",
                                 label="label")


def _memory_alpha(files: list[str]) -> float:
    """Read, build the in-memory Annotations and compute alpha, in this process."""
    return krippendorff_alpha(_memory_labels(files), level="nominal")


def _memory_ds(files: list[str]) -> Any:
    return DawidSkene(max_iter=DS_ITER).fit(_memory_labels(files))


def _touch(part: Any) -> Any:
    return pd.Series([len(part.index) + int(part["annotator"].to_numpy().sum())
                      + int(part["label"].to_numpy().sum())])


def _read_floor(files: list[str]) -> int:
    """Read every column of every row once on the workers: the floor of any statistic."""
    df = dd.read_parquet(files, index="item", calculate_divisions=True)
    return int(df.map_partitions(_touch, meta=(None, "int64")).sum().compute())


def _compare_on_slice(files: list[str], repeats: int, failed: list[str]) -> dict[str, Any]:
    """Dask (on the current cluster) against in memory (in this process) on the labels that
    fit: the same files, read, encoded and computed by both, interleaved; values checked."""
    diff = max(_same(_alpha_job(files), _memory_alpha(files)),
               _same(_ds_values(_ds_job(files)), _ds_values(_memory_ds(files))))
    if not diff <= TOL:
        failed.append(f"labels: dask and in-memory alpha / Dawid-Skene differ by {diff:.3g} "
                      f"(tol {TOL:g})")
    t = _common.interleaved({
        "dask_alpha": lambda: _alpha_job(files), "memory_alpha": lambda: _memory_alpha(files),
        "dask_ds": lambda: _ds_job(files), "memory_ds": lambda: _memory_ds(files),
    }, repeats)
    return {"timings": t, "diff": diff, "rows": len(_memory_labels(files).label_codes)}


def run_labels(args: Any, failed: list[str]) -> dict[str, Any]:
    folder = write_labels(bench_dir() / f"labels-{args.items}-{args.items_per_file}",
                          args.items, args.items_per_file)
    files, fit_files = _label_files(folder), _label_files(folder, args.fit_files)
    out: dict[str, Any] = {"rows": args.items * PER_ITEM, "files": len(files),
                           "scaling": []}
    for n_workers in args.workers:
        cluster, client = start_cluster(n_workers)
        try:
            if n_workers == max(args.workers):
                out["slice"] = _compare_on_slice(fit_files, args.repeats, failed)
                client.restart()
            floor_run = measured(client, lambda: _read_floor(files))
            client.restart()
            alpha = measured(client, lambda: _alpha_job(files))
            client.restart()
            ds = measured(client, lambda: _ds_job(files))
            ds["value"] = _ds_values(ds["value"])
            out["scaling"].append({"workers": n_workers, "alpha": alpha, "ds": ds,
                                   "floor": floor_run})
        finally:
            client.close()
            cluster.close()
    values = {(round(s["alpha"]["value"], 12), s["ds"]["value"][2]) for s in out["scaling"]}
    if len(values) != 1:
        failed.append(f"labels: the worker counts disagree: {values}")
    return out


# ------------------------------------------------------------------------------- main
def bench_dir() -> Path:
    root = os.environ.get("MULTIPLICITY_BENCH_DIR")
    return Path(root) if root else Path(tempfile.gettempdir()) / "multiplicity-bench"


def _gb(n: float) -> str:
    return f"{n / 1e9:.2f} GB"


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


def report(args: Any, pred: dict[str, Any], lab: dict[str, Any], failed: list[str]
           ) -> tuple[list[dict[str, str]], str]:
    """The summary rows and the notes (with the scaling table) for RESULTS.md."""
    rows, scaling = [], []
    for s in pred["scaling"]:
        o, f = s["ours"], s["floor"]
        w = s["workers"]
        rows.append(_common.row(
            f"`ambiguity_discrepancy` on a dask int8 array, {args.models:,} x "
            f"{args.samples:,} ({_gb(s['bytes'])}), {w} worker(s) of {MEMORY_LIMIT} "
            "(`bench_dask.py`)",
            f"{o['seconds']:.2f} s min, {o['median_s']:.2f} s median, N = {o['repeats']}",
            f"floor (draw + one read, `P.max()`): {f['seconds']:.2f} s",
            f"{o['seconds'] / f['seconds']:.2f}x the floor",
            "an array larger than any worker's memory, nothing gathered",
            f"peak worker RSS {_gb(o['peak_rss_max'])}; sent {_mb(o['sent'])}; "
            f"(ambiguity, discrepancy) = {o['value']}, equal to NumPy block by block"))
        scaling.append(f"| predictions, {_gb(s['bytes'])} | {w} | {o['seconds']:.1f} s | "
                       f"{f['seconds']:.1f} s | {_gb(o['peak_rss_max'])} | "
                       f"{_mb(o['sent'])} |")
    for s in lab["scaling"]:
        w, fl = s["workers"], s["floor"]
        for key, name in (("alpha", "`krippendorff_alpha` (nominal)"),
                          ("ds", f"`DawidSkene(max_iter={DS_ITER}).fit`")):
            m = s[key]
            value = (f"alpha {m['value']:.6f}" if key == "alpha"
                     else f"{m['value'][2]} EM iterations")
            rows.append(_common.row(
                f"{name} on {lab['rows']:,} labels from parquet, {w} worker(s) of "
                f"{MEMORY_LIMIT} (`bench_dask.py`)",
                f"{m['seconds']:.1f} s (read, encode, persist included)",
                f"floor (read every column once): {fl['seconds']:.1f} s",
                f"{m['seconds'] / fl['seconds']:.1f}x the floor",
                "labels larger than a worker's memory, no partition on one worker",
                f"peak worker RSS {_gb(max(m['peak_rss'].values()))}; sent "
                f"{_mb(m['sent'])}; {value}"))
            scaling.append(f"| {name}, {lab['rows']:,} labels | {w} | {m['seconds']:.1f} s | "
                           f"{fl['seconds']:.1f} s | {_gb(max(m['peak_rss'].values()))} | "
                           f"{_mb(m['sent'])} |")
    if "slice" in lab:
        sl, t = lab["slice"], lab["slice"]["timings"]
        for key, name in (("alpha", "`krippendorff_alpha` (nominal)"),
                          ("ds", f"`DawidSkene(max_iter={DS_ITER}).fit`")):
            rows.append(_common.row(
                f"{name} on {sl['rows']:,} labels that fit: dask ({max(args.workers)} "
                "workers) against in memory, both reading and encoding the same parquet",
                _common.timing_text(t[f"dask_{key}"]),
                f"in memory: {_common.timing_text(t[f'memory_{key}'])}",
                _common.ratio_text(t[f"memory_{key}"], t[f"dask_{key}"]), "",
                f"alpha and Dawid-Skene equal to {sl['diff']:.1e} (tol {TOL:g})"))
    if "slice" in pred:
        sl, t = pred["slice"], pred["slice"]["timings"]
        rows.append(_common.row(
            f"`ambiguity_discrepancy` on {_gb(sl['bytes'])} that fit: dask (persisted on "
            f"{max(args.workers)} workers) against NumPy in memory",
            _common.timing_text(t["dask"]), f"in memory: {_common.timing_text(t['numpy'])}",
            _common.ratio_text(t["numpy"], t["dask"]), "",
            f"both {sl['value']}"))
    table = "\n".join(["| job | workers | time | floor | peak worker RSS | bytes sent |",
                       "|---|---|---|---|---|---|", *scaling])
    notes = (
        "**Larger than memory on a dask cluster (`bench_dask.py`).** A `LocalCluster` of "
        f"single-threaded worker processes with `memory_limit=\"{MEMORY_LIMIT}\"` each. "
        f"Predictions: an int8 `{args.models:,} x {args.samples:,}` matrix drawn block by "
        f"block on the workers (chunks of {args.models:,} x {args.chunk:,}, 100 MB; row 0 "
        "is the baseline, the other models flip about 10% of a fixed 10% of the people), "
        "reduced by one kernel call per block; the floor draws every block and reads it "
        f"once. Labels: {lab['rows']:,} rows (item, annotator, label) in {lab['files']} "
        "parquet files sorted by item, read with `dd.read_parquet(index=\"item\", "
        "calculate_divisions=True)` (no shuffle needed), from 1,000 simulated annotators "
        "of varying skill, 5 classes; alpha persists the encoded rows, then Dawid-Skene "
        "reads and encodes them again (it persists them itself). Peak RSS is each worker "
        "process's high-water mark, reset before the job; bytes sent are the workers' "
        "outgoing transfers (to each other and to the client). The values on a slice that "
        "fits in memory are checked against the in-memory path in the same run.\n\n"
        + table)
    if failed:
        notes += "\n\nFAILED: " + "; ".join(failed)
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small inputs (smoke test)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--skip", choices=["predictions", "labels"], default=None)
    args = parser.parse_args(argv)
    args.models, args.chunk = 1000, 100_000
    args.samples = 400_000 if args.quick else 8_000_000
    args.fit_samples = 200_000 if args.quick else 500_000
    args.items = 400_000 if args.quick else 20_000_000
    args.items_per_file = 100_000 if args.quick else 200_000
    args.fit_files = 2 if args.quick else 10
    args.repeats = 1 if args.quick else 2
    _common.print_machine(_common.machine_info())
    failed: list[str] = []
    t0 = time.perf_counter()
    pred = run_predictions(args, failed)
    print(f"predictions done in {time.perf_counter() - t0:.0f} s", flush=True)
    lab = run_labels(args, failed)
    print(f"labels done in {time.perf_counter() - t0:.0f} s", flush=True)
    rows, notes = report(args, pred, lab, failed)
    for r in rows:
        print(" | ".join(r.values()))
    print(notes)
    _common.write_result(args.json, "dask", rows, notes, predictions=pred, labels=lab,
                         values_ok=not failed)
    for msg in failed:
        print("FAILED:", msg, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
