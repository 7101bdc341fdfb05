"""Regenerate docs/rules/DDI*.md from rules/checks (tests/test_rule_docs.py checks they are current)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ddilint.catalog import load_catalog  # noqa: E402
from ddilint.rule_docs import write_docs  # noqa: E402

if __name__ == "__main__":
    for path in write_docs(load_catalog(ROOT / "rules"), ROOT / "docs" / "rules"):
        print(path.relative_to(ROOT))
