"""WPP software tracing without the generated ``.tmh`` headers.

A WPP driver includes ``driver.tmh``, which the WPP preprocessor (tracewpp)
generates during the build; a checkout that was never built does not have it,
and clang stops at a missing include. For each ``#include "X.tmh"`` that does
not exist, the parse gets an in-memory stand-in that defines the WPP macros
(``WPP_INIT_TRACING``, ``WPP_CLEANUP``, ``DoTraceMessage``) and the trace
functions the driver declares in its ``begin_wpp config`` blocks
(``FUNC TraceEvents(LEVEL, FLAGS, MSG, ...);``). A trace call becomes a call of
``WppTrace(MSG, args...)``, a logging function in ``rules/conventions.toml``:
a status that is only traced is still unchecked, as with ``DbgPrintEx``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

_TMH_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+\.tmh)"', re.M)
_CONFIG_BLOCK = re.compile(r"begin_wpp\s+config(.*?)end_wpp", re.S)
_FUNC = re.compile(r"\bFUNC\s+([A-Za-z_]\w*)\s*(?:\{[^}]*\})?\s*\(([^)]*)\)")  # FUNC Name{LEVEL=..}(..)

_PRELUDE = """/* ddilint: stand-in for a WPP-generated header that was not found */
#pragma once
#ifdef __cplusplus
extern "C"
#endif
unsigned long WppTrace(const char *Message, ...);
#define WPP_INIT_TRACING(...) ((void)0)
#define WPP_CLEANUP(...) ((void)0)
#define WPP_CONTROL_GUIDS
#define WPP_DEFINE_CONTROL_GUID(...)
#define WPP_DEFINE_BIT(...)
#ifndef DoTraceMessage
#define DoTraceMessage(FLAG, MSG, ...) WppTrace(MSG, ##__VA_ARGS__)
#endif
#ifndef TRACE_LEVEL_NONE
#define TRACE_LEVEL_NONE 0
#define TRACE_LEVEL_CRITICAL 1
#define TRACE_LEVEL_FATAL 1
#define TRACE_LEVEL_ERROR 2
#define TRACE_LEVEL_WARNING 3
#define TRACE_LEVEL_INFORMATION 4
#define TRACE_LEVEL_VERBOSE 5
#endif
"""


def wpp_stand_ins(path: str, text: str, include_dirs: Sequence[str]) -> list[tuple[str, str]]:
    """``(absolute path, contents)`` of a stand-in for each missing ``.tmh`` the file includes."""
    missing = []
    here = os.path.dirname(os.path.abspath(path))
    for name in _TMH_INCLUDE.findall(text):
        if not any(os.path.exists(os.path.join(d, name)) for d in (here, *include_dirs)):
            missing.append(os.path.join(os.path.dirname(path), name))  # spelled as clang will look it up
    if not missing:
        return []
    contents = _PRELUDE + "".join(_trace_macro(name, params) for name, params in _trace_functions(here, text))
    return [(m, contents) for m in missing]


def _trace_functions(directory: str, text: str) -> list[tuple[str, list[str]]]:
    """The ``FUNC`` declarations of the config blocks in the file and the headers beside it."""
    texts = [text]
    for header in sorted(Path(directory).glob("*.h")):
        try:
            texts.append(header.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    found: dict[str, list[str]] = {}
    for chunk in texts:
        for block in _CONFIG_BLOCK.findall(chunk):
            for name, params in _FUNC.findall(block):
                if name != "DoTraceMessage":
                    found.setdefault(name, [p.strip() for p in params.split(",") if p.strip()])
    return sorted(found.items())


def _trace_macro(name: str, params: list[str]) -> str:
    """``TraceEvents(LEVEL, FLAGS, MSG, ...)`` keeps the message and what follows; the keys before it go."""
    upper = [p.upper() for p in params]
    if "MSG" not in upper:
        return f'#define {name}(...) WppTrace("")\n'
    keys = [f"_ddilint_key{i}" for i in range(upper.index("MSG"))]
    return f"#define {name}({', '.join([*keys, 'MSG', '...'])}) WppTrace(MSG, ##__VA_ARGS__)\n"
