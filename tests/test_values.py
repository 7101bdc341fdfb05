"""The sign-set domain used to prune infeasible paths."""

from __future__ import annotations

import pytest

from ddilint import ir
from ddilint.analysis.values import (
    ANY,
    FALSE,
    MAYBE,
    NEG,
    POS,
    TRUE,
    ZERO,
    Evaluator,
    bit_after_write,
    bit_key,
    bit_mask,
    bit_test,
    compare,
)

LOC = ir.Loc("t.c", 1, 1, 1, 1)


def name(n: str) -> ir.Name:
    return ir.Name(LOC, n, "local")


def const(v: int) -> ir.Const:
    return ir.Const(LOC, v)


def nt_success(e: ir.Expr) -> ir.Expr:
    return ir.Binary(LOC, ">=", ir.Cast(LOC, "NTSTATUS", e), const(0))


EVAL = Evaluator(lambda e: e.name if isinstance(e, ir.Name) else None, lambda call: ANY)


@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        (">=", ZERO, ZERO, TRUE),
        (">=", NEG, ZERO, FALSE),
        (">=", ANY, ZERO, MAYBE),
        ("==", ZERO, ZERO, TRUE),
        ("!=", POS, ZERO, TRUE),
        ("<", NEG | ZERO | POS, ZERO, MAYBE),
    ],
)
def test_compare(op, left, right, expected):
    assert compare(op, left, right, 0 if right == ZERO else None) == expected


def test_nt_success_of_a_failed_status_is_false():
    assert EVAL.eval(nt_success(name("s")), {"s": NEG}) == FALSE
    assert EVAL.eval(ir.Unary(LOC, "!", nt_success(name("s"))), {"s": ZERO}) == FALSE


def test_assume_narrows_and_detects_infeasible_branches():
    facts: dict[str, int] = {}
    assert EVAL.assume(ir.Unary(LOC, "!", nt_success(name("s"))), True, facts)
    assert facts["s"] == NEG
    assert not EVAL.assume(nt_success(name("s")), True, facts)
    flags = {"flag": POS}
    assert not EVAL.assume(name("flag"), False, flags)
    assert EVAL.assume(ir.Binary(LOC, "!=", name("h"), const(0)), True, flags)
    assert flags["h"] == NEG | POS


def test_comparison_with_a_failure_constant():
    status_insufficient = const(-0x3FFFFF66)
    assert EVAL.eval(ir.Binary(LOC, "==", name("s"), status_insufficient), {"s": ZERO}) == FALSE
    assert EVAL.eval(ir.Binary(LOC, "==", name("s"), status_insufficient), {"s": NEG}) == MAYBE


def _bits_test(flags: str, mask: int) -> ir.Binary:
    return ir.Binary(LOC, "&", ir.Name(LOC, flags, "global"), ir.Const(LOC, mask, "FLAG"))


def test_bit_tests_are_keyed_by_variable_and_mask():
    assert bit_test(_bits_test("g_Flags", 4)) is not None
    base, mask = bit_test(ir.Binary(LOC, "&", ir.Const(LOC, 2), ir.Name(LOC, "g_Flags", "global")))
    assert isinstance(base, ir.Name) and mask == 2
    assert bit_test(ir.Binary(LOC, "&", ir.Name(LOC, "a", "local"), ir.Name(LOC, "b", "local"))) is None
    assert bit_mask(bit_key("g:g_Flags", 4)) == ("g:g_Flags", 4)
    assert bit_mask("g:g_Flags") is None


@pytest.mark.parametrize(
    ("op", "value", "mask", "current", "after"),
    [
        ("|=", 1, 1, ZERO, POS),
        ("|=", 2, 1, ZERO, ZERO),  # another bit: unchanged
        ("&=", ~1, 1, POS, ZERO),  # cleared
        ("&=", ~2, 1, POS, POS),  # another bit cleared: unchanged
        ("&=", 1, 3, POS, ANY),  # part of the mask kept
        ("=", 0, 1, POS, ZERO),
        ("=", 5, 4, ZERO, POS),
        ("|=", None, 1, ZERO, ANY),  # not a constant
        ("^=", 1, 1, ZERO, ANY),
    ],
)
def test_writes_update_bit_tests(op, value, mask, current, after):
    assert bit_after_write(op, value, mask, current) == after


def test_evaluator_reads_and_narrows_a_tracked_bit_test():
    key = bit_key("g:g_Flags", 1)
    ev = Evaluator(lambda e: key if bit_test(e) else None, lambda call: ANY)
    test = _bits_test("g_Flags", 1)
    assert ev.eval(test, {key: ZERO}) == ZERO
    facts: dict[str, int] = {}
    assert ev.assume(test, True, facts) and facts[key] & ZERO == 0  # non-zero
    assert not ev.assume(test, True, {key: ZERO})
