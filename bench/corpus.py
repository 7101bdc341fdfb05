"""Deterministic generator of a synthetic corpus of Windows kernel drivers, for benchmarking ddilint.

    python bench/corpus.py OUT_DIR [--seed N] [--copies K]

Each copy holds 24 driver directories (one directory is one driver for ddilint): 1 to 4 ``.c``
files each, plus a local header when there are several, written in ordinary WDK C style --
DriverEntry with goto-cleanup (or unwind-on-failure) registration of the Ps notify routines,
an unload routine, IRP dispatch with an IOCTL switch, spin locks, a timer DPC, work items,
registry and file helpers, and many ordinary helper functions that bring the files to their
sizes (about 100 to 5,000 lines, 25-40k lines a copy). One driver per copy is the DDI002
stress case (a DriverEntry with 30 registrations in goto-cleanup style).

Most code is correct. A seeded minority of drivers carry one real bug each -- DDI001 (a
registration status ignored), DDI002 (a registration not undone on unload or on a failure
return of DriverEntry), DDI003 (a PASSIVE_LEVEL DDI under a spin lock or in a DPC) -- and
the line ddilint must report ends with ``// expect: DDI00N``, as in ``fixtures/``.

The same seed and copies give byte-identical files (only ``random.Random`` instances seeded
from them are used). Copy K's drivers do not depend on how many copies are generated, so a
corpus of K copies is about K times one copy.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

RULES = ("DDI001", "DDI002", "DDI003")
DRIVERS_PER_COPY = 24
STRESS_REGISTRATIONS = 30
MARK = re.compile(r"//\s*expect:\s*((?:DDI\d{3}[\s,]*)+)")

FIRST_WORDS = (
    "Proc", "Image", "Thread", "Kern", "Audit", "Trace", "Guard", "Sentry", "Watch", "Shield",
    "Scan", "Vault", "Probe", "Event", "Track", "Insight", "Beacon", "Lynx", "Falcon", "Harbor",
    "Orbit", "Quartz", "Nimbus", "Cobalt", "Ember", "Atlas", "Raven", "Onyx", "Delta", "Vector",
)  # fmt: skip
SECOND_WORDS = (
    "Mon", "Guard", "Trace", "Watch", "Filter", "Audit", "Sense", "Log", "Scope", "Track",
    "Sentinel", "Meter", "Keeper", "Lens", "Pulse",
)  # fmt: skip
KNOWN_IMAGES = (
    "svchost.exe", "lsass.exe", "csrss.exe", "winlogon.exe", "services.exe", "explorer.exe",
    "smss.exe", "wininit.exe", "spoolsv.exe", "taskhostw.exe", "dwm.exe", "conhost.exe",
    "msmpeng.exe", "searchindexer.exe", "rundll32.exe", "powershell.exe", "cmd.exe",
    "wmiprvse.exe", "dllhost.exe", "sihost.exe", "ntoskrnl.exe", "fltmgr.sys", "ndis.sys",
)  # fmt: skip
COUNTERS = (
    "PROCESS_CREATE", "PROCESS_EXIT", "THREAD_CREATE", "THREAD_EXIT", "KERNEL_IMAGES", "USER_IMAGES",
    "ALLOC_FAILURES", "LOG_FAILURES", "TIMER_BACKLOG", "IOCTLS", "CONFIG_CHANGES", "WATCH_HITS",
)  # fmt: skip

# Target lines of the files of a driver, (low, high, mode) by role; a few drivers per copy get one big file.
SMALL_FILE_LINES = {
    "driver": (120, 700, 150),
    "notify": (100, 450, 120),
    "worker": (90, 350, 100),
    "extra": (90, 260, 110),
}
BIG_FILE_LINES = (4600, 2900, 1900)

# One injected bug per buggy driver: the rule it breaks and the variants that break it.
BUG_VARIANTS = {
    "DDI001": ("ddi001_logged", "ddi001_rearm", "ddi001_void_reset"),
    "DDI002": ("ddi002_unload_forgets", "ddi002_failure_return"),
    "DDI003": (
        "ddi003_register_under_lock",
        "ddi003_dpc_writes_log",
        "ddi003_dpc_opens_file",
        "ddi003_registry_under_lock",
        "ddi003_link_under_queued_lock",
    ),
}


@dataclass
class CorpusStats:
    """What one generation wrote, and how many findings ddilint must report on it."""

    drivers: int = 0
    files: int = 0
    lines: int = 0
    expected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))

    def summary(self) -> str:
        per_rule = ", ".join(f"{code}: {count}" for code, count in sorted(self.expected.items()))
        return f"{self.drivers} drivers, {self.files} files, {self.lines} lines; expected findings: {per_rule}"


class CTemplate(Template):
    """C code with ``$X`` (one capital letter) and ``${name}`` placeholders; C never uses ``$``."""

    idpattern = r"[A-Z]"
    braceidpattern = r"[A-Za-z_][A-Za-z0-9_]*"
    flags = re.RegexFlag(0)


@dataclass
class Driver:
    """One driver being generated: its names, plan, and the text of each file."""

    number: int
    rng: random.Random
    name: str
    prefix: str
    include: str
    file_names: dict[str, str]  # role ("driver", "notify", "worker", "extra") -> file name
    header: str | None
    targets: dict[str, int]
    features: set[str]
    bug: str | None
    style: str  # "goto" or "unwind"
    flags: str  # "global" or "local"
    bodies: dict[str, list[str]] = field(default_factory=dict)
    globals_: dict[str, list[str]] = field(default_factory=dict)
    protos: list[str] = field(default_factory=list)
    defines: list[str] = field(default_factory=list)
    ioctls: list[tuple[str, str]] = field(default_factory=list)  # (IOCTL name, switch-case body)
    taken: set[str] = field(default_factory=set)

    @property
    def p(self) -> str:
        return self.prefix

    @property
    def u(self) -> str:
        return self.prefix.upper()

    @property
    def g(self) -> str:
        return f"g_{self.prefix}Globals"

    def has(self, feature: str) -> bool:
        return feature in self.features

    def file_of(self, role: str) -> str:
        order = {
            "driver": ("driver",),
            "notify": ("notify", "driver"),
            "worker": ("worker", "notify", "driver"),
            "core": ("worker", "notify", "driver"),
            "extra": ("extra", "worker", "notify", "driver"),
        }[role]
        return next(self.file_names[r] for r in order if r in self.file_names)

    def render(self, text: str, **values: object) -> list[str]:
        mapping = {"P": self.p, "U": self.u, "G": self.g, "NAME": self.name}
        mapping.update({k: str(v) for k, v in values.items()})
        return CTemplate(textwrap.dedent(text).strip("\n")).substitute(mapping).split("\n")

    def add(self, role: str, lines: list[str], proto: str | None = "auto") -> None:
        """Append a function (or any top-level unit) to the file playing ``role``."""
        body = self.bodies.setdefault(self.file_of(role), [])
        if body:
            body.append("")
        body.extend(lines)
        if proto == "auto":
            proto = auto_prototype(lines)
        if proto:
            self.protos.append(proto)

    def unique(self, candidates: tuple[str, ...]) -> str:
        """A function name not yet used in this driver, from the candidates' stems."""
        stems = list(candidates)
        self.rng.shuffle(stems)
        for qualifier in ("", "Ex", "Internal", "Safe", "Fast", "Checked", "V2", "Cached"):
            for stem in stems:
                name = f"{self.p}{stem}{qualifier}"
                if name not in self.taken:
                    self.taken.add(name)
                    return name
        number = 2
        while f"{self.p}{stems[0]}{number}" in self.taken:
            number += 1
        self.taken.add(f"{self.p}{stems[0]}{number}")
        return f"{self.p}{stems[0]}{number}"

    def body_lines(self, file_name: str) -> int:
        return len(self.bodies.get(file_name, []))


def auto_prototype(lines: list[str]) -> str | None:
    """``RETTYPE Name(params);`` from a definition whose first two lines are the type and the head."""
    if len(lines) < 3 or lines[0].startswith(("static", "_Use_decl_annotations_", "/*", "#")):
        return None
    if "(" not in lines[1] or lines[2] != "{":
        return None
    return f"{lines[0]}\n{lines[1]};"


def ind(lines: list[str], level: int = 1) -> list[str]:
    pad = "    " * level
    return [pad + line if line else line for line in lines]


# --------------------------------------------------------------------------- planning


def driver_names(rng: random.Random) -> tuple[str, str]:
    first, second = rng.choice(FIRST_WORDS), rng.choice(SECOND_WORDS)
    while second == first:
        second = rng.choice(SECOND_WORDS)
    return first + second, first[:2] + second[0].lower()


def plan_driver(number: int, rng: random.Random, big_file_lines: int, bug: str | None) -> Driver:
    name, prefix = driver_names(rng)
    lower = name.lower()
    count = rng.choices((1, 2, 3, 4), weights=(15, 30, 30, 25))[0]
    if count == 1:
        roles = ["driver"]
    elif count == 2:
        roles = ["driver", "notify"]
    elif count == 3:
        roles = ["driver", "notify", rng.choice(("worker", "extra"))]
    else:
        roles = ["driver", "notify", "worker", "extra"]
    choices = {
        "driver": ("driver.c", "main.c", f"{lower}.c", "entry.c"),
        "notify": ("notify.c", "callbacks.c", "monitor.c"),
        "worker": ("worker.c", "deferred.c", "timer.c"),
        "extra": ("strings.c", "hash.c", "support.c", "version.c"),
    }
    file_names = {role: (f"{lower}.c" if count == 1 else rng.choice(choices[role])) for role in roles}
    header = None if count == 1 else rng.choice((f"{lower}.h", f"{lower}.h", "internal.h", "precomp.h"))
    features = {"image"}
    for feature, chance in (("process", 0.75), ("thread", 0.5), ("dpc", 0.55), ("registry", 0.6)):
        if rng.random() < chance:
            features.add(feature)
    if "dpc" in features and rng.random() < 0.65:
        features.add("workitem")
    if rng.random() < 0.35:
        features.add("callbacks")  # registrations in a helper of the notify file
    flags = "global" if "callbacks" in features or rng.random() < 0.6 else "local"
    if flags == "global" and rng.random() < 0.5:
        features.add("toggle")
    features |= bug_features(bug)
    if bug in ("ddi001_rearm", "ddi001_void_reset", "ddi003_register_under_lock"):
        flags = "global"
    style = "goto" if rng.random() < 0.7 else "unwind"
    # Most files stay close to the code they must hold; a large driver has one big file.
    targets = {file_names[r]: int(rng.triangular(*SMALL_FILE_LINES[r])) for r in roles}
    if big_file_lines:
        targets[file_names[rng.choice([r for r in roles if r in ("driver", "notify")])]] = big_file_lines
    return Driver(
        number=number,
        rng=rng,
        name=name,
        prefix=prefix,
        include=rng.choices(("ntddk.h", "ntifs.h"), weights=(3, 1))[0],
        file_names=file_names,
        header=header,
        targets=targets,
        features=features,
        bug=bug,
        style=style,
        flags=flags,
    )


def bug_features(bug: str | None) -> set[str]:
    return {
        "ddi001_logged": {"process"},
        "ddi003_dpc_writes_log": {"dpc", "workitem"},
        "ddi003_dpc_opens_file": {"dpc"},
        "ddi003_registry_under_lock": {"registry"},
    }.get(bug or "", set())


def plan_copy(seed: int, copy: int) -> list[tuple[str, int, str | None]]:
    """Per driver slot of one copy: its kind ("stress" or "driver"), big-file size (0: none) and bug."""
    rng = random.Random(f"ddilint-corpus/{seed}/copy/{copy}")
    regular = DRIVERS_PER_COPY - 1
    targets = [0] * regular
    for slot, big in zip(rng.sample(range(regular), len(BIG_FILE_LINES)), BIG_FILE_LINES, strict=True):
        targets[slot] = big + rng.randint(-200, 200)
    bugs: list[str | None] = [None] * regular
    chosen = [rng.choice(BUG_VARIANTS[rule]) for rule in RULES for _ in range(rng.randint(1, 2))]
    for slot, bug in zip(rng.sample(range(regular), len(chosen)), chosen, strict=True):
        bugs[slot] = bug
    plan: list[tuple[str, int, str | None]] = [("driver", t, b) for t, b in zip(targets, bugs, strict=True)]
    plan.insert(rng.randrange(DRIVERS_PER_COPY), ("stress", 0, None))
    return plan


# --------------------------------------------------------------------------- header and preamble


