"""DDI002 unregister-missing: a registration not undone on every path by which the driver unloads.

Documentation and metadata: ``rules/checks/DDI002.md``. Pairings (which DDI
undoes which, linked by what): ``rules/ddi/*.toml``. Unload fields and entry
points: ``rules/roles.toml``.
"""

from __future__ import annotations

import dataclasses

from ddilint import ir
from ddilint.analysis.driver_model import Registration, UnloadRoutine, entry_points, registrations, unload_routines
from ddilint.analysis.pairing_paths import (
    Leak,
    PairingPaths,
    Step,
    flag_like_variables,
    local_variables,
    success_flags,
)
from ddilint.analysis.relevance import exit_guard_keys, removal_guard_keys
from ddilint.catalog import Catalog
from ddilint.findings import Finding, PathStep
from ddilint.program import Program

CODE = "DDI002"


class UnregisterMissing:
    code = CODE

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def run(self, program: Program) -> list[Finding]:
        entries = entry_points(program, self.catalog)
        unloads = unload_routines(program, self.catalog)
        unload_functions = {id(u.function) for u in unloads}
        global_inits = {name: value for unit in program.units for name, value in unit.globals.items()}
        guards = exit_guard_keys(program)
        findings: list[Finding] = []
        regs = [r for r in registrations(program, self.catalog) if id(r.function) not in unload_functions]
        if not regs:
            return findings
        established: dict[str, int] = {}
        if unloads and entries:
            # What every successful entry leaves behind, with no registration assumed to succeed (a probe
            # call that is in no function): the same for every registration, whatever order they come in.
            broad = flag_like_variables(program) | local_variables(program)
            neutral = dataclasses.replace(regs[0], call=ir.Call(regs[0].call.loc, None, []))
            probe = PairingPaths(program, neutral, {}, global_inits, guards, broad=broad)
            established = probe.established_facts(entries[0])
        for reg in regs:
            flags = success_flags(program, reg)
            relevant = guards | removal_guard_keys(program, reg)
            paths = PairingPaths(program, reg, flags, global_inits, relevant, established)
            for group in _groups(unloads):
                leaks = [paths.unload_leak(unload.function) for unload in group]
                first = leaks[0]
                if first is not None and all(leak is not None for leak in leaks):
                    names = " and ".join(f"'{u.function.name}'" for u in group)
                    findings.append(self._unload_finding(reg, first, names, len(group) > 1))
                    break
            for entry in entries:
                leak = paths.entry_failure_leak(entry)
                if leak is not None:
                    findings.append(self._entry_finding(reg, leak, entry.name))
                    break
        return findings

    def _finding(self, reg: Registration, message: str, leak: Leak, related: PathStep) -> Finding:
        doc = self.catalog.rules[CODE]
        path = tuple(leak.steps)
        return Finding(
            code=CODE,
            name=doc.name,
            severity=doc.severity,
            message=message,
            loc=reg.loc,
            ddi=reg.ddi.name,
            function=reg.reported_in.name,
            path=path,
            related=(related,),
        )

    def _unremoved(self, reg: Registration) -> str:
        assert reg.ddi.pairing is not None
        undo = reg.ddi.pairing.unregister
        return f"{undo}({reg.what})"

    def _unload_finding(self, reg: Registration, leak: Leak, names: str, several: bool) -> Finding:
        """``names``: the quoted unload routine, or the routines that all run at unload (KMDF)."""
        unload = leak.function.name
        which = f"none of the unload routines {names}" if several else f"the unload routine {names}"
        message = (
            f"{reg.ddi.name} registers '{reg.what}' but {which} "
            f"{'calls' if several else 'can return without calling'} {self._unremoved(reg)}"
            f"{' on every path' if several else ''}; {reg.ddi.why_unregister}"
        )
        leak.steps.insert(0, Step(leak.function.loc, f"the unload routine '{unload}' starts with it registered"))
        leak.steps.append(Step(leak.end, f"'{unload}' returns without removing it"))
        related = PathStep(leak.function.loc, f"unload routine '{unload}'")
        return self._finding(reg, message, leak, related)

    def _entry_finding(self, reg: Registration, leak: Leak, entry: str) -> Finding:
        message = (
            f"{reg.ddi.name} registers '{reg.what}' but {entry} can return a failure status at line "
            f"{leak.end.line} without calling {self._unremoved(reg)}; the system unloads a driver whose "
            f"{entry} fails without calling its unload routine"
        )
        if leak.steps and leak.steps[-1].message == "returns here":
            leak.steps[-1] = Step(leak.steps[-1].loc, f"{entry} returns a status that may be a failure")
        related = PathStep(leak.end, f"{entry} returns a failure status here")
        return self._finding(reg, message, leak, related)


def _groups(unloads: list[UnloadRoutine]) -> list[list[UnloadRoutine]]:
    """Unload routines that run together (a KMDF driver's), else one group per routine."""
    groups: dict[str, list[UnloadRoutine]] = {}
    for unload in unloads:
        groups.setdefault(unload.group, []).append(unload)
    return list(groups.values())
