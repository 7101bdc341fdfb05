"""The checks, one module each; ``CHECKS`` is the registry the engine runs."""

from ddilint.checks.unchecked_status import UncheckedStatus

CHECKS = (UncheckedStatus,)
