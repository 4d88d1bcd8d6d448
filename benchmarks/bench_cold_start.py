"""Cold start: what a script or the command line pays in a fresh interpreter.

Most users call one function once per script or command-line run, and pay the imports
and the loading of compiled kernels each time. Every run below is a new interpreter,
timed from the parent by the wall clock (start to exit), with its CPU time (user +
system) beside it; the contestants run round-robin (A B C ... A B C ...), each the same
number of times, min and median kept.

a. ``import multiplicity.annotation`` + ``krippendorff_alpha`` on 300 units x 5 raters
   (4 categories, 10% missing), beside ``import krippendorff`` + ``krippendorff.alpha``
   with its fast option ``value_domain`` on the same data. Two floors: the interpreter
   with NumPy and the data loaded (the peer's floor), and that plus ``import pandas,
   numba`` and the initialisation of Numba's compiler target, which Numba runs before it
   loads a first kernel from its cache (the floor of any code on pandas and Numba).
b. The first ``krippendorff_alpha`` call on 1,000,000 units x 5 raters in a fresh process
   against the warm call (min of 3 more calls in the same process), timed inside it, with
   the system time of both calls (a fresh process maps and zeroes new memory), and the
   memory floor of that difference (a fresh process writing once as many bytes as the
   call allocates at its peak); and the
   same on the compiled kernels (``numba_min_size=0``), whose first call also pays Numba's
   start-up (import, compiler target, loading the kernel from the cache).
c. ``multiplicity agreement FILE`` (the console script; default bootstrap intervals) on a
   1,500-label CSV (300 items x 5 annotators), beside ``python -c pass``.
d. ``import multiplicity.metrics`` + ``ambiguity`` on 20 models x 10,000 int8
   predictions, beside NumPy's ``(P != P[0]).any(axis=0).mean()``.

Values are checked in the same run: alpha against the krippendorff package (to 1e-12),
the first call against the warm call, the command's alpha against the krippendorff
package, ambiguity against NumPy; the script exits non-zero when one differs.

One throw-away run of every command comes first: it fills Numba's on-disk kernel cache
and writes the package's bytecode (the children run without PYTHONDONTWRITEBYTECODE, as
an installed package has its ``.pyc`` files), so the timings are those of a warm cache.

Run: ``.venv/bin/python benchmarks/bench_cold_start.py [--repeats 5] [--quick]
[--json out.json]``.
"""

from __future__ import annotations

import ast
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
import numpy as np

ALPHA_UNITS, ALPHA_RATERS, ALPHA_CATEGORIES = 300, 5, 4
LABEL_ITEMS, LABEL_ANNOTATORS = 300, 5

