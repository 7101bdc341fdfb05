"""A driver: the translation units analyzed together, with their functions and CFGs.

Checks work per driver because registrations, wrappers and unload routines
cross files; a directory of sources is one driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ddilint import ir
from ddilint.cfg import CFG, Node, build_cfg


@dataclass
class Program:
    units: list[ir.TranslationUnit]
    _cfgs: dict[int, CFG] = field(default_factory=dict)

    def functions(self) -> Iterator[ir.Function]:
        for unit in self.units:
            yield from unit.functions

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
