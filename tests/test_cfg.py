"""CFG construction: branches, loops, switch fall-through, goto, early returns, __try/__finally."""

from __future__ import annotations

from ddilint import ir
from ddilint.cfg import CFG, NodeKind, build_cfg
from tests.helpers import function


def _cfg(tmp_path, body: str) -> CFG:
    return build_cfg(function(tmp_path, body))


def _paths(cfg: CFG, limit: int = 200) -> list[list[int]]:
    """All acyclic entry-to-exit paths, as node id lists."""
    result, stack = [], [(cfg.entry, [cfg.entry])]
    while stack and len(result) < limit:
        node, path = stack.pop()
        if node == cfg.exit:
            result.append(path)
            continue
        for succ, _ in cfg.node(node).succs:
            if succ not in path:
                stack.append((succ, [*path, succ]))
    return result


def _calls_on(cfg: CFG, path: list[int]) -> list[str]:
    names = []
    for node_id in path:
        expr = cfg.node(node_id).expr
        if expr is not None:
            names += [e.callee for e in ir.walk(expr) if isinstance(e, ir.Call) and e.callee]
    return names


def test_if_else_gives_two_paths(tmp_path):
    cfg = _cfg(tmp_path, "void f(void) { if (g) Register(0); else Other(); Use(0); }")
    assert sorted(_calls_on(cfg, p) for p in _paths(cfg)) == [["Other", "Use"], ["Register", "Use"]]
    branch = next(n for n in cfg.nodes if n.kind == NodeKind.BRANCH)
    assert sorted(label for _, label in branch.succs) == ["false", "true"]


def test_early_return_skips_the_rest(tmp_path):
    cfg = _cfg(tmp_path, "void f(void) { if (g) return; Register(0); }")
    assert sorted(_calls_on(cfg, p) for p in _paths(cfg)) == [[], ["Register"]]


def _reaches(cfg: CFG, src: int, dst: int) -> bool:
    seen, stack = set(), [src]
    while stack:
        node = stack.pop()
        if node == dst:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(s for s, _ in cfg.node(node).succs)
    return False


def _node_calling(cfg: CFG, name: str) -> int:
    return next(n.id for n in cfg.nodes if n.expr is not None and name in _calls_on(cfg, [n.id]))


def test_while_loop_has_a_back_edge_and_an_exit(tmp_path):
    cfg = _cfg(tmp_path, "void f(void) { while (g) { Register(0); } Other(); }")
    assert sorted(_calls_on(cfg, p) for p in _paths(cfg)) == [["Other"]]  # acyclic paths skip the body
    register, other = _node_calling(cfg, "Register"), _node_calling(cfg, "Other")
    assert _reaches(cfg, register, register)  # around the loop
    assert _reaches(cfg, register, other)
    preds = cfg.preds()
    test = next(n for n in cfg.nodes if n.kind == NodeKind.BRANCH)
    assert len(preds[test.id]) == 2  # loop entry and the back edge


def test_do_while_runs_the_body_first(tmp_path):
    cfg = _cfg(tmp_path, "void f(void) { do { Register(0); } while (g); }")
    assert all(_calls_on(cfg, p)[:1] == ["Register"] for p in _paths(cfg))


def test_for_break_and_continue(tmp_path):
    cfg = _cfg(
        tmp_path,
        "void f(void) { int i; for (i = 0; i < 3; i++) { if (g) continue; if (i) break; Register(0); } Other(); }",
    )
    paths = [_calls_on(cfg, p) for p in _paths(cfg)]
    assert all(p[-1] == "Other" for p in paths)
    assert ["Other"] in paths


def test_switch_fall_through_and_default(tmp_path):
    cfg = _cfg(
        tmp_path, "void f(void) { switch (g) { case 1: Register(0); case 2: Other(); break; default: Use(0); } }"
    )
    paths = sorted(_calls_on(cfg, p) for p in _paths(cfg))
    assert paths == [["Other"], ["Register", "Other"], ["Use"]]


def test_switch_without_default_can_skip_every_case(tmp_path):
    cfg = _cfg(tmp_path, "void f(void) { switch (g) { case 1: Register(0); break; } Other(); }")
    assert sorted(_calls_on(cfg, p) for p in _paths(cfg)) == [["Other"], ["Register", "Other"]]


def test_goto_cleanup(tmp_path):
    body = """void f(void) {
        if (g) goto cleanup;
        Register(0);
    cleanup:
        Other();
    }"""
    cfg = _cfg(tmp_path, body)
    assert sorted(_calls_on(cfg, p) for p in _paths(cfg)) == [["Other"], ["Register", "Other"]]


def test_backward_goto_retry_loop(tmp_path):
    body = """void f(void) {
    retry:
        if (!NT_SUCCESS(Register(0))) goto retry;
        Other();
    }"""
    cfg = _cfg(tmp_path, body)
    label = next(n for n in cfg.nodes if n.label == "retry")
    assert len(cfg.preds()[label.id]) == 2


def test_finally_runs_on_return_and_on_fall_through(tmp_path):
    cfg = _cfg(tmp_path, "void f(void) { __try { if (g) return; Register(0); } __finally { Other(); } Use(0); }")
    paths = sorted(_calls_on(cfg, p) for p in _paths(cfg))
    assert paths == [["Other"], ["Register", "Other", "Use"]]


def test_leave_jumps_to_the_finally(tmp_path):
    cfg = _cfg(tmp_path, "void f(void) { __try { if (g) __leave; Register(0); } __finally { Other(); } }")
    assert sorted(_calls_on(cfg, p) for p in _paths(cfg)) == [["Other"], ["Register", "Other"]]


def test_except_handler_is_reachable_from_the_try_body(tmp_path):
    cfg = _cfg(tmp_path, "void f(void) { __try { Register(0); Other(); } __except (1) { Use(0); } }")
    paths = [_calls_on(cfg, p) for p in _paths(cfg)]
    assert ["Register", "Other"] in paths
    assert ["Register", "Use"] in paths
    assert ["Use"] in paths
