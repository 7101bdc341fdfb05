"""A time limit for pure-Python work (a driver's checks), without a second process.

The checks are Python code, so a timer thread can stop them: when the limit
passes, it raises ``TimeLimitError`` in the analysing thread at its next
bytecode (CPython's ``PyThreadState_SetAsyncExc``). Leaving the block in time
cancels the timer, and an exception already scheduled but not yet raised is
withdrawn, so it never escapes the block.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class TimeLimitError(Exception):
    """The time limit of a ``time_limit`` block passed."""


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = [ctypes.c_ulong, ctypes.py_object]
_set_async_exc.restype = ctypes.c_int


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``TimeLimitError`` inside the block if it runs longer than ``seconds`` (0: no limit)."""
    if seconds <= 0:
        yield
        return
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def expire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                _set_async_exc(target, ctypes.py_object(TimeLimitError))

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    try:
        timer.start()
        yield
    finally:
        with lock:
            state["done"] = True
            timer.cancel()
            if state["fired"]:  # scheduled but maybe not raised yet: withdraw it
                _set_async_exc(target, ctypes.py_object())
