"""Lowering libclang cursors into ddilint's IR.

Only functions defined in the analyzed file itself are lowered (headers are
context, not subject). Locations are expansion locations, so code produced by
a macro is attributed to the macro's use in the file, which is where a user
expects a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ddilint import ir
from ddilint.frontend.c_integers import MODULAR
from ddilint.frontend.libclang_bindings import (
    SpanReader,
    binary_operator,
    children,
    cindex,
    evaluate_int,
    in_main_file,
    unary_operator,
    var_initializer,
)

ANNOTATION_PREFIX = "ddilint:"


class Lowerer:
    """Lowers one translation unit's functions; ``assertion_ranges`` come from macro instantiations."""

    def __init__(
        self,
        main_file: str,
        display_path: str,
        assertion_ranges: list[tuple[int, int, int, int]],
        source_lines: list[str],
        main_handle: int | None,
        cplusplus: bool = False,
    ) -> None:
        self.ci = cindex()
        self.cplusplus = cplusplus
        self.main_handle = main_handle
        self._spans = SpanReader()
        self.source_lines = source_lines
        self.kinds = self.ci.CursorKind
        self.main_file = main_file
        self.display_path = display_path
        self.assertion_ranges = assertion_ranges
        k = self.kinds
        self.function_kinds = {k.FUNCTION_DECL, k.CXX_METHOD, k.CONSTRUCTOR, k.DESTRUCTOR, k.CONVERSION_FUNCTION}
        self.cast_kinds = {
            k.CSTYLE_CAST_EXPR,
            k.CXX_STATIC_CAST_EXPR,
            k.CXX_REINTERPRET_CAST_EXPR,
            k.CXX_CONST_CAST_EXPR,
            k.CXX_FUNCTIONAL_CAST_EXPR,
        }
        t = self.ci.TypeKind
        self._signed_kinds = {t.CHAR_S, t.SCHAR, t.SHORT, t.INT, t.LONG, t.LONGLONG, t.WCHAR}
        self._integer_kinds = self._signed_kinds | {t.CHAR_U, t.UCHAR, t.USHORT, t.UINT, t.ULONG, t.ULONGLONG}
        self.lambdas: list[ir.Function] = []  # C++ lambdas met in bodies: functions of their own
        self._function_name = ""
        self._constructed: tuple[int, ir.Expr] | None = None  # (constructor call, the variable it builds)
        self._destructors: dict[int, list[ir.Call]] = {}  # declaration statement -> destructors due at scope end
        self._temporaries: list[ir.Call] = []  # destructors due at the end of the current expression statement
        self._stmt_handlers: dict[Any, Callable[[Any], ir.Stmt]] = {
            self.kinds.COMPOUND_STMT: self._compound,
            self.kinds.DECL_STMT: self._decl_stmt,
            self.kinds.IF_STMT: self._if,
            self.kinds.WHILE_STMT: self._while,
            self.kinds.DO_STMT: self._do,
            self.kinds.FOR_STMT: self._for,
            self.kinds.SWITCH_STMT: self._switch,
            self.kinds.CASE_STMT: self._case,
            self.kinds.DEFAULT_STMT: self._default,
            self.kinds.BREAK_STMT: lambda c: ir.Break(self.loc(c)),
            self.kinds.CONTINUE_STMT: lambda c: ir.Continue(self.loc(c)),
            self.kinds.RETURN_STMT: self._return,
            self.kinds.GOTO_STMT: self._goto,
            self.kinds.LABEL_STMT: self._label,
            self.kinds.NULL_STMT: lambda c: ir.Block(self.loc(c), []),
            self.kinds.SEH_TRY_STMT: self._seh_try,
            self.kinds.SEH_LEAVE_STMT: lambda c: ir.Leave(self.loc(c)),
            self.kinds.CXX_FOR_RANGE_STMT: self._range_for,
            self.kinds.CXX_TRY_STMT: lambda c: self.stmt(self._children(c)[0]),  # kernel C++ has no EH
        }

    # ------------------------------------------------------------ locations

    def loc(self, cursor: Any) -> ir.Loc:
        start, end = self._spans.span(cursor)
        line, col = self._position(start)
        end_line, end_col = self._position(end)
        end_col = max(end_col - 1, 1)  # libclang's end is one past the last character
        if (end_line, end_col) < (line, col):
            end_line, end_col = line, col
        return ir.Loc(self.display_path, line, col, end_line, end_col)

    def _position(self, position: tuple[int, int, int | None, int, int]) -> tuple[int, int]:
        """The expansion position, refined to the spelling position for text written inside a macro's arguments."""
        line, col, spelled_file, spelled_line, spelled_col = position
        if spelled_file == self.main_handle and spelled_line == line and spelled_col > col:
            return spelled_line, spelled_col
        return line, col

    def in_main_file(self, cursor: Any) -> bool:
        return in_main_file(cursor, self.main_handle)

    def _in_assertion(self, cursor: Any) -> bool:
        start = cursor.extent.start
        pos = (start.line, start.column)
        return any((l1, c1) <= pos <= (l2, c2) for l1, c1, l2, c2 in self.assertion_ranges)

    # ------------------------------------------------------------ globals

    def initial_value(self, cursor: Any) -> int | None:
        """A file-scope variable's constant initial value: 0 without an initializer, None if not constant."""
        init = var_initializer(cursor)
        if init is None:
            return 0
        if init.kind == self.kinds.INIT_LIST_EXPR:
            return None  # a table or a structure: no single value (and a 100,000-entry table costs nothing)
        value = self.expr(init)
        return value.value if isinstance(value, ir.Const) else None

    def routine_stores(self, cursor: Any) -> list[ir.Stmt]:
        """The routines a file-scope initializer stores into fields, as assignments.

        ``CONST FLT_REGISTRATION FilterRegistration = { ..., FilterUnload, ... };`` says
        ``FilterRegistration.FilterUnloadCallback = FilterUnload``, which is how the
        analyses learn unload routines and roles from static tables. Positional and
        designated (``.Field = X``) items, nested structures and arrays; only
        function names are kept (a large constant table adds nothing).
        """
        init = var_initializer(cursor)
        if init is None or init.kind != self.kinds.INIT_LIST_EXPR:
            return []
        base = ir.Name(self.loc(cursor), cursor.spelling, "global")
        stores: list[ir.Stmt] = []
        self._stores_of(init, cursor.type.get_canonical(), base, stores, depth=0)
        return stores

    def _stores_of(self, init: Any, type_: Any, base: ir.Expr, stores: list[ir.Stmt], depth: int) -> None:
        if depth > 4:
            return
        kind = type_.kind
        items = children(init)
        if kind == self.ci.TypeKind.RECORD:
            fields = list(type_.get_fields())
            position = 0
            for item in items:
                designated = (
                    [c for c in children(item) if c.kind == self.kinds.MEMBER_REF]
                    if item.kind == self.kinds.UNEXPOSED_EXPR
                    else []
                )
                if designated:
                    name = designated[0].spelling
                    position = next((i for i, f in enumerate(fields) if f.spelling == name), len(fields))
                    value = next((c for c in children(item) if c.kind.is_expression()), None)
                else:
                    value = item
                if value is not None and position < len(fields):
                    field_cursor = fields[position]
                    target = ir.Member(self.loc(value), base, field_cursor.spelling, False)
                    self._store(value, field_cursor.type.get_canonical(), target, stores, depth)
                position += 1
        elif kind in (self.ci.TypeKind.CONSTANTARRAY, self.ci.TypeKind.INCOMPLETEARRAY):
            element = type_.get_array_element_type().get_canonical()
            for index, item in enumerate(items):
                target = ir.Index(self.loc(item), base, ir.Const(self.loc(item), index))
                self._store(item, element, target, stores, depth)

    def _store(self, value: Any, type_: Any, target: ir.Expr, stores: list[ir.Stmt], depth: int) -> None:
        if not self._may_hold_routine(type_):
            return  # a number, a character: not lowered (large constant tables stay cheap)
        inner = _unwrap_single(value, self.kinds.UNEXPOSED_EXPR)
        if inner.kind == self.kinds.INIT_LIST_EXPR:
            self._stores_of(inner, type_, target, stores, depth + 1)
            return
        store = ir.routine_store(target, self.expr(value))
        if store is not None:
            stores.append(store)

    def _may_hold_routine(self, type_: Any) -> bool:
        """A pointer, a structure, or an array of them: a type an initializer can store a routine in."""
        kinds = self.ci.TypeKind
        for _ in range(8):
            if type_.kind in (kinds.CONSTANTARRAY, kinds.INCOMPLETEARRAY):
                type_ = type_.get_array_element_type().get_canonical()
                continue
            return type_.kind in (kinds.POINTER, kinds.RECORD)
        return False

    # ------------------------------------------------------------ functions

    def function(self, cursor: Any) -> ir.Function:
        params = [ir.Param(p.spelling, p.type.spelling, tuple(annotations_of(p))) for p in cursor.get_arguments()]
        if self._has_this(cursor):
            params.insert(0, ir.Param("this", f"{qualified_name(cursor.semantic_parent)} *"))
        body_cursor = next(c for c in children(cursor) if c.kind == self.kinds.COMPOUND_STMT)
        name = qualified_name(cursor)
        self._function_name = name
        body = self._compound(body_cursor)
        return ir.Function(
            name=name,
            loc=self.loc(cursor),
            params=params,
            return_type=cursor.result_type.spelling,
            body=body,
            annotations=tuple(annotations_of(cursor)),
            role_types=tuple(role_types_of(cursor, self.kinds)),
            is_static=cursor.storage_class == self.ci.StorageClass.STATIC,
        )

    def _has_this(self, cursor: Any) -> bool:
        kinds = self.kinds
        if cursor.kind in (kinds.CONSTRUCTOR, kinds.DESTRUCTOR, kinds.CONVERSION_FUNCTION):
            return True
        return cursor.kind == kinds.CXX_METHOD and not cursor.is_static_method()

    # ------------------------------------------------------------ statements

    def stmt(self, cursor: Any) -> ir.Stmt:
        handler = self._stmt_handlers.get(cursor.kind)
        if handler is not None:
            return handler(cursor)
        if cursor.kind.is_expression():
            statement = ir.ExprStmt(self.loc(cursor), self.expr(cursor), self._in_assertion(cursor))
            if not self._temporaries:
                return statement
            # C++ temporaries with destructors die at the end of the full expression.
            dying, self._temporaries = self._temporaries, []
            return ir.Block(statement.loc, [statement, *(ir.ExprStmt(c.loc, c) for c in reversed(dying))])
        return ir.OpaqueStmt(self.loc(cursor), cursor.kind.name)

    def _children(self, cursor: Any) -> list[Any]:
        return children(cursor)

    def _compound(self, cursor: Any) -> ir.Block:
        loc = self.loc(cursor)
        end = ir.Loc(loc.file, loc.end_line, loc.end_col, loc.end_line, loc.end_col)
        stmts: list[ir.Stmt] = []
        for child in children(cursor):
            stmt = self.stmt(child)
            if child.kind == self.kinds.DECL_STMT and isinstance(stmt, ir.Block) and id(stmt) not in self._destructors:
                stmts.extend(stmt.body)  # ``ULONG a, b;`` declares two variables of the block, as written
            else:
                stmts.append(stmt)
        return ir.Block(loc, self._scoped(stmts, end))

    def _scoped(self, stmts: list[ir.Stmt], end: ir.Loc) -> list[ir.Stmt]:
        """C++ objects with destructors: the rest of the block runs in a cleanup scope whose
        ``finally`` calls the destructors (innermost object first) on every way out."""
        for i, stmt in enumerate(stmts):
            calls = self._destructors.pop(id(stmt), None)
            if calls:
                rest = ir.Block(stmt.loc, self._scoped(stmts[i + 1 :], end))
                cleanup = ir.Block(end, [ir.ExprStmt(end, ir.Call(end, c.callee, c.args)) for c in reversed(calls)])
                return [*stmts[: i + 1], ir.Try(stmt.loc, rest, finally_body=cleanup, cleanup=True)]
        return stmts

    def _range_for(self, cursor: Any) -> ir.Stmt:
        body = self._children(cursor)[-1]
        return ir.While(self.loc(cursor), ir.Opaque(self.loc(cursor), "range"), self.stmt(body))

    def _decl_stmt(self, cursor: Any) -> ir.Stmt:
        decls: list[ir.Stmt] = []
        for child in children(cursor):
            if child.kind != self.kinds.VAR_DECL:
                continue
            init_cursor = var_initializer(child)
            static = child.storage_class == self.ci.StorageClass.STATIC
            this = ir.Unary(self.loc(child), "&", ir.Name(self.loc(child), child.spelling, "local"))
            if init_cursor is not None:
                self._constructed = (_unwrap_single(init_cursor, self.kinds.UNEXPOSED_EXPR).hash, this)
            init = self.expr(init_cursor) if init_cursor is not None else None
            self._constructed = None
            decl = ir.VarDecl(self.loc(child), child.spelling, child.type.spelling, init, static)
            destructor = None if static else self._destructor_of(child.type)
            if destructor is not None:
                self._destructors.setdefault(id(decl), []).append(ir.Call(decl.loc, destructor, [this]))
            decls.append(decl)
        if len(decls) == 1:
            return decls[0]
        block = ir.Block(self.loc(cursor), decls)
        due = [call for d in decls for call in self._destructors.pop(id(d), [])]
        if due:
            self._destructors[id(block)] = due
        return block

    def _destructor_of(self, type_: Any) -> str | None:
        """The qualified name of a class type's user-declared destructor, if it has one."""
        if type_.kind == self.ci.TypeKind.INVALID:
            return None
        return self._class_destructor(type_.get_canonical().get_declaration())

    def _class_destructor(self, decl: Any) -> str | None:
        if decl is None or decl.kind not in (self.kinds.CLASS_DECL, self.kinds.STRUCT_DECL):
            return None
        members = children(decl)
        if not members:  # an implicit instantiation lists no members: look in its template
            template = self.ci.conf.lib.clang_getSpecializedCursorTemplate(decl)
            members = children(template) if template is not None else []
        for member in members:
            if member.kind == self.kinds.DESTRUCTOR:
                return qualified_name(member)
        return None

    def _if(self, cursor: Any) -> ir.Stmt:
        kids = self._children(cursor)
        cond, then = kids[0], kids[1]
        other = self.stmt(kids[2]) if len(kids) > 2 else None
        if self._in_assertion(cursor):
            return ir.ExprStmt(self.loc(cursor), self.expr(cond), in_assertion=True)
        return ir.If(self.loc(cursor), self.expr(cond), self.stmt(then), other)

    def _while(self, cursor: Any) -> ir.Stmt:
        cond, body = self._children(cursor)[-2:]
        return ir.While(self.loc(cursor), self.expr(cond), self.stmt(body))

    def _do(self, cursor: Any) -> ir.Stmt:
        body, cond = self._children(cursor)[:2]
        return ir.DoWhile(self.loc(cursor), self.stmt(body), self.expr(cond))

    def _for(self, cursor: Any) -> ir.Stmt:
        kids = self._children(cursor)
        present = for_header_parts(cursor)
        parts: list[Any] = [None, None, None]
        it = iter(kids)
        for i in range(3):
            if present[i]:
                parts[i] = next(it, None)
        body = next(it, None)
        if body is None:  # the token scan disagreed with the AST (macro-made header): assume the body is last
            body, parts = kids[-1], [None, None, None]
        init = self.stmt(parts[0]) if parts[0] is not None else None
        cond = self.expr(parts[1]) if parts[1] is not None else None
        step = self.expr(parts[2]) if parts[2] is not None else None
        return ir.For(self.loc(cursor), init, cond, step, self.stmt(body))

    def _switch(self, cursor: Any) -> ir.Stmt:
        cond, body = self._children(cursor)[-2:]
        return ir.Switch(self.loc(cursor), self.expr(cond), self.stmt(body))

    def _case(self, cursor: Any) -> ir.Stmt:
        kids = self._children(cursor)
        return ir.Case(self.loc(cursor), self.expr(kids[0]), self.stmt(kids[-1]))

    def _default(self, cursor: Any) -> ir.Stmt:
        kids = self._children(cursor)
        return ir.Case(self.loc(cursor), None, self.stmt(kids[-1]))

    def _return(self, cursor: Any) -> ir.Stmt:
        kids = self._children(cursor)
        return ir.Return(self.loc(cursor), self.expr(kids[0]) if kids else None)

    def _goto(self, cursor: Any) -> ir.Stmt:
        ref = next((c for c in children(cursor) if c.kind == self.kinds.LABEL_REF), None)
        return ir.Goto(self.loc(cursor), ref.spelling if ref is not None else "")

    def _label(self, cursor: Any) -> ir.Stmt:
        kids = self._children(cursor)
        body = self.stmt(kids[-1]) if kids else ir.Block(self.loc(cursor), [])
        return ir.Label(self.loc(cursor), cursor.spelling, body)

    def _seh_try(self, cursor: Any) -> ir.Stmt:
        kids = self._children(cursor)
        body = self.stmt(kids[0])
        tail = kids[1] if len(kids) > 1 else None
        if tail is not None and tail.kind == self.kinds.SEH_FINALLY_STMT:
            fin = self._children(tail)
            return ir.Try(self.loc(cursor), body, finally_body=self.stmt(fin[-1]) if fin else None)
        if tail is not None and tail.kind == self.kinds.SEH_EXCEPT_STMT:
            parts = self._children(tail)
            filt = self.expr(parts[0]) if len(parts) > 1 else None
            handler = self.stmt(parts[-1]) if parts else None
            return ir.Try(self.loc(cursor), body, handler=handler, filter=filt)
        return ir.Try(self.loc(cursor), body)

    # ----------------------------------------------------------- expressions

    def expr(self, cursor: Any) -> ir.Expr:
        kinds = self.kinds
        kind = cursor.kind
        loc = self.loc(cursor)
        if kind in (kinds.UNEXPOSED_EXPR, kinds.PAREN_EXPR):
            kids = self._children(cursor)
            if len(kids) == 1:
                inner = self.expr(kids[0])
                return self._with_macro_spelling(cursor, inner) if kind == kinds.PAREN_EXPR else inner
            return ir.Opaque(loc, kind.name, [self.expr(k) for k in kids if k.kind.is_expression()])
        if kind == kinds.DECL_REF_EXPR:
            return self._decl_ref(cursor, loc)
        if kind == kinds.CALL_EXPR:
            return self._call(cursor, loc)
        if kind == kinds.BINARY_OPERATOR:
            left, right = self._children(cursor)[:2]
            op = binary_operator(cursor)
            if op == "=":
                return ir.Assign(loc, op, self.expr(left), self.expr(right))
            return self._fold_binary(cursor, ir.Binary(loc, op, self.expr(left), self.expr(right)))
        if kind == kinds.COMPOUND_ASSIGNMENT_OPERATOR:
            left, right = self._children(cursor)[:2]
            return ir.Assign(loc, binary_operator(cursor), self.expr(left), self.expr(right))
        if kind == kinds.UNARY_OPERATOR:
            kids = self._children(cursor)
            operand = self.expr(kids[0]) if kids else ir.Opaque(loc, "empty")
            node = ir.Unary(loc, unary_operator(cursor), operand)
            if isinstance(operand, ir.Const) and node.op in ("-", "~", "+"):
                return self._constant(cursor, loc)
            return node
        if kind in self.cast_kinds:
            kids = [k for k in self._children(cursor) if k.kind.is_expression()]
            operand = self.expr(kids[-1]) if kids else ir.Opaque(loc, "empty")
            to_void = cursor.type.kind == self.ci.TypeKind.VOID
            if isinstance(operand, ir.Const) and not to_void:
                value = evaluate_int(cursor)
                if value is None and cursor.type.get_canonical().kind == self.ci.TypeKind.POINTER:
                    value = operand.value  # (void *)0: NULL is 0 (clang does not evaluate pointer casts)
                return self._with_macro_spelling(cursor, ir.Const(loc, value, operand.spelling))
            return ir.Cast(loc, cursor.type.spelling, operand, to_void)
        if kind == kinds.CONDITIONAL_OPERATOR:
            c, a, b = (self.expr(k) for k in self._children(cursor)[:3])
            return ir.Conditional(loc, c, a, b)
        if kind == kinds.MEMBER_REF_EXPR:
            kids = self._children(cursor)
            if not kids:  # a member named inside a method: this->member
                return ir.Member(loc, ir.Name(loc, "this", "param"), cursor.spelling, True)
            arrow = kids[0].type.get_canonical().kind == self.ci.TypeKind.POINTER
            base = self.expr(kids[0])
            # The implicit member of an anonymous union or struct gets an empty name here and is
            # folded into the member named through it: ``Info->SystemModeImage``, as written.
            member = ir.Member(loc, base, "" if _anonymous_member(cursor.spelling) else cursor.spelling, arrow)
            if isinstance(base, ir.Member) and base.field_name == "":
                member.base, member.arrow = base.base, base.arrow
            return member
        if kind == kinds.CXX_THIS_EXPR:
            return ir.Name(loc, "this", "param")
        if kind == kinds.CXX_NULL_PTR_LITERAL_EXPR:
            return ir.Const(loc, 0, "nullptr")
        if kind == kinds.CXX_BOOL_LITERAL_EXPR:
            return self._constant(cursor, loc)
        if kind == kinds.LAMBDA_EXPR:
            return self._lambda(cursor, loc)
        if kind == kinds.ARRAY_SUBSCRIPT_EXPR:
            base, index = self._children(cursor)[:2]
            return ir.Index(loc, self.expr(base), self.expr(index))
        if kind in (kinds.INTEGER_LITERAL, kinds.CHARACTER_LITERAL):
            return self._constant(cursor, loc)
        if kind == kinds.STRING_LITERAL:
            return ir.StringLit(loc, cursor.spelling)
        if kind == kinds.INIT_LIST_EXPR:
            return ir.InitList(loc, [self.expr(k) for k in children(cursor)])
        if kind == kinds.CXX_UNARY_EXPR:  # sizeof / alignof: the operand is not evaluated
            return self._constant(cursor, loc)
        return ir.Opaque(loc, kind.name, [self.expr(k) for k in children(cursor) if k.kind.is_expression()])

    def _lambda(self, cursor: Any, loc: ir.Loc) -> ir.Expr:
        """A lambda becomes a function of its own (named after where it is written); the expression names it."""
        kids = self._children(cursor)
        body = next((c for c in kids if c.kind == self.kinds.COMPOUND_STMT), None)
        if body is None:
            return ir.Opaque(loc, "LAMBDA_EXPR")
        name = f"{self._function_name}::<lambda at line {loc.line}, col {loc.col}>"
        params = [ir.Param(p.spelling, p.type.spelling) for p in kids if p.kind == self.kinds.PARM_DECL]
        outer, self._function_name = self._function_name, name
        lowered = self._compound(body)
        self._function_name = outer
        self.lambdas.append(ir.Function(name, loc, params, "", lowered, is_static=True))
        return ir.Name(loc, name, "function")

    def _decl_ref(self, cursor: Any, loc: ir.Loc) -> ir.Expr:
        """A name; a C++ reference (``NTSTATUS& Status``) is a pointer the IR dereferences (``*Status``)."""
        ref = cursor.referenced
        named = self._name(cursor, ref, loc)
        if (
            self.cplusplus
            and ref is not None
            and ref.kind in (self.kinds.PARM_DECL, self.kinds.VAR_DECL)
            and ref.type.kind in (self.ci.TypeKind.LVALUEREFERENCE, self.ci.TypeKind.RVALUEREFERENCE)
        ):
            return ir.Unary(loc, "*", named)
        return named

    def _name(self, cursor: Any, ref: Any, loc: ir.Loc) -> ir.Expr:
        kinds = self.kinds
        name = cursor.spelling
        if ref is None:
            return ir.Name(loc, name, "unknown")
        if ref.kind == kinds.ENUM_CONSTANT_DECL:
            return ir.Const(loc, ref.enum_value, name)
        if ref.kind in self.function_kinds:
            return ir.Name(loc, qualified_name(ref), "function")
        if ref.kind == kinds.PARM_DECL:
            return ir.Name(loc, name, "param")
        if ref.kind == kinds.VAR_DECL:
            parent = ref.semantic_parent
            if parent is not None and parent.kind in self.function_kinds:
                static = ref.storage_class == self.ci.StorageClass.STATIC
                return ir.Name(loc, name, "static_local" if static else "local")
            return ir.Name(loc, name, "global")
        return ir.Name(loc, name, "unknown")

    def _call(self, cursor: Any, loc: ir.Loc) -> ir.Expr:
        kids = self._children(cursor)
        args = [self.expr(a) for a in cursor.get_arguments()]
        ref = cursor.referenced
        if ref is not None and ref.kind in self.function_kinds and ref.kind != self.kinds.FUNCTION_DECL:
            return self._method_call(cursor, ref, kids, args, loc)
        callee_cursor = kids[0] if kids else None
        target = self.expr(callee_cursor) if callee_cursor is not None else None
        callee = target.name if isinstance(target, ir.Name) and target.scope == "function" else None
        if callee is None and isinstance(target, ir.Name) and target.scope == "unknown":
            callee = target.name
        return ir.Call(loc, callee, args, None if callee else target)

    def _method_call(self, cursor: Any, ref: Any, kids: list[Any], args: list[ir.Expr], loc: ir.Loc) -> ir.Expr:
        """A C++ method or constructor call; the object is passed first, as ``this``."""
        name = qualified_name(ref)
        if ref.kind == self.kinds.CXX_METHOD and ref.is_static_method():
            return ir.Call(loc, name, args)
        if ref.kind == self.kinds.CONSTRUCTOR:
            if not args and kids:  # libclang lists a construction's arguments as its children
                args = [self.expr(k) for k in kids if k.kind.is_expression()]
            this = self._constructed[1] if self._constructed and self._constructed[0] == cursor.hash else None
            if this is None:  # a temporary: named after where it is written, destroyed after the statement
                this = ir.Unary(loc, "&", ir.Name(loc, f"<temporary at line {loc.line}, col {loc.col}>", "local"))
                destructor = self._class_destructor(ref.semantic_parent)
                if destructor is not None:
                    self._temporaries.append(ir.Call(loc, destructor, [this]))
            return ir.Call(loc, name, [this, *args])
        member = _unwrap_single(kids[0], self.kinds.UNEXPOSED_EXPR) if kids else None
        if member is None or member.kind != self.kinds.MEMBER_REF_EXPR:
            return ir.Call(loc, name, [ir.Name(loc, "this", "param"), *args])
        target = self._children(member)
        if not target:
            this: ir.Expr = ir.Name(loc, "this", "param")
        elif target[0].type.get_canonical().kind == self.ci.TypeKind.POINTER:
            this = self.expr(target[0])
        else:
            this = ir.Unary(loc, "&", self.expr(target[0]))
        return ir.Call(loc, name, [this, *args])

    def _constant(self, cursor: Any, loc: ir.Loc) -> ir.Const:
        return self._with_macro_spelling(cursor, ir.Const(loc, evaluate_int(cursor), ""))

    def _fold_binary(self, cursor: Any, node: ir.Binary) -> ir.Expr:
        if isinstance(node.left, ir.Const) and isinstance(node.right, ir.Const) and node.op not in (",",):
            value = self._modular(cursor, node.op, node.left.value, node.right.value)
            if value is None:
                value = evaluate_int(cursor)
            if value is not None:
                return self._with_macro_spelling(cursor, ir.Const(node.loc, value, ""))
        return node

    def _modular(self, cursor: Any, op: str, left: int | None, right: int | None) -> int | None:
        """``left op right`` for the operators whose C result is the mathematical one wrapped to the result
        type (``+ - * & | ^``), computed here: asking clang to evaluate each level of ``1 + 1 + ... + 1``
        evaluates the whole chain again at every level (quadratic; 40,000 terms took minutes)."""
        if left is None or right is None or op not in MODULAR:
            return None
        type_ = cursor.type.get_canonical()
        if type_.kind not in self._integer_kinds:
            return None
        bits = type_.get_size() * 8
        if bits <= 0:
            return None
        value = MODULAR[op](left, right) & ((1 << bits) - 1)
        if type_.kind in self._signed_kinds or bits == 64:  # clang hands 64-bit values over as long long
            value -= (value >> (bits - 1)) << bits
        return value

    def _with_macro_spelling(self, cursor: Any, node: ir.Expr) -> ir.Expr:
        """Name a constant after the object-like macro it came from (``STATUS_UNSUCCESSFUL``), if any."""
        if not isinstance(node, ir.Const) or node.spelling:
            return node
        start = cursor.extent.start
        if not 0 < start.line <= len(self.source_lines):
            return node
        match = _WORD.match(self.source_lines[start.line - 1], max(start.column - 1, 0))
        if match is not None and not match.group(2):
            return ir.Const(node.loc, node.value, match.group(1))
        return node


