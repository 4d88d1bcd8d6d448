"""Run every benchmark, one fresh interpreter each, and regenerate ``RESULTS.md``.

Run: ``.venv/bin/python benchmarks/run_all.py`` (what ``make bench`` calls). Options:
``--only NAME ...`` picks benchmarks; ``--quick`` runs them on small inputs (a smoke test of
a couple of minutes; its figures mean nothing); ``--json PATH`` keeps every script's JSON;
``--results PATH`` writes the Markdown report there; ``--from-json PATH`` rewrites the
report from the ``--json`` of an earlier run without running anything.

Every script accepts ``--json PATH`` and writes ``{"name", "rows", "load", "notes", ...}``
(see ``_common.write_result``): the rows of the summary table, the one-minute load average
at its start and end, and a Markdown section of notes. A script exits non-zero when its
values disagree with the reference; this runner then exits non-zero too, after writing the
report (which names the scripts that failed).

The report is written to ``benchmarks/RESULTS.md`` only by a full run of every script
(no ``--only``, no ``--quick``), unless ``--results`` names a file. The prose around the
tables comes from ``results_template.md`` and from the scripts' notes.

The scripts run one after another, never side by side: each one uses every core. The GPL
COMPAS files are read only from ``$MULTIPLICITY_EXTRA_DATA``; without it, the rows that
need them are skipped and the report says so.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from string import Template
from typing import Any

import _common

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TEMPLATE = HERE / "results_template.md"
RESULTS = HERE / "RESULTS.md"
ROW_KEYS = ("benchmark", "ours", "reference", "ratio", "target", "values")

SCRIPTS = {
    "capacity": "bench_capacity.py",
    "pairwise": "bench_pairwise.py",
    "profile": "bench_profile.py",
    "dropout": "bench_dropout.py",
    "mip": "bench_mip.py",
    "level_set": "bench_level_set.py",
    "alpha": "bench_alpha.py",
    "fleiss": "bench_fleiss.py",
    "aggregation": "bench_aggregation.py",
    "glad_mace": "bench_glad_mace.py",
    "explain": "bench_explain.py",
    "cold_start": "bench_cold_start.py",
    "ambiguity": "bench_ambiguity.py",
    "accumulation": "bench_accumulation.py",
    "coefficients": "bench_coefficients.py",
}
# any other bench_*.py in this folder runs too, after these, with its defaults
for _path in sorted(HERE.glob("bench_*.py")):
    if _path.name not in SCRIPTS.values():
        SCRIPTS[_path.stem.removeprefix("bench_")] = _path.name

#: Arguments of a full run (beyond the scripts' defaults).
FULL: dict[str, list[str]] = {
    "mip": ["--compare", "--repeats", "1"],
}
#: Small inputs for ``--quick``; a script that has its own ``--quick`` flag gets that instead.
QUICK: dict[str, list[str]] = {
    "ambiguity": ["--models", "50", "--samples", "100000", "--repeats", "2",
                  "--numpy-repeats", "2", "--no-rss"],
    "capacity": ["--samples", "40", "--repeats", "1", "--converged", "2", "--check", "1"],
    "pairwise": ["--models", "40", "--samples", "5000", "--repeats", "2"],
    "profile": ["--models", "30", "--samples", "5000", "--repeats", "1"],
    "dropout": ["--models", "50", "--samples", "1000", "--mlp-iter", "5", "--repeats", "1",
                "--profile-repeats", "1", "--generic-samples", "200"],
    "mip": ["--datasets", "binned"],
    "level_set": ["--eps", "0.01", "--repeats", "1", "--cvxpy-rows", "4"],
    "alpha": ["--units", "20000", "--interval-units", "5000", "--values", "500",
              "--boot-units", "5000", "--resamples", "50", "--repeats", "1"],
    "fleiss": ["--items", "20000", "--repeats", "1"],
    "aggregation": ["--items", "2000", "--workers", "50", "--repeats", "1"],
    "glad_mace": ["--items", "50", "--workers", "20", "--repeats", "1", "--classes", "2",
                  "--default-mace-classes"],
    "explain": ["--models", "10", "--n-repeats", "2", "--repeats", "1"],
    "cold_start": [],
}


# ------------------------------------------------------------------------ running
def command(name: str, quick: bool, json_path: Path) -> list[str]:
    script = HERE / SCRIPTS[name]
    cmd = [sys.executable, str(script), "--json", str(json_path)]
    if quick:
        own_flag = script.exists() and "--quick" in script.read_text()
        cmd += ["--quick"] if own_flag else QUICK.get(name, [])
    else:
        cmd += FULL.get(name, [])
    return cmd


def check_protocol(result: Any) -> list[str]:
    """What is wrong with a script's JSON (empty when it follows the protocol)."""
    if not isinstance(result, dict):
        return ["the JSON is not an object"]
    problems = []
    if not isinstance(result.get("name"), str):
        problems.append('no string "name"')
    rows = result.get("rows")
    if not isinstance(rows, list):
        problems.append('no list "rows"')
    else:
        for i, row in enumerate(rows):
            if not isinstance(row, dict) or any(not isinstance(row.get(k), str)
                                                for k in ROW_KEYS):
                problems.append(f"row {i} lacks one of the string keys {', '.join(ROW_KEYS)}")
                break
    load = result.get("load")
    if not (isinstance(load, list) and len(load) == 2
            and all(isinstance(v, int | float) for v in load)):
        problems.append('no "load": [start, end]')
    return problems


