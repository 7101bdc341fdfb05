"""--wdk-include: a real-WDK-shaped tree replaces the bundled headers, and SAL meaning still reaches the analyses."""

from __future__ import annotations

import json
from pathlib import Path

from ddilint.cli import main

SAL = "#pragma once\n#define _IRQL_requires_(x)\n#define _IRQL_requires_max_(x)\n#define _In_\n"
DRIVERSPECS = (
    "#pragma once\n#include <sal.h>\n#define _IRQL_raises_(x)\n#define _IRQL_saves_\n#define _IRQL_restores_\n"
)
WDM = """#pragma once
#include <driverspecs.h>
typedef long NTSTATUS; typedef void VOID; typedef void *HANDLE; typedef unsigned char KIRQL; typedef KIRQL *PKIRQL;
typedef unsigned long long KSPIN_LOCK; typedef KSPIN_LOCK *PKSPIN_LOCK;
#define PASSIVE_LEVEL 0
#define DISPATCH_LEVEL 2
#define NT_SUCCESS(s) (((NTSTATUS)(s)) >= 0)
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS ZwClose(_In_ HANDLE h);
_IRQL_requires_max_(DISPATCH_LEVEL) KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK l);
VOID KeReleaseSpinLock(PKSPIN_LOCK l, _IRQL_restores_ KIRQL old);
/* the x64 kit spells the acquire as a macro */
#define KeAcquireSpinLock(a, b) *(b) = KeAcquireSpinLockRaiseToDpc(a)
"""
NTDDK = "#pragma once\n#include <wdm.h>\n"
DRIVER = """#include <ntddk.h>
KSPIN_LOCK g_Lock;
_IRQL_requires_(DISPATCH_LEVEL) VOID AtDispatch(VOID) { ZwClose(0); }
VOID Locked(VOID) {
    KIRQL old;
    KeAcquireSpinLock(&g_Lock, &old);
    ZwClose(0);
    KeReleaseSpinLock(&g_Lock, old);
    ZwClose(0);
}
"""


def test_real_kit_layout_keeps_annotations_and_macro_spellings(tmp_path: Path, monkeypatch):
    kit = tmp_path / "Include" / "10.0.22621.0"
    for sub, files in {
        "shared": {"sal.h": SAL, "driverspecs.h": DRIVERSPECS},
        "km": {"wdm.h": WDM, "ntddk.h": NTDDK},
    }.items():
        (kit / sub).mkdir(parents=True)
        for name, text in files.items():
            (kit / sub / name).write_text(text)
    (kit / "km" / "crt").mkdir()
    src = tmp_path / "drv" / "d.c"
    src.parent.mkdir()
    src.write_text(DRIVER)
    out = tmp_path / "r.json"
    monkeypatch.setenv("WDK_INCLUDE", str(kit))
    code = main(["check", str(src), "--select", "DDI003", "--format", "json", "--output", str(out)])
    report = json.loads(out.read_text())
    assert [n for n in report["notifications"] if n["level"] == "error"] == []
    assert code == 1
    assert [f["line"] for f in report["findings"]] == [3, 7]  # the annotation, and the macro-spelled lock
    monkeypatch.delenv("WDK_INCLUDE")
    code = main(["check", str(src), "--select", "DDI003", "--format", "json", "--output", str(out)])
    assert code == 1  # the bundled headers give the same two findings
