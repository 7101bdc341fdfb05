"""A normalized text dump of a lowered file: its IR and the CFG of each function.

Used to prove that the two frontends lower a file the same way (the
differential tests) and to look at what a check sees (``ddilint dump-ir``).
Positions are start lines only: columns and end positions are where the
frontends legitimately differ (pycparser keeps no end positions, and a
column inside a macro expansion depends on how the preprocessor spelled it).
Types are compared with their spaces removed (``PVOID *`` and ``PVOID*``).
A constant is its value: its spelling (the macro it came from) is only shown
to people, and libclang cannot see a macro used inside another macro's
argument (``NT_SUCCESS(ZwOpenKey(&k, KEY_READ, &oa))``), where pycparser can.
"""

from __future__ import annotations

from ddilint import ir
from ddilint.cfg import build_cfg


def dump_unit(unit: ir.TranslationUnit, *, with_cfg: bool = True) -> list[str]:
    """The lines of the dump of ``unit`` (deterministic; no recursion, so deep code dumps too)."""
    out: list[str] = [f"file {unit.path} analyzed={unit.analyzed}"]
    for name, value in sorted(unit.globals.items()):
        out.append(f"global {name} = {value}")
    for decl in sorted(unit.declarations, key=lambda d: (d.loc.line, d.name)):
        out.append(f"declaration {decl.name} @{decl.loc.line} {_annotations(decl.annotations)} {list(decl.role_types)}")
    for function in unit.functions:
        out.extend(dump_function(function, with_cfg=with_cfg))
    return out


def dump_function(function: ir.Function, *, with_cfg: bool = True) -> list[str]:
    params = ", ".join(f"{_type(p.type_name)} {p.name}{_annotations(p.annotations)}" for p in function.params)
    out = [
        f"function {function.name}({params}) -> {_type(function.return_type)} @{function.loc.line}"
        f" static={function.is_static} {_annotations(function.annotations)} {list(function.role_types)}"
    ]
    stack: list[tuple[ir.Stmt, int]] = [(function.body, 1)]
    while stack:
        stmt, depth = stack.pop()
        out.append("  " * depth + _stmt_head(stmt))
        stack.extend((child, depth + 1) for child in reversed(ir.substatements(stmt)))
    if with_cfg:
        cfg = build_cfg(function)
        for node in cfg.nodes:
            text = expr_text(node.expr) if node.expr is not None else ""
            succs = " ".join(f"{dst}{':' + label if label else ''}" for dst, label in node.succs)
            var = f" {node.var}" if node.var else ""
            mark = f" label={node.label}" if node.label else ""
            out.append(f"  node {node.id} {node.kind.value}@{node.loc.line}{var}{mark} {text} -> {succs}")
    return out


def _annotations(annotations: tuple[ir.Annotation, ...]) -> str:
    return "".join(f" [{a.kind}({', '.join(a.args)})]" for a in annotations)


def _type(type_name: str) -> str:
    return "".join(type_name.split())


def _stmt_head(stmt: ir.Stmt) -> str:
    head = f"{type(stmt).__name__}@{stmt.loc.line}"
    if isinstance(stmt, ir.ExprStmt):
        return f"{head} {expr_text(stmt.expr)}{' (assertion)' if stmt.in_assertion else ''}"
    if isinstance(stmt, ir.VarDecl):
        init = f" = {expr_text(stmt.init)}" if stmt.init is not None else ""
        return f"{head} {_type(stmt.type_name)} {stmt.name}{init}{' static' if stmt.is_static else ''}"
    if isinstance(stmt, (ir.If, ir.While, ir.DoWhile, ir.Switch)):
        return f"{head} ({expr_text(stmt.cond)})"
    if isinstance(stmt, ir.For):
        cond = expr_text(stmt.cond) if stmt.cond is not None else ""
        step = expr_text(stmt.step) if stmt.step is not None else ""
        return f"{head} (; {cond}; {step})"
    if isinstance(stmt, ir.Case):
        return f"{head} {expr_text(stmt.value) if stmt.value is not None else 'default'}"
    if isinstance(stmt, ir.Return):
        return f"{head} {expr_text(stmt.value) if stmt.value is not None else ''}"
    if isinstance(stmt, (ir.Goto, ir.Label)):
        return f"{head} {stmt.label if isinstance(stmt, ir.Goto) else stmt.name}"
    if isinstance(stmt, ir.Try):
        kind = "cleanup" if stmt.cleanup else "finally" if stmt.finally_body is not None else "except"
        filt = f" filter={expr_text(stmt.filter)}" if stmt.filter is not None else ""
        return f"{head} {kind}{filt}"
    if isinstance(stmt, ir.OpaqueStmt):
        return f"{head} {stmt.kind}"
    return head


def expr_text(expr: ir.Expr) -> str:
    """``expr`` in a fully parenthesized prefix form with the start line of each call (iterative)."""
    done: dict[int, str] = {}
    for node in ir.postorder(expr):
        parts = [done[id(child)] for child in node.children()]
        done[id(node)] = _expr_node(node, parts)
    return done[id(expr)]


def _expr_node(node: ir.Expr, parts: list[str]) -> str:
    if isinstance(node, ir.Name):
        return f"{node.name}:{node.scope}"
    if isinstance(node, ir.Const):
        return f"{node.value}"
    if isinstance(node, ir.StringLit):
        return repr(node.value)
    if isinstance(node, ir.Call):
        callee = node.callee if node.callee is not None else f"*{parts.pop(0)}"
        return f"{callee}@{node.loc.line}({', '.join(parts)})"
    if isinstance(node, ir.Assign):
        return f"({parts[0]} {node.op} {parts[1]})"
    if isinstance(node, ir.Unary):
        return f"({node.op} {parts[0]})"
    if isinstance(node, ir.Binary):
        return f"({parts[0]} {node.op} {parts[1]})"
    if isinstance(node, ir.Conditional):
        return f"({parts[0]} ? {parts[1]} : {parts[2]})"
    if isinstance(node, ir.Cast):
        return f"(({'void' if node.to_void else _type(node.type_name)}) {parts[0]})"
    if isinstance(node, ir.Member):
        return f"{parts[0]}{'->' if node.arrow else '.'}{node.field_name}"
    if isinstance(node, ir.Index):
        return f"{parts[0]}[{parts[1]}]"
    if isinstance(node, ir.InitList):
        return "{" + ", ".join(parts) + "}"
    if isinstance(node, ir.Opaque):
        return f"<{node.kind}>(" + ", ".join(parts) + ")"
    return f"<{type(node).__name__}>"


def main(argv: list[str] | None = None) -> int:
    """``python -m ddilint.ir_dump FILE [--frontend libclang|pycparser] [-I DIR]...``: what the checks see."""
    import argparse

    from ddilint.deep_stack import call_with_deep_stack
    from ddilint.frontend.libclang_frontend import FrontendOptions
    from ddilint.frontend.select import parse_file

    parser = argparse.ArgumentParser(prog="python -m ddilint.ir_dump", description=main.__doc__)
    parser.add_argument("file")
    parser.add_argument("--frontend", choices=("libclang", "pycparser"), default="libclang")
    parser.add_argument("-I", dest="include_dirs", action="append", default=[], metavar="DIR")
    args = parser.parse_args(argv)
    options = FrontendOptions(include_dirs=tuple(args.include_dirs), frontend=args.frontend)
    unit = call_with_deep_stack(lambda: parse_file(args.file, args.file, options))
    print("\n".join(dump_unit(unit)))
    for note in unit.notifications:
        print(f"{note.file}:{note.line}: {note.level}: {note.message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
