"""The two frontends: the pure-Python one gives the same findings as libclang, and ``auto`` falls back to it."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from ddilint.cli import main
from ddilint.frontend import select
from ddilint.frontend.libclang_bindings import FrontendUnavailableError
from ddilint.frontend.libclang_frontend import FrontendOptions
from ddilint.ir_dump import dump_unit
from tests.conftest import FIXTURES, ROOT
from tests.generated_drivers import generate
from tests.test_fixtures import fixture_paths

GENERATED_SEEDS = 200


def findings(tmp_path: Path, target: str, *args: str) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    code = main(["check", target, "--no-cache", "--format", "json", "--output", str(out), *args])
    return code, json.loads(out.read_text(encoding="utf-8"))


def key(report: dict) -> list[tuple]:
    return sorted((f["file"], f["line"], f["code"], f["message"]) for f in report["findings"])


def c_fixtures() -> list[Path]:
    return [
        p
        for p in fixture_paths()
        if p.suffix == ".c" or (p.is_dir() and not any(f.suffix == ".cpp" for f in p.rglob("*")))
    ]


def ir_difference(path: Path) -> str:
    """The unified diff of the normalized IR and CFG dumps of ``path`` by the two frontends ("" if equal)."""
    dumps = [
        dump_unit(select.parse_file(str(path), path.name, FrontendOptions(frontend=frontend)))
        for frontend in ("libclang", "pycparser")
    ]
    return "\n".join(difflib.unified_diff(*dumps, "libclang", "pycparser", lineterm="", n=1))


def examples() -> list[Path]:
    return sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())


@pytest.mark.parametrize("fixture", c_fixtures() + examples(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_both_frontends_find_the_same(fixture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(FIXTURES.parent)
    target = str(fixture)
    _, clang = findings(tmp_path, target, "--frontend", "libclang")
    _, pure = findings(tmp_path, target, "--frontend", "pycparser")
    assert [n for n in pure["notifications"] if n["level"] == "error"] == []
    assert key(pure) == key(clang)
    for source in [fixture] if fixture.is_file() else sorted(fixture.rglob("*.c")):
        assert ir_difference(source) == "", source


@pytest.mark.parametrize("seed", range(GENERATED_SEEDS), ids=lambda seed: f"seed-{seed}")
def test_generated_driver_is_lowered_and_judged_alike(seed: int, tmp_path: Path):
    """A seeded random driver (tests/generated_drivers.py): identical IR, CFG and findings.
    Reproduce a failure with ``generate(seed)``."""
    source = tmp_path / f"generated_{seed}.c"
    source.write_text(generate(seed), encoding="utf-8")
    assert ir_difference(source) == ""
    _, clang = findings(tmp_path, str(source), "--frontend", "libclang")
    _, pure = findings(tmp_path, str(source), "--frontend", "pycparser")
    assert key(pure) == key(clang)


def test_generated_drivers_exercise_every_rule(tmp_path: Path):
    """The generator is worth running: its programs produce findings of all three rules."""
    seen: set[str] = set()
    for seed in range(12):
        source = tmp_path / f"generated_{seed}.c"
        source.write_text(generate(seed), encoding="utf-8")
        _, report = findings(tmp_path, str(source), "--frontend", "libclang")
        seen |= {f["code"] for f in report["findings"]}
    assert seen == {"DDI001", "DDI002", "DDI003"}


def test_auto_falls_back_when_libclang_cannot_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    _, clang = findings(tmp_path, "examples/imagemon")

    def broken() -> None:
        raise FrontendUnavailableError("libclang could not be loaded (test)")

    monkeypatch.setattr(select, "cindex", broken)
    code, fallback = findings(tmp_path, "examples/imagemon")
    assert code == 1 and key(fallback) == key(clang)
    assert any("using the pure-Python frontend" in n["message"] for n in fallback["notifications"])


def test_cpp_needs_libclang(tmp_path: Path):
    src = tmp_path / "driver.cpp"
    src.write_text('#include <ntddk.h>\nextern "C" VOID F(VOID) { }\n', encoding="utf-8")
    code, report = findings(tmp_path, str(src), "--frontend", "pycparser")
    assert code == 2 and "C++ needs the libclang frontend" in report["notifications"][0]["message"]


def test_pure_python_frontend_skips_what_it_cannot_parse_and_analyses_the_rest(tmp_path: Path):
    src = tmp_path / "driver.c"
    src.write_text(
        "#include <ntddk.h>\n\nVOID Odd(VOID)\n{\n    int x = 1 +;\n}\n\n"
        "NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r)\n{\n"
        "    UNREFERENCED_PARAMETER(d);\n    UNREFERENCED_PARAMETER(r);\n"
        "    PsSetLoadImageNotifyRoutine(NULL);\n    return STATUS_SUCCESS;\n}\n",
        encoding="utf-8",
    )
    code, report = findings(tmp_path, str(src), "--frontend", "pycparser")
    assert code == 1 and [(f["line"], f["code"]) for f in report["findings"]] == [(12, "DDI001")]
    [note] = [n for n in report["notifications"] if n["level"] == "error"]
    assert note["line"] == 5 and "skipped" in note["message"]


def test_benchmark_corpus_is_lowered_alike(tmp_path: Path):
    """The benchmark's realistic drivers (bench/corpus.py, 58 files of 30k lines): identical IR and CFG."""
    from tests.test_bench_corpus import corpus

    corpus.generate(tmp_path / "corpus", seed=1)
    differing = []
    for source in sorted((tmp_path / "corpus").rglob("*.c")):
        options = [FrontendOptions(frontend=f, include_dirs=(str(source.parent),)) for f in ("libclang", "pycparser")]
        dumps = [dump_unit(select.parse_file(str(source), source.name, o)) for o in options]
        if dumps[0] != dumps[1]:
            differing.append(source.name)
    assert differing == []


def test_ir_dump_command_prints_what_the_checks_see(capsys: pytest.CaptureFixture[str]):
    from ddilint.ir_dump import main as dump_main

    for frontend in ("libclang", "pycparser"):
        assert dump_main([str(ROOT / "examples" / "imagemon" / "imagemon.c"), "--frontend", frontend]) == 0
        out = capsys.readouterr().out
        assert "function DriverEntry(" in out and "node 0 entry@" in out and "PsSetLoadImageNotifyRoutine@" in out
