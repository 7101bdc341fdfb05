"""JSON output: a stable, documented document (see docs/json-format.md)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from ddilint import __version__
from ddilint.engine import RunResult
from ddilint.findings import Finding, PathStep
from ddilint.report import clean

FORMAT_VERSION = 1


def _step(step: PathStep) -> dict[str, Any]:
    return {"file": step.loc.file, "line": step.loc.line, "column": step.loc.col, "message": step.message}


def finding_to_dict(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "file": f.loc.file,
        "line": f.loc.line,
        "column": f.loc.col,
        "end_line": f.loc.end_line,
        "end_column": f.loc.end_col,
        "ddi": f.ddi,
        "function": f.function,
        "path": [_step(s) for s in f.path],
        "related": [_step(s) for s in f.related],
    }


def write_json(result: RunResult, out: TextIO) -> None:
    document = {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "ddilint", "version": __version__},
        "findings": [finding_to_dict(f) for f in result.findings],
        "suppressed": [{**finding_to_dict(f), "justification": f.suppression} for f in result.suppressed],
        "notifications": [
            {"level": n.level, "message": n.message, "file": n.file, "line": n.line, "column": n.col}
            for n in result.notifications
        ],
        "summary": {"findings": len(result.findings), "files_analyzed": result.files_analyzed},
    }
    json.dump(clean(document), out, indent=2)
    out.write("\n")
