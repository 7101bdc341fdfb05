"""A driver: the translation units analyzed together, with their functions, CFGs and call graph.

Checks work per driver because registrations, wrappers and unload routines
cross files; a directory of sources is one driver. ``static`` functions stay
visible only inside their own file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ddilint import ir
from ddilint.cfg import CFG, Node, build_cfg

T = TypeVar("T")


@dataclass(frozen=True)
class CallSite:
    caller: ir.Function
    node: Node
    call: ir.Call


@dataclass
class Program:
    units: list[ir.TranslationUnit]
    _cfgs: dict[int, CFG] = field(default_factory=dict)
    _unit_of: dict[int, str] = field(default_factory=dict)
    _local: dict[tuple[str, str], ir.Function] = field(default_factory=dict)
    _extern: dict[str, ir.Function] = field(default_factory=dict)
    _memo: dict[str, Any] = field(default_factory=dict)
    _callers: dict[int, list[CallSite]] | None = None

    def __post_init__(self) -> None:
        for unit in self.units:
            for function in unit.functions:
                self._unit_of[id(function)] = unit.path
                self._local.setdefault((unit.path, function.name), function)
                if not function.is_static:
                    self._extern.setdefault(function.name, function)

    def memo(self, name: str, compute: Callable[[], T]) -> T:
        """A derived fact of the driver, computed on first use (the driver does not change once built)."""
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    def functions(self) -> Iterator[ir.Function]:
        for unit in self.units:
            yield from unit.functions

    def unit_of(self, function: ir.Function) -> str:
        return self._unit_of[id(function)]

    def resolve(self, name: str | None, from_function: ir.Function) -> ir.Function | None:
        """The definition a call to ``name`` inside ``from_function`` reaches, if it is in the driver.

        A definition in the caller's own file wins (always true for ``static`` ones, and the only sensible
        choice when several single-file drivers share a directory); otherwise the driver's external one.
        """
        if name is None:
            return None
        local = self._local.get((self.unit_of(from_function), name))
        return local if local is not None else self._extern.get(name)

    def named(self, name: str) -> list[ir.Function]:
        """Every definition called ``name`` (a static function may exist in several files)."""
        return [f for f in self.functions() if f.name == name]

    def cfg(self, function: ir.Function) -> CFG:
        key = id(function)
        if key not in self._cfgs:
            self._cfgs[key] = build_cfg(function)
        return self._cfgs[key]

    def calls(self, function: ir.Function) -> Iterator[tuple[Node, ir.Call]]:
        """Every call in ``function`` with the CFG node evaluating it."""
        for node in self.cfg(function).nodes:
            if node.expr is None:
                continue
            for e in ir.walk(node.expr):
                if isinstance(e, ir.Call):
                    yield node, e

    def callers(self, function: ir.Function) -> list[CallSite]:
        """The call sites that reach ``function``."""
        if self._callers is None:
            self._callers = {}
            for caller in self.functions():
                for node, call in self.calls(caller):
                    callee = self.resolve(call.callee, caller)
                    if callee is not None:
                        self._callers.setdefault(id(callee), []).append(CallSite(caller, node, call))
        return self._callers.get(id(function), [])
