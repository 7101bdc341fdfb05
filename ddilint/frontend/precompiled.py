"""Precompiled bundled headers: parse ``<ntddk.h>`` once per process and flag set, not once per file.

Clang spends most of a driver file's parse time in the headers. When a file's
first directive is ``#include`` of a bundled kit header (and nothing before it
could change what the header means), the file is parsed with ``-include-pch``
of that header built with the same flags; the file's own ``#include`` is then
skipped by the header's include guard. Anything else is parsed as usual.
PCH files live in a private temporary directory of the process, removed at exit.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any

from ddilint.frontend.clang_args import HEADERS_DIR

_FIRST_INCLUDE = re.compile(r"\s*#\s*include\s*<([A-Za-z0-9_.]+)>")
_IGNORABLE = re.compile(r"\s*(#\s*pragma\s+once\b.*)?$")
_BUNDLED = {p.name.lower(): p.name for p in HEADERS_DIR.glob("*.h")}


@dataclass(frozen=True)
class Precompiled:
    path: str
    includes: tuple[str, ...]  # every header the PCH was made from (for cache validation)


_cache: dict[tuple[str, tuple[str, ...]], Precompiled | None] = {}
_directory: list[str] = []


def eligible_header(lines: list[str], include_dirs: list[str]) -> str | None:
    """The bundled header the file includes first, if nothing that could change its meaning comes before."""
    in_comment = False
    for raw in lines:
        line = raw
        if in_comment:
            if "*/" not in line:
                continue
            line, in_comment = line.split("*/", 1)[1], False
        line = re.sub(r"/\*.*?\*/", "", line.split("//")[0])
        if "/*" in line:
            line, in_comment = line.split("/*", 1)[0], True
        if _IGNORABLE.match(line):
            continue
        match = _FIRST_INCLUDE.match(line)
        if match is None:
            return None
        name = _BUNDLED.get(match.group(1).lower())
        if name is None or any(os.path.exists(os.path.join(d, match.group(1))) for d in include_dirs):
            return None  # not ours, or shadowed by the driver's own copy
        return name
    return None


def pch_for(header: str, args: list[str], index: Any, cindex: Any) -> Precompiled | None:
    """The path of a PCH of ``header`` built with ``args`` (built on first use), or None if it cannot be."""
    key = (header, tuple(args))
    if key not in _cache:
        _cache[key] = _build(header, args, index, cindex, len(_cache))
    return _cache[key]


def directory() -> str:
    """This process's PCH directory, made on first use and removed when the process exits."""
    if not _directory:
        _directory.append(tempfile.mkdtemp(prefix="ddilint-pch-"))
        atexit.register(shutil.rmtree, _directory[0], True)
    return _directory[0]


def use_directory(path: str) -> None:
    """In a worker process: put PCH files in the parent's directory, which the parent removes
    (workers end without running ``atexit``)."""
    _directory[:] = [path]


def has_pch(header: str, args: list[str]) -> bool:
    return (header, tuple(args)) in _cache


def remember_pch(header: str, args: list[str], built: Precompiled | None) -> None:
    """Record a PCH another process of this run built (None: it could not be built)."""
    _cache[(header, tuple(args))] = built


def _build(header: str, args: list[str], index: Any, cindex: Any, number: int) -> Precompiled | None:
    prelude = os.path.join(directory(), f"prelude{os.getpid()}-{number}.h")
    with open(prelude, "w", encoding="utf-8") as handle:
        handle.write(f"#include <{header}>\n")
    header_args = [{"c": "c-header", "c++": "c++-header"}.get(a, a) for a in args]
    try:
        tu = index.parse(prelude, args=header_args, options=cindex.TranslationUnit.PARSE_INCOMPLETE)
        if any(d.severity >= 3 for d in tu.diagnostics):
            return None
        output = prelude[: -len(".h")] + ".pch"
        tu.save(output)
        return Precompiled(output, tuple(sorted({os.path.abspath(i.include.name) for i in tu.get_includes()})))
    except Exception:
        return None