def header_declarations(d: Driver) -> list[str]:
    counters = [f"#define {d.u}_COUNTER_{c:<16} {i}" for i, c in enumerate(COUNTERS)]
    lines = d.render(
        """
        #define $U_POOL_TAG            ${TAG}
        #define $U_DEVICE_NAME         L"\\\\Device\\\\${NAME}"
        #define $U_LINK_NAME           L"\\\\DosDevices\\\\${NAME}"
        #define $U_PARAMETERS_KEY      ${KEY}
        #define $U_LOG_FILE            L"\\\\SystemRoot\\\\Temp\\\\${NAME}.log"
        #define $U_MAX_ENTRIES         ${MAXE}
        #define $U_NAME_CHARS          ${NAMECH}
        #define $U_RING_SIZE           ${RING}
        #define $U_COUNTER_COUNT       16
        #define $U_BITMAP_WORDS        8
        #define $U_TIMER_PERIOD_MS     ${PERIOD}
        #define $U_VERSION_MAJOR       ${MAJOR}
        #define $U_VERSION_MINOR       ${MINOR}

        #define $U_ENTRY_FLAG_SYSTEM   0x0001
        #define $U_ENTRY_FLAG_TRUSTED  0x0002
        #define $U_ENTRY_FLAG_WATCHED  0x0004
        #define $U_ENTRY_FLAG_EXITED   0x0008

        #define $U_CONFIG_FLAG_VERBOSE 0x0001
        #define $U_CONFIG_FLAG_AUDIT   0x0002
        #define $U_CONFIG_FLAG_BLOCK   0x0004
        """,
        TAG="'" + d.name[:4][::-1] + "'",
        KEY=f'L"{REGISTRY_SERVICES}{d.name}\\\\Parameters"',
        MAXE=d.rng.choice((256, 512, 1024, 2048, 4096)),
        NAMECH=d.rng.choice((64, 128, 260)),
        RING=d.rng.choice((128, 256, 512)),
        PERIOD=d.rng.choice((250, 500, 1000, 2000)),
        MAJOR=d.rng.randint(1, 4),
        MINOR=d.rng.randint(0, 20),
    )
    lines += ["", *counters, "", *d.defines, ""]
    lines += d.render(
        """
        typedef enum _$U_STATE {
            ${P}StateStopped = 0,
            ${P}StateStarting,
            ${P}StateRunning,
            ${P}StatePaused,
            ${P}StateStopping
        } $U_STATE;

        typedef enum _$U_EVENT_KIND {
            ${P}EventProcessCreate = 1,
            ${P}EventProcessExit,
            ${P}EventThreadCreate,
            ${P}EventThreadExit,
            ${P}EventImageLoad,
            ${P}EventConfigChange
        } $U_EVENT_KIND;

        typedef struct _$U_ENTRY {
            LIST_ENTRY ListEntry;
            HANDLE ProcessId;
            HANDLE ParentId;
            LARGE_INTEGER Timestamp;
            ULONG Flags;
            ULONG Hash;
            USHORT NameLength;
            WCHAR Name[$U_NAME_CHARS];
        } $U_ENTRY, *P$U_ENTRY;

        typedef struct _$U_ENTRY_INFO {
            ULONG ProcessId;
            ULONG ParentId;
            ULONG Flags;
            ULONG Hash;
            LARGE_INTEGER Timestamp;
            WCHAR Name[$U_NAME_CHARS];
        } $U_ENTRY_INFO, *P$U_ENTRY_INFO;

        typedef struct _$U_RECORD {
            LARGE_INTEGER Timestamp;
            ULONG Kind;
            ULONG ProcessId;
            ULONG_PTR Data;
        } $U_RECORD, *P$U_RECORD;

        typedef struct _$U_CONFIG {
            ULONG Flags;
            ULONG MaxEntries;
            ULONG SampleInterval;
            ULONG LogLevel;
            BOOLEAN MonitorImages;
            BOOLEAN MonitorThreads;
        } $U_CONFIG, *P$U_CONFIG;

        typedef struct _$U_STATS {
            volatile LONG Counters[$U_COUNTER_COUNT];
            ULONG LargestImage;
            ULONG Dropped;
            ULONG TimerTicks;
        } $U_STATS, *P$U_STATS;

        typedef struct _$U_VERSION {
            ULONG Major;
            ULONG Minor;
            ULONG State;
            ULONG EntryCount;
        } $U_VERSION, *P$U_VERSION;

        typedef struct _$U_GLOBALS {
            KSPIN_LOCK Lock;
            LIST_ENTRY EntryList;
            ULONG EntryCount;
            $U_STATE State;
            $U_CONFIG Config;
            $U_STATS Stats;
            $U_RECORD Ring[$U_RING_SIZE];
            ULONG RingHead;
            ULONG RingTail;
            ULONG Bitmap[$U_BITMAP_WORDS];
            PDEVICE_OBJECT DeviceObject;
            KDPC Dpc;
            KTIMER Timer;
            PIO_WORKITEM WorkItem;
            volatile LONG WorkItemQueued;
            volatile LONG OpenHandles;
            BOOLEAN ImageNotifyRegistered;
            BOOLEAN ProcessNotifyRegistered;
            BOOLEAN ThreadNotifyRegistered;
            BOOLEAN ForeignArchitecture;
        } $U_GLOBALS, *P$U_GLOBALS;

        extern $U_GLOBALS $G;

        DRIVER_INITIALIZE DriverEntry;
        DRIVER_UNLOAD ${P}Unload;
        _Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH ${P}CreateClose;
        _Dispatch_type_(IRP_MJ_DEVICE_CONTROL) DRIVER_DISPATCH ${P}DeviceControl;
        LOAD_IMAGE_NOTIFY_ROUTINE ${P}ImageNotify;
        """
    )
    if d.has("process"):
        lines.append(f"CREATE_PROCESS_NOTIFY_ROUTINE_EX {d.p}ProcessNotify;")
    if d.has("thread"):
        lines.append(f"CREATE_THREAD_NOTIFY_ROUTINE {d.p}ThreadNotify;")
    if d.has("dpc"):
        lines.append(f"KDEFERRED_ROUTINE {d.p}TimerDpc;")
    if d.has("workitem"):
        lines.append(f"IO_WORKITEM_ROUTINE {d.p}FlushWorker;")
    lines.append("")
    for proto in d.protos:
        lines.extend(proto.split("\n"))
        lines.append("")
    return lines[:-1]


REGISTRY_SERVICES = r"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\"

FILE_PURPOSES = {
    "driver": "driver entry, unload and IRP dispatch",
    "notify": "process, thread and image-load notification callbacks",
    "worker": "timer DPC, work items, registry configuration and the event log",
    "extra": "small helpers (strings, hashing, bitmaps)",
}


def preamble(d: Driver, role: str, file_name: str) -> list[str]:
    purpose = FILE_PURPOSES[role] if len(d.file_names) > 1 else "a small monitoring driver in one file"
    lines = [
        "/*",
        f" * {file_name} - {d.name}: {purpose}.",
        " *",
        f" * Copyright (c) {d.name} contributors. Generated benchmark source (ddilint bench/corpus.py).",
        " */",
    ]
    first = d.include
    if role == "extra" and d.rng.random() < 0.5:
        first = "wdm.h"  # the local header brings in ntddk.h
    lines.append(f"#include <{first}>")
    if d.header is not None:
        lines.append(f'#include "{d.header}"')
    else:
        lines += ["", *header_declarations(d)]
    if role == "driver":
        lines += [
            "",
            "#ifdef ALLOC_PRAGMA",
            "#pragma alloc_text(INIT, DriverEntry)",
            f"#pragma alloc_text(PAGE, {d.p}Unload)",
            "#endif",
        ]
    extra = d.globals_.get(file_name)
    if extra:
        lines += ["", *extra]
    return lines


def header_file(d: Driver) -> str:
    guard = [
        "/*",
        f" * {d.header} - declarations shared by the files of the {d.name} driver.",
        " */",
        "#pragma once",
        "",
        f"#include <{d.include}>",
        "",
    ]
    return "\n".join(guard + header_declarations(d)) + "\n"


# --------------------------------------------------------------------------- core helpers


def emit_core(d: Driver) -> None:
    """List, ring-buffer, statistics and configuration helpers every driver has."""
    d.taken.update(
        f"{d.p}{n}"
        for n in (
            "InitializeGlobals", "SetDefaultConfiguration", "ClampConfiguration", "HashName", "NameEndsWith",
            "CopyEntryName", "AllocateEntry", "FreeEntry", "InsertEntry", "RemoveEntry", "LookupEntry",
            "PurgeEntries", "CountEvent", "RecordEventLocked", "RecordEvent", "PopRecord", "SnapshotStatistics",
        )
    )  # fmt: skip
    timer = [
        "",
        f"KeInitializeDpc(&{d.g}.Dpc, {d.p}TimerDpc, NULL);",
        f"KeInitializeTimerEx(&{d.g}.Timer, NotificationTimer);",
    ]
    init = d.render(
        """
        VOID
        ${P}InitializeGlobals(VOID)
        {
            RtlZeroMemory(&$G, sizeof($G));
            KeInitializeSpinLock(&$G.Lock);
            InitializeListHead(&$G.EntryList);
            $G.State = ${P}StateStarting;
            ${P}SetDefaultConfiguration(&$G.Config);
        """
    )
    init += [*ind(timer[1:] if d.has("dpc") else []), "}"]
    d.add("core", init)
    d.add(
        "core",
        d.render(
            """
            VOID
            ${P}SetDefaultConfiguration(_Out_ P$U_CONFIG Config)
            {
                RtlZeroMemory(Config, sizeof(*Config));
                Config->Flags = ${FLAGS};
                Config->MaxEntries = $U_MAX_ENTRIES;
                Config->SampleInterval = $U_TIMER_PERIOD_MS;
                Config->LogLevel = DPFLTR_WARNING_LEVEL;
                Config->MonitorImages = TRUE;
                Config->MonitorThreads = ${THREADS};
            }

            VOID
            ${P}ClampConfiguration(_Inout_ P$U_CONFIG Config)
            {
                if (Config->MaxEntries == 0 || Config->MaxEntries > $U_MAX_ENTRIES) {
                    Config->MaxEntries = $U_MAX_ENTRIES;
                }
                if (Config->SampleInterval < 50) {
                    Config->SampleInterval = 50;
                } else if (Config->SampleInterval > 60000) {
                    Config->SampleInterval = 60000;
                }
                if (Config->LogLevel > DPFLTR_INFO_LEVEL) {
                    Config->LogLevel = DPFLTR_INFO_LEVEL;
                }
                Config->Flags &= ($U_CONFIG_FLAG_VERBOSE | $U_CONFIG_FLAG_AUDIT | $U_CONFIG_FLAG_BLOCK);
            }
            """,
            FLAGS=d.rng.choice(("0", f"{d.u}_CONFIG_FLAG_AUDIT", f"{d.u}_CONFIG_FLAG_VERBOSE")),
            THREADS="TRUE" if d.has("thread") else "FALSE",
        ),
        proto=None,
    )
    d.protos.append(f"VOID\n{d.p}SetDefaultConfiguration(_Out_ P{d.u}_CONFIG Config);")
    d.protos.append(f"VOID\n{d.p}ClampConfiguration(_Inout_ P{d.u}_CONFIG Config);")
    for unit in CORE_UNITS:
        d.add("core", d.render(unit, BASIS=hex(d.rng.getrandbits(32)), MULT=d.rng.choice((31, 33, 37, 131))))


