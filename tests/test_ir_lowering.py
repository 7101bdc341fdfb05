"""The libclang frontend lowers C into the IR the checks read."""

from __future__ import annotations

from ddilint import ir
from tests.helpers import PRELUDE_LINES, function, parse_snippet


def test_function_signature_and_scopes(tmp_path):
    f = function(tmp_path, "NTSTATUS f(int p) { NTSTATUS s = Register(0); static int k; g = p; k = s; return s; }")
    assert f.return_type == "NTSTATUS"
    assert [p.name for p in f.params] == ["p"]
    decl, static_decl, assign_global, assign_static, ret = f.body.body
    assert isinstance(decl, ir.VarDecl) and decl.name == "s"
    assert isinstance(decl.init, ir.Call) and decl.init.callee == "Register"
    assert isinstance(static_decl, ir.VarDecl) and static_decl.is_static
    assert assign_global.expr.target.scope == "global"
    assert assign_global.expr.value.scope == "param"
    assert assign_static.expr.target.scope == "static_local"
    assert isinstance(ret, ir.Return) and ret.value.name == "s"


def test_operators_and_void_cast(tmp_path):
    f = function(tmp_path, "void f(void) { NTSTATUS s; (void)Register(0); s = Other(); s |= 1; if (!s && g) {} }")
    void_cast = f.body.body[1].expr
    assert isinstance(void_cast, ir.Cast) and void_cast.to_void
    assert f.body.body[2].expr.op == "="
    assert f.body.body[3].expr.op == "|="
    cond = f.body.body[4].cond
    assert isinstance(cond, ir.Binary) and cond.op == "&&"
    assert isinstance(cond.left, ir.Unary) and cond.left.op == "!"


def test_macro_constants_keep_their_names_and_signed_values(tmp_path):
    f = function(tmp_path, "NTSTATUS f(void) { if (g) return STATUS_UNSUCCESSFUL; return STATUS_SUCCESS; }")
    failing = f.body.body[0].then.value
    assert isinstance(failing, ir.Const)
    assert failing.value == -0x3FFFFFFF and failing.spelling == "STATUS_UNSUCCESSFUL"
    assert f.body.body[1].value.value == 0


def test_locations_inside_macro_arguments_point_at_the_argument(tmp_path):
    f = function(tmp_path, "void f(void) {\n    if (!NT_SUCCESS(Register(0))) { }\n}")
    call = next(e for e in ir.walk(f.body.body[0].cond) if isinstance(e, ir.Call))
    assert call.loc.line == PRELUDE_LINES + 2
    assert call.loc.col == 21  # the 'Register' token, not the NT_SUCCESS macro name


def test_for_header_with_missing_parts(tmp_path):
    f = function(tmp_path, "void f(void) { int i = 0; for (; i < 3;) { i++; } for (;;) { break; } }")
    loop1, loop2 = f.body.body[1], f.body.body[2]
    assert loop1.init is None and loop1.cond is not None and loop1.step is None
    assert loop2.init is None and loop2.cond is None and loop2.step is None


def test_goto_labels_switch_and_seh(tmp_path):
    body = """
    void f(void) {
        switch (g) { case 1: g = 2; default: break; }
        __try { g = 1; } __finally { g = 0; }
        __try { g = 1; } __except (1) { g = 3; }
        goto out;
    out:
        return;
    }"""
    f = function(tmp_path, body)
    switch, fin, exc, goto, label = f.body.body
    assert isinstance(switch, ir.Switch)
    assert isinstance(fin, ir.Try) and fin.finally_body is not None
    assert isinstance(exc, ir.Try) and exc.handler is not None
    assert isinstance(goto, ir.Goto) and goto.label == "out"
    assert isinstance(label, ir.Label) and isinstance(label.body, ir.Return)


def test_role_typedef_declarations_and_annotations(tmp_path):
    body = """
    typedef void UNLOAD_ROUTINE(int x);
    UNLOAD_ROUTINE MyUnload;
    __attribute__((annotate("ddilint:irql_requires_max:DISPATCH_LEVEL"))) void Helper(void);
    void MyUnload(int x) { (void)x; }
    """
    unit = parse_snippet(tmp_path, body)
    decls = {d.name: d for d in unit.declarations}
    assert decls["MyUnload"].role_types == ("UNLOAD_ROUTINE",)
    assert decls["Helper"].annotations == (ir.Annotation("irql_requires_max", ("DISPATCH_LEVEL",)),)


def test_parse_errors_are_notifications_and_the_rest_is_lowered(tmp_path):
    unit = parse_snippet(tmp_path, "void f(void) { UnknownType x; Register(0); }\nvoid h(void) { Other(); }")
    assert any(n.level == "error" and "UnknownType" in n.message for n in unit.notifications)
    assert {f.name for f in unit.functions} == {"f", "h"}
    calls = [
        e.callee
        for s in unit.functions[0].body.body
        if isinstance(s, ir.ExprStmt)
        for e in ir.walk(s.expr)
        if isinstance(e, ir.Call)
    ]
    assert "Register" in calls
