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
        assert page == f"{GENERATED}\n\n{render(doc, catalog)}", f"run scripts/generate_rule_docs.py ({code})"


def test_every_rule_has_every_section_and_is_listed_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code, doc in load_catalog(ROOT / "rules").rules.items():
        for section in SECTIONS:
            assert section in doc.help_markdown, (code, section)
        assert f"[{code}](docs/rules/{code}.md)" in readme


def test_rules_ddis_lists_every_ddi_with_irql_and_pairing(capsys):
    from ddilint.cli import main

    assert main(["rules", "--ddis"]) == 0
    out = capsys.readouterr().out
    catalog = load_catalog(ROOT / "rules")
    assert len(out.splitlines()) == len(catalog.ddis)
    line = next(ln for ln in out.splitlines() if ln.startswith("CmRegisterCallbackEx "))
    assert "APC_LEVEL" in line and "must-check" in line and "undone by CmUnRegisterCallback" in line
    line = next(ln for ln in out.splitlines() if ln.startswith("PsSetCreateProcessNotifyRoutine "))
    assert "undone by PsSetCreateProcessNotifyRoutine (argument 1 = TRUE)" in line


def test_rule_docs_list_the_covered_ddis():
    ddi002 = (ROOT / "docs" / "rules" / "DDI002.md").read_text(encoding="utf-8")
    assert "| `ObRegisterCallbacks` | `ObUnRegisterCallbacks` | the handle it writes through argument 1 |" in ddi002
    ddi003 = (ROOT / "docs" / "rules" / "DDI003.md").read_text(encoding="utf-8")
    assert "| `PsRemoveLoadImageNotifyRoutine` | APC_LEVEL | PASSIVE_LEVEL |" in ddi003
