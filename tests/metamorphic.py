"""Meaning-preserving source transformations of driver fixtures, and how to compare the reports before and after.

tests/test_metamorphic.py checks that ddilint's findings survive edits that cannot change what a driver
does: comments and blank lines, renamed locals and static functions, reordered function definitions, a
file split in two, and reformatting. This module holds the transformations (text in, text out, plus what
they did to lines and names, so the expected report can be derived from the original one) and the
normalizations that make two reports comparable. It reads C with its own small lexer and with libclang
directly (borrowing only ddilint's libclang loader and command line, so that it sees the same headers),
never with ddilint's frontend, IR or analyses, so that a bug there cannot hide itself in the oracle.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ddilint.cli import main
from ddilint.frontend.clang_args import clang_args
from ddilint.frontend.libclang_bindings import cindex

# ---------------------------------------------------------------------------------------- running ddilint


@contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """Run with ``path`` as the current directory (ddilint shows paths relative to it)."""
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


# The properties are about the analysis, not its isolation: parse in this process rather than in a forked
# child per driver, which for a few thousand runs would cost more than the runs themselves.
IN_PROCESS = ("--timeout", "0")


def run_report(base: Path, target: str, output: Path) -> dict:
    """``ddilint check TARGET`` from ``base`` (so report paths are relative to it), uncached, in-process."""
    args = ["check", target, "--no-cache", "--jobs", "1", *IN_PROCESS, "--format", "json"]
    with working_directory(base):
        main([*args, "--output", str(output)])
    return json.loads(output.read_text(encoding="utf-8"))


def parse_errors(report: dict) -> list[dict]:
    """The error notifications of a report: a transformation that breaks compilation shows here."""
    return [n for n in report["notifications"] if n["level"] == "error"]


# ------------------------------------------------------------------------------------------------- lexing


@dataclass(frozen=True)
class Scan:
    """A C source read by a small lexer: what is code, and where a new line may be inserted."""

    no_comments: str  # comments blanked (newlines kept): literals and code remain
    code_only: str  # comments and string/character literals blanked: identifiers in code remain
    breakable: tuple[bool, ...]  # per line: a new line may follow it (not in a comment, literal or continuation)


def scan(text: str) -> Scan:
    """Lex ``text`` once, keeping offsets: comments and literals become spaces, newlines stay."""
    no_comments, code_only, breakable = list(text), list(text), []
    state = "code"  # or "line", "block" (comments), '"', "'" (literals)
    i = line_start = 0
    while i < len(text):
        ch, nxt = text[i], text[i + 1 : i + 2]
        if ch == "\n":
            continued = i > 0 and text[i - 1] == "\\"
            if state in ("line", '"', "'") and not continued:
                state = "code"  # a line comment ends; an unterminated literal too
            breakable.append(state == "code" and not text[line_start:i].rstrip(" \t").endswith("\\"))
            line_start = i + 1
        elif state == "code" and ch == "/" and nxt in ("/", "*"):
            state = "line" if nxt == "/" else "block"
            for j in (i, i + 1):
                no_comments[j] = code_only[j] = " "
            i += 2
            continue
        elif state == "block" and ch == "*" and nxt == "/":
            for j in (i, i + 1):
                no_comments[j] = code_only[j] = " "
            state, i = "code", i + 2
            continue
        elif state in ("line", "block"):
            no_comments[i] = code_only[i] = " "
        elif state == "code" and ch in "\"'":
            state, code_only[i] = ch, " "
        elif state in ('"', "'"):
            code_only[i] = " "
            if ch == "\\" and nxt and nxt != "\n":
                code_only[i + 1] = " "
                i += 2
                continue
            if ch == state:
                state = "code"
        i += 1
    return Scan("".join(no_comments), "".join(code_only), tuple(breakable))


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` with their newline characters."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


# ------------------------------------------------------------------------------- comments and blank lines

# What property 1 inserts: blank lines, line comments, one-line and multi-line block comments.
SNIPPETS = (
    "",
    "// metamorphic: a line comment",
    "    /* metamorphic: a block comment */",
    "/*\n * metamorphic: a block comment\n * of four lines\n */",
    "\t",
    "// metamorphic: two line comments\n// the second one",
    "/* metamorphic */ // and a line comment after it",
)


def insertion_points(text: str) -> list[int]:
    """Line boundaries where a new line cannot change the meaning: ``b`` inserts before line ``b + 1``.

    Not after a line ending in a backslash (a macro or comment continuation), nor inside a block
    comment or a literal; not after a last line that has no newline.
    """
    lines = split_lines(text)
    breakable = scan(text).breakable
    points = [0] + [b for b in range(1, len(lines)) if breakable[b - 1]]
    if lines and lines[-1].endswith("\n") and breakable[len(lines) - 1]:
        points.append(len(lines))
    return points


@dataclass(frozen=True)
class LineMap:
    """Old line number -> new line number of a file, after lines were inserted."""

    inserted_before: tuple[int, ...]  # per old line (1-based, index 0 unused): lines inserted above it

    def __call__(self, line: int) -> int:
        return line + self.inserted_before[min(max(line, 0), len(self.inserted_before) - 1)]


def insert_lines(text: str, insertions: Sequence[tuple[int, str]]) -> tuple[str, LineMap]:
    """``text`` with each snippet inserted as whole lines at its boundary, and the resulting line map."""
    lines = split_lines(text)
    at: dict[int, list[str]] = {}
    for boundary, snippet in insertions:
        at.setdefault(boundary, []).append(snippet)
    out: list[str] = []
    shift = [0] * (len(lines) + 2)
    added = 0
    for b in range(len(lines) + 1):
        for snippet in at.get(b, []):
            out.extend(line + "\n" for line in snippet.split("\n"))
            added += snippet.count("\n") + 1
        shift[b + 1] = added
        if b < len(lines):
            out.append(lines[b])
    return "".join(out), LineMap(tuple(shift))


# ------------------------------------------------------------------------------------ report comparison

LINE_REF = re.compile(r"\b(line )(\d+)")
COL_REF = re.compile(r"\b(col )(\d+)")
INITIALIZERS = re.compile(r"<initializers of [^>]*>")


def without_positions(text: str) -> str:
    """A message with its line and column references (``at line 42``, ``<lambda at line 5, col 3>``) blanked."""
    return COL_REF.sub(r"\1N", LINE_REF.sub(r"\1N", text))


def steps(finding: dict) -> list[dict]:
    """The explanation steps and related places of a finding (each has file, line, column and message)."""
    return [*finding.get("path", []), *finding.get("related", [])]


def positionless(report: dict, keep_file: bool = True) -> Counter:
    """The findings as a multiset that ignores every line and column (also those inside messages).

    ``keep_file=False`` also forgets which file (and so which ``<initializers of FILE>`` pseudo-function)
    a finding is in.
    """

    def text(s: str) -> str:
        s = without_positions(s)
        return s if keep_file else INITIALIZERS.sub("<initializers>", s)

    return Counter(
        (
            f["file"] if keep_file else "",
            f["code"],
            f.get("ddi", ""),
            text(f.get("function", "")),
            text(f["message"]),
            tuple((s["file"] if keep_file else "", text(s["message"])) for s in steps(f)),
        )
        for f in report["findings"]
    )


def line_pattern(message: str, candidates: Callable[[int], set[int]]) -> re.Pattern[str]:
    """A pattern for ``message`` after a line move: each ``line N`` may read as any of ``candidates(N)``."""
    parts, last = [], 0
    for match in LINE_REF.finditer(message):
        parts.append(re.escape(message[last : match.start(2)]))
        parts.append("(?:" + "|".join(str(n) for n in sorted(candidates(int(match.group(2))))) + ")")
        last = match.end()
    parts.append(re.escape(message[last:]))
    return re.compile("".join(parts))


@dataclass
class Expected:
    """A finding as it should read after lines moved: exact places, messages as patterns."""

    exact: tuple
    messages: tuple[re.Pattern[str], ...]

    def matches(self, exact: tuple, messages: tuple[str, ...]) -> bool:
        return exact == self.exact and all(p.fullmatch(m) for p, m in zip(self.messages, messages, strict=True))


def _place(item: dict, move: Callable[[str, int], int], end: bool = False) -> tuple:
    place = (item["file"], move(item["file"], item["line"]), item.get("column"))
    return (*place, move(item["file"], item["end_line"]), item.get("end_column")) if end else place


def _exact(finding: dict, move: Callable[[str, int], int]) -> tuple:
    return (
        _place(finding, move, end="end_line" in finding),
        finding["code"],
        finding.get("ddi"),
        tuple(_place(s, move) for s in steps(finding)),
    )


def _texts(finding: dict) -> tuple[str, ...]:
    return (finding["message"], finding.get("function", ""), *(s["message"] for s in steps(finding)))


def moved_findings_differ(
    before: dict, after: dict, move: Callable[[str, int], int], candidates: Callable[[int], set[int]]
) -> list[str]:
    """What is wrong with ``after`` if ``before`` had its lines moved by ``move`` (file, line -> line).

    Places are compared exactly; a ``line N`` inside a message may be any of ``candidates(N)``
    (a message does not say which file its line is in). Returns the differences (none: all is well).
    """
    expected = [
        Expected(_exact(f, move), tuple(line_pattern(t, candidates) for t in _texts(f))) for f in before["findings"]
    ]
    unmatched = []
    for finding in after["findings"]:
        exact, texts = _exact(finding, lambda _f, line: line), _texts(finding)
        hit = next((e for e in expected if e.matches(exact, texts)), None)
        if hit is None:
            unmatched.append(f"unexpected: {exact[0]} {finding['code']} {finding['message']}")
        else:
            expected.remove(hit)
    missing = [f"missing: {e.exact[0]} {e.exact[1]} {e.messages[0].pattern}" for e in expected]
    return unmatched + missing


# ------------------------------------------------------------------------------------ reading C with libclang


def parse_c(path: Path) -> Any:
    """libclang's translation unit of ``path``, parsed with the command line ddilint uses (bundled WDK headers)."""
    return cindex().Index.create().parse(str(path), args=clang_args([str(path.parent)], language="c"))