def _anonymous_member(spelling: str) -> bool:
    return not spelling or "(anonymous" in spelling or "(unnamed" in spelling


def _unwrap_single(cursor: Any, wrapper: Any) -> Any:
    while cursor.kind == wrapper:
        kids = children(cursor)
        if len(kids) != 1:
            break
        cursor = kids[0]
    return cursor


def qualified_name(cursor: Any) -> str:
    """``Monitor::Start``, ``ns::Helper``, ``~Guard`` as ``Guard::~Guard``; a C function's plain name."""
    kinds = cindex().CursorKind
    scopes = (kinds.NAMESPACE, kinds.CLASS_DECL, kinds.STRUCT_DECL, kinds.UNION_DECL, kinds.CLASS_TEMPLATE)
    parts = [_TEMPLATE_ARGS.sub("", cursor.spelling)]
    parent = cursor.semantic_parent
    while parent is not None and parent.kind in scopes:
        if parent.spelling:
            parts.append(_TEMPLATE_ARGS.sub("", parent.spelling))
        parent = parent.semantic_parent
    return "::".join(reversed(parts))


_TEMPLATE_ARGS = re.compile(r"<.*>$")  # AutoLock<TLock> and AutoLock<SpinLock> are one class to the analyses


_WORD = re.compile(r"([A-Za-z_][A-Za-z_0-9]*|[0-9][0-9A-Za-z_.]*)\s*(\()?")


