"""Reading C source as text: comments and literals masked, macro uses found, brackets matched.

Shared by both frontends (the libclang one finds assertion-macro uses with it,
the pure-Python one function ends and recovery spans).
"""

from __future__ import annotations

import bisect
import re


def macro_use_ranges(lines: list[str], names: frozenset[str]) -> list[tuple[int, int, int, int]]:
    """Where the given function-like macros (assertions) are used: (line, col, end line, end col), 1-based.

    Read from the text rather than from libclang's preprocessing record, which
    would make every parse report thousands of header macros. Comments and
    string literals are skipped; the range runs to the matching parenthesis.
    """
    if not names:
        return []
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names))) + r")\s*\(")
    text = "\n".join(lines)
    masked = mask_comments_and_strings(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    ranges = []
    for match in pattern.finditer(masked):
        end = matching_paren(masked, match.end() - 1)
        if end is None:
            continue
        ranges.append((*_position(starts, match.start()), *_position(starts, end)))
    return ranges


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    line = bisect.bisect_right(starts, offset) - 1
    return line + 1, offset - starts[line] + 1


def matching_paren(text: str, open_at: int) -> int | None:
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return None


_COMMENT_OR_STRING = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)


def mask_comments_and_strings(text: str) -> str:
    """Blank out comments and literals, keeping offsets (newlines stay)."""
    return _COMMENT_OR_STRING.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


_COMMENT = re.compile(r'//[^\n]*|/\*.*?\*/|("(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\')', re.S)


def blank_comments(lines: list[str]) -> list[str]:
    """``lines`` with comments (also those spanning lines) blanked out; literals and offsets kept."""

    def blank(match: re.Match[str]) -> str:
        return match.group(0) if match.group(1) else re.sub(r"[^\n]", " ", match.group(0))

    return _COMMENT.sub(blank, "\n".join(lines)).split("\n")
