"""Benchmark ddilint end to end and per phase; prints a Markdown table of medians.

    python bench/run_benchmark.py [--runs 7]

Cases:
- ``fixtures``: every fixture driver in the repository, one run over ``fixtures/``.
- ``example x50``: 50 copies of the bundled example driver, each its own driver directory
  (with the default ``--jobs``, all cores, and again with ``--jobs 1``).
- ``30 registrations``: a generated DriverEntry with 30 sequential registrations in
  goto-cleanup style plus an unload routine (the DDI002 scaling case).
- ``100 registrations``: the same with 100, to show how DDI002 grows.

Each case runs ``ddilint check --profile`` in a fresh process ``--runs`` times;
the table gives the median wall time and the median time of each phase, and
the ratio of analysis (all checks) to parsing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def registrations_driver(count: int) -> str:
    """A DriverEntry registering ``count`` image-notify callbacks, goto-cleanup style, with flags."""
    lines = ["#include <ntddk.h>", "DRIVER_UNLOAD DriverUnload;", "DRIVER_INITIALIZE DriverEntry;"]
    for i in range(count):
        lines.append(f"static BOOLEAN g_Registered{i:03};")
        lines.append(
            f"VOID Notify{i:03}(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO info)"
            " { UNREFERENCED_PARAMETER(n); UNREFERENCED_PARAMETER(p); UNREFERENCED_PARAMETER(info); }"
        )
    lines.append("static VOID Cleanup(VOID) {")
    for i in range(count):
        lines.append(
            f"    if (g_Registered{i:03}) {{ PsRemoveLoadImageNotifyRoutine(Notify{i:03});"
            f" g_Registered{i:03} = FALSE; }}"
        )
    lines.append("}")
    lines.append("VOID DriverUnload(PDRIVER_OBJECT DriverObject) { UNREFERENCED_PARAMETER(DriverObject); Cleanup(); }")
    lines.append("NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {")
    lines.append("    NTSTATUS status;")
    lines.append("    UNREFERENCED_PARAMETER(RegistryPath);")
    for i in range(count):
        lines.append(f"    status = PsSetLoadImageNotifyRoutine(Notify{i:03});")
        lines.append("    if (!NT_SUCCESS(status)) { goto Exit; }")
        lines.append(f"    g_Registered{i:03} = TRUE;")
    lines.append("    DriverObject->DriverUnload = DriverUnload;")
    lines.append("Exit:")
    lines.append("    if (!NT_SUCCESS(status)) { Cleanup(); }")
    lines.append("    return status;")
    lines.append("}")
    return "\n".join(lines) + "\n"


def prepare(workdir: Path) -> dict[str, list[str]]:
    cases: dict[str, list[str]] = {"fixtures": [str(ROOT / "fixtures")]}
    example = ROOT / "examples" / "imagemon"
    copies = workdir / "examples"
    for i in range(50):
        shutil.copytree(example, copies / f"driver{i:02}")
    cases["example x50"] = [str(copies)]
    cases["example x50, --jobs 1"] = [str(copies), "--jobs", "1"]
    for count in (30, 100):
        path = workdir / f"reg{count}" / "driver.c"
        path.parent.mkdir()
        path.write_text(registrations_driver(count), encoding="utf-8")
        cases[f"{count} registrations"] = [str(path.parent)]
    return cases


_PHASE = re.compile(r"(\S+) ([0-9.]+) ms")


def run_case(paths: list[str], runs: int) -> tuple[float, dict[str, float], int]:
    walls: list[float] = []
    phases: dict[str, list[float]] = {}
    exit_code = 0
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "ddilint.cli", "check", *paths, "--profile", "--format", "json", "--no-cache"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        walls.append(time.perf_counter() - started)
        exit_code = proc.returncode
        line = next((ln for ln in proc.stderr.splitlines() if ln.startswith("ddilint: profile:")), "")
        for phase, ms in _PHASE.findall(line):
            phases.setdefault(phase, []).append(float(ms))
    return statistics.median(walls), {p: statistics.median(v) for p, v in phases.items()}, exit_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases = prepare(Path(tmp))
        rows = []
        for name, paths in cases.items():
            wall, phases, code = run_case(paths, args.runs)
            parse = phases.get("parse", 0.0)
            checks = sum(v for k, v in phases.items() if k.startswith("DDI"))
            per_check = ", ".join(f"{k} {v:.1f}" for k, v in phases.items() if k.startswith("DDI"))
            ratio = f"{checks / parse:.2f}" if parse else "-"
            rows.append(f"| {name} | {wall * 1000:.0f} | {parse:.1f} | {per_check} | {ratio} | {code} |")
    print(f"Median of {args.runs} runs, milliseconds; each run is a fresh process.\n")
    print("| case | wall | parse | checks | checks/parse | exit |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
