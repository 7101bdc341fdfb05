"""The command line libclang parses a driver file with.

Drivers are compiled by MSVC for an x64 target, so the parse imitates it:
MS extensions and compatibility, the MSVC x64 triple, no host system
headers, and ddilint's bundled minimal WDK headers on the system include path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

HEADERS_DIR = Path(__file__).resolve().parent / "headers"
WDK_SHIMS_DIR = Path(__file__).resolve().parent / "wdk_shims"

TARGET = "x86_64-pc-windows-msvc"

# Macros the WDK build system defines for an x64 kernel-mode build.
_WDK_DEFINES = ("_AMD64_", "_WIN64", "_KERNEL_MODE", "NTDDI_VERSION=0x0A000000", "_WIN32_WINNT=0x0A00")


def clang_args(
    include_dirs: Sequence[str] = (),
    defines: Sequence[str] = (),
    language: str = "c",
    forced_includes: Sequence[str] = (),
    wdk_include: str | None = None,
) -> list[str]:
    """Arguments for ``Index.parse`` (the file name itself is passed separately)."""
    args = [
        "-x",
        language,
        f"--target={TARGET}",
        "-fms-extensions",
        "-fms-compatibility",
        "-fms-compatibility-version=19.29",
        "-nostdinc",
        "-w",
        "-ferror-limit=0",
        "-fbracket-depth=4096",
    ]
    if language == "c++":
        args.append("-std=c++17")
    args += ["-isystem", str(HEADERS_DIR)] if wdk_include is None else wdk_system_dirs(wdk_include)
    args += [f"-D{d}" for d in _WDK_DEFINES]
    for d in include_dirs:
        args += ["-I", str(d)]
    args += [f"-D{d}" for d in defines]
    for f in forced_includes:
        args += ["-include", str(f)]
    return args


def wdk_system_dirs(wdk_include: str) -> list[str]:
    """System include arguments for a real WDK include tree (``.../Include/<version>``).

    ddilint's shims for ``sal.h`` and ``driverspecs.h`` come first: they read the
    real header with ``#include_next`` and then restore the SAL annotations the
    analyses need, which the real headers define to nothing outside ``_PREFAST_``.
    """
    root = Path(wdk_include)
    dirs = [root / sub for sub in ("km", "shared", "km/crt")] if (root / "km").is_dir() else [root]
    args = ["-isystem", str(WDK_SHIMS_DIR)]
    for d in dirs:
        if d.is_dir():
            args += ["-isystem", str(d)]
    return args
