"""A long seeded mutation-fuzzing campaign against ddilint; prints a Markdown summary.

    python bench/fuzz_campaign.py [--mutants 5000] [--seed 0] [--jobs 2] [--timeout 60] [--keep DIR]
    python bench/fuzz_campaign.py --reproduce SEED [--frontend libclang|pycparser] [--keep DIR]

Same engine and the same definitions as the CI batch (``tests/test_fuzz.py``, ``tests/fuzzing.py``):
mutants of the fixture ``*.c`` files, batches of one ``ddilint check`` subprocess alternating the
libclang and pycparser frontends, a crash being a bad exit code, a signal, a traceback, an internal
error, the wall-clock limit or no JSON report, a hang being a ``--timeout`` notification. A crashing
batch is re-run one mutant at a time to name the culprit.

The summary gives the counts, per-mutator counts, the slowest mutants (the mutants of the slowest
batches of each frontend, timed one per process: a batch's time alone does not say which mutant
took it) and every crashing or hanging seed with the command that reproduces it. ``--keep DIR``
copies those mutants to DIR. ``--reproduce SEED`` writes one mutant and runs ddilint on it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fuzzing import (  # noqa: E402 - after the path set-up, so bench/ shares the engine with the tests
    FRONTENDS,
    MUTATORS,
    BatchResult,
    Mutant,
    Problem,
    RunOptions,
    ddilint_command,
    make_mutant,
    mutant_problems,
    plan_batches,
    run_batch,
    run_ddilint,
    write_mutant,
)


@dataclass
class Timed:
    """One mutant timed alone."""

    mutant: Mutant
    frontend: str
    seconds: float
    problem: str = ""  # "hang" or "crash" when the campaign found one (then it is not timed again)


@dataclass
class Campaign:
    """Everything the summary reports."""

    args: argparse.Namespace
    batches: list[BatchResult] = field(default_factory=list)
    timed: list[Timed] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def problems(self) -> list[Problem]:
        return [p for b in self.batches for p in b.problems]

    def count(self, kind: str) -> int:
        return sum(1 for p in self.problems if p.kind == kind)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=5000, help="how many mutants (default 5000)")
    parser.add_argument("--seed", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="ddilint --jobs, and parallel single runs (default 2)")
    parser.add_argument("--timeout", type=float, default=60, help="ddilint's per-file --timeout, s (default 60)")
    parser.add_argument("--wall-limit", type=float, default=600, help="limit of one ddilint process, s (default 600)")
    parser.add_argument(
        "--batch-size", type=int, default=50, help="mutants per process (pycparser: a third, with both frontends)"
    )
    parser.add_argument("--slowest-batches", type=int, default=2, help="batches per frontend timed mutant by mutant")
    parser.add_argument("--frontend", choices=[*FRONTENDS, "both"], default="both", help="frontends to use")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="copy crashing and hanging mutants to DIR")
    parser.add_argument("--reproduce", type=int, metavar="SEED", help="write one mutant and run ddilint on it")
    return parser.parse_args(argv)


def options_of(args: argparse.Namespace) -> RunOptions:
    return RunOptions(jobs=args.jobs, timeout=args.timeout, wall_limit=args.wall_limit)


def planned(args: argparse.Namespace) -> list[tuple[str, list[int]]]:
    """The batches: alternating frontends (pycparser's a third of --batch-size); with one frontend,
    every batch uses it and has --batch-size mutants (so a batch-level crash reruns exactly)."""
    seeds = range(args.seed, args.seed + args.mutants)
    if args.frontend == "both":
        return plan_batches(seeds, args.batch_size)
    size = args.batch_size
    return [(args.frontend, list(seeds[i : i + size])) for i in range(0, len(seeds), size)]


def keep(problems: list[Problem], batch_dir: Path, keep_dir: Path | None) -> None:
    """Copy each culprit's directory to ``keep_dir/mut-SEED-FRONTEND``."""
    if keep_dir is None:
        return
    for problem in problems:
        for mutant in [problem.mutant] if problem.mutant else []:
            target = keep_dir / f"{mutant.dirname}-{problem.frontend}"
            if not target.exists():
                shutil.copytree(batch_dir / mutant.dirname, target)


def run_campaign(args: argparse.Namespace) -> Campaign:
    """All the batches, then the slowest batches' mutants one by one."""
    campaign = Campaign(args)
    start = time.monotonic()
    batches = planned(args)
    for number, (frontend, seeds) in enumerate(batches, start=1):
        with tempfile.TemporaryDirectory(prefix="ddilint-fuzz-") as tmp:
            result = run_batch([make_mutant(s) for s in seeds], Path(tmp), frontend, options_of(args))
            keep(result.problems, Path(tmp) / "batch", args.keep)
        result.mutants = [replace(m, data=b"") for m in result.mutants]  # 5000 mutants' bytes add up; seeds suffice
        campaign.batches.append(result)
        print(
            f"[{number}/{len(batches)}] {frontend} seeds {seeds[0]}-{seeds[-1]}: {result.elapsed:.1f} s, "
            f"{len(result.problems)} problem(s)",
            file=sys.stderr,
            flush=True,
        )
        for problem in result.problems:
            print("  " + problem.describe(), file=sys.stderr, flush=True)
    campaign.timed = time_slowest(campaign.batches, args)
    campaign.elapsed = time.monotonic() - start
    return campaign


def time_slowest(batches: list[BatchResult], args: argparse.Namespace) -> list[Timed]:
    """Each mutant of the slowest batches of each frontend, alone in its own process, one at a time.

    A mutant that already hung or crashed is not run again: its time is the time limit it hit."""
    single = RunOptions(jobs=1, timeout=args.timeout, wall_limit=args.wall_limit)
    timed: list[Timed] = []
    for frontend in FRONTENDS:
        ours = sorted((b for b in batches if b.frontend == frontend), key=lambda b: b.elapsed, reverse=True)
        for batch in ours[: args.slowest_batches]:
            known = {p.mutant.seed: p for p in batch.problems if p.mutant}
            with tempfile.TemporaryDirectory(prefix="ddilint-fuzz-time-") as tmp:
                for mutant in (make_mutant(m.seed) for m in batch.mutants):
                    if mutant.seed in known:
                        limit = args.timeout if known[mutant.seed].kind == "hang" else 0.0
                        timed.append(Timed(mutant, frontend, limit, known[mutant.seed].kind))
                        continue
                    write_mutant(mutant, Path(tmp))
                    outcome = run_ddilint(Path(tmp) / mutant.dirname, frontend, single, Path(tmp) / "report.json")
                    timed.append(Timed(mutant, frontend, outcome.elapsed))
    return sorted(timed, key=lambda t: t.seconds, reverse=True)


def ddilint_version() -> str:
    proc = subprocess.run([*ddilint_command(), "--version"], capture_output=True, text=True, check=False)
    return (proc.stdout or proc.stderr).strip() or "unknown"


def summary(campaign: Campaign) -> str:
    """The Markdown report."""
    return "\n".join(
        [*_headline(campaign), "", *_mutator_table(campaign), "", *_slowest(campaign), "", *_problem_list(campaign)]
    )


def _headline(campaign: Campaign) -> list[str]:
    args = campaign.args
    mutants = [m for b in campaign.batches for m in b.mutants]
    per_frontend = Counter(b.frontend for b in campaign.batches for _ in b.mutants)
    batches = Counter(b.frontend for b in campaign.batches)
    batch_time: Counter = Counter()
    for b in campaign.batches:
        batch_time[b.frontend] += b.elapsed
    frontends = ", ".join(
        f"{fe} {per_frontend[fe]} in {batches[fe]} batch{'es' if batches[fe] != 1 else ''} ({batch_time[fe]:.0f} s)"
        for fe in FRONTENDS
        if per_frontend[fe]
    )
    finished = [t for t in campaign.timed if not t.problem]
    slowest = finished[0] if finished else None
    return [
        "# ddilint fuzz campaign",
        "",
        f"- ddilint: {ddilint_version()}; command: `{' '.join(ddilint_command())}`",
        f"- mutants: **{len(mutants)}** (seeds {args.seed}..{args.seed + args.mutants - 1}; {frontends})",
        f"- per-file `--timeout {args.timeout:g}`, `--jobs {args.jobs}`, wall-clock limit {args.wall_limit:g} s"
        " per ddilint process",
        f"- crashes: **{campaign.count('crash')}**, hangs: **{campaign.count('hang')}**",
        f"- slowest mutant (not counting hangs): {_timed_text(slowest) if slowest else 'not timed'}",
        f"- campaign wall time: {campaign.elapsed / 60:.1f} min",
    ]


def _timed_text(timed: Timed) -> str:
    m = timed.mutant
    return (
        f"seed {m.seed} ({timed.frontend}; {' + '.join(m.mutators)}; {m.source}; {len(m.data):,} bytes):"
        f" {_seconds(timed)}"
    )


def _seconds(timed: Timed) -> str:
    if timed.problem == "hang":
        return f">= {timed.seconds:g} s (hang)"
    return "crash" if timed.problem else f"{timed.seconds:.1f} s"


def _mutator_table(campaign: Campaign) -> list[str]:
    used: Counter = Counter()
    crashes: Counter = Counter()
    hangs: Counter = Counter()
    for batch in campaign.batches:
        for mutant in batch.mutants:
            used.update(mutant.mutators)
    for problem in campaign.problems:
        if problem.mutant:
            (crashes if problem.kind == "crash" else hangs).update(problem.mutant.mutators)
    rows = [f"| {name} | {used[name]} | {crashes[name]} | {hangs[name]} |" for name in sorted(MUTATORS)]
    return ["## Per mutator", "", "| mutator | mutants | crashes | hangs |", "|---|---:|---:|---:|", *rows]


def _slowest(campaign: Campaign) -> list[str]:
    lines = [
        "## Slowest mutants",
        "",
        f"The mutants of the {campaign.args.slowest_batches} slowest batches of each frontend, each alone in one"
        " `ddilint check --jobs 1` process (the time includes the process start, about 0.3 s).",
        "",
        "| seed | frontend | mutators | fixture | bytes | time |",
        "|---:|---|---|---|---:|---:|",
    ]
    for timed in campaign.timed[:10]:
        m = timed.mutant
        lines.append(
            f"| {m.seed} | {timed.frontend} | {' + '.join(m.mutators)} | {m.source} | {len(m.data):,} |"
            f" {_seconds(timed)} |"
        )
    return lines


def _problem_list(campaign: Campaign) -> list[str]:
    problems = campaign.problems
    if not problems:
        return ["## Crashes and hangs", "", "None."]
    lines = ["## Crashes and hangs", ""]
    for problem in problems:
        lines.append(f"- {problem.describe().splitlines()[0]}")
        lines.append(f"  - reproduce: `{problem.reproduce()}`")
    crashing = sorted({p.mutant.seed for p in problems if p.mutant and p.kind == "crash"})
    hanging = sorted({p.mutant.seed for p in problems if p.mutant and p.kind == "hang"})
    lines += ["", f"Crashing seeds: {crashing or 'none'}", f"Hanging seeds: {hanging or 'none'}"]
    return lines


def reproduce(args: argparse.Namespace) -> int:
    """Write mutant SEED (to --keep DIR, else a temporary directory that stays) and run ddilint on it."""
    mutant = make_mutant(args.reproduce)
    root = args.keep or Path(tempfile.mkdtemp(prefix=f"ddilint-fuzz-{mutant.seed}-"))
    directory = write_mutant(mutant, root)
    frontends = FRONTENDS if args.frontend == "both" else (args.frontend,)
    print(f"{mutant.label}\nwritten to {directory}")
    options = options_of(args)
    found = []
    for frontend in frontends:
        outcome = run_ddilint(directory, frontend, options, root / f"report-{frontend}.json")
        print(f"\n$ (cd {root} && {' '.join(outcome.command)})")
        print(f"exit code {outcome.returncode}, {outcome.elapsed:.1f} s")
        if outcome.stderr.strip():
            print("stderr (last lines):\n" + "\n".join(outcome.stderr.strip().splitlines()[-15:]))
        found += mutant_problems(outcome, mutant, frontend)
    for problem in found:
        print("\n" + problem.describe())
    print(f"\n{len(found)} problem(s)")
    return 1 if found else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.reproduce is not None:
        return reproduce(args)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    campaign = run_campaign(args)
    print(summary(campaign))
    return 1 if campaign.problems else 0


if __name__ == "__main__":
    sys.exit(main())
