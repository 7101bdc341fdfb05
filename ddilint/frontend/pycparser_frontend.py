"""The pure-Python frontend: pcpp preprocesses, pycparser parses, and the tree is lowered into the same IR.

Used where libclang cannot load (``--frontend pycparser``, or ``auto`` falling
back). Differences from the libclang frontend, by construction: locations are
the start of each construct (pycparser keeps no end positions), and constant
expressions are folded by a small evaluator (``sizeof`` is unknown). C only;
C++ files need libclang.
"""

from __future__ import annotations

import bisect
import os
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pcpp import Preprocessor
from pycparser import c_ast, c_parser

from ddilint import ir
from ddilint.discovery import display_path as discovered_path
from ddilint.frontend.clang_args import HEADERS_DIR, WDK_DEFINES
from ddilint.frontend.column_map import ColumnMap
from ddilint.frontend.libclang_frontend import FrontendOptions
from ddilint.frontend.precompiled import eligible_header
from ddilint.frontend.pycparser_compat import LiftedAnnotation, make_parseable
from ddilint.frontend.pycparser_lower import Lowerer, Scope, annotations_before
from ddilint.frontend.source_text import macro_use_ranges
from ddilint.frontend.wpp import wpp_stand_ins
from ddilint.sources import read_source

DEFINES = (*WDK_DEFINES, "_MSC_VER=1929")  # clang's -fms-compatibility-version=19.29 defines _MSC_VER


class _Preprocessor(Preprocessor):
    """pcpp with errors collected (not printed) and WPP stand-ins for missing ``.tmh`` files."""

    def __init__(self, stand_ins: dict[str, str]) -> None:
        super().__init__()
        self.line_directive = "#line"
        self.errors: list[tuple[str, int, str]] = []
        self.stand_ins = stand_ins

    def on_error(self, file: str, line: int, msg: str) -> None:
        self.errors.append((file, line, msg))
        self.return_code += 1

    def on_file_open(self, is_system_include: bool, includepath: str) -> Any:
        """Only regular files are read: ``#include "/dev/zero"`` (or a FIFO) is an include error, not a hang.
        Bytes that are not UTF-8 are read as Latin-1, as the source file itself."""
        if os.path.exists(includepath) and not os.path.isfile(includepath):
            raise OSError(f"not a regular file: {includepath}")
        handle = open(includepath, encoding="utf-8", errors="surrogateescape")  # noqa: SIM115 - pcpp closes it
        if handle.read(1) != "\ufeff":
            handle.seek(0)
        return handle

    def on_include_not_found(self, is_malformed: bool, is_system_include: bool, curdir: str, includepath: str) -> str:
        stand_in = self.stand_ins.pop(os.path.basename(includepath), None)  # once: pcpp retries the directory
        if stand_in is not None and os.path.basename(stand_in) == includepath:
            return os.path.dirname(stand_in)  # pcpp wants a directory to add to the search path
        return super().on_include_not_found(is_malformed, is_system_include, curdir, includepath)  # type: ignore[no-any-return]


