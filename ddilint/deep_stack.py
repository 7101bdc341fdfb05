"""Run the analysis on a thread with a large stack, so deeply nested C does not exhaust Python's.

Lowering and CFG construction follow the nesting of the C source. Real
drivers nest a few levels; generated or hostile code can nest hundreds. A
512 MiB thread stack with a raised recursion limit absorbs that, and a file
nested beyond it still ends as a notification (RecursionError is caught per
function by the frontend), never as a crash.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 60_000


def call_with_deep_stack(fn: Callable[[], T]) -> T:
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    old_limit = sys.getrecursionlimit()
    old_size = threading.stack_size(STACK_BYTES)
    try:
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
        worker = threading.Thread(target=target, name="ddilint-analysis")
        worker.start()
        worker.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
