"""Auto-detection of an installed Windows Kit (the newest version with km/wdm.h), Windows only."""

from __future__ import annotations

from pathlib import Path

from ddilint.frontend.wdk_detect import detect_wdk_include, newest_kit_include, resolve_wdk_include


def kit(root: Path, *versions: str, complete: bool = True) -> Path:
    for version in versions:
        km = root / "Include" / version / "km"
        km.mkdir(parents=True)
        if complete:
            (km / "wdm.h").write_text("/* wdm */\n", encoding="utf-8")
    return root


def test_newest_complete_version_wins(tmp_path):
    root = kit(tmp_path / "Windows Kits" / "10", "10.0.19041.0", "10.0.22621.0", "10.0.9200.0")
    kit(root, "10.0.26100.0", complete=False)  # an SDK-only version: no km headers
    assert newest_kit_include([str(root)]) == str(root / "Include" / "10.0.22621.0")


def test_detection_reads_program_files_only_on_windows(tmp_path):
    kit(tmp_path / "Windows Kits" / "10", "10.0.22621.0")
    environ = {"ProgramFiles(x86)": str(tmp_path)}
    assert detect_wdk_include(environ, windows=True) == str(
        tmp_path / "Windows Kits" / "10" / "Include" / "10.0.22621.0"
    )
    assert detect_wdk_include(environ, windows=False) is None
    assert detect_wdk_include({}, windows=True) is None


def test_kits_of_wdk_content_root_and_program_files_are_compared(tmp_path):
    wdk = kit(tmp_path / "ewdk", "10.0.22000.0")
    kit(tmp_path / "pf" / "Windows Kits" / "10", "10.0.22621.0")
    environ = {"WDKContentRoot": str(wdk), "ProgramFiles(x86)": str(tmp_path / "pf")}
    assert detect_wdk_include(environ, windows=True).endswith("10.0.22621.0")  # the newest across both


def test_explicit_choice_and_bundled(monkeypatch):
    monkeypatch.setattr("ddilint.frontend.wdk_detect.sys.platform", "linux")
    assert resolve_wdk_include("/kits/inc") == "/kits/inc"
    assert resolve_wdk_include("bundled") is None
    assert resolve_wdk_include(None) is None
