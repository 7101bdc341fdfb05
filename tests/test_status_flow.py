"""The status-flow analysis behind DDI001, on small functions."""

from __future__ import annotations

import pytest

from ddilint import ir
from ddilint.analysis.status_flow import Conventions, Flow, StatusFlow
from ddilint.cfg import build_cfg
from tests.helpers import function

CONVENTIONS = Conventions(frozenset({"DbgPrint"}), frozenset({"RtlAssert"}))


def flow_of_register(tmp_path, body: str) -> Flow:
    f = function(tmp_path, body)
    cfg = build_cfg(f)
    analysis = StatusFlow(cfg, CONVENTIONS)
    for node in cfg.nodes:
        if node.expr is None:
            continue
        for e in ir.walk(node.expr):
            if isinstance(e, ir.Call) and e.callee == "Register":
                return analysis.flow_from(node, e)
    raise AssertionError("no call to Register")


def is_unchecked(flow: Flow) -> bool:
    return flow.use.discarded is not None or flow.lost is not None


@pytest.mark.parametrize(
    "body",
    [
        "void f(void) { if (!NT_SUCCESS(Register(0))) return; }",
        "void f(void) { NTSTATUS s; if (!NT_SUCCESS(s = Register(0))) return; }",
        "void f(void) { NTSTATUS s = Register(0); if (s) return; }",
        "void f(void) { NTSTATUS s = Register(0); NTSTATUS t = s; while (t < 0) { t = 0; } }",
        "void f(void) { NTSTATUS s = Register(0); BOOLEAN ok = NT_SUCCESS(s); if (ok) g = 1; }",
        "void f(void) { NTSTATUS s = Register(0); g = NT_SUCCESS(s); }",
        "void f(NTSTATUS *out) { *out = Register(0); }",
        "struct ctx { NTSTATUS st; }; void f(struct ctx *c) { c->st = Register(0); }",
        "void f(void) { NTSTATUS s = Register(0); Use(s); }",
        "void f(void) { NTSTATUS s = Register(0); NTSTATUS *p = &s; (void)p; }",
        "void f(void) { NTSTATUS s = Register(0); switch (s) { default: break; } }",
        "void f(void) { NTSTATUS s = Register(0); g = g && NT_SUCCESS(s); }",
        "void f(void) { NTSTATUS s = Register(0); g = s == 0 ? 1 : 2; }",
        "void f(void) { NTSTATUS s = Register(0); DbgPrint('%x', s); if (!NT_SUCCESS(s)) return; }",
        "void f(void) { NTSTATUS s; do { s = Register(0); } while (!NT_SUCCESS(s)); }",
    ],
)
def test_checked(tmp_path, body):
    assert not is_unchecked(flow_of_register(tmp_path, body))


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("void f(void) { Register(0); }", "statement"),
        ("void f(void) { (void)Register(0); }", "void cast"),
        ("void f(void) { DbgPrint('%x', Register(0)); }", "logged by DbgPrint"),
        ("void f(void) { NTSTATUS s = Register(0); }", "lost"),
        ("void f(void) { NTSTATUS s = Register(0); s = Other(); if (s) return; }", "lost"),
        ("void f(void) { NTSTATUS s = Register(0); DbgPrint('%x', s); }", "lost"),
        ("void f(void) { NTSTATUS s = Register(0); if (g) { if (s) return; } }", "lost"),
        ("void f(void) { NTSTATUS s = Register(0); NTSTATUS t = s; t = 0; if (t) return; }", "lost"),
        ("void f(void) { int i; NTSTATUS s; for (i = 0; i < 2; i++) { s = Register(0); } }", "lost"),
    ],
)
def test_unchecked(tmp_path, body, why):
    flow = flow_of_register(tmp_path, body)
    if why == "lost":
        assert flow.use.discarded is None and flow.lost is not None
    else:
        assert flow.use.discarded == why


def test_returned_status_makes_a_wrapper(tmp_path):
    flow = flow_of_register(tmp_path, "NTSTATUS f(void) { NTSTATUS s = Register(0); return s; }")
    assert flow.returned and flow.lost is None


def test_status_returned_only_after_a_check_still_makes_a_wrapper(tmp_path):
    body = "NTSTATUS f(void) { NTSTATUS s = Register(0); if (!NT_SUCCESS(s)) { return s; } return 0; }"
    flow = flow_of_register(tmp_path, body)
    assert flow.returned and flow.lost is None


def test_lost_path_explains_the_branch_taken(tmp_path):
    flow = flow_of_register(tmp_path, "void f(void) { NTSTATUS s = Register(0); if (g) { if (s) return; } }")
    assert flow.lost is not None
    messages = [step.message for step in flow.lost]
    assert messages[0].startswith("the status is stored in 's'")
    assert "the condition is false here" in messages
    assert messages[-1] == "the function ends without checking it"
