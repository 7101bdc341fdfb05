"""Nothing from the analysed tree is executed: its configuration is data, its compilation database is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ddilint.cli import main
from tests.conftest import FIXTURES

LEAKY = (FIXTURES / "DDI001" / "pos_wrapper_dropped.c").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "line",
    [
        'plugins = ["evil_module"]',
        'output = "/etc/passwd"',
        'command = "rm -rf ~"',
        'import = "os"',
        '[tool]\nrun = "sh"',
    ],
)
def test_configuration_cannot_name_code_commands_or_outputs(tmp_path: Path, capsys, line: str):
    (tmp_path / "ddilint.toml").write_text(line + "\n", encoding="utf-8")
    (tmp_path / "d.c").write_text(LEAKY, encoding="utf-8")
    assert main(["check", str(tmp_path / "d.c"), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "ddilint.toml: " in err and "unknown key" in err and "Traceback" not in err


def test_a_compilation_database_is_read_never_run(tmp_path: Path, capsys):
    witness = tmp_path / "pwned"
    (tmp_path / "d.c").write_text(LEAKY, encoding="utf-8")
    entries = [
        {
            "directory": str(tmp_path),
            "command": f"touch {witness} && cl.exe /c d.c $(touch {witness}) `touch {witness}`",
            "file": "d.c",
        },
        {"directory": str(tmp_path), "arguments": ["sh", "-c", f"touch {witness}", "d.c"], "file": "d.c"},
    ]
    (tmp_path / "compile_commands.json").write_text(json.dumps(entries), encoding="utf-8")
    code = main(["check", "-p", str(tmp_path), "--no-cache", "--quiet"])
    assert code == 1 and not witness.exists()
