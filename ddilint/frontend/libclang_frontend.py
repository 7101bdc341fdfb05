"""The libclang frontend: one C file in, one IR translation unit out."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ddilint import ir
from ddilint.discovery import display_path
from ddilint.frontend.clang_args import HEADERS_DIR, WDK_SHIMS_DIR, clang_args
from ddilint.frontend.libclang_bindings import children, cindex, file_handle, in_main_file
from ddilint.frontend.libclang_lower import Lowerer, annotations_of, qualified_name, role_types_of
from ddilint.frontend.precompiled import eligible_header, has_pch, pch_for, remember_pch
from ddilint.frontend.source_text import macro_use_ranges
from ddilint.frontend.wpp import wpp_stand_ins
from ddilint.isolation import run_limited
from ddilint.sources import read_source

MAX_PARSE_NOTES = 10
CXX_SUFFIXES = (".cpp", ".cc", ".cxx")


@dataclass(frozen=True)
class FrontendOptions:
    include_dirs: Sequence[str] = ()
    defines: Sequence[str] = ()
    assertion_macros: frozenset[str] = field(default_factory=frozenset)
    precompiled: bool = True  # use a precompiled bundled header when the file allows it
    forced_includes: Sequence[str] = ()  # /FI or -include from a compilation database
    wdk_include: str | None = None  # a real WDK include tree instead of the bundled headers
    frontend: str = "libclang"  # or "pycparser" (the pure-Python frontend)


def parse_file(path: str, display_path: str, options: FrontendOptions) -> ir.TranslationUnit:
    """Parse and lower ``path``; problems become notifications on the returned unit."""
    source = read_source(path)
    unit = ir.TranslationUnit(display_path, notifications=list(source.notifications), source_lines=source.lines)
    unit.notifications[:] = [_display(n, display_path) for n in unit.notifications]
    if not source.analyzable:
        unit.analyzed = False
        return unit
    if not _utf8(path):
        message = "not analyzed: its path is not valid UTF-8, which libclang cannot open (rename it or use pycparser)"
        unit.notifications.append(ir.Notification("error", message, display_path))
        unit.analyzed = False
        return unit
    ci = cindex()
    cplusplus = path.lower().endswith(CXX_SUFFIXES)
    args, header = _args_and_header(path, source.lines, options)
    index = ci.Index.create(excludeDecls=True)  # with a PCH, visit only the file's own declarations
    pch = pch_for(header, args, index, ci) if header is not None else None
    if pch is not None:
        args = [*args, "-include-pch", pch.path]
    try:
        stand_ins = wpp_stand_ins(path, "\n".join(source.lines), options.include_dirs)
        tu = index.parse(path, args=args, unsaved_files=stand_ins or None)
    except ci.TranslationUnitLoadError:
        unit.notifications.append(ir.Notification("error", "libclang could not parse this file", display_path))
        unit.analyzed = False
        return unit
    main_file = tu.spelling
    unit.dependencies = external_includes(tu, pch.includes if pch is not None else ())
    unit.notifications.extend(_diagnostics(tu, main_file, display_path, options.wdk_include))
    lowerer = Lowerer(
        main_file,
        display_path,
        macro_use_ranges(source.lines, options.assertion_macros),
        source.lines,
        file_handle(tu, main_file),
        cplusplus,
    )
    _lower_top_level(tu, lowerer, unit)
    return unit


def external_includes(tu: Any, also: Sequence[str] = ()) -> list[str]:
    """The headers a parse read from outside ddilint's own (the driver's, a real WDK), sorted."""
    own = (str(HEADERS_DIR), str(WDK_SHIMS_DIR))
    names = {os.path.abspath(inc.include.name) for inc in tu.get_includes()} | set(also)
    return sorted(n for n in names if not n.startswith(own))


def _display(note: ir.Notification, display_path: str) -> ir.Notification:
    return ir.Notification(note.level, note.message, display_path, note.line, note.col)


def _utf8(path: str) -> bool:
    try:
        os.path.abspath(path).encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes of a file name, kept as surrogates by Python
        return False
    return True


def _args_and_header(path: str, lines: list[str], options: FrontendOptions) -> tuple[list[str], str | None]:
    """The file's clang arguments, and the bundled header a PCH can stand for (None: parse it all)."""
    args = clang_args(
        options.include_dirs,
        options.defines,
        language="c++" if path.lower().endswith(CXX_SUFFIXES) else "c",
        forced_includes=options.forced_includes,
        wdk_include=options.wdk_include,
    )
    use_pch = options.precompiled and not options.forced_includes
    return args, eligible_header(lines, list(options.include_dirs)) if use_pch else None