def run_one(name: str, quick: bool, tmp: Path, timeout: float | None) -> dict[str, Any]:
    """Run one script in a fresh interpreter; its JSON plus how the run went."""
    out = tmp / f"{name}.json"
    cmd = command(name, quick, out)
    shown = " ".join(shlex.quote(str(Path(c).relative_to(ROOT)) if c.startswith(str(ROOT))
                                 else c) for c in cmd[1:] if c != str(out))
    shown = shown.replace("--json", "--json OUT.json")
    print(f"\n=== {name}: python {shown}", flush=True)
    run: dict[str, Any] = {"script": SCRIPTS[name], "command": f"python {shown}",
                           "load_before": os.getloadavg()[0]}
    t0 = time.perf_counter()
    if not (HERE / SCRIPTS[name]).exists():
        run.update(returncode=None, seconds=0.0, problem="script not found")
        print(f"{name}: {SCRIPTS[name]} not found", flush=True)
        return run
    try:
        proc = subprocess.run(cmd, check=False, timeout=timeout, cwd=ROOT)
        run["returncode"] = proc.returncode
    except subprocess.TimeoutExpired:
        run["returncode"] = None
        run["problem"] = f"stopped after the {timeout:.0f} s time-out"
    run["seconds"] = time.perf_counter() - t0
    if out.exists():
        try:
            result = json.loads(out.read_text())
        except json.JSONDecodeError as e:
            result, run["problem"] = None, f"unreadable JSON ({e})"
        if result is not None:
            problems = check_protocol(result)
            if problems:
                run.setdefault("problem", "JSON does not follow the protocol: "
                               + "; ".join(problems))
            else:
                run["result"] = result
    else:
        run.setdefault("problem", "wrote no JSON")
    if run["returncode"] not in (0, None):
        run.setdefault("problem", f"exit code {run['returncode']}")
        if "result" in run:
            run["problem"] = (f"exit code {run['returncode']} (the script reports values "
                              "that disagree, or an error after writing its JSON)")
    status = "ok" if "problem" not in run else f"FAILED: {run['problem']}"
    print(f"=== {name}: {run['seconds']:.0f} s, {status}", flush=True)
    return run


# ------------------------------------------------------------------------ the report
def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return ""


def provenance(started: datetime.datetime, ended: datetime.datetime) -> str:
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    state = (f"with uncommitted changes in {len(dirty.splitlines())} tracked files"
             if dirty else "clean working tree")
    minutes = (ended - started).total_seconds() / 60
    return (f"Generated by `benchmarks/run_all.py` (what `make bench` runs) from "
            f"{started:%Y-%m-%d %H:%M} to {ended:%H:%M} UTC ({minutes:.0f} min), commit "
            f"`{commit}` ({state}).")