@dataclass(frozen=True)
class Spot:
    """Where a name is written: a file handle of the translation unit and a 1-based line and column."""

    file: int | None
    line: int
    col: int


def spelled_at(cursor: Any) -> Spot:
    """Where the cursor's name is spelled: for code in a macro argument the argument, for a macro body the
    ``#define`` (libclang's ``location`` gives the macro use instead)."""
    lib = cindex().conf.lib
    file, line, col, offset = ctypes.c_void_p(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    location = lib.clang_getCursorLocation(cursor)
    lib.clang_getSpellingLocation(location, *(ctypes.byref(x) for x in (file, line, col, offset)))
    return Spot(file.value, line.value, col.value)


def char_column(line: str, byte_column: int) -> int:
    """libclang counts columns in bytes; Python strings in characters."""
    return len(line.encode("utf-8")[: byte_column - 1].decode("utf-8", "ignore")) + 1


def main_file_handle(tu: Any, path: Path) -> int | None:
    """libclang's handle of the parsed file itself, to tell its text from the headers'."""
    handle = cindex().conf.lib.clang_getFile(tu, str(path))
    return ctypes.cast(handle, ctypes.c_void_p).value if handle else None


def main_file_cursors(tu: Any, path: Path) -> Iterator[Any]:
    """Every cursor under the top-level declarations written in ``path`` (headers' declarations skipped)."""
    for top in tu.cursor.get_children():
        if top.location.file is not None and top.location.file.name == str(path):
            yield from top.walk_preorder()


# ------------------------------------------------------------------------------------------------ renaming


@dataclass
class Entity:
    """A renameable thing of one file: a local variable or parameter, or a static function."""

    kind: str  # "local" or "function"
    name: str
    spots: set[tuple[int, int]] = field(default_factory=set)  # (line, col) of each occurrence in the file
    elsewhere: bool = False  # an occurrence is spelled in another file (a header's macro): not renameable


def _entity_key(cursor: Any, ci: Any) -> tuple[str, str] | None:
    """("local" | "function", USR) when ``cursor`` declares a renameable entity, else None."""
    kinds = ci.CursorKind
    if not cursor.spelling:
        return None
    parent = cursor.semantic_parent
    if cursor.kind in (kinds.VAR_DECL, kinds.PARM_DECL) and parent is not None and parent.kind == kinds.FUNCTION_DECL:
        return ("local", cursor.get_usr() or f"{cursor.spelling}@{cursor.location.line}:{cursor.location.column}")
    if cursor.kind == kinds.FUNCTION_DECL and cursor.linkage == ci.LinkageKind.INTERNAL:
        return ("function", cursor.get_usr())
    return None


def _directive_lines(text: str) -> dict[int, str]:
    """Preprocessor directive lines (1-based) and their directive name (``define``, ``pragma``, ...),
    continuation lines of a directive included."""
    found: dict[int, str] = {}
    lines = scan(text).no_comments.split("\n")
    directive = ""
    for number, line in enumerate(lines, start=1):
        if directive:
            found[number] = directive
        elif (m := re.match(r"\s*#\s*(\w+)", line)) is not None:
            directive = found[number] = m.group(1)
        if not line.rstrip().endswith("\\"):
            directive = ""
    return found


def renameable(path: Path, fixture_headers: Sequence[str] = ()) -> list[Entity]:
    """The locals and static functions of C file ``path`` whose every mention can be renamed consistently.

    An entity qualifies when each whole-word occurrence of its name in the file's code (comments and
    literals excluded) is a mention libclang attributes to exactly one entity, written in this file and not
    in a macro definition (``#pragma alloc_text`` lines are renamed with the function they name); a name
    that fails this for any of its entities is left alone everywhere. A static function also must not
    be named in the fixture's own headers (``fixture_headers``: their text).
    """
    ci = cindex()
    tu = parse_c(path)
    text = path.read_text(encoding="utf-8")
    source_lines = text.split("\n")
    main = main_file_handle(tu, path)
    entities: dict[tuple[str, str], Entity] = {}
    others: set[tuple[int, int]] = set()  # mentions of anything else (fields, globals, types, ...)

    def note(key: tuple[str, str] | None, cursor: Any, declaration: Any) -> None:
        spot = spelled_at(cursor)
        here = spot.file == main and 0 < spot.line <= len(source_lines)
        where = (spot.line, char_column(source_lines[spot.line - 1], spot.col)) if here else (0, 0)
        if key is None:
            if here:
                others.add(where)
            return
        entity = entities.setdefault(key, Entity(key[0], declaration.spelling))
        canonical = declaration.canonical.location.file
        if not here or canonical is None or canonical.name != str(path):  # e.g. a static inline of a header
            entity.elsewhere = True
        else:
            entity.spots.add(where)

    for cursor in main_file_cursors(tu, path):
        if cursor.kind in (ci.CursorKind.DECL_REF_EXPR, ci.CursorKind.MEMBER_REF_EXPR) and cursor.referenced:
            note(_entity_key(cursor.referenced, ci), cursor, cursor.referenced)
        elif cursor.kind.is_declaration() and cursor.spelling:
            note(_entity_key(cursor, ci), cursor, cursor)
    return _consistent(text, entities, others, fixture_headers)


def _consistent(
    text: str, entities: dict[tuple[str, str], Entity], others: set[tuple[int, int]], headers: Sequence[str]
) -> list[Entity]:
    """The entities whose names pass the whole-word check of ``renameable``; adds their pragma mentions."""
    lines = scan(text).code_only.split("\n")
    directives = _directive_lines(text)
    by_name: dict[str, list[Entity]] = {}
    for entity in entities.values():
        by_name.setdefault(entity.name, []).append(entity)
    result = []
    for name, group in by_name.items():
        words = {
            (number, m.start() + 1)
            for number, line in enumerate(lines, start=1)
            for m in re.finditer(rf"\b{re.escape(name)}\b", line)
        }
        claimed = [spot for e in group for spot in e.spots]
        pragma = {w for w in words if directives.get(w[0]) == "pragma"}
        fine = (
            not any(e.elsewhere for e in group)
            and len(claimed) == len(set(claimed))  # no mention belongs to two entities
            and set(claimed) <= words
            and not any(directives.get(line) not in (None, "pragma") for line, _ in claimed)
            and words - set(claimed) - pragma <= others  # the rest are mentions of something else
            and not (pragma and [e.kind for e in group] != ["function"])  # a pragma names the one function
            and not (group[0].kind == "function" and any(re.search(rf"\b{re.escape(name)}\b", h) for h in headers))
        )
        if fine:
            group[0].spots |= pragma
            result.extend(group)
    return result


@dataclass
class ColumnMap:
    """Old column -> new column on the lines a renaming edited (names change length)."""

    deltas: dict[tuple[str, int], list[tuple[int, int]]] = field(default_factory=dict)  # (file, line) -> (col, delta)

    def __call__(self, file: str, line: int, col: int) -> int:
        return col + sum(delta for at, delta in self.deltas.get((file, line), []) if at < col)


def rename(
    text: str, entities: Sequence[Entity], first: int, file: str, columns: ColumnMap
) -> tuple[str, dict[str, str]]:
    """``text`` (the file ``file`` of a report) with each entity renamed to a fresh ``zz_l<n>`` (locals) or
    ``zz_f<n>`` (functions), numbered from ``first``; returns the new text and new name -> old name, and
    records in ``columns`` how the columns of the edited lines move."""
    assert not re.search(r"\bzz_[lf]\d", text), "the fresh names are taken"
    lines = split_lines(text)
    edits: list[tuple[int, int, str, str]] = []
    names: dict[str, str] = {}
    for n, entity in enumerate(entities, start=first):
        new = f"zz_{'l' if entity.kind == 'local' else 'f'}{n}"
        names[new] = entity.name
        edits.extend((line, col, entity.name, new) for line, col in entity.spots)
    for line, col, old, new in sorted(edits, reverse=True):
        current = lines[line - 1]
        assert current[col - 1 : col - 1 + len(old)] == old, (line, col, old, current)
        lines[line - 1] = current[: col - 1] + new + current[col - 1 + len(old) :]
        columns.deltas.setdefault((file, line), []).append((col, len(new) - len(old)))
    return "".join(lines), names


def name_restorer(names: dict[str, str]) -> Callable[[str], str]:
    """A function that puts the original names back into a message (the fresh names are unique words)."""
    if not names:
        return lambda s: s
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
    return lambda s: pattern.sub(lambda m: names[m.group(1)], s)


def renamed_findings(
    report: dict, restore: Callable[[str], str] = lambda s: s, move: Callable[[str, int, int], int] | None = None
) -> list[tuple]:
    """The findings with their places, the original names put back by ``restore``; ``move`` (file, line,
    column -> column) carries the original's columns over a renaming, which moves no line."""

    def at(item: dict, column: str = "column", line: str = "line") -> tuple:
        col = item.get(column)
        return (item["file"], item[line], move(item["file"], item[line], col) if move and col else col)

    return sorted(
        (
            at(f),
            at(f, "end_column", "end_line") if "end_line" in f else (),
            f["code"],
            f.get("ddi", ""),
            restore(f.get("function", "")),
            restore(f["message"]),
            tuple((*at(s), restore(s["message"])) for s in steps(f)),
        )
        for f in report["findings"]
    )


# ------------------------------------------------------------------------------ the layout of a C file

ANNOTATION_LINE = re.compile(r"\s*(?:_\w+_|__drv_\w+)\s*(?:\([^;{}]*\))?\s*$")  # _Use_decl_annotations_, ...
HOISTABLE_DIRECTIVES = ("pragma",)  # may move above the definitions (``#pragma alloc_text`` names declared functions)
BODY_DIRECTIVES = ("if", "ifdef", "ifndef", "elif", "else", "endif", "pragma")  # self-contained in a definition


class UnsupportedError(Exception):
    """The file is not shaped so that a mechanical edit is sound; the message says why (the test skips it)."""


@dataclass
class Definition:
    """A function definition: whole lines ``start``..``end`` (1-based; leading annotation-only lines included)."""

    name: str
    start: int
    end: int
    header: str  # its text up to the body: with ";" a prototype that keeps every annotation
    needs_prototype: bool  # nothing declares it before the first definition
    static_spots: list[tuple[int, int]]  # where ``static`` is written in it (line, col)
    static_offsets: list[int] = field(default_factory=list)  # the same, as offsets into ``header``

    def prototype(self, keep_static: bool = True) -> str:
        """A declaration of the function with the definition's own words (annotations, role, calling convention)."""
        text = self.header
        for at in [] if keep_static else sorted(self.static_offsets, reverse=True):
            assert text[at : at + 6] == "static", (self.name, text)
            text = text[:at] + text[at + 6 :].lstrip(" \t")
        return text + ";\n"


@dataclass
class Global:
    """A file-scope variable definition on whole lines ``start``..``end``."""

    name: str
    start: int
    end: int
    extern: str  # a declaration of it: ``extern TYPE NAME[SIZE];``
    static_spots: list[tuple[int, int]]
    obstacle: str = ""  # why it cannot be declared ``extern`` mechanically


@dataclass
class Layout:
    """A C file as prelude, function definitions, and what lies between them (hoistable lines only)."""

    lines: list[str]
    first: int  # the first line of the first definition; lines before it are the prelude
    definitions: list[Definition]
    hoisted: list[int]  # lines after ``first`` outside definitions that hold declarations or pragmas
    globals: list[Global]
    static_declarations: list[tuple[int, int]]  # ``static`` of function declarations outside definitions
    split_obstacles: list[str]  # why the file cannot be split mechanically (none: it can)

    def text(self, numbers: Sequence[int], without: Sequence[tuple[int, int]] = ()) -> str:
        """The given lines, with the ``static`` keywords at ``without`` removed."""
        drop: dict[int, list[int]] = {}
        for line, col in without:
            drop.setdefault(line, []).append(col)
        out = []
        for number in numbers:
            line = self.lines[number - 1]
            for col in sorted(drop.get(number, []), reverse=True):
                assert line[col - 1 : col + 5] == "static", (number, line)
                line = line[: col - 1] + line[col + 5 :].lstrip(" ")
            out.append(line)
        return "".join(out)


def _words(code: list[str], word: str, start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int]]:
    """Where ``word`` is written in code (comments and literals masked) from ``start`` up to ``end`` (line, col)."""
    found = []
    for number in range(start[0], end[0] + 1):
        for m in re.finditer(rf"\b{word}\b", code[number - 1]):
            if start <= (number, m.start() + 1) < end:
                found.append((number, m.start() + 1))
    return found