CORE_UNITS = (
    """
    ULONG
    ${P}HashName(_In_ PCUNICODE_STRING Name)
    {
        ULONG hash = ${BASIS};
        USHORT i;

        if (Name == NULL || Name->Buffer == NULL) {
            return 0;
        }
        for (i = 0; i < Name->Length / sizeof(WCHAR); i++) {
            WCHAR c = Name->Buffer[i];
            if (c >= L'a' && c <= L'z') {
                c = (WCHAR)(c - (L'a' - L'A'));
            }
            hash = hash * ${MULT} + c;
        }
        return hash;
    }
    """,
    """
    BOOLEAN
    ${P}NameEndsWith(_In_opt_ PCUNICODE_STRING Name, _In_z_ PCWSTR Suffix)
    {
        SIZE_T suffixChars = wcslen(Suffix);
        SIZE_T nameChars;
        SIZE_T i;

        if (Name == NULL || Name->Buffer == NULL) {
            return FALSE;
        }
        nameChars = Name->Length / sizeof(WCHAR);
        if (suffixChars == 0 || suffixChars > nameChars) {
            return FALSE;
        }
        for (i = 0; i < suffixChars; i++) {
            WCHAR a = Name->Buffer[nameChars - suffixChars + i];
            WCHAR b = Suffix[i];
            if (a >= L'A' && a <= L'Z') {
                a = (WCHAR)(a + (L'a' - L'A'));
            }
            if (b >= L'A' && b <= L'Z') {
                b = (WCHAR)(b + (L'a' - L'A'));
            }
            if (a != b) {
                return FALSE;
            }
        }
        return TRUE;
    }
    """,
    """
    VOID
    ${P}CopyEntryName(_Inout_ P$U_ENTRY Entry, _In_ PCUNICODE_STRING Source)
    {
        USHORT chars = Source->Length / sizeof(WCHAR);

        if (chars >= $U_NAME_CHARS) {
            chars = $U_NAME_CHARS - 1;
        }
        RtlCopyMemory(Entry->Name, Source->Buffer, chars * sizeof(WCHAR));
        Entry->Name[chars] = L'\\0';
        Entry->NameLength = chars;
    }
    """,
    """
    P$U_ENTRY
    ${P}AllocateEntry(_In_ HANDLE ProcessId, _In_opt_ HANDLE ParentId)
    {
        P$U_ENTRY entry;

        entry = (P$U_ENTRY)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof($U_ENTRY), $U_POOL_TAG);
        if (entry == NULL) {
            InterlockedIncrement(&$G.Stats.Counters[$U_COUNTER_ALLOC_FAILURES]);
            return NULL;
        }
        entry->ProcessId = ProcessId;
        entry->ParentId = ParentId;
        KeQuerySystemTimePrecise(&entry->Timestamp);
        InitializeListHead(&entry->ListEntry);
        return entry;
    }
    """,
    """
    VOID
    ${P}FreeEntry(_In_ P$U_ENTRY Entry)
    {
        ExFreePoolWithTag(Entry, $U_POOL_TAG);
    }
    """,
    """
    VOID
    ${P}InsertEntry(_In_ P$U_ENTRY Entry)
    {
        KIRQL oldIrql;
        P$U_ENTRY evicted = NULL;

        KeAcquireSpinLock(&$G.Lock, &oldIrql);
        if ($G.EntryCount >= $G.Config.MaxEntries && !IsListEmpty(&$G.EntryList)) {
            PLIST_ENTRY oldest = RemoveHeadList(&$G.EntryList);
            evicted = CONTAINING_RECORD(oldest, $U_ENTRY, ListEntry);
            $G.EntryCount--;
            $G.Stats.Dropped++;
        }
        InsertTailList(&$G.EntryList, &Entry->ListEntry);
        $G.EntryCount++;
        KeReleaseSpinLock(&$G.Lock, oldIrql);

        if (evicted != NULL) {
            ${P}FreeEntry(evicted);
        }
    }
    """,
    """
    BOOLEAN
    ${P}RemoveEntry(_In_ HANDLE ProcessId)
    {
        KIRQL oldIrql;
        PLIST_ENTRY link;
        P$U_ENTRY found = NULL;

        KeAcquireSpinLock(&$G.Lock, &oldIrql);
        for (link = $G.EntryList.Flink; link != &$G.EntryList; link = link->Flink) {
            P$U_ENTRY entry = CONTAINING_RECORD(link, $U_ENTRY, ListEntry);
            if (entry->ProcessId == ProcessId) {
                RemoveEntryList(&entry->ListEntry);
                $G.EntryCount--;
                found = entry;
                break;
            }
        }
        KeReleaseSpinLock(&$G.Lock, oldIrql);

        if (found == NULL) {
            return FALSE;
        }
        ${P}FreeEntry(found);
        return TRUE;
    }
    """,
    """
    BOOLEAN
    ${P}LookupEntry(_In_ HANDLE ProcessId, _Out_ P$U_ENTRY Copy)
    {
        KIRQL oldIrql;
        PLIST_ENTRY link;
        BOOLEAN found = FALSE;

        KeAcquireSpinLock(&$G.Lock, &oldIrql);
        for (link = $G.EntryList.Flink; link != &$G.EntryList; link = link->Flink) {
            P$U_ENTRY entry = CONTAINING_RECORD(link, $U_ENTRY, ListEntry);
            if (entry->ProcessId == ProcessId) {
                RtlCopyMemory(Copy, entry, sizeof($U_ENTRY));
                found = TRUE;
                break;
            }
        }
        KeReleaseSpinLock(&$G.Lock, oldIrql);
        return found;
    }
    """,
    """
    VOID
    ${P}PurgeEntries(VOID)
    {
        KIRQL oldIrql;
        LIST_ENTRY local;

        InitializeListHead(&local);
        KeAcquireSpinLock(&$G.Lock, &oldIrql);
        while (!IsListEmpty(&$G.EntryList)) {
            PLIST_ENTRY link = RemoveHeadList(&$G.EntryList);
            InsertTailList(&local, link);
        }
        $G.EntryCount = 0;
        KeReleaseSpinLock(&$G.Lock, oldIrql);

        while (!IsListEmpty(&local)) {
            PLIST_ENTRY link = RemoveHeadList(&local);
            ${P}FreeEntry(CONTAINING_RECORD(link, $U_ENTRY, ListEntry));
        }
    }
    """,
    """
    VOID
    ${P}CountEvent(_In_ ULONG Counter)
    {
        InterlockedIncrement(&$G.Stats.Counters[Counter % $U_COUNTER_COUNT]);
    }
    """,
    """
    VOID
    ${P}RecordEventLocked(_In_ $U_EVENT_KIND Kind, _In_ HANDLE ProcessId, _In_ ULONG_PTR Data)
    {
        ULONG next = ($G.RingHead + 1) % $U_RING_SIZE;
        P$U_RECORD record;

        if (next == $G.RingTail) {
            $G.Stats.Dropped++;
            return;
        }
        record = &$G.Ring[$G.RingHead];
        KeQuerySystemTimePrecise(&record->Timestamp);
        record->Kind = (ULONG)Kind;
        record->ProcessId = (ULONG)(ULONG_PTR)ProcessId;
        record->Data = Data;
        $G.RingHead = next;
    }
    """,
    """
    VOID
    ${P}RecordEvent(_In_ $U_EVENT_KIND Kind, _In_ HANDLE ProcessId, _In_ ULONG_PTR Data)
    {
        KIRQL oldIrql;

        KeAcquireSpinLock(&$G.Lock, &oldIrql);
        ${P}RecordEventLocked(Kind, ProcessId, Data);
        KeReleaseSpinLock(&$G.Lock, oldIrql);
    }
    """,
    """
    BOOLEAN
    ${P}PopRecord(_Out_ P$U_RECORD Record)
    {
        KIRQL oldIrql;
        BOOLEAN available = FALSE;

        KeAcquireSpinLock(&$G.Lock, &oldIrql);
        if ($G.RingTail != $G.RingHead) {
            RtlCopyMemory(Record, &$G.Ring[$G.RingTail], sizeof(*Record));
            $G.RingTail = ($G.RingTail + 1) % $U_RING_SIZE;
            available = TRUE;
        }
        KeReleaseSpinLock(&$G.Lock, oldIrql);
        return available;
    }
    """,
    """
    VOID
    ${P}SnapshotStatistics(_Out_ P$U_STATS Snapshot)
    {
        KIRQL oldIrql;

        KeAcquireSpinLock(&$G.Lock, &oldIrql);
        RtlCopyMemory(Snapshot, &$G.Stats, sizeof(*Snapshot));
        KeReleaseSpinLock(&$G.Lock, oldIrql);
    }
    """,
)


# --------------------------------------------------------------------------- notify routines


def image_registration_call(d: Driver) -> str:
    if d.rng.random() < 0.5:
        return f"PsSetLoadImageNotifyRoutine({d.p}ImageNotify)"
    flags = d.rng.choice(("0", "PS_IMAGE_NOTIFY_CONFLICTING_ARCHITECTURE"))
    return f"PsSetLoadImageNotifyRoutineEx({d.p}ImageNotify, {flags})"


def emit_notify_routines(d: Driver) -> None:
    d.add(
        "notify",
        d.render(
            """
            _Use_decl_annotations_
            VOID
            ${P}ImageNotify(PUNICODE_STRING FullImageName, HANDLE ProcessId, PIMAGE_INFO ImageInfo)
            {
                KIRQL oldIrql;
                ULONG hash = 0;

                if (ImageInfo == NULL || !$G.Config.MonitorImages) {
                    return;
                }
                if (FullImageName != NULL && FullImageName->Buffer != NULL) {
                    hash = ${P}HashName(FullImageName);
                }

                KeAcquireSpinLock(&$G.Lock, &oldIrql);
                if (ImageInfo->SystemModeImage) {
                    $G.Stats.Counters[$U_COUNTER_KERNEL_IMAGES]++;
                } else {
                    $G.Stats.Counters[$U_COUNTER_USER_IMAGES]++;
                }
                if (ImageInfo->ImageSize > $G.Stats.LargestImage) {
                    $G.Stats.LargestImage = (ULONG)ImageInfo->ImageSize;
                }
                ${P}RecordEventLocked(${P}EventImageLoad, ProcessId, hash);
                KeReleaseSpinLock(&$G.Lock, oldIrql);
            }
            """
        ),
    )
    if d.has("process"):
        d.add(
            "notify",
            d.render(
                """
                _Use_decl_annotations_
                VOID
                ${P}ProcessNotify(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
                {
                    P$U_ENTRY entry;

                    UNREFERENCED_PARAMETER(Process);

                    if (CreateInfo == NULL) {
                        ${P}RemoveEntry(ProcessId);
                        ${P}CountEvent($U_COUNTER_PROCESS_EXIT);
                        ${P}RecordEvent(${P}EventProcessExit, ProcessId, 0);
                        return;
                    }

                    entry = ${P}AllocateEntry(ProcessId, CreateInfo->ParentProcessId);
                    if (entry == NULL) {
                        return;
                    }
                    if (CreateInfo->ImageFileName != NULL) {
                        ${P}CopyEntryName(entry, CreateInfo->ImageFileName);
                        entry->Hash = ${P}HashName(CreateInfo->ImageFileName);
                    }
                    if (CreateInfo->IsSubsystemProcess) {
                        entry->Flags |= $U_ENTRY_FLAG_SYSTEM;
                    }
                    ${P}InsertEntry(entry);
                    ${P}CountEvent($U_COUNTER_PROCESS_CREATE);
                    ${P}RecordEvent(${P}EventProcessCreate, ProcessId, (ULONG_PTR)CreateInfo->ParentProcessId);
                }
                """
            ),
        )
    if d.has("thread"):
        d.add(
            "notify",
            d.render(
                """
                _Use_decl_annotations_
                VOID
                ${P}ThreadNotify(HANDLE ProcessId, HANDLE ThreadId, BOOLEAN Create)
                {
                    if (!$G.Config.MonitorThreads) {
                        return;
                    }
                    if (Create) {
                        ${P}CountEvent($U_COUNTER_THREAD_CREATE);
                        ${P}RecordEvent(${P}EventThreadCreate, ProcessId, (ULONG_PTR)ThreadId);
                    } else {
                        ${P}CountEvent($U_COUNTER_THREAD_EXIT);
                        ${P}RecordEvent(${P}EventThreadExit, ProcessId, (ULONG_PTR)ThreadId);
                    }
                }
                """
            ),
        )


@dataclass
class Registration:
    kind: str  # "image", "process", "thread"
    call: str
    what: str
    flag: str
    undo: list[str]


def registrations(d: Driver, local_flags: bool) -> list[Registration]:
    """The notify registrations of the driver, in registration order."""

    def flag(field_name: str, local: str) -> str:
        return local if local_flags else f"{d.g}.{field_name}"

    regs = [
        Registration(
            "image",
            image_registration_call(d),
            "load-image notify",
            flag("ImageNotifyRegistered", "imageNotifyRegistered"),
            [f"PsRemoveLoadImageNotifyRoutine({d.p}ImageNotify);"],
        )
    ]
    if d.has("process"):
        regs.append(
            Registration(
                "process",
                f"PsSetCreateProcessNotifyRoutineEx({d.p}ProcessNotify, FALSE)",
                "process notify",
                flag("ProcessNotifyRegistered", "processNotifyRegistered"),
                [f"PsSetCreateProcessNotifyRoutineEx({d.p}ProcessNotify, TRUE);"],
            )
        )
    if d.has("thread"):
        regs.append(
            Registration(
                "thread",
                f"PsSetCreateThreadNotifyRoutine({d.p}ThreadNotify)",
                "thread notify",
                flag("ThreadNotifyRegistered", "threadNotifyRegistered"),
                [f"PsRemoveCreateThreadNotifyRoutine({d.p}ThreadNotify);"],
            )
        )
    return regs


def log_failure(d: Driver, what: str) -> str:
    return f'DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "{d.name}: {what} failed 0x%08X\\n", status);'


def emit_callback_helpers(d: Driver) -> None:
    """RegisterCallbacks / UnregisterCallbacks in the notify file (the "callbacks" style)."""
    regs = registrations(d, local_flags=False)
    body = ["NTSTATUS", f"{d.p}RegisterCallbacks(VOID)", "{", "    NTSTATUS status;", "", "    PAGED_CODE();", ""]
    for i, reg in enumerate(regs):
        mark = ""
        if reg.kind == "image" and d.bug == "ddi001_logged":
            body += [
                f"    status = {reg.call}; // expect: DDI001",
                f'    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "{d.name}: {reg.what} registration 0x%08X\\n",'
                " status);",
                f"    {reg.flag} = TRUE;",
                "",
            ]
            continue
        if reg.kind == "image" and d.bug == "ddi002_failure_return":
            mark = " // expect: DDI002"
        if reg.kind == "image" and d.bug == "ddi002_unload_forgets":
            # UnregisterCallbacks serves both the unload routine and the failure paths of DriverEntry.
            mark = " // expect: DDI002, DDI002"
        body += [
            f"    status = {reg.call};{mark}",
            "    if (!NT_SUCCESS(status)) {",
            f"        {log_failure(d, reg.what)}",
        ]
        body += ["        return status;"] if i == 0 else ["        goto Unwind;"]
        body += ["    }", f"    {reg.flag} = TRUE;", ""]
    body.append("    return STATUS_SUCCESS;")
    if len(regs) > 1:
        body += ["", "Unwind:", f"    {d.p}UnregisterCallbacks();", "    return status;"]
    body.append("}")
    d.add("notify", body)

    undo = ["VOID", f"{d.p}UnregisterCallbacks(VOID)", "{", "    PAGED_CODE();", ""]
    for reg in reversed(regs):
        if reg.kind == "image" and d.bug == "ddi002_unload_forgets":
            continue
        undo += [f"    if ({reg.flag}) {{", *ind(reg.undo, 2), f"        {reg.flag} = FALSE;", "    }"]
    undo.append("}")
    d.add("notify", undo)