def lscpu() -> dict[str, str]:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return {}
    fields = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def machine_block(info: dict[str, Any]) -> str:
    cpu = lscpu()
    model = cpu.get("Model name", info.get("cpu", "?"))
    extra = ", ".join(f"{k.lower()} {cpu[k]}" for k in ("Hypervisor vendor",) if k in cpu)
    flags = cpu.get("Flags", "").split()
    simd = next((s for s in ("avx512f", "avx2", "avx", "sse4_2") if s in flags), "")
    cores = (f"{cpu.get('CPU(s)', info['cpus'])} "
             f"({cpu.get('Thread(s) per core', '?')} thread(s) per core, "
             f"{cpu.get('Socket(s)', '?')} socket(s))")
    lines = [
        "| | |", "| --- | --- |",
        f"| CPU | `lscpu`: {model}" + (f", {extra}" if extra else "")
        + (f"; widest SIMD flag: {simd}" if simd else "") + " |",
        f"| cores | {cores} |",
        f"| RAM | {info.get('ram_gib', '?')} GiB |",
        f"| Python | {info['python']} |",
        f"| NumPy | {info['numpy']}; BLAS (threadpoolctl): "
        f"{'; '.join(info['blas']) or 'not found'} |",
        f"| Numba | {info['numba']}; threading layer {info['numba_threading_layer']}, "
        f"{info['numba_threads']} threads |",
    ]
    return "\n".join(lines)


def cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def load_text(load: list[float]) -> str:
    return f"{load[0]:.1f} to {load[1]:.1f}"


def summary_table(runs: dict[str, dict[str, Any]]) -> str:
    head = ("| benchmark (script) | ours | reference (same process) | ratio | load | target "
            "| values |")
    lines = [head, "| --- | --- | --- | --- | --- | --- | --- |"]
    for run in runs.values():
        result = run.get("result")
        if result is None:
            lines.append(f"| `{run['script']}` | not run to the end: {cell(run['problem'])} "
                         "| | | | | |")
            continue
        load = load_text(result["load"])
        for i, row in enumerate(result["rows"]):
            named = i > 0 or run["script"] in row["benchmark"]
            what = cell(row["benchmark"]) + ("" if named else f" (`{run['script']}`)")
            lines.append(f"| {what} | {cell(row['ours'])} | {cell(row['reference'])} | "
                         f"{cell(row['ratio'])} | {load} | {cell(row['target'])} | "
                         f"{cell(row['values'])} |")
        if not result["rows"]:
            lines.append(f"| `{run['script']}`: no rows (see its section) | | | | {load} | | |")
        if "problem" in run:
            lines.append(f"| `{run['script']}` **failed**: {cell(run['problem'])} "
                         "| | | | | | |")
    return "\n".join(lines)


def sections(runs: dict[str, dict[str, Any]]) -> str:
    parts = []
    for name, run in runs.items():
        result = run.get("result") or {}
        title = result.get("name", name)
        head = [f"### {title} (`{run['script']}`)", "",
                f"`{run['command']}`: {run['seconds']:.0f} s"
                + (f", load {load_text(result['load'])}" if "load" in result else "")
                + ("." if "problem" not in run else f"; **failed**: {run['problem']}.")]
        notes = (result.get("notes") or "").strip()
        parts.append("\n".join(head) + ("\n\n" + notes if notes else ""))
    return "\n\n".join(parts)


def closing(runs: dict[str, dict[str, Any]]) -> str:
    """The closing note: the ambiguity rows, with their ratios (to NumPy and to the floor)."""
    run = runs.get("ambiguity")
    result = (run or {}).get("result")
    if not result or not result["rows"]:
        reason = "it was not run" if run is None else run.get("problem", "it wrote no rows")
        return f"The ambiguity benchmark gave no figures in this run ({reason})."
    lines = [f"Ambiguity and discrepancy (`{run['script']}`, load "
             f"{load_text(result['load'])}), as ratios to the references of each row:", ""]
    for row in result["rows"]:
        target = f" (target {row['target']})" if row["target"] else ""
        lines.append(f"* {row['benchmark']}: ours {row['ours']}; {row['reference']}; "
                     f"ratio {row['ratio']}{target}; {row['values']}")
    return "\n".join(lines)


