"""The driver's shape: its entry point, its unload routines, its registrations and what undoes them.

All of it is read from the IR with the facts in ``rules/`` (which fields hold
an unload routine, which DDIs pair with which); nothing here names a DDI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ddilint import ir
from ddilint.catalog import Catalog, Ddi
from ddilint.cfg import Node
from ddilint.program import CallSite, Program


def strip(e: ir.Expr) -> ir.Expr:
    """Remove casts and a leading ``&`` from a function designator or pointer argument."""
    while True:
        if isinstance(e, ir.Cast) or (
            isinstance(e, ir.Unary) and e.op == "&" and isinstance(e.operand, ir.Name) and e.operand.scope == "function"
        ):
            e = e.operand
        else:
            return e


def _is_function(e: ir.Expr) -> bool:
    return isinstance(e, ir.Name) and e.scope == "function"


def lvalue_key(e: ir.Expr, function: ir.Function) -> str | None:
    """A name for the storage an expression denotes, shared by every function that can see it.

    Locals are qualified by their function; fields are named by the field alone,
    because drivers reach the same extension through different pointers
    (``ext->Registered`` in DriverEntry, ``devExt->Registered`` in Unload).
    """
    while isinstance(e, ir.Cast):
        e = e.operand
    if isinstance(e, ir.Name):
        if e.scope in ("local", "param", "static_local"):
            return f"l:{function.name}:{e.name}"
        if e.scope in ("global", "unknown"):
            return f"g:{e.name}"
        if e.scope == "function":
            return f"fn:{e.name}"
        return None
    if isinstance(e, ir.Member):
        return f"f:{e.field_name}"
    if isinstance(e, ir.Unary) and e.op == "*":
        pointee = e.operand
        while isinstance(pointee, ir.Cast):
            pointee = pointee.operand
        if isinstance(pointee, ir.Unary) and pointee.op == "&":
            return lvalue_key(pointee.operand, function)  # *&x is x (what header macros produce)
        inner = lvalue_key(e.operand, function)
        return f"*{inner}" if inner else None
    if isinstance(e, ir.Index):
        inner = lvalue_key(e.base, function)
        return f"{inner}[]" if inner else None
    return None


def describe_key(key: str) -> str:
    """A key as a reader would write it: ``fn:ImageNotify`` -> ``ImageNotify``."""
    body = key.lstrip("*&")
    kind, _, rest = body.partition(":")
    name = rest.split(":")[-1] if kind == "l" else rest
    if kind == "f":
        name = f"->{name}"
    return key[: len(key) - len(body)] + name


def entry_points(program: Program, catalog: Catalog) -> list[ir.Function]:
    declared = {
        d.name for unit in program.units for d in unit.declarations if set(d.role_types) & catalog.entry_role_types
    }
    return [
        f
        for f in program.functions()
        if f.name in catalog.entry_names or f.name in declared or set(f.role_types) & catalog.entry_role_types
    ]


@dataclass(frozen=True)
class UnloadRoutine:
    function: ir.Function
    assigned_at: ir.Loc
    field: str
    group: str = ""  # routines of one group all run at unload: a removal in any of them counts


def unload_routines(program: Program, catalog: Catalog) -> list[UnloadRoutine]:
    """Functions stored into an unload field (``DriverObject->DriverUnload = X``, also via ``?:``),
    and a KMDF driver's unload-time callbacks (``EvtDriverUnload`` with the cleanup and destroy
    callbacks of the attributes passed to ``WdfDriverCreate``), grouped as one unload."""
    framework = catalog.framework_unload
    attributes = _framework_attributes(program, catalog)
    found: dict[int, UnloadRoutine] = {}
    for function in program.functions():
        for node in program.cfg(function).nodes:
            if node.expr is None:
                continue
            for e in ir.walk(node.expr):
                if not (isinstance(e, ir.Assign) and isinstance(e.target, ir.Member)):
                    continue
                field_name = e.target.field_name
                if field_name in catalog.unload_fields:
                    group = "framework" if framework is not None and field_name in framework.together else ""
                elif framework is not None and field_name in framework.fields:
                    if lvalue_key(e.target.base, function) not in attributes:
                        continue  # the cleanup callback of another object (a device, a queue)
                    group = "framework"
                else:
                    continue
                for value in ir.walk(e.value):
                    if isinstance(value, ir.Name) and value.scope == "function":
                        target = program.resolve(value.name, function)
                        if target is not None and id(target) not in found:
                            found[id(target)] = UnloadRoutine(target, e.loc, field_name, group or target.name)
    return list(found.values())


def _framework_attributes(program: Program, catalog: Catalog) -> set[str]:
    """Keys of the attribute structures passed to the framework's driver-creation call."""
    framework = catalog.framework_unload
    keys: set[str] = set()
    if framework is None:
        return keys
    for function in program.functions():
        for _, call in program.calls(function):
            if call.callee == framework.create and framework.attributes_arg < len(call.args):
                arg = strip(call.args[framework.attributes_arg])
                key = lvalue_key(arg.operand, function) if isinstance(arg, ir.Unary) and arg.op == "&" else None
                if key is not None:
                    keys.add(key)
    return keys


