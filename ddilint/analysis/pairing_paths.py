"""Is a registration undone on every path by which the driver unloads? The search behind DDI002.

Two questions, for one registration R at a time:

* **Unload**: starting at an unload routine with R registered (and every flag
  that records R's success set), can the routine finish without the matching
  unregistration?
* **Entry failure**: starting at the entry point, can a path execute R
  (successfully) and then return a status that may be a failure without the
  matching unregistration? The system then unloads the image without calling
  the unload routine.

Both walk the interprocedural CFG: calls to functions defined in the driver are
entered (a frame stack), paths are pruned with the sign-set facts of
:mod:`ddilint.analysis.values`, and states are merged by (position, facts), so
the cost stays polynomial in the size of the code for a fixed set of tracked
variables: R's success flags and handle, and the status variables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ddilint import ir
from ddilint.analysis.driver_model import (
    Registration,
    argument_key,
    link_key,
    lvalue_key,
    param_key,
    removes,
    strip,
)
from ddilint.analysis.values import (
    ANY,
    NEG,
    POS,
    ZERO,
    Evaluator,
    bit_after_write,
    bit_key,
    bit_mask,
    bit_test,
    const_value,
    sign_of,
    success_value,
)
from ddilint.cfg import Node, NodeKind, case_values, describe_edge
from ddilint.ir import Step
from ddilint.program import Program

MAX_DEPTH = 12
MAX_STATES = 200_000
_RETURN = -1  # pseudo call id under which a frame records its return value


@dataclass(frozen=True)
class Frame:
    function: ir.Function
    node: int
    call_index: int  # how many of the node's driver-defined calls have been entered and returned
    results: tuple[tuple[int, int], ...] = ()  # (id of a call, sign set of its result)
    bindings: tuple[tuple[str, str], ...] = ()  # parameter key -> what the caller passed

    def resolve(self, key: str) -> str:
        for param, bound in self.bindings:
            if param == key:
                return bound
        return key


@dataclass(frozen=True)
class State:
    frames: tuple[Frame, ...]
    facts: frozenset[tuple[str, int]]
    registered: bool


@dataclass
class Leak:
    """A path on which R stays registered while the driver unloads."""

    steps: list[Step]
    end: ir.Loc  # the return (entry failure) or the end of the unload routine
    function: ir.Function


@dataclass
class _Search:
    parents: dict[State, tuple[State | None, Step | None]] = field(default_factory=dict)
    work: list[State] = field(default_factory=list)

    def push(self, state: State, parent: State | None, step: Step | None) -> None:
        if state not in self.parents:
            self.parents[state] = (parent, step)
            self.work.append(state)

    def path_to(self, state: State) -> list[Step]:
        steps: list[Step] = []
        current: State | None = state
        while current is not None:
            parent, step = self.parents[current]
            if step is not None:
                steps.append(step)
            current = parent
        return steps[::-1]


class PairingPaths:
    """The two searches for one registration.

    Tracked variables differ by search: the unload search starts with nothing
    known but R's flags, so it tracks only those (and status variables): other
    flags would only split states. The entry search starts from known initial
    values, so it tracks every flag-like variable of the driver.
    """

    def __init__(
        self,
        program: Program,
        registration: Registration,
        flags: dict[str, int],
        global_inits: dict[str, int | None],
        relevant: set[str],
        established: dict[str, int] | None = None,
        broad: set[str] | None = None,
    ) -> None:
        self.program = program
        self.reg = registration
        self.flags = flags
        self.global_inits = global_inits
        self.established = established or {}  # what every successful DriverEntry leaves behind
        statuses = status_variables(program)
        self._unload_tracked = set(flags) | set(self.established) | statuses | relevant
        self._entry_tracked = set(flags) | statuses | relevant
        self._broad_tracked = broad or set()  # for established_facts: every flag and local
        self.tracked = self._unload_tracked
        self._calls: dict[tuple[int, int], list[tuple[ir.Call, ir.Function]]] = {}
        self._node_call_memo: dict[int, list[ir.Call]] = {}
        self._postorder_memo: dict[int, list[ir.Expr]] = {}
        self._bit_key_memo: dict[int, dict[str, list[tuple[str, int]]]] = {}

    # ------------------------------------------------------------ public

    def unload_leak(self, unload: ir.Function) -> Leak | None:
        self.tracked = self._unload_tracked
        facts = frozenset({**self.established, **self.flags}.items())
        start = State((Frame(unload, self.program.cfg(unload).entry, 0),), facts, True)
        return self._run(start, mode="unload")

    def entry_failure_leak(self, entry: ir.Function) -> Leak | None:
        self.tracked = self._entry_tracked
        start = State((Frame(entry, self.program.cfg(entry).entry, 0),), self._initial_facts(), False)
        return self._run(start, mode="entry")

    def established_facts(self, entry: ir.Function) -> dict[str, int]:
        """What every successful return of the entry point leaves in globals and fields.

        The unload routine runs only after the entry point succeeded, so a flag
        it sets last (``g_InitComplete = TRUE;``) is known there.
        """
        self.tracked = self._broad_tracked
        self._success_exits: list[frozenset[tuple[str, int]]] = []
        start = State((Frame(entry, self.program.cfg(entry).entry, 0),), self._initial_facts(), False)
        self._run(start, mode="facts")
        if not self._success_exits:
            return {}
        common = set(self._success_exits[0]).intersection(*self._success_exits[1:])
        return {key: value for key, value in common if not key.startswith("l:")}

    def _initial_facts(self) -> frozenset[tuple[str, int]]:
        facts = {
            f"g:{name}": sign_of(value)
            for name, value in self.global_inits.items()
            if f"g:{name}" in self.tracked and value is not None
        }
        for base, bits in self._bit_keys().items():
            value = self.global_inits.get(base[2:]) if base.startswith("g:") else None
            if value is not None:
                facts.update((key, POS if value & mask else ZERO) for key, mask in bits)
        return frozenset(facts.items())

    # ------------------------------------------------------------ search

    def _run(self, start: State, mode: str) -> Leak | None:
        search = _Search()
        search.push(start, None, None)
        while search.work:
            if len(search.parents) > MAX_STATES:
                return None  # too large to decide: stay silent rather than guess
            state = search.work.pop()
            leak = self._step(state, mode, search)
            if leak is not None:
                return leak
        return None

    def _step(self, state: State, mode: str, search: _Search) -> Leak | None:
        frame = state.frames[-1]
        cfg = self.program.cfg(frame.function)
        node = cfg.node(frame.node)
        calls = self._driver_calls(frame.function, node)
        if frame.call_index < len(calls):
            self._enter_call(state, calls[frame.call_index], node, search)
            return None
        if node.kind == NodeKind.EXIT:
            return self._leave_function(state, node, mode, search)
        registered = state.registered
        node_calls = self._node_calls(node)
        if node_calls:
            for e in node_calls:
                if e is self.reg.call:
                    key = link_key(self.reg, e, node, frame.function, registering=True)
                    if key is not None and (frame.resolve(key) == self.reg.key or key in self.reg.aliases):
                        registered = True
                elif removes(self.reg, e, frame.function, frame.resolve):
                    registered = False
        if mode == "unload" and not registered:
            return None  # removed on this path
        facts = dict(state.facts)
        evaluator = self._evaluator(frame)
        self._apply_effects(node, frame, facts, evaluator)
        results = frame.results
        if node.kind == NodeKind.RETURN and node.expr is not None:
            results = (*results, (_RETURN, evaluator.eval(node.expr, facts)))
        for succ, label in node.succs:
            if label == "exception":  # raised while the node ran: its call did not complete, its stores did not happen
                branch_facts, branch_registered = dict(state.facts), state.registered
            else:
                branch_facts, branch_registered = dict(facts), registered
            if not edge_feasible(evaluator, node, label, branch_facts):
                continue
            note = describe_edge(node, label)
            step = Step(node.loc, note) if note else None
            if branch_registered and not state.registered and any(e is self.reg.call for e in node_calls):
                step = Step(self.reg.call.loc, f"{self.reg.ddi.name} succeeds here")
            carried = tuple(r for r in results if r[0] == _RETURN)  # the return value, on its way to the exit
            new_frame = Frame(frame.function, succ, 0, carried, frame.bindings)
            search.push(self._state(state, new_frame, branch_facts, branch_registered), state, step)
        return None

    def _state(self, state: State, top: Frame, facts: dict[str, int], registered: bool) -> State:
        kept = frozenset((k, v) for k, v in facts.items() if v != ANY)
        return State((*state.frames[:-1], top), kept, registered)

    def _enter_call(self, state: State, target: tuple[ir.Call, ir.Function], node: Node, search: _Search) -> None:
        call, callee = target
        frame = state.frames[-1]
        on_stack = any(f.function is callee for f in state.frames)
        if on_stack or len(state.frames) >= MAX_DEPTH:
            results = (*frame.results, (id(call), ANY))
            skipped = Frame(frame.function, frame.node, frame.call_index + 1, results, frame.bindings)
            search.push(State((*state.frames[:-1], skipped), state.facts, state.registered), state, None)
            return
        bindings = []
        for i, arg in enumerate(call.args[: len(callee.params)]):
            passed = argument_key(arg, frame.function)
            if passed is not None:
                bindings.append((param_key(callee, i), frame.resolve(passed)))
            stripped = strip(arg)
            if isinstance(stripped, ir.Unary) and stripped.op == "&":
                pointee = lvalue_key(stripped.operand, frame.function)
                if pointee is not None:  # an out-parameter: *Param is the caller's variable
                    bindings.append((f"*{param_key(callee, i)}", frame.resolve(pointee)))
        entry = Frame(callee, self.program.cfg(callee).entry, 0, (), tuple(bindings))
        step = Step(call.loc, f"calls {callee.name}")
        search.push(State((*state.frames, entry), state.facts, state.registered), state, step)

    def _leave_function(self, state: State, node: Node, mode: str, search: _Search) -> Leak | None:
        frame = state.frames[-1]
        returned = dict(frame.results).get(_RETURN, ANY if frame.function.return_type != "void" else ZERO)
        if len(state.frames) > 1:
            caller = state.frames[-2]
            call, _ = self._driver_calls(caller.function, self.program.cfg(caller.function).node(caller.node))[
                caller.call_index
            ]
            results = (*caller.results, (id(call), returned))
            resumed = Frame(caller.function, caller.node, caller.call_index + 1, results, caller.bindings)
            prefix = f"l:{frame.function.name}:"
            facts = frozenset(item for item in state.facts if not item[0].startswith(prefix))  # its locals die
            search.push(State((*state.frames[:-2], resumed), facts, state.registered), state, None)
            return None
        if mode == "facts":
            if not returned & NEG:
                self._success_exits.append(state.facts)
            return None
        if not state.registered:
            return None
        if mode == "unload":
            loc = frame.function.loc
            closing = ir.Loc(loc.file, loc.end_line, loc.end_col, loc.end_line, loc.end_col)
            return Leak(search.path_to(state), closing, frame.function)
        if returned & NEG:
            steps = search.path_to(state)
            end = next((s.loc for s in reversed(steps) if s.message == "returns here"), frame.function.loc)
            return Leak(steps, end, frame.function)
        return None

    # ------------------------------------------------------------ helpers

    def _node_calls(self, node: Node) -> list[ir.Call]:
        """The calls in a node's expression (memoized: the search visits a node many times)."""
        found = self._node_call_memo.get(id(node))
        if found is None:
            found = [e for e in ir.walk(node.expr) if isinstance(e, ir.Call)] if node.expr is not None else []
            self._node_call_memo[id(node)] = found
        return found

    def _postorder(self, node: Node) -> list[ir.Expr]:
        found = self._postorder_memo.get(id(node))
        if found is None:
            found = list(ir.postorder(node.expr)) if node.expr is not None else []
            self._postorder_memo[id(node)] = found
        return found

    def _driver_calls(self, function: ir.Function, node: Node) -> list[tuple[ir.Call, ir.Function]]:
        """The calls of a node that enter functions defined in the driver, in evaluation order."""
        key = (id(function), node.id)
        if key not in self._calls:
            found = []
            if node.expr is not None:
                for e in ir.postorder(node.expr):
                    if isinstance(e, ir.Call):
                        callee = self.program.resolve(e.callee, function)
                        if callee is not None:
                            found.append((e, callee))
            self._calls[key] = found
        return self._calls[key]

    def _evaluator(self, frame: Frame) -> Evaluator:
        results = dict(frame.results)
        reg_call = self.reg.call

        def call_value(call: ir.Call) -> int:
            if call is reg_call:
                return success_value(self.reg.ddi.failure)  # the registration succeeds on the paths that matter
            return results.get(id(call), ANY)

        return Evaluator(lambda e: self._key(e, frame), call_value)

    def _key(self, e: ir.Expr, frame: Frame) -> str | None:
        """The tracked storage ``e`` names (or the tracked bit test it is), seen through the callers' bindings."""
        test = bit_test(e)
        if test is not None:
            base = self._raw_key(test[0], frame)
            key = bit_key(base, test[1]) if base is not None else None
        else:
            key = self._raw_key(e, frame)
        return key if key is not None and key in self.tracked else None

    def _raw_key(self, e: ir.Expr, frame: Frame) -> str | None:
        key = lvalue_key(e, frame.function)
        return frame.resolve(key) if key is not None else None

    def _bit_keys(self) -> dict[str, list[tuple[str, int]]]:
        """The tracked bit tests by the key of the variable they test."""
        memo = self._bit_key_memo.get(id(self.tracked))
        if memo is None:
            memo = {}
            for key in self.tracked:
                split = bit_mask(key)
                if split is not None:
                    memo.setdefault(split[0], []).append((key, split[1]))
            self._bit_key_memo[id(self.tracked)] = memo
        return memo

    def _write_bits(self, target: ir.Expr, op: str, value: ir.Expr | None, frame: Frame, facts: dict[str, int]) -> None:
        """Update the tracked bit tests of the variable ``target`` after ``target op value``."""
        bits = self._bit_keys()
        if not bits:
            return
        base = self._raw_key(target, frame)
        for key, mask in bits.get(base or "", ()):
            constant = const_value(value) if value is not None else None
            facts[key] = bit_after_write(op, constant, mask, facts.get(key, ANY))

    def _apply_effects(self, node: Node, frame: Frame, facts: dict[str, int], ev: Evaluator) -> None:
        function = frame.function
        if node.kind == NodeKind.DECL and node.var is not None:
            key = f"l:{function.name}:{node.var}"
            if key in self.tracked:
                facts[key] = ev.eval(node.expr, facts) if node.expr is not None else ANY
        if node.expr is None:
            return
        for e in self._postorder(node):
            if isinstance(e, ir.Assign):
                key = self._key(e.target, frame)
                if key is not None:
                    facts[key] = ev.eval(e.value, facts) if e.op == "=" else ANY
                self._write_bits(e.target, e.op, e.value, frame, facts)
            elif isinstance(e, ir.Unary) and e.op in ("++", "--"):
                key = self._key(e.operand, frame)
                if key is not None:
                    facts[key] = ANY
                self._write_bits(e.operand, "++", None, frame, facts)
            elif isinstance(e, ir.Call) and self.program.resolve(e.callee, function) is None:
                # an external call may write through the pointers it is given (a driver call was entered)
                for arg in e.args:
                    if isinstance(arg, ir.Unary) and arg.op == "&":
                        key = self._key(arg.operand, frame)
                        if key is not None:
                            written_handle = e is self.reg.call and key in self.flags
                            facts[key] = self.flags[key] if written_handle else ANY
                        self._write_bits(arg.operand, "call", None, frame, facts)


