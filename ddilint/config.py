"""Project configuration: ``[tool.ddilint]`` in pyproject.toml, or ``ddilint.toml`` / ``.ddilint.toml``.

Found by walking up from the first analyzed path (or the current directory).
It is data only: no key can name code to run or a place to write. Paths and
globs in it are relative to the file's directory. Command-line options win.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CANDIDATES = ("ddilint.toml", ".ddilint.toml", "pyproject.toml")
_LIST_KEYS = ("select", "ignore", "extend-select", "include", "exclude", "include-dirs", "defines")
_KEYS = {*_LIST_KEYS, "severity", "per-file-ignores", "drivers", "frontend", "timeout", "max-file-size"}
_FRONTENDS = ("auto", "libclang", "pycparser")
_LEVELS = ("error", "warning", "note")


class ConfigError(ValueError):
    """A bad configuration file: the message names the file and the key."""


@dataclass(frozen=True)
class DriverUnit:
    name: str
    files: tuple[str, ...]  # globs, relative to the configuration's directory


@dataclass
class Config:
    path: str | None = None  # where it was read from (None: defaults)
    root: str = "."
    values: dict[str, Any] = field(default_factory=dict)

    def list(self, key: str) -> list[str]:
        return list(self.values.get(key, []))

    @property
    def severity(self) -> dict[str, str]:
        return dict(self.values.get("severity", {}))

    @property
    def per_file_ignores(self) -> dict[str, list[str]]:
        return dict(self.values.get("per-file-ignores", {}))

    @property
    def drivers(self) -> list[DriverUnit]:
        return [DriverUnit(d["name"], tuple(d["files"])) for d in self.values.get("drivers", [])]

    def relative(self, path: str) -> str:
        """``path`` relative to the configuration's directory, with forward slashes."""
        return os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")

    def matches(self, path: str, pattern: str) -> bool:
        rel = self.relative(path)
        return fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*")

    def included(self, path: str) -> bool:
        include, exclude = self.list("include"), self.list("exclude")
        if include and not any(self.matches(path, g) for g in include):
            return False
        return not any(self.matches(path, g) for g in exclude)

    def resolved_dirs(self) -> list[str]:
        return [os.path.normpath(os.path.join(self.root, d)) for d in self.list("include-dirs")]


def find_config(start: str) -> Config:
    """The nearest configuration above ``start`` (a file or directory), or the defaults."""
    probe = Path(os.path.abspath(start))
    if not probe.is_dir():
        probe = probe.parent
    for directory in (probe, *probe.parents):
        for name in CANDIDATES:
            candidate = directory / name
            if candidate.is_file():
                config = load_config(str(candidate))
                if config is not None:
                    return config
    return Config()


def load_config(path: str) -> Config | None:
    """Read one file; None for a pyproject.toml without ``[tool.ddilint]``."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    if os.path.basename(path) == "pyproject.toml":
        table = data.get("tool", {}).get("ddilint")
        if table is None:
            return None
        where = "[tool.ddilint]"
    else:
        table, where = data, ""
    return Config(path, os.path.dirname(os.path.abspath(path)), _validate(path, where, table))


def _validate(path: str, where: str, table: Any) -> dict[str, Any]:
    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{path}: {where + '.' if where else ''}{key}: {problem}")

    if not isinstance(table, dict):
        raise fail("", "must be a table")
    for key, value in table.items():
        if key not in _KEYS:
            raise fail(key, f"unknown key (known: {', '.join(sorted(_KEYS))})")
        if key in _LIST_KEYS and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise fail(key, "must be a list of strings")
    if "timeout" in table:
        timeout = table["timeout"]
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            raise fail("timeout", f"must be a number of seconds (0: no limit), not {timeout!r}")
    if "max-file-size" in table:
        try:
            parse_size(table["max-file-size"])
        except ValueError as exc:
            raise fail("max-file-size", str(exc)) from exc
    if "frontend" in table and table["frontend"] not in _FRONTENDS:
        raise fail("frontend", f"must be one of {', '.join(_FRONTENDS)}, not {table['frontend']!r}")
    for rule, level in table.get("severity", {}).items():
        if level not in _LEVELS:
            raise fail(f"severity.{rule}", f"must be one of {', '.join(_LEVELS)}, not {level!r}")
    for glob, rules in table.get("per-file-ignores", {}).items():
        if not (isinstance(rules, list) and all(isinstance(r, str) for r in rules)):
            raise fail(f"per-file-ignores.{glob}", "must be a list of rule codes or names")
    for i, unit in enumerate(table.get("drivers", [])):
        if not isinstance(unit, dict) or set(unit) != {"name", "files"} or not isinstance(unit.get("files"), list):
            raise fail(f"drivers[{i}]", 'must be a table with "name" and "files" (a list of globs)')
    for key in ("severity", "per-file-ignores"):
        if key in table and not isinstance(table[key], dict):
            raise fail(key, "must be a table")
    if "drivers" in table and not isinstance(table["drivers"], list):
        raise fail("drivers", "must be an array of tables")
    return dict(table)


_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(value: object) -> int:
    """A size in bytes from ``8388608``, ``"8M"``, ``"512K"`` or ``"1G"`` (0: no limit)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = re.fullmatch(r"\s*(\d+)\s*([KMG]?)i?B?\s*", str(value), re.IGNORECASE) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"must be a size such as 8M, 512K or a number of bytes, not {value!r}")
    return int(match.group(1)) * _UNITS[match.group(2).upper()]
