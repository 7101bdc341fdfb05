"""Compiler-style text output: ``path:line:col: warning: message [DDI001 unchecked-status]``."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from ddilint.engine import RunResult
from ddilint.ir import Loc, Notification
from ddilint.report import printable, unsurrogated


def format_notification(note: Notification) -> str:
    where = printable(note.file)
    if note.line:
        where += f":{note.line}"
        if note.col:
            where += f":{note.col}"
    return f"{where}: {note.level}: {printable(note.message)}"


def _at(loc: Loc) -> str:
    return f"{printable(loc.file)}:{loc.line}:{loc.col}"


def write_text(result: RunResult, out: TextIO, show_paths: bool = True, summary: bool = True) -> None:
    for f in result.findings:
        out.write(f"{_at(f.loc)}: {f.severity}: {printable(f.message)} [{f.code} {f.name}]\n")
        if show_paths:
            printed = set()
            for step in f.path:
                if (step.loc.line, step.loc.col) == (f.loc.line, f.loc.col) and step.loc.file == f.loc.file:
                    continue  # the finding's own line says it
                printed.add((step.loc.file, step.loc.line))
                out.write(f"{_at(step.loc)}: note: {printable(step.message)}\n")
            for step in f.related:
                if (step.loc.file, step.loc.line) not in printed:
                    out.write(f"{_at(step.loc)}: note: {printable(step.message)}\n")
    if summary:
        out.write(summary_line(result) + "\n")


def summary_line(result: RunResult) -> str:
    n = len(result.findings)
    files = result.files_analyzed
    where = f"{files} file{'s' if files != 1 else ''} analyzed"
    if result.suppressed:
        where += f", {len(result.suppressed)} suppressed"
    if result.baselined:
        where += f", {len(result.baselined)} in the baseline"
    if not n:
        return f"No findings ({where})."
    per_rule = Counter(f.code for f in result.findings)
    detail = ", ".join(f"{code}: {count}" for code, count in sorted(per_rule.items()))
    return f"Found {n} finding{'s' if n != 1 else ''} ({detail}; {where})."


def statistics(result: RunResult) -> list[str]:
    """Counts per rule, suppressed counts, and bare ``ignore`` markers (``--statistics``)."""
    lines = []
    codes = sorted({f.code for f in (*result.findings, *result.suppressed)})
    for code in codes:
        active = sum(1 for f in result.findings if f.code == code)
        quiet = sum(1 for f in result.suppressed if f.code == code)
        name = next(f.name for f in (*result.findings, *result.suppressed) if f.code == code)
        lines.append(f"{active:5d}  {code} {name}" + (f" ({quiet} suppressed)" if quiet else ""))
    bare = [s for s in result.suppressions if s.codes is None]
    if bare:
        lines.append(f"{len(bare):5d}  bare 'ddilint: ignore' markers without rule codes")
    return lines


def _property(value: str) -> str:
    """A workflow-command property value (GitHub's escaping: ``%``, CR, LF, ``:`` and ``,``)."""
    value = unsurrogated(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C")


def write_github(result: RunResult, out: TextIO) -> None:
    """GitHub Actions workflow commands: one annotation per finding."""
    for f in result.findings:
        level = "error" if f.severity == "error" else "warning" if f.severity == "warning" else "notice"
        message = f"{f.message} [{f.code} {f.name}]".replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        out.write(
            f"::{level} file={_property(f.loc.file)},line={f.loc.line},col={f.loc.col},"
            f"endLine={f.loc.end_line},title={f.code} {f.name}::{message}\n"
        )
