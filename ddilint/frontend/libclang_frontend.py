"""The libclang frontend: one C file in, one IR translation unit out."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ddilint import ir
from ddilint.frontend.clang_args import clang_args
from ddilint.frontend.libclang_bindings import cindex, file_handle
from ddilint.frontend.libclang_lower import Lowerer, annotations_of, role_types_of
from ddilint.sources import read_source

MAX_PARSE_NOTES = 10


@dataclass(frozen=True)
class FrontendOptions:
    include_dirs: Sequence[str] = ()
    defines: Sequence[str] = ()
    assertion_macros: frozenset[str] = field(default_factory=frozenset)


def parse_file(path: str, display_path: str, options: FrontendOptions) -> ir.TranslationUnit:
    """Parse and lower ``path``; problems become notifications on the returned unit."""
    source = read_source(path)
    unit = ir.TranslationUnit(display_path, notifications=list(source.notifications), source_lines=source.lines)
    unit.notifications[:] = [_display(n, display_path) for n in unit.notifications]
    if not source.analyzable:
        unit.analyzed = False
        return unit
    ci = cindex()
    args = clang_args(options.include_dirs, options.defines)
    try:
        tu = ci.Index.create().parse(path, args=args, options=ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD)
    except ci.TranslationUnitLoadError:
        unit.notifications.append(ir.Notification("error", "libclang could not parse this file", display_path))
        unit.analyzed = False
        return unit
    main_file = tu.spelling
    unit.notifications.extend(_diagnostics(tu, main_file, display_path))
    lowerer = Lowerer(
        main_file,
        display_path,
        _macro_ranges(tu, main_file, options.assertion_macros),
        source.lines,
        file_handle(tu, main_file),
    )
    _lower_top_level(tu, lowerer, unit)
    return unit


def _display(note: ir.Notification, display_path: str) -> ir.Notification:
    return ir.Notification(note.level, note.message, display_path, note.line, note.col)


def _lower_top_level(tu: Any, lowerer: Lowerer, unit: ir.TranslationUnit) -> None:
    kinds = cindex().CursorKind
    for cursor in tu.cursor.get_children():
        if not lowerer.in_main_file(cursor):
            continue
        if cursor.kind == kinds.VAR_DECL and cursor.is_definition():
            unit.globals[cursor.spelling] = lowerer.initial_value(cursor)
        elif cursor.kind == kinds.FUNCTION_DECL:
            if cursor.is_definition():
                try:
                    unit.functions.append(lowerer.function(cursor))
                except (RecursionError, ctypes.ArgumentError):
                    unit.notifications.append(
                        ir.Notification(
                            "warning",
                            f"function '{cursor.spelling}' is nested too deeply to analyze; skipped",
                            unit.path,
                            cursor.location.line,
                            cursor.location.column,
                        )
                    )
            else:
                annotations = tuple(annotations_of(cursor))
                roles = tuple(role_types_of(cursor, kinds))
                if annotations or roles:
                    unit.declarations.append(ir.Declaration(cursor.spelling, lowerer.loc(cursor), annotations, roles))


def _diagnostics(tu: Any, main_file: str, display_path: str) -> list[ir.Notification]:
    """Errors from the parse, as notifications; the AST that survives is still analyzed."""
    notes: list[ir.Notification] = []
    errors = [d for d in tu.diagnostics if d.severity >= 3]
    for diag in errors[:MAX_PARSE_NOTES]:
        loc = diag.location
        in_main = loc.file is not None and loc.file.name == main_file
        where = "" if in_main or loc.file is None else f" (in {os.path.basename(loc.file.name)}:{loc.line})"
        notes.append(
            ir.Notification(
                "error",
                f"parse error: {diag.spelling}{where}",
                display_path,
                loc.line if in_main else 0,
                loc.column if in_main else 0,
            )
        )
    if len(errors) > MAX_PARSE_NOTES:
        notes.append(
            ir.Notification("error", f"{len(errors) - MAX_PARSE_NOTES} more parse errors not shown", display_path)
        )
    return notes


def _macro_ranges(tu: Any, main_file: str, names: frozenset[str]) -> list[tuple[int, int, int, int]]:
    """Source ranges of the uses of the given macros (assertions) in the main file."""
    if not names:
        return []
    kinds = cindex().CursorKind
    ranges = []
    for cursor in tu.cursor.get_children():
        if cursor.kind != kinds.MACRO_INSTANTIATION or cursor.spelling not in names:
            continue
        f = cursor.location.file
        if f is None or f.name != main_file:
            continue
        e = cursor.extent
        ranges.append((e.start.line, e.start.column, e.end.line, e.end.column))
    return ranges
