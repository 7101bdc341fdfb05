"""Every fixture against real DDK headers (mingw-w64's, Debian package mingw-w64-x86-64-dev).

A fixture that parses cleanly against them must give exactly its expected
findings, as with the bundled headers: the analyses do not depend on
ddilint's own re-statement of the API. mingw-w64 10 lacks newer DDIs
(PsSetLoadImageNotifyRoutineEx, ExAllocatePool2, EX_SPIN_LOCK, ...), so the
fixtures using them cannot be compared and are counted, not failed.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli
from tests.test_fixtures import expected_marks, fixture_paths

MINGW = Path("/usr/share/mingw-w64/include")
pytestmark = pytest.mark.skipif(
    not (MINGW / "ddk" / "ntddk.h").is_file(), reason="needs the real DDK headers of mingw-w64-x86-64-dev"
)


def test_fixtures_give_the_same_findings_with_the_real_headers(tmp_path, monkeypatch):
    monkeypatch.chdir(FIXTURES.parent)
    compared, mismatches = 0, []
    for fixture in fixture_paths():
        _, report = run_cli(
            [str(fixture.relative_to(FIXTURES.parent)), "--wdk-include", str(MINGW), "--no-cache"], tmp_path
        )
        if any(n["level"] == "error" for n in report["notifications"]):
            continue  # uses a DDI or type mingw-w64 does not declare
        compared += 1
        got = Counter((Path(os.path.abspath(f["file"])).resolve(), f["line"], f["code"]) for f in report["findings"])
        if got != expected_marks(fixture):
            mismatches.append(fixture.name)
    assert not mismatches
    assert compared >= 120, f"only {compared} fixtures parse against the real headers"


def test_kit_header_errors_are_one_warning(tmp_path):
    src = tmp_path / "driver.c"
    src.write_text("#include <ntddk.h>\nVOID F(VOID) { PsSetLoadImageNotifyRoutine(0); }\n", encoding="utf-8")
    code, report = run_cli([str(src), "--wdk-include", str(MINGW), "--no-cache"], tmp_path)
    assert code == 1 and [f["code"] for f in report["findings"]] == ["DDI001"]
    assert all(n["level"] != "error" for n in report["notifications"])
