"""A seeded generator of small driver programs for the two-frontend differential test.

Each seed gives one driver: a DriverEntry and an unload routine built from
random statements (nested if/else, loops, switch with fall-through, goto
cleanup, early returns, helper calls, spin-lock acquire/release, image-notify
registrations with success flags, PASSIVE-only calls). The programs are
valid C; what they do is random, so they produce findings of every rule.
"""

from __future__ import annotations

import random

HEADER = """#include <ntddk.h>

static BOOLEAN g_Flag0, g_Flag1, g_Registered;
static KSPIN_LOCK g_Lock;
static HANDLE g_Handle;
static ULONG g_Count;

static VOID Notify(PUNICODE_STRING Name, HANDLE Pid, PIMAGE_INFO Info)
{
    UNREFERENCED_PARAMETER(Name);
    UNREFERENCED_PARAMETER(Pid);
    UNREFERENCED_PARAMETER(Info);
}

static NTSTATUS Helper(ULONG Value)
{
    return Value > 3 ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;
}

static NTSTATUS RegisterWrapped(VOID)
{
    NTSTATUS status = PsSetLoadImageNotifyRoutine(Notify);
    if (NT_SUCCESS(status)) {
        g_Registered = TRUE;
    }
    return status;
}

static VOID CloseIt(VOID)
{
    if (g_Handle != NULL) {
        ZwClose(g_Handle);
        g_Handle = NULL;
    }
}
"""


STATEMENTS = [
    "register", "remove", "if", "loop", "while", "switch", "lock", "helper", "close", "count", "return", "flag",
]  # fmt: skip


class _Writer:
    def __init__(self, rng: random.Random, leave: str) -> None:
        self.rng = rng
        self.leave = leave  # how a failure leaves: "goto Cleanup;" in DriverEntry, "return;" in Unload
        self.lines: list[str] = []
        self.labels = 0

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def block(self, depth: int, budget: int) -> None:
        for _ in range(self.rng.randint(1, 3)):
            if budget <= 0:
                return
            budget -= 1
            self.statement(depth, budget)

    def statement(self, depth: int, budget: int) -> None:
        rng = self.rng
        choice = rng.choice(STATEMENTS)
        if depth > 4 and choice in ("if", "loop", "while", "switch", "lock"):
            choice = "count"
        if choice == "register":
            style = rng.randint(0, 2)
            if style == 0:
                self.emit(depth, "status = PsSetLoadImageNotifyRoutine(Notify);")
                self.emit(depth, "if (!NT_SUCCESS(status)) {")
                self.emit(depth + 1, self.leave)
                self.emit(depth, "}")
                self.emit(depth, "g_Registered = TRUE;")
            elif style == 1:
                self.emit(depth, "status = PsSetLoadImageNotifyRoutine(Notify);")
                self.emit(depth, "g_Registered = NT_SUCCESS(status);")
            else:
                self.emit(depth, "PsSetLoadImageNotifyRoutine(Notify);")
        elif choice == "remove":
            if rng.random() < 0.5:
                self.emit(depth, "if (g_Registered) {")
                self.emit(depth + 1, "PsRemoveLoadImageNotifyRoutine(Notify);")
                self.emit(depth + 1, "g_Registered = FALSE;")
                self.emit(depth, "}")
            else:
                self.emit(depth, "PsRemoveLoadImageNotifyRoutine(Notify);")
        elif choice == "if":
            self.emit(depth, f"if ({rng.choice(['g_Flag0', '!g_Flag1', 'g_Count > 2', 'NT_SUCCESS(status)'])}) {{")
            self.block(depth + 1, 2)
            if rng.random() < 0.25:
                self.emit(depth, "} else if (g_Count == 1) {")
                self.block(depth + 1, 1)
            if rng.random() < 0.5:
                self.emit(depth, "} else {")
                self.block(depth + 1, 2)
            self.emit(depth, "}")
        elif choice == "loop":
            self.emit(depth, "for (i = 0; i < 3; i++) {")
            self.block(depth + 1, 2)
            if rng.random() < 0.3:
                self.emit(depth + 1, "if (g_Flag0) {")
                self.emit(depth + 2, rng.choice(["break;", "continue;"]))
                self.emit(depth + 1, "}")
            self.emit(depth, "}")
        elif choice == "while":
            if rng.random() < 0.5:
                self.emit(depth, "while (g_Count < 5) {")
                self.emit(depth + 1, "g_Count++;")
                self.block(depth + 1, 1)
                self.emit(depth, "}")
            else:
                self.emit(depth, "do {")
                self.block(depth + 1, 1)
                self.emit(depth, "} while (g_Flag0 && g_Count++ < 3);")
        elif choice == "switch":
            self.emit(depth, "switch (g_Count) {")
            self.emit(depth, "case 0:")
            self.block(depth + 1, 1)
            if rng.random() < 0.5:
                self.emit(depth + 1, "break;")  # else fall through
            self.emit(depth, "case 1:")
            self.block(depth + 1, 1)
            self.emit(depth + 1, "break;")
            self.emit(depth, "default:")
            self.emit(depth + 1, "break;")
            self.emit(depth, "}")
        elif choice == "lock":
            self.emit(depth, "KeAcquireSpinLock(&g_Lock, &oldIrql);")
            self.block(depth, 1)
            self.emit(depth, "KeReleaseSpinLock(&g_Lock, oldIrql);")
        elif choice == "helper":
            call = rng.choice([f"Helper({rng.randint(0, 6)})", "RegisterWrapped()"])
            self.emit(depth, f"status = {call};")
            if rng.random() < 0.6:
                self.emit(depth, "if (!NT_SUCCESS(status)) {")
                self.emit(depth + 1, self.leave)
                self.emit(depth, "}")
        elif choice == "close":
            self.emit(depth, "CloseIt();")
        elif choice == "count":
            self.emit(depth, "g_Count++;")
        elif choice == "return":
            self.emit(depth, "if (g_Flag1) {")
            value = rng.choice(["STATUS_SUCCESS", "status", "STATUS_UNSUCCESSFUL"])
            self.emit(depth + 1, f"return {value};" if self.leave.startswith("goto") else "return;")
            self.emit(depth, "}")
        else:
            self.emit(depth, f"g_Flag{rng.randint(0, 1)} = {rng.choice(['TRUE', 'FALSE'])};")


def generate(seed: int) -> str:
    """The driver of ``seed`` (deterministic)."""
    rng = random.Random(f"ddilint-differential/{seed}")
    entry = _Writer(rng, "goto Cleanup;")
    entry.block(1, rng.randint(3, 9))
    unload = _Writer(rng, "return;")
    unload.block(1, rng.randint(1, 5))
    body = "\n".join(entry.lines)
    unload_body = "\n".join(unload.lines)
    return f"""{HEADER}
VOID Unload(PDRIVER_OBJECT DriverObject)
{{
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL oldIrql;
    ULONG i;

    UNREFERENCED_PARAMETER(DriverObject);
{unload_body}
    UNREFERENCED_PARAMETER(status);
}}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{{
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL oldIrql;
    ULONG i;

    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&g_Lock);
{body}
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;

Cleanup:
    if (g_Registered) {{
        PsRemoveLoadImageNotifyRoutine(Notify);
    }}
    return status;
}}
"""
