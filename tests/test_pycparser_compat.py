"""The pure-Python frontend's first stage: pcpp preprocesses, the compat rewrite makes the text ISO C,
and pycparser parses the bundled headers and the fixture drivers (issue 9, in progress)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pcpp import Preprocessor
from pycparser import c_ast, c_parser

from ddilint.frontend.clang_args import HEADERS_DIR
from ddilint.frontend.pycparser_compat import make_parseable
from ddilint.frontend.pycparser_frontend import DEFINES
from tests.conftest import FIXTURES


def preprocess(text: str, name: str, include_dirs: tuple[Path, ...] = ()) -> str:
    pre = Preprocessor()
    pre.line_directive = "#line"
    for directory in (HEADERS_DIR, *include_dirs):
        pre.add_path(str(directory))
    for define in DEFINES:
        macro, _, value = define.partition("=")
        pre.define(f"{macro} {value or 1}")
    pre.parse(text, name)
    out = io.StringIO()
    pre.write(out)
    return out.getvalue()


@pytest.mark.parametrize("header", ["ntddk.h", "wdm.h", "ntifs.h", "fltKernel.h", "wdf.h"])
def test_bundled_headers_parse_as_iso_c(header):
    text, annotations = make_parseable(preprocess(f"#include <{header}>\n", "probe.c"))
    ast = c_parser.CParser().parse(text, "probe.c")
    names = {d.name for d in ast.ext if isinstance(d, c_ast.Decl)}
    assert {"IoCreateDevice", "KeAcquireSpinLockRaiseToDpc", "ObRegisterCallbacks"} <= names
    kinds = {a.kind for a in annotations}
    assert {"irql_requires_max", "irql_raises", "irql_saves", "irql_restores"} <= kinds


def test_annotations_are_lifted_with_their_position_and_offsets_kept():
    source = '__attribute__((annotate("ddilint:irql_requires_max:" "PASSIVE_LEVEL"))) int f(void);\n'
    text, [annotation] = make_parseable(source)
    assert len(text) == len(source) and text.strip() == "int f(void);"
    assert annotation.offset == 0 and annotation.kind == "irql_requires_max" and annotation.args == ("PASSIVE_LEVEL",)


def test_structured_exception_handling_is_encoded():
    source = "void f(void) { __try { g(); __leave; } __except (h(1)) { k(); } __try { } __finally { } }\n"
    text, _ = make_parseable(source)
    assert "if (__ddilint_try)" in text and "else if (__ddilint_except(h(1)))" in text
    assert "__ddilint_leave()" in text and "else if (__ddilint_finally)" in text
    c_parser.CParser().parse(text, "seh.c")


def test_the_c_fixtures_parse():
    files = sorted(p for p in FIXTURES.rglob("*.c") if "wpp" not in p.name and "wpp" not in p.parent.name)
    failures = []
    for path in files:
        text, _ = make_parseable(preprocess(path.read_text(encoding="utf-8"), str(path), (path.parent,)))
        try:
            c_parser.CParser().parse(text, str(path))
        except c_parser.ParseError as exc:
            failures.append(f"{path.name}: {exc}")
    assert not failures and len(files) > 200


def test_inline_assembly_and_static_asserts_go():
    source = 'void f(void) { __asm { int 3 } __asm nop\n __asm__("pause"); }\n_Static_assert(1, "x");\n'
    text, _ = make_parseable(source)
    assert "__asm" not in text and "_Static_assert" not in text and len(text) == len(source)
    c_parser.CParser().parse(text, "asm.c")
