"""``sizeof`` for the pure-Python frontend: type sizes as the libclang frontend's target computes them.

libclang folds ``sizeof(OBJECT_ATTRIBUTES)``, ``sizeof(L"Name")`` or
``sizeof(g_Ring)`` to a number; so must pycparser's lowering, for the two IRs
to agree (``InitializeObjectAttributes`` and ``RTL_CONSTANT_STRING`` use
them). The rules are those of the Windows x64 ABI (LLP64) that the libclang
frontend targets: ``long`` is 4 bytes, pointers 8, a structure is aligned to
its most aligned member and padded to a multiple of it, MSVC bit-field units
(a run of bit-fields of one type size shares a unit). Expressions are typed
only as far as ``sizeof`` needs (names, ``*p``, ``a[i]``, ``s.f``, ``p->f``,
string literals); anything else is unknown (None), never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from pycparser import c_ast

_POINTER = 8
_BASE = {
    "char": 1, "short": 2, "int": 4, "long": 4, "long long": 8, "float": 4, "double": 8,
    "long double": 8, "_Bool": 1, "void": 1, "__int8": 1, "__int16": 2, "__int32": 4, "__int64": 8,
}  # fmt: skip
_IGNORED = {"signed", "unsigned", "const", "volatile"}


class Names(Protocol):
    """What layout needs of the lowering's scope."""

    typedefs: dict[str, Any]
    records: dict[str, Any]
    arrays: dict[str, int]

    def type_of(self, name: str) -> Any: ...


