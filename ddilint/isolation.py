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
    internal: bool = False  # the failure is a bug of ddilint (an exception), not a limit


def isolates() -> bool:
    """Does ``run_limited`` run its function in a child process here?"""
    return _limits.timeout > 0 and hasattr(os, "fork")


def run_limited(function: Callable[[], T]) -> Result[T]:
    """``function()`` in a forked child under the configured limits, or in-process where that is not possible."""
    limits = _limits
    if not isolates():
        return _in_process(function)
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns about fork with threads; the child only parses
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage does not follow forks
        os.close(read_end)
        _child(function, write_end, limits)
    os.close(write_end)
    try:
        data, timed_out = _read_until(read_end, time.monotonic() + limits.timeout)
    finally:
        os.close(read_end)
    if timed_out:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return Result(failure=f"took longer than the time limit of {limits.timeout:g} s (--timeout)")
    if not data:
        return Result(failure=_death(status, limits), internal=True)
    kind, payload = pickle.loads(data)
    if kind == "ok":
        return Result(value=payload)
    return Result(failure=payload, internal=True)


def _in_process(function: Callable[[], T]) -> Result[T]:
    try:
        return Result(value=function())
    except MemoryError:
        return Result(failure="ran out of memory", internal=True)
    except Exception as exc:
        return Result(failure=f"{type(exc).__name__}: {exc}", internal=True)


def _child(function: Callable[[], T], write_end: int, limits: Limits) -> None:  # pragma: no cover
    code = 0
    try:
        null = os.open(os.devnull, os.O_WRONLY)  # the child never writes to the run's output
        os.dup2(null, 1)
        os.dup2(null, 2)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the process ends below
        faulthandler.disable()
        with contextlib.suppress(ImportError, ValueError, OSError):
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
        try:
            message: tuple[str, object] = ("ok", function())
        except MemoryError:
            message = ("error", "ran out of memory")
        except BaseException as exc:
            message = ("error", f"{type(exc).__name__}: {exc}")
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _read_until(fd: int, deadline: float) -> tuple[bytes, bool]:
    """All bytes until the writer closes, or (what came, True) at the deadline."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"".join(chunks), True
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)


def _death(status: int, limits: Limits) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        with contextlib.suppress(ValueError):
            return f"the parser crashed ({signal.Signals(number).name}; memory limit {limits.memory >> 20} MiB)"
        return f"the parser crashed (signal {number})"
    return f"the parser exited unexpectedly (status {os.WEXITSTATUS(status)})"
