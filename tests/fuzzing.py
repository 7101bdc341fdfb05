"""Seeded mutation fuzzing of ddilint: the mutation engine and the batch runner.

Shared by the bounded CI batch (``tests/test_fuzz.py``) and the long campaign
(``bench/fuzz_campaign.py``), so a seed reported by either reproduces in the other.

A *mutant* is one fixture ``*.c`` file put through one to three mutators. Everything
about it — the fixture it starts from, the mutators, where they cut and what they
insert — comes from ``random.Random(f"ddilint-fuzz:{seed}")`` and nothing else, so a
seed plus the fixture list names a mutant exactly.

Mutants are written one per sub-directory (each its own driver, with the headers of
the fixture's directory copied next to it), and a batch of them is analyzed by ONE
``ddilint check`` subprocess: a crash of the analyzer cannot take the test process
with it, and a wall-clock limit catches what the per-file ``--timeout`` misses. When a
batch crashes, its mutants are re-run one by one to name the culprit.

What counts (the definitions of the fuzzing issue):

- a **crash**: exit code not in {0, 1, 2}; the process killed by a signal; a Python
  ``Traceback`` on stderr; ``internal error`` in a notification or on stderr; the
  wall-clock limit exceeded; the JSON report missing or not JSON;
- a **hang**: a notification that a file took longer than the ``--timeout`` limit.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FRONTENDS = ("libclang", "pycparser")
EXIT_CODES_OK = {0, 1, 2}
MUTANT_DIR_PREFIX = "mut-"
_MUTANT_DIR = re.compile(rf"(?:^|[/\\]){MUTANT_DIR_PREFIX}(\d+)[/\\]")

Mutator = Callable[[random.Random, bytes], bytes]

# ---------------------------------------------------------------------------
# Where to mutate: statement lines and function bodies of the (C-like) bytes.
# ---------------------------------------------------------------------------

# An indented line ending with ';': a statement (or a struct field, or a call's last line).
_STATEMENT_LINE = re.compile(rb"(?m)^[ \t]+[^\r\n]*;[ \t]*(?=\r?\n|\r|$)")
# A function body in the fixtures' style: '{' and '}' alone at column 0.
_BODY_OPEN = re.compile(rb"(?m)^\{[ \t]*\r?\n")
_BODY_CLOSE = re.compile(rb"(?m)^\}")
_RETURN_EXPR = re.compile(rb"\breturn[ \t]+([^;\r\n]+);")
_STRING_LITERAL = re.compile(rb'"(?:[^"\\\r\n]|\\.)*"')


def _statement_spans(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of every statement line, without its line break."""
    return [m.span() for m in _STATEMENT_LINE.finditer(data)]


