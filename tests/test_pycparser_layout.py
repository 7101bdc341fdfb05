"""The pure-Python frontend's ``sizeof``, constant folding and source columns agree with libclang's."""

from __future__ import annotations

from pathlib import Path

from ddilint import ir
from ddilint.frontend.column_map import ColumnMap
from ddilint.frontend.libclang_frontend import FrontendOptions
from ddilint.frontend.select import parse_file

TYPES = """
KSPIN_LOCK LIST_ENTRY HANDLE KEVENT FAST_MUTEX ERESOURCE DEVICE_OBJECT DRIVER_OBJECT KDPC KTIMER EX_PUSH_LOCK
UNICODE_STRING IO_STATUS_BLOCK LARGE_INTEGER ULARGE_INTEGER FLT_REGISTRATION FLT_OPERATION_REGISTRATION
KGUARDED_MUTEX OB_CALLBACK_REGISTRATION OB_OPERATION_REGISTRATION KMUTEX KSEMAPHORE WORK_QUEUE_ITEM KAPC
OBJECT_ATTRIBUTES KEY_VALUE_PARTIAL_INFORMATION IMAGE_INFO IRP IO_STACK_LOCATION KLOCK_QUEUE_HANDLE GUID
PS_CREATE_NOTIFY_INFO CLIENT_ID WCHAR BOOLEAN NTSTATUS ULONG64 SIZE_T
""".split()  # noqa: SIM905 - a word list reads better as text


def constants(unit: ir.TranslationUnit) -> dict[str, int | None]:
    [function] = unit.functions
    return {s.name: s.init.value for s in function.body.body if isinstance(s, ir.VarDecl)}  # type: ignore[union-attr]


def test_sizeof_of_wdk_types_strings_and_variables_matches_libclang(tmp_path: Path):
    lines = [f"    ULONG_PTR s_{name} = sizeof({name});" for name in TYPES]
    source = tmp_path / "sizes.c"
    source.write_text(
        "#include <fltKernel.h>\n"
        "typedef struct _CTX { KSPIN_LOCK Lock; UCHAR Flag : 1; UCHAR Armed : 1; USHORT Wide : 3; PVOID Slots[3];"
        " union { ULONG Bits; struct { USHORT Lo, Hi; }; }; } CTX, *PCTX;\n"
        "CTX g_Ctx;\nstatic PVOID g_Table[] = { NULL, NULL, NULL, NULL };\n"
        "VOID Sizes(PCTX Ctx)\n{\n"
        + "\n".join(lines)
        + "\n    ULONG_PTR s_ctx = sizeof(CTX), s_var = sizeof(g_Ctx), s_deref = sizeof(*Ctx),"
        " s_field = sizeof(Ctx->Slots), s_elem = sizeof(g_Ctx.Slots[0]), s_anon = sizeof(Ctx->Hi),"
        ' s_table = sizeof(g_Table) / sizeof(g_Table[0]), s_wide = sizeof(L"Name"), s_narrow = sizeof("a\\\\n");\n'
        "    UNREFERENCED_PARAMETER(Ctx);\n}\n",
        encoding="utf-8",
    )
    clang, pure = (
        constants(parse_file(str(source), "sizes.c", FrontendOptions(frontend=f))) for f in ("libclang", "pycparser")
    )
    assert pure == clang
    assert clang["s_LARGE_INTEGER"] == 8 and clang["s_wide"] == 10 and clang["s_table"] == 4
    assert sum(value is None for value in clang.values()) <= 1  # everything but an incomplete type is known


def test_columns_of_macro_expansions_map_back_to_the_macro_use():
    source = ["    if (!NT_SUCCESS(status)) return STATUS_UNSUCCESSFUL; // done"]
    expanded = {1: "    if (!((NTSTATUS)(status) >= 0)) return ((NTSTATUS)0xC0000001L);"}
    columns = ColumnMap(source, expanded)
    assert columns.column(1, expanded[1].index("status") + 1) == source[0].index("status") + 1  # a macro argument
    assert columns.column(1, expanded[1].index(">=") + 1) == source[0].index("NT_SUCCESS") + 1  # from the expansion
    assert columns.column(1, expanded[1].index("0xC") + 1) == source[0].index("STATUS_UN") + 1
    assert columns.column(1, expanded[1].index("return") + 1) == source[0].index("return") + 1
    assert ColumnMap(source, {1: source[0]}).column(1, 9) == 9  # unchanged line: identity


FOLDING = r"""#include <ntddk.h>
VOID Folded(VOID)
{
    ULONG a = 0xFFFFFFFF + 2u, b = 7 * 3 - 30, c = 0x80000000u | 1;
    ULONGLONG d = 0xFFFFFFFFFFFFFFFFull + 0ull, e = 1ull << 63, f = 18446744073709551615ull;
    LONG g = (LONG)0xC0000001L + 0, h = -5 & 0xFF, i = 100000 * 100000, j = 1 << 31, k = -1 < 1u;
    LONG l = 0xFFFFFFFF, m = 4294967296, n = -7 / 2, o = -7 % 2, p = 'ab', q = '\xff', r = L'\xff';
    ULONGLONG s = 0x7FFFFFFF + 1, t = ~0u, u = (BOOLEAN)256, v = (UCHAR)-1, w = sizeof(int) - 5;
    CHAR x = 'a' + 1;
    USHORT y = (USHORT)65535 + (USHORT)1;
    UNREFERENCED_PARAMETER(a);
}
"""


def test_constant_folding_follows_c_types_like_libclang(tmp_path: Path):
    """Literal types, promotions, usual arithmetic conversions and wrap-around: ``1 << 31`` is negative."""
    source = tmp_path / "folding.c"
    source.write_text(FOLDING, encoding="utf-8")
    clang, pure = (
        constants(parse_file(str(source), "folding.c", FrontendOptions(frontend=f))) for f in ("libclang", "pycparser")
    )
    assert pure == clang
    assert clang["j"] == -(2**31) and clang["a"] == 1 and clang["k"] == 0 and clang["v"] == 255