def report(runs: dict[str, dict[str, Any]], info: dict[str, Any], load_start: tuple,
           load_end: tuple, provenance_text: str, quick: bool, extra_data: bool) -> str:
    failed = [f"`{r['script']}` ({r['problem']})" for r in runs.values() if "problem" in r]
    status = ("Every script ran and its values agreed with the reference."
              if not failed else "**Failed:** " + "; ".join(failed) + ".")
    if quick:
        status += " **Quick run (small inputs): the figures mean nothing.**"
    fields = {
        "provenance": provenance_text,
        "machine": machine_block(info),
        "load": (f"Load average (1, 5, 15 min) at the start of the run "
                 f"{', '.join(f'{v:.2f}' for v in load_start)}; at the end "
                 f"{', '.join(f'{v:.2f}' for v in load_end)}. "
                 + ("`MULTIPLICITY_EXTRA_DATA` was set: the rows on the GPL COMPAS files ran."
                    if extra_data else "`MULTIPLICITY_EXTRA_DATA` was unset: the rows on "
                    "the GPL COMPAS files (compas_arrest) were not run.")),
        "status": status,
        "summary": summary_table(runs),
        "sections": sections(runs),
        "closing": closing(runs),
    }
    template = TEMPLATE.read_text() if TEMPLATE.exists() else (
        "# Benchmark results\n\n$provenance\n\n$machine\n\n$load\n\n$status\n\n$summary\n\n"
        "$sections\n\n$closing\n")
    return Template(template).safe_substitute(fields).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(SCRIPTS), default=list(SCRIPTS))
    parser.add_argument("--quick", action="store_true", help="small inputs (smoke test)")
    parser.add_argument("--json", metavar="PATH", help="write every script's JSON to PATH")
    parser.add_argument("--results", metavar="PATH", type=Path,
                        help="write the report here (default: benchmarks/RESULTS.md after "
                             "a full run of every script, nowhere otherwise)")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds before a script is stopped (default 1800)")
    parser.add_argument("--from-json", metavar="PATH", type=Path,
                        help="run nothing: rewrite the report from the --json of a run")
    args = parser.parse_args()

    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        target = args.results or RESULTS
        target.write_text(report(
            saved["runs"], saved["machine"], tuple(saved["load_start"]),
            tuple(saved["load_end"]), saved["provenance"], saved["quick"],
            saved["extra_data"]))
        print(f"report written to {target}")
        return 0

    started = datetime.datetime.now(datetime.UTC)
    load_start = os.getloadavg()
    info = _common.machine_info()
    _common.print_machine(info)
    extra = os.environ.get("MULTIPLICITY_EXTRA_DATA")
    print("# MULTIPLICITY_EXTRA_DATA " + (f"= {extra}" if extra else
                                          "is unset: rows on the GPL COMPAS files are skipped"))
    runs: dict[str, dict[str, Any]] = {}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only:
            runs[name] = run_one(name, args.quick, Path(tmp), args.timeout)
    load_end = os.getloadavg()
    ended = datetime.datetime.now(datetime.UTC)

    print(f"\n=== summary ({time.perf_counter() - t0:.0f} s; load {load_start[0]:.2f} at "
          f"the start, {load_end[0]:.2f} at the end)")
    for run in runs.values():
        result = run.get("result")
        for row in (result or {}).get("rows", []):
            print(f"{row['benchmark']}: ours {row['ours']}; reference {row['reference']}; "
                  f"ratio {row['ratio']} (load {load_text(result['load'])})")
    failed = [n for n, r in runs.items() if "problem" in r]
    if failed:
        print("FAILED: " + "; ".join(f"{n} ({runs[n]['problem']})" for n in failed),
              file=sys.stderr)

    prov = provenance(started, ended)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"runs": runs, "machine": info, "load_start": load_start, "load_end": load_end,
             "provenance": prov, "quick": args.quick, "extra_data": bool(extra)}, indent=2,
            default=float))
    target = args.results
    if target is None and not args.quick and args.only == list(SCRIPTS):
        target = RESULTS
    if target is not None:
        target.write_text(report(runs, info, load_start, load_end, prov, args.quick,
                                 bool(extra)))
        print(f"report written to {target}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