def parse_file(path: str, display_path: str, options: FrontendOptions) -> ir.TranslationUnit:
    source = read_source(path)
    unit = ir.TranslationUnit(display_path, notifications=list(source.notifications), source_lines=source.lines)
    unit.notifications[:] = [
        ir.Notification(n.level, n.message, display_path, n.line, n.col) for n in unit.notifications
    ]
    if not source.analyzable:
        unit.analyzed = False
        return unit
    text = "\n".join(source.lines) + "\n"
    if options.wdk_include is not None:
        unit.notifications.append(
            ir.Notification(
                "warning", "the pure-Python frontend reads the bundled headers, not --wdk-include (yet)", display_path
            )
        )
    with tempfile.TemporaryDirectory(prefix="ddilint-wpp-") as scratch:
        stand_ins = {}
        for stand_in_path, contents in wpp_stand_ins(path, text, options.include_dirs):
            target = os.path.join(scratch, os.path.basename(stand_in_path))
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(contents)
            stand_ins[os.path.basename(stand_in_path)] = target
        header = None if options.forced_includes else eligible_header(source.lines, list(options.include_dirs))
        prefix = _prefix(header, tuple(options.defines)) if header is not None else None
        pre = _Preprocessor(stand_ins)
        for directory in (os.path.dirname(os.path.abspath(path)), *options.include_dirs, str(HEADERS_DIR)):
            pre.add_path(directory)
        if prefix is not None:  # the header's macros, already read: its #include is skipped (#pragma once)
            pre.macros.update(prefix.macros)
            pre.include_once.update(prefix.include_once)
        else:
            for define in (*DEFINES, *options.defines):
                name, _, value = define.partition("=")
                pre.define(f"{name} {value or 1}")
        for forced in options.forced_includes:
            text = f'#include "{forced}"\n' + text
        pre.parse(text, os.path.abspath(path))
        preprocessed = _write(pre)
    for file, line, message in pre.errors[:10]:
        in_main = os.path.abspath(file or "") == os.path.abspath(path)
        where = "" if in_main else f" (in {os.path.basename(file or '?')}:{line})"
        unit.notifications.append(
            ir.Notification("error", f"preprocessor error: {message}{where}", display_path, line if in_main else 0)
        )
    parseable, annotations = make_parseable(preprocessed)
    tree = _parse_recovering(parseable, path, display_path, unit, prefix.typedef_names if prefix else None)
    if tree is None:
        unit.analyzed = False
        return unit
    # Annotation offsets are in the preprocessed text (the rewrite may change lengths): map positions there.
    scope = prefix.scope.copy() if prefix is not None else None
    columns = ColumnMap(source.lines, _LinePositions.lines_of(parseable, path))
    _lower(tree, preprocessed, annotations, path, display_path, source.lines, options, unit, scope, columns)
    return unit


def prepare(path: str, options: FrontendOptions) -> None:
    """Read the bundled header this file includes first, once, in this process: the children that
    parse files (``ddilint.isolation``) then share it (pure Python, our own headers)."""
    source = read_source(path)
    if source.analyzable and not options.forced_includes:
        header = eligible_header(source.lines, list(options.include_dirs))
        if header is not None:
            _prefix(header, tuple(options.defines))


@dataclass(frozen=True)
class _Prefix:
    """A bundled header read once per process: its macros, its typedef names, its declarations' scope."""

    macros: dict[str, Any]
    include_once: Any
    typedef_names: frozenset[str]
    scope: Scope


@lru_cache(maxsize=8)
def _prefix(header: str, defines: tuple[str, ...]) -> _Prefix | None:
    """Preprocess, parse and declare ``<header>`` once (what the precompiled header does for libclang)."""
    pre = _Preprocessor({})
    pre.add_path(str(HEADERS_DIR))
    for define in (*DEFINES, *defines):
        name, _, value = define.partition("=")
        pre.define(f"{name} {value or 1}")
    pre.parse(f"#include <{header}>\n", "<prefix>")
    text, _ = make_parseable(_write(pre))
    if pre.errors:
        return None
    try:
        tree = c_parser.CParser().parse(text, "<prefix>")
    except c_parser.ParseError:
        return None
    scope = Scope()
    lowerer = Lowerer("<prefix>", [], [], scope)
    for node in tree.ext:
        if isinstance(node, c_ast.FuncDef):
            scope.declare_function(node.decl.name)
        else:
            lowerer.declare(node)
    names = frozenset(n.name for n in tree.ext if isinstance(n, c_ast.Typedef))
    return _Prefix(dict(pre.macros), type(pre.include_once)(pre.include_once), names, scope)


class _SeededParser(c_parser.CParser):
    """pycparser knowing the typedef names of a header it did not read (pycparser 3's parse, seeded)."""

    def __init__(self, typedef_names: frozenset[str]) -> None:
        super().__init__()
        self._seed = {name: True for name in typedef_names}

    def parse(self, text: str, filename: str = "", debug: bool = False) -> c_ast.FileAST:
        self._scope_stack = [dict(self._seed)]
        self._typedef_checked_token = None
        self.clex.input(text, filename)
        self._tokens = c_parser._TokenStream(self.clex.token)
        ast = self._parse_translation_unit_or_empty()
        token = self._peek()
        if token is not None:
            self._parse_error(f"before: {token.value}", self._tok_coord(token))
        return ast


_SAFE_PATH = re.compile(r'[^"\\\x00-\x1f\x7f]*\Z')
_ENCODED_PATH = "ddilint-path-"


