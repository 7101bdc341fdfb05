"""The checks, one module each; ``CHECKS`` is the registry the engine runs."""

from __future__ import annotations

from typing import ClassVar, Protocol

from ddilint.catalog import Catalog
from ddilint.checks.irql_too_high import IrqlTooHigh
from ddilint.checks.unchecked_status import UncheckedStatus
from ddilint.checks.unregister_missing import UnregisterMissing
from ddilint.findings import Finding
from ddilint.program import Program


class Check(Protocol):
    """What the engine needs of a check: its rule code, and its findings over one driver."""

    code: ClassVar[str]

    def __init__(self, catalog: Catalog) -> None: ...

    def run(self, program: Program) -> list[Finding]: ...


CHECKS: tuple[type[Check], ...] = (UncheckedStatus, UnregisterMissing, IrqlTooHigh)