def emit_image_controls(d: Driver) -> None:
    """Run-time control of the image callback (IOCTL helpers), correct or buggy per the plan."""
    if d.has("toggle"):
        lines = d.render(
            """
            NTSTATUS
            ${P}SetImageMonitoring(_In_ BOOLEAN Enable)
            {
                NTSTATUS status = STATUS_SUCCESS;

                PAGED_CODE();

                if (Enable && !$G.ImageNotifyRegistered) {
                    status = ${CALL};${MARK}
                    if (NT_SUCCESS(status)) {
                        $G.ImageNotifyRegistered = TRUE;
                    }
                } else if (!Enable && $G.ImageNotifyRegistered) {
                    status = PsRemoveLoadImageNotifyRoutine(${P}ImageNotify);
                    if (NT_SUCCESS(status)) {
                        $G.ImageNotifyRegistered = FALSE;
                    }
                }
                return status;
            }
            """,
            CALL=image_registration_call(d),
            MARK=" // expect: DDI002" if d.bug == "ddi002_unload_forgets" else "",
        )
        d.add("notify", lines)
        add_ioctl(d, "SET_IMAGE_MONITORING", ioctl_call_with_flag(d, f"{d.p}SetImageMonitoring"))
    if d.bug == "ddi001_rearm":
        d.add(
            "notify",
            d.render(
                """
                VOID
                ${P}RearmImageNotify(_In_ BOOLEAN ForeignArchitecture)
                {
                    PAGED_CODE();

                    PsRemoveLoadImageNotifyRoutine(${P}ImageNotify);
                    PsSetLoadImageNotifyRoutineEx(${P}ImageNotify, // expect: DDI001
                                                  ForeignArchitecture ? PS_IMAGE_NOTIFY_CONFLICTING_ARCHITECTURE : 0);
                    $G.ForeignArchitecture = ForeignArchitecture;
                }
                """
            ),
        )
        add_ioctl(d, "SET_FOREIGN_ARCH", ioctl_void_with_flag(d, f"{d.p}RearmImageNotify"))
    if d.bug == "ddi001_void_reset":
        d.add(
            "notify",
            d.render(
                """
                VOID
                ${P}ResetMonitoring(VOID)
                {
                    PAGED_CODE();

                    ${P}PurgeEntries();
                    RtlZeroMemory((PVOID)$G.Stats.Counters, sizeof($G.Stats.Counters));
                    if ($G.ImageNotifyRegistered) {
                        (void)PsRemoveLoadImageNotifyRoutine(${P}ImageNotify);
                        (void)PsSetLoadImageNotifyRoutine(${P}ImageNotify); // expect: DDI001
                    }
                }
                """
            ),
        )
        add_ioctl(d, "RESET", [f"{d.p}ResetMonitoring();", "status = STATUS_SUCCESS;"])
    if d.bug == "ddi003_register_under_lock":
        d.add(
            "notify",
            d.render(
                """
                NTSTATUS
                ${P}EnableImageMonitoring(VOID)
                {
                    KIRQL oldIrql;
                    NTSTATUS status = STATUS_SUCCESS;

                    KeAcquireSpinLock(&$G.Lock, &oldIrql);
                    if (!$G.ImageNotifyRegistered) {
                        status = PsSetLoadImageNotifyRoutine(${P}ImageNotify); // expect: DDI003
                        $G.ImageNotifyRegistered = NT_SUCCESS(status);
                    }
                    KeReleaseSpinLock(&$G.Lock, oldIrql);
                    return status;
                }

                VOID
                ${P}DisableImageMonitoring(VOID)
                {
                    KIRQL oldIrql;
                    BOOLEAN registered;

                    KeAcquireSpinLock(&$G.Lock, &oldIrql);
                    registered = $G.ImageNotifyRegistered;
                    $G.ImageNotifyRegistered = FALSE;
                    KeReleaseSpinLock(&$G.Lock, oldIrql);

                    if (registered) {
                        PsRemoveLoadImageNotifyRoutine(${P}ImageNotify);
                    }
                }
                """
            ),
            proto=None,
        )
        d.protos += [f"NTSTATUS\n{d.p}EnableImageMonitoring(VOID);", f"VOID\n{d.p}DisableImageMonitoring(VOID);"]
        add_ioctl(d, "ENABLE_IMAGES", [f"status = {d.p}EnableImageMonitoring();"])
        add_ioctl(d, "DISABLE_IMAGES", [f"{d.p}DisableImageMonitoring();", "status = STATUS_SUCCESS;"])


def emit_link_control(d: Driver) -> None:
    """Re-create the DOS link from an IOCTL; the buggy variant does it under an in-stack queued spin lock."""
    locked = d.bug == "ddi003_link_under_queued_lock"
    lines = d.render(
        """
        NTSTATUS
        ${P}RecreateDosLink(VOID)
        {
            NTSTATUS status;
            UNICODE_STRING linkName;
            UNICODE_STRING deviceName;
            KLOCK_QUEUE_HANDLE lockHandle;

            RtlInitUnicodeString(&linkName, $U_LINK_NAME);
            RtlInitUnicodeString(&deviceName, $U_DEVICE_NAME);
        """
    )
    if locked:
        lines += d.render(
            """
                KeAcquireInStackQueuedSpinLock(&$G.Lock, &lockHandle);
                IoDeleteSymbolicLink(&linkName); // expect: DDI003
                status = IoCreateSymbolicLink(&linkName, &deviceName); // expect: DDI003
                $G.State = NT_SUCCESS(status) ? ${P}StateRunning : ${P}StatePaused;
                KeReleaseInStackQueuedSpinLock(&lockHandle);
                return status;
            }
            """
        )
    else:
        lines += d.render(
            """
                PAGED_CODE();

                IoDeleteSymbolicLink(&linkName);
                status = IoCreateSymbolicLink(&linkName, &deviceName);

                KeAcquireInStackQueuedSpinLock(&$G.Lock, &lockHandle);
                $G.State = NT_SUCCESS(status) ? ${P}StateRunning : ${P}StatePaused;
                KeReleaseInStackQueuedSpinLock(&lockHandle);
                return status;
            }
            """
        )
    d.add("notify", lines)
    add_ioctl(d, "RECREATE_LINK", [f"status = {d.p}RecreateDosLink();"])


def ioctl_call_with_flag(d: Driver, function: str) -> list[str]:
    return [
        "if (irpSp->Parameters.DeviceIoControl.InputBufferLength < sizeof(ULONG)) {",
        "    status = STATUS_INVALID_PARAMETER;",
        "    break;",
        "}",
        f"status = {function}(*(PULONG)Irp->AssociatedIrp.SystemBuffer != 0);",
    ]


def ioctl_void_with_flag(d: Driver, function: str) -> list[str]:
    return [
        "if (irpSp->Parameters.DeviceIoControl.InputBufferLength < sizeof(ULONG)) {",
        "    status = STATUS_INVALID_PARAMETER;",
        "    break;",
        "}",
        f"{function}(*(PULONG)Irp->AssociatedIrp.SystemBuffer != 0);",
        "status = STATUS_SUCCESS;",
    ]


# --------------------------------------------------------------------------- worker: DPC, work item, registry


def emit_worker(d: Driver) -> None:
    if d.has("registry"):
        emit_registry(d)
    if d.has("workitem"):
        emit_log_writer(d)
    if d.has("dpc"):
        emit_timer_dpc(d)


def emit_registry(d: Driver) -> None:
    d.add(
        "worker",
        d.render(
            """
            NTSTATUS
            ${P}QueryRegistryDword(_In_z_ PCWSTR ValueName, _Out_ PULONG Value)
            {
                NTSTATUS status;
                HANDLE key = NULL;
                OBJECT_ATTRIBUTES attributes;
                UNICODE_STRING keyName;
                UNICODE_STRING valueName;
                UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
                PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
                ULONG resultLength = 0;

                PAGED_CODE();

                *Value = 0;
                RtlInitUnicodeString(&keyName, $U_PARAMETERS_KEY);
                RtlInitUnicodeString(&valueName, ValueName);
                InitializeObjectAttributes(&attributes, &keyName, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);

                status = ZwOpenKey(&key, KEY_READ, &attributes);
                if (!NT_SUCCESS(status)) {
                    return status;
                }
                status = ZwQueryValueKey(key, &valueName, KeyValuePartialInformation, info, sizeof(buffer),
                                         &resultLength);
                if (NT_SUCCESS(status)) {
                    if (info->Type == REG_DWORD && info->DataLength == sizeof(ULONG)) {
                        *Value = *(PULONG)info->Data;
                    } else {
                        status = STATUS_OBJECT_TYPE_MISMATCH;
                    }
                }
                ZwClose(key);
                return status;
            }
            """
        ),
    )
    values = d.rng.sample(
        [
            ("MaxEntries", "MaxEntries"),
            ("SampleInterval", "SampleInterval"),
            ("LogLevel", "LogLevel"),
            ("Flags", "Flags"),
        ],
        k=d.rng.randint(2, 4),
    )
    lines = d.render(
        """
        NTSTATUS
        ${P}LoadConfiguration(_Out_ P$U_CONFIG Config)
        {
            NTSTATUS status;
            ULONG value;

            PAGED_CODE();

            ${P}SetDefaultConfiguration(Config);
        """
    )
    for value_name, field_name in values:
        lines += ind(
            [
                "",
                f'status = {d.p}QueryRegistryDword(L"{value_name}", &value);',
                "if (NT_SUCCESS(status)) {",
                f"    Config->{field_name} = value;",
                "} else if (status != STATUS_OBJECT_NAME_NOT_FOUND) {",
                "    return status;",
                "}",
            ]
        )
    lines += ["", f"    {d.p}ClampConfiguration(Config);", "    return STATUS_SUCCESS;", "}"]
    d.add("worker", lines)
    add_ioctl(
        d,
        "RELOAD_CONFIGURATION",
        [
            "{",
            f"    {d.u}_CONFIG config;",
            "    KIRQL oldIrql;",
            "",
            f"    status = {d.p}LoadConfiguration(&config);",
            "    if (NT_SUCCESS(status)) {",
            f"        KeAcquireSpinLock(&{d.g}.Lock, &oldIrql);",
            f"        {d.g}.Config = config;",
            f"        KeReleaseSpinLock(&{d.g}.Lock, oldIrql);",
            "    }",
            "}",
        ],
    )
    if d.bug == "ddi003_registry_under_lock":
        d.add(
            "worker",
            d.render(
                """
                NTSTATUS
                ${P}RefreshSampleInterval(VOID)
                {
                    NTSTATUS status;
                    ULONG value = 0;
                    KIRQL oldIrql;

                    KeAcquireSpinLock(&$G.Lock, &oldIrql);
                    status = ${P}QueryRegistryDword(L"SampleInterval", &value); // expect: DDI003
                    if (NT_SUCCESS(status) && value != 0) {
                        $G.Config.SampleInterval = value;
                        ${P}ClampConfiguration(&$G.Config);
                    }
                    KeReleaseSpinLock(&$G.Lock, oldIrql);
                    return status;
                }
                """
            ),
        )
        add_ioctl(d, "REFRESH_INTERVAL", [f"status = {d.p}RefreshSampleInterval();"])


def emit_log_writer(d: Driver) -> None:
    d.add(
        "worker",
        d.render(
            """
            NTSTATUS
            ${P}WriteLogRecords(VOID)
            {
                NTSTATUS status;
                HANDLE file;
                OBJECT_ATTRIBUTES attributes;
                IO_STATUS_BLOCK ioStatus;
                UNICODE_STRING fileName;
                $U_RECORD record;
                ULONG written = 0;

                PAGED_CODE();

                RtlInitUnicodeString(&fileName, $U_LOG_FILE);
                InitializeObjectAttributes(&attributes, &fileName, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE,
                                           NULL, NULL);
                status = ZwCreateFile(&file, FILE_APPEND_DATA | SYNCHRONIZE, &attributes, &ioStatus, NULL,
                                      FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ, FILE_OPEN_IF,
                                      FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0);
                if (!NT_SUCCESS(status)) {
                    return status;
                }
                while (written < $U_RING_SIZE && ${P}PopRecord(&record)) {
                    status = ZwWriteFile(file, NULL, NULL, NULL, &ioStatus, &record, sizeof(record), NULL, NULL);
                    if (!NT_SUCCESS(status)) {
                        break;
                    }
                    written++;
                }
                ZwClose(file);
                return status;
            }

            _Use_decl_annotations_
            VOID
            ${P}FlushWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
            {
                NTSTATUS status;

                UNREFERENCED_PARAMETER(DeviceObject);
                UNREFERENCED_PARAMETER(Context);
                PAGED_CODE();

                status = ${P}WriteLogRecords();
                if (!NT_SUCCESS(status)) {
                    ${P}CountEvent($U_COUNTER_LOG_FAILURES);
                }
                InterlockedExchange(&$G.WorkItemQueued, 0);
            }
            """
        ),
        proto=None,
    )
    d.protos.append(f"NTSTATUS\n{d.p}WriteLogRecords(VOID);")


