"""The progress bar on stderr: only for a person watching a terminal, and only for runs that take a while.

``tqdm`` draws it (a small, dependency-free, widely used library) and its
``delay`` keeps it hidden for runs shorter than two seconds. It is off when
stderr is not a terminal, in CI (``CI`` set), and with ``--quiet``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm

DELAY_SECONDS = 2.0


def wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI") and not os.environ.get("DDILINT_NO_PROGRESS")


@contextmanager
def progress(total: int, enabled: bool, what: str = "files") -> Iterator[Callable[[int], None]]:
    """Yields ``advance(n)``; draws nothing when disabled."""
    if not enabled or total == 0:
        yield lambda _n: None
        return
    bar = tqdm(total=total, unit=what[:-1], desc="ddilint", delay=DELAY_SECONDS, leave=False, file=sys.stderr)
    try:
        yield bar.update
    finally:
        bar.close()
