"""The two frontends: the pure-Python one gives the same findings as libclang, and ``auto`` falls back to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ddilint.cli import main
from ddilint.frontend import select
from ddilint.frontend.libclang_bindings import FrontendUnavailableError
from tests.conftest import FIXTURES, ROOT
from tests.test_fixtures import fixture_paths


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


@pytest.mark.parametrize("fixture", c_fixtures(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_both_frontends_find_the_same(fixture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(FIXTURES.parent)
    target = str(fixture.relative_to(FIXTURES.parent))
    _, clang = findings(tmp_path, target, "--frontend", "libclang")
    _, pure = findings(tmp_path, target, "--frontend", "pycparser")
    assert [n for n in pure["notifications"] if n["level"] == "error"] == []
    assert key(pure) == key(clang)


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
