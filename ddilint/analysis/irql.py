"""The IRQL model of a driver: entry IRQLs, IRQL changes inside functions, and inferred requirements.

* **Entry IRQL** of a function: its SAL annotation (``_IRQL_requires_``,
  ``_IRQL_requires_min_``, ``_IRQL_requires_max_``), else its role (declared
  with a role typedef, or used as one: passed to KeInitializeDpc, stored into
  DriverUnload, ...), else PASSIVE_LEVEL. Callers do not raise a helper's
  entry IRQL: a helper's needs are checked at its call sites instead (see
  requirements), so a problem is reported once, where the IRQL is raised.
* **Inside a function** a forward dataflow tracks the possible IRQLs at each
  point as *atoms*: the symbolic entry IRQL, or a concrete level with the
  call that set it. Raising calls (data in ``rules/irql.toml``) replace the
  atoms and save the previous ones in the lock, handle or variable they name;
  the matching release restores them. ``KeGetCurrentIrql()`` guards narrow
  them. Joins take the union, so a lock taken on one branch makes the join
  may-be-DISPATCH.
* **Helpers that change the IRQL** (a lock guard's constructor and destructor,
  an ``AcquireLock(ctx)`` helper) are summarized by their exit state: the
  IRQL they return at and the IRQL they saved in a global or a field, in terms
  of their entry IRQL. A call applies the summary; a field of the object a
  method is called on is tracked per object (``guard1.m_OldIrql``).
* **Requirements**: a function that calls a DDI (or a helper) at its entry
  IRQL needs that callee's maximum on entry; iterated to a fixed point over
  the call graph (recursion included).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ddilint import ir
from ddilint.analysis.driver_model import lvalue_key, strip
from ddilint.analysis.values import COMPARISONS, MIRROR
from ddilint.catalog import Catalog
from ddilint.cfg import CFG, Node, NodeKind
from ddilint.program import Program

MAX_LEVEL = 15


@dataclass(frozen=True)
class Atom:
    """One possible IRQL: ``level`` None means "the function's entry IRQL", or with ``slot``,
    "the IRQL saved in ``slot`` by whoever called this function" (a guard's destructor)."""

    level: int | None
    why: str = ""
    loc: ir.Loc | None = None
    slot: str | None = None


ENTRY = Atom(None, "entry")
Atoms = frozenset[Atom]


@dataclass(frozen=True)
class FlowState:
    atoms: Atoms
    saved: frozenset[tuple[str, Atoms]] = frozenset()

    def join(self, other: FlowState) -> FlowState:
        saved: dict[str, set[Atom]] = {}
        for key, atoms in (*self.saved, *other.saved):
            saved.setdefault(key, set()).update(atoms)
        return FlowState(self.atoms | other.atoms, frozenset((k, frozenset(v)) for k, v in saved.items()))


@dataclass(frozen=True)
class EntryLevel:
    level: int
    why: str  # e.g. "a DPC routine (KDEFERRED_ROUTINE, passed to KeInitializeDpc at line 40)"
    loc: ir.Loc | None = None
    assumed: bool = False  # no annotation or role: PASSIVE_LEVEL by default


@dataclass(frozen=True)
class CallAt:
    """A call and the IRQLs possible just before it."""

    function: ir.Function
    node: Node
    call: ir.Call
    atoms: Atoms


@dataclass(frozen=True)
class Requirement:
    """A helper's inferred maximum entry IRQL and the call that imposes it."""

    level: int
    callee: str
    loc: ir.Loc


@dataclass
class IrqlModelOfDriver:
    entries: dict[int, EntryLevel]
    calls: list[CallAt]
    requirements: dict[int, Requirement] = field(default_factory=dict)

    def entry_of(self, function: ir.Function) -> EntryLevel:
        return self.entries[id(function)]


# ------------------------------------------------------------------ entry IRQL


def _annotation_level(annotations: Iterable[ir.Annotation], catalog: Catalog) -> tuple[int, str] | None:
    for a in annotations:
        if a.kind in ("irql_requires", "irql_requires_min", "irql_requires_max") and a.args:
            level = catalog.irql.level(a.args[0])
            if level is not None:
                macro = {"irql_requires": "_IRQL_requires_", "irql_requires_min": "_IRQL_requires_min_"}.get(
                    a.kind, "_IRQL_requires_max_"
                )
                return level, f"it is annotated {macro}({a.args[0]})"
    return None


def entry_levels(program: Program, catalog: Catalog) -> dict[int, EntryLevel]:
    model = catalog.irql
    declared_annotations: dict[str, list[ir.Annotation]] = {}
    declared_roles: dict[str, list[tuple[str, str, ir.Loc]]] = {}
    for unit in program.units:
        for decl in unit.declarations:
            declared_annotations.setdefault(decl.name, []).extend(decl.annotations)
            for role in decl.role_types:
                declared_roles.setdefault(decl.name, []).append((role, f"declared {role}", decl.loc))
    used_roles = _roles_by_use(program, catalog)
    result: dict[int, EntryLevel] = {}
    for function in program.functions():
        annotated = _annotation_level([*function.annotations, *declared_annotations.get(function.name, [])], catalog)
        if annotated is not None:
            result[id(function)] = EntryLevel(annotated[0], annotated[1], function.loc)
            continue
        roles = [(r, f"declared {r}", function.loc) for r in function.role_types]
        roles += declared_roles.get(function.name, []) + used_roles.get(id(function), [])
        known = [(model.roles[r], r, how, loc) for r, how, loc in roles if r in model.roles]
        if known:
            level, role, how, loc = max(known, key=lambda item: item[0])
            why = f"it is {how}" if how.startswith("declared") else f"it is used as {role} ({how})"
            result[id(function)] = EntryLevel(level, why, loc)
        else:
            result[id(function)] = EntryLevel(
                0, "it has no role or IRQL annotation, so PASSIVE_LEVEL is assumed", assumed=True
            )
    return result


def _roles_by_use(program: Program, catalog: Catalog) -> dict[int, list[tuple[str, str, ir.Loc]]]:
    """Roles given by passing a routine to a DDI or storing it into a role field."""
    model = catalog.irql
    found: dict[int, list[tuple[str, str, ir.Loc]]] = {}

    def add(name_expr: ir.Expr, owner: ir.Function, role: str, how: str, loc: ir.Loc) -> None:
        for e in ir.walk(name_expr):
            if isinstance(e, ir.Name) and e.scope == "function":
                target = program.resolve(e.name, owner)
                if target is not None:
                    found.setdefault(id(target), []).append((role, how, loc))

    for function in program.functions():
        for node in program.cfg(function).nodes:
            if node.expr is None:
                continue
            for e in ir.walk(node.expr):
                if isinstance(e, ir.Call) and e.callee in model.role_arguments:
                    index, role = model.role_arguments[e.callee]
                    if index < len(e.args):
                        add(e.args[index], function, role, f"passed to {e.callee} at line {e.loc.line}", e.loc)
                elif isinstance(e, ir.Assign) or (isinstance(e, ir.Call) and e.callee in model.store_calls):
                    stored = _stored(e, model.store_calls)
                    if stored is None:
                        continue
                    target, value = stored
                    target = target.base if isinstance(target, ir.Index) else target
                    if isinstance(target, ir.Member) and target.field_name in model.role_fields:
                        role = model.role_fields[target.field_name]
                        add(value, function, role, f"stored into {target.field_name} at line {e.loc.line}", e.loc)
    return found


def _stored(e: ir.Expr, store_calls: dict[str, tuple[int, int]]) -> tuple[ir.Expr, ir.Expr] | None:
    """(where, what) of a store: ``X = V``, or a store call such as ``InterlockedExchangePointer(&X, V)``."""
    if isinstance(e, ir.Assign):
        return e.target, e.value
    if isinstance(e, ir.Call) and e.callee in store_calls:
        pointer, value = store_calls[e.callee]
        if max(pointer, value) < len(e.args):
            where = strip(e.args[pointer])
            if isinstance(where, ir.Unary) and where.op == "&":
                return strip(where.operand), e.args[value]
    return None


# ------------------------------------------------------------------ dataflow


@dataclass(frozen=True)
class Summary:
    """A helper's effect on its caller's IRQL: what it returns at, and what it saved where it can be seen."""

    exit_atoms: Atoms
    saved: tuple[tuple[str, Atoms], ...]

    @property
    def trivial(self) -> bool:
        return self.exit_atoms == frozenset({ENTRY}) and not self.saved


class Flows:
    """Every function's dataflow, computed once; a call to a function still being analyzed (recursion) has no effect."""

    def __init__(self, program: Program, catalog: Catalog) -> None:
        self.program = program
        self.catalog = catalog
        self._done: dict[int, FunctionFlow] = {}
        self._running: set[int] = set()

    def of(self, function: ir.Function) -> FunctionFlow | None:
        key = id(function)
        if key not in self._done:
            if key in self._running:
                return None
            self._running.add(key)
            flow = FunctionFlow(self.program, self.catalog, function, self)
            flow.run()
            self._running.discard(key)
            self._done[key] = flow
        return self._done[key]


class FunctionFlow:
    """The IRQL dataflow of one function."""

    def __init__(self, program: Program, catalog: Catalog, function: ir.Function, flows: Flows) -> None:
        self.program = program
        self.catalog = catalog
        self.function = function
        self.flows = flows
        self.cfg: CFG = program.cfg(function)
        self.irql_vars = self._irql_variables()
        self.calls: list[CallAt] = []
        self.summary = Summary(frozenset({ENTRY}), ())

    def run(self) -> list[CallAt]:
        states: dict[int, FlowState] = {self.cfg.entry: FlowState(frozenset({ENTRY}))}
        work = [self.cfg.entry]
        calls: dict[tuple[int, int], CallAt] = {}
        while work:
            node_id = work.pop()
            node = self.cfg.node(node_id)
            out = self._transfer(node, states[node_id], calls)
            for succ, label in node.succs:
                edge_state = self._refine(node, label, out)
                if edge_state is None:
                    continue
                old = states.get(succ)
                new = edge_state if old is None else old.join(edge_state)
                if new != old:
                    states[succ] = new
                    work.append(succ)
        self.calls = list(calls.values())
        exit_state = states.get(self.cfg.exit)
        if exit_state is not None:
            visible = tuple(sorted((k, v) for k, v in exit_state.saved if _visible(k)))
            symbolic = frozenset(a for a in exit_state.atoms if a.level is None)
            # A helper that only *may* return raised (the join of a path that released the lock and an
            # infeasible one that did not) is taken to return at the IRQL it restored: precision first.
            self.summary = Summary(symbolic or exit_state.atoms, visible)
        return self.calls

    def _transfer(self, node: Node, state: FlowState, calls: dict[tuple[int, int], CallAt]) -> FlowState:
        if node.expr is None:
            return state
        atoms = state.atoms
        saved = dict(state.saved)
        for e in ir.postorder(node.expr):
            if not isinstance(e, ir.Call):
                continue
            key = (node.id, id(e))
            previous = calls.get(key)
            merged = atoms if previous is None else previous.atoms | atoms
            calls[key] = CallAt(self.function, node, e, merged)
            atoms = self._effect(node, e, atoms, saved)
        return FlowState(atoms, frozenset(saved.items()))

    def _effect(self, node: Node, call: ir.Call, atoms: Atoms, saved: dict[str, Atoms]) -> Atoms:
        model = self.catalog.irql
        effect = model.effects.get(call.callee or "")
        if effect is None:
            callee = self.program.resolve(call.callee, self.function)
            if callee is not None:
                for a in callee.annotations:
                    if a.kind == "irql_raises" and a.args and model.level(a.args[0]) is not None:
                        return frozenset({Atom(model.level(a.args[0]), f"{callee.name} raises it", call.loc)})
                flow = self.flows.of(callee)
                if flow is not None and not flow.summary.trivial:
                    return self._apply(flow.summary, callee, call, atoms, saved)
            return atoms
        if effect.saves is not None:
            slot = self._slot(node, call, effect.saves)
            if slot is not None:
                saved[slot] = atoms
        if effect.raise_to is not None:
            level = self._raised_level(call, effect.raise_to)
            return frozenset({Atom(level, f"{call.callee} at line {call.loc.line} raised it", call.loc)})
        if effect.restores is not None:
            slot = self._slot(node, call, effect.restores)
            if slot is not None and slot in saved:
                return saved[slot]
            if slot is not None and _visible(slot):  # saved by the caller (through another helper)
                return frozenset({Atom(None, f"{call.callee} restores the IRQL saved by the caller", call.loc, slot)})
            return frozenset({ENTRY})  # restoring a value saved elsewhere: assume the entry IRQL
        return atoms

    def _apply(
        self, summary: Summary, callee: ir.Function, call: ir.Call, atoms: Atoms, saved: dict[str, Atoms]
    ) -> Atoms:
        """A helper's summary at a call: its entry IRQL is ``atoms``; its parameters' fields are the arguments'."""

        def slot_here(slot: str) -> str | None:
            match = _PARAM_SLOT.match(slot)
            if match is None:
                return slot
            index, rest = int(match.group(1)), match.group(2)
            if index >= len(call.args):
                return None
            base = self._object_key(call.args[index])
            return f"{base}->{rest}" if base is not None else None

        def here(callee_atoms: Atoms) -> Atoms:
            out: set[Atom] = set()
            for atom in callee_atoms:
                if atom.level is None and atom.slot is None:
                    out |= atoms
                elif atom.level is None:
                    slot = slot_here(atom.slot or "")
                    if slot is not None and slot in saved:
                        out |= saved[slot]
                    elif slot is not None and _visible(slot):
                        out.add(Atom(None, atom.why, atom.loc, slot))
                    else:
                        out.add(ENTRY)
                else:
                    why = f"{atom.why} (in {callee.name}, called at line {call.loc.line})"
                    out.add(Atom(atom.level, why, atom.loc))
            return frozenset(out)

        for slot, slot_atoms in summary.saved:
            mapped = slot_here(slot)
            if mapped is not None:
                saved[mapped] = here(slot_atoms)
        return here(summary.exit_atoms)

    def _object_key(self, arg: ir.Expr) -> str | None:
        """The object a pointer argument designates: ``&g_Queue`` -> g:g_Queue, a parameter -> p<i>."""
        arg = strip(arg)
        if isinstance(arg, ir.Unary) and arg.op == "&":
            return lvalue_key(arg.operand, self.function)
        param = self._param_index(arg)
        return f"p{param}" if param is not None else lvalue_key(arg, self.function)

    def _param_index(self, e: ir.Expr) -> int | None:
        e = strip(e)
        if isinstance(e, ir.Name) and e.scope == "param":
            for i, p in enumerate(self.function.params):
                if p.name == e.name:
                    return i
        return None

    def _raised_level(self, call: ir.Call, raise_to: str) -> int:
        model = self.catalog.irql
        if raise_to.startswith("arg:"):
            index = int(raise_to[4:])
            arg = strip(call.args[index]) if index < len(call.args) else None
            if isinstance(arg, ir.Const) and arg.value is not None:
                return arg.value
            return model.levels["DISPATCH_LEVEL"]  # an unknown target level: the usual one
        return model.levels[raise_to]

    def _slot(self, node: Node, call: ir.Call, where: str) -> str | None:
        """The storage a save/restore names: an argument (``&old``, ``&handle``, ``&mutex``, ``old``) or the result."""
        if where == "return":
            if node.kind == NodeKind.DECL and node.expr is not None and strip(node.expr) is call:
                return f"l:{self.function.name}:{node.var}"
            if node.expr is not None:
                for e in ir.walk(node.expr):
                    if isinstance(e, ir.Assign) and strip(e.value) is call:
                        return lvalue_key(e.target, self.function)
            return None
        index = int(where[4:])
        if index >= len(call.args):
            return None
        arg = strip(call.args[index])
        if isinstance(arg, ir.Unary) and arg.op == "&":
            arg = arg.operand
        if isinstance(arg, ir.Member):  # a field of the object a parameter points to: per object at call sites
            param = self._param_index(arg.base)
            if param is not None:
                return f"p{param}->f:{arg.field_name}"
        return lvalue_key(arg, self.function)

    # -------------------------------------------------------------- guards

    def _irql_variables(self) -> set[str]:
        names: set[str] = set()
        for node in self.cfg.nodes:
            if node.expr is None:
                continue
            if node.kind == NodeKind.DECL and self._is_irql_query(node.expr):
                names.add(f"l:{self.function.name}:{node.var}")
            for e in ir.walk(node.expr):
                if isinstance(e, ir.Assign) and self._is_irql_query(e.value):
                    key = lvalue_key(e.target, self.function)
                    if key is not None:
                        names.add(key)
        return names

    def _is_irql_query(self, e: ir.Expr) -> bool:
        e = strip(e)
        return isinstance(e, ir.Call) and e.callee in self.catalog.irql.current_irql

    def _is_irql_source(self, e: ir.Expr) -> bool:
        e = strip(e)
        return self._is_irql_query(e) or lvalue_key(e, self.function) in self.irql_vars

    def _allowed(self, cond: ir.Expr, want: bool) -> set[int] | None:
        """The IRQLs for which ``cond`` is ``want``, when it tests the current IRQL (else None)."""
        cond = strip(cond)
        if isinstance(cond, ir.Unary) and cond.op == "!":
            return self._allowed(cond.operand, not want)
        if isinstance(cond, ir.Binary) and cond.op in ("&&", "||"):
            if (cond.op == "&&") != want:
                return None
            left, right = self._allowed(cond.left, want), self._allowed(cond.right, want)
            if left is None:
                return right
            return left if right is None else left & right
        if isinstance(cond, ir.Binary) and cond.op in COMPARISONS:
            left, right, op = cond.left, cond.right, cond.op
            if not self._is_irql_source(left) and self._is_irql_source(right):
                left, right, op = right, left, MIRROR[op]
            right = strip(right)
            if self._is_irql_source(left) and isinstance(right, ir.Const) and right.value is not None:
                c = right.value
                return {level for level in range(MAX_LEVEL + 1) if COMPARISONS[op](level, c) == want}
        return None

    def _refine(self, node: Node, label: str, state: FlowState) -> FlowState | None:
        if node.kind != NodeKind.BRANCH or node.expr is None or label not in ("true", "false"):
            return state
        allowed = self._allowed(node.expr, label == "true")
        if allowed is None:
            return state
        atoms: set[Atom] = set()
        for atom in state.atoms:
            if atom.level is None:
                if max(allowed) == 0:
                    atoms.add(Atom(0, f"the KeGetCurrentIrql() test at line {node.loc.line} guards it", node.loc))
                else:
                    atoms.add(atom)
            elif atom.level in allowed:
                atoms.add(atom)
        if not atoms:
            return None  # the guard cannot hold on this path
        return FlowState(frozenset(atoms), state.saved)


# ------------------------------------------------------------------ driver

_PARAM_SLOT = re.compile(r"p(\d+)->(.*)$")


def _visible(slot: str) -> bool:
    """Can a caller see this storage? Globals, fields, and fields of what a parameter points to."""
    return slot.startswith(("g:", "f:")) or _PARAM_SLOT.match(slot) is not None


def callee_maximum(
    call: CallAt, program: Program, catalog: Catalog, requirements: dict[int, Requirement]
) -> tuple[int, Requirement | None] | None:
    """The highest IRQL the callee allows: a DDI's documented maximum or a helper's inferred requirement."""
    ddi = catalog.ddis.get(call.call.callee or "")
    if ddi is not None:
        return catalog.irql.levels[ddi.max_irql], None
    callee = program.resolve(call.call.callee, call.function)
    if callee is not None and id(callee) in requirements:
        requirement = requirements[id(callee)]
        return requirement.level, requirement
    return None


def analyze(program: Program, catalog: Catalog) -> IrqlModelOfDriver:
    entries = entry_levels(program, catalog)
    flows = Flows(program, catalog)
    calls = [c for function in program.functions() for flow in [flows.of(function)] if flow for c in flow.calls]
    model = IrqlModelOfDriver(entries, calls)
    changed = True
    while changed:
        changed = False
        for c in calls:
            if ENTRY not in c.atoms or not entries[id(c.function)].assumed:
                # Not at the entry IRQL, or the entry IRQL is declared (annotation, role): the call is
                # checked where it is, and callers are held to the declaration, not to the callee.
                continue
            bound = callee_maximum(c, program, catalog, model.requirements)
            if bound is None:
                continue
            current = model.requirements.get(id(c.function))
            # The lowest maximum wins; among calls that impose it, the first in the function, so the
            # explanation does not depend on the order the helpers are defined in.
            if current is None or (bound[0], c.call.loc) < (current.level, current.loc):
                model.requirements[id(c.function)] = Requirement(bound[0], c.call.callee or "", c.call.loc)
                changed = True
    return model