def edge_feasible(evaluator: Evaluator, node: Node, label: str, facts: dict[str, int]) -> bool:
    """Can control leave ``node`` along ``label`` under ``facts``? Narrows ``facts`` to that edge."""
    if node.expr is None:
        return True
    if node.kind == NodeKind.BRANCH and label in ("true", "false"):
        return evaluator.assume(node.expr, label == "true", facts)
    if node.kind == NodeKind.SWITCH and label.startswith("case:"):
        value = int(label[5:])
        return evaluator.assume(ir.Binary(node.loc, "==", node.expr, ir.Const(node.loc, value)), True, facts)
    if node.kind == NodeKind.SWITCH and label == "default":
        for value in case_values(node):
            if not evaluator.assume(ir.Binary(node.loc, "!=", node.expr, ir.Const(node.loc, value)), True, facts):
                return False
    return True


def local_variables(program: Program) -> set[str]:
    """Keys of every local variable and parameter of the driver's functions."""
    keys: set[str] = set()
    for function in program.functions():
        keys.update(f"l:{function.name}:{param.name}" for param in function.params)
        keys.update(f"l:{function.name}:{s.name}" for s in ir.statements(function.body) if isinstance(s, ir.VarDecl))
    return keys


def status_variables(program: Program) -> set[str]:
    """Locals and parameters of type NTSTATUS: they carry the outcome of the paths."""
    keys: set[str] = set()
    for function in program.functions():
        for param in function.params:
            if "NTSTATUS" in param.type_name:
                keys.add(f"l:{function.name}:{param.name}")
        for stmt in ir.statements(function.body):
            if isinstance(stmt, ir.VarDecl) and "NTSTATUS" in stmt.type_name:
                keys.add(f"l:{function.name}:{stmt.name}")
    return keys


