"""Source columns for positions in preprocessed text (the pure-Python frontend).

pcpp keeps every source line on its own line, but a macro expands in place,
so a column in the preprocessed line is not the column in the source:
``if (!NT_SUCCESS(status)) return STATUS_UNSUCCESSFUL;`` is much longer once
expanded. The tokens of the two lines are aligned (longest common
subsequence): a token that is in both (text outside macros, and macro
arguments) maps to its own source column, like libclang's spelling
positions; a token that came out of an expansion maps to the start of the
macro use it came from (libclang's expansion position), also when it
follows an argument of that macro (``>= 0`` after ``status`` in ``NT_SUCCESS(status)``).
"""

from __future__ import annotations

import bisect
import re
from difflib import SequenceMatcher

from ddilint.frontend.source_text import blank_comments

_TOKEN = re.compile(
    r'"(?:\\.|[^"\\\n])*"?|\'(?:\\.|[^\'\\\n])*\'?'  # literals
    r"|[A-Za-z_]\w*|\.?\d(?:[eEpP][+-]|[\w.])*"  # words, numbers
    r"|->|\+\+|--|<<=?|>>=?|[<>=!&|^+\-*/%]=|&&|\|\||##?|\S"  # punctuators
)


class ColumnMap:
    """Maps 1-based columns of one file's preprocessed lines to columns of its source lines."""

    def __init__(self, source_lines: list[str], expanded_lines: dict[int, str]) -> None:
        self._source = blank_comments(source_lines)
        self._expanded = expanded_lines
        self._maps: dict[int, tuple[list[int], list[int]] | None] = {}

    def column(self, line: int, col: int) -> int:
        if line not in self._maps:
            self._maps[line] = self._build(line)
        table = self._maps[line]
        if table is None:
            return col
        starts, targets = table
        i = bisect.bisect_left(starts, col)
        return targets[i] if i < len(targets) else targets[-1] if targets else col

    def _build(self, line: int) -> tuple[list[int], list[int]] | None:
        expanded = self._expanded.get(line)
        if expanded is None or not 0 < line <= len(self._source):
            return None
        source = self._source[line - 1]
        if expanded.rstrip() == source.rstrip():
            return None
        src = [(m.start() + 1, m.group()) for m in _TOKEN.finditer(source)]
        exp = [(m.start() + 1, m.group()) for m in _TOKEN.finditer(expanded)]
        matcher = SequenceMatcher(None, [t for _, t in src], [t for _, t in exp], autojunk=False)
        end = len(source.rstrip()) + 1
        starts: list[int] = []
        targets: list[int] = []
        use = end  # where the last macro use seen starts
        for op, i1, _, j1, j2 in matcher.get_opcodes():
            if op == "replace":  # a macro use (i1..i2) and the start of its expansion
                use = src[i1][0]
            for k in range(j1, j2):
                if op == "equal":
                    target = src[i1 + k - j1][0]
                elif op == "replace":
                    target = use
                else:  # inserted: the rest of the expansion after one of its arguments (``>= 0`` of NT_SUCCESS)
                    target = use if use != end else src[i1][0] if i1 < len(src) else end
                starts.append(exp[k][0])
                targets.append(target)
        return starts, targets