def emit_timer_dpc(d: Driver) -> None:
    lines = d.render(
        """
        _Use_decl_annotations_
        VOID
        ${P}TimerDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
        {
            BOOLEAN pending;

            UNREFERENCED_PARAMETER(Dpc);
            UNREFERENCED_PARAMETER(DeferredContext);
            UNREFERENCED_PARAMETER(SystemArgument1);
            UNREFERENCED_PARAMETER(SystemArgument2);

            KeAcquireSpinLockAtDpcLevel(&$G.Lock);
            pending = (BOOLEAN)($G.RingHead != $G.RingTail);
            $G.Stats.TimerTicks++;
            KeReleaseSpinLockFromDpcLevel(&$G.Lock);

        """
    )
    if d.bug == "ddi003_dpc_opens_file":
        lines[4:4] = [
            "    NTSTATUS status;",
            "    HANDLE file;",
            "    OBJECT_ATTRIBUTES attributes;",
            "    IO_STATUS_BLOCK ioStatus;",
            "    UNICODE_STRING fileName;",
        ]
        lines += d.render(
            """
                if (pending && ($G.Config.Flags & $U_CONFIG_FLAG_AUDIT) != 0) {
                    /* Make sure the audit log exists before the backlog grows. */
                    RtlInitUnicodeString(&fileName, $U_LOG_FILE);
                    InitializeObjectAttributes(&attributes, &fileName, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE,
                                               NULL, NULL);
                    status = ZwCreateFile(&file, FILE_APPEND_DATA | SYNCHRONIZE, &attributes, // expect: DDI003
                                          &ioStatus, NULL, FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ, FILE_OPEN_IF,
                                          FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0);
                    if (NT_SUCCESS(status)) {
                        ZwClose(file); // expect: DDI003
                    }
                }
            }
            """
        )
    elif d.bug == "ddi003_dpc_writes_log":
        lines += d.render(
            """
                if (pending && $G.State == ${P}StateRunning) {
                    /* Flush right away instead of waiting for the work item. */
                    if (!NT_SUCCESS(${P}WriteLogRecords())) { // expect: DDI003
                        ${P}CountEvent($U_COUNTER_LOG_FAILURES);
                    }
                }
            }
            """
        )
    elif d.has("workitem"):
        lines += d.render(
            """
                if (pending && $G.State == ${P}StateRunning &&
                    InterlockedCompareExchange(&$G.WorkItemQueued, 1, 0) == 0) {
                    IoQueueWorkItem($G.WorkItem, ${P}FlushWorker, DelayedWorkQueue, NULL);
                }
            }
            """
        )
    else:
        lines += d.render(
            """
                if (pending) {
                    ${P}CountEvent($U_COUNTER_TIMER_BACKLOG);
                }
            }
            """
        )
    d.add("worker", lines)


# --------------------------------------------------------------------------- driver file: dispatch, unload, entry


def add_ioctl(d: Driver, suffix: str, case_body: list[str]) -> None:
    code = 0x800 + len(d.ioctls)
    name = f"IOCTL_{d.u}_{suffix}"
    access = d.rng.choice(("FILE_ANY_ACCESS", "FILE_READ_ACCESS", "FILE_READ_ACCESS | FILE_WRITE_ACCESS"))
    d.defines.append(f"#define {name:<40} CTL_CODE(FILE_DEVICE_UNKNOWN, 0x{code:03X}, METHOD_BUFFERED, {access})")
    d.ioctls.append((name, "\n".join(case_body)))


IOCTL_HANDLERS: dict[str, str] = {
    "GET_STATISTICS": """
        static NTSTATUS
        $N(_In_ PIRP Irp, _In_ PIO_STACK_LOCATION IrpSp, _Out_ PULONG_PTR Information)
        {
            P$U_STATS stats = (P$U_STATS)Irp->AssociatedIrp.SystemBuffer;

            *Information = 0;
            if (IrpSp->Parameters.DeviceIoControl.OutputBufferLength < sizeof($U_STATS)) {
                return STATUS_BUFFER_TOO_SMALL;
            }
            ${P}SnapshotStatistics(stats);
            *Information = sizeof($U_STATS);
            return STATUS_SUCCESS;
        }
        """,
    "RESET_STATISTICS": """
        static NTSTATUS
        $N(_In_ PIRP Irp, _In_ PIO_STACK_LOCATION IrpSp, _Out_ PULONG_PTR Information)
        {
            KIRQL oldIrql;

            UNREFERENCED_PARAMETER(Irp);
            UNREFERENCED_PARAMETER(IrpSp);

            *Information = 0;
            KeAcquireSpinLock(&$G.Lock, &oldIrql);
            RtlZeroMemory(&$G.Stats, sizeof($G.Stats));
            $G.RingHead = 0;
            $G.RingTail = 0;
            KeReleaseSpinLock(&$G.Lock, oldIrql);
            return STATUS_SUCCESS;
        }
        """,
    "QUERY_PROCESS": """
        static NTSTATUS
        $N(_In_ PIRP Irp, _In_ PIO_STACK_LOCATION IrpSp, _Out_ PULONG_PTR Information)
        {
            PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
            P$U_ENTRY_INFO info = (P$U_ENTRY_INFO)buffer;
            $U_ENTRY entry;
            ULONG processId;

            *Information = 0;
            if (IrpSp->Parameters.DeviceIoControl.InputBufferLength < sizeof(ULONG) ||
                IrpSp->Parameters.DeviceIoControl.OutputBufferLength < sizeof($U_ENTRY_INFO)) {
                return STATUS_BUFFER_TOO_SMALL;
            }
            processId = *(PULONG)buffer;
            if (!${P}LookupEntry((HANDLE)(ULONG_PTR)processId, &entry)) {
                return STATUS_NOT_FOUND;
            }
            RtlZeroMemory(info, sizeof(*info));
            info->ProcessId = processId;
            info->ParentId = (ULONG)(ULONG_PTR)entry.ParentId;
            info->Flags = entry.Flags;
            info->Hash = entry.Hash;
            info->Timestamp = entry.Timestamp;
            RtlCopyMemory(info->Name, entry.Name, entry.NameLength * sizeof(WCHAR));
            *Information = sizeof($U_ENTRY_INFO);
            return STATUS_SUCCESS;
        }
        """,
    "SET_CONFIGURATION": """
        static NTSTATUS
        $N(_In_ PIRP Irp, _In_ PIO_STACK_LOCATION IrpSp, _Out_ PULONG_PTR Information)
        {
            $U_CONFIG config;
            KIRQL oldIrql;

            *Information = 0;
            if (IrpSp->Parameters.DeviceIoControl.InputBufferLength < sizeof($U_CONFIG)) {
                return STATUS_INVALID_PARAMETER;
            }
            RtlCopyMemory(&config, Irp->AssociatedIrp.SystemBuffer, sizeof(config));
            ${P}ClampConfiguration(&config);

            KeAcquireSpinLock(&$G.Lock, &oldIrql);
            $G.Config = config;
            KeReleaseSpinLock(&$G.Lock, oldIrql);
            ${P}CountEvent($U_COUNTER_CONFIG_CHANGES);
            return STATUS_SUCCESS;
        }
        """,
    "GET_CONFIGURATION": """
        static NTSTATUS
        $N(_In_ PIRP Irp, _In_ PIO_STACK_LOCATION IrpSp, _Out_ PULONG_PTR Information)
        {
            KIRQL oldIrql;

            *Information = 0;
            if (IrpSp->Parameters.DeviceIoControl.OutputBufferLength < sizeof($U_CONFIG)) {
                return STATUS_BUFFER_TOO_SMALL;
            }
            KeAcquireSpinLock(&$G.Lock, &oldIrql);
            RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, &$G.Config, sizeof($U_CONFIG));
            KeReleaseSpinLock(&$G.Lock, oldIrql);
            *Information = sizeof($U_CONFIG);
            return STATUS_SUCCESS;
        }
        """,
    "READ_RECORDS": """
        static NTSTATUS
        $N(_In_ PIRP Irp, _In_ PIO_STACK_LOCATION IrpSp, _Out_ PULONG_PTR Information)
        {
            P$U_RECORD records = (P$U_RECORD)Irp->AssociatedIrp.SystemBuffer;
            ULONG capacity = IrpSp->Parameters.DeviceIoControl.OutputBufferLength / sizeof($U_RECORD);
            ULONG count = 0;

            *Information = 0;
            if (capacity == 0) {
                return STATUS_BUFFER_TOO_SMALL;
            }
            while (count < capacity && ${P}PopRecord(&records[count])) {
                count++;
            }
            *Information = count * sizeof($U_RECORD);
            return count == 0 ? STATUS_NO_MORE_ENTRIES : STATUS_SUCCESS;
        }
        """,
    "LIST_PROCESSES": """
        static NTSTATUS
        $N(_In_ PIRP Irp, _In_ PIO_STACK_LOCATION IrpSp, _Out_ PULONG_PTR Information)
        {
            PULONG ids = (PULONG)Irp->AssociatedIrp.SystemBuffer;
            ULONG capacity = IrpSp->Parameters.DeviceIoControl.OutputBufferLength / sizeof(ULONG);
            ULONG count = 0;
            PLIST_ENTRY link;
            KIRQL oldIrql;
            NTSTATUS status = STATUS_SUCCESS;

            *Information = 0;
            KeAcquireSpinLock(&$G.Lock, &oldIrql);
            for (link = $G.EntryList.Flink; link != &$G.EntryList; link = link->Flink) {
                P$U_ENTRY entry = CONTAINING_RECORD(link, $U_ENTRY, ListEntry);
                if (count == capacity) {
                    status = STATUS_BUFFER_OVERFLOW;
                    break;
                }
                ids[count++] = (ULONG)(ULONG_PTR)entry->ProcessId;
            }
            KeReleaseSpinLock(&$G.Lock, oldIrql);
            *Information = count * sizeof(ULONG);
            return status;
        }
        """,
    "WATCH_PROCESS": """
        static NTSTATUS
        $N(_In_ PIRP Irp, _In_ PIO_STACK_LOCATION IrpSp, _Out_ PULONG_PTR Information)
        {
            PULONG input = (PULONG)Irp->AssociatedIrp.SystemBuffer;
            PLIST_ENTRY link;
            KIRQL oldIrql;
            NTSTATUS status = STATUS_NOT_FOUND;

            *Information = 0;
            if (IrpSp->Parameters.DeviceIoControl.InputBufferLength < 2 * sizeof(ULONG)) {
                return STATUS_INVALID_PARAMETER;
            }
            KeAcquireSpinLock(&$G.Lock, &oldIrql);
            for (link = $G.EntryList.Flink; link != &$G.EntryList; link = link->Flink) {
                P$U_ENTRY entry = CONTAINING_RECORD(link, $U_ENTRY, ListEntry);
                if ((ULONG)(ULONG_PTR)entry->ProcessId == input[0]) {
                    if (input[1] != 0) {
                        entry->Flags |= $U_ENTRY_FLAG_WATCHED;
                    } else {
                        entry->Flags &= ~$U_ENTRY_FLAG_WATCHED;
                    }
                    status = STATUS_SUCCESS;
                    break;
                }
            }
            KeReleaseSpinLock(&$G.Lock, oldIrql);
            return status;
        }
        """,
    "GET_VERSION": """
        static NTSTATUS
        $N(_In_ PIRP Irp, _In_ PIO_STACK_LOCATION IrpSp, _Out_ PULONG_PTR Information)
        {
            P$U_VERSION version = (P$U_VERSION)Irp->AssociatedIrp.SystemBuffer;

            *Information = 0;
            if (IrpSp->Parameters.DeviceIoControl.OutputBufferLength < sizeof($U_VERSION)) {
                return STATUS_BUFFER_TOO_SMALL;
            }
            version->Major = $U_VERSION_MAJOR;
            version->Minor = $U_VERSION_MINOR;
            version->State = (ULONG)$G.State;
            version->EntryCount = $G.EntryCount;
            *Information = sizeof($U_VERSION);
            return STATUS_SUCCESS;
        }
        """,
}


def emit_ioctl_handlers(d: Driver, extra_counters: int) -> None:
    """Static IOCTL handlers in the driver file (defined before the dispatch routine that calls them)."""
    kinds = list(IOCTL_HANDLERS)
    chosen = sorted(d.rng.sample(kinds, k=d.rng.randint(3, 7)), key=kinds.index)
    for kind in chosen:
        stem = "Ioctl" + "".join(part.capitalize() for part in kind.split("_"))
        name = d.unique((stem,))
        d.add("driver", d.render(IOCTL_HANDLERS[kind], N=name), proto=None)
        add_ioctl(d, kind, [f"status = {name}(Irp, irpSp, &information);"])
    for i in range(extra_counters):
        counter = COUNTERS[i % len(COUNTERS)]
        suffix = f"QUERY_{counter}" if i < len(COUNTERS) else f"QUERY_{counter}_{i // len(COUNTERS)}"
        add_ioctl(
            d,
            suffix,
            [
                "if (irpSp->Parameters.DeviceIoControl.OutputBufferLength < sizeof(ULONG)) {",
                "    status = STATUS_BUFFER_TOO_SMALL;",
                "    break;",
                "}",
                "*(PULONG)Irp->AssociatedIrp.SystemBuffer = (ULONG)InterlockedCompareExchange(",
                f"    &{d.g}.Stats.Counters[{d.u}_COUNTER_{counter}], 0, 0);",
                "information = sizeof(ULONG);",
                "status = STATUS_SUCCESS;",
            ],
        )