class Layout:
    def __init__(self, names: Names, fold: Callable[[Any], int | None]) -> None:
        self.names = names
        self.fold = fold  # the lowering's constant folder (array dimensions are expressions)

    def sizeof(self, node: c_ast.UnaryOp) -> int | None:
        """The value of ``sizeof(type)`` or ``sizeof expr``, or None."""
        operand = node.expr
        if isinstance(operand, c_ast.Typename):
            return self.size(operand.type)
        if isinstance(operand, c_ast.Constant) and operand.type == "string":
            return _string_size(operand.value)
        return self.size(self.type_of(operand))

    def size(self, type_: Any) -> int | None:
        found = self._size_align(type_, 0)
        return found[0] if found is not None else None

    # -------------------------------------------------------------- types

    def type_of(self, expr: Any) -> Any:
        """The declared type node of an lvalue-like expression, or None."""
        if isinstance(expr, c_ast.ID):
            if expr.name in self.names.arrays and isinstance(self.names.type_of(expr.name), c_ast.ArrayDecl):
                declared = self.names.type_of(expr.name)
                dim = c_ast.Constant("int", str(self.names.arrays[expr.name]))
                return c_ast.ArrayDecl(declared.type, dim, declared.dim_quals)
            return self.names.type_of(expr.name)
        if isinstance(expr, c_ast.UnaryOp) and expr.op == "*":
            return self._pointee(self.type_of(expr.expr))
        if isinstance(expr, c_ast.ArrayRef):
            if isinstance(expr.name, c_ast.Constant) and expr.name.type == "string":  # ("Name")[0]
                wide = expr.name.value.startswith(("L", "u"))
                return c_ast.TypeDecl(None, [], None, c_ast.IdentifierType(["short" if wide else "char"]))
            return self._pointee(self.type_of(expr.name))
        if isinstance(expr, c_ast.StructRef):
            base = self.type_of(expr.name)
            if expr.type == "->":
                base = self._pointee(base)
            record = self.record(base)
            return self._field(record, expr.field.name) if record is not None else None
        return None

    def resolve(self, type_: Any) -> Any:
        """Through typedef names to a declarator node (TypeDecl of a base type or record, PtrDecl, ArrayDecl)."""
        for _ in range(32):
            if isinstance(type_, c_ast.Typename):
                type_ = type_.type
            elif isinstance(type_, c_ast.TypeDecl) and isinstance(type_.type, c_ast.IdentifierType):
                names = [n for n in type_.type.names if n not in _IGNORED]
                if len(names) == 1 and names[0] in self.names.typedefs:
                    type_ = self.names.typedefs[names[0]]
                    continue
                return type_
            else:
                return type_
        return None

    def _pointee(self, type_: Any) -> Any:
        resolved = self.resolve(type_)
        if isinstance(resolved, (c_ast.PtrDecl, c_ast.ArrayDecl)):
            return resolved.type
        return None

    def record(self, type_: Any) -> Any:
        resolved = self.resolve(type_)
        if isinstance(resolved, c_ast.TypeDecl) and isinstance(resolved.type, (c_ast.Struct, c_ast.Union)):
            record = resolved.type
            if record.decls is None and record.name:
                return self.names.records.get(f"{type(record).__name__} {record.name}")
            return record
        return None

    def _field(self, record: Any, name: str) -> Any:
        for decl in record.decls or []:
            if decl.name == name:
                return decl.type
            if decl.name is None:  # an anonymous union or structure: its members are the record's
                inner = decl.type if isinstance(decl.type, (c_ast.Struct, c_ast.Union)) else self.record(decl.type)
                found = self._field(inner, name) if inner is not None else None
                if found is not None:
                    return found
        return None

    # -------------------------------------------------------------- sizes

    def _size_align(self, type_: Any, depth: int) -> tuple[int, int] | None:
        resolved = self.resolve(type_)
        if resolved is None or depth > 64:
            return None
        if isinstance(resolved, c_ast.PtrDecl):
            return _POINTER, _POINTER
        if isinstance(resolved, c_ast.ArrayDecl):
            element = self._size_align(resolved.type, depth + 1)
            count = self.fold(resolved.dim) if resolved.dim is not None else None
            return (element[0] * count, element[1]) if element is not None and count is not None else None
        if isinstance(resolved, (c_ast.Struct, c_ast.Union)):  # an anonymous member: struct { ... };
            return self._record_size(resolved, depth) if resolved.decls is not None else None
        if not isinstance(resolved, c_ast.TypeDecl):
            return None
        inner = resolved.type
        if isinstance(inner, c_ast.IdentifierType):
            size = _base_size(inner.names)
            return (size, size) if size is not None else None
        if isinstance(inner, c_ast.Enum):
            return 4, 4
        record = self.record(resolved)
        if record is None or record.decls is None:
            return None
        return self._record_size(record, depth)

    def _record_size(self, record: Any, depth: int) -> tuple[int, int] | None:
        union = isinstance(record, c_ast.Union)
        offset = size = 0
        align = 1
        unit: tuple[int, int] | None = None  # the open bit-field unit: (its size, bits used)
        for decl in record.decls:
            member = self._size_align(decl.type, depth + 1)
            if member is None:
                return None
            msize, malign = member
            align = max(align, malign)
            if decl.bitsize is not None and not union:
                bits = self.fold(decl.bitsize)
                if bits is None:
                    return None
                if not bits:  # a zero-width bit-field closes the unit
                    unit = None
                    continue
                if unit is not None and unit[0] == msize and unit[1] + bits <= msize * 8 and bits:
                    unit = (msize, unit[1] + bits)
                    continue
                unit = (msize, bits)
            else:
                unit = None
            if union:
                size = max(size, msize)
                continue
            offset = -(-offset // malign) * malign + msize
        total = size if union else offset
        return -(-total // align) * align, align


def _base_size(names: list[str]) -> int | None:
    words = [n for n in names if n not in _IGNORED]
    if words.count("long") == 2:
        return 8
    words = [w for w in words if w != "int"] if len(words) > 1 else words
    key = " ".join(words) if words else "int"
    return _BASE.get(key)


def _string_size(literal: str) -> int | None:
    """``sizeof("abc")`` is 4, ``sizeof(L"abc")`` 8 (wchar_t is 2 bytes on Windows)."""
    width = 2 if literal.startswith(("L", 'u"')) else 4 if literal.startswith("U") else 1
    body = literal[literal.index('"') + 1 : -1]
    count, i = 0, 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            i += 2
            if body[i - 1] in "xX":
                while i < len(body) and body[i] in "0123456789abcdefABCDEF":
                    i += 1
            elif body[i - 1] in "01234567":
                j = 0
                while i < len(body) and body[i] in "01234567" and j < 2:
                    i, j = i + 1, j + 1
        else:
            i += 1
        count += 1
    return (count + 1) * width
