"""Metamorphic tests: edits that cannot change what a driver does must not change ddilint's findings.

Each property runs over every fixture it applies to (tests/test_fixtures.py's ``fixture_paths()``); the
fixture's original report is computed once per session and compared with the report of the edited copy.
The transformations and the report normalizations live in tests/metamorphic.py. Random choices come from
``hypothesis``, derandomized, without an example database and with few examples, so a run is repeatable
and short. A failure names the fixture; the falsifying example says which edit broke it.

Coverage (263 fixtures: 221 C files, 24 C++ files, 18 C directories):

1. comments and blank lines: all 263 (a snippet at every safe boundary, then random ones);
2. renaming locals, parameters and static functions: the 239 C fixtures (the libclang-driven edits are
   written for C; C++ has methods, lambdas and namespaces);
3. reordering function definitions: the C fixtures whose files can be laid out mechanically: all but
   neg_thirty_registrations_goto_cleanup.c, where a macro writes the function definitions;
4. splitting a one-file driver in two: the 221 C files but the same one;
5. clang-format in two styles: all 263.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import metamorphic as mm
from tests.test_fixtures import fixture_paths

SETTINGS = settings(
    database=None,
    derandomize=True,
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ALL = fixture_paths()


def fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def sources(fixture: Path) -> dict[str, str]:
    """The fixture's files (sources and headers) by their path as a report shows it from the rule directory."""
    files = [fixture] if fixture.is_file() else sorted(p for p in fixture.rglob("*") if p.is_file())
    return {p.relative_to(fixture.parent).as_posix(): p.read_text(encoding="utf-8") for p in files}


@cache
def original(fixture: Path) -> dict:
    """The fixture's report, computed once for all properties."""
    with tempfile.TemporaryDirectory() as scratch:
        report = mm.run_report(fixture.parent, fixture.name, Path(scratch) / "report.json")
    assert not mm.parse_errors(report), f"the fixture itself does not parse cleanly: {mm.parse_errors(report)}"
    return report


def report_of(files: dict[str, str], target: str, tmp_path: Path) -> dict:
    """Write ``files`` into a fresh directory under ``tmp_path`` and return the report on ``target`` there."""
    base = Path(tempfile.mkdtemp(dir=tmp_path))
    for name, text in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text, encoding="utf-8")
    report = mm.run_report(base, target, base / "report.json")
    assert not mm.parse_errors(report), f"the transformed driver does not parse cleanly: {mm.parse_errors(report)}"
    return report


# ---------------------------------------------------------------------- property 1: comments and blank lines


def check_inserted(fixture: Path, insertions: dict[str, list[tuple[int, str]]], tmp_path: Path) -> None:
    """Insert the snippets and check every finding moved down by exactly the lines inserted above it."""
    texts, maps = {}, {}
    for name, text in sources(fixture).items():
        texts[name], maps[name] = mm.insert_lines(text, insertions.get(name, []))
    after = report_of(texts, fixture.name, tmp_path)

    def move(file: str, line: int) -> int:
        return maps[file](line) if file in maps else line

    def candidates(line: int) -> set[int]:  # a message's "line N" does not say in which file
        return {m(line) for m in maps.values()}

    differences = mm.moved_findings_differ(original(fixture), after, move, candidates)
    assert not differences, "\n".join(differences)


@pytest.mark.parametrize("fixture", ALL, ids=fixture_id)
def test_a_comment_or_blank_line_at_every_boundary(fixture: Path, tmp_path: Path) -> None:
    """The densest edit: every safe boundary of every file gets a snippet, cycling through all kinds."""
    insertions = {
        name: [(b, mm.SNIPPETS[i % len(mm.SNIPPETS)]) for i, b in enumerate(mm.insertion_points(text))]
        for name, text in sources(fixture).items()
    }
    check_inserted(fixture, insertions, tmp_path)


@pytest.mark.parametrize("fixture", ALL, ids=fixture_id)
@SETTINGS
@given(data=st.data())
def test_comments_and_blank_lines_shift_findings(fixture: Path, data: st.DataObject, tmp_path: Path) -> None:
    """A few snippets at random safe boundaries of random files of the fixture."""
    insertions = {
        name: data.draw(
            st.lists(st.tuples(st.sampled_from(mm.insertion_points(text)), st.sampled_from(mm.SNIPPETS)), max_size=6),
            label=name,
        )
        for name, text in sources(fixture).items()
    }
    check_inserted(fixture, insertions, tmp_path)


# ------------------------------------------------------------------------------------------ property 2: renaming


def c_only(fixture: Path) -> bool:
    """A C fixture (a ``.c`` file, or a directory without C++): the libclang-driven edits are written for C."""
    return fixture.suffix == ".c" or (fixture.is_dir() and not any(p.suffix == ".cpp" for p in fixture.rglob("*")))


C_FIXTURES = [p for p in ALL if c_only(p)]


