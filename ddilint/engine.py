"""One run: discover drivers, parse each file, run the enabled checks, collect findings and notifications."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from ddilint import ir
from ddilint.cache import IrCache
from ddilint.catalog import Catalog
from ddilint.compile_db import CompileDb
from ddilint.config import Config
from ddilint.discovery import DEFAULT_MAX_FILE_SIZE, Driver, discover, reportable
from ddilint.driver_run import DriverJob, DriverOutcome, Task, analyze, cached_outcome, run_job_isolated, units
from ddilint.findings import Finding
from ddilint.frontend.libclang_frontend import FrontendOptions
from ddilint.isolation import isolates
from ddilint.parallel import map_drivers
from ddilint.policy import UnknownRuleError, apply, resolve
from ddilint.progress import progress
from ddilint.suppressions import UNUSED_CODE, Suppression, apply_suppressions, parse_suppressions, unused

DRIVERS_PER_WORKER = 2  # below this many drivers per worker, parallelize files rather than drivers


@dataclass
class RunOptions:
    include_dirs: Sequence[str] = ()
    defines: Sequence[str] = ()
    enabled: set[str] = field(default_factory=set)
    report_only: set[str] | None = None  # absolute paths: findings elsewhere are dropped (pre-commit)
    config: Config = field(default_factory=Config)
    jobs: int = 1
    compile_db: CompileDb | None = None
    wdk_include: str | None = None
    frontend: str = "libclang"  # resolved from --frontend (auto, libclang, pycparser)
    cache: IrCache | None = None
    progress: bool = False  # draw a progress bar on stderr (a terminal, long runs)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes; larger files are skipped (0: no limit)


@dataclass
class RunResult:
    findings: list[Finding]
    notifications: list[ir.Notification]
    files_analyzed: int
    missing_paths: int
    sources: dict[str, list[str]] = field(default_factory=dict)  # display path -> lines
    suppressed: list[Finding] = field(default_factory=list)  # findings silenced by an inline marker
    baselined: list[Finding] = field(default_factory=list)  # findings already in the baseline
    suppressions: list[Suppression] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # phase ("parse", "DDI001", ...) -> seconds

    @property
    def nothing_analyzed(self) -> bool:
        return self.files_analyzed == 0


def run(paths: Sequence[str], catalog: Catalog, options: RunOptions) -> RunResult:
    found = discover(list(paths), options.max_file_size)
    drivers = regroup(found.drivers, options.config)
    notifications = list(found.notifications)
    findings: list[Finding] = []
    analyzed = 0
    sources: dict[str, list[str]] = {}
    timings: dict[str, float] = defaultdict(float)
    frontend = FrontendOptions(
        options.include_dirs,
        options.defines,
        catalog.assertion_macros,
        wdk_include=options.wdk_include,
        frontend=options.frontend,
    )
    jobs = [[(path, _file_options(path, frontend, options.compile_db)) for path in d.files] for d in drivers]
    with progress(sum(map(len, jobs)), options.progress) as advance:
        for outcome in _outcomes(jobs, catalog, options, advance):
            findings.extend(outcome.findings)
            notifications.extend(outcome.notifications)
            sources.update(outcome.sources)
            analyzed += outcome.analyzed
            for phase, seconds in outcome.timings.items():
                timings[phase] += seconds
            if options.cache is not None:
                options.cache.absorb(outcome.cache_hits, outcome.cache_misses, outcome.cache_notices)
    if options.cache is not None:
        notifications.extend(options.cache.notices)
    if options.report_only is not None:
        findings = [f for f in findings if reportable(f.loc.file, options.report_only)]
    findings = configured(findings, options.config, catalog)
    suppressions = _suppressions(sources, catalog, notifications)
    findings = apply_suppressions(apply(findings, options.enabled), suppressions)
    if UNUSED_CODE in options.enabled:
        findings += [_unused_finding(s, catalog) for s in unused(suppressions, options.enabled)]
    findings.sort(key=Finding.sort_key)
    return RunResult(
        findings=[f for f in findings if f.suppression is None],
        notifications=notifications,
        files_analyzed=analyzed,
        missing_paths=found.missing,
        sources=sources,
        suppressed=[f for f in findings if f.suppression is not None],
        suppressions=suppressions,
        timings=dict(timings),
    )


def _outcomes(
    jobs: list[list[Task]], catalog: Catalog, options: RunOptions, advance: Callable[[int], None]
) -> Iterator[DriverOutcome]:
    """Each driver's outcome, in order: from the cache when none of its files changed; else analysed.
    Many drivers to analyse: whole drivers in worker processes (parsing and checks use every core).
    Few: checked here, with their files parsed in workers."""
    enabled = frozenset(options.enabled)
    cache = options.cache
    ready = [cached_outcome(tasks, enabled, cache) if cache is not None else None for tasks in jobs]
    todo = [tasks for tasks, outcome in zip(jobs, ready, strict=True) if outcome is None]
    analysed = _analyse(todo, catalog, enabled, options, advance)
    for tasks, outcome in zip(jobs, ready, strict=True):
        if outcome is None:
            yield next(analysed)
        else:
            advance(len(tasks))
            yield outcome


def _analyse(
    jobs: list[list[Task]],
    catalog: Catalog,
    enabled: frozenset[str],
    options: RunOptions,
    advance: Callable[[int], None],
) -> Iterator[DriverOutcome]:
    cache = options.cache
    cache_dir = str(cache.directory) if cache is not None else None
    driver_jobs = [DriverJob(tuple(tasks), catalog, enabled, cache_dir) for tasks in jobs]
    if options.jobs > 1 and len(jobs) >= DRIVERS_PER_WORKER * options.jobs:
        sizes = [_size(tasks) for tasks in jobs]
        for outcome, tasks in zip(map_drivers(run_job_isolated, driver_jobs, options.jobs, sizes), jobs, strict=True):
            advance(len(tasks))
            yield outcome
        return
    if isolates() and (options.jobs <= 1 or len(jobs) > 1):
        # Each driver in a child of its own: one fork per driver, only its outcome crosses back.
        for job, tasks in zip(driver_jobs, jobs, strict=True):
            outcome = run_job_isolated(job)  # its cache counts are added up by ``run``
            advance(len(tasks))
            yield outcome
        return
    # One large driver and several jobs: its files are parsed in parallel (each in a child), checked here.
    flat = [task for tasks in jobs for task in tasks]
    parsed = units(flat, cache, options.jobs, advance)
    for tasks in jobs:
        yield analyze(itertools.islice(parsed, len(tasks)), catalog, enabled, cache)


def _size(tasks: list[Task]) -> int:
    """A driver's size in bytes, to start the largest first."""
    total = 0
    for path, _ in tasks:
        with contextlib.suppress(OSError):
            total += os.path.getsize(path)
    return total


