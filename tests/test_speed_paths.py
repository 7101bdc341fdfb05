"""The speed paths (worker processes, precompiled bundled headers) must not change results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ddilint.cli import main
from ddilint.frontend.libclang_frontend import FrontendOptions, parse_file
from ddilint.frontend.precompiled import eligible_header
from tests.conftest import FIXTURES


def test_output_is_the_same_whatever_the_number_of_jobs(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(FIXTURES.parent)
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}.json"
        main(["check", "fixtures/DDI002", "--format", "json", "--output", str(out), "--jobs", jobs])
        outputs.append(json.loads(out.read_text()))
    assert outputs[0] == outputs[1] and outputs[0]["findings"]


def test_precompiled_header_gives_the_same_ir():
    for fixture in sorted((FIXTURES / "DDI003").glob("*.c"))[:6]:
        plain = parse_file(str(fixture), fixture.name, FrontendOptions(precompiled=False))
        fast = parse_file(str(fixture), fixture.name, FrontendOptions(precompiled=True))
        assert [(f.name, f.loc) for f in plain.functions] == [(f.name, f.loc) for f in fast.functions]
        assert repr(plain.functions) == repr(fast.functions)
        assert plain.notifications == fast.notifications


def test_only_files_that_start_with_a_bundled_header_use_it(tmp_path: Path):
    assert eligible_header(["/* c */", "#pragma once", "#include <NTDDK.h>"], []) == "ntddk.h"
    assert eligible_header(["#define NTDDI_VERSION 1", "#include <ntddk.h>"], []) is None
    assert eligible_header(['#include "driver.h"'], []) is None
    (tmp_path / "ntddk.h").write_text("/* the driver's own copy */\n")
    assert eligible_header(["#include <ntddk.h>"], [str(tmp_path)]) is None


def test_worker_processes_leave_no_precompiled_headers_behind(tmp_path: Path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    command = [
        sys.executable,
        "-m",
        "ddilint.cli",
        "check",
        str(FIXTURES / "DDI003"),
        "--jobs",
        "2",
        "--no-cache",
        "-q",
    ]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, cwd=FIXTURES.parent)
    assert proc.returncode == 1, proc.stderr
    assert list(scratch.iterdir()) == []
