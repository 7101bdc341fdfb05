"""The benchmark corpus generator (``bench/corpus.py``): deterministic output, and ddilint's findings on it
match its ``// expect: DDI00N`` marks exactly (the convention of ``fixtures/``)."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

from tests.conftest import ROOT, run_cli

MARK = re.compile(r"//\s*expect:\s*((?:DDI\d{3}[\s,]*)+)")
FIRST_DIRECTIVE = re.compile(r"#include <(ntddk|ntifs|wdm)\.h>")


def load_corpus_module() -> ModuleType:
    """bench/ is not a package: load bench/corpus.py by path (registered, as dataclasses require)."""
    name = "ddilint_bench_corpus"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


corpus = load_corpus_module()


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def expected_marks(root: Path) -> Counter:
    marks: Counter = Counter()
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".c", ".h"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            m = MARK.search(line)
            if m:
                for code in re.findall(r"DDI\d{3}", m.group(1)):
                    marks[(path.resolve(), number, code)] += 1
    return marks


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first = corpus.generate(tmp_path / "a", seed=7)
    second = corpus.generate(tmp_path / "b", seed=7)
    assert first == second
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_different_seed_differs(tmp_path: Path) -> None:
    corpus.generate(tmp_path / "a", seed=1)
    corpus.generate(tmp_path / "b", seed=2)
    assert tree(tmp_path / "a") != tree(tmp_path / "b")


def test_copies_add_distinct_drivers(tmp_path: Path) -> None:
    one = corpus.generate(tmp_path / "one", seed=3)
    two = corpus.generate(tmp_path / "two", seed=3, copies=2)
    first, both = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert all(both[name] == data for name, data in first.items())  # copy 0 does not depend on the count
    assert two.drivers == 2 * one.drivers == 48
    assert len({name.split("/")[0] for name in both}) == 48
    assert 1.5 * one.lines < two.lines < 2.5 * one.lines


def test_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "stale.c").write_text("int x;\n", encoding="utf-8")
    try:
        corpus.generate(tmp_path, seed=1)
    except FileExistsError:
        return
    raise AssertionError("generate() wrote into a non-empty directory")


def test_shape_of_one_copy(tmp_path: Path) -> None:
    stats = corpus.generate(tmp_path, seed=1)
    drivers = sorted(p for p in tmp_path.iterdir() if p.is_dir())
    assert stats.drivers == len(drivers) == 24
    assert 25_000 <= stats.lines <= 40_000
    assert stats.files == sum(1 for p in tmp_path.rglob("*") if p.is_file())
    sizes = []
    for driver in drivers:
        sources = sorted(driver.glob("*.c"))
        assert 1 <= len(sources) <= 4, driver.name
        for source in sources:
            text = source.read_text(encoding="utf-8")
            first = next(line for line in text.splitlines() if line.startswith("#"))
            assert FIRST_DIRECTIVE.fullmatch(first), (source, first)
            sizes.append(text.count("\n"))
    assert min(sizes) < 200 and max(sizes) > 4000
    marks = Counter(code for (_, _, code), n in expected_marks(tmp_path).items() for _ in range(n))
    assert {code: marks[code] for code in stats.expected} == stats.expected
    assert all(stats.expected[code] >= 1 for code in ("DDI001", "DDI002", "DDI003"))


def test_findings_match_marks(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    stats = corpus.generate(out, seed=1)
    code, report = run_cli([str(out), "--jobs", "2", "--no-cache"], tmp_path)
    errors = [n for n in report["notifications"] if n["level"] == "error"]
    assert not errors, f"the corpus does not parse cleanly: {errors[:5]}"
    got: Counter = Counter(
        (Path(os.path.abspath(f["file"])).resolve(), f["line"], f["code"]) for f in report["findings"]
    )
    expected = expected_marks(out)
    assert sum(expected.values()) == sum(stats.expected.values())
    messages = {
        (Path(os.path.abspath(f["file"])).resolve(), f["line"], f["code"]): f["message"] for f in report["findings"]
    }
    missing, extra = expected - got, got - expected
    assert not missing and not extra, (
        f"missing: {sorted((p.parent.name, p.name, line, c) for p, line, c in missing)}; "
        f"extra: {[(p.parent.name, p.name, line, c, messages[(p, line, c)]) for p, line, c in sorted(extra)]}"
    )
    assert code == 1
