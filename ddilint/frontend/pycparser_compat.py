"""Making preprocessed WDK C parseable by pycparser, which knows only ISO C.

The second frontend (issue 9, in progress) preprocesses with ``pcpp`` and parses
with ``pycparser``. The MSVC and GNU extensions the bundled headers and driver
code use are handled here, deliberately and at the token level, on the
preprocessed text:

- ddilint's SAL annotations (``__attribute__((annotate("ddilint:...")))``) are
  lifted into a side table with their position, so the frontend can attach
  them to the declaration that follows, as the libclang frontend does;
- other ``__attribute__((...))`` and ``__declspec(...)`` are blanked;
- ``__forceinline``/``__inline`` become ``inline``; calling-convention and
  pointer qualifiers (``__cdecl``, ``__ptr64``, ``__unaligned``, ...) vanish;
- ``__int8/16/32/64`` become the standard types;
- ``__builtin_va_arg(ap, T)`` becomes ``(*(T *)0)``; ``__pragma(...)``,
  ``#pragma`` lines, ``_Static_assert(...)`` and inline assembly (``__asm { }``,
  ``__asm ...``, ``__asm__(...)``) go;
- structured exception handling is encoded in ISO C that the lowering decodes:
  ``__try`` is ``if (__ddilint_try)``, ``__except (F)`` is
  ``else if (__ddilint_except(F))``, ``__finally`` is
  ``else if (__ddilint_finally)``, ``__leave`` is ``__ddilint_leave()``;
- ``#line`` markers become the ``# N "file"`` form pycparser reads.

Blanking keeps every offset and column, so positions in the analysed file are
unchanged wherever no rewrite happened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ddilint.frontend.source_text import matching_paren

_ANNOTATION = re.compile(r'__attribute__\s*\(\(\s*annotate\s*\(((?:\s*"[^"\n]*")+)\s*\)\s*\)\)')
_STRING = re.compile(r'"([^"\n]*)"')
_INLINE = re.compile(r"\b__forceinline\b|\b__inline__\b|\b__inline\b")
_DROPPED = re.compile(r"\b(?:__cdecl|__stdcall|__fastcall|__ptr64|__ptr32|__unaligned|__restrict|__w64)\b")
_INTS = {"__int8": "char", "__int16": "short", "__int32": "int", "__int64": "long long"}
_INT_TYPES = re.compile(r"\b__int(?:8|16|32|64)\b")
_PRAGMA_LINE = re.compile(r"^[ \t]*#[ \t]*pragma\b.*$", re.M)
_ASM_BLOCK = re.compile(r"\b__asm\s*\{[^}]*\}|\b__asm\b[^\n;}]*")  # MSVC inline assembly, block or one line
_SEH = re.compile(r"\b(?:__try|__finally|__leave)\b")
_SEH_SPELLING = {
    "__try": "if (__ddilint_try)",
    "__finally": "else if (__ddilint_finally)",
    "__leave": "__ddilint_leave()",
}
_LINE_MARKER = re.compile(r'^#line (\d+) ("(?:[^"\\]|\\.)*")', re.M)


@dataclass(frozen=True)
class LiftedAnnotation:
    offset: int  # where the annotation stood in the preprocessed text
    kind: str  # e.g. "irql_requires_max"
    args: tuple[str, ...]


def make_parseable(text: str) -> tuple[str, list[LiftedAnnotation]]:
    """The text pycparser can parse, and the ddilint annotations taken out of it."""
    annotations: list[LiftedAnnotation] = []

    def lift(match: re.Match[str]) -> str:
        value = "".join(_STRING.findall(match.group(1)))
        if value.startswith("ddilint:"):
            kind, *args = value[len("ddilint:") :].split(":")
            annotations.append(LiftedAnnotation(match.start(), kind, tuple(args)))
        return _blank(match.group(0))

    text = _ANNOTATION.sub(lift, text)
    text = _blank_calls(text, "__attribute__")
    text = _blank_calls(text, "__declspec")
    text = _blank_calls(text, "__pragma")
    text = _rewrite_calls(text, "__builtin_va_arg", _va_arg)
    text = _INLINE.sub(lambda m: "inline".ljust(len(m.group(0))), text)
    text = _DROPPED.sub(lambda m: _blank(m.group(0)), text)
    text = _INT_TYPES.sub(lambda m: _INTS[m.group(0)], text)
    text = _PRAGMA_LINE.sub(lambda m: _blank(m.group(0)), text)
    text = _blank_calls(text, "__asm__")
    text = _blank_calls(text, "_Static_assert")
    text = _ASM_BLOCK.sub(lambda m: _blank(m.group(0)), text)
    text = _rewrite_calls(text, "__except", lambda _whole, inner: f"else if (__ddilint_except({inner}))")
    text = _SEH.sub(lambda m: _SEH_SPELLING[m.group(0)], text)
    text = _LINE_MARKER.sub(r"# \1 \2", text)
    return text, annotations


def _blank(chunk: str) -> str:
    """Spaces instead of the characters, newlines kept: offsets and lines do not move."""
    return re.sub(r"[^\n]", " ", chunk)


def _balanced_end(text: str, open_at: int) -> int | None:
    """The offset just after the parenthesis matching the one at ``open_at``."""
    close = matching_paren(text, open_at)
    return close + 1 if close is not None else None


def _calls(text: str, name: str) -> list[tuple[int, int, int]]:
    """(start, opening parenthesis, end) of every ``name(...)`` in the text."""
    found = []
    for match in re.finditer(r"\b" + re.escape(name) + r"\s*\(", text):
        end = _balanced_end(text, match.end() - 1)
        if end is not None:
            found.append((match.start(), match.end() - 1, end))
    return found


def _blank_calls(text: str, name: str) -> str:
    return _rewrite_calls(text, name, lambda whole, _inner: _blank(whole))


def _rewrite_calls(text: str, name: str, rewrite: object) -> str:
    pieces = []
    last = 0
    for start, paren, end in _calls(text, name):
        if start < last:
            continue  # nested in a call already rewritten
        pieces.append(text[last:start])
        pieces.append(rewrite(text[start:end], text[paren + 1 : end - 1]))  # type: ignore[operator]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _va_arg(whole: str, inner: str) -> str:
    _, _, type_name = inner.partition(",")
    return f"(*({type_name.strip()} *)0)"