def _statements(tops: list[Any], code: list[str]) -> list[tuple[list[Any], int, int, str]]:
    """Top-level declarations grouped into statements (``static ULONG a, b;`` is two cursors, one statement):
    (cursors, first line, last line, "" or why the statement does not stand on whole lines)."""
    groups: list[list[Any]] = []
    for c in sorted(tops, key=lambda c: (c.extent.start.line, c.extent.start.column)):
        if groups and c.extent.start.line <= max(g.extent.end.line for g in groups[-1]):
            groups[-1].append(c)
        else:
            groups.append([c])
    result = []
    for group in groups:
        first, last = group[0].extent.start, max((g.extent.end for g in group), key=lambda e: (e.line, e.column))
        before = code[first.line - 1][: first.column - 1]
        after = code[last.line - 1][last.column - 1 :]
        whole = not before.strip() and after.strip() in ("", ";")
        problem = "" if whole else f"line {first.line}: '{group[0].spelling}' shares its lines with other code"
        result.append((group, first.line, last.line, problem))
    return result


def layout(path: Path) -> Layout:
    """Read ``path`` with libclang into a Layout, or UnsupportedError when edits could not be mechanical."""
    ci = cindex()
    kinds = ci.CursorKind
    tu = parse_c(path)
    text = path.read_text(encoding="utf-8")
    lines = split_lines(text)
    scanned = scan(text)
    code, words = scanned.no_comments.split("\n"), scanned.code_only.split("\n")
    main = main_file_handle(tu, path)
    tops = [c for c in tu.cursor.get_children() if c.location.file is not None and c.location.file.name == str(path)]
    definitions = [c for c in tops if c.kind == kinds.FUNCTION_DECL and c.is_definition()]
    if len(definitions) < 2:
        raise UnsupportedError("fewer than two function definitions")
    for c in definitions:
        if spelled_at(c).file != main or not lines[c.location.line - 1][c.location.column - 1 :].startswith(c.spelling):
            raise UnsupportedError(f"a macro writes the definition of {c.spelling}")
    starts = {}
    for c in definitions:
        start = c.extent.start.line
        while start > 1 and ANNOTATION_LINE.match(code[start - 2]):
            start -= 1
        starts[c.hash] = start
    first = min(starts.values())
    defs = [_definition(c, starts[c.hash], lines, words, first, path) for c in definitions]
    globals_, hoisted, static_declarations, obstacles = [], set(), [], []
    others = [c for c in tops if not (c.kind == kinds.FUNCTION_DECL and c.is_definition())]
    for group, start, end, problem in _statements(others, code):
        if start >= first:
            if problem:
                raise UnsupportedError(problem)
            hoisted.update(range(start, end + 1))
        variables = [c for c in group if c.kind == kinds.VAR_DECL and c.storage_class != ci.StorageClass.EXTERN]
        if variables:
            globals_.append(_global(group, start, end, words, problem))
        for c in group:
            if c.kind == kinds.FUNCTION_DECL and c.storage_class == ci.StorageClass.STATIC:
                spots = _words(words, "static", (start, 1), (c.location.line, c.location.column))
                if not spots:
                    obstacles.append(f"'{c.spelling}' is static through a macro")
                static_declarations.extend(spots)
    _check_gaps(text, code, defs, first, hoisted)
    obstacles.extend(g.obstacle for g in globals_ if g.obstacle)
    return Layout(lines, first, defs, sorted(hoisted), globals_, static_declarations, obstacles)


