"""Rule documentation rendered from ``rules/checks/*.md``: for ``ddilint explain`` and ``docs/rules/``."""

from __future__ import annotations

from pathlib import Path

from ddilint.catalog import Catalog, RuleDoc

GENERATED = "<!-- Generated from rules/checks by scripts/generate_rule_docs.py: edit the source, not this file. -->"


def render(doc: RuleDoc) -> str:
    default = "on by default" if doc.default else "off by default"
    header = f"# {doc.code} {doc.name}\n\n*Severity {doc.severity}, precision {doc.precision}, {default}.*\n\n"
    return f"{header}{doc.full}\n\n{doc.help_markdown}"


def write_docs(catalog: Catalog, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for code in sorted(catalog.rules):
        path = directory / f"{code}.md"
        path.write_text(f"{GENERATED}\n\n{render(catalog.rules[code])}", encoding="utf-8")
        written.append(path)
    return written
