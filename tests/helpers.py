"""Parsing C snippets for unit tests, against a tiny self-contained prelude (no WDK headers needed)."""

from __future__ import annotations

from pathlib import Path

from ddilint import ir
from ddilint.frontend.libclang_frontend import FrontendOptions, parse_file

PRELUDE = """
typedef long NTSTATUS;
typedef void VOID;
typedef unsigned char BOOLEAN;
typedef void (*PCALLBACK)(void);
NTSTATUS Register(PCALLBACK cb);
NTSTATUS Other(void);
void Use(NTSTATUS s);
unsigned long DbgPrint(const char *fmt, ...);
#define NT_SUCCESS(s) (((NTSTATUS)(s)) >= 0)
#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
int g;
"""

PRELUDE_LINES = PRELUDE.count("\n")


def parse_snippet(tmp_path: Path, body: str, name: str = "snippet.c") -> ir.TranslationUnit:
    path = tmp_path / name
    path.write_text(PRELUDE + body, encoding="utf-8")
    return parse_file(str(path), name, FrontendOptions())


def function(tmp_path: Path, body: str, fname: str = "f") -> ir.Function:
    unit = parse_snippet(tmp_path, body)
    return next(f for f in unit.functions if f.name == fname)