def annotations_of(cursor: Any) -> Iterable[ir.Annotation]:
    """The ddilint SAL annotations (``annotate("ddilint:kind:arg:arg")``) attached to a declaration."""
    kinds = cindex().CursorKind
    for child in children(cursor):
        if child.kind == kinds.ANNOTATE_ATTR and child.spelling.startswith(ANNOTATION_PREFIX):
            kind, *args = child.spelling[len(ANNOTATION_PREFIX) :].split(":")
            yield ir.Annotation(kind, tuple(args))


def role_types_of(cursor: Any, kinds: Any) -> Iterable[str]:
    """Typedef names a function is declared with, e.g. ``DRIVER_UNLOAD`` in ``DRIVER_UNLOAD MyUnload;``."""
    for child in children(cursor):
        if child.kind == kinds.TYPE_REF:
            ref = child.referenced
            if ref is not None and ref.kind == kinds.TYPEDEF_DECL:
                underlying = ref.underlying_typedef_type.get_canonical().kind.name
                if underlying in ("FUNCTIONPROTO", "FUNCTIONNOPROTO"):
                    yield ref.spelling


def for_header_parts(cursor: Any) -> tuple[bool, bool, bool]:
    """Which of a ``for`` header's init/cond/step are present (libclang omits the missing ones).

    Read from the tokens between the parentheses, split at top-level semicolons.
    """
    depth = 0
    parts = [False, False, False]
    index = -1
    for token in cursor.get_tokens():
        s = token.spelling
        if index == -1:
            if s == "(":
                index = 0
            continue
        if s in "([{":
            depth += 1
        elif s in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif s == ";" and depth == 0:
            index += 1
            if index > 2:
                break
            continue
        if index <= 2:
            parts[index] = True
    return parts[0], parts[1], parts[2]
