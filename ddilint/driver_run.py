"""One driver, analysed: its files' units (from the cache or parsed) through the enabled checks.

A driver is the unit of work of a run: with many drivers, each worker process
analyses whole drivers (``DriverJob``) and returns a ``DriverOutcome`` (findings,
notifications, source lines), so parsing *and* checking use every core and the
IR never leaves the worker. With few drivers, the main process checks them and
only the parsing of their files is spread over workers (``parse_stream``).
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ddilint import ir
from ddilint.cache import IrCache, Outcome
from ddilint.catalog import Catalog
from ddilint.checks import CHECKS
from ddilint.deadline import TimeLimitError, time_limit
from ddilint.discovery import display_path
from ddilint.findings import Finding
from ddilint.frontend.libclang_frontend import FrontendOptions
from ddilint.frontend.select import prepare
from ddilint.isolation import current as current_limits
from ddilint.isolation import isolates, run_stepped
from ddilint.parallel import failure_notification, parse_one, parse_stream
from ddilint.program import Program
from ddilint.sources import read_source

Task = tuple[str, FrontendOptions]


@dataclass
class DriverOutcome:
    findings: list[Finding] = field(default_factory=list)
    notifications: list[ir.Notification] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)  # display path -> lines
    analyzed: int = 0
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    cache_hits: dict[str, int] = field(default_factory=dict)
    cache_misses: dict[str, int] = field(default_factory=dict)
    cache_notices: list[ir.Notification] = field(default_factory=list)


@dataclass(frozen=True)
class DriverJob:
    """What a worker needs to analyse one driver on its own."""

    tasks: tuple[Task, ...]
    catalog: Catalog
    enabled: frozenset[str]
    cache_dir: str | None


def run_job(job: DriverJob, step: Callable[[int], None] | None = None) -> DriverOutcome:
    """Analyse one driver in this process (a worker's entry point). ``step(i)`` is called as the i-th file
    begins (its parse, or its load from the cache) and with the number of files as the checks begin."""
    cache = IrCache(job.cache_dir) if job.cache_dir is not None else None
    done = [0]

    def advance(count: int) -> None:
        done[0] += count
        if step is not None:
            step(done[0])

    if step is not None:
        step(0)
    outcome = analyze(units(list(job.tasks), cache, 1, advance), job.catalog, job.enabled, cache)
    if cache is not None:
        outcome.cache_hits, outcome.cache_misses = dict(cache.hits), dict(cache.misses)
        outcome.cache_notices = list(cache.notices)
    return outcome


def run_job_isolated(job: DriverJob) -> DriverOutcome:
    """Analyse one driver in a forked child (``ddilint.isolation``): each file and the checks have the time
    limit, and only the outcome crosses back. A file whose parse fails (too slow, a crash, a bug) is left
    out with one notification and the driver is analysed again without it; failing checks end the driver
    with one notification."""
    if not isolates():
        return run_job(job)
    for path, options in job.tasks:
        prepare(path, options)  # the PCH or header prefix, built once here rather than in every child
    tasks = list(job.tasks)
    notes: list[ir.Notification] = []
    while tasks:
        current = dataclasses.replace(job, tasks=tuple(tasks))
        result = run_stepped(lambda step, current=current: run_job(current, step))
        if result.value is not None:
            # In the files' order, as when they are parsed in-process: the output does not depend on the mode.
            order = {display_path(path): i for i, (path, _) in enumerate(job.tasks)}
            merged = notes + result.value.notifications
            result.value.notifications = sorted(merged, key=lambda n: order.get(n.file, len(order)))
            return result.value
        if 0 <= result.step < len(tasks):
            shown = display_path(tasks.pop(result.step)[0])
            notes.append(failure_notification(shown, result.failure or "", result.internal))
            continue
        where = display_path(tasks[0][0])
        what = f"{ir.INTERNAL_ERROR} in the checks of this driver: " if result.internal else "checks not finished: "
        notes.append(ir.Notification("error", f"{what}{result.failure}; its findings are missing", where))
        return DriverOutcome(notifications=notes, analyzed=len(tasks))
    return DriverOutcome(notifications=notes)


def analyze(
    parsed: Iterator[tuple[ir.TranslationUnit, str | None]],
    catalog: Catalog,
    enabled: frozenset[str] | set[str],
    cache: IrCache | None,
) -> DriverOutcome:
    """Run the enabled checks over one driver's units (consumed from ``parsed``)."""
    outcome = DriverOutcome()
    driver_units: list[ir.TranslationUnit] = []
    fingerprints: dict[int, str] = {}
    while True:
        started = time.perf_counter()
        item = next(parsed, None)
        outcome.timings["parse"] += time.perf_counter() - started
        if item is None:
            break
        unit, fingerprint = item
        outcome.notifications.extend(unit.notifications)
        if unit.analyzed:
            outcome.analyzed += 1
            outcome.sources[unit.path] = unit.source_lines
        driver_units.append(unit)
        if fingerprint is not None:
            fingerprints[id(unit)] = fingerprint
    limit = current_limits().timeout
    complete = True
    for group in split_drivers(driver_units, catalog):
        complete &= _check(group, catalog, enabled, outcome, limit)
    prints = [fingerprints.get(id(unit)) for unit in driver_units]
    if cache is not None and prints and None not in prints and complete:  # a stopped check is not remembered
        key = cache.outcome_key(frozenset(enabled), [p for p in prints if p is not None])
        cache.store_outcome(key, Outcome(outcome.findings, outcome.notifications, outcome.analyzed))
    return outcome


def _check(
    group: list[ir.TranslationUnit],
    catalog: Catalog,
    enabled: frozenset[str] | set[str],
    outcome: DriverOutcome,
    limit: float,
) -> bool:
    """The enabled checks over one driver, within the time limit; a check that fails on it (a bug) is one
    notification naming the driver and the check, and the other checks and drivers go on. False when a
    check did not finish."""
    if not group:
        return True
    where = group[0].path
    code = ""
    complete = True
    try:
        with time_limit(limit):
            program = Program(group)
            for check_class in CHECKS:
                if check_class.code not in enabled:
                    continue
                code = check_class.code
                started = time.perf_counter()
                try:
                    outcome.findings.extend(check_class(catalog).run(program))
                except (TimeLimitError, KeyboardInterrupt):
                    raise
                except Exception as exc:
                    message = f"{ir.INTERNAL_ERROR} in {code} on this driver: {type(exc).__name__}: {exc}"
                    outcome.notifications.append(ir.Notification("error", message, where))
                    complete = False
                finally:
                    outcome.timings[code] += time.perf_counter() - started
    except TimeLimitError:
        files = ", ".join(u.path for u in group[:3]) + (", ..." if len(group) > 3 else "")
        message = (
            f"checks stopped at {code or 'the start'}: took longer than the time limit of {limit:g} s (--timeout);"
            f" findings of this driver ({files}) may be missing"
        )
        outcome.notifications.append(ir.Notification("error", message, where))
        return False
    return complete


def cached_outcome(tasks: list[Task], enabled: frozenset[str], cache: IrCache) -> DriverOutcome | None:
    """A driver none of whose files (or the headers they read) changed: its outcome, without its IR."""
    prints = []
    for path, options in tasks:
        key = cache.key(path, display_path(path), options)
        fingerprint = cache.fingerprint_of(key) if key is not None else None
        if fingerprint is None:
            return None
        prints.append(fingerprint)
    if not prints:
        return None
    found = cache.load_outcome(cache.outcome_key(enabled, prints), display_path(tasks[0][0]))
    if found is None:
        return None
    outcome = DriverOutcome(list(found.findings), list(found.notifications), analyzed=found.analyzed)
    for path, _ in tasks:
        source = read_source(path)
        if source.analyzable:
            outcome.sources[display_path(path)] = source.lines
    return outcome


def units(
    tasks: list[Task], cache: IrCache | None, jobs: int, advance: Callable[[int], None]
) -> Iterator[tuple[ir.TranslationUnit, str | None]]:
    """Every task's unit in order, with its cache fingerprint: from the cache when it has an entry,
    else parsed (in ``jobs`` worker processes) and stored. Units are made as they are consumed."""
    if cache is None:
        for unit in parse_stream(tasks, jobs, advance):
            yield unit, None
        return
    keys = [cache.key(path, display_path(path), opts) for path, opts in tasks]
    cached = [key is not None and cache.has(key) for key in keys]
    parsed = parse_stream([t for t, hit in zip(tasks, cached, strict=True) if not hit], jobs, advance)
    for task, key, hit in zip(tasks, keys, cached, strict=True):
        unit = cache.load(key, display_path(task[0])) if hit and key is not None else None
        if hit:
            advance(1)
            if unit is None:  # damaged, or a header it read changed
                unit = parse_one(task)
                if key is not None and unit.analyzed:
                    cache.store(key, unit)
        else:
            unit = next(parsed)
            if key is not None and unit.analyzed:
                cache.store(key, unit)
        yield unit, (cache.unit_fingerprint(key, unit) if key is not None and unit.analyzed else None)


def split_drivers(units: list[ir.TranslationUnit], catalog: Catalog) -> list[list[ir.TranslationUnit]]:
    """The drivers of one directory: all its files, unless several of them define an entry point.

    A folder of single-file drivers (samples, tests) then gives one driver per
    file instead of one driver with many DriverEntry routines.
    """
    with_entry = [u for u in units if any(_is_entry(f, catalog) for f in u.functions)]
    if len(with_entry) <= 1:
        return [units]
    return [[u] for u in units]


def _is_entry(function: ir.Function, catalog: Catalog) -> bool:
    return function.name in catalog.entry_names or bool(set(function.role_types) & catalog.entry_role_types)
