"""From command-line paths to drivers: each directory of C sources is one driver."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ddilint.ir import Notification

SOURCE_SUFFIXES = (".c", ".cpp", ".cc", ".cxx")
# Version control, build output and vendored code: not the driver's sources (configure `include` to override).
SKIPPED_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    "build",
    "out",
    "obj",
    "objfre",
    "objchk",
    "x64",
    "ARM64",
    "Debug",
    "Release",
    "vendor",
    "third_party",
    "thirdparty",
    "external",
    "extern",
    "deps",
}


@dataclass
class Driver:
    """The source files analyzed together."""

    directory: str
    files: list[str] = field(default_factory=list)


@dataclass
class Discovery:
    drivers: list[Driver]
    notifications: list[Notification]
    missing: int = 0


def display_path(path: str) -> str:
    """A path relative to the current directory when below it, with forward slashes."""
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        rel = absolute
    shown = absolute if rel.startswith("..") else rel
    return shown.replace(os.sep, "/")


DEFAULT_MAX_FILE_SIZE = 8 * 1024 * 1024


def discover(paths: list[str], max_size: int = DEFAULT_MAX_FILE_SIZE) -> Discovery:
    """The drivers under ``paths``; files larger than ``max_size`` bytes (0: no limit) are skipped with a notice."""
    files: list[str] = []
    notes: list[Notification] = []
    missing = 0
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(_walk(path, notes))
            if not found:
                notes.append(
                    Notification(
                        "warning", "no C or C++ source files (*.c, *.cpp) found in this directory", display_path(raw)
                    )
                )
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in HEADER_SUFFIXES:  # headers are analyzed through their sources
                files.append(str(path))
        elif path.exists():
            notes.append(Notification("error", "not a regular file or directory, skipped", display_path(raw)))
        else:
            notes.append(Notification("error", "no such file or directory", display_path(raw)))
            missing += 1
    by_dir: dict[str, Driver] = {}
    seen: set[str] = set()
    for f in files:
        key = os.path.abspath(f)
        if key in seen:
            continue
        seen.add(key)
        if _too_large(f, max_size, notes):
            continue
        directory = os.path.dirname(key)
        by_dir.setdefault(directory, Driver(directory)).files.append(f)
    return Discovery(sorted(by_dir.values(), key=lambda d: d.directory), notes, missing)


def _too_large(path: str, max_size: int, notes: list[Notification]) -> bool:
    try:
        size = os.path.getsize(path)
    except OSError:
        return False  # reported when it is read
    if max_size <= 0 or size <= max_size:
        return False
    notes.append(
        Notification(
            "warning",
            f"skipped: {_megabytes(size)} is over the size limit of {_megabytes(max_size)} (--max-file-size)",
            display_path(path),
        )
    )
    return True


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:.1f} MB" if size >= 1024**2 else f"{size / 1024:.0f} KB"


def _walk(root: Path, notes: list[Notification]) -> list[str]:
    """Sources under ``root``. Symbolic links to directories are not followed (no loops); FIFOs,
    sockets, devices and dangling links named like sources are skipped with a notice, as are
    directories that cannot be read."""

    def unreadable(error: OSError) -> None:
        notes.append(
            Notification("warning", f"cannot read this directory: {error.strerror}", display_path(str(error.filename)))
        )

    result = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=unreadable):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in filenames:
            if not name.lower().endswith(SOURCE_SUFFIXES):
                continue
            path = os.path.join(dirpath, name)
            try:
                regular = stat.S_ISREG(os.stat(path).st_mode)
            except OSError:
                regular = False
            if regular:
                result.append(path)
            else:
                notes.append(
                    Notification("warning", "not a regular file (or a dangling link), skipped", display_path(path))
                )
    return result


HEADER_SUFFIXES = (".h", ".hpp", ".hh", ".hxx", ".inl")


def expand_to_drivers(paths: list[str]) -> tuple[list[str], set[str]]:
    """For changed files (a pre-commit hook): analyze each file's whole driver, report on the files given.

    Returns the paths to analyze and the absolute paths whose findings are reported. A changed
    header makes the sources of its directory reportable, since it changes what they compile to.
    """
    analyze: list[str] = []
    report: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            analyze.append(raw)  # a directory or a missing path: handled (and reported) as usual
            report.add(os.path.abspath(raw))
            continue
        siblings = sorted(str(p) for p in path.parent.iterdir() if p.suffix.lower() in SOURCE_SUFFIXES)
        analyze.extend(siblings)
        if path.suffix.lower() in HEADER_SUFFIXES:
            report.update(os.path.abspath(p) for p in siblings)
        else:
            report.add(os.path.abspath(raw))
    return analyze, report


def reportable(path: str, report: set[str]) -> bool:
    absolute = os.path.abspath(path)
    return absolute in report or any(absolute.startswith(r.rstrip(os.sep) + os.sep) for r in report)
