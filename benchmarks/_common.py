"""Helpers shared by the benchmark scripts: timing, memory probes, machine facts, output.

Plain Python, no asv: every ``bench_*.py`` script imports this module from its own folder.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: One-minute load average when the benchmark script imported this module (its start).
LOAD_AT_START = os.getloadavg()[0]


def load1() -> float:
    """The one-minute load average now (``os.getloadavg()[0]``)."""
    return os.getloadavg()[0]


def interleaved(contestants: dict[str, Callable[[], Any]], repeats: int
                ) -> dict[str, dict[str, Any]]:
    """Time every contestant ``repeats`` times, round-robin in this process (A B A B ...).

    Every contestant gets the same number of calls and the same statistics, so a burst of
    load from other jobs hits all of them alike. Returns ``{name: {"min_s", "median_s",
    "times", "repeats"}}`` (seconds, wall clock by :func:`time.perf_counter`).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    times: dict[str, list[float]] = {name: [] for name in contestants}
    for _ in range(repeats):
        for name, fn in contestants.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: {"min_s": min(ts), "median_s": statistics.median(ts), "times": ts,
                   "repeats": len(ts)} for name, ts in times.items()}


def timing_text(t: dict[str, Any]) -> str:
    """``"1.23 s min, 1.30 s median, N = 5"`` for one entry of :func:`interleaved`."""
    return f"{fmt_s(t['min_s'])} min, {fmt_s(t['median_s'])} median, N = {t['repeats']}"


def ratio_text(reference: dict[str, Any], ours: dict[str, Any]) -> str:
    """Reference time over ours, on minima and on medians: ``"12.3x (median 11.8x)"``."""
    return (f"{reference['min_s'] / ours['min_s']:.1f}x "
            f"(median {reference['median_s'] / ours['median_s']:.1f}x)")


def row(benchmark: str, ours: str, reference: str, ratio: str, target: str = "",
        values: str = "") -> dict[str, str]:
    """One row of the summary table in RESULTS.md (every value a string)."""
    return {"benchmark": benchmark, "ours": ours, "reference": reference, "ratio": ratio,
            "target": target, "values": values}


def write_result(path: str | None, name: str, rows: list[dict[str, str]], notes: str = "",
                 **extra: Any) -> dict[str, Any]:
    """Write ``{"name", "rows", "load": [at start, at end], "notes", ...extra}`` to ``path``.

    The load at start is the one-minute load average when this module was imported, the
    one at end is taken now. ``extra`` keys (raw timings, per-stage figures) are kept in
    the JSON for whoever wants more than the table. With ``path`` None nothing is written;
    the dict is returned either way.
    """
    keys = ("benchmark", "ours", "reference", "ratio", "target", "values")
    clean = []
    for r in rows:
        missing = [k for k in keys if k not in r]
        if missing:
            raise KeyError(f"row {r!r} lacks {missing}")
        clean.append({k: str(r[k]) for k in keys})
    result = {"name": name, "rows": clean, "load": [LOAD_AT_START, load1()], "notes": notes,
              **extra}
    if path:
        Path(path).write_text(json.dumps(result, indent=2, default=_jsonable))
    return result


EXTRA_DATA_VAR = "MULTIPLICITY_EXTRA_DATA"


def extra_data(*parts: str) -> tuple[Path | None, str]:
    """A file of the GPL data kept out of the repository, or None and the reason.

    The folder is named by the environment variable ``MULTIPLICITY_EXTRA_DATA`` (laid out
    as ``compas_arrest/compas_arrest_processed.csv``, ...); nothing else is searched.
    """
    root = os.environ.get(EXTRA_DATA_VAR)
    if not root:
        return None, (f"{EXTRA_DATA_VAR} is unset (the GPL COMPAS files are not in the "
                      f"repository; point it at a folder holding {'/'.join(parts)})")
    path = Path(root) / Path(*parts)
    if not path.exists():
        return None, f"{path} not found (from {EXTRA_DATA_VAR})"
    return path, ""


def _jsonable(x: Any) -> Any:
    """JSON fallback for NumPy scalars and arrays."""
    if hasattr(x, "tolist"):
        return x.tolist()
    return float(x)


