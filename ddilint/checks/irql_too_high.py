"""DDI003 irql-too-high: a DDI (or a helper that needs a lower IRQL) is called above its maximum IRQL.

Documentation and metadata: ``rules/checks/DDI003.md``. Maxima: ``max_irql`` in
``rules/ddi/*.toml``; roles, raising calls and guards: ``rules/irql.toml``.
"""

from __future__ import annotations

from ddilint.analysis.irql import Atom, CallAt, IrqlModelOfDriver, Requirement, analyze, callee_maximum
from ddilint.catalog import Catalog
from ddilint.findings import Finding, PathStep
from ddilint.program import Program

CODE = "DDI003"
_MAX_CHAIN = 8


class IrqlTooHigh:
    code = CODE

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def run(self, program: Program) -> list[Finding]:
        model = analyze(program, self.catalog)
        findings: dict[int, Finding] = {}
        for call in model.calls:
            if id(call.call) in findings:
                continue
            finding = self._check(call, program, model)
            if finding is not None:
                findings[id(call.call)] = finding
        return list(findings.values())

    def _check(self, call: CallAt, program: Program, model: IrqlModelOfDriver) -> Finding | None:
        bound = callee_maximum(call, program, self.catalog, model.requirements)
        if bound is None:
            return None
        limit, requirement = bound
        entry = model.entry_of(call.function)

        def effective(atom: Atom) -> int:
            return entry.level if atom.level is None else atom.level

        def order(atom: Atom) -> tuple[int, int, int, str]:
            """Highest IRQL first; among equals, the earliest raise (atoms are a set: no order of their own)."""
            line, col = (atom.loc.line, atom.loc.col) if atom.loc is not None else (0, 0)
            return (effective(atom), -line, -col, atom.why)

        worst = max(call.atoms, key=order)
        level = effective(worst)
        if level <= limit:
            return None
        irql = self.catalog.irql
        callee = call.call.callee or "?"
        if worst.level is None:
            reason = f"'{call.function.name}' runs at {irql.name(level)} because {entry.why}"
            raise_step = PathStep(entry.loc or call.function.loc, f"'{call.function.name}' runs at {irql.name(level)}")
        else:
            reason = worst.why
            raise_step = PathStep(worst.loc or call.call.loc, worst.why)
        allowed = "at PASSIVE_LEVEL" if limit == 0 else f"at IRQL <= {irql.name(limit)}"
        links = [] if requirement is None else self._chain(requirement, call, program, model)
        if requirement is None:
            ddi = self.catalog.ddis[callee]
            sdv = " (SDV rule IrqlPsPassive)" if "IrqlPsPassive" in ddi.sdv_rules else ""
            subject = f"{callee} may only be called {allowed}{sdv}"
            chain: list[PathStep] = []
        else:
            via = " -> ".join(f"{req.callee} (line {req.loc.line})" for _, req in links)
            subject = f"{callee} must be called {allowed}: it calls {via}"
            chain = [PathStep(req.loc, f"{helper} calls {req.callee} at its entry IRQL") for helper, req in links]
        message = f"{subject}, but the IRQL here may be {irql.name(level)}: {reason}"
        doc = self.catalog.rules[CODE]
        here = PathStep(call.call.loc, f"{callee} is called at {irql.name(level)}")
        return Finding(
            code=CODE,
            name=doc.name,
            severity=doc.severity,
            message=message,
            loc=call.call.loc,
            ddi=links[-1][1].callee if links else callee,
            function=call.function.name,
            path=(raise_step, here, *chain),
            related=(raise_step,),
        )

    def _chain(
        self, requirement: Requirement, call: CallAt, program: Program, model: IrqlModelOfDriver
    ) -> list[tuple[str, Requirement]]:
        """From a helper down to the DDI that imposes its requirement: (helper, what it calls and where)."""
        links = []
        function = program.resolve(call.call.callee, call.function)
        while function is not None and len(links) < _MAX_CHAIN:
            req = model.requirements.get(id(function))
            if req is None:
                break
            links.append((function.name, req))
            if req.callee in self.catalog.ddis:
                break
            function = program.resolve(req.callee, function)
        return links
