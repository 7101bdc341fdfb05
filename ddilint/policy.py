"""Deciding which findings are reported: --select / --ignore by code, name or code prefix."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ddilint.catalog import RuleDoc
from ddilint.findings import Finding


class UnknownRuleError(ValueError):
    pass


def resolve(selectors: Sequence[str], rules: dict[str, RuleDoc]) -> set[str]:
    """Rule codes matched by codes (``DDI001``), names (``unchecked-status``) or prefixes (``DDI00``)."""
    codes: set[str] = set()
    for raw in selectors:
        for token in filter(None, (t.strip() for t in raw.split(","))):
            matched = {
                code
                for code, doc in rules.items()
                if token.upper() == "ALL" or code.startswith(token.upper()) or doc.name == token.lower()
            }
            if not matched:
                raise UnknownRuleError(f"unknown rule '{token}' (see 'ddilint rules')")
            codes |= matched
    return codes


def enabled_rules(
    select: Sequence[str],
    ignore: Sequence[str],
    rules: dict[str, RuleDoc],
    extend_select: Sequence[str] = (),
) -> set[str]:
    """Rules to run: ``select`` (default: the rules on by default) plus ``extend_select``, minus ``ignore``."""
    chosen = resolve(select, rules) if select else {code for code, doc in rules.items() if doc.default}
    return (chosen | resolve(extend_select, rules)) - resolve(ignore, rules)


def apply(findings: Iterable[Finding], enabled: set[str]) -> list[Finding]:
    return sorted((f for f in findings if f.code in enabled), key=Finding.sort_key)
