"""DDI001 unchecked-status: the NTSTATUS of a must-check DDI (or of a wrapper returning it) is not tested.

Documentation and metadata: ``rules/checks/DDI001.md``. Must-check DDIs and
their removal forms: ``rules/ddi/*.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ddilint import ir
from ddilint.analysis.driver_model import removal_form
from ddilint.analysis.status_flow import Conventions, Flow, StatusFlow
from ddilint.catalog import Catalog, Ddi
from ddilint.cfg import Node
from ddilint.findings import Finding, PathStep
from ddilint.program import Program

CODE = "DDI001"


@dataclass(frozen=True)
class Source:
    """Why calls to a function must be checked: it is a DDI, or a wrapper returning one's status."""

    ddi: str
    wrapper_of: str | None = None  # the callee inside the wrapper (a DDI or another wrapper)
    inner_loc: ir.Loc | None = None


class UncheckedStatus:
    code = CODE

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.conventions = Conventions(catalog.logging_functions, catalog.assertion_functions)

    def run(self, program: Program) -> list[Finding]:
        sources = self._sources(program)
        findings: dict[int, Finding] = {}
        for function in program.functions():
            flow_analysis = StatusFlow(program.cfg(function), self.conventions)
            for node, call in self._subject_calls(program, function, sources):
                if id(call) in findings:
                    continue  # a call inside a __finally body copied onto several paths
                flow = flow_analysis.flow_from(node, call)
                finding = self._finding(function, call, sources[call.callee or ""], flow)
                if finding is not None:
                    findings[id(call)] = finding
        return list(findings.values())

    def _subject_calls(
        self, program: Program, function: ir.Function, sources: dict[str, Source]
    ) -> list[tuple[Node, ir.Call]]:
        result = []
        for node, call in program.calls(function):
            if call.callee not in sources:
                continue
            ddi = self.catalog.ddis.get(call.callee)
            if ddi is not None and removal_form(ddi, call) is not False:
                continue  # a removal, or a Remove flag that is not a constant: not surely a registration
            result.append((node, call))
        return result

    def _sources(self, program: Program) -> dict[str, Source]:
        """Must-check DDIs, plus every analyzed function that returns such a status (to a fixed point)."""
        sources = {name: Source(name) for name in self.catalog.must_check()}
        changed = True
        while changed:
            changed = False
            for function in program.functions():
                if function.name in sources or function.return_type.strip() == "void":
                    continue
                flow_analysis = StatusFlow(program.cfg(function), self.conventions)
                for node, call in self._subject_calls(program, function, sources):
                    if flow_analysis.flow_from(node, call).returned:
                        inner = sources[call.callee or ""]
                        sources[function.name] = Source(inner.ddi, call.callee, call.loc)
                        changed = True
                        break
        return sources

    def _finding(self, function: ir.Function, call: ir.Call, source: Source, flow: Flow) -> Finding | None:
        callee = call.callee or ""
        if flow.use.discarded is not None:
            reason = _DISCARD_REASONS.get(flow.use.discarded)
            if reason is None:
                reason = (
                    f"it is only passed to {flow.use.discarded.removeprefix('logged by ')}, which does not check it"
                )
            path: tuple[PathStep, ...] = ()
        elif flow.lost is not None:
            reason = _lost_reason(flow)
            path = tuple(flow.lost)
        else:
            return None
        doc = self.catalog.rules[CODE]
        if source.wrapper_of is None:
            subject = f"{_result_of(self.catalog.ddis.get(callee))} returned by {callee} is never checked"
        else:
            subject = f"the status returned by {callee} (which returns the status of {source.ddi}) is never checked"
        related: tuple[PathStep, ...] = ()
        if source.inner_loc is not None:
            related = (PathStep(source.inner_loc, f"{callee} returns the status of {source.wrapper_of} here"),)
        path = (PathStep(call.loc, f"{callee} is called here"), *path) if path else ()
        return Finding(
            code=CODE,
            name=doc.name,
            severity=doc.severity,
            message=f"{subject}: {reason}",
            loc=call.loc,
            ddi=source.ddi,
            function=function.name,
            path=path,
            related=related,
        )


_DISCARD_REASONS = {
    "statement": "the call's result is discarded",
    "void cast": "the result is cast to void",
    "assertion": "it is only read by an assertion, which is compiled out in release builds",
}


def _lost_reason(flow: Flow) -> str:
    assert flow.lost is not None
    last = flow.lost[-1]
    notes = [s.message for s in flow.lost[1:-1] if s.message.startswith("it is only")]
    where = f"line {last.loc.line}"
    if "overwritten" in last.message:
        reason = f"{last.message.replace('before any check', '')}at {where} before any check".replace("  ", " ")
    elif "returns" in last.message:
        reason = f"it is stored but never checked before the return at {where}"
    else:
        reason = "it is stored but never checked before the function ends"
    if notes:
        reason += f" ({notes[0]})"
    return reason


def _result_of(ddi: Ddi | None) -> str:
    """How to name a DDI's result: ``the NTSTATUS``, ``the BOOLEAN (FALSE on failure)``, ``the handle (NULL ...)``."""
    if ddi is None or ddi.returns == "NTSTATUS":
        return "the NTSTATUS"
    if ddi.failure == "false":
        return f"the {ddi.returns} (FALSE on failure)"
    if ddi.failure == "null":
        return "the pointer (NULL on failure)"
    return f"the {ddi.returns}"