def min_time(functions: dict[str, Callable[[], Any]], repeats: dict[str, int] | int
             ) -> dict[str, dict[str, Any]]:
    """Time each function ``repeats`` times and keep the fastest run (wall clock).

    The calls are interleaved round by round (a, b, c, a, b, c, ...), so that a burst of
    load from other jobs on the machine hits every contestant alike rather than one.
    Returns ``{name: {"min": s, "median": s, "times": [...], "repeats": N}}``.
    """
    if isinstance(repeats, int):
        repeats = dict.fromkeys(functions, repeats)
    times: dict[str, list[float]] = {name: [] for name in functions}
    for r in range(max(repeats.values())):
        for name, fn in functions.items():
            if r >= repeats[name]:
                continue
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    out = {}
    for name, ts in times.items():
        s = sorted(ts)
        out[name] = {"min": s[0], "median": s[len(s) // 2], "times": ts, "repeats": len(ts)}
    return out


def traced_peak(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated through Python's and NumPy's allocators while ``fn`` runs.

    NumPy reports its data buffers to :mod:`tracemalloc`, and so do the arrays Numba's
    runtime allocates (checked by :func:`numba_arrays_traced`). The result is the peak of
    allocations made during the call, above what was allocated before it (the input
    itself is not counted).
    """
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


def numba_arrays_traced() -> bool:
    """Whether tracemalloc sees an array allocated inside a Numba kernel (size 64 MB)."""
    import numpy as np
    from numba import njit

    @njit(cache=False)
    def scratch(n):  # allocates, touches and frees n bytes inside compiled code
        a = np.zeros(n, dtype=np.uint8)
        a[n - 1] = 1
        return a.sum()

    scratch(8)
    size = 64 << 20
    return traced_peak(lambda: scratch(size)) >= size


# ----------------------------------------------------------------- RSS high-water probe
def _status_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_rss_peak() -> bool:
    """Reset this process's RSS high-water mark (Linux ``clear_refs`` 5); False if refused."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def rss_peak_during(fn: Callable[[], Any]) -> dict[str, int]:
    """RSS high-water mark during ``fn`` minus the RSS before it, in bytes.

    The high-water mark (``VmHWM``) is reset just before the call, so what the process
    reached earlier (building the input, compiling) does not hide the call's own peak. If
    the kernel refuses the reset, the fall-back is ``ru_maxrss`` (then the figure is only
    meaningful when the call's peak exceeds everything before it). Run it in a fresh
    process started with :func:`probe_env`, so freed memory is returned to the OS at once
    and cannot be silently reused by the call.
    """
    ok = reset_rss_peak()
    before = _status_kib("VmRSS")
    if not ok:
        before = max(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    fn()
    peak = _status_kib("VmHWM") if ok else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rss_before": before * 1024, "rss_peak": peak * 1024,
            "rss_extra": max(0, peak - before) * 1024, "hwm_reset": ok}


def probe_env() -> dict[str, str]:
    """Environment for a memory-probe subprocess.

    ``MALLOC_MMAP_THRESHOLD_`` fixes glibc's mmap threshold at 64 KiB (setting it also
    turns off its dynamic growth): every buffer of 64 KiB or more is its own mapping, given
    back to the OS when freed, so the RSS rises by exactly what the call allocates and
    touches.
    """
    env = dict(os.environ)
    env["MALLOC_MMAP_THRESHOLD_"] = "65536"
    env["MALLOC_TRIM_THRESHOLD_"] = "65536"
    return env


def run_probe(script: Path, args: Sequence[str]) -> dict[str, Any]:
    """Run ``script args`` in a fresh interpreter; it must print one JSON line last."""
    proc = subprocess.run([sys.executable, str(script), *args], env=probe_env(),
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"probe {args} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------- machine facts
def machine_info() -> dict[str, Any]:
    """CPU model, cores, RAM, load, library versions and thread pools."""
    import numba
    import numpy as np

    info: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "numba_threads": numba.get_num_threads(),
        "numba_threading_layer": _numba_threading_layer(),
        "cpus": os.cpu_count(),
        "load_avg": os.getloadavg(),
    }
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                info["cpu"] = line.split(":", 1)[1].strip()
    except OSError:
        info["cpu"] = platform.processor()
    try:
        with open("/proc/meminfo") as fh:
            kib = int(fh.readline().split()[1])
        info["ram_gib"] = round(kib / 2**20, 1)
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            f"{p.get('internal_api')} {p.get('version')} ({p.get('prefix')}, "
            f"{p.get('num_threads')} threads)"
            for p in threadpool_info() if p.get("user_api") == "blas"
            and "numpy" in p.get("filepath", "")
        ]
    except ImportError:
        info["blas"] = []
    return info


def _numba_threading_layer() -> str:
    import numba
    import numpy as np

    @numba.njit(parallel=True, cache=False)
    def touch(a):
        for i in numba.prange(a.size):
            a[i] = i

    touch(np.empty(4))
    try:
        return numba.threading_layer()
    except ValueError:
        return "unknown"


def print_machine(info: dict[str, Any]) -> None:
    print(f"# {info['date']}  {info.get('cpu', '?')}, {info['cpus']} cores, "
          f"{info.get('ram_gib', '?')} GiB RAM, load avg {info['load_avg'][0]:.2f}")
    print(f"# python {info['python']}, numpy {info['numpy']}, numba {info['numba']} "
          f"({info['numba_threads']} threads, {info['numba_threading_layer']}), "
          f"BLAS: {'; '.join(info['blas']) or '?'}")


# ---------------------------------------------------------------------------- output
def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", metavar="PATH",
                        help="also write the results to PATH as JSON (used by run_all.py)")
    return parser


def write_json(path: str | None, result: dict[str, Any]) -> None:
    if path:
        Path(path).write_text(json.dumps(result, indent=2, default=float))


def fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def fmt_s(t: float) -> str:
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def finish_simulation(result: dict[str, Any], table: str, failed: list[str],
                      json_path: Path | None) -> int:
    """Print a simulation's table and time, record and print its failed checks, write the
    JSON when asked; the exit code (1 when a check failed)."""
    print()
    print(table)
    print()
    print(f"{result['seconds']:.0f} s")
    result["failed_checks"] = failed
    if json_path is not None:
        json_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for message in failed:
        print(f"CHECK FAILED: {message}", file=sys.stderr)
    return 1 if failed else 0
