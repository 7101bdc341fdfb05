"""Limits on hostile input: time and memory per file, time per driver, file size, deep code, and failures
contained per file (a bug or a crashed parser in one file never hides the findings of the others)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from ddilint import isolation
from ddilint.checks import CHECKS
from ddilint.deadline import TimeLimitError, time_limit
from ddilint.isolation import Limits, run_limited
from tests.conftest import FIXTURES, run_cli

LEAKY = (FIXTURES / "DDI001" / "pos_wrapper_dropped.c").read_text(encoding="utf-8")
LEAKY_FINDINGS = 2
ENTRY = "NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r)\n{\n    UNREFERENCED_PARAMETER(d);\n"
ENTRY_END = "    PsSetLoadImageNotifyRoutine(NULL);\n    return STATUS_SUCCESS;\n}\n"
MACRO_BOMB = "#include <ntddk.h>\n#define A0 x\n" + "".join(f"#define A{i} A{i - 1} A{i - 1}\n" for i in range(1, 40))
MACRO_BOMB += "int v = A39;\n"
needs_fork = pytest.mark.skipif(
    not hasattr(os, "fork"), reason="the parse runs in a child process only where fork exists"
)


@pytest.fixture(autouse=True)
def _restore_limits():
    before = isolation.current()
    yield
    isolation.configure(before)


def driver(tmp_path: Path, name: str, text: str) -> Path:
    """``text`` as the only file of a driver directory of its own."""
    directory = tmp_path / name
    directory.mkdir()
    path = directory / f"{name}.c"
    path.write_text(text, encoding="utf-8")
    return path


def messages(report: dict) -> list[str]:
    return [n["message"] for n in report["notifications"]]


# ----------------------------------------------------------------- the child process


@needs_fork
def test_a_runaway_parse_is_stopped_at_the_time_limit():
    isolation.configure(Limits(timeout=1))
    started = time.monotonic()
    result = run_limited(lambda: time.sleep(30))
    assert time.monotonic() - started < 10
    assert result.value is None and not result.internal and "time limit of 1 s" in (result.failure or "")


@needs_fork
def test_a_crashing_parser_is_one_failure_not_a_crash_of_the_run():
    result = run_limited(lambda: os.kill(os.getpid(), signal.SIGSEGV))
    assert result.internal and "crashed (SIGSEGV" in (result.failure or "")


@needs_fork
def test_a_parse_past_the_memory_limit_fails_alone():
    isolation.configure(Limits(timeout=30, memory=512 * 1024**2))
    result = run_limited(lambda: bytearray(2 * 1024**3))
    assert not result.internal and "ran out of memory (limit 512 MiB)" in (result.failure or "")


def test_exceptions_come_back_with_the_value_or_the_failure():
    assert run_limited(lambda: [1, 2, 3]).value == [1, 2, 3]
    failed = run_limited(lambda: 1 / 0)
    assert failed.internal and failed.failure == "ZeroDivisionError: division by zero"
    isolation.configure(Limits(timeout=0))  # in-process: the same contract
    assert run_limited(lambda: {"a": 1}).value == {"a": 1}
    assert run_limited(lambda: 1 / 0).failure == "ZeroDivisionError: division by zero"


# ----------------------------------------------------------------- the checks' time limit


def test_python_work_past_the_limit_is_interrupted():
    started = time.monotonic()
    with pytest.raises(TimeLimitError), time_limit(0.2):
        while True:
            pass
    assert time.monotonic() - started < 5


def test_blocks_that_end_in_time_never_leak_the_exception():
    for _ in range(200):
        with time_limit(0.2):
            sum(range(2000))
    time.sleep(0.5)  # a timer that was not cancelled would raise here


def test_an_exception_scheduled_as_the_block_ends_is_raised_inside_it_or_not_at_all():
    leaked = 0
    for _ in range(100):
        try:
            with time_limit(0.002):
                sum(range(20_000))  # about the limit: the timer fires before, during or after the exit
        except TimeLimitError:
            pass
        try:
            sum(range(100_000))  # after the block: a withdrawn exception must not surface here
        except TimeLimitError:
            leaked += 1
    assert leaked == 0


# ----------------------------------------------------------------- one file's trouble stays its own


@needs_fork
def test_a_macro_bomb_ends_as_a_notification_and_the_other_drivers_are_reported(tmp_path: Path):
    driver(tmp_path, "bomb", MACRO_BOMB)
    driver(tmp_path, "leaky", LEAKY)
    started = time.monotonic()
    code, report = run_cli([str(tmp_path), "--no-cache", "--timeout", "2", "--jobs", "1"], tmp_path)
    assert time.monotonic() - started < 30
    assert code == 1 and len(report["findings"]) == LEAKY_FINDINGS
    [note] = [n for n in report["notifications"] if n["file"].endswith("bomb.c")]
    assert note["level"] == "error" and "took longer than the time limit of 2 s (--timeout)" in note["message"]


def test_a_bug_in_a_check_is_exit_2_naming_the_driver_and_the_rest_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    [ddi002] = [c for c in CHECKS if c.code == "DDI002"]
    original = ddi002.run

    def broken(self, program):  # type: ignore[no-untyped-def]
        if any(u.path.endswith("odd.c") for u in program.units):
            raise KeyError("boom")
        return original(self, program)

    monkeypatch.setattr(ddi002, "run", broken)
    driver(tmp_path, "odd", LEAKY)
    driver(tmp_path, "leaky", LEAKY)
    code, report = run_cli([str(tmp_path), "--no-cache", "--jobs", "1"], tmp_path)
    assert code == 2
    [note] = [n for n in report["notifications"] if "internal error" in n["message"]]
    assert note["file"].endswith("odd.c") and "in DDI002 on this driver: KeyError" in note["message"]
    by_file = {f["file"].rsplit("/", 1)[-1] for f in report["findings"]}
    assert by_file == {"odd.c", "leaky.c"}  # odd.c keeps its DDI001 findings; leaky.c is whole


def test_a_bug_in_the_frontend_is_exit_2_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from ddilint.frontend import libclang_frontend

    original = libclang_frontend._lower_top_level

    def broken(tu, lowerer, unit):  # type: ignore[no-untyped-def]
        if unit.path.endswith("odd.c"):
            raise ValueError("lowering bug")
        return original(tu, lowerer, unit)

    monkeypatch.setattr(libclang_frontend, "_lower_top_level", broken)
    driver(tmp_path, "odd", LEAKY)
    driver(tmp_path, "leaky", LEAKY)
    code, report = run_cli([str(tmp_path), "--no-cache", "--jobs", "1", "--frontend", "libclang"], tmp_path)
    assert code == 2 and len(report["findings"]) == LEAKY_FINDINGS
    [note] = [n for n in report["notifications"] if "internal error" in n["message"]]
    assert note["file"].endswith("odd.c") and "ValueError: lowering bug" in note["message"]


def test_files_over_the_size_limit_are_skipped_with_a_notice(tmp_path: Path):
    driver(tmp_path, "big", LEAKY + "\n" + "/* padding */\n" * 200)
    driver(tmp_path, "leaky", LEAKY)
    code, report = run_cli([str(tmp_path), "--no-cache", "--max-file-size", "5K"], tmp_path)
    assert code == 1 and len(report["findings"]) == LEAKY_FINDINGS
    [note] = report["notifications"]
    assert note["file"].endswith("big.c") and "over the size limit of 5 KB (--max-file-size)" in note["message"]


def test_limits_come_from_the_configuration_too(tmp_path: Path):
    (tmp_path / "ddilint.toml").write_text('timeout = 5\nmax-file-size = "2K"\n', encoding="utf-8")
    driver(tmp_path, "leaky", LEAKY)
    code, report = run_cli([str(tmp_path), "--no-cache"], tmp_path)
    assert code == 2 and "over the size limit of 2 KB" in messages(report)[0]
    (tmp_path / "ddilint.toml").write_text('timeout = "soon"\n', encoding="utf-8")
    assert run_cli([str(tmp_path), "--no-cache"], tmp_path)[0] == 2


# ----------------------------------------------------------------- deep and wide code, both frontends


def _deep_programs() -> dict[str, str]:
    blocks = "    ULONG x = 0;\n" + "{\n" * 10_000 + "x++;\n" + "}\n" * 10_000
    arms = "    ULONG x = 0;\n    if (x == 0) { x = 1; }\n"
    arms += "".join(f"    else if (x == {i}) {{ x = {i + 1}; }}\n" for i in range(1, 5_000))
    functions = "".join(f"static ULONG F{i}(ULONG v) {{ return v + {i}; }}\n" for i in range(10_000))
    return {
        "nested_blocks": "#include <ntddk.h>\n" + ENTRY + blocks + ENTRY_END,
        "else_if_chain": "#include <ntddk.h>\n" + ENTRY + arms + ENTRY_END,
        "functions": "#include <ntddk.h>\n" + functions + ENTRY + "    F1(2);\n" + ENTRY_END,
    }


@pytest.mark.parametrize("frontend", ["libclang", "pycparser"])
@pytest.mark.parametrize("shape", sorted(_deep_programs()))
def test_deep_and_wide_code_is_analysed_without_recursion_errors(tmp_path: Path, shape: str, frontend: str):
    if frontend == "pycparser" and shape != "nested_blocks":
        pytest.skip("the pure-Python frontend is 2x slower; the nesting case is the one that differs")
    text = _deep_programs()[shape]
    path = driver(tmp_path, shape, text)
    code, report = run_cli([str(path), "--no-cache", "--frontend", frontend, "--timeout", "120"], tmp_path)
    assert report["notifications"] == []
    assert [(f["code"], f["line"]) for f in report["findings"]] == [("DDI001", text.count("\n") - 2)]
    assert code == 1


def test_nesting_beyond_what_can_be_analysed_is_a_notification(tmp_path: Path):
    text = "#include <ntddk.h>\nVOID F(int x)\n{\n" + "if (x) {\n" * 20_000 + "x++;\n" + "}\n" * 20_000 + "}\n"
    path = driver(tmp_path, "deeper", text)
    for frontend in ("libclang", "pycparser"):
        code, report = run_cli([str(path), "--no-cache", "--frontend", frontend], tmp_path)
        [note] = report["notifications"]
        assert "nested too deeply" in note["message"] and code in (0, 2)
        assert not any("internal error" in m for m in messages(report))


def test_bytes_that_are_not_utf8_in_literals_and_stray_tokens_are_analysed(tmp_path: Path):
    """libclang hands token and literal spellings over as UTF-8: an invalid byte must not stop the file."""
    text = LEAKY.replace("    NTSTATUS status;", '    PCSTR banner = "caf\udce9 \udcff";\n    NTSTATUS status;', 1)
    text = text.replace("return STATUS_SUCCESS;", "for \udcff\udcfe(;;) { break; }\n    return STATUS_SUCCESS;", 1)
    path = tmp_path / "bytes.c"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    for frontend in ("libclang", "pycparser"):
        code, report = run_cli([str(path), "--no-cache", "--frontend", frontend], tmp_path)
        assert not any("internal error" in m for m in messages(report)), frontend
        assert code in (1, 2) and report["summary"]["files_analyzed"] == 1


def test_a_driver_whose_checks_failed_is_not_remembered_by_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    [ddi001] = [c for c in CHECKS if c.code == "DDI001"]
    original = ddi001.run
    path = driver(tmp_path, "leaky", LEAKY)
    cache = ["--cache-dir", str(tmp_path / "cache"), "--jobs", "1"]
    monkeypatch.setattr(ddi001, "run", lambda self, program: (_ for _ in ()).throw(KeyError("boom")))
    assert run_cli([str(path), *cache], tmp_path)[0] == 2
    monkeypatch.setattr(ddi001, "run", original)
    code, report = run_cli([str(path), *cache], tmp_path)
    assert code == 1 and len(report["findings"]) == LEAKY_FINDINGS and report["notifications"] == []
