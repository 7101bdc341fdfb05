"""Parsing and lowering files in worker processes (``--jobs``).

Workers return the lowered IR (plain dataclasses), never libclang objects, so
translation units die in the worker. Results come back in input order, so the
output does not depend on the number of jobs.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from ddilint import ir
from ddilint.deep_stack import call_with_deep_stack
from ddilint.discovery import display_path
from ddilint.frontend.libclang_frontend import FrontendOptions
from ddilint.frontend.precompiled import directory, use_directory
from ddilint.frontend.select import parse_file, prepare
from ddilint.isolation import Limits, configure, current, isolates, run_limited

J = TypeVar("J")
R = TypeVar("R")

MIN_FILES_PER_WORKER = 4  # below this, starting workers costs more than it saves


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _parse(task: tuple[str, FrontendOptions]) -> ir.TranslationUnit:
    """One file's unit, parsed under the run's limits; a file that fails them is a unit with one notification."""
    path, options = task
    shown = display_path(path)
    if isolates():
        prepare(path, options)  # the PCH or header prefix, built once here rather than in every child
    result = run_limited(lambda: parse_file(path, shown, options))
    if result.value is not None:
        return result.value
    note = failure_notification(shown, result.failure or "", result.internal)
    return ir.TranslationUnit(shown, notifications=[note], analyzed=False)


def failure_notification(shown: str, failure: str, internal: bool) -> ir.Notification:
    """The notification of a file whose parse failed under the run's limits."""
    if internal:
        return ir.Notification(
            "error", f"{ir.INTERNAL_ERROR} while analyzing this file: {failure}; not analyzed", shown
        )
    return ir.Notification("error", f"not analyzed: {failure}", shown)


def _worker_start(pch_directory: str | None, limits: Limits) -> None:
    use_directory(pch_directory)
    configure(limits)


def _parse_in_worker(task: tuple[str, FrontendOptions]) -> ir.TranslationUnit:
    return call_with_deep_stack(lambda: _parse(task))


def parse_stream(
    tasks: Sequence[tuple[str, FrontendOptions]], jobs: int, advance: Callable[[int], None] = lambda _n: None
) -> Iterator[ir.TranslationUnit]:
    """Parse ``(path, options)`` tasks, yielding units in order as they are ready; ``advance(1)`` after each.

    The caller consumes a driver's units and lets them go before the next
    driver's, so memory follows the largest driver, not the whole tree.
    """
    workers = min(jobs, len(tasks) // MIN_FILES_PER_WORKER)
    if workers <= 1:
        for task in tasks:
            yield _parse(task)
            advance(1)
        return
    with _pool(workers) as pool:
        for unit in pool.map(_parse_in_worker, tasks, chunksize=max(1, len(tasks) // (workers * 8))):
            yield unit
            advance(1)


def map_drivers(
    function: Callable[[J], R], jobs: Sequence[J], workers: int, sizes: Sequence[int] | None = None
) -> Iterator[R]:
    """``function`` over whole-driver jobs in worker processes; results in the jobs' order.

    Jobs start largest first (``sizes``), so a big driver does not start last
    and leave the other cores idle at the end of the run.
    """
    order = sorted(range(len(jobs)), key=lambda i: -(sizes[i] if sizes is not None else 0))
    with _pool(workers) as pool:
        futures: dict[int, Future[R]] = {i: pool.submit(call_with_deep_stack_of, function, jobs[i]) for i in order}
        for i in range(len(jobs)):
            yield futures.pop(i).result()


def _pool(workers: int) -> ProcessPoolExecutor:
    """Workers that share the parent's PCH directory and limits."""
    return ProcessPoolExecutor(
        workers, mp_context=_context(), initializer=_worker_start, initargs=(directory(), current())
    )


def call_with_deep_stack_of(function: Callable[[J], R], job: J) -> R:
    return call_with_deep_stack(lambda: function(job))


def _start_method() -> str:
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _context() -> multiprocessing.context.BaseContext:
    """Worker processes forked from a server that has already imported ddilint and libclang."""
    context = multiprocessing.get_context(_start_method())
    if _start_method() == "forkserver":
        context.set_forkserver_preload(["ddilint.driver_run", "clang.cindex"])
    return context


def parse_one(task: tuple[str, FrontendOptions]) -> ir.TranslationUnit:
    return _parse(task)