def success_flags(program: Program, registration: Registration) -> dict[str, int]:
    """Variables that record that R succeeded: set to non-zero right after it, in its success region.

    Walks forward from R over the branches its status decides, stopping at the
    next fallible step (another call whose status is stored or tested), and
    collects assignments of a non-zero value (``TRUE``, a pointer,
    ``NT_SUCCESS(status)``). When R's function returns R's success to its
    callers (a registration helper), the walk continues after each call of it.
    An out-parameter handle or cookie of R is a flag too.
    """
    status_keys = status_variables(program)
    flags: dict[str, int] = {}
    pairing = registration.ddi.pairing
    if pairing is not None and pairing.link in ("handle_out", "cookie_out", "returned_handle"):
        flags[registration.key] = POS  # a non-NULL handle or cookie says the registration succeeded
    # (function, start node, the call whose success we follow, its value)
    regions: list[tuple[ir.Function, Node, ir.Call, int]] = [
        (registration.function, registration.node, registration.call, success_value(registration.ddi.failure))
    ]
    visited_regions: set[tuple[int, int]] = set()
    while regions:
        function, start, followed, value = regions.pop()
        if (id(function), start.id) in visited_regions or len(visited_regions) > 32:
            continue
        visited_regions.add((id(function), start.id))
        for returned in _walk_success_region(program, function, start, followed, value, status_keys, flags):
            for site in program.callers(function):
                regions.append((site.caller, site.node, site.call, returned))
    _flags_through_out_parameters(program, flags)
    return {key: value for key, value in flags.items() if key not in status_keys and not key.startswith("l:")}


