"""The driver model and the pairing-path search behind DDI002, on small drivers."""

from __future__ import annotations

from pathlib import Path

from ddilint.analysis.driver_model import entry_points, registrations, unload_routines
from ddilint.analysis.pairing_paths import PairingPaths, success_flags
from ddilint.analysis.relevance import exit_guard_keys, removal_guard_keys
from ddilint.analysis.values import POS, ZERO
from ddilint.catalog import load_catalog
from ddilint.frontend.libclang_frontend import FrontendOptions, parse_file
from ddilint.program import Program

HEADER = """#include <ntddk.h>
VOID A(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO i) { }
VOID B(PUNICODE_STRING n, HANDLE p, PIMAGE_INFO i) { }
"""


def program(tmp_path: Path, **files: str) -> Program:
    units = []
    for name, body in files.items():
        path = tmp_path / f"{name}.c"
        path.write_text(HEADER + body, encoding="utf-8")
        units.append(parse_file(str(path), path.name, FrontendOptions()))
    return Program(units)


def leaks(prog: Program) -> dict[str, tuple[bool, bool]]:
    """Per registered routine: (leaks through the unload routine, leaks through a DriverEntry failure)."""
    catalog = load_catalog()
    inits = {n: v for u in prog.units for n, v in u.globals.items()}
    guards = exit_guard_keys(prog)
    entry = entry_points(prog, catalog)[0]
    unloads = unload_routines(prog, catalog)
    result = {}
    for reg in registrations(prog, catalog):
        relevant = guards | removal_guard_keys(prog, reg)
        paths = PairingPaths(prog, reg, success_flags(prog, reg), inits, relevant)
        unload_leak = any(paths.unload_leak(u.function) is not None for u in unloads)
        result[reg.what] = (unload_leak, paths.entry_failure_leak(entry) is not None)
    return result


def test_unload_routines_are_found_through_aliases_and_conditionals(tmp_path):
    prog = program(
        tmp_path,
        d="""
        VOID U1(PDRIVER_OBJECT d) { } VOID U2(PDRIVER_OBJECT d) { }
        static VOID Install(PDRIVER_OBJECT drv, BOOLEAN safe) { drv->DriverUnload = safe ? U1 : U2; }
        NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r) { Install(d, TRUE); return STATUS_SUCCESS; }
    """,
    )
    names = sorted(u.function.name for u in unload_routines(prog, load_catalog()))
    assert names == ["U1", "U2"]


def test_success_flags_include_copies_of_the_status_and_true_flags(tmp_path):
    prog = program(
        tmp_path,
        d="""
        BOOLEAN g_On; NTSTATUS g_Status; BOOLEAN g_Unrelated;
        NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r) {
            NTSTATUS status = PsSetLoadImageNotifyRoutine(A);
            g_Status = status;
            if (!NT_SUCCESS(status)) return status;
            g_On = TRUE;
            status = IoCreateDevice(d, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, NULL);
            if (!NT_SUCCESS(status)) return status;
            g_Unrelated = TRUE;
            return STATUS_SUCCESS;
        }
    """,
    )
    (reg,) = registrations(prog, load_catalog())
    assert success_flags(prog, reg) == {"g:g_Status": ZERO, "g:g_On": POS}


def test_flag_guarded_removal_and_goto_cleanup_are_not_leaks(tmp_path):
    prog = program(
        tmp_path,
        d="""
        BOOLEAN g_A, g_B;
        VOID Unload(PDRIVER_OBJECT d) {
            if (g_A) PsRemoveLoadImageNotifyRoutine(A);
            if (g_B) PsRemoveLoadImageNotifyRoutine(B);
        }
        NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r) {
            NTSTATUS status = PsSetLoadImageNotifyRoutine(A);
            if (!NT_SUCCESS(status)) goto Exit;
            g_A = TRUE;
            status = PsSetLoadImageNotifyRoutine(B);
            if (!NT_SUCCESS(status)) goto Exit;
            g_B = TRUE;
            d->DriverUnload = Unload;
        Exit:
            if (!NT_SUCCESS(status)) { if (g_A) PsRemoveLoadImageNotifyRoutine(A); }
            return status;
        }
    """,
    )
    assert leaks(prog) == {"A": (False, False), "B": (False, False)}


def test_unrelated_condition_wrong_routine_and_failure_return_are_leaks(tmp_path):
    prog = program(
        tmp_path,
        d="""
        BOOLEAN g_Verbose;
        VOID Unload(PDRIVER_OBJECT d) {
            if (g_Verbose) PsRemoveLoadImageNotifyRoutine(A);
            PsRemoveLoadImageNotifyRoutine(A);
        }
        NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r) {
            NTSTATUS status = PsSetLoadImageNotifyRoutine(B);
            if (!NT_SUCCESS(status)) return status;
            status = PsSetLoadImageNotifyRoutine(A);
            if (!NT_SUCCESS(status)) return STATUS_UNSUCCESSFUL;
            d->DriverUnload = Unload;
            return STATUS_SUCCESS;
        }
    """,
    )
    assert leaks(prog) == {"B": (True, True), "A": (False, False)}


def test_helpers_in_other_files_and_parameter_bindings(tmp_path):
    prog = program(
        tmp_path,
        driver="""
            NTSTATUS Start(VOID); VOID Stop(PLOAD_IMAGE_NOTIFY_ROUTINE r);
            VOID Unload(PDRIVER_OBJECT d) { Stop(A); }
            NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r) {
                NTSTATUS status = Start();
                if (!NT_SUCCESS(status)) return status;
                d->DriverUnload = Unload;
                return STATUS_SUCCESS;
            }
        """,
        helpers="""
            NTSTATUS Start(VOID) { return PsSetLoadImageNotifyRoutine(A); }
            VOID Stop(PLOAD_IMAGE_NOTIFY_ROUTINE r) { PsRemoveLoadImageNotifyRoutine(r); }
        """,
    )
    assert leaks(prog) == {"A": (False, False)}
