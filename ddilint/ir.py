"""ddilint's own program model: what the checks see of a C file.

A frontend lowers its parser's AST into these classes; everything after the
frontend (CFG, analyses, checks) reads only them. The IR keeps the structure
of statements (so the CFG builder can wire branches, loops, switches, gotos
and ``__try`` blocks) and a small expression tree (so analyses can follow a
value through assignments, conditions, calls and returns).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Loc:
    """A source range: 1-based lines and columns, end inclusive of the last character."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Step:
    """One step of the explanation of a finding: a place and what happens there."""

    loc: Loc
    message: str


# ---------------------------------------------------------------- expressions


@dataclass(eq=False)
class Expr:
    """Base of expression nodes. ``eq=False``: nodes compare by identity."""

    loc: Loc

    def children(self) -> tuple[Expr, ...]:
        return ()


@dataclass(eq=False)
class Name(Expr):
    """A reference to a declared name.

    ``scope`` is one of ``local``, ``param``, ``static_local``, ``global``,
    ``function``, ``enum`` or ``unknown`` (an undeclared identifier in a file
    with errors).
    """

    name: str
    scope: str = "unknown"


@dataclass(eq=False)
class Const(Expr):
    """An integer constant, folded by the frontend; ``spelling`` is the macro or literal text."""

    value: int | None
    spelling: str = ""


@dataclass(eq=False)
class StringLit(Expr):
    value: str


@dataclass(eq=False)
class Call(Expr):
    """A call: ``callee`` names the function of a direct call; otherwise ``target`` is the callee expression."""

    callee: str | None
    args: list[Expr]
    target: Expr | None = None

    def children(self) -> tuple[Expr, ...]:
        return ((self.target,) if self.target is not None else ()) + tuple(self.args)


@dataclass(eq=False)
class Assign(Expr):
    """``target op value`` with ``op`` one of ``=``, ``+=``, ``|=``, ..."""

    op: str
    target: Expr
    value: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.target, self.value)


@dataclass(eq=False)
class Unary(Expr):
    """Prefix/postfix operators: ``!``, ``-``, ``~``, ``&`` (address of), ``*`` (deref), ``++``, ``--``, ``sizeof``."""

    op: str
    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(eq=False)
class Binary(Expr):
    """Binary operators other than assignment, including ``&&``, ``||`` and ``,``."""

    op: str
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(eq=False)
class Conditional(Expr):
    """``cond ? then : other``."""

    cond: Expr
    then: Expr
    other: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.cond, self.then, self.other)


@dataclass(eq=False)
class Cast(Expr):
    """An explicit cast; ``to_void`` marks ``(void)expr``."""

    type_name: str
    operand: Expr
    to_void: bool = False

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(eq=False)
class Member(Expr):
    """``base.field`` or ``base->field``."""

    base: Expr
    field_name: str
    arrow: bool

    def children(self) -> tuple[Expr, ...]:
        return (self.base,)


@dataclass(eq=False)
class Index(Expr):
    base: Expr
    index: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.base, self.index)


@dataclass(eq=False)
class InitList(Expr):
    items: list[Expr]

    def children(self) -> tuple[Expr, ...]:
        return tuple(self.items)


@dataclass(eq=False)
class Opaque(Expr):
    """Anything the frontend does not model (sizeof of a type, statement expressions, ...).

    Its sub-expressions are kept so that calls and reads inside are still seen.
    """

    kind: str
    parts: list[Expr] = field(default_factory=list)

    def children(self) -> tuple[Expr, ...]:
        return tuple(self.parts)


def postorder(expr: Expr) -> list[Expr]:
    """Sub-expressions in evaluation order (operands before their operator, arguments before the call)."""
    out: list[Expr] = []
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            out.append(node)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.children()))
    return out


