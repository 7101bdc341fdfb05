"""The pre-commit hook, installed from this checkout with ``pre-commit try-repo`` into a scratch repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

GOOD = """#include <ntddk.h>
VOID Cb(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO i) {
    UNREFERENCED_PARAMETER(n); UNREFERENCED_PARAMETER(p); UNREFERENCED_PARAMETER(i);
}
VOID DriverUnload(PDRIVER_OBJECT d) { UNREFERENCED_PARAMETER(d); PsRemoveLoadImageNotifyRoutine(Cb); }
NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r) {
    NTSTATUS status;
    UNREFERENCED_PARAMETER(r);
    status = PsSetLoadImageNotifyRoutine(Cb);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    d->DriverUnload = DriverUnload;
    return STATUS_SUCCESS;
}
"""
BAD_UNLOAD = "VOID DriverUnload(PDRIVER_OBJECT d) { UNREFERENCED_PARAMETER(d); }\n"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run(
        ["pre-commit", "try-repo", str(ROOT), "ddilint", "--verbose"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.mark.skipif(
    shutil.which("pre-commit") is None or shutil.which("git") is None, reason="needs pre-commit and git"
)
def test_hook_blocks_the_bad_driver_and_passes_the_good_one(tmp_path: Path):
    repo = tmp_path / "repo"
    (repo / "good").mkdir(parents=True)
    (repo / "bad").mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "dev@example.invalid")
    _git(repo, "config", "user.name", "dev")
    (repo / "good" / "driver.c").write_text(GOOD)
    unload = next(line for line in GOOD.splitlines() if line.startswith("VOID DriverUnload"))
    bad_driver = GOOD.replace(unload, "DRIVER_UNLOAD DriverUnload;")
    (repo / "bad" / "driver.c").write_text(bad_driver)
    (repo / "bad" / "unload.c").write_text("#include <ntddk.h>\n" + BAD_UNLOAD)
    home = tmp_path / "pre-commit-home"

    _git(repo, "add", "good/driver.c")
    good = _try_repo(repo, home)
    assert good.returncode == 0, good.stdout + good.stderr

    _git(repo, "commit", "-qm", "good driver")
    _git(repo, "add", "bad/driver.c")  # only driver.c is staged: its sibling unload.c is still analyzed
    bad = _try_repo(repo, home)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "bad/driver.c:9:" in bad.stdout and "DDI002 unregister-missing" in bad.stdout
    assert "unload.c" not in bad.stdout.split("DDI002")[0].splitlines()[-1]  # reported in the staged file
