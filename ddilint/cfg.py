"""Control-flow graph of one IR function.

Nodes are single events (an expression evaluated, a declaration, a branch
condition, a return) rather than basic blocks: driver functions are small, and
a node per event keeps path explanations exact. ``__finally`` bodies are copied
onto every jump that leaves their ``__try`` (return, goto, break, __leave), so
the paths through them stay precise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ddilint import ir


class NodeKind(Enum):
    ENTRY = "entry"
    EXIT = "exit"
    EXPR = "expr"  # an expression evaluated for its effect
    DECL = "decl"  # a local declared, maybe initialized
    BRANCH = "branch"  # a two-way condition (if, loops, ?: at statement level is an EXPR)
    SWITCH = "switch"
    RETURN = "return"
    NOP = "nop"  # joins, labels, loop heads


@dataclass(eq=False)
class Node:
    id: int
    kind: NodeKind
    loc: ir.Loc
    expr: ir.Expr | None = None
    var: str | None = None  # DECL: the declared name
    in_assertion: bool = False
    succs: list[tuple[int, str]] = field(default_factory=list)  # (node id, edge label)
    label: str = ""  # NOP: the C label it stands for, if any


@dataclass
class CFG:
    function: ir.Function
    nodes: list[Node]
    entry: int
    exit: int

    def node(self, node_id: int) -> Node:
        return self.nodes[node_id]

    def preds(self) -> dict[int, list[int]]:
        result: dict[int, list[int]] = {n.id: [] for n in self.nodes}
        for n in self.nodes:
            for s, _ in n.succs:
                result[s].append(n.id)
        return result


@dataclass
class _Loop:
    break_to: int
    continue_to: int | None  # None for a switch
    try_depth: int


@dataclass
class _TryCtx:
    finally_body: ir.Stmt | None
    end: int  # where __leave goes (before the finally copy)
    labels: set[str]
    handler_entry: int | None
    body_nodes: list[int] = field(default_factory=list)
    cleanup: bool = False  # a C++ destructor scope, not a __try


class _Builder:
    def __init__(self, function: ir.Function) -> None:
        self.function = function
        self.nodes: list[Node] = []
        self.loops: list[_Loop] = []
        self.tries: list[_TryCtx] = []
        self.labels: dict[str, int] = {}
        self.pending_gotos: list[tuple[int, str, int]] = []  # (node, label, try depth)
        self.cases: list[list[tuple[int, ir.Expr | None]]] = []
        self.entry = self._new(NodeKind.ENTRY, function.loc)
        self.exit = self._new(NodeKind.EXIT, function.loc)

    # -- node helpers --

    def _new(self, kind: NodeKind, loc: ir.Loc, **kw: object) -> int:
        node = Node(len(self.nodes), kind, loc, **kw)  # type: ignore[arg-type]
        self.nodes.append(node)
        for ctx in self.tries:
            ctx.body_nodes.append(node.id)
        return node.id

    def _edge(self, src: int | None, dst: int, label: str = "") -> None:
        if src is not None:
            self.nodes[src].succs.append((dst, label))

    def _label_node(self, name: str, loc: ir.Loc) -> int:
        if name not in self.labels:
            self.labels[name] = self._new(NodeKind.NOP, loc, label=name)
        return self.labels[name]

    # -- building --

    def build(self) -> CFG:
        end = self.stmt(self.function.body, self.entry)
        self._edge(end, self.exit)
        for src, name, _depth in self.pending_gotos:
            target = self.labels.get(name)
            self._edge(src, target if target is not None else self.exit, "goto")
        return CFG(self.function, self.nodes, self.entry, self.exit)

    def stmt(self, s: ir.Stmt, cur: int | None) -> int | None:
        """Append ``s`` after node ``cur``; return the node control falls out of (None: it never does)."""
        handler = getattr(self, "_" + type(s).__name__.lower(), None)
        if handler is None:
            return cur
        return handler(s, cur)

    def _block(self, s: ir.Block, cur: int | None) -> int | None:
        for child in s.body:
            cur = self.stmt(child, cur)
        return cur

    def _simple(self, kind: NodeKind, loc: ir.Loc, cur: int | None, **kw: object) -> int:
        node = self._new(kind, loc, **kw)
        self._edge(cur, node)
        return node

    def _exprstmt(self, s: ir.ExprStmt, cur: int | None) -> int | None:
        return self._simple(NodeKind.EXPR, s.loc, cur, expr=s.expr, in_assertion=s.in_assertion)

    def _vardecl(self, s: ir.VarDecl, cur: int | None) -> int | None:
        return self._simple(NodeKind.DECL, s.loc, cur, expr=s.init, var=s.name)

    def _opaquestmt(self, s: ir.OpaqueStmt, cur: int | None) -> int | None:
        return cur

    def _if(self, s: ir.If, cur: int | None) -> int | None:
        branch = self._simple(NodeKind.BRANCH, s.cond.loc, cur, expr=s.cond)
        join = self._new(NodeKind.NOP, s.loc)
        then_start = self._new(NodeKind.NOP, s.then.loc)
        self._edge(branch, then_start, "true")
        self._edge(self.stmt(s.then, then_start), join)
        if s.other is not None:
            else_start = self._new(NodeKind.NOP, s.other.loc)
            self._edge(branch, else_start, "false")
            self._edge(self.stmt(s.other, else_start), join)
        else:
            self._edge(branch, join, "false")
        return join

    def _loop(
        self,
        loc: ir.Loc,
        cond: ir.Expr | None,
        body: ir.Stmt,
        cur: int | None,
        step: ir.Expr | None = None,
        test_first: bool = True,
    ) -> int:
        head = self._simple(NodeKind.NOP, loc, cur)
        exit_node = self._new(NodeKind.NOP, loc)
        cont = self._new(NodeKind.NOP, loc)
        body_start = self._new(NodeKind.NOP, body.loc)
        if cond is not None:
            test = self._new(NodeKind.BRANCH, cond.loc, expr=cond)
            self._edge(test, body_start, "true")
            self._edge(test, exit_node, "false")
        else:
            test = self._new(NodeKind.NOP, loc)
            self._edge(test, body_start)
        self._edge(head, test if test_first else body_start)
        self.loops.append(_Loop(exit_node, cont, len(self.tries)))
        self._edge(self.stmt(body, body_start), cont)
        self.loops.pop()
        if step is not None:
            step_node = self._simple(NodeKind.EXPR, step.loc, cont, expr=step)
            self._edge(step_node, test)
        else:
            self._edge(cont, test)
        return exit_node

    def _while(self, s: ir.While, cur: int | None) -> int | None:
        return self._loop(s.loc, s.cond, s.body, cur)

    def _dowhile(self, s: ir.DoWhile, cur: int | None) -> int | None:
        return self._loop(s.loc, s.cond, s.body, cur, test_first=False)

    def _for(self, s: ir.For, cur: int | None) -> int | None:
        if s.init is not None:
            cur = self.stmt(s.init, cur)
        return self._loop(s.loc, s.cond, s.body, cur, step=s.step)

    def _switch(self, s: ir.Switch, cur: int | None) -> int | None:
        node = self._simple(NodeKind.SWITCH, s.cond.loc, cur, expr=s.cond)
        exit_node = self._new(NodeKind.NOP, s.loc)
        self.loops.append(_Loop(exit_node, None, len(self.tries)))
        self.cases.append([])
        self._edge(self.stmt(s.body, None), exit_node)
        cases = self.cases.pop()
        self.loops.pop()
        for target, value in cases:
            self._edge(node, target, _case_label(value))
        if not any(value is None for _, value in cases):
            self._edge(node, exit_node, "default")
        return exit_node

    def _case(self, s: ir.Case, cur: int | None) -> int | None:
        node = self._simple(NodeKind.NOP, s.loc, cur)
        if self.cases:
            self.cases[-1].append((node, s.value))
        return self.stmt(s.body, node)

    def _jump_through_finally(self, cur: int | None, depth: int) -> int | None:
        """Copy the ``__finally`` bodies of the ``__try`` blocks being left, innermost first."""
        saved = self.tries
        for i in range(len(saved) - 1, depth - 1, -1):
            body = saved[i].finally_body
            if body is not None:
                self.tries = saved[:i]
                cur = self.stmt(body, cur)
        self.tries = saved
        return cur

    def _break(self, s: ir.Break, cur: int | None) -> int | None:
        if self.loops:
            loop = self.loops[-1]
            self._edge(self._jump_through_finally(cur, loop.try_depth), loop.break_to)
        return None

    def _continue(self, s: ir.Continue, cur: int | None) -> int | None:
        loop = next((lp for lp in reversed(self.loops) if lp.continue_to is not None), None)
        if loop is not None and loop.continue_to is not None:
            self._edge(self._jump_through_finally(cur, loop.try_depth), loop.continue_to)
        return None

    def _return(self, s: ir.Return, cur: int | None) -> int | None:
        node = self._simple(NodeKind.RETURN, s.loc, cur, expr=s.value)
        self._edge(self._jump_through_finally(node, 0), self.exit)
        return None

    def _goto(self, s: ir.Goto, cur: int | None) -> int | None:
        depth = len(self.tries)
        while depth > 0 and s.label not in self.tries[depth - 1].labels:
            depth -= 1
        src = self._jump_through_finally(self._simple(NodeKind.NOP, s.loc, cur), depth)
        if src is not None:
            self.pending_gotos.append((src, s.label, depth))
        return None

    def _label(self, s: ir.Label, cur: int | None) -> int | None:
        node = self._label_node(s.name, s.loc)
        self._edge(cur, node)
        return self.stmt(s.body, node)

    def _leave(self, s: ir.Leave, cur: int | None) -> int | None:
        depth = len(self.tries)
        while depth > 0 and self.tries[depth - 1].cleanup:
            depth -= 1  # leaving destructor scopes on the way to the __try: their destructors run
        if depth > 0:
            self._edge(self._jump_through_finally(cur, depth), self.tries[depth - 1].end, "leave")
        return None

    def _try(self, s: ir.Try, cur: int | None) -> int | None:
        end = self._new(NodeKind.NOP, s.loc)
        handler_entry = self._new(NodeKind.NOP, s.handler.loc) if s.handler is not None else None
        ctx = _TryCtx(s.finally_body, end, _labels_in(s.body), handler_entry, cleanup=s.cleanup)
        start = self._simple(NodeKind.NOP, s.body.loc, cur)
        self.tries.append(ctx)
        self._edge(self.stmt(s.body, start), end)
        self.tries.pop()
        if handler_entry is not None and s.handler is not None:
            # Statements can raise; the __try's own start stands for "before anything ran".
            for node_id in [start, *ctx.body_nodes]:
                if node_id == start or self.nodes[node_id].kind in (NodeKind.EXPR, NodeKind.DECL):
                    self._edge(node_id, handler_entry, "exception")
            after_handler = self.stmt(s.handler, handler_entry)
            join = self._new(NodeKind.NOP, s.loc)
            self._edge(end, join)
            self._edge(after_handler, join)
            return join
        if s.finally_body is not None:
            return self.stmt(s.finally_body, end)
        return end


def describe_edge(node: Node, label: str) -> str | None:
    """Explain, for a path, why control leaves ``node`` along ``label`` (None: nothing worth saying)."""
    if node.kind == NodeKind.BRANCH and label in ("true", "false"):
        return f"the condition is {label} here"
    if node.kind == NodeKind.SWITCH and label:
        return "the switch takes the default branch here" if label == "default" else "a case is taken here"
    if label == "exception":
        return "an exception is raised here"
    if node.kind == NodeKind.RETURN:
        return "returns here"
    if label == "goto":
        return "jumps to the label here"
    return None


def _case_label(value: ir.Expr | None) -> str:
    """``default``, ``case:<n>`` for a constant case value, or ``case``."""
    if value is None:
        return "default"
    while isinstance(value, ir.Cast):
        value = value.operand
    if isinstance(value, ir.Const) and value.value is not None:
        return f"case:{value.value}"
    return "case"


def case_values(node: Node) -> list[int]:
    """The constant case values of a SWITCH node."""
    return [int(label[5:]) for _, label in node.succs if label.startswith("case:")]


def _labels_in(stmt: ir.Stmt) -> set[str]:
    return {s.name for s in ir.statements(stmt) if isinstance(s, ir.Label)}


def build_cfg(function: ir.Function) -> CFG:
    return _Builder(function).build()