def _body_spans(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of the inside of each column-0 ``{ ... }`` function body."""
    spans = []
    for opening in _BODY_OPEN.finditer(data):
        closing = _BODY_CLOSE.search(data, opening.end())
        if closing:
            spans.append((opening.end(), closing.start()))
    return spans


def _statement_end(rng: random.Random, data: bytes) -> int:
    """Where a new statement can go: after a random statement line, else a random offset."""
    spans = _statement_spans(data)
    return rng.choice(spans)[1] if spans else rng.randint(0, len(data))


def _insert(data: bytes, at: int, text: bytes) -> bytes:
    return data[:at] + text + data[at:]


def _insert_randomly(rng: random.Random, data: bytes, pieces: Sequence[bytes], count: int) -> bytes:
    """Insert ``count`` pieces drawn from ``pieces`` at random offsets."""
    for _ in range(count):
        data = _insert(data, rng.randint(0, len(data)), rng.choice(pieces))
    return data


def _wrap(data: bytes, span: tuple[int, int], before: bytes, after: bytes) -> bytes:
    start, end = span
    return data[:start] + before + data[start:end] + after + data[end:]


def _nesting_target(rng: random.Random, data: bytes) -> tuple[int, int]:
    """A statement line or a whole function body to wrap (an empty span at a random offset if neither)."""
    statements, bodies = _statement_spans(data), _body_spans(data)
    if bodies and (not statements or rng.random() < 0.4):
        return rng.choice(bodies)
    if statements:
        return rng.choice(statements)
    at = rng.randint(0, len(data))
    return at, at


# ---------------------------------------------------------------------------
# The mutators. Each takes the seeded RNG and the bytes, returns new bytes.
# ---------------------------------------------------------------------------


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    """Flip one bit, or xor a random value, into 1-16 random bytes."""
    if not data:
        return bytes([rng.randrange(256)])
    buf = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        i = rng.randrange(len(buf))
        buf[i] ^= (1 << rng.randrange(8)) if rng.random() < 0.5 else rng.randrange(1, 256)
    return bytes(buf)


def truncate(rng: random.Random, data: bytes) -> bytes:
    """Cut the file at a random point (mid-token, mid-comment, mid-function)."""
    return data[: rng.randint(0, len(data))]


def delete_lines(rng: random.Random, data: bytes) -> bytes:
    """Delete 1-10 lines, scattered or as one contiguous block."""
    lines = data.splitlines(keepends=True)
    if not lines:
        return data
    count = rng.randint(1, min(10, len(lines)))
    if rng.random() < 0.5:
        start = rng.randrange(len(lines) - count + 1)
        doomed = set(range(start, start + count))
    else:
        doomed = set(rng.sample(range(len(lines)), count))
    return b"".join(line for i, line in enumerate(lines) if i not in doomed)


def duplicate_chunk(rng: random.Random, data: bytes) -> bytes:
    """Copy a random slice (up to 4 KB) 1-20 times to a random offset (duplicate definitions, labels...)."""
    if not data:
        return data
    start = rng.randrange(len(data))
    chunk = data[start : start + rng.randint(1, 4096)]
    copies = rng.randint(1, 20)
    return _insert(data, rng.randint(0, len(data)), chunk * copies)


def deep_braces(rng: random.Random, data: bytes) -> bytes:
    """Wrap a statement or a whole function body in 200-3000 levels of ``{ }``."""
    depth = rng.randint(200, 3000)
    sep = rng.choice([b"", b" ", b"\n"])
    return _wrap(data, _nesting_target(rng, data), (b"{" + sep) * depth, (b"}" + sep) * depth)


def deep_ifs(rng: random.Random, data: bytes) -> bytes:
    """Wrap a statement or a whole body in 100-2000 nested ``if (c) {`` (or ``while``) levels."""
    depth = rng.randint(100, 2000)
    condition = rng.choice([b"1", b"x", b"0", b"!0", b"sizeof(int)"])
    keyword = rng.choice([b"if", b"if", b"while"])
    opening = keyword + b" (" + condition + b") {" + rng.choice([b"", b"\n"])
    return _wrap(data, _nesting_target(rng, data), opening * depth, b"}" * depth)


def deep_parens(rng: random.Random, data: bytes) -> bytes:
    """Thousands of nested parentheses: around a returned expression, or in a new ``(void)`` statement."""
    depth = rng.randint(500, 5000)
    returns = list(_RETURN_EXPR.finditer(data))
    if returns and rng.random() < 0.5:
        return _wrap(data, rng.choice(returns).span(1), b"(" * depth, b")" * depth)
    inner = rng.choice([b"0", b"x", b"1 + 2", b"(int)1"])
    statement = b"\n    (void)" + b"(" * depth + inner + b")" * depth + b";"
    return _insert(data, _statement_end(rng, data), statement)


def _long_line_text(rng: random.Random, size: int) -> bytes:
    """One line of about ``size`` bytes, in one of several shapes."""
    shape = rng.choice(["comment", "block_comment", "string", "sum", "identifier", "empty_statements", "macro"])
    if shape == "comment":
        return b"\n// " + b"x" * size + b"\n"
    if shape == "block_comment":
        return b"/* " + b"y" * size + b" */"
    if shape == "string":
        return b'\n    { static const char fz_long[] = "' + b"A" * size + b'"; (void)fz_long; }'
    if shape == "sum":
        return b"\n    { int fz_sum = 1" + b" + 1" * (size // 4) + b"; (void)fz_sum; }"
    if shape == "identifier":
        return b"\n    { int " + b"fz_" + b"i" * size + b" = 0; }"
    if shape == "empty_statements":
        return b"\n    " + b";" * size
    return b"\n#define FZ_LONG " + b"(1)+" * (size // 4) + b"0\n"


def long_line(rng: random.Random, data: bytes) -> bytes:
    """Insert a 50-300 KB line (comment, string, sum, identifier, empty statements or macro)."""
    text = _long_line_text(rng, rng.randint(50_000, 300_000))
    return _insert(data, _statement_end(rng, data), text)


def insert_nul(rng: random.Random, data: bytes) -> bytes:
    """Insert 1-8 NUL bytes (a run of them, sometimes) at random offsets."""
    return _insert_randomly(rng, data, [b"\x00", b"\x00\x00\x00\x00"], rng.randint(1, 8))


INVALID_UTF8 = [
    b"\xff\xfe",  # never valid in UTF-8 (and a UTF-16 LE BOM)
    b"\xfe\xff",
    b"\x80",  # lone continuation bytes
    b"\xbf\xbf",
    b"\xc0\xaf",  # overlong '/'
    b"\xc1\xbf",
    b"\xe0\x80\xaf",  # overlong, three bytes
    b"\xf0\x80\x80\xaf",  # overlong, four bytes
    b"\xed\xa0\x80",  # an encoded UTF-16 surrogate
    b"\xf4\x90\x80\x80",  # beyond U+10FFFF
    b"\xf8\x88\x80\x80\x80",  # five-byte form
    b"\xc3",  # truncated sequence
    b"\xe2\x82",
]


def invalid_utf8(rng: random.Random, data: bytes) -> bytes:
    """Insert 1-6 invalid UTF-8 sequences: stray, overlong, surrogate, truncated."""
    return _insert_randomly(rng, data, INVALID_UTF8, rng.randint(1, 6))


def newline_mix(rng: random.Random, data: bytes) -> bytes:
    """Re-end the lines with CRLF, CR, LF (or CR CR LF), all alike or mixed at random."""
    lines = data.splitlines()
    endings = [b"\n", b"\r\n", b"\r", b"\r\r\n"]
    if rng.random() < 0.4:
        ending = rng.choice(endings)
        return ending.join(lines) + (ending if rng.random() < 0.5 else b"")
    return b"".join(line + rng.choice(endings) for line in lines)


def bom(rng: random.Random, data: bytes) -> bytes:
    """A byte-order mark: UTF-8/16/32 at the start, one in the middle, two, or the file re-encoded as UTF-16."""
    marks = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00"]
    variant = rng.choice(["start", "start", "middle", "double", "utf16"])
    if variant == "start":
        return rng.choice(marks) + data
    if variant == "middle":
        return _insert(data, rng.randint(0, len(data)), rng.choice(marks))
    if variant == "double":
        return marks[0] + marks[0] + data
    encoding = rng.choice(["utf-16", "utf-16-le", "utf-16-be"])
    return data.decode("utf-8", "replace").encode(encoding)


UNBALANCED = [b"/*", b"/* ", b"*/", b"}", b"}}", b"{", b"(", b")", b"["]
UNBALANCED += [b"#if 0\n", b"#endif\n", b"#else\n", b"\n#ifdef FZ\n"]


def unbalanced(rng: random.Random, data: bytes) -> bytes:
    """Insert 1-4 unbalanced tokens: ``/*`` without end, stray ``}``, ``#if`` without ``#endif``..."""
    return _insert_randomly(rng, data, UNBALANCED, rng.randint(1, 4))


UNTERMINATED = [b'"abc', b'"', b"'", b"'a", b'L"wide', b"L'", b'"\\', b"'\\", b'R"(raw', b"\\\n"]


def unterminated_literal(rng: random.Random, data: bytes) -> bytes:
    """An unterminated string or char literal: inserted, or an existing string's closing quote removed."""
    strings = list(_STRING_LITERAL.finditer(data))
    if strings and rng.random() < 0.4:
        end = rng.choice(strings).end()
        return data[: end - 1] + data[end:]
    if rng.random() < 0.2:
        return data + rng.choice(UNTERMINATED)
    return _insert_randomly(rng, data, UNTERMINATED, rng.randint(1, 3))


def else_if_chain(rng: random.Random, data: bytes) -> bytes:
    """A block with an ``if / else if`` chain of 300-5000 branches, after a statement."""
    branches = rng.randint(300, 5000)
    body = rng.choice([b"fz = %d;", b"fz += %d;", b"", b"if (fz > %d) fz = 0;"])
    parts = [b"\n    { int fz = 0;\n    if (fz == 0) { fz = 1; }"]
    for i in range(1, branches):
        action = body % i if b"%d" in body else body
        parts.append(b"\n    else if (fz == %d) { %s }" % (i, action))
    parts.append(b"\n    else { fz = -1; }\n    (void)fz; }")
    return _insert(data, _statement_end(rng, data), b"".join(parts))


def delete_semicolons(rng: random.Random, data: bytes) -> bytes:
    """Delete 1-20 random ``;``, or each one with probability 1/3."""
    positions = [i for i, byte in enumerate(data) if byte == ord(";")]
    if not positions:
        return data
    if rng.random() < 0.3:
        doomed = {i for i in positions if rng.random() < 1 / 3}
    else:
        doomed = set(rng.sample(positions, rng.randint(1, min(20, len(positions)))))
    return bytes(byte for i, byte in enumerate(data) if i not in doomed)


MUTATORS: dict[str, Mutator] = {
    "flip_bytes": flip_bytes,
    "truncate": truncate,
    "delete_lines": delete_lines,
    "duplicate_chunk": duplicate_chunk,
    "deep_braces": deep_braces,
    "deep_ifs": deep_ifs,
    "deep_parens": deep_parens,
    "long_line": long_line,
    "insert_nul": insert_nul,
    "invalid_utf8": invalid_utf8,
    "newline_mix": newline_mix,
    "bom": bom,
    "unbalanced": unbalanced,
    "unterminated_literal": unterminated_literal,
    "else_if_chain": else_if_chain,
    "delete_semicolons": delete_semicolons,
}


# ---------------------------------------------------------------------------
# Mutants: seed -> (fixture, mutators, bytes), and on disk one directory each.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    """One mutant: everything here is a function of ``seed`` (and the fixture list)."""

    seed: int
    source: str  # the fixture, relative to the repository root, with '/'
    mutators: tuple[str, ...]
    data: bytes = field(repr=False)

    @property
    def label(self) -> str:
        return f"seed {self.seed} ({self.source}; {' + '.join(self.mutators)}; {len(self.data)} bytes)"

    @property
    def dirname(self) -> str:
        return f"{MUTANT_DIR_PREFIX}{self.seed}"


def rng_for(seed: int) -> random.Random:
    """The one RNG a mutant is made from."""
    return random.Random(f"ddilint-fuzz:{seed}")


def mutate(seed: int, data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """The mutant of ``data`` for ``seed``: 1-3 distinct mutators (1 most often), applied in order."""
    rng = rng_for(seed)
    rng.random()  # the first draw picks the fixture (see make_mutant); skip it so both agree
    return _apply(rng, data)


def _apply(rng: random.Random, data: bytes) -> tuple[bytes, tuple[str, ...]]:
    count = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
    names = tuple(rng.sample(sorted(MUTATORS), count))
    for name in names:
        data = MUTATORS[name](rng, data)
    return data, names


@cache
def fixture_sources(root: Path = FIXTURES) -> tuple[str, ...]:
    """Every ``*.c`` under the fixtures, relative to the repository root, sorted (the seed indexes this)."""
    return tuple(sorted(p.relative_to(ROOT).as_posix() for p in root.rglob("*.c")))


def make_mutant(seed: int, sources: Sequence[str] | None = None) -> Mutant:
    """The mutant for ``seed``: the fixture is chosen by the seed's first draw, then mutated."""
    sources = sources if sources is not None else fixture_sources()
    rng = rng_for(seed)
    source = sources[int(rng.random() * len(sources))]
    data, names = _apply(rng, (ROOT / source).read_bytes())
    return Mutant(seed, source, names, data)


def write_mutant(mutant: Mutant, root: Path) -> Path:
    """Write ``root/mut-SEED/NAME.c`` plus the headers of the fixture's directory; return the directory."""
    directory = root / mutant.dirname
    directory.mkdir(parents=True, exist_ok=True)
    source = ROOT / mutant.source
    for header in source.parent.glob("*.h"):
        shutil.copyfile(header, directory / header.name)
    (directory / f"{source.stem}.c").write_bytes(mutant.data)
    return directory


# ---------------------------------------------------------------------------
# Running ddilint on mutants and judging the outcome.
# ---------------------------------------------------------------------------


def ddilint_command() -> list[str]:
    """How to start the ddilint of this interpreter: ``-m ddilint`` when the package allows it,
    else the console script next to ``sys.executable``, else a ``-c`` call of its entry point."""
    import importlib.util

    if importlib.util.find_spec("ddilint.__main__") is not None:
        return [sys.executable, "-m", "ddilint"]
    script = Path(sys.executable).parent / ("ddilint.exe" if os.name == "nt" else "ddilint")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from ddilint.cli import main; sys.exit(main())"]


@dataclass
class RunOptions:
    """How each ``ddilint check`` subprocess runs."""

    jobs: int = 2
    timeout: float = 20  # ddilint's per-file limit (--timeout)
    wall_limit: float = 240  # the whole subprocess's limit

    def check_args(self, frontend: str, output: Path) -> list[str]:
        args = ["check", "--no-cache", "--format", "json", "--output", str(output), "--frontend", frontend]
        return [*args, "--jobs", str(self.jobs), "--timeout", f"{self.timeout:g}"]


@dataclass
class RunOutcome:
    """What one ``ddilint check`` subprocess did."""

    command: list[str]
    returncode: int | None  # None: killed at the wall-clock limit
    elapsed: float
    stderr: str
    report: dict | None
    crash: str | None  # why the whole run counts as a crash, if it does


def _run_process(command: list[str], cwd: Path, wall_limit: float) -> tuple[int | None, str, float]:
    """Run ``command``; at the wall-clock limit kill its whole process group (ddilint's workers too)."""
    start = time.monotonic()
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=os.name != "nt",
    )
    try:
        _, err = proc.communicate(timeout=wall_limit)
        returncode: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        if os.name == "nt":
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        returncode = None
    return returncode, err.decode("utf-8", "replace"), time.monotonic() - start


def _run_crash(returncode: int | None, stderr: str, report: dict | None, wall_limit: float) -> str | None:
    """The reason a run counts as a crash as a whole (None when it does not)."""
    if returncode is None:
        return f"exceeded the wall-clock limit of {wall_limit:g} s"
    if returncode < 0:
        return f"killed by signal {-returncode} ({_signal_name(-returncode)})"
    if returncode not in EXIT_CODES_OK:
        return f"exit code {returncode}"
    if "Traceback" in stderr:
        return "a Python traceback on stderr: " + _tail(stderr)
    # A per-file internal error is also a JSON notification naming its mutant (attributed from there);
    # one that names no mutant (``ddilint: internal error: ...``) is the whole run's.
    internal = [line for line in stderr.splitlines() if "internal error" in line.lower() and not _names_mutant(line)]
    if internal:
        return "stderr: " + internal[0][:500]
    if report is None:
        return f"no valid JSON report (exit code {returncode}); stderr: {_tail(stderr)}"
    return None


def _names_mutant(line: str) -> bool:
    return _MUTANT_DIR.search(line.replace("\\", "/")) is not None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown"


def _tail(text: str, limit: int = 600) -> str:
    text = text.strip()
    return text if len(text) <= limit else "..." + text[-limit:]


def _read_report(path: Path) -> dict | None:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) else None


def run_ddilint(target: Path, frontend: str, options: RunOptions, output: Path) -> RunOutcome:
    """``ddilint check TARGET`` in a subprocess, from TARGET's parent (so reported paths start with mut-SEED/)."""
    output.unlink(missing_ok=True)
    command = [*ddilint_command(), *options.check_args(frontend, output), target.name]
    returncode, stderr, elapsed = _run_process(command, target.parent, options.wall_limit)
    report = _read_report(output)
    crash = _run_crash(returncode, stderr, report, options.wall_limit)
    return RunOutcome(command, returncode, elapsed, stderr, report, crash)


# ---------------------------------------------------------------------------
# Problems and batches.
# ---------------------------------------------------------------------------


@dataclass
class Problem:
    """A crash or a hang, with what reproduces it."""

    kind: str  # "crash" or "hang"
    frontend: str
    reason: str
    mutant: Mutant | None  # None: a batch crash no single mutant reproduces
    seeds: tuple[int, ...] = ()
    timeout: float | None = None  # the --timeout of the run that found it

    def describe(self) -> str:
        who = self.mutant.label if self.mutant else f"batch of seeds {_seed_ranges(self.seeds)} (not reproduced alone)"
        return f"{self.kind} with --frontend {self.frontend}: {who}: {self.reason}\n    reproduce: {self.reproduce()}"

    def reproduce(self) -> str:
        """The command that runs the culprit again (the whole batch when no single mutant is one)."""
        limit = f" --timeout {self.timeout:g}" if self.timeout is not None else ""
        if self.mutant:
            return f"python bench/fuzz_campaign.py --reproduce {self.mutant.seed} --frontend {self.frontend}{limit}"
        first, count = min(self.seeds), len(self.seeds)
        return (
            f"python bench/fuzz_campaign.py --seed {first} --mutants {count} --batch-size {count}"
            f" --frontend {self.frontend}{limit}"
        )


def _seed_ranges(seeds: Sequence[int]) -> str:
    return f"{min(seeds)}..{max(seeds)}" if seeds else "(none)"


@dataclass
class BatchResult:
    """The outcome of one batch: its problems and how long the batch run took."""

    frontend: str
    mutants: list[Mutant]
    elapsed: float
    problems: list[Problem] = field(default_factory=list)


def _notification_problems(report: dict, frontend: str, by_seed: dict[int, Mutant]) -> list[Problem]:
    """Hangs (``--timeout`` notifications) and per-file internal errors, attributed by the mutant directory."""
    problems = []
    for note in report.get("notifications", []):
        message = str(note.get("message", ""))
        kind = "hang" if "--timeout" in message else "crash" if "internal error" in message.lower() else None
        if kind is None:
            continue
        match = _MUTANT_DIR.search(str(note.get("file") or "").replace("\\", "/") + "/")
        mutant = by_seed.get(int(match.group(1))) if match else None
        seeds = () if mutant else tuple(by_seed)
        problems.append(Problem(kind, frontend, f"{note.get('file')}: {message}", mutant, seeds))
    return problems


def mutant_problems(outcome: RunOutcome, mutant: Mutant, frontend: str) -> list[Problem]:
    """The problems of a run of ``mutant`` alone."""
    if outcome.crash:
        return [Problem("crash", frontend, outcome.crash, mutant)]
    return _notification_problems(outcome.report or {}, frontend, {mutant.seed: mutant})


def check_mutant(mutant: Mutant, root: Path, frontend: str, options: RunOptions) -> list[Problem]:
    """Run one (already written) mutant alone and return its problems."""
    outcome = run_ddilint(root / mutant.dirname, frontend, options, root / f"report-{mutant.seed}.json")
    return _with_timeout(mutant_problems(outcome, mutant, frontend), options)


def _with_timeout(problems: list[Problem], options: RunOptions) -> list[Problem]:
    for problem in problems:
        problem.timeout = options.timeout
    return problems


def _isolate(mutants: list[Mutant], root: Path, frontend: str, options: RunOptions, reason: str) -> list[Problem]:
    """After a batch crash: each mutant alone (``options.jobs`` at a time, one process each) to name the culprit."""
    single = RunOptions(jobs=1, timeout=options.timeout, wall_limit=options.wall_limit)
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        found = [p for ps in pool.map(lambda m: check_mutant(m, root, frontend, single), mutants) for p in ps]
    crashes = [p for p in found if p.kind == "crash"]
    if not crashes:
        seeds = tuple(m.seed for m in mutants)
        found.append(Problem("crash", frontend, f"{reason} (no mutant crashes alone)", None, seeds))
    return _with_timeout(found, options)


def run_batch(mutants: list[Mutant], root: Path, frontend: str, options: RunOptions) -> BatchResult:
    """Write the mutants under ``root/batch`` and analyze them with one ``ddilint check``; isolate on a crash."""
    batch_dir = root / "batch"
    batch_dir.mkdir(parents=True, exist_ok=True)
    for mutant in mutants:
        write_mutant(mutant, batch_dir)
    outcome = run_ddilint(batch_dir, frontend, options, root / "report.json")
    by_seed = {m.seed: m for m in mutants}
    result = BatchResult(frontend, mutants, outcome.elapsed)
    if outcome.crash:
        result.problems = _isolate(mutants, batch_dir, frontend, options, outcome.crash)
    else:
        result.problems = _with_timeout(_notification_problems(outcome.report or {}, frontend, by_seed), options)
    return result


def plan_batches(
    seeds: Iterable[int], batch_size: int = 50, pycparser_size: int | None = None
) -> list[tuple[str, list[int]]]:
    """Split the seeds into batches that alternate libclang and pycparser; pycparser, the slower
    pure-Python frontend, gets a third of libclang's batch size by default (about 1/4 of the mutants)."""
    small = pycparser_size if pycparser_size is not None else max(1, batch_size // 3)
    batches: list[tuple[str, list[int]]] = []
    pending = list(seeds)
    while pending:
        frontend = FRONTENDS[len(batches) % 2]
        size = batch_size if frontend == "libclang" else small
        batches.append((frontend, pending[:size]))
        pending = pending[size:]
    return batches
