"""The IRQL model behind DDI003: entry IRQLs, raise/restore dataflow, guards, requirements."""

from __future__ import annotations

from pathlib import Path

from ddilint.analysis.irql import ENTRY, analyze
from ddilint.catalog import load_catalog
from ddilint.frontend.libclang_frontend import FrontendOptions, parse_file
from ddilint.program import Program


def model_of(tmp_path: Path, body: str):
    path = tmp_path / "d.c"
    path.write_text("#include <ntddk.h>\nKSPIN_LOCK g_Lock; FAST_MUTEX g_Mutex;\n" + body, encoding="utf-8")
    program = Program([parse_file(str(path), "d.c", FrontendOptions())])
    return program, analyze(program, load_catalog())


def levels_at(model, callee: str) -> set:
    """The possible IRQL atoms before each call of ``callee`` (merged)."""
    atoms = set()
    for call in model.calls:
        if call.call.callee == callee:
            atoms |= {a.level for a in call.atoms}
    return atoms


def test_spin_lock_raises_until_release(tmp_path):
    _, model = model_of(
        tmp_path,
        """
        VOID F(VOID) { KIRQL old; ZwClose(NULL); KeAcquireSpinLock(&g_Lock, &old); IoCreateDevice(0,0,0,0,0,0,0);
                       KeReleaseSpinLock(&g_Lock, old); ZwOpenKey(0, 0, 0); }
    """,
    )
    assert levels_at(model, "ZwClose") == {None}
    assert levels_at(model, "IoCreateDevice") == {2}
    assert levels_at(model, "ZwOpenKey") == {None}  # restored to the entry IRQL saved in 'old'


def test_conditional_lock_joins_to_may_be_dispatch(tmp_path):
    _, model = model_of(
        tmp_path,
        """
        VOID F(BOOLEAN c) { KIRQL old = PASSIVE_LEVEL; if (c) KeAcquireSpinLock(&g_Lock, &old);
                            ZwClose(NULL); if (c) KeReleaseSpinLock(&g_Lock, old); }
    """,
    )
    assert levels_at(model, "ZwClose") == {None, 2}


def test_fast_mutex_raise_irql_and_in_stack_queued_lock(tmp_path):
    _, model = model_of(
        tmp_path,
        """
        VOID F(VOID) { KIRQL old; KLOCK_QUEUE_HANDLE h;
            ExAcquireFastMutex(&g_Mutex); ZwClose(NULL); ExReleaseFastMutex(&g_Mutex);
            KeRaiseIrql(HIGH_LEVEL, &old); ZwOpenKey(0, 0, 0); KeLowerIrql(old);
            KeAcquireInStackQueuedSpinLock(&g_Lock, &h); IoCreateDevice(0,0,0,0,0,0,0);
            KeReleaseInStackQueuedSpinLock(&h); IoDeleteSymbolicLink(NULL); }
    """,
    )
    assert levels_at(model, "ZwClose") == {1}
    assert levels_at(model, "ZwOpenKey") == {15}
    assert levels_at(model, "IoCreateDevice") == {2}
    assert levels_at(model, "IoDeleteSymbolicLink") == {None}


def test_guards_make_the_code_passive(tmp_path):
    _, model = model_of(
        tmp_path,
        """
        KDEFERRED_ROUTINE Dpc;
        VOID Dpc(PKDPC d, PVOID c, PVOID a, PVOID b) {
            KIRQL irql = KeGetCurrentIrql();
            if (irql == PASSIVE_LEVEL && c != NULL) { ZwClose(NULL); }
            if (KeGetCurrentIrql() > PASSIVE_LEVEL) { return; }
            ZwOpenKey(0, 0, 0);
        }
    """,
    )
    assert levels_at(model, "ZwClose") == {0}
    assert levels_at(model, "ZwOpenKey") == {0}


def test_entry_levels_from_roles_by_declaration_use_and_annotation(tmp_path):
    program, model = model_of(
        tmp_path,
        """
        KDEFERRED_ROUTINE DeclaredDpc;
        VOID DeclaredDpc(PKDPC d, PVOID c, PVOID a, PVOID b) { }
        VOID UsedDpc(PKDPC d, PVOID c, PVOID a, PVOID b) { }
        _IRQL_requires_max_(DISPATCH_LEVEL) VOID Annotated(VOID) { }
        VOID Isr(VOID) { }
        VOID Plain(VOID) { }
        VOID Setup(PKDPC dpc, PDRIVER_OBJECT d) { KeInitializeDpc(dpc, UsedDpc, NULL); d->DriverStartIo = NULL; }
    """,
    )
    levels = {f.name: model.entry_of(f).level for f in program.functions()}
    assert levels["DeclaredDpc"] == 2 and levels["UsedDpc"] == 2 and levels["Annotated"] == 2
    assert levels["Plain"] == 0
    assert "KeInitializeDpc" in model.entry_of(next(f for f in program.functions() if f.name == "UsedDpc")).why


def test_requirements_propagate_through_helpers_and_recursion(tmp_path):
    program, model = model_of(
        tmp_path,
        """
        VOID Leaf(VOID) { ZwClose(NULL); }
        VOID Middle(int n) { if (n) Middle(n - 1); Leaf(); }
        VOID Locked(VOID) { KIRQL old; KeAcquireSpinLock(&g_Lock, &old); Leaf(); KeReleaseSpinLock(&g_Lock, old); }
        VOID Guarded(VOID) { if (KeGetCurrentIrql() == PASSIVE_LEVEL) Leaf(); }
    """,
    )
    req = {f.name: model.requirements.get(id(f)) for f in program.functions()}
    assert req["Leaf"].level == 0 and req["Leaf"].callee == "ZwClose"
    assert req["Middle"].level == 0
    assert req["Locked"] is None  # its own lock: checked inside, not imposed on callers
    assert req["Guarded"] is None
    assert ENTRY not in next(c for c in model.calls if c.function.name == "Locked" and c.call.callee == "Leaf").atoms


def test_functions_with_a_declared_entry_irql_impose_no_requirement(tmp_path):
    program, model = model_of(
        tmp_path,
        """
        _IRQL_requires_(DISPATCH_LEVEL) VOID AtDispatch(VOID) { ZwClose(NULL); }
        KDEFERRED_ROUTINE Dpc;
        VOID Dpc(PKDPC d, PVOID c, PVOID a, PVOID b) { AtDispatch(); }
    """,
    )
    req = {f.name: model.requirements.get(id(f)) for f in program.functions()}
    assert req["AtDispatch"] is None  # the ZwClose inside is reported there, not at the DPC's call
