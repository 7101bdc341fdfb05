"""The sign-set domain used to prune infeasible paths."""

from __future__ import annotations

import pytest

from ddilint import ir
from ddilint.analysis.values import ANY, FALSE, MAYBE, NEG, POS, TRUE, ZERO, Evaluator, compare

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
