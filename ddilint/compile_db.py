"""Per-file flags from a ``compile_commands.json`` (CMake, Bear, or MSBuild exporters).

Only the flags that change what the preprocessor keeps are taken: include
directories, defines and undefines, forced includes. Both gcc/clang spellings
(``-I``, ``-D``, ``-U``, ``-include``, ``-isystem``) and MSVC/clang-cl ones
(``/I``, ``/D``, ``/U``, ``/FI``) are understood; everything else (optimisation,
warnings, ``/std:``, output paths) does not affect the analysis and is dropped,
and flags ddilint does not know are listed once in a notice. The file is read,
never executed.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass, field

from ddilint.ir import Notification


class CompileDbError(ValueError):
    pass


@dataclass(frozen=True)
class FileFlags:
    include_dirs: tuple[str, ...] = ()
    defines: tuple[str, ...] = ()
    forced_includes: tuple[str, ...] = ()


@dataclass
class CompileDb:
    path: str
    files: dict[str, FileFlags] = field(default_factory=dict)  # absolute source path -> flags
    notifications: list[Notification] = field(default_factory=list)


_WITH_VALUE = {
    "-I": "I",
    "/I": "I",
    "-isystem": "I",
    "-D": "D",
    "/D": "D",
    "-U": "U",
    "/U": "U",
    "-include": "FI",
    "/FI": "FI",
    "-FI": "FI",
}
# Flags with a separate value that is not preprocessing-relevant: skip the value too.
_SKIP_WITH_VALUE = {"-o", "/Fo", "-MF", "-MT", "-MQ", "-target", "--target", "-arch", "-x", "/Tc", "/Tp"}
_KNOWN_PREFIXES = (
    "-O",
    "/O",
    "-W",
    "/W",
    "-w",
    "-f",
    "-m",
    "-g",
    "/Z",
    "-std",
    "/std",
    "-c",
    "/c",
    "/nologo",
    "/EH",
    "/GS",
    "/Gy",
    "/Gz",
    "/Gd",
    "/Gr",
    "/kernel",
    "/analyze",
    "/M",
    "-M",
    "/F",
    "/GR",
    "/sdl",
    "/permissive",
    "/Zc",
    "/utf-8",
    "/X",
    "-nostdinc",
    "/TC",
    "/TP",
    "--driver-mode",
    "/Q",
    "-pipe",
    "-pedantic",
)


def load_compile_db(location: str) -> CompileDb:
    path = os.path.join(location, "compile_commands.json") if os.path.isdir(location) else location
    try:
        with open(path, encoding="utf-8") as handle:
            entries = json.load(handle)
    except OSError as exc:
        raise CompileDbError(f"{path}: cannot read compilation database: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CompileDbError(f"{path}: not a compilation database (invalid JSON: {exc})") from exc
    if not isinstance(entries, list):
        raise CompileDbError(f"{path}: a compilation database is a JSON list of entries")
    db = CompileDb(path)
    unknown: set[str] = set()
    for i, entry in enumerate(entries):
        if not (isinstance(entry, dict) and isinstance(entry.get("file"), str)):
            raise CompileDbError(f'{path}: entry {i} has no "file"')
        directory = str(entry.get("directory", os.path.dirname(os.path.abspath(path))))
        if isinstance(entry.get("arguments"), list):
            argv = [str(a) for a in entry["arguments"]]
        else:
            argv = _split(str(entry.get("command", "")))
        source = os.path.normpath(os.path.join(directory, entry["file"]))
        db.files[source] = _flags(argv[1:], directory, source, unknown)
    if unknown:
        listed = ", ".join(sorted(unknown)[:12]) + (" ..." if len(unknown) > 12 else "")
        message = f"compile flags not used by the analysis were dropped: {listed}"
        db.notifications.append(Notification("note", message, path))
    return db


def _split(command: str) -> list[str]:
    """Split a command line; MSVC-style lines keep backslashes (posix=False), then lose their quotes."""
    posix = "\\\\" not in command and not command.lstrip().lower().startswith(("cl", '"cl', "clang-cl"))
    return [part.strip('"') if not posix else part for part in shlex.split(command, posix=posix)]


def _flags(args: list[str], directory: str, source: str, unknown: set[str]) -> FileFlags:
    include_dirs: list[str] = []
    defines: list[str] = []
    forced: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        kind, value = _classify(arg)
        if kind is not None and value == "" and i + 1 < len(args):
            i += 1
            value = args[i]
        if kind == "I":
            include_dirs.append(os.path.normpath(os.path.join(directory, value)))
        elif kind == "D":
            defines.append(value)
        elif kind == "U":
            pass  # undefining a macro the bundled headers do not define changes nothing
        elif kind == "FI":
            forced.append(os.path.normpath(os.path.join(directory, value)))
        elif arg in _SKIP_WITH_VALUE:
            i += 1
        elif os.path.normpath(os.path.join(directory, arg)) == source or not arg.startswith(("-", "/")):
            pass  # the source file itself, or an input
        elif not arg.startswith(_KNOWN_PREFIXES):
            unknown.add(arg.split("=")[0].split(":")[0])
        i += 1
    return FileFlags(tuple(include_dirs), tuple(defines), tuple(forced))


def _classify(arg: str) -> tuple[str | None, str]:
    """``("I", "inc")`` for ``-Iinc`` / ``/I inc`` (value "" when it is the next argument), else (None, "")."""
    for flag in sorted(_WITH_VALUE, key=len, reverse=True):  # -isystem and -include before -I
        if arg.startswith(flag):
            return _WITH_VALUE[flag], arg[len(flag) :]
    return None, ""