def emit_dispatch(d: Driver) -> None:
    d.add(
        "driver",
        d.render(
            """
            _Use_decl_annotations_
            NTSTATUS
            ${P}CreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
            {
                PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);

                UNREFERENCED_PARAMETER(DeviceObject);

                if (irpSp->MajorFunction == IRP_MJ_CREATE) {
                    InterlockedIncrement(&$G.OpenHandles);
                } else {
                    InterlockedDecrement(&$G.OpenHandles);
                }
                Irp->IoStatus.Status = STATUS_SUCCESS;
                Irp->IoStatus.Information = 0;
                IoCompleteRequest(Irp, IO_NO_INCREMENT);
                return STATUS_SUCCESS;
            }
            """
        ),
    )
    lines = d.render(
        """
        _Use_decl_annotations_
        NTSTATUS
        ${P}DeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
        {
            PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
            NTSTATUS status;
            ULONG_PTR information = 0;

            UNREFERENCED_PARAMETER(DeviceObject);

            ${P}CountEvent($U_COUNTER_IOCTLS);
            switch (irpSp->Parameters.DeviceIoControl.IoControlCode) {
        """
    )
    for name, body in d.ioctls:
        lines += [f"    case {name}:", *ind(body.split("\n"), 2), "        break;", ""]
    lines += d.render(
        """
            default:
                status = STATUS_INVALID_DEVICE_REQUEST;
                break;
            }

            Irp->IoStatus.Status = status;
            Irp->IoStatus.Information = information;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            return status;
        }
        """
    )
    d.add("driver", lines)


def emit_unload(d: Driver, regs: list[Registration]) -> None:
    lines = [
        "_Use_decl_annotations_",
        "VOID",
        f"{d.p}Unload(PDRIVER_OBJECT DriverObject)",
        "{",
        "    UNICODE_STRING linkName;",
    ]
    if d.has("workitem"):
        lines.append("    LARGE_INTEGER interval;")
    lines += ["", "    PAGED_CODE();", ""]
    lines.append(f'    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "{d.name}: unloading\\n");')
    lines.append(f"    {d.g}.State = {d.p}StateStopping;")
    if d.has("dpc"):
        lines += [f"    KeCancelTimer(&{d.g}.Timer);", "    KeFlushQueuedDpcs();"]
    if d.has("callbacks"):
        lines.append(f"    {d.p}UnregisterCallbacks();")
    else:
        for reg in reversed(regs):
            if reg.kind == "image" and d.bug == "ddi002_unload_forgets":
                continue
            if d.flags == "global":
                lines += [f"    if ({reg.flag}) {{", *ind(reg.undo, 2), f"        {reg.flag} = FALSE;", "    }"]
            else:
                lines += ind(reg.undo)
    if d.has("workitem"):
        wait = d.render(
            """
            interval.QuadPart = -10 * 1000 * 10;
            while (InterlockedCompareExchange(&$G.WorkItemQueued, 0, 0) != 0) {
                KeDelayExecutionThread(KernelMode, FALSE, &interval);
            }
            IoFreeWorkItem($G.WorkItem);
            $G.WorkItem = NULL;
            """
        )
        lines += ["", *ind(wait)]
    lines.append("")
    lines += d.render(
        """
            ${P}PurgeEntries();
            RtlInitUnicodeString(&linkName, $U_LINK_NAME);
            IoDeleteSymbolicLink(&linkName);
            IoDeleteDevice(DriverObject->DeviceObject);
        }
        """
    )
    d.add("driver", lines)


@dataclass
class Step:
    """One failing step of DriverEntry: the call, what marks its success, and how to undo it."""

    kind: str
    call: list[str]  # the statement(s) producing ``status``; the first line is the call line
    what: str
    success: list[str]
    guard: str  # the condition under which the cleanup block undoes it
    undo: list[str]


def entry_steps(d: Driver, regs: list[Registration]) -> list[Step]:
    device = [
        Step(
            "device",
            [
                "status = IoCreateDevice(DriverObject, 0, &deviceName, FILE_DEVICE_UNKNOWN,",
                "                        FILE_DEVICE_SECURE_OPEN, FALSE, &deviceObject);",
            ],
            "device creation",
            [f"{d.g}.DeviceObject = deviceObject;"],
            "deviceObject != NULL",
            ["IoDeleteDevice(deviceObject);"],
        ),
        Step(
            "link",
            ["status = IoCreateSymbolicLink(&linkName, &deviceName);"],
            "symbolic link creation",
            ["linkCreated = TRUE;"],
            "linkCreated",
            ["IoDeleteSymbolicLink(&linkName);"],
        ),
    ]
    if d.has("workitem"):
        device.append(
            Step(
                "workitem",
                [
                    f"{d.g}.WorkItem = IoAllocateWorkItem(deviceObject);",
                    f"status = {d.g}.WorkItem != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;",
                ],
                "work item allocation",
                [],
                f"{d.g}.WorkItem != NULL",
                [f"IoFreeWorkItem({d.g}.WorkItem);", f"{d.g}.WorkItem = NULL;"],
            )
        )
    if d.has("callbacks"):
        callbacks = [
            Step(
                "callbacks",
                [f"status = {d.p}RegisterCallbacks();"],
                "callback registration",
                ["callbacksRegistered = TRUE;"],
                "callbacksRegistered",
                [f"{d.p}UnregisterCallbacks();"],
            )
        ]
    else:
        callbacks = [
            Step(r.kind, [f"status = {r.call};"], f"{r.what} registration", [f"{r.flag} = TRUE;"], r.flag, r.undo)
            for r in regs
        ]
    needs_later_step = d.bug in ("ddi001_logged", "ddi002_failure_return", "ddi002_unload_forgets")
    if needs_later_step or d.rng.random() < 0.4:
        return callbacks + device
    if d.rng.random() < 0.5:
        return device[:2] + callbacks + device[2:]
    return device + callbacks


def emit_driver_entry(d: Driver, regs: list[Registration]) -> None:
    steps = entry_steps(d, regs)
    image_index = next((i for i, s in enumerate(steps) if s.kind in ("image", "callbacks")), 0)
    leaky_step = image_index + 1 if d.bug == "ddi002_failure_return" else -1
    lines = [
        "_Use_decl_annotations_",
        "NTSTATUS",
        "DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)",
        "{",
        "    NTSTATUS status;",
        "    PDEVICE_OBJECT deviceObject = NULL;",
        "    UNICODE_STRING deviceName;",
        "    UNICODE_STRING linkName;",
    ]
    locals_ = []
    if d.style == "goto":
        locals_.append("linkCreated")
        if d.has("callbacks"):
            locals_.append("callbacksRegistered")
        elif d.flags == "local":
            locals_ += [r.flag for r in regs]
    lines += [f"    BOOLEAN {name} = FALSE;" for name in locals_]
    if d.has("dpc"):
        lines.append("    LARGE_INTEGER dueTime;")
    lines += ["", "    UNREFERENCED_PARAMETER(RegistryPath);", "", f"    {d.p}InitializeGlobals();"]
    if d.has("registry"):
        lines += [
            f"    status = {d.p}LoadConfiguration(&{d.g}.Config);",
            "    if (!NT_SUCCESS(status)) {",
            "        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_WARNING_LEVEL,",
            f'                   "{d.name}: no configuration (0x%08X), using defaults\\n", status);',
            f"        {d.p}SetDefaultConfiguration(&{d.g}.Config);",
            "    }",
        ]
    lines += [
        f"    RtlInitUnicodeString(&deviceName, {d.u}_DEVICE_NAME);",
        f"    RtlInitUnicodeString(&linkName, {d.u}_LINK_NAME);",
        "",
    ]
    for i in range(len(steps)):
        lines += entry_step_lines(d, steps, i, leaky=(i == leaky_step))
    lines += [
        "    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {",
        f"        DriverObject->MajorFunction[i] = {d.p}DispatchUnsupported;",
        "    }",
        f"    DriverObject->MajorFunction[IRP_MJ_CREATE] = {d.p}CreateClose;",
        f"    DriverObject->MajorFunction[IRP_MJ_CLOSE] = {d.p}CreateClose;",
        f"    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = {d.p}DeviceControl;",
        f"    DriverObject->DriverUnload = {d.p}Unload;",
        "",
    ]
    if d.has("dpc"):
        lines += [
            f"    dueTime.QuadPart = -10000LL * {d.g}.Config.SampleInterval;",
            f"    KeSetTimerEx(&{d.g}.Timer, dueTime, (LONG){d.g}.Config.SampleInterval, &{d.g}.Dpc);",
        ]
    lines += [
        "    deviceObject->Flags &= ~DO_DEVICE_INITIALIZING;",
        f"    {d.g}.State = {d.p}StateRunning;",
        f'    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "{d.name}: loaded\\n");',
    ]
    if d.style == "goto":
        lines += ["", "Cleanup:", "    if (!NT_SUCCESS(status)) {"]
        for step in reversed(steps):
            lines += [f"        if ({step.guard}) {{", *ind(step.undo, 3), "        }"]
        lines += ["    }", "    return status;", "}"]
    else:
        lines += ["    return STATUS_SUCCESS;", "}"]
    d.add("driver", lines, proto=None)


def entry_step_lines(d: Driver, steps: list[Step], i: int, leaky: bool) -> list[str]:
    step = steps[i]
    call = list(step.call)
    if step.kind == "image" and d.bug in ("ddi002_failure_return", "ddi002_unload_forgets"):
        call[0] += " // expect: DDI002"
    if step.kind == "image" and d.bug == "ddi001_logged":
        call[0] += " // expect: DDI001"
        log = f'    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "{d.name}: {step.what}: 0x%08X\\n", status);'
        kept = step.success if d.style == "goto" else [s for s in step.success if s.startswith("g_")]
        return [*ind(call), log, *ind(kept), ""]
    success = step.success if d.style == "goto" else [s for s in step.success if s.startswith("g_")]
    failure = [f"        {log_failure(d, step.what)}"] if d.rng.random() < 0.6 else []
    if d.style == "goto":
        failure.append("        return status;" if leaky else "        goto Cleanup;")
    else:
        for prior in reversed(steps[:i]):
            if leaky and prior.kind in ("image", "callbacks"):
                continue
            failure += ind(prior.undo, 2)
        failure.append("        return status;")
    return [*ind(call), "    if (!NT_SUCCESS(status)) {", *failure, "    }", *ind(success), ""]


def emit_unsupported(d: Driver) -> None:
    d.add(
        "driver",
        d.render(
            """
            static NTSTATUS
            ${P}DispatchUnsupported(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp)
            {
                UNREFERENCED_PARAMETER(DeviceObject);

                Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
                Irp->IoStatus.Information = 0;
                IoCompleteRequest(Irp, IO_NO_INCREMENT);
                return STATUS_INVALID_DEVICE_REQUEST;
            }
            """
        ),
        proto=None,
    )


# --------------------------------------------------------------------------- filler helpers


@dataclass(frozen=True)
class Filler:
    """An ordinary helper function: candidate name stems and its C text (``$N`` is the name)."""

    stems: tuple[str, ...]
    text: str
    values: Callable[[Driver], dict[str, object]] = lambda d: {}


def fnv_values(d: Driver) -> dict[str, object]:
    return {"BASIS": hex(d.rng.choice((0x811C9DC5, 0x01000193, 0x5BD1E995, d.rng.getrandbits(32))))}


def table_values(d: Driver) -> dict[str, object]:
    names = d.rng.sample(KNOWN_IMAGES, k=d.rng.randint(3, 9))
    return {"TABLE": "\n".join(f'        L"\\\\{n}",' for n in names)}


def counter_values(d: Driver) -> dict[str, object]:
    return {"COUNTER": f"{d.u}_COUNTER_{d.rng.choice(COUNTERS)}", "LIMIT": d.rng.choice((16, 64, 100, 1000))}


def mask_values(d: Driver) -> dict[str, object]:
    flag = d.rng.choice(("SYSTEM", "TRUSTED", "WATCHED", "EXITED"))
    return {"FLAG": f"{d.u}_ENTRY_FLAG_{flag}"}


def config_values(d: Driver) -> dict[str, object]:
    return {"BASE": d.rng.choice((0x10, 0x20, 0x100, 0x200)), "STEP": d.rng.choice((1, 2, 4, 10))}


