"""End-to-end behaviour of the command line: exit codes, bad input, rule selection, rules/explain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ddilint.cli import main
from tests.conftest import ROOT

DRIVER = """#include <ntddk.h>
VOID ImageLoadNotify(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo)
{
    UNREFERENCED_PARAMETER(FullImageName);
    UNREFERENCED_PARAMETER(ProcessId);
    UNREFERENCED_PARAMETER(ImageInfo);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PsSetLoadImageNotifyRoutine(ImageLoadNotify);
    return STATUS_SUCCESS;
}
"""


def _ddilint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The real entry point in a subprocess, to see stdout, stderr and tracebacks as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "ddilint.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


@pytest.fixture
def driver(tmp_path: Path) -> Path:
    path = tmp_path / "drv" / "driver.c"
    path.parent.mkdir()
    path.write_text(DRIVER, encoding="utf-8")
    return path


def test_text_output_format_and_exit_code(driver: Path):
    proc = _ddilint("check", "drv", cwd=driver.parent.parent)
    assert proc.returncode == 1
    first = proc.stdout.splitlines()[0]
    assert first.startswith("drv/driver.c:13:5: warning: the NTSTATUS returned by PsSetLoadImageNotifyRoutine")
    assert first.endswith("[DDI001 unchecked-status]")
    assert proc.stdout.splitlines()[-1] == "Found 1 finding (DDI001: 1; 1 file analyzed)."
    assert proc.stderr == ""


def test_clean_file_exits_zero(tmp_path: Path):
    (tmp_path / "ok.c").write_text("#include <ntddk.h>\nVOID F(VOID) { }\n", encoding="utf-8")
    proc = _ddilint("check", "ok.c", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "No findings (1 file analyzed)."


def test_select_and_ignore_by_code_name_and_prefix(driver: Path, cli):
    assert cli(str(driver), "--ignore", "DDI001")[0] == 0
    assert cli(str(driver), "--ignore", "unchecked-status")[0] == 0
    assert cli(str(driver), "--select", "DDI00")[0] == 1


def test_unknown_rule_is_a_usage_error(driver: Path, capsys):
    assert main(["check", str(driver), "--select", "DDI999"]) == 2
    assert "unknown rule 'DDI999'" in capsys.readouterr().err


def test_defines_and_include_dirs_reach_the_parser(tmp_path: Path, cli):
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "local.h").write_text("#define REGISTER_ROUTINE PsSetLoadImageNotifyRoutine\n")
    src = tmp_path / "d.c"
    src.write_text(
        '#include <ntddk.h>\n#include "local.h"\nVOID Cb(PUNICODE_STRING a, HANDLE b, PIMAGE_INFO c) { }\n'
        "VOID F(VOID) {\n#if USE_IT\n    REGISTER_ROUTINE(Cb);\n#endif\n}\n"
    )
    code, report = cli(str(src), "-I", str(tmp_path / "inc"))
    assert code == 0 and report["findings"] == []
    code, report = cli(str(src), "-I", str(tmp_path / "inc"), "-D", "USE_IT=1")
    assert code == 1 and [f["line"] for f in report["findings"]] == [6]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda d: None, "missing.c: error: no such file or directory"),
        (
            lambda d: (d / "empty").mkdir(),
            "empty: warning: no C or C++ source files (*.c, *.cpp) found in this directory",
        ),
        (lambda d: (d / "blob.c").write_bytes(b"\x7fELF\x00\x01\x02" * 50), "blob.c: error: binary file"),
    ],
    ids=["missing", "no-c-files", "binary"],
)
def test_bad_input_alone_gives_one_line_and_exit_2(tmp_path: Path, setup, expected):
    setup(tmp_path)
    target = expected.split(":")[0]
    proc = _ddilint("check", target, cwd=tmp_path)
    assert proc.returncode == 2
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines() if not line.startswith("ddilint: error: nothing")] == [
        line for line in proc.stderr.splitlines() if expected.split(":")[0] in line
    ]


def test_bad_files_do_not_stop_the_good_ones(tmp_path: Path, driver: Path):
    (driver.parent / "blob.c").write_bytes(b"MZ\x00\x00" * 100)
    (driver.parent / "broken.c").write_text("#include <ntddk.h>\nVOID F(VOID) { int x = ; Undeclared(); }\n")
    (driver.parent / "latin1.c").write_bytes(
        b"#include <ntddk.h>\n/* caf\xe9 */\nVOID G(VOID) { PsSetLoadImageNotifyRoutine(0); }\n"
    )
    (driver.parent / "crlf_bom.c").write_bytes(
        b"\xef\xbb\xbf#include <ntddk.h>\r\nVOID H(VOID)\r\n{\r\n    PsSetLoadImageNotifyRoutine(0);\r\n}\r\n"
    )
    proc = _ddilint("check", "drv", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    found = sorted((f["file"], f["line"]) for f in report["findings"])
    assert found == [("drv/crlf_bom.c", 4), ("drv/driver.c", 13), ("drv/latin1.c", 3)]
    stderr = proc.stderr.splitlines()
    assert any(line.startswith("drv/blob.c: error: binary file") for line in stderr)
    assert any(line.startswith("drv/broken.c:2:") and "parse error" in line for line in stderr)
    assert any(line.startswith("drv/latin1.c:2: warning: not valid UTF-8") for line in stderr)


def test_syntax_errors_are_notifications_not_findings(tmp_path: Path, cli):
    src = tmp_path / "broken.c"
    src.write_text('#include <ntddk.h>\nVOID F(VOID) { int x = ; }\n#include "nope.h"\n')
    code, report = cli(str(src))
    assert code == 0
    assert report["findings"] == []
    messages = [(n["line"], n["message"]) for n in report["notifications"]]
    assert any(line == 2 and "expected expression" in m for line, m in messages)
    assert any(line == 3 and "'nope.h' file not found" in m for line, m in messages)


def test_deep_nesting_and_long_files(tmp_path: Path, cli):
    depth = 300
    nested = "if (g) {" * depth + "PsSetLoadImageNotifyRoutine(0);" + "}" * depth
    body = "\n".join(f"    g += {i};" for i in range(10_000))
    src = tmp_path / "big.c"
    src.write_text(f"#include <ntddk.h>\nint g;\nVOID F(VOID) {{\n{body}\n{nested}\n}}\n")
    code, report = cli(str(src))
    assert code == 1
    assert [f["line"] for f in report["findings"]] == [10_004]


def test_deeply_nested_expression_does_not_crash_libclang(tmp_path: Path):
    """3,000 nested parentheses overflow libclang's own 8 MiB parse thread; ddilint parses on its deep stack."""
    src = tmp_path / "nested.c"
    nested = "(" * 3000 + "1" + ")" * 3000
    src.write_text(
        f"#include <ntddk.h>\nULONG g;\nVOID F(VOID) {{\n    g = {nested};\n    PsSetLoadImageNotifyRoutine(0);\n}}\n"
    )
    proc = _ddilint("check", str(src), "--no-cache", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "nested.c:5:5: warning" in proc.stdout


def test_output_file_is_written(driver: Path, tmp_path: Path):
    out = tmp_path / "report.sarif"
    assert main(["check", str(driver), "--format", "sarif", "--output", str(out)]) == 1
    assert json.loads(out.read_text())["version"] == "2.1.0"


def test_rules_and_explain(capsys):
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert listing.startswith("DDI001  unchecked-status")
    assert main(["explain", "DDI001"]) == 0
    text = capsys.readouterr().out
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
        assert section in text
    assert main(["explain", "unchecked-status"]) == 0
    assert main(["explain", "DDI999"]) == 2


def test_version_and_no_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("ddilint ")
    assert main([]) == 2


def test_a_folder_of_single_file_drivers_is_analyzed_driver_by_driver(tmp_path: Path, cli):
    template = (
        "#include <ntddk.h>\n"
        "VOID Cb(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO i) {{ }}\n"
        "VOID DriverUnload(PDRIVER_OBJECT d) {{ {removal} }}\n"
        "NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r) {{\n"
        "    NTSTATUS status = PsSetLoadImageNotifyRoutine(Cb);\n"
        "    if (!NT_SUCCESS(status)) return status;\n"
        "    d->DriverUnload = DriverUnload;\n"
        "    return STATUS_SUCCESS;\n"
        "}}\n"
    )
    (tmp_path / "good.c").write_text(template.format(removal="PsRemoveLoadImageNotifyRoutine(Cb);"))
    (tmp_path / "leaky.c").write_text(template.format(removal=""))
    code, report = cli(str(tmp_path))
    assert code == 1
    assert [(Path(f["file"]).name, f["line"], f["code"]) for f in report["findings"]] == [("leaky.c", 5, "DDI002")]
    assert all(Path(step["file"]).name == "leaky.c" for step in report["findings"][0]["path"])


def test_status_only_asserted_is_flagged_in_debug_builds_too(tmp_path: Path, cli):
    src = tmp_path / "d.c"
    src.write_text(
        "#include <ntddk.h>\n"
        "VOID Cb(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO i) { }\n"
        "VOID F(VOID) {\n"
        "    NTSTATUS status = PsSetLoadImageNotifyRoutine(Cb);\n"
        "    NT_ASSERT(NT_SUCCESS(status));\n"
        "}\n"
    )
    for defines in ([], ["-D", "DBG=1"]):
        code, report = cli(str(src), "--select", "DDI001", *defines)
        assert code == 1
        assert [f["line"] for f in report["findings"]] == [4]
        if defines:  # in a free build the assertion expands to nothing: the status is simply never read
            assert "assertion" in report["findings"][0]["message"]


def test_build_and_vendor_folders_are_skipped_when_walking(tmp_path: Path, cli):
    for folder in ("src", "build", "third_party", ".git"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "d.c").write_text(
            "#include <ntddk.h>\nVOID Cb(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO i) { }\n"
            "VOID F(VOID) { PsSetLoadImageNotifyRoutine(Cb); }\n"
        )
    code, report = cli(str(tmp_path), "--select", "DDI001")
    assert code == 1 and [Path(f["file"]).parent.name for f in report["findings"]] == ["src"]
    code, report = cli(str(tmp_path / "build"), "--select", "DDI001")  # named explicitly: analyzed
    assert code == 1 and len(report["findings"]) == 1


def test_fifos_dangling_links_and_symlink_loops_are_skipped(tmp_path: Path, driver: Path):
    tree = driver.parent
    os.mkfifo(tree / "pipe.c")
    (tree / "dangling.c").symlink_to(tree / "nowhere.c")
    (tree / "loop").symlink_to(tree)  # a directory link back to the tree: not followed
    proc = _ddilint("check", str(tree), cwd=tmp_path)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr
    assert "pipe.c: warning: not a regular file" in proc.stderr
    assert "dangling.c: warning: not a regular file" in proc.stderr
    assert proc.stderr.count("pipe.c") == 1 and "loop/" not in proc.stdout  # each skip said once; no walk into the loop
