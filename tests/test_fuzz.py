"""A bounded, seeded mutation-fuzzing batch: ddilint must neither crash nor hang on broken input.

About 300 mutants of the fixture ``*.c`` files (see ``tests/fuzzing.py`` for the mutators) are
analyzed in batches of one ``ddilint check`` subprocess each, alternating the libclang and the
pure-Python pycparser frontend (which gets smaller batches: it is several times slower). A crash
(exit code outside 0-2, a signal, a traceback, an internal error, the wall-clock limit, no JSON
report) or a hang (a ``--timeout`` notification) fails the batch's test, naming the seed, the
fixture and the mutators, with the command that reproduces it. The seeds are fixed so a CI failure
reproduces locally; ``DDILINT_FUZZ_SEED`` shifts them (``DDILINT_FUZZ_MUTANTS`` changes the count)
to explore further. The long campaign is ``bench/fuzz_campaign.py``.
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
from pathlib import Path

import pytest

from tests import fuzzing
from tests.fuzzing import (
    MUTATORS,
    Mutant,
    Problem,
    RunOptions,
    _notification_problems,
    _run_crash,
    fixture_sources,
    make_mutant,
    mutate,
    plan_batches,
    run_batch,
    write_mutant,
)

FIRST_SEED = int(os.environ.get("DDILINT_FUZZ_SEED", "0"))
MUTANTS = int(os.environ.get("DDILINT_FUZZ_MUTANTS", "300"))
BATCHES = plan_batches(range(FIRST_SEED, FIRST_SEED + MUTANTS), batch_size=50)
OPTIONS = RunOptions(jobs=2, timeout=20, wall_limit=240)


def _batch_id(batch: tuple[str, list[int]]) -> str:
    frontend, seeds = batch
    return f"{frontend}-seeds{seeds[0]}-{seeds[-1]}"


@pytest.mark.parametrize("batch", BATCHES, ids=[_batch_id(b) for b in BATCHES])
def test_mutants_neither_crash_nor_hang(batch: tuple[str, list[int]], tmp_path: Path) -> None:
    frontend, seeds = batch
    if frontend == "libclang" and importlib.util.find_spec("clang") is None:
        pytest.skip("the libclang Python package is not installed")
    result = run_batch([make_mutant(seed) for seed in seeds], tmp_path, frontend, OPTIONS)
    if result.problems:  # pytest.fail: the assertion rewrite would print every mutant's bytes
        crashes = sum(1 for p in result.problems if p.kind == "crash")
        hangs = len(result.problems) - crashes
        details = "\n".join(p.describe() for p in result.problems)
        pytest.fail(f"{crashes} crash(es), {hangs} hang(s) in {_batch_id(batch)}:\n{details}", pytrace=False)


# The engine itself: cheap checks that keep the seeds meaningful.


def test_a_seed_names_one_mutant() -> None:
    for seed in range(40):
        first, again = make_mutant(seed), make_mutant(seed)
        assert first == again, f"seed {seed} is not deterministic"
        data, names = mutate(seed, (Path(__file__).parent.parent / first.source).read_bytes())
        assert (data, names) == (first.data, first.mutators), f"mutate() and make_mutant() disagree on seed {seed}"


def test_every_mutator_is_deterministic_and_returns_bytes() -> None:
    source = (Path(__file__).parent.parent / fixture_sources()[0]).read_bytes()
    for name, mutator in MUTATORS.items():
        for data in (source, b"", b"x"):
            first = mutator(random.Random(f"{name}-1"), data)
            assert isinstance(first, bytes), name
            assert first == mutator(random.Random(f"{name}-1"), data), f"{name} is not deterministic"


def test_the_ci_batch_uses_every_mutator_and_both_frontends() -> None:
    used = {name for seed in range(300) for name in make_mutant(seed).mutators}
    assert used == set(MUTATORS)
    assert {frontend for frontend, _ in plan_batches(range(300))} == {"libclang", "pycparser"}
    assert sorted(s for _, seeds in plan_batches(range(300)) for s in seeds) == list(range(300))


def test_a_mutant_is_a_c_file_in_its_own_directory(tmp_path: Path) -> None:
    mutant = Mutant(7, "fixtures/DDI002/neg_multi_file_register_helper/driver.c", ("truncate",), b"int x;")
    directory = write_mutant(mutant, tmp_path)
    assert directory == tmp_path / "mut-7"
    assert (directory / "driver.c").read_bytes() == b"int x;"
    assert (directory / "loadmon.h").is_file()  # the fixture's headers come along


def test_what_counts_as_a_crash() -> None:
    report = {"notifications": []}
    assert _run_crash(0, "", report, 240) is None
    assert _run_crash(1, "", report, 240) is None
    assert _run_crash(2, "ddilint: error: no such file", report, 240) is None
    assert "signal 11" in _run_crash(-11, "", report, 240)
    assert "exit code 3" in _run_crash(3, "", report, 240)
    assert "wall-clock" in _run_crash(None, "", None, 240)
    assert "traceback" in _run_crash(0, "Traceback (most recent call last):", report, 240)
    assert "internal error" in _run_crash(2, "ddilint: internal error: KeyError: 'x'", report, 240)
    assert "JSON" in _run_crash(1, "", None, 240)
    # a per-file internal error is attributed from its JSON notification, not counted for the whole run
    assert _run_crash(2, "batch/mut-3/a.c: error: internal error in DDI002: KeyError: 1", report, 240) is None


def test_notifications_name_the_mutant() -> None:
    mutant = Mutant(12, "fixtures/x.c", ("deep_ifs",), b"")
    report = {
        "notifications": [
            {"message": "parse error: expected ';'", "file": "batch/mut-12/x.c"},
            {
                "message": "not analyzed: took longer than the time limit of 20 s (--timeout)",
                "file": "batch/mut-12/x.c",
            },
            {"message": "internal error in DDI002 on this driver: KeyError: 1", "file": "mut-12/x.c"},
        ]
    }
    problems = _notification_problems(report, "libclang", {12: mutant})
    assert [(p.kind, p.mutant) for p in problems] == [("hang", mutant), ("crash", mutant)]
    assert all(isinstance(p, Problem) and "--reproduce 12" in p.describe() for p in problems)
    batch_crash = Problem("crash", "pycparser", "exit code 3", None, (40, 41, 42), timeout=20)
    assert batch_crash.reproduce().endswith("--seed 40 --mutants 3 --batch-size 3 --frontend pycparser --timeout 20")


FAKE_DDILINT = """
import json, os, signal, sys, time
args = sys.argv[1:]
out, target = args[args.index("--output") + 1], args[-1]
if target == "batch" or target == "mut-2":  # the batch, and mutant 2 alone, die of a signal
    os.kill(os.getpid(), signal.SIGSEGV)
if target == "mut-3":
    time.sleep(30)
with open(out, "w") as f:
    json.dump({"notifications": []}, f)
"""


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_a_crashing_batch_is_rerun_mutant_by_mutant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fuzzing, "ddilint_command", lambda: [sys.executable, "-c", FAKE_DDILINT])
    mutants = [Mutant(seed, "fixtures/x.c", ("truncate",), b"int x;") for seed in (1, 2, 3)]
    result = run_batch(mutants, tmp_path, "libclang", RunOptions(jobs=2, timeout=20, wall_limit=3))
    assert [(p.mutant.seed if p.mutant else None, p.reason.split(" (")[0]) for p in result.problems] == [
        (2, "killed by signal 11"),
        (3, "exceeded the wall-clock limit of 3 s"),
    ]
    assert "--reproduce 2 --frontend libclang --timeout 20" in result.problems[0].describe()
