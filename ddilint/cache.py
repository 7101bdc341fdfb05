"""The analysis cache: each file's lowered IR and each driver's findings, as JSON, keyed by what they came from.

A file's key hashes its bytes, its display path, the frontend options, and a
*toolchain* hash (ddilint's version, the cache format, the bundled headers, the
WDK shims and the rules/ data). Headers the file read from outside ddilint (the
driver's own, a real WDK) are recorded with their content hash in the entry and
checked on load. A driver's outcome (findings, notifications) is keyed by the
enabled checks and the fingerprints (key plus current header hashes) of its
files, which are read from the first line of their entries: a driver that did
not change is reported without decoding its IR.

Entries are plain data (never pickle): one that is truncated, corrupted, of
another version or that does not decode is ignored with one notice and rebuilt.
Entries are written to a temporary file and renamed, so concurrent runs and
killed runs never leave a partial entry.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ddilint import __version__, ir
from ddilint.catalog import rules_dir
from ddilint.codec import (
    FORMAT,
    DecodeError,
    decode_findings,
    decode_notifications,
    decode_unit,
    encode_findings,
    encode_notifications,
    encode_unit,
)
from ddilint.findings import Finding

CACHE_DIR_NAME = ".ddilint_cache"
PACKAGE_DIR = Path(__file__).resolve().parent  # the code, the bundled headers and the WDK shims
_README = "This directory is ddilint's analysis cache; it is safe to delete.\n"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by ddilint.\n"


@lru_cache(maxsize=1)
def toolchain_hash() -> str:
    """What every entry depends on besides its own inputs: ddilint's own code, headers, shims and rules data.

    Hashing the package's code (not just its version) keeps a development
    checkout from reading results an older build of the analyses produced.
    """
    digest = hashlib.sha256(f"ddilint {__version__} cache {FORMAT}".encode())
    for root in (PACKAGE_DIR, rules_dir()):
        for path in sorted(p for p in Path(root).rglob("*") if p.is_file() and p.suffix != ".pyc"):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Outcome:
    """What the cache keeps of an analysed driver."""

    findings: list[Finding]
    notifications: list[ir.Notification]
    analyzed: int


class IrCache:
    """Lowered units on disk under ``directory``; ``notices`` collects problems (one line each)."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)
        self.notices: list[ir.Notification] = []
        self.hits = {"files": 0, "drivers": 0}
        self.misses = {"files": 0, "drivers": 0}
        self._writable = True
        self._hashes: dict[str, str | None] = {}  # per run: a file edited between two runs is hashed again

    def _file_hash(self, path: str) -> str | None:
        if path not in self._hashes:
            try:
                self._hashes[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                self._hashes[path] = None
        return self._hashes[path]

    def key(self, path: str, display: str, options: Any) -> str | None:
        """The entry key for ``path`` parsed with ``options`` (a dataclass), or None if the file cannot be read."""
        content = self._file_hash(os.path.abspath(path))
        if content is None:
            return None
        fields = json.dumps(_plain(options), sort_keys=True, default=str)
        text = "\0".join((toolchain_hash(), os.path.abspath(path), display, fields, content))
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()

    def unit_fingerprint(self, key: str, unit: ir.TranslationUnit) -> str:
        """The key plus the current content of every header the unit read: what its findings depend on."""
        return self._fingerprint(key, unit.dependencies)

    def fingerprint_of(self, key: str) -> str | None:
        """A cached file's fingerprint from its entry's first line alone (no IR decoded), or None."""
        try:
            read = self._read(key, body=False)
            return self._fingerprint(key, [dep for dep, _ in read[0]["dependencies"]]) if read else None
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None  # reported, and rebuilt, when the file itself is loaded

    def _fingerprint(self, key: str, dependencies: list[str]) -> str:
        parts = [key, *(f"{dep}\0{self._file_hash(dep)}" for dep in dependencies)]
        return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def outcome_key(self, enabled: frozenset[str], fingerprints: list[str]) -> str:
        """The key of a driver's outcome: its files' fingerprints, in order, and the enabled checks."""
        parts = [toolchain_hash(), "outcome", ",".join(sorted(enabled)), *fingerprints]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def absorb(self, hits: dict[str, int], misses: dict[str, int], notices: list[ir.Notification]) -> None:
        """Add what a worker's cache saw to this one's counts and notices."""
        for kind, count in hits.items():
            self.hits[kind] += count
        for kind, count in misses.items():
            self.misses[kind] += count
        self.notices.extend(notices)

    def has(self, key: str) -> bool:
        """Is there an entry (valid or not) for a file's key? Counts a miss when there is none."""
        present = self._entry(key).is_file()
        if not present:
            self.misses["files"] += 1
        return present

    def load(self, key: str, display: str) -> ir.TranslationUnit | None:
        try:
            read = self._read(key, body=True)
            if read is None or any(self._file_hash(dep) != digest for dep, digest in read[0]["dependencies"]):
                self.misses["files"] += 1
                return None  # no entry, or a header it read has changed: a plain miss
            unit = decode_unit(read[1])
        except (ValueError, KeyError, TypeError, AttributeError, DecodeError, RecursionError) as exc:
            return self._damaged(exc, display, "files")
        self.hits["files"] += 1
        return unit

    def store(self, key: str, unit: ir.TranslationUnit) -> None:
        dependencies = [[dep, self._file_hash(dep)] for dep in unit.dependencies]
        self._write(key, {"dependencies": [d for d in dependencies if d[1] is not None]}, encode_unit(unit))

    def load_outcome(self, key: str, display: str) -> Outcome | None:
        """A driver's findings, notifications and number of analyzed files, if cached."""
        try:
            read = self._read(key, body=False)
            if read is None:
                self.misses["drivers"] += 1
                return None
            header = read[0]
            findings = decode_findings(header["findings"])
            notifications = decode_notifications(header["notifications"])
            analyzed = int(header["analyzed"])
        except (ValueError, KeyError, TypeError, AttributeError, DecodeError, RecursionError) as exc:
            return self._damaged(exc, display, "drivers")
        self.hits["drivers"] += 1
        return Outcome(findings, notifications, analyzed)

    def store_outcome(self, key: str, outcome: Outcome) -> None:
        self._write(
            key,
            {
                "findings": encode_findings(outcome.findings),
                "notifications": encode_notifications(outcome.notifications),
                "analyzed": outcome.analyzed,
            },
        )

    def _read(self, key: str, body: bool) -> tuple[dict[str, Any], Any] | None:
        """The entry's header (first line) and, if asked, its body (second line); None if there is no entry.

        Raises ValueError when the entry is damaged or made by another version.
        """
        try:
            raw = self._entry(key).read_bytes()
        except OSError:
            return None
        first, _, rest = raw.partition(b"\n")
        header = json.loads(first)
        if not isinstance(header, dict):
            raise DecodeError("not a cache entry")
        if header.get("ddilint") != __version__ or header.get("format") != FORMAT or header.get("key") != key:
            raise DecodeError("made by another version")
        if body and not rest:
            raise DecodeError("truncated")
        return header, (json.loads(rest) if body else None)

    def _damaged(self, exc: BaseException, display: str, kind: str) -> None:
        self.notices.append(
            ir.Notification("warning", f"ignoring a damaged cache entry ({_short(exc)}); re-analysing", display)
        )
        self.misses[kind] += 1
        return None

    def _write(self, key: str, header: dict[str, Any], body: Any = None) -> None:
        if not self._writable:
            return
        data = {"ddilint": __version__, "format": FORMAT, "key": key, **header}
        entry = self._entry(key)
        try:
            self._prepare()
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=entry.parent)
            try:
                # json.dumps, not json.dump: only the one-shot form uses the C encoder.
                text = json.dumps(data, separators=(",", ":"))  # one line: JSON escapes newlines
                if body is not None:
                    text += "\n" + json.dumps(body, separators=(",", ":"))
                with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
                    handle.write(text)
                os.replace(tmp, entry)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except (OSError, RecursionError, ValueError) as exc:
            self._writable = False
            self.notices.append(ir.Notification("warning", f"cannot write the cache in {self.directory}: {exc}", ""))

    def _entry(self, key: str) -> Path:
        return self.directory / f"v{FORMAT}" / key[:2] / f"{key}.json"

    def _prepare(self) -> None:
        """Create the directory with a README, a CACHEDIR.TAG and a .gitignore that ignores everything."""
        if (self.directory / ".gitignore").exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in (("README", _README), ("CACHEDIR.TAG", _TAG), (".gitignore", "*\n")):
            target = self.directory / name
            if not target.exists():
                target.write_text(text, encoding="utf-8")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple, set, frozenset)):
        items: Iterable[Any] = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [_plain(v) for v in items]
    return value


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:80]
