"""The analysis cache: each file's lowered IR, as JSON, keyed by everything it was made from.

The key hashes the file's bytes, its display path, the frontend options, and a
*toolchain* hash (ddilint's version, the cache format, the bundled headers, the
WDK shims and the rules/ data). Headers the file read from outside ddilint (the
driver's own, a real WDK) are recorded with their content hash in the entry and
checked on load. An entry is plain data (never pickle): one that is truncated,
corrupted, of another version or that does not decode is ignored with one
notice and rebuilt. Entries are written to a temporary file and renamed, so
concurrent runs and killed runs never leave a partial entry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ddilint import __version__, ir
from ddilint.catalog import rules_dir
from ddilint.frontend.clang_args import HEADERS_DIR, WDK_SHIMS_DIR
from ddilint.ir_codec import FORMAT, DecodeError, decode_unit, encode_unit

CACHE_DIR_NAME = ".ddilint_cache"
_README = "This directory is ddilint's analysis cache; it is safe to delete.\n"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by ddilint.\n"


@lru_cache(maxsize=1)
def toolchain_hash() -> str:
    """What every entry depends on besides its own inputs: version, format, bundled headers, shims, rules."""
    digest = hashlib.sha256(f"ddilint {__version__} cache {FORMAT}".encode())
    for root in (HEADERS_DIR, WDK_SHIMS_DIR, rules_dir()):
        for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class IrCache:
    """Lowered units on disk under ``directory``; ``notices`` collects problems (one line each)."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)
        self.notices: list[ir.Notification] = []
        self.hits = 0
        self.misses = 0
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

    def load(self, key: str, display: str) -> ir.TranslationUnit | None:
        entry = self._entry(key)
        try:
            raw = entry.read_bytes()
        except OSError:
            self.misses += 1
            return None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise DecodeError("not a cache entry")
            if data.get("ddilint") != __version__ or data.get("format") != FORMAT or data.get("key") != key:
                raise DecodeError("made by another version")
            for dep, digest in data["dependencies"]:
                if self._file_hash(dep) != digest:
                    self.misses += 1
                    return None  # a header it read has changed: a plain miss
            unit = decode_unit(data["unit"])
        except (ValueError, KeyError, TypeError, AttributeError, DecodeError, RecursionError) as exc:
            self.notices.append(
                ir.Notification("warning", f"ignoring a damaged cache entry ({_short(exc)}); re-analysing", display)
            )
            self.misses += 1
            return None
        self.hits += 1
        return unit

    def store(self, key: str, unit: ir.TranslationUnit) -> None:
        if not self._writable:
            return
        dependencies = [[dep, self._file_hash(dep)] for dep in unit.dependencies]
        data = {
            "ddilint": __version__,
            "format": FORMAT,
            "key": key,
            "dependencies": [d for d in dependencies if d[1] is not None],
            "unit": encode_unit(unit),
        }
        entry = self._entry(key)
        try:
            self._prepare()
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=entry.parent)
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
                json.dump(data, handle, separators=(",", ":"))
            os.replace(tmp, entry)
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