def _flags_through_out_parameters(program: Program, flags: dict[str, int]) -> None:
    """``*Registered = TRUE`` in a helper flags what its callers pass: ``RegisterImage(&g_Registered)``."""
    for key, value in list(flags.items()):
        if not key.startswith("*l:"):
            continue
        function_name, _, param = key[3:].rpartition(":")
        for function in program.functions():
            if function.name != function_name:
                continue
            index = next((i for i, p in enumerate(function.params) if p.name == param), None)
            if index is None:
                continue
            for site in program.callers(function):
                if index < len(site.call.args):
                    arg = strip(site.call.args[index])
                    if isinstance(arg, ir.Unary) and arg.op == "&":
                        passed = lvalue_key(arg.operand, site.caller)
                        if passed is not None:
                            flags.setdefault(passed, value)


def _walk_success_region(
    program: Program,
    function: ir.Function,
    start: Node,
    followed: ir.Call,
    value: int,
    status_keys: set[str],
    flags: dict[str, int],
) -> list[int]:
    """Collect flag writes in the region; return the success values the function may return from it."""
    cfg = program.cfg(function)

    evaluator = Evaluator(lambda e: lvalue_key(e, function), lambda call: value if call is followed else ANY)
    facts: dict[str, int] = {}
    holders = set(status_keys)
    carries_status = _status_reader(function, holders, followed)
    _collect_flag_writes(start, function, evaluator, facts, flags, carries_status, holders)
    returned: list[int] = []
    if start.kind == NodeKind.RETURN and start.expr is not None:  # ``return PsSet...(...);``: a wrapper
        result = evaluator.eval(start.expr, facts)
        if not result & NEG and result != ANY:
            returned.append(result)
    work = [(succ, label, start, frozenset(facts.items())) for succ, label in start.succs]
    seen: set[tuple[int, frozenset[tuple[str, int]]]] = set()
    while work:
        node_id, label, pred, frozen = work.pop()
        current = dict(frozen)
        if not edge_feasible(evaluator, pred, label, current):
            continue
        if (node_id, frozenset(current.items())) in seen:
            continue
        seen.add((node_id, frozenset(current.items())))
        node = cfg.node(node_id)
        if _is_fallible_step(node, function, status_keys, followed):
            continue
        if node.kind == NodeKind.RETURN and node.expr is not None:
            result = evaluator.eval(node.expr, current)
            if not result & NEG and result != ANY:
                returned.append(result)
            continue
        _collect_flag_writes(node, function, evaluator, current, flags, carries_status, holders)
        work.extend((succ, lbl, node, frozenset(current.items())) for succ, lbl in node.succs)
    return returned


