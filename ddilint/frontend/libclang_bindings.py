"""Loading libclang, plus the few C API entry points the Python bindings do not wrap.

The PyPI ``libclang`` wheel bundles ``libclang.so``; its ``cindex.py`` lacks
wrappers for operator kinds (LLVM 17+), the variable initializer and
constant evaluation, so they are registered here with ctypes.
"""

from __future__ import annotations

import ctypes
import os
from functools import lru_cache
from typing import Any


class FrontendUnavailableError(RuntimeError):
    """libclang could not be imported or loaded."""


@lru_cache(maxsize=1)
def cindex() -> Any:
    """The ``clang.cindex`` module with the extra functions registered, or FrontendUnavailableError."""
    # libclang parses on a thread of its own with an 8 MiB stack unless told not to; deeply nested
    # code then overflows it (a crash, not an error). Parse on the caller's thread instead, which
    # ddilint runs with a 512 MiB stack (deep_stack.py).
    os.environ.setdefault("LIBCLANG_NOTHREADS", "1")
    try:
        from clang import cindex as ci
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise FrontendUnavailableError(f"the libclang Python package is not installed ({exc})") from exc
    try:
        lib = ci.conf.lib
    except Exception as exc:  # pragma: no cover - depends on the environment
        raise FrontendUnavailableError(f"libclang could not be loaded ({exc})") from exc
    _register(lib, ci)
    return ci


def _lenient_string(self: Any) -> str | None:
    """A string from libclang, decoded as UTF-8 with undecodable bytes replaced (``\\ufffd``).

    ``clang.cindex`` decodes strictly, so one byte that is not UTF-8 in a string
    literal or a stray token of the analysed file would raise while walking it.
    """
    raw = ctypes.c_char_p.value.__get__(self)  # type: ignore[attr-defined]
    return None if raw is None else raw.decode("utf-8", "replace")


def _register(lib: Any, ci: Any) -> None:
    ci.c_interop_string.value = property(_lenient_string)
    for name in ("clang_getCursorBinaryOperatorKind", "clang_getCursorUnaryOperatorKind"):
        fn = getattr(lib, name)
        fn.argtypes = [ci.Cursor]
        fn.restype = ctypes.c_int
    for name in ("clang_getBinaryOperatorKindSpelling", "clang_getUnaryOperatorKindSpelling"):
        fn = getattr(lib, name)
        fn.argtypes = [ctypes.c_int]
        fn.restype = ci._CXString
        fn.errcheck = ci._CXString.from_result
    init = lib.clang_Cursor_getVarDeclInitializer
    init.argtypes = [ci.Cursor]
    init.restype = ci.Cursor
    lib.clang_Cursor_isNull.argtypes = [ci.Cursor]
    lib.clang_Cursor_isNull.restype = ctypes.c_int
    lib.clang_Cursor_Evaluate.argtypes = [ci.Cursor]
    lib.clang_Cursor_Evaluate.restype = ctypes.c_void_p
    lib.clang_EvalResult_getKind.argtypes = [ctypes.c_void_p]
    lib.clang_EvalResult_getKind.restype = ctypes.c_int
    lib.clang_EvalResult_getAsLongLong.argtypes = [ctypes.c_void_p]
    lib.clang_EvalResult_getAsLongLong.restype = ctypes.c_longlong
    lib.clang_EvalResult_dispose.argtypes = [ctypes.c_void_p]
    lib.clang_EvalResult_dispose.restype = None
    lib.clang_Location_isFromMainFile.argtypes = [ci.SourceLocation]
    lib.clang_Location_isFromMainFile.restype = ctypes.c_int
    lib.clang_getCursorLocation.argtypes = [ci.Cursor]
    lib.clang_getCursorLocation.restype = ci.SourceLocation
    spell = lib.clang_getSpellingLocation
    spell.argtypes = [
        ci.SourceLocation,
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(ctypes.c_uint),
        ctypes.POINTER(ctypes.c_uint),
        ctypes.POINTER(ctypes.c_uint),
    ]
    spell.restype = None
    expansion = lib.clang_getExpansionLocation
    expansion.argtypes = spell.argtypes
    expansion.restype = None


@lru_cache(maxsize=64)
def _binary_spelling(kind: int) -> str:
    return cindex().conf.lib.clang_getBinaryOperatorKindSpelling(kind)


@lru_cache(maxsize=64)
def _unary_spelling(kind: int) -> str:
    return cindex().conf.lib.clang_getUnaryOperatorKindSpelling(kind)


