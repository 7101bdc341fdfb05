"""Rule documentation rendered from ``rules/checks/*.md`` and the DDI tables of ``rules/ddi/``:
for ``ddilint explain``, ``ddilint rules --ddis`` and ``docs/rules/``."""

from __future__ import annotations

from pathlib import Path

from ddilint.catalog import Catalog, Ddi, RuleDoc

GENERATED = "<!-- Generated from rules/ by scripts/generate_rule_docs.py: edit the source, not this file. -->"

_LINKS = {
    "routine": "the same routine",
    "handle_out": "the handle it writes through argument {register}",
    "cookie_out": "the cookie it writes through argument {register}",
    "returned_handle": "the handle it returns",
    "object": "the same object (argument {register})",
    "same_ddi": "the same routine, with the removal flag set",
    "any": "any call of it, which undoes every registration",
}
_FAILURES = {"ntstatus": "a negative NTSTATUS", "false": "FALSE", "null": "NULL", "none": "-"}


def render(doc: RuleDoc, catalog: Catalog | None = None) -> str:
    default = "on by default" if doc.default else "off by default"
    header = f"# {doc.code} {doc.name}\n\n*Severity {doc.severity}, precision {doc.precision}, {default}.*\n\n"
    covered = covered_ddis(doc.code, catalog) if catalog is not None else ""
    return f"{header}{doc.full}\n\n{covered}{doc.help_markdown}"


def covered_ddis(code: str, catalog: Catalog) -> str:
    """The DDIs a rule covers, as a Markdown table from ``rules/ddi/`` (empty for other rules)."""
    ddis = sorted(catalog.ddis.values(), key=lambda d: d.name)
    if code == "DDI001":
        rows = [f"| `{d.name}` | {d.returns} | {_FAILURES[d.failure]} | {_codes(d)} |" for d in ddis if d.must_check]
        head = "| DDI | returns | failure shows as | documented failures |\n|---|---|---|---|"
    elif code == "DDI002":
        rows = [f"| `{d.name}` | `{d.pairing.unregister}`{_removal(d)} | {_link(d)} |" for d in ddis if d.pairing]
        head = "| registration | undone by | linked by |\n|---|---|---|"
    elif code == "DDI003":
        rows = [f"| `{d.name}` | {d.max_irql} | {d.header_max_irql or ''} | {', '.join(d.sdv_rules)} |" for d in ddis]
        head = "| DDI | maximum IRQL (documentation) | WDK header, when it differs | SDV rules |\n|---|---|---|---|"
    else:
        return ""
    return f"## Covered DDIs\n\nFrom `rules/ddi/*.toml` ({len(rows)} DDIs).\n\n{head}\n" + "\n".join(rows) + "\n\n"


def _codes(ddi: Ddi) -> str:
    return ", ".join(f"`{c}`" for c in ddi.failure_codes) or "-"


def _removal(ddi: Ddi) -> str:
    if ddi.removal is None:
        return ""
    return f" (argument {ddi.removal.arg} = {'TRUE' if ddi.removal.value else 'FALSE'})"


def _link(ddi: Ddi) -> str:
    assert ddi.pairing is not None
    return _LINKS[ddi.pairing.link].format(register=ddi.pairing.register_arg)


def ddi_table(catalog: Catalog) -> list[str]:
    """One line per DDI for ``ddilint rules --ddis``: name, maximum IRQL, must-check, pairing."""
    lines = []
    for ddi in sorted(catalog.ddis.values(), key=lambda d: d.name):
        check = "must-check" if ddi.must_check else ""
        pair = f"undone by {ddi.pairing.unregister}{_removal(ddi)} ({_link(ddi)})" if ddi.pairing else ""
        lines.append(f"{ddi.name:<42} {ddi.max_irql:<15} {check:<10} {pair}".rstrip())
    return lines


def write_docs(catalog: Catalog, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for code in sorted(catalog.rules):
        path = directory / f"{code}.md"
        path.write_text(f"{GENERATED}\n\n{render(catalog.rules[code], catalog)}", encoding="utf-8")
        written.append(path)
    return written
