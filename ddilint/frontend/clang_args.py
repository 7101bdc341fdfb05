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
# Empty stand-ins for compiler headers (mmintrin.h, ...) that kit headers include: libclang's wheel
# ships no resource directory. Searched last, so real ones win.
COMPILER_STUBS_DIR = Path(__file__).resolve().parent / "compiler_stubs"

TARGET = "x86_64-pc-windows-msvc"
# mingw-w64's headers (include/ddk/ntddk.h) are written for a GNU compiler: with the MSVC
# target they define __attribute__ away, and the SAL annotations with it.
MINGW_TARGET = "x86_64-w64-mingw32"

# Macros the WDK build system defines for an x64 kernel-mode build.
WDK_DEFINES = ("_AMD64_", "_WIN64", "_KERNEL_MODE", "NTDDI_VERSION=0x0A000000", "_WIN32_WINNT=0x0A00")


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
        f"--target={MINGW_TARGET if wdk_include is not None and is_mingw(wdk_include) else TARGET}",
        "-fms-extensions",
        "-fms-compatibility",
        "-fms-compatibility-version=19.29",
        "-nostdinc",
        "-w",
        "-ferror-limit=0",
        "-fbracket-depth=65536",
    ]
    if wdk_include is not None and is_mingw(wdk_include):
        args.append("-fgnuc-version=4.2.1")  # MS compatibility mode would hide __GNUC__ from mingw's headers
    if language == "c++":
        args.append("-std=c++17")
    args += ["-isystem", str(HEADERS_DIR)] if wdk_include is None else wdk_system_dirs(wdk_include)
    args += [f"-D{d}" for d in WDK_DEFINES]
    for d in include_dirs:
        args += ["-I", str(d)]
    args += [f"-D{d}" for d in defines]
    for f in forced_includes:
        args += ["-include", str(f)]
    return args


def is_mingw(wdk_include: str) -> bool:
    root = Path(wdk_include)
    return (root / "ddk").is_dir() and (root / "_mingw.h").is_file()


def wdk_system_dirs(wdk_include: str) -> list[str]:
    """System include arguments for a real WDK include tree (``.../Include/<version>``).

    ddilint's shims for ``sal.h`` and ``driverspecs.h`` come first: they read the
    real header with ``#include_next`` and then restore the SAL annotations the
    analyses need, which the real headers define to nothing outside ``_PREFAST_``.
    """
    root = Path(wdk_include)
    if (root / "km").is_dir():  # a Windows Kit: Include/<version>/{km,shared,km/crt}
        dirs = [root / sub for sub in ("km", "shared", "km/crt")]
    elif (root / "ddk").is_dir():  # mingw-w64: include/ddk/ntddk.h beside include/windows.h
        dirs = [root / "ddk", root]
    else:
        dirs = [root]
    args = ["-isystem", str(WDK_SHIMS_DIR)]
    for d in dirs:
        if d.is_dir():
            args += ["-isystem", str(d)]
    # Read the kit's driverspecs.h (through the shim) before anything else: its include guard then
    # keeps a later #include of it from redefining the annotations to nothing again.
    return [*args, "-idirafter", str(COMPILER_STUBS_DIR), "-include", "driverspecs.h"]
