"""One run: discover drivers, parse each file, run the enabled checks, collect findings and notifications."""

from __future__ import annotations

import dataclasses
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from ddilint import ir
from ddilint.cache import IrCache
from ddilint.catalog import Catalog
from ddilint.checks import CHECKS, Check
from ddilint.compile_db import CompileDb
from ddilint.config import Config
from ddilint.discovery import Driver, discover, display_path, reportable
from ddilint.findings import Finding
from ddilint.frontend.libclang_frontend import FrontendOptions
from ddilint.parallel import parse_one, parse_stream
from ddilint.policy import UnknownRuleError, apply, resolve
from ddilint.program import Program
from ddilint.progress import progress
from ddilint.suppressions import UNUSED_CODE, Suppression, apply_suppressions, parse_suppressions, unused


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
    cache: IrCache | None = None
    progress: bool = False  # draw a progress bar on stderr (a terminal, long runs)


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
    found = discover(list(paths))
    drivers = regroup(found.drivers, options.config)
    notifications = list(found.notifications)
    findings: list[Finding] = []
    analyzed = 0
    sources: dict[str, list[str]] = {}
    timings: dict[str, float] = defaultdict(float)
    frontend = FrontendOptions(
        options.include_dirs, options.defines, catalog.assertion_macros, wdk_include=options.wdk_include
    )
    tasks = [(path, _file_options(path, frontend, options.compile_db)) for d in drivers for path in d.files]
    fingerprints: dict[int, str] = {}
    with progress(len(tasks), options.progress) as advance:
        parsed = _units(tasks, options, advance)
        for driver in drivers:
            units = []
            for _ in driver.files:
                started = time.perf_counter()
                unit, fingerprint = next(parsed)
                timings["parse"] += time.perf_counter() - started
                notifications.extend(unit.notifications)
                if unit.analyzed:
                    analyzed += 1
                    sources[unit.path] = unit.source_lines
                units.append(unit)
                if fingerprint is not None:
                    fingerprints[id(unit)] = fingerprint
            for group in split_drivers(units, catalog):
                program = Program(group)
                for check_class in CHECKS:
                    if check_class.code in options.enabled:
                        started = time.perf_counter()
                        findings.extend(_check(check_class, catalog, program, options.cache, fingerprints))
                        timings[check_class.code] += time.perf_counter() - started
            fingerprints.clear()  # the driver's units go; ids may be reused
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


def _units(
    tasks: list[tuple[str, FrontendOptions]], options: RunOptions, advance: Callable[[int], None]
) -> Iterator[tuple[ir.TranslationUnit, str | None]]:
    """Every task's unit in order, with its cache fingerprint: from the cache when it has an entry,
    else parsed (in worker processes) and stored. Units are made as they are consumed."""
    cache = options.cache
    if cache is None:
        for unit in parse_stream(tasks, options.jobs, advance):
            yield unit, None
        return
    keys = [cache.key(path, display_path(path), opts) for path, opts in tasks]
    cached = [key is not None and cache.has(key) for key in keys]
    parsed = parse_stream([t for t, hit in zip(tasks, cached, strict=True) if not hit], options.jobs, advance)
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


def _check(
    check_class: type[Check], catalog: Catalog, program: Program, cache: IrCache | None, fingerprints: dict[int, str]
) -> list[Finding]:
    """One check's findings over a driver: from the cache when none of its files (or their headers) changed."""
    prints = [fingerprints.get(id(unit)) for unit in program.units]
    if cache is None or not prints or None in prints:
        return check_class(catalog).run(program)
    key = cache.findings_key(check_class.code, [p for p in prints if p is not None])
    cached = cache.load_findings(key, program.units[0].path)
    if cached is not None:
        return cached
    found = list(check_class(catalog).run(program))
    cache.store_findings(key, found)
    return found


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
