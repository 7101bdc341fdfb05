"""SARIF 2.1.0 output for GitHub code scanning and editors' SARIF viewers.

Plain dictionaries: the document is small and a schema test (plus the SARIF
Multitool in CI) keeps it honest, which no unmaintained object model would add.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from ddilint import HOMEPAGE, __version__
from ddilint.catalog import Catalog, RuleDoc
from ddilint.engine import RunResult
from ddilint.findings import Finding, PathStep
from ddilint.fingerprints import fingerprints
from ddilint.ir import Loc, Notification
from ddilint.report import clean

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
_LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _rule(doc: RuleDoc) -> dict[str, Any]:
    return {
        "id": doc.code,
        "name": _pascal(doc.name),
        "shortDescription": {"text": _sentence(doc.short)},
        "fullDescription": {"text": _sentence(doc.full)},
        "help": {"text": doc.help_markdown, "markdown": doc.help_markdown},
        "helpUri": f"{HOMEPAGE}/blob/main/docs/rules/{doc.code}.md",
        "defaultConfiguration": {"level": _LEVELS[doc.severity], "enabled": doc.default},
        "properties": {"tags": list(doc.tags), "precision": doc.precision, "problem.severity": doc.severity},
    }


def _pascal(name: str) -> str:
    """SARIF rule names are conventionally PascalCase identifiers (``UncheckedStatus``)."""
    return "".join(part.capitalize() for part in name.split("-"))


class _Locations:
    """Builds SARIF locations: URIs relative to ``%SRCROOT%``, regions with source snippets."""

    def __init__(self, srcroot: str, sources: dict[str, list[str]]) -> None:
        self.root = os.path.abspath(srcroot)
        self.sources = sources

    def artifact(self, path: str) -> dict[str, Any]:
        relative = os.path.relpath(os.path.abspath(path), self.root)
        if relative.startswith(".."):
            return {"uri": Path(os.path.abspath(path)).as_uri()}
        return {"uri": quote(os.fsencode(Path(relative).as_posix()), safe="/"), "uriBaseId": SRCROOT}

    def physical(self, loc: Loc) -> dict[str, Any]:
        region: dict[str, Any] = {
            "startLine": loc.line,
            "startColumn": loc.col,
            "endLine": loc.end_line,
            "endColumn": loc.end_col + 1,
        }
        result: dict[str, Any] = {"artifactLocation": self.artifact(loc.file), "region": region}
        lines = self.sources.get(loc.file)
        if lines and 0 < loc.line <= len(lines):
            region["snippet"] = {"text": lines[loc.line - 1]}
            first, last = max(1, loc.line - 2), min(len(lines), loc.end_line + 2)
            result["contextRegion"] = {
                "startLine": first,
                "endLine": last,
                "snippet": {"text": "\n".join(lines[first - 1 : last]) + "\n"},
            }
        return result

    def location(self, loc: Loc, message: str | None = None, ident: int | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {"physicalLocation": self.physical(loc)}
        if ident is not None:
            result["id"] = ident
        if message is not None:
            result["message"] = {"text": _sentence(message)}
        return result


def _message(finding: Finding) -> str:
    """The finding's message with an embedded link to its first related location (SARIF §3.11.6)."""
    text = _sentence(finding.message)
    if finding.related:
        label = finding.related[0].message.replace("[", "(").replace("]", ")")
        text += f" See [{label}](1)."
    return text


def _thread_step(locs: _Locations, step: PathStep, importance: str) -> dict[str, Any]:
    return {"location": locs.location(step.loc, step.message), "importance": importance}


def _result(locs: _Locations, finding: Finding, rule_index: int, fp: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [locs.location(finding.loc)],
        "partialFingerprints": {"ddilintFingerprint/v1": fp},
        "properties": {"ddi": finding.ddi, "function": finding.function},
    }
    if finding.baseline_state is not None:
        result["baselineState"] = finding.baseline_state
    if finding.suppression is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.suppression}]
    if finding.related:
        result["relatedLocations"] = [
            locs.location(step.loc, step.message, ident=i) for i, step in enumerate(finding.related, start=1)
        ]
    if finding.path:
        steps = [
            _thread_step(locs, step, "essential" if i in (0, len(finding.path) - 1) else "important")
            for i, step in enumerate(finding.path)
        ]
        result["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
    return result


def _notification(locs: _Locations, note: Notification) -> dict[str, Any]:
    result: dict[str, Any] = {"level": note.level, "message": {"text": _sentence(note.message)}}
    if note.file:
        physical: dict[str, Any] = {"artifactLocation": locs.artifact(note.file)}
        if note.line:
            physical["region"] = {"startLine": note.line, **({"startColumn": note.col} if note.col else {})}
        result["locations"] = [{"physicalLocation": physical}]
    return result


def sarif_document(result: RunResult, catalog: Catalog, srcroot: str, category: str | None = None) -> dict[str, Any]:
    locs = _Locations(srcroot, result.sources)
    docs = [catalog.rules[code] for code in sorted(catalog.rules)]
    index = {doc.code: i for i, doc in enumerate(docs)}
    everything = sorted((*result.findings, *result.suppressed, *result.baselined), key=Finding.sort_key)
    prints = fingerprints(everything, result.sources)
    results = [_result(locs, f, index[f.code], prints[id(f)]) for f in everything]
    root_uri = Path(os.path.abspath(srcroot)).as_uri().rstrip("/") + "/"
    run_extra: dict[str, Any] = {"automationDetails": {"id": f"{category}/"}} if category else {}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ddilint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": HOMEPAGE,
                        "rules": [_rule(doc) for doc in docs],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
                "invocations": [
                    {
                        "executionSuccessful": not result.nothing_analyzed,
                        "toolExecutionNotifications": [_notification(locs, n) for n in result.notifications],
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "results": results,
                **run_extra,
            }
        ],
    }


def write_sarif(
    result: RunResult, catalog: Catalog, out: TextIO, srcroot: str = ".", category: str | None = None
) -> None:
    json.dump(clean(sarif_document(result, catalog, srcroot, category)), out, indent=2)
    out.write("\n")
