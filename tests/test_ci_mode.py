"""Suppressions, baselines and the CI-facing options (--exit-zero, --quiet, --statistics, github format)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ddilint.cli import main

DRIVER = """#include <ntddk.h>
VOID Cb(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO i) { }
VOID A(VOID) {
    PsSetLoadImageNotifyRoutine(Cb);{a}
}}
VOID B(VOID) {{{b}
    PsSetLoadImageNotifyRoutine(Cb);
}}
"""


def write(tmp_path: Path, a: str = "", b: str = "", extra: str = "") -> Path:
    src = tmp_path / "d.c"
    src.write_text(DRIVER.replace("{a}", a).replace("{{{b}", "{" + b).replace("}}", "}") + extra)
    return src


def report(tmp_path: Path, *args: str) -> tuple[int, dict]:
    out = tmp_path / "r.json"
    code = main(["check", *args, "--select", "DDI001,DDI900", "--format", "json", "--output", str(out)])
    return code, json.loads(out.read_text())


def test_ignore_on_the_line_and_on_the_next_line(tmp_path):
    src = write(
        tmp_path,
        a=" // ddilint: ignore[DDI001] checked by the caller",
        b="\n    // ddilint: ignore-next-line[unchecked-status]",
    )
    code, doc = report(tmp_path, str(src))
    assert code == 0 and doc["findings"] == []
    assert [s["justification"] for s in doc["suppressed"]] == ["checked by the caller", "suppressed in source"]


def test_ignore_file_and_other_rules_are_not_suppressed(tmp_path):
    src = write(tmp_path, extra="/* ddilint: ignore-file[DDI003] */\n")
    code, doc = report(tmp_path, str(src))
    assert code == 1 and len(doc["findings"]) == 2
    src = write(tmp_path, extra="/* ddilint: ignore-file[DDI001] legacy code */\n")
    code, doc = report(tmp_path, str(src))
    assert code == 0 and len(doc["suppressed"]) == 2


def test_unused_suppression_is_reported_under_strict(tmp_path):
    src = write(tmp_path, extra="int x; // ddilint: ignore[DDI001]\n")
    out = tmp_path / "r.json"
    code = main(["check", str(src), "--strict", "--format", "json", "--output", str(out)])
    doc = json.loads(out.read_text())
    assert code == 1
    assert [f["code"] for f in doc["findings"]].count("DDI900") == 1


def test_sarif_lists_suppressed_results_with_justification(tmp_path):
    src = write(tmp_path, a=" // ddilint: ignore[DDI001] reviewed")
    out = tmp_path / "r.sarif"
    assert main(["check", str(src), "--format", "sarif", "--output", str(out), "--category", "drv/imagemon"]) == 1
    run = json.loads(out.read_text())["runs"][0]
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert suppressed and suppressed[0]["suppressions"] == [{"kind": "inSource", "justification": "reviewed"}]
    assert run["automationDetails"]["id"] == "drv/imagemon/"


def test_baseline_fails_only_on_new_findings(tmp_path, capsys):
    src = write(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert main(["check", str(src), "--write-baseline", str(baseline)]) == 0
    assert json.loads(baseline.read_text())["format"] == "ddilint-baseline"
    src.write_text(src.read_text().replace("VOID A(VOID) {", "// a comment\n\nVOID A(VOID) {"))
    code, doc = report(tmp_path, str(src), "--baseline", str(baseline))
    assert code == 0 and doc["findings"] == []
    src.write_text(src.read_text() + "VOID C(VOID) { PsSetLoadImageNotifyRoutine(Cb); }\n")
    out = tmp_path / "r.sarif"
    code = main(["check", str(src), "--baseline", str(baseline), "--format", "sarif", "--output", str(out)])
    assert code == 1
    states = sorted(r["baselineState"] for r in json.loads(out.read_text())["runs"][0]["results"])
    assert states == ["new", "unchanged", "unchanged"]


@pytest.mark.parametrize("content", ["not json", '{"format": "something-else"}', '{"format": "ddilint-baseline"}'])
def test_corrupt_or_foreign_baseline_is_an_error(tmp_path, capsys, content):
    src = write(tmp_path)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content)
    assert main(["check", str(src), "--baseline", str(baseline)]) == 2
    assert "baseline" in capsys.readouterr().err


def test_exit_zero_quiet_statistics_and_github_format(tmp_path, capsys):
    src = write(tmp_path, extra="int y; // ddilint: ignore\n")
    assert main(["check", str(src), "--exit-zero", "--quiet", "--statistics", "--select", "DDI001"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2 and "note:" not in captured.out and "Found" not in captured.out
    assert "    2  DDI001 unchecked-status" in captured.err
    assert "bare 'ddilint: ignore' markers" in captured.err
    assert main(["check", str(src), "--format", "github", "--select", "DDI001"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("::warning file=") and ",line=4," in lines[0] and "title=DDI001" in lines[0]


def test_strict_parse_fails_on_parse_errors(tmp_path):
    src = tmp_path / "broken.c"
    src.write_text("#include <ntddk.h>\nVOID F(VOID) { int x = ; }\n")
    assert main(["check", str(src)]) == 0
    assert main(["check", str(src), "--strict-parse"]) == 2