def _definition(cursor: Any, start: int, lines: list[str], words: list[str], first: int, path: Path) -> Definition:
    body = next((c for c in cursor.get_children() if c.kind == cindex().CursorKind.COMPOUND_STMT), None)
    if body is None:
        raise UnsupportedError(f"no body found for {cursor.spelling}")
    end = cursor.extent.end
    if lines[end.line - 1][end.column - 1 :].strip():
        raise UnsupportedError(f"code after the end of {cursor.spelling} on line {end.line}")
    at = (body.extent.start.line, body.extent.start.column)
    head = "".join(lines[start - 1 : at[0] - 1]) + lines[at[0] - 1][: at[1] - 1]
    canonical = cursor.canonical.location
    needs = canonical.file is not None and canonical.file.name == str(path) and canonical.line >= first
    spots = _words(words, "static", (start, 1), at)
    offsets = [sum(len(x) for x in lines[start - 1 : line - 1]) + col - 1 for line, col in spots]
    return Definition(cursor.spelling, start, end.line, head.rstrip(), needs, spots, offsets)


def _global(group: list[Any], start: int, end: int, words: list[str], problem: str) -> Global:
    """A file-scope variable definition (one statement), with the ``extern`` declaration for a shared header."""
    ci = cindex()
    names = ", ".join(c.spelling for c in group)
    code = "\n".join(words[start - 1 : end])  # comments and literals masked: "=" and brackets are code
    depth, cut = 0, len(code)
    for i, ch in enumerate(code):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch in "=;" and depth == 0:
            cut = i
            break
    # No static (part1 defines it for part2 too) and no selectany (clang then takes the extern for a definition).
    declarator = " ".join(re.sub(r"\bstatic\b|__declspec\s*\(\s*selectany\s*\)", " ", code[:cut]).split())
    if any(c.kind != ci.CursorKind.VAR_DECL for c in group) or "{" in declarator:
        problem = problem or f"'{names}' declares a type with the variable"
    elif len(group) > 1 and code[cut] == "=":
        problem = problem or f"'{names}': several initialized globals in one declaration"
    elif declarator.endswith("]"):
        declarator = re.sub(r"\[\s*\]$", f"[{group[0].type.get_array_size()}]", declarator)
    statics = _words(words, "static", (start, 1), (start + code[:cut].count("\n"), len(code) + 1))
    return Global(names, start, end, f"extern {declarator};\n", statics, problem)