def marker_path(path: str) -> str:
    """``path`` as it can stand in a ``#line`` marker: itself, or (with quotes, backslashes, control
    characters or bytes that are not UTF-8 in it) an encoding that ``real_path`` reverses."""
    if _SAFE_PATH.match(path):
        try:
            path.encode("utf-8")
            return path
        except UnicodeEncodeError:
            pass
    return _ENCODED_PATH + os.fsencode(path).hex()


def real_path(name: str) -> str:
    """The file a ``#line`` marker or a pycparser coordinate names."""
    if name.startswith(_ENCODED_PATH):
        try:
            return os.fsdecode(bytes.fromhex(name[len(_ENCODED_PATH) :]))
        except ValueError:
            return name
    return name


def _write(pre: _Preprocessor) -> str:
    """The preprocessed text with a ``#line`` marker wherever the output's line would drift from the source's.

    pcpp's own writer loses a line after a macro call written over several lines; pycparser's
    positions (hence findings' lines) must match the source's exactly.
    """
    out: list[str] = []
    line: list[Any] = []
    source, next_line = None, -1
    for token in iter(pre.token, None):
        if token.type in pre.t_LINECONT:
            continue
        line.append(token)
        if not (token.value and token.value[0] == "\n"):
            continue
        for segment in _segments(line, pre.t_WS):
            first = next(t for t in segment if t.type not in pre.t_WS)
            if first.source != source or first.lineno != next_line:
                out.append(f'#line {first.lineno} "{marker_path(first.source)}"\n')
            text = "".join(t.value for t in segment)
            text = text if text.endswith("\n") else text + "\n"
            out.append(text)
            source, next_line = first.source, first.lineno + text.count("\n")
        line = []
    if line:
        out.append("".join(t.value for t in line) + "\n")
    return "".join(out)


def _segments(line: list[Any], whitespace: Any) -> list[list[Any]]:
    """An output line cut where its text comes from a later source line: after a macro call written
    over several lines, what follows its ``)`` (``{`` of an ``if``) keeps its own line, as in libclang."""
    segments: list[list[Any]] = []
    current: list[Any] = []
    start = None
    for token in line:
        if token.type not in whitespace and start is not None:
            if token.source == start.source and token.lineno > start.lineno and current:
                segments.append(current)
                current, start = [], token
        elif token.type not in whitespace:
            start = token
        current.append(token)
    if start is not None:
        segments.append(current)
    return segments


MAX_RECOVERIES = 20


def _parse_recovering(
    text: str, path: str, display_path: str, unit: ir.TranslationUnit, typedef_names: frozenset[str] | None = None
) -> c_ast.FileAST | None:
    """Parse; when a top-level declaration of the analysed file does not parse, skip it (one
    notification each) and parse the rest, so one odd construct does not hide the whole file."""
    positions = _LinePositions(text)
    for _ in range(MAX_RECOVERIES):
        parser = _SeededParser(typedef_names) if typedef_names else c_parser.CParser()
        try:
            return parser.parse(text, os.path.abspath(path))
        except RecursionError:  # pycparser parses by recursive descent: nesting deeper than its stack allows
            message = "nested too deeply for the pure-Python parser; not analyzed (libclang can parse it)"
            unit.notifications.append(ir.Notification("error", message, display_path))
            return None
        except c_parser.ParseError as exc:
            line = _error_line(str(exc), path) or _lexer_line(parser, path)
            message = str(exc).split(": ", 1)[-1]
            if line == 0:  # inside a header: nothing to skip that would leave the file meaningful
                unit.notifications.append(ir.Notification("error", f"parse error: {exc}", display_path))
                return None
            offset = positions.offset_at(os.path.abspath(path), line)
            span = _top_level_span(text, offset) if offset is not None else None
            if span is None:
                unit.notifications.append(ir.Notification("error", f"parse error: {message}", display_path, line))
                return None
            unit.notifications.append(
                ir.Notification(
                    "error", f"parse error: {message}; the declaration there is skipped", display_path, line
                )
            )
            start, end = span
            text = text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]
    return None


