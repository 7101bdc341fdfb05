"""Compiler-style text output: ``path:line:col: warning: message [DDI001 unchecked-status]``."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from ddilint.engine import RunResult
from ddilint.ir import Notification


def format_notification(note: Notification) -> str:
    where = note.file
    if note.line:
        where += f":{note.line}"
        if note.col:
            where += f":{note.col}"
    return f"{where}: {note.level}: {note.message}"


def write_text(result: RunResult, out: TextIO, show_paths: bool = True) -> None:
    for f in result.findings:
        out.write(f"{f.loc.file}:{f.loc.line}:{f.loc.col}: {f.severity}: {f.message} [{f.code} {f.name}]\n")
        if show_paths:
            printed = set()
            for step in f.path:
                if (step.loc.line, step.loc.col) == (f.loc.line, f.loc.col) and step.loc.file == f.loc.file:
                    continue  # the finding's own line says it
                printed.add((step.loc.file, step.loc.line))
                out.write(f"{step.loc.file}:{step.loc.line}:{step.loc.col}: note: {step.message}\n")
            for step in f.related:
                if (step.loc.file, step.loc.line) not in printed:
                    out.write(f"{step.loc.file}:{step.loc.line}:{step.loc.col}: note: {step.message}\n")
    out.write(summary(result) + "\n")


def summary(result: RunResult) -> str:
    n = len(result.findings)
    files = result.files_analyzed
    where = f"{files} file{'s' if files != 1 else ''} analyzed"
    if not n:
        return f"No findings ({where})."
    per_rule = Counter(f.code for f in result.findings)
    detail = ", ".join(f"{code}: {count}" for code, count in sorted(per_rule.items()))
    return f"Found {n} finding{'s' if n != 1 else ''} ({detail}; {where})."
