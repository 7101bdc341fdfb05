"""Scale benchmark: ddilint against libclang's own parse time on a generated corpus of drivers.

    python bench/scale_benchmark.py [--seed 1] [--runs 5] [--copies 1 2 4 7]

The corpus (``bench/corpus.py``) is generated deterministically from the seed.
For the 1x corpus, median of ``--runs`` fresh processes each:

- **floor**: libclang parsing every file with ddilint's flags (no precompiled
  header), nothing else: the least any libclang-based tool pays. Also given
  with the precompiled header ddilint builds (``floor, PCH``).
- **cold**: ``ddilint check`` with an empty cache, ``--jobs 1`` and ``--jobs 2``.
- **warm**: ``ddilint check`` again with the cache of a previous run.
- files/s and lines/s of the cold ``--jobs 1`` run; its peak RSS (the largest process of the run).
- **scaling**: cold ``--jobs 1`` time and peak RSS for each ``--copies`` multiple of the corpus
  (7x is about 213,000 lines: memory follows the largest driver, not the tree).

Wall times include interpreter start-up for ddilint and exclude it for the floor,
so the ratios are, if anything, unfair to ddilint. Prints a Markdown report.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent

_FLOOR = """
import json, sys, time
from ddilint.frontend.clang_args import clang_args
from ddilint.frontend.libclang_bindings import cindex
from ddilint.frontend.precompiled import eligible_header, pch_for
files, use_pch = json.loads(sys.argv[1]), sys.argv[2] == "1"
ci = cindex()
index = ci.Index.create(excludeDecls=True)
started = time.perf_counter()
for f in files:
    args = clang_args(language="c++" if f.endswith((".cpp", ".cc", ".cxx")) else "c")
    if use_pch:
        header = eligible_header(open(f, encoding="utf-8", errors="replace").read().splitlines(), [])
        pch = pch_for(header, args, index, ci) if header else None
        if pch is not None:
            args = [*args, "-include-pch", pch.path]
    index.parse(f, args=args)
print(time.perf_counter() - started)
"""


def load_corpus_module() -> ModuleType:  # bench/ is not a package
    spec = importlib.util.spec_from_file_location("corpus", Path(__file__).with_name("corpus.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = module
    spec.loader.exec_module(module)
    return module


def sources(directory: Path) -> list[str]:
    return sorted(str(p) for p in directory.rglob("*") if p.suffix in (".c", ".cpp"))


def floor(files: list[str], use_pch: bool) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _FLOOR, json.dumps(files), "1" if use_pch else "0"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return float(out.stdout.strip())


# Runs one command and prints its wall time, the peak RSS of its whole process tree (every process it and
# its children waited for: ddilint's workers and the children that analyse each driver) and its exit code.
_MEASURE = """
import os, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - started
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


def ddilint(corpus: Path, cache: Path, jobs: int, frontend: str = "libclang") -> tuple[float, int, int]:
    """Wall seconds, peak RSS (KiB, largest process of the run) and exit code of one ``ddilint check``."""
    command = [sys.executable, "-m", "ddilint", "check", str(corpus), "--format", "json", "--quiet"]
    command += ["--frontend", frontend]
    command += ["--jobs", str(jobs), "--cache-dir", str(cache), "--output", os.devnull]
    measured = subprocess.run([sys.executable, "-c", _MEASURE, *command], cwd=ROOT, capture_output=True, text=True)
    wall, peak, code = measured.stdout.split()
    return float(wall), int(peak), int(code)


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def cold(corpus: Path, jobs: int, runs: int, scratch: Path) -> tuple[float, int]:
    walls, peaks = [], []
    for i in range(runs):
        cache = scratch / f"cold-{jobs}-{i}"
        wall, peak, code = ddilint(corpus, cache, jobs)
        if code not in (0, 1):
            raise SystemExit(f"ddilint failed with exit code {code}")
        walls.append(wall)
        peaks.append(peak)
        shutil.rmtree(cache, ignore_errors=True)
    return statistics.median(walls), max(peaks)


def cold_pure_python(corpus: Path, runs: int, scratch: Path) -> float:
    """Median cold ``--jobs 1`` wall time with the pure-Python (pcpp + pycparser) frontend."""
    walls = []
    for i in range(runs):
        cache = scratch / f"pure-{i}"
        walls.append(ddilint(corpus, cache, 1, "pycparser")[0])
        shutil.rmtree(cache, ignore_errors=True)
    return statistics.median(walls)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 2, 4, 7])
    args = parser.parse_args()
    corpus_module = load_corpus_module()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        base = scratch / "corpus-1"
        stats = corpus_module.generate(base, seed=args.seed, copies=1)
        files = sources(base)
        lines = sum(len(Path(f).read_text(encoding="utf-8").splitlines()) for f in files)
        floor_plain = median_of(args.runs, lambda: floor(files, False))
        floor_pch = median_of(args.runs, lambda: floor(files, True))
        cold1, rss1 = cold(base, 1, args.runs, scratch)
        cold2, _ = cold(base, 2, args.runs, scratch)
        warm_cache = scratch / "warm"
        ddilint(base, warm_cache, 1)
        warm = median_of(args.runs, lambda: ddilint(base, warm_cache, 1)[0])
        pure = cold_pure_python(base, max(1, args.runs // 2), scratch)
        scaling = []
        for copies in args.copies:
            target = base if copies == 1 else scratch / f"corpus-{copies}"
            if copies != 1:
                corpus_module.generate(target, seed=args.seed, copies=copies)
            seconds, peak = (cold1, rss1) if copies == 1 else cold(target, 1, max(1, args.runs // 2 + 1), scratch)
            size = sum(len(Path(f).read_text(encoding="utf-8").splitlines()) for f in sources(target))
            scaling.append((copies, len(sources(target)), size, seconds, peak))
    print(f"Corpus: seed {args.seed}, {stats.drivers} drivers, {len(files)} files, {lines} lines; ")
    print(f"median of {args.runs} fresh processes; {os.cpu_count()} CPUs.\n")
    print("| measure | seconds | ratio |")
    print("|---|---|---|")
    print(f"| floor: libclang parse only, no PCH | {floor_plain:.2f} | 1.00 |")
    print(f"| floor: libclang parse only, with ddilint's PCH | {floor_pch:.2f} | {floor_pch / floor_plain:.2f} |")
    print(f"| ddilint cold, --jobs 1 | {cold1:.2f} | {cold1 / floor_plain:.2f} x floor |")
    print(f"| ddilint cold, --jobs 2 | {cold2:.2f} | {cold1 / cold2:.2f} x faster than --jobs 1 |")
    print(f"| ddilint warm cache, --jobs 1 | {warm:.2f} | {cold1 / warm:.1f} x faster than cold |")
    print(f"| ddilint cold, --jobs 1, pure-Python frontend | {pure:.2f} | {pure / cold1:.1f} x the libclang frontend |")
    rate = f"{len(files) / cold1:.0f} files/s, {lines / cold1:.0f} lines/s"
    print(f"\nCold --jobs 1: {rate}, peak RSS {rss1 / 1024:.0f} MiB.\n")
    print("| corpus | files | lines | cold --jobs 1 (s) | per 1x | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|")
    for copies, count, size, seconds, peak in scaling:
        print(f"| {copies}x | {count} | {size} | {seconds:.2f} | {seconds / copies:.2f} | {peak / 1024:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
