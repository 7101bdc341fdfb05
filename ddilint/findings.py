"""What checks produce and reporters print."""

from __future__ import annotations

from dataclasses import dataclass, field

from ddilint.ir import Loc, Step

# A step of a finding's explanation (a SARIF threadFlowLocation).
PathStep = Step


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: str
    message: str
    loc: Loc
    ddi: str
    function: str
    path: tuple[PathStep, ...] = field(default=())
    related: tuple[PathStep, ...] = field(default=())
    suppression: str | None = None  # the justification, when an inline marker suppresses it
    baseline_state: str | None = None  # "new" or "unchanged" when compared with a baseline

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.loc.file, self.loc.line, self.loc.col, self.code, self.message)