def prepare(path: str, options: FrontendOptions) -> None:
    """Build the PCH this file will use, once, in a child under the run's limits: the children that parse
    files (``ddilint.isolation``) then share it instead of each building its own."""
    source = read_source(path)
    if not source.analyzable or not _utf8(path):
        return
    args, header = _args_and_header(path, source.lines, options)
    if header is None or has_pch(header, args):
        return
    built = run_limited(lambda: pch_for(header, args, cindex().Index.create(excludeDecls=True), cindex()))
    remember_pch(header, args, built.value)


def _defines_storage(cursor: Any) -> bool:
    """A file-scope variable definition, tentative ones (``static BOOLEAN g_Registered;``) included."""
    return bool(cursor.is_definition() or cursor.storage_class != cindex().StorageClass.EXTERN)


def _lower_top_level(tu: Any, lowerer: Lowerer, unit: ir.TranslationUnit) -> None:
    kinds = cindex().CursorKind
    scopes = {kinds.LINKAGE_SPEC, kinds.NAMESPACE, kinds.CLASS_DECL, kinds.STRUCT_DECL, kinds.UNEXPOSED_DECL}
    stores: list[ir.Stmt] = []
    top = children(tu.cursor)
    pending = [c for c in top if lowerer.in_main_file(c)]
    pending.reverse()
    while pending:  # declarations in order, entering extern "C" blocks, namespaces and classes
        cursor = pending.pop()
        if cursor.kind in scopes:
            pending.extend(reversed([c for c in children(cursor) if lowerer.in_main_file(c)]))
        elif cursor.kind == kinds.VAR_DECL and _defines_storage(cursor):
            unit.globals[cursor.spelling] = lowerer.initial_value(cursor)
            stores.extend(lowerer.routine_stores(cursor))
        elif cursor.kind in lowerer.function_kinds:
            _lower_function(cursor, lowerer, unit, kinds)
    unit.functions.extend(lowerer.lambdas)
    if stores:
        unit.functions.append(ir.initializer_function(unit.path, stores))
    _header_declarations(top, unit, kinds)


def _header_declarations(cursors: list[Any], unit: ir.TranslationUnit, kinds: Any) -> None:
    """Roles and annotations declared in the driver's own headers (``KDEFERRED_ROUTINE CloseDpc;`` in
    driver.h, as the WDK samples do): its headers, not the kit's (those are system headers)."""
    for cursor in cursors:
        if cursor.kind != kinds.FUNCTION_DECL or cursor.is_definition():
            continue
        location = cursor.location
        if location.is_in_system_header or location.file is None or in_main_file(cursor):
            continue
        annotations, roles = tuple(annotations_of(cursor)), tuple(role_types_of(cursor, kinds))
        if annotations or roles:
            at = ir.Loc(
                display_path(location.file.name), location.line, location.column, location.line, location.column
            )
            unit.declarations.append(ir.Declaration(qualified_name(cursor), at, annotations, roles))


def _lower_function(cursor: Any, lowerer: Lowerer, unit: ir.TranslationUnit, kinds: Any) -> None:
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
        return
    annotations = tuple(annotations_of(cursor))
    roles = tuple(role_types_of(cursor, kinds))
    if annotations or roles:
        unit.declarations.append(ir.Declaration(qualified_name(cursor), lowerer.loc(cursor), annotations, roles))


def _diagnostics(tu: Any, main_file: str, display_path: str, kit_root: str | None = None) -> list[ir.Notification]:
    """Errors from the parse, as notifications; the AST that survives is still analyzed.

    Errors inside a real kit's headers (``--wdk-include``; they are written for
    MSVC and a complete compiler installation) cannot be fixed by the user and
    rarely matter to the analyses: they are summed up in one warning.
    """
    notes: list[ir.Notification] = []
    errors = [d for d in tu.diagnostics if d.severity >= 3]
    kit = os.path.abspath(kit_root) + os.sep if kit_root else None
    in_kit = [
        d
        for d in errors
        if kit
        and d.severity == 3  # a fatal error (a missing file) ends the parse: that is reported as it is
        and d.location.file is not None
        and os.path.abspath(d.location.file.name).startswith(kit)
    ]
    errors = [d for d in errors if d not in in_kit]
    if in_kit:
        first = in_kit[0]
        where = f"{os.path.basename(first.location.file.name)}:{first.location.line}"
        notes.append(
            ir.Notification(
                "warning",
                f"{len(in_kit)} parse error(s) inside the WDK headers, ignored (first: {first.spelling}, in {where})",
                display_path,
            )
        )
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
