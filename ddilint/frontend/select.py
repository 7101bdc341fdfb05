"""Which frontend parses a file: libclang (default), or the pure-Python pycparser frontend.

``--frontend auto`` takes libclang when its native library loads and falls
back to pycparser otherwise, saying so once. The choice is part of each
file's options, hence of its cache key: the two frontends give the same
findings, but not byte-identical IR (pycparser keeps no end positions).
"""

from __future__ import annotations

from ddilint import ir
from ddilint.frontend.libclang_bindings import FrontendUnavailableError, cindex
from ddilint.frontend.libclang_frontend import FrontendOptions

CHOICES = ("auto", "libclang", "pycparser")
CXX_SUFFIXES = (".cpp", ".cc", ".cxx")


def resolve_frontend(choice: str) -> tuple[str, ir.Notification | None]:
    """The frontend to use for ``choice``, and a notice when ``auto`` had to fall back."""
    if choice != "auto":
        return choice, None
    try:
        cindex()
    except FrontendUnavailableError as exc:
        note = ir.Notification("warning", f"libclang is not available ({exc}); using the pure-Python frontend", "")
        return "pycparser", note
    return "libclang", None


def parse_file(path: str, display_path: str, options: FrontendOptions) -> ir.TranslationUnit:
    if options.frontend == "pycparser":
        if path.lower().endswith(CXX_SUFFIXES):
            unit = ir.TranslationUnit(display_path, analyzed=False)
            unit.notifications.append(
                ir.Notification("error", "C++ needs the libclang frontend; not analyzed", display_path)
            )
            return unit
        from ddilint.frontend import pycparser_frontend

        return pycparser_frontend.parse_file(path, display_path, options)
    from ddilint.frontend import libclang_frontend

    return libclang_frontend.parse_file(path, display_path, options)


def prepare(path: str, options: FrontendOptions) -> None:
    """Build in this process what the children parsing each file share (``ddilint.isolation``)."""
    if path.lower().endswith(CXX_SUFFIXES) and options.frontend == "pycparser":
        return
    if options.frontend == "pycparser":
        from ddilint.frontend import pycparser_frontend

        pycparser_frontend.prepare(path, options)
        return
    from ddilint.frontend import libclang_frontend

    libclang_frontend.prepare(path, options)
