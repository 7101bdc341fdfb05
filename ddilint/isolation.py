"""One file's parse in a child process, under a time and a memory limit.

The parse is the one part of a run that runs native code (libclang) on
untrusted input: a macro expansion bomb, ``#include "/dev/zero"`` or a parser
bug could spin, eat memory or crash the process, and no Python-level timer
can interrupt a C call. So where ``fork`` exists, each file is parsed and
lowered in a forked child (a few milliseconds: the child shares the parent's
loaded libclang and precompiled header) that sends the lowered IR back over
a pipe. A child past the time limit is killed, one that dies (a signal, the
memory limit) is reported, and either way the file ends as one notification
while the other files go on. The pipe carries pickled IR between two
processes of this run only (nothing is read from disk).

Without ``fork`` (Windows) or with ``--timeout 0`` the parse runs in-process:
exceptions are still contained per file, a runaway native parse is not.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import os
import pickle
import select
import signal
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_TIMEOUT = 60.0  # seconds per file (--timeout)
MEMORY_LIMIT = 4 * 1024**3  # address space of a parsing child, bytes


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT  # 0: no limit, parse in-process
    memory: int = MEMORY_LIMIT


_limits = Limits()


def configure(limits: Limits) -> None:
    """Set this process's limits (the parent from the command line, workers from their initializer)."""
    global _limits
    _limits = limits


def current() -> Limits:
    return _limits


@dataclass(frozen=True)
class Result(Generic[T]):
    value: T | None = None
    failure: str | None = None  # why there is no value: a one-line message for a notification
    internal: bool = False  # the failure is a bug of ddilint (an exception, a crash), not a limit
    step: int = -1  # with ``run_stepped``: the step under way when it failed


_in_child = False  # in a child of ``run_stepped``: already isolated, nothing nests


def isolates() -> bool:
    """Do ``run_limited`` and ``run_stepped`` run their function in a child process here?"""
    return _limits.timeout > 0 and hasattr(os, "fork") and not _in_child


def run_limited(function: Callable[[], T]) -> Result[T]:
    """``function()`` in a forked child under the configured limits, or in-process where that is not possible."""
    if not isolates():
        return _in_process(function)
    return run_stepped(lambda _step: function())


def run_stepped(function: Callable[[Callable[[int], None]], T]) -> Result[T]:
    """``function(step)`` in a forked child, which calls ``step(i)`` as it begins its i-th step (a file to
    parse, the checks): each step has the whole time limit, and a failure says which step it was in.
    Only the result crosses back (small when the child does the whole job)."""
    limits = _limits
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns about fork with threads; the child only analyses
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage does not follow forks
        os.close(read_end)
        _child(function, write_end, limits)
    os.close(write_end)
    try:  # a little grace: the child's own time limit on the checks ends them with their partial findings
        kind, payload, step = _receive(read_end, limits.timeout + max(1.0, limits.timeout / 10))
    finally:
        os.close(read_end)
    if kind == "timeout":
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if kind == "ok":
        return Result(value=payload, step=step)  # type: ignore[arg-type]
    if kind == "timeout":
        return Result(failure=f"took longer than the time limit of {limits.timeout:g} s (--timeout)", step=step)
    if kind == "error":
        return Result(failure=str(payload), internal=True, step=step)
    if kind == "limit":
        return Result(failure=str(payload), step=step)
    return Result(failure=_death(status, limits), internal=True, step=step)


def _in_process(function: Callable[[], T]) -> Result[T]:
    try:
        return Result(value=function())
    except MemoryError:
        return Result(failure="ran out of memory")
    except Exception as exc:
        return Result(failure=f"{type(exc).__name__}: {exc}", internal=True)


def _child(function: Callable[[Callable[[int], None]], T], write_end: int, limits: Limits) -> None:  # pragma: no cover
    global _in_child
    _in_child = True
    code = 0
    try:
        null = os.open(os.devnull, os.O_WRONLY)  # the child never writes to the run's output
        os.dup2(null, 1)
        os.dup2(null, 2)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the process ends below
        faulthandler.disable()
        gc.disable()  # short-lived: collecting would touch (and so copy) every page shared with the parent
        with contextlib.suppress(ImportError, ValueError, OSError):
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))

        def step(number: int) -> None:
            _send(write_end, ("step", number))

        try:
            message: tuple[str, object] = ("ok", function(step))
        except MemoryError:
            message = ("limit", f"ran out of memory (limit {limits.memory >> 20} MiB)")
        except BaseException as exc:
            message = ("error", f"{type(exc).__name__}: {exc}")
        _send(write_end, message)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _send(fd: int, message: tuple[str, object]) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int, timeout: float) -> tuple[str, object, int]:
    """Frames from the child until its result: ("ok" | "error", payload, step), ("timeout", None, step) when a
    step outlives the limit, ("died", None, step) when the child ends without a result."""
    buffer = bytearray()
    step = -1
    deadline = time.monotonic() + timeout
    while True:
        while len(buffer) >= 8 and len(buffer) >= 8 + int.from_bytes(buffer[:8], "little"):
            size = int.from_bytes(buffer[:8], "little")
            kind, payload = pickle.loads(bytes(buffer[8 : 8 + size]))
            del buffer[: 8 + size]
            if kind != "step":
                return kind, payload, step
            step = int(payload)  # type: ignore[call-overload]
            deadline = time.monotonic() + timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return "timeout", None, step
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return "died", None, step
        buffer += chunk


def _death(status: int, limits: Limits) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        with contextlib.suppress(ValueError):
            return f"the parser crashed ({signal.Signals(number).name}; memory limit {limits.memory >> 20} MiB)"
        return f"the parser crashed (signal {number})"
    return f"the parser exited unexpectedly (status {os.WEXITSTATUS(status)})"