def walk(expr: Expr) -> Iterator[Expr]:
    """Pre-order walk of an expression tree, without recursion."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children()))


# ----------------------------------------------------------------- statements


@dataclass(eq=False)
class Stmt:
    loc: Loc


@dataclass(eq=False)
class ExprStmt(Stmt):
    """An expression evaluated for its effect; ``in_assertion`` marks code inside an assertion macro."""

    expr: Expr
    in_assertion: bool = False


@dataclass(eq=False)
class VarDecl(Stmt):
    name: str
    type_name: str
    init: Expr | None
    is_static: bool = False


@dataclass(eq=False)
class Block(Stmt):
    body: list[Stmt]


@dataclass(eq=False)
class If(Stmt):
    cond: Expr
    then: Stmt
    other: Stmt | None


@dataclass(eq=False)
class While(Stmt):
    cond: Expr
    body: Stmt


@dataclass(eq=False)
class DoWhile(Stmt):
    body: Stmt
    cond: Expr


@dataclass(eq=False)
class For(Stmt):
    init: Stmt | None
    cond: Expr | None
    step: Expr | None
    body: Stmt


@dataclass(eq=False)
class Switch(Stmt):
    cond: Expr
    body: Stmt


@dataclass(eq=False)
class Case(Stmt):
    """A ``case`` label (``value`` set) or ``default`` (``value`` None) followed by its statement."""

    value: Expr | None
    body: Stmt


@dataclass(eq=False)
class Break(Stmt):
    pass


@dataclass(eq=False)
class Continue(Stmt):
    pass


@dataclass(eq=False)
class Return(Stmt):
    value: Expr | None


@dataclass(eq=False)
class Goto(Stmt):
    label: str


@dataclass(eq=False)
class Label(Stmt):
    name: str
    body: Stmt


@dataclass(eq=False)
class Try(Stmt):
    """``__try`` with either an ``__except`` handler or a ``__finally`` block.

    ``cleanup`` marks the C++ scope of an object with a destructor: the rest of
    the block is the body and the destructor call the ``finally_body``, run on
    every way out of the scope; ``__leave`` does not stop at it.
    """

    body: Stmt
    handler: Stmt | None = None
    filter: Expr | None = None
    finally_body: Stmt | None = None
    cleanup: bool = False


@dataclass(eq=False)
class Leave(Stmt):
    """``__leave``: jump to the end of the enclosing ``__try``."""


@dataclass(eq=False)
class OpaqueStmt(Stmt):
    """A statement the frontend could not lower (inline assembly, an AST hole after a parse error)."""

    kind: str


def substatements(stmt: Stmt) -> list[Stmt]:
    """The statements directly inside ``stmt`` (bodies, branches, block items)."""
    found: list[Stmt] = []
    for value in vars(stmt).values():
        if isinstance(value, Stmt):
            found.append(value)
        elif isinstance(value, list):
            found.extend(v for v in value if isinstance(v, Stmt))
    return found


def statements(root: Stmt) -> Iterator[Stmt]:
    """Every statement under ``root`` (included), without recursion."""
    stack = [root]
    while stack:
        stmt = stack.pop()
        yield stmt
        stack.extend(substatements(stmt))


# ------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Annotation:
    """A meaningful SAL annotation, e.g. ``Annotation("irql_requires_max", ("PASSIVE_LEVEL",))``."""

    kind: str
    args: tuple[str, ...] = ()


@dataclass(eq=False)
class Param:
    name: str
    type_name: str
    annotations: tuple[Annotation, ...] = ()


@dataclass(eq=False)
class Function:
    """A function definition of an analyzed file."""

    name: str
    loc: Loc
    params: list[Param]
    return_type: str
    body: Block
    annotations: tuple[Annotation, ...] = ()
    role_types: tuple[str, ...] = ()
    is_static: bool = False


@dataclass(eq=False)
class Declaration:
    """A function declared (not defined) with annotations or a role typedef, e.g. ``DRIVER_UNLOAD MyUnload;``."""

    name: str
    loc: Loc
    annotations: tuple[Annotation, ...] = ()
    role_types: tuple[str, ...] = ()


INTERNAL_ERROR = "internal error"  # how a notification of a ddilint bug begins (exit code 2)


@dataclass(frozen=True)
class Notification:
    """A problem with the input (parse error, unreadable file): a tool notification, never a finding."""

    level: str  # "error" | "warning" | "note"
    message: str
    file: str
    line: int = 0
    col: int = 0

    @property
    def internal(self) -> bool:
        """A bug of ddilint met on this file (an exception, a crashed parser), not a problem of the input."""
        return self.message.startswith(INTERNAL_ERROR)


@dataclass(eq=False)
class TranslationUnit:
    """One analyzed source file, lowered."""

    path: str
    functions: list[Function] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    globals: dict[str, int | None] = field(default_factory=dict)  # name -> constant initial value (0 if none)
    notifications: list[Notification] = field(default_factory=list)
    source_lines: list[str] = field(default_factory=list)
    analyzed: bool = True  # False when the file could not be read or parsed at all
    dependencies: list[str] = field(default_factory=list)  # headers read from outside ddilint (cache validation)


def routine_store(target: Expr, value: Expr) -> Stmt | None:
    """``target = value`` as a statement when ``value`` names a routine (``Fn``, ``&Fn``, ``(PVOID)Fn``), else None."""
    routine = value
    while isinstance(routine, Cast) or (isinstance(routine, Unary) and routine.op == "&"):
        routine = routine.operand
    if isinstance(routine, Name) and routine.scope == "function":
        return ExprStmt(value.loc, Assign(value.loc, "=", target, value))
    return None


def initializer_function(unit_path: str, stores: list[Stmt]) -> Function:
    """The routines a file's static initializers store into fields, as the body of a function of its own,
    so that roles and unload routines given by tables are found like assignments in code."""
    loc = stores[0].loc
    return Function(f"<initializers of {unit_path}>", loc, [], "void", Block(loc, stores), is_static=True)