def _check_gaps(text: str, code: list[str], defs: list[Definition], first: int, hoisted: set[int]) -> None:
    """After the first definition, lines outside definitions must be hoistable or empty; directives inside
    definitions must be conditionals or pragmas (a ``#define`` there would change scope when moved)."""
    directives = _directive_lines(text)
    inside = {n for d in defs for n in range(d.start, d.end + 1)}
    for number in range(first, len(code) + 1):
        directive = directives.get(number)
        if number in inside:
            if directive is not None and directive not in BODY_DIRECTIVES:
                raise UnsupportedError(f"line {number}: #{directive} inside a function definition")
        elif directive is not None:
            if directive not in HOISTABLE_DIRECTIVES:
                raise UnsupportedError(f"line {number}: #{directive} between function definitions")
            hoisted.add(number)
        elif code[number - 1].strip() and number not in hoisted:
            raise UnsupportedError(f"line {number}: code between functions that is not a declaration")


# ------------------------------------------------------------------------------- reordering and splitting


def _lines(layout: Layout, first: int, last: int, without: Sequence[tuple[int, int]] = ()) -> str:
    text = layout.text(range(first, last + 1), without)
    return text if text.endswith("\n") or not text else text + "\n"


def reorder(layout: Layout, order: Sequence[int]) -> str:
    """The file with its function definitions in ``order`` (indexes into ``layout.definitions``).

    The prelude stays; after it come prototypes of the functions nothing declared before the first
    definition (a moved function may now be called above its definition), then the declarations and
    pragmas that stood between definitions, then the definitions, each with its leading annotation lines.
    """
    defs = layout.definitions
    out = [_lines(layout, 1, layout.first - 1), "\n"]
    out.extend(d.prototype() for d in defs if d.needs_prototype)
    out.append(layout.text(layout.hoisted))
    for i in order:
        out.extend(("\n", _lines(layout, defs[i].start, defs[i].end)))
    return "".join(out)