def _top_level_span(text: str, offset: int) -> tuple[int, int] | None:
    """The top-level declaration or definition around ``offset``: from the end of the previous one
    (a ``;`` or ``}`` at brace depth 0) to its own end."""
    masked = re.sub(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', lambda m: " " * len(m.group(0)), text)
    depth = 0
    start = 0
    for i in range(offset):
        ch = masked[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
            if depth == 0:
                start = i + 1
        elif (ch == ";" and depth == 0) or (ch == "\n" and depth == 0 and masked.startswith("#", i + 1)):
            start = i + 1
    for i in range(offset, len(masked)):
        ch = masked[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth <= 0:
                return start, i + 1
        elif ch == ";" and depth == 0:
            return start, i + 1
    return None


def _lexer_line(parser: c_parser.CParser, path: str) -> int:
    """Where the lexer stood when a parse error carries no position (some pycparser messages do not)."""
    lexer = getattr(parser, "clex", None)
    filename, line = getattr(lexer, "_filename", None), getattr(lexer, "_lineno", None)
    if isinstance(line, int) and filename and os.path.abspath(real_path(filename)) == os.path.abspath(path):
        return line
    return 0


def _error_line(message: str, path: str) -> int:
    match = re.match(r"(.*?):(\d+):", message)
    if match and os.path.abspath(real_path(match.group(1))) == os.path.abspath(path):
        return int(match.group(2))
    return 0


def _lower(
    tree: c_ast.FileAST,
    text: str,
    annotations: list[LiftedAnnotation],
    path: str,
    display_path: str,
    lines: list[str],
    options: FrontendOptions,
    unit: ir.TranslationUnit,
    scope: Scope | None = None,
    columns: ColumnMap | None = None,
) -> None:
    main = os.path.abspath(path)
    positions = _LinePositions(text)
    scope = scope if scope is not None else Scope()
    lowerer = Lowerer(display_path, lines, macro_use_ranges(lines, options.assertion_macros), scope, columns)
    declared: dict[str, list[LiftedAnnotation]] = {}
    for node in tree.ext:
        in_main = node.coord is not None and os.path.abspath(real_path(node.coord.file or "")) == main
        if isinstance(node, c_ast.FuncDef):
            scope.declare_function(node.decl.name)
            if in_main:
                found = annotations_before(annotations, positions.offset(node.decl.coord), positions.offset_of_prev)
                inherited = declared.get(node.decl.name, [])  # a definition inherits its declarations' annotations
                seen = {(a.kind, a.args) for a in inherited}
                found = inherited + [a for a in found if (a.kind, a.args) not in seen]
                depth = len(scope.stack)
                try:
                    function = lowerer.function(node, found)
                    function.loc = lowerer.starting_at(function.loc, positions.declaration_start(node.decl.coord), main)
                    unit.functions.append(function)
                except RecursionError:
                    del scope.stack[depth:], scope.types[depth:]
                    line = node.decl.coord.line if node.decl.coord is not None else 0
                    message = f"function '{node.decl.name}' is nested too deeply to analyze; skipped"
                    unit.notifications.append(ir.Notification("warning", message, display_path, line))
            positions.offset_of_prev = positions.offset(node.coord)
            continue
        lowerer.declare(node)
        if isinstance(node, c_ast.Decl):
            found = annotations_before(annotations, positions.offset(node.coord), positions.offset_of_prev)
            positions.offset_of_prev = positions.offset(node.coord)
            if found and isinstance(node.type, c_ast.FuncDecl) and node.name:
                declared.setdefault(node.name, []).extend(found)
            if not in_main:
                _header_declaration(node, found, lowerer, unit)
                continue
            if isinstance(node.type, c_ast.FuncDecl) or lowerer.is_role_typed(node):
                roles = tuple(lowerer.role_types(node))
                kinds = tuple(ir.Annotation(a.kind, a.args) for a in found)
                if kinds or roles:
                    loc = lowerer.starting_at(lowerer.loc(node), positions.declaration_start(node.coord), main)
                    unit.declarations.append(ir.Declaration(node.name, loc, kinds, roles))
            elif (
                node.name is not None and "typedef" not in (node.storage or []) and "extern" not in (node.storage or [])
            ):
                unit.globals[node.name] = lowerer.initial_value(node)
                unit_stores = lowerer.routine_stores(node)
                if unit_stores:
                    lowerer.stores.extend(unit_stores)
    if lowerer.stores:
        unit.functions.append(ir.initializer_function(unit.path, lowerer.stores))


def _header_declaration(
    node: c_ast.Decl, found: list[LiftedAnnotation], lowerer: Lowerer, unit: ir.TranslationUnit
) -> None:
    """Roles and annotations declared in the driver's own headers (``KDEFERRED_ROUTINE CloseDpc;`` in
    driver.h), as the libclang frontend reads them; the bundled headers are the kit's, not the driver's."""
    if node.coord is None or not (isinstance(node.type, c_ast.FuncDecl) or lowerer.is_role_typed(node)):
        return
    header = real_path(node.coord.file or "")
    if os.path.abspath(header).startswith(str(HEADERS_DIR) + os.sep) or not os.path.isfile(header):
        return
    roles = tuple(lowerer.role_types(node))
    kinds = tuple(ir.Annotation(a.kind, a.args) for a in found)
    if kinds or roles:
        line = node.coord.line
        at = ir.Loc(discovered_path(header), line, node.coord.column or 1, line, node.coord.column or 1)
        unit.declarations.append(ir.Declaration(node.name, at, kinds, roles))


class _LinePositions:
    """Offsets in the preprocessed text of (file, line) positions, from its ``# N "file"`` markers."""

    _MARKER = re.compile(r'^#(?:line)? (\d+) "((?:[^"\\]|\\.)*)"', re.M)

    def __init__(self, text: str) -> None:
        self.offset_of_prev = 0
        self._starts: dict[tuple[str, int], int] = {}
        self._lines: list[tuple[int, str, int, str]] = []  # (offset, file, line, text) of each non-marker line
        offset = 0
        file, line = "", 1
        for raw in text.splitlines(keepends=True):
            marker = self._MARKER.match(raw)
            if marker is not None:
                file, line = os.path.abspath(real_path(marker.group(2))), int(marker.group(1))
            else:
                self._starts.setdefault((file, line), offset)
                self._lines.append((offset, file, line, raw))
                line += 1
            offset += len(raw)

    @classmethod
    def lines_of(cls, text: str, path: str) -> dict[int, str]:
        """The lines of ``text`` that stand for lines of ``path``, by source line number."""
        main, found = os.path.abspath(path), {}
        file, line = "", 1
        for raw in text.splitlines():
            marker = cls._MARKER.match(raw)
            if marker is not None:
                file, line = os.path.abspath(real_path(marker.group(2))), int(marker.group(1))
                continue
            if file == main:
                found.setdefault(line, raw)
            line += 1
        return found

    def declaration_start(self, coord: Any) -> tuple[str, int, int] | None:
        """Where the declaration whose name is at ``coord`` starts in its file (line, column of the
        preprocessed line), as libclang's extent does: after the previous declaration's ``;`` or ``}``,
        at the first text that did not expand to nothing (a meaningful SAL annotation, ``static``, the type)."""
        offset = self.offset(coord)
        index = bisect.bisect_right(self._lines, (offset, "\uffff")) - 1
        if index < 0:
            return None
        begin, _, _, raw = self._lines[index]
        limit = offset - begin
        while index >= 0:
            begin, file, line, raw = self._lines[index]
            if raw.lstrip().startswith("#"):  # a directive (#pragma alloc_text) ends what comes before
                cut = len(raw) - 1
                break
            cut = max(raw.rfind(";", 0, limit), raw.rfind("}", 0, limit))
            if cut >= 0 or index == 0:
                break
            index -= 1
            limit = len(self._lines[index][3])
        start = cut + 1 if cut >= 0 else 0
        for _, file, line, raw in self._lines[index:]:
            text = raw[start:]
            stripped = text.lstrip()
            if stripped:
                return file, line, start + len(text) - len(stripped) + 1
            start = 0
        return None

    def offset_at(self, file: str, line: int) -> int | None:
        return self._starts.get((os.path.abspath(file), line))

    def offset(self, coord: Any) -> int:
        if coord is None:
            return self.offset_of_prev
        start = self._starts.get((os.path.abspath(real_path(coord.file or "")), coord.line))
        if start is None:
            return self.offset_of_prev
        return start + max((coord.column or 1) - 1, 0)
