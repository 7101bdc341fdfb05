"""Reporters: they see findings and notifications only, never checks or parsers.

File names come from the analysed tree and may hold anything a file system
allows: spaces, quotes, backslashes, newlines, non-ASCII, and bytes that are
not UTF-8 (which Python keeps as lone surrogates). ``printable`` makes such a
name safe for one line of text; ``clean`` makes a document safe for any JSON
reader (a lone surrogate is not valid Unicode). SARIF URIs are percent-encoded
from the name's bytes, so they still name the file exactly.
"""

from __future__ import annotations

import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text: str) -> str:
    """``text`` on one line: control characters as ``\\n``-style escapes, undecodable bytes as ``\\xff``."""
    text = unsurrogated(text)
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def unsurrogated(text: str) -> str:
    """Undecodable bytes of a file name (``\\udcff``) as ``\\xff``: valid Unicode, still telling."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


def clean(value: Any) -> Any:
    """A JSON document with every string made valid Unicode."""
    stack = [value]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, item in list(items):
            if isinstance(item, str):
                node[key] = unsurrogated(item)
            elif isinstance(item, (dict, list)):
                stack.append(item)
    return value
