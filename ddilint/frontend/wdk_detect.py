"""Finding an installed Windows Driver Kit on Windows, for ``--wdk-include`` left unset.

The WDK installs its headers under ``<kit root>\\Include\\<version>\\km``; the kit
root is ``%WDKContentRoot%`` in a WDK build environment, else
``%ProgramFiles(x86)%\\Windows Kits\\10``. The newest version with ``km\\wdm.h``
is used. Elsewhere (Linux, macOS CI) nothing is detected and the bundled
headers are used.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

BUNDLED = "bundled"  # --wdk-include bundled: the bundled headers even when a kit is installed


def detect_wdk_include(environ: Mapping[str, str] = os.environ, windows: bool | None = None) -> str | None:
    """The include directory of the newest installed kit, or None (not Windows, or no kit)."""
    if not (sys.platform == "win32" if windows is None else windows):
        return None
    roots = [environ[v] for v in ("WDKContentRoot", "WindowsSdkDir") if environ.get(v)]
    roots += [
        os.path.join(environ[v], "Windows Kits", "10") for v in ("ProgramFiles(x86)", "ProgramFiles") if environ.get(v)
    ]
    return newest_kit_include(roots)


def newest_kit_include(roots: Iterable[str]) -> str | None:
    found: list[tuple[tuple[int, ...], str]] = []
    for root in roots:
        include = Path(root) / "Include"
        try:
            versions = list(include.iterdir())
        except OSError:
            continue
        for version in versions:
            if (version / "km" / "wdm.h").is_file():
                found.append((tuple(int(n) for n in re.findall(r"\d+", version.name)), str(version)))
    return max(found)[1] if found else None


def resolve_wdk_include(option: str | None) -> str | None:
    """``--wdk-include`` / ``WDK_INCLUDE`` if given ("bundled" forces the bundled headers), else a detected kit."""
    if option == BUNDLED:
        return None
    return option if option else detect_wdk_include()
