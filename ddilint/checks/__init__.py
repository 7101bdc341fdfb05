"""The checks, one module each; ``CHECKS`` is the registry the engine runs."""

from ddilint.checks.irql_too_high import IrqlTooHigh
from ddilint.checks.unchecked_status import UncheckedStatus
from ddilint.checks.unregister_missing import UnregisterMissing

CHECKS = (UncheckedStatus, UnregisterMissing, IrqlTooHigh)
