"""Lowering a pycparser tree into ddilint's IR (the pure-Python frontend).

pycparser does no semantic analysis, so this keeps the little the IR needs:
which names are functions, globals, parameters and locals (a scope stack),
enumeration constants and their values, typedefs (for role types such as
``DRIVER_UNLOAD`` and for the types of casts), and integer constant folding.
Structured exception handling arrives encoded by ``pycparser_compat`` and is
decoded here into ``ir.Try``/``ir.Leave``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pycparser import c_ast, c_generator

from ddilint import ir
from ddilint.frontend.c_integers import INT, SIZE_T, Typed, as_clang, binary, cast, literal, unary, wrap
from ddilint.frontend.column_map import ColumnMap
from ddilint.frontend.pycparser_compat import LiftedAnnotation
from ddilint.frontend.pycparser_layout import Layout
from ddilint.frontend.source_text import mask_comments_and_strings

_GENERATOR = c_generator.CGenerator()


def annotations_before(annotations: list[LiftedAnnotation], offset: int, since: int) -> list[LiftedAnnotation]:
    """The lifted annotations written between ``since`` and ``offset`` (a declaration's name)."""
    return [a for a in annotations if since <= a.offset < offset]


class Scope:
    """Names in scope: kind (function, global, param, local, static_local, enum, typedef) per name."""

    def __init__(self) -> None:
        self.stack: list[dict[str, str]] = [{}]
        self.enums: dict[str, int | None] = {}
        self.typedefs: dict[str, Any] = {}
        self.records: dict[str, Any] = {}  # "Struct TAG" / "Union TAG" -> its definition (for sizeof)
        self.types: list[dict[str, Any]] = [{}]  # declared type of each variable, per frame
        self.arrays: dict[str, int] = {}  # array variable -> element count (for sizeof(a) / sizeof(a[0]))

    def copy(self) -> Scope:
        """A fresh scope starting from this one's file-scope names (typedef trees are shared, read-only)."""
        other = Scope()
        other.stack = [dict(self.stack[0])]
        other.types = [dict(self.types[0])]
        other.records = dict(self.records)
        other.enums = dict(self.enums)
        other.typedefs = dict(self.typedefs)
        other.arrays = dict(self.arrays)
        return other

    def declare_function(self, name: str) -> None:
        self.stack[0][name] = "function"

    def declare(self, name: str, kind: str, type_: Any = None) -> None:
        self.stack[-1][name] = kind
        if type_ is not None:
            self.types[-1][name] = type_

    def type_of(self, name: str) -> Any:
        for frame, types in zip(reversed(self.stack), reversed(self.types), strict=True):
            if name in frame:
                return types.get(name)
        return None

    def kind(self, name: str) -> str | None:
        for frame in reversed(self.stack):
            if name in frame:
                return frame[name]
        return None

    def push(self) -> None:
        self.stack.append({})
        self.types.append({})

    def pop(self) -> None:
        self.stack.pop()
        self.types.pop()


class Lowerer:
    def __init__(
        self,
        display_path: str,
        source_lines: list[str],
        assertion_ranges: list[tuple[int, int, int, int]],
        scope: Scope,
        columns: ColumnMap | None = None,
    ) -> None:
        self.display_path = display_path
        self.columns = columns
        self.layout = Layout(scope, self.fold)
        self.source_lines = source_lines
        self.assertion_ranges = assertion_ranges
        self.scope = scope
        self.stores: list[ir.Stmt] = []
        self._masked: list[str] | None = None

    # ------------------------------------------------------------ locations

    def loc(self, node: Any) -> ir.Loc:
        coord = getattr(node, "coord", None)
        line = coord.line if coord is not None and coord.line else 0
        col = coord.column if coord is not None and coord.column else 1
        if self.columns is not None:
            col = self.columns.column(line, col)
        return ir.Loc(self.display_path, line, col, line, col)

    def starting_at(self, loc: ir.Loc, start: tuple[str, int, int] | None, main: str) -> ir.Loc:
        """``loc`` moved to start at ``start`` (file, line, preprocessed column) when that is in the main file."""
        if start is None or start[0] != main or (start[1], 0) > (loc.line, loc.col):
            return loc
        _, line, col = start
        if self.columns is not None:
            col = self.columns.column(line, col)
        return ir.Loc(loc.file, line, col, loc.end_line, loc.end_col)

    def _in_assertion(self, node: Any) -> bool:
        loc = self.loc(node)
        pos = (loc.line, loc.col)
        return any((l1, c1) <= pos <= (l2, c2) for l1, c1, l2, c2 in self.assertion_ranges)

    # ------------------------------------------------------------ declarations

    def declare(self, node: Any) -> None:
        """A file-scope declaration: names, typedefs, enumeration constants."""
        if isinstance(node, c_ast.Typedef):
            self.scope.typedefs[node.name] = node.type
            self.scope.declare(node.name, "typedef")
            self._enums_in(node.type)
            return
        if not isinstance(node, c_ast.Decl):
            return
        self._enums_in(node.type)
        if node.name is None:
            return
        if isinstance(node.type, c_ast.FuncDecl) or self.is_role_typed(node):
            self.scope.declare(node.name, "function")
        else:
            self.scope.declare(node.name, "global", node.type)
            self._note_array(node)

    def _enums_in(self, type_: Any) -> None:
        for sub in _walk(type_):
            if isinstance(sub, (c_ast.Struct, c_ast.Union)) and sub.name and sub.decls is not None:
                self.scope.records[f"{type(sub).__name__} {sub.name}"] = sub
            if isinstance(sub, c_ast.Enum) and sub.values is not None:
                value: int | None = -1
                for item in sub.values.enumerators:
                    if item.value is not None:
                        value = self.fold(item.value)
                    elif value is not None:
                        value += 1
                    self.scope.enums[item.name] = value
                    self.scope.stack[0][item.name] = "enum"

    def is_role_typed(self, node: c_ast.Decl) -> bool:
        """``DRIVER_UNLOAD MyUnload;``: a function declared with a function typedef."""
        return bool(list(self.role_types(node)))

    def role_types(self, node: c_ast.Decl) -> Iterable[str]:
        type_ = node.type
        if isinstance(type_, c_ast.FuncDecl):
            return []
        if isinstance(type_, c_ast.TypeDecl) and isinstance(type_.type, c_ast.IdentifierType):
            names = type_.type.names
            if len(names) == 1 and self._is_function_typedef(names[0]):
                return [names[0]]
        return []

    def _is_function_typedef(self, name: str, depth: int = 0) -> bool:
        target = self.scope.typedefs.get(name)
        if target is None or depth > 8:
            return False
        if isinstance(target, c_ast.FuncDecl):
            return True
        if isinstance(target, c_ast.TypeDecl) and isinstance(target.type, c_ast.IdentifierType):
            names = target.type.names
            return len(names) == 1 and self._is_function_typedef(names[0], depth + 1)
        return False

    def initial_value(self, node: c_ast.Decl) -> int | None:
        if node.init is None:
            return 0
        if isinstance(node.init, c_ast.InitList):
            return None
        return self.fold(node.init)

    def routine_stores(self, node: c_ast.Decl) -> list[ir.Stmt]:
        """Routines stored by a file-scope initializer (``{ ..., FilterUnload, ... }``), as assignments:
        positional and designated (``.Field = X``) items, nested structures and arrays, as the libclang
        frontend reads them."""
        stores: list[ir.Stmt] = []
        if isinstance(node.init, c_ast.InitList):
            self._stores_of(node.init, node.type, ir.Name(self.loc(node), node.name, "global"), stores, 0)
        return stores

    def _stores_of(self, init: c_ast.InitList, type_: Any, base: ir.Expr, stores: list[ir.Stmt], depth: int) -> None:
        if depth > 4:
            return
        resolved = self.layout.resolve(type_)
        record = self.layout.record(resolved)
        if record is not None:
            fields = [d for d in record.decls or [] if isinstance(d, c_ast.Decl)]
            names = [d.name for d in fields]
            position = 0
            for item in init.exprs:
                value = item
                if isinstance(item, c_ast.NamedInitializer) and len(item.name) == 1:
                    position = names.index(item.name[0].name) if item.name[0].name in names else len(names)
                    value = item.expr
                if position < len(fields):
                    target = ir.Member(self.loc(value), base, fields[position].name, False)
                    self._store(value, fields[position].type, target, stores, depth)
                position += 1
        elif isinstance(resolved, c_ast.ArrayDecl):
            for index, item in enumerate(init.exprs):
                value = item.expr if isinstance(item, c_ast.NamedInitializer) else item
                target = ir.Index(self.loc(value), base, ir.Const(self.loc(value), index))
                self._store(value, resolved.type, target, stores, depth)

    def _may_hold_routine(self, type_: Any) -> bool:
        """A pointer, a structure, or an array of them: a type an initializer can store a routine in."""
        resolved = self.layout.resolve(type_)
        for _ in range(8):
            if not isinstance(resolved, c_ast.ArrayDecl):
                break
            resolved = self.layout.resolve(resolved.type)
        return isinstance(resolved, c_ast.PtrDecl) or self.layout.record(resolved) is not None

    def _store(self, value: Any, type_: Any, target: ir.Expr, stores: list[ir.Stmt], depth: int) -> None:
        if not self._may_hold_routine(type_):
            return  # a number, a character: not lowered (large constant tables stay cheap)
        if isinstance(value, c_ast.InitList):
            self._stores_of(value, type_, target, stores, depth + 1)
            return
        store = ir.routine_store(target, self.expr(value))
        if store is not None:
            stores.append(store)

    # ------------------------------------------------------------ functions

    def function(self, node: c_ast.FuncDef, annotations: list[LiftedAnnotation]) -> ir.Function:
        decl = node.decl
        self.scope.declare_function(decl.name)
        self.scope.push()
        params = []
        func_type = decl.type
        if isinstance(func_type, c_ast.FuncDecl) and func_type.args is not None:
            for param in func_type.args.params:
                if isinstance(param, c_ast.Decl) and param.name:
                    self.scope.declare(param.name, "param", param.type)
                    params.append(ir.Param(param.name, _type_name(param.type)))
        body = self._compound(node.body)
        self.scope.pop()
        start = self.loc(decl)
        end = self._closing_brace(node.body)
        loc = ir.Loc(start.file, start.line, start.col, *end) if end is not None else start
        return ir.Function(
            name=decl.name,
            loc=loc,
            params=params,
            return_type=_type_name(func_type.type) if isinstance(func_type, c_ast.FuncDecl) else "",
            body=body,
            annotations=tuple(ir.Annotation(a.kind, a.args) for a in annotations),
            role_types=(),
            is_static="static" in (decl.storage or []),
        )

    def _closing_brace(self, body: c_ast.Compound) -> tuple[int, int] | None:
        """Where a function body's ``}`` is (pycparser keeps no end positions): read from the source."""
        if self._masked is None:
            self._masked = mask_comments_and_strings("\n".join(self.source_lines)).split("\n")
        start = self.loc(body)
        depth = 0
        for number in range(max(start.line, 1), len(self._masked) + 1):
            text = self._masked[number - 1]
            begin = start.col - 1 if number == start.line else 0
            for index in range(begin, len(text)):
                if text[index] == "{":
                    depth += 1
                elif text[index] == "}":
                    depth -= 1
                    if depth == 0:
                        return number, index + 1
        return None

    # ------------------------------------------------------------ statements

    def stmt(self, node: Any) -> ir.Stmt:
        loc = self.loc(node)
        if isinstance(node, c_ast.Compound):
            return self._compound(node)
        if isinstance(node, c_ast.Decl):
            return self._decl(node)
        if isinstance(node, c_ast.DeclList):  # for (ULONG i = 0, n = 4; ...): one declaration is itself
            decls = [self._decl(d) for d in node.decls]
            return decls[0] if len(decls) == 1 else ir.Block(loc, decls)
        if isinstance(node, c_ast.If):
            seh = self._seh(node)
            if seh is not None:
                return seh
            if self._in_assertion(node):
                return ir.ExprStmt(loc, self.expr(node.cond), in_assertion=True)
            other = self.stmt(node.iffalse) if node.iffalse is not None else None
            return ir.If(loc, self.expr(node.cond), self.stmt(node.iftrue), other)
        if isinstance(node, c_ast.While):
            return ir.While(loc, self.expr(node.cond), self.stmt(node.stmt))
        if isinstance(node, c_ast.DoWhile):
            return ir.DoWhile(loc, self.stmt(node.stmt), self.expr(node.cond))
        if isinstance(node, c_ast.For):
            self.scope.push()
            init = self.stmt(node.init) if node.init is not None else None
            cond = self.expr(node.cond) if node.cond is not None else None
            step = self.expr(node.next) if node.next is not None else None
            body = self.stmt(node.stmt)
            self.scope.pop()
            return ir.For(loc, init, cond, step, body)
        if isinstance(node, c_ast.Switch):
            return ir.Switch(loc, self.expr(node.cond), self.stmt(node.stmt))
        if isinstance(node, (c_ast.Case, c_ast.Default)):
            value = self.expr(node.expr) if isinstance(node, c_ast.Case) else None
            stmts = [self.stmt(s) for s in node.stmts or []]
            body: ir.Stmt = stmts[0] if len(stmts) == 1 else ir.Block(loc, stmts)
            return ir.Case(loc, value, body)
        if isinstance(node, c_ast.Break):
            return ir.Break(loc)
        if isinstance(node, c_ast.Continue):
            return ir.Continue(loc)
        if isinstance(node, c_ast.Return):
            return ir.Return(loc, self.expr(node.expr) if node.expr is not None else None)
        if isinstance(node, c_ast.Goto):
            return ir.Goto(loc, node.name)
        if isinstance(node, c_ast.Label):
            return ir.Label(loc, node.name, self.stmt(node.stmt) if node.stmt is not None else ir.Block(loc, []))
        if isinstance(node, c_ast.EmptyStatement):
            return ir.Block(loc, [])
        if isinstance(node, c_ast.FuncCall) and _called(node) == "__ddilint_leave":
            return ir.Leave(loc)
        if isinstance(node, c_ast.Node) and type(node).__name__ in _EXPRESSIONS:
            return ir.ExprStmt(loc, self.expr(node), self._in_assertion(node))
        return ir.OpaqueStmt(loc, type(node).__name__)

    def _compound(self, node: c_ast.Compound) -> ir.Block:
        self.scope.push()
        stmts: list[ir.Stmt] = []
        for item in node.block_items or []:
            stmts.extend(self._case_run(item) if isinstance(item, (c_ast.Case, c_ast.Default)) else [self.stmt(item)])
        self.scope.pop()
        return ir.Block(self.loc(node), stmts)

    def _case_run(self, node: c_ast.Case | c_ast.Default) -> list[ir.Stmt]:
        """A case label and the statements pycparser puts under it, as C (and libclang) see them: the label
        applies to the first statement, the others follow it in the enclosing block."""
        loc = self.loc(node)
        value = self.expr(node.expr) if isinstance(node, c_ast.Case) else None
        items = list(node.stmts or [])
        if not items:
            return [ir.Case(loc, value, ir.Block(loc, []))]
        first = items[0]
        run = self._case_run(first) if isinstance(first, (c_ast.Case, c_ast.Default)) else [self.stmt(first)]
        return [ir.Case(loc, value, run[0]), *run[1:], *(self.stmt(s) for s in items[1:])]

    def _decl(self, node: c_ast.Decl) -> ir.Stmt:
        static = "static" in (node.storage or [])
        if isinstance(node.type, c_ast.FuncDecl):
            self.scope.declare(node.name, "function")
            return ir.Block(self.loc(node), [])
        self._enums_in(node.type)
        self.scope.declare(node.name, "static_local" if static else "local", node.type)
        self._note_array(node)
        init = self.expr(node.init) if node.init is not None else None
        return ir.VarDecl(self.loc(node), node.name, self._declared_type(node), init, static)

    def _declared_type(self, node: c_ast.Decl) -> str:
        """A variable's type as libclang spells it: array lengths folded (``UCHAR[20]``), or counted from the
        initializer of an array declared without one."""
        dims: list[str] = []
        type_ = node.type
        while isinstance(type_, c_ast.ArrayDecl):
            size = self.fold(type_.dim) if type_.dim is not None else None
            if size is None and type_.dim is None and not dims and isinstance(node.init, c_ast.InitList):
                size = len(node.init.exprs)
            dims.append(f"[{size}]" if size is not None else f"[{_type_name(type_.dim)}]")
            type_ = type_.type
        return _type_name(type_) + "".join(dims) if dims else _type_name(node.type)

    def _seh(self, node: c_ast.If) -> ir.Stmt | None:
        """``if (__ddilint_try) B else if (__ddilint_except(F)) H`` / ``else if (__ddilint_finally) F``."""
        if not (isinstance(node.cond, c_ast.ID) and node.cond.name == "__ddilint_try"):
            return None
        loc = self.loc(node)
        body = self.stmt(node.iftrue)
        tail = node.iffalse
        if isinstance(tail, c_ast.If) and isinstance(tail.cond, c_ast.ID) and tail.cond.name == "__ddilint_finally":
            return ir.Try(loc, body, finally_body=self.stmt(tail.iftrue))
        if isinstance(tail, c_ast.If) and _called(tail.cond) == "__ddilint_except":
            args = tail.cond.args.exprs if tail.cond.args is not None else []
            filt = self.expr(args[0]) if args else None
            return ir.Try(loc, body, handler=self.stmt(tail.iftrue), filter=filt)
        return ir.Try(loc, body)

    # ------------------------------------------------------------ expressions

    def expr(self, node: Any) -> ir.Expr:
        loc = self.loc(node)
        if isinstance(node, c_ast.ID):
            return self._name(node, loc)
        if isinstance(node, c_ast.Constant):
            if node.type == "string":
                return ir.StringLit(loc, node.value)
            return self._with_macro_spelling(ir.Const(loc, self.fold(node), ""))
        if isinstance(node, c_ast.FuncCall):
            args = [self.expr(a) for a in (node.args.exprs if node.args is not None else [])]
            target = self.expr(node.name)
            callee = target.name if isinstance(target, ir.Name) and target.scope in ("function", "unknown") else None
            return ir.Call(loc, callee, args, None if callee else target)
        if isinstance(node, c_ast.Assignment):
            return ir.Assign(loc, node.op, self.expr(node.lvalue), self.expr(node.rvalue))
        if isinstance(node, c_ast.BinaryOp):
            folded = self.fold(node)
            if folded is not None:
                return self._with_macro_spelling(ir.Const(loc, folded, ""))
            return ir.Binary(loc, node.op, self.expr(node.left), self.expr(node.right))
        if isinstance(node, c_ast.UnaryOp):
            if node.op == "sizeof":
                return self._with_macro_spelling(ir.Const(loc, self.layout.sizeof(node), ""))
            if node.op == "_Alignof":
                return ir.Const(loc, None, "")
            folded = self.fold(node) if node.op in ("-", "~", "+") else None  # as libclang: not ``!``
            if folded is not None:
                return self._with_macro_spelling(ir.Const(loc, folded, ""))
            op = {"p++": "++", "p--": "--"}.get(node.op, node.op)
            return ir.Unary(loc, op, self.expr(node.expr))
        if isinstance(node, c_ast.TernaryOp):
            return ir.Conditional(loc, self.expr(node.cond), self.expr(node.iftrue), self.expr(node.iffalse))
        if isinstance(node, c_ast.Cast):
            type_name = _type_name(node.to_type.type)
            operand = self.expr(node.expr)
            to_void = type_name == "void"
            if isinstance(operand, ir.Const) and not to_void:
                value = self.fold(node)
                return self._with_macro_spelling(ir.Const(loc, value, operand.spelling))
            return ir.Cast(loc, type_name, operand, to_void)
        if isinstance(node, c_ast.StructRef):
            return ir.Member(loc, self.expr(node.name), node.field.name, node.type == "->")
        if isinstance(node, c_ast.ArrayRef):
            return ir.Index(loc, self.expr(node.name), self.expr(node.subscript))
        if isinstance(node, c_ast.InitList):
            return ir.InitList(loc, [self.expr(e) for e in node.exprs])
        if isinstance(node, c_ast.ExprList):
            items = [self.expr(e) for e in node.exprs]
            result = items[0]
            for item in items[1:]:
                result = ir.Binary(loc, ",", result, item)
            return result
        return ir.Opaque(loc, type(node).__name__)

    def _name(self, node: c_ast.ID, loc: ir.Loc) -> ir.Expr:
        name = node.name
        kind = self.scope.kind(name)
        if kind == "enum":
            return ir.Const(loc, self.scope.enums.get(name), name)
        if kind in ("function", "param", "local", "static_local", "global"):
            return ir.Name(loc, name, kind)
        return ir.Name(loc, name, "unknown")

    def _with_macro_spelling(self, node: ir.Const) -> ir.Const:
        """Name a constant after the macro written at its position (``STATUS_UNSUCCESSFUL``), if any."""
        if node.spelling or not 0 < node.loc.line <= len(self.source_lines):
            return node
        match = _WORD.match(self.source_lines[node.loc.line - 1], max(node.loc.col - 1, 0))
        if match is not None and not match.group(2):
            return ir.Const(node.loc, node.value, match.group(1))
        return node

    # ------------------------------------------------------------ constants

    def _note_array(self, node: c_ast.Decl) -> None:
        if isinstance(node.type, c_ast.ArrayDecl):
            size = self.fold(node.type.dim) if node.type.dim is not None else None
            if size is None and isinstance(node.init, c_ast.InitList):
                size = len(node.init.exprs)
            if size is not None:
                self.scope.arrays[node.name] = size

    def _element_count(self, node: c_ast.BinaryOp) -> int | None:
        """``sizeof(a) / sizeof(a[0])`` (RTL_NUMBER_OF, ARRAYSIZE) for an array of known length."""
        if node.op != "/":
            return None
        left, right = node.left, node.right
        if not (isinstance(left, c_ast.UnaryOp) and left.op == "sizeof" and isinstance(left.expr, c_ast.ID)):
            return None
        if not (isinstance(right, c_ast.UnaryOp) and right.op == "sizeof"):
            return None
        element = right.expr
        named = (isinstance(element, c_ast.ArrayRef) and isinstance(element.name, c_ast.ID) and element.name.name) or (
            isinstance(element, c_ast.UnaryOp)
            and element.op == "*"
            and isinstance(element.expr, c_ast.ID)
            and element.expr.name
        )
        return self.scope.arrays.get(left.expr.name) if named == left.expr.name else None

    def _underlying(self, type_: Any) -> str:
        """A type through its typedefs: ``NTSTATUS`` -> ``LONG`` -> ``long``; pointers are ``*``."""
        for _ in range(16):
            if isinstance(type_, c_ast.PtrDecl):
                return "*"
            if not (isinstance(type_, c_ast.TypeDecl) and isinstance(type_.type, c_ast.IdentifierType)):
                return _type_name(type_)
            names = type_.type.names
            if len(names) == 1 and names[0] in self.scope.typedefs:
                type_ = self.scope.typedefs[names[0]]
                continue
            return " ".join(names)
        return ""

    def fold(self, node: Any) -> int | None:
        """The value of an integer constant expression (as libclang reports it), or None."""
        typed = self.fold_typed(node)
        return None if typed is None else as_clang(typed)

    def fold_typed(self, node: Any) -> Typed | None:
        """An integer constant expression's value with its C type (``c_integers``), or None."""
        if isinstance(node, c_ast.Constant):
            if node.type == "char" or node.value.endswith("'"):  # pycparser types 'gaTm' (several characters) as int
                value = _char_value(node.value)
                return (value, INT) if value is not None else None
            return literal(node.value)
        if isinstance(node, c_ast.ID):
            value = self.scope.enums.get(node.name) if self.scope.kind(node.name) == "enum" else None
            return (value, INT) if value is not None else None
        if isinstance(node, c_ast.Cast):
            operand = self.fold_typed(node.expr)
            return None if operand is None else cast(operand, self._underlying(node.to_type.type))
        if isinstance(node, c_ast.UnaryOp):
            if node.op == "sizeof":
                size = self.layout.sizeof(node)
                return (size, SIZE_T) if size is not None else None
            operand = self.fold_typed(node.expr) if node.op != "_Alignof" else None
            return None if operand is None else unary(node.op, operand)
        if isinstance(node, c_ast.BinaryOp):
            count = self._element_count(node)
            if count is not None:
                return count, SIZE_T
            left, right = self.fold_typed(node.left), self.fold_typed(node.right)
            return None if left is None or right is None else binary(node.op, left, right)
        if isinstance(node, c_ast.TernaryOp):
            cond = self.fold_typed(node.cond)
            return None if cond is None else self.fold_typed(node.iftrue if cond[0] else node.iffalse)
        return None


_EXPRESSIONS = {
    "ID", "Constant", "FuncCall", "Assignment", "BinaryOp", "UnaryOp", "TernaryOp", "Cast",
    "StructRef", "ArrayRef", "ExprList", "InitList", "CompoundLiteral",
}  # fmt: skip
_WORD = re.compile(r"([A-Za-z_][A-Za-z_0-9]*|[0-9][0-9A-Za-z_.]*)\s*(\()?")


def _called(node: Any) -> str | None:
    return node.name.name if isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID) else None


def _walk(node: Any) -> Iterable[Any]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current is None:
            continue
        yield current
        if isinstance(current, c_ast.Node):
            stack.extend(child for _, child in current.children())


def _type_name(node: Any) -> str:
    try:
        return _GENERATOR.visit(node).strip() if isinstance(node, c_ast.Node) else ""
    except Exception:
        return ""


def _char_value(text: str) -> int | None:
    """A character constant; MSVC packs multi-character constants ('gaTm', pool tags) big-endian."""
    body = text[1:-1] if text.startswith("'") else text[2:-1]
    try:
        chars = body.encode("latin-1").decode("unicode_escape")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None
    value = 0
    for ch in chars:
        value = (value << 8) | (ord(ch) & 0xFF)
    if not text.startswith("'"):
        return value  # a wide character: wchar_t is unsigned
    if len(chars) == 1:
        return value - 0x100 if value >= 0x80 else value  # char is signed on Windows: '\xff' is -1
    return wrap(value, INT)