FILLERS: tuple[Filler, ...] = (
    Filler(
        ("HashBuffer", "ComputeDigest", "FingerprintBytes", "HashBlock"),
        """
        ULONG
        $N(_In_reads_bytes_(Length) const UCHAR *Data, _In_ SIZE_T Length)
        {
            ULONG hash = ${BASIS};
            SIZE_T i;

            for (i = 0; i < Length; i++) {
                hash ^= Data[i];
                hash *= 0x01000193;
            }
            return hash;
        }
        """,
        fnv_values,
    ),
    Filler(
        ("IsKnownImage", "IsTrustedImage", "IsSystemBinary", "MatchWellKnownImage"),
        """
        BOOLEAN
        $N(_In_opt_ PCUNICODE_STRING ImageName)
        {
            static const PCWSTR knownImages[] = {
        ${TABLE}
            };
            ULONG i;

            for (i = 0; i < RTL_NUMBER_OF(knownImages); i++) {
                if (${P}NameEndsWith(ImageName, knownImages[i])) {
                    return TRUE;
                }
            }
            return FALSE;
        }
        """,
        table_values,
    ),
    Filler(
        ("CountFlaggedEntries", "CountMarkedProcesses", "TallyEntries"),
        """
        ULONG
        $N(_In_ ULONG Mask)
        {
            KIRQL oldIrql;
            PLIST_ENTRY link;
            ULONG count = 0;

            KeAcquireSpinLock(&$G.Lock, &oldIrql);
            for (link = $G.EntryList.Flink; link != &$G.EntryList; link = link->Flink) {
                P$U_ENTRY entry = CONTAINING_RECORD(link, $U_ENTRY, ListEntry);
                if ((entry->Flags & Mask) != 0) {
                    count++;
                }
            }
            KeReleaseSpinLock(&$G.Lock, oldIrql);
            return count;
        }
        """,
    ),
    Filler(
        ("MarkChildren", "FlagDescendants", "PropagateFlags"),
        """
        ULONG
        $N(_In_ HANDLE ParentId)
        {
            KIRQL oldIrql;
            PLIST_ENTRY link;
            ULONG marked = 0;

            KeAcquireSpinLock(&$G.Lock, &oldIrql);
            for (link = $G.EntryList.Flink; link != &$G.EntryList; link = link->Flink) {
                P$U_ENTRY entry = CONTAINING_RECORD(link, $U_ENTRY, ListEntry);
                if (entry->ParentId == ParentId && (entry->Flags & ${FLAG}) == 0) {
                    entry->Flags |= ${FLAG};
                    marked++;
                }
            }
            KeReleaseSpinLock(&$G.Lock, oldIrql);
            return marked;
        }
        """,
        mask_values,
    ),
    Filler(
        ("AgeEntries", "ExpireEntries", "TrimOldEntries"),
        """
        ULONG
        $N(_In_ LONGLONG MaximumAge)
        {
            KIRQL oldIrql;
            LARGE_INTEGER now;
            LIST_ENTRY expired;
            PLIST_ENTRY link;
            ULONG count = 0;

            InitializeListHead(&expired);
            KeQuerySystemTimePrecise(&now);
            KeAcquireSpinLock(&$G.Lock, &oldIrql);
            link = $G.EntryList.Flink;
            while (link != &$G.EntryList) {
                P$U_ENTRY entry = CONTAINING_RECORD(link, $U_ENTRY, ListEntry);
                link = link->Flink;
                if (now.QuadPart - entry->Timestamp.QuadPart > MaximumAge) {
                    RemoveEntryList(&entry->ListEntry);
                    InsertTailList(&expired, &entry->ListEntry);
                    $G.EntryCount--;
                }
            }
            KeReleaseSpinLock(&$G.Lock, oldIrql);

            while (!IsListEmpty(&expired)) {
                link = RemoveHeadList(&expired);
                ${P}FreeEntry(CONTAINING_RECORD(link, $U_ENTRY, ListEntry));
                count++;
            }
            return count;
        }
        """,
    ),
    Filler(
        ("SumCounters", "TotalEvents", "AggregateCounters"),
        """
        ULONGLONG
        $N(_In_ const $U_STATS *Stats)
        {
            ULONGLONG total = 0;
            ULONG i;

            for (i = 0; i < $U_COUNTER_COUNT; i++) {
                total += (ULONG)Stats->Counters[i];
            }
            return total + Stats->Dropped;
        }
        """,
    ),
    Filler(
        ("BusiestCounter", "MaxCounterIndex", "FindHottestCounter"),
        """
        ULONG
        $N(_In_ const $U_STATS *Stats, _Out_opt_ PLONG Value)
        {
            ULONG best = 0;
            ULONG i;

            for (i = 1; i < $U_COUNTER_COUNT; i++) {
                if (Stats->Counters[i] > Stats->Counters[best]) {
                    best = i;
                }
            }
            if (Value != NULL) {
                *Value = Stats->Counters[best];
            }
            return best;
        }
        """,
    ),
    Filler(
        ("SetBit", "MarkSlot", "ReserveSlot"),
        """
        BOOLEAN
        $N(_In_ ULONG Index)
        {
            KIRQL oldIrql;
            ULONG word = Index / 32;
            ULONG bit = 1u << (Index % 32);
            BOOLEAN wasSet;

            if (word >= $U_BITMAP_WORDS) {
                return FALSE;
            }
            KeAcquireSpinLock(&$G.Lock, &oldIrql);
            wasSet = ($G.Bitmap[word] & bit) != 0;
            $G.Bitmap[word] |= bit;
            KeReleaseSpinLock(&$G.Lock, oldIrql);
            return !wasSet;
        }
        """,
    ),
    Filler(
        ("ClearBit", "ReleaseSlot", "UnmarkSlot"),
        """
        VOID
        $N(_In_ ULONG Index)
        {
            KIRQL oldIrql;

            if (Index / 32 >= $U_BITMAP_WORDS) {
                return;
            }
            KeAcquireSpinLock(&$G.Lock, &oldIrql);
            $G.Bitmap[Index / 32] &= ~(1u << (Index % 32));
            KeReleaseSpinLock(&$G.Lock, oldIrql);
        }
        """,
    ),
    Filler(
        ("FindFreeSlot", "NextFreeSlot", "AllocateSlotIndex"),
        """
        LONG
        $N(VOID)
        {
            KIRQL oldIrql;
            ULONG word;
            ULONG bit;
            LONG slot = -1;

            KeAcquireSpinLock(&$G.Lock, &oldIrql);
            for (word = 0; word < $U_BITMAP_WORDS && slot < 0; word++) {
                if ($G.Bitmap[word] == 0xFFFFFFFF) {
                    continue;
                }
                for (bit = 0; bit < 32; bit++) {
                    if (($G.Bitmap[word] & (1u << bit)) == 0) {
                        $G.Bitmap[word] |= 1u << bit;
                        slot = (LONG)(word * 32 + bit);
                        break;
                    }
                }
            }
            KeReleaseSpinLock(&$G.Lock, oldIrql);
            return slot;
        }
        """,
    ),
    Filler(
        ("FormatDecimal", "UlongToText", "RenderNumber"),
        """
        ULONG
        $N(_In_ ULONG Value, _Out_writes_(BufferChars) PWCHAR Buffer, _In_ ULONG BufferChars)
        {
            WCHAR digits[12];
            ULONG count = 0;
            ULONG i;

            if (BufferChars == 0) {
                return 0;
            }
            do {
                digits[count++] = (WCHAR)(L'0' + Value % 10);
                Value /= 10;
            } while (Value != 0 && count < RTL_NUMBER_OF(digits));

            if (count >= BufferChars) {
                count = BufferChars - 1;
            }
            for (i = 0; i < count; i++) {
                Buffer[i] = digits[count - 1 - i];
            }
            Buffer[count] = L'\\0';
            return count;
        }
        """,
    ),
    Filler(
        ("StateName", "DescribeState", "StateToString"),
        """
        PCSTR
        $N(_In_ $U_STATE State)
        {
            switch (State) {
            case ${P}StateStopped:
                return "stopped";
            case ${P}StateStarting:
                return "starting";
            case ${P}StateRunning:
                return "running";
            case ${P}StatePaused:
                return "paused";
            case ${P}StateStopping:
                return "stopping";
            default:
                return "unknown";
            }
        }
        """,
    ),
    Filler(
        ("EventKindName", "DescribeEvent", "EventToString"),
        """
        PCSTR
        $N(_In_ ULONG Kind)
        {
            switch (Kind) {
            case ${P}EventProcessCreate:
                return "process-create";
            case ${P}EventProcessExit:
                return "process-exit";
            case ${P}EventThreadCreate:
                return "thread-create";
            case ${P}EventThreadExit:
                return "thread-exit";
            case ${P}EventImageLoad:
                return "image-load";
            case ${P}EventConfigChange:
                return "config-change";
            default:
                return "?";
            }
        }
        """,
    ),
    Filler(
        ("DuplicateString", "CloneUnicodeString", "CopyNameAllocated"),
        """
        NTSTATUS
        $N(_Out_ PUNICODE_STRING Destination, _In_ PCUNICODE_STRING Source)
        {
            PWCH buffer;

            RtlZeroMemory(Destination, sizeof(*Destination));
            if (Source == NULL || Source->Length == 0) {
                return STATUS_INVALID_PARAMETER;
            }
            buffer = (PWCH)ExAllocatePool2(POOL_FLAG_NON_PAGED, Source->Length + sizeof(WCHAR), $U_POOL_TAG);
            if (buffer == NULL) {
                return STATUS_INSUFFICIENT_RESOURCES;
            }
            RtlCopyMemory(buffer, Source->Buffer, Source->Length);
            buffer[Source->Length / sizeof(WCHAR)] = L'\\0';
            Destination->Buffer = buffer;
            Destination->Length = Source->Length;
            Destination->MaximumLength = (USHORT)(Source->Length + sizeof(WCHAR));
            return STATUS_SUCCESS;
        }
        """,
    ),
    Filler(
        ("FreeString", "ReleaseUnicodeString", "DisposeName"),
        """
        VOID
        $N(_Inout_ PUNICODE_STRING String)
        {
            if (String->Buffer != NULL) {
                ExFreePoolWithTag(String->Buffer, $U_POOL_TAG);
            }
            String->Buffer = NULL;
            String->Length = 0;
            String->MaximumLength = 0;
        }
        """,
    ),
    Filler(
        ("ChecksumRecord", "RecordDigest", "SealRecord"),
        """
        ULONG
        $N(_In_ const $U_RECORD *Record)
        {
            const UCHAR *bytes = (const UCHAR *)Record;
            ULONG sum = ${BASIS};
            SIZE_T i;

            for (i = 0; i < sizeof(*Record); i++) {
                sum = (sum << 5) | (sum >> 27);
                sum ^= bytes[i];
            }
            return sum;
        }
        """,
        fnv_values,
    ),
    Filler(
        ("DumpStatistics", "TraceCounters", "PrintStatistics"),
        """
        VOID
        $N(_In_ ULONG Level)
        {
            $U_STATS stats;
            ULONG i;

            ${P}SnapshotStatistics(&stats);
            for (i = 0; i < $U_COUNTER_COUNT; i++) {
                if (stats.Counters[i] != 0) {
                    DbgPrintEx(DPFLTR_IHVDRIVER_ID, Level, "${NAME}: counter %lu = %ld\\n", i, stats.Counters[i]);
                }
            }
            DbgPrintEx(DPFLTR_IHVDRIVER_ID, Level, "${NAME}: dropped %lu, largest image %lu\\n",
                       stats.Dropped, stats.LargestImage);
        }
        """,
    ),
    Filler(
        ("ElapsedMilliseconds", "AgeInMilliseconds", "MillisecondsSince"),
        """
        ULONG
        $N(_In_ const LARGE_INTEGER *Since)
        {
            LARGE_INTEGER now;
            LONGLONG delta;

            KeQuerySystemTimePrecise(&now);
            delta = now.QuadPart - Since->QuadPart;
            if (delta <= 0) {
                return 0;
            }
            delta /= 10000;
            return delta > MAXULONG ? MAXULONG : (ULONG)delta;
        }
        """,
    ),
    Filler(
        ("ApplyOption", "SetOption", "HandleOption"),
        """
        NTSTATUS
        $N(_Inout_ P$U_CONFIG Config, _In_ ULONG Option, _In_ ULONG Value)
        {
            switch (Option) {
            case ${BASE}:
                Config->MaxEntries = Value;
                break;
            case ${BASE} + ${STEP}:
                Config->SampleInterval = Value;
                break;
            case ${BASE} + 2 * ${STEP}:
                Config->LogLevel = Value;
                break;
            case ${BASE} + 3 * ${STEP}:
                Config->MonitorImages = Value != 0;
                break;
            case ${BASE} + 4 * ${STEP}:
                Config->MonitorThreads = Value != 0;
                break;
            case ${BASE} + 5 * ${STEP}:
                Config->Flags |= Value;
                break;
            case ${BASE} + 6 * ${STEP}:
                Config->Flags &= ~Value;
                break;
            default:
                return STATUS_INVALID_PARAMETER;
            }
            ${P}ClampConfiguration(Config);
            return STATUS_SUCCESS;
        }
        """,
        config_values,
    ),
    Filler(
        ("ValidateBuffer", "CheckUserBuffer", "ProbeLengths"),
        """
        NTSTATUS
        $N(_In_opt_ PVOID Buffer, _In_ ULONG Length, _In_ ULONG Minimum, _In_ ULONG Alignment)
        {
            if (Buffer == NULL) {
                return STATUS_INVALID_USER_BUFFER;
            }
            if (Length < Minimum) {
                return STATUS_BUFFER_TOO_SMALL;
            }
            if (Alignment > 1 && ((ULONG_PTR)Buffer & (Alignment - 1)) != 0) {
                return STATUS_DATATYPE_MISALIGNMENT;
            }
            if (Length > 16 * PAGE_SIZE) {
                return STATUS_INVALID_BUFFER_SIZE;
            }
            return STATUS_SUCCESS;
        }
        """,
    ),
    Filler(
        ("ThrottleCounter", "RateLimit", "ShouldSample"),
        """
        BOOLEAN
        $N(VOID)
        {
            LONG value = InterlockedIncrement(&$G.Stats.Counters[${COUNTER}]);

            if (value < 0) {
                InterlockedExchange(&$G.Stats.Counters[${COUNTER}], 0);
                return TRUE;
            }
            return (value % ${LIMIT}) == 0;
        }
        """,
        counter_values,
    ),
    Filler(
        ("CopyEntryInfo", "ExportEntry", "FillEntryInfo"),
        """
        VOID
        $N(_In_ const $U_ENTRY *Entry, _Out_ P$U_ENTRY_INFO Info)
        {
            RtlZeroMemory(Info, sizeof(*Info));
            Info->ProcessId = (ULONG)(ULONG_PTR)Entry->ProcessId;
            Info->ParentId = (ULONG)(ULONG_PTR)Entry->ParentId;
            Info->Flags = Entry->Flags;
            Info->Hash = Entry->Hash;
            Info->Timestamp = Entry->Timestamp;
            RtlCopyMemory(Info->Name, Entry->Name, Entry->NameLength * sizeof(WCHAR));
        }
        """,
    ),
    Filler(
        ("BuildInstancePath", "ComposeKeyPath", "AppendInstanceName"),
        """
        NTSTATUS
        $N(_Inout_ PUNICODE_STRING Path, _In_ PCUNICODE_STRING Instance)
        {
            NTSTATUS status;

            status = RtlAppendUnicodeToString(Path, L"\\\\Instances\\\\");
            if (!NT_SUCCESS(status)) {
                return status;
            }
            return RtlAppendUnicodeStringToString(Path, Instance);
        }
        """,
    ),
)