def _suppressions(
    sources: dict[str, list[str]], catalog: Catalog, notifications: list[ir.Notification]
) -> list[Suppression]:
    found: list[Suppression] = []
    for path, lines in sources.items():

        def codes(token: str, path: str = path) -> set[str]:
            try:
                return resolve([token], catalog.rules)
            except UnknownRuleError:
                notifications.append(ir.Notification("warning", f"suppression names unknown rule '{token}'", path))
                return set()

        found += parse_suppressions(path, lines, codes)
    return found


def _unused_finding(suppression: Suppression, catalog: Catalog) -> Finding:
    doc = catalog.rules[UNUSED_CODE]
    what = ", ".join(sorted(suppression.codes)) if suppression.codes else "any rule"
    return Finding(
        code=UNUSED_CODE,
        name=doc.name,
        severity=doc.severity,
        message=f"'ddilint: {suppression.kind}' for {what} suppresses no finding",
        loc=suppression.loc,
        ddi="",
        function="",
    )


def _file_options(path: str, base: FrontendOptions, db: CompileDb | None) -> FrontendOptions:
    """The command line's flags, plus the file's own from the compilation database."""
    flags = db.files.get(os.path.normpath(os.path.abspath(path))) if db is not None else None
    if flags is None:
        return base
    return dataclasses.replace(
        base,
        include_dirs=(*base.include_dirs, *flags.include_dirs),
        defines=(*base.defines, *flags.defines),
        forced_includes=flags.forced_includes,
    )


def regroup(drivers: list[Driver], config: Config) -> list[Driver]:
    """Apply the configuration's include/exclude globs and its explicit driver units."""
    files = [f for d in drivers for f in d.files if config.included(f)]
    units: dict[str, Driver] = {}
    for f in files:
        unit = next((u for u in config.drivers if any(config.matches(f, g) for g in u.files)), None)
        key = f"unit:{unit.name}" if unit is not None else os.path.dirname(os.path.abspath(f))
        units.setdefault(key, Driver(key)).files.append(f)
    return list(units.values())


def configured(findings: list[Finding], config: Config, catalog: Catalog) -> list[Finding]:
    """Per-file ignores and severity overrides from the configuration."""
    severity = {code: level for rule, level in config.severity.items() for code in resolve([rule], catalog.rules)}
    ignores = [(glob, resolve(rules, catalog.rules)) for glob, rules in config.per_file_ignores.items()]
    result = []
    for finding in findings:
        if any(finding.code in codes and config.matches(finding.loc.file, glob) for glob, codes in ignores):
            continue
        if finding.code in severity:
            finding = dataclasses.replace(finding, severity=severity[finding.code])
        result.append(finding)
    return result