def binary_operator(cursor: Any) -> str:
    return _binary_spelling(cindex().conf.lib.clang_getCursorBinaryOperatorKind(cursor))


def unary_operator(cursor: Any) -> str:
    """The operator's spelling; post-increment and pre-increment are both ``++``."""
    return _unary_spelling(cindex().conf.lib.clang_getCursorUnaryOperatorKind(cursor))


def var_initializer(cursor: Any) -> Any | None:
    lib = cindex().conf.lib
    init = lib.clang_Cursor_getVarDeclInitializer(cursor)
    if lib.clang_Cursor_isNull(init):
        return None
    init._tu = cursor._tu
    return init


_CXEval_Int = 1


def evaluate_int(cursor: Any) -> int | None:
    """The integer value of a constant expression, or None."""
    lib = cindex().conf.lib
    result = lib.clang_Cursor_Evaluate(cursor)
    if not result:
        return None
    try:
        if lib.clang_EvalResult_getKind(result) != _CXEval_Int:
            return None
        return int(lib.clang_EvalResult_getAsLongLong(result))
    finally:
        lib.clang_EvalResult_dispose(result)


def _append_child(child: Any, _parent: Any, out: list[Any]) -> int:
    out.append(child)
    return 1  # CXChildVisit_Continue


@lru_cache(maxsize=1)
def _child_visitor() -> Any:
    return cindex().callbacks["cursor_visit"](_append_child)


def children(cursor: Any) -> list[Any]:
    """A cursor's children; ``Cursor.get_children`` without its per-child null-cursor comparison."""
    out: list[Any] = []
    cindex().conf.lib.clang_visitChildren(cursor, _child_visitor(), out)
    tu = cursor._tu
    for child in out:
        child._tu = tu
    return out


class SpanReader:
    """A cursor's extent as expansion and spelling positions, with as few ctypes conversions as possible.

    Lowering asks for the location of every node; going through ``cindex``'s
    ``SourceLocation`` objects costs several Python objects and calls per
    position, so this reads both ends with preallocated output cells.
    """

    def __init__(self) -> None:
        lib = cindex().conf.lib
        self._extent = lib.clang_getCursorExtent
        self._start = lib.clang_getRangeStart
        self._end = lib.clang_getRangeEnd
        self._expansion = lib.clang_getExpansionLocation
        self._spelling = lib.clang_getSpellingLocation
        self._file = ctypes.c_void_p()
        self._line, self._col, self._offset = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
        self._refs = (
            ctypes.byref(self._file),
            ctypes.byref(self._line),
            ctypes.byref(self._col),
            ctypes.byref(self._offset),
        )

    def span(self, cursor: Any) -> tuple[tuple[int, int, int | None, int, int], tuple[int, int, int | None, int, int]]:
        """((line, col, spelled file, spelled line, spelled col) of the start, the same of the end)."""
        extent = self._extent(cursor)
        return self._read(self._start(extent)), self._read(self._end(extent))

    def _read(self, location: Any) -> tuple[int, int, int | None, int, int]:
        refs = self._refs
        self._expansion(location, *refs)
        line, col, file = self._line.value, self._col.value, self._file.value
        if not location.int_data & _MACRO_ID_BIT:
            return line, col, file, line, col  # written in a file: spelled where it expands
        self._spelling(location, *refs)
        return line, col, self._file.value, self._line.value, self._col.value


# clang encodes a SourceLocation in CXSourceLocation.int_data; the top bit marks a macro location.
_MACRO_ID_BIT = 1 << 31


def file_handle(tu: Any, path: str) -> int | None:
    """libclang's handle value of a file of the translation unit."""
    handle = cindex().conf.lib.clang_getFile(tu, path)
    return ctypes.cast(handle, ctypes.c_void_p).value if handle else None


def in_main_file(cursor: Any, main_handle: int | None = None) -> bool:
    """Is the cursor's location in the parsed file itself? One cheap C call for text written there; for a
    declaration a macro wrote (``DEFINE_NOTIFY(00, 0)`` defining ``Notify00``), where the macro was used."""
    lib = cindex().conf.lib
    location = lib.clang_getCursorLocation(cursor)
    if lib.clang_Location_isFromMainFile(location):
        return True
    if main_handle is None or not location.int_data & _MACRO_ID_BIT:
        return False
    file = ctypes.c_void_p()
    lib.clang_getExpansionLocation(location, ctypes.byref(file), None, None, None)
    return file.value == main_handle