# Every child prints one line: repr() of a list [value, seconds, ...] (no json import).
OURS_ALPHA = """
import time
import numpy as np
W = np.load({path!r})
t0 = time.perf_counter()
import multiplicity.annotation as ma
t1 = time.perf_counter()
value = ma.krippendorff_alpha(W)
t2 = time.perf_counter()
print(repr([value, t1 - t0, t2 - t1]))
"""
PEER_ALPHA = """
import time
import numpy as np
W = np.load({path!r})
t0 = time.perf_counter()
import krippendorff
t1 = time.perf_counter()
value = krippendorff.alpha(W.T, value_domain=np.arange({k}, dtype=np.float64),
                           level_of_measurement="nominal")
t2 = time.perf_counter()
print(repr([float(value), t1 - t0, t2 - t1]))
"""
NUMPY_FLOOR = """
import numpy as np
W = np.load({path!r})
print(repr([0.0, 0.0, 0.0]))
"""
# What any pandas + Numba implementation pays before its first cached kernel runs: the
# imports, and Numba's compiler target, which it initialises before loading from its cache.
DEPENDENCY_FLOOR = """
import numpy as np
W = np.load({path!r})
import pandas, numba
from numba.core.registry import cpu_target
cpu_target.target_context.refresh()
print(repr([0.0, 0.0, 0.0]))
"""
FIRST_AND_WARM = """
import resource, sys, time
import numpy as np
W = np.load({path!r})
t0 = time.perf_counter()
import multiplicity.annotation as ma
t1 = time.perf_counter()
if {kernels!r}:  # the compiled kernels instead of their NumPy twins
    import multiplicity
    multiplicity.set_config(numba_min_size=0)
def system():
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime
def user():
    return resource.getrusage(resource.RUSAGE_SELF).ru_utime
u0 = user()
s0 = system()
t2 = time.perf_counter()
first = ma.krippendorff_alpha(W)
t3 = time.perf_counter()
sys_first = system() - s0
user_first = user() - u0
numba_loaded = float("numba" in sys.modules)
warm, sys_warm, user_warm = [], [], []
for _ in range(3):
    u0 = user()
    s0 = system()
    t = time.perf_counter()
    value = ma.krippendorff_alpha(W)
    warm.append(time.perf_counter() - t)
    sys_warm.append(system() - s0)
    user_warm.append(user() - u0)
print(repr([first, value, t1 - t0, t3 - t2, min(warm), numba_loaded, sys_first,
            min(sys_warm), user_first, min(user_warm)]))
"""
# The operating system's share of a first call: a fresh process writes as many new bytes
# as the first call's peak memory grew by (one pass, no computation).
TOUCH_FLOOR = """
import time
import numpy as np
W = np.load({path!r})
t = time.perf_counter()
a = np.empty({nbytes} // 8)
a.fill(1.0)
print(repr([0.0, 0.0, 0.0, time.perf_counter() - t]))
"""
OURS_AMBIGUITY = """
import time
import numpy as np
P = np.load({path!r})
t0 = time.perf_counter()
import multiplicity.metrics as mm
t1 = time.perf_counter()
value = mm.ambiguity(P, baseline=0)
t2 = time.perf_counter()
print(repr([value, t1 - t0, t2 - t1]))
"""
# Optional libraries that the dependencies import when they are installed (not timed).
IMPORTED_EXTRAS = """
import sys
import numpy as np
W = np.load({path!r})
import multiplicity.annotation as ma
ma.krippendorff_alpha(W)
print(repr(sorted({{m.split(".")[0] for m in sys.modules}} & {extras!r})))
"""
#: Imported by Numba (coverage, yaml) or pandas (pyarrow) only when they are installed.
EXTRAS = {"coverage", "pyarrow", "yaml"}
NUMPY_AMBIGUITY = """
import numpy as np
P = np.load({path!r})
print(repr([float((P != P[0]).any(axis=0).mean()), 0.0, 0.0]))
"""


def child_env() -> dict[str, str]:
    """The environment of every child: this one, but allowed to write bytecode."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(cmd: list[str]) -> tuple[float, float, str]:
    """Wall-clock and CPU (user + system) seconds of one fresh process, and its stdout.

    The CPU time is what the child used on all its threads; it is less sensitive than the
    wall clock to other jobs on the machine, so it is reported beside it.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=child_env())
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} ... exited with {proc.returncode}:\n"
                           f"{proc.stderr[-3000:]}")
    return seconds, cpu, proc.stdout


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def last_list(stdout: str) -> list[float]:
    return [float(v) for v in stdout.strip().splitlines()[-1].strip("[]").split(",")]


def stats(ts: list[float]) -> dict[str, Any]:
    return {"min_s": min(ts), "median_s": statistics.median(ts), "times": ts,
            "repeats": len(ts)}


