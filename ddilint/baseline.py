"""Baselines: adopt ddilint on an existing tree and fail only on new findings.

A baseline is a JSON document of finding fingerprints (see
:mod:`ddilint.fingerprints`), written atomically. A corrupt or foreign file is
an error, never a silent pass.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter

from ddilint import __version__
from ddilint.engine import RunResult
from ddilint.fingerprints import fingerprints
from ddilint.report import clean

FORMAT = "ddilint-baseline"
VERSION = 1


class BaselineError(ValueError):
    pass


def write_baseline(result: RunResult, path: str) -> int:
    prints = fingerprints(result.findings, result.sources)
    entries = [
        {"fingerprint": prints[id(f)], "code": f.code, "file": f.loc.file, "line": f.loc.line, "message": f.message}
        for f in result.findings
    ]
    document = {"format": FORMAT, "version": VERSION, "tool_version": __version__, "findings": entries}
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(clean(document), handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)
    return len(entries)


def read_baseline(path: str) -> Counter[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: not a ddilint baseline (invalid JSON: {exc})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BaselineError(f'{path}: not a ddilint baseline (missing "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise BaselineError(f"{path}: baseline format version {document.get('version')!r} is not supported")
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "fingerprint" in e for e in entries):
        raise BaselineError(f"{path}: baseline 'findings' must be a list of objects with a fingerprint")
    return Counter(str(e["fingerprint"]) for e in entries)


def apply_baseline(result: RunResult, known: Counter[str]) -> RunResult:
    """Split findings into new ones (reported) and baselined ones (kept for SARIF as 'unchanged')."""
    prints = fingerprints(result.findings, result.sources)
    remaining = Counter(known)
    new, old = [], []
    for finding in result.findings:
        fp = prints[id(finding)]
        if remaining[fp] > 0:
            remaining[fp] -= 1
            old.append(dataclasses.replace(finding, baseline_state="unchanged"))
        else:
            new.append(dataclasses.replace(finding, baseline_state="new"))
    return dataclasses.replace(result, findings=new, baselined=old)
