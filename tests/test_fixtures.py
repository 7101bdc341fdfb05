"""Every fixture through the CLI: findings must match the ``// expect: DDI00N`` marks exactly.

A fixture is a ``.c``/``.cpp`` file or a directory (one driver of several files) under
``fixtures/<RULE>/``. A line may carry several marks (``// expect: DDI001, DDI002``);
a file without marks must produce no finding.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest

from ddilint.discovery import SOURCE_SUFFIXES
from tests.conftest import FIXTURES, run_cli

MARKED_SUFFIXES = (*SOURCE_SUFFIXES, ".h")

MARK = re.compile(r"//\s*expect:\s*((?:DDI\d{3}[\s,]*)+)")


def fixture_paths() -> list[Path]:
    return sorted(
        p
        for rule_dir in FIXTURES.iterdir()
        if rule_dir.is_dir()
        for p in rule_dir.iterdir()
        if p.suffix in SOURCE_SUFFIXES or p.is_dir()
    )


def expected_marks(fixture: Path) -> Counter:
    files = [fixture] if fixture.is_file() else sorted(p for p in fixture.rglob("*") if p.suffix in MARKED_SUFFIXES)
    marks: Counter = Counter()
    for f in files:
        for number, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            m = MARK.search(line)
            if m:
                for code in re.findall(r"DDI\d{3}", m.group(1)):
                    marks[(f.resolve(), number, code)] += 1
    return marks


@pytest.mark.parametrize("fixture", fixture_paths(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(fixture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES.parent)
    code, report = run_cli([str(fixture.relative_to(FIXTURES.parent))], tmp_path)
    errors = [n for n in report["notifications"] if n["level"] == "error"]
    assert not errors, f"fixture does not parse cleanly: {errors}"
    got: Counter = Counter(
        (Path(os.path.abspath(f["file"])).resolve(), f["line"], f["code"]) for f in report["findings"]
    )
    expected = expected_marks(fixture)
    missing = expected - got
    extra = got - expected
    messages = {
        (Path(os.path.abspath(f["file"])).resolve(), f["line"], f["code"]): f["message"] for f in report["findings"]
    }
    assert not missing and not extra, (
        f"missing: {sorted((p.name, line, c) for p, line, c in missing)}; "
        f"extra: {[(p.name, line, c, messages[(p, line, c)]) for p, line, c in sorted(extra)]}"
    )
    assert code == (1 if expected else 0)


def test_every_rule_has_positive_and_negative_fixtures() -> None:
    for rule_dir in (d for d in FIXTURES.iterdir() if d.is_dir()):
        names = [p.name for p in rule_dir.iterdir()]
        assert any(n.startswith("pos_") for n in names), rule_dir
        assert any(n.startswith("neg_") for n in names), rule_dir