def _status_reader(function: ir.Function, holders: set[str], followed: ir.Call) -> Callable[[ir.Expr], bool]:
    """Does an expression read R's status (the call itself, or storage that holds a copy)?"""

    def reads_status(e: ir.Expr) -> bool:
        for sub in ir.walk(e):
            if sub is followed:
                return True
            if isinstance(sub, (ir.Name, ir.Member)) and lvalue_key(sub, function) in holders:
                return True
        return False

    return reads_status


def _collect_flag_writes(
    node: Node,
    function: ir.Function,
    ev: Evaluator,
    facts: dict[str, int],
    flags: dict[str, int],
    carries_status: Callable[[ir.Expr], bool],
    holders: set[str],
) -> None:
    """Record stores of a known value: non-zero (TRUE, a pointer) or a copy of R's status."""
    writes: list[tuple[str | None, ir.Expr]] = []
    if node.kind == NodeKind.DECL and node.var is not None and node.expr is not None:
        writes.append((f"l:{function.name}:{node.var}", node.expr))
    if node.expr is not None:
        for e in ir.postorder(node.expr):
            if isinstance(e, ir.Assign) and e.op == "=":
                writes.append((lvalue_key(e.target, function), e.value))
            elif isinstance(e, ir.Assign) and e.op == "|=" and const_value(e.value):
                base = lvalue_key(e.target, function)  # a success bit: X |= FLAG
                if base is not None:
                    flags[bit_key(base, const_value(e.value) or 0)] = POS
    for key, value_expr in writes:
        if key is None:
            continue
        value = ev.eval(value_expr, facts)
        facts[key] = value
        copies_status = carries_status(value_expr)
        if copies_status and value != ANY:
            holders.add(key)  # later copies of this copy still carry R's status
        if value != ANY and (value & ZERO == 0 or copies_status):
            flags[key] = value


def _is_fallible_step(node: Node, function: ir.Function, status_keys: set[str], reg_call: ir.Call) -> bool:
    """A later call whose outcome is stored in a status variable or tested: the success region of R ends."""
    if node.expr is None:
        return False
    calls = [e for e in ir.walk(node.expr) if isinstance(e, ir.Call) and e is not reg_call]
    if not calls:
        return False
    if node.kind in (NodeKind.BRANCH, NodeKind.SWITCH):
        return True
    if node.kind == NodeKind.DECL and f"l:{function.name}:{node.var}" in status_keys:
        return True
    return any(isinstance(e, ir.Assign) and lvalue_key(e.target, function) in status_keys for e in ir.walk(node.expr))


def flag_like_variables(program: Program) -> set[str]:
    """Storage that some code sets to a constant (TRUE, FALSE, NULL, a routine): candidate flags."""
    keys: set[str] = set()
    for function in program.functions():
        for node in program.cfg(function).nodes:
            if node.kind == NodeKind.DECL and node.var is not None and _is_constant(node.expr):
                keys.add(f"l:{function.name}:{node.var}")
            if node.expr is None:
                continue
            for e in ir.walk(node.expr):
                if isinstance(e, ir.Assign) and e.op == "=" and _is_constant(e.value):
                    key = lvalue_key(e.target, function)
                    if key is not None:
                        keys.add(key)
                elif isinstance(e, ir.Assign) and e.op == "|=" and const_value(e.value):
                    key = lvalue_key(e.target, function)
                    if key is not None:
                        keys.add(bit_key(key, const_value(e.value) or 0))
    return keys


def _is_constant(e: ir.Expr | None) -> bool:
    while isinstance(e, ir.Cast):
        e = e.operand
    return isinstance(e, ir.Const) or (isinstance(e, ir.Name) and e.scope == "function")
