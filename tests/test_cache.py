"""The analysis cache: hits on a second run, misses on edits (of the file or a header it reads), survives damage."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ddilint.catalog import load_catalog
from ddilint.cli import main
from ddilint.codec import DecodeError, decode_unit, encode_unit
from ddilint.frontend.libclang_frontend import FrontendOptions, parse_file
from tests.conftest import FIXTURES

HEADER = '#include <ntddk.h>\n#include "local.h"\n'
DRIVER = """
VOID Notify(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO i) { UNREFERENCED_PARAMETER(n); UNREFERENCED_PARAMETER(p);
    UNREFERENCED_PARAMETER(i); }
VOID Unload(PDRIVER_OBJECT d) { UNREFERENCED_PARAMETER(d); PsRemoveLoadImageNotifyRoutine(Notify); }
NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r) {
    UNREFERENCED_PARAMETER(r);
    PsSetLoadImageNotifyRoutine(Notify);
    LOCAL_CALL;
    d->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
"""


def driver(tmp_path: Path) -> Path:
    src = tmp_path / "drv" / "driver.c"
    src.parent.mkdir(exist_ok=True)
    (src.parent / "local.h").write_text("#define LOCAL_CALL (void)0\n", encoding="utf-8")
    src.write_text(HEADER + DRIVER, encoding="utf-8")
    return src


def check(tmp_path: Path, *args: str) -> tuple[int, dict, str]:
    out = tmp_path / "report.json"
    cache = tmp_path / "cache"
    code = main(["check", *args, "--cache-dir", str(cache), "--profile", "--format", "json", "--output", str(out)])
    return code, json.loads(out.read_text(encoding="utf-8")), str(cache)


def entries(cache: str) -> list[Path]:
    return sorted(Path(cache).rglob("*.json"))


def hits(capsys: pytest.CaptureFixture[str], kind: str = "files") -> tuple[int, int]:
    """(hits, misses) of the cache in the last run's profile line, for files or drivers."""
    line = next(ln for ln in capsys.readouterr().err.splitlines() if "profile:" in ln)
    hit, miss = re.search(kind + r" (\d+) hit\(s\) (\d+) miss", line).groups()
    return int(hit), int(miss)


def unit_entries(cache: str) -> list[Path]:
    """Entries of files (a header line and the IR), not of drivers' outcomes."""
    return [e for e in entries(cache) if len(e.read_bytes().splitlines()) == 2]


def test_second_run_reads_the_cache_and_reports_the_same(tmp_path, capsys):
    src = driver(tmp_path)
    code1, first, cache = check(tmp_path, str(src))
    assert hits(capsys) == (0, 1) and len(unit_entries(cache)) == 1 and len(entries(cache)) == 2
    code2, second, _ = check(tmp_path, str(src))
    assert hits(capsys, "drivers") == (1, 0)  # the driver's outcome: its IR is not even decoded
    assert code1 == code2 == 1 and first == second and first["findings"][0]["code"] == "DDI001"
    assert (Path(cache) / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert (Path(cache) / "CACHEDIR.TAG").is_file()


def test_editing_the_file_or_a_header_it_reads_is_a_miss(tmp_path, capsys):
    src = driver(tmp_path)
    check(tmp_path, str(src))
    capsys.readouterr()
    src.write_text(src.read_text(encoding="utf-8").replace("PsSetLoadImageNotifyRoutine(Notify);", ""), "utf-8")
    code, report, _ = check(tmp_path, str(src))
    assert hits(capsys) == (0, 1) and code == 0 and report["findings"] == []
    check(tmp_path, str(src))
    assert hits(capsys, "drivers") == (1, 0)
    (src.parent / "local.h").write_text("#define LOCAL_CALL PsSetLoadImageNotifyRoutine(Notify)\n", "utf-8")
    code, report, _ = check(tmp_path, str(src))
    assert hits(capsys) == (0, 1)
    assert code == 1 and [f["ddi"] for f in report["findings"]] == ["PsSetLoadImageNotifyRoutine"]


def test_flags_are_part_of_the_key(tmp_path, capsys):
    src = driver(tmp_path)
    check(tmp_path, str(src))
    check(tmp_path, str(src), "-D", "EXTRA=1")
    assert hits(capsys) == (0, 1)


@pytest.mark.parametrize("damage", [b"", b"{", b"\x00\xff garbage", b'{"ddilint": "0.0.0"}', b"[1, 2, 3]"])
def test_damaged_entries_are_ignored_and_rebuilt(tmp_path, capsys, damage):
    src = driver(tmp_path)
    _, first, cache = check(tmp_path, str(src))
    for entry in entries(cache):
        entry.write_bytes(damage)
    capsys.readouterr()
    code, second, _ = check(tmp_path, str(src))
    assert second["findings"] == first["findings"] and code == 1
    assert any("damaged cache entry" in n["message"] for n in second["notifications"])
    assert hits(capsys) == (0, 1)
    _, third, _ = check(tmp_path, str(src))
    assert third == first  # rebuilt: no notice the third time


def test_tampered_entry_cannot_name_other_classes(tmp_path):
    src = driver(tmp_path)
    _, first, cache = check(tmp_path, str(src))
    for entry in entries(cache):
        if entry not in unit_entries(cache):
            entry.unlink()  # drop the driver's outcome, so that the file's entry is read
    [entry] = unit_entries(cache)
    header, body = entry.read_text(encoding="utf-8").splitlines()
    unit = json.loads(body)
    unit["t"] = "os.system"
    entry.write_text(header + "\n" + json.dumps(unit), encoding="utf-8")
    _, second, _ = check(tmp_path, str(src))
    assert second["findings"] == first["findings"]
    assert any("damaged cache entry" in n["message"] for n in second["notifications"])
    with pytest.raises(DecodeError):
        decode_unit(unit)


def test_no_cache_writes_nothing(tmp_path):
    src = driver(tmp_path)
    _, _, cache = check(tmp_path, str(src), "--no-cache")
    assert not Path(cache).exists()


def test_unwritable_cache_directory_is_a_notice_not_a_failure(tmp_path):
    src = driver(tmp_path)
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be", encoding="utf-8")
    out = tmp_path / "report.json"
    code = main(["check", str(src), "--cache-dir", str(blocker), "--format", "json", "--output", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert code == 1 and any("cannot write the cache" in n["message"] for n in report["notifications"])


@pytest.mark.parametrize("name", ["DDI001/neg_combined_status_tested.c", "DDI003/neg_dpc_defers_to_work_item.c"])
def test_codec_round_trip_is_exact(name):
    path = FIXTURES / name
    options = FrontendOptions(assertion_macros=load_catalog().assertion_macros)
    unit = parse_file(str(path), "x/" + path.name, options)
    encoded = encode_unit(unit)
    again = encode_unit(decode_unit(json.loads(json.dumps(encoded))))
    assert again == encoded and unit.functions