SPLIT_HEADER = "split.h"
INLINE = re.compile(r"\b(?:__forceinline|__inline|inline|FORCEINLINE)\b\s*")


def split(layout: Layout, cut: int) -> dict[str, str]:
    """The file as ``split.h``, ``part1.c`` (globals and definitions before ``cut``) and ``part2.c`` (the rest).

    The header gets the prelude and the declarations between definitions, with each global definition
    replaced by an ``extern`` declaration, ``static`` removed from function declarations, and prototypes of
    every defined function; part1.c defines the globals (without ``static``) and both parts include it.
    """
    starts = {g.start: g for g in layout.globals}
    skip = {n for g in layout.globals for n in range(g.start, g.end + 1)}
    statics = set(layout.static_declarations)
    header = []
    for number in [*range(1, layout.first), *layout.hoisted]:
        if number in starts:
            header.append(starts[number].extern)
        elif number not in skip:
            header.append(layout.text([number], [s for s in statics if s[0] == number]))
    # Without inline: in C99 a declaration without it makes part1's definition the external one part2 calls.
    header.extend(INLINE.sub("", d.prototype(keep_static=False)) for d in layout.definitions)
    include = f'#include "{SPLIT_HEADER}"\n'
    part1 = [include, *(_lines(layout, g.start, g.end, g.static_spots) for g in layout.globals)]
    part2 = [include]
    for i, d in enumerate(layout.definitions):
        (part1 if i < cut else part2).extend(("\n", _lines(layout, d.start, d.end, d.static_spots)))
    return {SPLIT_HEADER: "".join(header), "part1.c": "".join(part1), "part2.c": "".join(part2)}