PASSIVE_FILLERS: tuple[Filler, ...] = (
    Filler(
        ("WriteRegistryDword", "StoreSetting", "PersistValue"),
        """
        NTSTATUS
        $N(_In_z_ PCWSTR ValueName, _In_ ULONG Value)
        {
            NTSTATUS status;
            HANDLE key = NULL;
            OBJECT_ATTRIBUTES attributes;
            UNICODE_STRING keyName;
            UNICODE_STRING valueName;

            PAGED_CODE();

            RtlInitUnicodeString(&keyName, $U_PARAMETERS_KEY);
            RtlInitUnicodeString(&valueName, ValueName);
            InitializeObjectAttributes(&attributes, &keyName, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
            status = ZwOpenKey(&key, KEY_WRITE, &attributes);
            if (!NT_SUCCESS(status)) {
                return status;
            }
            status = ZwSetValueKey(key, &valueName, 0, REG_DWORD, &Value, sizeof(Value));
            ZwClose(key);
            return status;
        }
        """,
    ),
    Filler(
        ("QueryFileSize", "GetFileLength", "StatFile"),
        """
        NTSTATUS
        $N(_In_ PUNICODE_STRING FileName, _Out_ PLONGLONG Size)
        {
            NTSTATUS status;
            HANDLE file;
            OBJECT_ATTRIBUTES attributes;
            IO_STATUS_BLOCK ioStatus;
            FILE_STANDARD_INFORMATION info;

            PAGED_CODE();

            *Size = 0;
            InitializeObjectAttributes(&attributes, FileName, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
            status = ZwCreateFile(&file, FILE_READ_ATTRIBUTES | SYNCHRONIZE, &attributes, &ioStatus, NULL,
                                  FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                                  FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0);
            if (!NT_SUCCESS(status)) {
                return status;
            }
            status = ZwQueryInformationFile(file, &ioStatus, &info, sizeof(info), FileStandardInformation);
            if (NT_SUCCESS(status)) {
                *Size = info.EndOfFile.QuadPart;
            }
            ZwClose(file);
            return status;
        }
        """,
    ),
    Filler(
        ("ReadFileHeader", "LoadSignature", "PeekFile"),
        """
        NTSTATUS
        $N(_In_ PUNICODE_STRING FileName, _Out_writes_bytes_(Length) PVOID Buffer, _In_ ULONG Length)
        {
            NTSTATUS status;
            HANDLE file;
            OBJECT_ATTRIBUTES attributes;
            IO_STATUS_BLOCK ioStatus;
            LARGE_INTEGER offset;

            PAGED_CODE();

            InitializeObjectAttributes(&attributes, FileName, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
            status = ZwCreateFile(&file, GENERIC_READ | SYNCHRONIZE, &attributes, &ioStatus, NULL,
                                  FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ, FILE_OPEN,
                                  FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0);
            if (!NT_SUCCESS(status)) {
                return status;
            }
            offset.QuadPart = 0;
            status = ZwReadFile(file, NULL, NULL, NULL, &ioStatus, Buffer, Length, &offset, NULL);
            ZwClose(file);
            return status;
        }
        """,
    ),
    Filler(
        ("NamesEqual", "SameImageName", "CompareNames"),
        """
        BOOLEAN
        $N(_In_ PCUNICODE_STRING Left, _In_ PCUNICODE_STRING Right)
        {
            PAGED_CODE();

            if (Left == NULL || Right == NULL) {
                return FALSE;
            }
            return RtlEqualUnicodeString(Left, Right, TRUE);
        }
        """,
    ),
)


def emit_filler(d: Driver) -> None:
    """Ordinary helpers until every file reaches its target size (the extra file gets pure ones only)."""
    for role, file_name in d.file_names.items():
        estimate = 12 if d.header is not None else 60 + 3 * len(d.protos)
        while d.body_lines(file_name) + estimate < d.targets[file_name]:
            pool = FILLERS if role == "extra" or d.rng.random() < 0.85 else PASSIVE_FILLERS
            filler = d.rng.choice(pool)
            name = d.unique(filler.stems)
            lines = d.render(filler.text, N=name, **filler.values(d))
            if d.rng.random() < 0.5:
                lines[0] = "static " + lines[0]
                d.add(role, lines, proto=None)
            else:
                d.add(role, lines)


# --------------------------------------------------------------------------- the DDI002 stress driver


def stress_notify_routine(d: Driver, i: int) -> list[str]:
    """One of the fan-out callbacks: a small counter update that uses some of its parameters."""
    used, body = d.rng.choice(
        (
            (
                "ImageInfo",
                ["if (ImageInfo->SystemModeImage) {", f"    InterlockedIncrement(&g_{d.p}SystemHits[{i}]);", "}"],
            ),
            (
                "ImageInfo",
                [
                    f"if (ImageInfo->ImageSize > g_{d.p}LargestImage[{i}]) {{",
                    f"    g_{d.p}LargestImage[{i}] = ImageInfo->ImageSize;",
                    "}",
                ],
            ),
            ("ProcessId", ["if (ProcessId == NULL) {", f"    InterlockedIncrement(&g_{d.p}SystemHits[{i}]);", "}"]),
        )
    )
    unused = [p for p in ("FullImageName", "ProcessId", "ImageInfo") if p != used]
    return [
        "static VOID",
        f"{d.p}Notify{i:02}(_In_opt_ PUNICODE_STRING FullImageName, _In_ HANDLE ProcessId, _In_ PIMAGE_INFO ImageInfo)",
        "{",
        *[f"    UNREFERENCED_PARAMETER({p});" for p in unused],
        "",
        *ind(body),
        f"    InterlockedIncrement(&g_{d.p}Hits[{i}]);",
        "}",
    ]


def stress_driver(d: Driver) -> str:
    """One file: DriverEntry registering 30 image-notify routines, goto cleanup, flags, an unload routine."""
    count = STRESS_REGISTRATIONS
    lines = [
        "/*",
        f" * {d.name.lower()}.c - {d.name}: fans image-load notifications out to {count} independent",
        " * consumers, each registered as its own callback (the DDI002 scaling case).",
        " */",
        f"#include <{d.include}>",
        "",
        f"#define {d.u}_CALLBACK_COUNT {count}",
        "",
        "DRIVER_INITIALIZE DriverEntry;",
        f"DRIVER_UNLOAD {d.p}Unload;",
        "",
        "#ifdef ALLOC_PRAGMA",
        "#pragma alloc_text(INIT, DriverEntry)",
        f"#pragma alloc_text(PAGE, {d.p}Unload)",
        "#endif",
        "",
        f"static volatile LONG g_{d.p}Hits[{d.u}_CALLBACK_COUNT];",
        f"static volatile LONG g_{d.p}SystemHits[{d.u}_CALLBACK_COUNT];",
        f"static SIZE_T g_{d.p}LargestImage[{d.u}_CALLBACK_COUNT];",
    ]
    lines += [f"static BOOLEAN g_{d.p}Registered{i:02};" for i in range(count)]
    for i in range(count):
        lines += ["", *stress_notify_routine(d, i)]
    lines += ["", "static VOID", f"{d.p}RemoveCallbacks(VOID)", "{"]
    for i in reversed(range(count)):
        lines += [
            f"    if (g_{d.p}Registered{i:02}) {{",
            f"        PsRemoveLoadImageNotifyRoutine({d.p}Notify{i:02});",
            f"        g_{d.p}Registered{i:02} = FALSE;",
            "    }",
        ]
    lines += [
        "}",
        "",
        "_Use_decl_annotations_",
        "VOID",
        f"{d.p}Unload(PDRIVER_OBJECT DriverObject)",
        "{",
        "    UNREFERENCED_PARAMETER(DriverObject);",
        "    PAGED_CODE();",
        "",
        f"    {d.p}RemoveCallbacks();",
        "}",
        "",
        "_Use_decl_annotations_",
        "NTSTATUS",
        "DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)",
        "{",
        "    NTSTATUS status;",
        "",
        "    UNREFERENCED_PARAMETER(RegistryPath);",
        "",
    ]
    for i in range(count):
        call = (
            f"PsSetLoadImageNotifyRoutine({d.p}Notify{i:02})"
            if d.rng.random() < 0.7
            else f"PsSetLoadImageNotifyRoutineEx({d.p}Notify{i:02}, 0)"
        )
        lines += [
            f"    status = {call};",
            "    if (!NT_SUCCESS(status)) {",
            "        goto Exit;",
            "    }",
            f"    g_{d.p}Registered{i:02} = TRUE;",
            "",
        ]
    lines += [
        f"    DriverObject->DriverUnload = {d.p}Unload;",
        "",
        "Exit:",
        "    if (!NT_SUCCESS(status)) {",
        "        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,",
        f'                   "{d.name}: registration failed 0x%08X\\n", status);',
        f"        {d.p}RemoveCallbacks();",
        "    }",
        "    return status;",
        "}",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- assembly and output


def build_driver(d: Driver) -> dict[str, str]:
    """Generate every unit of a regular driver; returns file name -> text."""
    regs = registrations(d, local_flags=(d.flags == "local" and d.style == "goto"))
    emit_core(d)
    emit_notify_routines(d)
    if d.has("callbacks"):
        emit_callback_helpers(d)
    emit_image_controls(d)
    if d.bug == "ddi003_link_under_queued_lock" or d.rng.random() < 0.3:
        emit_link_control(d)
    emit_worker(d)
    driver_target = d.targets[d.file_names["driver"]]
    emit_ioctl_handlers(d, extra_counters=max(0, (driver_target - 900) // 140))
    emit_unsupported(d)
    emit_dispatch(d)
    emit_unload(d, regs)
    emit_driver_entry(d, regs)
    d.globals_.setdefault(d.file_of("driver"), []).append(f"{d.u}_GLOBALS {d.g};")
    emit_filler(d)
    files: dict[str, str] = {}
    for role, file_name in d.file_names.items():
        text = [*preamble(d, role, file_name), "", *d.bodies.get(file_name, [])]
        files[file_name] = "\n".join(text) + "\n"
    if d.header is not None:
        files[d.header] = header_file(d)
    return files


def generate_driver(seed: int, number: int, kind: str, target: int, bug: str | None) -> tuple[str, dict[str, str]]:
    rng = random.Random(f"ddilint-corpus/{seed}/driver/{number}")
    d = plan_driver(number, rng, target, bug)
    directory = f"drv{number:03}_{d.name.lower()}"
    if kind == "stress":
        d.name = d.name + "Fanout"
        return directory + "fanout", {f"{d.name.lower()}.c": stress_driver(d)}
    return directory, build_driver(d)


def generate(out_dir: Path, seed: int = 1, copies: int = 1) -> CorpusStats:
    """Write ``copies`` x 24 drivers under ``out_dir`` (absent or empty) and return what was written."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty")
    stats = CorpusStats()
    for copy in range(copies):
        for slot, (kind, target, bug) in enumerate(plan_copy(seed, copy)):
            directory, files = generate_driver(seed, copy * DRIVERS_PER_COPY + slot, kind, target, bug)
            driver_dir = out_dir / directory
            driver_dir.mkdir(parents=True)
            stats.drivers += 1
            for file_name, text in sorted(files.items()):
                (driver_dir / file_name).write_bytes(text.encode("utf-8"))
                stats.files += 1
                stats.lines += text.count("\n")
                for match in MARK.finditer(text):
                    for code in re.findall(r"DDI\d{3}", match.group(1)):
                        stats.expected[code] = stats.expected.get(code, 0) + 1
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path, help="directory to create (must be absent or empty)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args(argv)
    if args.copies < 1:
        parser.error("--copies must be at least 1")
    started = time.perf_counter()
    stats = generate(args.out_dir, seed=args.seed, copies=args.copies)
    elapsed = time.perf_counter() - started
    print(f"{args.out_dir}: {stats.summary()} (generated in {elapsed * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
