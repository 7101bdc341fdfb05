"""Inline suppressions: ``// ddilint: ignore[DDI001] reason``, ``ignore-next-line[...]``, ``ignore-file[...]``.

A suppressed finding is not reported as a failure but is kept (SARIF lists it
with ``suppressions``). A suppression that matches nothing becomes a DDI900
finding when that rule is enabled.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

from ddilint.findings import Finding
from ddilint.ir import Loc

_MARKER = re.compile(r"(?://|/\*)\s*ddilint:\s*(ignore-next-line|ignore-file|ignore)\b(?:\[([^\]]*)\])?\s*(.*)")
UNUSED_CODE = "DDI900"


@dataclass
class Suppression:
    kind: str  # "ignore" | "ignore-next-line" | "ignore-file"
    codes: frozenset[str] | None  # None: every rule (a bare ignore)
    loc: Loc
    justification: str
    used: bool = False

    def covers(self, finding: Finding) -> bool:
        if finding.loc.file != self.loc.file or finding.code == UNUSED_CODE:
            return False
        if self.codes is not None and finding.code not in self.codes:
            return False
        if self.kind == "ignore-file":
            return True
        target = self.loc.line + (1 if self.kind == "ignore-next-line" else 0)
        return finding.loc.line == target


def parse_suppressions(path: str, lines: list[str], resolve: Callable[[str], set[str]]) -> list[Suppression]:
    """The markers in a file's comments; ``resolve`` turns a code or rule name into codes."""
    found = []
    for number, line in enumerate(lines, start=1):
        match = _MARKER.search(line)
        if match is None:
            continue
        kind, raw_codes, rest = match.group(1), match.group(2), match.group(3)
        codes: frozenset[str] | None = None
        if raw_codes is not None:
            resolved: set[str] = set()
            for token in filter(None, (t.strip() for t in raw_codes.split(","))):
                resolved |= resolve(token)
            codes = frozenset(resolved)
        justification = rest.split("*/")[0].strip()
        col = match.start() + 1
        found.append(Suppression(kind, codes, Loc(path, number, col, number, len(line)), justification))
    return found


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression]) -> list[Finding]:
    """Mark covered findings as suppressed (``suppression`` holds the justification)."""
    result = []
    for finding in findings:
        match = next((s for s in suppressions if s.covers(finding)), None)
        if match is not None:
            match.used = True
            finding = dataclasses.replace(finding, suppression=match.justification or "suppressed in source")
        result.append(finding)
    return result


def unused(suppressions: list[Suppression], enabled: set[str]) -> list[Suppression]:
    """Suppressions that matched nothing, among those naming only rules that ran."""
    return [s for s in suppressions if not s.used and (s.codes is None or s.codes <= enabled)]