@dataclass(frozen=True)
class Registration:
    """A call that registers something the driver must undo before it unloads.

    When the registered routine or handle is a parameter of the registering
    helper, there is one registration per call of the helper (``via``), keyed
    by the caller's argument, and it is reported at that call.
    """

    function: ir.Function
    node: Node
    call: ir.Call
    ddi: Ddi
    key: str  # what links it to its unregistration (the routine, handle or cookie)
    via: tuple[CallSite, ...] = ()  # helper calls that supplied the key, outermost first
    aliases: tuple[str, ...] = ()  # the local the handle was first held in, before it was kept in ``key``
    owner: str | None = None  # the global structure holding the handle or cookie (``g_AuditCtx.Cookie``)

    @property
    def what(self) -> str:
        if self.owner is not None and self.key.startswith("f:"):
            return f"{self.owner[2:]}.{self.key[2:]}"
        pairing = self.ddi.pairing
        if self.key.startswith("ddi:") and pairing is not None and pairing.register_arg < len(self.call.args):
            shown = _object_key(strip(self.call.args[pairing.register_arg]), self.function)
            return describe_key(shown) if shown is not None else "it"
        return describe_key(self.key)

    @property
    def loc(self) -> ir.Loc:
        return self.via[0].call.loc if self.via else self.call.loc

    @property
    def reported_in(self) -> ir.Function:
        return self.via[0].caller if self.via else self.function


def _link_key(ddi: Ddi, call: ir.Call, function: ir.Function, registering: bool, node: Node) -> str | None:
    pairing = ddi.pairing
    assert pairing is not None
    position = pairing.register_arg if registering else pairing.unregister_arg
    if pairing.link == "returned_handle" and registering:
        return _stored_result_key(call, node, function)
    if position >= len(call.args):
        return None
    arg = strip(call.args[position])
    if pairing.link == "any":
        return f"ddi:{pairing.unregister}"  # any call of the unregistration undoes it
    if registering and pairing.link in ("handle_out", "cookie_out"):
        if isinstance(arg, ir.Unary) and arg.op == "&":
            return lvalue_key(arg.operand, function)
        return lvalue_key(ir.Unary(arg.loc, "*", arg), function)
    return _object_key(arg, function)


def _object_key(arg: ir.Expr, function: ir.Function) -> str | None:
    """What an argument designates: a routine, a variable, or the object whose address is passed (``&g_Record``)."""
    if isinstance(arg, ir.Unary) and arg.op == "&":
        inner = lvalue_key(strip(arg.operand), function)
        return f"&{inner}" if inner is not None else None
    return lvalue_key(arg, function)


def _stored_result_key(call: ir.Call, node: Node, function: ir.Function) -> str | None:
    if node.expr is None:
        return None
    for e in ir.walk(node.expr):
        if isinstance(e, ir.Assign) and strip(e.value) is call:
            return lvalue_key(e.target, function)
    if node.var is not None and node.expr is not None and strip(node.expr) is call:
        return f"l:{function.name}:{node.var}"
    return None


def removal_form(ddi: Ddi, call: ir.Call) -> bool | None:
    """True for a call in the DDI's removal form (``Remove == TRUE``); None when the flag is not a constant."""
    if ddi.removal is None:
        return False
    if ddi.removal.arg >= len(call.args):
        return None
    arg = strip(call.args[ddi.removal.arg])
    if not isinstance(arg, ir.Const) or arg.value is None:
        return None
    return (arg.value != 0) == (ddi.removal.value != 0)


MAX_HELPER_DEPTH = 3


def param_key(function: ir.Function, index: int) -> str:
    return f"l:{function.name}:{function.params[index].name}"


def argument_key(arg: ir.Expr, function: ir.Function) -> str | None:
    """The key of what a call passes: a routine (``fn:Name``) or the storage it names."""
    return lvalue_key(strip(arg), function)


def _param_index(key: str, function: ir.Function) -> int | None:
    for i, param in enumerate(function.params):
        if key == f"l:{function.name}:{param.name}":
            return i
    return None