@pytest.mark.parametrize("fixture", C_FIXTURES, ids=fixture_id)
def test_renaming_locals_and_static_functions(fixture: Path, tmp_path: Path) -> None:
    """Every local, parameter and static function that can be renamed consistently gets a fresh name;
    the findings are the same once the old names are put back into their messages."""
    texts = sources(fixture)
    headers = [text for name, text in texts.items() if not name.endswith(".c")]
    names: dict[str, str] = {}
    columns = mm.ColumnMap()
    for name in sorted(n for n in texts if n.endswith(".c")):
        entities = mm.renameable(fixture.parent / name, headers)
        texts[name], new = mm.rename(texts[name], entities, len(names), name, columns)
        names.update(new)
    assert names, "nothing to rename"
    after = report_of(texts, fixture.name, tmp_path)
    expected = mm.renamed_findings(original(fixture), move=columns)
    assert mm.renamed_findings(after, mm.name_restorer(names)) == expected


# --------------------------------------------------------------- properties 3 and 4: reordering and splitting


@cache
def layout_of(path: Path) -> mm.Layout | str:
    """The layout of a C file, or why it cannot be edited mechanically (cached across properties)."""
    try:
        return mm.layout(path)
    except mm.UnsupportedError as exc:
        return str(exc)


def layouts(fixture: Path) -> dict[str, mm.Layout]:
    """The layout of each C file of the fixture by report name; skips the fixture if one cannot be edited."""
    found = {}
    for name in sources(fixture):
        if name.endswith(".c"):
            lay = layout_of(fixture.parent / name)
            if isinstance(lay, str):
                pytest.skip(f"{name}: {lay}")
            found[name] = lay
    return found


@pytest.mark.parametrize("fixture", C_FIXTURES, ids=fixture_id)
def test_reordering_function_definitions(fixture: Path, tmp_path: Path) -> None:
    """Function definitions in reverse order, then in a few random orders, in every C file of the fixture:
    the same findings, wherever they now are. Skipped: files where a macro writes function definitions
    (neg_thirty_registrations_goto_cleanup.c: DEFINE_NOTIFY), as moving the macro's uses is not mechanical."""
    laid_out = layouts(fixture)
    expected = mm.positionless(original(fixture))

    def check(orders: dict[str, list[int]]) -> None:
        texts = sources(fixture)
        for name, order in orders.items():
            texts[name] = mm.reorder(laid_out[name], order)
        assert mm.positionless(report_of(texts, fixture.name, tmp_path)) == expected, orders

    check({name: list(reversed(range(len(lay.definitions)))) for name, lay in laid_out.items()})

    @SETTINGS
    @given(data=st.data())
    def random_orders(data: st.DataObject) -> None:
        check({n: data.draw(st.permutations(range(len(lay.definitions))), label=n) for n, lay in laid_out.items()})

    random_orders()


SINGLE_C_FILES = [p for p in ALL if p.suffix == ".c"]


@pytest.mark.parametrize("fixture", SINGLE_C_FILES, ids=fixture_id)
def test_splitting_a_driver_into_two_files(fixture: Path, tmp_path: Path) -> None:
    """A one-file driver becomes part1.c + part2.c + split.h at a random function boundary: the same findings,
    apart from files and positions. Skipped (the layout says why): files where a macro writes function
    definitions (neg_thirty_registrations_goto_cleanup.c), and any whose globals could not be declared
    ``extern`` mechanically (a type declared with the variable, several initialized globals in one statement,
    a declaration sharing its lines with other code)."""
    lay = layouts(fixture)[fixture.name]
    if lay.split_obstacles:
        pytest.skip("; ".join(lay.split_obstacles))
    expected = mm.positionless(original(fixture), keep_file=False)

    @SETTINGS
    @given(cut=st.integers(1, len(lay.definitions) - 1))
    def split_at(cut: int) -> None:
        files = {f"{fixture.stem}/{name}": text for name, text in mm.split(lay, cut).items()}
        after = report_of(files, fixture.stem, tmp_path)
        assert mm.positionless(after, keep_file=False) == expected

    split_at()


def test_most_fixtures_can_be_reordered_and_split() -> None:
    """The edits stay mechanical for nearly all single-file C fixtures: a new fixture shape that defeats them
    should be noticed here rather than silently skipped."""
    usable = [p for p in SINGLE_C_FILES if not isinstance(layout_of(p), str) and not layout_of(p).split_obstacles]
    assert len(usable) >= 0.95 * len(SINGLE_C_FILES), sorted(set(SINGLE_C_FILES) - set(usable))


# ------------------------------------------------------------------------------------- property 5: reformatting


@pytest.mark.parametrize("style", sorted(mm.FORMAT_STYLES))
@pytest.mark.parametrize("fixture", ALL, ids=fixture_id)
def test_reformatting_with_clang_format(fixture: Path, style: str, tmp_path: Path) -> None:
    """Every file of the fixture (C and C++, headers too) through clang-format: lines may be joined or split,
    so the findings are compared without any position (not even the ``line N`` inside messages)."""
    texts = {
        name: mm.reformat(text, Path(name).name, mm.FORMAT_STYLES[style]) for name, text in sources(fixture).items()
    }
    assert texts != sources(fixture), "clang-format changed nothing"
    assert mm.positionless(report_of(texts, fixture.name, tmp_path)) == mm.positionless(original(fixture))
