"""Stable identities for findings, shared by SARIF ``partialFingerprints`` and baselines."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ddilint.findings import Finding


def line_key(finding: Finding, source_lines: list[str]) -> str:
    """Rule, file, function and the flagged line's normalized text: not its number, so edits above do not matter."""
    line = source_lines[finding.loc.line - 1] if 0 < finding.loc.line <= len(source_lines) else ""
    normalized = " ".join(line.split())
    key = "\0".join((finding.code, finding.loc.file, finding.function, normalized))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def fingerprints(findings: Iterable[Finding], sources: dict[str, list[str]]) -> dict[int, str]:
    """``id(finding)`` -> ``<line key>:<n>``, n counting findings with the same key in file order."""
    seen: dict[str, int] = {}
    result = {}
    for finding in sorted(findings, key=Finding.sort_key):
        base = line_key(finding, sources.get(finding.loc.file, []))
        result[id(finding)] = f"{base}:{seen.get(base, 0)}"
        seen[base] = seen.get(base, 0) + 1
    return result