def nominal_table(n: int, r: int, k: int, missing: float, seed: int) -> np.ndarray:
    """Units x raters, labels 0..k-1 as float, NaN missing; raters copy the unit's true
    label 70% of the time."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    T = np.where(rng.random((n, r)) < 0.7, truth[:, None], rng.integers(0, k, (n, r)))
    T = T.astype(np.float64)
    T[rng.random((n, r)) < missing] = np.nan
    return T


def write_labels(path: Path, T: np.ndarray) -> None:
    """The wide table ``T`` (no missing entries) as a long CSV: item, annotator, label."""
    lines = ["item,annotator,label"]
    for i, row in enumerate(T):
        lines += [f"item{i},coder{a},{int(v)}" for a, v in enumerate(row)]
    path.write_text("\n".join(lines) + "\n")


def peak_bytes(table: np.ndarray) -> int:
    """Peak memory (bytes, traced by tracemalloc) that one ``krippendorff_alpha`` call
    allocates on ``table``: the new memory a first call in a fresh process touches."""
    import tracemalloc

    import multiplicity.annotation as ma

    tracemalloc.start()
    try:
        ma.krippendorff_alpha(table)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def console_script() -> list[str]:
    """The ``multiplicity`` command installed next to this interpreter (or ``-m``)."""
    script = Path(sys.executable).with_name("multiplicity")
    return [str(script)] if script.exists() else [sys.executable, "-m", "multiplicity"]


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per command")
    parser.add_argument("--units", type=int, default=1_000_000, help="units of part b")
    parser.add_argument("--quick", action="store_true",
                        help="2 repeats, 100,000 units in part b (a smoke test)")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.units = 2, 100_000

    import krippendorff

    info = _common.machine_info()
    _common.print_machine(info)
    cache_on = os.environ.get("MULTIPLICITY_NUMBA_CACHE", "1").strip().lower() not in {
        "0", "false", "no", "off", ""}
    if not cache_on:
        print("MULTIPLICITY_NUMBA_CACHE is off: every run compiles its kernels")
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench_cold_start_") as tmp:
        tmp_path = Path(tmp)
        small = nominal_table(ALPHA_UNITS, ALPHA_RATERS, ALPHA_CATEGORIES, 0.1, seed=0)
        big = nominal_table(args.units, ALPHA_RATERS, 5, 0.2, seed=1)
        labels = nominal_table(LABEL_ITEMS, LABEL_ANNOTATORS, 3, 0.0, seed=2)
        P = np.random.default_rng(3).integers(0, 2, (20, 10_000)).astype(np.int8)
        P[1:, :] = np.where(np.random.default_rng(4).random((19, 10_000)) < 0.97, P[0], P[1:])
        paths = {name: tmp_path / f"{name}.npy" for name in ("small", "big", "P")}
        np.save(paths["small"], small)
        np.save(paths["big"], big)
        np.save(paths["P"], P)
        csv = tmp_path / "labels.csv"
        write_labels(csv, labels)
        cli = [*console_script(), "agreement", str(csv), "--item", "item", "--annotator",
               "annotator", "--label", "label"]
        commands = {
            "ours alpha": python(OURS_ALPHA.format(path=str(paths["small"]))),
            "krippendorff alpha": python(PEER_ALPHA.format(path=str(paths["small"]),
                                                          k=ALPHA_CATEGORIES)),
            "numpy floor": python(NUMPY_FLOOR.format(path=str(paths["small"]))),
            "dependency floor": python(DEPENDENCY_FLOOR.format(path=str(paths["small"]))),
            "first and warm": python(FIRST_AND_WARM.format(path=str(paths["big"]),
                                                           kernels=False)),
            "first on kernels": python(FIRST_AND_WARM.format(path=str(paths["big"]),
                                                             kernels=True)),
            "ours agreement command": cli,
            "python -c pass": python("pass"),
            "ours ambiguity": python(OURS_AMBIGUITY.format(path=str(paths["P"]))),
            "numpy ambiguity": python(NUMPY_AMBIGUITY.format(path=str(paths["P"]))),
        }

        print("throw-away run of every command (Numba kernel cache, bytecode) ...")
        for cmd in commands.values():
            run(cmd)
        grown = peak_bytes(big)
        commands["touch floor"] = python(TOUCH_FLOOR.format(path=str(paths["big"]),
                                                            nbytes=max(grown, 8)))
        cli_json = run([*cli, "--json"])[2]
        extras = ast.literal_eval(run(python(IMPORTED_EXTRAS.format(
            path=str(paths["small"]), extras=EXTRAS)))[2].strip().splitlines()[-1])

        wall: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        out: dict[str, list[list[float]]] = {name: [] for name in commands}
        loads = [_common.load1()]
        for r in range(args.repeats):
            for name, cmd in commands.items():
                seconds, cpu_seconds, stdout = run(cmd)
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
                if name != "ours agreement command" and name != "python -c pass":
                    out[name].append(last_list(stdout))
            loads.append(_common.load1())
            print(f"round {r + 1}/{args.repeats} done, load {loads[-1]:.2f}", flush=True)
        times = {name: stats(ts) for name, ts in wall.items()}
        cpu_times = {name: stats(ts) for name, ts in cpu.items()}

        # ------------------------------------------------------------ value checks
        domain = np.arange(ALPHA_CATEGORIES, dtype=np.float64)
        ref_small = float(krippendorff.alpha(small.T, value_domain=domain,
                                             level_of_measurement="nominal"))
        ours_small = [v[0] for v in out["ours alpha"]]
        peer_small = [v[0] for v in out["krippendorff alpha"]]
        diff_small = max(abs(v - ref_small) for v in ours_small + peer_small)
        if diff_small > 1e-12:
            failures.append(f"alpha on 300 x 5 differs from krippendorff by {diff_small:.2e}")
        ref_big = float(krippendorff.alpha(big.T, value_domain=np.arange(5, dtype=np.float64),
                                           level_of_measurement="nominal"))
        firsts = [v[0] for v in out["first and warm"] + out["first on kernels"]]
        warms = [v[1] for v in out["first and warm"] + out["first on kernels"]]
        diff_big = max(abs(v - ref_big) for v in firsts + warms)
        if any(f != w for f, w in zip(firsts, warms, strict=True)):
            failures.append("the first alpha call differs from the warm call")
        if any(v[5] for v in out["first and warm"]):
            failures.append("the default first call loaded Numba (expected the NumPy twin)")
        if not all(v[5] for v in out["first on kernels"]):
            failures.append("numba_min_size=0 did not run the compiled kernels")
        if diff_big > 1e-12:
            failures.append(f"alpha on {args.units:,} units differs from krippendorff by "
                            f"{diff_big:.2e}")
        cli_alpha = json.loads(cli_json)["coefficients"]["krippendorff_alpha"]["value"]
        ref_cli = float(krippendorff.alpha(labels.T, value_domain=np.arange(3.0),
                                           level_of_measurement="nominal"))
        diff_cli = abs(cli_alpha - ref_cli)
        if diff_cli > 1e-12:
            failures.append(f"the agreement command's alpha differs by {diff_cli:.2e}")
        ref_amb = float((P != P[0]).any(axis=0).mean())
        diff_amb = max(abs(v[0] - ref_amb) for v in out["ours ambiguity"] + out[
            "numpy ambiguity"])
        if diff_amb > 1e-12:
            failures.append(f"ambiguity differs from NumPy by {diff_amb:.2e}")

    # ---------------------------------------------------------------- report
    load_text = f"load {min(loads):.2f}-{max(loads):.2f}"
    t = times
    first = stats([v[3] for v in out["first and warm"]])
    warm = stats([v[4] for v in out["first and warm"]])
    big_import = stats([v[2] for v in out["first and warm"]])
    first_k = stats([v[3] for v in out["first on kernels"]])
    touch = stats([v[3] for v in out["touch floor"]])
    grown_mib = grown / 2**20
    user_first = stats([v[8] for v in out["first and warm"]])
    user_warm = stats([v[9] for v in out["first and warm"]])
    warm_k = stats([v[4] for v in out["first on kernels"]])
    sys_first = stats([v[6] for v in out["first and warm"]])
    sys_warm = stats([v[7] for v in out["first and warm"]])
    in_alpha = (stats([v[1] for v in out["ours alpha"]]),
                stats([v[2] for v in out["ours alpha"]]))
    in_peer = (stats([v[1] for v in out["krippendorff alpha"]]),
               stats([v[2] for v in out["krippendorff alpha"]]))
    in_amb = (stats([v[1] for v in out["ours ambiguity"]]),
              stats([v[2] for v in out["ours ambiguity"]]))

    def ratio(a: dict, b: dict, what: str) -> str:
        return (f"{what} {a['min_s'] / b['min_s']:.2f}x (median "
                f"{a['median_s'] / b['median_s']:.2f}x), {load_text}")

    def signed(seconds: float) -> str:
        return ("+" if seconds >= 0 else "-") + _common.fmt_s(abs(seconds))

    def over(a: dict, b: dict, what: str) -> str:
        return (f"{what} {signed(a['min_s'] - b['min_s'])} (median "
                f"{signed(a['median_s'] - b['median_s'])}), {load_text}")

    def ts(t: dict, name: str | None = None) -> str:
        text = _common.timing_text(t)
        if name is not None:
            text += f"; CPU {_common.fmt_s(cpu_times[name]['min_s'])} min"
        return text

    size_a = (f"{ALPHA_UNITS} units x {ALPHA_RATERS} raters, {ALPHA_CATEGORIES} categories, "
              "10% missing")
    rows = [
        _common.row(
            f"fresh process: `import multiplicity.annotation` + `krippendorff_alpha`, {size_a}",
            ts(t["ours alpha"], "ours alpha"),
            f"`import krippendorff` + `krippendorff.alpha(value_domain=...)`: "
            f"{ts(t['krippendorff alpha'], 'krippendorff alpha')}",
            ratio(t["ours alpha"], t["krippendorff alpha"], "ours / peer"), "<= 0.5 s",
            f"alpha {ours_small[0]:.6f}, |diff| {diff_small:.1e} (must be <= 1e-12); inside "
            f"the process: import {_common.fmt_s(in_alpha[0]['min_s'])} + call "
            f"{_common.fmt_s(in_alpha[1]['min_s'])} (peer {_common.fmt_s(in_peer[0]['min_s'])}"
            f" + {_common.fmt_s(in_peer[1]['min_s'])})"),
        _common.row(
            "same, interpreter floor: `import numpy` + loading the data",
            ts(t["numpy floor"], "numpy floor"), "",
            over(t["ours alpha"], t["numpy floor"], "ours"), "", ""),
        _common.row(
            "same, dependency floor: also `import pandas, numba` and Numba's compiler "
            "target initialised (as before a first kernel call)",
            ts(t["dependency floor"], "dependency floor"), "",
            over(t["ours alpha"], t["dependency floor"], "ours"), "", ""),
        _common.row(
            f"first `krippendorff_alpha` call in a fresh process, {args.units:,} units x "
            f"{ALPHA_RATERS} raters, 5 categories, 20% missing",
            ts(first), f"warm call in the same process (min of 3): {ts(warm)}",
            ratio(first, warm, "first / warm"), "<= 1.5x",
            f"first call equals the warm call; |diff| {diff_big:.1e} from krippendorff "
            f"(must be <= 1e-12); import before it {_common.fmt_s(big_import['min_s'])}; "
            f"Numba not loaded; system time of the first call "
            f"{_common.fmt_s(sys_first['min_s'])} min (median "
            f"{_common.fmt_s(sys_first['median_s'])}) against {_common.fmt_s(sys_warm['min_s'])}"
            f" min (median {_common.fmt_s(sys_warm['median_s'])}) warm: the operating system "
            "maps and zeroes the new memory of a fresh process"),
        _common.row(
            f"same, against its memory floor: warm call + writing once the "
            f"{grown_mib:.0f} MiB the call allocates at its peak (tracemalloc), in a fresh "
            "process (one `fill`)",
            ts(first), f"warm call + memory floor: {_common.fmt_s(warm['min_s'])} + "
            f"{_common.fmt_s(touch['min_s'])} = "
            f"{_common.fmt_s(warm['min_s'] + touch['min_s'])} min",
            f"first / (warm + floor) {first['min_s'] / (warm['min_s'] + touch['min_s']):.2f}x "
            f"(median {first['median_s'] / (warm['median_s'] + touch['median_s']):.2f}x), "
            f"{load_text}", "",
            "the first call touches new memory that the warm call finds already mapped; "
            "writing the same amount once in a fresh process is the floor of that share"),
        _common.row(
            "same, the package's own work: user CPU time of the first call against the "
            "warm call (the system time, the operating system's page faults, left out)",
            f"{_common.fmt_s(user_first['min_s'])} min, "
            f"{_common.fmt_s(user_first['median_s'])} median, N = {user_first['repeats']}",
            f"warm: {_common.fmt_s(user_warm['min_s'])} min, "
            f"{_common.fmt_s(user_warm['median_s'])} median",
            ratio(user_first, user_warm, "first / warm"), "",
            f"system time of the first call {_common.fmt_s(sys_first['min_s'])} to "
            f"{_common.fmt_s(max(sys_first['times']))} over the runs: it varies with the "
            "memory state of the machine, not with the package"),
        _common.row(
            "same on the compiled kernels (`numba_min_size=0`): the first call also pays "
            "Numba's start-up (import, compiler target, kernel loaded from the cache)",
            ts(first_k), f"warm call: {ts(warm_k)}", ratio(first_k, warm_k, "first / warm"),
            "", f"default (NumPy twins) first call / kernels' first call "
            f"{first['min_s'] / first_k['min_s']:.2f}x"),
        _common.row(
            f"`multiplicity agreement FILE` (default bootstrap intervals), "
            f"{LABEL_ITEMS * LABEL_ANNOTATORS:,} labels",
            ts(t["ours agreement command"], "ours agreement command"),
            f"`python -c pass`: {ts(t['python -c pass'], 'python -c pass')}",
            over(t["ours agreement command"], t["python -c pass"], "ours"), "<= 0.8 s",
            f"alpha {cli_alpha:.6f}, |diff| {diff_cli:.1e} from krippendorff (must be <= "
            "1e-12)"),
        _common.row(
            "fresh process: `import multiplicity.metrics` + `ambiguity`, 20 models x 10,000 "
            "int8 predictions",
            ts(t["ours ambiguity"], "ours ambiguity"),
            f"NumPy `(P != P[0]).any(axis=0).mean()`: "
            f"{ts(t['numpy ambiguity'], 'numpy ambiguity')}",
            over(t["ours ambiguity"], t["numpy ambiguity"], "ours"), "",
            f"ambiguity {out['ours ambiguity'][0][0]:.6f}, |diff| {diff_amb:.1e}; inside the "
            f"process: import {_common.fmt_s(in_amb[0]['min_s'])} + call "
            f"{_common.fmt_s(in_amb[1]['min_s'])}"),
    ]
    for r in rows:
        print(" | ".join(r.values()))
    notes = (
        f"Every timing is a fresh interpreter, wall clock from start to exit, min and median "
        f"of {args.repeats} runs, the commands round-robin, with the child's CPU time (user + "
        "system, all threads) beside it; the one-minute load average was "
        f"{min(loads):.2f} to {max(loads):.2f} over the rounds. A throw-away run of every "
        "command came first, so Numba's kernel cache was warm "
        f"({'on' if cache_on else 'OFF'}) and the package's bytecode written. In-process "
        "figures (import, call) are the minima over the runs. Inputs of this size run "
        "the NumPy twins of the kernels (below `numba_min_size`), so a first call loads no "
        "compiled code; it still touches new memory, which the warm call reuses. On the "
        "compiled kernels the first call also loads Numba (import, compiler target, the "
        "kernel from the cache).")
    if extras:
        notes += (f" In this environment the dependencies also import {', '.join(extras)} "
                  "(Numba imports coverage and yaml, pandas imports pyarrow, when they are "
                  "installed), which an install without them does not pay.")
    _common.write_result(args.json, "Cold start", rows, notes, machine=info,
                         loads=loads, times=times, cpu_times=cpu_times, extras=extras,
                         in_process={"first": first, "warm": warm, "import_big": big_import,
                                     "first_on_kernels": first_k, "warm_on_kernels": warm_k,
                                     "touch_floor": touch, "first_call_peak_mib": grown_mib,
                                     "user_first": user_first, "user_warm": user_warm,
                                     "system_first": sys_first, "system_warm": sys_warm,
                                     "ours_alpha": in_alpha, "peer_alpha": in_peer,
                                     "ours_ambiguity": in_amb},
                         values={"alpha_small": ref_small, "alpha_big": ref_big,
                                 "alpha_cli": cli_alpha, "ambiguity": ref_amb})
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    if failures:
        sys.exit(1)
    return {"rows": rows}


if __name__ == "__main__":
    main()
