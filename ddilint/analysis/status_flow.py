"""Where does a returned status go? The dataflow behind DDI001.

Starting from a call, the value is followed through the expression that
contains it and then, if it lands in local variables, along every CFG path.
A path is *good* once the value reaches a branch condition, a return, memory
outside the function (global, field, pointer) or a non-logging call; it is
*lost* when the function ends or every variable holding it is overwritten
first. Reads by logging calls and assertions are remembered for the message
but do not count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ddilint import ir
from ddilint.cfg import CFG, Node, NodeKind, describe_edge
from ddilint.ir import Step

_DERIVING_UNARY = {"!", "-", "~", "+", "__extension__"}


@dataclass
class Use:
    """What one occurrence of the value (the call itself, or a read of a variable holding it) does with it."""

    checked: str | None = None  # why it counts as checked
    returned: bool = False
    stored: set[str] = field(default_factory=set)  # locals it is copied into
    discarded: str | None = None  # why it is dropped here (when nothing else happens)
    discard_loc: ir.Loc | None = None


@dataclass
class Flow:
    """The result for one call site."""

    use: Use
    lost: list[Step] | None = None  # a path on which the value is never checked
    returned: bool = False  # the value reaches a return of the function (on some path)


@dataclass(frozen=True)
class Conventions:
    logging_functions: frozenset[str]
    assertion_functions: frozenset[str]


def parents_of(root: ir.Expr) -> dict[int, ir.Expr]:
    parents: dict[int, ir.Expr] = {}
    for node in ir.walk(root):
        for child in node.children():
            parents[id(child)] = node
    return parents


def escaped_locals(function: ir.Function, cfg: CFG) -> set[str]:
    """Locals whose address is taken: their value can be read through a pointer, so storing into them hands it on."""
    names: set[str] = set()
    for node in cfg.nodes:
        if node.expr is None:
            continue
        for e in ir.walk(node.expr):
            if isinstance(e, ir.Unary) and e.op == "&" and isinstance(e.operand, ir.Name):
                names.add(e.operand.name)
    return names


class StatusFlow:
    """Status-flow queries over one function."""

    def __init__(self, cfg: CFG, conventions: Conventions) -> None:
        self.cfg = cfg
        self.conventions = conventions
        self.escaped = escaped_locals(cfg.function, cfg)
        self._parents: dict[int, dict[int, ir.Expr]] = {}
        self.returns_value = cfg.function.return_type.strip() != "void"

    def _parent_map(self, node: Node) -> dict[int, ir.Expr]:
        if node.id not in self._parents:
            self._parents[node.id] = parents_of(node.expr) if node.expr is not None else {}
        return self._parents[node.id]

    # -------------------------------------------------------------- one use

    def use_of(self, node: Node, occurrence: ir.Expr) -> Use:
        """Classify what the expression around ``occurrence`` (inside ``node``) does with its value."""
        if node.in_assertion:
            return Use(discarded="assertion", discard_loc=node.loc)
        parents = self._parent_map(node)
        use = Use()
        cur: ir.Expr = occurrence
        while True:
            parent = parents.get(id(cur))
            if parent is None:
                self._at_root(node, use)
                return use
            if isinstance(parent, ir.Cast):
                if parent.to_void:
                    return _finish(use, "void cast", parent.loc)
            elif isinstance(parent, ir.Unary):
                if parent.op == "&":
                    use.checked = "its address is taken"
                    return use
                if parent.op not in _DERIVING_UNARY:
                    return _finish(use, "statement", parent.loc)
            elif isinstance(parent, ir.Binary):
                if parent.op in ("&&", "||"):
                    use.checked = f"it is an operand of '{parent.op}'"
                    return use
                if parent.op == "," and cur is parent.left:
                    return _finish(use, "statement", parent.loc)
            elif isinstance(parent, ir.Conditional):
                if cur is parent.cond:
                    use.checked = "it is the condition of '?:'"
                    return use
            elif isinstance(parent, ir.Call):
                if cur is parent.target:
                    return use
                callee = parent.callee or ""
                if callee in self.conventions.logging_functions:
                    return _finish(use, f"logged by {callee}", parent.loc)
                if callee in self.conventions.assertion_functions:
                    return _finish(use, "assertion", parent.loc)
                use.checked = f"it is passed to {callee or 'a function pointer'}"
                return use
            elif isinstance(parent, ir.Assign):
                if cur is parent.target:
                    return use
                reason = self._store(parent, use)
                if reason is not None:
                    use.checked = reason
                    return use
            elif isinstance(parent, (ir.InitList, ir.Opaque)):
                use.checked = "it is used in an aggregate or an unmodelled expression"
                return use
            cur = parent

    def _store(self, assign: ir.Assign, use: Use) -> str | None:
        """Record an assignment of the value; a reason string when the store hands it out of the function."""
        target = assign.target
        if isinstance(target, ir.Name):
            if target.scope in ("local", "param") and target.name not in self.escaped:
                use.stored.add(target.name)
                return None
            if target.name in self.escaped:
                return f"it is stored in '{target.name}', whose address is taken"
            return f"it is stored in the global '{target.name}'"
        if isinstance(target, ir.Member):
            return f"it is stored in the field '{target.field_name}'"
        return "it is stored through a pointer"

    def _at_root(self, node: Node, use: Use) -> None:
        if node.kind in (NodeKind.BRANCH, NodeKind.SWITCH):
            use.checked = "it is tested by a condition"
        elif node.kind == NodeKind.RETURN:
            use.returned = True
        elif node.kind == NodeKind.DECL and node.var is not None:
            if node.var in self.escaped:
                use.checked = f"it is stored in '{node.var}', whose address is taken"
            else:
                use.stored.add(node.var)
        elif not use.stored:
            use.discarded = use.discarded or "statement"
            use.discard_loc = use.discard_loc or node.loc

    # -------------------------------------------------------------- paths

    def flow_from(self, node: Node, call: ir.Call) -> Flow:
        """Follow the value returned by ``call`` (evaluated in ``node``) to the end of every path."""
        use = self.use_of(node, call)
        flow = Flow(use, returned=use.returned)
        if use.checked is not None or not use.stored:
            return flow
        self._search(node, frozenset(use.stored), flow)
        return flow

    def _reads(self, node: Node, names: frozenset[str]) -> list[ir.Name]:
        if node.expr is None:
            return []
        parents = self._parent_map(node)
        reads = []
        for e in ir.walk(node.expr):
            if isinstance(e, ir.Name) and e.name in names:
                parent = parents.get(id(e))
                if isinstance(parent, ir.Assign) and parent.target is e and parent.op == "=":
                    continue
                reads.append(e)
        return reads

    def _kills(self, node: Node, names: frozenset[str]) -> set[str]:
        killed: set[str] = set()
        if node.kind == NodeKind.DECL and node.var in names:
            killed.add(node.var)
        if node.expr is not None:
            for e in ir.walk(node.expr):
                if (
                    isinstance(e, ir.Assign)
                    and e.op == "="
                    and isinstance(e.target, ir.Name)
                    and e.target.name in names
                ):
                    killed.add(e.target.name)
        return killed

    def _search(self, start: Node, holders: frozenset[str], flow: Flow) -> None:
        """Depth-first search over (node, variables holding the value, checked yet?) states."""
        origin = Step(start.loc, f"the status is stored in '{', '.join(sorted(holders))}'")
        stack: list[tuple[int, frozenset[str], bool, tuple[Step, ...]]] = [
            (succ, holders, False, (origin,)) for succ, label in reversed(start.succs) if label != "exception"
        ]  # an exception edge leaves the call unfinished: there is no status on it
        seen: set[tuple[int, frozenset[str], bool]] = set()
        while stack:
            node_id, names, checked, path = stack.pop()
            if (node_id, names, checked) in seen:
                continue
            seen.add((node_id, names, checked))
            node = self.cfg.node(node_id)
            if node.kind == NodeKind.EXIT:
                if not checked and flow.lost is None:
                    flow.lost = [*path, Step(node.loc, "the function ends without checking it")]
                continue
            gained: set[str] = set()
            steps = path
            for read in self._reads(node, names):
                use = self.use_of(node, read)
                if use.returned:
                    flow.returned = True
                if use.checked is not None or use.returned:
                    checked = True
                gained |= use.stored
                if use.discarded and use.discarded != "statement":
                    steps = (*steps, Step(read.loc, _discard_note(use.discarded)))
            killed = self._kills(node, names) - gained
            live = (names - killed) | gained
            if node.kind == NodeKind.RETURN and not checked:
                if flow.lost is None:
                    flow.lost = [*steps, Step(node.loc, "the function returns without checking it")]
                continue
            if not live:
                if not checked and flow.lost is None:
                    flow.lost = [
                        *steps,
                        Step(node.loc, f"'{', '.join(sorted(names))}' is overwritten before any check"),
                    ]
                continue
            if checked and not self.returns_value:
                continue  # nothing more to learn on this path
            for succ, label in reversed(node.succs):
                note = describe_edge(node, label)
                step = (Step(node.loc, note),) if note else ()
                stack.append((succ, frozenset(live), checked, (*steps, *step)))


def _finish(use: Use, reason: str, loc: ir.Loc) -> Use:
    if not use.stored:
        use.discarded = reason
        use.discard_loc = loc
    return use


def _discard_note(reason: str) -> str:
    if reason.startswith("logged by "):
        return f"it is only {reason}, which does not check it"
    if reason == "assertion":
        return "it is only read by an assertion, compiled out in release builds"
    if reason == "void cast":
        return "it is cast to void"
    return f"it is dropped ({reason})"
