"""Shared test helpers: run the CLI in-process exactly as users do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ddilint.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def run_cli(args: list[str], tmp_path: Path) -> tuple[int, dict]:
    """Run ``ddilint check ARGS --format json`` and return (exit code, parsed report)."""
    out = tmp_path / "report.json"
    code = main(["check", *args, "--format", "json", "--output", str(out)])
    return code, json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture
def cli(tmp_path: Path):
    return lambda *args: run_cli(list(args), tmp_path)
