"""Reading a source file defensively: binary files, encodings, BOM, CRLF.

Every problem becomes a one-line notification; nothing here raises for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass

from ddilint.ir import Notification

_SNIFF = 8192


@dataclass(frozen=True)
class SourceText:
    path: str
    lines: list[str]
    notifications: list[Notification]
    analyzable: bool


def read_source(path: str) -> SourceText:
    """Read ``path`` for analysis. Binary or unreadable files are not analyzable."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return SourceText(path, [], [Notification("error", f"cannot read file: {reason}", path)], False)
    if b"\0" in data[:_SNIFF]:
        return SourceText(path, [], [Notification("error", "binary file (contains NUL bytes), skipped", path)], False)
    notes: list[Notification] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        notes.append(
            Notification(
                "warning",
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); analyzed, excerpts decoded as Latin-1",
                path,
                line,
            )
        )
        text = data.decode("latin-1")
    return SourceText(path, text.splitlines(), notes, True)
