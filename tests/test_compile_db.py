"""compile_commands.json: per-file include paths, defines and forced includes, gcc and MSVC spellings."""

from __future__ import annotations

import json
from pathlib import Path

from ddilint.cli import main
from ddilint.compile_db import load_compile_db

SOURCE = """#include <ntddk.h>
#include "config.h"
VOID Cb(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO i) { }
VOID F(VOID) {
#if defined(MONITOR_IMAGES) && defined(FORCED)
    PsSetLoadImageNotifyRoutine(Cb);
#endif
}
"""


def make_tree(tmp_path: Path, entry_style: str) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "inc").mkdir()
    (tmp_path / "build").mkdir()
    (tmp_path / "src" / "driver.c").write_text(SOURCE)
    (tmp_path / "inc" / "config.h").write_text("#define MONITOR_IMAGES 1\n")
    (tmp_path / "inc" / "forced.h").write_text("#define FORCED 1\n")
    if entry_style == "msvc":
        entry = {
            "directory": str(tmp_path),
            "command": r"cl.exe /nologo /W4 /kernel /Iinc /DNDEBUG /FIinc\forced.h /std:c17 /c src\driver.c".replace(
                "\\", "/"
            ),
            "file": "src/driver.c",
        }
    else:
        entry = {
            "directory": str(tmp_path / "build"),
            "arguments": [
                "clang",
                "-I",
                "../inc",
                "-DNDEBUG",
                "-include",
                "../inc/forced.h",
                "-Wall",
                "--weird-flag",
                "-c",
                "../src/driver.c",
            ],
            "file": "../src/driver.c",
        }
    db = tmp_path / "build" / "compile_commands.json"
    db.write_text(json.dumps([entry]))
    return db


def test_gcc_style_arguments(tmp_path: Path):
    db = load_compile_db(str(make_tree(tmp_path, "gcc").parent))
    flags = db.files[str(tmp_path / "src" / "driver.c")]
    assert flags.include_dirs == (str(tmp_path / "inc"),)
    assert flags.defines == ("NDEBUG",)
    assert flags.forced_includes == (str(tmp_path / "inc" / "forced.h"),)
    assert any("--weird-flag" in n.message for n in db.notifications)


def test_msvc_style_command_and_analysis_use_the_flags(tmp_path: Path, capsys):
    db = make_tree(tmp_path, "msvc")
    out = tmp_path / "r.json"
    code = main(["check", "-p", str(db), "--format", "json", "--output", str(out)])
    report = json.loads(out.read_text())
    assert code == 1, report
    assert [(Path(f["file"]).name, f["line"], f["code"]) for f in report["findings"]] == [("driver.c", 6, "DDI001")]
    assert (
        main(["check", str(tmp_path / "src")]) == 0
    )  # without the database: config.h is not found, the code is #if-ed out


def test_bad_database_is_an_error(tmp_path: Path, capsys):
    (tmp_path / "compile_commands.json").write_text("{}")
    assert main(["check", "-p", str(tmp_path)]) == 2
    assert "JSON list" in capsys.readouterr().err
    assert main(["check"]) == 2
