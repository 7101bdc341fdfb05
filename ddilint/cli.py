"""Command line: ``ddilint check``, ``ddilint rules``, ``ddilint explain``.

Exit codes: 0 no findings, 1 findings, 2 usage error, nothing analyzable,
a missing path, or an internal error.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from ddilint import __version__
from ddilint.baseline import BaselineError, apply_baseline, read_baseline, write_baseline
from ddilint.cache import CACHE_DIR_NAME, IrCache
from ddilint.catalog import Catalog, CatalogError, load_catalog
from ddilint.compile_db import CompileDbError, load_compile_db
from ddilint.config import Config, ConfigError, find_config, parse_size
from ddilint.deep_stack import call_with_deep_stack
from ddilint.discovery import DEFAULT_MAX_FILE_SIZE, expand_to_drivers
from ddilint.engine import RunOptions, RunResult, run
from ddilint.frontend.libclang_bindings import FrontendUnavailableError
from ddilint.frontend.select import CHOICES as FRONTENDS
from ddilint.frontend.select import resolve_frontend
from ddilint.frontend.wdk_detect import resolve_wdk_include
from ddilint.isolation import DEFAULT_TIMEOUT, Limits
from ddilint.isolation import configure as configure_limits
from ddilint.parallel import default_jobs
from ddilint.policy import UnknownRuleError, enabled_rules
from ddilint.progress import wanted as progress_wanted
from ddilint.report.json_report import write_json
from ddilint.report.sarif import write_sarif
from ddilint.report.text import format_notification, statistics, write_github, write_text
from ddilint.rule_docs import ddi_table

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(ValueError):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ddilint",
        description="Static analysis of Windows kernel-driver C sources for DDI misuse.",
    )
    parser.add_argument("--version", action="version", version=f"ddilint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="analyze C files and directories (one driver per directory)")
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="C files or directories (default with -p: every file of the database)"
    )
    check.add_argument(
        "-p",
        "--compile-commands",
        metavar="DIR|FILE",
        help="take each file's include paths and defines from a compile_commands.json",
    )
    check.add_argument(
        "--wdk-include",
        metavar="DIR",
        default=os.environ.get("WDK_INCLUDE"),
        help="use the real WDK headers under DIR (km, shared, km/crt) instead of the bundled ones; on Windows an "
        "installed kit is found by default; 'bundled' forces the bundled headers [env WDK_INCLUDE]",
    )
    check.add_argument(
        "--frontend",
        choices=FRONTENDS,
        default=None,
        help="libclang, the pure-Python pycparser frontend, or auto: libclang when it loads (default: auto)",
    )
    check.add_argument("--format", choices=("text", "sarif", "json", "github"), default="text", help="output format")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("-I", dest="include_dirs", action="append", default=[], metavar="DIR", help="include path")
    check.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME[=VAL]", help="define a macro")
    check.add_argument("--select", action="append", default=[], metavar="RULE", help="only these rules")
    check.add_argument("--ignore", action="append", default=[], metavar="RULE", help="skip these rules")
    check.add_argument("--extend-select", action="append", default=[], metavar="RULE", help="add rules")
    check.add_argument(
        "--srcroot", metavar="DIR", help="SARIF %%SRCROOT%% (default: the git top level, else the current directory)"
    )
    check.add_argument("--category", metavar="NAME", help="SARIF automationDetails.id (one per analysis upload)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only (no notes, no summary)")
    check.add_argument("--statistics", action="store_true", help="print counts per rule on stderr")
    check.add_argument(
        "--strict", action="store_true", help="also report unused suppressions (DDI900); parse errors fail the run"
    )
    check.add_argument("--strict-parse", action="store_true", help="exit 2 when a file has parse errors")
    check.add_argument(
        "--changed",
        action="store_true",
        help="the paths are changed files (pre-commit): analyze their whole drivers, report on them only",
    )
    check.add_argument("--all-findings", action="store_true", help="with --changed: report the whole drivers")
    check.add_argument(
        "--jobs", "-j", type=int, default=default_jobs(), metavar="N", help="parse in N processes (default: all cores)"
    )
    check.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help=f"time limit per file (parse) and per driver (checks); 0: none (default: {DEFAULT_TIMEOUT:g})",
    )
    check.add_argument(
        "--max-file-size",
        type=_size,
        metavar="SIZE",
        help="skip larger source files, e.g. 8M, 512K (default: 8M; 0: no limit)",
    )
    check.add_argument("--no-cache", action="store_true", help="do not read or write the analysis cache")
    check.add_argument(
        "--cache-dir",
        metavar="DIR",
        default=os.environ.get("DDILINT_CACHE_DIR"),
        help=f"where the analysis cache lives (default: {CACHE_DIR_NAME} at the project root) [env DDILINT_CACHE_DIR]",
    )
    check.add_argument("--baseline", metavar="FILE", help="report and fail only on findings not in FILE")
    check.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE and exit 0")
    check.add_argument("--no-paths", action="store_true", help="text: do not print the explanation notes")
    check.add_argument("--profile", action="store_true", help="print the time spent per phase on stderr")

    config = sub.add_parser("config", help="print the effective configuration and where it comes from")
    config.add_argument("path", nargs="?", default=".", help="where to look for the configuration (default: .)")

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--ddis", action="store_true", help="list the DDIs the rules know: IRQL, must-check, pairing")
    explain = sub.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule", metavar="RULE", help="code (DDI001) or name (unchecked-status)")
    return parser


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds (0: no limit), not {text!r}")
    return value


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        catalog = load_catalog()
        if args.command == "rules":
            return _rules(catalog, sys.stdout, args.ddis)
        if args.command == "explain":
            return _explain(catalog, args.rule, sys.stdout)
        if args.command == "config":
            return _show_config(find_config(args.path), sys.stdout)
        return _check(args, catalog)
    except (
        CatalogError,
        UnknownRuleError,
        FrontendUnavailableError,
        BaselineError,
        ConfigError,
        CompileDbError,
        UsageError,
    ) as exc:
        print(f"ddilint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("ddilint: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        print(f"ddilint: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("DDILINT_DEBUG"):
            raise
        return EXIT_ERROR


def _rules(catalog: Catalog, out: TextIO, ddis: bool = False) -> int:
    if ddis:
        out.write("\n".join(ddi_table(catalog)) + "\n")
        return EXIT_CLEAN
    for code in sorted(catalog.rules):
        doc = catalog.rules[code]
        out.write(f"{doc.code}  {doc.name:<20} {doc.short}\n")
    return EXIT_CLEAN


def _explain(catalog: Catalog, rule: str, out: TextIO) -> int:
    from ddilint.policy import resolve
    from ddilint.rule_docs import render

    for code in sorted(resolve([rule], catalog.rules)):
        out.write(render(catalog.rules[code], catalog))
    return EXIT_CLEAN


def _show_config(config: Config, out: TextIO) -> int:
    source = config.path or "defaults (no ddilint.toml, .ddilint.toml or [tool.ddilint] found)"
    out.write(f"# configuration: {source}\n")
    for key in ("select", "extend-select", "ignore", "include", "exclude", "include-dirs", "defines"):
        origin = "file" if key in config.values else "default"
        out.write(f"{key} = {config.list(key)!r}  # {origin}\n")
    for key in ("severity", "per-file-ignores"):
        origin = "file" if key in config.values else "default"
        out.write(f"{key} = {dict(config.values.get(key, {}))!r}  # {origin}\n")
    units = [{"name": u.name, "files": list(u.files)} for u in config.drivers]
    out.write(
        f"drivers = {units!r}  # {'file' if 'drivers' in config.values else 'default: one driver per directory'}\n"
    )
    out.write("# command-line options override select/ignore and add to extend-select, include-dirs and defines\n")
    return EXIT_CLEAN


def _check(args: argparse.Namespace, catalog: Catalog) -> int:
    compile_db = load_compile_db(args.compile_commands) if args.compile_commands else None
    if not args.paths:
        if compile_db is None:
            raise UsageError("give at least one PATH, or -p with a compile_commands.json")
        args.paths = sorted(f for f in compile_db.files if os.path.exists(f))
    config = find_config(args.paths[0] if args.paths else ".")
    extend = [*config.list("extend-select"), *args.extend_select, *(["DDI900"] if args.strict else [])]
    frontend, fallback = resolve_frontend(args.frontend or config.values.get("frontend", "auto"))
    timeout = args.timeout if args.timeout is not None else float(config.values.get("timeout", DEFAULT_TIMEOUT))
    configure_limits(Limits(timeout=timeout))
    options = RunOptions(
        include_dirs=[*config.resolved_dirs(), *args.include_dirs],
        defines=[*config.list("defines"), *args.defines],
        enabled=enabled_rules(
            args.select or config.list("select"), args.ignore or config.list("ignore"), catalog.rules, extend
        ),
        config=config,
        jobs=max(1, args.jobs),
        compile_db=compile_db,
        wdk_include=resolve_wdk_include(args.wdk_include),
        frontend=frontend,
        progress=progress_wanted(args.quiet),
        max_file_size=(
            args.max_file_size
            if args.max_file_size is not None
            else parse_size(config.values.get("max-file-size", DEFAULT_MAX_FILE_SIZE))
        ),
        cache=None if args.no_cache else IrCache(args.cache_dir or os.path.join(_project_root(config), CACHE_DIR_NAME)),
    )
    paths = args.paths
    if args.changed:
        paths, report_only = expand_to_drivers(args.paths)
        if not args.all_findings:
            options.report_only = report_only
    result = call_with_deep_stack(lambda: run(paths, catalog, options))
    if compile_db is not None:
        result.notifications[:0] = compile_db.notifications
    if fallback is not None:
        result.notifications.insert(0, fallback)
    if args.baseline:
        result = apply_baseline(result, read_baseline(args.baseline))
    buffer = io.StringIO()
    if args.format == "sarif":
        write_sarif(result, catalog, buffer, srcroot=args.srcroot or default_srcroot(), category=args.category)
    elif args.format == "json":
        write_json(result, buffer)
    elif args.format == "github":
        write_github(result, buffer)
    else:
        write_text(result, buffer, show_paths=not (args.no_paths or args.quiet), summary=not args.quiet)
    if not args.quiet:
        for note in result.notifications:
            print(format_notification(note), file=sys.stderr)
    if args.statistics:
        for line in statistics(result):
            print(line, file=sys.stderr)
    if args.profile:
        phases = ", ".join(f"{phase} {seconds * 1000:.1f} ms" for phase, seconds in result.timings.items())
        cache = options.cache
        hits = (
            "; no cache"
            if cache is None
            else "; cache: "
            + ", ".join(f"{kind} {cache.hits[kind]} hit(s) {cache.misses[kind]} miss(es)" for kind in cache.hits)
        )
        print(f"ddilint: profile: {phases}{hits}", file=sys.stderr)
    _emit(buffer.getvalue(), args.output)
    if args.write_baseline:
        count = write_baseline(result, args.write_baseline)
        print(f"ddilint: wrote {count} finding(s) to the baseline {args.write_baseline}", file=sys.stderr)
        failed = result.missing_paths or result.nothing_analyzed or any(n.internal for n in result.notifications)
        return EXIT_ERROR if failed else EXIT_CLEAN
    parse_failed = (args.strict or args.strict_parse) and any(n.level == "error" for n in result.notifications)
    code = _exit_code(result)
    if code == EXIT_FINDINGS and args.exit_zero:
        code = EXIT_CLEAN
    return EXIT_ERROR if parse_failed else code


def _project_root(config: Config) -> str:
    """The directory of the configuration file, else the git top level, else the current directory."""
    return config.root if config.path is not None else default_srcroot()


def default_srcroot() -> str:
    """The git top level of the current directory, else the current directory (read-only, no git needed)."""
    here = os.path.abspath(os.getcwd())
    probe = here
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return here
        probe = parent


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    tmp = f"{output}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, output)


def _exit_code(result: RunResult) -> int:
    if any(n.internal for n in result.notifications):
        return EXIT_ERROR  # a bug of ddilint on some file: the others' findings are reported all the same
    if result.missing_paths or result.nothing_analyzed:
        if result.nothing_analyzed:
            print("ddilint: error: nothing to analyze", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