def _through_callers(
    program: Program, function: ir.Function, key: str, via: tuple[CallSite, ...], depth: int
) -> list[tuple[str, tuple[CallSite, ...]]]:
    """Resolve a key that is a parameter of ``function`` to each caller's argument, transitively."""
    index = _param_index(key, function)
    if index is None or depth >= MAX_HELPER_DEPTH:
        return [(key, via)]
    resolved = []
    for site in program.callers(function):
        if index >= len(site.call.args):
            continue
        outer = argument_key(site.call.args[index], site.caller)
        if outer is not None:
            resolved += _through_callers(program, site.caller, outer, (site, *via), depth + 1)
    return resolved


def registrations(program: Program, catalog: Catalog) -> list[Registration]:
    found = []
    for function in program.functions():
        seen: set[int] = set()
        for node, call in program.calls(function):
            ddi = catalog.ddis.get(call.callee or "")
            if ddi is None or ddi.pairing is None or id(call) in seen:
                continue
            seen.add(id(call))
            if removal_form(ddi, call) is not False:
                continue
            key = _link_key(ddi, call, function, True, node)
            if key is None:
                continue
            kept = _kept_copy(program, function, key)
            aliases = (key,) if kept != key else ()
            for resolved, via in _through_callers(program, function, kept, (), 0):
                owner = _owner_of_link(ddi, call, function, node)
                found.append(Registration(function, node, call, ddi, resolved, via, aliases, owner))
    return found


def _owner(e: ir.Expr) -> str | None:
    """The named global structure a field access goes through (``g_Ctx.Cookie``, ``&g_Ctx.Cookie``), if any.

    Fields are keyed by their name alone (``ext->Cookie`` and ``devExt->Cookie`` are one), so
    the owner is what tells ``g_FilterCtx.Cookie`` from ``g_AuditCtx.Cookie``.
    """
    e = strip(e)
    if isinstance(e, ir.Unary) and e.op == "&":
        e = strip(e.operand)
    if isinstance(e, ir.Member) and not e.arrow:
        base = strip(e.base)
        if isinstance(base, ir.Name) and base.scope == "global":
            return f"g:{base.name}"
    return None


def _owner_of_link(ddi: Ddi, call: ir.Call, function: ir.Function, node: Node) -> str | None:
    pairing = ddi.pairing
    if pairing is None:
        return None
    if pairing.link == "returned_handle":
        for e in ir.walk(node.expr) if node.expr is not None else ():
            if isinstance(e, ir.Assign) and strip(e.value) is call:
                return _owner(e.target)
        return None
    if pairing.link in ("handle_out", "cookie_out") and pairing.register_arg < len(call.args):
        return _owner(call.args[pairing.register_arg])
    return None


def _kept_copy(program: Program, function: ir.Function, key: str) -> str:
    """Where a handle held in a local is kept: ``r = ExRegisterCallback(...); ... g_Reg = r;`` is ``g_Reg``."""
    if not key.startswith("l:") or _param_index(key, function) is not None:
        return key
    for node in program.cfg(function).nodes:
        if node.expr is None:
            continue
        for e in ir.walk(node.expr):
            if isinstance(e, ir.Assign) and e.op == "=" and lvalue_key(strip(e.value), function) == key:
                kept = lvalue_key(e.target, function)
                if kept is not None and not kept.startswith("l:"):
                    return kept
    return key


def link_key(
    registration: Registration, call: ir.Call, node: Node, function: ir.Function, registering: bool
) -> str | None:
    return _link_key(registration.ddi, call, function, registering, node)


def link_key_of_call(registration: Registration, call: ir.Call, function: ir.Function) -> str | None:
    """If ``call`` is an unregistration of ``registration``'s kind, the key it removes (before binding)."""
    pairing = registration.ddi.pairing
    assert pairing is not None
    if pairing.link == "same_ddi":
        if call.callee != registration.ddi.name or removal_form(registration.ddi, call) is not True:
            return None
    elif call.callee != pairing.unregister:
        return None
    if pairing.link == "any":
        return f"ddi:{pairing.unregister}"
    if pairing.unregister_arg >= len(call.args):
        return None
    return _object_key(strip(call.args[pairing.unregister_arg]), function)


def removes(
    registration: Registration,
    call: ir.Call,
    function: ir.Function,
    resolve: Callable[[str], str] = lambda key: key,
) -> bool:
    """Does ``call`` undo ``registration`` (right DDI, right routine/handle/cookie)?

    ``resolve`` maps a helper's parameter to what its caller passed.
    """
    key = link_key_of_call(registration, call, function)
    if key is None or not (resolve(key) == registration.key or key in registration.aliases):
        return False
    pairing = registration.ddi.pairing
    if registration.owner is None or pairing is None or pairing.unregister_arg >= len(call.args):
        return True
    owner = _owner(call.args[pairing.unregister_arg])
    return owner is None or owner == registration.owner  # another global structure's field of that name
