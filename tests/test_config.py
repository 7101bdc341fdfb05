"""Configuration files: discovery, validation, precedence, and ``ddilint config``."""

from __future__ import annotations

import json
from pathlib import Path

from ddilint.cli import main

DRIVER = """#include <ntddk.h>
VOID Cb(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO i) { }
VOID F(VOID) { PsSetLoadImageNotifyRoutine(Cb); }
"""


def run(tmp_path: Path, *args: str) -> tuple[int, dict]:
    out = tmp_path / "r.json"
    code = main(["check", *args, "--format", "json", "--output", str(out)])
    return code, json.loads(out.read_text())


def test_pyproject_table_is_found_by_walking_up(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.ddilint]\nignore = ["unchecked-status"]\n')
    (tmp_path / "drv").mkdir()
    (tmp_path / "drv" / "d.c").write_text(DRIVER)
    assert run(tmp_path, str(tmp_path / "drv"))[0] == 0
    assert run(tmp_path, str(tmp_path / "drv"), "--ignore", "DDI003")[0] == 1  # the command line wins


def test_severity_per_file_ignores_and_defines(tmp_path: Path):
    (tmp_path / "ddilint.toml").write_text(
        'defines = ["ENABLE=1"]\n[severity]\nDDI001 = "error"\n[per-file-ignores]\n"legacy/*" = ["DDI001"]\n'
    )
    for folder in ("new", "legacy"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "d.c").write_text(
            "#include <ntddk.h>\nVOID Cb(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO i) { }\n"
            "VOID F(VOID) {\n#if ENABLE\n    PsSetLoadImageNotifyRoutine(Cb);\n#endif\n}\n"
        )
    code, doc = run(tmp_path, str(tmp_path))
    assert code == 1
    assert [(Path(f["file"]).parent.name, f["severity"]) for f in doc["findings"]] == [("new", "error")]


def test_explicit_driver_units_span_directories(tmp_path: Path):
    (tmp_path / ".ddilint.toml").write_text('[[drivers]]\nname = "mon"\nfiles = ["src/*.c", "common/*.c"]\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "common").mkdir()
    (tmp_path / "src" / "entry.c").write_text(
        "#include <ntddk.h>\nNTSTATUS Register(VOID);\nVOID F(VOID) { Register(); }\n"
    )
    (tmp_path / "common" / "reg.c").write_text(
        "#include <ntddk.h>\nVOID Cb(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO i) { }\n"
        "NTSTATUS Register(VOID) { return PsSetLoadImageNotifyRoutine(Cb); }\n"
    )
    code, doc = run(tmp_path, str(tmp_path), "--select", "DDI001")
    assert code == 1
    assert [(Path(f["file"]).name, f["line"]) for f in doc["findings"]] == [("entry.c", 3)]  # wrapper seen


def test_bad_configuration_is_a_clear_error(tmp_path: Path, capsys):
    (tmp_path / "ddilint.toml").write_text('selct = ["DDI001"]\n')
    (tmp_path / "d.c").write_text(DRIVER)
    assert main(["check", str(tmp_path / "d.c")]) == 2
    err = capsys.readouterr().err
    assert "ddilint.toml: selct: unknown key" in err and "Traceback" not in err
    (tmp_path / "ddilint.toml").write_text('[severity]\nDDI001 = "fatal"\n')
    assert main(["check", str(tmp_path / "d.c")]) == 2
    assert "severity.DDI001: must be one of error, warning, note" in capsys.readouterr().err


def test_config_command_shows_values_and_origins(tmp_path: Path, capsys):
    (tmp_path / "ddilint.toml").write_text('select = ["DDI002"]\n')
    assert main(["config", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"# configuration: {tmp_path / 'ddilint.toml'}" in out
    assert "select = ['DDI002']  # file" in out and "ignore = []  # default" in out
