"""docs/rules/ is generated from rules/checks and must be current; every rule documents the same sections."""

from __future__ import annotations

from ddilint.catalog import load_catalog
from ddilint.rule_docs import GENERATED, render
from tests.conftest import ROOT

SECTIONS = (
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Options",
    "## Limitations",
    "## References",
)


def test_generated_rule_docs_are_current():
    catalog = load_catalog(ROOT / "rules")
    for code, doc in catalog.rules.items():
        page = (ROOT / "docs" / "rules" / f"{code}.md").read_text(encoding="utf-8")
        assert page == f"{GENERATED}\n\n{render(doc)}", f"run scripts/generate_rule_docs.py ({code})"


def test_every_rule_has_every_section_and_is_listed_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code, doc in load_catalog(ROOT / "rules").rules.items():
        for section in SECTIONS:
            assert section in doc.help_markdown, (code, section)
        assert f"[{code}](docs/rules/{code}.md)" in readme