# ------------------------------------------------------------------------------------------- reformatting

# Two fixed, very different styles. Includes keep their order (sorting them could change what a header
# sees) and comments are not reflowed (WPP reads its configuration from comments: begin_wpp config ... end_wpp).
FORMAT_STYLES = {
    "llvm-100": "{BasedOnStyle: LLVM, ColumnLimit: 100, SortIncludes: Never, ReflowComments: false}",
    "gnu-60-merged": (
        "{BasedOnStyle: GNU, ColumnLimit: 60, SortIncludes: Never, ReflowComments: false, IndentWidth: 3,"
        " AllowShortIfStatementsOnASingleLine: AllIfsAndElse, AllowShortBlocksOnASingleLine: Always,"
        " AllowShortLoopsOnASingleLine: true, AllowShortFunctionsOnASingleLine: All, BreakBeforeBraces: Allman}"
    ),
}


def clang_format_binary() -> str:
    """The ``clang-format`` of the PyPI package (installed beside this Python), else one on PATH."""
    here = Path(sys.executable).parent
    found = shutil.which("clang-format", path=os.pathsep.join([str(here), os.environ.get("PATH", "")]))
    if found is None:
        raise FileNotFoundError("clang-format is not installed: pip install -e '.[test]'")
    return found


def reformat(text: str, name: str, style: str) -> str:
    """``text`` (a file called ``name``, which sets the language) reformatted by clang-format in ``style``."""
    result = subprocess.run(
        [clang_format_binary(), f"--style={style}", f"--assume-filename={name}"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout
