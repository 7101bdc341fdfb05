"""Which variables can change the answer for one registration.

The pairing-path search tracks a value per variable; tracking every flag of a
driver that registers thirty callbacks makes the number of states grow with
the product of their combinations. Only a few variables can decide whether
*this* registration is removed or whether the entry point fails:

* those tested by conditions that guard a jump (``if (!ok) return ...;``,
  ``if (!NT_SUCCESS(status)) goto Exit;``): they decide the paths and the
  returned status;
* those tested by conditions enclosing a call that may remove this
  registration, or enclosing a call of a helper that does (``if (g_ImageOn)
  PsRemoveLoadImageNotifyRoutine(ImageNotify);``).
"""

from __future__ import annotations

from collections.abc import Iterator

from ddilint import ir
from ddilint.analysis.driver_model import Registration, link_key_of_call, lvalue_key
from ddilint.analysis.values import bit_key, bit_test
from ddilint.program import Program

_JUMPS = (ir.Return, ir.Goto, ir.Break, ir.Continue, ir.Leave)


def condition_keys(expr: ir.Expr, function: ir.Function) -> set[str]:
    keys = set()
    for e in ir.walk(expr):
        test = bit_test(e)
        if test is not None:
            base = lvalue_key(test[0], function)
            if base is not None:
                keys.add(bit_key(base, test[1]))
        if isinstance(e, (ir.Name, ir.Member, ir.Index)) or (isinstance(e, ir.Unary) and e.op == "*"):
            key = lvalue_key(e, function)
            if key is not None and not key.startswith("fn:"):
                keys.add(key)
    return keys


def _conditions(stmt: ir.Stmt) -> list[ir.Expr]:
    if isinstance(stmt, (ir.If, ir.While, ir.DoWhile, ir.Switch)):
        return [stmt.cond]
    if isinstance(stmt, ir.For) and stmt.cond is not None:
        return [stmt.cond]
    return []


def _with_ancestors(root: ir.Stmt) -> Iterator[tuple[ir.Stmt, tuple[ir.Expr, ...]]]:
    """Every statement with the conditions of the statements enclosing it."""
    stack: list[tuple[ir.Stmt, tuple[ir.Expr, ...]]] = [(root, ())]
    while stack:
        stmt, conditions = stack.pop()
        yield stmt, conditions
        inner = conditions + tuple(_conditions(stmt))
        stack.extend((child, inner) for child in ir.substatements(stmt))


def _with_jumps(root: ir.Stmt) -> set[int]:
    """The ids of the statements under ``root`` that contain a jump, in one post-order pass (linear even for
    a 5,000-arm else-if chain, where asking each statement would be quadratic)."""
    found: set[int] = set()
    stack: list[tuple[ir.Stmt, bool]] = [(root, False)]
    while stack:
        stmt, expanded = stack.pop()
        children = ir.substatements(stmt)
        if not expanded:
            stack.append((stmt, True))
            stack.extend((child, False) for child in children)
        elif isinstance(stmt, _JUMPS) or any(id(child) in found for child in children):
            found.add(id(stmt))
    return found


def _exprs_of(stmt: ir.Stmt) -> list[ir.Expr]:
    if isinstance(stmt, ir.ExprStmt):
        return [stmt.expr]
    if isinstance(stmt, ir.VarDecl) and stmt.init is not None:
        return [stmt.init]
    if isinstance(stmt, ir.Return) and stmt.value is not None:
        return [stmt.value]
    return _conditions(stmt)


def exit_guard_keys(program: Program) -> set[str]:
    keys: set[str] = set()
    for function in program.functions():
        jumping = _with_jumps(function.body)
        for stmt in ir.statements(function.body):
            if id(stmt) in jumping and _conditions(stmt):
                for cond in _conditions(stmt):
                    keys |= condition_keys(cond, function)
    return keys


def removal_guard_keys(program: Program, registration: Registration) -> set[str]:
    """Keys tested around the calls that may remove ``registration``, directly or through helpers."""
    keys: set[str] = set()
    removers: set[int] = set()  # functions that may remove it
    sites = guarded_call_sites(program)
    changed = True
    while changed:
        changed = False
        for function, call, conditions in sites:
            if not _may_remove(registration, call, function, program, removers):
                continue
            for cond in conditions:
                keys |= condition_keys(cond, function)
            if id(function) not in removers:
                removers.add(id(function))
                changed = True
    return keys


def guarded_call_sites(program: Program) -> list[tuple[ir.Function, ir.Call, tuple[ir.Expr, ...]]]:
    """Every call of the driver with the conditions of the statements around it (computed once per driver)."""
    return program.memo(
        "guarded_call_sites",
        lambda: [
            (function, call, conditions)
            for function in program.functions()
            for stmt, conditions in _with_ancestors(function.body)
            for call in _calls(stmt)
        ],
    )


def _calls(stmt: ir.Stmt) -> Iterator[ir.Call]:
    for expr in _exprs_of(stmt):
        for e in ir.walk(expr):
            if isinstance(e, ir.Call):
                yield e


def _may_remove(
    registration: Registration, call: ir.Call, function: ir.Function, program: Program, removers: set[int]
) -> bool:
    callee = program.resolve(call.callee, function)
    if callee is not None:
        return id(callee) in removers
    key = link_key_of_call(registration, call, function)
    if key is None:
        return False
    params = {f"l:{function.name}:{p.name}" for p in function.params}
    return key == registration.key or key in registration.aliases or key in params
