"""The command line libclang parses a driver file with.

Drivers are compiled by MSVC for an x64 target, so the parse imitates it:
MS extensions and compatibility, the MSVC x64 triple, no host system
headers, and ddilint's bundled minimal WDK headers on the system include path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

HEADERS_DIR = Path(__file__).resolve().parent / "headers"

TARGET = "x86_64-pc-windows-msvc"

# Macros the WDK build system defines for an x64 kernel-mode build.
_WDK_DEFINES = ("_AMD64_", "_WIN64", "_KERNEL_MODE", "NTDDI_VERSION=0x0A000000", "_WIN32_WINNT=0x0A00")


def clang_args(
    include_dirs: Sequence[str] = (),
    defines: Sequence[str] = (),
    language: str = "c",
    forced_includes: Sequence[str] = (),
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
        "-isystem",
        str(HEADERS_DIR),
    ]
    args += [f"-D{d}" for d in _WDK_DEFINES]
    for d in include_dirs:
        args += ["-I", str(d)]
    args += [f"-D{d}" for d in defines]
    for f in forced_includes:
        args += ["-include", str(f)]
    return args
